/*
 * What runs on each node: how many jobs, which builds wait for it, when
 * its builds are due to end (from remembered durations), and which build
 * started ahead gets the node next. For the dispatcher's decisions.
 */
#include "dispatch.h"
#include "../util/util.h"

#include <stdlib.h>

/*
 * When the slot's build is due to end, as far as history tells: from
 * when it has the node, its longest job's estimate; -1 when a duration
 * is not known.
 */
static double slot_end(const struct run *run, const struct slot *s)
{
	double end = 0;
	for (size_t k = 0; k < s->njobs; k++) {
		const struct job *j = &run->dag.jobs[s->jobs[k]];
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
static double first_end(const struct run *run, int node,
			const struct slot *skip, int *unknown)
{
	double first = -1;
	*unknown = 0;
	for (size_t i = 0; i < run->nslots; i++) {
		const struct slot *s = &run->slots[i];
		if (s->node != node || !s->njobs || s->moved || s == skip)
			continue;
		double end = slot_end(run, s);
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
int ending_within(const struct run *run, int node, long long ms,
		  const struct slot *skip, int unknown)
{
	int some_unknown;
	double end = first_end(run, node, skip, &some_unknown);
	if (end >= 0 && end - (double)now_ms() <= (double)ms)
		return 1;
	return some_unknown ? unknown : 0;
}

/*
 * When the first build on `node` (but `skip`) is due to end; `now` when
 * a duration is not known or nothing runs.
 */
long long next_end(const struct run *run, int node,
		   const struct slot *skip, long long now)
{
	int some_unknown;
	double end = first_end(run, node, skip, &some_unknown);
	return some_unknown || end <= (double)now ? now : (long long)end;
}

/*
 * A build on `node` ended: the build started ahead there longest ago
 * has the node from now on.
 */
void node_freed(struct run *run, int node, long long now)
{
	struct slot *first = NULL;
	for (size_t i = 0; i < run->nslots; i++) {
		struct slot *s = &run->slots[i];
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
size_t node_jobs(const struct run *run, int node)
{
	size_t n = 0;
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].node == node && !run->slots[i].moved)
			n += run->slots[i].njobs;
	return n;
}

/*
 * Whether the node's extra slot may start a build: one of the node's
 * builds is due to end within EXTRA_AHEAD_MS, so the next one starts up
 * meanwhile. Before that, it would only wait for the node, and start up
 * while every other build does.
 */
int ending_soon(const struct run *run, int node)
{
	return ending_within(run, node, EXTRA_AHEAD_MS, NULL, 1);
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
void node_observe(struct run *run, int node, long long now)
{
	int steps = 0, running = 0;
	for (size_t i = 0; i < run->nslots; i++) {
		struct slot *s = &run->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		const struct progress *p = &run->info[s->jobs[0]].progress;
		running++;
		steps += p->steps - p->done;
	}
	struct node_stats *st = &run->stats[node];
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
static double room_at(const struct run *run, int node, long long now)
{
	int cap = run->stats[node].capacity;
	size_t jobs = node_jobs(run, node), n = 0;
	if (!cap)
		return -1;
	if (jobs < (size_t)cap)
		return (double)now;
	double *ends = xcalloc(jobs + 1, sizeof(*ends));
	for (size_t i = 0; i < run->nslots; i++) {
		const struct slot *s = &run->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		double end = slot_end(run, s);
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

int sooner_elsewhere(const struct run *run, size_t job, const struct slot *s,
		     long long now)
{
	const struct job *j = &run->dag.jobs[job];
	if (!j->known)
		return 0;
	double here = (double)next_end(run, s->node, s, now);
	for (size_t n = 0; n < run->nodes->nr; n++) {
		if ((int)n == s->node || !j->fits[n])
			continue;
		double there = room_at(run, (int)n, now);
		if (there >= 0 && there + SOONER_ELSEWHERE_MS < here)
			return 1;
	}
	return 0;
}

static int started(const struct run *run, const struct slot *s)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (run->info[s->jobs[i]].progress.steps)
			return 1;
	return 0;
}

/*
 * The slots whose build waits for its node: launched a while ago, no
 * step started, while the node runs as many working builds as it can.
 * Returns how many it wrote to `out`.
 */
size_t waiting_slots(struct run *run, long long now, size_t *out,
		     unsigned char *full)
{
	size_t nnodes = run->nodes->nr, n = 0;
	int *working = xcalloc(nnodes + 1, sizeof(*working));
	for (size_t i = 0; i < run->nslots; i++) {
		const struct slot *s = &run->slots[i];
		working[s->node] += s->njobs && !s->moved && started(run, s);
	}
	for (size_t i = 0; i < run->nslots; i++) {
		const struct slot *s = &run->slots[i];
		const struct node_stats *st = &run->stats[s->node];
		int cap = st->capacity ? st->capacity : st->seen.steps_max;
		/* not when a build there is about to end, as history
		 * tells: it gets the node in a moment */
		if (s->njobs && !s->moved && s->live &&
		    now - s->spawn_ms >= MOVE_AFTER_MS && !started(run, s) &&
		    working[s->node] >= (cap > 0 ? cap : 1) &&
		    !ending_within(run, s->node, MOVE_AFTER_MS, s, 0)) {
			if (out)
				out[n++] = i;
			if (full)
				full[s->node] = 1;
			run->stats[s->node].seen.seen_full = 1;
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
int idle_build_on(struct run *run, int node)
{
	for (size_t i = 0; i < run->nslots; i++) {
		const struct slot *s = &run->slots[i];
		if (s->node != node || !s->njobs || s->moved)
			continue;
		int busy = 0;
		for (size_t k = 0; k < s->njobs && !busy; k++) {
			const struct progress *p = &run->info[s->jobs[k]].progress;
			busy = p->steps > p->done;
		}
		if (!busy)
			return 1;
	}
	return 0;
}
