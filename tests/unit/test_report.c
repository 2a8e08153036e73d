/* The run report: busy time, critical path, escaping, metadata merge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/dispatch.h"
#include "sched/dag.h"
#include "ui/report.h"
#include "util/util.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- interval union --- */

static void t_interval_union(void **state)
{
	(void)state;
	assert_int_equal(interval_union(NULL, 0), 0);

	struct interval one[] = { { 100, 350 } };
	assert_int_equal(interval_union(one, 1), 250);

	/* disjoint, given out of order */
	struct interval disjoint[] = { { 500, 600 }, { 0, 100 }, { 200, 250 } };
	assert_int_equal(interval_union(disjoint, 3), 250);

	/* overlapping, nested, touching */
	struct interval mixed[] = {
		{ 0, 100 },   /* [0,100) */
		{ 50, 150 },  /* overlaps: [0,150) */
		{ 60, 70 },   /* nested */
		{ 150, 200 }, /* touches: [0,200) */
		{ 300, 400 }, /* apart */
		{ 310, 390 }, /* nested */
		{ 390, 450 }, /* overlaps the end: [300,450) */
	};
	assert_int_equal(interval_union(mixed, ARRAY_SIZE(mixed)), 200 + 150);

	/* one long build spanning shorter ones */
	struct interval span[] = { { 10, 20 }, { 0, 1000 }, { 500, 900 } };
	assert_int_equal(interval_union(span, 3), 1000);

	/* empty and backwards intervals add nothing */
	struct interval odd[] = { { 5, 5 }, { 50, 40 }, { 10, 30 } };
	assert_int_equal(interval_union(odd, 3), 20);

	/* identical intervals (one batch) count once */
	struct interval batch[] = { { 7, 19 }, { 7, 19 }, { 7, 19 } };
	assert_int_equal(interval_union(batch, 3), 12);
}

/* --- critical path --- */

static const struct strvec no_platforms = STRVEC_INIT;

static size_t job(struct dag *d, const char *name, enum job_state st,
		  long long start, long long end)
{
	size_t i = dag_add(d, name, &no_platforms);
	d->jobs[i].state = st;
	d->jobs[i].start_ms = start;
	d->jobs[i].end_ms = end;
	d->jobs[i].attempts = st == JOB_SKIPPED ? 0 : 1;
	return i;
}

static void assert_path(const struct dag *d, const size_t *path, size_t n,
			const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", d->jobs[path[i]].name);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/*
 *   a (2s) <- b (3s) <- d (1s)       a-b-d: 6s
 *   a      <- c (5s) <- f (failed)   a-c:   7s (f does not count)
 *   e (6.5s)                          alone
 *   g (skipped, blocked by f)
 */
static void t_critical_path(void **state)
{
	(void)state;
	struct dag d = DAG_INIT;
	size_t path[16], n = 99;
	size_t a = job(&d, "a", JOB_DONE, 1000, 3000);
	size_t b = job(&d, "b", JOB_DONE, 3000, 6000);
	size_t c = job(&d, "c", JOB_DONE, 3100, 8100);
	size_t dd = job(&d, "d", JOB_DONE, 6000, 7000);
	size_t e = job(&d, "e", JOB_DONE, 0, 6500);
	size_t f = job(&d, "f", JOB_FAILED, 8100, 30000);
	size_t g = job(&d, "g", JOB_SKIPPED, 0, 30000);
	dag_add_edge(&d, b, a);
	dag_add_edge(&d, c, a);
	dag_add_edge(&d, dd, b);
	dag_add_edge(&d, f, c);
	dag_add_edge(&d, g, f);

	double len = critical_path(&d, path, &n);
	assert_true(len > 6.999 && len < 7.001);
	assert_path(&d, path, n, "a c");

	/* c failed after all: the longest chain is e alone */
	d.jobs[c].state = JOB_FAILED;
	len = critical_path(&d, path, &n);
	assert_true(len > 6.499 && len < 6.501);
	assert_path(&d, path, n, "e");

	/* e too: a-b-d; with a longer d, a-b-d wins over anything */
	d.jobs[e].state = JOB_CANCELLED;
	len = critical_path(&d, path, &n);
	assert_true(len > 5.999 && len < 6.001);
	assert_path(&d, path, n, "a b d");

	/* a diamond: the longer of two branches */
	struct dag m = DAG_INIT;
	size_t top = job(&m, "top", JOB_DONE, 0, 1000);
	size_t l = job(&m, "left", JOB_DONE, 1000, 1500);
	size_t r = job(&m, "right", JOB_DONE, 1000, 4000);
	size_t bot = job(&m, "bottom", JOB_DONE, 4000, 4200);
	dag_add_edge(&m, l, top);
	dag_add_edge(&m, r, top);
	dag_add_edge(&m, bot, l);
	dag_add_edge(&m, bot, r);
	len = critical_path(&m, path, &n);
	assert_true(len > 4.199 && len < 4.201);
	assert_path(&m, path, n, "top right bottom");
	dag_release(&m);

	/* nothing built */
	for (size_t i = 0; i < d.nr; i++)
		d.jobs[i].state = JOB_SKIPPED;
	len = critical_path(&d, path, &n);
	assert_true(len == 0);
	assert_int_equal(n, 0);
	dag_release(&d);
}

/* --- escaping --- */

static void assert_escaped(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	html_escape(&sb, in);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void t_html_escape(void **state)
{
	(void)state;
	assert_escaped("", "");
	assert_escaped(NULL, "");
	assert_escaped("app-1_x", "app-1_x");
	assert_escaped("<script>alert(\"x&y\")</script>",
		       "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;");
	assert_escaped("it's", "it&#39;s");
	assert_escaped("a\" onmouseover=\"x", "a&quot; onmouseover=&quot;x");
	assert_escaped("&amp;", "&amp;amp;");
	assert_escaped("/tmp/dir with space/é.log", "/tmp/dir with space/é.log");
}

static void t_script_escape(void **state)
{
	(void)state;
	const char *name = "</script><script>alert(1)</script><!--";
	json_t *o = json_pack("{s:s}", "name", name);
	char *text = json_dumps(o, JSON_COMPACT);
	struct strbuf sb = STRBUF_INIT;
	script_escape(&sb, text);
	assert_null(strchr(sb.buf, '<'));
	assert_null(strstr(sb.buf, "</"));
	/* still JSON, still the same string */
	json_error_t err;
	json_t *back = json_loads(sb.buf, 0, &err);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "name")), name);
	json_decref(back);
	json_decref(o);
	free(text);
	strbuf_release(&sb);
}

/* --- files: a temporary directory per test --- */

struct env {
	char dir[64];
};

static int env_setup(void **state)
{
	struct env *e = xcalloc(1, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/dbake-test-report.XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	*state = e;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int env_teardown(void **state)
{
	struct env *e = *state;
	nftw(e->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

static char *write_file(const struct env *e, const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", e->dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static size_t count_entries(const char *dir)
{
	char *cmd = xstrfmt("ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	unsigned long n = 0;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%lu", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

static void t_write_file_atomic(void **state)
{
	struct env *e = *state;
	char *path = xstrfmt("%s/out.json", e->dir);
	struct stat st;

	assert_int_equal(write_file_atomic(path, "{}\n", 3, 0644), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* replaced whole */
	assert_int_equal(write_file_atomic(path, "[1]\n", 4, 0644), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(count_entries(e->dir), 1);

	char *missing = xstrfmt("%s/no/such/dir/out.json", e->dir);
	errno = 0;
	assert_int_equal(write_file_atomic(missing, "x", 1, 0644), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_entries(e->dir), 1);
	free(missing);
	free(path);
}

static void t_metadata_collect(void **state)
{
	struct env *e = *state;
	/* older: led by a, built a and b (whose own build came later) */
	char *f1 = write_file(e, "a.log.metadata.json",
		"{\"a\": {\"buildx.build.ref\": \"ref-a\"},"
		" \"b\": {\"buildx.build.ref\": \"old-b\"},"
		" \"buildx.build.warnings\": [\"old\"]}");
	/* newer: b alone, with its dependency a built inside it again and
	 * a dependency that is not a target of the run */
	char *f2 = write_file(e, "b.log.metadata.json",
		"{\"b\": {\"containerimage.config.digest\": \"sha256:bbb\","
		" \"buildx.build.ref\": \"new-b\"},"
		" \"a\": {\"buildx.build.ref\": \"a-again\"},"
		" \"dep\": {\"buildx.build.ref\": \"dep\"},"
		" \"buildx.build.warnings\": [\"new\"]}");
	char *broken = write_file(e, "x.log.metadata.json", "{\"x\": ");
	char *missing = xstrfmt("%s/none.metadata.json", e->dir);
	const char *files[] = { f1, missing, broken, f2 };
	const char *targets[] = { "a", "b", "c" };
	int own[] = { 0, -1, -1 };
	struct strbuf bad = STRBUF_INIT;

	json_t *m = metadata_collect(files, 4, targets, own, 3, &bad);
	assert_non_null(m);
	/* a: from its own file, not the rebuild inside b's */
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(m, "a"), "buildx.build.ref")), "ref-a");
	/* b: from the newest file holding it */
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(m, "b"), "buildx.build.ref")), "new-b");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(m, "b"), "containerimage.config.digest")),
		"sha256:bbb");
	/* c: in no file; dep: not a target of the run */
	assert_null(json_object_get(m, "c"));
	assert_null(json_object_get(m, "dep"));
	/* bake's own keys: from the newest file only */
	json_t *w = json_object_get(m, "buildx.build.warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_string_equal(json_string_value(json_array_get(w, 0)), "new");
	assert_int_equal(json_object_size(m), 3);
	/* the broken file is named, the missing one is not */
	assert_non_null(strstr(bad.buf, "x.log.metadata.json"));
	assert_null(strstr(bad.buf, "none.metadata.json"));
	json_decref(m);

	/* a newest file without bake's keys: none kept */
	const char *two[] = { f2, f1 };
	json_t *f1doc = json_load_file(f1, 0, NULL);
	json_object_del(f1doc, "buildx.build.warnings");
	assert_int_equal(json_dump_file(f1doc, f1, 0), 0);
	json_decref(f1doc);
	int own2[] = { -1, -1, -1 };
	m = metadata_collect(two, 2, targets, own2, 3, NULL);
	assert_null(json_object_get(m, "buildx.build.warnings"));
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(m, "a"), "buildx.build.ref")), "ref-a");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(m, "b"), "buildx.build.ref")), "old-b");
	json_decref(m);

	strbuf_release(&bad);
	free(f1);
	free(f2);
	free(broken);
	free(missing);
}

/* --- a whole (made-up) run --- */

struct fake {
	struct options opts;
	struct nodeset nodes;
	struct run run;
};

#define ODD "<b>&\"odd'</b>"

static void fake_node(struct nodeset *set, const char *name, const char *ep,
		      const char *platform)
{
	ALLOC_GROW(set->v, set->nr + 1, set->alloc);
	struct node *n = &set->v[set->nr++];
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name);
	n->endpoint = xstrdup(ep);
	n->platforms = (struct strvec)STRVEC_INIT;
	strvec_push(&n->platforms, platform);
}

static void fake_job(struct run *run, const char *name, enum job_state st,
		     int node, int slot, long long start, long long end,
		     const char *log)
{
	size_t i = job(&run->dag, name, st, start, end);
	run->dag.jobs[i].node = node;
	if (node < 0)
		run->dag.jobs[i].attempts = 0;
	run->info = xrealloc(run->info, sizeof(*run->info) * (i + 1));
	memset(&run->info[i], 0, sizeof(run->info[i]));
	run->info[i].progress = (struct progress)PROGRESS_INIT;
	run->info[i].slot = slot;
	run->info[i].batch = 1;
	run->info[i].log_path = log ? xstrdup(log) : NULL;
	run->info[i].metadata_path = log ? xstrfmt("%s.metadata.json", log) : NULL;
}

/*
 * node n0 (2 slots): base 0-2s, app 2-5s (needs base), side 1-2.5s
 * node n1 (1 slot):  ODD 0.5-1.5s failed; blocked (needs ODD) skipped
 * run 1000..6000 ms
 */
static void fake_run(struct fake *f, const char *dir)
{
	memset(f, 0, sizeof(*f));
	f->opts = (struct options)OPTIONS_INIT;
	f->nodes = (struct nodeset)NODESET_INIT;
	f->nodes.builder = xstrdup("cluster");
	fake_node(&f->nodes, "n0", "tcp://10.0.0.1:1234", "linux/amd64");
	fake_node(&f->nodes, "n1<x>", "tcp://10.0.0.2:1234", "linux/arm64");
	struct run *run = &f->run;
	run->opts = &f->opts;
	run->nodes = &f->nodes;
	run->dag = (struct dag)DAG_INIT;
	run->logs = (struct logdir)LOGDIR_INIT;
	run->logs.path = xstrdup(dir);
	run->start_ms = 1000;
	run->end_ms = 6000;
	char *log = xstrfmt("%s/base.log", dir);
	fake_job(run, "base", JOB_DONE, 0, 0, 1000, 3000, log);
	free(log);
	log = xstrfmt("%s/app.log", dir);
	fake_job(run, "app", JOB_DONE, 0, 0, 3000, 6000, log);
	free(log);
	log = xstrfmt("%s/side.log", dir);
	fake_job(run, "side", JOB_DONE, 0, 1, 2000, 3500, log);
	free(log);
	log = xstrfmt("%s/odd \"&<'.log", dir);
	fake_job(run, ODD, JOB_FAILED, 1, 0, 1500, 2500, log);
	free(log);
	fake_job(run, "blocked", JOB_SKIPPED, -1, 0, 0, 2500, NULL);
	dag_add_edge(&run->dag, 1, 0);
	dag_add_edge(&run->dag, 4, 3);
	run->dag.jobs[4].blocked_by = 3;
	run->info[1].progress.steps = 4;
	run->info[1].progress.cached = 3;
	run->info[3].exit_code = 1;
	snprintf(run->info[3].progress.error, sizeof(run->info[3].progress.error),
		 "exit code: 1 </script>\xff");
	run->sched.stats = xcalloc(2, sizeof(*run->sched.stats));
	run->sched.stats[0].slots = 2;
	run->sched.stats[1].slots = 1;
	run->lower_bound = 4.0;
}

static void fake_release(struct fake *f)
{
	struct run *run = &f->run;
	for (size_t i = 0; i < run->dag.nr; i++) {
		free(run->info[i].log_path);
		free(run->info[i].metadata_path);
		progress_release(&run->info[i].progress);
	}
	free(run->info);
	free(run->sched.stats);
	dag_release(&run->dag);
	logdir_release(&run->logs);
	for (size_t n = 0; n < f->nodes.nr; n++) {
		free(f->nodes.v[n].name);
		free(f->nodes.v[n].endpoint);
		strvec_clear(&f->nodes.v[n].platforms);
	}
	free(f->nodes.v);
	free(f->nodes.builder);
}

static json_t *target(json_t *r, const char *name)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(r, "targets"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	fail_msg("no target %s in the report", name);
	return NULL;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

#define assert_near(a, b) assert_true(fabs_((a) - (b)) < 1e-6)
static double fabs_(double x)
{
	return x < 0 ? -x : x;
}

static void t_report_build(void **state)
{
	struct env *e = *state;
	struct fake f;
	fake_run(&f, e->dir);
	json_t *r = report_build(run_view(&f.run));
	json_t *totals = json_object_get(r, "totals");

	assert_near(num(totals, "wall"), 5.0);
	assert_near(num(totals, "lower_bound"), 4.0);
	assert_near(num(totals, "ratio"), 1.25);
	json_t *counts = json_object_get(totals, "counts");
	assert_near(num(counts, "built"), 3);
	assert_near(num(counts, "failed"), 1);
	assert_near(num(counts, "skipped"), 1);
	json_t *cp = json_object_get(totals, "critical_path");
	assert_near(num(cp, "duration"), 5.0);
	assert_int_equal(json_array_size(json_object_get(cp, "targets")), 2);

	json_t *app = target(r, "app");
	assert_string_equal(json_string_value(json_object_get(app, "node")), "n0");
	assert_near(num(app, "start"), 2.0);
	assert_near(num(app, "end"), 5.0);
	assert_near(num(app, "duration"), 3.0);
	assert_near(num(app, "cached"), 3);
	assert_near(num(app, "steps"), 4);
	assert_true(json_is_true(json_object_get(app, "critical")));
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(app, "depends_on"), 0)), "base");
	json_t *odd = target(r, ODD);
	assert_string_equal(json_string_value(json_object_get(odd, "status")),
			    "failed");
	assert_string_equal(json_string_value(json_object_get(odd, "node")), "n1<x>");
	/* an error line that is not UTF-8 is still a JSON string */
	assert_non_null(strstr(json_string_value(json_object_get(odd, "error")),
			       "exit code: 1"));
	json_t *blocked = target(r, "blocked");
	assert_true(json_is_null(json_object_get(blocked, "node")));
	assert_true(json_is_null(json_object_get(blocked, "start")));
	assert_string_equal(json_string_value(json_object_get(blocked, "blocked_by")),
			    ODD);

	/* n0: base 0-2, side 1-2.5, app 2-5: busy 5s, builds 6.5s */
	json_t *n0 = json_array_get(json_object_get(r, "nodes"), 0);
	assert_near(num(n0, "busy"), 5.0);
	assert_near(num(n0, "busy_sum"), 6.5);
	assert_near(num(n0, "busy_ratio"), 1.0);
	assert_near(num(n0, "slots"), 2);
	json_t *n1 = json_array_get(json_object_get(r, "nodes"), 1);
	assert_near(num(n1, "busy"), 1.0);
	assert_near(num(n1, "builds"), 1);
	json_decref(r);
	fake_release(&f);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void t_report_html(void **state)
{
	struct env *e = *state;
	struct fake f;
	fake_run(&f, e->dir);
	json_t *r = report_build(run_view(&f.run));
	struct strbuf h = STRBUF_INIT;
	report_html(&h, r);

	/* one bar per target that ran, the skipped one listed */
	assert_int_equal(count(h.buf, "<div class=\"bar "), 4);
	assert_int_equal(count(h.buf, "class=\"bar st-failed"), 1);
	assert_int_equal(count(h.buf, "class=\"bar st-built crit\""), 2);
	assert_non_null(strstr(h.buf, "data-target=\"blocked\" data-status=\"skipped\""));
	/* no odd string unescaped anywhere */
	assert_null(strstr(h.buf, ODD));
	assert_null(strstr(h.buf, "n1<x>"));
	assert_non_null(strstr(h.buf, "&lt;b&gt;&amp;&quot;odd&#39;&lt;/b&gt;"));
	assert_non_null(strstr(h.buf, "data-target=\"&lt;b&gt;&amp;&quot;odd&#39;&lt;/b&gt;\""));
	/* the log link is percent-encoded */
	assert_non_null(strstr(h.buf, "/odd%20%22%26%3C%27.log\""));
	/* one closing script tag per script, the embedded JSON parses */
	assert_int_equal(count(h.buf, "</script"), 2);
	const char *open = "<script type=\"application/json\" id=\"report-data\">";
	char *data = strstr(h.buf, open);
	assert_non_null(data);
	data += strlen(open);
	char *end = strstr(data, "</script>");
	json_error_t err;
	json_t *back = json_loadb(data, (size_t)(end - data), 0, &err);
	assert_non_null(back);
	assert_int_equal(json_array_size(json_object_get(back, "targets")), 5);
	json_decref(back);
	/* nothing from elsewhere */
	assert_null(strstr(h.buf, "http://"));
	assert_null(strstr(h.buf, "https://"));
	assert_null(strstr(h.buf, " src="));
	assert_null(strstr(h.buf, "<link"));
	strbuf_release(&h);
	json_decref(r);
	fake_release(&f);
}

static void t_report_write(void **state)
{
	struct env *e = *state;
	struct fake f;
	fake_run(&f, e->dir);
	assert_int_equal(report_write(run_view(&f.run), e->dir), 0);
	char *json = xstrfmt("%s/report.json", e->dir);
	char *html = xstrfmt("%s/report.html", e->dir);
	json_t *r = json_load_file(json, 0, NULL);
	assert_non_null(r);
	assert_int_equal(json_array_size(json_object_get(r, "targets")), 5);
	assert_int_equal(access(html, R_OK), 0);
	json_decref(r);

	/* a directory that is not there: -1 (a warning), no crash */
	char *gone = xstrfmt("%s/gone", e->dir);
	assert_int_equal(report_write(run_view(&f.run), gone), -1);

	/* metadata: the built targets, from the files their bakes wrote */
	char *md = xstrfmt("%s/base.log.metadata.json", e->dir);
	FILE *fp = fopen(md, "w");
	fputs("{\"base\": {\"buildx.build.ref\": \"b\"},"
	      " \"side\": {\"buildx.build.ref\": \"s\"}}", fp);
	fclose(fp);
	free(md);
	md = xstrfmt("%s/app.log.metadata.json", e->dir);
	fp = fopen(md, "w");
	fputs("{\"app\": {\"containerimage.config.digest\": \"sha256:a\"}}", fp);
	fclose(fp);
	free(md);
	char *out = xstrfmt("%s/merged.json", e->dir);
	assert_int_equal(metadata_merge(run_view(&f.run), out), 0);
	json_t *m = json_load_file(out, 0, NULL);
	assert_non_null(m);
	assert_int_equal(json_object_size(m), 3);
	assert_non_null(json_object_get(m, "base"));
	assert_non_null(json_object_get(m, "side"));
	assert_non_null(json_object_get(m, "app"));
	json_decref(m);
	char *bad = xstrfmt("%s/gone/merged.json", e->dir);
	assert_int_equal(metadata_merge(run_view(&f.run), bad), -1);

	free(bad);
	free(out);
	free(gone);
	free(json);
	free(html);
	fake_release(&f);
}

#define ET(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_interval_union),
		cmocka_unit_test(t_critical_path),
		cmocka_unit_test(t_html_escape),
		cmocka_unit_test(t_script_escape),
		ET(t_write_file_atomic),
		ET(t_metadata_collect),
		ET(t_report_build),
		ET(t_report_html),
		ET(t_report_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
