#!/usr/bin/env bash
# --timeout: a build that runs longer is stopped and its target fails,
# saying why; the others build; nothing is retried or left behind.
. "$(dirname "$0")/lib.sh"

world "node0 linux/amd64" "node1 linux/amd64"
targets slow fast after:slow
behave "slow hang" "* ok 100"
t0=$SECONDS
run_dbake --timeout 2s
took=$((SECONDS - t0))
check "--timeout 2s: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "--timeout 2s: the hung build fails, saying why" \
	grep -q "FAILED slow after .*: stopped after --timeout 2.0s" <<<"$OUT"
check "--timeout 2s: the others build" grep -q "built fast in" <<<"$OUT"
check "--timeout 2s: what it blocks is skipped" grep -q "skipped after: blocked by slow" <<<"$OUT"
check "--timeout 2s: the run ends soon after (${took}s)" [ "$took" -lt 15 ]
check "--timeout 2s: not tried again" [ "$(builds | grep -c ' slow$')" -eq 1 ]
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
check "--timeout 2s: the log says it was stopped" grep -q "ran past --timeout" "$dir/slow.log"
wait_for 3 test -z "$(leftovers)"
check "--timeout 2s: nothing left behind" test -z "$(leftovers)"

: >"$FAKE_DIR/behave"
behave "* ok 100"
run_dbake --timeout 1m
check "--timeout 1m: builds well within it succeed (got $RC)" [ "$RC" -eq 0 ]

for bad in 0s -5s 10x abc ""; do
	run_dbake --timeout "$bad"
	check "--timeout '$bad': exit 2 (got $RC)" [ "$RC" -eq 2 ]
	check "--timeout '$bad': one line naming it" \
		eval '[ "$(wc -l <<<"$ERR")" -eq 1 ] && grep -q -- "--timeout" <<<"$ERR"'
done
