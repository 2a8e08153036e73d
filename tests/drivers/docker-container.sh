#!/usr/bin/env bash
# A builder of docker-container nodes (tools/cluster up --driver
# docker-container): each node's BuildKit is reached in its container,
# through the node's docker context (or one of dbake's own, for a docker
# host URL); stopped nodes are started as bake would, or left out with
# --no-bootstrap; the user's containers, volumes, builders and contexts
# are as they were after every run, even an interrupted one.
. "$(dirname "$0")/../e2e/lib.sh"
[ "${DBAKE_TEST_DRIVER:-}" = docker-container ] || {
	echo "not ok - run on a docker-container test bed (tools/cluster up --driver docker-container)"
	exit 1
}
project
{
	echo 'group "default" { targets = ["a", "b", "c"] }'
	hcl_target a 1
	hcl_target b 1
	hcl_target c 1
	hcl_target long 60
} >docker-bake.hcl

# what the user has: containers (id, name, state, start time), volumes,
# builders and contexts
user_state() {
	docker ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.State}}' | sort
	docker inspect --format '{{.Name}} {{.State.StartedAt}}' $(docker ps -aq) | sort
	docker volume ls -q | sort
	docker buildx ls --format '{{.Name}} {{.DriverEndpoint}}' | sort
	docker context ls -q 2>/dev/null | sort
}

run_dbake --plan
endpoints=$(python3 -c 'import json,sys; print(" ".join(n["name"] + "=" + n["endpoint"] for n in json.loads(sys.argv[1])["nodes"]))' "$OUT")
echo "# $endpoints"
check "--plan: the node on the current docker host, by container name" \
	grep -qw "node0=docker-container://buildx_buildkit_node0" <<<"$endpoints"
check "--plan: a node through its docker context" \
	grep -qw "node1=docker-container://buildx_buildkit_node1?context=dbake-test-ctx1" <<<"$endpoints"
check "--plan: every node of the builder" [ "$(wc -w <<<"$endpoints")" -eq "$(wc -w <<<"$DBAKE_TEST_NODES")" ]

before=$(user_state)
run_dbake
check "a run: exit 0" [ "$RC" -eq 0 ]
check "a run: every target built" all_built a b c
nodes_used=$(for t in a b c; do built_on $t; done | sort -u | wc -l)
check "a run: spread over nodes ($nodes_used)" [ "$nodes_used" -ge 2 ]
check "a run: the user's containers, volumes, builders, contexts unchanged" \
	[ "$(user_state)" = "$before" ]
check "a run: no child process left" no_children_left
check "a run: no shard in docker buildx ls" no_shard_listed
[ "$RC" -eq 0 ] || show

# interrupted while building
signal_run INT long
check "SIGINT: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "SIGINT: the user's containers, volumes, builders, contexts unchanged" \
	[ "$(user_state)" = "$before" ]
check "SIGINT: no child process left" no_children_left

# a stopped node: left out with one line under --no-bootstrap...
docker stop buildx_buildkit_node1 >/dev/null
run_dbake --no-bootstrap a b c
check "--no-bootstrap: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--no-bootstrap: one line for the stopped node" \
	[ "$(grep -c "skipping node 'node1' (stopped)" <<<"$ERR")" -eq 1 ]
check "--no-bootstrap: built on the others" \
	eval '[ -n "$(built_on a)" ] && ! grep -q "^\[node1\]" <<<"$OUT"'
check "--no-bootstrap: the container stays stopped" \
	[ "$(docker inspect --format '{{.State.Running}}' buildx_buildkit_node1)" = false ]
[ "$RC" -eq 0 ] || show
# ...and started first otherwise, as bake does
run_dbake a b c
check "bootstrap: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "bootstrap: says it starts the node" grep -q "starting 1 node of builder" <<<"$ERR"
check "bootstrap: the container runs again" \
	[ "$(docker inspect --format '{{.State.Running}}' buildx_buildkit_node1)" = true ]
check "bootstrap: all three nodes in the run" grep -q "on 3 nodes" <<<"$OUT"
[ "$RC" -eq 0 ] || show

# a node on a docker host URL this run does not talk to (the same
# dockerd by another path, which buildx accepts): reached through a
# docker context in dbake's own config dir; the user's are left as they are
ln -s "${DOCKER_HOST#unix://}" "$PROJ/elsewhere.sock"
dh="unix://$PROJ/elsewhere.sock"
out=$(docker buildx create --driver docker-container --name "far-$NONCE" --node far \
	--driver-opt "image=$REG/dbake/buildkit:v0.31.2,network=host" "$dh" 2>&1)
rc=$?
check "another docker host: buildx makes the builder" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || echo "# $out"
contexts_before=$(docker context ls -q 2>/dev/null | sort)
config_before=$(cd "$DOCKER_CONFIG" && find . -path ./buildx -prune -o -print | sort)
run_dbake --builder "far-$NONCE" a
check "another docker host: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "another docker host: built there (started first)" [ "$(built_on a)" = far ]
run_dbake --builder "far-$NONCE" --plan
check "another docker host: through a context of dbake's" \
	grep -q '"endpoint": "docker-container://buildx_buildkit_far?context=dbake-' <<<"$OUT"
check "another docker host: the user's contexts unchanged" \
	[ "$(docker context ls -q 2>/dev/null | sort)" = "$contexts_before" ]
check "another docker host: nothing new in the user's docker config" \
	[ "$(cd "$DOCKER_CONFIG" && find . -path ./buildx -prune -o -print | sort)" = "$config_before" ]
[ "$RC" -eq 0 ] || show
docker buildx rm "far-$NONCE" >/dev/null 2>&1
