#!/usr/bin/env bash
# Many light targets on many nodes: all built, none twice, and what dbake
# itself costs the client (its CPU and memory, from report.json).
. "$(dirname "$0")/lib.sh"

nodes=()
for n in 0 1 2 3 4 5 6 7; do nodes+=("node$n linux/amd64 2"); done
world "${nodes[@]}"
specs=()
for i in $(seq 1 500); do
	if [ $((i % 10)) -eq 0 ]; then
		specs+=("t$i:t$((i - 1)),t$((i - 5))")
	else
		specs+=("t$i")
	fi
done
targets "${specs[@]}"
behave "* ok 200"
t0=$(date +%s%N)
run_dbake
ms=$((($(date +%s%N) - t0) / 1000000))
check "500 targets on 8 nodes: exit 0 (got $RC: $(tail -n2 <<<"$ERR"))" [ "$RC" -eq 0 ]
check "500 targets on 8 nodes: 500 built" grep -q "^500 built, 0 failed" <<<"$OUT"
# built: a build that ended (a build moved before its first step, to a
# node that freed up, was stopped and never ended)
check "every target was built once" [ "$(sed -n 's/^end [0-9]* [^ ]* //p' "$FAKE_DIR/events" | sort | uniq -d | wc -l)" -eq 0 ]
check "and every one was built" [ "$(sed -n 's/^end [0-9]* [^ ]* //p' "$FAKE_DIR/events" | sort -u | wc -l)" -eq 500 ]
used=$(builds | cut -d' ' -f1 | sort -u | wc -l)
check "the work was spread ($used nodes of 8 took some)" [ "$used" -ge 4 ]
report=$(sed -n 's/^report: \(.*\)\.html$/\1.json/p' <<<"$OUT")
cpu=$(jq -r .totals.client.cpu "$report" 2>/dev/null)
rss=$(jq -r .totals.client.max_rss_kb "$report" 2>/dev/null)
check "report.json has dbake's own cost" [ -n "$cpu" -a "$cpu" != null ]
# the scheduler's decisions: counted, timed, each within the run
dec=$(jq -r '.totals.client.decisions | "\(.count) \(.mean_us) \(.max_us)"' "$report" 2>/dev/null)
read -r dn dmean dmax <<<"$dec"
check "report.json times the decisions ($dec)" [ "${dn:-0}" -ge 500 -a "${dmax:-0}" -ge "${dmean:-1}" -a "${dmax:-0}" -lt $((ms * 1000)) ]
kids=$(jq -r .totals.client.children_cpu "$report" 2>/dev/null)
check "report.json has the children's CPU ($kids s)" [ -n "$kids" -a "$kids" != null ]
echo "# 500 targets, 8 fake nodes: wall ${ms} ms, dbake CPU ${cpu} s (children ${kids} s), max RSS ${rss} kB, $(builds | wc -l) bakes, ${dn} decisions of ${dmean} us mean, ${dmax} us at most"

# and again with history: mostly batches now
t0=$(date +%s%N)
run_dbake
ms=$((($(date +%s%N) - t0) / 1000000))
check "500 targets again: 500 built" grep -q "^500 built, 0 failed" <<<"$OUT"
report=$(sed -n 's/^report: \(.*\)\.html$/\1.json/p' <<<"$OUT")
echo "# again: wall ${ms} ms, dbake CPU $(jq -r .totals.client.cpu "$report") s, max RSS $(jq -r .totals.client.max_rss_kb "$report") kB"
