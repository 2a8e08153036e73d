#!/usr/bin/env bash
# As a docker CLI plugin: installed by make install, run as `docker dbake`,
# docker's global flags honoured, stopped when the docker CLI is stopped.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
project
# make install into the cluster's isolated DOCKER_CONFIG, as a user would
# into ~/.docker.
make -s -C "$top" install DOCKER_CONFIG="$DOCKER_CONFIG" >/dev/null 2>&1
check "make install puts the plugin in \$DOCKER_CONFIG/cli-plugins" [ -x "$DOCKER_CONFIG/cli-plugins/docker-dbake" ]
check "docker dbake --version" bash -c 'docker dbake --version | grep -q "^dbake "'
check "docker lists the plugin" bash -c 'docker --help 2>/dev/null | grep -Eq "^ +dbake\*? "'
{
	hcl_target web 1 'platforms = ["linux/amd64"]'
	cat <<HCL
target "slow" {
  dockerfile-inline = "FROM $BASE\nRUN echo slow-$NONCE && sleep 60\n"
}
HCL
} >docker-bake.hcl

out=$(docker --config "$DOCKER_CONFIG" -D -l info dbake --plan web 2>&1)
check "global flags before dbake: --plan works" grep -q '"web"' <<<"$out"

out=$(docker --context "nosuch-$NONCE" dbake --progress plain web 2>&1)
rc=$?
echo "# --context nosuch: rc=$rc: $(tail -n1 <<<"$out")"
check "--context is passed to the docker commands dbake runs" grep -q "nosuch-$NONCE" <<<"$out"
check "an unknown --context fails" [ "$rc" -ne 0 ]

img=e2e/host-flag:t$NONCE
sed -i "s|^target \"web\" {|target \"web\" {\n  tags = [\"$img\"]|" docker-bake.hcl
sock=${DOCKER_HOST#unix://}
out=$(env -u DOCKER_HOST docker -H "unix://$sock" dbake --progress plain --load web 2>&1)
rc=$?
check "-H: --load reaches the daemon named by -H (rc=$rc)" [ "$rc" -eq 0 ]
in_dockerd() { docker image inspect "$1" >/dev/null 2>&1; }
check "-H: the image is in that daemon" in_dockerd "$img"
docker image rm "$img" >/dev/null 2>&1

# Without a terminal the docker CLI does not pass SIGTERM on: it closes
# its plugin socket, and dbake must stop its builds.
docker dbake --progress plain slow >"$PROJ/term.out" 2>&1 &
pid=$!
for i in $(seq 1 300); do grep -q 'building slow' "$PROJ/term.out" && break; sleep 0.1; done
sleep 1
start=$SECONDS
kill -TERM "$pid"
wait "$pid"
rc=$?
took=$((SECONDS - start))
echo "# docker CLI got SIGTERM: rc=$rc after ${took}s"
sed 's/^/# out: /' "$PROJ/term.out"
check "SIGTERM to the docker CLI stops dbake (rc=$rc)" [ "$rc" -ne 0 ]
check "it stops within the grace period (${took}s)" [ "$took" -le 10 ]
check "it reports the build cancelled" grep -q 'cancelled slow' "$PROJ/term.out"
OUT=$(cat "$PROJ/term.out")
check "no child process of that run left" no_children_left
rm -f "$DOCKER_CONFIG/cli-plugins/docker-dbake"
