#!/usr/bin/env bash
# Targets that share a large build context. Sent by several bakes at
# once to a node, the context goes whole each time; so on a first run
# each node's first bake takes its share of those targets (one bake
# sends a context its targets share once), and the others wait on that
# node until it is there. What they build is what plain bake builds.
. "$(dirname "$0")/lib.sh"
project
export DBAKE_STATE_DIR=$PROJ/state
mkdir -m 700 "$DBAKE_STATE_DIR"
head -c $((12 << 20)) /dev/urandom >big.bin

{
	echo 'variable "MODE" { default = "dbake" }'
	echo 'group "default" { targets = ["c1", "c2", "c3", "c4", "c5", "c6"] }'
	for i in 1 2 3 4 5 6; do
		cat <<HCL
target "c$i" {
  dockerfile-inline = "FROM $BASE AS b\nCOPY big.bin /big.bin\nRUN sha256sum /big.bin | cut -c1-64 > /sum && echo c$i-$NONCE > /id\nFROM scratch\nCOPY --from=b /sum /id /\n"
  output = ["type=local,dest=out-\${MODE}/c$i"]
}
HCL
	done
} >docker-bake.hcl

# bakes STATE: the bakes of the last run, as "node start batch" lines
bakes() {
	jq -r '[.targets[] | "\(.node) \(.start) \(.batch)"] | unique | .[]' \
		"$(sed -n 's/^logs: //p' <<<"$OUT")/report.json"
}

run_dbake
check "dbake: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
check "6 built" grep -q '^6 built, 0 failed, 0 skipped' <<<"$OUT"
b=$(bakes)
printf '# bakes (node, start, targets):\n%s\n' "$(sed 's/^/#   /' <<<"$b")"
nodes=$(awk '{print $1}' <<<"$b" | sort -u | wc -l)
check "a bake a node ($(wc -l <<<"$b") bakes, $nodes nodes)" [ "$(wc -l <<<"$b")" -eq "$nodes" ]
check "the targets spread over more than one node" [ "$nodes" -gt 1 ]
check "each bake holds its node's share" awk '$3 < 2 { exit 1 }' <<<"$b"
logdir=$(sed -n 's/^logs: //p' <<<"$OUT")
# the bakes that sent all of it (a bake's output is in the log of each
# of its targets; its definition file names it)
sent=$(grep -l 'transferring context: 12\.' "$logdir"/c*.log | xargs -r sed -s -n '2s/.* -f \([^ ]*\) .*/\1/p' | sort -u | wc -l)
check "the context sent whole once a node ($sent bakes)" [ "$sent" -eq "$nodes" ]

# what plain bake builds, file for file
docker buildx bake --progress plain --var MODE=plain >plain.log 2>&1 ||
	{ nok "plain bake builds it"; tail -n 20 plain.log; }
same=0
for i in 1 2 3 4 5 6; do
	cmp -s out-dbake/c$i/sum out-plain/c$i/sum && cmp -s out-dbake/c$i/id out-plain/c$i/id && same=$((same + 1))
done
check "every output as plain bake's ($same of 6)" [ "$same" -eq 6 ]
check "the sum is of the context's file" [ "$(cat out-dbake/c1/sum)" = "$(sha256sum big.bin | cut -c1-64)" ]

# without the gate (DBAKE_CONTEXT_GATE_BYTES=0): a bake a target
export DBAKE_STATE_DIR=$PROJ/state2
mkdir -m 700 "$DBAKE_STATE_DIR"
DBAKE_CONTEXT_GATE_BYTES=0 run_dbake --var MODE=nogate
check "no gate: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "no gate: a bake a target" [ "$(bakes | wc -l)" -eq 6 ]
check "no child process left" no_children_left
check "no shard in docker buildx ls" no_shard_listed
