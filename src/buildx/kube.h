/*
 * Kubernetes builders: a node of the kubernetes driver is a Deployment
 * (or StatefulSet) of N BuildKit pods, which buildx shows as N copies of
 * one node and sends a whole build to one pod of. dbake makes each
 * running pod a node of its own, reached as
 * kube-pod://POD?namespace=NS&container=buildkitd (BuildKit runs
 * `kubectl exec -i POD -- buildctl dial-stdio`), with the pod's own
 * platforms. kubectl, with the run's KUBECONFIG, lists the pods.
 */
#ifndef DBAKE_KUBE_H
#define DBAKE_KUBE_H

#include "nodes.h"

/*
 * The running pods in `kubectl get pods -o json` output, sorted by name
 * (a pod being deleted is not running), and (kinds, may be NULL) the
 * kind of each one's controller ("StatefulSet", "ReplicaSet", or "").
 * Pure. -1 on text that is not a pod list.
 */
int kube_running_pods(const char *json, struct strvec *pods,
		      struct strvec *kinds);

/* The Deployment or StatefulSet buildx makes for a node (pure). */
char *kube_workload_name(const char *node);

/*
 * Replace every node of a kubernetes builder by one node per running pod
 * of its workload. A node whose pods cannot be listed, or that has none
 * running, stays, marked so that nodes_filter_usable says why. Fails
 * when kubectl is not on PATH. A pod's cache is its own (its endpoint
 * names it in history); what history knows of a Deployment's pods
 * otherwise (capacity, speed) is kept under the Deployment, since its
 * pods come and go under new names; a StatefulSet's keep their names.
 */
int kube_expand(struct nodeset *set);

/* How many nodes are pods, whose platforms kube_probe reads. */
size_t kube_pods(const struct nodeset *set);

/*
 * Read each pod node's platforms from BuildKit itself, through its shard
 * (`buildx inspect SHARD`, all at once): pods of one workload may run on
 * machines of different architectures. A pod that does not answer is
 * marked, for nodes_filter_usable to leave out. env: the shards'.
 */
void kube_probe(struct nodeset *set, const struct strvec *env,
		const struct strvec *docker_globals);

#endif
