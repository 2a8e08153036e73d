#!/usr/bin/env bash
# --push puts the image in the registry; --load puts it in dockerd.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
target "pushed" {
  dockerfile-inline = "FROM $BASE\nRUN echo pushed-$NONCE > /id\n"
  tags = ["$REG/e2e/pushed:t$NONCE"]
  platforms = ["linux/amd64"]
}
target "loaded" {
  dockerfile-inline = "FROM $BASE\nRUN echo loaded-$NONCE > /id\n"
  tags = ["e2e/loaded:t$NONCE"]
  platforms = ["linux/amd64"]
}
HCL
run_dbake --push pushed
check "--push: exit 0" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
tags=$(curl -fsS "http://$REG/v2/e2e/pushed/tags/list")
echo "# registry: $tags"
check "--push: the tag is in the registry" grep -q "t$NONCE" <<<"$tags"

run_dbake --load loaded
check "--load: exit 0" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
in_dockerd() { docker image inspect "$1" >/dev/null 2>&1; }
check "--load: the image is in dockerd" in_dockerd "e2e/loaded:t$NONCE"
id=$(docker run --rm "e2e/loaded:t$NONCE" cat /id 2>/dev/null)
echo "# loaded image says: ${id:-nothing (dockerd cannot run containers here)}"
docker image rm "e2e/loaded:t$NONCE" >/dev/null 2>&1

run_dbake --push --set "pushed.tags=$REG/e2e/set-tag:s$NONCE" pushed
check "--set with --push: exit 0" [ "$RC" -eq 0 ]
tags=$(curl -fsS "http://$REG/v2/e2e/set-tag/tags/list")
check "--set tags are what gets pushed" grep -q "s$NONCE" <<<"$tags"
