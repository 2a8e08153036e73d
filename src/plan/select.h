/* Which targets a run builds: names, groups, profiles, deps, excludes. */
#ifndef DBAKE_SELECT_H
#define DBAKE_SELECT_H

#include "bakefile.h"
#include "compose.h"

struct select_opts {
	const struct strvec *profiles; /* --profile */
	const struct strvec *excludes; /* --exclude names or patterns */
	int named;                     /* targets were named on the command line */
	int compose;                   /* a compose file is among the inputs */
};

/*
 * Mark plan targets `selected`: those bake printed as requested, less
 * compose services whose profiles are all inactive (unless named), less
 * excludes, plus the `target:` dependencies of what remains. Returns the
 * number selected, or -1 with a message.
 */
int select_targets(struct plan *plan, const struct select_opts *so);

/* Add compose depends_on of `names`, transitively, to `names`. */
void compose_closure(const struct compose *c, struct strvec *names);

/* The closest of `candidates` to `name`, if close enough, else NULL. */
const char *did_you_mean(const char *name, char *const *candidates, size_t n);

#endif
