/* Helpers the unit tests share; include after <cmocka.h>. */
#ifndef DBAKE_TESTLIB_H
#define DBAKE_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
