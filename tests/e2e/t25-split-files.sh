#!/usr/bin/env bash
# tar and oci outputs of a target of two platforms: each platform built
# on a node that builds it natively, the parts put together in the one
# file or directory the target names, as BuildKit writes several
# platforms (a tar with a directory per platform; an OCI layout whose
# index holds every platform's image, named by the tags). Plain bake
# refuses these outputs once the platforms go to different nodes ("tar
# for multi-node builds currently not supported"), so the reference is
# plain bake building each platform alone: dbake's file holds exactly
# what those hold.
. "$(dirname "$0")/lib.sh"
project
((${#ARM_NODES[@]} > 0)) || { nok "the test bed has an arm64 node"; exit 1; }

cat >docker-bake.hcl <<HCL
variable "MODE" { default = "dbake" }
variable "P" { default = "" }
target "_files" {
  dockerfile-inline = "FROM $BASE AS b\nARG TARGETARCH\nRUN mkdir -p /o/sub && echo \$TARGETARCH-$NONCE > /o/sub/f && ln -s sub/f /o/link\nFROM scratch\nCOPY --from=b /o /\n"
  platforms = P == "" ? ["linux/amd64", "linux/arm64"] : [P]
}
target "ftar" {
  inherits = ["_files"]
  output = ["type=tar,dest=out-\${MODE}/f.tar"]
}
target "foci" {
  inherits = ["_files"]
  tags = ["$REG/files/$NONCE/foci:v1", "foci-local"]
  output = ["type=oci,dest=out-\${MODE}/f-oci.tar"]
}
target "fdir" {
  inherits = ["_files"]
  output = ["type=oci,dest=out-\${MODE}/fdir,tar=false"]
}
HCL

run_dbake --plan ftar foci fdir
check "--plan: a part per platform" grep -q 'ftar@linux/arm64' <<<"$OUT"
run_dbake ftar foci fdir
check "dbake: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
check "ftar's arm64 part built on an arm64 node" is_arm_node "$(built_on 'ftar@linux/arm64')"
check "ftar's amd64 part built on an amd64 node" not_arm_node "$(built_on 'ftar@linux/amd64')"
check "foci's arm64 part built on an arm64 node" is_arm_node "$(built_on 'foci@linux/arm64')"

# the reference: plain bake on a builder of the one node that lists
# both platforms, so BuildKit itself writes both in one tar or layout
one=one-$NONCE
arm_addr=${NODE_ADDRS[${#NODE_ADDRS[@]} - 1]}
docker buildx create --name "$one" --driver remote "$arm_addr" >/dev/null 2>&1
trap 'docker buildx rm "$one" >/dev/null 2>&1; rm -rf "$PROJ"' EXIT
docker buildx bake --builder "$one" --progress plain --var MODE=plain ftar foci fdir >plain1.log 2>&1 ||
	{ nok "plain bake on one node builds both platforms"; tail -n 20 plain1.log; }
# and plain bake of both on the multi-node builder: refused
docker buildx bake --progress plain --var MODE=multi ftar >plain.log 2>&1
prc=$?
printf '# plain bake of both platforms over the nodes: exit %s, %s\n' "$prc" "$(grep -m1 ERROR plain.log)"

# tar: a directory per platform, as plain bake's (names, modes, owners,
# link targets; the files' times are each build's own)
listing() { tar -tvf "$1" --numeric-owner | awk '{print $1, $2, $6, $7, $8}'; }
pl=$(listing out-plain/f.tar) dl=$(listing out-dbake/f.tar)
printf '# ftar: %s\n' $dl
check "ftar: a tar of a directory per platform" \
	[ "$(tar -tf out-dbake/f.tar | grep -c '^linux_a[mr][dm]64/sub/f$')" -eq 2 ]
check "ftar: the entries of plain bake's tar (names, modes, owners, links)" \
	[ -n "$dl" -a "$pl" = "$dl" ]
check "ftar: the platform directories from the epoch, as BuildKit's" \
	[ "$(tar -tvf out-dbake/f.tar | grep -c ' 1970-01-01 00:00 linux_a[mr][dm]64/$')" -eq 2 ]
for p in amd64 arm64; do
	check "ftar: linux_$p/sub/f is $p's file" \
		[ "$(tar -xOf out-dbake/f.tar "linux_$p/sub/f")" = "$p-$NONCE" ]
done

# oci: what the layout's index holds, per manifest: media type and, for
# an image, its config's os, arch, env and labels and its last layer's
# files; attestations by what they attest
oci_summary() { # LAYOUT-DIR
	local d=$1
	blob() { cat "$d/blobs/${1%%:*}/${1#*:}"; }
	walk() {
		local mt dg man cfg
		mt=$(jq -r .mediaType <<<"$1") dg=$(jq -r .digest <<<"$1")
		case $mt in
		*index*) blob "$dg" | jq -c '.manifests[]' | while read -r m; do walk "$m"; done ;;
		*)
			man=$(blob "$dg")
			if jq -e '.layers[0].mediaType | test("in-toto")' >/dev/null <<<"$man"; then
				echo "$mt attestation of $(jq -r '.annotations["vnd.docker.reference.digest"]' <<<"$1" |
					{ read -r r; blob "$r" | jq -r .config.digest | { read -r c; blob "$c" | jq -r .architecture; }; })"
				return
			fi
			cfg=$(blob "$(jq -r .config.digest <<<"$man")")
			echo "$mt $(jq -r .platform.architecture <<<"$1") $(jq -cS '{os, architecture, env: .config.Env, labels: .config.Labels}' <<<"$cfg")" \
				"$(blob "$(jq -r '.layers[-1].digest' <<<"$man")" | tar -tzvf - 2>/dev/null | awk '{print $1, $2, $6, $7, $8}' | sort | tr '\n' ' ')"
			;;
		esac
	}
	jq -c '.manifests[0]' "$d/index.json" | while read -r m; do walk "$m"; done | sort
}
untar() { local d; d=$(mktemp -d "$PROJ/untar.XXXXXX"); tar -xf "$1" -C "$d" && echo "$d"; }
dl=$(untar out-dbake/f-oci.tar) pl=$(untar out-plain/f-oci.tar)
got=$(oci_summary "$dl") want=$(oci_summary "$pl")
printf '# foci: %s\n' "$got"
check "foci: plain bake's images and attestations, per platform" \
	[ -n "$got" -a "$want" = "$got" ]
check "foci: an index of linux/amd64 and linux/arm64 images" \
	[ "$(grep -c '^application/vnd.oci.image.manifest.v1+json a[mr][dm]64 ' <<<"$got")" -eq 2 ]
ann() { jq -cS '[.manifests[] | .annotations | del(.["org.opencontainers.image.created"])] | sort' "$1/index.json"; }
check "foci: index.json names it by each tag, as plain bake's" \
	[ "$(ann "$dl")" = "$(ann "$pl")" ]
check "foci: index.json says when it was built, as plain bake's" \
	[ "$(jq '[.manifests[].annotations | has("org.opencontainers.image.created")] | all' "$dl/index.json")" = true ]
check "foci: the tar's entries as plain bake's (modes, owners, times)" \
	[ "$(tar -tvf out-dbake/f-oci.tar | awk '{print $1, $2, $4, $5}' | sort | uniq -c)" = \
	  "$(tar -tvf out-plain/f-oci.tar | awk '{print $1, $2, $4, $5}' | sort | uniq -c)" ]
check "fdir: an OCI layout directory, as plain bake's" \
	[ "$(oci_summary out-dbake/fdir)" = "$(oci_summary out-plain/fdir)" ]
check "parts' files removed after the merge" [ ! -e "$(run_dir)/parts/ftar" ]

# --metadata-file: the same targets, and the oci index's digest
run_dbake --metadata-file meta.json foci
check "--metadata-file: exit 0 (got $RC)" [ "$RC" -eq 0 ]
docker buildx bake --builder "$one" --progress plain --var MODE=plain --metadata-file meta-plain.json foci >/dev/null 2>&1
check "--metadata-file: foci's keys, as plain bake's" \
	[ "$(jq -cS '.foci | keys' meta.json)" = "$(jq -cS '.foci | keys' meta-plain.json)" ]
check "--metadata-file: foci's digest is its layout's index" \
	[ "$(jq -r '.foci["containerimage.digest"]' meta.json)" = \
	  "$(tar -xOf out-dbake/f-oci.tar index.json | jq -r '.manifests[0].digest')" ]

# a rerun writes the same files again, from the cache
rm -rf out-dbake
run_dbake ftar foci fdir
check "rerun: exit 0" [ "$RC" -eq 0 ]
check "rerun: the tar again" [ "$(tar -tf out-dbake/f.tar | grep -c '/sub/f$')" -eq 2 ]
check "rerun: the oci layout again" [ -s out-dbake/f-oci.tar ]
check "rerun: no RUN step ran again" runs_cached "$(run_dir)/ftar_linux_arm64.log"
check "no child left" no_children_left
