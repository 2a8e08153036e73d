#!/usr/bin/env bash
# Light targets on nodes of known, uneven capacities: each node's batch
# is its part of them by capacity. Given one node's share of what is
# ready, a node of one place took a quarter of sixty light targets beside
# a node of eight and built them one by one, long after the other ended.
# And light steps, too short to show what a node runs at once, leave a
# floor in history, not a capacity of 1 or 2 for a node of 8.
. "$(dirname "$0")/lib.sh"

# targets built on NODE in the run's bakes
on_node() { builds | awk -v n="$1" '$1 == n { k += NF - 1 } END { print k + 0 }'; }

world "node0 linux/amd64 8" "node1 linux/amd64 1"
specs=()
for i in $(seq 1 60); do specs+=("l$i"); done
targets "${specs[@]}"
behave "* ok 60"

run_dbake
check "first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
check "first run: history written" [ -n "$hist" ]
# the fake's nodes, in order
ep0=tcp://127.0.0.1:20001 ep1=tcp://127.0.0.1:20002
# light steps end before a node can be seen running many at once: the
# node of eight keeps a floor of what it showed, or nothing, not a
# capacity
cap0=$(jq -r --arg e "$ep0" '.nodes[$e].capacity // 0' "$hist")
floor0=$(jq -r --arg e "$ep0" '.nodes[$e].floor // 0' "$hist")
check "first run: node0 has no capacity ($cap0; a floor of $floor0)" \
	[ "$cap0" -eq 0 ]
# the capacities an earlier project's longer steps showed (a 60 ms step
# does not hold long enough to show one)
jq --arg a "$ep0" --arg b "$ep1" \
	'.nodes[$a] = {capacity: 8} | .nodes[$b] = {capacity: 1}' "$hist" >"$hist.new" &&
	mv "$hist.new" "$hist"
# every target changed: no target's cache on a node, no bake of them all
jq '.target[].args.NONCE = "2"' "$FAKE_DIR/print.json" >"$FAKE_DIR/p.json" &&
	mv "$FAKE_DIR/p.json" "$FAKE_DIR/print.json"
: >"$FAKE_DIR/calls"

run_dbake
big=$(on_node node0) small=$(on_node node1)
check "second run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "second run: 60 built" grep -q '^60 built, 0 failed' <<<"$OUT"
check "second run: the node of one place took its ninth ($small of 60)" \
	[ "$small" -ge 1 -a "$small" -le 8 ]
check "second run: the node of eight the rest ($big)" [ "$big" -eq $((60 - small)) ]
check "nothing left behind" [ -z "$(leftovers)" ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
cleanup_world; trap - EXIT

# A node of another platform has no part of them: two amd64 nodes beside
# an arm64 one take half each, not a third each with the last third
# waiting for one of them to end.
world "node0 linux/amd64 4" "node1 linux/amd64 4" "node2 linux/arm64 4"
targets "${specs[@]}"
behave "* ok 60"
run_dbake
check "platforms, first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
jq '.nodes = {"tcp://127.0.0.1:20001": {capacity: 4},
	"tcp://127.0.0.1:20002": {capacity: 4},
	"tcp://127.0.0.1:20003": {capacity: 4}}' "$hist" >"$hist.new" &&
	mv "$hist.new" "$hist"
jq '.target[].args.NONCE = "2"' "$FAKE_DIR/print.json" >"$FAKE_DIR/p.json" &&
	mv "$FAKE_DIR/p.json" "$FAKE_DIR/print.json"
: >"$FAKE_DIR/calls"
run_dbake
n0=$(on_node node0) n1=$(on_node node1) n2=$(on_node node2)
bakes=$(builds | wc -l)
check "platforms, second run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "platforms, second run: none on the arm64 node ($n2)" [ "$n2" -eq 0 ]
check "platforms, second run: half each ($n0, $n1), in $bakes bakes" \
	[ "$n0" -eq 30 -a "$n1" -eq 30 -a "$bakes" -eq 2 ]
check "nothing left behind" [ -z "$(leftovers)" ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
