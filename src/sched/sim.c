#include "sim.h"
#include "bound.h"
#include "../util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rand(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double sim_uniform(struct sim_rng *r)
{
	return (double)(sim_rand(r) >> 11) * 0x1.0p-53;
}

double sim_normal(struct sim_rng *r)
{
	/* Box-Muller; one of the pair is enough here */
	double u = 1.0 - sim_uniform(r), v = sim_uniform(r);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

size_t sim_below(struct sim_rng *r, size_t n)
{
	return n ? (size_t)(sim_uniform(r) * (double)n) : 0;
}

/* ---- workloads ---- */

void sim_workload_init(struct sim_workload *w, size_t nnodes)
{
	memset(w, 0, sizeof(*w));
	w->nnodes = nnodes;
	w->nodes = xcalloc(nnodes + 1, sizeof(*w->nodes));
	for (size_t i = 0; i < nnodes; i++)
		w->nodes[i] = (struct sim_node){ 1, 1.0 };
}

void sim_set_node(struct sim_workload *w, size_t node, int capacity,
		  double speed)
{
	w->nodes[node].capacity = capacity;
	w->nodes[node].speed = speed;
}

size_t sim_add_job(struct sim_workload *w, const char *name, double duration,
		   double estimate)
{
	ALLOC_GROW(w->jobs, w->njobs + 1, w->alloc);
	struct sim_job *j = &w->jobs[w->njobs];
	memset(j, 0, sizeof(*j));
	j->name = name ? xstrdup(name) : xstrfmt("j%zu", w->njobs);
	j->duration = duration;
	j->estimate = estimate < 0 ? duration : estimate;
	return w->njobs++;
}

void sim_add_dep(struct sim_workload *w, size_t job, size_t dep)
{
	struct sim_job *j = &w->jobs[job];
	for (size_t i = 0; i < j->ndeps; i++)
		if (j->deps[i] == dep)
			return;
	j->deps = xrealloc(j->deps, sizeof(*j->deps) * (j->ndeps + 1));
	j->deps[j->ndeps++] = dep;
}

void sim_only_on(struct sim_workload *w, size_t job, size_t node)
{
	struct sim_job *j = &w->jobs[job];
	if (!j->fits)
		j->fits = xcalloc(w->nnodes + 1, 1);
	j->fits[node] = 1;
}

void sim_workload_release(struct sim_workload *w)
{
	for (size_t i = 0; i < w->njobs; i++) {
		free(w->jobs[i].name);
		free(w->jobs[i].deps);
		free(w->jobs[i].fits);
	}
	free(w->jobs);
	free(w->nodes);
	memset(w, 0, sizeof(*w));
}

static double draw_duration(struct sim_rng *r, enum sim_mix mix)
{
	if (mix == SIM_TIERS) {
		double u = sim_uniform(r);
		return u < 0.4 ? 1 : u < 0.7 ? 2 : u < 0.9 ? 4 : 8;
	}
	double d = 2.0 * exp(sim_normal(r));
	return d < 0.1 ? 0.1 : d > 300 ? 300 : d;
}

void sim_generate(struct sim_workload *w, const struct sim_params *p)
{
	struct sim_rng r;
	sim_rng_seed(&r, p->seed);
	sim_workload_init(w, p->nodes);
	for (size_t n = 0; n < p->nodes; n++) {
		int cap = 1 + (int)sim_below(&r, 8);
		double speed = 0.5 * exp(sim_uniform(&r) * log(4.0));
		sim_set_node(w, n, cap, p->equal_speeds ? 1.0 : speed);
	}

	/* names in a random order: FIFO's order says nothing of the DAG */
	size_t *perm = xcalloc(p->targets + 1, sizeof(*perm));
	for (size_t i = 0; i < p->targets; i++)
		perm[i] = i;
	for (size_t i = p->targets; i > 1; i--) {
		size_t k = sim_below(&r, i), t = perm[i - 1];
		perm[i - 1] = perm[k];
		perm[k] = t;
	}
	/* deps from a window of the jobs just before: depth ~ targets / window */
	size_t window = p->targets / 16 > 4 ? p->targets / 16 : 4;
	for (size_t i = 0; i < p->targets; i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%06zu", perm[i]);
		double d = draw_duration(&r, p->mix);
		double est = p->sigma > 0 ? d * exp(p->sigma * sim_normal(&r)) : d;
		size_t j = sim_add_job(w, name, d, est);
		if (p->shape == SIM_BASE && i)
			sim_add_dep(w, j, 0);
		if (p->shape != SIM_INDEPENDENT && i) {
			double u = sim_uniform(&r);
			size_t k = u < 0.25 ? 0 : u < 0.6 ? 1 : u < 0.85 ? 2 : 3;
			size_t lo = i > window ? i - window : 0;
			for (size_t e = 0; e < k; e++)
				sim_add_dep(w, j, lo + sim_below(&r, i - lo));
		}
		if (p->pinned > 0 && sim_uniform(&r) < p->pinned) {
			if (p->nodes < 4)
				sim_only_on(w, j, p->nodes - 1);
			else
				for (size_t n = 3; n < p->nodes; n += 4)
					sim_only_on(w, j, n);
		}
	}
	free(perm);
}

/* ---- bounds ---- */

/* Jobs in an order where every dependency comes first, or NULL on a cycle. */
size_t *sim_topo_order(const struct sim_workload *w)
{
	size_t n = w->njobs;
	size_t *order = xcalloc(n + 1, sizeof(*order));
	size_t *waiting = xcalloc(n + 1, sizeof(*waiting));
	size_t *first = xcalloc(n + 2, sizeof(*first));
	size_t *succ;
	/* dependents in CSR form */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < w->jobs[i].ndeps; k++)
			first[w->jobs[i].deps[k] + 1]++;
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	succ = xcalloc(first[n] + 1, sizeof(*succ));
	size_t *fill = xcalloc(n + 1, sizeof(*fill));
	for (size_t i = 0; i < n; i++) {
		waiting[i] = w->jobs[i].ndeps;
		for (size_t k = 0; k < w->jobs[i].ndeps; k++) {
			size_t d = w->jobs[i].deps[k];
			succ[first[d] + fill[d]++] = i;
		}
	}
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < n; i++)
		if (!waiting[i])
			order[tail++] = i;
	while (head < tail) {
		size_t v = order[head++];
		for (size_t k = first[v]; k < first[v + 1]; k++)
			if (!--waiting[succ[k]])
				order[tail++] = succ[k];
	}
	free(waiting);
	free(first);
	free(succ);
	free(fill);
	if (tail != n) {
		free(order);
		return NULL;
	}
	return order;
}

double sim_critical_path(const struct sim_workload *w, double speed)
{
	size_t *order = sim_topo_order(w);
	if (!order)
		return INFINITY;
	double *finish = xcalloc(w->njobs + 1, sizeof(*finish)), cp = 0;
	for (size_t i = 0; i < w->njobs; i++) {
		const struct sim_job *j = &w->jobs[order[i]];
		double ready = 0;
		for (size_t k = 0; k < j->ndeps; k++)
			if (finish[j->deps[k]] > ready)
				ready = finish[j->deps[k]];
		finish[order[i]] = ready + j->duration / speed;
		if (finish[order[i]] > cp)
			cp = finish[order[i]];
	}
	free(order);
	free(finish);
	return cp;
}

double sim_total_work(const struct sim_workload *w)
{
	double work = 0;
	for (size_t i = 0; i < w->njobs; i++)
		work += w->jobs[i].duration;
	return work;
}

double sim_lower_bound(const struct sim_workload *w)
{
	double fastest = 0, rate = 0;
	for (size_t n = 0; n < w->nnodes; n++) {
		if (w->nodes[n].speed > fastest)
			fastest = w->nodes[n].speed;
		rate += w->nodes[n].capacity * w->nodes[n].speed;
	}
	if (!w->njobs)
		return 0;
	if (fastest <= 0)
		return INFINITY;
	return lower_bound(sim_critical_path(w, fastest), sim_total_work(w),
			   rate);
}

/* ---- a yardstick ---- */

static const double *heft_rank;

static int by_rank_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (heft_rank[x] != heft_rank[y])
		return heft_rank[x] > heft_rank[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

double sim_heft(const struct sim_workload *w, double transfer)
{
	size_t n = w->njobs, nslots = 0;
	size_t *order = sim_topo_order(w);
	if (!order)
		return INFINITY;
	/* rank: duration + longest rank among dependents, at speed 1; in
	 * reverse topological order a job's dependents are all done */
	double *rank = xcalloc(n + 1, sizeof(*rank));
	double *finish = xcalloc(n + 1, sizeof(*finish));
	int *node_of = xcalloc(n + 1, sizeof(*node_of));
	for (size_t i = n; i-- > 0;) {
		const struct sim_job *j = &w->jobs[order[i]];
		rank[order[i]] += j->duration;
		for (size_t k = 0; k < j->ndeps; k++)
			if (rank[order[i]] > rank[j->deps[k]])
				rank[j->deps[k]] = rank[order[i]];
	}
	for (size_t i = 0; i < w->nnodes; i++)
		nslots += (size_t)w->nodes[i].capacity;
	double *avail = xcalloc(nslots + 1, sizeof(*avail));
	int *slot_node = xcalloc(nslots + 1, sizeof(*slot_node));
	for (size_t i = 0, k = 0; i < w->nnodes; i++)
		for (int c = 0; c < w->nodes[i].capacity; c++)
			slot_node[k++] = (int)i;
	heft_rank = rank;
	qsort(order, n, sizeof(*order), by_rank_desc);
	double makespan = 0;
	for (size_t i = 0; i < n; i++) {
		size_t job = order[i];
		const struct sim_job *j = &w->jobs[job];
		double best = INFINITY;
		size_t best_slot = 0;
		for (size_t s = 0; s < nslots; s++) {
			int node = slot_node[s];
			if (j->fits && !j->fits[node])
				continue;
			double ready = 0, extra = 0;
			for (size_t k = 0; k < j->ndeps; k++) {
				size_t d = j->deps[k];
				if (finish[d] > ready)
					ready = finish[d];
				if (node_of[d] != node &&
				    transfer * w->jobs[d].duration > extra)
					extra = transfer * w->jobs[d].duration;
			}
			double st = avail[s] > ready ? avail[s] : ready;
			double end = st + j->duration / w->nodes[node].speed + extra;
			if (end < best) {
				best = end;
				best_slot = s;
			}
		}
		finish[job] = best;
		node_of[job] = slot_node[best_slot];
		avail[best_slot] = best;
		if (best > makespan)
			makespan = best;
	}
	free(order);
	free(rank);
	free(finish);
	free(node_of);
	free(avail);
	free(slot_node);
	return makespan;
}

/* ---- the simulation ---- */

struct event {
	double t;
	size_t slot;
};

struct events {
	struct event *v;
	size_t nr;
};

static int earlier(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->slot < b->slot);
}

static void ev_push(struct events *h, struct event e)
{
	size_t i = h->nr++;
	h->v[i] = e;
	while (i && earlier(&h->v[i], &h->v[(i - 1) / 2])) {
		struct event t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct event ev_pop(struct events *h)
{
	struct event top = h->v[0];
	h->v[0] = h->v[--h->nr];
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->nr && earlier(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->nr && earlier(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		struct event t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

struct sim_slot {
	int node;
	size_t job; /* NO_JOB: free */
};

struct sim {
	const struct sim_workload *w;
	const struct sim_config *cfg;
	struct sim_result *res;
	struct dag dag;
	struct policy policy;
	struct sim_slot *slots;
	size_t nslots;
	struct events ev;
	double now;
};

static long long to_ms(double t)
{
	return (long long)llround(t * 1000.0);
}

static double elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 +
	       (double)(b->tv_nsec - a->tv_nsec);
}

static ssize_t timed_pick(struct sim *s, int node, int affine_only)
{
	struct timespec t0, t1;
	if (!s->cfg->timing) {
		s->res->picks++;
		return policy_pick(&s->policy, node, affine_only);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ssize_t job = policy_pick(&s->policy, node, affine_only);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = elapsed_ns(&t0, &t1);
	s->res->picks++;
	s->res->pick_ns += ns;
	if (ns > s->res->pick_max_ns)
		s->res->pick_max_ns = ns;
	int k = ns >= 1 ? (int)(4 * log2(ns)) : 0;
	s->res->pick_hist[k < SIM_HIST ? k : SIM_HIST - 1]++;
	return job;
}

static void start(struct sim *s, size_t slot, size_t job)
{
	const struct sim_job *sj = &s->w->jobs[job];
	int node = s->slots[slot].node;
	double extra = 0;
	/* layers of dependencies built elsewhere are pulled first */
	for (size_t k = 0; k < sj->ndeps; k++) {
		size_t d = sj->deps[k];
		if (s->res->node[d] != node &&
		    s->cfg->transfer * s->w->jobs[d].duration > extra)
			extra = s->cfg->transfer * s->w->jobs[d].duration;
	}
	if (extra > 0) {
		s->res->remote++;
		s->res->transfer_s += extra;
	}
	dag_start(&s->dag, job, node, to_ms(s->now));
	policy_started(&s->policy, job, node);
	s->slots[slot].job = job;
	s->res->node[job] = node;
	s->res->start[job] = s->now;
	s->res->end[job] = s->now + sj->duration / s->w->nodes[node].speed + extra;
	s->res->starts++;
	ev_push(&s->ev, (struct event){ s->res->end[job], slot });
}

/* The dispatcher's fill_slots, without batches. */
static void fill(struct sim *s)
{
	int first = s->cfg->mode == POLICY_MODE_FIFO || s->cfg->no_affinity;
	for (int pass = first; pass < 2; pass++)
		for (size_t i = 0; i < s->nslots; i++) {
			if (s->slots[i].job != NO_JOB)
				continue;
			ssize_t job = timed_pick(s, s->slots[i].node, pass == 0);
			if (job >= 0)
				start(s, i, (size_t)job);
		}
}

void sim_build_dag(const struct sim_workload *w, struct dag *dag)
{
	static struct strvec none = STRVEC_INIT;
	struct node_offer *offers = xcalloc(w->nnodes + 1, sizeof(*offers));
	for (size_t n = 0; n < w->nnodes; n++)
		offers[n] = (struct node_offer){ "sim", &none, &none };
	for (size_t i = 0; i < w->njobs; i++)
		dag_add(dag, w->jobs[i].name, &none);
	for (size_t i = 0; i < w->njobs; i++)
		for (size_t k = 0; k < w->jobs[i].ndeps; k++)
			dag_add_edge(dag, i, w->jobs[i].deps[k]);
	if (dag_prepare(dag, offers, w->nnodes) < 0)
		BUG("simulated workload has a cycle");
	free(offers);
	for (size_t i = 0; i < w->njobs; i++)
		if (w->jobs[i].fits)
			memcpy(dag->jobs[i].fits, w->jobs[i].fits, w->nnodes);
}

static void build_dag(struct sim *s)
{
	sim_build_dag(s->w, &s->dag);
	for (size_t i = 0; i < s->w->njobs; i++) {
		/* what history would say, as dispatch_prepare reads it */
		s->dag.jobs[i].estimate = s->w->jobs[i].estimate;
		s->dag.jobs[i].known = 1;
	}
	dag_rank(&s->dag);
}

void sim_bench_w1(struct sim_workload *w, const int *capacity)
{
	static const double secs[] = { 1, 2, 4, 8 };
	static const int count[] = { 10, 7, 5, 2 };
	sim_workload_init(w, 4);
	for (size_t n = 0; n < 4; n++)
		sim_set_node(w, n, capacity[n], 1.0);
	for (int t = 0; t < 4; t++)
		for (int k = 0; k < count[t]; k++)
			sim_add_job(w, NULL, secs[t], -1);
}

int sim_run(const struct sim_workload *w, const struct sim_config *cfg,
	    struct sim_result *res)
{
	struct sim s = { .w = w, .cfg = cfg, .res = res, .dag = DAG_INIT };
	size_t total = 0;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->node = xcalloc(w->njobs + 1, sizeof(*res->node));
	res->start = xcalloc(w->njobs + 1, sizeof(*res->start));
	res->end = xcalloc(w->njobs + 1, sizeof(*res->end));
	for (size_t i = 0; i < w->njobs; i++)
		res->node[i] = -1;
	for (size_t n = 0; n < w->nnodes; n++) {
		int c = cfg->one_slot ? 1 : w->nodes[n].capacity;
		total += (size_t)c;
	}
	s.slots = xcalloc(total + 1, sizeof(*s.slots));
	/* as dispatch_prepare orders them: by speed when history tells it */
	double *speed = xcalloc(w->nnodes + 1, sizeof(*speed));
	int *caps = xcalloc(w->nnodes + 1, sizeof(*caps));
	int *onode = xcalloc(total + 1, sizeof(*onode));
	int *orank = xcalloc(total + 1, sizeof(*orank));
	for (size_t n = 0; n < w->nnodes; n++) {
		speed[n] = cfg->hints ? w->nodes[n].speed : 0;
		caps[n] = cfg->one_slot ? 1 : w->nodes[n].capacity;
	}
	s.nslots = policy_slot_order(w->nnodes, speed, caps, NULL, onode,
				     orank);
	for (size_t i = 0; i < s.nslots; i++)
		s.slots[i] = (struct sim_slot){ onode[i], NO_JOB };
	free(speed);
	free(caps);
	free(onode);
	free(orank);
	s.ev.v = xcalloc(total + 1, sizeof(*s.ev.v));

	build_dag(&s);
	policy_init(&s.policy, &s.dag, cfg->mode);
	if (cfg->hints)
		for (size_t n = 0; n < w->nnodes; n++)
			policy_node_hint(&s.policy, (int)n, w->nodes[n].speed,
					 cfg->one_slot ? 1 : w->nodes[n].capacity);
	fill(&s);
	if (cfg->probe)
		cfg->probe(&s.policy, cfg->probe_data);
	while (s.ev.nr) {
		struct event e = ev_pop(&s.ev);
		s.now = e.t;
		/* everything that ends at this instant, then one fill */
		for (;;) {
			size_t job = s.slots[e.slot].job;
			s.slots[e.slot].job = NO_JOB;
			dag_done(&s.dag, job, to_ms(s.now));
			if (!s.ev.nr || s.ev.v[0].t != s.now)
				break;
			e = ev_pop(&s.ev);
		}
		res->events++;
		fill(&s);
		if (cfg->probe)
			cfg->probe(&s.policy, cfg->probe_data);
	}
	res->makespan = s.now;
	if (s.dag.left)
		ret = -1;
	policy_release(&s.policy);
	dag_release(&s.dag);
	free(s.slots);
	free(s.ev.v);
	return ret;
}

void sim_result_release(struct sim_result *res)
{
	free(res->node);
	free(res->start);
	free(res->end);
	memset(res, 0, sizeof(*res));
}


double sim_pick_quantile(const struct sim_result *res, double q)
{
	size_t total = 0, seen = 0;
	for (int k = 0; k < SIM_HIST; k++)
		total += res->pick_hist[k];
	for (int k = 0; k < SIM_HIST; k++) {
		seen += res->pick_hist[k];
		if (total && (double)seen >= q * (double)total)
			return exp2((k + 1) / 4.0);
	}
	return 0;
}
