#!/usr/bin/env bash
# Nodes behind mutual TLS: the builder's TLS driver options reach every
# shard. Runs on a second, TLS-only cluster of its own.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
project
tdir=$PROJ/cluster
export DBAKE_CLUSTER_DIR=$tdir DBAKE_STATE_DIR=$PROJ/state
trap '"$top/tools/cluster" down >/dev/null 2>&1; rm -rf "$PROJ"' EXIT
if ! env_out=$("$top/tools/cluster" up --nodes 2 --arm64 0 --tls --name tls-e2e 2>"$PROJ/up.log"); then
	sed 's/^/# /' "$PROJ/up.log" | tail -n 20
	nok "a TLS cluster starts"
	exit 0
fi
eval "$env_out"
REG=$DBAKE_TEST_REGISTRY
read -r -a NODE_ADDRS <<<"$DBAKE_TEST_NODE_ADDRS"
cat >docker-bake.hcl <<HCL
group "default" { targets = ["t1", "t2", "t3", "t4"] }
HCL
for i in 1 2 3 4; do
	printf 'target "t%s" {\n  dockerfile-inline = "FROM %s/base/busybox\\nRUN echo tls-%s-%s && sleep 1\\n"\n}\n' \
		"$i" "$REG" "$i" "$NONCE" >>docker-bake.hcl
done
run_dbake
check "TLS nodes: exit 0" [ "$RC" -eq 0 ]
used=$(printf '%s\n' "$OUT" | sed -n 's/^\[\([^]]*\)\] built .*/\1/p' | sort -u | grep -c .)
check "TLS nodes: both nodes built (used $used)" [ "$used" -eq 2 ]
shards=$(cat "$DBAKE_STATE_DIR"/buildx/instances/* 2>/dev/null)
check "every shard carries the client certificate" [ "$(grep -o '"cert":"[^"]*client.pem"' <<<"$shards" | wc -l)" -eq 2 ]
check "every shard carries the server name" [ "$(grep -o '"servername":"127.0.0.1"' <<<"$shards" | wc -l)" -eq 2 ]
[ "$RC" -eq 0 ] || show

# The same node without the TLS options is not usable: TLS really is on.
docker buildx create --name "plain-$NONCE" --driver remote "${NODE_ADDRS[0]}" >/dev/null 2>&1
run_dbake --builder "plain-$NONCE" t1
check "without TLS options the node is refused (rc=$RC)" [ "$RC" -ne 0 ]
docker buildx rm "plain-$NONCE" >/dev/null 2>&1
