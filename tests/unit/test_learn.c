/* What history decides before a run: unchanged targets stay where their
 * cache is, and cheap unchanged runs go in as few bakes as dependencies
 * allow, never a dependency with its dependents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sched/learn.h"
#include "testlib.h"

static const char *const ep[] = { "tcp://n0", "tcp://n1" };

/* base, then x and y on it; z alone. Two nodes building anything. */
static void make_dag(struct dag *dag)
{
	struct strvec none = STRVEC_INIT;
	*dag = (struct dag)DAG_INIT;
	dag_add(dag, "base", &none);
	dag_add(dag, "x", &none);
	dag_add(dag, "y", &none);
	dag_add(dag, "z", &none);
	dag_add_edge(dag, 1, 0);
	dag_add_edge(dag, 2, 0);
	struct node_offer offers[2] = {
		{ "n0", &none, &none }, { "n1", &none, &none },
	};
	assert_int_equal(dag_prepare(dag, offers, 2), 0);
}

static void t_pin_unchanged(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	history_load(&h, "/nonexistent/dbake-history.json", "/p");
	make_dag(&dag);
	history_set_last(&h, "base", ep[1], 7);  /* unchanged: defhash 7 */
	history_set_last(&h, "x", ep[1], 99);    /* changed since */
	history_set_last(&h, "y", "tcp://gone", 5); /* its node is gone */
	const unsigned long long defhash[] = { 7, 8, 5, 3 };
	learn_pin(&dag, &h, ep, 2, defhash);
	assert_false(dag.jobs[0].fits[0]);
	assert_true(dag.jobs[0].fits[1]);
	for (size_t i = 1; i < 4; i++)
		assert_true(dag.jobs[i].fits[0] && dag.jobs[i].fits[1]);

	/* a home that cannot build it (platforms) pins nothing */
	dag.jobs[3].fits[1] = 0;
	history_set_last(&h, "z", ep[1], 3);
	learn_pin(&dag, &h, ep, 2, defhash);
	assert_true(dag.jobs[3].fits[0]);
	assert_false(dag.jobs[3].fits[1]);
	/* nor does an empty history */
	struct dag d2;
	make_dag(&d2);
	learn_pin(&d2, NULL, ep, 2, defhash);
	for (size_t i = 0; i < 4; i++)
		assert_true(d2.jobs[i].fits[0] && d2.jobs[i].fits[1]);
	dag_release(&d2);
	dag_release(&dag);
	history_release(&h);
}

struct launches {
	size_t n;
	size_t jobs[8][4];
	size_t njobs[8];
	int node[8];
};

static int op_launch(void *owner, struct sched_slot *s, long long now)
{
	struct launches *l = owner;
	(void)now;
	assert_true(l->n < 8);
	for (size_t i = 0; i < s->njobs; i++)
		l->jobs[l->n][i] = s->jobs[i];
	l->njobs[l->n] = s->njobs;
	l->node[l->n] = s->node;
	s->live = 1;
	l->n++;
	return 0;
}

static int op_moving(void *owner, struct sched_slot *from,
		     struct sched_slot *to)
{
	(void)owner;
	(void)from;
	(void)to;
	fail_msg("nothing is moved in one bake");
	return -1;
}

static const struct sched_ops ops = { op_launch, op_moving };

/* The bake of the launch on `node` ends: its jobs are done. */
static void end_on(struct sched *sc, struct dag *dag, int node, long long now)
{
	for (size_t i = 0; i < sc->nslots; i++) {
		struct sched_slot *s = &sc->slots[i];
		if (s->node != node || !s->njobs)
			continue;
		s->live = 0;
		sched_ended(sc, s, now);
		size_t n = s->njobs;
		s->njobs = 0;
		for (size_t k = 0; k < n; k++)
			dag_done(dag, s->jobs[k], now);
		return;
	}
	fail_msg("no bake on node %d", node);
}

/* The DAG of make_dag and a scheduler over it, by what `h` remembers
 * of it and of the nodes (`keys`), as dispatch_prepare sets them up. */
static void sched_from(struct sched *sc, struct dag *dag,
		       const struct history *h, const char *const *keys)
{
	int caps[2] = { 0 };
	double speed[2] = { 0 };
	make_dag(dag);
	learn_read(dag, h, keys, 2, 0, caps, speed);
	sched_init(sc, dag, 2, caps, NULL, speed, 0, POLICY_MODE_DEFAULT);
}

/* Pods of one Deployment: a pod's cache is its own (its endpoint), what
 * it is like (durations, capacity) is the workload's (its key), so a
 * pod that replaces another knows it at once. */
static void t_keys_apart_from_endpoints(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	history_load(&h, "/nonexistent/dbake-history.json", "/p");
	static const char *const pods[] = { "kube-pod://w-a", "kube-pod://w-b" };
	static const char *const keys[] = { "kube-workload://ns/w",
					    "kube-workload://ns/w" };
	struct sched sc;
	sched_from(&sc, &dag, &h, keys);
	dag_start(&dag, 0, 1, 1000);
	dag_done(&dag, 0, 3000);
	learn_job(&sc, &h, pods, keys, 0, 1000, 1, 2.0, 5);
	/* the cache: on pod w-b; the duration: the workload's */
	assert_string_equal(history_last(&h, "base", 5), "kube-pod://w-b");
	assert_true(history_node_estimate(&h, "base", keys[0]) > 0);
	assert_false(history_node_estimate(&h, "base", pods[1]) > 0);
	history_set_capacity(&h, keys[0], 3);
	sched_release(&sc);
	dag_release(&dag);

	/* a replacement pod w-c shares the workload's capacity, not the pin */
	static const char *const pods2[] = { "kube-pod://w-a", "kube-pod://w-c" };
	int caps[2] = { 0 };
	double speed[2] = { 0 };
	make_dag(&dag);
	learn_read(&dag, &h, keys, 2, 0, caps, speed);
	assert_int_equal(caps[0], 3);
	assert_int_equal(caps[1], 3);
	static const unsigned long long defhash[4] = { 5, 0, 0, 0 };
	learn_pin(&dag, &h, pods2, 2, defhash);
	assert_true(dag.jobs[0].fits[0]); /* w-b is gone: no pin */
	assert_true(dag.jobs[0].fits[1]);
	dag_release(&dag);
	history_release(&h);
}

/* Targets built in one bake: each remembered by its own steps when the
 * progress named them, so a long one among quick ones is known; a
 * known short one keeps what it had; without its steps, only a share
 * under POLICY_SHORT / 2 is remembered, as before. */
static void t_batch_members(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	history_load(&h, "/nonexistent/dbake-history.json", "/p");
	history_record(&h, "z", ep[0], 0.5, 0.4); /* z: known, short */
	struct sched sc;
	sched_from(&sc, &dag, &h, ep);
	/* base, then x, y and z in one bake of 8 s on node 0 */
	dag_start(&dag, 0, 0, 1000);
	dag_done(&dag, 0, 2000);
	for (size_t i = 1; i < 4; i++)
		dag_start(&dag, i, 0, 2000);
	for (size_t i = 1; i < 4; i++)
		dag_done(&dag, i, 10000);
	learn_job(&sc, &h, ep, ep, 1, 2000, 3, 7.5, 0); /* x: long */
	learn_job(&sc, &h, ep, ep, 2, 2000, 3, -1, 0);  /* y: not named */
	learn_job(&sc, &h, ep, ep, 3, 2000, 3, 0.1, 0); /* z: short again */
	assert_float_equal(history_estimate(&h, "x", NULL), 7.5, 1e-9);
	assert_float_equal(history_work(&h, "x"), 7.5, 1e-9);
	assert_true(history_estimate(&h, "y", NULL) < 0); /* share 2.67 s */
	assert_float_equal(history_estimate(&h, "z", NULL), 0.5, 1e-9);
	assert_float_equal(history_work(&h, "z"), 0.4, 1e-9);
	/* a quick one among them: its share, its steps' time */
	learn_job(&sc, &h, ep, ep, 2, 9000, 3, 0.2, 0);
	assert_float_equal(history_estimate(&h, "y", NULL), 1.0 / 3, 1e-9);
	assert_float_equal(history_work(&h, "y"), 0.2, 1e-9);
	sched_release(&sc);
	dag_release(&dag);
	history_release(&h);
}

/* make_dag's targets remembered as built last on node 1, z on node 0,
 * each in secs[i] (its steps in work[i]). */
static void built_before(struct history *h, const double *secs,
			 const double *work)
{
	static const char *const names[] = { "base", "x", "y", "z" };
	history_load(h, "/nonexistent/dbake-history.json", "/p");
	for (size_t i = 0; i < 4; i++) {
		history_record(h, names[i], ep[i == 3 ? 0 : 1], secs[i], work[i]);
		history_set_last(h, names[i], ep[i == 3 ? 0 : 1], 0);
	}
}

/* The scheduler over make_dag by what `h` remembers, as dispatch_prepare
 * sets it up: estimates, speeds, capacities, homes. */
static void sched_applied(struct sched *sc, struct dag *dag,
			  const struct history *h)
{
	int caps[2] = { 0 };
	double speed[2] = { 0 };
	make_dag(dag);
	learn_read(dag, h, ep, 2, 0, caps, speed);
	sched_init(sc, dag, 2, caps, NULL, speed, 0, POLICY_MODE_DEFAULT);
	learn_apply(sc, h, ep, NULL, speed);
}

/*
 * Durations remembered node by node: node 0 built base, x and y twice as
 * fast as node 1. The speeds tell it; each estimate is a size, seconds
 * at speed 1, so that on each node it comes back to what it took there;
 * z, built on node 0 alone, is sized at node 0's speed too.
 */
static void t_speeds_and_sizes(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	history_load(&h, "/nonexistent/dbake-history.json", "/p");
	static const char *const names[] = { "base", "x", "y" };
	static const double secs[] = { 4, 1, 2 };
	for (size_t i = 0; i < 3; i++) {
		history_record(&h, names[i], ep[0], secs[i], secs[i]);
		history_record(&h, names[i], ep[1], 2 * secs[i], 2 * secs[i]);
	}
	history_record(&h, "z", ep[0], 3, 3);
	int caps[2] = { 0 };
	double speed[2] = { 0 };
	make_dag(&dag);
	learn_read(&dag, &h, ep, 2, 0, caps, speed);
	assert_true(speed[0] / speed[1] > 1.9 && speed[0] / speed[1] <= 2);
	assert_float_equal(speed[0] * speed[1], 1, 1e-9);
	for (size_t i = 0; i < 3; i++) {
		double took0 = dag.jobs[i].estimate / speed[0];
		double took1 = dag.jobs[i].estimate / speed[1];
		assert_true(fabs(took0 / secs[i] - 1) < 0.03);
		assert_true(fabs(took1 / (2 * secs[i]) - 1) < 0.03);
	}
	assert_float_equal(dag.jobs[3].estimate / speed[0], 3, 1e-9);
	/* ranks follow the sizes: base's chain is base and its longest */
	assert_float_equal(dag.jobs[0].rank,
			   dag.jobs[0].estimate + dag.jobs[2].estimate, 1e-9);
	dag_release(&dag);
	/* fifo: durations as remembered, no speeds */
	make_dag(&dag);
	learn_read(&dag, &h, ep, 2, 1, caps, speed);
	assert_float_equal(speed[0], 0, 0);
	assert_float_equal(speed[1], 0, 0);
	assert_float_equal(dag.jobs[3].estimate, 3, 1e-9);
	dag_release(&dag);
	history_release(&h);
}

/*
 * Launches paced: each goes to the most urgent job an open slot would
 * take. z's cache is on node 0, whose slots come first; base's on node
 * 1, and base heads the longest chain: base starts first.
 */
static void t_paced_most_urgent_first(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	struct sched sc;
	struct launches l = { 0 };
	static const double secs[] = { 5, 3, 3, 2 };
	built_before(&h, secs, secs);
	sched_applied(&sc, &dag, &h);
	assert_int_equal(sc.slots[0].node, 0);
	sc.launch_gap_ms = 40;
	long long now = 1000000;
	assert_int_equal(sched_fill(&sc, &ops, &l, now), 40);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.node[0], 1);
	assert_int_equal(l.jobs[0][0], 0);
	/* not again before the gap; then z, on its node */
	assert_int_equal(sched_fill(&sc, &ops, &l, now + 10), 30);
	assert_int_equal(l.n, 1);
	assert_int_equal(sched_fill(&sc, &ops, &l, now + 40), 40);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.node[1], 0);
	assert_int_equal(l.jobs[1][0], 3);
	/* nothing else is ready: no launch, nothing to wait for */
	assert_int_equal(sched_fill(&sc, &ops, &l, now + 100), 0);
	assert_int_equal(l.n, 2);
	sched_release(&sc);
	dag_release(&dag);
	history_release(&h);
}

static void t_one_bake_in_waves(void **state)
{
	(void)state;
	struct dag dag;
	struct history h = HISTORY_INIT;
	struct sched sc;
	struct launches l = { 0 };
	/* all cheap, all unchanged, three of four last built on node 1 */
	static const double secs[] = { 0.4, 0.4, 0.4, 0.4 };
	static const double work[] = { 0.3, 0.3, 0.3, 0.3 };
	built_before(&h, secs, work);
	sched_applied(&sc, &dag, &h);

	long long now = 1000000;
	sched_fill(&sc, &ops, &l, now);
	/* the first wave: z on its node 0, base on its node 1 */
	assert_int_equal(l.n, 2);
	assert_int_equal(l.node[0], 0);
	assert_int_equal(l.njobs[0], 1);
	assert_int_equal(l.jobs[0][0], 3);
	assert_int_equal(l.node[1], 1);
	assert_int_equal(l.njobs[1], 1);
	assert_int_equal(l.jobs[1][0], 0);
	/* nothing else while they build, even with base done */
	sched_fill(&sc, &ops, &l, now + 10);
	end_on(&sc, &dag, 1, now + 300);
	sched_fill(&sc, &ops, &l, now + 310);
	assert_int_equal(l.n, 2);
	end_on(&sc, &dag, 0, now + 500);
	/* then x and y, together, base given to them from outside */
	sched_fill(&sc, &ops, &l, now + 510);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.node[2], 1);
	assert_int_equal(l.njobs[2], 2);
	assert_int_equal(l.jobs[2][0], 1);
	assert_int_equal(l.jobs[2][1], 2);
	/* the batch fails: each of its jobs goes again alone, the usual
	 * way (not in one bake again, and again) */
	for (size_t i = 0; i < sc.nslots; i++) {
		struct sched_slot *s = &sc.slots[i];
		if (!s->njobs)
			continue;
		s->live = 0;
		sched_ended(&sc, s, now + 900);
		for (size_t k = 0; k < s->njobs; k++) {
			dag.jobs[s->jobs[k]].solo = 1;
			dag_requeue(&dag, s->jobs[k]);
		}
		s->njobs = 0;
	}
	sched_fill(&sc, &ops, &l, now + 910);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.njobs[3], 1);
	assert_int_equal(l.njobs[4], 1);
	sched_release(&sc);
	dag_release(&dag);
	history_release(&h);

	/* one target not known short: the usual placement */
	built_before(&h, secs, work);
	history_record(&h, "y", ep[1], 30, 29);
	struct launches l2 = { 0 };
	sched_applied(&sc, &dag, &h);
	sched_fill(&sc, &ops, &l2, now);
	assert_true(l2.n >= 1);
	for (size_t i = 0; i < l2.n; i++)
		assert_int_equal(l2.njobs[i], 1);
	sched_release(&sc);
	dag_release(&dag);
	history_release(&h);
}

/*
 * A batch's targets charged for their steps as they shared the node:
 * in full while no more ran at once than its capacity, the excess
 * shared out beyond it; a target alone after the others is charged in
 * full for that part.
 */
static void t_batch_shares(void **state)
{
	(void)state;
	double frac[4];
	/* four light targets, all at once from 1000 to 2000 ms, capacity
	 * unknown (as 1): each charged a quarter */
	long long from[4] = { 1000, 1000, 1000, 1000 };
	long long to[4] = { 2000, 2000, 2000, 2000 };
	learn_batch_shares(from, to, 4, 0, frac);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(frac[i] - 0.25) < 1e-9);
	/* on a node of capacity 2: half each */
	learn_batch_shares(from, to, 4, 2, frac);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(frac[i] - 0.5) < 1e-9);
	/* capacity 4 or more: nothing shared out */
	learn_batch_shares(from, to, 4, 8, frac);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(frac[i] - 1) < 1e-9);
	/* a long one (0-8000) beside three quick ones (0-1000): the long one
	 * runs alone for 7 of its 8 s, and is charged 7.25 s of 8 */
	long long lf[4] = { 1, 1, 1, 1 }, lt[4] = { 8001, 1001, 1001, 1001 };
	learn_batch_shares(lf, lt, 4, 0, frac);
	assert_true(fabs(frac[0] - 7.25 / 8) < 1e-9);
	for (int i = 1; i < 4; i++)
		assert_true(fabs(frac[i] - 0.25) < 1e-9);
	/* a span not known (no step seen ending, or none at all) is
	 * charged in full, and shares nothing with the others */
	long long uf[3] = { 0, 1000, 1000 }, ut[3] = { 0, 2000, 2000 };
	learn_batch_shares(uf, ut, 3, 0, frac);
	assert_true(fabs(frac[0] - 1) < 1e-9);
	assert_true(fabs(frac[1] - 0.5) < 1e-9);
	assert_true(fabs(frac[2] - 0.5) < 1e-9);
}

/* The span of a job's own steps, from what progress shows as they end:
 * a step of 0.6 s seen ending at 5000 ran from 4400 at the latest. */
static void t_own_span(void **state)
{
	(void)state;
	struct sched_job j = { 0 };
	learn_own_span(&j, 0, 3000); /* nothing of its own ended yet */
	assert_true(j.own_from_ms == 0 && j.own_to_ms == 0);
	learn_own_span(&j, 0.6, 5000);
	assert_true(j.own_from_ms == 4400 && j.own_to_ms == 5000);
	learn_own_span(&j, 0.6, 5500); /* others' output: no change */
	assert_true(j.own_from_ms == 4400 && j.own_to_ms == 5000);
	learn_own_span(&j, 1.0, 6000); /* a second step, 0.4 s */
	assert_true(j.own_from_ms == 4400 && j.own_to_ms == 6000);
	learn_own_span(&j, 4.0, 6500); /* one of 3 s: began before the first */
	assert_true(j.own_from_ms == 3500 && j.own_to_ms == 6500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_pin_unchanged),
		cmocka_unit_test(t_batch_shares),
		cmocka_unit_test(t_own_span),
		cmocka_unit_test(t_one_bake_in_waves),
		cmocka_unit_test(t_speeds_and_sizes),
		cmocka_unit_test(t_paced_most_urgent_first),
		cmocka_unit_test(t_batch_members),
		cmocka_unit_test(t_keys_apart_from_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
