/*
 * The overview's keys: its key table, the selection it moves, quitting.
 * (The log view's are in tty_log.c, next to what they scroll.)
 */
#include "keys.h"
#include "tty.h"
#include "view.h"
#include "../util/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

/* Move the selection `delta` rows (a page, or one selectable row). */
static void move_sel(long delta, int by_rows)
{
	if (!T.has_sel)
		return;
	long pos = (long)T.sel_pos, last = (long)T.nrows - 1;
	long step = delta < 0 ? -1 : 1;
	long want;
	if (by_rows) {
		want = pos + delta;
		if (want < 0)
			want = 0;
		if (want > last)
			want = last;
		/* the nearest target at or before that row, going back */
		for (long p = want; p != pos; p -= step)
			if (T.rows[p].kind == ROW_JOB) {
				T.sel_pos = (size_t)p;
				T.sel = T.rows[p].idx;
				return;
			}
		return;
	}
	for (long n = labs(delta), p = pos + step; n > 0 && p >= 0 && p <= last;
	     p += step)
		if (T.rows[p].kind == ROW_JOB) {
			T.sel_pos = (size_t)p;
			T.sel = T.rows[p].idx;
			n--;
		}
}

/* Select the first or the last target. */
static void select_end(int last)
{
	for (size_t k = 0; k < T.nrows; k++) {
		size_t r = last ? T.nrows - 1 - k : k;
		if (T.rows[r].kind == ROW_JOB) {
			T.sel_pos = r;
			T.sel = T.rows[r].idx;
			T.has_sel = 1;
			return;
		}
	}
}

static int busy(const struct run_view *view)
{
	struct run_counts c;
	run_count(view, &c);
	return c.running || c.pending;
}

static long page_rows(void)
{
	return T.body_h > 1 ? T.body_h - 1 : 1;
}

static void key_down(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	move_sel(1, 0);
}

static void key_up(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	move_sel(-1, 0);
}

static void key_page_down(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	move_sel(page_rows(), 1);
}

static void key_page_up(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	move_sel(-page_rows(), 1);
}

static void key_first(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	select_end(0);
}

static void key_last(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	select_end(1);
}

static void key_open_log(const struct run_view *view, int code)
{
	(void)code;
	if (T.has_sel)
		tty_log_open(view, T.sel);
}

static void key_quit(const struct run_view *view, int code)
{
	(void)code;
	if (view->stopping) {
		snprintf(T.note, sizeof(T.note),
			 "already stopping; Ctrl+C again kills the builds");
		T.note_until = now_ms() + 3000;
	} else if (busy(view)) {
		T.confirm = 1;
	} /* else the run is ending by itself: nothing to cancel */
}

void tty_key_redraw(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	clearok(curscr, TRUE);
}

static const struct key_binding overview_bindings[] = {
	{ { 'j', KEY_DOWN }, "j/k select", "j/k \u2191\u2193 select",
	  "`j`/`k`, arrows",
	  "select a target (the list scrolls; the selection stays on its target)",
	  key_down },
	{ { 'k', KEY_UP }, NULL, NULL, NULL, NULL, key_up },
	{ { '\n', '\r', KEY_ENTER, 'l', KEY_RIGHT }, "Enter log", NULL,
	  "`Enter`, `l`, right arrow", "the selected target's log, live",
	  key_open_log },
	{ { KEY_NPAGE, ' ', 6 }, "PgUp/PgDn page", NULL,
	  "`PgUp`/`PgDn`, `Ctrl+B`/`Ctrl+F`, `Space`", "a page up / down",
	  key_page_down },
	{ { KEY_PPAGE, 2 }, NULL, NULL, NULL, NULL, key_page_up },
	{ { 'g', KEY_HOME }, NULL, NULL, "`g`/`G`, `Home`/`End`",
	  "the first / the last target", key_first },
	{ { 'G', KEY_END }, NULL, NULL, NULL, NULL, key_last },
	{ { 'q', 27 }, "q quit", NULL, "`q`, `Esc`",
	  "quit (asks first while builds run: quitting cancels them, exit 130)",
	  key_quit },
	{ { 12 }, NULL, NULL, "`Ctrl+L`", "redraw the screen", tty_key_redraw },
	{ { 0 }, "Ctrl+C cancel", NULL, "`Ctrl+C`",
	  "cancel every build at once (exit 130; again: kill them)", NULL },
};

const struct key_table tty_overview_keys = {
	"overview", overview_bindings, ARRAY_SIZE(overview_bindings),
};

int tty_overview_key(const struct run_view *view, int ch)
{
	if (T.confirm) {
		if (ch == 'y' || ch == 'Y') {
			T.confirm = 0;
			return 1;
		} else if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q') {
			T.confirm = 0;
		}
		return 0;
	}
	key_dispatch(&tty_overview_keys, view, ch);
	return 0;
}

