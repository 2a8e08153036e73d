/*
 * What history teaches the decisions before a run, and what a run
 * teaches history: durations, each target's node (its cache), node
 * speeds and capacities. Shared by the dispatcher and the simulator,
 * so a simulated later run knows what dbake's would. Nodes are named by
 * their endpoints (`ep`, one per node: where a target's cache is) and,
 * for what they are like (capacity, speed, durations), by their keys
 * (`key`: the endpoint, or what pods of one Deployment share).
 */
#ifndef DBAKE_LEARN_H
#define DBAKE_LEARN_H

#include "history.h"
#include "sched.h"

/*
 * Before sched_init: each job's remembered duration into the DAG (and
 * its ranks); per node, the remembered capacity (0: unknown) and the
 * speed history shows (0: unknown). Not with `fifo`: durations are
 * remembered node by node, so each job's estimate is its size, its
 * seconds at speed 1 (speeds have a geometric mean of 1), and each
 * node's speed is fitted to them (sched/sizes.c).
 */
void learn_read(struct dag *dag, const struct history *h,
		const char *const *key, size_t nnodes, int fifo, int *capacity,
		double *speed);

/*
 * Before sched_init: a job unchanged since it was built (`defhash` per
 * job, as learn_apply) is built again only on the node that built it
 * last, where its cache is, while that node is in the run and fits it:
 * another node would run its steps again, and its dependents' after it.
 */
/* A job pinned to `node` by learn_pin fits every node it fitted before
 * again (that node is lost: its cache with it). Whether one did. */
int learn_unpin(struct dag *dag, size_t node);

void learn_pin(struct dag *dag, const struct history *h,
	       const char *const *ep, size_t nnodes,
	       const unsigned long long *defhash);

/*
 * After sched_init: tell the policy the speeds and capacities, and send
 * each job back to the node that built it last while its definition
 * (`defhash` per job, NULL: all 0) is unchanged. Not with sc->fifo.
 */
void learn_apply(struct sched *sc, const struct history *h,
		 const char *const *ep, const unsigned long long *defhash,
		 const double *speed);

/*
 * A job has been built: remember its node, and (built alone) its time
 * from `from` (when its build had the node) to its end, timed from its
 * first step after a wait on a node of unknown capacity.
 */
void learn_job(const struct sched *sc, struct history *h,
	       const char *const *ep, const char *const *key, size_t job,
	       long long from, size_t batch, double work,
	       unsigned long long defhash);

/*
 * The targets of one bake run together, and on a node whose steps share
 * its CPUs each step takes longer the more run beside it: light targets
 * timed in a batch of sixty on two CPUs took 1 to 1.7 s each, where
 * alone they take 0.1, and the next run found them too long to batch.
 * Target i's steps ran from from[i] to to[i] (ms; 0 or to <= from: not
 * known, charged in full); at each moment k of them ran, each is charged
 * min(1, cap / k) of it (cap: the node's capacity, 0 unknown: 1). frac[i]:
 * the part of its span it is charged, in (0, 1]. Nothing is taken from
 * steps that ran no more at once than the node's capacity.
 */
void learn_batch_shares(const long long *from, const long long *to,
			size_t n, int cap, double *frac);

/* In a batch: the job's own finished steps took `work` seconds so far
 * (progress' own_work): the span they ran in, for learn_batch_work. */
void learn_own_span(struct sched_job *j, double work, long long now);

/*
 * What each of the n jobs a bake on `node` built together (work[i] for
 * jobs[i]: its own steps' seconds, -1 unknown) is charged of them:
 * scaled by its part of its span (learn_batch_shares, at the node's
 * capacity). A bake of one keeps its work.
 */
void learn_batch_work(const struct sched *sc, int node, const size_t *jobs,
		      size_t n, double *work);

/* Each node's floor, for sched_init: it ran that many steps at once and
 * showed no limit (history_capacity_floor; 0: none). */
void learn_floors(const struct history *h, const char *const *key,
		  size_t nnodes, int *floor);

/* After a run: each node's capacity, or its floor (capacity_remember;
 * a stopped run teaches nothing). */
void learn_capacity(const struct sched *sc, struct history *h,
		    const char *const *key, int stopped);

/* The run's lower bound in seconds when every duration and each node's
 * capacity, or floor, is known, else 0 (a floor: the rate the node was
 * seen to reach, as a capacity was before floors). */
double learn_lower_bound(const struct sched *sc);

#endif
