/* One job's command line: the child bake that builds it on its shard. */
#ifndef DBAKE_BUILD_H
#define DBAKE_BUILD_H

#include "../util/strbuf.h"

struct build_args {
	const struct strvec *docker_globals;
	const char *shard;     /* builder to use */
	const char *definition; /* the invocation's bake file (childdef.h) */
	const char *const *targets; /* built together in one invocation */
	size_t ntargets;
	int no_cache;
	const char *metadata;  /* --metadata-file path, or NULL */
	const struct strvec *policy; /* bake's --policy values, or NULL */
	const struct strvec *allow;  /* bake's --allow values, or NULL */
	int pull;
	const char *allow_dir[2]; /* bake may read and write there, or NULL */
	const char *progress;  /* "plain", or "rawjson" when the user's is */
};

/*
 * docker [GLOBALS] buildx bake --builder SHARD -f DEFINITION --progress
 * plain|rawjson [--no-cache] [--pull] [--policy P]... [--allow A]...
 * [--allow fs.read=D --allow fs.write=D] [--metadata-file F] -- TARGET...
 * Outputs, --push, --load and the cache are in the definition.
 */
void build_argv(struct strvec *argv, const struct build_args *b);

#endif
