/*
 * The definition a child bake reads (childdef.c), for a batch of the
 * run: its jobs' targets, their outputs, the layouts of dependencies
 * built elsewhere, written in the run directory's def/.
 */
#include "definition.h"
#include "childdef.h"
#include "../util/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Whether a job that depends on `job` is not in the batch (`in`). */
static int needed_outside(const struct run *run, const unsigned char *in,
			  size_t job)
{
	const struct job *j = &run->dag.jobs[job];
	for (size_t k = 0; k < j->ndependents; k++)
		if (!in[j->dependents[k]])
			return 1;
	return 0;
}

struct context_query {
	const struct run *run;
	const struct sched_slot *slot; /* the batch being written */
	int layouts;                   /* a layout was given: bake reads
					  the layout directory */
};

static const char *noted(struct context_query *q, const char *ref)
{
	q->layouts |= ref && starts_with(ref, "oci-layout://");
	return ref;
}

/* childdef's question: the layout target `name` gets for `key`. */
static const char *context_of(void *data, const char *name, const char *key)
{
	struct context_query *q = data;
	const struct run *run = q->run;
	const struct sched_slot *s = q->slot;
	/* the batch's own job of that target (a part's, for a split one),
	 * else any */
	for (size_t i = 0; i < s->njobs; i++)
		if (!strcmp(run->info[s->jobs[i]].target->name, name))
			return noted(q, transfer_context(&run->transfer, run,
							 s->jobs[i], key, s->node));
	for (size_t j = 0; j < run->dag.nr; j++)
		if (!run->info[j].merge &&
		    !strcmp(run->info[j].target->name, name))
			return noted(q, transfer_context(&run->transfer, run, j,
							 key, s->node));
	return NULL;
}

/* Write the batch's definition; its path, or NULL (said). */
char *run_write_definition(struct run *run, const struct sched_slot *s,
			   int *layouts)
{
	struct childdef_entry *v = xcalloc(s->njobs + 1, sizeof(*v));
	unsigned char *in = xcalloc(run->dag.nr + 1, 1);
	char **dest = xcalloc(s->njobs + 1, sizeof(*dest));
	for (size_t i = 0; i < s->njobs; i++)
		in[s->jobs[i]] = 1;
	*layouts = 0;
	for (size_t i = 0; i < s->njobs; i++) {
		const struct target *t = run->info[s->jobs[i]].target;
		dest[i] = transfer_dest(&run->transfer, s->jobs[i],
					needed_outside(run, in, s->jobs[i]));
		v[i] = (struct childdef_entry){ t->name, !t->cacheonly, dest[i],
						run->info[s->jobs[i]].platform };
		*layouts |= dest[i] != NULL;
	}
	struct context_query q = { run, s, 0 };
	struct childdef d = {
		.printed = json_object_get(run->plan->doc, "target"),
		.push = run->opts->push,
		.load = run->opts->load,
		.cache_registry = run->opts->cache_registry,
		.parts_dir = run->parts_dir,
		.context = context_of,
		.data = &q,
	};
	json_t *doc = childdef_build(&d, v, s->njobs);
	char *dir = xstrfmt("%s/def", run->logs.path);
	char *path = xstrfmt("%s/%u.json", dir, ++run->launches);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		error("cannot create '%s': %s", dir, strerror(errno));
	free(dir);
	*layouts |= q.layouts;
	if (!doc || childdef_write(doc, path) < 0) {
		free(path);
		path = NULL;
	}
	json_decref(doc);
	for (size_t i = 0; i < s->njobs; i++)
		free(dest[i]);
	free(dest);
	free(in);
	free(v);
	return path;
}
