/*
 * What `bake --print` does not carry from compose files: each service's
 * profiles and depends_on, for --profile and --with-deps.
 */
#ifndef DBAKE_COMPOSE_H
#define DBAKE_COMPOSE_H

#include "../util/strbuf.h"
#include "bakefile.h"

struct compose_service {
	char *name;
	struct strvec profiles;
	struct strvec depends_on;
	int has_build; /* a build section: bake makes it a target */
};

struct compose {
	struct compose_service *v;
	size_t nr, alloc;
	int loaded; /* a compose file was read */
};

#define COMPOSE_INIT { 0 }

/* Whether a bake file name is a compose file (by extension, as buildx). */
int is_compose_file(const char *path);

/* Read one compose document; later files extend earlier services. */
int compose_load_string(struct compose *c, const char *text, size_t len,
			const char *what);
int compose_load_file(struct compose *c, const char *path);

/* What no parser should be given (too big, not UTF-8 text, a directive
 * libfyaml loops on): refused, said in one line, -1; else 0. */
int compose_check_text(const char *text, size_t len, const char *what);

/*
 * compose_load_string in a child process, as compose_load_file reads:
 * the YAML library may crash or loop on some input (tests/fuzz found
 * both), and only the child goes with it. Gives up after timeout_ms.
 * 0, or -1 said in one line.
 */
int compose_load_isolated(struct compose *c, const char *text, size_t len,
			  const char *what, long long timeout_ms);

/*
 * Names of the services compose enables with `profiles` active (those
 * without profiles, or with an active one) that bake builds.
 */
void compose_enabled(const struct compose *c, const struct strvec *profiles,
		     struct strvec *out);

/* The bake target of a compose service: its name with '.' as '_' (bake
 * sanitizes service names so). */
char *compose_target_name(const char *service);

/* Copy profiles and depends_on (as target names) onto the services'
 * targets. */
void compose_annotate(const struct compose *c, struct plan *plan);

void compose_release(struct compose *c);

#endif
