/*
 * Shard builders: one single-node remote builder per node, kept in a
 * buildx store of dbake's own so they never show in the user's
 * `docker buildx ls`. Named from the builder, the node and a hash of the
 * node's endpoint and options, so an unchanged node reuses its shard.
 */
#ifndef DBAKE_SHARDS_H
#define DBAKE_SHARDS_H

#include "nodes.h"

struct shard_store {
	char *dir;   /* BUILDX_CONFIG for every shard command */
	int lock_fd; /* flock held while shards are checked or made */
	int contexts; /* the docker contexts are seen to (contexts.h) */
	struct strvec env; /* BUILDX_CONFIG=dir and buildx's environment,
			      for every shard command and child bake */
};

#define SHARD_STORE_INIT { .dir = NULL, .lock_fd = -1, .env = STRVEC_INIT }

/* The shard name for a node of `builder` (pure; for tests too). */
char *shard_name(const char *builder, const struct node *n);

/*
 * Whether a buildx store entry (`text`) is shard `name` as dbake makes
 * it for `n`: one remote node on the node's endpoint, with exactly its
 * driver options and pinned platforms (pure; for tests too).
 */
int shard_entry_matches(const char *text, const char *name,
			const struct node *n);

/* How long a run waits for another dbake to let go of the store
 * (seconds; $DBAKE_LOCK_TIMEOUT overrides). */
#define SHARD_LOCK_TIMEOUT 120

/*
 * Open the store under dbake's state directory and make sure every node
 * of `set` has its shard (node->shard is set). Creates what is missing.
 * Waiting for the store's lock ends early on a stop signal
 * (proc_should_stop) and after SHARD_LOCK_TIMEOUT.
 */
int shards_ensure(struct shard_store *store, struct nodeset *set,
		  const struct strvec *docker_globals);

void shard_store_release(struct shard_store *store);

#endif
