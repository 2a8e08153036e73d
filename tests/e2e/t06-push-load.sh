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

# Targets without platforms, pushed by plain bake and by dbake on the same
# builder: every image is for the builder's default platform (node0's),
# whichever node built it. (dbake used to build them for the node they
# landed on: arm64 images from the arm64 node.)
arch_of() { # REPO TAG -> its platforms (os/architecture, attestations left out)
	local m
	m=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REG/v2/$1/manifests/$2") || return 1
	if jq -e '.manifests' <<<"$m" >/dev/null; then
		jq -r '[.manifests[].platform | select(.architecture != "unknown") |
			"\(.os)/\(.architecture)"] | sort | join(",")' <<<"$m"
	else
		curl -fsS "http://$REG/v2/$1/blobs/$(jq -r .config.digest <<<"$m")" |
			jq -r '"\(.os)/\(.architecture)"'
	fi
}
{
	for i in 1 2 3 4 5 6; do
		cat <<HCL
target "np$i" {
  dockerfile-inline = "FROM $BASE\nRUN echo np$i-$NONCE > /id && sleep 1\n"
  tags = ["$REG/e2e/np$i:\${TAG}"]
  output = ["type=registry,oci-mediatypes=true"]
}
HCL
	done
	echo 'variable "TAG" { default = "x" }'
	echo 'group "np" { targets = ["np1","np2","np3","np4","np5","np6"] }'
} >docker-bake.hcl
TAG=plain-$NONCE docker buildx bake --progress quiet np >/dev/null 2>&1
TAG=dbake-$NONCE run_dbake np
check "no platforms, --push by dbake: exit 0" [ "$RC" -eq 0 ]
same=1
for i in 1 2 3 4 5 6; do
	p=$(arch_of "e2e/np$i" "plain-$NONCE")
	d=$(arch_of "e2e/np$i" "dbake-$NONCE")
	echo "# np$i: plain bake $p, dbake $d (built on $(built_on "np$i"))"
	[ -n "$p" ] && [ "$p" = "$d" ] || same=0
done
check "no platforms: dbake's images are for the platform plain bake's are" [ "$same" -eq 1 ]

# bake's own flags, as bake has them: --var reaches the definition,
# --provenance the pushed index, --pull and --allow every build.
cat >docker-bake.hcl <<HCL
variable "MSG" { default = "default" }
target "flags" {
  dockerfile-inline = "FROM $BASE\nARG MSG\nRUN echo \$MSG > /msg\n"
  args = { MSG = MSG }
  tags = ["$REG/e2e/flags:f$NONCE"]
  platforms = ["linux/amd64"]
}
HCL
run_dbake --var "MSG=var-$NONCE" --provenance mode=min --pull --allow network.host --push flags
check "--var --provenance --pull --allow: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
log=$(run_dir)/flags.log
check "--var reaches the definition the build reads" \
	def_has flags --arg m "var-$NONCE" '.target.flags.args.MSG == $m'
check "--pull and --allow reach the build" \
	grep -q -- "--pull .*--allow network.host" "$log"
kinds=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
	"http://$REG/v2/e2e/flags/manifests/f$NONCE" |
	jq -r '[.manifests[] | .annotations["vnd.docker.reference.type"] // .platform.architecture] | join(",")')
check "--provenance: the pushed index has its attestation ($kinds)" [ "$kinds" = "amd64,attestation-manifest" ]
