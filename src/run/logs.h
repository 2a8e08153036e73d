/*
 * The per-run directory: one log per job, the resolved bake file. Made
 * private (0700) under $TMPDIR/dbake-UID, never through a symlink.
 */
#ifndef DBAKE_LOGS_H
#define DBAKE_LOGS_H

#include "../util/strbuf.h"

struct logdir {
	char *path;          /* the run's directory */
	struct strvec names; /* file names handed out, for uniqueness */
};

#define LOGDIR_INIT { .path = NULL, .names = STRVEC_INIT }

/* Create a fresh run directory. */
int logdir_create(struct logdir *ld);

/* Where the run directories are, $TMPDIR/dbake-UID: made if missing,
 * checked private; NULL, said, when it is not. */
char *logdir_base(void);

/*
 * A file name for `target`'s log: safe characters only, never "." or
 * "..", made unique within the run ("a-b.log", "a-b-2.log").
 */
char *log_file_name(struct strvec *taken, const char *target);

/*
 * Open a new log for `target` (O_EXCL, O_NOFOLLOW). Returns the fd and
 * sets *path (owned by the caller).
 */
int logdir_open(struct logdir *ld, const char *target, char **path);

/*
 * After a run: of the run directories beside ld's, keep the newest
 * `keep` and any changed in the last `quiet_s` seconds (a run going on);
 * remove the others, never following a link. Returns how many went.
 */
#define LOGDIR_KEEP 20
#define LOGDIR_QUIET_S 3600
size_t logdir_prune(const struct logdir *ld, size_t keep, long long quiet_s,
		    long long now_s);

void logdir_release(struct logdir *ld);

#endif
