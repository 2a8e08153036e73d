/* The log view's index: lines of a growing file, read and searched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ui/logview.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
	char path[64];
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/dbake-logview-XXXXXX");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	unlink(f->path);
	free(f);
	return 0;
}

static void append(struct fixture *f, const char *s)
{
	size_t len = strlen(s);
	assert_int_equal(write(f->fd, s, len), (ssize_t)len);
}

static char *line(struct logindex *li, size_t n)
{
	static char buf[256];
	size_t len = 0;
	ssize_t got = logindex_read(li, n, buf, sizeof(buf) - 1, &len);
	if (got < 0)
		return NULL;
	buf[got] = '\0';
	return buf;
}

static void t_grows(void **state)
{
	struct fixture *f = *state;
	struct logindex li;
	logindex_init(&li, f->path);
	assert_int_equal(logindex_update(&li, 0), 1);
	assert_int_equal(logindex_lines(&li), 0);

	append(f, "one\ntwo\nthr");
	assert_int_equal(logindex_update(&li, 0), 1);
	assert_int_equal(logindex_lines(&li), 3); /* a partial line counts */
	assert_string_equal(line(&li, 0), "one");
	assert_string_equal(line(&li, 1), "two");
	assert_string_equal(line(&li, 2), "thr");
	assert_null(line(&li, 3));

	append(f, "ee\n\nfive");
	assert_int_equal(logindex_update(&li, 0), 1);
	assert_int_equal(logindex_lines(&li), 5);
	assert_string_equal(line(&li, 2), "three");
	assert_string_equal(line(&li, 3), "");
	assert_string_equal(line(&li, 4), "five");
	assert_int_equal(logindex_update(&li, 0), 0); /* nothing new */

	append(f, "\n");
	logindex_update(&li, 0);
	assert_int_equal(logindex_lines(&li), 5); /* no empty last line */
	logindex_release(&li);
}

static void t_budget(void **state)
{
	struct fixture *f = *state;
	struct logindex li;
	for (int i = 0; i < 1000; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "line-%04d\n", i); /* 10 bytes */
		append(f, buf);
	}
	logindex_init(&li, f->path);
	logindex_update(&li, 1000); /* 100 lines at a time */
	assert_true(logindex_behind(&li));
	assert_int_equal(logindex_lines(&li), 100);
	while (logindex_behind(&li))
		logindex_update(&li, 1000);
	assert_int_equal(logindex_lines(&li), 1000);
	assert_string_equal(line(&li, 999), "line-0999");
	assert_int_equal(logindex_line_of(&li, 0), 0);
	assert_int_equal(logindex_line_of(&li, 10), 1);
	assert_int_equal(logindex_line_of(&li, 9999), 999);
	logindex_release(&li);
}

static void t_read_bounded(void **state)
{
	struct fixture *f = *state;
	struct logindex li;
	char *big = xmalloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	append(f, big);
	append(f, "\nafter\n");
	free(big);
	logindex_init(&li, f->path);
	logindex_update(&li, 0);
	char buf[16];
	size_t len = 0;
	assert_int_equal(logindex_read(&li, 0, buf, sizeof(buf), &len), 16);
	assert_int_equal(len, 100000);
	assert_string_equal(line(&li, 1), "after");
	logindex_release(&li);
}

static void t_search(void **state)
{
	struct fixture *f = *state;
	struct logindex li;
	/* enough lines that matches fall across read chunks */
	for (int i = 0; i < 20000; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%05d needle?\n", i);
		append(f, buf);
	}
	append(f, "\x1b[31mred\x1b[0m \xff\xfe tail-marker");
	logindex_init(&li, f->path);
	logindex_update(&li, 0);
	assert_int_equal(logindex_lines(&li), 20001);
	assert_int_equal(logindex_search(&li, 0, "00000", 5), 0);
	assert_int_equal(logindex_search(&li, 0, "12345 n", 7), 12345);
	assert_int_equal(logindex_search(&li, 12346, "12345", 5), -1);
	assert_int_equal(logindex_search(&li, 5000, "needle", 6), 5000);
	assert_int_equal(logindex_search(&li, 0, "tail-marker", 11), 20000);
	assert_int_equal(logindex_search(&li, 0, "\xff\xfe", 2), 20000);
	assert_int_equal(logindex_search(&li, 0, "absent", 6), -1);
	assert_int_equal(logindex_search(&li, 30000, "needle", 6), -1);
	/* every line start found where a chunk boundary splits it */
	for (int i = 4678; i < 4686; i++) {
		char want[8];
		snprintf(want, sizeof(want), "%05d", i);
		assert_int_equal(logindex_search(&li, 0, want, 5), i);
	}
	logindex_release(&li);
}

static void t_truncated(void **state)
{
	struct fixture *f = *state;
	struct logindex li;
	append(f, "a\nb\nc\n");
	logindex_init(&li, f->path);
	logindex_update(&li, 0);
	assert_int_equal(logindex_lines(&li), 3);
	assert_int_equal(ftruncate(f->fd, 0), 0);
	lseek(f->fd, 0, SEEK_SET);
	append(f, "z\n");
	assert_int_equal(logindex_update(&li, 0), 1);
	assert_int_equal(logindex_lines(&li), 1);
	assert_string_equal(line(&li, 0), "z");
	logindex_release(&li);
}

static void t_no_file(void **state)
{
	(void)state;
	struct logindex li;
	logindex_init(&li, NULL);
	assert_int_equal(logindex_update(&li, 0), 0);
	assert_int_equal(logindex_lines(&li), 0);
	assert_int_equal(logindex_search(&li, 0, "x", 1), -1);
	logindex_release(&li);
	/* a log not created yet: empty until it is */
	logindex_init(&li, "/nonexistent/dbake/x.log");
	assert_int_equal(logindex_update(&li, 0), 0);
	assert_int_equal(logindex_lines(&li), 0);
	assert_false(logindex_behind(&li));
	assert_int_equal(li.fd, -1);
	logindex_release(&li);
	assert_int_equal(li.fd, -1); /* never fd 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(t_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(t_read_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(t_search, setup, teardown),
		cmocka_unit_test_setup_teardown(t_truncated, setup, teardown),
		cmocka_unit_test(t_no_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
