#!/usr/bin/env bash
# bake's command line: what bake answers without building (--print,
# --list, --call, --check) is bake's answer, byte for byte and exit code
# for exit code; -f - and -f cwd:// build; -D after the subcommand;
# --progress rawjson passes the children's stream on.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
variable "TAG" { default = "t$NONCE" }
group "default" { targets = ["clean", "lint"] }
target "clean" {
  dockerfile-inline = "FROM $BASE\nRUN echo clean-$NONCE > /c\n"
}
target "lint" {
  dockerfile-inline = "# check=error=true\nfrom $BASE as Build\nRUN echo lint-$NONCE > /l\n"
}
HCL

same() { # DESCRIPTION ARGS...: dbake and bake print the same, exit the same
	local what=$1 b d brc drc
	shift
	b=$(docker buildx bake "$@" 2>/dev/null)
	brc=$?
	d=$("$DBAKE" dbake "$@" 2>/dev/null)
	drc=$?
	if [ -n "${SORTED:-}" ]; then # bake itself orders these at random
		b=$(tr -s ' ,\n' '\n' <<<"$b" | sort) d=$(tr -s ' ,\n' '\n' <<<"$d" | sort)
	fi
	check "$what: bake's output" [ "$b" = "$d" ]
	check "$what: bake's exit code ($brc)" [ "$brc" -eq "$drc" ]
}
same "--print" --print clean
same "--print with --set and --var" --print --set clean.args.X=1 --var TAG=v2
check "--print is JSON" bash -c "'$DBAKE' dbake --print clean 2>/dev/null | jq -e '.target.clean' >/dev/null"
same "--list targets" --list targets
same "--list variables" --list variables
same "--list type=targets,format=json" --list type=targets,format=json
same "--list-targets (deprecated)" --list-targets
same "--check on a clean target" --check clean
# bake lists the lint warnings, and the rules of its error line, in no
# fixed order from run to run: the same words, in any order
SORTED=1 same "--check on a target with lint errors" --check lint
b=$(docker buildx bake --check lint >/dev/null 2>&1; echo $?)
check "--check lint: bake fails it (exit $b)" [ "$b" -ne 0 ]
same "--call outline" --call outline clean

run_dbake --plan clean
plan_has_nodes() { jq -e '.nodes | length >= 2' >/dev/null <<<"$OUT"; }
check "--plan: dbake's plan, with the nodes" plan_has_nodes

o=$(mktemp) e=$(mktemp)
"$DBAKE" dbake --progress plain -f - clean <docker-bake.hcl >"$o" 2>"$e"
RC=$? OUT=$(cat "$o") ERR=$(cat "$e")
rm -f "$o" "$e"
check "-f -: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "-f -: built" all_built clean
check "-f -: stdin read once, into the run directory" [ -s "$(run_dir)/stdin-definition" ]
[ "$RC" -eq 0 ] || show

run_dbake -f cwd://docker-bake.hcl clean
check "-f cwd://: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "-f cwd://: built" all_built clean

run_dbake -D clean
check "-D after the subcommand: exit 0 (got $RC)" [ "$RC" -eq 0 ]

# --progress rawjson: stderr is the children's SolveStatus stream, with
# the steps bake's own stream names; dbake's lines stay on stdout.
steps_of() { grep '^{' | jq -r '.vertexes[]?.name // empty' | grep '^\[[^]]*[0-9]/[0-9]' | sort -u; }
all_json() { jq -e 'type == "object"' <<<"$1" >/dev/null; }
bake_steps=$(docker buildx bake --progress rawjson --no-cache clean 2>&1 >/dev/null | steps_of)
run_dbake --progress rawjson --no-cache clean
check "--progress rawjson: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--progress rawjson: dbake's lines on stdout" all_built clean
check "--progress rawjson: stderr is JSON, line by line" \
	all_json "$ERR"
check "--progress rawjson: bake's steps" \
	[ -n "$bake_steps" -a "$(steps_of <<<"$ERR")" = "$bake_steps" ]
[ "$RC" -eq 0 ] && all_json "$ERR" || show
cat >broken.hcl <<HCL
target "broken" {
  dockerfile-inline = "FROM $BASE\nRUN echo broken-$NONCE; exit 3\n"
}
HCL
run_dbake -f broken.hcl --progress rawjson broken
check "--progress rawjson, a failing build: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "--progress rawjson, a failing build: its error in the stream" \
	grep -q '"error":"process.*exit code: 3"' <<<"$ERR"
check "--progress rawjson, a failing build: the FAILED line says why" \
	grep -q "FAILED broken.*exit code: 3" <<<"$OUT"
check "nothing left behind" no_children_left
