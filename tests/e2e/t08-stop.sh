#!/usr/bin/env bash
# Nothing is left behind: after a normal run, --fail-fast, SIGINT and SIGTERM.
. "$(dirname "$0")/lib.sh"
project
{
	echo 'group "default" { targets = ["quick", "long1", "long2", "long3"] }'
	hcl_target quick 1
	for i in 1 2 3; do hcl_target "long$i" 60; done
	cat <<HCL
target "fails" {
  dockerfile-inline = "FROM $BASE\nRUN sleep 2 && exit 1\n"
}
HCL
} >docker-bake.hcl

run_dbake quick
check "normal run: exit 0" [ "$RC" -eq 0 ]
check "normal run: no child process left" no_children_left
check "normal run: no shard in docker buildx ls" no_shard_listed

start=$SECONDS
run_dbake --fail-fast fails long1 long2
took=$((SECONDS - start))
echo "# --fail-fast run took ${took}s"
check "--fail-fast: exit 1" [ "$RC" -eq 1 ]
check "--fail-fast: stopped the 60s builds early (${took}s)" [ "$took" -lt 30 ]
check "--fail-fast: the running builds are reported cancelled" grep -q 'cancelled long' <<<"$OUT"
check "--fail-fast: no child process left" no_children_left
check "--fail-fast: no shard in docker buildx ls" no_shard_listed

signal_run INT long1 long2 long3
echo "# SIGINT: rc=$RC after ${took}s"
check "SIGINT: exit 130" [ "$RC" -eq 130 ]
check "SIGINT: stopped within the grace period (${took}s)" [ "$took" -le 10 ]
check "SIGINT: no child process left" no_children_left
check "SIGINT: no shard in docker buildx ls" no_shard_listed

signal_run TERM long1 long2 long3
echo "# SIGTERM: rc=$RC after ${took}s"
check "SIGTERM: exit 143" [ "$RC" -eq 143 ]
check "SIGTERM: no child process left" no_children_left
check "SIGTERM: no shard in docker buildx ls" no_shard_listed

signal_run HUP long1 long2 long3
echo "# SIGHUP: rc=$RC after ${took}s"
check "SIGHUP: exit 129" [ "$RC" -eq 129 ]
check "SIGHUP: no child process left" no_children_left
