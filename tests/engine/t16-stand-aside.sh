#!/usr/bin/env bash
# A first run gives a node of unknown capacity more builds than it runs,
# and the node runs them first come, first served: a build waiting there
# stands aside (stopped before it started, launched again later) for a
# more urgent one, ranked a job's worth of chain above it, that would
# wait behind it.
. "$(dirname "$0")/lib.sh"

# one node building one step at a time; p -> q -> r is the long chain,
# l0..l2 stand alone. The first wave launches p, l0, l1, l2; q, ready
# when p ends, would wait behind l1 and l2 (l0, long, runs meanwhile:
# both have stood aside well before it ends).
world "node0 linux/amd64 1"
targets p q:p r:q l0 l1 l2
behave "p ok 300" "l0 ok 3000" "* ok 1000"
run_dbake
check "exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "each target built once" [ "$(grep -c '] built ' <<<"$OUT")" -eq 6 ]
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
aside=$(grep -l "^# dbake: stopped before it started, for a more urgent build waiting on node node0; it goes again later" "$dir"/l1.log "$dir"/l2.log 2>/dev/null | wc -l)
check "l1 and l2 stood aside, their logs say so ($aside)" [ "$aside" -eq 2 ]
check "l0, started, did not" bash -c '! grep -q "stopped before it started" "$0"' "$dir/l0.log"
order=$(grep -o '] built [a-z0-9]*' <<<"$OUT" | awk '{print $3}' | tr '\n' ' ')
check "q was built before l1 and l2 ($order)" \
	eval 'grep -q "q.*l1" <<<"$order" && grep -q "q.*l2" <<<"$order"'
check "l1 and l2 were launched twice, the others once" \
	[ "$(builds | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s ", $2, $1}')" = "l01 l12 l22 p1 q1 r1 " ]
check "nothing left behind" [ -z "$(leftovers)" ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
cleanup_world; trap - EXIT

# the same run with --schedule fifo (the earlier tool's way): nothing
# stands aside
world "node0 linux/amd64 1"
targets p q:p r:q l0 l1 l2
behave "p ok 300" "l0 ok 3000" "* ok 1000"
run_dbake --schedule fifo
check "fifo: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "fifo: each target launched once" [ "$(builds | wc -l)" -eq 6 ]
cleanup_world; trap - EXIT
