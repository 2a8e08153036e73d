#!/usr/bin/env bash
# --timeout on real daemons: a build that runs past it is stopped on its
# node, fails saying why, and blocks its dependents; the others build.
. "$(dirname "$0")/lib.sh"
project
{
	hcl_target slow 60
	hcl_target quick 1
	cat <<HCL
target "after" {
  contexts = { slow = "target:slow" }
  dockerfile-inline = "FROM slow\nRUN echo after-$NONCE\n"
}
HCL
} >docker-bake.hcl
t0=$SECONDS
run_dbake --timeout 4s slow quick after
took=$((SECONDS - t0))
check "--timeout 4s: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "--timeout 4s: the slow build fails, saying why" \
	grep -q "FAILED slow after .*: stopped after --timeout 4.0s" <<<"$OUT"
check "--timeout 4s: the quick one is built" all_built quick
check "--timeout 4s: its dependent is skipped" grep -q "skipped after: blocked by slow" <<<"$OUT"
check "--timeout 4s: the run ends long before the build would (${took}s)" [ "$took" -lt 30 ]
[ "$RC" -eq 1 ] || show
wait_until 10 no_children_left
check "--timeout 4s: no child process left" no_children_left
