#!/usr/bin/env bash
# No dashboard where it does not belong: stdout or stdin not a terminal,
# TERM=dumb, --progress plain and quiet print lines (no escape sequences).
. "$(dirname "$0")/lib.sh"
tui_project
{
	echo 'group "default" { targets = ["p1", "p2"] }'
	for t in p1 p2; do tui_target "$t" 1; done
} >docker-bake.hcl

has_esc() { grep -q $'\e' "$1"; }

# stdout into a file, stdin still the terminal
TUI_STDOUT=$PROJ/out.txt start_dash 120 40
if ! check "stdout to a file: dbake finishes" wait_exit 120; then
	dump_screen
	exit 1
fi
check "stdout to a file: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "stdout to a file: plain '[node] building' lines" grep -qE '^\[[^]]+\] building p1$' "$PROJ/out.txt"
check "stdout to a file: '[node] built' lines" grep -qE '^\[[^]]+\] built p2 in ' "$PROJ/out.txt"
check "stdout to a file: the summary" grep -q '^2 built, 0 failed, 0 skipped' "$PROJ/out.txt"
check "stdout to a file: no escape sequence" eval '! has_esc "$PROJ/out.txt"'
check "stdout to a file: no messages file was made" eval '! ls "$(sed -n "s/^logs: //p" "$PROJ/out.txt")"/dbake.stderr 2>/dev/null'

TUI_STDIN=/dev/null start_dash 120 40
wait_exit 120
check "stdin not a terminal: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "stdin not a terminal: plain lines on the terminal" wait_for 5 '^\[[^]]+\] building p[12]$'

start_dash 120 40 TERM=dumb
wait_exit 120
check "TERM=dumb: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "TERM=dumb: plain lines on the terminal" wait_for 5 '^\[[^]]+\] building p[12]$'
check "TERM=dumb: no alternate screen" [ "$(pane '#{alternate_on}')" = 0 ]

start_dash 120 40 -- --progress plain
wait_exit 120
check "--progress plain: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--progress plain: plain lines on the terminal" wait_for 5 '^\[[^]]+\] building p[12]$'

start_dash 120 40 -- --progress quiet
wait_exit 120
check "--progress quiet: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--progress quiet: the summary" wait_for 5 '^2 built, 0 failed, 0 skipped'
check "--progress quiet: no progress lines" eval '! screen | grep -qE "^(\[[^]]+\] )?(building|built) "'

# builds that take a while, so the dashboard is seen
NONCE=$NONCE-tty
{
	echo 'group "default" { targets = ["p1", "p2"] }'
	for t in p1 p2; do tui_target "$t" 4; done
} >docker-bake.hcl
start_dash 120 40 -- --progress tty
check "--progress tty on a terminal: the dashboard" wait_for 60 '^dbake +builder .* 2 targets'
wait_exit 120
check "--progress tty: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--progress tty: the summary, no plain lines" \
	eval 'wait_for 5 "^2 built, 0 failed" && ! screen | grep -qE "^\[[^]]+\] (building|built) "'
