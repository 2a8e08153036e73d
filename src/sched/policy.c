#include "policy.h"

#include <string.h>

/* Whether a should go before b. */
static int better(const struct job *a, const struct job *b,
		  enum policy_mode mode)
{
	if (mode == POLICY_MODE_DEFAULT && a->rank != b->rank)
		return a->rank > b->rank;
	return strcmp(a->name, b->name) < 0;
}

ssize_t policy_pick(const struct dag *dag, int node, enum policy_mode mode,
		    int affine_only)
{
	ssize_t best = -1;
	for (size_t i = 0; i < dag->nr; i++) {
		const struct job *j = &dag->jobs[i];
		if (j->state != JOB_READY || !j->fits[node])
			continue;
		if (affine_only && !dag_affine(dag, i, node))
			continue;
		if (best < 0 || better(j, &dag->jobs[best], mode))
			best = (ssize_t)i;
	}
	return best;
}
