#!/usr/bin/env bash
# Nine independent targets without platforms are spread over the nodes
# that build the builder's default platform natively (node0's: amd64),
# never on the arm64 node, as plain bake builds them all for it.
. "$(dirname "$0")/lib.sh"
project
{
	echo 'group "default" { targets = ["s1","s2","s3","s4","s5","s6","s7","s8","s9"] }'
	for i in 1 2 3 4 5 6 7 8 9; do hcl_target "s$i" 2; done
} >docker-bake.hcl

run_dbake
check "nine targets: exit 0" [ "$RC" -eq 0 ]
used=()
for i in 1 2 3 4 5 6 7 8 9; do
	node=$(built_on "s$i")
	echo "# s$i built on ${node:-nothing}"
	check "s$i was built" [ -n "$node" ]
	used+=("$node")
done
distinct=$(printf '%s\n' "${used[@]}" | sort -u | grep -c .)
amd=$((${#NODES[@]} - ${#ARM_NODES[@]}))
check "targets spread over all $amd amd64 nodes (used $distinct)" [ "$distinct" -eq "$amd" ]
on_arm=0
for n in "${used[@]}"; do is_arm_node "$n" && on_arm=$((on_arm + 1)); done
check "no target without platforms on the arm64 node ($on_arm)" [ "$on_arm" -eq 0 ]
plats=$("$DBAKE" dbake --plan | jq -r '[.targets[].platforms[]] | unique | join(",")')
check "--plan gives them the builder's default platform ($plats)" [ "$plats" = linux/amd64 ]
check "summary says 9 built" grep -q '^9 built, 0 failed, 0 skipped' <<<"$OUT"
logdir=$(sed -n 's/^logs: //p' <<<"$OUT")
check "one log per target" [ "$(ls "$logdir"/s*.log 2>/dev/null | wc -l)" -eq 9 ]
check "the log holds the build output" grep -q "s5-$NONCE" "$logdir/s5.log"
check "log directory is private (0700)" [ "$(stat -c %a "$logdir")" = 700 ]
# launched together, bakes are paced by the client's CPUs: LAUNCH_CPU_MS
# over the CPUs apart (a lower bound, so a slow machine cannot fail it;
# that the first goes at once is test_loop's t_pace)
launch_cpu_ms=$(sed -n 's/^#define LAUNCH_CPU_MS \([0-9]*\)$/\1/p' "$(dirname "$0")/../../src/sched/pace.h")
gap=$((launch_cpu_ms / $(nproc)))
first=$(jq '[.targets[].start] | min' "$logdir/report.json")
closest=$(jq '[.targets[].start] | sort | [range(1; length) as $i | .[$i] - .[$i - 1]] | min * 1000 | round' "$logdir/report.json")
echo "# first launch at ${first} s, launches at least ${closest} ms apart (gap ${gap} ms)"
check "launches are ${gap} ms apart or more" [ "$closest" -ge $((gap - 1)) ]
check "no child process left" no_children_left
check "no shard in docker buildx ls" no_shard_listed
[ "$RC" -eq 0 ] || show

# Targets as bake takes them: group names and quoted patterns.
sed -i 's/^group "default".*/&\ngroup "odd" { targets = ["s1", "s3", "s5"] }/' docker-bake.hcl
names() { python3 -c 'import json,sys; print(" ".join(sorted(json.loads(sys.argv[1])["targets"])))' "$OUT"; }
run_dbake --plan odd
check "a group name selects its targets" [ "$(names)" = "s1 s3 s5" ]
run_dbake --plan 's[2-4]'
check "a quoted pattern selects matching targets" [ "$(names)" = "s2 s3 s4" ]
run_dbake --plan odd 's9'
check "groups and names mix" [ "$(names)" = "s1 s3 s5 s9" ]
