#!/usr/bin/env bash
# Long lists and long logs: 60 targets in a 120x20 pane scroll with the
# selection; a log of 2000 lines scrolls, jumps to its ends and searches.
. "$(dirname "$0")/lib.sh"
tui_project
names=()
for i in $(seq -w 1 59); do names+=("s$i"); done
{
	printf 'group "default" { targets = ["biglog"'
	printf ', "%s"' "${names[@]}"
	printf '] }\n'
	for t in "${names[@]}"; do tui_target "$t" 1; done
	# 2000 numbered lines, then it keeps the dashboard up
	cat <<HCL
target "biglog" {
  dockerfile-inline = "FROM $BASE\nRUN i=1; while [ \$i -le 2000 ]; do printf 'line-%05d-%s\\\\n' \$i $NONCE; i=\$((i+1)); done; sleep 300\n"
}
HCL
} >docker-bake.hcl

start_dash 120 20 -- --slots 6
if ! check "the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
if ! check "59 short targets are built" wait_for 240 '^done 59 '; then
	dump_screen
	keys C-c
	wait_exit 30
	exit 1
fi
selected() { first=$(selected_row | row_target); [ -n "$first" ]; }
poll 5 selected
visible0=$(screen | grep -oE '\bs[0-9]{2}\b' | sort -u)
check "a target is selected ($first)" [ -n "$first" ]
check "the list is longer than the screen" [ "$(grep -c . <<<"$visible0")" -lt 59 ]

# many j presses: the selection moves down, the list follows it
stays=1
for round in 1 2 3 4 5; do
	keys j j j j j j j j j j
	sleep 0.4 # ten keys' redraws; the check is that none loses the row
	sel=$(selected_row | row_target)
	if [ -z "$sel" ]; then
		stays=0
		echo "# after $((round * 10)) j: no selected row on screen"
		dump_screen
	fi
done
check "the selected row stays visible after 50 j presses" [ "$stays" -eq 1 ]
sel=$(selected_row | row_target)
check "the selection moved ($first -> $sel)" test -n "$sel" -a "$sel" != "$first"
check "a target far down is now visible ($sel)" eval '! grep -qx -- "$sel" <<<"$visible0"'
shot=$(screen)
check "the header stays on the first line while scrolled" grep -q '^dbake ' <<<"$(head -n1 <<<"$shot")"
check "the footer stays while scrolled" grep -qE '^done 59 ' <<<"$shot"
check "rows above are counted" grep -qE '[0-9]+ above' <<<"$shot"
keys g
check "g selects the first target again" poll 5 sel_is "$first"
keys NPage
check "PgDn moves the selection a page down" poll 5 sel_other "$first"
keys PPage
check "PgUp comes back" poll 5 sel_is "$first"

# the long log: select biglog, open it
keys g
for i in $(seq 1 70); do
	[ "$(selected_row | row_target)" = biglog ] && break
	sel=$(selected_row | row_target)
	keys j
	poll 2 sel_other "$sel"
done
check "biglog can be selected" [ "$(selected_row | row_target)" = biglog ]
keys Enter
check "its log view opens" wait_for 5 '^ biglog +building'
check "the log view follows the tail: the last line shows" wait_for 30 "line-02000-$NONCE"
keys g
top_is_head() { shot=$(screen); grep -q '^# dbake: node ' <<<"$(sed -n 2p <<<"$shot")"; }
check "g shows the first line of the log" poll 5 top_is_head
check "g: the last line is out of view" eval '! grep -q "line-02000-$NONCE" <<<"$shot"'
check "the title counts the lines shown" grep -qE '^ biglog .* lines 1-18 of [0-9]+' <<<"$shot"
keys j j j j j
check "j scrolls one line at a time" wait_for 5 '^ biglog .* lines 6-23 of '
keys k
check "k scrolls back" wait_for 5 '^ biglog .* lines 5-22 of '
keys NPage
check "PgDn scrolls a page" wait_for 5 '^ biglog .* lines 23-40 of '
keys G
check "G shows the last line" wait_for 5 "line-02000-$NONCE"
check "G: the first line is out of view" wait_gone 5 "line-00001-$NONCE"
keys / l i n e - 0 1 2 3 4
check "/ opens a search prompt" wait_for 5 '^/line-01234'
keys Enter
check "the search shows the line it found" wait_for 5 "line-01234-$NONCE"
check "the search moved away from the end" wait_gone 5 "line-02000-$NONCE"
top_line() { screen | sed -n '1s/^ biglog .* lines \([0-9]*\)-.*/\1/p'; }
keys / l i n e - 0 0 0 1 Enter
check "a second search finds line 10 (wrapping to the top)" wait_for 5 "line-00010-$NONCE"
t1=$(top_line)
keys n
next_line() { t2=$(top_line); [ -n "$t1" ] && [ "$t2" = "$((t1 + 1))" ]; }
check "n goes to the next match, a line further" poll 5 next_line
check "n: line 11 shows" wait_for 5 "line-00011-$NONCE"
keys / n o - s u c h - t e x t Enter
check "a search for what is not there says so" wait_for 5 '^not found: no-such-text'
keys Escape
check "Esc goes back to the overview" wait_for 5 '^done 59 '

keys q
check "q asks to confirm" wait_for 5 'Quit\?.*y/n'
keys y
if ! check "dbake stops" wait_exit 60; then
	dump_screen
	exit 1
fi
check "cancelled from the dashboard: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "no child process left" no_children_of "$(pane_run_dir)"
