/*
 * What the user sees of a run. One table of operations per front end:
 * plain lines (CI, pipes), quiet, and the terminal dashboard. All are
 * called from the dispatcher's single loop; none may block.
 */
#ifndef DBAKE_UI_H
#define DBAKE_UI_H

#include <stddef.h>

struct run;

struct ui_ops {
	void (*begin)(struct run *run);
	void (*job_started)(struct run *run, size_t job);
	/* A job reached a final state: done, failed, skipped, cancelled. */
	void (*job_finished)(struct run *run, size_t job);
	/* The run is stopping (signal or --fail-fast). */
	void (*stopping)(struct run *run, const char *why);
	/* The run is over: restore the terminal, print the summary. */
	void (*end)(struct run *run);

	/* Optional (NULL in line modes). */
	int (*input_fd)(struct run *run);  /* fd to poll for keys, or -1 */
	void (*on_input)(struct run *run); /* it is readable */
	/* Called at least every UI_TICK_MS and after output of any build;
	 * `resized` after SIGWINCH. */
	void (*tick)(struct run *run, int resized);
	/* Restore the terminal before a fatal message (die hook). */
	void (*emergency)(void);
};

#define UI_TICK_MS 250

extern const struct ui_ops ui_tty;

extern const struct ui_ops ui_plain;
extern const struct ui_ops ui_quiet;

/* The plain summary: counts, failures and their logs, where things are. */
void ui_summary(struct run *run);

/* "1m23s", "4.2s" */
void format_duration(char *buf, size_t size, long long ms);

#endif
