/* The dashboard's log view: a target's log, live, of any size. */
#include "tty.h"
#include "../run/dispatch.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tty_log_open(struct run *run, size_t job)
{
	logindex_release(&T.log);
	logindex_init(&T.log, run->info[job].log_path);
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

void tty_log_draw(struct run *run)
{
	int H = LINES, W = COLS;
	const struct job *j = &run->dag.jobs[T.log_job];
	int title = H >= 3, status = H >= 2;
	erase();
	if (H <= 0 || W <= 0)
		return;
	T.log_h = H - title - status;
	if (T.log_h < 0)
		T.log_h = 0;
	if (!T.log.path && run->info[T.log_job].log_path) {
		logindex_init(&T.log, run->info[T.log_job].log_path);
		logindex_update(&T.log, 0);
	}
	log_clamp();
	size_t n = logindex_lines(&T.log);
	if (title) {
		char where[96] = "";
		if (j->node >= 0)
			snprintf(where, sizeof(where), " on %s",
				 run->nodes->v[j->node].name);
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
		tty_put(y, 0, W, "j/k scroll  PgUp/PgDn page  g/G top/bottom  / search  "
			     "n next  q back", tty_pair(P_DIM));
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

void tty_log_key(int ch)
{
	size_t h = T.log_h > 1 ? (size_t)T.log_h : 1;
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
	switch (ch) {
	case 'q':
	case 27:
	case KEY_LEFT:
		tty_log_close();
		return;
	case 'j':
	case KEY_DOWN:
	case '\n':
	case '\r':
	case KEY_ENTER:
		T.top++;
		break;
	case 'k':
	case KEY_UP:
		T.follow = 0;
		if (T.top)
			T.top--;
		break;
	case KEY_NPAGE:
	case ' ':
	case 'f':
	case 6: /* ^F */
		T.top += h;
		break;
	case KEY_PPAGE:
	case 'b':
	case 2: /* ^B */
		T.follow = 0;
		T.top = T.top > h ? T.top - h : 0;
		break;
	case 'd':
		T.top += h / 2;
		break;
	case 'u':
		T.follow = 0;
		T.top = T.top > h / 2 ? T.top - h / 2 : 0;
		break;
	case 'g':
	case '<':
	case KEY_HOME:
		T.follow = 0;
		T.top = 0;
		break;
	case 'G':
	case '>':
	case KEY_END:
		T.follow = 1;
		break;
	case '/':
		T.prompt = 1;
		T.qlen = 0;
		return;
	case 'n':
		if (!T.found[0])
			snprintf(T.note, sizeof(T.note), "no search yet: / to search");
		else
			log_search(T.match >= 0 ? (size_t)T.match + 1 : T.top);
		return;
	default:
		return;
	}
	log_clamp();
}

