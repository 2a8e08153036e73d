#!/usr/bin/env bash
# Platform-aware placement: arm64-only goes to the arm64 node, amd64-only never does.
. "$(dirname "$0")/lib.sh"
project
{
	echo 'group "default" { targets = ["arm", "amd1", "amd2", "amd3", "amd4", "amd5"] }'
	hcl_target arm 1 'platforms = ["linux/arm64"]'
	for i in 1 2 3 4 5; do hcl_target "amd$i" 1 'platforms = ["linux/amd64"]'; done
} >docker-bake.hcl

run_dbake
check "mixed platforms: exit 0" [ "$RC" -eq 0 ]
node=$(built_on arm)
echo "# arm built on ${node:-nothing}"
check "arm64-only target built on an arm64 node" is_arm_node "$node"
for i in 1 2 3 4 5; do
	node=$(built_on "amd$i")
	echo "# amd$i built on ${node:-nothing}"
	check "amd$i built" [ -n "$node" ]
	check "amd64-only amd$i not built on an arm64 node" not_arm_node "$node"
done
run_dbake --plan
check "--plan lists only the arm64 node for the arm target" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['targets']['arm']['nodes']==sys.argv[2].split(), d" "$OUT" "${ARM_NODES[*]}"
[ "$RC" -eq 0 ] || show

run_dbake --plan --platform linux/arm64 amd1 amd2
check "--platform overrides every target's platform" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert all(t['platforms']==['linux/arm64'] and t['nodes']==sys.argv[2].split() for t in d['targets'].values()), d" "$OUT" "${ARM_NODES[*]}"
run_dbake --platform linux/arm64 amd1
check "--platform linux/arm64 builds on the arm64 node" is_arm_node "$(built_on amd1)"
run_dbake --plan --set 'amd1.platform=linux/arm64' amd1
check "--set reaches the plan" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['targets']['amd1']['platforms']==['linux/arm64'], d" "$OUT"

# A tar of two platforms is split: each platform on a node that builds
# it natively, nothing emulated (t25 compares the tar with bake's).
cat >emul.hcl <<HCL
target "pair" {
  dockerfile-inline = "FROM scratch\nCOPY docker-bake.hcl /f\n"
  platforms = ["linux/amd64", "linux/arm64"]
  output = ["type=tar,dest=pair.tar"]
}
target "named" {
  dockerfile-inline = "FROM scratch\nCOPY docker-bake.hcl /f\n"
  platforms = ["linux/amd64", "linux/arm64"]
  output = ["type=oci,dest=named.tar,name=example/named"]
}
HCL
plan_of() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); t=d['targets'][sys.argv[2]]; print(t['emulated'], ' '.join(t['nodes']))" "$OUT" "$1"; }
run_dbake -f emul.hcl --plan pair
check "--plan: a two-platform tar's arm64 part on the arm64 node, native" \
	[ "$(plan_of pair@linux/arm64)" = "False ${ARM_NODES[*]}" ]
check "--plan: its amd64 part native" grep -q '^False ' <<<"$(plan_of pair@linux/amd64)"
check "--plan: nothing said of emulation for it" [ -z "$(grep emulation <<<"$ERR")" ]
# An oci output with a name of its own is not split: no node builds
# both natively, so one node emulates one of them, and the plan and the
# run say so.
run_dbake -f emul.hcl --plan named
check "--plan: a named two-platform oci output is emulated" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['targets']['named']['emulated'] is True and d['targets']['named']['nodes']==sys.argv[2].split(), d" "$OUT" "${ARM_NODES[*]}"
check "--plan: and says so" grep -q "named: no node builds linux/amd64, linux/arm64 natively together; built by emulation" <<<"$ERR"
run_dbake --plan amd1
check "--plan: a native target is not emulated" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['targets']['amd1']['emulated'] is False, d" "$OUT"
check "--plan: nothing said of emulation" [ -z "$(grep emulation <<<"$ERR")" ]
run_dbake -f emul.hcl pair
check "a two-platform tar: built" all_built pair
check "a two-platform tar: both platforms in it" \
	[ "$(tar -tf pair.tar | grep -c '^linux_\(amd64\|arm64\)/f$')" -eq 2 ]
