/*
 * The definition one child bake reads: the targets it builds, as bake
 * printed them, with what dbake adds written in (the outputs --push and
 * --load stand for, a layout for dependents built elsewhere, the shared
 * registry cache, built dependencies as oci-layout contexts), and the
 * dependencies it must build itself. Nothing rests on repeated --set
 * values for one target, which bake applies in map order; and a child
 * reads only what it builds, so its cost does not grow with the project.
 */
#ifndef DBAKE_CHILDDEF_H
#define DBAKE_CHILDDEF_H

#include <stddef.h>

struct json_t;

struct childdef_entry {
	const char *name;
	int outputs;        /* the target's own outputs are made: --push and
			       --load apply (not a cacheonly dependency) */
	const char *layout; /* also export an OCI layout there, or NULL */
	const char *platform; /* one platform of a split target, or NULL:
				 its image pushed by digest to its
				 repository, a local output in the
				 platform's directory, as bake splits them */
};

struct childdef {
	const struct json_t *printed; /* bake --print's "target" object */
	int push, load;
	const char *cache_registry;   /* --cache-registry, or NULL */
	const char *parts_dir;        /* where the parts of split targets
					 put their tar and oci outputs
					 (childdef_part_out), or NULL */
	/*
	 * The layout to give target `name` for its context `key` (whose
	 * value is "target:..."), or NULL: the child builds that target.
	 */
	const char *(*context)(void *data, const char *name, const char *key);
	void *data;
};

/*
 * {"target": {...}} for one invocation building `v` (n entries). A
 * target another includes through a "target:" context it builds itself
 * is added too, as printed (bake makes its outputs cacheonly). Returns
 * NULL, with a message, when an entry or such a dependency is not in
 * the printed definition.
 */
struct json_t *childdef_build(const struct childdef *d,
			      const struct childdef_entry *v, size_t n);

/* bake's --push (setPushOverride) and --load (setLoadOverride) on one
 * target's "output" array, entries as objects or "type=..." strings. */
void childdef_push(struct json_t *outputs);
void childdef_load(struct json_t *outputs);

/*
 * Whether a target of several platforms (`jt` as printed) can be built
 * one platform per node and put together again as plain bake does: no
 * --load, outputs only cacheonly, image, registry, local, tar or oci ones
 * given as objects (tar and oci with a file dest; oci only when nothing
 * is pushed), and a repository to push the platforms to when it pushes.
 */
int childdef_splittable(const struct json_t *jt, int push, int load);

/* Whether the target, built with --push as `push`, pushes an image. */
int childdef_pushes(const struct json_t *jt, int push);

/* The repository of `tag` (NAME[:TAG][@DIGEST]), allocated. */
char *childdef_repository(const char *tag);

/* The directory bake's local exporter gives `platform` when it builds
 * several: "linux/arm/v7" is "linux_arm_v7". Allocated. */
char *childdef_platform_dir(const char *platform);

/*
 * Where the parts of split target `target` put the files of its
 * `index`-th output (a tar or oci one), each in its platform's
 * directory below: PARTS/TARGET/INDEX. Allocated.
 */
char *childdef_part_out(const char *parts_dir, const char *target,
			size_t index);

/* Whether output entry `o` (an object) is of type `type`. */
int childdef_entry_is(const struct json_t *o, const char *type);

/* Write `doc` to `path`: created 0600, never through a symlink. */
int childdef_write(const struct json_t *doc, const char *path);

#endif
