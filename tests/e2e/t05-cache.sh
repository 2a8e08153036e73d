#!/usr/bin/env bash
# --cache-registry: cache manifests land in the registry, and a rebuild on
# another node is served from them (CACHED steps).
. "$(dirname "$0")/lib.sh"
project
# Two single-node builders over different nodes of the cluster, so the
# second build cannot use the first node's local cache.
b1=cache-a-$NONCE b2=cache-b-$NONCE
docker buildx create --name "$b1" --driver remote "${NODE_ADDRS[0]}" >/dev/null 2>&1
docker buildx create --name "$b2" --driver remote "${NODE_ADDRS[1]}" >/dev/null 2>&1
trap 'docker buildx rm "$b1" "$b2" >/dev/null 2>&1; rm -rf "$PROJ"' EXIT
name=cached$RANDOM
cat >docker-bake.hcl <<HCL
target "$name" {
  dockerfile-inline = "FROM $BASE\nRUN echo one-$NONCE > /one && sleep 1\nRUN echo two-$NONCE > /two\n"
}
HCL
run_dbake --builder "$b1" --cache-registry "$REG" "$name"
check "first build with --cache-registry: exit 0" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
tags=$(curl -fsS "http://$REG/v2/buildcache/$name/tags/list")
echo "# registry: $tags"
check "cache manifest in the registry (buildcache/$name)" grep -q '"latest"' <<<"$tags"
manifest=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' \
	"http://$REG/v2/buildcache/$name/manifests/latest")
check "the manifest is a BuildKit cache" grep -q 'buildkit' <<<"$manifest"

check "its definition reads the shared cache" def_has "$name" \
	--arg t "$name" --arg r "$REG/buildcache/$name" \
	'.target[$t]["cache-from"] | index([{type: "registry", ref: $r}])'
check "and exports it with mode=max" def_has "$name" \
	--arg t "$name" --arg r "$REG/buildcache/$name" \
	'.target[$t]["cache-to"] | index([{type: "registry", ref: $r, mode: "max"}])'
check "no --set on the child's command line" \
	bash -c "! sed -n 2p '$(run_dir)/$name.log' | grep -q -- --set"

run_dbake --builder "$b2" --cache-registry "$REG" "$name"
check "rebuild on another node: exit 0" [ "$RC" -eq 0 ]
echo "# $(grep "built $name" <<<"$OUT")"
check "the rebuild reports both RUN steps cached" grep -Eq "built $name in .*\(([2-9])/[0-9]+ steps cached\)" <<<"$OUT"
log=$(sed -n 's/^logs: //p' <<<"$OUT")/$name.log
check "its log shows CACHED steps" grep -q 'CACHED' "$log"
check "its log names the other node's endpoint" grep -q "${NODE_ADDRS[1]}" "$log"
[ "$RC" -eq 0 ] || show

run_dbake --builder "$b2" --no-cache "$name"
echo "# $(grep "built $name" <<<"$OUT")"
check "--no-cache: exit 0" [ "$RC" -eq 0 ]
log=$(sed -n 's/^logs: //p' <<<"$OUT")/$name.log
run_cached=$(grep -A1 '\] RUN ' "$log" | grep -c CACHED)
check "--no-cache: no RUN step cached (got $run_cached)" [ "$run_cached" -eq 0 ]
