#!/usr/bin/env bash
# tests/k8s/smoke.sh - self-check of the Kubernetes stand-ins in tests/k8s:
# builds the API server stand-in, backs its pods with the test bed's BuildKit
# daemons (tools/cluster must be up), and drives the real buildx kubernetes
# driver, BuildKit's kube-pod:// helper and the kubectl stand-in against it.
# Prints "ok - ..." / "not ok - ..." lines; exits 1 if anything failed.
# Uses its own BUILDX_CONFIG, so the test bed's builders are not touched.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH=$PATH:/usr/local/go/bin

failures=0
ok() { printf 'ok - %s\n' "$*"; }
nok() { printf 'not ok - %s\n' "$*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null; then ok "$what"; else nok "$what"; fi; }
bail() { nok "$*"; exit 1; }

env_out=$("$root/tools/cluster" env 2>/dev/null) || bail "test bed is not up (tools/cluster up)"
eval "$env_out"
read -r -a backends <<<"${DBAKE_TEST_NODE_ADDRS:-}"
((${#backends[@]} > 0)) || bail "test bed lists no node addresses"
buildctl=${DBAKE_TEST_BUILDCTL:-$HOME/.cache/dbake-testbed/bin/buildctl}
[[ -x $buildctl ]] || buildctl=$(command -v buildctl) || bail "no buildctl"

tmp=$(mktemp -d /tmp/dbake-k8s-smoke.XXXXXX)
pid=
cleanup() {
	docker buildx rm --force k8s-smoke >/dev/null 2>&1
	docker buildx rm --force k8s-smoke-sts >/dev/null 2>&1
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	if ((failures)); then
		echo "# API server log (last 40 lines):"
		tail -n 40 "$tmp/apiserver.log" 2>/dev/null | sed 's/^/# /'
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# -- the stand-in ------------------------------------------------------------
if (cd "$here/apiserver" && CGO_ENABLED=0 go build -o "$tmp/k8sapi" .) >"$tmp/build.log" 2>&1; then
	ok "apiserver builds"
else
	sed 's/^/# /' "$tmp/build.log"
	bail "apiserver builds"
fi

backend_list=$(IFS=,; echo "${backends[*]}")
mkdir "$tmp/sock"
"$tmp/k8sapi" --listen 127.0.0.1:0 --addr-file "$tmp/addr" --backends "$backend_list" \
	--buildctl "$buildctl" --socket-dir "$tmp/sock" >"$tmp/stdout" 2>"$tmp/apiserver.log" &
pid=$!
for _ in $(seq 100); do [[ -s $tmp/addr ]] && break; sleep 0.05; done
url=$(cat "$tmp/addr" 2>/dev/null)
[[ $url == http://127.0.0.1:* ]] || bail "apiserver starts and writes --addr-file"
sleep 0.1
check "apiserver prints only 'listening on URL'" [ "$(cat "$tmp/stdout")" = "listening on $url" ]

cat >"$tmp/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: $url
  name: dbake-test
contexts:
- context:
    cluster: dbake-test
    namespace: dbake
    user: dbake-test
  name: dbake-test
current-context: dbake-test
users:
- name: dbake-test
  user: {}
EOF
export KUBECONFIG=$tmp/kubeconfig BUILDX_CONFIG=$tmp/buildx DBAKE_TEST_BUILDCTL=$buildctl
unset BUILDX_BUILDER
export PATH=$here:$PATH

check "kubectl version reaches the server" \
	bash -c 'kubectl version | grep -q "^Server Version: v1.35"'
check "kubectl version --client" bash -c 'kubectl version --client | grep -q "^Client Version:"'
check "kubectl rejects unknown commands" \
	bash -c 'out=$(kubectl frobnicate 2>&1); [ $? = 1 ] && [[ $out == "error: unknown command"* ]]'
check "discovery: /api and /apis" bash -c "curl -sf '$url/api' | jq -e '.versions == [\"v1\"]' >/dev/null &&
	curl -sf '$url/apis' | jq -e '.groups[0].name == \"apps\"' >/dev/null"

# -- a 3-replica Deployment ------------------------------------------------------
check "buildx create --driver kubernetes" docker buildx create --driver kubernetes --name k8s-smoke \
	--node k8s-smoke0 --driver-opt replicas=3,namespace=dbake
out=$(timeout 120 docker buildx inspect --bootstrap k8s-smoke 2>&1)
check "buildx inspect --bootstrap: running" grep -q '^Status: *running' <<<"$out"
check "buildx inspect --bootstrap: platforms" grep -q '^Platforms: *linux/' <<<"$out"
out=$(timeout 60 docker buildx inspect k8s-smoke 2>&1)
check "buildx inspect: 3 nodes running" [ "$(grep -c '^Status: *running' <<<"$out")" = 3 ]
check "buildx keeps the kubeconfig path in the node's endpoint" \
	bash -c 'env -u KUBECONFIG HOME=/nonexistent timeout 60 docker buildx inspect k8s-smoke 2>&1 | grep -q "^Status: *running"'

pods=$(kubectl get pods -n dbake -l app=k8s-smoke0 -o json)
check "kubectl get pods -l: 3 pods" [ "$(jq '.items | length' <<<"$pods")" = 3 ]
check "kubectl get pods: a List of Running pods" \
	jq -e '.kind == "List" and all(.items[]; .kind == "Pod" and .status.phase == "Running")' <<<"$pods"
check "pods are named like a ReplicaSet's" \
	jq -e 'all(.items[].metadata.name; test("^k8s-smoke0-[a-z0-9]{10}-[a-z0-9]{5}$"))' <<<"$pods"
nb=$((${#backends[@]} < 3 ? ${#backends[@]} : 3))
check "pods are dealt round-robin over the backends" \
	[ "$(jq '[.items[].metadata.annotations["dbake.test/backend"]] | unique | length' <<<"$pods")" = "$nb" ]
check "dbake's form: --namespace= --selector= --output=json" \
	[ "$(kubectl --namespace=dbake get pods --selector=app=k8s-smoke0 --output=json | jq '.items | length')" = 3 ]
check "namespace from the kubeconfig context" \
	[ "$(kubectl get pods -l app=k8s-smoke0 -o json | jq '.items | length')" = 3 ]
check "other namespaces are empty" [ "$(kubectl -n default get pods -o json | jq '.items | length')" = 0 ]
check "kubectl get deployment: ready replicas" \
	bash -c 'kubectl get deployment k8s-smoke0 -o json | jq -e ".status.readyReplicas == 3 and .status.observedGeneration == .metadata.generation" >/dev/null'

# every pod reaches its own backend, through kube-pod:// and the kubectl stand-in
pod_ok=1
while IFS=' ' read -r pod backend; do
	via=$("$buildctl" --addr "kube-pod://$pod?namespace=dbake&container=buildkitd" debug workers 2>&1 | awk 'NR > 1 { print $1 }')
	direct=$("$buildctl" --addr "$backend" debug workers 2>&1 | awk 'NR > 1 { print $1 }')
	[[ -n $via && $via == "$direct" ]] || { pod_ok=; echo "# $pod: via kube-pod '$via', $backend '$direct'"; }
done < <(jq -r '.items[] | "\(.metadata.name) \(.metadata.annotations["dbake.test/backend"])"' <<<"$pods")
check "buildctl --addr kube-pod://POD reaches each pod's backend" [ -n "$pod_ok" ]
check "kubectl exec: unknown pod" bash -c '[ "$(kubectl --context= --namespace=dbake exec --container=buildkitd -i nope -- buildctl dial-stdio 2>&1 </dev/null)" = "Error from server (NotFound): pods \"nope\" not found" ]'
check "pods/exec: unknown pod is a 404 Status" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$url/api/v1/namespaces/dbake/pods/nope/exec?command=buildctl')\" = 404 ]"
check "unknown deployment is a NotFound Status" bash -c "curl -s '$url/apis/apps/v1/namespaces/dbake/deployments/nope' | jq -e '.kind == \"Status\" and .reason == \"NotFound\" and .code == 404' >/dev/null"

mkdir -p "$tmp/ctx"
echo "hello from k8s" >"$tmp/ctx/hello.txt"
printf 'FROM scratch\nCOPY hello.txt /\n' >"$tmp/ctx/Dockerfile"
check "buildx build --builder k8s-smoke" \
	timeout 300 docker buildx build --builder k8s-smoke --progress quiet -o "type=local,dest=$tmp/out" "$tmp/ctx"
check "build output" grep -qx "hello from k8s" "$tmp/out/hello.txt"
cat >"$tmp/ctx/docker-bake.hcl" <<EOF
group "default" { targets = ["a", "b"] }
target "a" { output = ["type=local,dest=bake-a"] }
target "b" { output = ["type=local,dest=bake-b"] }
EOF
check "buildx bake --builder k8s-smoke" bash -c "cd '$tmp/ctx' && timeout 300 docker buildx bake --builder k8s-smoke --progress quiet >/dev/null"
check "bake outputs" bash -c "[ -f '$tmp/ctx/bake-a/hello.txt' ] && [ -f '$tmp/ctx/bake-b/hello.txt' ]"

# a deleted pod is replaced by a new one on the same backend
victim=$(jq -r '.items[0].metadata.name' <<<"$pods")
check "kubectl delete pod" [ "$(kubectl -n dbake delete pod "$victim")" = "pod \"$victim\" deleted" ]
pods2=$(kubectl get pods -n dbake -l app=k8s-smoke0 -o json)
new=$(jq -r --argjson old "$pods" '[.items[].metadata.name] - [$old.items[].metadata.name] | .[]' <<<"$pods2")
check "a replacement pod appears" [ "$(jq '.items | length' <<<"$pods2")" = 3 -a "$(wc -w <<<"$new")" = 1 ]
check "the replacement is on the lost pod's backend" [ "$(jq -r --arg p "$new" '.items[] | select(.metadata.name == $p) | .metadata.annotations["dbake.test/backend"]' <<<"$pods2")" = "$(jq -r --arg p "$victim" '.items[] | select(.metadata.name == $p) | .metadata.annotations["dbake.test/backend"]' <<<"$pods")" ]
check "the deleted pod is gone" bash -c "! kubectl -n dbake get pod '$victim' -o json 2>/dev/null"
check "build after the pod change" \
	timeout 300 docker buildx build --builder k8s-smoke --progress quiet -o "type=local,dest=$tmp/out2" "$tmp/ctx"

check "buildx rm" docker buildx rm k8s-smoke
check "buildx rm deletes the Deployment" bash -c '! kubectl -n dbake get deployment k8s-smoke0 -o json 2>/dev/null'
check "buildx rm deletes the pods" [ "$(kubectl -n dbake get pods -l app=k8s-smoke0 -o json | jq '.items | length')" = 0 ]

# -- a StatefulSet (buildx makes one for a persistent volume claim) ------------
printf '[worker.oci]\n  max-parallelism = 2\n' >"$tmp/buildkitd.toml"
check "buildx create (StatefulSet, buildkitd config)" docker buildx create --driver kubernetes --name k8s-smoke-sts \
	--node k8s-smoke-sts0 --buildkitd-config "$tmp/buildkitd.toml" \
	--driver-opt replicas=2,namespace=dbake,persistent-volume-claim.requests.storage=1Gi
check "buildx inspect --bootstrap (StatefulSet)" \
	bash -c 'timeout 120 docker buildx inspect --bootstrap k8s-smoke-sts 2>&1 | grep -q "^Status: *running"'
check "StatefulSet pods NAME-0, NAME-1" [ "$(kubectl -n dbake get pods -l app=k8s-smoke-sts0 -o name | tr '\n' ' ')" = "pod/k8s-smoke-sts0-0 pod/k8s-smoke-sts0-1 " ]
check "buildkitd config is a ConfigMap" \
	bash -c 'kubectl -n dbake get configmap k8s-smoke-sts0-config -o json | jq -e ".data[\"buildkitd.toml\"] | test(\"max-parallelism = 2\")" >/dev/null'
uid=$(kubectl -n dbake get pod k8s-smoke-sts0-1 -o json | jq -r .metadata.uid)
kubectl -n dbake delete pod k8s-smoke-sts0-1 >/dev/null
check "a deleted StatefulSet pod comes back with its name" \
	bash -c "u=\$(kubectl -n dbake get pod k8s-smoke-sts0-1 -o json | jq -r .metadata.uid) && [ -n \"\$u\" ] && [ \"\$u\" != '$uid' ]"
# the StatefulSet vanishes but its ConfigMap stays: bootstrapping again
# creates the ConfigMap (409), updates it (PUT) and recreates the StatefulSet
kubectl -n dbake delete statefulset k8s-smoke-sts0 >/dev/null
check "bootstrap again over an existing ConfigMap" \
	bash -c 'timeout 120 docker buildx inspect --bootstrap k8s-smoke-sts 2>&1 | grep -q "^Status: *running"'
check "the server saw 409 and PUT" \
	bash -c "grep -q 'POST /api/v1/namespaces/dbake/configmaps 409' '$tmp/apiserver.log' && grep -q 'PUT /api/v1/namespaces/dbake/configmaps/k8s-smoke-sts0-config 200' '$tmp/apiserver.log'"
check "buildx build on the StatefulSet" \
	timeout 300 docker buildx build --builder k8s-smoke-sts --progress quiet -o "type=local,dest=$tmp/out3" "$tmp/ctx"
check "buildx rm (StatefulSet)" docker buildx rm k8s-smoke-sts
check "buildx rm deletes StatefulSet, pods and ConfigMap" bash -c '
	! kubectl -n dbake get statefulset k8s-smoke-sts0 -o json 2>/dev/null &&
	! kubectl -n dbake get configmap k8s-smoke-sts0-config -o json 2>/dev/null &&
	[ "$(kubectl -n dbake get pods -o json | jq ".items | length")" = 0 ]'

# -- stop ------------------------------------------------------------------------
check "apiserver logs one line per request" grep -q '^k8sapi: .* GET /api/v1/namespaces/dbake/pods?labelSelector=app%3Dk8s-smoke0 200 ' "$tmp/apiserver.log"
kill "$pid"
stopped=
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { stopped=1; break; }; sleep 0.05; done
wait "$pid" 2>/dev/null
pid=
check "apiserver stops on SIGTERM" [ -n "$stopped" ]
check "apiserver removes its sockets" [ -z "$(ls -A "$tmp/sock")" ]

((failures == 0)) && echo "# all passed" || echo "# $failures failed"
((failures == 0))
