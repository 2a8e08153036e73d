#!/usr/bin/env bash
# A chain of target: contexts builds in dependency order.
. "$(dirname "$0")/lib.sh"
project
cat >docker-bake.hcl <<HCL
group "default" { targets = ["top"] }
target "bottom" {
  dockerfile-inline = "FROM $BASE\nRUN echo bottom-$NONCE > /bottom && sleep 1\n"
}
target "middle" {
  contexts = { bottom = "target:bottom" }
  dockerfile-inline = "FROM bottom\nRUN cat /bottom > /middle && echo middle >> /middle\n"
}
target "top" {
  contexts = { middle = "target:middle" }
  dockerfile-inline = "FROM middle\nRUN cat /middle > /top && echo top >> /top\n"
}
HCL
run_dbake
check "chain: exit 0" [ "$RC" -eq 0 ]
line() { printf '%s\n' "$OUT" | grep -n "$1" | head -n1 | cut -d: -f1; }
b_done=$(line '] built bottom in')
m_start=$(line '] building middle$')
m_done=$(line '] built middle in')
t_start=$(line '] building top$')
echo "# bottom done at line $b_done, middle $m_start-$m_done, top starts $t_start"
check "middle starts after bottom is built" after "$b_done" "$m_start"
check "top starts after middle is built" after "$m_done" "$t_start"
check "all three built" grep -q '^3 built, 0 failed' <<<"$OUT"
check "middle ran on its dependency's node" [ "$(built_on middle)" = "$(built_on bottom)" ]
[ "$RC" -eq 0 ] || show

# The non-standard HCL depends_on attribute (which buildx ignores) orders too.
cat >deps.hcl <<HCL
target "first" {
  dockerfile-inline = "FROM $BASE\nRUN echo first-$NONCE && sleep 2\n"
}
target "second" {
  # buildx accepts this attribute and drops it; dbake reads it
  depends_on = [
    "first",
  ]
  dockerfile-inline = "FROM $BASE\nRUN echo second-$NONCE\n"
}
HCL
run_dbake -f deps.hcl second --with-deps
check "depends_on: exit 0" [ "$RC" -eq 0 ]
check "depends_on with --with-deps builds both" all_built first second
check "depends_on: second starts after first is built" after "$(line '] built first in')" "$(line '] building second$')"
[ "$RC" -eq 0 ] || show
