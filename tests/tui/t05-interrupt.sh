#!/usr/bin/env bash
# Ctrl+C on the dashboard stops every build at once, exits 130 and gives
# the terminal back; --fail-fast shows the failure, then does the same.
. "$(dirname "$0")/lib.sh"
tui_project
{
	echo 'group "default" { targets = ["c1", "c2", "c3"] }'
	for t in c1 c2 c3; do tui_target "$t" 60; done
	cat <<HCL
target "fails" {
  dockerfile-inline = "FROM $BASE\nRUN sleep 3 && echo doomed && exit 3\n"
}
HCL
} >docker-bake.hcl

start_dash 120 40 -- --slots 1
if ! check "the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
wait_for 30 'c[123] .*RUN printf' >/dev/null
check "the dashboard uses the alternate screen" [ "$(pane '#{alternate_on}')" = 1 ]
start=$SECONDS
keys C-c
if ! check "Ctrl+C stops dbake" wait_exit 30; then
	dump_screen
	exit 1
fi
took=$((SECONDS - start))
echo "# stopped ${took}s after Ctrl+C"
check "Ctrl+C: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "Ctrl+C: stopped within the grace period (${took}s)" [ "$took" -le 10 ]
check "the summary is on the screen" wait_for 5 '^0 built, 0 failed, 0 skipped, 3 cancelled'
check "the shell prompt is back" wait_for 5 '^tui\$'
shot=$(screen)
check "the alternate screen is gone" [ "$(pane '#{alternate_on}')" = 0 ]
check "the cursor is visible" [ "$(pane '#{cursor_flag}')" = 1 ]
check "the terminal modes are as before (stty -g)" cmp -s "$PROJ/stty.before" "$PROJ/stty.after"
check "nothing of the dashboard is left on the screen" eval '! grep -qE "^(queue |j/k )" <<<"$shot"'
check "no child process left" no_children_of "$(pane_run_dir)"
keys 'echo typed-$((6*7))' Enter
check "the shell echoes and runs what is typed (modes restored)" wait_for 5 '^typed-42$'

# --fail-fast: the failure shows while the rest stops; then exit 1
start_dash 120 40 -- --fail-fast --slots 1 fails c1
if ! check "--fail-fast: the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
wait_exit 60
check "--fail-fast: exit 1 (got $RC)" [ "$RC" -eq 1 ]
# it shows only until the other build has stopped: look at what was drawn
drawn=$(pane_stream)
check "--fail-fast: the dashboard showed the failed row" grep -qE 'FAILED \(exit [0-9]+\)' <<<"$drawn"
check "--fail-fast: the dashboard said it was stopping" \
	grep -q 'stopping: a build failed (--fail-fast)' <<<"$drawn"
check "--fail-fast: the summary names the failed target" wait_for 5 '^failed: fails \(log: '
check "--fail-fast: the alternate screen is gone" [ "$(pane '#{alternate_on}')" = 0 ]
check "--fail-fast: no child process left" no_children_of "$(pane_run_dir)"
