/* Getting the plan from buildx: one `docker buildx bake --print`. */
#ifndef DBAKE_RESOLVE_H
#define DBAKE_RESOLVE_H

#include "../cli.h"
#include "bakefile.h"
#include "compose.h"

/* The files buildx would read without -f, as it looks for them. */
void default_bake_files(struct strvec *out);

/*
 * Run bake --print for `names` (may be empty: bake's default) with the
 * user's files, --set and --platform, and parse it into `plan`. A bake
 * error becomes one line; an unknown target gets a suggestion.
 */
int resolve_plan(struct plan *plan, const struct options *opts,
		 const struct strvec *names);

/*
 * From the command line to the selected plan: compose profiles and
 * depends_on, bake --print, selection. Returns the number of selected
 * targets or -1.
 */
int resolve_selection(struct plan *plan, const struct options *opts);

#endif
