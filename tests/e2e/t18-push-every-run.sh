#!/usr/bin/env bash
# --push pushes every target with an output in every run, also a
# dependency whose bake also exports it as an OCI layout for dependents
# on other nodes. bake applies one target's --set keys in map order, and
# with "push=true" after the layout's "output+=" nothing was pushed (2
# runs of 10); dbake now says the push as an output of its own.
. "$(dirname "$0")/lib.sh"
project
runs=${DBAKE_PUSH_RUNS:-20}
missing=0 transferred=0
for r in $(seq 1 "$runs"); do
	tag=r$r-$NONCE
	cat >docker-bake.hcl <<HCL
group "default" { targets = ["base", "app1", "app2"] }
target "_amd64" { platforms = ["linux/amd64"] }
target "base" {
  inherits = ["_amd64"]
  dockerfile-inline = "FROM $BASE\nRUN echo base-$tag > /b\n"
  tags = ["$REG/e2e/pbase:$tag"]
}
target "app1" {
  inherits = ["_amd64"]
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo app1-$tag > /a\n"
  tags = ["$REG/e2e/papp1:$tag"]
}
target "app2" {
  inherits = ["_amd64"]
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo app2-$tag > /a\n"
  tags = ["$REG/e2e/papp2:$tag"]
}
HCL
	# a fresh state each run: no history keeps the dependents together
	DBAKE_STATE_DIR=$PROJ/state-$r run_dbake --push
	[ "$RC" -eq 0 ] || { echo "# run $r: exit $RC"; show; }
	def_has base '.target.base.output | map(select(.type == "oci")) | length == 1' &&
		transferred=$((transferred + 1))
	for img in pbase papp1 papp2; do
		if ! curl -fsS "http://$REG/v2/e2e/$img/tags/list" | grep -q "\"$tag\""; then
			echo "# run $r: $img:$tag is not in the registry"
			missing=$((missing + 1))
		fi
	done
done
echo "# $runs runs, base exported as a layout in $transferred"
check "base went to a dependent on another node as a layout in some run" [ "$transferred" -ge 1 ]
check "--push: every image of every one of $runs runs is in the registry ($missing missing)" [ "$missing" -eq 0 ]
check "nothing left behind" no_children_left
