#!/usr/bin/env bash
# Bad input: one clear line, the documented exit code, no shard created.
. "$(dirname "$0")/lib.sh"
project
export DBAKE_STATE_DIR=$PROJ/state
hcl_target web 1 >docker-bake.hcl

no_shards_created() {
	[ ! -e "$DBAKE_STATE_DIR/buildx/instances" ] ||
		[ -z "$(ls -A "$DBAKE_STATE_DIR/buildx/instances")" ]
}

# expect_error CODE PATTERN ARGS...: dbake fails with CODE and one error
# line matching PATTERN, and creates no shard.
expect_error() {
	local code=$1 pat=$2 what
	shift 2
	what="dbake $*"
	run_dbake "$@"
	local errors
	errors=$(printf '%s\n' "$ERR" | grep -v '^dbake: warning:' | grep -c .)
	check "$what: exit $code (got $RC)" [ "$RC" -eq "$code" ]
	check "$what: one error line (got $errors)" [ "$errors" -eq 1 ]
	check "$what: says '$pat'" grep -qF -- "$pat" <<<"$ERR"
	check "$what: no shard created" no_shards_created
	[ "$RC" -eq "$code" ] || show
}

expect_error 2 "bake file 'missing.hcl' not found" -f missing.hcl
printf 'target "x" {\n  dockerfile = \n' >broken.hcl
expect_error 2 "cannot read the bake definition" -f broken.hcl
expect_error 2 "unknown target 'wbe' (did you mean 'web'?)" wbe
cat >cycle.hcl <<HCL
target "a" {
  contexts = { b = "target:b" }
  dockerfile-inline = "FROM b\n"
}
target "b" {
  contexts = { a = "target:a" }
  dockerfile-inline = "FROM a\n"
}
HCL
expect_error 2 "cycle" -f cycle.hcl a
hcl_target s390 1 'platforms = ["linux/s390x"]' >s390.hcl
expect_error 2 "no node can build target 's390' for linux/s390x" -f s390.hcl s390
docker buildx create --name "dead-$NONCE" --driver remote tcp://127.0.0.1:9 >/dev/null 2>&1
expect_error 2 "has no running node" --builder "dead-$NONCE" web
docker buildx rm "dead-$NONCE" >/dev/null 2>&1
expect_error 2 "unknown builder 'nosuch-$NONCE'" --builder "nosuch-$NONCE" web
mkdir empty && cd empty && hcl_target solo 1 >docker-bake.hcl
expect_error 2 "no 'default' group or target" && cd ..
expect_error 2 "unknown flag: --bogus" --bogus

# A builder with one dead node among live ones: one line says which node
# is skipped and why, and the run goes on with the others.
docker buildx create --name "mixed-$NONCE" --driver remote --node live "${NODE_ADDRS[0]}" >/dev/null 2>&1
docker buildx create --name "mixed-$NONCE" --append --driver remote --node gone tcp://127.0.0.1:9 >/dev/null 2>&1
run_dbake --builder "mixed-$NONCE" web
docker buildx rm "mixed-$NONCE" >/dev/null 2>&1
check "a dead node is skipped: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "one line names the skipped node and why" grep -q "skipping node 'gone' (inactive" <<<"$ERR"
check "the live node built the target" [ "$(built_on web)" = live ]
[ "$RC" -eq 0 ] || show

# Damaged shard entries: each is found, said and made again before
# anything builds (every bake on such a shard used to fail at once, and
# before that dbake aborted with "BUG: jobs left but none can run").
cat >docker-bake.hcl <<HCL
group "default" { targets = ["d1", "d2", "d3", "d4"] }
$(hcl_target d1 1)
$(hcl_target d2 1)
$(hcl_target d3 1)
$(hcl_target d4 1)
HCL
run_dbake
for f in "$DBAKE_STATE_DIR"/buildx/instances/*; do echo '{ damaged' >"$f"; done
run_dbake
check "damaged shard entries: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "damaged shard entries: no abort" eval '! grep -q "BUG" <<<"$ERR"'
check "damaged shard entries: each said and made again" \
	[ "$(grep -c "its shard entry was damaged or changed; making it again" <<<"$ERR")" -eq "${#NODES[@]}" ]
check "damaged shard entries: every target built" grep -qE '^4 built, 0 failed' <<<"$OUT"
check "damaged shard entries: nothing left behind" no_children_left

# output paths that cannot be written: said before anything builds
for bad in "--metadata-file $PROJ/no-such-dir/m.json" "--metadata-file $PROJ" "--report /proc/dbake-$NONCE"; do
	run_dbake $bad d1
	check "$bad: exit 2 (got $RC)" [ "$RC" -eq 2 ]
	check "$bad: one line" [ "$(wc -l <<<"$ERR")" -eq 1 ]
	check "$bad: nothing built" [ -z "$OUT" ]
done

# the 3-byte compose file libfyaml 0.7.12 loops on: refused at once
printf '%%\xffa' >hostile.yaml
start=$SECONDS
run_dbake -f hostile.yaml
check "hostile compose file: exit 2 (got $RC)" [ "$RC" -eq 2 ]
check "hostile compose file: in seconds ($((SECONDS - start))s)" [ $((SECONDS - start)) -lt 10 ]
check "hostile compose file: one line" [ "$(wc -l <<<"$ERR")" -eq 1 ]
