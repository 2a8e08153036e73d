/*
 * Which ready jobs a free slot takes. Pure: it reads the DAG and never
 * touches processes, so the same code runs under the simulator's clock.
 *
 * Default: a job whose layers are already on the node (a dependency or
 * a job with the same steps ran there) first, then the longest chain
 * (critical path, from remembered durations); identical jobs travel
 * together, and short jobs in batches. FIFO: first ready by name, one
 * at a time, as the earlier tool did.
 */
#ifndef DBAKE_POLICY_H
#define DBAKE_POLICY_H

#include "dag.h"

#include <sys/types.h>

enum policy_mode {
	POLICY_MODE_DEFAULT,
	POLICY_MODE_FIFO,
};

/* A job shorter than this (seconds, known from history) may be batched. */
#define POLICY_SHORT 1.5

struct job_list {
	size_t *v;
	size_t nr, alloc;
};

struct policy {
	struct dag *dag;
	enum policy_mode mode;
	size_t *order;           /* per job: its place by name */
	struct job_list heap;    /* ready jobs, best on top; may hold stale */
	struct job_list *affine; /* per node: ready jobs with layers there */
	struct job_list scratch;
};

#define POLICY_INIT { 0 }

/*
 * Set up over a prepared DAG: takes its ready jobs and hooks its
 * on_ready callback to learn of the next ones.
 */
void policy_init(struct policy *p, struct dag *dag, enum policy_mode mode);

/*
 * Pick a READY job that fits `node`, or -1. With `affine_only`, only a
 * job whose layers are on that node. The job stays READY until the
 * caller starts it.
 */
ssize_t policy_pick(struct policy *p, int node, int affine_only);

/*
 * Jobs to build together with `first` on `node` in one bake invocation:
 * READY jobs with the same steps (BuildKit does those once), and, when
 * `first` is known to be short, other short ones up to `max_short` in
 * all. Writes first and the others to out (room for dag->nr), returns
 * the count.
 */
size_t policy_batch(struct policy *p, size_t first, int node, size_t *out,
		    size_t max_short);

/* Tell the policy a job started on `node` (same-step jobs follow it). */
void policy_started(struct policy *p, size_t job, int node);

void policy_release(struct policy *p);

#endif
