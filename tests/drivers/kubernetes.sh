#!/usr/bin/env bash
# A builder of the kubernetes driver (tools/cluster up --driver
# kubernetes --nodes 4: a node of three amd64 replicas and one of an arm64
# replica on the Kubernetes API stand-in, pods backed by the test bed's
# buildkitd daemons): each running pod is a
# node of its own, reached as kube-pod://, with its own platforms; pods
# that vanish and appear between runs are followed; kubectl missing is
# said before anything is built.
. "$(dirname "$0")/../e2e/lib.sh"
[ "${DBAKE_TEST_DRIVER:-}" = kubernetes ] || {
	echo "not ok - run on a kubernetes test bed (tools/cluster up --driver kubernetes)"
	exit 1
}
NS=$DBAKE_TEST_K8S_NAMESPACE
project
{
	echo 'group "default" { targets = ["a", "b", "c", "d"] }'
	for t in a b c d; do hcl_target $t 2; done
	hcl_target long 60
} >docker-bake.hcl

pods() { kubectl --namespace "$NS" get pods -o json | jq -r '.items[].metadata.name' | sort; }
plan_nodes() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("\n".join(sorted(n["name"] for n in d["nodes"])))' "$OUT"; }
node_field() { # NODE FIELD: from the last --plan
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); n=[n for n in d["nodes"] if n["name"]==sys.argv[2]]; print(" ".join(n[0][sys.argv[3]]) if n and isinstance(n[0][sys.argv[3]], list) else (n[0][sys.argv[3]] if n else ""))' "$OUT" "$1" "$2"
}

inspect=$(docker buildx inspect)
echo "# buildx inspect lists: $(grep -c '^Name: *dbake-k8s0' <<<"$inspect") nodes named dbake-k8s0"
run_dbake --plan
check "--plan: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "--plan: one node per running pod" [ "$(plan_nodes)" = "$(pods)" ]
check "--plan: as many as the replicas" [ "$(plan_nodes | wc -l)" -eq "$(wc -w <<<"$DBAKE_TEST_NODES")" ]
arm=${DBAKE_TEST_ARM64_NODES%% *}
check "--plan: a pod reached as kube-pod://" \
	[ "$(node_field "$arm" endpoint)" = "kube-pod://$arm?namespace=$NS&container=buildkitd" ]
check "--plan: each pod's own platforms (the arm64 one builds arm64)" \
	[ "$(node_field "$arm" native)" = linux/arm64 ]
other=$(pods | grep -vx "$arm" | head -n1)
check "--plan: and the others amd64" grep -qw linux/amd64 <<<"$(node_field "$other" native)"
[ "$RC" -eq 0 ] || show

before_pods=$(pods) before_ls=$(docker buildx ls --format '{{.Name}} {{.DriverEndpoint}}' | sort)
run_dbake
check "a run: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a run: every target built" all_built a b c d
used=$(for t in a b c d; do built_on $t; done | sort -u | wc -l)
check "a run: spread over pods ($used)" [ "$used" -ge 2 ]
check "a run: the pods are as they were" [ "$(pods)" = "$before_pods" ]
check "a run: the user's builders are as they were" \
	[ "$(docker buildx ls --format '{{.Name}} {{.DriverEndpoint}}' | sort)" = "$before_ls" ]
check "a run: no child process left" no_children_left
[ "$RC" -eq 0 ] || show

# interrupted while building: the pods are as they were
signal_run INT long
check "SIGINT: exit 130 (got $RC)" [ "$RC" -eq 130 ]
check "SIGINT: the pods are as they were" [ "$(pods)" = "$before_pods" ]
check "SIGINT: the user's builders are as they were" \
	[ "$(docker buildx ls --format '{{.Name}} {{.DriverEndpoint}}' | sort)" = "$before_ls" ]
check "SIGINT: no child process left" no_children_left

# a pod vanishes, its replacement appears (as a ReplicaSet does)
gone=$other
kubectl --namespace "$NS" delete pod "$gone" >/dev/null
new=$(comm -13 <(printf '%s\n' "$before_pods") <(pods))
echo "# deleted $gone, replaced by ${new:-nothing}"
run_dbake --plan
check "a pod replaced: the plan has the new pod" grep -qx "$new" <<<"$(plan_nodes)"
not_listed() { ! grep -qx "$1" <<<"$2"; }
check "a pod replaced: not the old one" not_listed "$gone" "$(plan_nodes)"
run_dbake a b c d
check "a pod replaced: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "a pod replaced: every target built" all_built a b c d
[ "$RC" -eq 0 ] || show

# a StatefulSet (buildx makes one for a persistent volume claim): its pods
# NAME-0, NAME-1 keep their names, so a recreated pod is the same node
sts=sts-$NONCE
docker buildx create --driver kubernetes --name "$sts" --node "${sts}0" \
	--driver-opt "replicas=2,namespace=$NS,persistent-volume-claim.requests.storage=1Gi" >/dev/null 2>&1
docker buildx inspect --bootstrap "$sts" >/dev/null 2>&1
run_dbake --builder "$sts" --plan
check "StatefulSet: its pods, by ordinal" [ "$(plan_nodes | tr '\n' ' ')" = "${sts}0-0 ${sts}0-1 " ]
kubectl --namespace "$NS" delete pod "${sts}0-0" >/dev/null
run_dbake --builder "$sts" a b
check "StatefulSet: a recreated pod is the same node: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "StatefulSet: built on its pods" grep -q "^\[${sts}0-[01]\] built a" <<<"$OUT"
[ "$RC" -eq 0 ] || show
docker buildx rm "$sts" >/dev/null 2>&1

# without kubectl nothing starts (a PATH of docker alone: this machine
# may have a kubectl of its own elsewhere)
no_kubectl_said "kubectl" a
