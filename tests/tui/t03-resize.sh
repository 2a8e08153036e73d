#!/usr/bin/env bash
# Resizing redraws for the new size, down to 20x5, and back; in the log
# view too. Run in the C locale: the dashboard draws in plain ASCII.
. "$(dirname "$0")/lib.sh"
tui_project
{
	echo 'group "default" { targets = ["r1", "r2", "r3"] }'
	for t in r1 r2 r3; do tui_target "$t" 40; done
} >docker-bake.hcl

# rules H: the pane's horizontal rules, "LEN,LEN" (the layout has two)
rules() { rule_lengths | paste -sd, -; }
count() { screen | grep -cE -- "$1"; }

start_dash 120 40 LANG=C LC_ALL=C -- --slots 1
if ! check "the dashboard comes up" wait_for 60 'building [1-9]'; then
	dump_screen
	exit 1
fi
check "120x40: two rules across the width" [ "$(rules)" = "120,120" ]
# every line but the rules (drawn by the terminal's line graphics) is ASCII
ascii_only() {
	screen | python3 -c '
import sys
bad = [l for l in sys.stdin
       if any(ord(c) > 126 for c in l) and set(l.strip()) - set("\u2500")]
sys.stdout.write("".join("# non-ASCII: " + l for l in bad))
sys.exit(1 if bad else 0)'
}
check "120x40: plain ASCII in the C locale" ascii_only

tm resize-window -t t -x 70 -y 20
redrawn() { [ "$(rules)" = "$1" ] && [ "$(screen | wc -l)" -ge "$2" ]; }
poll 5 redrawn 70,70 20
shot=$(screen)
check "70x20: the rules follow the new width ($(rules))" [ "$(rules)" = "70,70" ]
check "70x20: one header" [ "$(count '^dbake ')" -eq 1 ]
check "70x20: one footer" [ "$(count '^done [0-9]+ ')" -eq 1 ]
check "70x20: the keys on the last line" grep -q '^j/k select' <<<"$(tail -n1 <<<"$shot")"
for t in r1 r2 r3; do
	check "70x20: target $t still shows" grep -qw "$t" <<<"$shot"
done

tm resize-window -t t -x 20 -y 5
narrow() { [ "$(widest_line)" -le 20 ] && [ -z "$(rules)" ]; }
poll 5 narrow
shot=$(screen)
[ -n "${VERBOSE:-}" ] && dump_screen
check "20x5: the header first" grep -q '^dbake ' <<<"$(head -n1 <<<"$shot")"
check "20x5: the counts last, short" grep -qE '^ok [0-9]+ run [0-9]' <<<"$(sed -n 5p <<<"$shot")"
check "20x5: no rule, no keys line" eval '[ -z "$(rules)" ] && ! grep -q "j/k" <<<"$shot"'
check "20x5: nothing past the edge" [ "$(widest_line)" -le 20 ]

tm resize-window -t t -x 140 -y 45
poll 5 redrawn 140,140 45
shot=$(screen)
check "140x45: the rules follow the new width ($(rules))" [ "$(rules)" = "140,140" ]
check "140x45: one header" [ "$(count '^dbake ')" -eq 1 ]
check "140x45: one footer, long again" [ "$(count '^done [0-9]+ +building [0-9]+ ')" -eq 1 ]
check "140x45: no short footer left over" [ "$(count '^ok [0-9]+ run')" -eq 0 ]
check "140x45: the keys on the last line" grep -q '^j/k select' <<<"$(sed -n 45p <<<"$shot")"
check "140x45: the counts just above" grep -qE '^done [0-9]+ ' <<<"$(sed -n 44p <<<"$shot")"

# in the log view
keys Enter
check "the log view opens" wait_for 5 '^ r[123] +building'
tm resize-window -t t -x 60 -y 12
log_redrawn() { grep -q '^j/k scroll' <<<"$(screen | sed -n 12p)"; }
poll 5 log_redrawn
shot=$(screen)
check "60x12 log view: the title first" grep -qE '^ r[123] +building' <<<"$(head -n1 <<<"$shot")"
check "60x12 log view: the keys last" grep -q '^j/k scroll' <<<"$(sed -n 12p <<<"$shot")"
check "60x12 log view: nothing past the edge" [ "$(widest_line)" -le 60 ]
keys q
check "back to the overview" wait_for 5 '^done [0-9]+ '

keys C-c
if ! check "Ctrl+C stops it" wait_exit 60; then
	dump_screen
	exit 1
fi
check "exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "the terminal modes are as before (stty -g)" cmp -s "$PROJ/stty.before" "$PROJ/stty.after"
check "no child process left" no_children_of "$(pane_run_dir)"
