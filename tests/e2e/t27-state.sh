#!/usr/bin/env bash
# dbake's state on the test bed: two runs at once sharing a state dir
# keep each other's history; a hostile history (negative, huge, wrong
# types) and one too big to read cost nothing and are set right; a state
# dir others can write is refused; prune leaves a run that builds.
. "$(dirname "$0")/lib.sh"
project
export DBAKE_STATE_DIR=$PROJ/state
mkdir -p p1 p2
for p in p1 p2; do
	{
		echo "group \"default\" { targets = [\"${p}a\", \"${p}b\"] }"
		hcl_target "${p}a" 2
		hcl_target "${p}b" 2
	} >$p/docker-bake.hcl
done

# two runs at once: each project's targets in the history afterwards
(cd p1 && "$DBAKE" dbake --progress plain >../p1.out 2>&1; echo $? >../p1.rc) &
(cd p2 && "$DBAKE" dbake --progress plain >../p2.out 2>&1; echo $? >../p2.rc) &
wait
check "two runs at once: both exit 0" [ "$(cat p1.rc p2.rc | tr '\n' ' ')" = "0 0 " ]
hist=$DBAKE_STATE_DIR/history.json
targets_of() { jq -r --arg p "$PROJ/$1" '.projects | to_entries[] | select(.key | startswith($p)) | .value.targets | keys[]' "$hist" | sort | tr '\n' ' '; }
check "two runs at once: the history has p1's targets" [ "$(targets_of p1)" = "p1a p1b " ]
check "two runs at once: and p2's" [ "$(targets_of p2)" = "p2a p2b " ]
check "two runs at once: no lock or temp file left" \
	[ -z "$(ls "$DBAKE_STATE_DIR" | grep -v '^history.json$\|^history.json.lock$\|^buildx$\|^docker$')" ]

# a hostile history: every value out of range or of the wrong type
cd p1
jq '.nodes |= map_values(.capacity = -5) |
    .projects |= map_values(.targets |= map_values(.avg = 1e300 | .work = "x" | .nodes = [1,2]))' \
	"$hist" >"$hist.new" && mv "$hist.new" "$hist"
start=$SECONDS
run_dbake
check "a hostile history: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a hostile history: in seconds ($((SECONDS - start)) s)" [ $((SECONDS - start)) -lt 60 ]
check "a hostile history: written back without what reading ignores" \
	[ "$(jq '([.nodes[].capacity | select(. != null)] | all(. > 0)) and
	         ([.projects[].targets[] | .avg // 0] | all(. < 1e6)) and
	         ([.projects[].targets[] | .work // 0 | numbers] | length) ==
	         ([.projects[].targets[] | .work // 0] | length)' "$hist")" = true ]
[ "$RC" -eq 0 ] || show

# a history too big to read (70 MB): not parsed, rewritten small
head -c $((70 << 20)) /dev/zero | tr '\0' ' ' >"$hist"
start=$SECONDS
run_dbake
check "a huge history: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a huge history: said" grep -q "more than dbake reads" <<<"$ERR"
check "a huge history: rewritten small" [ "$(stat -c %s "$hist")" -lt 100000 ]
[ "$RC" -eq 0 ] || show

# a state dir others can write
chmod 0777 "$DBAKE_STATE_DIR"
run_dbake
check "a state dir others can write: exit 2 (got $RC)" [ "$RC" -eq 2 ]
check "a state dir others can write: one line" [ "$(wc -l <<<"$ERR")" -eq 1 ]
chmod 0700 "$DBAKE_STATE_DIR"

# prune, then a run makes what it needs again
out=$("$DBAKE" dbake prune -f 2>&1)
check "prune: says what went" grep -q '^removed [0-9]* shards, the history' <<<"$out"
check "prune: the user's builders are as they were" docker buildx inspect >/dev/null
run_dbake
check "after prune: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "after prune: nothing left behind" no_children_left

# a stdout nobody reads for 10 s (a slow log shipper): the builds do
# not wait for it; the run's own clock (report.json) ends long before
NONCE=$NONCE-s
{
	echo 'group "default" { targets = ["s1", "s2", "s3", "s4"] }'
	for i in 1 2 3 4; do hcl_target "s$i" 1; done
} >docker-bake.hcl
"$DBAKE" dbake --progress plain --report "$PROJ/rep" 2>"$PROJ/stall.err" | { sleep 10; cat >"$PROJ/stall.out"; }
check "stdout stalled 10 s: every target built" grep -q '^4 built, 0 failed' "$PROJ/stall.out"
wall=$(jq -r '.totals.wall' "$PROJ/rep/report.json" 2>/dev/null)
check "stdout stalled 10 s: the builds did not wait for it (wall ${wall} s)" \
	python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 9 else 1)" "${wall:-99}"
