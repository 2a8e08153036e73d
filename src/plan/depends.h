/*
 * The `depends_on = ["a", "b"]` attribute some HCL and JSON bake files
 * give their targets. buildx accepts it and ignores it; dbake honours it
 * as an ordering edge (and for --with-deps), reading only literal names.
 * HCL expressions are never evaluated here: a target whose depends_on is
 * not a list of plain strings gets a warning and no edge.
 */
#ifndef DBAKE_DEPENDS_H
#define DBAKE_DEPENDS_H

#include "compose.h"

/* Scan HCL text; entries go to `out` as services with has_build set. */
int hcl_depends_scan(struct compose *out, const char *text, size_t len,
		     const char *what);

/* Same for a JSON bake file. */
int json_depends_scan(struct compose *out, const char *text, size_t len,
		      const char *what);

/* Read `path` and scan it by its kind (.json, else HCL). */
int depends_scan_file(struct compose *out, const char *path);

#endif
