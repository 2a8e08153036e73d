#include "dag.h"
#include "platform.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

size_t dag_add(struct dag *dag, const char *name, const struct strvec *platforms)
{
	ALLOC_GROW(dag->jobs, dag->nr + 1, dag->alloc);
	struct job *j = &dag->jobs[dag->nr];
	memset(j, 0, sizeof(*j));
	j->name = name;
	j->platforms = platforms;
	j->node = -1;
	j->estimate = 1.0;
	j->work = -1;
	j->blocked_by = NO_JOB;
	j->group = dag->nr;
	j->group_next = NO_JOB;
	return dag->nr++;
}

/*
 * Append to an array of n indices that doubles as it grows: its room is
 * the power of two at or above n, so it is full when n is 0 or a power
 * of two.
 */
static void push_index(size_t **arr, size_t *n, size_t v)
{
	if (!(*n & (*n - 1))) /* 0, 1, 2, 4...: full */
		*arr = xrealloc(*arr, sizeof(**arr) * (*n ? 2 * *n : 1));
	(*arr)[(*n)++] = v;
}

void dag_add_edge(struct dag *dag, size_t from, size_t dep)
{
	struct job *j = &dag->jobs[from];
	/* an edge counts once; the deps of one job are few, the dependents
	 * of a base image may be thousands: look on the deps side only */
	for (size_t i = 0; i < j->ndeps; i++)
		if (j->deps[i] == dep)
			return;
	push_index(&j->deps, &j->ndeps, dep);
	push_index(&dag->jobs[dep].dependents, &dag->jobs[dep].ndependents, from);
}

void dag_same_steps(struct dag *dag, size_t job, size_t same)
{
	size_t g = dag->jobs[same].group;
	if (dag->jobs[job].group == g)
		return;
	dag->jobs[job].group = g;
	/* link it in after the group's first job */
	dag->jobs[job].group_next = dag->jobs[g].group_next;
	dag->jobs[g].group_next = job;
}

static int fits(const struct job *j, const struct strvec *offers)
{
	for (size_t i = 0; i < j->platforms->nr; i++)
		if (!platform_offered(j->platforms->v[i], offers))
			return 0;
	return 1;
}

/* "node0 (linux/amd64, linux/386), node1 (linux/arm64)" */
static void describe_offers(struct strbuf *sb, const struct node_offer *nodes,
			    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(sb, "%s%s (", i ? ", " : "", nodes[i].name);
		for (size_t k = 0; k < nodes[i].platforms->nr; k++)
			strbuf_addf(sb, "%s%s", k ? ", " : "",
				    nodes[i].platforms->v[k]);
		strbuf_addch(sb, ')');
	}
}

static int dfs_cycle(const struct dag *dag, size_t v, char *color,
		     size_t *stack, size_t depth, struct strbuf *sb)
{
	color[v] = 1;
	stack[depth] = v;
	for (size_t i = 0; i < dag->jobs[v].ndeps; i++) {
		size_t d = dag->jobs[v].deps[i];
		if (color[d] == 1) {
			size_t k = 0;
			while (stack[k] != d)
				k++;
			for (; k <= depth; k++)
				strbuf_addf(sb, "%s -> ", dag->jobs[stack[k]].name);
			strbuf_addstr(sb, dag->jobs[d].name);
			return 1;
		}
		if (!color[d] && dfs_cycle(dag, d, color, stack, depth + 1, sb))
			return 1;
	}
	color[v] = 2;
	return 0;
}

int dag_find_cycle(const struct dag *dag, struct strbuf *sb)
{
	char *color = xcalloc(dag->nr + 1, 1);
	size_t *stack = xcalloc(dag->nr + 1, sizeof(*stack));
	int found = 0;
	for (size_t i = 0; i < dag->nr && !found; i++)
		if (!color[i])
			found = dfs_cycle(dag, i, color, stack, 0, sb);
	free(color);
	free(stack);
	return found;
}

/* rank = estimate + the longest rank among dependents (reverse topo). */
void dag_rank(struct dag *dag)
{
	size_t *order = xcalloc(dag->nr + 1, sizeof(*order));
	size_t *left = xcalloc(dag->nr + 1, sizeof(*left));
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < dag->nr; i++) {
		left[i] = dag->jobs[i].ndependents;
		if (!left[i])
			order[tail++] = i;
	}
	while (head < tail) {
		struct job *j = &dag->jobs[order[head++]];
		double best = 0;
		for (size_t k = 0; k < j->ndependents; k++)
			if (dag->jobs[j->dependents[k]].rank > best)
				best = dag->jobs[j->dependents[k]].rank;
		j->rank = j->estimate + best;
		for (size_t k = 0; k < j->ndeps; k++)
			if (!--left[j->deps[k]])
				order[tail++] = j->deps[k];
	}
	free(order);
	free(left);
}

int dag_prepare(struct dag *dag, const struct node_offer *nodes, size_t nnodes)
{
	struct strbuf sb = STRBUF_INIT;
	if (dag_find_cycle(dag, &sb)) {
		error("dependency cycle: %s", sb.buf);
		strbuf_release(&sb);
		return -1;
	}
	dag->nodes = nnodes;
	for (size_t i = 0; i < dag->nr; i++) {
		struct job *j = &dag->jobs[i];
		int any = 0;
		free(j->fits);
		j->fits = xcalloc(nnodes + 1, 1);
		for (size_t n = 0; n < nnodes; n++)
			any |= j->fits[n] = (unsigned char)fits(j, nodes[n].native);
		j->emulated = !any;
		for (size_t n = 0; n < nnodes && !any; n++)
			if (fits(j, nodes[n].platforms))
				j->fits[n] = 1;
		for (size_t n = 0; n < nnodes; n++)
			any |= j->fits[n];
		if (!any) {
			for (size_t k = 0; k < j->platforms->nr; k++)
				strbuf_addf(&sb, "%s%s", k ? ", " : "",
					    j->platforms->v[k]);
			strbuf_addstr(&sb, "; nodes offer ");
			describe_offers(&sb, nodes, nnodes);
			error("no node can build target '%s' for %s", j->name, sb.buf);
			strbuf_release(&sb);
			return -1;
		}
		j->waiting = j->ndeps;
		j->state = j->ndeps ? JOB_PENDING : JOB_READY;
	}
	dag->left = dag->nr;
	free(dag->group_node);
	dag->group_node = xcalloc(dag->nr + 1, sizeof(*dag->group_node));
	for (size_t i = 0; i < dag->nr; i++)
		dag->group_node[i] = -1;
	dag_rank(dag);
	return 0;
}

void dag_start(struct dag *dag, size_t job, int node, long long now)
{
	struct job *j = &dag->jobs[job];
	if (j->state != JOB_READY)
		BUG("starting job '%s' that is not ready", j->name);
	j->state = JOB_RUNNING;
	j->node = node;
	j->attempts++;
	j->start_ms = now;
	dag->group_node[j->group] = node;
}

void dag_start_with_deps(struct dag *dag, size_t job, int node, long long now)
{
	struct job *j = &dag->jobs[job];
	for (size_t i = 0; i < j->ndeps; i++) {
		enum job_state st = dag->jobs[j->deps[i]].state;
		if (st != JOB_DONE && st != JOB_RUNNING)
			BUG("starting job '%s' before its dependency '%s'",
			    j->name, dag->jobs[j->deps[i]].name);
	}
	if (j->state == JOB_PENDING)
		j->state = JOB_READY;
	dag_start(dag, job, node, now);
}

void dag_requeue(struct dag *dag, size_t job)
{
	struct job *j = &dag->jobs[job];
	if (j->state != JOB_RUNNING)
		BUG("requeueing job '%s' that is not running", j->name);
	if (j->waiting) {
		j->state = JOB_PENDING;
		return;
	}
	j->state = JOB_READY;
	if (dag->on_ready)
		dag->on_ready(job, dag->on_ready_data);
}

void dag_done(struct dag *dag, size_t job, long long now)
{
	struct job *j = &dag->jobs[job];
	j->state = JOB_DONE;
	j->end_ms = now;
	dag->left--;
	for (size_t i = 0; i < j->ndependents; i++) {
		struct job *d = &dag->jobs[j->dependents[i]];
		if (d->state == JOB_RUNNING && d->waiting) {
			d->waiting--; /* started with it (dag_start_with_deps) */
		} else if (d->state == JOB_PENDING && !--d->waiting) {
			d->state = JOB_READY;
			if (dag->on_ready)
				dag->on_ready(j->dependents[i], dag->on_ready_data);
		}
	}
}

static void skip_dependents(struct dag *dag, size_t job, size_t root,
			    long long now,
			    void (*on_skip)(size_t, void *), void *data)
{
	struct job *j = &dag->jobs[job];
	for (size_t i = 0; i < j->ndependents; i++) {
		size_t di = j->dependents[i];
		struct job *d = &dag->jobs[di];
		if (d->state != JOB_PENDING && d->state != JOB_READY)
			continue;
		d->state = JOB_SKIPPED;
		d->blocked_by = root;
		d->end_ms = now;
		dag->left--;
		if (on_skip)
			on_skip(di, data);
		skip_dependents(dag, di, root, now, on_skip, data);
	}
}

void dag_fail(struct dag *dag, size_t job, long long now,
	      void (*on_skip)(size_t, void *), void *data)
{
	struct job *j = &dag->jobs[job];
	j->state = JOB_FAILED;
	j->end_ms = now;
	dag->left--;
	skip_dependents(dag, job, job, now, on_skip, data);
}

void dag_cancel_rest(struct dag *dag, long long now,
		     void (*on_cancel)(size_t, void *), void *data)
{
	for (size_t i = 0; i < dag->nr; i++) {
		struct job *j = &dag->jobs[i];
		if (j->state != JOB_PENDING && j->state != JOB_READY)
			continue;
		j->state = JOB_CANCELLED;
		j->end_ms = now;
		dag->left--;
		if (on_cancel)
			on_cancel(i, data);
	}
}

void dag_cancel(struct dag *dag, size_t job, long long now)
{
	dag->jobs[job].state = JOB_CANCELLED;
	dag->jobs[job].end_ms = now;
	dag->left--;
}

int dag_affine(const struct dag *dag, size_t job, int node)
{
	const struct job *j = &dag->jobs[job];
	if (dag->group_node && dag->group_node[j->group] == node)
		return 1;
	for (size_t i = 0; i < j->ndeps; i++)
		if (dag->jobs[j->deps[i]].node == node)
			return 1;
	return 0;
}

void dag_release(struct dag *dag)
{
	for (size_t i = 0; i < dag->nr; i++) {
		free(dag->jobs[i].deps);
		free(dag->jobs[i].dependents);
		free(dag->jobs[i].fits);
		free(dag->jobs[i].unpinned);
	}
	free(dag->jobs);
	free(dag->group_node);
	*dag = (struct dag)DAG_INIT;
}
