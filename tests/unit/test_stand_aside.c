/*
 * A first run gives a node of unknown capacity more builds than it
 * runs; the node runs them first come, first served. A build waiting
 * there ranked a job's worth of chain below one that would wait behind
 * it, or below a job ready that no open slot takes, stands aside
 * (sched.c: stand_aside): stopped before it started, its job ready
 * again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"
#include "testlib.h"

enum { P, Q, R, L0, L1, L2, NJOBS };
#define T0 1000000LL

/* What the scheduler asked: launches (slot, first job) and stops. */
struct seen {
	size_t nlaunch, nstop;
	struct sched_slot *launched[16], *stopped[16];
	size_t first[16];
};

static int op_launch(void *owner, struct sched_slot *s, long long now)
{
	struct seen *w = owner;
	(void)now;
	assert_true(w->nlaunch < 16);
	s->live = 1;
	w->launched[w->nlaunch] = s;
	w->first[w->nlaunch++] = s->jobs[0];
	return 0;
}

static int op_moving(void *owner, struct sched_slot *from,
		     struct sched_slot *to)
{
	struct seen *w = owner;
	assert_null(to); /* one node: nowhere to move to */
	assert_true(w->nstop < 16);
	w->stopped[w->nstop++] = from;
	return 0;
}

static const struct sched_ops ops = { op_launch, op_moving };

/* p -> q -> r (ranks 3, 2, 1) and l0..l2 (rank 1), on one node of
 * unknown capacity. */
static void make(struct dag *dag, struct sched *sc)
{
	static const char *const names[NJOBS] = { "p", "q", "r", "l0", "l1",
						  "l2" };
	struct strvec none = STRVEC_INIT;
	int cap = 0;
	*dag = (struct dag)DAG_INIT;
	for (size_t i = 0; i < NJOBS; i++)
		dag_add(dag, names[i], &none);
	dag_add_edge(dag, Q, P);
	dag_add_edge(dag, R, Q);
	struct node_offer offers[1] = { { "n0", &none, &none } };
	assert_int_equal(dag_prepare(dag, offers, 1), 0);
	sched_init(sc, dag, 1, &cap, NULL, NULL, 0, POLICY_MODE_DEFAULT);
	sc->launch_gap_ms = 0;
}

static struct sched_slot *slot_of(struct sched *sc, size_t job)
{
	for (size_t i = 0; i < sc->nslots; i++)
		for (size_t k = 0; k < sc->slots[i].njobs; k++)
			if (sc->slots[i].jobs[k] == job)
				return &sc->slots[i];
	return NULL;
}

/* Job `job`'s build shows steps (n seen, done of them), none cached. */
static void steps(struct sched *sc, size_t job, int n, int done, long long t)
{
	sched_job_steps(&sc->jobs[job], n, done, t);
	sc->jobs[job].begun = n > 0;
}

/* Job `job`'s bake ended: built. */
static void ended(struct sched *sc, struct dag *dag, size_t job, long long t)
{
	struct sched_slot *s = slot_of(sc, job);
	assert_non_null(s);
	s->live = 0;
	sched_ended(sc, s, t);
	s->njobs = 0;
	dag_done(dag, job, t);
}

/* p, l0, l1, l2 launched at T0 (the first wave, by rank); p runs, the
 * others wait; the node is seen to run one step at a time. */
static void first_wave(struct sched *sc, struct seen *w)
{
	sched_fill(sc, &ops, w, T0);
	assert_int_equal(w->nlaunch, 4);
	assert_int_equal(w->first[0], P);
	steps(sc, P, 1, 0, T0 + 300);
	for (long long t = T0 + 300; t <= T0 + 900; t += 100)
		sched_observe(sc, t);
}

/* q becomes ready when p ends: no slot open takes it (the node is
 * full), so the first build waiting there (l0 started instead of
 * waiting: l1) stands aside and q takes p's slot. */
static void t_ready_one_waits(void **state)
{
	(void)state;
	struct dag dag;
	struct sched sc;
	struct seen w = { 0 };
	make(&dag, &sc);
	first_wave(&sc, &w);
	ended(&sc, &dag, P, T0 + 1000);
	steps(&sc, L0, 1, 0, T0 + 1100);
	sched_observe(&sc, T0 + 1500);
	sched_fill(&sc, &ops, &w, T0 + 1500);
	assert_int_equal(w.nstop, 1);
	assert_int_equal(w.nlaunch, 5);
	assert_int_equal(w.first[4], Q);
	assert_int_equal(dag.jobs[L1].state + dag.jobs[L2].state,
			 JOB_READY + JOB_RUNNING);
	size_t back = dag.jobs[L1].state == JOB_READY ? L1 : L2;
	assert_true(sc.jobs[back].stood_aside);
	/* q waits behind the other: it stands aside in turn, once q has
	 * waited as long; r (rank 1) makes nothing stand aside */
	sched_fill(&sc, &ops, &w, T0 + 1800);
	assert_int_equal(w.nstop, 1);
	sched_fill(&sc, &ops, &w, T0 + 2300);
	assert_int_equal(w.nstop, 2);
	assert_int_equal(dag.jobs[L1].state, JOB_READY);
	assert_int_equal(dag.jobs[L2].state, JOB_READY);
	assert_int_equal(w.nlaunch, 5);
	sched_release(&sc);
	dag_release(&dag);
}

/* q was launched behind l1 and l2, before the node showed it full: both
 * stand aside for it; l0, running, does not. */
static void t_waiting_behind(void **state)
{
	(void)state;
	struct dag dag;
	struct sched sc;
	struct seen w = { 0 };
	make(&dag, &sc);
	sched_fill(&sc, &ops, &w, T0);
	steps(&sc, P, 1, 0, T0 + 100);
	ended(&sc, &dag, P, T0 + 300);
	steps(&sc, L0, 1, 0, T0 + 350);
	sched_fill(&sc, &ops, &w, T0 + 400);
	assert_int_equal(w.nlaunch, 5);
	assert_int_equal(w.first[4], Q);
	assert_int_equal(w.nstop, 0);
	for (long long t = T0 + 400; t <= T0 + 1200; t += 100)
		sched_observe(&sc, t);
	sched_fill(&sc, &ops, &w, T0 + 1200);
	assert_int_equal(w.nstop, 2);
	assert_int_equal(dag.jobs[L1].state, JOB_READY);
	assert_int_equal(dag.jobs[L2].state, JOB_READY);
	assert_int_equal(dag.jobs[Q].state, JOB_RUNNING);
	assert_int_equal(dag.jobs[L0].state, JOB_RUNNING);
	/* their bakes gone, l0 and q built: l1, launched again (the
	 * node runs one build at a time), remembers it stood aside */
	for (size_t k = 0; k < w.nstop; k++) {
		w.stopped[k]->live = 0;
		sched_ended(&sc, w.stopped[k], T0 + 1300);
	}
	ended(&sc, &dag, L0, T0 + 1400);
	ended(&sc, &dag, Q, T0 + 1500);
	sched_fill(&sc, &ops, &w, T0 + 1500);
	assert_int_equal(dag.jobs[L1].state, JOB_RUNNING);
	assert_true(sc.jobs[L1].stood_aside);
	sched_release(&sc);
	dag_release(&dag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ready_one_waits),
		cmocka_unit_test(t_waiting_behind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
