#!/usr/bin/env bash
# Plain bake and dbake side by side, on the same builder and files, only
# the repository and output directories told apart by a variable: the
# same images (per platform: os, arch, env, labels, command, files),
# the same index platforms, the same local and tar outputs, the same
# --metadata-file keys; every dependency built once; a rerun of dbake
# runs no RUN step.
. "$(dirname "$0")/lib.sh"
project
export TOK="secret-$NONCE"
cat >docker-bake.hcl <<HCL
variable "MODE" { default = "plain" }
variable "GREETING" { default = "hello" }
group "default" { targets = ["images", "files"] }
group "images" { targets = ["app", "top", "svc"] }
group "files" { targets = ["tree", "archive", "bundle"] }
target "_common" {
  args = { GREETING = GREETING }
  labels = { "org.example.mode" = "same", "org.example.greeting" = GREETING }
}
target "base" {
  inherits = ["_common"]
  dockerfile-inline = "FROM $BASE\nARG GREETING\nENV GREETING=\$GREETING\nRUN echo built-base-$NONCE > /base\n"
}
target "mid" {
  inherits = ["_common"]
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo built-mid-$NONCE > /mid\n"
}
target "app" {
  inherits = ["_common"]
  contexts = { mid = "target:mid" }
  dockerfile-inline = "FROM mid\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /tok && echo built-app-$NONCE > /app\nCMD [\"cat\", \"/app\"]\n"
  secret = ["id=tok,env=TOK"]
  tags = ["$REG/diff/\${MODE}-$NONCE/app:v1", "$REG/diff/\${MODE}-$NONCE/app:latest"]
}
target "left" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo built-left-$NONCE > /left\n"
}
target "right" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo built-right-$NONCE > /right\n"
}
target "top" {
  contexts = { left = "target:left", right = "target:right" }
  dockerfile-inline = "FROM left\nCOPY --from=right /right /right\nRUN echo built-top-$NONCE > /top\n"
  tags = ["$REG/diff/\${MODE}-$NONCE/top:v1"]
}
target "svc" {
  name = "svc-\${flavour}"
  matrix = { flavour = ["small", "large"] }
  inherits = ["_common"]
  args = { FLAVOUR = flavour }
  dockerfile-inline = "FROM $BASE\nARG FLAVOUR\nENV FLAVOUR=\$FLAVOUR\nRUN echo built-svc-\$FLAVOUR-$NONCE > /svc\n"
  tags = ["$REG/diff/\${MODE}-$NONCE/svc-\${flavour}:v1"]
}
target "arm" {
  dockerfile-inline = "FROM $BASE\nRUN echo built-arm-$NONCE > /arm\n"
  platforms = ["linux/arm64"]
  tags = ["$REG/diff/\${MODE}-$NONCE/arm:v1"]
}
target "multi" {
  dockerfile-inline = "FROM $BASE\nRUN echo built-multi-$NONCE > /multi\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["$REG/diff/\${MODE}-$NONCE/multi:v1"]
}
target "multidep" {
  contexts = { multi = "target:multi" }
  dockerfile-inline = "FROM multi\nRUN echo built-multidep-$NONCE > /md\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["$REG/diff/\${MODE}-$NONCE/multidep:v1"]
}
target "mtree" {
  dockerfile-inline = "FROM $BASE AS b\nRUN mkdir /o && echo mtree-$NONCE > /o/m\nFROM scratch\nCOPY --from=b /o /\n"
  platforms = ["linux/amd64", "linux/arm64"]
  output = ["type=local,dest=out-\${MODE}/mtree"]
}
target "hostnet" {
  dockerfile-inline = "FROM $BASE\nRUN --network=host echo built-hostnet-$NONCE > /h\n"
  entitlements = ["network.host"]
  tags = ["$REG/diff/\${MODE}-$NONCE/hostnet:v1"]
}
target "tree" {
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base AS b\nRUN mkdir -p /out/sub && echo tree-$NONCE > /out/sub/t && cp /base /out/\nFROM scratch\nCOPY --from=b /out /\n"
  output = ["type=local,dest=out-\${MODE}/tree"]
}
target "archive" {
  dockerfile-inline = "FROM $BASE AS b\nRUN mkdir /o && echo archive-$NONCE > /o/a\nFROM scratch\nCOPY --from=b /o /\n"
  output = ["type=tar,dest=out-\${MODE}/archive.tar"]
}
target "bundle" {
  inherits = ["_common"]
  contexts = { base = "target:base" }
  dockerfile-inline = "FROM base\nRUN echo bundle-$NONCE > /bundle\n"
  output = ["type=oci,dest=out-\${MODE}/bundle.tar"]
}
HCL
names="app top svc-small svc-large arm multi multidep hostnet"
all="default arm multi multidep mtree hostnet"

mkdir -p out-plain out-dbake
# dbake first: its builds find no cache of plain bake's, so "built once"
# below counts builds that ran
run_dbake --var MODE=dbake --push --allow network.host --metadata-file meta-dbake.json $all
check "dbake: exit 0" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
dir=$(run_dir)
first_out=$OUT

docker buildx bake --progress plain --push --allow network.host \
	--metadata-file meta-plain.json $all >plain.log 2>&1
prc=$?
check "plain bake: exit 0" [ "$prc" -eq 0 ]
[ "$prc" -eq 0 ] || tail -n 20 plain.log

accept='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
# manifest REPO REF
manifest() { curl -fsS -H "Accept: $accept" "http://$REG/v2/$1/manifests/$2"; }
# What an image is, per platform, in one sorted JSON text: platform,
# then os, arch, env, labels, command, entrypoint, workdir of its
# config. Attestation manifests are named as such.
summary() { # REPO TAG
	local repo=$1 tag=$2 m
	m=$(manifest "$repo" "$tag") || { echo "missing $repo:$tag"; return; }
	local digests
	if jq -e '.manifests' >/dev/null <<<"$m"; then
		digests=$(jq -r '.manifests[].digest' <<<"$m")
	else
		digests=$(jq -r '.config.digest' <<<"$m" | sed 's/^/config:/')
	fi
	local d
	for d in $digests; do
		local cfgd sub
		if [[ $d == config:* ]]; then
			cfgd=${d#config:}
		else
			sub=$(manifest "$repo" "$d")
			cfgd=$(jq -r '.config.digest' <<<"$sub")
			if jq -e '.layers[0].mediaType | test("in-toto")' >/dev/null <<<"$sub"; then
				echo "attestation"
				continue
			fi
		fi
		curl -fsS "http://$REG/v2/$repo/blobs/$cfgd" |
			jq -cS '{os, architecture, variant, env: .config.Env,
				labels: .config.Labels, cmd: .config.Cmd,
				entrypoint: .config.Entrypoint, workdir: .config.WorkingDir}'
	done | sort
}
for n in $names; do
	p=$(summary "diff/plain-$NONCE/$n" v1)
	d=$(summary "diff/dbake-$NONCE/$n" v1)
	echo "# $n: $(tr '\n' ' ' <<<"$p" | cut -c1-160)"
	check "$n: the same image as plain bake's, per platform" [ "$p" = "$d" ]
	check "$n: is an image" grep -q '"os":"linux"' <<<"$d"
done
check "app: both tags pushed" bash -c "curl -fsS 'http://$REG/v2/diff/dbake-$NONCE/app/tags/list' | jq -e '.tags | sort == [\"latest\", \"v1\"]' >/dev/null"
check "arm: built for arm64, as plain bake" \
	grep -q '"architecture":"arm64"' <<<"$(summary "diff/dbake-$NONCE/arm" v1)"
check "svc-large: its matrix value" \
	grep -q 'FLAVOUR=large' <<<"$(summary "diff/dbake-$NONCE/svc-large" v1)"

# local and tar outputs: the same files with the same contents
tree_of() { (cd "$1" && find . -type f -exec sha256sum {} + | sort -k2); }
check "tree: the local output has files" [ -s out-dbake/tree/sub/t ]
check "tree: the same local output as plain bake's" \
	[ "$(tree_of out-plain/tree)" = "$(tree_of out-dbake/tree)" ]
check "mtree: a directory per platform, as plain bake's" \
	[ -s out-dbake/mtree/linux_arm64/m -a -s out-dbake/mtree/linux_amd64/m ]
check "mtree: the same local output as plain bake's" \
	[ "$(tree_of out-plain/mtree)" = "$(tree_of out-dbake/mtree)" ]
check "archive: the same tar output as plain bake's" \
	[ "$(tar -tf out-plain/archive.tar | sort)" = "$(tar -tf out-dbake/archive.tar | sort)" ]
check "archive: it holds the file" grep -q '^a$\|^\./a$' <<<"$(tar -tf out-dbake/archive.tar)"
# an OCI layout tar: what its index holds, per manifest: media type and,
# for an image, its config's os, arch, env and labels and its last layer's
# files
oci_summary() { # TAR
	local d blob
	d=$(mktemp -d)
	tar -xf "$1" -C "$d" || { echo "no layout in $1"; return; }
	blob() { cat "$d/blobs/${1%%:*}/${1#*:}"; }
	walk() { # DESCRIPTOR-JSON
		local mt dg
		mt=$(jq -r .mediaType <<<"$1") dg=$(jq -r .digest <<<"$1")
		case $mt in
		*index*) blob "$dg" | jq -c '.manifests[]' | while read -r m; do walk "$m"; done ;;
		*)
			local man cfg
			man=$(blob "$dg")
			if jq -e '.layers[0].mediaType | test("in-toto")' >/dev/null <<<"$man"; then
				echo "$mt attestation"
				return
			fi
			cfg=$(blob "$(jq -r .config.digest <<<"$man")")
			echo "$mt $(jq -cS '{os, architecture, env: .config.Env, labels: .config.Labels}' <<<"$cfg")"
			blob "$(jq -r '.layers[-1].digest' <<<"$man")" | tar -tzf - 2>/dev/null | sort | tr '\n' ' '
			echo
			;;
		esac
	}
	jq -c '.manifests[]' "$d/index.json" | while read -r m; do walk "$m"; done
	rm -rf "$d"
}
bundle_plain=$(oci_summary out-plain/bundle.tar) bundle_dbake=$(oci_summary out-dbake/bundle.tar)
printf '# bundle: %s\n' "$bundle_dbake"
check "bundle: an OCI layout with an image and the file" grep -q 'bundle' <<<"$bundle_dbake"
check "bundle: the same oci output as plain bake's" [ "$bundle_plain" = "$bundle_dbake" ]

keys() { jq -cS 'keys' "$1"; }
check "--metadata-file: the same targets as plain bake's" \
	[ "$(keys meta-plain.json)" = "$(keys meta-dbake.json)" ]
check "--metadata-file: app's digest is the one pushed" \
	[ "$(jq -r '.app["containerimage.digest"]' meta-dbake.json)" = \
	  "$(curl -fsS -o /dev/null -D - -H "Accept: $accept" "http://$REG/v2/diff/dbake-$NONCE/app/manifests/v1" |
		sed -n 's/^docker-content-digest: *//Ip' | tr -d '\r')" ]

ref=$(jq -r '.app["buildx.build.ref"]' meta-dbake.json)
pref=$(jq -r '.app["buildx.build.ref"]' meta-plain.json)
echo "# build refs: plain $pref, dbake $ref"
check "--metadata-file: app's build ref names the user's builder and node" \
	grep -qE "^$BUILDX_BUILDER/($(tr ' ' '|' <<<"$DBAKE_TEST_NODES"))/[a-z0-9]+\$" <<<"$ref"
check "--metadata-file: the build ref is one buildx history knows" \
	bash -c "docker buildx history inspect --builder '$BUILDX_BUILDER' '${ref##*/}' >/dev/null 2>&1"

# Built once: across the run's bakes (a batch writes one output to the
# log of each of its targets: one log per command line), each
# dependency's RUN step ran once.
executed() { # MARKER: RUN steps with MARKER that ran, over the run's bakes
	local f seen="" n=0
	for f in "$dir"/*.log; do
		local cmd
		cmd=$(sed -n 2p "$f")
		case $seen in *"|$cmd|"*) continue ;; esac
		seen="$seen|$cmd|"
		local id
		for id in $(sed -n "s/^#\([0-9]*\) \[.*\] RUN .*$1.*/\1/p" "$f" | sort -u); do
			grep -q "^#$id CACHED" "$f" || n=$((n + 1))
		done
	done
	echo "$n"
}
for t in base mid left right; do
	c=$(executed "built-$t-$NONCE")
	check "$t: built once in the run (ran $c times)" [ "$c" -eq 1 ]
done
for t in multi multidep; do
	c=$(executed "built-$t-$NONCE")
	check "$t: built once per platform (ran $c times)" [ "$c" -eq 2 ]
done
check "multi: its arm64 part built on an arm64 node" \
	is_arm_node "$(built_on multi@linux/arm64)"
check "multidep: each part got multi's part of its platform, by digest" \
	def_has multidep@linux/arm64 --arg r "docker-image://$REG/diff/dbake-$NONCE/multi@sha256:" \
	'.target.multidep.contexts.multi | startswith($r)'
check "multi: an index of both platforms under its tag" \
	grep -q '"architecture":"arm64"' <<<"$(summary "diff/dbake-$NONCE/multi" v1)"

# A compose project: profiles, depends_on in both forms, a dotted
# service name; every service pushed by both.
mkdir compose && cd compose || exit 1
svc() { # name image-name [extra yaml lines]
	printf '  %s:\n    build:\n      dockerfile_inline: "FROM %s\\nRUN echo built-%s-%s > /id\\n"\n' "$1" "$BASE" "$1" "$NONCE"
	printf '    image: %s/diff/${MODE}-%s/c-%s:v1\n' "$REG" "$NONCE" "$2"
	[ -n "${3:-}" ] && printf '%s\n' "$3"
	return 0
}
{
	echo "services:"
	svc web web "    depends_on: [api]"
	svc api api "    depends_on:
      api.v2:
        condition: service_started"
	svc api.v2 api-v2
	svc dbg dbg "    profiles: [debug]"
} >compose.yaml
MODE=plain docker buildx bake --progress plain --push --metadata-file meta-plain.json >plain.log 2>&1
prc=$?
check "compose: plain bake: exit 0" [ "$prc" -eq 0 ]
[ "$prc" -eq 0 ] || tail -n 20 plain.log
MODE=dbake run_dbake --push --metadata-file meta-dbake.json
check "compose: dbake: exit 0" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
for n in web api api-v2 dbg; do
	p=$(summary "diff/plain-$NONCE/c-$n" v1)
	d=$(summary "diff/dbake-$NONCE/c-$n" v1)
	check "compose $n: the same image as plain bake's" [ "$p" = "$d" ]
	check "compose $n: is an image" grep -q '"os":"linux"' <<<"$d"
done
check "compose: the same --metadata-file targets as plain bake's" \
	[ "$(keys meta-plain.json)" = "$(keys meta-dbake.json)" ]
cd ..

# rerun: everything cached, nothing ran
run_dbake --var MODE=dbake --push --allow network.host $all
check "rerun: exit 0" [ "$RC" -eq 0 ]
dir=$(run_dir)
ran=0
for t in base mid app left right top svc-small svc-large arm multi multidep hostnet tree archive; do
	c=$(executed "built-$t-$NONCE")
	[ "$t" = tree ] && c=$(executed "tree-$NONCE")
	[ "$t" = archive ] && c=$(executed "archive-$NONCE")
	if [ "$c" -ne 0 ]; then
		echo "# rerun: $t ran $c RUN steps; where each part was built, first run then rerun:"
		printf '%s\n' "$first_out" | grep -E "\] built $t(@| )" | sed 's/^/#   first: /'
		printf '%s\n' "$OUT" | grep -E "\] built $t(@| )" | sed 's/^/#   rerun: /'
		ran=$((ran + c))
	fi
done
check "rerun: no RUN step ran" [ "$ran" -eq 0 ]
check "nothing left behind" no_children_left
