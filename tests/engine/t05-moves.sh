#!/usr/bin/env bash
# Work stealing and node failures against the fake's BuildKit queue: a
# build waiting for its full node moves to a node that has room, and a
# node that cannot be reached fails its builds with buildx's message
# (retrying elsewhere is for later) without wedging the run.
. "$(dirname "$0")/lib.sh"

# two nodes building one step at a time; b ends soon, the third target
# launched waits behind a on node0 and should move to node1 then
world "node0 linux/amd64 1" "node1 linux/amd64 1"
targets a b c
behave "b ok 300" "* ok 2500"
run_dbake
check "a waiting build moved: exit 0 (got $RC)" [ "$RC" -eq 0 ]
moved=""
for t in a b c; do
	if [ "$(builds | awk -v t="$t" '$2 == t {print $1}' | sort -u | wc -l)" -eq 2 ]; then
		moved=$t
	fi
done
check "one target was launched on both nodes (${moved:-none})" [ -n "$moved" ]
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
check "its log says it moved" grep -q "^# dbake: moved to node node1: it had not started here" "$dir/${moved:-none}.log"
check "it was built on node1" grep -q "^\[node1\] built ${moved:-none} in" <<<"$OUT"
check "each target was built once" [ "$(grep -c '] built ' <<<"$OUT")" -eq 3 ]
check "the moved build left nothing behind" [ -z "$(leftovers)" ]
cleanup_world; trap - EXIT

# an unreachable node: it is said once, with buildx's reason, and gets
# no more builds; what it was building is built on the other node
world "node0 linux/amd64" "node1 linux/amd64"
targets a b
behave "a@node1 unreachable" "b@node1 unreachable" "* ok 200"
run_dbake --slots 1
check "an unreachable node: every target built, exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "the node is said lost once, with why" \
	[ "$(grep -c "node 'node1' is unreachable (.*connection refused" <<<"$ERR")" -eq 1 ]
check "both built on the other node" \
	[ "$(grep -c '^\[node0\] built [ab] ' <<<"$OUT")" -eq 2 ]
check "no more builds on the lost node" [ "$(grep -c '^\[node1\] building' <<<"$OUT")" -le 1 ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
cleanup_world; trap - EXIT

# lost everywhere: each target gets two more tries at most, then fails
# with the reason; a target that only the lost node builds fails at once
world "node0 linux/amd64" "node1 linux/amd64" "node2 linux/arm64"
targets a b arm
jq '.target.arm.platforms = ["linux/arm64"]' "$FAKE_DIR/print.json" >"$FAKE_DIR/p" &&
	mv "$FAKE_DIR/p" "$FAKE_DIR/print.json"
behave "* unreachable"
run_dbake --slots 1
check "lost everywhere: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "lost everywhere: every target failed" grep -qE '^0 built, 3 failed' <<<"$OUT"
check "lost everywhere: the FAILED lines say why" \
	[ "$(grep -c 'FAILED .*\(connection refused\|unreachable\)' <<<"$OUT")" -eq 3 ]
tries=$(grep -c "bake .* -- a\b" "$FAKE_DIR/calls" || true)
check "lost everywhere: a built 3 times at most ($tries)" [ "$tries" -le 3 ]
cleanup_world; trap - EXIT

# a target that stays on the node with its cache (unchanged since it was
# built there) moves when that node is lost, and is built: short ones
# (built in one bake per node) and longer ones
for ms in 100 1500; do
world "node0 linux/amd64" "node1 linux/amd64"
targets a b c d
behave "* ok $ms"
run_dbake --slots 1
home=$(sed -n 's/^\[\(node[01]\)\] built a in .*/\1/p' <<<"$OUT")
other=node0
[ "$home" = node0 ] && other=node1
run_dbake --slots 1
check "pinned ($ms ms): an unchanged a is built on its node ($home) again" \
	grep -q "^\[$home\] built a in" <<<"$OUT"
: >"$FAKE_DIR/behave"
behave "a@$home unreachable" "b@$home unreachable" "c@$home unreachable" "d@$home unreachable" "* ok $ms"
run_dbake --slots 1
check "pinned ($ms ms), its node lost: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "pinned ($ms ms), its node lost: a built on the other node" grep -q "^\[$other\] built a in" <<<"$OUT"
check "pinned ($ms ms), its node lost: every target built" grep -q '^4 built, 0 failed' <<<"$OUT"
[ "$RC" -eq 0 ] || { echo "$OUT" | sed 's/^/# /'; echo "$ERR" | sed 's/^/# /'; }
cleanup_world; trap - EXIT
done
