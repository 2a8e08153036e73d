/* docker dbake prune (prune.c). */
#ifndef DBAKE_PRUNE_H
#define DBAKE_PRUNE_H

#include "cli.h"

/* Remove dbake's state as opts (-f) says; the exit code. */
int prune_main(const struct options *opts);

#endif
