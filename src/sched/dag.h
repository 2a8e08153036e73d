/*
 * Jobs and their order: one job per selected target, edges from
 * `target:` contexts, the nodes able to build each, readiness and
 * failure propagation. Knows nothing of processes.
 */
#ifndef DBAKE_DAG_H
#define DBAKE_DAG_H

#include "../util/strbuf.h"

#include <stddef.h>

enum job_state {
	JOB_PENDING,   /* waiting for dependencies */
	JOB_READY,     /* may start */
	JOB_RUNNING,
	JOB_DONE,
	JOB_FAILED,
	JOB_SKIPPED,   /* a dependency failed */
	JOB_CANCELLED, /* stopped or never started because the run stopped */
};

struct job {
	const char *name;               /* borrowed from the plan */
	const struct strvec *platforms; /* borrowed: what it builds for */
	size_t *deps, ndeps;            /* job indices */
	size_t *dependents, ndependents;
	size_t waiting;                 /* dependencies not yet done */
	unsigned char *fits;            /* per node: can build it */
	unsigned char *unpinned;        /* fits before learn_pin kept only the
					   node with its cache, or NULL */
	int emulated;                   /* no node builds all its platforms
					   natively: fits those that
					   advertise them */
	enum job_state state;
	int node;                       /* where it runs or ran, -1 */
	double estimate;                /* expected seconds */
	int known;                      /* estimate comes from history */
	double work;                    /* of it, the steps' own work, or -1 */
	int solo;                       /* never batch it (a batch failed) */
	double rank;                    /* estimate + longest chain after it */
	size_t group;                   /* first job with the same steps */
	size_t group_next;              /* next job of its group, or NO_JOB */
	size_t blocked_by;              /* failed job that skipped it */
	int attempts;
	long long start_ms, end_ms;
};

#define NO_JOB ((size_t)-1)

struct dag {
	struct job *jobs;
	size_t nr, alloc;
	size_t nodes;   /* size of every job's fits[] */
	size_t left;    /* jobs not yet in a final state */
	int *group_node; /* per group (its first job): node of its last start */
	/* Called when a job becomes ready after dag_prepare. */
	void (*on_ready)(size_t job, void *data);
	void *on_ready_data;
};

#define DAG_INIT { 0 }

/* What a node offers, for fitting jobs to nodes. */
struct node_offer {
	const char *name;
	const struct strvec *native;    /* built without emulation */
	const struct strvec *platforms; /* everything it advertises */
};

/*
 * Add a job; deps are added after all jobs by name. Returns its index.
 */
size_t dag_add(struct dag *dag, const char *name, const struct strvec *platforms);
/* Jobs `job` and `same` run the same build steps. */
void dag_same_steps(struct dag *dag, size_t job, size_t same);

/* Add an edge: job `from` waits for `dep`. */
void dag_add_edge(struct dag *dag, size_t from, size_t dep);

/*
 * Finish building: compute fits against `nodes`, ranks and initial
 * readiness. A job fits the nodes that build all its platforms natively;
 * only when none does, those that advertise them (emulation). Fails with
 * a message naming a job no node can build (and what the nodes offer),
 * or a dependency cycle.
 */
int dag_prepare(struct dag *dag, const struct node_offer *nodes, size_t nnodes);

/* Recompute ranks (critical path lengths) from the estimates. */
void dag_rank(struct dag *dag);

/* Find a dependency cycle; describe it "a -> b -> a" into sb. */
int dag_find_cycle(const struct dag *dag, struct strbuf *sb);

void dag_start(struct dag *dag, size_t job, int node, long long now);
/*
 * Start a job with dependencies not yet done, in the same bake as
 * them (bake builds them first): each must be running.
 */
void dag_start_with_deps(struct dag *dag, size_t job, int node, long long now);
void dag_done(struct dag *dag, size_t job, long long now);
/*
 * Mark a job failed and every job that depends on it, transitively,
 * skipped. Calls on_skip for each newly skipped job.
 */
void dag_fail(struct dag *dag, size_t job, long long now,
	      void (*on_skip)(size_t job, void *data), void *data);
/* Cancel everything not started (the run is stopping). */
void dag_cancel_rest(struct dag *dag, long long now,
		     void (*on_cancel)(size_t job, void *data), void *data);

/* A running job goes back to ready (moved to another node, or to be
 * built alone after its batch failed), or to pending when it was
 * started with dependencies not done. */
void dag_requeue(struct dag *dag, size_t job);

/* A running job was stopped. */
void dag_cancel(struct dag *dag, size_t job, long long now);

/* Whether a dependency of `job`, or a job with the same steps, ran or
 * runs on `node`: its layers are local there. */
int dag_affine(const struct dag *dag, size_t job, int node);

void dag_release(struct dag *dag);

#endif
