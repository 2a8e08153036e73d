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
