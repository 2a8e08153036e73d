/*
 * sim_blind(): list scheduling that knows everything but the durations
 * (see sim.h). An event simulation: a heap of ready jobs (longest chain
 * of jobs first, then a random key), a heap of builds in flight by their
 * end, and each node's free places.
 */
#include "sim.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

struct ready {
	size_t hops;        /* jobs on its longest chain to the end */
	uint64_t key;       /* the tie order */
	size_t job;
};

struct flight {
	double end;
	size_t job;
	size_t node;
};

/* a before b: more hops, then the smaller key */
static int ready_before(const struct ready *a, const struct ready *b)
{
	if (a->hops != b->hops)
		return a->hops > b->hops;
	return a->key < b->key;
}

static void ready_push(struct ready *h, size_t *nr, struct ready e)
{
	size_t i = (*nr)++;
	while (i && ready_before(&e, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = e;
}

static struct ready ready_pop(struct ready *h, size_t *nr)
{
	struct ready top = h[0], last = h[--*nr];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *nr)
			break;
		if (c + 1 < *nr && ready_before(&h[c + 1], &h[c]))
			c++;
		if (!ready_before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*nr)
		h[i] = last;
	return top;
}

static void flight_push(struct flight *h, size_t *nr, struct flight e)
{
	size_t i = (*nr)++;
	while (i && e.end < h[(i - 1) / 2].end) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = e;
}

static struct flight flight_pop(struct flight *h, size_t *nr)
{
	struct flight top = h[0], last = h[--*nr];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *nr)
			break;
		if (c + 1 < *nr && h[c + 1].end < h[c].end)
			c++;
		if (!(h[c].end < last.end))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*nr)
		h[i] = last;
	return top;
}

struct blind {
	const struct sim_workload *w;
	size_t *first, *succ;   /* dependents, CSR */
	size_t *hops;
	size_t *by_speed;       /* nodes, fastest first */
	int know_speeds;        /* else each place in a random order */
	struct sim_rng *rng;
	/* one order's state */
	size_t *need;
	uint64_t *key;
	int *free;
	struct ready *ready, *skipped;
	size_t nready;
	struct flight *flight;
	size_t nflight;
};

static int faster(const void *a, const void *b, void *arg)
{
	const struct sim_workload *w = arg;
	double x = w->nodes[*(const size_t *)a].speed;
	double y = w->nodes[*(const size_t *)b].speed;
	return x > y ? -1 : x < y;
}

/* Every free place, fastest node first (or in a random order), gets the
 * best ready job that fits its node. */
static void assign(struct blind *b, double now)
{
	const struct sim_workload *w = b->w;
	if (!b->know_speeds)
		for (size_t i = w->nnodes; i > 1; i--) {
			size_t k = sim_below(b->rng, i), t = b->by_speed[i - 1];
			b->by_speed[i - 1] = b->by_speed[k];
			b->by_speed[k] = t;
		}
	for (size_t i = 0; i < w->nnodes && b->nready; i++) {
		size_t node = b->by_speed[i], nskipped = 0;
		while (b->free[node] > 0 && b->nready) {
			struct ready r = ready_pop(b->ready, &b->nready);
			const struct sim_job *j = &w->jobs[r.job];
			if (j->fits && !j->fits[node]) {
				b->skipped[nskipped++] = r;
				continue;
			}
			b->free[node]--;
			flight_push(b->flight, &b->nflight,
				    (struct flight){ now + j->duration /
							     w->nodes[node].speed,
						     r.job, node });
		}
		while (nskipped)
			ready_push(b->ready, &b->nready, b->skipped[--nskipped]);
	}
}

static double one_order(struct blind *b, struct sim_rng *rng)
{
	const struct sim_workload *w = b->w;
	size_t n = w->njobs;
	double now = 0;
	b->nready = b->nflight = 0;
	for (size_t i = 0; i < w->nnodes; i++)
		b->free[i] = w->nodes[i].capacity;
	for (size_t i = 0; i < n; i++) {
		b->need[i] = w->jobs[i].ndeps;
		b->key[i] = sim_rand(rng);
		if (!b->need[i])
			ready_push(b->ready, &b->nready,
				   (struct ready){ b->hops[i], b->key[i], i });
	}
	assign(b, now);
	while (b->nflight) {
		struct flight f = flight_pop(b->flight, &b->nflight);
		now = f.end;
		b->free[f.node]++;
		for (size_t k = b->first[f.job]; k < b->first[f.job + 1]; k++) {
			size_t d = b->succ[k];
			if (!--b->need[d])
				ready_push(b->ready, &b->nready,
					   (struct ready){ b->hops[d], b->key[d], d });
		}
		assign(b, now);
	}
	/* a job that fits no node never ran: no makespan */
	return b->nready ? -1 : now;
}

double sim_blind(const struct sim_workload *w, size_t orders, uint64_t seed,
		 int know_speeds)
{
	size_t n = w->njobs;
	size_t *order = sim_topo_order(w);
	if (!order)
		return -1;
	struct sim_rng rng;
	struct blind b = { .w = w, .know_speeds = know_speeds, .rng = &rng };
	b.first = xcalloc(n + 2, sizeof(*b.first));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < w->jobs[i].ndeps; k++)
			b.first[w->jobs[i].deps[k] + 1]++;
	for (size_t i = 0; i < n; i++)
		b.first[i + 1] += b.first[i];
	b.succ = xcalloc(b.first[n] + 1, sizeof(*b.succ));
	size_t *fill = xcalloc(n + 1, sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < w->jobs[i].ndeps; k++) {
			size_t d = w->jobs[i].deps[k];
			b.succ[b.first[d] + fill[d]++] = i;
		}
	free(fill);
	/* hops, in reverse topological order: dependents first */
	b.hops = xcalloc(n + 1, sizeof(*b.hops));
	for (size_t i = n; i-- > 0;) {
		size_t v = order[i], most = 0;
		for (size_t k = b.first[v]; k < b.first[v + 1]; k++)
			if (b.hops[b.succ[k]] > most)
				most = b.hops[b.succ[k]];
		b.hops[v] = most + 1;
	}
	free(order);
	b.by_speed = xcalloc(w->nnodes + 1, sizeof(*b.by_speed));
	for (size_t i = 0; i < w->nnodes; i++)
		b.by_speed[i] = i;
	qsort_r(b.by_speed, w->nnodes, sizeof(*b.by_speed), faster, (void *)w);
	b.need = xcalloc(n + 1, sizeof(*b.need));
	b.key = xcalloc(n + 1, sizeof(*b.key));
	b.free = xcalloc(w->nnodes + 1, sizeof(*b.free));
	b.ready = xcalloc(n + 1, sizeof(*b.ready));
	b.skipped = xcalloc(n + 1, sizeof(*b.skipped));
	b.flight = xcalloc(n + 1, sizeof(*b.flight));

	sim_rng_seed(&rng, seed);
	double total = 0;
	for (size_t o = 0; o < orders && total >= 0; o++) {
		double m = one_order(&b, &rng);
		total = m < 0 ? -1 : total + m;
	}
	free(b.first);
	free(b.succ);
	free(b.hops);
	free(b.by_speed);
	free(b.need);
	free(b.key);
	free(b.free);
	free(b.ready);
	free(b.skipped);
	free(b.flight);
	return total < 0 || !orders ? total : total / (double)orders;
}
