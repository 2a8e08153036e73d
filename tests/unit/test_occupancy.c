#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sched/sched.h"
#include "testlib.h"
#include "util/util.h"

/*
 * A run of two nodes for occupancy's decisions: node 0 of capacity 3,
 * node 1 of capacity 1; jobs 0-4 run (one per slot, as placed by the
 * test), job 5 is the one to place. Durations as given, all known.
 */
struct fixture {
	struct sched sc;
	struct dag dag;
	struct sched_job sjobs[6];
	struct node_stats stats[2];
	struct sched_slot slots[6];
	struct job jobs[6];
	unsigned char fits[6][2];
	size_t slot_job[6];
	long long now;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->now = now_ms();
	f->stats[0].capacity = 3;
	f->stats[1].capacity = 1;
	for (size_t i = 0; i < 6; i++) {
		f->jobs[i].fits = f->fits[i];
		f->fits[i][0] = f->fits[i][1] = 1;
		f->jobs[i].known = 1;
		f->jobs[i].estimate = 1.0;
		f->slots[i].node = i < 4 ? 0 : 1;
		f->slot_job[i] = i;
	}
	f->sc.nnodes = 2;
	f->sc.stats = f->stats;
	f->sc.slots = f->slots;
	f->sc.nslots = 6;
	f->dag.jobs = f->jobs;
	f->dag.nr = 6;
	f->sc.dag = &f->dag;
	f->sc.jobs = f->sjobs;
}

/* Slot `i` runs job `i`, started `ago` ms before now, for `secs`. */
static void runs(struct fixture *f, size_t i, long long ago, double secs)
{
	struct sched_slot *s = &f->slots[i];
	s->jobs = &f->slot_job[i];
	s->njobs = 1;
	s->live = 1;
	s->spawn_ms = s->run_from = f->now - ago;
	f->jobs[i].start_ms = s->spawn_ms;
	f->jobs[i].estimate = secs;
}

static void t_sooner_elsewhere(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	/* node 1 (capacity 1) runs job 4 for 1.5 s more; slot 5 there
	 * would start job 5 ahead. Node 0 runs three jobs, the first due
	 * to end in 0.3 s: job 5 has room there 1.2 s sooner. */
	runs(&f, 4, 500, 2.0);
	runs(&f, 0, 700, 1.0);
	runs(&f, 1, 0, 5.0);
	runs(&f, 2, 0, 5.0);
	struct sched_slot *ahead = &f.slots[5];
	assert_true(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));

	/* due to end in 1.4 s: not sooner by enough */
	f.jobs[0].estimate = 0.7 + 1.4;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));

	/* a free place on node 0 now */
	f.slots[0].njobs = 0;
	assert_true(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));

	/* ...but job 5 cannot be built there */
	f.fits[5][0] = 0;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
	f.fits[5][0] = 1;

	/* a build started ahead on node 0 takes its free place: room
	 * only when the second of its builds ends (both in 5 s) */
	runs(&f, 0, 0, 1.0);
	runs(&f, 3, 0, 1.0);
	f.slots[3].ahead = 1;
	f.slots[3].run_from = f.now + 5000;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
	f.slots[3].njobs = 0;
	f.slots[3].ahead = 0;

	/* node 0's capacity not known, or one of its durations: no */
	runs(&f, 0, 700, 1.0);
	assert_true(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
	f.stats[0].capacity = 0;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
	f.stats[0].capacity = 3;
	f.jobs[1].known = 0;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
	f.jobs[1].known = 1;

	/* job 5's own duration not known: no */
	f.jobs[5].known = 0;
	assert_false(sched_sooner_elsewhere(&f.sc, 5, ahead, f.now));
}

static void t_next_end(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	/* the node's first due end, but the slot asking */
	runs(&f, 0, 1000, 3.0);
	runs(&f, 1, 0, 1.0);
	long long end = sched_next_end(&f.sc, 0, NULL, f.now);
	assert_true(end >= f.now + 999 && end <= f.now + 1001);
	end = sched_next_end(&f.sc, 0, &f.slots[1], f.now);
	assert_true(end >= f.now + 1999 && end <= f.now + 2001);
	/* a duration not known: now */
	f.jobs[0].known = 0;
	assert_true(sched_next_end(&f.sc, 0, NULL, f.now) == f.now);
	assert_int_equal(sched_node_jobs(&f.sc, 0), 2);
	assert_int_equal(sched_node_jobs(&f.sc, 1), 0);
}

/* Job `i` shows `running` steps in progress. */
static void steps_running(struct fixture *f, size_t i, int running)
{
	f->sjobs[i].steps = 2;
	f->sjobs[i].done = 2 - running;
}

static void t_node_observe(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	struct node_stats *st = &f.stats[0];
	long long t = 1000000;
	runs(&f, 0, 0, 5.0);
	runs(&f, 1, 0, 5.0);
	runs(&f, 2, 0, 5.0);
	steps_running(&f, 0, 1);
	steps_running(&f, 1, 1);
	/* two steps at once, held: the node runs two */
	sched_observe(&f.sc, t);
	assert_int_equal(st->seen.steps_max, 0);
	sched_observe(&f.sc, t + CAPACITY_HOLD_MS);
	assert_int_equal(st->seen.steps_max, 2);
	/* a third for a moment (one ended, its "DONE" not read yet): not
	 * counted */
	steps_running(&f, 2, 1);
	sched_observe(&f.sc, t + 1000);
	steps_running(&f, 0, 0);
	sched_observe(&f.sc, t + 1250);
	sched_observe(&f.sc, t + 1500);
	assert_int_equal(st->seen.steps_max, 2);
	/* three held: the node runs three */
	steps_running(&f, 0, 1);
	sched_observe(&f.sc, t + 2000);
	sched_observe(&f.sc, t + 2000 + CAPACITY_HOLD_MS / 2);
	assert_int_equal(st->seen.steps_max, 2);
	sched_observe(&f.sc, t + 2000 + CAPACITY_HOLD_MS);
	assert_int_equal(st->seen.steps_max, 3);
	/* what it held at least: four for a moment among threes is three */
	steps_running(&f, 3, 1);
	runs(&f, 3, 0, 5.0);
	sched_observe(&f.sc, t + 3000);
	assert_int_equal(st->seen.steps_max, 3);
	assert_int_equal(st->running_max, 4);
}

/* Builds starting one after another: each count held on its own. */
static void t_node_observe_ramp(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f);
	struct node_stats *st = &f.stats[0];
	long long t = 1000000;
	for (int i = 0; i < 3; i++)
		runs(&f, i, 0, 5.0);
	/* one step, then two 250 ms later, three 250 ms after that */
	steps_running(&f, 0, 1);
	sched_observe(&f.sc, t);
	steps_running(&f, 1, 1);
	sched_observe(&f.sc, t + 250);
	steps_running(&f, 2, 1);
	sched_observe(&f.sc, t + 500);
	assert_int_equal(st->seen.steps_max, 1);
	sched_observe(&f.sc, t + 650);
	assert_int_equal(st->seen.steps_max, 2);
	/* three held from t + 500 */
	sched_observe(&f.sc, t + 500 + CAPACITY_HOLD_MS);
	assert_int_equal(st->seen.steps_max, 3);
	/* a dip to two restarts the count of three, not of two */
	steps_running(&f, 2, 0);
	sched_observe(&f.sc, t + 1000);
	assert_int_equal(st->seen.steps_since[2], 0);
	assert_int_equal(st->seen.steps_since[1], t + 250);
}

/*
 * A first run's batching goes by what the jobs' own steps took, in a
 * batch as alone: eight built in one bake that took 3 s (a long time
 * for each, of the bake's) but whose own steps took 0.1 s each are
 * quick, and the 32 left go two to a bake (8 slots, 2 rounds); had
 * their own steps taken 3 s, one a bake.
 */
static void t_cold_batch_after_batch(void **state)
{
	(void)state;
	for (int slow = 0; slow < 2; slow++) {
		enum { N = 40 };
		struct job jobs[N];
		struct sched_job sjobs[N];
		struct dag dag = { .jobs = jobs, .nr = N };
		struct sched sc = { .dag = &dag, .jobs = sjobs, .nslots = 8 };
		memset(jobs, 0, sizeof(jobs));
		memset(sjobs, 0, sizeof(sjobs));
		for (size_t i = 0; i < N; i++)
			jobs[i].state = JOB_READY;
		for (size_t i = 0; i < 8; i++) {
			jobs[i].state = JOB_DONE;
			jobs[i].start_ms = 1000;
			jobs[i].end_ms = 4000;
			sched_job_built(&sc, i, slow ? 3.0 : 0.1);
		}
		assert_int_equal(sched_cold_batch(&sc), slow ? 1 : 2);
		/* their own steps unknown: the bake's 3 s, not quick */
		for (size_t i = 0; i < 8; i++)
			sjobs[i].own_known = 0;
		assert_int_equal(sched_cold_batch(&sc), 1);
	}
}

/* The jobs both tests of a kept place share: r runs (due in 0.5 s),
 * long runs (30 s), k waits for r alone, j is ready and ranked below k,
 * other is the fifth; nodes 0 (capacity 2) and 1 (capacity 1). */
enum { R, LONG, K, J, OTHER, NPROMISE };

struct promise {
	struct job jobs[NPROMISE];
	unsigned char fits[NPROMISE][2];
	size_t deps_k[1], dependents_r[1];
	size_t run[NPROMISE][1];
	struct sched_slot slots[4];
	struct node_stats stats[2];
	struct dag dag;
	struct sched sc;
	long long now;
};

static void promise_init(struct promise *p)
{
	memset(p, 0, sizeof(*p));
	memset(p->fits, 1, sizeof(p->fits));
	p->now = 100000;
	p->deps_k[0] = R;
	p->dependents_r[0] = K;
	for (size_t i = 0; i < NPROMISE; i++) {
		p->jobs[i] = (struct job){ .fits = p->fits[i], .known = 1 };
		p->run[i][0] = i;
	}
	p->dag = (struct dag){ .jobs = p->jobs, .nr = NPROMISE, .nodes = 2 };
	p->sc = (struct sched){ .dag = &p->dag, .slots = p->slots, .nslots = 4,
				.stats = p->stats, .nnodes = 2 };
	p->stats[0].capacity = 2;
	p->stats[1].capacity = 1;
	struct job *j = p->jobs;
	long long now = p->now;
	j[R] = (struct job){ .fits = p->fits[R], .known = 1,
			     .state = JOB_RUNNING, .estimate = 2.0,
			     .start_ms = now - 1500, .rank = 12,
			     .dependents = p->dependents_r, .ndependents = 1 };
	j[LONG] = (struct job){ .fits = p->fits[LONG], .known = 1,
				.state = JOB_RUNNING, .estimate = 30,
				.start_ms = now - 1000, .rank = 30 };
	j[K] = (struct job){ .fits = p->fits[K], .known = 1,
			     .state = JOB_PENDING, .estimate = 7, .rank = 10,
			     .deps = p->deps_k, .ndeps = 1, .waiting = 1 };
	j[J] = (struct job){ .fits = p->fits[J], .known = 1,
			     .state = JOB_READY, .estimate = 3, .rank = 3 };
}

/* Slot i of `node` runs `job`, launched `ago` ms before now. */
static void promise_slot(struct promise *p, size_t i, int node, int rank,
			 size_t job, long long ago)
{
	p->slots[i] = (struct sched_slot){ .node = node, .rank = rank,
					   .jobs = p->run[job], .njobs = 1,
					   .live = 1, .spawn_ms = p->now - ago,
					   .run_from = p->now - ago };
}

/*
 * A place is kept for the job a build about to end makes ready, when
 * that job is ranked above the one that would take the place, the node
 * has no other, and no other node has room for it by then: node 0
 * (capacity 2) runs r (due in 0.5 s) and a long one, node 1 (capacity
 * 1) another long one; k waits for r alone; j would take the place.
 */
static void t_place_promised(void **state)
{
	(void)state;
	struct promise p;
	promise_init(&p);
	struct job *jobs = p.jobs;
	struct sched_slot *slots = p.slots;
	struct node_stats *stats = p.stats;
	unsigned char (*fits)[2] = p.fits;
	struct sched sc = p.sc;
	long long now = p.now;
	promise_slot(&p, 0, 0, 0, R, 1500);
	promise_slot(&p, 1, 0, 1, LONG, 1000);
	slots[2] = (struct sched_slot){ .node = 0, .rank = 2 };
	jobs[OTHER] = (struct job){ .fits = fits[OTHER], .known = 1,
				    .state = JOB_RUNNING, .estimate = 20,
				    .start_ms = now - 1000, .rank = 20 };
	promise_slot(&p, 3, 1, 0, OTHER, 1000);
	assert_true(sched_place_promised(&sc, 0, J, now));
	/* node 1's build due before r's: k may go there */
	jobs[OTHER].estimate = 1.2;
	assert_false(sched_place_promised(&sc, 0, J, now));
	/* ...or after it, by a little: the place is kept */
	jobs[OTHER].estimate = 1.8;
	assert_true(sched_place_promised(&sc, 0, J, now));
	jobs[OTHER].estimate = 20;
	/* on another node: nothing there waits to be made ready */
	assert_false(sched_place_promised(&sc, 1, J, now));
	/* j ranked above k: j goes */
	jobs[J].rank = 11;
	assert_false(sched_place_promised(&sc, 0, J, now));
	jobs[J].rank = 3;
	/* k waits for another dependency too */
	jobs[K].waiting = 2;
	assert_false(sched_place_promised(&sc, 0, J, now));
	jobs[K].waiting = 1;
	/* r due in 2.5 s, later than EXTRA_AHEAD_MS */
	jobs[R].estimate = 4.0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	/* ...or overdue by more than that (due 3 s ago) */
	jobs[R].estimate = 2.0;
	jobs[R].start_ms = slots[0].run_from = now - 5000;
	assert_false(sched_place_promised(&sc, 0, J, now));
	jobs[R].start_ms = slots[0].run_from = now - 1500;
	/* a node with room for both: no need */
	stats[0].capacity = 4;
	assert_false(sched_place_promised(&sc, 0, J, now));
	/* capacity unknown: no due place to keep */
	stats[0].capacity = 0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	stats[0].capacity = 2;
	/* k cannot build on this node */
	fits[K][0] = 0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	fits[K][0] = 1;
	assert_true(sched_place_promised(&sc, 0, J, now));
}

/*
 * The build a job waits for may run on another node: node 1 (capacity
 * 1) runs r, due in 0.5 s, and a build started ahead that takes node 1
 * when r ends; k waits for r alone. Node 0 (capacity 2, a long build)
 * keeps its last place for k rather than give it to j, ranked lower.
 */
static void t_place_promised_elsewhere(void **state)
{
	(void)state;
	struct promise p;
	promise_init(&p);
	struct job *jobs = p.jobs;
	struct sched_slot *slots = p.slots;
	unsigned char (*fits)[2] = p.fits;
	struct sched sc = p.sc;
	long long now = p.now;
	promise_slot(&p, 0, 0, 0, LONG, 1000);
	slots[1] = (struct sched_slot){ .node = 0, .rank = 1 };
	promise_slot(&p, 2, 1, 0, R, 1500);
	/* other, started ahead on node 1, has it once r ends */
	jobs[OTHER] = (struct job){ .fits = fits[OTHER], .known = 1,
				    .state = JOB_RUNNING, .estimate = 20,
				    .start_ms = now - 100, .rank = 20 };
	promise_slot(&p, 3, 1, 1, OTHER, 100);
	slots[3].ahead = 1;
	slots[3].run_from = now + 500;
	assert_true(sched_place_promised(&sc, 0, J, now));
	/* nothing started ahead on node 1: k gets r's place there */
	slots[3].njobs = 0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	slots[3].njobs = 1;
	assert_true(sched_place_promised(&sc, 0, J, now));
	/* r due in 2.5 s, later than EXTRA_AHEAD_MS */
	jobs[R].estimate = 4.0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	jobs[R].estimate = 2.0;
	/* k cannot build on node 0 */
	fits[K][0] = 0;
	assert_false(sched_place_promised(&sc, 0, J, now));
	fits[K][0] = 1;
	/* j ranked above k: j goes */
	jobs[J].rank = 11;
	assert_false(sched_place_promised(&sc, 0, J, now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_sooner_elsewhere),
		cmocka_unit_test(t_next_end),
		cmocka_unit_test(t_node_observe),
		cmocka_unit_test(t_node_observe_ramp),
		cmocka_unit_test(t_cold_batch_after_batch),
		cmocka_unit_test(t_place_promised),
		cmocka_unit_test(t_place_promised_elsewhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
