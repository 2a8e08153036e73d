/* Child processes: spawned in their own process group, output captured. */
#ifndef DBAKE_PROC_H
#define DBAKE_PROC_H

#include "util/strbuf.h"

#include <sys/types.h>

struct child {
	pid_t pid;   /* also its process group; 0 when not running */
	int out_fd;  /* read end of its merged stdout+stderr, -1 if closed */
	int err_fd;  /* read end of stderr when kept apart, else -1 */
};

#define CHILD_INIT { .pid = 0, .out_fd = -1, .err_fd = -1 }

/*
 * Start argv[0] (looked up in PATH) with stdin from /dev/null, in a new
 * process group, default signal dispositions and an empty signal mask.
 * `env` holds "NAME=VALUE" overrides of our environment and bare "NAME"
 * removals (may be NULL).
 * With `split_stderr`, stderr gets its own pipe.
 */
int child_start(struct child *c, char *const *argv, const struct strvec *env,
		int split_stderr);

/* Become argv[0] (looked up in PATH) with `env` applied as child_start
 * applies it; returns -1, said, only when that failed. */
int proc_exec(char *const *argv, const struct strvec *env);

/* Signal the child's whole process group (no-op when it is gone). */
void child_kill(struct child *c, int sig);

/* Close the pipes; the caller reaps with waitpid. */
void child_close(struct child *c);

/*
 * Run argv to completion, collecting stdout and stderr. Returns the wait
 * status (>= 0), or -1 if it could not start or a stop signal arrived
 * (the child is then killed and reaped).
 */
int run_capture(char *const *argv, const struct strvec *env,
		struct strbuf *out, struct strbuf *err);

/*
 * The second half of run_capture for a child started with split_stderr:
 * collect its output and reap it. `c` is reset.
 */
int child_collect(struct child *c, struct strbuf *out, struct strbuf *err);

/* Exit code of a wait status: the code, or 128 + signal. */
int exit_code_of(int status);

/* Set by the top level: nonzero when a stop signal is pending. */
extern int (*proc_should_stop)(void);
extern int proc_stop_fd; /* readable when a signal arrived, or -1 */

/* Track spawned pids so a dying dbake can kill them all. */
void proc_kill_all(int sig);



/*
 * Reap the child if it has exited (or wait for it when `block`).
 * Returns 1 with *status set when reaped, 0 when still running.
 */
int child_reap(struct child *c, int block, int *status);
#endif
