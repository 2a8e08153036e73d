/*
 * Moving a built dependency to the node of its dependent, without a
 * registry. A target that others name in a "target:" context is also
 * exported as an OCI layout into the run directory; a dependent built
 * afterwards gets that layout as the context (oci-layout://), so bake
 * does not rebuild the dependency on the dependent's node. buildx sends
 * the layout's blobs to the node through the client; BuildKit skips the
 * ones it already has, so on the dependency's own node it costs almost
 * nothing.
 *
 * Off in the fifo policy (the earlier tool's mode), when the run
 * directory's path would not survive a layout reference, and for a
 * dependency of several platforms that lacks one of the dependent's.
 */
#ifndef DBAKE_TRANSFER_H
#define DBAKE_TRANSFER_H

#include "../util/strbuf.h"

#include <stddef.h>

struct run;

struct transfer {
	char *dir;              /* <run dir>/oci, NULL: off */
	unsigned char *exports; /* per job: export it as a layout */
	char **ref;             /* per job: oci-layout://DIR@DIGEST once
				   exported, else NULL */
	size_t nr;
};

#define TRANSFER_INIT { 0 }

/* Decide which jobs export a layout; `on` 0 leaves it all off. */
void transfer_prepare(struct transfer *t, const struct run *run, int on);

/*
 * The layout (oci-layout://DIR@DIGEST) `job`, building on `node`, gets
 * for its context `key`: its dependency's, once built and exported with
 * the platforms it needs; else NULL, and the child builds the dependency.
 */
const char *transfer_context(const struct transfer *t, const struct run *run,
			     size_t job, const char *key, int node);

/* Where `job` exports its layout, if `export` (a dependent is built in
 * another bake) and it is one that dependents take; else NULL. */
char *transfer_dest(const struct transfer *t, size_t job, int export);

/* `job` built: take its layout if the export is complete. */
void transfer_built(struct transfer *t, size_t job);

/* `job` built and pushed as `ref` (docker-image://REPO@DIGEST): its
 * dependents get that. */
void transfer_pushed(struct transfer *t, size_t job, const char *ref);

/* Forget every layout and remove them from disk. */
void transfer_release(struct transfer *t);

/* Whether a path can go into an output's dest= and an oci-layout:// ref. */
int transfer_path_ok(const char *path);

/* The manifest digest of an OCI layout directory, or NULL. */
char *transfer_layout_digest(const char *dir);

/*
 * Whether an image of `dep` built for `dep_platforms` (empty: the
 * default of the node it ran on, whose first platform is
 * `dep_default`) serves a dependent that builds for `platforms` (empty:
 * `default_platform`): always for one platform (bake hands a single
 * result to a dependent of any platform), else when it has all the
 * dependent's.
 */
int transfer_platforms_fit(const struct strvec *dep_platforms,
			   const char *dep_default,
			   const struct strvec *platforms,
			   const char *default_platform);

#endif
