#!/usr/bin/env bash
# buildx adds a build's git commit and remote when its context is in a
# work tree, asking git once per target. Outside of one, dbake tells it
# not to ask (BUILDX_GIT_INFO=0): the same build, without a git process
# per target. Inside one, the commit still reaches the build.
. "$(dirname "$0")/lib.sh"
project
real_git=$(command -v git)
mkdir bin
# a git that logs how buildx calls it
cat >bin/git <<SH
#!/bin/sh
echo "\$*" >>"$PROJ/git.log"
exec "$real_git" "\$@"
SH
chmod +x bin/git
: >git.log
write_bake() {
	{
		echo 'group "default" { targets = ["g1", "g2"] }'
		hcl_target g1 0
		hcl_target g2 0
	} >docker-bake.hcl
}
state=${DBAKE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/dbake}
# the commit BuildKit recorded for TARGET's build, from its shard's history
vcs_of() {
	local shard ref
	shard=$(sed -n '1s/.* shard \([^ ]*\)$/\1/p' "$(run_dir)/$1.log")
	ref=$(BUILDX_CONFIG=$state/buildx docker buildx history ls --builder "$shard" \
		--format json 2>/dev/null | head -n1 | jq -r .ref)
	BUILDX_CONFIG=$state/buildx docker buildx history inspect --builder "$shard" \
		--format json "${ref##*/}" 2>/dev/null | jq -r '.VCSRevision // empty'
}

write_bake
if "$real_git" -C "$PROJ" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	nok "the test directory $PROJ must not be in a git work tree"
fi
PATH=$PROJ/bin:$PATH run_dbake
check "outside a work tree: exit 0" [ "$RC" -eq 0 ]
check "outside a work tree: both built" all_built g1 g2
check "outside a work tree: buildx ran no git" \
	bash -c '! grep -q rev-parse "$0"' git.log
[ "$RC" -eq 0 ] || show

# the user's own setting stands
NONCE=$NONCE-own
write_bake
BUILDX_GIT_INFO=1 PATH=$PROJ/bin:$PATH run_dbake
check "BUILDX_GIT_INFO=1 set by the user: exit 0" [ "$RC" -eq 0 ]
check "BUILDX_GIT_INFO=1 set by the user: buildx asked git" grep -q 'rev-parse' git.log
[ "$RC" -eq 0 ] || show

"$real_git" init -q .
"$real_git" add docker-bake.hcl
"$real_git" -c user.name=dbake -c user.email=dbake@localhost commit -qm bake
head=$("$real_git" rev-parse HEAD)
NONCE=$NONCE-git
write_bake
: >git.log
PATH=$PROJ/bin:$PATH run_dbake
check "in a work tree: exit 0" [ "$RC" -eq 0 ]
check "in a work tree: both built" all_built g1 g2
check "in a work tree: buildx asked git" grep -q 'rev-parse' git.log
check "in a work tree: the build has the commit" [ "$(vcs_of g1)" = "$head" ]
check "nothing left behind" no_children_left
[ "$RC" -eq 0 ] || show
