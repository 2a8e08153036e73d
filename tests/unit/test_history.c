#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sched/history.h"
#include "util/util.h"

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/dbake-test-history.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return xstrdup(d);
}

static void cleanup(char *dir, const char *path)
{
	char *lock = xstrfmt("%s.lock", path);
	unlink(lock);
	free(lock);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void t_empty_and_unknown(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/proj");
	assert_true(history_estimate(&h, "web", "tcp://n0") < 0);
	assert_true(history_estimate(&h, "web", NULL) < 0);
	assert_int_equal(history_capacity(&h, "tcp://n0"), 0);
	history_release(&h);
	cleanup(dir, path);
	free(path);
}

static void t_record_blend_and_reload(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/proj");
	history_record(&h, "web", "tcp://n0", 4.0, 0.5);
	assert_float_equal(history_estimate(&h, "web", "tcp://n0"), 4.0, 1e-9);
	history_record(&h, "web", "tcp://n0", 2.0, -1);
	/* the newest counts for half */
	assert_float_equal(history_estimate(&h, "web", "tcp://n0"), 3.0, 1e-9);
	history_record(&h, "web", "tcp://n1", 10.0, 1.5);
	/* per node when known, else the target's running average */
	assert_float_equal(history_estimate(&h, "web", "tcp://n1"), 10.0, 1e-9);
	assert_float_equal(history_estimate(&h, "web", "tcp://n9"), 6.5, 1e-9);
	assert_float_equal(history_estimate(&h, "web", NULL), 6.5, 1e-9);
	/* step work: unknown work leaves it; known work blends */
	assert_float_equal(history_work(&h, "web"), 1.0, 1e-9);
	assert_true(history_work(&h, "other") < 0);
	history_set_capacity(&h, "tcp://n0", 3);
	/* the node of the last build, batched ones too */
	assert_null(history_last(&h, "web", 7));
	history_set_last(&h, "web", "tcp://n1", 7);
	history_set_last(&h, "web", "tcp://n0", 7);
	history_set_last(&h, "api", "tcp://n1", 0xfedcba9876543210ULL);
	assert_int_equal(history_save(&h, 1000), 0);
	history_release(&h);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	history_load(&h, path, "/proj");
	assert_float_equal(history_estimate(&h, "web", "tcp://n0"), 3.0, 1e-9);
	assert_int_equal(history_capacity(&h, "tcp://n0"), 3);
	assert_string_equal(history_last(&h, "web", 7), "tcp://n0");
	assert_string_equal(history_last(&h, "api", 0xfedcba9876543210ULL),
			    "tcp://n1");
	/* a changed definition has no home */
	assert_null(history_last(&h, "web", 8));
	assert_null(history_last(&h, "api", 0xfedcba9876543211ULL));
	history_release(&h);

	/* another project does not see it; capacities are per node */
	history_load(&h, path, "/other");
	assert_true(history_estimate(&h, "web", NULL) < 0);
	assert_int_equal(history_capacity(&h, "tcp://n0"), 3);
	/* a floor instead of the capacity, and back: one or the other */
	assert_int_equal(history_capacity_floor(&h, "tcp://n0"), 0);
	history_set_capacity_floor(&h, "tcp://n0", 5);
	assert_int_equal(history_save(&h, 1001), 0);
	history_release(&h);
	history_load(&h, path, "/other");
	assert_int_equal(history_capacity(&h, "tcp://n0"), 0);
	assert_int_equal(history_capacity_floor(&h, "tcp://n0"), 5);
	history_set_capacity(&h, "tcp://n0", 4);
	assert_int_equal(history_capacity(&h, "tcp://n0"), 4);
	assert_int_equal(history_capacity_floor(&h, "tcp://n0"), 0);
	history_release(&h);
	cleanup(dir, path);
	free(path);
}

static void t_garbage_file(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"projects\": [1, 2], \"nodes\": \"x\"}", f);
	fclose(f);
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/proj");
	assert_true(history_estimate(&h, "web", NULL) < 0);
	history_record(&h, "web", "tcp://n0", 1.0, -1);
	history_set_capacity(&h, "tcp://n0", 2);
	assert_int_equal(history_save(&h, 1000), 0);
	history_release(&h);
	history_load(&h, path, "/proj");
	assert_float_equal(history_estimate(&h, "web", NULL), 1.0, 1e-9);
	history_release(&h);
	cleanup(dir, path);
	free(path);
}

/* Values someone wrote into history.json by hand, or a damaged file:
 * none of them reaches the decisions (a capacity of -5 ran dbake out of
 * memory, one of 10,000,000 took 2.5 GB). */
static void t_hostile_values(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"nodes\": {\"tcp://neg\": {\"capacity\": -5},"
	      " \"tcp://huge\": {\"capacity\": 10000000},"
	      " \"tcp://real\": {\"capacity\": 2.5},"
	      " \"tcp://ok\": {\"capacity\": 3},"
	      " \"tcp://floor\": {\"floor\": -1}},"
	      " \"projects\": {\"/proj\": {\"targets\": {"
	      "  \"neg\": {\"avg\": -1e9, \"work\": -3, \"nodes\": {\"tcp://ok\": -2}},"
	      "  \"big\": {\"avg\": 1e300, \"nodes\": {\"tcp://ok\": 1e12}},"
	      "  \"odd\": {\"avg\": \"ten\", \"work\": [1]},"
	      "  \"fine\": {\"avg\": 4.5, \"work\": 4.0, \"nodes\": {\"tcp://ok\": 4.0}}"
	      "}}}}", f);
	fclose(f);
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/proj");
	assert_int_equal(history_capacity(&h, "tcp://neg"), 0);
	assert_int_equal(history_capacity_floor(&h, "tcp://floor"), 0);
	assert_int_equal(history_capacity(&h, "tcp://huge"), 0);
	assert_int_equal(history_capacity(&h, "tcp://real"), 0);
	assert_int_equal(history_capacity(&h, "tcp://ok"), 3);
	assert_true(history_estimate(&h, "neg", NULL) < 0);
	assert_true(history_estimate(&h, "neg", "tcp://ok") < 0);
	assert_true(history_work(&h, "neg") < 0);
	assert_true(history_estimate(&h, "big", NULL) < 0);
	assert_true(history_node_estimate(&h, "big", "tcp://ok") < 0);
	assert_true(history_estimate(&h, "odd", NULL) < 0);
	assert_true(history_work(&h, "odd") < 0);
	assert_float_equal(history_estimate(&h, "fine", "tcp://ok"), 4.0, 1e-9);
	assert_float_equal(history_work(&h, "fine"), 4.0, 1e-9);
	/* a new time replaces a hostile one instead of blending with it */
	history_record(&h, "big", "tcp://ok", 2.0, 1.0);
	assert_float_equal(history_estimate(&h, "big", NULL), 2.0, 1e-9);
	assert_float_equal(history_node_estimate(&h, "big", "tcp://ok"), 2.0, 1e-9);
	/* a killed save's temp file, a day old, goes with the next save;
	 * a fresh one (a save going on) stays */
	char *stale = xstrfmt("%s.tmp-AbCdEf", path);
	char *fresh = xstrfmt("%s.tmp-GhIjKl", path);
	assert_int_equal(write_file_atomic(stale, "{", 1, 0600), 0);
	assert_int_equal(write_file_atomic(fresh, "{", 1, 0600), 0);
	struct timeval day[2] = { { time(NULL) - 86400, 0 }, { time(NULL) - 86400, 0 } };
	assert_int_equal(utimes(stale, day), 0);
	assert_int_equal(history_save(&h, 1000), 0);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(fresh, F_OK), 0);
	unlink(fresh);
	free(stale);
	free(fresh);
	history_release(&h);
	cleanup(dir, path);
	free(path);
}

static void t_save_unwritable(void **state)
{
	(void)state;
	struct history h = HISTORY_INIT;
	history_load(&h, "/nonexistent-dbake-dir/history.json", "/proj");
	history_record(&h, "web", NULL, 1.0, -1);
	assert_int_equal(history_save(&h, 1000), -1);
	history_release(&h);
}

/*
 * Two runs that share the state dir, loaded before either saved: the
 * second save keeps what the first wrote (its project's targets, a
 * target of the same project it did not build, a node's capacity).
 */
static void t_concurrent_runs_merge(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	struct history a = HISTORY_INIT, b = HISTORY_INIT, c = HISTORY_INIT;
	history_load(&a, path, "/proj");
	history_load(&b, path, "/proj");
	history_record(&a, "web", "tcp://n0", 10, 9);
	history_set_capacity(&a, "tcp://n0", 3);
	history_record(&b, "api", "tcp://n1", 20, 19);
	history_set_capacity(&b, "tcp://n1", 2);
	assert_int_equal(history_save(&a, 100), 0);
	assert_int_equal(history_save(&b, 101), 0);
	history_load(&c, path, "/proj");
	assert_true(history_estimate(&c, "web", "tcp://n0") == 10);
	assert_true(history_estimate(&c, "api", "tcp://n1") == 20);
	assert_int_equal(history_capacity(&c, "tcp://n0"), 3);
	assert_int_equal(history_capacity(&c, "tcp://n1"), 2);
	history_release(&a);
	history_release(&b);
	history_release(&c);
	cleanup(dir, path);
	free(path);
}

/* Every CI checkout is a new project: the oldest go, this run's stays. */
static void t_bounded(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char *path = xstrfmt("%s/history.json", dir);
	for (int i = 0; i < HISTORY_MAX_PROJECTS + 10; i++) {
		struct history h = HISTORY_INIT;
		char *proj = xstrfmt("/ci/checkout-%d", i);
		history_load(&h, path, proj);
		history_record(&h, "web", "tcp://n0", 1 + i, 1);
		assert_int_equal(history_save(&h, 1000 + i), 0);
		history_release(&h);
		free(proj);
	}
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/ci/checkout-0");
	/* the first ones were the least recently used: gone */
	assert_true(history_estimate(&h, "web", NULL) < 0);
	history_release(&h);
	history_load(&h, path, "/ci/checkout-73");
	assert_true(history_estimate(&h, "web", NULL) == 74);
	history_release(&h);
	/* a project used again moves to the front */
	history_load(&h, path, "/ci/checkout-10");
	assert_true(history_estimate(&h, "web", NULL) == 11);
	history_record(&h, "web", "tcp://n0", 11, 1);
	assert_int_equal(history_save(&h, 5000), 0);
	history_release(&h);
	history_load(&h, path, "/ci/new");
	history_record(&h, "web", "tcp://n0", 1, 1);
	assert_int_equal(history_save(&h, 5001), 0);
	history_release(&h);
	history_load(&h, path, "/ci/checkout-10");
	assert_true(history_estimate(&h, "web", NULL) == 11);
	history_release(&h);
	history_load(&h, path, "/ci/checkout-11");
	assert_true(history_estimate(&h, "web", NULL) < 0);
	history_release(&h);
	/* a file too big to read is started afresh, not parsed */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, HISTORY_MAX_READ + 1, SEEK_SET), 0);
	fputc('}', f);
	fclose(f);
	history_load(&h, path, "/ci/new");
	assert_true(history_estimate(&h, "web", NULL) < 0);
	history_record(&h, "web", "tcp://n0", 2, 1);
	assert_int_equal(history_save(&h, 6000), 0);
	history_release(&h);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size < 4096);
	cleanup(dir, path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_empty_and_unknown),
		cmocka_unit_test(t_record_blend_and_reload),
		cmocka_unit_test(t_garbage_file),
		cmocka_unit_test(t_hostile_values),
		cmocka_unit_test(t_save_unwritable),
		cmocka_unit_test(t_concurrent_runs_merge),
		cmocka_unit_test(t_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
