#!/usr/bin/env bash
# q while builds run asks first: n (or Esc) keeps them running; y cancels
# every build at once and dbake exits 130 with nothing left behind.
. "$(dirname "$0")/lib.sh"
tui_project
{
	echo 'group "default" { targets = ["q1", "q2", "q3"] }'
	for t in q1 q2 q3; do tui_target "$t" 60; done
} >docker-bake.hcl

start_dash 120 40 -- --slots 1
if ! check "the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
wait_for 30 'q[123] .*RUN printf' >/dev/null
keys q
check "q asks to confirm, saying what it cancels" \
	wait_for 5 'Quit\? This cancels [0-9]+ running and [0-9]+ pending builds?\. y/n'
keys n
check "n dismisses the question" wait_gone 5 'Quit\?'
sleep 1.5
check "n: dbake keeps running" [ ! -e "$PROJ/rc" ]
check "n: the builds keep running" grep -qE 'building [1-9]' <<<"$(screen)"
keys Escape
check "Esc asks too" wait_for 5 'Quit\?.*y/n'
keys Escape
check "Esc dismisses the question" wait_gone 5 'Quit\?'
keys x
sleep 0.5
check "other keys do not quit" [ ! -e "$PROJ/rc" ]

start=$SECONDS
keys q
wait_for 5 'Quit\?' >/dev/null
keys y
if ! check "q then y stops dbake" wait_exit 30; then
	dump_screen
	exit 1
fi
took=$((SECONDS - start))
echo "# stopped ${took}s after y"
check "q, y: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "q, y: the builds were cancelled at once (${took}s)" [ "$took" -le 10 ]
check "the summary says they were cancelled" wait_for 5 '^0 built, 0 failed, 0 skipped, 3 cancelled'
check "no child process left" no_children_of "$(pane_run_dir)"
check "the alternate screen is gone" [ "$(pane '#{alternate_on}')" = 0 ]
check "the terminal modes are as before (stty -g)" cmp -s "$PROJ/stty.before" "$PROJ/stty.after"
