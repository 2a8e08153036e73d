#!/usr/bin/env bash
# Output that stalls: a build that stops mid-line, a build whose process
# leaves a child holding its output, and a reader of dbake's own output
# that stops reading for a while. Nothing is lost, nothing wedges.
. "$(dirname "$0")/lib.sh"

world "node0 linux/amd64" "node1 linux/amd64"
targets quiet lingers big
behave "lingers linger 100" "big bytes 300000" "* ok 100"
run_dbake
check "a build whose output stays open ends: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "it is built" grep -q "built lingers in" <<<"$OUT"
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
check "300 kB of one line reach the log whole" \
	[ "$(awk '/^x+$/ { print length }' "$dir/big.log")" = 300000 ]
wait_for 3 test -z "$(leftovers)"
check "the process that held the output is gone" test -z "$(leftovers)"

# dbake's stdout is a pipe nobody reads for 3 s: the builds wait for it,
# then every line arrives and the run ends as it should
specs=()
for i in $(seq 1 40); do specs+=("s$i"); done
targets "${specs[@]}"
: >"$FAKE_DIR/behave"
behave "* ok 20"
"$DBAKE" dbake --progress plain 2>"$W/err" | { sleep 3; cat; } >"$W/out"
rc=${PIPESTATUS[0]}
check "a stalled reader: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "a stalled reader: every line arrives" grep -q "^40 built, 0 failed" "$W/out"
check "a stalled reader: one line per target built" \
	[ "$(grep -c '] built s' "$W/out")" -eq 40 ]

# stdout and stderr are one pipe nobody reads for 10 s, and the builds
# print far more than a pipe holds (--progress rawjson: their JSON goes to
# stderr): the builds go on regardless, and every line arrives after
specs=()
for i in $(seq 1 6); do specs+=("j$i"); done
targets "${specs[@]}"
: >"$FAKE_DIR/behave"
: >"$FAKE_DIR/events"
behave "* json 2000"
t0=$(date +%s%N)
"$DBAKE" dbake --progress rawjson 2>&1 | { sleep 10; cat; } >"$W/out"
rc=${PIPESTATUS[0]}
check "output stalled 10 s: exit 0 (got $rc)" [ "$rc" -eq 0 ]
last=$(awk '$1 == "end" { print $2 }' "$FAKE_DIR/events" | sort -n | tail -n1)
ends=$(grep -c '^end ' "$FAKE_DIR/events")
took=$(( ${last:-0} - t0 / 1000000 ))
echo "# 6 builds of 2000 JSON lines each ended ${took} ms after the start"
check "output stalled 10 s: every build ended while nobody read (6 ends, the last after ${took} ms)" \
	[ "$ends" -eq 6 -a "$took" -lt 8000 ]
check "output stalled 10 s: every JSON line arrives after" \
	[ "$(grep -c '^{"logs"' "$W/out")" -eq 12000 ]
check "output stalled 10 s: and dbake's own lines" \
	[ "$(grep -c '] built j' "$W/out")" -eq 6 ]

# a build that prints half a line and hangs: stopped, its half line kept
targets half
: >"$FAKE_DIR/behave"
behave "half hang"
"$DBAKE" dbake --progress plain >"$W/out" 2>&1 &
pid=$!
wait_for 10 grep -q "building half" "$W/out"
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
check "a hung build, SIGTERM: exit 143 (got $rc)" [ "$rc" -eq 143 ]
dir=$(sed -n 's/^logs: //p' "$W/out")
check "its log keeps what it printed" grep -q "RUN work" "$dir/half.log"
wait_for 3 test -z "$(leftovers)"
check "a hung build leaves nothing behind" test -z "$(leftovers)"
cleanup_world; trap - EXIT

# a node that stops answering (its BuildKit frozen): its builds hang in
# silence. It is probed once they have been silent a while, does not
# answer, and is lost: its builds go to the other node, the run ends.
world "node0 linux/amd64" "node1 linux/amd64"
targets a b c d
behave "a@node0 hang" "b@node0 hang" "c@node0 hang" "d@node0 hang" "* ok 300"
echo node0 >"$FAKE_DIR/stalled"
start=$SECONDS
DBAKE_PROBE_AFTER=1 DBAKE_PROBE_TIMEOUT=1 run_dbake --slots 2
took=$((SECONDS - start))
check "a frozen node: exit 0, every target built (got $RC)" \
	eval '[ "$RC" -eq 0 ] && grep -q "^4 built, 0 failed" <<<"$OUT"'
check "a frozen node: in seconds ($took s)" [ "$took" -lt 20 ]
check "a frozen node: said, with why" \
	grep -q "node 'node0' is unreachable (no answer to a probe in 1[.0]*s)" <<<"$ERR"
check "a frozen node: its builds were built on the other" \
	[ "$(grep -c '^\[node1\] built [abcd] ' <<<"$OUT")" -eq 4 ]
check "a frozen node: nothing left behind" [ -z "$(leftovers)" ]
[ "$RC" -eq 0 ] || { echo "$OUT" | sed 's/^/# /'; echo "$ERR" | sed 's/^/# /'; }
cleanup_world; trap - EXIT

# a node running a long quiet step answers its probe: nothing moves
world "node0 linux/amd64" "node1 linux/amd64"
targets a b
behave "* ok 3000"
DBAKE_PROBE_AFTER=1 DBAKE_PROBE_TIMEOUT=1 run_dbake --slots 1
check "a quiet, healthy node: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a quiet, healthy node: probed" [ "$(grep -c ' inspect --timeout ' "$FAKE_DIR/calls")" -ge 1 ]
check "a quiet, healthy node: nothing lost, nothing built twice" \
	eval '! grep -q unreachable <<<"$ERR" && [ "$(builds | wc -l)" -eq 2 ]'
