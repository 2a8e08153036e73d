# TAP-like lines the test scripts print and tests/run counts: one
# "ok - ..." or "not ok - ..." per assertion.
ok() { printf 'ok - %s\n' "$*"; }
nok() { printf 'not ok - %s\n' "$*"; }

# check DESCRIPTION COMMAND...: pass when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}

# wait_until SECONDS COMMAND...: poll until the command succeeds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
