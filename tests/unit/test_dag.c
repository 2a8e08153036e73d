/* Platforms, the job DAG and the scheduling policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sched/dag.h"
#include "sched/platform.h"
#include "sched/policy.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* A fresh policy over the DAG as it stands, for one decision. */
static ssize_t pick(struct dag *d, int node, enum policy_mode mode,
		    int affine_only)
{
	struct policy p;
	policy_init(&p, d, mode);
	ssize_t r = policy_pick(&p, node, affine_only);
	policy_release(&p);
	d->on_ready = NULL;
	return r;
}

static void assert_norm(const char *in, const char *want)
{
	char *got = platform_normalize(in);
	if (!want) {
		if (got)
			fail_msg("platform_normalize(\"%s\") = \"%s\", want NULL",
				 in, got);
		return;
	}
	if (!got)
		fail_msg("platform_normalize(\"%s\") = NULL, want \"%s\"", in, want);
	assert_string_equal(got, want);
	free(got);
}

static void t_platform_normalize(void **state)
{
	(void)state;
	assert_norm("linux/amd64", "linux/amd64");
	assert_norm("linux/arm64/v8", "linux/arm64");
	assert_norm("linux/amd64/v1", "linux/amd64");
	assert_norm("linux/amd64/v2", "linux/amd64/v2");
	assert_norm("linux/amd64/v3", "linux/amd64/v3");
	assert_norm("linux/arm", "linux/arm/v7");
	assert_norm("linux/arm/v6", "linux/arm/v6");
	assert_norm("linux/arm/v7", "linux/arm/v7");
	assert_norm("linux/arm64/v9", "linux/arm64/v9");
	assert_norm("linux/aarch64", "linux/arm64");
	assert_norm("linux/x86_64", "linux/amd64");
	assert_norm("linux/386", "linux/386");
	assert_norm("linux/riscv64", "linux/riscv64");
	assert_norm("linux/ppc64le", "linux/ppc64le");
	assert_norm("windows/amd64", "windows/amd64");
	/* pinned mark and spaces, as inspect prints them */
	assert_norm("linux/amd64*", "linux/amd64");
	assert_norm(" linux/arm64/v8* ", "linux/arm64");
	assert_norm("\tlinux/386 \n", "linux/386");
	assert_norm("linux/amd64 *", "linux/amd64");
	/* case */
	assert_norm("LINUX/AMD64", "linux/amd64");
	assert_norm("Linux/ARM/V6", "linux/arm/v6");
	assert_norm("linux/ARM", "linux/arm/v7");
	/* garbage */
	assert_norm("", NULL);
	assert_norm("   ", NULL);
	assert_norm("*", NULL);
	assert_norm("linux", NULL);
	assert_norm("a/b/c/d", NULL);
	assert_norm("linux/", NULL);
	assert_norm("/amd64", NULL);
	assert_norm("linux//amd64", NULL);
	assert_norm("linux/amd 64", NULL);
	assert_norm("linux/amd64*x", NULL);
	assert_norm("linux/amd64,linux/arm64", NULL);
	assert_norm("linux/am$d64", NULL);
	assert_norm("linux/\xc3\xa4md64", NULL);
}

static void t_platform_match(void **state)
{
	(void)state;
	assert_true(platform_match("linux/amd64", "linux/amd64"));
	/* one side without a variant matches any variant */
	assert_true(platform_match("linux/amd64/v2", "linux/amd64"));
	assert_true(platform_match("linux/amd64", "linux/amd64/v3"));
	assert_true(platform_match("linux/arm/v7", "linux/arm/v7"));
	/* both name one: they must be equal */
	assert_false(platform_match("linux/arm/v6", "linux/arm/v7"));
	assert_false(platform_match("linux/arm/v7", "linux/arm/v6"));
	assert_false(platform_match("linux/amd64/v2", "linux/amd64/v3"));
	/* os and arch must be equal */
	assert_false(platform_match("linux/arm64", "linux/amd64"));
	assert_false(platform_match("linux/arm64", "linux/arm"));
	assert_false(platform_match("linux/arm", "linux/arm64"));
	assert_false(platform_match("windows/amd64", "linux/amd64"));
	assert_false(platform_match("linux/amd", "linux/amd64"));

	char longp[300];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	longp[5] = '/';
	assert_false(platform_match(longp, longp));

	struct strvec offers = STRVEC_INIT;
	assert_false(platform_offered("linux/amd64", &offers));
	strvec_push(&offers, "linux/arm64");
	strvec_push(&offers, "linux/arm/v7");
	assert_true(platform_offered("linux/arm64", &offers));
	assert_true(platform_offered("linux/arm/v7", &offers));
	assert_false(platform_offered("linux/arm/v6", &offers));
	assert_false(platform_offered("linux/amd64", &offers));
	strvec_clear(&offers);
}

/*
 * Two nodes as BuildKit lists them: an amd64 host that also advertises
 * what its emulators run, and an arm64 host. `native` is what each builds
 * without emulation (what nodes_filter_usable derives).
 */
struct world {
	struct strvec amd, amd_native, arm, arm_native;
	struct strvec none, only_arm64, only_amd64, both, s390x, riscv, armv7;
	struct node_offer nodes[2];
	struct dag dag;
};

static struct strvec *vec(struct strvec *sv, const char *a, const char *b)
{
	strvec_init(sv);
	if (a)
		strvec_push(sv, a);
	if (b)
		strvec_push(sv, b);
	return sv;
}

static int world_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	vec(&w->amd, "linux/amd64", "linux/386");
	strvec_push(&w->amd, "linux/arm64");
	strvec_push(&w->amd, "linux/arm/v7");
	strvec_push(&w->amd, "linux/riscv64");
	vec(&w->amd_native, "linux/amd64", "linux/386");
	vec(&w->arm, "linux/arm64", "linux/arm/v7");
	vec(&w->arm_native, "linux/arm64", NULL);
	vec(&w->none, NULL, NULL);
	vec(&w->only_arm64, "linux/arm64", NULL);
	vec(&w->only_amd64, "linux/amd64/v2", NULL);
	vec(&w->both, "linux/amd64", "linux/arm64");
	vec(&w->s390x, "linux/s390x", NULL);
	vec(&w->riscv, "linux/riscv64", NULL);
	vec(&w->armv7, "linux/arm/v7", NULL);
	w->nodes[0] = (struct node_offer){ "amd-node", &w->amd_native, &w->amd };
	w->nodes[1] = (struct node_offer){ "arm-node", &w->arm_native, &w->arm };
	w->dag = (struct dag)DAG_INIT;
	*state = w;
	return 0;
}

static int world_teardown(void **state)
{
	struct world *w = *state;
	dag_release(&w->dag);
	struct strvec *all[] = { &w->amd, &w->amd_native, &w->arm,
				 &w->arm_native, &w->none, &w->only_arm64,
				 &w->only_amd64, &w->both, &w->s390x,
				 &w->riscv, &w->armv7 };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		strvec_clear(all[i]);
	free(w);
	return 0;
}

static void count_cb(size_t job, void *data)
{
	(void)job;
	(*(int *)data)++;
}

static void t_dag_readiness(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t x = dag_add(d, "x", &w->none);
	assert_int_equal(a, 0);
	assert_int_equal(x, 3);
	dag_add_edge(d, b, a);
	dag_add_edge(d, c, a);
	dag_add_edge(d, c, b);
	dag_add_edge(d, c, b); /* duplicate edges count once */
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	assert_int_equal(d->nodes, 2);
	assert_int_equal(d->left, 4);
	assert_int_equal(d->jobs[a].state, JOB_READY);
	assert_int_equal(d->jobs[x].state, JOB_READY);
	assert_int_equal(d->jobs[b].state, JOB_PENDING);
	assert_int_equal(d->jobs[c].state, JOB_PENDING);
	assert_int_equal(d->jobs[c].ndeps, 2);
	assert_int_equal(d->jobs[c].waiting, 2);
	assert_int_equal(d->jobs[a].ndependents, 2);
	/* no platforms: the node's own, so every node fits */
	for (size_t i = 0; i < d->nr; i++) {
		assert_true(d->jobs[i].fits[0]);
		assert_true(d->jobs[i].fits[1]);
		assert_int_equal(d->jobs[i].node, -1);
	}

	dag_start(d, a, 1, 100);
	assert_int_equal(d->jobs[a].state, JOB_RUNNING);
	assert_int_equal(d->jobs[a].node, 1);
	assert_int_equal(d->jobs[a].attempts, 1);
	assert_int_equal(d->jobs[a].start_ms, 100);
	assert_int_equal(d->jobs[b].state, JOB_PENDING);
	dag_done(d, a, 250);
	assert_int_equal(d->jobs[a].state, JOB_DONE);
	assert_int_equal(d->jobs[a].end_ms, 250);
	assert_int_equal(d->left, 3);
	/* b waited for a only; c still waits for b */
	assert_int_equal(d->jobs[b].state, JOB_READY);
	assert_int_equal(d->jobs[c].state, JOB_PENDING);
	assert_int_equal(d->jobs[c].waiting, 1);

	dag_start(d, b, 0, 300);
	dag_done(d, b, 400);
	assert_int_equal(d->jobs[c].state, JOB_READY);
	assert_int_equal(d->jobs[c].waiting, 0);
	assert_true(dag_affine(d, c, 0));
	assert_true(dag_affine(d, c, 1));
	assert_false(dag_affine(d, x, 0));
	dag_start(d, c, 0, 500);
	dag_done(d, c, 600);
	dag_start(d, x, 1, 500);
	dag_done(d, x, 700);
	assert_int_equal(d->left, 0);
}

/* A job started in one bake with its dependencies, then requeued. */
static void t_dag_start_with_deps(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	dag_add_edge(d, b, a);
	dag_add_edge(d, c, b);
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	dag_start_with_deps(d, a, 0, 10);
	dag_start_with_deps(d, b, 0, 10);
	dag_start_with_deps(d, c, 0, 10);
	assert_int_equal(d->jobs[c].state, JOB_RUNNING);
	assert_int_equal(d->jobs[c].waiting, 1);
	/* the batch failed: each alone, in order again */
	dag_requeue(d, a);
	dag_requeue(d, b);
	dag_requeue(d, c);
	assert_int_equal(d->jobs[a].state, JOB_READY);
	assert_int_equal(d->jobs[b].state, JOB_PENDING);
	assert_int_equal(d->jobs[c].state, JOB_PENDING);
	/* together again, and done in order: nothing becomes ready twice */
	dag_start_with_deps(d, a, 1, 20);
	dag_start_with_deps(d, b, 1, 20);
	dag_done(d, a, 30);
	assert_int_equal(d->jobs[b].state, JOB_RUNNING);
	assert_int_equal(d->jobs[b].waiting, 0);
	dag_done(d, b, 30);
	assert_int_equal(d->jobs[c].state, JOB_READY);
	dag_start_with_deps(d, c, 1, 40);
	dag_done(d, c, 50);
	assert_int_equal(d->left, 0);
}

static void t_dag_fail_skips(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	/* a <- b <- c, a <- e, b and f <- g; h alone */
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t e = dag_add(d, "e", &w->none);
	size_t f = dag_add(d, "f", &w->none);
	size_t g = dag_add(d, "g", &w->none);
	size_t h = dag_add(d, "h", &w->none);
	dag_add_edge(d, b, a);
	dag_add_edge(d, c, b);
	dag_add_edge(d, e, a);
	dag_add_edge(d, g, b);
	dag_add_edge(d, g, f);
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	assert_int_equal(d->jobs[a].blocked_by, (size_t)-1);

	dag_start(d, a, 0, 10);
	dag_start(d, f, 1, 10);
	int skipped = 0;
	dag_fail(d, a, 20, count_cb, &skipped);
	assert_int_equal(d->jobs[a].state, JOB_FAILED);
	assert_int_equal(d->jobs[a].end_ms, 20);
	assert_int_equal(skipped, 4);
	const size_t sk[] = { b, c, e, g };
	for (size_t i = 0; i < ARRAY_SIZE(sk); i++) {
		assert_int_equal(d->jobs[sk[i]].state, JOB_SKIPPED);
		assert_int_equal(d->jobs[sk[i]].blocked_by, a);
		assert_int_equal(d->jobs[sk[i]].end_ms, 20);
	}
	assert_int_equal(d->jobs[f].state, JOB_RUNNING);
	assert_int_equal(d->jobs[h].state, JOB_READY);
	assert_int_equal(d->left, 7 - 5);

	/* g is already skipped: f finishing does not revive it */
	dag_done(d, f, 30);
	assert_int_equal(d->jobs[g].state, JOB_SKIPPED);
	assert_int_equal(d->left, 1);
	/* no callback is fine */
	dag_start(d, h, 0, 40);
	dag_fail(d, h, 50, NULL, NULL);
	assert_int_equal(d->left, 0);
}

static void t_dag_fail_diamond(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t top = dag_add(d, "top", &w->none);
	dag_add_edge(d, b, a);
	dag_add_edge(d, c, a);
	dag_add_edge(d, top, b);
	dag_add_edge(d, top, c);
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	dag_start(d, a, 0, 0);
	int skipped = 0;
	dag_fail(d, a, 1, count_cb, &skipped);
	assert_int_equal(skipped, 3); /* top once */
	assert_int_equal(d->jobs[top].state, JOB_SKIPPED);
	assert_int_equal(d->jobs[top].blocked_by, a);
	assert_int_equal(d->left, 0);
}

static void t_dag_cancel_rest(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t done = dag_add(d, "done", &w->none);
	dag_add_edge(d, b, a);
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	dag_start(d, done, 0, 0);
	dag_done(d, done, 1);
	dag_start(d, a, 1, 2);
	int cancelled = 0;
	dag_cancel_rest(d, 5, count_cb, &cancelled);
	assert_int_equal(cancelled, 2);
	assert_int_equal(d->jobs[a].state, JOB_RUNNING);
	assert_int_equal(d->jobs[b].state, JOB_CANCELLED);
	assert_int_equal(d->jobs[c].state, JOB_CANCELLED);
	assert_int_equal(d->jobs[c].end_ms, 5);
	assert_int_equal(d->jobs[done].state, JOB_DONE);
	assert_int_equal(d->left, 1);
	/* nothing left to pick */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), -1);
	/* then the running one is stopped */
	dag_cancel(d, a, 6);
	assert_int_equal(d->jobs[a].state, JOB_CANCELLED);
	assert_int_equal(d->left, 0);
	/* again: nothing more */
	cancelled = 0;
	dag_cancel_rest(d, 7, count_cb, &cancelled);
	assert_int_equal(cancelled, 0);
	assert_int_equal(d->left, 0);
}

static void t_dag_cycle(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	dag_add_edge(d, a, b);
	dag_add_edge(d, b, a);
	assert_int_equal(dag_prepare(d, w->nodes, 2), -1);
	struct strbuf sb = STRBUF_INIT;
	assert_true(dag_find_cycle(d, &sb));
	assert_string_equal(sb.buf, "a -> b -> a");
	strbuf_release(&sb);
}

static void t_dag_cycle_with_tail(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t x = dag_add(d, "x", &w->none);
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t ok = dag_add(d, "ok", &w->none);
	dag_add_edge(d, x, a);
	dag_add_edge(d, a, b);
	dag_add_edge(d, b, c);
	dag_add_edge(d, c, a);
	dag_add_edge(d, ok, x);
	assert_int_equal(dag_prepare(d, w->nodes, 2), -1);
	struct strbuf sb = STRBUF_INIT;
	assert_true(dag_find_cycle(d, &sb));
	/* the cycle only, not the path that led to it */
	assert_string_equal(sb.buf, "a -> b -> c -> a");
	strbuf_release(&sb);
}

static void t_dag_self_cycle_and_none(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	dag_add_edge(d, b, a);
	struct strbuf sb = STRBUF_INIT;
	assert_false(dag_find_cycle(d, &sb));
	assert_int_equal(sb.len, 0);
	dag_add_edge(d, a, a);
	assert_true(dag_find_cycle(d, &sb));
	assert_string_equal(sb.buf, "a -> a");
	strbuf_release(&sb);
	assert_int_equal(dag_prepare(d, w->nodes, 2), -1);
}

static void t_dag_platform_fits(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t arm = dag_add(d, "arm-only", &w->only_arm64);
	size_t amd = dag_add(d, "amd-v2", &w->only_amd64);
	size_t any = dag_add(d, "any", &w->none);
	size_t riscv = dag_add(d, "riscv", &w->riscv);
	size_t armv7 = dag_add(d, "armv7", &w->armv7);
	size_t both = dag_add(d, "both", &w->both);
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	/* the amd64 node advertises arm64 (emulation): the arm64 node builds
	 * it natively, so only that one fits */
	assert_false(d->jobs[arm].fits[0]);
	assert_true(d->jobs[arm].fits[1]);
	/* amd64/v2 matches a node offering plain amd64 */
	assert_true(d->jobs[amd].fits[0]);
	assert_false(d->jobs[amd].fits[1]);
	/* no platform: the node's own, anywhere */
	assert_true(d->jobs[any].fits[0]);
	assert_true(d->jobs[any].fits[1]);
	/* nobody builds it natively: whoever advertises it */
	assert_true(d->jobs[riscv].fits[0]);
	assert_false(d->jobs[riscv].fits[1]);
	assert_true(d->jobs[armv7].fits[0]);
	assert_true(d->jobs[armv7].fits[1]);
	/* all platforms of a job on one node */
	assert_true(d->jobs[both].fits[0]);
	assert_false(d->jobs[both].fits[1]);
	/* emulation is known, for the plan to say */
	assert_false(d->jobs[arm].emulated);
	assert_false(d->jobs[amd].emulated);
	assert_false(d->jobs[any].emulated);
	assert_true(d->jobs[riscv].emulated);
	assert_true(d->jobs[armv7].emulated);
	assert_true(d->jobs[both].emulated);

	/* and the policy follows fits */
	d->jobs[arm].estimate = 100;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	for (int i = 0; i < 6; i++) {
		ssize_t j = pick(d, 0, POLICY_MODE_DEFAULT, 0);
		assert_true(j >= 0);
		assert_int_not_equal(j, arm);
		dag_start(d, (size_t)j, 0, 0);
		if (pick(d, 0, POLICY_MODE_DEFAULT, 0) < 0)
			break;
	}
	assert_int_equal(d->jobs[arm].state, JOB_READY);
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), arm);
}

static void t_dag_no_node_fits(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	dag_add(d, "ok", &w->only_arm64);
	dag_add(d, "mainframe", &w->s390x);
	assert_int_equal(dag_prepare(d, w->nodes, 2), -1);
}

static void t_dag_multi_platform_needs_one_node(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	/* amd64 and arm64 in one build: no single node offers both */
	struct strvec amd = STRVEC_INIT, arm = STRVEC_INIT, big = STRVEC_INIT;
	strvec_push(&amd, "linux/amd64");
	strvec_push(&arm, "linux/arm64");
	strvec_push(&big, "linux/amd64");
	strvec_push(&big, "linux/arm64");
	strvec_push(&big, "linux/arm/v7");
	struct node_offer two[2] = { { "a", &amd, &amd }, { "b", &arm, &arm } };
	dag_add(d, "multi", &w->both);
	assert_int_equal(dag_prepare(d, two, 2), -1);

	/* a third node with both (emulation) can */
	struct node_offer three[3] = { two[0], two[1], { "big", &amd, &big } };
	assert_int_equal(dag_prepare(d, three, 3), 0);
	assert_false(d->jobs[0].fits[0]);
	assert_false(d->jobs[0].fits[1]);
	assert_true(d->jobs[0].fits[2]);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), -1);
	assert_int_equal(pick(d, 2, POLICY_MODE_DEFAULT, 0), 0);
	strvec_clear(&amd);
	strvec_clear(&arm);
	strvec_clear(&big);
}

static void t_dag_ranks(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	/* chain: c needs b needs a; diamond top needs a (directly) too */
	size_t a = dag_add(d, "a", &w->none);
	size_t b = dag_add(d, "b", &w->none);
	size_t c = dag_add(d, "c", &w->none);
	size_t solo = dag_add(d, "solo", &w->none);
	size_t top = dag_add(d, "top", &w->none);
	dag_add_edge(d, b, a);
	dag_add_edge(d, c, b);
	dag_add_edge(d, top, a);
	d->jobs[top].estimate = 0.5;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	assert_true(d->jobs[c].rank == 1.0);
	assert_true(d->jobs[b].rank == 2.0);
	assert_true(d->jobs[a].rank == 3.0); /* longest chain after it */
	assert_true(d->jobs[solo].rank == 1.0);
	assert_true(d->jobs[top].rank == 0.5);

	/* longest chain first */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), a);
	/* a long job alone outranks the chain */
	d->jobs[solo].estimate = 10;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	assert_true(d->jobs[solo].rank == 10.0);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), solo);
	assert_int_equal(pick(d, 0, POLICY_MODE_FIFO, 0), a);
}

static void t_policy_default(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t zeta = dag_add(d, "zeta", &w->none);
	size_t alpha = dag_add(d, "alpha", &w->none);
	size_t beta = dag_add(d, "beta", &w->none);
	size_t armjob = dag_add(d, "armjob", &w->only_arm64);
	size_t after = dag_add(d, "after", &w->none);
	dag_add_edge(d, after, zeta);
	d->jobs[armjob].estimate = 100;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);

	/* the arm64-only job, however long, never goes to the amd64 node */
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), armjob);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), zeta);
	dag_start(d, armjob, 1, 0);
	/* rank first: zeta has a chain behind it */
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), zeta);
	dag_start(d, zeta, 0, 0);
	/* equal ranks: by name */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), alpha);
	dag_start(d, alpha, 0, 0);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), beta);
	dag_start(d, beta, 0, 0);
	/* pending and running jobs are not picked */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), -1);
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), -1);
	dag_done(d, zeta, 1);
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), after);
}

static void t_policy_affine_only(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t base = dag_add(d, "base", &w->none);
	size_t app = dag_add(d, "app", &w->none);
	size_t other = dag_add(d, "other", &w->none);
	size_t armapp = dag_add(d, "armapp", &w->only_arm64);
	dag_add_edge(d, app, base);
	dag_add_edge(d, armapp, base);
	d->jobs[other].estimate = 50;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);
	/* nothing has run yet: no job is affine to any node */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 1), -1);
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 1), -1);

	dag_start(d, base, 0, 0);
	dag_done(d, base, 1);
	assert_true(dag_affine(d, app, 0));
	assert_false(dag_affine(d, app, 1));
	assert_false(dag_affine(d, other, 0));
	/* base's layers are on node 0: app goes there, not 'other' */
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 1), app);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), other);
	/* armapp is affine to node 0 but does not fit it */
	dag_start(d, app, 0, 2);
	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 1), -1);
	/* node 1 ran nothing: no affine job there */
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 1), -1);
	assert_int_equal(pick(d, 1, POLICY_MODE_DEFAULT, 0), other);
	assert_int_equal(pick(d, 1, POLICY_MODE_FIFO, 0), armapp);
}

static void t_policy_fifo(void **state)
{
	struct world *w = *state;
	struct dag *d = &w->dag;
	size_t zz = dag_add(d, "zz-long", &w->none);
	size_t mm = dag_add(d, "mm", &w->none);
	size_t aa = dag_add(d, "aa", &w->only_arm64);
	size_t bb = dag_add(d, "bb", &w->none);
	size_t chain = dag_add(d, "chain", &w->none);
	dag_add_edge(d, chain, zz);
	d->jobs[zz].estimate = 99;
	d->jobs[mm].estimate = 50;
	assert_int_equal(dag_prepare(d, w->nodes, 2), 0);

	assert_int_equal(pick(d, 0, POLICY_MODE_DEFAULT, 0), zz);
	/* alphabetical, whatever the ranks, among those that fit */
	assert_int_equal(pick(d, 0, POLICY_MODE_FIFO, 0), bb);
	assert_int_equal(pick(d, 1, POLICY_MODE_FIFO, 0), aa);
	dag_start(d, aa, 1, 0);
	assert_int_equal(pick(d, 1, POLICY_MODE_FIFO, 0), bb);
	dag_start(d, bb, 1, 0);
	assert_int_equal(pick(d, 1, POLICY_MODE_FIFO, 0), mm);
	dag_start(d, mm, 1, 0);
	assert_int_equal(pick(d, 1, POLICY_MODE_FIFO, 0), zz);
	(void)chain;
}

#define WT(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_platform_normalize),
		cmocka_unit_test(t_platform_match),
		WT(t_dag_readiness),
		WT(t_dag_start_with_deps),
		WT(t_dag_fail_skips),
		WT(t_dag_fail_diamond),
		WT(t_dag_cancel_rest),
		WT(t_dag_cycle),
		WT(t_dag_cycle_with_tail),
		WT(t_dag_self_cycle_and_none),
		WT(t_dag_platform_fits),
		WT(t_dag_no_node_fits),
		WT(t_dag_multi_platform_needs_one_node),
		WT(t_dag_ranks),
		WT(t_policy_default),
		WT(t_policy_affine_only),
		WT(t_policy_fifo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
