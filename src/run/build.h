/* One job's command line: the child bake that builds it on its shard. */
#ifndef DBAKE_BUILD_H
#define DBAKE_BUILD_H

#include "../util/strbuf.h"

struct build_args {
	const struct strvec *docker_globals;
	const char *shard;     /* builder to use */
	const char *resolved;  /* the run's bake file */
	const char *const *targets; /* built together in one invocation */
	const int *outputs;    /* per target: apply --load/--push to it */
	const int *push_adds;  /* per target: --push adds an image output
				  (its own are docker ones, or none) */
	size_t ntargets;
	int no_cache;
	const char *cache_registry; /* --cache-registry, or NULL */
	int load;
	int push;
	const char *metadata;  /* --metadata-file path, or NULL */
	const struct strvec *sets; /* more --set values, or NULL */
	const struct strvec *policy; /* bake's --policy values, or NULL */
	const struct strvec *allow;  /* bake's --allow values, or NULL */
	int pull;
	const char *allow_dir; /* bake may read and write there, or NULL */
};

/*
 * docker [GLOBALS] buildx bake --builder SHARD -f RESOLVED --progress
 * plain [--no-cache] [--set T.load=true]
 * [--set T.push=true | --set T.output+=type=image,push=true]
 * [--set T.cache-to+=type=registry,ref=R/buildcache/T,mode=max]...
 * [--set S]... [--allow fs.read=D --allow fs.write=D]
 * [--metadata-file F] -- TARGET...
 */
void build_argv(struct strvec *argv, const struct build_args *b);

#endif
