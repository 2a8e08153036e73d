/* The scheduler simulator, and the policy on cases whose best schedule
 * is known; policy_batch, dag_requeue, learned node speeds, many edges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sched/dag.h"
#include "sched/policy.h"
#include "sched/sim.h"
#include "sched/sim_dbake.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* ---- lower bound ---- */

static void t_lb_spread(void **state)
{
	(void)state;
	struct sim_workload w;
	/* 3 jobs of 4 s on 2 nodes of capacity 1: max(4, 12 / 2) = 6 */
	sim_workload_init(&w, 2);
	for (int i = 0; i < 3; i++)
		sim_add_job(&w, NULL, 4, -1);
	assert_near(sim_total_work(&w), 12);
	assert_near(sim_critical_path(&w, 1), 4);
	assert_near(sim_lower_bound(&w), 6);
	/* one more slot on a node: 12 / 3 = 4, the job itself */
	sim_set_node(&w, 0, 2, 1);
	assert_near(sim_lower_bound(&w), 4);
	sim_workload_release(&w);
}

static void t_lb_chain(void **state)
{
	(void)state;
	struct sim_workload w;
	/* a -> b -> c of 1 + 2 + 3 s, the fast node at speed 2: CP = 3 */
	sim_workload_init(&w, 2);
	sim_set_node(&w, 1, 1, 2);
	size_t a = sim_add_job(&w, "a", 1, -1);
	size_t b = sim_add_job(&w, "b", 2, -1);
	size_t c = sim_add_job(&w, "c", 3, -1);
	sim_add_dep(&w, b, a);
	sim_add_dep(&w, c, b);
	sim_add_dep(&w, c, b); /* once */
	assert_int_equal(w.jobs[c].ndeps, 1);
	assert_near(sim_critical_path(&w, 1), 6);
	assert_near(sim_critical_path(&w, 2), 3);
	/* work 6 over 1 x 1 + 1 x 2 = 2 < 3 */
	assert_near(sim_lower_bound(&w), 3);
	/* a diamond: the longest branch counts, not the sum */
	size_t d = sim_add_job(&w, "d", 5, -1);
	sim_add_dep(&w, d, a);
	assert_near(sim_critical_path(&w, 1), 6);
	size_t e = sim_add_job(&w, "e", 1, -1);
	sim_add_dep(&w, e, d);
	sim_add_dep(&w, e, c);
	assert_near(sim_critical_path(&w, 1), 7); /* a d e */
	sim_workload_release(&w);
}

static void t_lb_mixed_speeds(void **state)
{
	(void)state;
	struct sim_workload w;
	/* 4 jobs of 6 s; nodes of 2 slots at 1, 1 slot at 2: rate 4, LB 6 */
	sim_workload_init(&w, 2);
	sim_set_node(&w, 0, 2, 1);
	sim_set_node(&w, 1, 1, 2);
	for (int i = 0; i < 4; i++)
		sim_add_job(&w, NULL, 6, -1);
	assert_near(sim_lower_bound(&w), 6);
	/* and one of 30 s: 30 / 2 = 15 at the fastest speed, more than
	 * all the work spread, 54 / 4 = 13.5 */
	size_t big = sim_add_job(&w, NULL, 30, -1);
	assert_near(sim_lower_bound(&w), 15);
	/* of 20 s instead: 10 < 44 / 4 = 11 */
	w.jobs[big].duration = 20;
	assert_near(sim_lower_bound(&w), 11);
	/* half speed everywhere: rate 2, everything doubles */
	sim_set_node(&w, 0, 2, 0.5);
	sim_set_node(&w, 1, 1, 1);
	assert_near(sim_lower_bound(&w), 22);
	sim_workload_release(&w);

	sim_workload_init(&w, 3);
	assert_near(sim_lower_bound(&w), 0); /* nothing to do */
	sim_workload_release(&w);
}

/* ---- the simulator ---- */

static double run(const struct sim_workload *w, enum policy_mode mode,
		  int one_slot, struct sim_result *keep)
{
	struct sim_config c = { .mode = mode, .one_slot = one_slot };
	struct sim_result r;
	assert_int_equal(sim_run(w, &c, &r), 0);
	double m = r.makespan;
	if (keep)
		*keep = r;
	else
		sim_result_release(&r);
	return m;
}

static void t_sim_trivial(void **state)
{
	(void)state;
	struct sim_workload w;
	/* one node, 2 slots at speed 2: the 4 s jobs side by side (2 s),
	 * then the 2 s one (1 s) */
	sim_workload_init(&w, 1);
	sim_set_node(&w, 0, 2, 2);
	sim_add_job(&w, "x", 4, -1);
	sim_add_job(&w, "y", 4, -1);
	size_t z = sim_add_job(&w, "z", 2, -1);
	struct sim_result r;
	assert_near(run(&w, POLICY_MODE_DEFAULT, 0, &r), 3);
	assert_near(r.start[z], 2);
	assert_near(r.end[z], 3);
	assert_int_equal(r.starts, 3);
	assert_int_equal(r.remote, 0);
	sim_result_release(&r);
	/* one slot: one after the other, 10 s of work at speed 2 */
	assert_near(run(&w, POLICY_MODE_FIFO, 1, NULL), 5);
	sim_workload_release(&w);

	/* nothing to do: done at once */
	sim_workload_init(&w, 2);
	assert_near(run(&w, POLICY_MODE_DEFAULT, 0, NULL), 0);
	sim_workload_release(&w);
}

static void t_sim_transfer(void **state)
{
	(void)state;
	struct sim_workload w;
	/* b needs a, each pinned to its node: b pulls a's layers for a
	 * quarter of a's 2 s */
	sim_workload_init(&w, 2);
	size_t a = sim_add_job(&w, "a", 2, -1);
	size_t b = sim_add_job(&w, "b", 4, -1);
	sim_add_dep(&w, b, a);
	sim_only_on(&w, a, 0);
	sim_only_on(&w, b, 1);
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT, .transfer = 0.25 };
	struct sim_result r;
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_int_equal(r.node[a], 0);
	assert_int_equal(r.node[b], 1);
	assert_near(r.start[b], 2);
	assert_near(r.makespan, 2 + 4 + 0.5);
	assert_int_equal(r.remote, 1);
	assert_near(r.transfer_s, 0.5);
	sim_result_release(&r);
	/* on the same node: nothing to pull */
	free(w.jobs[b].fits);
	w.jobs[b].fits = NULL;
	sim_only_on(&w, b, 0);
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_near(r.makespan, 6);
	assert_int_equal(r.remote, 0);
	sim_result_release(&r);
	sim_workload_release(&w);
}

static void t_sim_no_node_fits(void **state)
{
	(void)state;
	struct sim_workload w;
	sim_workload_init(&w, 2);
	size_t a = sim_add_job(&w, "a", 1, -1);
	sim_add_job(&w, "b", 1, -1);
	w.jobs[a].fits = xcalloc(3, 1); /* fits nothing */
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT };
	struct sim_result r;
	assert_int_equal(sim_run(&w, &c, &r), -1);
	assert_int_equal(r.node[a], -1);
	sim_result_release(&r);
	sim_workload_release(&w);
}

/* ---- the policy where the best schedule is known ---- */

static void t_lpt(void **state)
{
	(void)state;
	struct sim_workload w;
	/* {8,4,4,2,2,2,2} on 2 single-slot nodes: 24 / 2 = 12 is optimal.
	 * Longest first reaches it; FIFO by name, short names first, starts
	 * the 8 s job last. */
	static const struct { const char *name; double d; } jobs[] = {
		{ "a1", 2 }, { "a2", 2 }, { "a3", 2 }, { "a4", 2 },
		{ "b1", 4 }, { "b2", 4 }, { "c", 8 },
	};
	sim_workload_init(&w, 2);
	for (size_t i = 0; i < ARRAY_SIZE(jobs); i++)
		sim_add_job(&w, jobs[i].name, jobs[i].d, -1);
	assert_near(sim_lower_bound(&w), 12);
	struct sim_result r;
	assert_near(run(&w, POLICY_MODE_DEFAULT, 0, &r), 12);
	assert_near(r.start[6], 0); /* the 8 s job first */
	sim_result_release(&r);
	assert_near(run(&w, POLICY_MODE_FIFO, 1, NULL), 16);
	sim_workload_release(&w);
}

static void t_critical_path_first(void **state)
{
	(void)state;
	struct sim_workload w;
	/* a chain z1 -> z2 -> z3 of 3 s and three lone 3 s jobs on 2
	 * nodes: LB = max(9, 18 / 2) = 9, reached only if the chain starts
	 * at once and never waits. FIFO takes the lone ones first: 12. */
	sim_workload_init(&w, 2);
	size_t z1 = sim_add_job(&w, "z1", 3, -1);
	size_t z2 = sim_add_job(&w, "z2", 3, -1);
	size_t z3 = sim_add_job(&w, "z3", 3, -1);
	sim_add_dep(&w, z2, z1);
	sim_add_dep(&w, z3, z2);
	for (int i = 0; i < 3; i++) {
		char name[8];
		snprintf(name, sizeof(name), "a%d", i);
		sim_add_job(&w, name, 3, -1);
	}
	assert_near(sim_lower_bound(&w), 9);
	struct sim_result r;
	assert_near(run(&w, POLICY_MODE_DEFAULT, 0, &r), 9);
	assert_near(r.start[z1], 0);
	/* and the chain stays where its layers are */
	assert_int_equal(r.node[z2], r.node[z1]);
	assert_int_equal(r.node[z3], r.node[z1]);
	sim_result_release(&r);
	assert_near(run(&w, POLICY_MODE_FIFO, 1, NULL), 12);
	sim_workload_release(&w);
}

static void t_pinned_job(void **state)
{
	(void)state;
	struct sim_workload w;
	/* the longest job fits node 1 only; node 0 is asked first */
	sim_workload_init(&w, 2);
	size_t arm = sim_add_job(&w, "arm", 5, -1);
	size_t x = sim_add_job(&w, "x", 1, -1);
	sim_add_job(&w, "y", 1, -1);
	sim_only_on(&w, arm, 1);
	for (int fifo = 0; fifo < 2; fifo++) {
		struct sim_result r;
		run(&w, fifo ? POLICY_MODE_FIFO : POLICY_MODE_DEFAULT, fifo, &r);
		assert_int_equal(r.node[arm], 1);
		assert_near(r.start[arm], 0);
		assert_int_equal(r.node[x], 0);
		assert_near(r.makespan, 5);
		sim_result_release(&r);
	}
	sim_workload_release(&w);
}

static void t_affinity(void **state)
{
	(void)state;
	struct sim_workload w;
	/* base runs on node 1, "first" on node 0; both end at 1 s. With
	 * both nodes free, app goes where base's layers are, although
	 * node 0's slot is asked first. */
	sim_workload_init(&w, 2);
	sim_add_job(&w, "first", 1, -1);
	size_t base = sim_add_job(&w, "base", 1, -1);
	size_t app = sim_add_job(&w, "app", 1, -1);
	sim_add_dep(&w, app, base);
	sim_only_on(&w, base, 1);
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT };
	struct sim_result r;
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_int_equal(r.node[base], 1);
	assert_int_equal(r.node[app], 1);
	assert_near(r.start[app], 1);
	sim_result_release(&r);
	/* without the affinity pass, the first free slot takes it */
	c.no_affinity = 1;
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_int_equal(r.node[app], 0);
	sim_result_release(&r);
	sim_workload_release(&w);
}

static void t_speed_hints(void **state)
{
	(void)state;
	struct sim_workload w;
	/* node 0 at 0.5, node 1 at 2; jobs of 8 s and 1 s. Blind, the
	 * 8 s job takes node 0's slot (asked first): 16 s. Told the speeds,
	 * the policy gives node 0 the short one: LB = max(8 / 2, 9 / 2.5). */
	sim_workload_init(&w, 2);
	sim_set_node(&w, 0, 1, 0.5);
	sim_set_node(&w, 1, 1, 2);
	size_t big = sim_add_job(&w, "big", 8, -1);
	sim_add_job(&w, "small", 1, -1);
	assert_near(sim_lower_bound(&w), 4);
	struct sim_result r;
	assert_near(run(&w, POLICY_MODE_DEFAULT, 0, NULL), 16);
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT, .hints = 1 };
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_int_equal(r.node[big], 1);
	assert_near(r.makespan, 4);
	sim_result_release(&r);

	/* node 0 at 0.25: 3 jobs of 4 s are all better on node 1, one
	 * after the other (6 s), than one of them on node 0 (16 s); node 0
	 * takes nothing, although nothing runs when first asked */
	sim_workload_release(&w);
	sim_workload_init(&w, 2);
	sim_set_node(&w, 0, 1, 0.25);
	sim_set_node(&w, 1, 1, 2);
	for (int i = 0; i < 3; i++)
		sim_add_job(&w, NULL, 4, -1);
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_near(r.makespan, 6);
	for (size_t i = 0; i < w.njobs; i++)
		assert_int_equal(r.node[i], 1);
	sim_result_release(&r);
	sim_workload_release(&w);
}

static void t_slot_order(void **state)
{
	(void)state;
	int node[16], rank[16];
	/* speeds unknown: every node's first slot, then the second ones */
	int slots[] = { 2, 2, 1 };
	assert_int_equal(policy_slot_order(3, NULL, slots, NULL, node, rank), 5);
	int want_node[] = { 0, 1, 2, 0, 1 }, want_rank[] = { 0, 0, 0, 1, 1 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(node[i], want_node[i]);
		assert_int_equal(rank[i], want_rank[i]);
	}
	/* node 2 twice as fast: all its slots first; nodes 0 and 1 of
	 * about one speed take turns; extra slots (past `real`) last,
	 * taking turns */
	double speed[] = { 1.0, 0.95, 2.0 };
	int slots2[] = { 3, 3, 3 }, real[] = { 2, 2, 2 };
	assert_int_equal(policy_slot_order(3, speed, slots2, real, node, rank), 9);
	int wn[] = { 2, 2, 0, 1, 0, 1, 0, 1, 2 }, wr[] = { 0, 1, 0, 0, 1, 1, 2, 2, 2 };
	for (int i = 0; i < 9; i++) {
		assert_int_equal(node[i], wn[i]);
		assert_int_equal(rank[i], wr[i]);
	}
}

/*
 * Told the speeds, the fastest node is asked first: the longest jobs
 * start there although the slow node comes first in the builder and
 * would end them within the bound (much short work follows).
 */
static void t_fastest_first(void **state)
{
	(void)state;
	struct sim_workload w;
	sim_workload_init(&w, 2);
	sim_set_node(&w, 0, 2, 0.5);
	sim_set_node(&w, 1, 2, 2);
	size_t a = sim_add_job(&w, "a", 3, -1);
	size_t b = sim_add_job(&w, "b", 3, -1);
	for (int i = 0; i < 40; i++)
		sim_add_job(&w, NULL, 1, -1);
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT, .hints = 1 };
	struct sim_result r;
	assert_int_equal(sim_run(&w, &c, &r), 0);
	assert_int_equal(r.node[a], 1);
	assert_int_equal(r.node[b], 1);
	assert_near(r.start[a], 0);
	assert_near(r.start[b], 0);
	/* LB: 46 s of work over 2 x 0.5 + 2 x 2 */
	assert_true(r.makespan <= 1.05 * sim_lower_bound(&w));
	sim_result_release(&r);
	sim_workload_release(&w);
}

/* Every run ends, respects fits, capacities and dependencies. */
/* ---- sim_blind: what knowing no duration costs ---- */

static void t_blind_exact(void **state)
{
	(void)state;
	struct sim_workload w;
	/* a chain has no choice: 1 + 2 + 3 */
	sim_workload_init(&w, 2);
	size_t a = sim_add_job(&w, NULL, 1, -1), b = sim_add_job(&w, NULL, 2, -1);
	size_t c = sim_add_job(&w, NULL, 3, -1);
	sim_add_dep(&w, b, a);
	sim_add_dep(&w, c, b);
	assert_near(sim_blind(&w, 50, 1, 1), 6);
	sim_workload_release(&w);
	/* four equal jobs, two places: two rounds whatever the order */
	sim_workload_init(&w, 1);
	sim_set_node(&w, 0, 2, 1);
	for (int i = 0; i < 4; i++)
		sim_add_job(&w, NULL, 1, -1);
	assert_near(sim_blind(&w, 50, 1, 1), 2);
	sim_workload_release(&w);
	/* it knows speeds: one job goes to the node twice as fast */
	sim_workload_init(&w, 2);
	sim_set_node(&w, 1, 1, 2);
	sim_add_job(&w, NULL, 4, -1);
	assert_near(sim_blind(&w, 50, 1, 1), 2);
	/* not knowing them, it takes either node: (4 + 2) / 2 */
	assert_true(fabs(sim_blind(&w, 20000, 1, 0) - 3) < 0.03);
	sim_workload_release(&w);
	/* it knows the graph: on two places, the head of a chain of three
	 * goes before two lone jobs (3 s; 4 s if both lone ones went first) */
	sim_workload_init(&w, 1);
	sim_set_node(&w, 0, 2, 1);
	sim_add_job(&w, NULL, 1, -1);
	sim_add_job(&w, NULL, 1, -1);
	size_t h = sim_add_job(&w, NULL, 1, -1);
	size_t m = sim_add_job(&w, NULL, 1, -1), t = sim_add_job(&w, NULL, 1, -1);
	sim_add_dep(&w, m, h);
	sim_add_dep(&w, t, m);
	assert_near(sim_blind(&w, 50, 1, 1), 3);
	sim_workload_release(&w);
}

/* Its mean over tie orders, against the mean worked out over every order:
 * jobs of 1, 1 and 4 s on two places end at 4 unless the 4 s job comes
 * last (one order in three), then at 5: 13 / 3. */
static void t_blind_mean(void **state)
{
	(void)state;
	struct sim_workload w;
	sim_workload_init(&w, 1);
	sim_set_node(&w, 0, 2, 1);
	sim_add_job(&w, NULL, 1, -1);
	sim_add_job(&w, NULL, 1, -1);
	sim_add_job(&w, NULL, 4, -1);
	double m = sim_blind(&w, 20000, 7, 1);
	assert_true(fabs(m - 13.0 / 3) < 0.03);
	/* the same seed, the same mean */
	assert_near(sim_blind(&w, 20000, 7, 1), m);
	sim_workload_release(&w);
	/* make bench's W1 on 4 x 2 places: bench/workloads.py's
	 * Workload.blind, written apart from this, makes it 10.98 */
	static const int two[] = { 2, 2, 2, 2 };
	sim_bench_w1(&w, two);
	assert_true(fabs(sim_blind(&w, 2000, 1, 1) - 10.98) < 0.15);
	sim_workload_release(&w);
}

/* A job no node fits never runs: no makespan. */
static void t_blind_no_fit(void **state)
{
	(void)state;
	struct sim_workload w;
	sim_workload_init(&w, 2);
	size_t j = sim_add_job(&w, NULL, 1, -1);
	sim_only_on(&w, j, 0);
	w.jobs[j].fits[0] = 0;
	assert_true(sim_blind(&w, 10, 1, 1) < 0);
	sim_workload_release(&w);
}

static void check_schedule(const struct sim_workload *w,
			   const struct sim_config *c, const struct sim_result *r)
{
	for (size_t i = 0; i < w->njobs; i++) {
		const struct sim_job *j = &w->jobs[i];
		int n = r->node[i];
		assert_true(n >= 0 && (size_t)n < w->nnodes);
		assert_true(!j->fits || j->fits[n]);
		for (size_t k = 0; k < j->ndeps; k++)
			assert_true(r->start[i] >= r->end[j->deps[k]] - 1e-9);
		assert_true(r->end[i] >= r->start[i] +
			    j->duration / w->nodes[n].speed - 1e-9);
		/* what runs at its start on its node fits the slots */
		int at = 0;
		for (size_t k = 0; k < w->njobs; k++)
			at += r->node[k] == n && r->start[k] <= r->start[i] &&
			      r->end[k] > r->start[i];
		assert_true(at <= (c->one_slot ? 1 : w->nodes[n].capacity));
	}
}

static void t_sim_properties(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct sim_rng rng;
		sim_rng_seed(&rng, seed);
		struct sim_params p = {
			.targets = 2 + sim_below(&rng, 60),
			.nodes = 2 + sim_below(&rng, 5),
			.shape = (enum sim_shape)sim_below(&rng, 3),
			.mix = (enum sim_mix)sim_below(&rng, 2),
			.sigma = 0.3 * (double)sim_below(&rng, 2),
			.pinned = 0.2,
			.seed = seed,
		};
		struct sim_workload w;
		sim_generate(&w, &p);
		double lb = sim_lower_bound(&w);
		assert_true(sim_heft(&w, 0) >= lb - 1e-9);
		struct sim_config cs[] = {
			{ .mode = POLICY_MODE_DEFAULT },
			{ .mode = POLICY_MODE_DEFAULT, .hints = 1 },
			{ .mode = POLICY_MODE_DEFAULT, .hints = 1, .transfer = 0.2 },
			{ .mode = POLICY_MODE_DEFAULT, .no_affinity = 1 },
			{ .mode = POLICY_MODE_FIFO, .one_slot = 1 },
		};
		for (size_t k = 0; k < ARRAY_SIZE(cs); k++) {
			struct sim_result r;
			assert_int_equal(sim_run(&w, &cs[k], &r), 0);
			assert_int_equal(r.starts, w.njobs);
			assert_true(r.makespan >= lb - 1e-9);
			check_schedule(&w, &cs[k], &r);
			sim_result_release(&r);
		}
		sim_workload_release(&w);
	}
}

static void t_generate_reproducible(void **state)
{
	(void)state;
	struct sim_params p = { .targets = 300, .nodes = 8, .shape = SIM_DAG,
				.mix = SIM_LOGNORMAL, .sigma = 0.3,
				.pinned = 0.1, .seed = 42 };
	struct sim_workload a, b;
	sim_generate(&a, &p);
	sim_generate(&b, &p);
	assert_int_equal(a.njobs, 300);
	assert_int_equal(a.nnodes, 8);
	size_t edges = 0, pinned = 0, noisy = 0;
	for (size_t n = 0; n < a.nnodes; n++) {
		assert_int_equal(a.nodes[n].capacity, b.nodes[n].capacity);
		assert_true(a.nodes[n].capacity >= 1 && a.nodes[n].capacity <= 8);
		assert_true(a.nodes[n].speed >= 0.5 && a.nodes[n].speed <= 2);
	}
	for (size_t i = 0; i < a.njobs; i++) {
		assert_string_equal(a.jobs[i].name, b.jobs[i].name);
		assert_true(a.jobs[i].duration == b.jobs[i].duration);
		assert_true(a.jobs[i].estimate == b.jobs[i].estimate);
		assert_int_equal(a.jobs[i].ndeps, b.jobs[i].ndeps);
		assert_true(a.jobs[i].ndeps <= 3);
		for (size_t k = 0; k < a.jobs[i].ndeps; k++)
			assert_true(a.jobs[i].deps[k] < i); /* earlier jobs only */
		edges += a.jobs[i].ndeps;
		pinned += a.jobs[i].fits != NULL;
		noisy += a.jobs[i].estimate != a.jobs[i].duration;
	}
	assert_true(edges > 0);
	assert_true(pinned > 0 && pinned < 100);
	assert_true(noisy > 250);
	sim_workload_release(&b);
	p.seed = 43;
	sim_generate(&b, &p);
	int differ = 0;
	for (size_t i = 0; i < a.njobs; i++)
		differ |= a.jobs[i].duration != b.jobs[i].duration;
	assert_true(differ);
	sim_workload_release(&a);
	sim_workload_release(&b);

	/* tiers: only 1, 2, 4, 8 s; exact estimates */
	p = (struct sim_params){ .targets = 200, .nodes = 2,
				 .shape = SIM_INDEPENDENT, .mix = SIM_TIERS,
				 .seed = 7 };
	sim_generate(&a, &p);
	for (size_t i = 0; i < a.njobs; i++) {
		double d = a.jobs[i].duration;
		assert_true(d == 1 || d == 2 || d == 4 || d == 8);
		assert_true(a.jobs[i].estimate == d);
		assert_int_equal(a.jobs[i].ndeps, 0);
	}
	sim_workload_release(&a);
}

/* ---- policy_batch, dag_requeue, learned speeds: the API itself ---- */

struct fixture {
	struct strvec none;
	struct node_offer nodes[3];
	struct dag dag;
	struct policy policy;
};

static int fx_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	strvec_init(&f->none);
	for (int i = 0; i < 3; i++)
		f->nodes[i] = (struct node_offer){ "n", &f->none, &f->none };
	f->dag = (struct dag)DAG_INIT;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *f = *state;
	if (f->policy.dag)
		policy_release(&f->policy);
	dag_release(&f->dag);
	strvec_clear(&f->none);
	free(f);
	return 0;
}

static size_t job(struct fixture *f, const char *name, double est, int known)
{
	size_t j = dag_add(&f->dag, name, &f->none);
	f->dag.jobs[j].estimate = est;
	f->dag.jobs[j].known = known;
	return j;
}

static void start(struct fixture *f, size_t j, int node, long long now)
{
	dag_start(&f->dag, j, node, now);
	policy_started(&f->policy, j, node);
}

static int has(const size_t *v, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void t_batch_same_steps(void **state)
{
	struct fixture *f = *state;
	size_t a = job(f, "a", 10, 1);
	size_t b = job(f, "b", 10, 1);
	size_t c = job(f, "c", 10, 1);
	size_t x = job(f, "x", 10, 1);
	size_t s = job(f, "s", 10, 1);
	size_t pending = job(f, "pending", 10, 1);
	dag_same_steps(&f->dag, b, a);
	dag_same_steps(&f->dag, c, a);
	dag_same_steps(&f->dag, s, a);
	dag_same_steps(&f->dag, pending, a);
	dag_add_edge(&f->dag, pending, x);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	f->dag.jobs[c].fits[1] = 0; /* c cannot go to node 1 */
	f->dag.jobs[s].solo = 1;
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	size_t out[16];
	/* the group travels together, long as its jobs are */
	size_t n = policy_batch(&f->policy, a, 0, out, 8, 0);
	assert_int_equal(out[0], a);
	assert_int_equal(n, 3);
	assert_true(has(out, n, b) && has(out, n, c));
	assert_false(has(out, n, x)); /* other steps */
	assert_false(has(out, n, s)); /* solo: alone */
	assert_false(has(out, n, pending)); /* not ready */
	/* from any of them, on a node some do not fit */
	n = policy_batch(&f->policy, b, 1, out, 8, 0);
	assert_int_equal(out[0], b);
	assert_int_equal(n, 2);
	assert_true(has(out, n, a));
	/* started ones are not taken again */
	start(f, b, 0, 0);
	n = policy_batch(&f->policy, a, 0, out, 8, 0);
	assert_int_equal(n, 2);
	assert_true(has(out, n, c));
	/* a solo first job goes alone */
	n = policy_batch(&f->policy, s, 0, out, 8, 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], s);
}

/* A job goes back to the node that built it last (its cache), before
 * a job that ranks higher; without a home it waits for the general pass. */
static void t_home_node(void **state)
{
	struct fixture *f = *state;
	size_t big = job(f, "big", 10, 1);
	size_t small = job(f, "small", 1, 1);
	size_t late = job(f, "late", 1, 1);
	size_t dep = job(f, "dep", 1, 1);
	dag_add_edge(&f->dag, late, dep);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 3), 0);
	f->dag.jobs[small].fits[2] = 0;
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	policy_home(&f->policy, small, 1);
	policy_home(&f->policy, late, 2);
	policy_home(&f->policy, big, 2);
	policy_home(&f->policy, small, 2); /* does not fit: ignored */
	assert_int_equal(policy_pick(&f->policy, 1, 1), (ssize_t)small);
	assert_int_equal(policy_pick(&f->policy, 0, 1), -1);
	assert_int_equal(policy_pick(&f->policy, 0, 0), (ssize_t)big);
	start(f, small, 1, 0);
	start(f, big, 2, 0);
	assert_int_equal(policy_pick(&f->policy, 1, 1), -1);
	/* a job that becomes ready later finds its home too */
	start(f, dep, 0, 0);
	dag_done(&f->dag, dep, 1000);
	assert_int_equal(policy_pick(&f->policy, 2, 1), (ssize_t)late);
	assert_int_equal(policy_pick(&f->policy, 1, 1), -1);
}

static void t_batch_short(void **state)
{
	struct fixture *f = *state;
	static const char *names[] = { "s0", "s1", "s2", "s3", "s4" };
	size_t s[5], unknown, lng, solo;
	for (int i = 0; i < 5; i++)
		s[i] = job(f, names[i], 0.5, 1);
	unknown = job(f, "unknown", 0.5, 0); /* short, but not known */
	lng = job(f, "long", 10, 1);
	solo = job(f, "solo", 0.5, 1);
	size_t arm = job(f, "arm", 0.5, 1);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	f->dag.jobs[solo].solo = 1;
	f->dag.jobs[arm].fits[0] = 0;
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	size_t out[16];
	/* short known jobs, up to max_short in all */
	size_t n = policy_batch(&f->policy, s[0], 0, out, 3, 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], s[0]);
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &f->dag.jobs[out[i]];
		assert_true(j->known && j->estimate < POLICY_SHORT && !j->solo);
		assert_true(j->fits[0]);
	}
	/* all of them, never the long, unknown, solo or unfitting ones */
	n = policy_batch(&f->policy, s[0], 0, out, 16, 0);
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_true(has(out, n, s[i]));
	assert_false(has(out, n, unknown) || has(out, n, lng) ||
		     has(out, n, solo) || has(out, n, arm));
	/* on node 1, the arm64 one joins */
	n = policy_batch(&f->policy, s[0], 1, out, 16, 0);
	assert_int_equal(n, 6);
	assert_true(has(out, n, arm));
	/* a long or an unknown first job takes no short ones */
	assert_int_equal(policy_batch(&f->policy, lng, 0, out, 16, 0), 1);
	assert_int_equal(policy_batch(&f->policy, unknown, 0, out, 16, 0), 1);
	/* nor a solo one */
	assert_int_equal(policy_batch(&f->policy, solo, 0, out, 16, 0), 1);
	/* max_short 1: alone */
	assert_int_equal(policy_batch(&f->policy, s[1], 0, out, 1, 0), 1);
	/* started ones are gone, each job once */
	start(f, s[2], 0, 0);
	start(f, s[3], 0, 0);
	n = policy_batch(&f->policy, s[0], 0, out, 16, 0);
	assert_int_equal(n, 3);
	assert_false(has(out, n, s[2]) || has(out, n, s[3]));
}

static void t_batch_fifo(void **state)
{
	struct fixture *f = *state;
	size_t a = job(f, "a", 0.5, 1);
	size_t b = job(f, "b", 0.5, 1);
	size_t c = job(f, "c", 0.5, 1);
	dag_same_steps(&f->dag, b, a);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	policy_init(&f->policy, &f->dag, POLICY_MODE_FIFO);
	size_t out[8];
	/* same steps and short: FIFO still builds one at a time */
	assert_int_equal(policy_batch(&f->policy, a, 0, out, 8, 0), 1);
	assert_int_equal(out[0], a);
	assert_int_equal(policy_batch(&f->policy, c, 1, out, 8, 0), 1);
	assert_int_equal(out[0], c);
}

static void t_requeue(void **state)
{
	struct fixture *f = *state;
	size_t a = job(f, "a", 2, 1);
	size_t b = job(f, "b", 2, 1);
	dag_add_edge(&f->dag, b, a);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	assert_int_equal(policy_pick(&f->policy, 0, 0), a);
	start(f, a, 0, 100);
	assert_int_equal(policy_pick(&f->policy, 1, 0), -1);
	/* moved, or to be built alone: ready again, and the policy knows */
	dag_requeue(&f->dag, a);
	assert_int_equal(f->dag.jobs[a].state, JOB_READY);
	assert_int_equal(f->dag.left, 2);
	assert_int_equal(f->dag.jobs[b].state, JOB_PENDING);
	assert_int_equal(policy_pick(&f->policy, 1, 0), a);
	start(f, a, 1, 200);
	assert_int_equal(f->dag.jobs[a].attempts, 2);
	assert_int_equal(f->dag.jobs[a].node, 1);
	assert_int_equal(f->dag.jobs[a].start_ms, 200);
	/* its layers are on node 1 now, not 0 */
	assert_int_equal(policy_pick(&f->policy, 0, 0), -1);
	dag_done(&f->dag, a, 300);
	assert_int_equal(f->dag.jobs[b].state, JOB_READY);
	assert_int_equal(policy_pick(&f->policy, 1, 1), b);
	assert_int_equal(policy_pick(&f->policy, 0, 1), -1);
	assert_int_equal(f->dag.left, 1);
}

static void t_learned_speeds(void **state)
{
	struct fixture *f = *state;
	size_t w0 = job(f, "w0", 2, 1);
	size_t w1 = job(f, "w1", 2, 1);
	size_t big = job(f, "big", 8, 1);
	size_t small = job(f, "small", 2, 1);
	size_t after = job(f, "after", 2, 1);
	dag_add_edge(&f->dag, big, w0);
	dag_add_edge(&f->dag, big, w1);
	dag_add_edge(&f->dag, small, w0);
	dag_add_edge(&f->dag, small, w1);
	dag_add_edge(&f->dag, after, small);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	dag_rank(&f->dag);
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	/* nothing learned yet: the longest chain first, anywhere */
	assert_int_equal(policy_pick(&f->policy, 0, 0), w0);
	/* node 0 takes 8 s for 2 s of estimates, node 1 2 s */
	start(f, w0, 0, 0);
	start(f, w1, 1, 0);
	dag_done(&f->dag, w1, 2000);
	dag_done(&f->dag, w0, 8000);
	/* big (8 s) would take about 4 x longer on node 0: node 0 takes the
	 * short chain, big waits for node 1, asked next */
	assert_int_equal(policy_pick(&f->policy, 0, 0), small);
	start(f, small, 0, 8000);
	assert_int_equal(policy_pick(&f->policy, 0, 0), -1);
	assert_int_equal(policy_pick(&f->policy, 1, 0), big);
	start(f, big, 1, 8000);
	/* after is short and node 1 is busy for a while: node 0 takes it */
	dag_done(&f->dag, small, 16000);
	assert_int_equal(policy_pick(&f->policy, 0, 1), after);
	assert_int_equal(policy_pick(&f->policy, 0, 0), after);
}

/* base jobs w0 w1, then big (alone) and small -> after; known or not */
static void unknown_dag(struct fixture *f, int with_known)
{
	size_t w0 = job(f, "w0", 1, 0);
	size_t w1 = job(f, "w1", 1, 0);
	size_t big = job(f, "big", 1, 0);
	size_t small = job(f, "small", 1, 0);
	size_t after = job(f, "after", 1, 0);
	if (with_known)
		job(f, "known", 1, 1);
	dag_add_edge(&f->dag, big, w0);
	dag_add_edge(&f->dag, big, w1);
	dag_add_edge(&f->dag, small, w0);
	dag_add_edge(&f->dag, small, w1);
	dag_add_edge(&f->dag, after, small);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
}

/* w0 on node 0 in 8 s, w1 on node 1 in 2 s, each in a bake of `batch` */
static void base_built(struct fixture *f, size_t batch)
{
	for (size_t j = 0; j < 2; j++) {
		dag_start(&f->dag, j, (int)j, 0);
		policy_started_in(&f->policy, j, (int)j, batch);
	}
	dag_done(&f->dag, 1, 2000);
	dag_done(&f->dag, 0, 8000);
}

static void t_unknown_estimates_unchanged(void **state)
{
	struct fixture *f = *state;
	/* a run where some job is remembered: the others' durations,
	 * estimated at 1 s each, teach nothing of the nodes */
	unknown_dag(f, 1);
	base_built(f, 1);
	/* small has the longer chain (small -> after), anywhere */
	assert_int_equal(policy_pick(&f->policy, 0, 0), 3);
	start(f, 3, 0, 8000);
	assert_int_equal(policy_pick(&f->policy, 0, 0), 2);
}

static void t_first_run_speeds(void **state)
{
	struct fixture *f = *state;
	/* a first run, nothing remembered: node 0 took 8 s for what node
	 * 1 built in 2, each alone: node 0 is the slower. The longer
	 * chain (small -> after) is left to node 1 */
	unknown_dag(f, 0);
	base_built(f, 1);
	assert_int_not_equal(policy_pick(&f->policy, 0, 0), 3);
	assert_int_equal(policy_pick(&f->policy, 1, 0), 3);
}

static void t_first_run_batches_teach_nothing(void **state)
{
	struct fixture *f = *state;
	/* the same, but w0 and w1 each built in a bake of several: their
	 * times are their bakes', not theirs; nothing learned */
	unknown_dag(f, 0);
	base_built(f, 4);
	assert_int_equal(policy_pick(&f->policy, 0, 0), 3);
}

static void t_hint_and_fifo(void **state)
{
	struct fixture *f = *state;
	size_t big = job(f, "big", 8, 1);
	size_t small = job(f, "small", 1, 1);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	policy_init(&f->policy, &f->dag, POLICY_MODE_FIFO);
	/* FIFO ignores speeds: first by name */
	policy_node_hint(&f->policy, 0, 0.5, 1);
	policy_node_hint(&f->policy, 1, 2, 1);
	assert_int_equal(policy_pick(&f->policy, 0, 0), big);
	policy_release(&f->policy);
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	assert_int_equal(policy_pick(&f->policy, 0, 0), big);
	policy_node_hint(&f->policy, 0, 0.5, 1);
	policy_node_hint(&f->policy, 1, 2, 1);
	policy_node_hint(&f->policy, 7, 2, 1); /* no such node: ignored */
	assert_int_equal(policy_pick(&f->policy, 0, 0), small);
	assert_int_equal(policy_pick(&f->policy, 1, 0), big);
	(void)small;
}

static void t_fanout_edges(void **state)
{
	struct fixture *f = *state;
	/* a base image under 1000 targets, some edges given twice; lists
	 * grow through every power of two */
	static char names[1001][8];
	snprintf(names[0], sizeof(names[0]), "base");
	size_t base = job(f, names[0], 1, 0);
	for (int i = 1; i <= 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "t%04d", i);
		size_t t = job(f, names[i], 1, 0);
		dag_add_edge(&f->dag, t, base);
		if (i % 3 == 0)
			dag_add_edge(&f->dag, t, base);
		if (i > 1)
			dag_add_edge(&f->dag, t, t - 1);
		if (i > 1 && i % 7 == 0)
			dag_add_edge(&f->dag, t, t - 1);
	}
	const struct job *b = &f->dag.jobs[base];
	assert_int_equal(b->ndependents, 1000);
	for (size_t i = 0; i < b->ndependents; i++)
		assert_int_equal(b->dependents[i], i + 1); /* in order */
	assert_int_equal(f->dag.jobs[1].ndeps, 1);
	assert_int_equal(f->dag.jobs[7].ndeps, 2);
	assert_int_equal(f->dag.jobs[7].deps[0], base);
	assert_int_equal(f->dag.jobs[7].deps[1], 6);
	assert_int_equal(f->dag.jobs[6].ndependents, 1);
	assert_int_equal(dag_prepare(&f->dag, f->nodes, 2), 0);
	assert_true(f->dag.jobs[base].rank == 1001); /* the chain after it */
	policy_init(&f->policy, &f->dag, POLICY_MODE_DEFAULT);
	assert_int_equal(policy_pick(&f->policy, 1, 0), base);
	start(f, base, 1, 0);
	dag_done(&f->dag, base, 1000);
	assert_int_equal(f->dag.jobs[1].state, JOB_READY);
	assert_int_equal(f->dag.jobs[2].state, JOB_PENDING);
	/* base's layers are on node 1: t0001 goes there first */
	assert_int_equal(policy_pick(&f->policy, 1, 1), 1);
	assert_int_equal(policy_pick(&f->policy, 0, 1), -1);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)



/* dbake's decisions on the BuildKit model: a first run knows nothing,
 * learns each node's capacity from the steps it saw, and the next run
 * (what history then tells) is faster and within the bound. */
static void t_dbake_cold_then_warm(void **state)
{
	(void)state;
	static const int caps[][4] = { { 2, 2, 2, 2 }, { 3, 1, 1, 1 } };
	for (size_t c = 0; c < 2; c++) {
		struct sim_workload w;
		struct sim_memory mem;
		struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
		struct sim_dbake_result cold, warm;
		sim_bench_w1(&w, caps[c]);
		sim_memory_init(&mem, &w);
		double lb = sim_lower_bound(&w);
		assert_int_equal(sim_dbake(&w, &cfg, &mem, &cold), 0);
		assert_true(cold.makespan >= lb);
		assert_true(cold.bakes >= 1);
		for (size_t n = 0; n < 4; n++)
			assert_int_equal(history_capacity(&mem.history,
							  mem.endpoints[n]),
					 caps[c][n]);
		assert_int_equal(sim_dbake(&w, &cfg, &mem, &warm), 0);
		assert_true(warm.makespan >= lb);
		assert_true(warm.makespan < cold.makespan);
		/* every target's time is known now */
		for (size_t i = 0; i < w.njobs; i++)
			assert_true(history_estimate(&mem.history,
						     w.jobs[i].name, NULL) > 0);
		sim_memory_release(&mem);
		sim_workload_release(&w);
	}
}

/* Launches held for pacing never wedge a run: a gap far longer than
 * the builds, and a node that cannot take most of them at once. */
static void t_dbake_held_launches(void **state)
{
	(void)state;
	struct sim_workload w;
	struct sim_memory mem;
	struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
	struct sim_dbake_result res;
	sim_workload_init(&w, 2);
	for (int i = 0; i < 12; i++)
		sim_add_job(&w, NULL, 0.05, -1);
	sim_add_dep(&w, 11, 0);
	cfg.launch_gap_ms = 700;
	sim_memory_init(&mem, &w);
	assert_int_equal(sim_dbake(&w, &cfg, &mem, &res), 0);
	/* launched one gap apart at least */
	assert_true(res.makespan >= (double)(res.bakes - 1) * 0.7);
	sim_memory_release(&mem);
	sim_workload_release(&w);
}

/*
 * A first run of many light targets: once the first builds show them
 * quick, the rest go several to a bake (fewer bakes, an earlier end);
 * targets whose first builds take time stay one a bake. The next run
 * knows the light ones are short.
 */
static void t_dbake_cold_batches(void **state)
{
	(void)state;
	for (int light = 0; light < 2; light++) {
		struct sim_workload w;
		struct sim_memory mem;
		struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
		struct sim_dbake_result cold, warm;
		sim_workload_init(&w, 4);
		for (int i = 0; i < 200; i++)
			sim_add_job(&w, NULL, light ? 0.2 : 2.0 + (i % 3), -1);
		sim_memory_init(&mem, &w);
		assert_int_equal(sim_dbake(&w, &cfg, &mem, &cold), 0);
		if (light) {
			/* 4 nodes of 4 slots: singles to learn, then
			 * batches of up to what is left / 32 */
			assert_true(cold.bakes < 170);
		} else {
			assert_int_equal(cold.bakes, 200);
		}
		assert_int_equal(sim_dbake(&w, &cfg, &mem, &warm), 0);
		if (light)
			for (size_t i = 0; i < w.njobs; i++)
				assert_true(history_estimate(&mem.history,
							     w.jobs[i].name, NULL) >= 0);
		sim_memory_release(&mem);
		sim_workload_release(&w);
	}
}

/*
 * A batch's steps count for its node as the dispatcher counts them (each
 * job reads the whole bake's progress): a node of 8 places given light
 * targets many to a bake is seen running more than one at a time, and
 * remembered so, not as a node of one place.
 */
static void t_dbake_batch_counts(void **state)
{
	(void)state;
	struct sim_workload w;
	struct sim_memory mem;
	struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
	struct sim_dbake_result res;
	sim_workload_init(&w, 2);
	sim_set_node(&w, 0, 8, 1.0);
	sim_set_node(&w, 1, 8, 1.0);
	for (int i = 0; i < 400; i++)
		sim_add_job(&w, NULL, 0.5, -1);
	cfg.no_homes = 1;
	sim_memory_init(&mem, &w);
	for (int k = 0; k < 2; k++)
		assert_int_equal(sim_dbake(&w, &cfg, &mem, &res), 0);
	for (size_t n = 0; n < 2; n++) {
		int cap = history_capacity(&mem.history, mem.endpoints[n]);
		int floor = history_capacity_floor(&mem.history,
						   mem.endpoints[n]);
		assert_true(cap >= 4 || floor >= 4);
		assert_true(cap <= 8);
	}
	sim_memory_release(&mem);
	sim_workload_release(&w);
}

/*
 * Light targets on nodes of known, uneven capacities (8, 8, 8 and 1):
 * each node's batch is its part by capacity, so the node of one place
 * does not build a quarter of them one by one while the others idle.
 */
static void t_dbake_light_shares(void **state)
{
	(void)state;
	static const int caps[] = { 8, 8, 8, 1 };
	struct sim_workload w;
	struct sim_memory mem;
	struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
	struct sim_dbake_result res;
	sim_workload_init(&w, 4);
	for (size_t n = 0; n < 4; n++)
		sim_set_node(&w, n, caps[n], 1.0);
	for (int i = 0; i < 200; i++)
		sim_add_job(&w, NULL, 0.2, -1);
	cfg.no_homes = 1;
	sim_memory_init(&mem, &w);
	double lb = sim_lower_bound(&w);
	assert_int_equal(sim_dbake(&w, &cfg, &mem, &res), 0); /* durations */
	for (size_t n = 0; n < 4; n++)
		history_set_capacity(&mem.history, mem.endpoints[n], caps[n]);
	assert_int_equal(sim_dbake(&w, &cfg, &mem, &res), 0);
	/* a quarter on the node of one place: 50 x 0.2 s = 10 s, 6x LB */
	assert_true(res.makespan < 2.5 * lb);
	sim_memory_release(&mem);
	sim_workload_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_dbake_cold_batches),
		cmocka_unit_test(t_lb_spread),
		cmocka_unit_test(t_lb_chain),
		cmocka_unit_test(t_lb_mixed_speeds),
		cmocka_unit_test(t_sim_trivial),
		cmocka_unit_test(t_sim_transfer),
		cmocka_unit_test(t_sim_no_node_fits),
		cmocka_unit_test(t_lpt),
		cmocka_unit_test(t_critical_path_first),
		cmocka_unit_test(t_pinned_job),
		cmocka_unit_test(t_affinity),
		cmocka_unit_test(t_speed_hints),
		cmocka_unit_test(t_slot_order),
		cmocka_unit_test(t_fastest_first),
		cmocka_unit_test(t_sim_properties),
		cmocka_unit_test(t_blind_exact),
		cmocka_unit_test(t_blind_mean),
		cmocka_unit_test(t_blind_no_fit),
		cmocka_unit_test(t_generate_reproducible),
		cmocka_unit_test(t_dbake_cold_then_warm),
		cmocka_unit_test(t_dbake_held_launches),
		cmocka_unit_test(t_dbake_batch_counts),
		cmocka_unit_test(t_dbake_light_shares),
		FX(t_batch_same_steps),
		FX(t_batch_short),
		FX(t_home_node),
		FX(t_batch_fifo),
		FX(t_requeue),
		FX(t_learned_speeds),
		FX(t_unknown_estimates_unchanged),
		FX(t_first_run_speeds),
		FX(t_first_run_batches_teach_nothing),
		FX(t_hint_and_fifo),
		FX(t_fanout_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
