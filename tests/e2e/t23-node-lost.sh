#!/usr/bin/env bash
# A node dies mid-run (kill -9 of its buildkitd): it is said lost once,
# with buildx's reason, what it was building is built on the other node,
# and the run ends with every target built and exit 0. On a test bed of
# its own (two nodes), so the shared one keeps all of its nodes.
. "$(dirname "$0")/lib.sh"
own_bed lost
{
	echo 'group "default" { targets = ["t1", "t2", "t3", "t4", "t5", "t6"] }'
	for i in 1 2 3 4 5 6; do hcl_target "t$i" 4; done
} >docker-bake.hcl

out=$PROJ/out
start_building "$out" '^\[node1\] building' --slots 2
pid=$BG_PID
read -r _ victim _ < <(grep '^node1 ' "$BED/pids")
kill -9 "$victim"
echo "# killed node1's buildkitd (pid $victim)"
wait "$pid"
RC=$?
OUT=$(cat "$out") ERR=$(cat "$out.err")
echo "# $(grep unreachable <<<"$ERR")"
check "node lost: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "node lost: every target built" all_built t1 t2 t3 t4 t5 t6
check "node lost: said once, with why" \
	[ "$(grep -c "node 'node1' is unreachable" <<<"$ERR")" -eq 1 ]
check "node lost: the other node built what it was building" \
	[ "$(grep -c '^\[node0\] built ' <<<"$OUT")" -ge 2 ]
check "node lost: nothing left behind" no_children_left
[ "$RC" -eq 0 ] || show
