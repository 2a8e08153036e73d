#include "kube.h"
#include "docker.h"
#include "../proc.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pod {
	const char *name, *kind;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pod *)a)->name,
		      ((const struct pod *)b)->name);
}

/* The kind of the pod's controller, or "". */
static const char *owner_kind(json_t *meta)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_object_get(meta, "ownerReferences"), i, ref) {
		const char *kind = json_string_value(json_object_get(ref, "kind"));
		if (kind && json_is_true(json_object_get(ref, "controller")))
			return kind;
	}
	return "";
}

int kube_running_pods(const char *json, struct strvec *pods,
		      struct strvec *kinds)
{
	json_t *doc = json_loads(json, 0, NULL);
	json_t *items = json_object_get(doc, "items");
	if (!json_is_array(items)) {
		json_decref(doc);
		return -1;
	}
	struct pod *found = xcalloc(json_array_size(items) + 1, sizeof(*found));
	size_t i, nr = 0;
	json_t *pod;
	json_array_foreach(items, i, pod) {
		json_t *meta = json_object_get(pod, "metadata");
		const char *name = json_string_value(json_object_get(meta, "name"));
		const char *phase = json_string_value(
			json_object_get(json_object_get(pod, "status"), "phase"));
		if (name && *name && phase && !strcmp(phase, "Running") &&
		    !json_object_get(meta, "deletionTimestamp"))
			found[nr++] = (struct pod){ name, owner_kind(meta) };
	}
	qsort(found, nr, sizeof(*found), by_name);
	for (i = 0; i < nr; i++) {
		strvec_push(pods, found[i].name);
		if (kinds)
			strvec_push(kinds, found[i].kind);
	}
	free(found);
	json_decref(doc);
	return 0;
}

char *kube_workload_name(const char *node)
{
	/* buildx: the node's name with '_' made '-' (buildxNameToDeploymentName) */
	char *s = xstrdup(node);
	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

/* Is an executable `name` in PATH? */
static int in_path(const char *name)
{
	const char *path = getenv("PATH");
	struct strvec dirs = STRVEC_INIT;
	strvec_split(&dirs, path ? path : "", ':');
	int found = 0;
	for (size_t i = 0; i < dirs.nr && !found; i++) {
		char *p = xstrfmt("%s/%s", *dirs.v[i] ? dirs.v[i] : ".", name);
		found = access(p, X_OK) == 0;
		free(p);
	}
	strvec_clear(&dirs);
	return found;
}

static void mark(struct node *n, const char *status, char *why)
{
	free(n->status);
	n->status = xstrdup(status);
	free(n->error);
	n->error = why;
}

/* The pods of node n, as new nodes appended to out. */
static void expand_one(struct nodeset *out, struct node *n)
{
	char *workload = kube_workload_name(n->name);
	struct strvec argv = STRVEC_INIT, pods = STRVEC_INIT, kinds = STRVEC_INIT;
	struct strbuf sout = STRBUF_INIT, serr = STRBUF_INIT;
	strvec_push(&argv, "kubectl");
	if (n->kube_ns)
		strvec_pushf(&argv, "--namespace=%s", n->kube_ns);
	strvec_push(&argv, "get");
	strvec_push(&argv, "pods");
	strvec_pushf(&argv, "--selector=app=%s", workload);
	strvec_push(&argv, "--output=json");
	int status = run_capture(argv.v, NULL, &sout, &serr);
	if (status < 0 || exit_code_of(status)) {
		strbuf_trim(&serr);
		char *nl = strchr(serr.buf, '\n');
		if (nl)
			*nl = '\0';
		mark(n, "unreachable",
		     xstrfmt("kubectl get pods: %s",
			     serr.len ? serr.buf : "interrupted"));
	} else if (kube_running_pods(sout.buf, &pods, &kinds) < 0) {
		mark(n, "unreachable",
		     xstrdup("kubectl get pods printed no pod list"));
	} else if (!pods.nr) {
		mark(n, "no running pod",
		     xstrfmt("no pod of %s is running", workload));
	}
	for (size_t i = 0; i < pods.nr; i++) {
		struct node *p = node_append(out);
		p->name = xstrdup(pods.v[i]);
		p->status = xstrdup("running");
		p->pod = 1;
		if (n->kube_ns)
			p->endpoint = xstrfmt("kube-pod://%s?namespace=%s"
					      "&container=buildkitd",
					      pods.v[i], n->kube_ns);
		else
			p->endpoint = xstrfmt("kube-pod://%s?container=buildkitd",
					      pods.v[i]);
		strvec_pushv(&p->platforms, n->platforms.v);
		strvec_pushv(&p->pinned, n->pinned.v);
		strvec_pushv(&p->driver_opts, n->driver_opts.v);
		strvec_pushv(&p->flags, n->flags.v);
		if (strcmp(kinds.v[i], "StatefulSet"))
			p->history_key = xstrfmt("kube-workload://%s/%s",
						 n->kube_ns ? n->kube_ns : "",
						 workload);
	}
	strvec_clear(&argv);
	strvec_clear(&pods);
	strvec_clear(&kinds);
	strbuf_release(&sout);
	strbuf_release(&serr);
	free(workload);
}

int kube_expand(struct nodeset *set)
{
	/* a remote node on a pod: BuildKit reaches it with kubectl too */
	for (size_t i = 0; set->driver && !strcmp(set->driver, "remote") &&
			   i < set->nr; i++)
		if (set->v[i].endpoint &&
		    starts_with(set->v[i].endpoint, "kube-pod://") &&
		    !in_path("kubectl"))
			return error("node '%s' of builder '%s' is a pod "
				     "(kube-pod://), reached with kubectl, which "
				     "is not in PATH",
				     set->v[i].name, set->builder);
	if (!set->driver || strcmp(set->driver, "kubernetes"))
		return 0;
	if (!in_path("kubectl"))
		return error("builder '%s' uses the kubernetes driver: dbake "
			     "reaches its pods with kubectl, which is not in "
			     "PATH", set->builder);
	/* a build that names no platform gets what buildx sees of the first
	 * node (the pod it reached), not the first pod's by name */
	const char *def = nodes_default_platform(set);
	if (def && !set->default_platform)
		set->default_platform = xstrdup(def);
	struct nodeset out = NODESET_INIT;
	for (size_t i = 0; i < set->nr; i++) {
		struct node *n = &set->v[i];
		size_t before = out.nr;
		if (!n->status || strcmp(n->status, "running")) {
			node_move(&out, n); /* filter_usable says why */
			continue;
		}
		expand_one(&out, n);
		if (out.nr == before)
			node_move(&out, n);
		else
			node_release(n);
	}
	free(set->v);
	set->v = out.v;
	set->nr = out.nr;
	set->alloc = out.alloc;
	return 0;
}

size_t kube_pods(const struct nodeset *set)
{
	size_t k = 0;
	for (size_t i = 0; i < set->nr; i++)
		k += set->v[i].pod;
	return k;
}

void kube_probe(struct nodeset *set, const struct strvec *env,
		const struct strvec *docker_globals)
{
	struct child *kids = xcalloc(set->nr + 1, sizeof(*kids));
	for (size_t i = 0; i < set->nr; i++) {
		kids[i] = (struct child)CHILD_INIT;
		if (!set->v[i].pod || !set->v[i].shard)
			continue;
		struct strvec argv = STRVEC_INIT, cenv = STRVEC_INIT;
		strvec_pushv(&cenv, env->v);
		buildx_argv(&argv, &cenv, docker_globals);
		strvec_push(&argv, "inspect");
		strvec_push(&argv, set->v[i].shard);
		if (child_start(&kids[i], argv.v, &cenv, 1) < 0)
			kids[i] = (struct child)CHILD_INIT;
		strvec_clear(&argv);
		strvec_clear(&cenv);
	}
	for (size_t i = 0; i < set->nr; i++) {
		struct node *n = &set->v[i];
		if (!n->pod)
			continue;
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
		int status = kids[i].pid > 0 ? child_collect(&kids[i], &out, &err)
					     : -1;
		struct nodeset one = NODESET_INIT;
		if (status >= 0 && !exit_code_of(status) &&
		    nodes_parse_inspect(&one, out.buf) == 0 && one.nr &&
		    one.v[0].status && !strcmp(one.v[0].status, "running") &&
		    one.v[0].platforms.nr) {
			strvec_clear(&n->platforms);
			strvec_pushv(&n->platforms, one.v[0].platforms.v);
		} else {
			mark(n, "not answering",
			     xstrdup(one.nr && one.v[0].error ? one.v[0].error
				     : "its BuildKit did not answer"));
		}
		nodeset_release(&one);
		strbuf_release(&out);
		strbuf_release(&err);
	}
	free(kids);
}
