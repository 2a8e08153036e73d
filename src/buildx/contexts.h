/*
 * Docker contexts of dbake's own. A docker-container node made on a docker
 * host URL (`buildx create --driver docker-container ssh://...`) is reached
 * with `docker --context NAME exec ...`, and the docker CLI finds contexts
 * only in its config dir. dbake keeps a config dir of its own for its
 * children: the user's config.json and contexts, linked (so logins,
 * credential helpers and the current context are the user's), plus one
 * context per such URL. The user's config dir is never written.
 */
#ifndef DBAKE_CONTEXTS_H
#define DBAKE_CONTEXTS_H

#include "nodes.h"

/* The context dbake names for a docker host URL (pure). */
char *docker_context_name(const char *url);

/*
 * Bring `dir` up to date as a mirror of `user_dir` with a context for
 * every node's docker_host, creating what is missing with `docker context
 * create` (env: the run's). Nothing to do, and 0, when no node has one.
 * Adds DOCKER_CONFIG=dir to env when it made the mirror.
 */
int docker_contexts_ensure(const struct nodeset *set, const char *dir,
			   const char *user_dir, struct strvec *env);

#endif
