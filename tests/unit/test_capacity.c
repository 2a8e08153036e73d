/* Learning a node's capacity: the sequences that once collapsed it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testlib.h"
#include "sched/capacity.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_interrupted_run),
		cmocka_unit_test(t_mostly_cached),
		cmocka_unit_test(t_trivial_targets),
		cmocka_unit_test(t_learns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
