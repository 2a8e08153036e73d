/* Helpers the unit tests share; include after <cmocka.h>. */
#ifndef DBAKE_TESTLIB_H
#define DBAKE_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/util.h"

/* sv holds exactly the strings of `want` (NULL-terminated), in order. */
static inline void assert_strvec(const struct strvec *sv, const char **want)
{
	size_t n = 0;
	while (want[n])
		n++;
	assert_int_equal(sv->nr, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(sv->v[i], want[i]);
	assert_null(sv->v[n]);
}
#define ASSERT_STRVEC(sv, ...) \
	assert_strvec((sv), (const char *[]){ __VA_ARGS__, NULL })

/* The contents of the file at `path` (its length in *len, if asked). */
static inline char *read_text_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

/* The contents of tests/fixtures/NAME ($FIXTURES, set by meson). */
static inline char *read_fixture(const char *name)
{
	const char *dir = getenv("FIXTURES");
	assert_non_null(dir);
	char *path = xstrfmt("%s/%s", dir, name);
	char *text = read_text_file(path, NULL);
	free(path);
	return text;
}

/* Redirect stdout (or stderr) to a temporary file while the code prints. */
struct capture {
	int target;
	int saved;
	int fd;
};

static inline void capture_fd_begin(struct capture *c, int target)
{
	char tmpl[] = "/tmp/dbake-test-cli-XXXXXX";
	fflush(stdout);
	fflush(stderr);
	c->target = target;
	c->fd = mkstemp(tmpl);
	assert_true(c->fd >= 0);
	unlink(tmpl);
	c->saved = dup(target);
	assert_true(c->saved >= 0);
	assert_true(dup2(c->fd, target) >= 0);
}

static inline void capture_begin(struct capture *c)
{
	capture_fd_begin(c, STDOUT_FILENO);
}

/* Restore the stream; returns what was printed (caller frees). */
static inline char *capture_end(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->target);
	close(c->saved);
	off_t size = lseek(c->fd, 0, SEEK_END);
	assert_true(size >= 0);
	char *buf = xcalloc((size_t)size + 1, 1);
	assert_int_equal(pread(c->fd, buf, (size_t)size, 0), size);
	close(c->fd);
	return buf;
}

/* Lines in a text (a last line without its newline counts). */
static inline size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

#endif
