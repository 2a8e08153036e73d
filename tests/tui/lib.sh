# Helpers for the dashboard tests: dbake runs in a tmux pane of a private
# tmux server (its own socket, no config) against the test cluster; the
# tests look at the pane as a user would (capture-pane) and type into it
# (send-keys). Sources the end-to-end helpers (ok, nok, check, project...).
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

command -v tmux >/dev/null || { nok "tmux is installed"; exit 1; }

TUI_SOCK=dbake-tui-$$-$RANDOM
TUI_RUNS=0

tm() { tmux -f /dev/null -L "$TUI_SOCK" "$@"; }

# stop this test's tmux server; tmux leaves its socket file behind.
# Before that, a sanitizer report anywhere in the pane fails the test.
tm_kill() {
	local hist
	if hist=$(tm capture-pane -p -S - -t t 2>/dev/null) &&
		grep -qE 'runtime error:|(Address|Leak|Undefined)Sanitizer' <<<"$hist"; then
		nok "no sanitizer report in the pane"
		grep -E -A20 'runtime error:|Sanitizer' <<<"$hist" | sed 's/^/# /'
	fi
	tm kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
}

tui_cleanup() {
	tm_kill
	[ -n "${PROJ:-}" ] && rm -rf "$PROJ"
}

# A fresh project directory and, at exit, no tmux server left.
tui_project() {
	project
	trap tui_cleanup EXIT
}

# start_dash WIDTH HEIGHT [ENV=VALUE...] [--] DBAKE-ARGS...: run dbake in
# a new WIDTHxHEIGHT pane (its stdout into $TUI_STDOUT, its stdin from
# $TUI_STDIN, if set). Its exit code goes to $PROJ/rc, the terminal
# modes before and after to $PROJ/stty.before and .after; then the pane
# keeps an interactive shell whose prompt is "tui$ ".
start_dash() {
	local w=$1 h=$2 envs=()
	shift 2
	while [ $# -gt 0 ] && [[ $1 == *=* && $1 != -* ]]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	# our environment (the cluster's exports), but tmux's own TERM
	export -p | grep -Ev '^declare -x (TERM|TMUX|TMUX_PANE|COLUMNS|LINES)=' \
		>"$PROJ/env.sh"
	{
		printf '. %q\n' "$PROJ/env.sh"
		printf 'cd %q\n' "$PROJ"
		printf 'stty -g >%q\n' "$PROJ/stty.before"
		printf 'env'
		printf ' %q' "${envs[@]}" "$DBAKE" dbake "$@"
		[ -n "${TUI_STDOUT:-}" ] && printf ' >%q' "$TUI_STDOUT"
		[ -n "${TUI_STDIN:-}" ] && printf ' <%q' "$TUI_STDIN"
		printf '\n'
		printf 'echo $? >%q.tmp && mv %q.tmp %q\n' "$PROJ/rc" "$PROJ/rc" "$PROJ/rc"
		printf 'stty -g >%q\n' "$PROJ/stty.after"
		printf 'echo "dbake exited"\n'
		printf "PS1='tui\$ ' exec bash --norc --noprofile -i\n"
	} >"$PROJ/run.sh"
	rm -f "$PROJ/rc" "$PROJ/stty.before" "$PROJ/stty.after" "$PROJ/pane.raw"
	# a new server each time: one being killed may still hold the socket
	tm_kill
	TUI_SOCK=dbake-tui-$$-$RANDOM-$((++TUI_RUNS))
	tm new-session -d -s t -x "$w" -y "$h" "bash $PROJ/run.sh"
	# everything written to the pane, for what shows too briefly to see
	tm pipe-pane -t t -o "cat >>'$PROJ/pane.raw'"
}

# What was written to the pane so far, escape sequences taken out.
pane_stream() {
	sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b[()][0-9A-Za-z]//g; s/\x1b[=>78]//g' \
		"$PROJ/pane.raw" 2>/dev/null | tr -d '\016\017'
}

screen() { tm capture-pane -p -t t; }
# with attributes, as escape sequences
screen_e() { tm capture-pane -p -e -t t; }
keys() { tm send-keys -t t "$@"; }
pane() { tm display -p -t t "$1"; }

# wait_for SECONDS ERE: until a line of the pane matches.
wait_for() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		screen | grep -qE -- "$2" && return 0
		sleep 0.2
	done
	return 1
}

# wait_gone SECONDS ERE: until no line of the pane matches.
wait_gone() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		screen | grep -qE -- "$2" || return 0
		sleep 0.2
	done
	return 1
}

# wait_exit SECONDS: until dbake has exited; sets RC.
wait_exit() {
	local i
	RC=
	for ((i = 0; i < $1 * 5; i++)); do
		if [ -s "$PROJ/rc" ]; then
			RC=$(cat "$PROJ/rc")
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# poll SECONDS COMMAND...: until the command succeeds (what the test
# checks, waited for rather than slept for).
poll() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# sel_is NAME / sel_other NAME: the selected target is / is another than
# NAME (SEL: the one selected).
sel_is() { SEL=$(selected_row | row_target); [ "$SEL" = "$1" ]; }
sel_other() { SEL=$(selected_row | row_target); [ -n "$SEL" ] && [ "$SEL" != "$1" ]; }

# The selected row of the overview (shown reversed), without attributes.
selected_row() {
	screen_e | grep -E $'\e\\[([0-9]+;)*7(;[0-9]+)*m' | head -n1 |
		sed 's/\x1b\[[0-9;]*m//g'
}

# The target named in a dashboard row ("  X name ...").
row_target() { awk '{print $2}'; }

# The run directory, from the summary's "logs: DIR" in the pane.
pane_run_dir() { screen | sed -n 's/^logs: \(\/[^ ]*\)$/\1/p' | tail -n1; }

# No child bake of the run in DIR is left.
no_children_of() { [ -n "$1" ] && ! pgrep -f "$1/def/" >/dev/null; }

# The longest line of the pane, in characters (not bytes).
widest_line() {
	screen | python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in sys.stdin] or [0]))'
}

# Lines of the pane that are a horizontal rule, with their length.
rule_lengths() {
	screen | python3 -c '
import sys
for l in sys.stdin:
    l = l.rstrip("\n")
    if len(l) > 3 and set(l) <= set("\u2500-q"):
        print(len(l))'
}

# What was written to the pane while the dashboard was up (between the
# switches to and from the alternate screen), raw.
dashboard_bytes() {
	python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
a = raw.find(b"\x1b[?1049h")
b = raw.find(b"\x1b[?1049l", a + 1)
sys.stdout.buffer.write(raw[a:b] if a >= 0 and b > a else b"")' "$PROJ/pane.raw"
}

dump_screen() { screen | sed 's/^/# | /'; }

# tui_target NAME SECONDS [EXTRA-HCL]: a target whose RUN prints
# "out-NAME-$NONCE" (its command line holds only the pieces), then sleeps.
tui_target() {
	local name=$1 secs=$2 extra=${3:-}
	cat <<HCL
target "$name" {
  dockerfile-inline = "FROM $BASE\nRUN printf 'out-%s-%s\\\\n' $name $NONCE && sleep $secs\n"
  $extra
}
HCL
}
