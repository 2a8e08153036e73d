/*
 * What the user sees of a run. One table of operations per front end:
 * plain lines (CI, pipes), quiet, and the terminal dashboard. All are
 * called from the dispatcher's single loop; none may block.
 */
#ifndef DBAKE_UI_H
#define DBAKE_UI_H

#include <stddef.h>

struct run_view;

struct ui_ops {
	void (*begin)(const struct run_view *view);
	void (*job_started)(const struct run_view *view, size_t job);
	/* A job reached a final state: done, failed, skipped, cancelled. */
	void (*job_finished)(const struct run_view *view, size_t job);
	/* The run is stopping (signal or --fail-fast). */
	void (*stopping)(const struct run_view *view, const char *why);
	/* The run is over: restore the terminal, print the summary. */
	void (*end)(const struct run_view *view);

	/* Optional (NULL in line modes). */
	int (*input_fd)(const struct run_view *view);  /* fd to poll for keys, or -1 */
	/* it is readable; returns 1 when the user asks to cancel the run */
	int (*on_input)(const struct run_view *view);
	/* Called at least every UI_TICK_MS and after output of any build;
	 * `resized` after SIGWINCH. */
	void (*tick)(const struct run_view *view, int resized);
	/* Restore the terminal before a fatal message (die hook). */
	void (*emergency)(void);
};

#define UI_TICK_MS 250

extern const struct ui_ops ui_tty;

extern const struct ui_ops ui_plain;
extern const struct ui_ops ui_quiet;

/* The plain summary: counts, failures and their logs, where things are. */
void ui_summary(const struct run_view *view);

/* --print: nodes and targets (platforms, dependencies, nodes that fit)
 * as JSON on stdout. */
void ui_print_plan(const struct run_view *view);

/* "1m23s", "4.2s" */
void format_duration(char *buf, size_t size, long long ms);

#endif
