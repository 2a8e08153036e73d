/*
 * The plan: targets as `docker buildx bake --print` resolved them. The
 * printed JSON is kept: each child bake's definition is cut from it
 * (run/childdef.h).
 */
#ifndef DBAKE_BAKEFILE_H
#define DBAKE_BAKEFILE_H

#include "../util/strbuf.h"

#include <sys/types.h>

struct json_t;

struct target {
	char *name;
	struct strvec platforms;     /* normalised; empty in the file: the
					builder's default (plan_default_platform) */
	struct strvec deps;          /* targets named by "target:" contexts */
	struct strvec ctx_keys;      /* every "target:" context: its name... */
	struct strvec ctx_targets;   /* ...and the target it names */
	struct strvec compose_deps;  /* compose depends_on (selection only) */
	struct strvec after;         /* HCL/JSON depends_on: order only */
	struct strvec profiles;      /* compose profiles */
	unsigned long long defhash;  /* the build steps, less names and outputs */
	int requested;               /* named by the print's default group */
	int cacheonly;               /* printed with only a cacheonly output */
	int selected;                /* to be built by this run */
	int split;                   /* built a platform per node, then put
					together (run/childdef.h) */
	int pushes;                  /* split, and its parts push by digest */
	int part_files;              /* split, and its parts write tar or oci
					outputs for its merge to put
					together (run/merge.c) */
};

struct plan {
	struct json_t *doc;   /* the printed document, owned */
	struct target *v;
	size_t nr, alloc;
};

#define PLAN_INIT { 0 }

/*
 * Targets that name no platform are built, by plain bake, for the
 * default platform of the builder's first node (buildx gives BuildKit no
 * platform, and sends the build to node 0): say it for them, in the plan
 * and in the definition the children read, so no image depends on the
 * node a target lands on.
 */
void plan_default_platform(struct plan *plan, const char *platform);

/* Parse `bake --print` output. Fails, with a message, on malformed input. */
int plan_parse(struct plan *plan, const char *json, size_t len);

struct target *plan_find(const struct plan *plan, const char *name);
ssize_t plan_index(const struct plan *plan, const char *name);

/*
 * The cache entries --cache-registry adds for `target`: a registry ref
 * REGISTRY/buildcache/NAME with NAME made a valid repository path.
 */
char *cache_ref(const char *registry, const char *target);

/*
 * Whether git could find a work tree for some selected target's context
 * (a .git anywhere above it, or GIT_DIR and friends set): buildx then
 * adds the commit and remote to the build. When not, its per-target
 * `git rev-parse` can only say no, and BUILDX_GIT_INFO=0 saves it.
 */
int plan_in_git(const struct plan *plan);

void plan_release(struct plan *plan);

#endif
