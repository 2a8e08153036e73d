/*
 * After a run: report.json (what ran where and when) and report.html (a
 * self-contained timeline per node), and the merged --metadata-file.
 */
#ifndef DBAKE_REPORT_H
#define DBAKE_REPORT_H

struct run;

/* Write DIR/report.json and DIR/report.html. */
int report_write(const struct run *run, const char *dir);

/*
 * Merge the per-invocation metadata files bake wrote into one file at
 * `path`, keyed by target, as `docker buildx bake --metadata-file` does.
 */
int metadata_merge(const struct run *run, const char *path);

#endif
