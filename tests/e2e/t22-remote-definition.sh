#!/usr/bin/env bash
# A remote definition (a git repository over http, as bake takes one
# first on the command line), alone and with -f: its own files by name,
# a local one by cwd://. dbake builds what plain bake builds from it.
. "$(dirname "$0")/lib.sh"
project
mkdir src work
(
	cd src && git init -q . &&
	cat >docker-bake.hcl <<HCL &&
variable "MODE" { default = "plain" }
target "r1" {
  dockerfile-inline = "FROM $BASE\nCOPY hello /hello\nRUN cat /hello > /r1 && echo r1-$NONCE >> /r1\n"
}
target "r2" {
  contexts = { r1 = "target:r1" }
  dockerfile = "Dockerfile.r2"
  tags = ["$REG/remote/\${MODE}-$NONCE/r2:v1"]
}
HCL
	echo "hello from git" >hello &&
	printf 'FROM r1\nARG X=none\nENV X=$X\nRUN echo r2-%s > /r2\n' "$NONCE" >Dockerfile.r2 &&
	git add -A && git -c user.email=t@example.com -c user.name=t commit -qm init
) || { nok "make the repository"; exit 1; }
git clone -q --bare src repo.git && (cd repo.git && git update-server-info)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$PROJ" >http.log 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$PROJ"' EXIT
url=http://127.0.0.1:$port/repo.git
wait_until 10 curl -fs -o /dev/null "$url/HEAD" 2>/dev/null || { nok "serve the repository"; exit 1; }
cd work
printf 'target "r2" {\n  args = { X = "local-%s" }\n}\n' "$NONCE" >local.hcl

p=$(docker buildx bake --print -f docker-bake.hcl -f cwd://local.hcl "$url" r2 2>/dev/null)
d=$("$DBAKE" dbake --print -f docker-bake.hcl -f cwd://local.hcl "$url" r2 2>/dev/null)
check "--print of a remote definition with -f: bake's" [ -n "$p" -a "$p" = "$d" ]

MODE=plain docker buildx bake --progress plain --push -f docker-bake.hcl \
	-f cwd://local.hcl "$url" r2 >plain.log 2>&1
prc=$?
check "plain bake: exit 0" [ "$prc" -eq 0 ]
[ "$prc" -eq 0 ] || tail -n 20 plain.log
MODE=dbake run_dbake --push -f docker-bake.hcl -f cwd://local.hcl "$url" r2
check "dbake: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
check "dbake: both targets built" all_built r1 r2
config() { # REPO: the pushed image's config, its env and architecture
	local m
	m=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json' \
		"http://$REG/v2/$1/manifests/v1") || return 1
	if jq -e .manifests >/dev/null <<<"$m"; then
		m=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
			"http://$REG/v2/$1/manifests/$(jq -r '[.manifests[] | select(.platform.os != "unknown")][0].digest' <<<"$m")")
	fi
	curl -fsS "http://$REG/v2/$1/blobs/$(jq -r .config.digest <<<"$m")" |
		jq -cS '{os, architecture, env: .config.Env}'
}
pc=$(config "remote/plain-$NONCE/r2")
dc=$(config "remote/dbake-$NONCE/r2")
echo "# r2: $dc"
check "r2: the same image as plain bake's" [ -n "$pc" -a "$pc" = "$dc" ]
check "r2: the local file's value reached it" grep -q "X=local-$NONCE" <<<"$dc"

# without -f: the remote definition's own files only; no local file read
echo 'not a bake file {' >docker-bake.hcl
run_dbake "$url" r2
check "remote definition alone: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
check "nothing left behind" no_children_left
