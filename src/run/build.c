#include "build.h"
#include "../buildx/docker.h"

#include <stdlib.h>

void build_argv(struct strvec *argv, const struct build_args *b)
{
	buildx_argv(argv, NULL, b->docker_globals); /* env: the run's */
	strvec_push(argv, "bake");
	strvec_push(argv, "--builder");
	strvec_push(argv, b->shard);
	strvec_push(argv, "-f");
	strvec_push(argv, b->definition);
	strvec_push(argv, "--progress");
	strvec_push(argv, b->progress ? b->progress : "plain");
	if (b->no_cache)
		strvec_push(argv, "--no-cache");
	if (b->pull)
		strvec_push(argv, "--pull");
	for (size_t i = 0; b->policy && i < b->policy->nr; i++) {
		strvec_push(argv, "--policy");
		strvec_push(argv, b->policy->v[i]);
	}
	for (size_t i = 0; b->allow && i < b->allow->nr; i++) {
		strvec_push(argv, "--allow");
		strvec_push(argv, b->allow->v[i]);
	}
	for (size_t i = 0; i < 2; i++) {
		if (!b->allow_dir[i])
			continue;
		strvec_push(argv, "--allow");
		strvec_pushf(argv, "fs.read=%s", b->allow_dir[i]);
		strvec_push(argv, "--allow");
		strvec_pushf(argv, "fs.write=%s", b->allow_dir[i]);
	}
	if (b->metadata) {
		strvec_push(argv, "--metadata-file");
		strvec_push(argv, b->metadata);
	}
	strvec_push(argv, "--");
	for (size_t i = 0; i < b->ntargets; i++)
		strvec_push(argv, b->targets[i]);
}
