#!/usr/bin/env bash
# Cheap targets (cached, or steps that take no time) are built as plain
# bake builds them once history knows them: one bake of all, in
# dependency order, on the node that has their cache.
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
[ "$RC" -eq 0 ] || show

run_dbake
check "second run: exit 0" [ "$RC" -eq 0 ]
check "second run: all six built" all_built base l1 l2 l3 l4 l5
node=$(built_on base)
same=1
for t in l1 l2 l3 l4 l5; do
	[ "$(built_on $t)" = "$node" ] || same=0
	[ "$(cmd_of $t)" = "$(cmd_of base)" ] || same=0
done
check "second run: one bake of all six on one node" [ "$same" -eq 1 ]
check "second run: dependency first on its command line" \
	grep -qE -- ' -- base( l[1-5]){5}$' <<<"$(cmd_of base)"
# its dependents are in the same bake: no layout to hand over
check "second run: base exports no layout" \
	bash -c "! grep -q 'base.output+\?=type=oci' \"\$0\"" "$(run_dir)/base.log"
check "second run: nothing left behind" no_children_left
[ "$RC" -eq 0 ] || show
