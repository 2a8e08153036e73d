#include "policy.h"
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
 * Node speeds (default mode only). A node that took 20 s for 10 s of
 * estimates runs at 0.5: the policy learns it as jobs with remembered
 * durations finish, or is told it up front (policy_node_hint). Until some
 * speed is known, nothing here changes a pick.
 *
 * Once speeds are known, a job goes to a node when its chain (the job at
 * that node's speed, the rest at the fastest speed) ends within what the
 * rest of the run takes anyway, or no later than if it waited for the
 * faster nodes (which first work through what runs there and through the
 * ready jobs ahead of it). So a slow node leaves critical jobs to faster
 * ones and takes shorter ones; and when nothing would end in time on it
 * while something runs, it takes nothing: a slot frees up and calls again.
 */

/* A node is faster only when faster by this much (noisy speeds). */
#define LEARN_FASTER 1.1
/* How many fitting jobs a pick weighs before giving up on the best. */
#define LEARN_LOOK 32
/*
 * A node's own jobs count against this many more at the prior speed
 * (the hint, or every node's average): a few noisy durations do not make
 * a node look fast or slow.
 */
#define LEARN_PRIOR_JOBS 1
/* ...this many on a first run, whose jobs all count as the average one:
 * a node that drew a few long ones is not slow for that */
#define LEARN_PRIOR_COLD 4

struct started {
	size_t job;
	int node;
	int slot;      /* counts as a slot taken: never in a batch */
	int alone;     /* its bake built it alone */
	long long start_ms;
};

struct policy_state {
	/* fit classes: class 0 fits every node and its heap is p->heap */
	size_t *klass;           /* per job */
	size_t nclasses;
	const unsigned char **class_fits; /* per class: what it fits */
	struct job_list *heaps;  /* per class; heaps[0] unused (p->heap) */

	/* what the policy learns of the nodes (default mode) */
	int dirty;               /* jobs ended or came back since the last look */
	size_t left_seen;        /* dag->left at the last look */
	struct started *run;     /* started, not yet seen to end */
	size_t nrun, allocrun;
	double *est, *took;      /* per node: estimates and seconds of its jobs */
	int *done, *busy, *most; /* per node: jobs finished, running, most at once */
	int *home;               /* per job: node of its last build, or -1 */
	double *hint_speed;      /* per node: speed from an earlier run, or 0 */
	int *hint_slots;         /* per node: builds at once, or 0 */
	double *speed;           /* per node, as of the last look */
	double *left;            /* per node: estimated work left of its jobs */
	double work;             /* estimates of the jobs not started */
	double avg;              /* speed of every node together, 0: unknown */
	int any_known;           /* some job's duration is remembered */
	double fastest;          /* fastest known speed, 0: none known */
	double rate;             /* sum over nodes of slots x speed */
	double chain_run;        /* longest chain through a running job, s */
	long long now;           /* latest time seen in the DAG */
};

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

/* ---- node speeds ---- */

/* A job whose duration tells a node's speed: known, and never in a
 * batch (short ones and same-step ones may be). */
static int telling(const struct dag *dag, size_t job)
{
	const struct job *j = &dag->jobs[job];
	return j->known && j->estimate >= POLICY_SHORT && j->group == job &&
	       j->group_next == NO_JOB;
}

/*
 * Or, on a first run (no job known), a job its bake built alone: each
 * counts as the average job (its estimate, the same for all), so a node
 * whose jobs take longer than the others' is slower. Jobs land on nodes
 * whatever they are, so the averages tell the nodes apart. dbake-sim,
 * seeds 6 to 15 (1 to 5 chose LEARN_PRIOR_COLD), cold runs over LB, mean
 * before / after: a DAG of 200 on 8 nodes of speeds 0.5 to 2, 2.01 /
 * 1.42 (better in 9, worse in none); of 50 on 4, 1.94 / 1.44 (6 and 2);
 * of 200 on 8 nodes of one speed, 1.094 / 1.097.
 */
static int telling_cold(const struct policy *p, const struct started *s)
{
	const struct job *j = &p->dag->jobs[s->job];
	return !p->state->any_known && s->alone && !j->known &&
	       j->group == s->job && j->group_next == NO_JOB;
}

static int speed_known(const struct policy_state *l, int node)
{
	return l->done[node] > 0 || l->hint_speed[node] > 0;
}

static double node_speed(const struct policy_state *l, int node)
{
	double prior = l->hint_speed[node] > 0 ? l->hint_speed[node] : l->avg;
	if (!l->done[node] || !prior)
		return prior;
	double prior_jobs = l->any_known ? LEARN_PRIOR_JOBS : LEARN_PRIOR_COLD;
	double each = l->est[node] / l->done[node], k = prior_jobs * each;
	return (l->est[node] + k) / (l->took[node] + k / prior);
}

static int node_slots(const struct policy_state *l, int node)
{
	int slots = l->most[node] > l->hint_slots[node] ? l->most[node]
							: l->hint_slots[node];
	return slots ? slots : l->done[node] > 0; /* it ran one, at least */
}

/* Seconds a running job still takes on its node, at best 0. */
static double running_left(const struct policy *p, const struct started *s)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[s->job];
	double left = j->estimate / l->speed[s->node] -
		      (double)(l->now - s->start_ms) / 1000.0;
	return left > 0 ? left : 0;
}

/* Seconds until the chain of a running job ends, at best. */
static double running_chain(const struct policy *p, const struct started *s)
{
	const struct job *j = &p->dag->jobs[s->job];
	return running_left(p, s) + (j->rank - j->estimate) / p->state->fastest;
}

/* Look at what ended or came back since the last look. */
static void learn_update(struct policy *p)
{
	struct policy_state *l = p->state;
	const struct dag *dag = p->dag;
	if (!l->dirty && l->left_seen == dag->left)
		return;
	l->dirty = 0;
	l->left_seen = dag->left;
	size_t keep = 0;
	for (size_t i = 0; i < l->nrun; i++) {
		struct started *s = &l->run[i];
		const struct job *j = &dag->jobs[s->job];
		int same = j->node == s->node && j->start_ms == s->start_ms;
		if (j->state == JOB_RUNNING && same) {
			l->run[keep++] = *s;
			continue;
		}
		l->busy[s->node] -= s->slot;
		if (j->end_ms > l->now)
			l->now = j->end_ms;
		if (j->state == JOB_DONE && same) {
			if ((telling(dag, s->job) || telling_cold(p, s)) &&
			    j->end_ms > j->start_ms) {
				l->est[s->node] += j->estimate;
				l->took[s->node] +=
					(double)(j->end_ms - j->start_ms) / 1000.0;
				l->done[s->node]++;
			}
		} else if (j->state == JOB_READY || j->state == JOB_RUNNING) {
			l->work += j->estimate; /* back, or started again */
		}
	}
	l->nrun = keep;

	double est = 0, took = 0, hints = 0;
	size_t hinted = 0;
	for (size_t n = 0; n < dag->nodes; n++) {
		est += l->est[n];
		took += l->took[n];
		if (l->hint_speed[n] > 0) {
			hints += l->hint_speed[n];
			hinted++;
		}
	}
	l->avg = took > 0 ? est / took : hinted ? hints / (double)hinted : 0;
	l->fastest = 0;
	l->rate = 0;
	if (!l->avg)
		return;
	for (size_t n = 0; n < dag->nodes; n++) {
		double sp = node_speed(l, (int)n);
		l->speed[n] = sp;
		l->left[n] = 0;
		if (speed_known(l, (int)n) && sp > l->fastest)
			l->fastest = sp;
		l->rate += node_slots(l, (int)n) * sp;
	}
	if (l->fastest < l->avg)
		l->fastest = l->avg;
	l->chain_run = 0;
	for (size_t i = 0; i < l->nrun; i++) {
		const struct started *s = &l->run[i];
		double c = running_chain(p, s);
		if (c > l->chain_run)
			l->chain_run = c;
		l->left[s->node] += running_left(p, s) * l->speed[s->node];
	}
}

/*
 * How long the rest of the run takes at least, as far as the policy
 * knows: the longest ready chain at the fastest speed, the work left
 * spread over every node, the chain of a job already running. No slack
 * (measured: even 5 % adds up, job after job, through the running
 * chains). 0: speeds unknown, no bound.
 */
static double learn_bound(const struct policy *p, double top_rank)
{
	const struct policy_state *l = p->state;
	if (p->mode != POLICY_MODE_DEFAULT || !l->fastest)
		return 0;
	double b = top_rank / l->fastest;
	if (l->rate > 0 && l->work / l->rate > b)
		b = l->work / l->rate;
	return l->chain_run > b ? l->chain_run : b;
}

/* When the chain of `job` would end if it ran on `node` now. */
static double chain_end(const struct policy *p, size_t job, int node)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	return j->estimate / l->speed[node] +
	       (j->rank - j->estimate) / l->fastest;
}

/* The nodes faster than one that fit a job: their slots x speed, their
 * slots, the work they have. */
struct faster {
	int known;
	double rate, slots, left;
};

static void faster_than(const struct policy *p, size_t job, int node,
			struct faster *f)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	memset(f, 0, sizeof(*f));
	f->known = 1;
	for (size_t n = 0; n < p->dag->nodes; n++) {
		if (!j->fits[n] || l->speed[n] <= l->speed[node] * LEARN_FASTER)
			continue;
		int s = node_slots(l, (int)n);
		f->rate += s * l->speed[n];
		f->slots += s;
		f->left += l->left[n];
	}
}

/*
 * Whether `job` goes to `node` now, `ahead` seconds of estimates being
 * ready before it. Its chain ends within the bound, or no later than
 * if it waited for the faster nodes that fit it to get to it (their slots
 * work through what runs there and what is ahead first). `all` caches
 * the faster nodes for jobs that fit every node.
 */
static int runs_here(const struct policy *p, size_t job, int node,
		     double bound, double ahead, struct faster *all)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	double here = chain_end(p, job, node);
	struct faster mine, *f = &mine;
	if (here <= bound)
		return 1;
	if (l->klass[job]) {
		faster_than(p, job, node, f);
	} else {
		if (!all->known)
			faster_than(p, job, node, all);
		f = all;
	}
	if (f->rate <= 0)
		return 1; /* nothing faster to wait for */
	double there = (f->left + ahead) / f->rate +
		       j->estimate * f->slots / f->rate +
		       (j->rank - j->estimate) / l->fastest;
	return here <= there;
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
	size_t n = dag->nodes + 1;
	for (size_t i = 0; i < dag->nr; i++)
		l->any_known |= dag->jobs[i].known;
	l->est = xcalloc(n, sizeof(*l->est));
	l->took = xcalloc(n, sizeof(*l->took));
	l->done = xcalloc(n, sizeof(*l->done));
	l->busy = xcalloc(n, sizeof(*l->busy));
	l->most = xcalloc(n, sizeof(*l->most));
	l->hint_speed = xcalloc(n, sizeof(*l->hint_speed));
	l->hint_slots = xcalloc(n, sizeof(*l->hint_slots));
	l->speed = xcalloc(n, sizeof(*l->speed));
	l->left = xcalloc(n, sizeof(*l->left));
	l->left_seen = dag->left;
	l->home = xcalloc(dag->nr + 1, sizeof(*l->home));
	for (size_t i = 0; i < dag->nr; i++)
		l->home[i] = -1;
	for (size_t i = 0; i < dag->nr; i++)
		if (dag->jobs[i].state == JOB_PENDING ||
		    dag->jobs[i].state == JOB_READY)
			l->work += dag->jobs[i].estimate;
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
	learn_update(p);
	if (!p->state->fastest || (best = best_ready(p)) < 0)
		return top;
	double bound = learn_bound(p, p->dag->jobs[best].rank);
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
		if (runs_here(p, job, node, bound, 0, &all)) {
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
		learn_update(p);
		ssize_t best;
		if (p->state->fastest && (best = best_ready(p)) >= 0)
			bound = learn_bound(p, p->dag->jobs[best].rank);
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
		if (runs_here(p, (size_t)job, node, bound, ahead, &all)) {
			found = job;
			break;
		}
		double end = chain_end(p, (size_t)job, node);
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
			    runs_here(p, k, node, bound, ahead, &all))
				found = (ssize_t)k;
		}
	}
	/*
	 * Nothing ends in time here: leave it to the faster nodes. Each job
	 * weighed has one that fits it with slots (else runs_here takes
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
	struct policy_state *l = p->state;
	const struct job *j = &dag->jobs[job];
	int slots = node_slots(l, node);
	/* builds at once on a node: the jobs of a batch share one (short
	 * or same-step jobs may be in one; counting them would make the
	 * node look wider than it is) */
	int slot = telling(dag, job);
	ALLOC_GROW(l->run, l->nrun + 1, l->allocrun);
	l->run[l->nrun++] = (struct started){ job, node, slot, batch == 1,
					      j->start_ms };
	if ((l->busy[node] += slot) > l->most[node])
		l->most[node] = l->busy[node];
	if (j->start_ms > l->now)
		l->now = j->start_ms;
	l->work -= j->estimate;
	if (l->fastest) {
		const struct started *s = &l->run[l->nrun - 1];
		double c = running_chain(p, s);
		if (c > l->chain_run)
			l->chain_run = c;
		l->left[node] += j->estimate;
		l->rate += (node_slots(l, node) - slots) * l->speed[node];
	}
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

void policy_node_hint(struct policy *p, int node, double speed, int slots)
{
	struct policy_state *l = p->state;
	if (!l || p->mode != POLICY_MODE_DEFAULT || node < 0 ||
	    (size_t)node >= p->dag->nodes)
		return;
	l->hint_speed[node] = speed > 0 ? speed : 0;
	l->hint_slots[node] = slots > 0 ? slots : 0;
	l->dirty = 1;
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
		free(l->run);
		free(l->est);
		free(l->took);
		free(l->done);
		free(l->busy);
		free(l->most);
		free(l->home);
		free(l->hint_speed);
		free(l->hint_slots);
		free(l->speed);
		free(l->left);
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
