#include "sim_dbake.h"
#include "capacity.h"
#include "learn.h"
#include "sched.h"
#include "../util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The dispatcher samples what the nodes run on its tick (UI_TICK_MS). */
#define TICK_S 0.25

/* The dispatcher's clock never reads 0 (0 means "never" in its state). */
#define CLOCK_BASE_MS 1000000LL

enum ev_kind {
	EV_REACH,    /* a bake's targets reach its node */
	EV_STEP_END, /* a target's build step ends */
	EV_KILLED,   /* a bake stopped by a move has ended */
	EV_WAKE,     /* a held launch may go */
	EV_TICK,     /* the dispatcher's tick: sampling */
};

struct ev {
	double t;
	enum ev_kind kind;
	size_t slot, job;
	unsigned gen;       /* the bake it belongs to (stale if not) */
	size_t seq;         /* ties: in the order pushed */
};

struct evq {
	struct ev *v;
	size_t nr, alloc, seq;
};

static int ev_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void ev_push(struct evq *q, struct ev e)
{
	e.seq = q->seq++;
	ALLOC_GROW(q->v, q->nr + 1, q->alloc);
	size_t i = q->nr++;
	while (i && ev_before(&e, &q->v[(i - 1) / 2])) {
		q->v[i] = q->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->v[i] = e;
}

static struct ev ev_pop(struct evq *q)
{
	struct ev top = q->v[0], last = q->v[--q->nr];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->nr)
			break;
		if (c + 1 < q->nr && ev_before(&q->v[c + 1], &q->v[c]))
			c++;
		if (!ev_before(&q->v[c], &last))
			break;
		q->v[i] = q->v[c];
		i = c;
	}
	if (q->nr)
		q->v[i] = last;
	return top;
}

/* A target waiting for a place on its node. */
struct waiting {
	size_t slot, job;
	unsigned gen;
};

struct sim_node_state {
	int running;              /* targets in a step */
	struct waiting *queue;    /* FIFO, from `head` */
	size_t head, nr, alloc;
};

struct sim_bake {
	unsigned gen;
	size_t pending;           /* targets not yet built */
	int steps, done;          /* its steps begun, and ended */
};

struct simd {
	const struct sim_workload *w;
	const struct sim_dbake_config *cfg;
	struct sim_memory *mem;
	struct sim_dbake_result *res;
	struct dag dag;
	struct sched sc;
	struct sim_node_state *nodes;
	struct sim_bake *bakes;   /* per slot */
	struct evq q;
	double now;
	int wake_pending;
};

static long long clock_ms(const struct simd *s)
{
	return CLOCK_BASE_MS + llround(s->now * 1000.0);
}

static int op_launch(void *owner, struct sched_slot *slot, long long now)
{
	struct simd *s = owner;
	size_t k = (size_t)(slot - s->sc.slots);
	(void)now;
	s->bakes[k].gen++;
	s->bakes[k].pending = slot->njobs;
	s->bakes[k].steps = s->bakes[k].done = 0;
	s->res->bakes++;
	ev_push(&s->q, (struct ev){ .t = s->now + s->cfg->startup,
				    .kind = EV_REACH, .slot = k,
				    .gen = s->bakes[k].gen });
	return 0;
}

static int op_moving(void *owner, struct sched_slot *from,
		     struct sched_slot *to)
{
	struct simd *s = owner;
	size_t k = (size_t)(from - s->sc.slots);
	(void)to;
	/* killed: what it queued is stale, and it ends at once */
	s->bakes[k].gen++;
	s->res->moves++;
	ev_push(&s->q, (struct ev){ .t = s->now, .kind = EV_KILLED, .slot = k,
				    .gen = s->bakes[k].gen });
	return 0;
}

static const struct sched_ops ops = { op_launch, op_moving };

/* A bake's progress, as every job of it reads it: the dispatcher feeds
 * the bake's whole output to each of its jobs, whose counts are the
 * bake's steps, not the job's own (sched_node_observe counts a batch's
 * steps from its first job). */
static void bake_steps(struct simd *s, size_t k)
{
	const struct sched_slot *slot = &s->sc.slots[k];
	long long now = clock_ms(s);
	for (size_t i = 0; i < slot->njobs; i++) {
		struct sched_job *j = &s->sc.jobs[slot->jobs[i]];
		sched_job_steps(j, s->bakes[k].steps, s->bakes[k].done, now);
		j->begun = 1;
	}
}

/* Start the steps the node has places for, first queued first. */
static void run_queue(struct simd *s, int node)
{
	struct sim_node_state *ns = &s->nodes[node];
	while (ns->running < s->w->nodes[node].capacity && ns->head < ns->nr) {
		struct waiting wt = ns->queue[ns->head++];
		if (wt.gen != s->bakes[wt.slot].gen)
			continue; /* its bake was stopped */
		s->bakes[wt.slot].steps++;
		bake_steps(s, wt.slot);
		ns->running++;
		double d = s->w->jobs[wt.job].duration / s->w->nodes[node].speed;
		ev_push(&s->q, (struct ev){ .t = s->now + d, .kind = EV_STEP_END,
					    .slot = wt.slot, .job = wt.job,
					    .gen = wt.gen });
	}
}

/* The bake of slot k has ended: its targets are built. */
static void bake_done(struct simd *s, size_t k)
{
	struct sched_slot *slot = &s->sc.slots[k];
	long long now = clock_ms(s);
	long long from = sched_ended(&s->sc, slot, now);
	if (from < 0)
		return;
	size_t n = slot->njobs;
	slot->njobs = 0;
	for (size_t i = 0; i < n; i++) {
		size_t job = slot->jobs[i];
		dag_done(&s->dag, job, now);
		/* as the dispatcher does: what history records of it */
		double work = s->w->jobs[job].duration /
			      s->w->nodes[slot->node].speed;
		sched_job_built(&s->sc, job, work);
		learn_job(&s->sc, &s->mem->history,
			  (const char *const *)s->mem->endpoints,
			  (const char *const *)s->mem->endpoints, job, from, n,
			  work, 0);
	}
}

static void handle(struct simd *s, const struct ev *e)
{
	struct sim_bake *b = &s->bakes[e->slot];
	struct sched_slot *slot = &s->sc.slots[e->slot];
	switch (e->kind) {
	case EV_REACH:
		if (e->gen != b->gen)
			return;
		for (size_t i = 0; i < slot->njobs; i++) {
			struct sim_node_state *ns = &s->nodes[slot->node];
			ALLOC_GROW(ns->queue, ns->nr + 1, ns->alloc);
			ns->queue[ns->nr++] = (struct waiting){ e->slot,
								slot->jobs[i],
								e->gen };
		}
		run_queue(s, slot->node);
		return;
	case EV_STEP_END:
		s->nodes[slot->node].running--;
		if (e->gen == b->gen) {
			b->done++;
			bake_steps(s, e->slot);
			if (!--b->pending)
				bake_done(s, e->slot);
		}
		run_queue(s, slot->node);
		return;
	case EV_KILLED:
		bake_done(s, e->slot); /* a moved slot: only its end */
		return;
	case EV_WAKE:
		s->wake_pending = 0;
		return;
	case EV_TICK:
		sched_observe(&s->sc, clock_ms(s));
		ev_push(&s->q, (struct ev){ .t = s->now + TICK_S,
					    .kind = EV_TICK });
		return;
	}
}

static void fill(struct simd *s)
{
	long long wait = sched_fill(&s->sc, &ops, s, clock_ms(s));
	if (wait && !s->wake_pending) {
		s->wake_pending = 1;
		ev_push(&s->q, (struct ev){ .t = s->now + (double)wait / 1000.0,
					    .kind = EV_WAKE });
	}
}

int sim_dbake(const struct sim_workload *w, const struct sim_dbake_config *cfg,
	      struct sim_memory *mem, struct sim_dbake_result *res)
{
	struct simd s = { .w = w, .cfg = cfg, .mem = mem, .res = res,
			  .dag = DAG_INIT };
	const char *const *ep = (const char *const *)mem->endpoints;
	int *caps = xcalloc(w->nnodes + 1, sizeof(*caps));
	int *floors = xcalloc(w->nnodes + 1, sizeof(*floors));
	double *speed = xcalloc(w->nnodes + 1, sizeof(*speed));
	memset(res, 0, sizeof(*res));
	sim_build_dag(w, &s.dag);
	/* what dispatch_prepare does */
	learn_read(&s.dag, &mem->history, ep, w->nnodes, 0, caps, speed);
	learn_floors(&mem->history, ep, w->nnodes, floors);
	sched_init(&s.sc, &s.dag, w->nnodes, caps, floors, speed, 0,
		   POLICY_MODE_DEFAULT);
	/* without the history, only the nodes' speeds and capacities */
	learn_apply(&s.sc, cfg->no_homes ? NULL : &mem->history, ep, NULL,
		    speed);
	free(caps);
	free(floors);
	free(speed);
	s.sc.launch_gap_ms = cfg->launch_gap_ms;
	s.nodes = xcalloc(w->nnodes + 1, sizeof(*s.nodes));
	s.bakes = xcalloc(s.sc.nslots + 1, sizeof(*s.bakes));
	ev_push(&s.q, (struct ev){ .t = TICK_S, .kind = EV_TICK });
	fill(&s);
	while (s.q.nr && (sched_busy(&s.sc) || s.dag.left)) {
		if (!sched_busy(&s.sc) && !s.wake_pending)
			break; /* work left that nothing will start */
		struct ev e = ev_pop(&s.q);
		s.now = e.t;
		handle(&s, &e);
		/* everything at this instant, then the turn's fill */
		while (s.q.nr && s.q.v[0].t == s.now) {
			e = ev_pop(&s.q);
			handle(&s, &e);
		}
		fill(&s);
	}
	res->makespan = s.now;
	int ret = s.dag.left ? -1 : 0;
	learn_capacity(&s.sc, &mem->history, ep, 0);
	for (size_t n = 0; n < w->nnodes; n++)
		free(s.nodes[n].queue);
	free(s.nodes);
	free(s.bakes);
	free(s.q.v);
	sched_release(&s.sc);
	dag_release(&s.dag);
	return ret;
}

void sim_memory_init(struct sim_memory *m, const struct sim_workload *w)
{
	m->history = (struct history)HISTORY_INIT;
	/* never saved: a path that cannot exist */
	history_load(&m->history, "/nonexistent/dbake-sim/history.json", "sim");
	m->nnodes = w->nnodes;
	m->endpoints = xcalloc(w->nnodes + 1, sizeof(*m->endpoints));
	for (size_t n = 0; n < w->nnodes; n++)
		m->endpoints[n] = xstrfmt("sim://node%zu", n);
}

void sim_memory_release(struct sim_memory *m)
{
	history_release(&m->history);
	for (size_t n = 0; n < m->nnodes; n++)
		free(m->endpoints[n]);
	free(m->endpoints);
	memset(m, 0, sizeof(*m));
}
