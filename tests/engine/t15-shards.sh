#!/usr/bin/env bash
# A first run creates the missing shards side by side, not one after
# another; one that cannot be created fails the run with buildx's word
# for it, and the shards made meanwhile serve the next run; Ctrl+C
# during the creation stops it at once and leaves no process behind.
. "$(dirname "$0")/lib.sh"

world "node0 linux/amd64" "node1 linux/amd64" "node2 linux/amd64" \
	"node3 linux/amd64"
targets a b c d
: >"$FAKE_DIR/creates"
echo "* slow 600" >"$FAKE_DIR/create"
run_dbake
check "first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a shard made for each node" \
	[ "$(grep -c '^start' "$FAKE_DIR/creates")" -eq 4 ]
# every creation had started before the first one ended
last_start=$(awk '$1 == "start" { t = $2 } END { print t }' "$FAKE_DIR/creates")
first_end=$(awk '$1 == "end" && !e { e = $2 } END { print e }' "$FAKE_DIR/creates")
check "the shards were made side by side (last start $last_start, first end $first_end)" \
	[ "$last_start" -lt "$first_end" ]

: >"$FAKE_DIR/creates"
run_dbake
check "next run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "next run: no shard made again" [ ! -s "$FAKE_DIR/creates" ]

# a new state dir: node2's shard cannot be made
export XDG_STATE_HOME=$W/state2
mkdir -p "$XDG_STATE_HOME"
: >"$FAKE_DIR/creates"
nbuilds=$(builds | wc -l)
printf '%s\n' "node2 fail cannot reach tcp://127.0.0.1:20003" "* slow 200" \
	>"$FAKE_DIR/create"
run_dbake
check "a shard that cannot be made: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "...said in one line, with buildx's reason" \
	grep -qx "dbake: cannot create shard for node 'node2': ERROR: cannot reach tcp://127.0.0.1:20003" <<<"$ERR"
check "...nothing built" [ "$(builds | wc -l)" -eq "$nbuilds" ]
check "...the others were made" \
	[ "$(grep -c '^end' "$FAKE_DIR/creates")" -eq 4 ]
: >"$FAKE_DIR/creates"
: >"$FAKE_DIR/create"
run_dbake
check "once node2 answers: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "...only node2's shard made" \
	[ "$(awk '$1 == "start" { print $3 }' "$FAKE_DIR/creates")" = node2 ]

# Ctrl+C while shards are being made
export XDG_STATE_HOME=$W/state3
mkdir -p "$XDG_STATE_HOME"
: >"$FAKE_DIR/creates"
echo "* slow 30000" >"$FAKE_DIR/create"
"$DBAKE" dbake --progress plain >"$W/out" 2>&1 &
pid=$!
wait_for 10 [ "$(grep -c '^start' "$FAKE_DIR/creates")" -eq 4 ]
interrupt "$pid"
check "Ctrl+C while shards are made: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "Ctrl+C while shards are made: at once (${MS} ms)" [ "$MS" -lt 2000 ]
sleep 0.2
check "...no process left ($(leftovers | tr '\n' ' '))" [ -z "$(leftovers)" ]
