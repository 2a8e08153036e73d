#!/usr/bin/env bash
# A dependency built on one node reaches a dependent on another as an OCI
# layout through the client: the dependent's node does not rebuild it,
# the result is the same, and the layouts are gone after the run.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
group "default" { targets = ["app"] }
target "_amd64" { platforms = ["linux/amd64"] }
target "d1" {
  inherits = ["_amd64"]
  dockerfile-inline = "FROM $BASE\nRUN echo d1-$NONCE > /d1 && sleep 2\n"
}
target "d2" {
  inherits = ["_amd64"]
  dockerfile-inline = "FROM $BASE\nRUN echo d2-$NONCE > /d2 && sleep 2\n"
}
target "d3" {
  inherits = ["_amd64"]
  dockerfile-inline = "FROM $BASE\nRUN echo d3-$NONCE > /d3 && sleep 2\n"
}
target "app" {
  inherits = ["_amd64"]
  contexts = { d1 = "target:d1", "dep.two" = "target:d2", d3 = "target:d3" }
  dockerfile-inline = "FROM d1\nCOPY --from=dep.two /d2 /d2\nCOPY --from=d3 /d3 /d3\nRUN grep -q d1- /d1 && grep -q d2- /d2 && grep -q d3- /d3 && cat /d1 /d2 /d3 > /all\n"
}
HCL
# one build per node at a time: the three dependencies spread out
run_dbake --slots 1
check "transfer: exit 0" [ "$RC" -eq 0 ]
check "all four built" all_built d1 d2 d3 app
app_node=$(built_on app)
away=0
for d in d1 d2 d3; do
	[ "$(built_on $d)" != "$app_node" ] && away=$((away + 1))
done
echo "# app on $app_node; dependencies on $(built_on d1) $(built_on d2) $(built_on d3)"
check "a dependency was built on another node than app" [ "$away" -ge 1 ]
dir=$(run_dir)
log=$dir/app.log
check "app's definition holds app alone" def_has app '.target | keys == ["app"]'
for ctx in d1 dep.two d3; do
	check "context $ctx is a layout" def_has app --arg c "$ctx" --arg d "oci-layout://$dir/oci/" \
		'.target.app.contexts[$c] | startswith($d)'
done
check "app's node loaded them from the client" grep -q 'OCI load from client' "$log"
check "app's node did not rebuild a dependency" bash -c "! grep -E '\] RUN echo d[123]-' '$log'"
check "each dependency exported its layout" def_has d1 --arg d "$dir/oci/" \
	'.target.d1.output | map(select(.type == "oci" and (.dest | startswith($d)))) | length == 1'
check "the layouts are removed after the run" [ ! -e "$dir/oci" ]
check "logs stay" [ -s "$log" ]
[ "$RC" -eq 0 ] || show

# The same again, every target back on the node that built it last
# (its cache): the layouts have the same digests, so all is cached.
run_dbake
check "second run: exit 0" [ "$RC" -eq 0 ]
for t in d1 d2 d3 app; do
	check "second run: $t's RUN steps all cached" runs_cached "$(run_dir)/$t.log"
done
check "second run: app back on its node" [ "$(built_on app)" = "$app_node" ]
[ "$RC" -eq 0 ] || show

# The earlier tool's mode moves nothing: bake rebuilds what it needs.
run_dbake --schedule fifo
check "fifo: exit 0" [ "$RC" -eq 0 ]
check "fifo: no layouts" bash -c "! grep -q oci-layout '$(run_dir)/app.log'"
[ "$RC" -eq 0 ] || show
