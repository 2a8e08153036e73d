/*
 * What the user sees of a run. One table of operations per front end:
 * plain lines (CI, pipes) now, the terminal dashboard later.
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
	void (*end)(struct run *run);
};

extern const struct ui_ops ui_plain;
extern const struct ui_ops ui_quiet;

/* "1m23s", "4.2s" */
void format_duration(char *buf, size_t size, long long ms);

#endif
