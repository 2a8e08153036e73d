#include "keys.h"

#include <stddef.h>

const struct key_binding *key_lookup(const struct key_table *t, int code)
{
	for (size_t i = 0; i < t->nr; i++)
		for (size_t k = 0; k < KEY_CODES && t->v[i].codes[k]; k++)
			if (t->v[i].codes[k] == code)
				return &t->v[i];
	return NULL;
}

int key_dispatch(const struct key_table *t, const struct run_view *view, int code)
{
	const struct key_binding *b = key_lookup(t, code);
	if (!b || !b->fn)
		return 0;
	b->fn(view, code);
	return 1;
}

void key_footer(const struct key_table *t, int utf8, struct strbuf *out)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct key_binding *b = &t->v[i];
		const char *text = utf8 && b->footer_utf8 ? b->footer_utf8
							  : b->footer;
		if (!text)
			continue;
		if (out->len)
			strbuf_addstr(out, "  ");
		strbuf_addstr(out, text);
	}
}

static void table_markdown(const struct key_table *t, struct strbuf *out)
{
	strbuf_addf(out, "| Key (%s) | Action |\n|---|---|\n", t->name);
	for (size_t i = 0; i < t->nr; i++)
		if (t->v[i].doc_keys)
			strbuf_addf(out, "| %s | %s |\n", t->v[i].doc_keys,
				    t->v[i].doc);
}

void keys_markdown(struct strbuf *out)
{
	table_markdown(&tty_overview_keys, out);
	strbuf_addch(out, '\n');
	table_markdown(&tty_log_keys, out);
}
