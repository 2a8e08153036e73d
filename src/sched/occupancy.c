/*
 * What runs on each node, for the decisions: how many jobs, which builds
 * wait for it, when its builds are due to end (from remembered
 * durations), which build started ahead gets the node next, and what
 * the node shows of its capacity.
 */
#include "sched.h"
#include "../util/util.h"

#include <stdlib.h>

/*
 * When the slot's build is due to end, as far as history tells: from
 * when it has the node, its longest job's estimate; -1 when a duration
 * is not known.
 */
static double slot_end(const struct sched *sc, const struct sched_slot *s)
{
	double end = 0;
	for (size_t k = 0; k < s->njobs; k++) {
		const struct job *j = &sc->dag->jobs[s->jobs[k]];
		if (!j->known)
			return -1;
		long long from = s->run_from > j->start_ms ? s->run_from
							   : j->start_ms;
		double e = (double)from + j->estimate * 1000.0;
		if (e > end)
			end = e;
	}
	return end;
}

/*
 * The first end due among the builds on `node` (but `skip`), as far as
 * history tells: -1 if none is known. *unknown: some duration is not.
 */
static double first_end(const struct sched *sc, int node,
			const struct sched_slot *skip, int *unknown)
{
	double first = -1;
	*unknown = 0;
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		if (s->node != node || !s->njobs || s->moved || s == skip)
			continue;
		double end = slot_end(sc, s);
		if (end < 0)
			*unknown = 1;
		else if (first < 0 || end < first)
			first = end;
	}
	return first;
}

/*
 * Whether a build on `node` (but `skip`) is due to end within `ms`, as
 * far as history tells; else `unknown` when a duration is not known.
 */
int sched_ending_within(const struct sched *sc, int node, long long ms,
			const struct sched_slot *skip, int unknown,
			long long now)
{
	int some_unknown;
	double end = first_end(sc, node, skip, &some_unknown);
	if (end >= 0 && end - (double)now <= (double)ms)
		return 1;
	return some_unknown ? unknown : 0;
}

/*
 * When the first build on `node` (but `skip`) is due to end; `now` when
 * a duration is not known or nothing runs.
 */
long long sched_next_end(const struct sched *sc, int node,
			 const struct sched_slot *skip, long long now)
{
	int some_unknown;
	double end = first_end(sc, node, skip, &some_unknown);
	return some_unknown || end <= (double)now ? now : (long long)end;
}

/*
 * A build on `node` ended: the build started ahead there longest ago
 * has the node from now on.
 */
void sched_node_freed(struct sched *sc, int node, long long now)
{
	struct sched_slot *first = NULL;
	for (size_t i = 0; i < sc->nslots; i++) {
		struct sched_slot *s = &sc->slots[i];
		if (s->node == node && s->njobs && !s->moved && s->ahead &&
		    (!first || s->spawn_ms < first->spawn_ms))
			first = s;
	}
	if (first) {
		first->ahead = 0;
		first->run_from = now;
	}
}

/* Jobs in the builds running on `node`. */
size_t sched_node_jobs(const struct sched *sc, int node)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->nslots; i++)
		if (sc->slots[i].node == node && !sc->slots[i].moved)
			n += sc->slots[i].njobs;
	return n;
}

/*
 * Whether the node's extra slot may start a build: one of the node's
 * builds is due to end within EXTRA_AHEAD_MS, so the next one starts up
 * meanwhile. Before that, it would only wait for the node, and start up
 * while every other build does.
 */
int sched_ending_soon(const struct sched *sc, int node, long long now)
{
	return sched_ending_within(sc, node, EXTRA_AHEAD_MS, NULL, 1, now);
}

/*
 * Build steps in progress on a node, for its capacity. Sampled on the
 * loop's ticks, not on every read: one build's "DONE" can still sit in
 * its pipe while the next build's first step is read, and counting that
 * moment would overstate what the node runs at once. A count counts once
 * the node ran at least that many for CAPACITY_HOLD_MS without a break:
 * buildx's progress display is rate limited (BuildKit's progressui: 100
 * ms between updates, a 150 ms refresh), so a step's end can show that
 * much after the next build's step began, longer than one read. Each
 * count is held on its own: while builds start one after another
 * (0, 1, 2, 3 steps), three count 0.4 s after the third began, not
 * after each count in turn held.
 */
void sched_node_observe(struct sched *sc, int node, long long now)
{
	int steps = 0, running = 0;
	for (size_t i = 0; i < sc->nslots; i++) {
		struct sched_slot *s = &sc->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		const struct sched_job *p = &sc->jobs[s->jobs[0]];
		running++;
		steps += p->steps - p->done;
	}
	struct node_stats *st = &sc->stats[node];
	capacity_sample(&st->seen, steps, now);
	if (running > st->running_max)
		st->running_max = running;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/*
 * When `node` has room for one more job, as history tells: now while it
 * runs fewer than its capacity (builds started ahead included), else
 * when enough of them are due to end; -1 when a capacity or duration is
 * not known.
 */
static double room_at(const struct sched *sc, int node, long long now)
{
	int cap = sc->stats[node].capacity;
	size_t jobs = sched_node_jobs(sc, node), n = 0;
	if (!cap)
		return -1;
	if (jobs < (size_t)cap)
		return (double)now;
	double *ends = xcalloc(jobs + 1, sizeof(*ends));
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		double end = slot_end(sc, s);
		if (end < 0) {
			free(ends);
			return -1;
		}
		for (size_t k = 0; k < s->njobs && n < jobs; k++)
			ends[n++] = end;
	}
	qsort(ends, n, sizeof(*ends), cmp_double);
	size_t need = jobs + 1 - (size_t)cap;  /* ends before a place frees */
	double at = need <= n ? ends[need - 1] : -1;
	free(ends);
	return at < (double)now && at >= 0 ? (double)now : at;
}

/* Whether a node but `node` that builds `job` has room for it by `at`,
 * as history tells. */
static int room_elsewhere(const struct sched *sc, const struct job *job,
			  int node, double at, long long now)
{
	for (size_t n = 0; n < sc->nnodes; n++) {
		if ((int)n == node || !job->fits[n] || sc->stats[n].down)
			continue;
		double there = room_at(sc, (int)n, now);
		if (there >= 0 && there <= at)
			return 1;
	}
	return 0;
}

/*
 * Whether the place `job` would take on `node` is better kept: the node
 * has no other free place (its capacity known), and a build, here or on
 * another node, due to end within EXTRA_AHEAD_MS as history tells (or
 * overdue by less than that), is all that a job ranked above `job` still
 * waits for, and no node but this one will have room for that job by
 * then. That job can start only once the build has ended: best on the
 * place that build frees, where its dependency's layers are, but a build
 * started there meanwhile, ahead, takes that place first
 * (sched_node_freed), and then this place is the one it can have soon.
 */
int sched_place_promised(const struct sched *sc, int node, size_t job,
			 long long now)
{
	int cap = sc->stats[node].capacity;
	const struct dag *dag = sc->dag;
	if (!cap || sched_node_jobs(sc, node) + 1 < (size_t)cap)
		return 0;
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		if (!s->njobs || s->moved)
			continue;
		double end = slot_end(sc, s);
		if (end < 0 || end - (double)now > EXTRA_AHEAD_MS ||
		    (double)now - end > EXTRA_AHEAD_MS)
			continue;
		for (size_t k = 0; k < s->njobs; k++) {
			const struct job *r = &dag->jobs[s->jobs[k]];
			for (size_t d = 0; d < r->ndependents; d++) {
				const struct job *w = &dag->jobs[r->dependents[d]];
				if (w->state == JOB_PENDING && w->waiting == 1 &&
				    w->fits[node] &&
				    w->rank > dag->jobs[job].rank &&
				    !room_elsewhere(sc, w, node, end, now))
					return 1;
			}
		}
	}
	return 0;
}

int sched_sooner_elsewhere(const struct sched *sc, size_t job,
			   const struct sched_slot *s, long long now)
{
	const struct job *j = &sc->dag->jobs[job];
	if (!j->known)
		return 0;
	double here = (double)sched_next_end(sc, s->node, s, now);
	for (size_t n = 0; n < sc->nnodes; n++) {
		if ((int)n == s->node || !j->fits[n])
			continue;
		double there = room_at(sc, (int)n, now);
		if (there >= 0 && there + SOONER_ELSEWHERE_MS < here)
			return 1;
	}
	return 0;
}

static int started(const struct sched *sc, const struct sched_slot *s)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (sc->jobs[s->jobs[i]].begun)
			return 1;
	return 0;
}

/*
 * The slots whose build waits for its node: launched a while ago, no
 * step started, while the node runs as many working builds as it can.
 * Returns how many it wrote to `out`.
 */
size_t sched_waiting(struct sched *sc, long long now, size_t *out,
		     unsigned char *full)
{
	size_t nnodes = sc->nnodes, n = 0;
	int *working = xcalloc(nnodes + 1, sizeof(*working));
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		working[s->node] += s->njobs && !s->moved && started(sc, s);
	}
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		const struct node_stats *st = &sc->stats[s->node];
		int cap = st->capacity ? st->capacity : st->seen.steps_max;
		/* not when a build there is about to end, as history
		 * tells: it gets the node in a moment */
		if (s->njobs && !s->moved && s->live &&
		    now - s->spawn_ms >= MOVE_AFTER_MS && !started(sc, s) &&
		    working[s->node] >= (cap > 0 ? cap : 1) &&
		    !sched_ending_within(sc, s->node, MOVE_AFTER_MS, s, 0, now)) {
			if (out)
				out[n++] = i;
			if (full)
				full[s->node] = 1;
			sc->stats[s->node].seen.seen_full = 1;
		}
	}
	free(working);
	return n;
}

/*
 * Whether a build on `node` runs no step at the moment (a cached FROM
 * does not count): while the node's capacity is unknown, it may be
 * waiting for the node, not yet seen to.
 */
int sched_idle_build_on(const struct sched *sc, int node)
{
	for (size_t i = 0; i < sc->nslots; i++) {
		const struct sched_slot *s = &sc->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		int busy = 0;
		for (size_t k = 0; k < s->njobs && !busy; k++) {
			const struct sched_job *p = &sc->jobs[s->jobs[k]];
			busy = p->steps > p->done;
		}
		if (!busy)
			return 1;
	}
	return 0;
}

