#!/usr/bin/env bash
# A node freezes mid-run (SIGSTOP of its buildkitd: the connections stay
# open, nothing answers): its builds go silent, the node is probed, does
# not answer, and is lost; what it was building is built on the other
# node and the run ends, every target built, exit 0. Then a node frozen
# before the run: discovery gives up on it within its timeout and the
# run goes on without it. On a test bed of its own (two nodes).
. "$(dirname "$0")/lib.sh"
victim=
ON_EXIT='[ -n "$victim" ] && kill -CONT "$victim" 2>/dev/null'
own_bed stall
{
	echo 'group "default" { targets = ["t1", "t2", "t3", "t4", "t5", "t6"] }'
	for i in 1 2 3 4 5 6; do hcl_target "t$i" 4; done
} >docker-bake.hcl

# probed after 3 s of silence, given 3 s to answer
export DBAKE_PROBE_AFTER=3 DBAKE_PROBE_TIMEOUT=3
out=$PROJ/out
start=$SECONDS
start_building "$out" '^\[node1\] building' --slots 2
pid=$BG_PID
read -r _ victim _ < <(grep '^node1 ' "$BED/pids")
kill -STOP "$victim"
echo "# froze node1's buildkitd (pid $victim)"
wait "$pid"
RC=$?
took=$((SECONDS - start))
OUT=$(cat "$out") ERR=$(cat "$out.err")
echo "# $(grep unreachable <<<"$ERR")"
check "node frozen: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "node frozen: every target built" all_built t1 t2 t3 t4 t5 t6
check "node frozen: said once, with why" \
	[ "$(grep -c "node 'node1' is unreachable (no answer to a probe" <<<"$ERR")" -eq 1 ]
check "node frozen: the other node built what it was building" \
	[ "$(grep -c '^\[node0\] built ' <<<"$OUT")" -ge 4 ]
# six 4 s builds on one node, 2 at a time, plus the silence and the probe
check "node frozen: the run ends within a bound ($took s < 60)" [ "$took" -lt 60 ]
check "node frozen: nothing left behind" no_children_left
[ "$RC" -eq 0 ] || show

# frozen before the run: discovery stops waiting for it
NONCE=$NONCE-b
{
	echo 'group "default" { targets = ["u1", "u2"] }'
	for i in 1 2; do hcl_target "u$i" 1; done
} >docker-bake.hcl
start=$SECONDS
run_dbake
took=$((SECONDS - start))
check "frozen before the run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "frozen before the run: built on the other node" \
	[ "$(grep -c '^\[node0\] built u' <<<"$OUT")" -eq 2 ]
check "frozen before the run: skipped with one line" grep -q "skipping node 'node1'" <<<"$ERR"
check "frozen before the run: seconds, not minutes ($took s < 30)" [ "$took" -lt 30 ]
[ "$RC" -eq 0 ] || show
kill -CONT "$victim"
