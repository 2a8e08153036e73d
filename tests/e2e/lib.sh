# Shared helpers for the end-to-end tests. Each test script sources this,
# runs against the cluster whose exports are in the environment, and
# prints one "ok - ..." or "not ok - ..." line per assertion.
set -u

DBAKE=${DBAKE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/docker-dbake}
: "${DBAKE_TEST_REGISTRY:?run under tools/cluster up}"
REG=$DBAKE_TEST_REGISTRY
BASE=$REG/base/busybox
NONCE=${NONCE:-$$-$RANDOM}

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# A fresh project directory, removed at exit.
project() {
	PROJ=$(mktemp -d "${TMPDIR:-/tmp}/dbake-e2e.XXXXXX")
	trap 'rm -rf "$PROJ"' EXIT
	cd "$PROJ"
}

# own_bed NAME: a two-node test bed of this test's own (its nodes may be
# killed or frozen; the shared one keeps all of its), its exports in the
# environment, and a fresh project directory; the bed goes down at exit,
# after $ON_EXIT runs (a command, or nothing). Sets BED (its state dir).
own_bed() {
	local top env
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	BED=${TMPDIR:-/tmp}/dbake-$1-$$ PROJ=
	trap 'eval "${ON_EXIT:-}"; DBAKE_CLUSTER_DIR=$BED "'"$top"'/tools/cluster" down >/dev/null 2>&1; rm -rf "$PROJ" "$BED.lock"' EXIT
	env=$(DBAKE_CLUSTER_DIR=$BED "$top/tools/cluster" up --nodes 2 --arm64 0 --name "$1-$$" 2>/dev/null)
	check "a two-node test bed of its own" [ -n "$env" ]
	eval "$env"
	REG=$DBAKE_TEST_REGISTRY BASE=$DBAKE_TEST_REGISTRY/base/busybox
	read -r -a NODES <<<"${DBAKE_TEST_NODES:-}"
	read -r -a NODE_ADDRS <<<"${DBAKE_TEST_NODE_ADDRS:-}"
	read -r -a ARM_NODES <<<"${DBAKE_TEST_ARM64_NODES:-}"
	PROJ=$(mktemp -d "${TMPDIR:-/tmp}/dbake-e2e.XXXXXX")
	cd "$PROJ"
}

# no_kubectl_said PATTERN TARGET: dbake with a PATH of docker alone (this
# machine may have a kubectl of its own elsewhere) builds nothing, exit
# 2, one line matching PATTERN.
no_kubectl_said() {
	local out rc pat=$1
	mkdir -p "$PROJ/bin"
	ln -sf "$(command -v docker)" "$PROJ/bin/docker"
	out=$(PATH=$PROJ/bin "$DBAKE" dbake --progress plain "$2" 2>&1)
	rc=$?
	check "no kubectl: exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "no kubectl: one line naming it" \
		eval '[ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "$pat" <<<"$out"'
	[ "$rc" -eq 2 ] || echo "# $out"
}

# hcl_target NAME [DURATION] [EXTRA-HCL]: a target whose RUN takes a while.
# Every build is distinct (NONCE) so nothing comes from an earlier test.
hcl_target() {
	local name=$1 secs=${2:-1} extra=${3:-}
	cat <<HCL
target "$name" {
  dockerfile-inline = "FROM $BASE\nRUN echo $name-$NONCE > /id && sleep $secs\n"
  $extra
}
HCL
}

# Run dbake as a user would (docker dbake, plain output), saving output.
# Sets RC, OUT (stdout) and ERR (stderr).
run_dbake() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$DBAKE" dbake --progress plain "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# signal_run SIG TARGET...: start dbake on TARGETs, send SIG once one
# builds, wait. Sets RC, OUT (stdout and stderr) and took (seconds from
# the signal to the end).
# start_building OUT PATTERN ARGS...: dbake in the background (plain
# output into OUT, stderr into OUT.err); returns once OUT has a line
# matching PATTERN and a second more, with BG_PID set.
start_building() {
	local out=$1 pattern=$2 i
	shift 2
	"$DBAKE" dbake --progress plain "$@" >"$out" 2>"$out.err" &
	BG_PID=$!
	for i in $(seq 1 300); do
		grep -q "$pattern" "$out" && break
		sleep 0.1
	done
	sleep 1
}

signal_run() {
	local sig=$1 out pid start
	shift
	out=$(mktemp)
	start_building "$out" '\] building ' "$@"
	pid=$BG_PID
	start=$SECONDS
	kill "-$sig" "$pid"
	wait "$pid"
	RC=$?
	took=$((SECONDS - start))
	OUT=$(cat "$out" "$out.err")
	rm -f "$out" "$out.err"
}

# The node that built TARGET, from dbake's "[node] built T" line.
built_on() {
	printf '%s\n' "$OUT" | sed -n "s#^\[\([^]]*\)\] built $1 in .*#\1#p" | head -n1
}

# The run directory of the last run (from OUT, or the text given).
run_dir() {
	printf '%s\n' "${1:-$OUT}" | sed -n 's/^dbake: .* logs in \([^ ]*\)$/\1/p' | head -n1
}

# The definition the child bake that built TARGET read (its log's -f).
def_of() {
	# the log's name, as dbake makes it of the job's
	sed -n '2s/.* -f \([^ ]*\) .*/\1/p' "$(run_dir)/${1//[^A-Za-z0-9._-]/_}.log"
}

# jq -e FILTER over that definition: TARGET FILTER [jq args...]
def_has() {
	local t=$1 f
	shift
	f=$(def_of "$t")
	[ -n "$f" ] && [ -s "$f" ] && jq -e "$@" "$f" >/dev/null
}

# Every RUN step of a build log is a cache hit ("#N CACHED"), and it
# has one.
runs_cached() {
	local n bad=0 log=$1
	for n in $(sed -n 's/^#\([0-9]*\) \[.*\] RUN .*/\1/p' "$log" | sort -u); do
		grep -q "^#$n CACHED" "$log" || bad=1
	done
	[ -n "$n" ] && [ "$bad" -eq 0 ]
}

# No docker, buildx or bake process of that run is left running: every
# child bake reads a definition in the run's def/. Without a run
# directory it looks for any child bake of dbake at all.
no_children_left() {
	local dir
	dir=$(run_dir "${1:-$OUT}")
	if [ -n "$dir" ]; then
		! pgrep -f "$dir/def/" >/dev/null
	else
		! pgrep -f 'buildx bake --builder dbake-' >/dev/null
	fi
}

# The user's docker buildx ls shows no shard (shards are "dbake-BUILDER-...").
no_shard_listed() {
	local ls
	ls=$(docker buildx ls 2>&1) || return 1
	! printf '%s\n' "$ls" | grep -q "dbake-$BUILDX_BUILDER-"
}

# The node names of the cluster, and its arm64 ones.
read -r -a NODES <<<"${DBAKE_TEST_NODES:-}"
read -r -a ARM_NODES <<<"${DBAKE_TEST_ARM64_NODES:-}"
read -r -a NODE_ADDRS <<<"${DBAKE_TEST_NODE_ADDRS:-}"

is_arm_node() {
	local n
	for n in "${ARM_NODES[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

all_built() { local t; for t; do [ -n "$(built_on "$t")" ] || return 1; done; }

not_arm_node() { [ -n "$1" ] && ! is_arm_node "$1"; }

# after A B: both are numbers and B > A.
after() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt "$1" ]; }

show() {
	printf '# rc=%s\n' "$RC"
	# what failed first: the summary keeps the first lines
	printf '%s\n%s\n' "$OUT" "$ERR" | grep -E 'FAILED|ERROR|error:|^dbake: ' |
		grep -v 'logs in ' | head -n 3 | sed 's/^/# why: /'
	local d
	d=$(run_dir)
	[ -n "$d" ] && grep -h 'ERROR' "$d"/*.log 2>/dev/null | head -n 3 | sed 's/^/# why (log): /'
	printf '%s\n' "$OUT" | sed 's/^/# out: /'
	printf '%s\n' "$ERR" | sed 's/^/# err: /'
}
