#include "build.h"
#include "../buildx/docker.h"
#include "../plan/bakefile.h"

#include <stdlib.h>

void build_argv(struct strvec *argv, const struct build_args *b)
{
	buildx_argv(argv, NULL, b->docker_globals); /* env: the run's */
	strvec_push(argv, "bake");
	strvec_push(argv, "--builder");
	strvec_push(argv, b->shard);
	strvec_push(argv, "-f");
	strvec_push(argv, b->resolved);
	strvec_push(argv, "--progress");
	strvec_push(argv, "plain");
	if (b->no_cache)
		strvec_push(argv, "--no-cache");
	if (b->pull)
		strvec_push(argv, "--pull");
	/*
	 * --load and --push are per target: in one bake invocation they
	 * would also apply to dependencies built alongside, whose output
	 * bake set to cacheonly.
	 */
	for (size_t i = 0; i < b->ntargets; i++) {
		if (b->cache_registry) {
			char *ref = cache_ref(b->cache_registry, b->targets[i]);
			strvec_push(argv, "--set");
			strvec_pushf(argv, "%s.cache-to+=type=registry,ref=%s,"
				     "mode=max", b->targets[i], ref);
			free(ref);
		}
		if (!b->outputs[i])
			continue;
		if (b->load) {
			strvec_push(argv, "--set");
			strvec_pushf(argv, "%s.load=true", b->targets[i]);
		}
		/*
		 * bake applies one target's --set keys in map order. Its
		 * push=true adds an image output only when the target has
		 * no output but docker ones, so when "output+=" (a layout
		 * for a dependent) came first nothing was pushed. Adding
		 * that image output under the "output" key itself keeps
		 * both, in order; on a target with outputs of its own,
		 * push=true only marks them, whatever the order.
		 */
		if (b->push && b->push_adds && b->push_adds[i]) {
			strvec_push(argv, "--set");
			strvec_pushf(argv, "%s.output+=type=image,push=true",
				     b->targets[i]);
		} else if (b->push) {
			strvec_push(argv, "--set");
			strvec_pushf(argv, "%s.push=true", b->targets[i]);
		}
	}
	for (size_t i = 0; b->sets && i < b->sets->nr; i++) {
		strvec_push(argv, "--set");
		strvec_push(argv, b->sets->v[i]);
	}
	for (size_t i = 0; b->policy && i < b->policy->nr; i++) {
		strvec_push(argv, "--policy");
		strvec_push(argv, b->policy->v[i]);
	}
	for (size_t i = 0; b->allow && i < b->allow->nr; i++) {
		strvec_push(argv, "--allow");
		strvec_push(argv, b->allow->v[i]);
	}
	if (b->allow_dir) {
		strvec_push(argv, "--allow");
		strvec_pushf(argv, "fs.read=%s", b->allow_dir);
		strvec_push(argv, "--allow");
		strvec_pushf(argv, "fs.write=%s", b->allow_dir);
	}
	if (b->metadata) {
		strvec_push(argv, "--metadata-file");
		strvec_push(argv, b->metadata);
	}
	strvec_push(argv, "--");
	for (size_t i = 0; i < b->ntargets; i++)
		strvec_push(argv, b->targets[i]);
}
