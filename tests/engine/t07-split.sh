#!/usr/bin/env bash
# A target of two platforms on an amd64 node and an arm64 node: a part
# per platform on its native node, pushed by digest, then one
# imagetools create over both digests under the target's tags; a
# dependent's part gets the part of its platform by digest; a part that
# pushed no digest fails the merge, never a silent success.
. "$(dirname "$0")/lib.sh"

split_world() {
	world "amd linux/amd64" "arm linux/arm64"
	jq -n '{target: {
	  multi: {context: ".", dockerfile: "Dockerfile",
	          platforms: ["linux/amd64", "linux/arm64"],
	          tags: ["reg.example/x/multi:v1", "reg.example/x/multi:latest"],
	          annotations: ["index:org.opencontainers.image.title=m", "org.example.k=v"]},
	  dep: {context: ".", dockerfile: "Dockerfile", contexts: {multi: "target:multi"},
	        platforms: ["linux/amd64", "linux/arm64"],
	        tags: ["reg.example/x/dep:v1"]}},
	  group: {default: {targets: ["multi", "dep"]}}}' >"$FAKE_DIR/print.json"
}

split_world
run_dbake --push
check "split: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
check "split: multi's amd64 part on the amd64 node" grep -q '^\[amd\] built multi@linux/amd64 in' <<<"$OUT"
check "split: multi's arm64 part on the arm64 node" grep -q '^\[arm\] built multi@linux/arm64 in' <<<"$OUT"
check "split: each part built once" [ "$(grep -c '] built multi@' <<<"$OUT")" -eq 2 ]
merge=$(grep ' imagetools create .*reg.example/x/multi:v1' "$FAKE_DIR/calls")
echo "# merge: ${merge#* * }"
digests=$(grep -o 'reg.example/x/multi@sha256:[0-9a-f]\{64\}' <<<"$merge" | sort -u | wc -l)
check "split: one imagetools create over both parts' digests" [ "$digests" -eq 2 ]
check "split: under every tag" grep -q -- '--tag reg.example/x/multi:v1 --tag reg.example/x/multi:latest' <<<"$merge"
check "split: with the index annotation only" \
	bash -c "grep -q -- '--annotation index:org.opencontainers.image.title=m' <<<\"\$0\" && ! grep -q 'org.example.k' <<<\"\$0\"" "$merge"
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
def=$(sed -n '2s/.* -f \([^ ]*\) .*/\1/p' "$dir/dep_linux_arm64.log")
ctx=$(jq -r '.target.dep.contexts.multi' "$def")
arm_digest=$(grep -o 'sha256:[0-9a-f]*' <<<"$(grep -h 'multi' "$dir"/multi_linux_arm64.log.metadata.json)")
check "split: dep's arm64 part got multi's arm64 part by digest" \
	[ "$ctx" = "docker-image://reg.example/x/multi@$arm_digest" ]
jq_q() { jq -e "$@" >/dev/null; }
check "split: the parts push by digest, without the tags" \
	jq_q '.target.dep.output == [{"type":"image","push":"true","name":"reg.example/x/dep","push-by-digest":"true","name-canonical":"true"}] and (.target.dep | has("tags") | not)' "$def"
check "split: nothing left behind" [ -z "$(leftovers)" ]
cleanup_world; trap - EXIT

split_world
behave "multi@arm nodigest"
run_dbake --push
check "a part without a digest: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "a part without a digest: the merge fails, saying why" \
	grep -q 'FAILED multi .*multi@linux/arm64 pushed no digest' <<<"$OUT"
check "a part without a digest: no index of it made" \
	bash -c "! grep -q ' imagetools .*reg.example/x/multi' '$FAKE_DIR/calls'"
cleanup_world; trap - EXIT

# without --push nothing is pushed: the parts build, the merge has
# nothing to put together
split_world
run_dbake multi
check "no --push: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "no --push: both parts built" [ "$(grep -c '] built multi@' <<<"$OUT")" -eq 2 ]
check "no --push: no imagetools" bash -c "! grep -q ' imagetools ' '$FAKE_DIR/calls'"
cleanup_world; trap - EXIT

# tar and oci outputs: each part writes its platform's files apart, the
# merge puts them in the one tar or layout the target names
world "amd linux/amd64" "arm linux/arm64"
jq -n '{target: {files: {context: ".", dockerfile: "Dockerfile",
	  platforms: ["linux/amd64", "linux/arm64"],
	  tags: ["reg.example/x/files:v1", "files"],
	  output: [{type: "tar", dest: "out/f.tar"},
	           {type: "oci", dest: "out/lay", tar: "false"},
	           {type: "oci", dest: "out/sub/o.tar"}]}},
	group: {default: {targets: ["files"]}}}' >"$FAKE_DIR/print.json"
run_dbake files
check "files: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || { echo "$OUT"; echo "$ERR"; }
check "files: the arm64 part on the arm64 node" grep -q '^\[arm\] built files@linux/arm64 in' <<<"$OUT"
check "files: one tar, a directory per platform, each from its node" \
	[ "$(tar -xOf out/f.tar linux_amd64/f 2>/dev/null)" = "files amd" -a \
	  "$(tar -xOf out/f.tar linux_arm64/f 2>/dev/null)" = "files arm" ]
idx_of() { # LAYOUT: the platforms its image index lists, sorted
	local dg
	dg=$(jq -r '.manifests[0].digest' "$1/index.json")
	for m in $(jq -r '.manifests[].digest' "$1/blobs/sha256/${dg#sha256:}"); do
		jq -r '.annotations.platform' "$1/blobs/sha256/${m#sha256:}"
	done | sort | tr '\n' ' '
}
check "files: an oci layout directory indexing both platforms" \
	[ "$(idx_of out/lay)" = "linux/amd64 linux/arm64 " ]
check "files: named by each tag in index.json, as bake's exporter" \
	[ "$(jq -r '[.manifests[].annotations["io.containerd.image.name"]] | join(" ")' out/lay/index.json)" = \
	  "reg.example/x/files:v1 docker.io/library/files:latest" ]
check "files: each name's tag as its ref name" \
	[ "$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(" ")' out/lay/index.json)" = "v1 latest" ]
mkdir -p untar && tar -xf out/sub/o.tar -C untar
check "files: an oci tar (its directory made), the same index" \
	[ "$(idx_of untar)" = "linux/amd64 linux/arm64" -o "$(idx_of untar)" = "linux/amd64 linux/arm64 " ]
check "files: the oci tar has its oci-layout file" [ -s untar/oci-layout ]
dir=$(sed -n 's/^logs: //p' <<<"$OUT")
check "files: the parts' copies removed" [ ! -e "$dir/parts/files" ]
check "files: nothing left behind" [ -z "$(leftovers)" ]

# a part's files that cannot be put together: the merge fails, saying why
behave "files@arm ok 10"
rm -rf out untar
mkdir -p out/f.tar/blocked # a directory where the tar goes
run_dbake files
check "a merge that cannot write: exit 1 (got $RC)" [ "$RC" -eq 1 ]
check "a merge that cannot write: FAILED names the target and why" \
	grep -q 'FAILED files .*out/f.tar' <<<"$OUT"
