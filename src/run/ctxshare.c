/*
 * Which targets share a large local build context (sched/ctxgate.c
 * holds back, on each node, all but the first bake that sends it).
 */
#include "ctxshare.h"
#include "dispatch.h"
#include "../util/util.h"

#include <ftw.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* nftw's callback has no data pointer: one walk at a time */
static unsigned long long walk_bytes, walk_cap;

static int add_size(const char *path, const struct stat *st, int type,
		    struct FTW *f)
{
	(void)path;
	(void)f;
	if (type == FTW_F)
		walk_bytes += (unsigned long long)st->st_size;
	return walk_bytes >= walk_cap; /* enough: stop */
}

unsigned long long ctxshare_dir_bytes(const char *dir,
				      unsigned long long cap)
{
	walk_bytes = 0;
	walk_cap = cap ? cap : 1;
	/* .dockerignore is not read: what it leaves out only makes the
	 * first bake's send shorter, and the wait for it */
	if (nftw(dir, add_size, 16, FTW_PHYS) < 0)
		return 0;
	return walk_bytes;
}

/* The local directory a job's build context is, or NULL (a URL, stdin,
 * a merge job that builds nothing). */
static char *context_dir(const struct run *run, size_t job)
{
	const struct job_info *in = &run->info[job];
	if (in->merge || !run->plan)
		return NULL;
	json_t *t = json_object_get(json_object_get(run->plan->doc, "target"),
				    in->target->name);
	const char *ctx = json_string_value(json_object_get(t, "context"));
	if (!ctx || !*ctx)
		ctx = ".";
	if (strstr(ctx, "://") || !strncmp(ctx, "git@", 4) ||
	    !strcmp(ctx, "-"))
		return NULL;
	return realpath(ctx, NULL);
}

static unsigned long long gate_bytes(void)
{
	const char *v = getenv("DBAKE_CONTEXT_GATE_BYTES");
	char *end;
	if (v && *v) {
		unsigned long long n = strtoull(v, &end, 10);
		if (!*end)
			return n;
	}
	return CONTEXT_GATE_BYTES;
}

void ctxshare_prepare(struct run *run)
{
	size_t nr = run->dag.nr, nctx = 0;
	size_t *ctx = xcalloc(nr + 1, sizeof(*ctx));
	unsigned long long cap = gate_bytes();
	json_t *users = json_object(); /* dir -> [jobs] */
	for (size_t i = 0; cap && i < nr; i++) {
		char *dir = context_dir(run, i);
		if (!dir)
			continue;
		json_t *v = json_object_get(users, dir);
		if (!v)
			json_object_set_new(users, dir, v = json_array());
		json_array_append_new(v, json_integer((json_int_t)i));
		free(dir);
	}
	const char *dir;
	json_t *v;
	json_object_foreach(users, dir, v) {
		/* one target a context: nothing to send twice */
		if (json_array_size(v) < 2 ||
		    ctxshare_dir_bytes(dir, cap) < cap)
			continue;
		nctx++;
		size_t k;
		json_t *j;
		json_array_foreach(v, k, j)
			ctx[json_integer_value(j)] = nctx;
	}
	json_decref(users);
	sched_contexts(&run->sched, ctx, nctx);
	free(ctx);
}
