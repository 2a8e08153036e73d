/* Targets sharing a large build context (sched/ctxgate.c): on each node
 * the first bake that sends it takes the node's share of them; the
 * others wait on that node until it is there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"
#include "testlib.h"

/* Launches seen, in order: the node and the jobs of each. */
struct launches {
	size_t n;
	int node[16];
	size_t njobs[16];
	size_t jobs[16][16];
	struct sched_slot *slot[16];
};

static int op_launch(void *owner, struct sched_slot *s, long long now)
{
	struct launches *l = owner;
	(void)now;
	assert_true(l->n < 16);
	l->node[l->n] = s->node;
	l->njobs[l->n] = s->njobs;
	for (size_t i = 0; i < s->njobs && i < 16; i++)
		l->jobs[l->n][i] = s->jobs[i];
	l->slot[l->n] = s;
	l->n++;
	return 0;
}

static int op_moving(void *owner, struct sched_slot *from,
		     struct sched_slot *to)
{
	(void)owner;
	(void)from;
	(void)to;
	fail_msg("nothing waits to be moved here");
	return -1;
}

static const struct sched_ops ops = { op_launch, op_moving };

/*
 * Jobs c0..c5 share context 1, free0 and free1 need none, late (context
 * 1 too) waits for free0. Two nodes, capacities unknown.
 */
static void make(struct dag *dag, struct sched *sc)
{
	static const char *const names[] = { "c0", "c1", "c2", "c3", "c4",
					     "c5", "free0", "free1", "late" };
	struct strvec none = STRVEC_INIT;
	*dag = (struct dag)DAG_INIT;
	for (size_t i = 0; i < 9; i++)
		dag_add(dag, names[i], &none);
	dag_add_edge(dag, 8, 6);
	struct node_offer offers[2] = {
		{ "n0", &none, &none }, { "n1", &none, &none },
	};
	assert_int_equal(dag_prepare(dag, offers, 2), 0);
	int caps[2] = { 0, 0 };
	sched_init(sc, dag, 2, caps, NULL, NULL, 0, POLICY_MODE_DEFAULT);
	const size_t ctx[9] = { 1, 1, 1, 1, 1, 1, 0, 0, 1 };
	sched_contexts(sc, ctx, 1);
}

/* The bake of launch k ended: its jobs are built. */
static void end_launch(struct sched *sc, struct dag *dag,
		       struct launches *l, size_t k, long long now)
{
	struct sched_slot *s = l->slot[k];
	sched_ended(sc, s, now);
	size_t n = s->njobs;
	s->njobs = 0;
	for (size_t i = 0; i < n; i++)
		dag_done(dag, s->jobs[i], now);
}

static size_t ctx_jobs(const struct launches *l, size_t k)
{
	size_t n = 0;
	for (size_t i = 0; i < l->njobs[k]; i++)
		n += l->jobs[k][i] < 6 || l->jobs[k][i] == 8;
	return n;
}

/* The launch of a bake on `node` that holds context jobs. */
static size_t ctx_launch_on(const struct launches *l, int node)
{
	size_t k = 0;
	while (k < l->n && !(l->node[k] == node && ctx_jobs(l, k)))
		k++;
	assert_true(k < l->n);
	return k;
}

static void t_share_per_node(void **state)
{
	(void)state;
	struct dag dag;
	struct sched sc;
	struct launches l = { 0 };
	long long now = 1000000;
	make(&dag, &sc);
	sched_fill(&sc, &ops, &l, now);
	/* each node: one bake of three of the six, and the free ones */
	size_t with_ctx = 0, per_node[2] = { 0, 0 }, bakes_ctx[2] = { 0, 0 };
	for (size_t k = 0; k < l.n; k++) {
		size_t c = ctx_jobs(&l, k);
		with_ctx += c;
		per_node[l.node[k]] += c;
		bakes_ctx[l.node[k]] += c > 0;
	}
	assert_int_equal(with_ctx, 6);
	assert_int_equal(per_node[0], 3);
	assert_int_equal(per_node[1], 3);
	assert_int_equal(bakes_ctx[0], 1);
	assert_int_equal(bakes_ctx[1], 1);
	assert_int_equal(l.n, 4);

	/* free0 ends: late is ready, but each node is still being sent
	 * the context: it waits */
	size_t k_free0 = l.n;
	for (size_t k = 0; k < l.n; k++)
		if (l.njobs[k] == 1 && l.jobs[k][0] == 6)
			k_free0 = k;
	assert_true(k_free0 < l.n);
	end_launch(&sc, &dag, &l, k_free0, now + 100);
	size_t before = l.n;
	sched_fill(&sc, &ops, &l, now + 100);
	assert_int_equal(l.n, before);
	assert_true(sched_context_held(&sc, 8, 0));
	assert_true(sched_context_held(&sc, 8, 1));

	/* the context is on node 1 now: late goes there, alone */
	sched_context_sent(&sc, l.slot[ctx_launch_on(&l, 1)]);
	assert_false(sched_context_held(&sc, 8, 1));
	assert_true(sched_context_held(&sc, 8, 0));
	sched_fill(&sc, &ops, &l, now + 200);
	assert_int_equal(l.n, before + 1);
	assert_int_equal(l.node[before], 1);
	assert_int_equal(l.njobs[before], 1);
	assert_int_equal(l.jobs[before][0], 8);
	sched_release(&sc);
	dag_release(&dag);
}

/* A bake stopped before it sent the context leaves it unsent: the next
 * one on that node sends it, and nothing waits for the stopped one. */
static void t_stopped_sender(void **state)
{
	(void)state;
	struct dag dag;
	struct sched sc;
	struct launches l = { 0 };
	long long now = 1000000;
	make(&dag, &sc);
	sched_fill(&sc, &ops, &l, now);
	size_t k0 = ctx_launch_on(&l, 0);
	assert_true(sched_context_held(&sc, 8, 0));
	l.slot[k0]->moved = 1;
	sched_ended(&sc, l.slot[k0], now + 50);
	assert_false(sched_context_held(&sc, 8, 0));
	/* ...while one that ran to its end sent it */
	end_launch(&sc, &dag, &l, ctx_launch_on(&l, 1), now + 60);
	assert_false(sched_context_held(&sc, 8, 1));
	/* late, once ready, sends it again on node 0 (others there then
	 * wait for it), not on node 1 (it is there) */
	size_t k_free0 = 0;
	while (k_free0 < l.n && !(l.njobs[k_free0] == 1 && l.jobs[k_free0][0] == 6))
		k_free0++;
	assert_true(k_free0 < l.n);
	end_launch(&sc, &dag, &l, k_free0, now + 70);
	size_t before = l.n;
	sched_fill(&sc, &ops, &l, now + 70);
	assert_int_equal(l.n, before + 1);
	assert_int_equal(l.jobs[before][0], 8);
	int n = l.node[before];
	assert_int_equal(sched_context_held(&sc, 0, n), n == 0);
	sched_release(&sc);
	dag_release(&dag);
}

/* No context given: nothing held, batches as before. */
static void t_none(void **state)
{
	(void)state;
	struct dag dag;
	struct sched sc;
	struct launches l = { 0 };
	make(&dag, &sc);
	sched_contexts(&sc, NULL, 0);
	sched_fill(&sc, &ops, &l, 1000000);
	for (size_t k = 0; k < l.n; k++)
		assert_int_equal(l.njobs[k], 1);
	assert_int_equal(l.n, 8); /* four slots a node, a job each */
	assert_false(sched_context_held(&sc, 8, 0));
	sched_release(&sc);
	dag_release(&dag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_share_per_node),
		cmocka_unit_test(t_stopped_sender),
		cmocka_unit_test(t_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
