/*
 * How many targets a bake takes: a first run's batches of targets its
 * first builds showed quick, short targets' batches by each node's part,
 * and a run of cached targets built as one bake a node (which starts
 * its bakes itself). Decisions over the dispatcher's state; sched.c
 * calls them as it fills slots.
 */
#include "sched.h"
#include "../util/util.h"

#include <stdlib.h>

/* How many unknown targets a bake of a first run takes (COLD_BATCH_*). */
size_t sched_cold_batch(const struct sched *sc)
{
	size_t unknown = 0, seen = 0, quick = 0;
	for (size_t i = 0; i < sc->dag->nr; i++) {
		const struct job *j = &sc->dag->jobs[i];
		if (j->known)
			continue;
		unknown += j->state == JOB_READY || j->state == JOB_PENDING;
		if (j->state == JOB_DONE) {
			const struct sched_job *sj = &sc->jobs[i];
			/* its own steps when known (a wait in BuildKit's
			 * queue is the node's, not the target's), else the
			 * whole bake */
			double whole = (double)(j->end_ms - j->start_ms) / 1000;
			seen++;
			/* quick: under POLICY_SHORT / 2, or under what the
			 * bake cost besides (on a busy machine, the start of
			 * a bake outweighs a light target's steps) */
			quick += sj->own_known
					 ? sj->own_s < POLICY_SHORT / 2 ||
						   sj->own_s < whole - sj->own_s
					 : whole < POLICY_SHORT;
		}
	}
	/* what the first builds of this run showed: quick ones, mostly */
	size_t want = sc->nslots < COLD_BATCH_SEEN ? sc->nslots : COLD_BATCH_SEEN;
	if (seen < want || quick * 4 < seen * 3)
		return 1;
	size_t per = sc->nslots * COLD_BATCH_ROUNDS;
	size_t b = per ? (unknown + per - 1) / per : 1;
	return b < 1 ? 1 : b > COLD_BATCH_MAX ? COLD_BATCH_MAX : b;
}

/*
 * How many short jobs a batch on `node` takes. Once some node's count
 * (capacity or floor) is known: the node's part, by what each node that
 * builds `job` builds at once (DEFAULT_SLOTS where not known), of all
 * the jobs ready or in builds, less what it holds; 0 when it holds its
 * part already. Before any count is known: one node's share of what
 * is ready. (A node of one place given as many light targets as one of
 * eight builds them one by one, long after the others ended; counting
 * a node of another platform, two amd64 nodes beside an arm64 one held
 * two thirds of the amd64 targets, and the last third waited.)
 */
size_t sched_short_share(const struct sched *sc, int node, size_t job,
			 size_t ready, size_t outstanding)
{
	const struct job *j = &sc->dag->jobs[job];
	size_t sum = 0, known = 0;
	for (size_t n = 0; n < sc->nnodes; n++) {
		if (sc->stats[n].down || !j->fits[n])
			continue;
		int least = sched_node_least(sc, (int)n);
		known += least > 0;
		sum += least > 0 ? (size_t)least : DEFAULT_SLOTS;
	}
	if (!known)
		return (ready + sc->nnodes - 1) / sc->nnodes;
	int least = sched_node_least(sc, node);
	size_t mine = least > 0 ? (size_t)least : DEFAULT_SLOTS;
	size_t want = (outstanding * mine + sum - 1) / sum;
	size_t has = sched_node_jobs(sc, node);
	return want > has ? want - has : 0;
}

/* Whether `job` is light: batched by the nodes' shares alone, not held
 * to a node's room (BATCH_FREE_WORK). */
int sched_job_light(const struct sched *sc, size_t job)
{
	const struct job *j = &sc->dag->jobs[job];
	double w = j->work >= 0 ? j->work : j->estimate;
	return j->known && w < BATCH_FREE_WORK;
}

/* Whether one_bake applies: every job unchanged since history saw it
 * short, with its cache on a node that builds it, and little work
 * remembered on each node. */
static int one_bake_applies(struct sched *sc)
{
	const struct dag *dag = sc->dag;
	double *work = xcalloc(sc->nnodes + 1, sizeof(*work));
	int ok = !sc->fifo && dag->nr >= 2;
	for (size_t i = 0; ok && i < dag->nr; i++) {
		const struct job *j = &dag->jobs[i];
		double w = j->work >= 0 ? j->work : j->estimate;
		int home = policy_home_of(&sc->policy, i);
		ok = (j->state == JOB_READY || j->state == JOB_PENDING) &&
		     j->known && !j->solo && w < POLICY_SHORT && home >= 0 &&
		     j->fits[home];
		if (ok)
			work[home] += w;
	}
	for (size_t n = 0; ok && n < sc->nnodes; n++) {
		int cap = sched_node_least(sc, (int)n);
		ok = work[n] / (cap > 0 ? cap : 1) <= ONE_BAKE_WORK;
	}
	free(work);
	return ok;
}

/*
 * A run of targets that are all unchanged since history saw them short
 * (each with its cache on a node, its steps quick) is built as plain
 * bake builds it, in as few bakes as dependencies allow: on each node,
 * one bake of the ready targets whose cache is there; once every bake
 * ended, one of those they made ready; and so on. Cached, a bake per
 * target would cost more than the work; should they not be, their
 * steps are still few (ONE_BAKE_WORK at most per node). A dependency
 * is never in the bake of its dependents: they get it as a layout, as
 * in every other run, so their cache keys do not change from one run
 * to the next. Decided before anything started; returns 1 while in
 * force.
 */
int sched_one_bake(struct sched *sc, const struct sched_ops *ops,
		   void *owner, long long now)
{
	const struct dag *dag = sc->dag;
	if (!sc->one_bake_decided) {
		sc->one_bake_decided = 1;
		for (size_t i = 0; i < sc->nslots; i++)
			if (sc->slots[i].njobs || sc->slots[i].moved)
				return 0; /* something started */
		sc->one_bake = one_bake_applies(sc);
	}
	if (!sc->one_bake)
		return 0;
	/* a batch failed (its jobs go again one by one), or a node with
	 * their cache is lost: the usual way */
	for (size_t i = 0; i < dag->nr; i++) {
		int home = policy_home_of(&sc->policy, i);
		if (dag->jobs[i].solo ||
		    (dag->jobs[i].state == JOB_READY && home >= 0 &&
		     sc->stats[home].down))
			return sc->one_bake = 0;
	}
	for (size_t i = 0; i < sc->nslots; i++)
		if (sc->slots[i].njobs || sc->slots[i].moved ||
		    sc->slots[i].live)
			return 1; /* the wave before builds */
	for (size_t n = 0; n < sc->nnodes && !sc->stopping; n++) {
		struct sched_slot *s = NULL;
		for (size_t i = 0; i < sc->nslots && !s; i++)
			if (sc->slots[i].node == (int)n && !sc->stats[n].down)
				s = &sc->slots[i];
		size_t k = 0;
		for (size_t i = 0; s && i < dag->nr; i++)
			if (dag->jobs[i].state == JOB_READY &&
			    policy_home_of(&sc->policy, i) == (int)n)
				sc->batch[k++] = i;
		if (!k)
			continue;
		sched_slot_take(s, sc->batch, k);
		sched_launch(sc, s, ops, owner, now);
	}
	return 1;
}
