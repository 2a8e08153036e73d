/* The dashboard's key tables: dispatch, footers, README's key tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testlib.h"
#include "ui/keys.h"

#include <curses.h>
#include <string.h>

static const struct key_table *const tables[] = {
	&tty_overview_keys, &tty_log_keys,
};

/* No key is bound twice in a view; every binding says what it does. */
static void t_tables_are_sound(void **state)
{
	(void)state;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		const struct key_table *kt = tables[t];
		for (size_t i = 0; i < kt->nr; i++) {
			const struct key_binding *b = &kt->v[i];
			assert_true(b->fn || !b->codes[0]);
			for (size_t k = 0; k < KEY_CODES && b->codes[k]; k++)
				assert_ptr_equal(key_lookup(kt, b->codes[k]), b);
		}
	}
	assert_null(key_lookup(&tty_overview_keys, 'z'));
	assert_int_equal(key_dispatch(&tty_overview_keys, NULL, 'z'), 0);
	assert_non_null(key_lookup(&tty_overview_keys, KEY_DOWN));
	assert_non_null(key_lookup(&tty_log_keys, '/'));
}

/* The footers are made from the tables, in their order. */
static void t_footers(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	key_footer(&tty_overview_keys, 0, &sb);
	assert_string_equal(sb.buf, "j/k select  Enter log  PgUp/PgDn page  "
				    "q quit  Ctrl+C cancel");
	strbuf_reset(&sb);
	key_footer(&tty_overview_keys, 1, &sb);
	assert_non_null(strstr(sb.buf, "j/k \u2191\u2193 select"));
	strbuf_reset(&sb);
	key_footer(&tty_log_keys, 0, &sb);
	assert_string_equal(sb.buf, "j/k scroll  PgUp/PgDn page  g/G top/bottom"
				    "  / search  n next  q back");
	strbuf_release(&sb);
}

/* README.md holds the tables exactly as the code has them. */
static void t_readme(void **state)
{
	(void)state;
	const char *dir = getenv("FIXTURES");
	assert_non_null(dir);
	char *path = xstrfmt("%s/../../README.md", dir);
	struct strbuf readme = STRBUF_INIT, md = STRBUF_INIT;
	assert_int_equal(strbuf_read_file(&readme, path), 0);
	keys_markdown(&md);
	if (!strstr(readme.buf, md.buf))
		fail_msg("README.md's key tables differ from the code's; they "
			 "should read:\n%s", md.buf);
	strbuf_release(&readme);
	strbuf_release(&md);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_tables_are_sound),
		cmocka_unit_test(t_footers),
		cmocka_unit_test(t_readme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
