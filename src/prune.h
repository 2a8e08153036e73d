/* docker dbake prune (prune.c). */
#ifndef DBAKE_PRUNE_H
#define DBAKE_PRUNE_H

#include "cli.h"

/* Remove dbake's state as opts (-f) says; the exit code. */
int prune_main(const struct options *opts);

/* --version: dbake's, then the buildx and BuildKit versions of the
 * builder (--builder, else buildx's current one); the exit code. */
int version_main(const struct options *opts);

#endif
