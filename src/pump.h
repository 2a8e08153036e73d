/*
 * The process pump, in the manner of git's run_processes_parallel: it
 * owns the children of a run (their pipes, draining, reaping, SIGTERM
 * then SIGKILL) on an event loop, and tells its owner what they printed
 * and when each has ended. What to start, and what an end means, are
 * the owner's.
 */
#ifndef DBAKE_PUMP_H
#define DBAKE_PUMP_H

#include "loop.h"
#include "proc.h"

/* Output still open this long after a child exited (a grandchild keeps
 * the pipe): given up on. */
#define PUMP_DRAIN_MS 2000

struct pump_ops {
	/* Bytes from the task's merged stdout and stderr. */
	void (*output)(void *owner, void *task, const char *buf, size_t len);
	/* The task's child has exited and its output is drained: `status`
	 * is its wait status. The callback may start other tasks. */
	void (*finished)(void *owner, void *task, int status);
};

struct pump_proc;

struct pump {
	struct loop *loop;
	const struct pump_ops *ops;
	void *owner;
	struct pump_proc **procs; /* owned */
	size_t nr, alloc;
	long long kill_timer;     /* SIGKILL what is left then, or 0 */
};

#define PUMP_INIT { 0 }

void pump_init(struct pump *p, struct loop *l, const struct pump_ops *ops,
	       void *owner);

/*
 * Start argv for `task` (an opaque key of the owner's, one child per
 * task) in its own process group, stdin from /dev/null, output to the
 * ops. Returns 0, or -1 with an error said.
 */
int pump_start(struct pump *p, void *task, char *const *argv,
	       const struct strvec *env);

/* Read what the task's output holds now, to the ops (its end is left
 * to the loop). */
void pump_read(struct pump *p, void *task);

/* Signal the task's process group (no-op if it has none). */
void pump_signal(struct pump *p, void *task, int sig);

/* SIGTERM every child now, SIGKILL those left `grace_ms` later (once:
 * a second call changes nothing). */
void pump_stop(struct pump *p, long long grace_ms);

/* Signal every child's process group now. */
void pump_signal_all(struct pump *p, int sig);

/* Reap children that have exited (after SIGCHLD; cheap to call often). */
void pump_reap(struct pump *p);

/* Children still there. */
size_t pump_running(const struct pump *p);

/* SIGKILL and reap every child left (blocking); free everything. */
void pump_release(struct pump *p);

#endif
