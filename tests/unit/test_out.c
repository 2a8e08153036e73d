/* dbake's own output: queued while a loop runs, never blocking it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testlib.h"
#include "loop.h"
#include "out.h"
#include "util/strbuf.h"
#include "util/util.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* stdout replaced by a pipe nobody reads yet; its read end, nonblocking */
static int saved_out = -1;

static int stdout_to_pipe(void)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	saved_out = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	return p[0];
}

static void stdout_back(void)
{
	dup2(saved_out, STDOUT_FILENO);
	close(saved_out);
	saved_out = -1;
}

/* Read what the pipe has now into sb. */
static void take(int fd, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
}

/* A reader that reads nothing: every write returns at once; once it
 * reads, the loop writes everything, in order. */
static void test_stalled_reader_blocks_nothing(void **state)
{
	(void)state;
	struct loop l;
	loop_init(&l);
	int rd = stdout_to_pipe();
	out_attach(&l);
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	for (int i = 0; i < 4000; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "[node0] building target-%04d\n", i);
		strbuf_add(&want, line, (size_t)n);
		out_write(STDOUT_FILENO, line, (size_t)n);
	}
	/* 4000 lines do not fit a pipe: some are queued */
	size_t pending = out_pending(STDOUT_FILENO);
	for (int turn = 0; turn < 10000 && out_pending(STDOUT_FILENO); turn++) {
		take(rd, &got);
		loop_once(&l, 10);
	}
	take(rd, &got);
	size_t left = out_pending(STDOUT_FILENO), dropped = out_dropped(STDOUT_FILENO);
	out_detach();
	stdout_back();
	close(rd);
	loop_release(&l);
	assert_true(pending > 0);
	assert_int_equal(left, 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(got.len, want.len);
	assert_string_equal(got.buf, want.buf);
	strbuf_release(&want);
	strbuf_release(&got);
}

/* The queue is bounded: beyond OUT_MAX, output is dropped and said. */
static void test_bounded_and_said(void **state)
{
	(void)state;
	struct loop l;
	loop_init(&l);
	int rd = stdout_to_pipe();
	out_attach(&l);
	static char chunk[1 << 16];
	memset(chunk, 'x', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\n';
	size_t chunks = OUT_MAX / sizeof(chunk) + 8;
	for (size_t i = 0; i < chunks; i++)
		out_write(STDOUT_FILENO, chunk, sizeof(chunk));
	size_t pending = out_pending(STDOUT_FILENO);
	size_t dropped = out_dropped(STDOUT_FILENO);
	out_write(STDOUT_FILENO, "last\n", 5);
	struct strbuf got = STRBUF_INIT;
	for (int turn = 0; turn < 100000 && out_pending(STDOUT_FILENO); turn++) {
		take(rd, &got);
		loop_once(&l, 10);
	}
	take(rd, &got);
	out_detach();
	take(rd, &got);
	stdout_back();
	close(rd);
	loop_release(&l);
	assert_true(pending <= OUT_MAX);
	assert_true(dropped > 0);
	assert_non_null(strstr(got.buf, "bytes of output dropped"));
	strbuf_release(&got);
}

/* A reader gone (a pager quit): writes neither block nor kill. */
static void test_reader_gone(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	struct loop l;
	loop_init(&l);
	int rd = stdout_to_pipe();
	close(rd);
	out_attach(&l);
	for (int i = 0; i < 1000; i++)
		out_write(STDOUT_FILENO, "[node0] building x\n", 19);
	size_t left = out_pending(STDOUT_FILENO);
	out_detach();
	stdout_back();
	loop_release(&l);
	assert_int_equal(left, 0);
}

/* error() and warning() lines go through the queue while attached. */
static void test_reports_queued(void **state)
{
	(void)state;
	struct loop l;
	loop_init(&l);
	int p[2];
	assert_int_equal(pipe(p), 0);
	int saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	out_attach(&l);
	error("first");
	out_write(STDERR_FILENO, "{\"json\":1}\n", 11);
	warning("second");
	out_detach();
	struct strbuf got = STRBUF_INIT;
	take(p[0], &got);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[0]);
	loop_release(&l);
	assert_string_equal(got.buf, "dbake: first\n{\"json\":1}\ndbake: warning: second\n");
	strbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalled_reader_blocks_nothing),
		cmocka_unit_test(test_bounded_and_said),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_reports_queued),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
