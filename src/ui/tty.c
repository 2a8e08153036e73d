/*
 * The terminal dashboard: one block per node with the targets it built
 * or builds, a queue line, counts; a live view of any target's log.
 * Drawn with ncursesw from the dispatcher's loop (no threads): begin,
 * the job events, tick (every UI_TICK_MS and on SIGWINCH), on_input
 * when a key is readable, end. While it is up, dbake's own stderr goes
 * to a file in the run's directory, counted in the footer and replayed
 * on the real stderr at the end.
 */
#include "keys.h"
#include "tty.h"
#include "ui.h"
#include "view.h"
#include "../sched/bound.h"
#include "../util/util.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>


struct tty T = { .saved_err = -1, .msg_fd = -1, .match = -1,
			 .log = LOGINDEX_INIT };

/* ---- what the run looks like ----------------------------------------- */

static const char *mark(const struct job *j)
{
	static const char *spin_u[] = { "\u280b", "\u2819", "\u2839", "\u2838",
					"\u283c", "\u2834", "\u2826", "\u2827",
					"\u2807", "\u280f" };
	static const char *spin_a[] = { "|", "/", "-", "\\" };
	switch (j->state) {
	case JOB_RUNNING:
		return T.utf8 ? spin_u[T.spin % ARRAY_SIZE(spin_u)]
			      : spin_a[T.spin % ARRAY_SIZE(spin_a)];
	case JOB_DONE: return T.utf8 ? "\u2713" : "+";
	case JOB_FAILED: return T.utf8 ? "\u2717" : "x";
	case JOB_SKIPPED: return "~";
	case JOB_CANCELLED: return "-";
	default: return T.utf8 ? "\u00b7" : ".";
	}
}

static attr_t state_attr(const struct job *j)
{
	switch (j->state) {
	case JOB_RUNNING: return tty_pair(P_RUN) | A_BOLD;
	case JOB_DONE: return tty_pair(P_DONE);
	case JOB_FAILED: return tty_pair(P_FAIL) | A_BOLD;
	case JOB_SKIPPED:
	case JOB_CANCELLED: return tty_pair(P_DIM);
	default: return A_NORMAL;
	}
}

const char *tty_state_name(enum job_state s)
{
	switch (s) {
	case JOB_PENDING: return "waiting";
	case JOB_READY: return "queued";
	case JOB_RUNNING: return "building";
	case JOB_DONE: return "built";
	case JOB_FAILED: return "FAILED";
	case JOB_SKIPPED: return "skipped";
	case JOB_CANCELLED: return "cancelled";
	}
	return "?";
}

static int on_node(const struct job *j)
{
	return j->node >= 0 && (j->state == JOB_RUNNING || j->state == JOB_DONE ||
				j->state == JOB_FAILED ||
				j->state == JOB_CANCELLED);
}

static int final(enum job_state s)
{
	return s == JOB_DONE || s == JOB_FAILED || s == JOB_SKIPPED ||
	       s == JOB_CANCELLED;
}

static int by_start(const void *a, const void *b, void *data)
{
	const struct dag *dag = data;
	const struct job *x = &dag->jobs[*(const size_t *)a];
	const struct job *y = &dag->jobs[*(const size_t *)b];
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void add_row(enum row_kind kind, size_t idx)
{
	ALLOC_GROW(T.rows, T.nrows + 1, T.rows_alloc);
	T.rows[T.nrows++] = (struct row){ kind, idx };
}

/* Every node with the targets it built or builds, in start order; then
 * what will not be built. */
static void build_rows(const struct run_view *view)
{
	T.nrows = 0;
	if (!T.order)
		T.order = xcalloc(view->dag->nr + 1, sizeof(*T.order));
	for (size_t n = 0; n < view->nodes->nr; n++) {
		size_t k = 0;
		add_row(ROW_NODE, n);
		for (size_t i = 0; i < view->dag->nr; i++)
			if (view->dag->jobs[i].node == (int)n &&
			    on_node(&view->dag->jobs[i]))
				T.order[k++] = i;
		qsort_r(T.order, k, sizeof(*T.order), by_start, (void *)view->dag);
		for (size_t i = 0; i < k; i++)
			add_row(ROW_JOB, T.order[i]);
	}
	size_t title = T.nrows;
	for (size_t i = 0; i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		if (j->state != JOB_SKIPPED &&
		    !(j->state == JOB_CANCELLED && !on_node(j)))
			continue;
		if (title == T.nrows)
			add_row(ROW_TITLE, 0);
		add_row(ROW_JOB, i);
	}
}

static ssize_t row_of(size_t job)
{
	for (size_t r = 0; r < T.nrows; r++)
		if (T.rows[r].kind == ROW_JOB && T.rows[r].idx == job)
			return (ssize_t)r;
	return -1;
}

/* Keep the selection on its target; if it has no row, the nearest. */
static void fix_selection(void)
{
	ssize_t r = T.has_sel ? row_of(T.sel) : -1;
	if (r >= 0) {
		T.sel_pos = (size_t)r;
		return;
	}
	T.has_sel = 0;
	if (!T.nrows)
		return;
	if (T.sel_pos >= T.nrows)
		T.sel_pos = T.nrows - 1;
	for (size_t d = 0; d < T.nrows; d++) {
		size_t cand[2] = { T.sel_pos + d, T.sel_pos - d };
		for (int k = 0; k < 2; k++) {
			if ((k == 1 && d > T.sel_pos) || cand[k] >= T.nrows)
				continue;
			if (T.rows[cand[k]].kind == ROW_JOB) {
				T.sel_pos = cand[k];
				T.sel = T.rows[cand[k]].idx;
				T.has_sel = 1;
				return;
			}
		}
	}
}

/* Seconds left when every duration is known, from the longest chain
 * left and the work left spread over the nodes; -1 if unknown. */
static double seconds_left(const struct run_view *view, long long now)
{
	if (view->lower_bound <= 0)
		return -1;
	double work = 0, chain = 0;
	int capacity = 0;
	for (size_t i = 0; i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		if (final(j->state))
			continue;
		double ran = j->state == JOB_RUNNING ? (double)(now - j->start_ms) / 1000.0
						      : 0;
		if (ran > j->estimate)
			ran = j->estimate;
		work += j->estimate - ran;
		if (j->rank - ran > chain)
			chain = j->rank - ran;
	}
	for (size_t n = 0; n < view->nodes->nr; n++)
		capacity += view->stats[n].capacity ? view->stats[n].capacity
						   : view->stats[n].slots;
	return lower_bound(chain, work, capacity ? capacity : 1);
}

static size_t node_running(const struct run_view *view, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < view->dag->nr; i++)
		k += view->dag->jobs[i].node == (int)n &&
		     view->dag->jobs[i].state == JOB_RUNNING;
	return k;
}

static void draw_node(const struct run_view *view, int y, size_t n, int width)
{
	const struct node *nd = &view->nodes->v[n];
	size_t total = 0, finished = 0, running = 0;
	for (size_t i = 0; i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		if (j->node != (int)n || !on_node(j))
			continue;
		total++;
		finished += j->state != JOB_RUNNING;
		running += j->state == JOB_RUNNING;
	}
	int x = tty_put(y, 0, width, nd->name, tty_pair(P_HEAD) | A_BOLD);
	char st[64];
	if (running)
		snprintf(st, sizeof(st), "  building %zu", running);
	else
		snprintf(st, sizeof(st), "  idle");
	x += tty_put(y, x, width - x, st, running ? tty_pair(P_RUN) : tty_pair(P_DIM));
	if (width - x >= 22) {
		x += 2;
		tty_bar(y, x, 12, (int)finished, (int)total, A_NORMAL);
		x += 12;
		x += tty_putf(y, x, width - x, A_NORMAL, " %zu/%zu", finished, total);
	}
	const struct strvec *pl = nd->pinned.nr ? &nd->pinned : &nd->platforms;
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < pl->nr; k++)
		strbuf_addf(&sb, "%s%s", k ? "," : "  ", pl->v[k]);
	tty_put(y, x, width - x, sb.buf, tty_pair(P_DIM));
	strbuf_release(&sb);
}

static void draw_job(const struct run_view *view, int y, size_t idx, int width,
		     size_t namew, long long now)
{
	const struct job *j = &view->dag->jobs[idx];
	const struct job_info *in = &view->info[idx];
	const struct progress *p = &in->progress;
	int x = width >= 40 ? 2 : 0;
	attr_t sa = state_attr(j);

	x += tty_put(y, x, width - x, mark(j), sa);
	x++;
	/* name column */
	int nw = (int)namew;
	if (nw > width - x)
		nw = width - x;
	if (nw <= 0)
		return;
	tty_put(y, x, nw, j->name, j->state == JOB_RUNNING ? A_BOLD : A_NORMAL);
	x += nw + 1;

	/* duration, right-aligned at the end */
	char dur[48] = "";
	int durw = width >= 100 ? 14 : width >= 30 ? 7 : 0;
	if (durw && (j->state == JOB_RUNNING || (final(j->state) && j->start_ms &&
						  on_node(j)))) {
		long long ms = (j->state == JOB_RUNNING ? now : j->end_ms) - j->start_ms;
		format_duration(dur, sizeof(dur), ms);
		if (j->state == JOB_RUNNING && j->known && durw >= 14) {
			char est[32];
			format_duration(est, sizeof(est), (long long)(j->estimate * 1000));
			size_t l = strlen(dur);
			snprintf(dur + l, sizeof(dur) - l, "/~%s", est);
		}
	}
	int end = width - durw;
	if (durw && x < end)
		tty_put_right(y, end, durw, dur, A_NORMAL);
	end -= durw ? 1 : 0;

	/* progress bar and step counts */
	if (on_node(j) && end - x >= 40) {
		int done = j->state == JOB_DONE ? p->steps : p->done;
		tty_bar(y, x, 12, done, j->state == JOB_DONE && !p->steps ? 1 : p->steps,
		    j->state == JOB_FAILED ? tty_pair(P_FAIL) : A_NORMAL);
		x += 13;
		if (p->steps)
			tty_putf(y, x, 7, A_NORMAL, "%d/%d", p->done, p->steps);
		x += 8;
	}
	if (end <= x)
		return;

	/* what it does, or how it ended */
	char text[512];
	switch (j->state) {
	case JOB_RUNNING:
		snprintf(text, sizeof(text), "%s", p->current[0] ? p->current
				: p->steps ? "" : "starting");
		tty_put(y, x, end - x, text, A_NORMAL);
		return;
	case JOB_DONE:
		if (p->cached)
			snprintf(text, sizeof(text), "built (%d/%d steps cached)",
				 p->cached, p->steps);
		else
			snprintf(text, sizeof(text), "built");
		break;
	case JOB_FAILED:
		snprintf(text, sizeof(text), "FAILED (exit %d)%s%s", in->exit_code,
			 p->error[0] ? ": " : "", p->error);
		break;
	case JOB_SKIPPED:
		snprintf(text, sizeof(text), "skipped: blocked by %s",
			 j->blocked_by < view->dag->nr ? view->dag->jobs[j->blocked_by].name
						      : "?");
		break;
	case JOB_CANCELLED:
		snprintf(text, sizeof(text), on_node(j) ? "cancelled"
							: "cancelled before it started");
		break;
	default:
		snprintf(text, sizeof(text), "%s", tty_state_name(j->state));
		break;
	}
	tty_put(y, x, end - x, text, sa);
}

/* "queue 12: a b c +9   idle: n2": the idle nodes always show */
static void draw_queue(const struct run_view *view, int y, int width)
{
	struct strbuf sb = STRBUF_INIT, idle = STRBUF_INIT;
	size_t queued = 0, shown = 0;
	for (size_t n = 0; n < view->nodes->nr; n++)
		if (!node_running(view, n))
			strbuf_addf(&idle, "%s%s", idle.len ? " " : "   idle: ",
				    view->nodes->v[n].name);
	size_t budget = (size_t)width > idle.len + 20 ? (size_t)width - idle.len
						      : (size_t)width;
	for (size_t i = 0; i < view->dag->nr; i++)
		queued += view->dag->jobs[i].state == JOB_PENDING ||
			  view->dag->jobs[i].state == JOB_READY;
	strbuf_addf(&sb, "queue %zu:", queued);
	if (!queued)
		strbuf_addstr(&sb, " empty");
	/* ready ones first: they start next */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < view->dag->nr && shown < queued; i++) {
			const struct job *j = &view->dag->jobs[i];
			if (j->state != (pass ? JOB_PENDING : JOB_READY))
				continue;
			if (sb.len + strlen(j->name) + 8 > budget) {
				strbuf_addf(&sb, " +%zu", queued - shown);
				shown = queued;
				break;
			}
			strbuf_addf(&sb, " %s", j->name);
			shown++;
		}
	int x = tty_put(y, 0, width, sb.buf, A_NORMAL);
	tty_put(y, x, width - x, idle.buf, tty_pair(P_DIM));
	strbuf_release(&sb);
	strbuf_release(&idle);
}

static void draw_overview(const struct run_view *view)
{
	int H = LINES, W = COLS;
	long long now = now_ms();
	char el[32];
	struct run_counts c;
	run_count(view, &c);
	format_duration(el, sizeof(el), now - view->start_ms);
	build_rows(view);
	fix_selection();
	erase();
	if (H <= 0 || W <= 0)
		return;

	double left = seconds_left(view, now);
	int header = H >= 2, rules = H >= 10, queue = H >= 8, keys = H >= 6;
	int info = H >= 12 && (left >= 0 || view->stopping);
	int msgs = H >= 12 && T.nmsgs;
	int top = header + info + rules;
	int bottom = 1 + keys + queue + msgs + rules;
	T.body_h = H - top - bottom;
	if (T.body_h < 0)
		T.body_h = 0;

	int y = 0;
	if (header) {
		int x = tty_put(y, 0, W, "dbake", A_BOLD);
		tty_putf(y, x, W - x, A_NORMAL,
		     "  builder %s  %zu node%s  %zu target%s  elapsed %s",
		     view->nodes->builder, view->nodes->nr,
		     view->nodes->nr == 1 ? "" : "s", view->dag->nr,
		     view->dag->nr == 1 ? "" : "s", el);
		y++;
	}
	if (info) {
		int x = 0;
		if (left >= 0) {
			char lb[32], fin[32], lf[32];
			format_duration(lb, sizeof(lb), (long long)(view->lower_bound * 1000));
			format_duration(fin, sizeof(fin),
					now - view->start_ms + (long long)(left * 1000));
			format_duration(lf, sizeof(lf), (long long)(left * 1000));
			x += tty_putf(y, x, W - x, A_NORMAL,
				  "lower bound %s  est. finish ~%s (%s left)  ", lb,
				  fin, lf);
		}
		if (view->stopping)
			tty_putf(y, x, W - x, tty_pair(P_FAIL) | A_BOLD,
			     "stopping: %s, waiting for %zu build%s", T.why,
			     c.running, c.running == 1 ? "" : "s");
		y++;
	}
	if (rules) {
		tty_rule(y);
		if (T.scroll > 0 && W >= 20)
			tty_putf(y, W - 14, 12, A_NORMAL, " %zu above ", T.scroll);
		y++;
	}

	/* the body: scroll so the selection shows, its node header too */
	size_t h = (size_t)T.body_h;
	if (T.has_sel && h) {
		if (T.sel_pos < T.scroll) {
			T.scroll = T.sel_pos;
			if (T.scroll && T.rows[T.scroll - 1].kind != ROW_JOB && h > 1)
				T.scroll--;
		}
		if (T.sel_pos >= T.scroll + h)
			T.scroll = T.sel_pos - h + 1;
	}
	if (T.scroll + h > T.nrows)
		T.scroll = T.nrows > h ? T.nrows - h : 0;
	size_t namew = 8;
	for (size_t i = 0; i < view->dag->nr; i++) {
		size_t l = strlen(view->dag->jobs[i].name);
		if (l > namew)
			namew = l;
	}
	size_t cap = W >= 60 ? (size_t)W / 3 : (size_t)W / 2;
	if (namew > cap)
		namew = cap ? cap : 1;
	for (size_t r = T.scroll; r < T.scroll + h && r < T.nrows; r++, y++) {
		const struct row *row = &T.rows[r];
		switch (row->kind) {
		case ROW_NODE:
			draw_node(view, y, row->idx, W);
			break;
		case ROW_TITLE:
			tty_put(y, 0, W, "not built", tty_pair(P_HEAD) | A_BOLD);
			break;
		case ROW_JOB:
			draw_job(view, y, row->idx, W, namew, now);
			if (T.has_sel && r == T.sel_pos)
				mvchgat(y, 0, tty_room(y, 0), A_REVERSE, 0, NULL);
			break;
		}
	}
	y = H - bottom;
	if (rules) {
		tty_rule(y);
		size_t below = T.nrows > T.scroll + h ? T.nrows - T.scroll - h : 0;
		if (below && W >= 20)
			tty_putf(y, W - 14, 12, A_NORMAL, " %zu below ", below);
		y++;
	}
	if (queue)
		draw_queue(view, y++, W);
	if (msgs) {
		int x = tty_putf(y, 0, W, tty_pair(P_WARN), "%zu message%s (%s/%s): ", T.nmsgs,
			     T.nmsgs == 1 ? "" : "s", view->log_dir, MESSAGES_FILE);
		tty_put(y, x, W - x, T.last_msg, tty_pair(P_WARN));
		y++;
	}
	/* counts, and the keys (or the question, or why it stops) */
	if (T.confirm && !keys) { /* no keys line: the question wins */
		tty_putf(y, 0, W, tty_pair(P_FAIL) | A_BOLD | A_REVERSE, "Quit? y/n");
		return;
	}
	int x = 0, wide = W >= 60;
	const char *sep = wide ? "  " : " ";
	x += tty_putf(y, x, W - x, A_NORMAL, "%s %zu", wide ? "done" : "ok", c.done);
	x += tty_putf(y, x, W - x, c.running ? tty_pair(P_RUN) : A_NORMAL, "%s%s %zu",
		  sep, wide ? "building" : "run", c.running);
	x += tty_putf(y, x, W - x, A_NORMAL, "%s%s %zu", sep,
		  wide ? "pending" : "wait", c.pending);
	x += tty_putf(y, x, W - x, c.failed ? tty_pair(P_FAIL) | A_BOLD : A_NORMAL,
		  "%s%s %zu", sep, wide ? "failed" : "fail", c.failed);
	x += tty_putf(y, x, W - x, c.skipped ? tty_pair(P_FAIL) : A_NORMAL, "%s%s %zu",
		  sep, wide ? "skipped" : "skip", c.skipped);
	if (c.cancelled)
		x += tty_putf(y, x, W - x, tty_pair(P_DIM), "%s%s %zu", sep,
			  wide ? "cancelled" : "cxl", c.cancelled);
	tty_putf(y, x, W - x, A_NORMAL, "%s%s", sep, el);
	y++;
	if (!keys)
		return;
	if (T.confirm) {
		/* the longest form that fits: y/n must show */
		char q[3][128];
		snprintf(q[0], sizeof(q[0]),
			 "Quit? This cancels %zu running and %zu pending build%s. y/n",
			 c.running, c.pending, c.running + c.pending == 1 ? "" : "s");
		snprintf(q[1], sizeof(q[1]), "Quit and cancel %zu builds? y/n",
			 c.running + c.pending);
		snprintf(q[2], sizeof(q[2]), "Quit? y/n");
		int k = 0;
		while (k < 2 && (int)strlen(q[k]) > tty_room(y, 0))
			k++;
		tty_put(y, 0, W, q[k], tty_pair(P_FAIL) | A_BOLD | A_REVERSE);
	}
	else if (T.note[0] && now < T.note_until)
		tty_put(y, 0, W, T.note, A_BOLD);
	else if (view->stopping && !info)
		tty_putf(y, 0, W, tty_pair(P_FAIL) | A_BOLD, "stopping: %s", T.why);
	else
		tty_put_keys(y, &tty_overview_keys);
}

/* ---- curses ------------------------------------------------------------ */

static void draw(const struct run_view *view)
{
	if (!T.up)
		return;
	if (T.view == VIEW_LOG)
		tty_log_draw(view);
	else
		draw_overview(view);
	refresh();
}

static void resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

static void restore_locale(void)
{
	if (!T.old_ctype)
		return;
	setlocale(LC_CTYPE, T.old_ctype);
	free(T.old_ctype);
	T.old_ctype = NULL;
}

static int start_curses(void)
{
	T.old_ctype = xstrdup(setlocale(LC_CTYPE, NULL));
	setlocale(LC_CTYPE, "");
	T.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	fflush(stdout);
	T.screen = newterm(NULL, stdout, stdin);
	if (!T.screen) {
		restore_locale();
		return -1;
	}
	set_term(T.screen);
	resize(); /* the terminal's own size, not a stale $LINES/$COLUMNS */
	cbreak(); /* not raw: Ctrl+C stays SIGINT, for the dispatcher */
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	typeahead(-1);
	set_escdelay(50);
	curs_set(0);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(P_DONE, COLOR_GREEN, -1);
		init_pair(P_RUN, COLOR_YELLOW, -1);
		init_pair(P_FAIL, COLOR_RED, -1);
		init_pair(P_DIM, COLOR_BLUE, -1);
		init_pair(P_HEAD, COLOR_CYAN, -1);
		init_pair(P_WARN, COLOR_MAGENTA, -1);
		T.color = 1;
	}
	T.up = 1;
	return 0;
}

static void stop_curses(int release)
{
	if (!T.up)
		return;
	T.up = 0;
	curs_set(1);
	endwin();
	if (release) {
		delscreen(T.screen);
		T.screen = NULL;
	}
	fflush(stdout);
}

/* ---- the ui_ops ---------------------------------------------------------- */

static void tty_begin(const struct run_view *view)
{
	T.msg_line = (struct strbuf)STRBUF_INIT;
	if (start_curses() < 0) {
		T.fallback = 1;
		warning("cannot drive this terminal (TERM=%s); printing lines",
			getenv("TERM") ? getenv("TERM") : "");
		ui_plain.begin(view);
		return;
	}
	tty_redirect_stderr(view);
	draw(view);
}

static void tty_started(const struct run_view *view, size_t job)
{
	if (T.fallback)
		ui_plain.job_started(view, job);
}

static void tty_finished(const struct run_view *view, size_t job)
{
	if (T.fallback)
		ui_plain.job_finished(view, job);
}

static void tty_stopping(const struct run_view *view, const char *why)
{
	if (T.fallback) {
		ui_plain.stopping(view, why);
		return;
	}
	snprintf(T.why, sizeof(T.why), "%s", why);
	T.confirm = 0;
	draw(view);
}

static void tty_end(const struct run_view *view)
{
	if (T.fallback) {
		ui_plain.end(view);
		return;
	}
	stop_curses(1);
	tty_restore_stderr();
	restore_locale();
	tty_replay_messages();
	if (T.msg_fd >= 0)
		close(T.msg_fd);
	T.msg_fd = -1;
	free(T.msg_path);
	T.msg_path = NULL;
	strbuf_release(&T.msg_line);
	logindex_release(&T.log);
	free(T.rows);
	T.rows = NULL;
	T.nrows = T.rows_alloc = 0;
	free(T.order);
	T.order = NULL;
	ui_summary(view);
}

static int tty_input_fd(const struct run_view *view)
{
	(void)view;
	return T.up && !T.dead_input ? STDIN_FILENO : -1;
}

static int tty_on_input(const struct run_view *view)
{
	if (!T.up)
		return 0;
	int ch, any = 0, cancel = 0;
	while ((ch = getch()) != ERR) {
		T.dry = 0;
		if (ch == KEY_RESIZE)
			continue; /* resizeterm's own echo: tick resizes */
		any = 1;
		if (T.view == VIEW_LOG) {
			tty_log_key(view, ch);
			continue;
		}
		build_rows(view);
		fix_selection();
		cancel |= tty_overview_key(view, ch);
	}
	if (any)
		draw(view);
	else if (++T.dry > 50)
		T.dead_input = 1; /* readable, yet no key: the terminal is gone */
	return cancel;
}

static void tty_tick(const struct run_view *view, int resized)
{
	if (!T.up)
		return;
	if (resized)
		resize();
	T.spin++;
	tty_read_messages();
	if (T.view == VIEW_LOG)
		logindex_update(&T.log, 0);
	draw(view);
}

/* The die hook: give the terminal back so the message shows. */
static void tty_emergency(void)
{
	stop_curses(0);
	tty_restore_stderr();
}

const struct ui_ops ui_tty = {
	.begin = tty_begin,
	.job_started = tty_started,
	.job_finished = tty_finished,
	.stopping = tty_stopping,
	.end = tty_end,
	.input_fd = tty_input_fd,
	.on_input = tty_on_input,
	.tick = tty_tick,
	.emergency = tty_emergency,
};
