# Shared helpers for the engine tests: dbake end to end against the fake
# buildx of tests/fake, no cluster. Each test sources this and prints one
# "ok - ..." or "not ok - ..." line per assertion.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DBAKE=$(realpath "${DBAKE:-$TOP/build/docker-dbake}")

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# A fresh world: project directory, fake buildx, stores and state, all
# under one temporary directory removed at exit. The builder "fake" has
# the nodes given as "NAME PLATFORMS" (default: two amd64 nodes).
world() {
	W=$(mktemp -d "${TMPDIR:-/tmp}/dbake-engine.XXXXXX")
	trap 'cleanup_world' EXIT
	export FAKE_DIR=$W/fake DOCKER_CONFIG=$W/docker
	export BUILDX_CONFIG=$W/docker/buildx XDG_STATE_HOME=$W/state
	export BUILDX_BUILDER=fake
	unset DOCKER_HOST DOCKER_CONTEXT BUILDX_GIT_INFO OTEL_TRACES_SAMPLER \
		OTEL_TRACES_EXPORTER OTEL_EXPORTER_OTLP_ENDPOINT \
		OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
	mkdir -p "$FAKE_DIR" "$DOCKER_CONFIG/cli-plugins" "$BUILDX_CONFIG" \
		"$XDG_STATE_HOME" "$W/proj"
	ln -s "$TOP/tests/fake/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
	: >"$FAKE_DIR/calls"
	: >"$FAKE_DIR/events"
	: >"$FAKE_DIR/behave"
	: >"$FAKE_DIR/pids"
	: >"$FAKE_DIR/traces"
	if [ $# -eq 0 ]; then
		set -- "node0 linux/amd64" "node1 linux/amd64"
	fi
	printf '%s\n' "$@" >"$FAKE_DIR/nodes"
	: >"$W/proj/docker-bake.hcl"
	cd "$W/proj"
}

cleanup_world() {
	cd /
	# whatever a test left running under the fake is a failure, but
	# never leave it behind
	[ -f "$FAKE_DIR/pids" ] && xargs -r kill -KILL <"$FAKE_DIR/pids" 2>/dev/null
	rm -rf "$W"
}

# targets SPEC...: the plan bake --print gives. SPEC is NAME or
# NAME:DEP1,DEP2 (DEPs are target: contexts); all of them are in the
# default group.
targets() {
	jq -n '
	  reduce ($ARGS.positional[] | split(":")) as [$n, $d] ({};
	    .target[$n] = ({context: ".", dockerfile: "Dockerfile",
	                    args: {TARGET: $n}} +
	      (if ($d // "") == "" then {} else {contexts: ($d | split(",") |
	        map({key: ., value: ("target:" + .)}) | from_entries)} end))
	    | .group.default.targets += [$n])' --args "$@" >"$FAKE_DIR/print.json"
}

# behave LINE...: per-target behaviour lines ("T[@NODE] ACTION ARGS").
behave() { printf '%s\n' "$@" >>"$FAKE_DIR/behave"; }

# run_dbake ARGS...: dbake as a user runs it, plain output. Sets RC, OUT
# and ERR.
run_dbake() {
	local o e
	o=$(mktemp) e=$(mktemp)
	timeout 120 "$DBAKE" dbake --progress plain "$@" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}

# The bake invocations that built targets, one line each: "NODE T...".
builds() {
	sed -n 's/^[0-9]* [^ ]* bake --builder dbake-fake-\(.*\)-[0-9a-f]\{8\} .* -- \(.*\)$/\1 \2/p' \
		"$FAKE_DIR/calls"
}

# Processes the fake started that are still alive (zombies are dead: a
# reaper of last resort may be slow to collect them).
leftovers() {
	local p st
	while read -r p; do
		st=$(ps -o stat= -p "$p" 2>/dev/null) || continue
		case $st in Z*) ;; *) echo "$p" ;; esac
	done <"$FAKE_DIR/pids"
}

# interrupt PID: Ctrl+C to a dbake started in the background; its exit
# code in RC, the milliseconds it took to exit in MS.
interrupt() {
	local t0
	t0=$(date +%s%N)
	kill -INT "$1"
	wait "$1"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() { wait_until "$@"; }
