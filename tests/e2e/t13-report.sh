#!/usr/bin/env bash
# The run report: report.json says what ran where and when, report.html
# draws it (checked in headless Chromium), --report DIR puts both
# elsewhere, --metadata-file merges bake's metadata of every target.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
group "default" {
  targets = ["base", "app1", "app2", "lib", "bad", "after-bad", "s1", "s2", "s3", "s4"]
}
target "app1" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo app1-$NONCE && sleep 1\n"
}
target "app2" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo app2-$NONCE && sleep 2\n"
}
target "bad" {
  dockerfile-inline = "FROM $BASE\nRUN echo bad-$NONCE && sleep 1 && exit 3\n"
}
target "after-bad" {
  contexts = { bad = "target:bad" }
  dockerfile-inline = "FROM bad\nRUN true\n"
}
HCL
hcl_target base 2 >>docker-bake.hcl
hcl_target lib 3 >>docker-bake.hcl
for i in 1 2 3 4; do hcl_target "s$i" 1 >>docker-bake.hcl; done
ALL="after-bad app1 app2 bad base lib s1 s2 s3 s4"
BUILT="app1 app2 base lib s1 s2 s3 s4"

mkdir "$PROJ/out"
run_dbake --metadata-file "$PROJ/out/metadata.json"
check "a failure and a skip: exit 1" [ "$RC" -eq 1 ]
check "summary counts" grep -q '^8 built, 1 failed, 1 skipped' <<<"$OUT"
logdir=$(sed -n 's/^logs: //p' <<<"$OUT")
R=$logdir/report.json
q() { jq -r "$@" "$R"; }
# jqok FILTER [FILE]: the filter holds (default file: report.json)
jqok() { jq -e "$1" "${2:-$R}" >/dev/null; }
check "report.json in the log directory" [ -s "$R" ]
check "report.html in the log directory" [ -s "$logdir/report.html" ]
check "the summary names the report" grep -qxF "report: $logdir/report.html" <<<"$OUT"
check "report.json is JSON" jqok .
[ "$RC" -eq 1 ] || show

t() { jq -r --arg t "$1" ".targets[] | select(.name == \$t) | $2" "$R"; }
check "every target is in the report" [ "$(q '[.targets[].name] | sort | join(" ")')" = "$ALL" ]
bad_node=$(sed -n 's/^\[\([^]]*\)\] FAILED bad after .*/\1/p' <<<"$OUT")
nodes_ok=1
for x in $BUILT; do
	n=$(built_on "$x")
	[ -n "$n" ] && [ "$(t "$x" .node)" = "$n" ] && [ "$(t "$x" .status)" = built ] ||
		{ nodes_ok=0; echo "# $x: report says $(t "$x" .node) $(t "$x" .status), output says ${n:-nothing}"; }
done
check "built targets: status built, node as the output says" [ "$nodes_ok" -eq 1 ]
check "bad: failed, on the node the output says ($bad_node)" \
	[ "$(t bad .status)/$(t bad .node)" = "failed/${bad_node:-?}" ]
check "bad: the exit code of its bake" [ "$(t bad .exit_code)" -ne 0 ]
check "bad: the error line" grep -q 'exit code: 3' <<<"$(t bad .error)"
check "after-bad: skipped, blocked by bad, never ran" \
	[ "$(t after-bad .status)/$(t after-bad .blocked_by)/$(t after-bad .node)/$(t after-bad .start)" = "skipped/bad/null/null" ]
check "counts in the totals" \
	[ "$(q '.totals.counts | "\(.total) \(.built) \(.failed) \(.skipped) \(.cancelled)"')" = "10 8 1 1 0" ]
wall=$(q .totals.wall)
echo "# wall $wall s; $(q '[.targets[] | select(.start != null) | "\(.name)@\(.node)/\(.slot) \(.start)-\(.end)"] | join(", ")')"
check "wall time matches the summary's order of magnitude" \
	jqok '.totals.wall > 2 and .totals.wall < 300'
check "every target that ran: 0 <= start < end <= wall, duration = end - start" jqok '
	.totals.wall as $w | [.targets[] | select(.status != "skipped")] |
	length == 9 and all(.start >= 0 and .start < .end and .end <= $w + 0.01 and
		((.duration - (.end - .start)) | fabs) < 0.002)'
check "durations cover the sleeps (lib 3s, app2 2s, s1 1s)" jqok '
	[.targets[] | {(.name): .duration}] | add |
	.lib >= 3 and .app2 >= 2 and .s1 >= 1 and .base >= 2'
check "app1 and app2 start after base ends" jqok '
	[.targets[] | {(.name): .}] | add |
	.app1.start >= .base.end - 0.01 and .app2.start >= .base.end - 0.01'
check "dependencies are listed" [ "$(t app1 '.depends_on | join(",")')/$(t s1 '.depends_on | length')" = "base/0" ]
check "attempts, batch, slot and log of a built target" \
	jqok '.targets[] | select(.name == "lib") | .attempts >= 1 and .batch >= 1 and .slot >= 0 and (.log | endswith("lib.log"))'
check "log paths exist" [ -f "$(t lib .log)" -a -f "$(t bad .log)" ]
check "cache hits are counted" jqok '.targets[] | select(.name == "app1") | .steps >= 1 and .cached >= 0 and .cached <= .steps'
# the critical path: a chain of dependencies, at least as long as any build
check "the critical path is a chain of built dependencies" jqok '
	. as $r | ($r.targets | map({(.name): .}) | add) as $t | $r.totals.critical_path as $c |
	($c.targets | length) >= 1 and
	all($c.targets[]; $t[.].status == "built" and $t[.].critical) and
	([range(1; $c.targets | length)] | all(. as $i | $t[$c.targets[$i]].depends_on | index($c.targets[$i - 1]) != null)) and
	$c.duration >= ([$t[] | select(.status == "built") | .duration] | max) - 0.001 and
	([$t[] | select(.critical)] | length) == ($c.targets | length)'
echo "# critical path: $(q '.totals.critical_path | "\(.targets | join(" -> ")) \(.duration)s"')"
check "nodes: every node, its endpoint, platforms, slots" jqok "
	(.nodes | length) == ${#NODES[@]} and all(.nodes[]; (.endpoint | length) > 0 and (.platforms | length) >= 1 and .slots >= 1)"
check "node names are the cluster's" [ "$(q '[.nodes[].name] | sort | join(" ")')" = "$(printf '%s\n' "${NODES[@]}" | sort | paste -sd' ')" ]
check "busy time: union <= sum of builds, <= wall; builds counted" jqok '
	.totals.wall as $w | all(.nodes[]; .busy <= .busy_sum + 0.001 and .busy <= $w + 0.01 and .busy_ratio <= 1.001) and
	([.nodes[].builds] | add) == 9 and ([.nodes[].busy_sum] | add) > 0'
check "lower bound is a number (0 when unknown)" jqok '.totals.lower_bound >= 0'

# --metadata-file: one entry per built target, as bake writes them
M=$PROJ/out/metadata.json
check "--metadata-file written" [ -s "$M" ]
check "metadata: one key per built target, nothing else" \
	[ "$(jq -r 'keys | map(select(startswith("buildx.") | not)) | join(" ")' "$M")" = "$BUILT" ]
check "metadata: each entry has a digest or a build ref" \
	jqok '[to_entries[] | select(.key | startswith("buildx.") | not) | .value |
		has("containerimage.config.digest") or has("buildx.build.ref")] | all' "$M"
check "metadata: no temporary file left" [ "$(ls -A "$PROJ/out")" = metadata.json ]

# --report DIR: both files there, and the summary says so
run_dbake --report "$PROJ/reports/one"
check "--report: exit 1 again" [ "$RC" -eq 1 ]
check "--report: report.json there" jqok '.targets | length == 10' "$PROJ/reports/one/report.json"
check "--report: report.html there" [ -s "$PROJ/reports/one/report.html" ]
check "--report: the summary says where" grep -qxF "report: $PROJ/reports/one/report.html" <<<"$OUT"
check "--report: private, as the logs are" \
	[ "$(stat -c %a "$PROJ/reports/one" "$PROJ/reports/one/report.json" "$PROJ/reports/one/report.html" | tr '\n' ' ')" = "700 600 600 " ]

# report.html in a browser: a screenshot, and one bar per target that ran
H=$logdir/report.html
if ! command -v chromium >/dev/null 2>&1; then  # tools/deps test installs it
	echo "# installing chromium"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	get_chromium() {
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
			--no-install-recommends chromium >/dev/null 2>&1
	}
	get_chromium || { $sudo apt-get update -qq >/dev/null 2>&1 && get_chromium; }
fi
have_chromium() { command -v chromium >/dev/null 2>&1; }
check "chromium is available" have_chromium
profile=$(mktemp -d)
browse() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$profile" --window-size=1400,900 "$@" 2>/dev/null
}
# next to the report (the run's directory stays), to look at
SHOT=${DBAKE_REPORT_SHOT:-$logdir/report-screenshot.png}
browse --screenshot="$SHOT" "file://$H" >/dev/null
echo "# screenshot: $SHOT"
check "screenshot written" [ -f "$SHOT" ]
check "screenshot is a PNG" [ "$(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
check "screenshot is not blank ($(stat -c %s "$SHOT" 2>/dev/null) bytes)" [ "$(stat -c %s "$SHOT" 2>/dev/null || echo 0)" -gt 20000 ]
dom=$(browse --dump-dom "file://$H")
ran=$(q '[.targets[] | select(.status == "built" or .status == "failed" or .status == "cancelled")] | length')
bars=$(grep -o '<div class="bar [^"]*"' <<<"$dom" | wc -l)
echo "# $bars bars in the page, $ran targets ran"
check "one bar per target that ran" [ "$bars/$ran" = 9/9 ]
check "the page's script ran and counted them" grep -q "<body data-bars=\"$ran\"" <<<"$dom"
check "one failed bar, for bad" [ "$(grep -o '<div class="bar st-failed[^>]*data-target="bad"' <<<"$dom" | wc -l)" -eq 1 ]
check "the critical path is marked" grep -q '<div class="bar st-built crit[ "]' <<<"$dom"
check "the skipped target is listed" grep -q 'class="not-run" data-target="after-bad" data-status="skipped"' <<<"$dom"
check "the page loads nothing from elsewhere" bash -c '! grep -Eiq "<(link|img|iframe)[^>]*(href|src)=|<script[^>]* src=|https?://" "$1"' _ "$H"
rm -rf "$profile"
check "no child process left" no_children_left
