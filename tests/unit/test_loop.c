/* The event loop, the process pump and launch pacing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testlib.h"
#include "loop.h"
#include "pump.h"
#include "sched/pace.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A clock the tests move by hand. */
static long long fake_now;
static long long fake_clock(void)
{
	return fake_now;
}

struct log {
	char what[32][32];
	int n;
};

static void note(struct log *lg, const char *what)
{
	snprintf(lg->what[lg->n++], sizeof(lg->what[0]), "%s", what);
}

static long long tm_once(struct loop *l, long long id, long long now, void *data)
{
	(void)l;
	(void)id;
	(void)now;
	note(data, "once");
	return LOOP_ONCE;
}

static int repeats;
static long long tm_repeat(struct loop *l, long long id, long long now,
			   void *data)
{
	(void)l;
	(void)id;
	(void)now;
	note(data, "repeat");
	return ++repeats < 3 ? 100 : LOOP_ONCE;
}

static long long victim_id;
static long long tm_killer(struct loop *l, long long id, long long now,
			   void *data)
{
	(void)id;
	(void)now;
	note(data, "killer");
	loop_del_timer(l, victim_id);
	return LOOP_ONCE;
}

/* Timers fire in time, repeat while asked, and may cancel each other. */
static void t_timers(void **state)
{
	(void)state;
	struct loop l;
	struct log lg = { 0 };
	loop_init(&l);
	l.clock = fake_clock;
	fake_now = 1000;
	repeats = 0;
	loop_add_timer(&l, 50, tm_once, &lg);
	loop_add_timer(&l, 100, tm_repeat, &lg);
	assert_int_equal(loop_timers(&l), 2);
	assert_int_equal(loop_once(&l, 0), 0); /* nothing due yet */
	fake_now = 1050;
	assert_int_equal(loop_once(&l, 0), 1);
	assert_string_equal(lg.what[0], "once");
	fake_now = 1100;
	loop_once(&l, 0);
	fake_now = 1200;
	loop_once(&l, 0);
	fake_now = 1300;
	loop_once(&l, 0);
	assert_int_equal(repeats, 3);
	assert_int_equal(loop_timers(&l), 0);
	/* with nothing to wait for, a turn says so instead of sleeping */
	assert_int_equal(loop_once(&l, -1), -1);

	/* a timer deleted by an earlier one due at the same time does
	 * not run (timers due together run in the order they were added) */
	loop_add_timer(&l, 10, tm_killer, &lg);
	victim_id = loop_add_timer(&l, 10, tm_once, &lg);
	int before = lg.n;
	fake_now += 10;
	assert_int_equal(loop_once(&l, 0), 1);
	assert_int_equal(lg.n, before + 1);
	assert_string_equal(lg.what[before], "killer");
	assert_false(loop_has_timer(&l, victim_id));
	loop_release(&l);
}

static int file_fd_seen;
static void on_readable(struct loop *l, int fd, void *data)
{
	char c;
	(void)data;
	if (read(fd, &c, 1) == 1)
		file_fd_seen = c;
	loop_del_file(l, fd);
}

/* A file event wakes the loop before a far timer; the wait is the
 * nearest timer's. */
static void t_files(void **state)
{
	(void)state;
	struct loop l;
	struct log lg = { 0 };
	int p[2];
	assert_int_equal(pipe(p), 0);
	loop_init(&l);
	loop_add_file(&l, p[0], on_readable, NULL);
	loop_add_timer(&l, 60000, tm_once, &lg);
	assert_int_equal(write(p[1], "x", 1), 1);
	long long t0 = now_ms();
	assert_int_equal(loop_once(&l, -1), 1);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(file_fd_seen, 'x');
	assert_int_equal(l.nfiles, 0);
	/* the nearest timer bounds the wait */
	loop_release(&l);
	loop_init(&l);
	loop_add_timer(&l, 30, tm_once, &lg);
	t0 = now_ms();
	assert_int_equal(loop_once(&l, -1), 1);
	assert_true(now_ms() - t0 >= 29);
	close(p[0]);
	close(p[1]);
	loop_release(&l);
}

struct owner {
	struct strbuf out[4];
	int status[4];
	int finished;
};

static void pump_output(void *o, void *task, const char *buf, size_t len)
{
	struct owner *ow = o;
	strbuf_add(&ow->out[(size_t)task], buf, len);
}

static void pump_finished(void *o, void *task, int status)
{
	struct owner *ow = o;
	ow->status[(size_t)task] = status;
	ow->finished++;
}

static const struct pump_ops ops = { pump_output, pump_finished };

/* A loop and a pump reporting to `ow`. */
static void pump_setup(struct loop *l, struct pump *p, struct owner *ow)
{
	ow->finished = 0;
	for (int i = 0; i < 4; i++)
		ow->out[i] = (struct strbuf)STRBUF_INIT;
	loop_init(l);
	pump_init(p, l, &ops, ow);
}

static void pump_teardown(struct loop *l, struct pump *p, struct owner *ow)
{
	pump_release(p);
	loop_release(l);
	for (int i = 0; i < 4; i++)
		strbuf_release(&ow->out[i]);
}

static void pump_until(struct loop *l, struct pump *p, struct owner *ow,
		       int want, long long max_ms)
{
	long long end = now_ms() + max_ms;
	while (ow->finished < want && now_ms() < end) {
		loop_once(l, 50);
		pump_reap(p);
	}
}

/* Output reaches the owner, exits are reported with their status. */
static void t_pump_runs(void **state)
{
	(void)state;
	struct loop l;
	struct pump p;
	struct owner ow;
	pump_setup(&l, &p, &ow);
	char *a[] = { "sh", "-c", "echo one; echo two >&2", NULL };
	char *b[] = { "sh", "-c", "exit 3", NULL };
	assert_int_equal(pump_start(&p, (void *)1, a, NULL), 0);
	assert_int_equal(pump_start(&p, (void *)2, b, NULL), 0);
	assert_int_equal(pump_running(&p), 2);
	pump_until(&l, &p, &ow, 2, 5000);
	assert_int_equal(ow.finished, 2);
	assert_string_equal(ow.out[1].buf, "one\ntwo\n");
	assert_int_equal(exit_code_of(ow.status[1]), 0);
	assert_int_equal(exit_code_of(ow.status[2]), 3);
	assert_int_equal(pump_running(&p), 0);
	char *bad[] = { "/nonexistent/dbake-test", NULL };
	assert_int_equal(pump_start(&p, (void *)3, bad, NULL), -1);
	pump_teardown(&l, &p, &ow);
}

/* A child that ignores SIGTERM is killed after the grace; one whose
 * grandchild holds the output is finished after the drain. */
static void t_pump_stop(void **state)
{
	(void)state;
	struct loop l;
	struct pump p;
	struct owner ow;
	pump_setup(&l, &p, &ow);
	char *stubborn[] = { "sh", "-c", "trap '' TERM; while :; do sleep 0.05; done",
			     NULL };
	char *linger[] = { "sh", "-c", "sleep 30 & echo bye", NULL };
	assert_int_equal(pump_start(&p, (void *)1, stubborn, NULL), 0);
	assert_int_equal(pump_start(&p, (void *)2, linger, NULL), 0);
	usleep(100 * 1000);
	long long t0 = now_ms();
	pump_stop(&p, 300);
	pump_until(&l, &p, &ow, 2, PUMP_DRAIN_MS + 3000);
	assert_int_equal(ow.finished, 2);
	assert_int_equal(exit_code_of(ow.status[1]), 128 + SIGKILL);
	assert_true(now_ms() - t0 >= 290);
	/* and the grandchild that held the output is gone with its group */
	assert_int_equal(ow.out[2].len, 4);
	pump_teardown(&l, &p, &ow);
}

/* Launches one gap apart; the first at once. */
static void t_pace(void **state)
{
	(void)state;
	assert_int_equal(pace_gap(2), LAUNCH_CPU_MS / 2);
	assert_int_equal(pace_gap(0), 0);
	assert_int_equal(pace_wait(40, 0, 5000), 0);     /* first launch */
	assert_int_equal(pace_wait(40, 5000, 5010), 30); /* held */
	assert_int_equal(pace_wait(40, 5000, 5040), 0);
	assert_int_equal(pace_wait(0, 5000, 5001), 0);   /* no pacing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_timers),
		cmocka_unit_test(t_files),
		cmocka_unit_test(t_pump_runs),
		cmocka_unit_test(t_pump_stop),
		cmocka_unit_test(t_pace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
