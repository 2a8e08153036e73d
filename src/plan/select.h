/* Which targets a run builds: names, groups, profiles, deps, excludes. */
#ifndef DBAKE_SELECT_H
#define DBAKE_SELECT_H

#include "bakefile.h"
#include "compose.h"

/*
 * Mark plan targets `selected`: those bake printed as requested, less
 * `excludes` (names or patterns), plus the `target:` dependencies of what
 * remains. Returns the number selected, or -1 with a message.
 */
int select_targets(struct plan *plan, const struct strvec *excludes);

/* Add compose depends_on of `names`, transitively, to `names`. */
void compose_closure(const struct compose *c, struct strvec *names);

/* The closest of `candidates` to `name`, if close enough, else NULL. */
const char *did_you_mean(const char *name, char *const *candidates, size_t n);

#endif
