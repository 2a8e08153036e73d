#!/usr/bin/env bash
# Targets sharing a large build context: on a first run each node's
# first bake takes its share of them (one send of the context); a
# context under the size, or one target's alone, changes nothing.
. "$(dirname "$0")/lib.sh"
world "node0 linux/amd64 2" "node1 linux/amd64 2"
head -c 20000 /dev/zero >blob
specs=()
for i in $(seq 1 12); do specs+=("c$i"); done
targets "${specs[@]}"
behave "* ok 100"

DBAKE_CONTEXT_GATE_BYTES=10000 run_dbake
check "shared context: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "shared context: 12 built" grep -q '^12 built, 0 failed' <<<"$OUT"
first=$(builds | awk '!seen[$1]++')
echo "$first" | sed 's/^/# first bake of a node: /'
check "each node's first bake holds its share, 6" \
	[ "$(awk '{ print NF - 1 }' <<<"$first" | sort -u)" = 6 ]
check "a bake a node" [ "$(builds | wc -l)" -eq 2 ]

# under the size: the first bakes go one target each, as before
rm -rf "$XDG_STATE_HOME/dbake"
: >"$FAKE_DIR/calls"
DBAKE_CONTEXT_GATE_BYTES=30000 run_dbake
check "small context: 12 built" grep -q '^12 built, 0 failed' <<<"$OUT"
check "small context: the first bakes hold one target" \
	[ "$(builds | head -n 4 | awk '{ print NF - 1 }' | sort -u)" = 1 ]

# a context of one target's alone: nothing to share
rm -rf "$XDG_STATE_HOME/dbake"
: >"$FAKE_DIR/calls"
mkdir -p other
head -c 20000 /dev/zero >other/blob
jq '.target.c1.context = "other"' "$FAKE_DIR/print.json" >p && mv p "$FAKE_DIR/print.json"
DBAKE_CONTEXT_GATE_BYTES=10000 run_dbake
check "one target's context: 12 built" grep -q '^12 built, 0 failed' <<<"$OUT"
check "one target's context: c1 built alone" grep -qx 'node[01] c1' <<<"$(builds)"
