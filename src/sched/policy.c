#include "policy.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static void list_push(struct job_list *l, size_t job)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = job;
}

/* Whether job a should go before job b. */
static int better(const struct policy *p, size_t a, size_t b)
{
	const struct job *ja = &p->dag->jobs[a], *jb = &p->dag->jobs[b];
	if (p->mode == POLICY_MODE_DEFAULT && ja->rank != jb->rank)
		return ja->rank > jb->rank;
	return p->order[a] < p->order[b];
}

static void heap_up(struct policy *p, size_t i)
{
	size_t *h = p->heap.v;
	while (i && better(p, h[i], h[(i - 1) / 2])) {
		size_t up = (i - 1) / 2, t = h[i];
		h[i] = h[up];
		h[up] = t;
		i = up;
	}
}

static void heap_down(struct policy *p, size_t i)
{
	size_t *h = p->heap.v, n = p->heap.nr;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, best = i;
		if (l < n && better(p, h[l], h[best]))
			best = l;
		if (r < n && better(p, h[r], h[best]))
			best = r;
		if (best == i)
			return;
		size_t t = h[i];
		h[i] = h[best];
		h[best] = t;
		i = best;
	}
}

static void heap_push(struct policy *p, size_t job)
{
	list_push(&p->heap, job);
	heap_up(p, p->heap.nr - 1);
}

static size_t heap_pop(struct policy *p)
{
	size_t top = p->heap.v[0];
	p->heap.v[0] = p->heap.v[--p->heap.nr];
	if (p->heap.nr)
		heap_down(p, 0);
	return top;
}

/* A job became ready: into the heap, and the lists of nodes holding its
 * layers. */
static void on_ready(size_t job, void *data)
{
	struct policy *p = data;
	const struct job *j = &p->dag->jobs[job];
	heap_push(p, job);
	if (p->mode != POLICY_MODE_DEFAULT)
		return;
	int gn = p->dag->group_node[j->group];
	if (gn >= 0)
		list_push(&p->affine[gn], job);
	for (size_t i = 0; i < j->ndeps; i++) {
		int n = p->dag->jobs[j->deps[i]].node;
		if (n >= 0 && n != gn)
			list_push(&p->affine[n], job);
	}
}

static const struct dag *sort_dag;

static int by_name(const void *a, const void *b)
{
	return strcmp(sort_dag->jobs[*(const size_t *)a].name,
		      sort_dag->jobs[*(const size_t *)b].name);
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
	dag->on_ready = on_ready;
	dag->on_ready_data = p;
	for (size_t i = 0; i < dag->nr; i++)
		if (dag->jobs[i].state == JOB_READY)
			on_ready(i, p);
}

static ssize_t pick_affine(struct policy *p, int node)
{
	struct job_list *l = &p->affine[node];
	ssize_t best = -1;
	size_t keep = 0;
	for (size_t i = 0; i < l->nr; i++) {
		size_t job = l->v[i];
		const struct job *j = &p->dag->jobs[job];
		if (j->state != JOB_READY)
			continue; /* stale: drop it */
		l->v[keep++] = job;
		if (j->fits[node] && (best < 0 || better(p, job, (size_t)best)))
			best = (ssize_t)job;
	}
	l->nr = keep;
	return best;
}

ssize_t policy_pick(struct policy *p, int node, int affine_only)
{
	if (affine_only)
		return p->mode == POLICY_MODE_DEFAULT ? pick_affine(p, node) : -1;
	ssize_t found = -1;
	p->scratch.nr = 0;
	while (p->heap.nr) {
		size_t job = heap_pop(p);
		const struct job *j = &p->dag->jobs[job];
		if (j->state != JOB_READY)
			continue; /* stale: started, failed or cancelled */
		list_push(&p->scratch, job);
		if (j->fits[node]) {
			found = (ssize_t)job;
			break;
		}
	}
	for (size_t i = 0; i < p->scratch.nr; i++)
		heap_push(p, p->scratch.v[i]);
	return found;
}

static int in(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

size_t policy_batch(struct policy *p, size_t first, int node, size_t *out,
		    size_t max_short)
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
	if (!f->known || f->estimate >= POLICY_SHORT)
		return n;
	for (size_t i = 0; i < p->heap.nr && n < max_short; i++) {
		size_t k = p->heap.v[i];
		const struct job *j = &dag->jobs[k];
		if (j->state == JOB_READY && !j->solo && j->known &&
		    j->estimate < POLICY_SHORT && j->fits[node] &&
		    !in(out, n, k))
			out[n++] = k;
	}
	return n;
}

void policy_started(struct policy *p, size_t job, int node)
{
	const struct dag *dag = p->dag;
	if (p->mode != POLICY_MODE_DEFAULT)
		return;
	size_t g = dag->jobs[job].group;
	for (size_t k = g; k != NO_JOB; k = dag->jobs[k].group_next)
		if (dag->jobs[k].state == JOB_READY)
			list_push(&p->affine[node], k);
}

void policy_release(struct policy *p)
{
	if (p->affine)
		for (size_t i = 0; i < p->dag->nodes; i++)
			free(p->affine[i].v);
	free(p->affine);
	free(p->heap.v);
	free(p->scratch.v);
	free(p->order);
	memset(p, 0, sizeof(*p));
}
