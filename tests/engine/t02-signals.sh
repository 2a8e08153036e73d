#!/usr/bin/env bash
# Stopping: SIGINT, SIGTERM and SIGHUP at random moments end the run with
# 128+N and leave no child behind; a child that ignores SIGTERM is killed
# after the grace, or at once when asked twice.
. "$(dirname "$0")/lib.sh"

# start_dbake ARGS...: dbake in the background; PID, and output in $W/out
start_dbake() {
	"$DBAKE" dbake --progress plain "$@" >"$W/out" 2>&1 &
	PID=$!
}

# finish_dbake SECONDS: wait for it at most that long; sets RC (255 and a
# SIGKILL if it had to be killed)
finish_dbake() {
	local end=$((SECONDS + $1))
	while kill -0 "$PID" 2>/dev/null && [ $SECONDS -lt "$end" ]; do sleep 0.05; done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		RC=255
	else
		wait "$PID"
		RC=$?
	fi
}

world "node0 linux/amd64" "node1 linux/amd64" "node2 linux/amd64"
targets a b c d e f g:a h:b i:c
behave "* ok 1500"
for round in 1 2 3 4 5 6 7 8 9; do
	case $((round % 3)) in
	0) sig=INT code=130 ;;
	1) sig=TERM code=143 ;;
	2) sig=HUP code=129 ;;
	esac
	: >"$FAKE_DIR/pids"
	rm -rf "$XDG_STATE_HOME/dbake/history.json"
	ms=$((RANDOM % 1500))
	start_dbake
	sleep "$(awk "BEGIN{print $ms/1000}")"
	kill -"$sig" "$PID"
	finish_dbake 15
	out=$(cat "$W/out")
	if [ "$RC" -eq "$code" ] && ! grep -q "BUG\|AddressSanitizer\|runtime error" <<<"$out"; then
		ok "SIG$sig after ${ms} ms: exit $code"
	else
		nok "SIG$sig after ${ms} ms: exit $RC, want $code: $(tail -n3 <<<"$out")"
	fi
	wait_for 3 test -z "$(leftovers)"
	check "SIG$sig after ${ms} ms: no child left" test -z "$(leftovers)"
done

# stop_stubborn DESC SECOND-SIGINT: builds that ignore SIGTERM, one
# SIGINT (and a second 0.3 s later if asked); sets RC and TOOK (seconds)
stop_stubborn() {
	: >"$FAKE_DIR/pids"
	start_dbake
	wait_for 10 grep -q "building" "$W/out"
	sleep 0.3
	local t0=$SECONDS
	kill -INT "$PID"
	if [ "$2" = twice ]; then
		sleep 0.3
		kill -INT "$PID"
	fi
	finish_dbake 20
	TOOK=$((SECONDS - t0))
	wait_for 3 test -z "$(leftovers)"
	check "$1: exit 130 (got $RC)" [ "$RC" -eq 130 ]
	check "$1: no child left" test -z "$(leftovers)"
}
printf '%s\n' "* stubborn" >"$FAKE_DIR/behave"

# builds that ignore SIGTERM: killed once the grace is over...
stop_stubborn "stubborn builds, SIGINT" once
check "stubborn builds: killed after the grace (${TOOK}s)" [ "$TOOK" -ge 4 ]

# ...or at once when the user insists
stop_stubborn "a second SIGINT" twice
check "a second SIGINT: no more grace (${TOOK}s)" [ "$TOOK" -lt 3 ]
