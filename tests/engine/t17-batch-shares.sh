#!/usr/bin/env bash
# Targets built together in one bake share the node: on a node that runs
# them all at once, each of three 0.6 s targets that ran side by side is
# remembered at its part of that time, not at 0.6 s (on a machine whose
# CPUs the node shares, a light target's steps in a batch of sixty took
# 1-1.7 s, and the next run would not batch them). A target built alone
# keeps its whole time.
. "$(dirname "$0")/lib.sh"
world "node0 linux/amd64 0" "node1 linux/amd64 0"
specs=()
for i in $(seq 1 60); do specs+=("q$i"); done
targets "${specs[@]}"
behave "* ok 600"

run_dbake
check "first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "first run: 60 built" grep -q '^60 built, 0 failed' <<<"$OUT"
hist=$(find "$XDG_STATE_HOME/dbake" -name history.json | head -n 1)
work_of() {
	jq -r --arg t "$1" '[.. | objects | select(has($t)) | .[$t].work] | first // -1' "$hist"
}
alone=$(builds | awk 'NF == 2 { print $2; exit }')
batch=$(builds | awk 'NF >= 4 { print $2, $3, $4; exit }')
echo "# alone: $alone; a batch: $batch"
check "first run: some built alone" [ -n "$alone" ]
check "first run: some three or more to a bake" [ -n "$batch" ]
w=$(work_of "$alone")
check "history: $alone, alone, keeps its 0.6 s ($w)" \
	awk -v w="$w" 'BEGIN { exit !(w >= 0.55 && w <= 0.65) }'
for t in $batch; do
	w=$(work_of "$t")
	check "history: $t, in a batch, charged its part ($w)" \
		awk -v w="$w" 'BEGIN { exit !(w > 0 && w < 0.5) }'
done
