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

# an unreachable node: its builds fail with buildx's message, the other
# node's build, and the run ends
world "node0 linux/amd64" "node1 linux/amd64"
targets a b
behave "a@node1 unreachable" "b@node1 unreachable" "* ok 200"
run_dbake --slots 1
check "an unreachable node: the run ends, exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "the failure says why" grep -q "connection refused" <<<"$OUT$ERR"
check "the other node's build is done" grep -q "^\[node0\] built " <<<"$OUT"
