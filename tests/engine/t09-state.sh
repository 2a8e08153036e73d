#!/usr/bin/env bash
# dbake's state, damaged, shared or unwanted: a shard entry damaged or
# pointed elsewhere is made again; a state dir others can write is
# refused; docker dbake prune removes the shards, the history and the
# run directories (not a run going on), asks first, and waits for no
# one.
. "$(dirname "$0")/lib.sh"

world "node0 linux/amd64" "node1 linux/amd64"
export TMPDIR=$W/tmp # the run directories of this world alone
mkdir -p "$TMPDIR"
STATE=$XDG_STATE_HOME/dbake
targets a b
run_dbake
check "a first run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
inst=$(ls "$STATE/buildx/instances/" | grep node0)
entry=$STATE/buildx/instances/$inst
good=$(cat "$entry")

# damaged: made again, the run goes on
printf '{"Name": "%s", "Dri' "$inst" >"$entry"
run_dbake
check "a damaged shard entry: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a damaged shard entry: said" grep -q "node 'node0': its shard entry was damaged or changed" <<<"$ERR"
check "a damaged shard entry: made again" [ "$(jq -r '.Nodes[0].Endpoint' "$entry")" = "$(jq -r '.Nodes[0].Endpoint' <<<"$good")" ]
# pointed at another BuildKit: made again, never used as it is
jq -c '.Nodes[0].Endpoint = "tcp://10.6.6.6:1234"' <<<"$good" >"$entry"
run_dbake
check "a shard entry pointed elsewhere: made again" \
	[ "$(jq -r '.Nodes[0].Endpoint' "$entry")" = "$(jq -r '.Nodes[0].Endpoint' <<<"$good")" ]
run_dbake
check "an intact entry: nothing said" [ -z "$(grep 'shard entry' <<<"$ERR")" ]

# a state dir others can write: refused in one line, exit 2
chmod 0777 "$STATE"
run_dbake
check "a state dir others can write: exit 2 (got $RC)" [ "$RC" -eq 2 ]
check "a state dir others can write: one line saying so" \
	eval '[ "$(wc -l <<<"$ERR")" -eq 1 ] && grep -q "not private to this user" <<<"$ERR"'
chmod 0700 "$STATE"

# prune: asks first; no answer, nothing removed
user_config=$(ls -R "$BUILDX_CONFIG")
runs_before=$(ls -d "$TMPDIR"/dbake-*/run-* | wc -l)
out=$("$DBAKE" dbake prune </dev/null 2>&1)
check "prune asks first, and an empty answer removes nothing" \
	eval 'grep -q "nothing removed" <<<"$out" && [ -s "$STATE/history.json" ] && [ -n "$(ls "$STATE/buildx/instances")" ]'
# another dbake setting up shards: nothing removed
flock "$STATE/buildx/dbake.lock" sleep 3 &
holder=$!
sleep 0.3
out=$("$DBAKE" dbake prune -f 2>&1)
rc=$?
check "prune while the store is locked: exit 1, nothing removed" \
	eval '[ "$rc" -eq 1 ] && grep -q "another dbake" <<<"$out" && [ -s "$STATE/history.json" ]'
wait "$holder"
# the run directories older than a few minutes go, a fresh one stays
find "$TMPDIR" -mindepth 2 -exec touch -h -d '1 hour ago' {} +
mkdir "$(ls -d "$TMPDIR"/dbake-* | head -n1)/run-going"
out=$("$DBAKE" dbake prune -f 2>&1)
rc=$?
echo "# $out"
check "prune -f: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "prune -f: says what went" grep -q "^removed 2 shards, the history, $runs_before run directories$" <<<"$out"
check "prune -f: the shards are gone" [ ! -e "$STATE/buildx" ]
check "prune -f: the history is gone" [ ! -e "$STATE/history.json" ]
check "prune -f: a run going on is kept" [ -d "$(ls -d "$TMPDIR"/dbake-* | head -n1)/run-going" ]
check "prune -f: the user's buildx config is untouched" [ "$(ls -R "$BUILDX_CONFIG")" = "$user_config" ]
run_dbake
check "after prune, a run makes what it needs again: exit 0 (got $RC)" [ "$RC" -eq 0 ]

# a target named prune is built with --
targets prune
run_dbake -- prune
check "a target named prune, after --: built" grep -q "built prune" <<<"$OUT"
