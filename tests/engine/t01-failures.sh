#!/usr/bin/env bash
# Failures the engine must carry through: an instant failure while other
# work waits for its launch, a failed batch rebuilt target by target,
# --fail-fast stopping the rest.
. "$(dirname "$0")/lib.sh"

# a fails at once, before b's paced launch: the run must end normally,
# b built, exit 1, summary and report written (it used to abort)
for i in 1 2 3 4 5; do
	world
	targets a b c
	behave "a fail" "b ok 1000"
	run_dbake
	[ "$RC" -eq 1 ] && grep -q "built b" <<<"$OUT" && grep -q "built c" <<<"$OUT" &&
		! grep -q BUG <<<"$ERR" && ls "$(sed -n 's/^dbake: .* logs in \([^ ]*\)$/\1/p' <<<"$OUT$ERR" | head -n1)/report.json" >/dev/null 2>&1 ||
		{ nok "instant failure while work is ready (run $i): rc $RC: $ERR"; continue; }
	ok "instant failure while work is ready (run $i)"
	cleanup_world; trap - EXIT
done

# one failing target in a batch of short cached ones: the batch fails,
# each of its targets is built alone, only the bad one fails
world "node0 linux/amd64"
targets t1 t2 t3 t4 t5 t6
behave "t4 fail" "* ok 10"
run_dbake              # history: every target is short
run_dbake
check "a failed batch exits 1" [ "$RC" -eq 1 ]
check "only t4 failed" grep -q "failed: *t4\b\|✗ t4\|failed t4" <<<"$OUT$ERR"
for t in t1 t2 t3 t5 t6; do
	check "$t built after the batch failed" grep -q "built $t in" <<<"$OUT"
done
check "t4 was rebuilt alone" grep -qx "node0 t4" < <(builds | tail -n 20)
cleanup_world; trap - EXIT

# --fail-fast: the first failure stops the builds still running
world "node0 linux/amd64"
targets bad slow1 slow2
behave "bad failafter 200" "* hang"
run_dbake --fail-fast --slots 3
check "--fail-fast exits 1" [ "$RC" -eq 1 ]
check "--fail-fast cancels the rest" grep -q "cancel" <<<"$OUT$ERR"
check "--fail-fast leaves no process behind" [ -z "$(leftovers)" ]
cleanup_world; trap - EXIT

# a build arg given on the command line that the error line repeats:
# the FAILED line, the dashboard and the report (a file that is kept and
# shared) show stars; the target's log keeps the build's own words
world "node0 linux/amd64"
targets leaky
behave "leaky failsay the token s3cr3t-t0k3n was refused"
run_dbake --set '*.args.TOKEN=s3cr3t-t0k3n' --report "$W/rep"
check "a secret in an error: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "a secret in an error: the report says why" \
	grep -q 'the token \*\*\*\* was refused' "$W/rep/report.json"
check "a secret in an error: not in report.json nor report.html" \
	bash -c '! grep -rq s3cr3t-t0k3n "$0"' "$W/rep"
check "a secret in an error: the FAILED line says why, without it" \
	eval 'grep -q "FAILED leaky .*the token \*\*\*\* was refused" <<<"$OUT" && ! grep -q s3cr3t-t0k3n <<<"$OUT$ERR"' 
