#!/usr/bin/env bash
# A long target among many quick ones on a first run goes in a batch;
# its own steps, named for it in the bake's progress, are what the
# history keeps of it, so the next run knows it is long and builds it
# alone, not hidden among quick ones again.
. "$(dirname "$0")/lib.sh"
world "node0 linux/amd64 2" "node1 linux/amd64 2"
specs=()
for i in $(seq 1 80); do specs+=("q$i"); done
targets "${specs[@]}"
behave "q25 ok 2500" "* ok 20"

run_dbake
check "first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "first run: 80 built" grep -q '^80 built, 0 failed' <<<"$OUT"
with=$(builds | grep -w q25)
echo "# q25's bake: $with"
check "first run: q25 in a bake with others" [ "$(wc -w <<<"$with")" -gt 2 ]
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
work=$(jq -r '[.. | objects | select(has("q25")) | .q25.work] | first // -1' "$hist")
echo "# q25 in the history: work $work"
check "history: q25's own steps, 2.5 s, not its share of the bake" \
	awk -v w="$work" 'BEGIN { exit !(w >= 2.4 && w <= 2.6) }'
quick=$(jq -r '[.. | objects | select(has("q5")) | .q5.work] | first // -1' "$hist")
check "history: a quick one's own steps, 0.0 s ($quick)" \
	awk -v w="$quick" 'BEGIN { exit !(w >= 0 && w < 0.1) }'

: >"$FAKE_DIR/calls"
run_dbake
check "next run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "next run: q25 built alone" grep -qx 'node[01] q25' <<<"$(builds)"
