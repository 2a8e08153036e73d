/* docker dbake --version (version_cmd.c). */
#ifndef DBAKE_VERSION_CMD_H
#define DBAKE_VERSION_CMD_H

#include "cli.h"

/* dbake's version, then the buildx and BuildKit versions of the builder
 * (--builder, else buildx's current one); the exit code. */
int version_main(const struct options *opts);

#endif
