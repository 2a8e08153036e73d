/* How dbake calls docker: the user's global flags, config and store paths. */
#ifndef DBAKE_DOCKER_H
#define DBAKE_DOCKER_H

#include "../util/strbuf.h"

/*
 * Start a buildx command: argv gets the buildx plugin binary itself when
 * it can be found and the user's docker global flags can be said with
 * environment variables (--config, --context, -H), which saves starting
 * the docker CLI for every command; else "docker GLOBALS... buildx".
 * `env` (may be NULL) gets the "NAME=VALUE" settings and bare "NAME"
 * removals the command needs; child_start applies them.
 */
void buildx_argv(struct strvec *argv, struct strvec *env,
		 const struct strvec *globals);

/* The docker config directory: --config, $DOCKER_CONFIG, ~/.docker. */
char *docker_config_dir(const struct strvec *globals);

/* The user's buildx store: $BUILDX_CONFIG, else CONFIG_DIR/buildx. */
char *buildx_store_dir(const struct strvec *globals);

/* dbake's own state: $XDG_STATE_HOME/dbake or ~/.local/state/dbake. */
char *dbake_state_dir(void);

/* Create dir and its parents with `mode`. */
int mkdir_p(const char *dir, unsigned mode);

/*
 * Make dbake's state directory (shards, history) if missing, and check
 * that nobody else could have written what is in it: a real directory,
 * ours, not writable by group or others (as the run directory). 0, or
 * -1 with one line saying why.
 */
int dbake_state_dir_check(void);

#endif
