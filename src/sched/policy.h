/*
 * Which ready jobs a free slot takes. Pure: it reads the DAG and never
 * touches processes, so the same code runs under the simulator's clock.
 *
 * Default: a job whose layers are already on the node (a dependency or
 * a job with the same steps ran there) first, then the longest chain
 * (critical path, from remembered durations); identical jobs travel
 * together, and short jobs in batches. Once it knows how fast nodes are
 * (learned from jobs with remembered durations, or hinted), a slow node
 * leaves jobs that would end late on it to faster ones. FIFO: first
 * ready by name, one at a time, as the earlier tool did.
 */
#ifndef DBAKE_POLICY_H
#define DBAKE_POLICY_H

#include "dag.h"

#include <sys/types.h>

enum policy_mode {
	POLICY_MODE_DEFAULT,
	POLICY_MODE_FIFO,
};

/* A job whose build steps took less than this (seconds, known from
 * history) may be batched. */
#define POLICY_SHORT 1.5

struct job_list {
	size_t *v;
	size_t nr, alloc;
};

struct policy {
	struct dag *dag;
	enum policy_mode mode;
	size_t *order;           /* per job: its place by name */
	struct job_list heap;    /* ready jobs that fit every node, best on
				    top; may hold stale */
	struct job_list *affine; /* per node: ready jobs with layers there
				    that fit it, best on top; may hold stale */
	struct job_list scratch;
	struct policy_state *state; /* private (policy_state.h): jobs by the
				       nodes they fit, node speeds seen so far */
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
 * caller starts it. Once node speeds are known (default mode), -1 also
 * when every job would end later on this node than if it waited for a
 * faster one, provided some job is running (a slot frees up, the caller
 * asks again).
 */
ssize_t policy_pick(struct policy *p, int node, int affine_only);

/*
 * Jobs to build together with `first` on `node` in one bake invocation:
 * READY jobs with the same steps (BuildKit does those once), and, when
 * `first` is known to be short, other short ones up to `max_short` in
 * all; when nothing is known of `first`, other unknown ones up to
 * `max_unknown` (many targets of a first run, sched_fill). Writes first
 * and the others to out (room for dag->nr), returns the count.
 */
size_t policy_batch(struct policy *p, size_t first, int node, size_t *out,
		    size_t max_short, size_t max_unknown);

/*
 * What an earlier run showed of a node: its speed relative to the
 * estimates (2: builds in half the remembered time; 0: unknown) and how
 * many builds it runs at once (0: unknown). Optional: without it the
 * policy learns speeds as jobs with remembered durations finish.
 */
void policy_node_hint(struct policy *p, int node, double speed, int slots);

/*
 * The order in which free slots are offered work: nodes of about the
 * same speed (speeds rounded to classes 15 % apart; all when speeds are
 * unknown: 0) take turns, first slots first; a faster node's slots all come before a
 * slower node's, so the best jobs start on the fastest nodes. Slots
 * past a node's `real` capacity (NULL: none are) come after every real
 * slot, taking turns. `slots` per node; writes sum(slots) (node, rank)
 * pairs, returns the count.
 */
size_t policy_slot_order(size_t nnodes, const double *speed, const int *slots,
			 const int *real, int *node_out, int *rank_out);

/*
 * The node that built `job` last, in an earlier run: its cache is
 * there, so the job counts as having layers on it.
 */
void policy_home(struct policy *p, size_t job, int node);
/* That node, or -1. */
int policy_home_of(const struct policy *p, size_t job);

/* Tell the policy a job started on `node` (same-step jobs follow it). */
void policy_started(struct policy *p, size_t job, int node);
/* The same, `job` one of a bake's `batch` jobs. */
void policy_started_in(struct policy *p, size_t job, int node, size_t batch);

/* The jobs' fits changed (learn_unpin): their classes made again, the
 * ready ones in the heaps of their new classes. */
void policy_refit(struct policy *p);

void policy_release(struct policy *p);

#endif
