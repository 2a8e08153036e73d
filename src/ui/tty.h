/*
 * Shared by the dashboard's files (tty.c: overview, input, terminal;
 * tty_keys.c: the overview's keys; tty_log.c: the log view and its keys;
 * tty_text.c: writing text;
 * tty_msgs.c: dbake's own messages): its state and the text primitives that
 * never write past the screen's edge nor let control bytes through.
 * Not for other modules: the UI's interface is ui.h.
 */
#ifndef DBAKE_TTY_H
#define DBAKE_TTY_H

#define NCURSES_WIDECHAR 1

#include "logview.h"
#include "../sched/dag.h"
#include "../util/strbuf.h"

#include <curses.h>
#include <sys/types.h>

struct run_view;

/* The file dbake's stderr goes to while the dashboard is up; never a
 * target's log name (those end in ".log"). */
#define MESSAGES_FILE "dbake.stderr"
/* Messages replayed on the real stderr at the end, at most. */
#define REPLAY_LINES 40

enum row_kind {
	ROW_NODE,  /* a node's header */
	ROW_JOB,   /* a target, selectable */
	ROW_TITLE, /* "not built" */
};

struct row {
	enum row_kind kind;
	size_t idx; /* node or job */
};

enum view { VIEW_OVERVIEW, VIEW_LOG };

enum pair { P_DONE = 1, P_RUN, P_FAIL, P_DIM, P_HEAD, P_WARN };

struct tty {
	SCREEN *screen;
	int up;       /* curses owns the terminal */
	int fallback; /* no usable terminal description: plain lines */
	int utf8;     /* the locale's charset is UTF-8 */
	int color;
	char *old_ctype;
	unsigned spin;

	/* dbake's stderr, into the run's directory */
	int saved_err, msg_fd;
	char *msg_path;
	off_t msg_seen;
	size_t nmsgs;
	struct strbuf msg_line; /* the message being read */
	char last_msg[256];

	char why[160];        /* why the run stops, once it does */
	char note[160];       /* a passing remark in the keys line */
	long long note_until;

	/* overview */
	struct row *rows;
	size_t nrows, rows_alloc;
	size_t *order;        /* scratch: jobs of a node */
	int has_sel;
	size_t sel;           /* selected job */
	size_t sel_pos;       /* its row, as last seen */
	size_t scroll;        /* first row shown */
	int body_h;           /* rows shown */
	int confirm;          /* asking whether to quit */
	int dry, dead_input;  /* readable without keys, how often */

	/* log view */
	enum view view;
	size_t log_job;
	struct logindex log;
	size_t top;           /* first line shown */
	int follow;           /* keep the last line in view */
	int log_h;
	int prompt;           /* typing a search */
	char query[128];
	size_t qlen;
	char found[128];      /* the last search */
	ssize_t match;        /* its line, or -1 */
};

extern struct tty T;

attr_t tty_pair(int p);
/* Whether (y, x) is on the screen (and not its last cell). */
int tty_room(int y, int x);
/* Write s (len bytes, untrusted) at (y, x) within width cells; bytes
 * marked in hl (may be NULL) are highlighted. Returns cells used. */
int tty_put_hl(int y, int x, int width, const char *s, size_t len,
	       attr_t attr, const unsigned char *hl);
int tty_put(int y, int x, int width, const char *s, attr_t attr);
int tty_putf(int y, int x, int width, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* s right-aligned in width cells ending at x + width. */
void tty_put_right(int y, int x, int width, const char *s, attr_t attr);
/* A horizontal rule across row y. */
void tty_rule(int y);
/* A bar of done/total in width cells. */
void tty_bar(int y, int x, int width, int done, int total, attr_t attr);
const char *tty_state_name(enum job_state s);

/* dbake's stderr into the run's directory while the screen is up
 * (tty_msgs.c). */
void tty_redirect_stderr(const struct run_view *view);
void tty_restore_stderr(void);
void tty_read_messages(void);
void tty_replay_messages(void);

/* The log view (tty_log.c). */
void tty_log_open(const struct run_view *view, size_t job);
void tty_log_close(void);
void tty_log_draw(const struct run_view *view);
void tty_log_key(const struct run_view *view, int ch);
/* tty_keys.c: a key in the overview; 1 when the user confirmed
 * quitting. */
int tty_overview_key(const struct run_view *view, int ch);

/* Ctrl+L in either view. */
void tty_key_redraw(const struct run_view *view, int code);

struct key_table;
/* A view's footer help (its key table's) on row y, dimmed. */
void tty_put_keys(int y, const struct key_table *t);

#endif
