#include "policy_state.h"
#include "../util/util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Ready jobs wait in heaps, best on top, with stale entries (jobs since
 * started, failed or cancelled) dropped when they surface. Jobs that fit
 * the same nodes share a heap (a "class"; p->heap is the class of the
 * jobs that fit every node), so a node never digs through jobs it cannot
 * build. Per node, p->affine[node] is a heap of the ready jobs with
 * layers there that fit it.
 *
 * What it learns of the nodes' speeds is in speed.c.
 */

/* How many fitting jobs a pick weighs before giving up on the best. */
#define LEARN_LOOK 32

static void list_push(struct job_list *l, size_t job)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = job;
}

/* ---- heaps ---- */

/* Whether job a should go before job b. */
static int better(const struct policy *p, size_t a, size_t b)
{
	const struct job *ja = &p->dag->jobs[a], *jb = &p->dag->jobs[b];
	if (p->mode == POLICY_MODE_DEFAULT && ja->rank != jb->rank)
		return ja->rank > jb->rank;
	return p->order[a] < p->order[b];
}

static void heap_up(const struct policy *p, struct job_list *h, size_t i)
{
	size_t *v = h->v;
	while (i && better(p, v[i], v[(i - 1) / 2])) {
		size_t up = (i - 1) / 2, t = v[i];
		v[i] = v[up];
		v[up] = t;
		i = up;
	}
}

static void heap_down(const struct policy *p, struct job_list *h, size_t i)
{
	size_t *v = h->v, n = h->nr;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, best = i;
		if (l < n && better(p, v[l], v[best]))
			best = l;
		if (r < n && better(p, v[r], v[best]))
			best = r;
		if (best == i)
			return;
		size_t t = v[i];
		v[i] = v[best];
		v[best] = t;
		i = best;
	}
}

static void heap_push(const struct policy *p, struct job_list *h, size_t job)
{
	list_push(h, job);
	heap_up(p, h, h->nr - 1);
}

static size_t heap_pop(const struct policy *p, struct job_list *h)
{
	size_t top = h->v[0];
	h->v[0] = h->v[--h->nr];
	if (h->nr)
		heap_down(p, h, 0);
	return top;
}

/* Drop stale jobs from the top of a heap; its best ready job or -1. */
static ssize_t heap_top(const struct policy *p, struct job_list *h)
{
	while (h->nr) {
		size_t top = h->v[0];
		if (p->dag->jobs[top].state == JOB_READY)
			return (ssize_t)top;
		heap_pop(p, h);
	}
	return -1;
}

static struct job_list *class_heap(struct policy *p, size_t c)
{
	return c ? &p->state->heaps[c] : &p->heap;
}

/* ---- fit classes ---- */

static uint64_t hash_fits(const unsigned char *fits, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ fits[i]) * 1099511628211ULL;
	return h;
}

/* Give every job the class of the jobs that fit the same nodes. */
static void make_classes(struct policy *p)
{
	struct policy_state *st = p->state;
	const struct dag *dag = p->dag;
	size_t nodes = dag->nodes, size = 16;
	while (size < 2 * dag->nr + 2)
		size *= 2;
	size_t *table = xcalloc(size, sizeof(*table)); /* class + 1, 0: free */
	unsigned char *all = xcalloc(nodes + 1, 1);
	memset(all, 1, nodes);

	st->klass = xcalloc(dag->nr + 1, sizeof(*st->klass));
	st->class_fits = xcalloc(dag->nr + 2, sizeof(*st->class_fits));
	st->nclasses = 0;
	for (size_t i = 0; i <= dag->nr; i++) {
		/* the everywhere class first (even if empty), then each job */
		const unsigned char *fits = i ? dag->jobs[i - 1].fits : all;
		size_t slot = hash_fits(fits, nodes) & (size - 1);
		for (;; slot = (slot + 1) & (size - 1)) {
			size_t c = table[slot];
			if (!c) {
				c = ++st->nclasses;
				table[slot] = c;
				st->class_fits[c - 1] = fits;
			}
			if (!memcmp(st->class_fits[c - 1], fits, nodes)) {
				if (i)
					st->klass[i - 1] = c - 1;
				break;
			}
		}
	}
	/* class 0 points at `all`, freed here: it fits every node */
	st->class_fits[0] = NULL;
	free(all);
	free(table);
	st->heaps = xcalloc(st->nclasses + 1, sizeof(*st->heaps));
}

static int class_fits(const struct policy *p, size_t c, int node)
{
	return !c || p->state->class_fits[c][node];
}

/* ---- the policy ---- */

/* A job became ready: into the heap of its class, and those of the nodes
 * holding its layers. */
static void on_ready(size_t job, void *data)
{
	struct policy *p = data;
	const struct job *j = &p->dag->jobs[job];
	heap_push(p, class_heap(p, p->state->klass[job]), job);
	if (p->mode != POLICY_MODE_DEFAULT)
		return;
	p->state->dirty = 1;
	int gn = p->dag->group_node[j->group];
	if (gn >= 0 && j->fits[gn])
		heap_push(p, &p->affine[gn], job);
	/* its own cache first: then its dependencies' nodes are not
	 * where its layers are */
	int home = p->state->home[job];
	if (home >= 0 && home != gn) {
		heap_push(p, &p->affine[home], job);
		return;
	}
	for (size_t i = 0; i < j->ndeps; i++) {
		int n = p->dag->jobs[j->deps[i]].node;
		if (n >= 0 && n != gn && j->fits[n])
			heap_push(p, &p->affine[n], job);
	}
}

static const struct dag *sort_dag;

static int by_name(const void *a, const void *b)
{
	return strcmp(sort_dag->jobs[*(const size_t *)a].name,
		      sort_dag->jobs[*(const size_t *)b].name);
}

static struct policy_state *state_new(const struct dag *dag)
{
	struct policy_state *l = xcalloc(1, sizeof(*l));
	speed_init(l, dag);
	l->home = xcalloc(dag->nr + 1, sizeof(*l->home));
	for (size_t i = 0; i < dag->nr; i++)
		l->home[i] = -1;
	return l;
}

void policy_init(struct policy *p, struct dag *dag, enum policy_mode mode)
{
	size_t *byname = xcalloc(dag->nr + 1, sizeof(*byname));
	memset(p, 0, sizeof(*p));
	p->dag = dag;
	p->mode = mode;
	p->order = xcalloc(dag->nr + 1, sizeof(*p->order));
	p->affine = xcalloc(dag->nodes + 1, sizeof(*p->affine));
	for (size_t i = 0; i < dag->nr; i++)
		byname[i] = i;
	sort_dag = dag;
	qsort(byname, dag->nr, sizeof(*byname), by_name);
	for (size_t i = 0; i < dag->nr; i++)
		p->order[byname[i]] = i;
	free(byname);
	p->state = state_new(dag);
	make_classes(p);
	dag->on_ready = on_ready;
	dag->on_ready_data = p;
	for (size_t i = 0; i < dag->nr; i++)
		if (dag->jobs[i].state == JOB_READY)
			on_ready(i, p);
}

void policy_refit(struct policy *p)
{
	struct policy_state *st = p->state;
	for (size_t c = 0; c < st->nclasses; c++)
		free(st->heaps[c].v);
	free(st->heaps);
	free(st->klass);
	free(st->class_fits);
	p->heap.nr = 0;
	make_classes(p);
	for (size_t i = 0; i < p->dag->nr; i++)
		if (p->dag->jobs[i].state == JOB_READY)
			heap_push(p, class_heap(p, st->klass[i]), i);
}

/* The best ready job of any class, or -1. */
static ssize_t best_ready(struct policy *p)
{
	ssize_t best = -1;
	for (size_t c = 0; c < p->state->nclasses; c++) {
		ssize_t top = heap_top(p, class_heap(p, c));
		if (top >= 0 && (best < 0 || better(p, (size_t)top, (size_t)best)))
			best = top;
	}
	return best;
}

/* The best ready job that fits `node` (the top of its class), or -1. */
static ssize_t best_fitting(struct policy *p, int node, size_t *from)
{
	ssize_t best = -1;
	for (size_t c = 0; c < p->state->nclasses; c++) {
		if (!class_fits(p, c, node))
			continue;
		ssize_t top = heap_top(p, class_heap(p, c));
		if (top >= 0 && (best < 0 || better(p, (size_t)top, (size_t)best))) {
			best = top;
			*from = c;
		}
	}
	return best;
}

/* Take it out of its heap, or -1. */
static ssize_t pop_fitting(struct policy *p, int node)
{
	size_t from = 0;
	ssize_t best = best_fitting(p, node, &from);
	if (best >= 0)
		heap_pop(p, class_heap(p, from));
	return best;
}

static ssize_t pick_affine(struct policy *p, int node)
{
	struct job_list *h = &p->affine[node];
	ssize_t top = heap_top(p, h), found = -1, best;
	if (top < 0)
		return -1;
	/* its cache is here: likely faster here than anywhere */
	if (p->state->home[top] == node)
		return top;
	speed_update(p);
	if (!p->state->fastest || (best = best_ready(p)) < 0)
		return top;
	double bound = speed_bound(p, p->dag->jobs[best].rank);
	if (!bound)
		return top;
	/* layers are local, but a slow node still leaves a chain that
	 * would end late to a faster one */
	struct faster all = { 0 };
	p->scratch.nr = 0;
	for (size_t weighed = 0; h->nr && weighed < LEARN_LOOK; weighed++) {
		size_t job = heap_pop(p, h);
		if (p->dag->jobs[job].state != JOB_READY)
			continue;
		list_push(&p->scratch, job);
		if (speed_runs_here(p, job, node, bound, 0, &all)) {
			found = (ssize_t)job;
			break;
		}
	}
	for (size_t i = 0; i < p->scratch.nr; i++)
		heap_push(p, h, p->scratch.v[i]);
	return found;
}

ssize_t policy_pick(struct policy *p, int node, int affine_only)
{
	if (affine_only)
		return p->mode == POLICY_MODE_DEFAULT ? pick_affine(p, node) : -1;
	double bound = 0;
	if (p->mode == POLICY_MODE_DEFAULT) {
		speed_update(p);
		ssize_t best;
		if (p->state->fastest && (best = best_ready(p)) >= 0)
			bound = speed_bound(p, p->dag->jobs[best].rank);
	}
	if (!bound) {
		size_t from;
		return best_fitting(p, node, &from);
	}

	ssize_t found = -1, fallback = -1, job, last = -1;
	double fallback_end = 0, ahead = 0;
	struct faster all = { 0 };
	p->scratch.nr = 0;
	for (size_t weighed = 0; weighed < LEARN_LOOK &&
	     (job = pop_fitting(p, node)) >= 0; weighed++) {
		list_push(&p->scratch, (size_t)job);
		last = job;
		if (speed_runs_here(p, (size_t)job, node, bound, ahead, &all)) {
			found = job;
			break;
		}
		double end = speed_chain_end(p, (size_t)job, node);
		if (fallback < 0 || end < fallback_end) {
			fallback = job;
			fallback_end = end;
		}
		ahead += p->dag->jobs[job].estimate;
	}
	for (size_t i = 0; i < p->scratch.nr; i++)
		heap_push(p, class_heap(p, p->state->klass[p->scratch.v[i]]),
			  p->scratch.v[i]);
	if (found >= 0 || fallback < 0)
		return found;
	/* the best ones end too late here: maybe a shorter one at the
	 * bottom of a heap (its last entries) does not; one not weighed
	 * yet, so what is ahead of it is at least what was weighed */
	for (size_t c = 0; c < p->state->nclasses; c++) {
		const struct job_list *h = class_heap(p, c);
		if (!class_fits(p, c, node))
			continue;
		size_t from = h->nr > LEARN_LOOK ? h->nr - LEARN_LOOK : 0;
		for (size_t i = from; i < h->nr; i++) {
			size_t k = h->v[i];
			if (p->dag->jobs[k].state == JOB_READY &&
			    better(p, (size_t)last, k) &&
			    (found < 0 || better(p, k, (size_t)found)) &&
			    speed_runs_here(p, k, node, bound, ahead, &all))
				found = (ssize_t)k;
		}
	}
	/*
	 * Nothing ends in time here: leave it to the faster nodes. Each job
	 * weighed has one that fits it with slots (else speed_runs_here takes
	 * it). If something runs, a slot frees up and calls again; if
	 * nothing does, every slot is free and this very pass asks them.
	 */
	return found;
}

/*
 * Short enough to batch: its build steps (or, before their time is
 * known, its whole build) took less than POLICY_SHORT. A cached build's
 * steps take nothing, whatever starting the build costs.
 */
static int is_short(const struct job *j)
{
	return j->known && (j->work >= 0 ? j->work : j->estimate) < POLICY_SHORT;
}

/* Others as little known as `first`, for a batch of a first run. */
static size_t add_unknown(struct policy *p, size_t first, int node,
			  size_t *out, size_t n, size_t max)
{
	const struct dag *dag = p->dag;
	unsigned char *in = xcalloc(dag->nr + 1, 1);
	for (size_t i = 0; i < n; i++)
		in[out[i]] = 1;
	/* the best first, as the heaps order them: the class of `first`,
	 * then the others that fit this node */
	size_t mine = p->state->klass[first];
	for (size_t pass = 0; pass < 2 && n < max; pass++) {
		for (size_t c = 0; c < p->state->nclasses && n < max; c++) {
			if ((pass == 0) != (c == mine) || !class_fits(p, c, node))
				continue;
			const struct job_list *h = class_heap(p, c);
			for (size_t i = 0; i < h->nr && n < max; i++) {
				size_t k = h->v[i];
				const struct job *j = &dag->jobs[k];
				if (j->state == JOB_READY && !j->solo && !j->known &&
				    j->fits[node] && !in[k]) {
					in[k] = 1;
					out[n++] = k;
				}
			}
		}
	}
	free(in);
	return n;
}

size_t policy_batch(struct policy *p, size_t first, int node, size_t *out,
		    size_t max_short, size_t max_unknown)
{
	const struct dag *dag = p->dag;
	const struct job *f = &dag->jobs[first];
	size_t n = 0;
	out[n++] = first;
	if (p->mode != POLICY_MODE_DEFAULT || f->solo)
		return n;
	for (size_t k = f->group; k != NO_JOB; k = dag->jobs[k].group_next) {
		const struct job *j = &dag->jobs[k];
		if (k != first && j->state == JOB_READY && !j->solo && j->fits[node])
			out[n++] = k;
	}
	if (!f->known && max_unknown > n)
		return add_unknown(p, first, node, out, n, max_unknown);
	if (!is_short(f))
		return n;
	/* other short ones: each once (a heap may hold a job twice), none
	 * already in; first those with layers or a cache on this node */
	unsigned char *in = xcalloc(dag->nr + 1, 1);
	for (size_t i = 0; i < n; i++)
		in[out[i]] = 1;
	const struct job_list *mine = &p->affine[node];
	for (size_t i = 0; i < mine->nr && n < max_short; i++) {
		size_t k = mine->v[i];
		const struct job *j = &dag->jobs[k];
		if (j->state == JOB_READY && !j->solo && is_short(j) && !in[k]) {
			in[k] = 1;
			out[n++] = k;
		}
	}
	for (size_t c = 0; c < p->state->nclasses && n < max_short; c++) {
		const struct job_list *h = class_heap(p, c);
		if (!class_fits(p, c, node))
			continue;
		for (size_t i = 0; i < h->nr && n < max_short; i++) {
			size_t k = h->v[i];
			const struct job *j = &dag->jobs[k];
			if (j->state == JOB_READY && !j->solo && is_short(j) &&
			    !in[k]) {
				in[k] = 1;
				out[n++] = k;
			}
		}
	}
	free(in);
	return n;
}

void policy_started(struct policy *p, size_t job, int node)
{
	policy_started_in(p, job, node, 1);
}

void policy_started_in(struct policy *p, size_t job, int node, size_t batch)
{
	const struct dag *dag = p->dag;
	if (p->mode != POLICY_MODE_DEFAULT)
		return;
	speed_started(p, job, node, batch);
	size_t g = dag->jobs[job].group;
	for (size_t k = g; k != NO_JOB; k = dag->jobs[k].group_next)
		if (dag->jobs[k].state == JOB_READY && dag->jobs[k].fits[node])
			heap_push(p, &p->affine[node], k);
}

void policy_home(struct policy *p, size_t job, int node)
{
	const struct dag *dag = p->dag;
	if (p->mode != POLICY_MODE_DEFAULT || job >= dag->nr || node < 0 ||
	    (size_t)node >= dag->nodes || !dag->jobs[job].fits[node])
		return;
	p->state->home[job] = node;
	if (dag->jobs[job].state == JOB_READY)
		heap_push(p, &p->affine[node], job);
}

int policy_home_of(const struct policy *p, size_t job)
{
	return p->state && job < p->dag->nr ? p->state->home[job] : -1;
}

void policy_release(struct policy *p)
{
	if (p->affine)
		for (size_t i = 0; i < p->dag->nodes; i++)
			free(p->affine[i].v);
	free(p->affine);
	if (p->state) {
		struct policy_state *l = p->state;
		for (size_t c = 0; c < l->nclasses; c++)
			free(l->heaps[c].v);
		free(l->heaps);
		free(l->klass);
		free(l->class_fits);
		speed_release(l);
		free(l->home);
		free(l);
	}
	free(p->heap.v);
	free(p->scratch.v);
	free(p->order);
	memset(p, 0, sizeof(*p));
}

/* Slots are ordered by speed classes this factor apart (log(speed) /
 * log(SPEED_CLASS), rounded): speeds from history are noisy. */
#define SPEED_CLASS 1.15

struct slot_key {
	int extra;    /* past the node's capacity: after every real slot */
	long bucket;  /* speed class, higher first */
	int rank;     /* slot of its node */
	size_t node;
};

static int by_slot_key(const void *a, const void *b)
{
	const struct slot_key *x = a, *y = b;
	if (x->extra != y->extra)
		return x->extra < y->extra ? -1 : 1;
	if (x->bucket != y->bucket && !x->extra)
		return x->bucket > y->bucket ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

size_t policy_slot_order(size_t nnodes, const double *speed, const int *slots,
			 const int *real, int *node_out, int *rank_out)
{
	size_t total = 0;
	for (size_t n = 0; n < nnodes; n++)
		total += slots[n] > 0 ? (size_t)slots[n] : 0;
	struct slot_key *k = xcalloc(total + 1, sizeof(*k));
	size_t i = 0;
	for (size_t n = 0; n < nnodes; n++) {
		double sp = speed && speed[n] > 0 ? speed[n] : 1;
		long bucket = lround(log(sp) / log(SPEED_CLASS));
		for (int r = 0; r < slots[n]; r++)
			k[i++] = (struct slot_key){ real && r >= real[n], bucket,
						    r, n };
	}
	qsort(k, total, sizeof(*k), by_slot_key);
	for (i = 0; i < total; i++) {
		node_out[i] = (int)k[i].node;
		rank_out[i] = k[i].rank;
	}
	free(k);
	return total;
}
