/*
 * The run report (report.json, and the data report.html is drawn from)
 * and the merged --metadata-file. Nothing here may stop the run from
 * ending normally: every failure is one warning line.
 */
#include "report.h"
#include "ui.h"
#include "view.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Seconds with millisecond precision print short ("2.416", not 2.41599...) */
#define REPORT_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(12))

static int cmp_interval(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

long long interval_union(struct interval *v, size_t n)
{
	long long total = 0, cur_start = 0, cur_end = 0;
	int open = 0;
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_interval);
	for (size_t i = 0; i < n; i++) {
		if (v[i].end <= v[i].start)
			continue;
		if (open && v[i].start <= cur_end) {
			if (v[i].end > cur_end)
				cur_end = v[i].end;
			continue;
		}
		if (open)
			total += cur_end - cur_start;
		cur_start = v[i].start;
		cur_end = v[i].end;
		open = 1;
	}
	if (open)
		total += cur_end - cur_start;
	return total;
}

static double job_seconds(const struct job *j)
{
	long long ms = j->end_ms - j->start_ms;
	return ms > 0 ? (double)ms / 1000.0 : 0;
}

/*
 * best[j]: length of the longest chain of built jobs ending with j; prev[j]
 * its dependency on that chain. seen[j]: 0 not yet, 1 computed.
 */
static double chain_to(const struct dag *dag, size_t j, double *best,
		       size_t *prev, unsigned char *seen)
{
	if (seen[j])
		return best[j];
	const struct job *job = &dag->jobs[j];
	double longest = 0;
	prev[j] = NO_JOB;
	for (size_t i = 0; i < job->ndeps; i++) {
		size_t d = job->deps[i];
		if (dag->jobs[d].state != JOB_DONE)
			continue;
		double c = chain_to(dag, d, best, prev, seen);
		if (c > longest || (c == longest && prev[j] == NO_JOB)) {
			longest = c;
			prev[j] = d;
		}
	}
	best[j] = longest + job_seconds(job);
	seen[j] = 1;
	return best[j];
}

double critical_path(const struct dag *dag, size_t *path, size_t *npath)
{
	size_t n = dag->nr, end = NO_JOB;
	double *best = xcalloc(n + 1, sizeof(*best));
	size_t *prev = xcalloc(n + 1, sizeof(*prev));
	unsigned char *seen = xcalloc(n + 1, 1);
	double longest = 0;

	for (size_t j = 0; j < n; j++) {
		if (dag->jobs[j].state != JOB_DONE)
			continue;
		double c = chain_to(dag, j, best, prev, seen);
		if (end == NO_JOB || c > longest) {
			longest = c;
			end = j;
		}
	}
	*npath = 0;
	for (size_t j = end; j != NO_JOB; j = prev[j])
		path[(*npath)++] = j;
	for (size_t i = 0; i < *npath / 2; i++) {
		size_t t = path[i];
		path[i] = path[*npath - 1 - i];
		path[*npath - 1 - i] = t;
	}
	free(best);
	free(prev);
	free(seen);
	return end == NO_JOB ? 0 : longest;
}

void html_escape(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&#39;"); break;
		default: strbuf_addch(sb, *s); break;
		}
	}
}

void script_escape(struct strbuf *sb, const char *json)
{
	for (; *json; json++) {
		if (*json == '<')
			strbuf_addstr(sb, "\\u003c");
		else
			strbuf_addch(sb, *json);
	}
}

/* A JSON string of any bytes: invalid UTF-8 becomes '?'. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	if (v)
		return v;
	char *copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v ? v : json_null();
}

/* x (>= 0) rounded to 1/scale, so the file reads "0.6952", not digits
 * past what was measured. */
static json_t *jround(double x, double scale)
{
	if (x < 0)
		return json_real(x);
	return json_real((double)(long long)(x * scale + 0.5) / scale);
}

/* Milliseconds as seconds, to the millisecond. */
static json_t *jsec(long long ms)
{
	return json_real((double)ms / 1000.0);
}

static const char *status_name(enum job_state s)
{
	switch (s) {
	case JOB_DONE: return "built";
	case JOB_FAILED: return "failed";
	case JOB_SKIPPED: return "skipped";
	case JOB_CANCELLED: return "cancelled";
	case JOB_RUNNING: return "running";
	default: return "pending";
	}
}

/* It was started on a node and reached a final state from there. */
static int job_ran(const struct job *j)
{
	return j->attempts > 0 && j->node >= 0 &&
	       (j->state == JOB_DONE || j->state == JOB_FAILED ||
		j->state == JOB_CANCELLED);
}

static json_t *target_json(const struct run_view *view, size_t i, int critical)
{
	const struct job *j = &view->dag->jobs[i];
	const struct job_info *in = &view->info[i];
	json_t *t = json_object();
	json_t *deps = json_array();

	json_object_set_new(t, "name", jstr(j->name));
	json_object_set_new(t, "status", json_string(status_name(j->state)));
	if (job_ran(j)) {
		json_object_set_new(t, "node", jstr(view->nodes->v[j->node].name));
		json_object_set_new(t, "slot", json_integer(in->slot));
		json_object_set_new(t, "start", jsec(j->start_ms - view->start_ms));
		json_object_set_new(t, "end", jsec(j->end_ms - view->start_ms));
		json_object_set_new(t, "duration", jsec(j->end_ms - j->start_ms));
		json_object_set_new(t, "batch", json_integer((json_int_t)in->batch));
		json_object_set_new(t, "exit_code", json_integer(in->exit_code));
	} else {
		json_object_set_new(t, "node", json_null());
		json_object_set_new(t, "slot", json_null());
		json_object_set_new(t, "start", json_null());
		json_object_set_new(t, "end", json_null());
		json_object_set_new(t, "duration", json_null());
		json_object_set_new(t, "batch", json_null());
		json_object_set_new(t, "exit_code", json_null());
	}
	json_object_set_new(t, "attempts", json_integer(j->attempts));
	/* counted over the whole invocation when it built a batch */
	if (job_ran(j) && in->progress.steps) {
		json_object_set_new(t, "steps", json_integer(in->progress.steps));
		json_object_set_new(t, "cached", json_integer(in->progress.cached));
	} else {
		json_object_set_new(t, "steps", json_null());
		json_object_set_new(t, "cached", json_null());
	}
	json_object_set_new(t, "log", jstr(in->log_path));
	for (size_t d = 0; d < j->ndeps; d++)
		json_array_append_new(deps, jstr(view->dag->jobs[j->deps[d]].name));
	json_object_set_new(t, "depends_on", deps);
	json_object_set_new(t, "blocked_by",
			    j->state == JOB_SKIPPED && j->blocked_by != NO_JOB
				    ? jstr(view->dag->jobs[j->blocked_by].name)
				    : json_null());
	if (j->state == JOB_FAILED && in->progress.error[0]) {
		/* a build arg or variable given on the command line may be
		 * a token the error line repeats */
		char *e = redact(in->progress.error,
				 view->secrets ? (const char *const *)view->secrets->v
					       : NULL);
		json_object_set_new(t, "error", jstr(e));
		free(e);
	} else {
		json_object_set_new(t, "error", json_null());
	}
	json_object_set_new(t, "critical", json_boolean(critical));
	return t;
}

static json_t *node_json(const struct run_view *view, size_t n, long long wall)
{
	const struct node *node = &view->nodes->v[n];
	json_t *o = json_object(), *plats = json_array();
	struct interval *iv = xcalloc(view->dag->nr + 1, sizeof(*iv));
	size_t niv = 0;
	long long sum = 0;

	for (size_t i = 0; i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		if (!job_ran(j) || j->node != (int)n)
			continue;
		iv[niv++] = (struct interval){ j->start_ms, j->end_ms };
		if (j->end_ms > j->start_ms)
			sum += j->end_ms - j->start_ms;
	}
	long long busy = interval_union(iv, niv);
	free(iv);
	for (size_t p = 0; p < node->platforms.nr; p++)
		json_array_append_new(plats, jstr(node->platforms.v[p]));
	json_object_set_new(o, "name", jstr(node->name));
	json_object_set_new(o, "endpoint", jstr(node->endpoint));
	json_object_set_new(o, "platforms", plats);
	json_object_set_new(o, "slots",
			    json_integer(view->stats ? view->stats[n].slots : 0));
	json_object_set_new(o, "builds", json_integer((json_int_t)niv));
	json_object_set_new(o, "busy", jsec(busy));
	json_object_set_new(o, "busy_sum", jsec(sum));
	json_object_set_new(o, "busy_ratio",
			    jround(wall > 0 ? (double)busy / (double)wall : 0, 1e4));
	return o;
}

/* User and system CPU, in seconds. */
static double cpu_s(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

json_t *report_build(const struct run_view *view)
{
	json_t *r = json_object(), *totals = json_object();
	json_t *counts = json_object(), *nodes = json_array();
	json_t *targets = json_array(), *chain = json_array();
	long long wall = view->end_ms - view->start_ms;
	size_t *path = xcalloc(view->dag->nr + 1, sizeof(*path));
	unsigned char *critical = xcalloc(view->dag->nr + 1, 1);
	size_t npath = 0;
	double cp = critical_path(view->dag, path, &npath);
	struct run_counts c;
	char when[64] = "";

	if (wall < 0)
		wall = 0;
	time_t t0 = time(NULL) - (time_t)((now_ms() - view->start_ms) / 1000);
	struct tm tm;
	if (gmtime_r(&t0, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);

	for (size_t k = 0; k < npath; k++) {
		critical[path[k]] = 1;
		json_array_append_new(chain, jstr(view->dag->jobs[path[k]].name));
	}
	run_count(view, &c);
	json_object_set_new(counts, "total", json_integer((json_int_t)view->dag->nr));
	json_object_set_new(counts, "built", json_integer((json_int_t)c.done));
	json_object_set_new(counts, "failed", json_integer((json_int_t)c.failed));
	json_object_set_new(counts, "skipped", json_integer((json_int_t)c.skipped));
	json_object_set_new(counts, "cancelled",
			    json_integer((json_int_t)c.cancelled));

	json_object_set_new(totals, "wall", jsec(wall));
	json_object_set_new(totals, "counts", counts);
	json_object_set_new(totals, "lower_bound", jround(view->lower_bound, 1e3));
	json_object_set_new(totals, "ratio",
			    view->lower_bound > 0
				    ? jround((double)wall / 1000.0 / view->lower_bound, 1e4)
				    : json_null());
	json_t *cpo = json_object();
	json_object_set_new(cpo, "duration", jround(cp, 1e3));
	json_object_set_new(cpo, "targets", chain);
	json_object_set_new(totals, "critical_path", cpo);
	/* what dbake itself cost the client, its children apart */
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		json_t *cl = json_object();
		json_object_set_new(cl, "cpu", jround(cpu_s(&ru), 1e3));
		json_object_set_new(cl, "max_rss_kb", json_integer(ru.ru_maxrss));
		/* the bakes it ran, once ended (and what they ran) */
		if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
			json_object_set_new(cl, "children_cpu",
					    jround(cpu_s(&ru), 1e3));
		json_t *d = json_object();
		json_object_set_new(d, "count", json_integer((json_int_t)view->decisions));
		json_object_set_new(d, "mean_us",
				    json_integer(view->decisions
						 ? view->decision_us / (long long)view->decisions
						 : 0));
		json_object_set_new(d, "max_us", json_integer(view->decision_max_us));
		json_object_set_new(cl, "decisions", d);
		json_object_set_new(totals, "client", cl);
	}

	for (size_t n = 0; n < view->nodes->nr; n++)
		json_array_append_new(nodes, node_json(view, n, wall));
	for (size_t i = 0; i < view->dag->nr; i++)
		json_array_append_new(targets, target_json(view, i, critical[i]));

	json_object_set_new(r, "version", json_integer(1));
	json_object_set_new(r, "builder", jstr(view->nodes->builder));
	json_object_set_new(r, "started_at", json_string(when));
	json_object_set_new(r, "log_dir", jstr(view->log_dir));
	json_object_set_new(r, "stopped_by_signal", json_integer(view->stop_signal));
	json_object_set_new(r, "totals", totals);
	json_object_set_new(r, "nodes", nodes);
	json_object_set_new(r, "targets", targets);
	free(path);
	free(critical);
	return r;
}

int report_write(const struct run_view *view, const char *dir)
{
	json_t *r = report_build(view);
	char *json = json_dumps(r, REPORT_JSON_FLAGS);
	struct strbuf html = STRBUF_INIT;
	char *json_path = xstrfmt("%s/report.json", dir);
	char *html_path = xstrfmt("%s/report.html", dir);
	int json_err = 0, html_err = 0;

	report_html(&html, r);
	if (!json) {
		json_err = ENOMEM;
	} else {
		/* a final newline, as a text file has */
		char *text = xstrfmt("%s\n", json);
		if (write_file_atomic(json_path, text, strlen(text), 0600) < 0)
			json_err = errno;
		free(text);
	}
	if (write_file_atomic(html_path, html.buf, html.len, 0600) < 0)
		html_err = errno;
	/* one line, whatever failed */
	if (json_err && html_err)
		warning("could not write the report in %s: %s", dir,
			strerror(html_err));
	else if (json_err || html_err)
		warning("could not write %s: %s", json_err ? json_path : html_path,
			strerror(json_err ? json_err : html_err));
	free(json);
	free(json_path);
	free(html_path);
	strbuf_release(&html);
	json_decref(r);
	return html_err ? -1 : 0;
}

/* --- --metadata-file --- */

static int is_target(const char *key, const char *const *targets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(key, targets[i]))
			return 1;
	return 0;
}

json_t *metadata_collect(const char *const *files, size_t nfiles,
			 const char *const *targets, const int *own,
			 size_t ntargets, struct strbuf *bad)
{
	json_t **docs = xcalloc(nfiles + 1, sizeof(*docs));
	json_t *out = json_object();
	ssize_t newest = -1;

	for (size_t f = 0; f < nfiles; f++) {
		json_error_t err;
		if (access(files[f], F_OK) < 0 && errno == ENOENT)
			continue;
		docs[f] = json_load_file(files[f], 0, &err);
		if (docs[f] && !json_is_object(docs[f])) {
			json_decref(docs[f]);
			docs[f] = NULL;
			snprintf(err.text, sizeof(err.text), "not a JSON object");
		}
		if (!docs[f]) {
			if (bad)
				strbuf_addf(bad, "%s%s: %s", bad->len ? "; " : "",
					    files[f], err.text);
			continue;
		}
		newest = (ssize_t)f;
	}
	for (size_t i = 0; i < ntargets; i++) {
		json_t *v = NULL;
		if (own && own[i] >= 0 && (size_t)own[i] < nfiles && docs[own[i]])
			v = json_object_get(docs[own[i]], targets[i]);
		for (size_t f = nfiles; !v && f-- > 0;)
			if (docs[f])
				v = json_object_get(docs[f], targets[i]);
		if (v)
			json_object_set(out, targets[i], v);
	}
	if (newest >= 0) {
		const char *key;
		json_t *v;
		json_object_foreach(docs[newest], key, v) {
			if (strchr(key, '.') && !is_target(key, targets, ntargets))
				json_object_set(out, key, v);
		}
	}
	for (size_t f = 0; f < nfiles; f++)
		json_decref(docs[f]);
	free(docs);
	return out;
}

struct mdfile {
	const char *path;
	struct timespec mtime;
};

static int cmp_mtime(const void *a, const void *b)
{
	const struct mdfile *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * A build's "buildx.build.ref" is BUILDER/NODE/REF of the builder that
 * ran it: dbake's shard, which no command of the user's knows. The same
 * BuildKit is the user's node: name that, as plain bake would.
 */
static void name_users_builder(const struct run_view *view, json_t *out)
{
	for (size_t i = 0; view->nodes && i < view->dag->nr; i++) {
		const struct job *j = &view->dag->jobs[i];
		if (j->state != JOB_DONE || j->node < 0 ||
		    (size_t)j->node >= view->nodes->nr)
			continue;
		const struct node *n = &view->nodes->v[j->node];
		json_t *e = json_object_get(out, j->name);
		const char *ref = json_string_value(
			json_object_get(e, "buildx.build.ref"));
		size_t len = n->shard ? strlen(n->shard) : 0;
		if (!ref || !len || strncmp(ref, n->shard, len) || ref[len] != '/')
			continue;
		const char *rest = strchr(ref + len + 1, '/');
		if (!rest)
			continue;
		char *mine = xstrfmt("%s/%s%s", view->nodes->builder, n->name, rest);
		json_object_set_new(e, "buildx.build.ref", json_string(mine));
		free(mine);
	}
}

int metadata_merge(const struct run_view *view, const char *path)
{
	size_t n = view->dag->nr, nfiles = 0, ntargets = 0;
	struct mdfile *md = xcalloc(n + 1, sizeof(*md));
	const char **files = xcalloc(n + 1, sizeof(*files));
	const char **targets = xcalloc(n + 1, sizeof(*targets));
	int *own = xcalloc(n + 1, sizeof(*own));
	struct strbuf bad = STRBUF_INIT;
	int ret = 0;

	/* every invocation's file, oldest first */
	for (size_t i = 0; i < n; i++) {
		const char *p = view->info[i].metadata_path;
		struct stat st;
		if (!p || stat(p, &st) < 0)
			continue;
		md[nfiles++] = (struct mdfile){ p, st.st_mtim };
	}
	qsort(md, nfiles, sizeof(*md), cmp_mtime);
	for (size_t f = 0; f < nfiles; f++)
		files[f] = md[f].path;
	for (size_t i = 0; i < n; i++) {
		/* a split target's parts are in its merge's entry */
		if (view->dag->jobs[i].state != JOB_DONE || view->info[i].platform)
			continue;
		own[ntargets] = -1;
		for (size_t f = 0; f < nfiles; f++)
			if (view->info[i].metadata_path &&
			    !strcmp(files[f], view->info[i].metadata_path))
				own[ntargets] = (int)f;
		targets[ntargets++] = view->dag->jobs[i].name;
	}
	json_t *out = metadata_collect(files, nfiles, targets, own, ntargets,
				       &bad);
	name_users_builder(view, out);
	char *text = json_dumps(out, JSON_INDENT(2));
	if (!text) {
		warning("could not write %s: out of memory", path);
		ret = -1;
	} else {
		char *nl = xstrfmt("%s\n", text);
		if (write_file_atomic(path, nl, strlen(nl), 0644) < 0) {
			warning("could not write %s: %s", path, strerror(errno));
			ret = -1;
		} else if (bad.len) {
			warning("left out of %s: %s", path, bad.buf);
		}
		free(nl);
	}
	free(text);
	json_decref(out);
	strbuf_release(&bad);
	free(md);
	free(files);
	free(targets);
	free(own);
	return ret;
}
