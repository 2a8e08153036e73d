/* Learning a node's capacity: the sequences that once collapsed it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testlib.h"
#include "sched/capacity.h"
#include "sched/sched.h"
#include "sched/sim.h"

#include <string.h>

/* Feed `steps[i]` at 250 ms ticks from t = 1000. */
static void replay(struct capacity_seen *c, const int *steps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		capacity_sample(c, steps[i], 1000 + 250 * (long long)i);
}

/* Ctrl+C 0.9 s into a run of 12 x 4 s builds on a node of capacity 4:
 * the steps had not held yet; the run teaches nothing. */
static void t_interrupted_run(void **state)
{
	(void)state;
	struct capacity_seen c;
	memset(&c, 0, sizeof(c));
	const int steps[] = { 0, 1, 2, 4 }; /* 0.75 s: four just started */
	replay(&c, steps, 4);
	assert_true(c.steps_max < 4);
	assert_int_equal(capacity_learn(4, &c, 1), 4);
	/* and even had they held, a stopped run says nothing */
	const int held[] = { 4, 4, 4, 4 };
	replay(&c, held, 4);
	assert_int_equal(capacity_learn(3, &c, 1), 3);
}

/* 3 of 12 targets changed, the rest cached: cached builds run no step,
 * the node runs one changed build at a time; it is not lowered. */
static void t_mostly_cached(void **state)
{
	(void)state;
	struct capacity_seen c;
	memset(&c, 0, sizeof(c));
	const int steps[] = { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0 };
	replay(&c, steps, sizeof(steps) / sizeof(*steps));
	assert_int_equal(c.steps_max, 1);
	assert_int_equal(capacity_learn(4, &c, 0), 4);
}

/* 200 trivial targets: steps flicker, none holds; nothing is lowered. */
static void t_trivial_targets(void **state)
{
	(void)state;
	struct capacity_seen c;
	memset(&c, 0, sizeof(c));
	int steps[200];
	for (int i = 0; i < 200; i++)
		steps[i] = i % 3 == 0 ? 2 : i % 3 == 1 ? 0 : 1;
	replay(&c, steps, 200);
	assert_true(c.steps_max <= 1);
	assert_int_equal(capacity_learn(4, &c, 0), 4);
}

/* What raises and lowers it: more steps held; a build that waited. */
static void t_learns(void **state)
{
	(void)state;
	struct capacity_seen c;
	memset(&c, 0, sizeof(c));
	const int three[] = { 1, 2, 3, 3, 3, 3, 2 };
	replay(&c, three, 7);
	assert_int_equal(c.steps_max, 3);
	assert_int_equal(capacity_learn(0, &c, 0), 3); /* first run */
	assert_int_equal(capacity_learn(2, &c, 0), 3); /* raised */
	assert_int_equal(capacity_learn(3, &c, 0), 3);
	/* a node found full at 3 while 5 were remembered: one down */
	c.seen_full = 1;
	assert_int_equal(capacity_learn(5, &c, 0), 4);
	assert_int_equal(capacity_learn(4, &c, 0), 3);
	assert_int_equal(capacity_learn(3, &c, 0), 3);
	/* nothing seen at all */
	memset(&c, 0, sizeof(c));
	assert_int_equal(capacity_learn(2, &c, 0), 2);
	assert_int_equal(capacity_learn(0, &c, 0), 0);
}

/*
 * A node that ran as many steps as it had places, and no build waited,
 * may run more: a floor, not a capacity (a capacity would give it one
 * place more a run). Seen full, a capacity again; a run with less work
 * than its places teaches what it did before.
 */
static void t_floor(void **state)
{
	(void)state;
	struct capacity_seen c;
	memset(&c, 0, sizeof(c));
	const int four[] = { 4, 4, 4, 4, 4 };
	replay(&c, four, 5);
	assert_int_equal(c.steps_max, 4);
	static const struct {
		int full, cap, floor, slots, stopped, want_cap, want_floor;
	} cases[] = {
		/* a first run's four places, all used, none waited: a floor */
		{ 0, 0, 0, 4, 0, 0, 4 },
		/* a capacity of 3 remembered, four run at once: a floor */
		{ 0, 3, 0, 4, 0, 0, 4 },
		/* a floor never falls while no build waits */
		{ 0, 0, 6, 12, 0, 0, 6 },
		/* --slots 4 on a node of a known 8: its capacity stays */
		{ 0, 8, 0, 4, 0, 8, 0 },
		/* fewer steps than places, no build waited: a floor (light
		 * steps show few at once, whatever the node) */
		{ 0, 0, 0, 5, 0, 0, 4 },
		/* ...but a capacity known stays, and a higher count raises it */
		{ 0, 6, 0, 7, 0, 6, 0 },
		{ 0, 2, 0, 8, 0, 4, 0 },
		/* seen full at 4, with a floor of 4 or nothing: a capacity */
		{ 1, 0, 4, 8, 0, 4, 0 },
		{ 1, 0, 0, 4, 0, 4, 0 },
		/* a stopped run teaches nothing */
		{ 1, 0, 2, 4, 1, 0, 2 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		c.seen_full = cases[i].full;
		struct capacity_known k = capacity_remember(
			(struct capacity_known){ cases[i].cap, cases[i].floor },
			&c, cases[i].slots, cases[i].stopped);
		assert_int_equal(k.capacity, cases[i].want_cap);
		assert_int_equal(k.floor, cases[i].want_floor);
	}
}

/* Places a run gives each node: its capacity and one, else twice its
 * floor (at least the default, at most FLOOR_SLOTS_MAX), else the
 * default; --slots and fifo as before. */
static void t_floor_slots(void **state)
{
	(void)state;
	struct sim_workload w = SIM_WORKLOAD_INIT;
	sim_workload_init(&w, 5);
	sim_add_job(&w, NULL, 1, -1);
	struct dag dag = DAG_INIT;
	sim_build_dag(&w, &dag);
	const int cap[5] = { 0, 0, 3, 0, 0 }, floor[5] = { 0, 4, 4, 40, 1 };
	const int want[5] = { DEFAULT_SLOTS, 8, 4, FLOOR_SLOTS_MAX,
			      DEFAULT_SLOTS };
	struct sched sc;
	sched_init(&sc, &dag, 5, cap, floor, NULL, 0, POLICY_MODE_DEFAULT);
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(sc.stats[n].slots, want[n]);
	sched_release(&sc);
	sched_init(&sc, &dag, 5, cap, floor, NULL, 2, POLICY_MODE_DEFAULT);
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(sc.stats[n].slots, 2); /* --slots 2 */
	sched_release(&sc);
	sched_init(&sc, &dag, 5, cap, floor, NULL, 0, POLICY_MODE_FIFO);
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(sc.stats[n].slots, 1);
	sched_release(&sc);
	dag_release(&dag);
	sim_workload_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_interrupted_run),
		cmocka_unit_test(t_mostly_cached),
		cmocka_unit_test(t_trivial_targets),
		cmocka_unit_test(t_learns),
		cmocka_unit_test(t_floor),
		cmocka_unit_test(t_floor_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
