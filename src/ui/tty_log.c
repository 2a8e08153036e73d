/* The dashboard's log view: a target's log, live, of any size. */
#include "keys.h"
#include "tty.h"
#include "view.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tty_log_open(const struct run_view *view, size_t job)
{
	logindex_release(&T.log);
	logindex_init(&T.log, view->info[job].log_path);
	logindex_update(&T.log, 0);
	T.view = VIEW_LOG;
	T.log_job = job;
	T.top = 0;
	T.follow = 1;
	T.prompt = 0;
	T.match = -1;
	T.note[0] = '\0';
}

void tty_log_close(void)
{
	logindex_release(&T.log);
	T.view = VIEW_OVERVIEW;
	T.prompt = 0;
	T.note[0] = '\0';
}

static void log_clamp(void)
{
	size_t n = logindex_lines(&T.log), h = T.log_h > 0 ? (size_t)T.log_h : 1;
	size_t max = n > h ? n - h : 0;
	if (T.follow || T.top > max)
		T.top = max;
	T.follow = T.top >= max;
}

void tty_log_draw(const struct run_view *view)
{
	int H = LINES, W = COLS;
	const struct job *j = &view->dag->jobs[T.log_job];
	int title = H >= 3, status = H >= 2;
	erase();
	if (H <= 0 || W <= 0)
		return;
	T.log_h = H - title - status;
	if (T.log_h < 0)
		T.log_h = 0;
	if (!T.log.path && view->info[T.log_job].log_path) {
		logindex_init(&T.log, view->info[T.log_job].log_path);
		logindex_update(&T.log, 0);
	}
	log_clamp();
	size_t n = logindex_lines(&T.log);
	if (title) {
		char where[96] = "";
		if (j->node >= 0)
			snprintf(where, sizeof(where), " on %s",
				 view->nodes->v[j->node].name);
		size_t last = T.top + (size_t)T.log_h < n ? T.top + (size_t)T.log_h : n;
		mvchgat(0, 0, tty_room(0, 0), A_REVERSE, 0, NULL);
		int x = tty_putf(0, 0, W, A_REVERSE | A_BOLD, " %s", j->name);
		x += tty_putf(0, x, W - x, A_REVERSE, "  %s%s  lines %zu-%zu of %zu%s%s  ",
			  tty_state_name(j->state), where, n ? T.top + 1 : 0, last, n,
			  logindex_behind(&T.log) ? "+" : "",
			  T.follow ? "  (following)" : "");
		if (T.log.path)
			tty_put(0, x, W - x, T.log.path, A_REVERSE);
	}
	int y0 = title;
	if (!T.log.path) {
		tty_put(y0, 0, W, "no log yet: this target has not started", tty_pair(P_DIM));
	} else if (!n && T.log_h) {
		tty_put(y0, 0, W, T.log.fd < 0 ? "the log cannot be opened" : "(empty)",
		    tty_pair(P_DIM));
	}
	size_t max = (size_t)W * 4 + 16;
	char *buf = xmalloc(max);
	unsigned char *hl = xmalloc(max);
	size_t flen = strlen(T.found);
	for (int i = 0; i < T.log_h; i++) {
		size_t line = T.top + (size_t)i;
		ssize_t got = logindex_read(&T.log, line, buf, max, NULL);
		if (got < 0)
			break;
		memset(hl, 0, (size_t)got);
		if (flen)
			for (const char *p = buf, *e = buf + got;
			     (p = memmem(p, (size_t)(e - p), T.found, flen)); p += flen)
				memset(hl + (p - buf), 1, flen);
		tty_put_hl(y0 + i, 0, W, buf, (size_t)got,
		       (ssize_t)line == T.match ? A_BOLD : A_NORMAL, flen ? hl : NULL);
	}
	free(buf);
	free(hl);
	if (!status)
		return;
	int y = H - 1;
	if (T.prompt) {
		int x = tty_put(y, 0, W, "/", A_BOLD);
		x += tty_put_hl(y, x, W - x, T.query, T.qlen, A_NORMAL, NULL);
		tty_put(y, x, W - x, "_", A_BOLD);
	} else if (T.note[0]) {
		tty_put(y, 0, W, T.note, A_BOLD);
	} else {
		tty_put_keys(y, &tty_log_keys);
	}
}

/* Search from line `from` on, then from the top. */
static void log_search(size_t from)
{
	size_t flen = strlen(T.found), n = logindex_lines(&T.log);
	T.note[0] = '\0';
	if (!flen)
		return;
	ssize_t hit = logindex_search(&T.log, from, T.found, flen);
	if (hit < 0 && from > 0) {
		hit = logindex_search(&T.log, 0, T.found, flen);
		if (hit >= 0)
			snprintf(T.note, sizeof(T.note),
				 "search wrapped to the top");
	}
	if (hit < 0) {
		snprintf(T.note, sizeof(T.note), "not found: %s", T.found);
		return;
	}
	T.match = hit;
	size_t h = T.log_h > 0 ? (size_t)T.log_h : 1;
	size_t third = h / 3;
	T.top = (size_t)hit > third ? (size_t)hit - third : 0;
	if (T.top + h > n)
		T.top = n > h ? n - h : 0;
	T.follow = 0;
	log_clamp();
}

static size_t view_rows(void)
{
	return T.log_h > 1 ? (size_t)T.log_h : 1;
}

static void key_back(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	tty_log_close();
}

static void key_line_down(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	T.top++;
	log_clamp();
}

static void key_line_up(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	T.follow = 0;
	if (T.top)
		T.top--;
	log_clamp();
}

static void key_page_down(const struct run_view *view, int code)
{
	(void)view;
	T.top += code == 'd' ? view_rows() / 2 : view_rows();
	log_clamp();
}

static void key_page_up(const struct run_view *view, int code)
{
	size_t by = code == 'u' ? view_rows() / 2 : view_rows();
	(void)view;
	T.follow = 0;
	T.top = T.top > by ? T.top - by : 0;
	log_clamp();
}

static void key_top(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	T.follow = 0;
	T.top = 0;
	log_clamp();
}

static void key_bottom(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	T.follow = 1;
	log_clamp();
}

static void key_search(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	T.prompt = 1;
	T.qlen = 0;
}

static void key_next(const struct run_view *view, int code)
{
	(void)view;
	(void)code;
	if (!T.found[0])
		snprintf(T.note, sizeof(T.note), "no search yet: / to search");
	else
		log_search(T.match >= 0 ? (size_t)T.match + 1 : T.top);
}

static const struct key_binding log_bindings[] = {
	{ { 'j', KEY_DOWN, '\n', '\r', KEY_ENTER }, "j/k scroll", NULL,
	  "`j`/`k`, arrows, `Enter`", "scroll a line", key_line_down },
	{ { 'k', KEY_UP }, NULL, NULL, NULL, NULL, key_line_up },
	{ { KEY_NPAGE, ' ', 'f', 6, 'd' }, "PgUp/PgDn page", NULL,
	  "`PgUp`/`PgDn`, `b`/`f`, `Ctrl+B`/`Ctrl+F`, `Space`; `u`/`d`",
	  "a page up / down; half a page", key_page_down },
	{ { KEY_PPAGE, 'b', 2, 'u' }, NULL, NULL, NULL, NULL, key_page_up },
	{ { 'g', '<', KEY_HOME }, "g/G top/bottom", NULL,
	  "`g`/`G`, `Home`/`End`, `<`/`>`",
	  "the top / the bottom (and follow the log as it grows)", key_top },
	{ { 'G', '>', KEY_END }, NULL, NULL, NULL, NULL, key_bottom },
	{ { '/' }, "/ search", NULL, "`/`",
	  "search (`Enter` finds, `Esc` gives up, wraps to the top)",
	  key_search },
	{ { 'n' }, "n next", NULL, "`n`", "the next match", key_next },
	{ { 'q', 27, KEY_LEFT }, "q back", NULL, "`q`, `Esc`, left arrow",
	  "back to the overview", key_back },
	{ { 12 }, NULL, NULL, "`Ctrl+L`", "redraw the screen", tty_key_redraw },
};

const struct key_table tty_log_keys = {
	"log view", log_bindings, ARRAY_SIZE(log_bindings),
};

void tty_log_key(const struct run_view *view, int ch)
{
	if (T.prompt) {
		if (ch == 27) {
			T.prompt = 0;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			T.prompt = 0;
			if (T.qlen) {
				memcpy(T.found, T.query, T.qlen);
				T.found[T.qlen] = '\0';
				T.match = -1;
				log_search(T.top);
			}
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (T.qlen)
				T.qlen--;
		} else if (ch == 21) { /* ^U */
			T.qlen = 0;
		} else if (ch >= 0x20 && ch < 0x7f && T.qlen + 1 < sizeof(T.query)) {
			T.query[T.qlen++] = (char)ch;
		}
		return;
	}
	T.note[0] = '\0';
	key_dispatch(&tty_log_keys, view, ch);
}
