#!/usr/bin/env bash
# A node that runs every build it is given, with none waiting, may run
# more: history keeps how many it ran as a floor, not as its capacity,
# and the next run gives it twice as many places. Remembered as a
# capacity, a node of eight places given four at first got five the
# next run, six the one after, one more a run.
. "$(dirname "$0")/lib.sh"

# the most builds the fake ran at once, from its start and end events
most_at_once() {
	sort -k2,2n -k1,1r "$FAKE_DIR/events" |
		awk '$1 == "start" { n++; if (n > m) m = n } $1 == "end" { n-- } END { print m + 0 }'
}
node_field() { jq -r --arg f "$1" '[.nodes[]?[$f]] | first // 0' "$hist"; }

world "node0 linux/amd64 8"
specs=()
for i in $(seq 1 12); do specs+=("t$i"); done
targets "${specs[@]}"
behave "* ok 2500"

run_dbake
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
first=$(most_at_once)
check "first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "first run: four at once, the places of a node not known ($first)" [ "$first" -eq 4 ]
check "history: a floor of 4 ($(node_field floor)), no capacity ($(node_field capacity))" \
	eval '[ "$(node_field floor)" -eq 4 ] && [ "$(node_field capacity)" -eq 0 ]'

: >"$FAKE_DIR/events"
run_dbake
second=$(most_at_once)
check "second run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "second run: eight at once ($second)" [ "$second" -eq 8 ]
check "history: a floor of 8 ($(node_field floor))" [ "$(node_field floor)" -eq 8 ]

# sixteen places for eight: twelve launched, four wait, the node is seen full, and its
# capacity is known
: >"$FAKE_DIR/events"
run_dbake
check "third run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "history: a capacity of 8 ($(node_field capacity)), no floor ($(node_field floor))" \
	eval '[ "$(node_field capacity)" -eq 8 ] && [ "$(node_field floor)" -eq 0 ]'
check "nothing left behind" [ -z "$(leftovers)" ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
cleanup_world; trap - EXIT

# a node that makes builds wait is remembered by its capacity, as before
world "node0 linux/amd64 2"
targets a b c d e f
behave "* ok 1600"
run_dbake
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
check "full node: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "full node: a capacity of 2 ($(node_field capacity)), no floor ($(node_field floor))" \
	eval '[ "$(node_field capacity)" -eq 2 ] && [ "$(node_field floor)" -eq 0 ]'
cleanup_world; trap - EXIT
