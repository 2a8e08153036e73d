#!/usr/bin/env bash
# A first run of many targets builds the quick ones several to a bake,
# once it has seen them quick. Each target of such a bake is remembered
# by its own steps, which the bake's progress names for it ("[m35 2/2]
# RUN ..."), not by a share of the bake: a long target among quick ones
# is known to the next run as long.
. "$(dirname "$0")/lib.sh"
project
export DBAKE_STATE_DIR=$PROJ/state
mkdir -m 700 "$DBAKE_STATE_DIR"
{
	printf 'group "default" { targets = [%s] }\n' \
		"$(seq 1 60 | sed 's/.*/"m&"/' | paste -sd,)"
	for i in $(seq 1 60); do
		run="echo m$i-$NONCE > /x"
		[ "$i" = 35 ] && run="sleep 3 && $run"
		printf 'target "m%d" {\n  dockerfile-inline = "FROM %s\\nRUN %s\\n"\n}\n' \
			"$i" "$BASE" "$run"
	done
} >docker-bake.hcl

run_dbake
check "dbake: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
check "60 built" grep -q '^60 built, 0 failed, 0 skipped' <<<"$OUT"
report="$(sed -n 's/^logs: //p' <<<"$OUT")/report.json"
batched=$(jq -r '.targets[] | select(.batch > 1) | .name' "$report")
echo "# built in batches: $(echo $batched)"
check "some targets went several to a bake" [ -n "$batched" ]
hist=$DBAKE_STATE_DIR/history.json
missing=0
for t in $batched; do
	w=$(jq -r --arg t "$t" '[.. | objects | select(has($t)) | .[$t].work] | first // "none"' "$hist")
	[ "$w" = none ] && missing=$((missing + 1))
done
check "every target of a batch has its own steps' time in the history ($missing without)" \
	[ -n "$batched" -a "$missing" -eq 0 ]
w=$(jq -r '[.. | objects | select(has("m35")) | .m35.work] | first // -1' "$hist")
check "m35's own steps: its 3 s sleep ($w s)" awk -v w="$w" 'BEGIN { exit !(w >= 2.9 && w < 10) }'
