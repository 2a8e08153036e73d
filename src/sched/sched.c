#include "sched.h"
#include "pace.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

void sched_init(struct sched *sc, struct dag *dag, size_t nnodes,
		const int *capacity, const int *floor, const double *speed,
		int slots, enum policy_mode mode)
{
	size_t total = 0;
	int *nslots = xcalloc(nnodes + 1, sizeof(*nslots));
	int *real = xcalloc(nnodes + 1, sizeof(*real));
	memset(sc, 0, sizeof(*sc));
	sc->dag = dag;
	sc->nnodes = nnodes;
	sc->fifo = mode == POLICY_MODE_FIFO;
	sc->stats = xcalloc(nnodes + 1, sizeof(*sc->stats));
	sc->jobs = xcalloc(dag->nr + 1, sizeof(*sc->jobs));
	sc->batch = xcalloc(dag->nr + 1, sizeof(*sc->batch));
	for (size_t n = 0; n < nnodes; n++) {
		int cap = capacity ? capacity[n] : 0;
		int least = floor && !cap ? floor[n] : 0;
		int k = slots;
		if (!k)
			k = sc->fifo ? 1 : cap ? cap + 1 : DEFAULT_SLOTS;
		if (!slots && !sc->fifo && least) {
			k = 2 * least < FLOOR_SLOTS_MAX ? 2 * least
							: FLOOR_SLOTS_MAX;
			k = k > DEFAULT_SLOTS ? k : DEFAULT_SLOTS;
		}
		sc->stats[n].capacity = cap;
		sc->stats[n].floor = least;
		sc->stats[n].slots = k;
		nslots[n] = k;
		real[n] = cap && cap < k ? cap : k;
		total += (size_t)k;
	}
	/* slot order: the fastest nodes first, nodes of a speed taking
	 * turns, the extra slots last */
	double *none = speed ? NULL : xcalloc(nnodes + 1, sizeof(*none));
	int *onode = xcalloc(total + 1, sizeof(*onode));
	int *orank = xcalloc(total + 1, sizeof(*orank));
	sc->nslots = policy_slot_order(nnodes, speed ? speed : none, nslots,
				       real, onode, orank);
	sc->slots = xcalloc(total + 1, sizeof(*sc->slots));
	for (size_t i = 0; i < sc->nslots; i++) {
		sc->slots[i].node = onode[i];
		sc->slots[i].rank = orank[i];
	}
	free(none);
	free(onode);
	free(orank);
	free(nslots);
	free(real);
	policy_init(&sc->policy, dag, mode);
}

int sched_node_least(const struct sched *sc, int node)
{
	const struct node_stats *st = &sc->stats[node];
	return st->capacity ? st->capacity : st->floor;
}

void sched_release(struct sched *sc)
{
	for (size_t i = 0; i < sc->nslots; i++)
		free(sc->slots[i].jobs);
	free(sc->slots);
	free(sc->stats);
	free(sc->jobs);
	free(sc->batch);
	free(sc->ctx);
	free(sc->ctx_state);
	free(sc->ctx_by);
	if (sc->policy.dag)
		policy_release(&sc->policy);
	memset(sc, 0, sizeof(*sc));
}

void sched_slot_take(struct sched_slot *s, const size_t *jobs, size_t n)
{
	s->jobs = xrealloc(s->jobs, (n ? n : 1) * sizeof(*s->jobs));
	memcpy(s->jobs, jobs, n * sizeof(*jobs));
	s->njobs = n;
}

int sched_launch(struct sched *sc, struct sched_slot *s,
		 const struct sched_ops *ops, void *owner, long long now)
{
	for (size_t i = 0; i < s->njobs; i++) {
		int aside = sc->jobs[s->jobs[i]].stood_aside;
		sc->jobs[s->jobs[i]] = (struct sched_job){ .idle_ms = now,
							   .stood_aside = aside };
		dag_start_with_deps(sc->dag, s->jobs[i], s->node, now);
		policy_started_in(&sc->policy, s->jobs[i], s->node, s->njobs);
	}
	if (ops->launch(owner, s, now) < 0) {
		s->njobs = 0;
		return -1;
	}
	s->live = 1;
	sched_context_launched(sc, s);
	s->spawn_ms = s->run_from = sc->last_launch_ms = now;
	s->ahead = 0;
	s->moved = 0;
	return 0;
}

static size_t ready_count(const struct sched *sc)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->dag->nr; i++)
		n += sc->dag->jobs[i].state == JOB_READY;
	return n;
}

void sched_job_built(struct sched *sc, size_t job, double work)
{
	if (work >= 0) {
		sc->jobs[job].own_known = 1;
		sc->jobs[job].own_s = work;
	}
}

/* What fill_slots works out once per call, when first needed. */
struct fill {
	unsigned char *full; /* nodes of unknown capacity shown full */
	int counted;         /* the two below are counted */
	size_t ready;        /* jobs ready */
	size_t outstanding;  /* jobs ready or in builds */
	size_t cold;         /* unknown jobs in a batch (sched_cold_batch) */
};

/* Whether free slot s may take work at all. */
static int slot_open(const struct sched *sc, const struct sched_slot *s,
		     const struct fill *f)
{
	if (s->njobs || s->moved || s->live || sc->stats[s->node].down)
		return 0;
	/*
	 * A slot past the node's capacity only hides the next build's
	 * start-up: it takes what other nodes leave, once a build here is
	 * about to end, not a job that would wait here for a dependency's
	 * layers; but a job whose cache is here (built here last time)
	 * waits for the node rather than start over elsewhere.
	 */
	int cap = sc->stats[s->node].capacity;
	if (!cap && f->full && f->full[s->node])
		return 0;
	if (!cap && sc->stats[s->node].seen.seen_full &&
	    sc->stats[s->node].seen.steps_max > 0 &&
	    sched_node_jobs(sc, s->node) >=
		    (size_t)sc->stats[s->node].seen.steps_max)
		return 0; /* what it ran when full, no more */
	/* a batch takes a place per job: a node with its capacity's worth
	 * of jobs running starts one more build at most, in whichever of
	 * its slots is free (the build that started ahead last time may
	 * now be the node's only one) */
	return !cap || sched_node_jobs(sc, s->node) <= (size_t)cap;
}

/* sched_short_share, counting once per fill what it goes by. */
static size_t short_share(const struct sched *sc, int node, size_t job,
			  struct fill *f)
{
	if (!f->counted) {
		/* ready and held together do not change while a fill
		 * starts builds: each takes from one into the other */
		f->ready = ready_count(sc);
		f->outstanding = f->ready;
		for (size_t n = 0; n < sc->nnodes; n++)
			if (!sc->stats[n].down)
				f->outstanding += sched_node_jobs(sc, (int)n);
		f->counted = 1;
	}
	return sched_short_share(sc, node, job, f->ready, f->outstanding);
}

/* The job open slot s takes in this pass (0: only jobs whose layers or
 * cache are on its node), or -1. */
static ssize_t slot_choice(struct sched *sc, const struct sched_slot *s,
			   struct fill *f, int pass, long long now)
{
	int cap = sc->stats[s->node].capacity;
	int extra = cap && sched_node_jobs(sc, s->node) >= (size_t)cap;
	ssize_t job = policy_pick(&sc->policy, s->node, pass == 0);
	if (job >= 0 && extra &&
	    policy_home_of(&sc->policy, (size_t)job) != s->node &&
	    (pass == 0 || !sched_ending_soon(sc, s->node, now) ||
	     sched_sooner_elsewhere(sc, (size_t)job, s, now)))
		job = -1;
	/* a light job waits for a node that holds less than its part */
	if (job >= 0 && !sc->fifo && sched_job_light(sc, (size_t)job) &&
	    !short_share(sc, s->node, (size_t)job, f))
		job = -1;
	/* the node's last place, kept for a job ranked above this one
	 * that a build about to end makes ready (sched_place_promised) */
	if (job >= 0 && sched_place_promised(sc, s->node, (size_t)job, now))
		job = -1;
	/* its context is on its way to this node: once there, the build
	 * sends only what changed */
	if (job >= 0 && sched_context_held(sc, (size_t)job, s->node))
		job = -1;
	return job;
}

/* Slot s starts `job`, with the jobs it batches. */
static void slot_start(struct sched *sc, struct sched_slot *s, size_t job,
		       struct fill *f, const struct sched_ops *ops,
		       void *owner, long long now)
{
	int cap = sc->stats[s->node].capacity;
	size_t busy = cap ? sched_node_jobs(sc, s->node) : 0;
	int extra = cap && busy >= (size_t)cap;
	/* short jobs: about one batch per node */
	size_t most = short_share(sc, s->node, job, f);
	if (!most)
		most = 1;
	/* and, when their steps take time, no more than the node has room
	 * for beside what it runs: a batch builds its jobs at once, and the
	 * node runs no more steps at a time than its capacity */
	const struct job *fj = &sc->dag->jobs[job];
	double w = fj->work >= 0 ? fj->work : fj->estimate;
	int least = sched_node_least(sc, s->node);
	if (least && fj->known && w >= BATCH_FREE_WORK) {
		size_t held = cap ? busy : sched_node_jobs(sc, s->node);
		size_t room = held < (size_t)least ? (size_t)least - held : 1;
		if (room < most)
			most = room;
	}
	if (!f->cold)
		f->cold = sc->fifo ? 1 : sched_cold_batch(sc);
	size_t n = policy_batch(&sc->policy, job, s->node, sc->batch, most,
				f->cold);
	n = sched_context_batch(sc, s->node, sc->batch, n);
	sched_slot_take(s, sc->batch, n);
	if (sched_launch(sc, s, ops, owner, now) == 0 && extra) {
		s->ahead = 1;
		s->run_from = sched_next_end(sc, s->node, s, s->spawn_ms);
	}
}

/*
 * Launches paced (one a launch gap): each goes to the most urgent job
 * any open slot would take, the highest ranked; on a tie, one whose
 * layers or cache are on its node, then the slot first in order (the
 * fastest node). Taking slots in their order instead, the fastest
 * nodes' own jobs would have every launch while they have room, and a
 * job on the critical chain whose cache is on a slower node would wait
 * behind all of them.
 */
static int fill_paced(struct sched *sc, struct fill *f,
		      const struct sched_ops *ops, void *owner, long long now)
{
	struct sched_slot *best = NULL;
	ssize_t best_job = -1;
	unsigned char *asked = xcalloc(2 * sc->nnodes + 1, 1);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sc->nslots; i++) {
			struct sched_slot *s = &sc->slots[i];
			/* a node's open slots all take the same job */
			if (asked[pass * sc->nnodes + (size_t)s->node] ||
			    !slot_open(sc, s, f))
				continue;
			asked[pass * sc->nnodes + (size_t)s->node] = 1;
			ssize_t job = slot_choice(sc, s, f, pass, now);
			if (job >= 0 &&
			    (best_job < 0 || sc->dag->jobs[job].rank >
						     sc->dag->jobs[best_job].rank)) {
				best = s;
				best_job = job;
			}
		}
	}
	free(asked);
	if (best)
		slot_start(sc, best, (size_t)best_job, f, ops, owner, now);
	return best != NULL;
}

/*
 * Give every free slot work: first jobs whose layers are on its node,
 * then by the policy's order; each with the jobs it batches.
 */
static long long fill_slots(struct sched *sc, const struct sched_ops *ops,
			    void *owner, long long now)
{
	struct fill f = { 0 };
	int unknown = 0;
	long long held = 0;
	if (sched_one_bake(sc, ops, owner, now))
		return 0;
	/* a node of unknown capacity that makes a build wait has shown
	 * it is full: more builds there would only wait too */
	for (size_t n = 0; n < sc->nnodes; n++)
		unknown |= !sc->stats[n].capacity;
	if (unknown && !sc->fifo) {
		f.full = xcalloc(sc->nnodes + 1, 1);
		sched_waiting(sc, now, NULL, f.full);
	}
	if (sc->launch_gap_ms > 0 && !sc->fifo && !sc->stopping) {
		/* one launch now at most; the caller comes back when the
		 * next may go */
		held = pace_wait(sc->launch_gap_ms, sc->last_launch_ms, now);
		if (!held && fill_paced(sc, &f, ops, owner, now))
			held = pace_wait(sc->launch_gap_ms, sc->last_launch_ms,
					 now);
		free(f.full);
		return held;
	}
	for (int pass = sc->fifo; pass < 2 && !held; pass++) {
		for (size_t i = 0; i < sc->nslots && !sc->stopping; i++) {
			struct sched_slot *s = &sc->slots[i];
			if (!slot_open(sc, s, &f))
				continue;
			held = pace_wait(sc->launch_gap_ms, sc->last_launch_ms,
					 now);
			if (held)
				break;
			ssize_t job = slot_choice(sc, s, &f, pass, now);
			if (job >= 0)
				slot_start(sc, s, (size_t)job, &f, ops, owner,
					   now);
		}
	}
	free(f.full);
	return held;
}

/*
 * Work stealing: a free slot with nothing ready for its node takes over
 * a build that waits for a busy node. The waiting invocation is killed;
 * nothing of it is lost.
 */
static void move_waiting(struct sched *sc, const struct sched_ops *ops,
			 void *owner, long long now)
{
	int any_free = 0;
	if (sc->fifo || sc->stopping)
		return;
	for (size_t i = 0; i < sc->nslots && !any_free; i++)
		any_free = !sc->slots[i].njobs && !sc->slots[i].moved &&
			   !sc->slots[i].live;
	if (!any_free)
		return;
	size_t *cand = xcalloc(sc->nslots + 1, sizeof(*cand));
	unsigned char *full = xcalloc(sc->nnodes + 1, 1);
	size_t ncand = sched_waiting(sc, now, cand, full);
	for (size_t i = 0; i < sc->nslots && ncand; i++) {
		struct sched_slot *free_slot = &sc->slots[i];
		const struct node_stats *st = &sc->stats[free_slot->node];
		/* only to a node with room: one that has builds waiting
		 * too, or as many as it was seen to run, would only make
		 * the build wait again */
		int cap = st->capacity ? st->capacity : st->seen.steps_max;
		if (free_slot->njobs || free_slot->moved ||
		    free_slot->live || full[free_slot->node] || st->down ||
		    (cap && sched_node_jobs(sc, free_slot->node) >= (size_t)cap) ||
		    (!st->capacity && sched_idle_build_on(sc, free_slot->node)))
			continue;
		struct sched_slot *victim = NULL;
		for (size_t k = 0; k < ncand; k++) {
			struct sched_slot *s = &sc->slots[cand[k]];
			if (s->node == free_slot->node || s->moved)
				continue;
			int fits = 1;
			for (size_t j = 0; j < s->njobs; j++)
				fits &= sc->dag->jobs[s->jobs[j]].fits[free_slot->node];
			if (fits && (!victim || s->spawn_ms < victim->spawn_ms))
				victim = s;
		}
		if (!victim)
			continue;
		if (ops->moving(owner, victim, free_slot) < 0)
			continue;
		victim->moved = 1;
		for (size_t j = 0; j < victim->njobs; j++)
			dag_requeue(sc->dag, victim->jobs[j]);
		sched_slot_take(free_slot, victim->jobs, victim->njobs);
		victim->njobs = 0;
		sched_launch(sc, free_slot, ops, owner, now);
	}
	free(cand);
	free(full);
}

/* The highest rank among slot s's jobs. */
static double slot_rank(const struct sched *sc, const struct sched_slot *s)
{
	double r = 0;
	for (size_t i = 0; i < s->njobs; i++)
		if (sc->dag->jobs[s->jobs[i]].rank > r)
			r = sc->dag->jobs[s->jobs[i]].rank;
	return r;
}

/* Whether waiting slot v's build may stand aside: none of its jobs
 * did before. */
static int may_stand_aside(const struct sched *sc, const struct sched_slot *v)
{
	if (v->moved || !v->njobs)
		return 0;
	for (size_t j = 0; j < v->njobs; j++)
		if (sc->jobs[v->jobs[j]].stood_aside)
			return 0;
	return 1;
}

/* Stop waiting slot v's build; its jobs wait for a slot again. */
static int stop_waiting(struct sched *sc, struct sched_slot *v,
			const struct sched_ops *ops, void *owner)
{
	if (ops->moving(owner, v, NULL) < 0)
		return -1;
	v->moved = 1;
	for (size_t j = 0; j < v->njobs; j++) {
		sc->jobs[v->jobs[j]].stood_aside = 1;
		dag_requeue(sc->dag, v->jobs[j]);
	}
	v->njobs = 0;
	return 0;
}

/* Whether a slot open now would take `job` (fill_slots will). */
static int open_for(struct sched *sc, size_t job, struct fill *f)
{
	for (size_t i = 0; i < sc->nslots; i++)
		if (sc->dag->jobs[job].fits[sc->slots[i].node] &&
		    slot_open(sc, &sc->slots[i], f))
			return 1;
	return 0;
}

/*
 * A node runs its queue first come, first served: a build that waits
 * there, ranked a job's worth of chain (STAND_ASIDE_RANK) below a build
 * waiting behind it, or below a job ready that no slot open now would
 * take, is stopped, and its jobs wait for a slot again: the urgent one
 * goes first (the ready one in a free slot of that node). Each job
 * stands aside once at most. It happens on nodes of unknown capacity,
 * which a first run gives more builds than they run: one of known
 * capacity has one build at most waiting (started ahead, for the place
 * the node frees next) and no slot free beside it.
 */
static void stand_aside(struct sched *sc, const struct sched_ops *ops,
			void *owner, long long now)
{
	int unknown = 0;
	for (size_t n = 0; n < sc->nnodes; n++)
		unknown |= !sc->stats[n].capacity;
	if (!unknown || sc->fifo || sc->stopping)
		return; /* only those queue builds to stand aside (above) */
	size_t *cand = xcalloc(sc->nslots + 1, sizeof(*cand));
	struct fill f = { 0 };
	f.full = xcalloc(sc->nnodes + 1, 1);
	size_t ncand = sched_waiting(sc, now, cand, f.full);
	for (size_t a = 0; a < ncand; a++) {
		struct sched_slot *v = &sc->slots[cand[a]];
		if (!may_stand_aside(sc, v))
			continue;
		double need = slot_rank(sc, v) + STAND_ASIDE_RANK;
		int behind = 0;
		for (size_t b = 0; b < ncand && !behind; b++) {
			const struct sched_slot *u = &sc->slots[cand[b]];
			behind = u != v && u->node == v->node && !u->moved &&
				 u->spawn_ms > v->spawn_ms &&
				 slot_rank(sc, u) >= need;
		}
		if (behind) {
			stop_waiting(sc, v, ops, owner);
			continue;
		}
		struct sched_slot *to = NULL;
		for (size_t i = 0; i < sc->nslots && !to; i++) {
			struct sched_slot *s = &sc->slots[i];
			if (s->node == v->node && !s->njobs && !s->moved &&
			    !s->live)
				to = s;
		}
		ssize_t job = to ? policy_pick(&sc->policy, v->node, 0) : -1;
		if (job < 0 || sc->dag->jobs[job].rank < need ||
		    open_for(sc, (size_t)job, &f) ||
		    stop_waiting(sc, v, ops, owner) < 0)
			continue;
		size_t one = (size_t)job;
		sched_slot_take(to, &one, 1);
		sched_launch(sc, to, ops, owner, now);
	}
	free(f.full);
	free(cand);
}

long long sched_fill(struct sched *sc, const struct sched_ops *ops,
		     void *owner, long long now)
{
	if (sc->stopping)
		return 0;
	/* builds that wait elsewhere were picked before anything still
	 * ready: they go first */
	move_waiting(sc, ops, owner, now);
	stand_aside(sc, ops, owner, now);
	return fill_slots(sc, ops, owner, now);
}

long long sched_ended(struct sched *sc, struct sched_slot *s, long long now)
{
	s->live = 0;
	sched_context_ended(sc, s);
	if (s->moved) {
		s->moved = 0;
		return -1;
	}
	if (!s->ahead)
		sched_node_freed(sc, s->node, now);
	/* still waiting for its turn when it ended: it never waited */
	long long from = s->ahead ? s->spawn_ms : s->run_from;
	s->ahead = 0;
	return from;
}

void sched_job_steps(struct sched_job *j, int steps, int done, long long now)
{
	int busy = steps > done;
	j->steps = steps;
	j->done = done;
	if (busy && j->idle_ms) {
		if (now - j->idle_ms > MOVE_AFTER_MS)
			j->step_ms = now;
		j->idle_ms = 0;
	} else if (!busy && !j->idle_ms) {
		j->idle_ms = now;
	}
}

int sched_busy(const struct sched *sc)
{
	for (size_t i = 0; i < sc->nslots; i++)
		if (sc->slots[i].njobs || sc->slots[i].moved)
			return 1;
	return 0;
}

void sched_observe(struct sched *sc, long long now)
{
	for (size_t n = 0; n < sc->nnodes; n++)
		sched_node_observe(sc, (int)n, now);
}
