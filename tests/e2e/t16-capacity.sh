#!/usr/bin/env bash
# Nodes that build one step at a time, their capacity not yet known: the
# first run learns it from the builds that wait, starts no more there,
# and moves a waiting build only to a node with room, so no target is
# started over and over; the next run knows the capacity from history.
# Runs on a cluster of its own: two nodes with max-parallelism 1.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
project
small=$(mktemp -d "${TMPDIR:-/tmp}/dbake-cap.XXXXXX")
trap 'DBAKE_CLUSTER_DIR=$small/cluster "$top/tools/cluster" down >/dev/null 2>&1; rm -rf "$PROJ" "$small"' EXIT
if ! DBAKE_CLUSTER_DIR=$small/cluster "$top/tools/cluster" up --nodes 2 --arm64 0 \
	--max-parallelism 1 --name dbake-cap >"$small/env" 2>"$small/err"; then
	nok "a cluster of two nodes with max-parallelism 1 starts"
	sed 's/^/# /' "$small/err"
	exit 1
fi
eval "$(cat "$small/env")"
REG=$DBAKE_TEST_REGISTRY
BASE=$REG/base/busybox
export DBAKE_STATE_DIR=$small/state

# six targets of 2 s each, new steps for every NONCE
write_bake() {
	echo 'group "default" { targets = ["c1","c2","c3","c4","c5","c6"] }'
	for i in 1 2 3 4 5 6; do hcl_target "c$i" 2; done
}
write_bake >docker-bake.hcl

# most starts of one target in the last run
most_starts() {
	printf '%s\n' "$OUT" | sed -n 's/^\[[^]]*\] building \(.*\)$/\1/p' |
		tr ' ' '\n' | grep . | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }'
}
capacities() {
	python3 -c 'import json, sys
h = json.load(open(sys.argv[1]))
print(" ".join(str(v.get("capacity", 0)) for v in h.get("nodes", {}).values()))' \
		"$DBAKE_STATE_DIR/history.json" 2>/dev/null
}

# run_checked WHICH: run dbake, check that all six were built and that
# no target started more than twice; sets BUILDS (builds started).
run_checked() {
	run_dbake
	check "$1 run: exit 0" [ "$RC" -eq 0 ]
	check "$1 run: all six built" all_built c1 c2 c3 c4 c5 c6
	starts=$(most_starts)
	BUILDS=$(printf '%s\n' "$OUT" | grep -c '^\[[^]]*\] building ')
	echo "# $1 run: $BUILDS builds for six targets, one target started at most $starts times"
	check "$1 run: no target started more than twice" [ "${starts:-9}" -le 2 ]
	check "$1 run: no child process left" no_children_left
	[ "$RC" -eq 0 ] && [ "${starts:-9}" -le 2 ] || show
}

# the longest duration history holds for a target (seconds)
longest() {
	python3 -c 'import json, sys
h = json.load(open(sys.argv[1]))
print(max(t.get("avg", 0) for p in h.get("projects", {}).values()
          for t in p.get("targets", {}).values()))' \
		"$DBAKE_STATE_DIR/history.json" 2>/dev/null
}

run_checked first
check "history remembers capacity 1 for both nodes" [ "$(capacities)" = "1 1" ]
# builds waited for their node in that run (four slots a node): each is
# timed from when a step of it ran, not from its launch
echo "# longest remembered duration: $(longest) s (each target: RUN sleep 2)"
check "history times each 2 s target under 3.5 s" \
	python3 -c 'import sys; sys.exit(not 0 < float(sys.argv[1]) < 3.5)' "$(longest)"

NONCE=$NONCE-2
write_bake >docker-bake.hcl
run_checked second
check "second run: at most one build moved (capacity known)" [ "$BUILDS" -le 7 ]
