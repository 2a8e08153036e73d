#include "transfer.h"
#include "dispatch.h"
#include "split.h"
#include "../util/util.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int transfer_path_ok(const char *path)
{
	/* dest= sits in a CSV field; the ref ends at its last '@' */
	return path && *path == '/' && !strpbrk(path, ",\"'=\n\r@");
}

static const char *effective(const struct strvec *platforms, const char *def,
			     size_t i)
{
	return platforms->nr ? platforms->v[i] : def;
}

int transfer_platforms_fit(const struct strvec *dep_platforms,
			   const char *dep_default,
			   const struct strvec *platforms,
			   const char *default_platform)
{
	size_t n = platforms->nr ? platforms->nr : 1;
	size_t m = dep_platforms->nr ? dep_platforms->nr : 1;
	/* one image: bake hands a single-platform result to a dependent of
	 * any platform, and BuildKit takes a layout's image as it is */
	if (m == 1)
		return 1;
	for (size_t i = 0; i < n; i++) {
		const char *want = effective(platforms, default_platform, i);
		int found = 0;
		for (size_t k = 0; k < m && !found; k++) {
			const char *have = effective(dep_platforms, dep_default, k);
			found = want && have && !strcmp(want, have);
		}
		if (!found)
			return 0;
	}
	return 1;
}

char *transfer_layout_digest(const char *dir)
{
	char *index = xstrfmt("%s/index.json", dir);
	json_t *doc = json_load_file(index, 0, NULL);
	free(index);
	const char *dg = json_string_value(json_object_get(
		json_array_get(json_object_get(doc, "manifests"), 0), "digest"));
	char *out = NULL;
	if (dg && starts_with(dg, "sha256:") && strlen(dg) == 71 &&
	    strspn(dg + 7, "0123456789abcdef") == 64) {
		char *blob = xstrfmt("%s/blobs/sha256/%s", dir, dg + 7);
		struct stat st;
		if (!stat(blob, &st) && S_ISREG(st.st_mode))
			out = xstrdup(dg);
		free(blob);
	}
	json_decref(doc);
	return out;
}

/* The job building target `name` among job's dependencies (a part of
 * it, when split, for the dependent's platform), or NO_JOB. */
static size_t dep_job(const struct run *run, size_t job, const char *name)
{
	const struct job *j = &run->dag.jobs[job];
	for (size_t i = 0; i < j->ndeps; i++)
		if (!strcmp(run->info[j->deps[i]].target->name, name))
			return j->deps[i];
	return NO_JOB;
}

void transfer_prepare(struct transfer *t, const struct run *run, int on)
{
	memset(t, 0, sizeof(*t));
	t->nr = run->dag.nr;
	t->exports = xcalloc(t->nr + 1, 1);
	t->ref = xcalloc(t->nr + 1, sizeof(*t->ref));
	if (!on || !run->logs.path)
		return;
	char *dir = xstrfmt("%s/oci", run->logs.path);
	if (!transfer_path_ok(dir)) {
		free(dir);
		return;
	}
	int any = 0;
	for (size_t d = 0; d < t->nr; d++) {
		const struct target *tg = run->info[d].target;
		for (size_t k = 0; k < tg->ctx_targets.nr; k++) {
			size_t dep = dep_job(run, d, tg->ctx_targets.v[k]);
			if (dep == NO_JOB || run->info[dep].merge)
				continue;
			/* a part pushed by digest is given as that image:
			 * a layout too would be a second exporter, and
			 * bake's metadata would then give its digest */
			t->exports[dep] = !split_part_pushes(run, dep);
			any = 1;
		}
	}
	if (!any || (mkdir(dir, 0700) < 0 && errno != EEXIST)) {
		memset(t->exports, 0, t->nr);
		free(dir);
		return;
	}
	t->dir = dir;
}

static const char *node_default(const struct run *run, int node)
{
	const struct node *n = &run->nodes->v[node];
	return n->platforms.nr ? n->platforms.v[0] : NULL;
}

/*
 * Whether `job`, building on `node`, gets its k-th "target:" context,
 * `dep`, as a layout: built and exported, with the platforms it needs.
 * Always so once built, on its own node too (BuildKit has the blobs):
 * the dependent's cache keys then stay the same whichever node builds
 * what, while the dependency's image does.
 */
static int uses_layout(const struct transfer *t, const struct run *run,
		       size_t job, size_t k, size_t dep, int node)
{
	const struct target *tg = run->info[job].target;
	const struct job *dj = &run->dag.jobs[dep];
	if (!t->ref[dep] || dj->state != JOB_DONE ||
	    strchr(tg->ctx_keys.v[k], '='))
		return 0;
	return transfer_platforms_fit(&run->info[dep].target->platforms,
				      node_default(run, dj->node),
				      &tg->platforms, node_default(run, node));
}

const char *transfer_context(const struct transfer *t, const struct run *run,
			     size_t job, const char *key, int node)
{
	if (!t->dir || job >= t->nr)
		return NULL;
	const struct target *tg = run->info[job].target;
	for (size_t k = 0; k < tg->ctx_keys.nr; k++) {
		if (strcmp(tg->ctx_keys.v[k], key))
			continue;
		size_t dep = dep_job(run, job, tg->ctx_targets.v[k]);
		if (dep != NO_JOB && uses_layout(t, run, job, k, dep, node))
			return t->ref[dep];
		return NULL;
	}
	return NULL;
}

char *transfer_dest(const struct transfer *t, size_t job, int export)
{
	if (!t->dir || job >= t->nr || !t->exports[job] || !export)
		return NULL;
	return xstrfmt("%s/%zu", t->dir, job);
}

void transfer_built(struct transfer *t, size_t job)
{
	if (!t->dir || job >= t->nr || !t->exports[job])
		return;
	char *dir = xstrfmt("%s/%zu", t->dir, job);
	char *digest = transfer_layout_digest(dir);
	free(t->ref[job]);
	t->ref[job] = digest ? xstrfmt("oci-layout://%s@%s", dir, digest) : NULL;
	free(digest);
	free(dir);
}

void transfer_pushed(struct transfer *t, size_t job, const char *ref)
{
	if (!t->dir || job >= t->nr)
		return;
	free(t->ref[job]);
	t->ref[job] = xstrdup(ref);
}

void transfer_release(struct transfer *t)
{
	if (t->dir)
		remove_tree(t->dir);
	for (size_t i = 0; t->ref && i < t->nr; i++)
		free(t->ref[i]);
	free(t->ref);
	free(t->exports);
	free(t->dir);
	memset(t, 0, sizeof(*t));
}
