#!/usr/bin/env bash
# Cheap targets (cached, or steps that take no time) are built in as few
# bakes as dependencies allow once history knows them, on the node that
# has their cache: one bake of base, then one of its five dependents,
# which get base as a layout as in the first run, so all is cached.
. "$(dirname "$0")/lib.sh"
project
{
	echo 'group "default" { targets = ["l1", "l2", "l3", "l4", "l5"] }'
	echo "target \"base\" { dockerfile-inline = \"FROM $BASE\\nRUN echo base-$NONCE > /base\\n\" }"
	for i in 1 2 3 4 5; do
		cat <<HCL
target "l$i" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN cat /base > /l$i && echo l$i-$NONCE >> /l$i\n"
}
HCL
	done
} >docker-bake.hcl
# the bake command line of each target's log
cmd_of() { sed -n '2s/^# dbake: //p' "$(run_dir)/$1.log"; }

run_dbake
check "first run: exit 0" [ "$RC" -eq 0 ]
check "first run: all six built" all_built base l1 l2 l3 l4 l5
check "first run: base alone first (no history yet)" \
	grep -qE -- ' -- base$' <<<"$(cmd_of base)"
check "first run: base exports a layout for its dependents" \
	def_has base '.target.base.output | map(select(.type == "oci")) | length == 1'
declare -A first
for t in base l1 l2 l3 l4 l5; do first[$t]=$(built_on $t); done
echo "# first run: ${first[*]}"
[ "$RC" -eq 0 ] || show

run_dbake
check "second run: exit 0" [ "$RC" -eq 0 ]
check "second run: all six built" all_built base l1 l2 l3 l4 l5
home=1 together=1
for t in base l1 l2 l3 l4 l5; do
	[ "$(built_on $t)" = "${first[$t]}" ] || home=0
done
for t in l1 l2 l3 l4 l5; do
	for u in l1 l2 l3 l4 l5; do
		if [ "$(built_on $t)" = "$(built_on $u)" ] &&
			[ "$(cmd_of $t)" != "$(cmd_of $u)" ]; then
			together=0
		fi
	done
done
check "second run: every target on the node that built it first" [ "$home" -eq 1 ]
check "second run: base alone on its command line" grep -qE -- ' -- base$' <<<"$(cmd_of base)"
check "second run: the dependents on one node in one bake" [ "$together" -eq 1 ]
check "second run: fewer bakes than targets" \
	[ "$(ls "$(run_dir)/def" | wc -l)" -lt 6 ]
check "second run: base hands them a layout, as in the first run" \
	def_has l1 '.target.l1.contexts.base | startswith("oci-layout://")'
for t in base l1 l2 l3 l4 l5; do
	check "second run: $t's RUN steps all cached" runs_cached "$(run_dir)/$t.log"
done
check "second run: nothing left behind" no_children_left
[ "$RC" -eq 0 ] || show
