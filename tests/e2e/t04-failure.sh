#!/usr/bin/env bash
# A failing target blocks its dependents; the others are built; exit 1.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
group "default" { targets = ["bad", "child", "grandchild", "good1", "good2"] }
target "bad" {
  dockerfile-inline = "FROM $BASE\nRUN echo boom-marker-$NONCE && exit 3\n"
}
target "child" {
  contexts = { bad = "target:bad" }
  dockerfile-inline = "FROM bad\nRUN true\n"
}
target "grandchild" {
  contexts = { child = "target:child" }
  dockerfile-inline = "FROM child\nRUN true\n"
}
HCL
hcl_target good1 1 >>docker-bake.hcl
hcl_target good2 1 >>docker-bake.hcl

run_dbake
check "a failure exits 1" [ "$RC" -eq 1 ]
check "bad reported failed" grep -q '\] FAILED bad after' <<<"$OUT"
check "child reported blocked" grep -q '^skipped child: blocked by bad$' <<<"$OUT"
check "grandchild reported blocked" grep -q '^skipped grandchild: blocked by bad$' <<<"$OUT"
check "good1 built" [ -n "$(built_on good1)" ]
check "good2 built" [ -n "$(built_on good2)" ]
check "summary counts" grep -q '^2 built, 1 failed, 2 skipped' <<<"$OUT"
log=$(sed -n 's/^failed: bad (log: \(.*\))$/\1/p' <<<"$OUT")
echo "# log: $log"
check "the failure names its log" [ -f "$log" ]
check "the log holds the error" grep -q "boom-marker-$NONCE" "$log"
check "the log holds buildx's ERROR line" grep -q 'ERROR' "$log"
check "no child process left" no_children_left
