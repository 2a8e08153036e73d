#!/usr/bin/env bash
# The differential test of t19 again on a builder whose every node has
# its platforms pinned (docker buildx create --platform): node0 and node1
# linux/amd64, the arm64 node linux/arm64. Plain bake and dbake must
# still build the same.
. "$(dirname "$0")/lib.sh"
read -r -a addrs <<<"$DBAKE_TEST_NODE_ADDRS"
read -r -a names <<<"$DBAKE_TEST_NODES"
pinned=pinned-$NONCE
for i in "${!addrs[@]}"; do
	plat=linux/amd64
	is_arm_node "${names[$i]}" && plat=linux/arm64
	docker buildx create --name "$pinned" --driver remote --node "${names[$i]}" \
		--platform "$plat" $([ "$i" -gt 0 ] && echo --append) "${addrs[$i]}" >/dev/null ||
		{ nok "create the pinned builder"; exit 1; }
done
trap 'docker buildx rm "$pinned" >/dev/null 2>&1' EXIT
# buildx (v0.35) drops the first node's --platform once another node is
# appended (appending it again pins it and unpins the next): pin it in
# the store entry, as create would have written it
entry=$BUILDX_CONFIG/instances/$pinned
arch=amd64
is_arm_node "${names[0]}" && arch=arm64
jq --arg a "$arch" '.Nodes[0].Platforms = [{architecture: $a, os: "linux"}]' \
	"$entry" >"$entry.new" && mv "$entry.new" "$entry"
pins=$(jq '[.Nodes[] | select((.Platforms // []) | length > 0)] | length' \
	"$entry")
check "every node of the pinned builder has its platform pinned ($pins of ${#addrs[@]})" \
	[ "$pins" -eq "${#addrs[@]}" ]
docker buildx inspect "$pinned" | sed -n 's/^Platforms: */# pinned: /p'
export BUILDX_BUILDER=$pinned
# t19 runs in its own project and removes it; the builder goes after
bash "$(dirname "$0")/t19-differential.sh"
