#include "select.h"
#include "compose.h"
#include "../util/util.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

const char *did_you_mean(const char *name, char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	size_t len = strlen(name);
	size_t limit = len < 4 ? 1 : len < 8 ? 2 : 3;
	if (best && best_d <= limit)
		return best;
	/* a prefix or containment match is a good guess too */
	for (size_t i = 0; i < n; i++)
		if (len >= 3 && strstr(candidates[i], name))
			return candidates[i];
	return NULL;
}

/*
 * A pattern may name a compose service as compose spells it (api.v2) or
 * as bake does (api_v2): target names have no '.', so a pattern's dots
 * can only be a service's.
 */
static int matches_any(const char *name, const struct strvec *patterns,
		       int *used)
{
	int hit = 0;
	for (size_t i = 0; i < patterns->nr; i++) {
		char *pat = compose_target_name(patterns->v[i]);
		if (!fnmatch(pat, name, 0)) {
			used[i] = 1;
			hit = 1;
		}
		free(pat);
	}
	return hit;
}

static void add_deps(struct plan *plan, struct target *t, const int *excluded)
{
	for (size_t i = 0; i < t->deps.nr; i++) {
		ssize_t d = plan_index(plan, t->deps.v[i]);
		if (d < 0 || plan->v[d].selected)
			continue;
		if (excluded[d]) {
			warning("'%s' is excluded but '%s' needs it; it is built "
				"as part of '%s'", plan->v[d].name, t->name, t->name);
			continue;
		}
		plan->v[d].selected = 1;
		add_deps(plan, &plan->v[d], excluded);
	}
}

int select_targets(struct plan *plan, const struct strvec *excludes)
{
	int *excluded = xcalloc(plan->nr + 1, sizeof(int));
	int *used = xcalloc(excludes->nr + 1, sizeof(int));
	int count = 0;

	for (size_t i = 0; i < plan->nr; i++) {
		struct target *t = &plan->v[i];
		excluded[i] = matches_any(t->name, excludes, used);
		t->selected = t->requested && !excluded[i];
	}
	for (size_t i = 0; i < excludes->nr; i++)
		if (!used[i])
			warning("--exclude '%s' matches no target",
				excludes->v[i]);
	for (size_t i = 0; i < plan->nr; i++)
		if (plan->v[i].selected)
			add_deps(plan, &plan->v[i], excluded);
	for (size_t i = 0; i < plan->nr; i++)
		count += plan->v[i].selected;
	free(excluded);
	free(used);
	if (!count)
		return error("no targets to build after selection");
	return count;
}

/* Whether `name` is the service's: its compose name or its bake one. */
static int names_service(const struct compose_service *s, const char *name)
{
	if (!strcmp(s->name, name))
		return 1;
	char *t = compose_target_name(s->name);
	int same = !strcmp(t, name);
	free(t);
	return same;
}

static const struct compose_service *service(const struct compose *c,
					     const char *name)
{
	for (size_t i = 0; i < c->nr; i++)
		if (names_service(&c->v[i], name))
			return &c->v[i];
	return NULL;
}

/*
 * Walk depends_on from `names`. Services that only run an image are no
 * bake targets, but what they depend on may be, so the walk goes through
 * them without adding them.
 */
void compose_closure(const struct compose *c, struct strvec *names)
{
	struct strvec seen = STRVEC_INIT, todo = STRVEC_INIT;
	strvec_pushv(&todo, names->v);
	for (size_t i = 0; i < todo.nr; i++) {
		const struct compose_service *s = service(c, todo.v[i]);
		if (strvec_has(&seen, todo.v[i]))
			continue;
		strvec_push(&seen, todo.v[i]);
		if (!s)
			continue;
		for (size_t k = 0; k < s->depends_on.nr; k++) {
			const char *dep = s->depends_on.v[k];
			const struct compose_service *d = service(c, dep);
			if ((!d || d->has_build) && !strvec_has(names, dep))
				strvec_push(names, dep);
			strvec_push(&todo, dep);
		}
	}
	strvec_clear(&seen);
	strvec_clear(&todo);
}
