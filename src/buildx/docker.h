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

/*
 * What child bakes are told of tracing: "OTEL_TRACES_SAMPLER=always_off",
 * or NULL when the user chose a sampler or a trace exporter
 * (OTEL_TRACES_SAMPLER, OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): theirs stands. A bake traces all
 * its builds as one trace, and BuildKit writes that whole trace into the
 * history record of each of them, a second or three after it ends: a
 * bake of n targets writes n times the spans of n builds, CPU the next
 * builds on the node wait for.
 */
const char *buildx_trace_setting(void);

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
