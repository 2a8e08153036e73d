/*
 * Targets of several platforms built one platform per node, then put
 * together (split.c): the parts are jobs "T@PLATFORM", the merge job is
 * T itself and waits for them.
 */
#ifndef DBAKE_SPLIT_H
#define DBAKE_SPLIT_H

#include "dispatch.h"

/* Mark the selected targets to split (target->split). */
void split_mark(struct plan *plan, const struct options *opts);

/* Whether part `job` pushes its image (then by digest). */
int split_part_pushes(const struct run *run, size_t job);

/* Part `job` built: its pushed digest, from its metadata file. */
void split_part_built(struct run *run, size_t job);

/*
 * The merge job's command: imagetools create (on `shard`, the builder of
 * the slot's node) with the target's tags and index annotations over its
 * parts' digests, or `true` when nothing
 * was pushed.
 */
void split_merge_argv(const struct run *run, size_t job, const char *shard,
		      struct strvec *argv);

/* docker's full name for `tag` (docker.io/library/..., :latest), as the
 * oci exporter writes it in index.json. Allocated. */
char *split_normalized_name(const char *tag);

/* The merge job ended well: its metadata file in bake's shape. */
void split_merge_done(struct run *run, size_t job);

#endif
