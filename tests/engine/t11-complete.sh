#!/usr/bin/env bash
# Shell completion as the Docker CLI asks a plugin for it (docker-dbake
# __complete dbake ARGS... WORD, cobra's answer: candidates, then
# ":DIRECTIVE"): flags, flag values, builders, targets and groups.
. "$(dirname "$0")/lib.sh"
world "node0 linux/amd64"
targets api web
mkdir -p "$BUILDX_CONFIG/instances"
echo '{}' >"$BUILDX_CONFIG/instances/mybuilder"
comp() { "$DBAKE" __complete dbake "$@" 2>/dev/null; }

out=$(comp --bu)
check "flags: --builder, with its help" grep -q $'^--builder\tMulti-node builder' <<<"$out"
check "flags: no file names (:4)" [ "$(tail -n1 <<<"$out")" = ":4" ]
check "flags: only those that match" [ "$(grep -c '^--' <<<"$out")" -eq 1 ]
out=$(comp --builder "")
check "--builder: the builders of the buildx store" grep -qx $'mybuilder\tbuilder' <<<"$out"
out=$(comp "")
check "targets: bake's targets" eval 'grep -qx $'"'"'api\ttarget'"'"' <<<"$out" && grep -qx $'"'"'web\ttarget'"'"' <<<"$out"'
check "targets: and groups" grep -qx $'default\tgroup' <<<"$out"
check "targets: and the prune command first" grep -q $'^prune\t' <<<"$out"
out=$(comp api w)
check "a second target: only what matches, no prune" [ "$(head -n1 <<<"$out")" = $'web\ttarget' -a "$(grep -c prune <<<"$out")" -eq 0 ]
out=$(comp -f "")
check "-f: the shell completes file names (:0)" [ "$out" = ":0" ]
out=$(comp --progress p)
check "--progress: its modes" [ "$(head -n1 <<<"$out")" = "plain" ]
out=$(comp --report "")
check "--report: directories (:16)" [ "$(tail -n1 <<<"$out")" = ":16" ]
