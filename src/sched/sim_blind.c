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

/*
 * One kind of heap entry for both, smallest (k1, k2) on top: a ready job
 * is (-hops: the longest chain of jobs first, its random key), a build
 * in flight (its end, 0).
 */
struct entry {
	double k1;
	uint64_t k2;
	size_t job;
	size_t node;        /* a build's node */
};

struct heap {
	struct entry *v;
	size_t nr;
};

static int before(const struct entry *a, const struct entry *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	return a->k2 < b->k2;
}

static void push(struct heap *h, struct entry e)
{
	size_t i = h->nr++;
	while (i && before(&e, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = e;
}

static struct entry pop(struct heap *h)
{
	struct entry top = h->v[0], last = h->v[--h->nr];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->nr)
			break;
		if (c + 1 < h->nr && before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->nr)
		h->v[i] = last;
	return top;
}

static struct entry ready_entry(size_t hops, uint64_t key, size_t job)
{
	return (struct entry){ -(double)hops, key, job, 0 };
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
	struct heap ready, flight;
	struct entry *skipped;
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
	for (size_t i = 0; i < w->nnodes && b->ready.nr; i++) {
		size_t node = b->by_speed[i], nskipped = 0;
		while (b->free[node] > 0 && b->ready.nr) {
			struct entry r = pop(&b->ready);
			const struct sim_job *j = &w->jobs[r.job];
			if (j->fits && !j->fits[node]) {
				b->skipped[nskipped++] = r;
				continue;
			}
			b->free[node]--;
			push(&b->flight, (struct entry){
				now + j->duration / w->nodes[node].speed, 0,
				r.job, node });
		}
		while (nskipped)
			push(&b->ready, b->skipped[--nskipped]);
	}
}

static double one_order(struct blind *b, struct sim_rng *rng)
{
	const struct sim_workload *w = b->w;
	size_t n = w->njobs;
	double now = 0;
	b->ready.nr = b->flight.nr = 0;
	for (size_t i = 0; i < w->nnodes; i++)
		b->free[i] = w->nodes[i].capacity;
	for (size_t i = 0; i < n; i++) {
		b->need[i] = w->jobs[i].ndeps;
		b->key[i] = sim_rand(rng);
		if (!b->need[i])
			push(&b->ready, ready_entry(b->hops[i], b->key[i], i));
	}
	assign(b, now);
	while (b->flight.nr) {
		struct entry f = pop(&b->flight);
		now = f.k1;
		b->free[f.node]++;
		for (size_t k = b->first[f.job]; k < b->first[f.job + 1]; k++) {
			size_t d = b->succ[k];
			if (!--b->need[d])
				push(&b->ready,
				     ready_entry(b->hops[d], b->key[d], d));
		}
		assign(b, now);
	}
	/* a job that fits no node never ran: no makespan */
	return b->ready.nr ? -1 : now;
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
	b.ready.v = xcalloc(n + 1, sizeof(*b.ready.v));
	b.skipped = xcalloc(n + 1, sizeof(*b.skipped));
	b.flight.v = xcalloc(n + 1, sizeof(*b.flight.v));

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
	free(b.ready.v);
	free(b.skipped);
	free(b.flight.v);
	return total < 0 || !orders ? total : total / (double)orders;
}
