/*
 * After a run: report.json (what ran where and when) and report.html (a
 * self-contained timeline per node), and the merged --metadata-file.
 */
#ifndef DBAKE_REPORT_H
#define DBAKE_REPORT_H

#include "../util/strbuf.h"

#include <jansson.h>
#include <stddef.h>

struct run_view;
struct dag;

/*
 * Write DIR/report.json and DIR/report.html. A failure is one warning
 * line; returns -1 when report.html could not be written.
 */
int report_write(const struct run_view *view, const char *dir);

/*
 * Merge the per-invocation metadata files bake wrote into one file at
 * `path`, keyed by target, as `docker buildx bake --metadata-file` does.
 * Holds the targets that were built; of the keys that are not targets
 * (bake's own, "buildx.build.warnings"), those of the file written last.
 * A failure is one warning line and -1.
 */
int metadata_merge(const struct run_view *view, const char *path);

/* The pure parts, for tests. */

/* The report as report.json holds it. */
json_t *report_build(const struct run_view *view);

/* report.html for a report made by report_build. */
void report_html(struct strbuf *out, json_t *report);

struct interval {
	long long start, end;
};

/* Length of the union of the intervals (sorts them). */
long long interval_union(struct interval *v, size_t n);

/*
 * The longest chain of dependencies among built jobs (JOB_DONE), each
 * weighing its actual duration (end_ms - start_ms). Fills path (room for
 * dag->nr) from the first job of the chain to the last; returns its
 * length in seconds (0 and *npath 0 when nothing was built).
 */
double critical_path(const struct dag *dag, size_t *path, size_t *npath);

/* Append s with & < > " ' escaped, for HTML text and attribute values. */
void html_escape(struct strbuf *sb, const char *s);

/*
 * Append data as the content of a <script> element: no "<" (so no
 * "</script>" nor "<!--"): it becomes the JSON escape \u003c.
 */
void script_escape(struct strbuf *sb, const char *json);

/*
 * Merge bake metadata files, given oldest first (missing ones are left
 * out). For each target: the entry of file own[i] (-1: none) when that
 * file holds it, else of the newest file that does; targets no file holds
 * are left out. Keys of the newest readable file that are not targets and
 * hold a '.' (bake's own: "buildx.build.warnings") are kept, other keys
 * (dependencies built inside an invocation) dropped. Unreadable files are
 * noted in `bad` (if not NULL) and left out.
 */
json_t *metadata_collect(const char *const *files, size_t nfiles,
			 const char *const *targets, const int *own,
			 size_t ntargets, struct strbuf *bad);


#endif
