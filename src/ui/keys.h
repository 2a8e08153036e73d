/*
 * Key bindings as data, in the manner of tmux's key tables: one table per
 * view of the dashboard. A table drives the view's key dispatch, its
 * footer help and README's key tables (keys_markdown; a unit test holds
 * README to it).
 */
#ifndef DBAKE_KEYS_H
#define DBAKE_KEYS_H

#include "../util/strbuf.h"

struct run_view;

#define KEY_CODES 8

struct key_binding {
	int codes[KEY_CODES];  /* the keys (curses codes), 0-terminated;
				  none: said in help only (Ctrl+C) */
	const char *footer;    /* in the footer, ASCII, or NULL */
	const char *footer_utf8; /* the same with UTF-8 arrows, or NULL */
	const char *doc_keys;  /* README's key column (Markdown) */
	const char *doc;       /* README's action column */
	void (*fn)(const struct run_view *view, int code);
};

struct key_table {
	const char *name;      /* the view: "overview", "log view" */
	const struct key_binding *v;
	size_t nr;
};

/* The binding of `code` in the table, or NULL. */
const struct key_binding *key_lookup(const struct key_table *t, int code);

/* Run the binding of `code`; 0 if it has none. */
int key_dispatch(const struct key_table *t, const struct run_view *view, int code);

/* The footer: each binding's footer text, two spaces apart. */
void key_footer(const struct key_table *t, int utf8, struct strbuf *out);

/* The Markdown tables of README.md, one per view. */
void keys_markdown(struct strbuf *out);

extern const struct key_table tty_overview_keys;
extern const struct key_table tty_log_keys;

#endif
