#include "learn.h"
#include "bound.h"
#include "sizes.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * Each node's speed and each job's size (seconds at speed 1: what it
 * takes on a node of speed s is size / s) from the durations history
 * has on this run's nodes (sizes.c). Nodes sharing a key share what is
 * known of them. A speed from fewer than three targets stays unknown.
 */
static void learn_sizes(struct dag *dag, const struct history *h,
			const char *const *key, size_t nnodes, double *speed)
{
	size_t *same = xcalloc(nnodes + 1, sizeof(*same));
	size_t nobs = 0, alloc = 0, *count = xcalloc(nnodes + 1, sizeof(*count));
	struct size_obs *obs = NULL;
	for (size_t n = 0; n < nnodes; n++) {
		same[n] = n;
		for (size_t m = 0; m < n && same[n] == n; m++)
			if (!strcmp(key[m], key[n]))
				same[n] = m;
	}
	for (size_t i = 0; i < dag->nr; i++) {
		if (!dag->jobs[i].known)
			continue;
		for (size_t n = 0; n < nnodes; n++) {
			double here;
			if (same[n] != n ||
			    (here = history_node_estimate(h, dag->jobs[i].name,
							  key[n])) <= 0)
				continue;
			ALLOC_GROW(obs, nobs + 1, alloc);
			obs[nobs++] = (struct size_obs){ i, n, here };
			count[n]++;
		}
	}
	double *size = xcalloc(dag->nr + 1, sizeof(*size));
	sizes_fit(obs, nobs, dag->nr, nnodes, size, speed);
	for (size_t i = 0; i < dag->nr; i++)
		if (size[i] > 0)
			dag->jobs[i].estimate = size[i];
	for (size_t n = 0; n < nnodes; n++) {
		speed[n] = speed[same[n]];
		if (count[same[n]] < 3)
			speed[n] = 0;
	}
	free(obs);
	free(size);
	free(count);
	free(same);
}

void learn_read(struct dag *dag, const struct history *h,
		const char *const *key, size_t nnodes, int fifo, int *capacity,
		double *speed)
{
	for (size_t i = 0; i < dag->nr; i++) {
		struct job *j = &dag->jobs[i];
		double est = h ? history_estimate(h, j->name, NULL) : -1;
		if (est >= 0) {
			j->estimate = est;
			j->known = 1;
			j->work = history_work(h, j->name);
		}
	}
	for (size_t n = 0; n < nnodes; n++) {
		capacity[n] = h ? history_capacity(h, key[n]) : 0;
		speed[n] = 0;
	}
	if (h && !fifo)
		learn_sizes(dag, h, key, nnodes, speed);
	dag_rank(dag); /* ranks follow the estimates just read */
}

void learn_floors(const struct history *h, const char *const *key,
		  size_t nnodes, int *floor)
{
	for (size_t n = 0; n < nnodes; n++)
		floor[n] = h ? history_capacity_floor(h, key[n]) : 0;
}

void learn_pin(struct dag *dag, const struct history *h,
	       const char *const *ep, size_t nnodes,
	       const unsigned long long *defhash)
{
	for (size_t i = 0; h && i < dag->nr; i++) {
		struct job *j = &dag->jobs[i];
		const char *last = history_last(h, j->name,
						defhash ? defhash[i] : 0);
		size_t home = nnodes;
		for (size_t n = 0; last && n < nnodes; n++)
			if (!strcmp(ep[n], last) && j->fits[n])
				home = n;
		if (home < nnodes && !j->unpinned) {
			j->unpinned = xmalloc(nnodes);
			memcpy(j->unpinned, j->fits, nnodes);
		}
		for (size_t n = 0; home < nnodes && n < nnodes; n++)
			j->fits[n] = n == home;
	}
}

int learn_unpin(struct dag *dag, size_t node)
{
	int any = 0;
	for (size_t i = 0; i < dag->nr; i++) {
		struct job *j = &dag->jobs[i];
		if (j->unpinned && node < dag->nodes && j->fits[node] &&
		    memcmp(j->fits, j->unpinned, dag->nodes)) {
			memcpy(j->fits, j->unpinned, dag->nodes);
			any = 1;
		}
	}
	return any;
}

void learn_apply(struct sched *sc, const struct history *h,
		 const char *const *ep, const unsigned long long *defhash,
		 const double *speed)
{
	if (sc->fifo)
		return;
	for (size_t n = 0; n < sc->nnodes; n++) {
		int least = sched_node_least(sc, (int)n);
		if (speed[n] > 0 || least)
			policy_node_hint(&sc->policy, (int)n, speed[n], least);
	}
	for (size_t i = 0; h && i < sc->dag->nr; i++) {
		const char *last = history_last(h, sc->dag->jobs[i].name,
						defhash ? defhash[i] : 0);
		for (size_t n = 0; last && n < sc->nnodes; n++)
			if (!strcmp(ep[n], last))
				policy_home(&sc->policy, i, (int)n);
	}
}

void learn_job(const struct sched *sc, struct history *h,
	       const char *const *ep, const char *const *key, size_t job,
	       long long from, size_t batch, double work,
	       unsigned long long defhash)
{
	const struct job *j = &sc->dag->jobs[job];
	long long step = sc->jobs[job].step_ms;
	if (!h)
		return;
	if (from < j->start_ms || from > j->end_ms)
		from = j->start_ms;
	/* on a node of unknown capacity (a first run: more slots than it
	 * runs builds), a build that ran no step for a while, then did,
	 * waited in BuildKit's queue: it is timed from that step (a
	 * waiting build may show its FROM before its RUN waits). Not when
	 * the capacity is known: a long start is then the build's own (a
	 * large context to send). */
	if (!sc->stats[j->node].capacity && step > from + MOVE_AFTER_MS &&
	    step <= j->end_ms)
		from = step;
	history_set_last(h, j->name, ep[j->node], defhash);
	/*
	 * A batch's time is not any one target's. Its own steps are, when
	 * the bake's progress named them (`work`): a target nothing was
	 * known of, or one now long, is remembered by them (at least its
	 * share of the bake), so a long target among quick ones is known to
	 * the next run. Without them, a batch of targets nothing was known
	 * of (a first run's) that took little time for each says they are
	 * short, what the next run batches on: each is given its share (a
	 * 3 s target among quick ones keeps the batch over the threshold,
	 * and the targets unknown).
	 */
	if (batch > 1) {
		double share = (double)(j->end_ms - from) / 1000.0 / (double)batch;
		if (work >= 0 && (!j->known || work >= POLICY_SHORT))
			history_record(h, j->name, key[j->node],
				       work > share ? work : share, work);
		else if (!j->known && share < POLICY_SHORT / 2)
			history_record(h, j->name, key[j->node], share, -1);
		return;
	}
	history_record(h, j->name, key[j->node],
		       (double)(j->end_ms - from) / 1000.0, work);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static int span_known(long long from, long long to)
{
	return from > 0 && to > from;
}

void learn_batch_shares(const long long *from, const long long *to,
			size_t n, int cap, double *frac)
{
	size_t ne = 0;
	long long *at = xcalloc(2 * n + 1, sizeof(*at));
	for (size_t i = 0; i < n; i++) {
		frac[i] = 0;
		if (span_known(from[i], to[i])) {
			at[ne++] = from[i];
			at[ne++] = to[i];
		}
	}
	qsort(at, ne, sizeof(*at), cmp_ll);
	double each = cap > 0 ? cap : 1;
	for (size_t e = 0; e + 1 < ne; e++) {
		long long a = at[e], b = at[e + 1];
		size_t k = 0;
		if (b == a)
			continue;
		for (size_t i = 0; i < n; i++)
			k += span_known(from[i], to[i]) && from[i] <= a &&
			     to[i] >= b;
		double share = k > each ? each / (double)k : 1;
		for (size_t i = 0; i < n; i++)
			if (span_known(from[i], to[i]) && from[i] <= a &&
			    to[i] >= b)
				frac[i] += share * (double)(b - a);
	}
	for (size_t i = 0; i < n; i++)
		frac[i] = span_known(from[i], to[i])
				  ? frac[i] / (double)(to[i] - from[i])
				  : 1;
	free(at);
}

void learn_own_span(struct sched_job *j, double work, long long now)
{
	if (work <= j->own_seen_s)
		return;
	/* steps that ended by now, after (together) this long: the span
	 * they ran in ends now and began that long before at the latest
	 * (progress shows a step as it ends when others run beside it) */
	long long from = now - (long long)((work - j->own_seen_s) * 1000);
	if (!j->own_from_ms || from < j->own_from_ms)
		j->own_from_ms = from;
	j->own_to_ms = now;
	j->own_seen_s = work;
}

void learn_batch_work(const struct sched *sc, int node, const size_t *jobs,
		      size_t n, double *work)
{
	if (n < 2)
		return;
	long long *from = xcalloc(n, sizeof(*from));
	long long *to = xcalloc(n, sizeof(*to));
	double *frac = xcalloc(n, sizeof(*frac));
	for (size_t i = 0; i < n; i++) {
		from[i] = sc->jobs[jobs[i]].own_from_ms;
		to[i] = sc->jobs[jobs[i]].own_to_ms;
	}
	learn_batch_shares(from, to, n, sched_node_least(sc, node), frac);
	for (size_t i = 0; i < n; i++)
		if (work[i] > 0)
			work[i] *= frac[i];
	free(from);
	free(to);
	free(frac);
}

void learn_capacity(const struct sched *sc, struct history *h,
		    const char *const *key, int stopped)
{
	if (!h || sc->fifo)
		return;
	for (size_t n = 0; n < sc->nnodes; n++) {
		struct capacity_known old = { history_capacity(h, key[n]),
					      history_capacity_floor(h, key[n]) };
		struct capacity_known now = capacity_remember(
			old, &sc->stats[n].seen, sc->stats[n].slots, stopped);
		if (now.floor && now.floor != old.floor)
			history_set_capacity_floor(h, key[n], now.floor);
		else if (now.capacity &&
			 (now.capacity != old.capacity || old.floor))
			history_set_capacity(h, key[n], now.capacity);
	}
}

double learn_lower_bound(const struct sched *sc)
{
	double work = 0, chain = 0;
	int capacity = 0;
	for (size_t i = 0; i < sc->dag->nr; i++) {
		const struct job *j = &sc->dag->jobs[i];
		if (!j->known)
			return 0;
		work += j->estimate;
		if (j->rank > chain)
			chain = j->rank;
	}
	for (size_t n = 0; n < sc->nnodes; n++) {
		int least = sched_node_least(sc, (int)n);
		if (!least)
			return 0;
		capacity += least;
	}
	return lower_bound(chain, work, capacity);
}
