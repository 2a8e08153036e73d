#!/usr/bin/env bash
# The overview shows every node and target; the selection stays on its
# target when rows move; Enter shows that target's log, q goes back; at
# the end the terminal is given back as it was, with the summary. A
# second run knows the durations: the header shows the lower bound.
. "$(dirname "$0")/lib.sh"
tui_project
amd=(a1 a2 a3 a4)
{
	echo 'group "default" { targets = ["a1", "a2", "a3", "a4", "arm1"] }'
	for t in "${amd[@]}"; do tui_target "$t" 3 'platforms = ["linux/amd64"]'; done
	tui_target arm1 16 'platforms = ["linux/arm64"]'
} >docker-bake.hcl

# one build per node at a time: a1, a2 then a3, a4 on the amd64 nodes,
# arm1 all along on the arm64 node, whose block is the last one
# --metadata-file into a directory removed while the run goes on (an
# unwritable path is refused before the run): its warning comes while
# the dashboard is up, into the run's dbake.stderr, and is shown again
# once the terminal is back
mkdir "$PROJ/meta"
start_dash 120 40 -- --slots 1 --metadata-file "$PROJ/meta/meta.json"
if ! check "the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
rmdir "$PROJ/meta"
wait_for 20 "building 3" >/dev/null
shot=$(screen)
for n in "${NODES[@]}"; do
	check "the overview shows node $n" grep -qw -- "$n" <<<"$shot"
done
for t in "${amd[@]}" arm1; do
	check "the overview shows target $t" grep -qw -- "$t" <<<"$shot"
done
check "the header names the builder and counts" \
	grep -qE "builder $BUILDX_BUILDER +${#NODES[@]} nodes +5 targets" <<<"$shot"
check "the footer counts what is done, building, pending" \
	grep -qE 'done [0-9]+ +building [0-9]+ +pending [0-9]+ +failed 0 +skipped 0' <<<"$shot"
check "the queue line lists the targets not started" grep -qE '^queue 2: a[34] a[34]' <<<"$shot"
check "a running target shows its current step" wait_for 15 'arm1 .*\[[0-9/]+\] RUN printf' 

# G selects the last row: arm1, in the last node's block
keys G
check "G selects the last target (arm1)" poll 5 sel_is arm1
line_before=$(screen | grep -n ' arm1 ' | head -n1 | cut -d: -f1)
# a3 and a4 start on the amd64 nodes: two rows above arm1's
check "a3 and a4 start (the queue empties)" wait_for 60 '^queue 0'
arm1_below() {
	line_after=$(screen | grep -n ' arm1 ' | head -n1 | cut -d: -f1)
	after "$line_before" "$line_after"
}
poll 5 arm1_below
check "arm1's row moved down as rows were added above ($line_before -> $line_after)" \
	after "$line_before" "$line_after"
check "the selection stayed on arm1" poll 5 sel_is arm1
keys k
check "k selects the row above" poll 5 sel_other arm1
keys j
check "j comes back to arm1" poll 5 sel_is arm1

# Enter: arm1's log, live; nothing of the others
keys Enter
check "Enter opens the log view of arm1" wait_for 5 '^ arm1 +building on '
check "the log view shows what arm1's RUN printed" wait_for 20 "out-arm1-$NONCE"
shot=$(screen)
check "the log view shows no other target's output" \
	eval '! grep -qE "out-a[0-9]-$NONCE" <<<"$shot"'
check "the log view shows the log's path" grep -qE '/arm1\.log' <<<"$shot"
check "the log view lists its keys" grep -qE '^j/k scroll.*/ search.*q back' <<<"$shot"
keys q
check "q goes back to the overview" wait_for 5 '^queue '
[ -n "${VERBOSE:-}" ] && dump_screen

if ! check "dbake exits by itself when everything is built" wait_exit 90; then
	dump_screen
	exit 1
fi
check "exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "the summary is printed after the dashboard" wait_for 5 '^5 built, 0 failed, 0 skipped'
shot=$(screen)
check "the shell prompt is back" wait_for 5 '^tui\$'
check "the alternate screen is gone" [ "$(pane '#{alternate_on}')" = 0 ]
check "the cursor is visible" [ "$(pane '#{cursor_flag}')" = 1 ]
check "the terminal modes are as before (stty -g)" cmp -s "$PROJ/stty.before" "$PROJ/stty.after"
check "the summary names the logs directory" grep -q '^logs: /' <<<"$shot"
check "no child process left" no_children_of "$(pane_run_dir)"
warn="dbake: warning: could not write $PROJ/meta/meta.json"
check "a warning of the run is kept in the run's dbake.stderr" \
	grep -qF "$warn" "$(pane_run_dir)/dbake.stderr"
check "and shown once the terminal is back, before the summary" \
	eval 'screen | grep -B20 "^5 built" | grep -qF "$warn"'
check "nothing was written over the dashboard" \
	eval 'dashboard_bytes | grep -qa "building" && ! dashboard_bytes | grep -qaF "$warn"'

# the same targets again (new steps): every duration is known now
NONCE=$NONCE-again
{
	echo 'group "default" { targets = ["a1", "a2", "a3", "a4", "arm1"] }'
	for t in "${amd[@]}"; do tui_target "$t" 3 'platforms = ["linux/amd64"]'; done
	tui_target arm1 16 'platforms = ["linux/arm64"]'
} >docker-bake.hcl
start_dash 120 40  # slots from the nodes' remembered capacity, known too
check "second run: the header shows the lower bound and the estimated finish" \
	wait_for 60 '^lower bound [0-9.]+s +est\. finish ~[0-9.ms]+ \([0-9.ms]+ left\)'
check "second run: running targets show their expected duration" \
	wait_for 20 ' arm1 .* [0-9.]+s/~[0-9.]+s *$'
keys C-c
wait_exit 60
check "second run: Ctrl+C, exit 130 (got $RC)" [ "$RC" -eq 130 ]
