/*
 * What the policy (policy.c) keeps, shared with what it learns of the
 * nodes (speed.c). Private to those two files.
 */
#ifndef DBAKE_POLICY_STATE_H
#define DBAKE_POLICY_STATE_H

#include "policy.h"

struct started {
	size_t job;
	int node;
	int slot;      /* counts as a slot taken: never in a batch */
	int alone;     /* its bake built it alone */
	long long start_ms;
};

struct policy_state {
	/* fit classes: class 0 fits every node and its heap is p->heap */
	size_t *klass;           /* per job */
	size_t nclasses;
	const unsigned char **class_fits; /* per class: what it fits */
	struct job_list *heaps;  /* per class; heaps[0] unused (p->heap) */

	/* what the policy learns of the nodes (default mode) */
	int dirty;               /* jobs ended or came back since the last look */
	size_t left_seen;        /* dag->left at the last look */
	struct started *run;     /* started, not yet seen to end */
	size_t nrun, allocrun;
	double *est, *took;      /* per node: estimates and seconds of its jobs */
	int *done, *busy, *most; /* per node: jobs finished, running, most at once */
	int *home;               /* per job: node of its last build, or -1 */
	double *hint_speed;      /* per node: speed from an earlier run, or 0 */
	int *hint_slots;         /* per node: builds at once, or 0 */
	double *speed;           /* per node, as of the last look */
	double *left;            /* per node: estimated work left of its jobs */
	double work;             /* estimates of the jobs not started */
	double avg;              /* speed of every node together, 0: unknown */
	int any_known;           /* some job's duration is remembered */
	double fastest;          /* fastest known speed, 0: none known */
	double rate;             /* sum over nodes of slots x speed */
	double chain_run;        /* longest chain through a running job, s */
	long long now;           /* latest time seen in the DAG */
};

/* The nodes faster than one that fit a job: their slots x speed, their
 * slots, the work they have. */
struct faster {
	int known;
	double rate, slots, left;
};

/* Set up (and free) what is learned of the nodes. */
void speed_init(struct policy_state *l, const struct dag *dag);
void speed_release(struct policy_state *l);

/* Look at what ended or came back since the last look. */
void speed_update(struct policy *p);

/*
 * How long the rest of the run takes at least, as far as the policy
 * knows; 0: speeds unknown, no bound.
 */
double speed_bound(const struct policy *p, double top_rank);

/* When the chain of `job` would end if it ran on `node` now. */
double speed_chain_end(const struct policy *p, size_t job, int node);

/*
 * Whether `job` goes to `node` now, `ahead` seconds of estimates being
 * ready before it (see speed.c). `all` caches the faster nodes for jobs
 * that fit every node: zeroed before a pick's first call.
 */
int speed_runs_here(const struct policy *p, size_t job, int node,
		    double bound, double ahead, struct faster *all);

/* `job`, one of a bake's `batch` jobs, started on `node`. */
void speed_started(struct policy *p, size_t job, int node, size_t batch);

#endif
