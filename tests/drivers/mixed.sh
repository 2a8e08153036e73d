#!/usr/bin/env bash
# A builder whose nodes are BuildKit reached in three ways: a daemon on
# tcp://, the BuildKit in a docker-container node's container
# (docker-container://) and one in a Kubernetes pod (kube-pod://). buildx
# keeps one driver per builder ("existing instance ... has mismatched
# driver"), so such a builder is one of the remote driver over those
# endpoints. dbake spreads over all three, and leaves the containers,
# the pods and the user's builders as they were, SIGINT included.
#
# Run with the kubernetes test bed's exports, while a docker-container
# test bed is up in $DBAKE_MIXED_DC_DIR (tests/run --drivers does).
. "$(dirname "$0")/../e2e/lib.sh"
[ "${DBAKE_TEST_DRIVER:-}" = kubernetes ] && [ -n "${DBAKE_MIXED_DC_DIR:-}" ] || {
	echo "not ok - run on a kubernetes test bed, with DBAKE_MIXED_DC_DIR a docker-container one"
	exit 1
}
top=$(cd "$(dirname "$0")/../.." && pwd)
NS=$DBAKE_TEST_K8S_NAMESPACE
dc_env=$(DBAKE_CLUSTER_DIR=$DBAKE_MIXED_DC_DIR "$top/tools/cluster" env) ||
	{ echo "not ok - the docker-container test bed is up"; exit 1; }
dc_host=$(eval "$dc_env"; echo "$DOCKER_HOST")
dc_node=$(eval "$dc_env"; echo "${DBAKE_TEST_NODES%% *}")
project

# two amd64 pods: one is a node as a pod, the other's daemon as tcp://
json=$(kubectl --namespace "$NS" get pods -o json)
arm=" ${DBAKE_TEST_ARM64_NODES:-} "
pods=()
for p in $DBAKE_TEST_NODES; do [[ $arm == *" $p "* ]] || pods+=("$p"); done
((${#pods[@]} >= 2)) || { echo "not ok - two amd64 pods on the kubernetes test bed"; exit 1; }
pod=${pods[0]}
tcp=$(jq -r --arg p "${pods[1]}" '.items[] | select(.metadata.name == $p) | .metadata.annotations["dbake.test/backend"]' <<<"$json")

# the user's own docker and buildx config, and the docker host of the
# docker-container node
export DOCKER_CONFIG=$PROJ/docker BUILDX_CONFIG=$PROJ/docker/buildx DOCKER_HOST=$dc_host
mkdir -p "$BUILDX_CONFIG" && echo '{}' >"$DOCKER_CONFIG/config.json"
mk() { docker buildx create --driver remote --name mixed "$@" >>create.log 2>&1; }
mk --node tcp0 "$tcp" &&
	mk --append --node dc0 "docker-container://buildx_buildkit_$dc_node" &&
	mk --append --node pod0 "kube-pod://$pod?namespace=$NS&container=buildkitd" ||
	{ echo "not ok - create the mixed builder"; sed 's/^/# /' create.log; exit 1; }
export BUILDX_BUILDER=mixed
mixed_err=$(docker buildx create --append --name mixed --driver docker-container --node x 2>&1)
check "buildx keeps one driver per builder" grep -q 'mismatched driver' <<<"$mixed_err"

{
	echo 'group "default" { targets = ["a", "b", "c", "d", "e", "f"] }'
	for t in a b c d e f; do hcl_target $t 3; done
	hcl_target long 60
} >docker-bake.hcl

containers() { docker ps -a --format '{{.Names}} {{.State}}' | sort; }
pods_now() { kubectl --namespace "$NS" get pods -o json | jq -r '.items[].metadata.name' | sort; }
builders() { docker buildx ls --format '{{.Name}} {{.DriverEndpoint}}' | sort; }
before_c=$(containers) before_p=$(pods_now) before_b=$(builders)

run_dbake --plan
check "--plan: exit 0 (got $RC)" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || show
endpoints=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(" ".join(sorted(n["endpoint"].split(":")[0] for n in d["nodes"])))' "$OUT" 2>/dev/null)
check "--plan: a tcp, a docker-container and a kube-pod node ($endpoints)" \
	[ "$endpoints" = "docker-container kube-pod tcp" ]

run_dbake
check "a run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a run: every target built" all_built a b c d e f
used=$(for t in a b c d e f; do built_on $t; done | sort -u | tr '\n' ' ')
check "a run: spread over all three nodes ($used)" [ "$used" = "dc0 pod0 tcp0 " ]
check "a run: the containers are as they were" [ "$(containers)" = "$before_c" ]
check "a run: the pods are as they were" [ "$(pods_now)" = "$before_p" ]
check "a run: the user's builders are as they were" [ "$(builders)" = "$before_b" ]
check "a run: no child process left" no_children_left
[ "$RC" -eq 0 ] || show

signal_run INT long
check "SIGINT: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "SIGINT: the containers are as they were" [ "$(containers)" = "$before_c" ]
check "SIGINT: the pods are as they were" [ "$(pods_now)" = "$before_p" ]
check "SIGINT: the user's builders are as they were" [ "$(builders)" = "$before_b" ]
check "SIGINT: no child process left" no_children_left

# a kube-pod:// node without kubectl: said before anything starts
no_kubectl_said "kube-pod.*kubectl" a
