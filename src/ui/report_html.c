/*
 * report.html: one self-contained page (inline CSS and JS, nothing
 * fetched) drawn from the report JSON: totals, a timeline per node with
 * one lane per slot and one bar per target that ran, the targets that
 * never ran, and a table of everything. Every string from the run is
 * escaped; the JSON is embedded for the page's tooltips.
 */
#include "report.h"
#include "ui.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANE_H 26 /* px per slot lane */
#define BAR_PAD 3 /* px above and below a bar in its lane */
#define SUB_H 19  /* px per target of a batch: a lane grows to hold them */
#define IDLE_H 7  /* px for a slot that built nothing */

static const char *jstring(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A number (or -1 when null or missing). */
static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static void add_seconds(struct strbuf *sb, double s)
{
	char buf[32];
	if (s < 0) {
		strbuf_addstr(sb, "&ndash;");
		return;
	}
	format_duration(buf, sizeof(buf), (long long)(s * 1000.0 + 0.5));
	strbuf_addstr(sb, buf);
}

/* The same as plain text ("-" when unknown). */
static void add_seconds_text(struct strbuf *sb, double s)
{
	char buf[32];
	if (s < 0) {
		strbuf_addch(sb, '-');
		return;
	}
	format_duration(buf, sizeof(buf), (long long)(s * 1000.0 + 0.5));
	strbuf_addstr(sb, buf);
}

/* A file:// address for a local path, percent-encoded, HTML-escaped. */
static void add_file_url(struct strbuf *sb, const char *path)
{
	struct strbuf url = STRBUF_INIT;
	strbuf_addstr(&url, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
			strbuf_addch(&url, *p);
		else
			strbuf_addf(&url, "%%%02X", *p);
	}
	html_escape(sb, url.buf);
	strbuf_release(&url);
}

static const char css[] =
	":root{--bg:#f5f6f8;--card:#fff;--ink:#1c2230;--muted:#6b7280;"
	"--line:#e6e8ec;--built:#3b7ddd;--failed:#dc3545;--crit:#f59f00}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 "
	"system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"main{max-width:1500px;margin:0 auto;padding:22px 28px 40px}\n"
	"h1{font-size:21px;margin:0 0 2px}\n"
	"h2{font-size:15px;margin:0 0 10px}\n"
	".sub{color:var(--muted);font-size:13px}\n"
	".path,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
	"'DejaVu Sans Mono',monospace;font-size:12px;word-break:break-all}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));"
	"gap:12px;margin:16px 0}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
	"padding:11px 14px}\n"
	".card .k{font-size:11px;text-transform:uppercase;letter-spacing:.05em;"
	"color:var(--muted)}\n"
	".card .v{font-size:22px;font-weight:650;margin-top:1px}\n"
	".card .d{font-size:12px;color:var(--muted)}\n"
	".card .d b{color:var(--ink);font-weight:600}\n"
	".c-failed{color:var(--failed)}\n"
	"section{background:var(--card);border:1px solid var(--line);"
	"border-radius:10px;padding:14px 16px;margin:14px 0}\n"
	".legend{display:flex;flex-wrap:wrap;gap:18px;font-size:12px;"
	"color:var(--muted);margin:-2px 0 10px}\n"
	".sw{display:inline-block;width:16px;height:11px;border-radius:3px;"
	"vertical-align:-1px;margin-right:6px}\n"
	".tl{display:grid;grid-template-columns:230px 1fr}\n"
	".axis{position:relative;height:18px;font-size:11px;color:var(--muted)}\n"
	".tick{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}\n"
	".tick.first{transform:none}\n"
	".nh{padding:6px 12px 8px 0;border-top:1px solid var(--line);min-width:0}\n"
	".nn{font-weight:650;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
	".nm{font-size:11px;color:var(--muted);overflow:hidden;text-overflow:ellipsis;"
	"white-space:nowrap}\n"
	".ns{font-size:11px;font-weight:400;color:var(--muted);margin-left:4px}\n"
	".busy{font-size:11px;margin-top:3px}\n"
	".meter{height:4px;background:#eceef2;border-radius:2px;margin-top:3px}\n"
	".meter i{display:block;height:100%;background:var(--built);border-radius:2px}\n"
	".lanes{position:relative;border-top:1px solid var(--line)}\n"
	".lane{position:absolute;left:0;right:0;height:0;"
	"border-top:1px dashed #eceef2}\n"
	".grid{position:absolute;top:0;bottom:0;width:1px;background:#eef0f3}\n"
	".bar{position:absolute;display:flex;align-items:center;padding:0 6px;"
	"border-radius:4px;color:#fff;font-size:11.5px;font-weight:500;"
	"white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:3px;"
	"cursor:default}\n"
	".bar>span{overflow:hidden;text-overflow:ellipsis;flex:0 1 auto;min-width:0}\n"
	".bar>small{margin-left:7px;opacity:.75;font-size:10.5px;flex:0 100 auto;"
	"min-width:0;overflow:hidden}\n"
	".bar.batched{font-size:10.5px;border-radius:3px}\n"
	".st-built{background:var(--built)}\n"
	".st-failed{background:var(--failed)}\n"
	".st-cancelled{background:repeating-linear-gradient(135deg,#a7adb7 0 6px,"
	"#c3c8cf 6px 12px);color:#1c2230}\n"
	".bar.crit{box-shadow:inset 0 0 0 2px var(--crit),0 0 0 1px var(--crit);z-index:1}\n"
	".bar:hover{filter:brightness(1.12);z-index:3}\n"
	".bar.dep{box-shadow:0 0 0 2px var(--ink);z-index:2}\n"
	".sw.crit{background:#fff;box-shadow:inset 0 0 0 2px var(--crit)}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px}\n"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);"
	"vertical-align:top}\n"
	"th{font-size:11px;font-weight:600;text-transform:uppercase;"
	"letter-spacing:.05em;color:var(--muted)}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.crit td:first-child{box-shadow:inset 3px 0 0 var(--crit)}\n"
	".pill{display:inline-block;padding:0 8px;border-radius:999px;font-size:11px;"
	"font-weight:600;line-height:18px}\n"
	".pill.built{background:#dbe8fb;color:#1f5fbf}\n"
	".pill.failed{background:#fbe0e3;color:#b02a37}\n"
	".pill.skipped{background:#fdf0d5;color:#8a5a00}\n"
	".pill.cancelled{background:#e7e9ed;color:#454c59}\n"
	".pill.running,.pill.pending{background:#e7e9ed;color:#454c59}\n"
	"a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}\n"
	".none{color:var(--muted);font-size:13px}\n"
	"#tip{position:fixed;display:none;pointer-events:none;z-index:10;"
	"max-width:480px;background:#161b26;color:#f3f4f6;border-radius:8px;"
	"padding:8px 11px;font-size:12px;box-shadow:0 8px 28px rgba(0,0,0,.28)}\n"
	"#tip table{font-size:12px;width:auto}\n"
	"#tip td{border:0;padding:1px 10px 1px 0;word-break:break-all}\n"
	"#tip td.tk{color:#9aa3b2;white-space:nowrap;word-break:normal}\n";

static const char js[] =
	"(function () {\n"
	"  var el = document.getElementById('report-data');\n"
	"  var data = JSON.parse(el.textContent);\n"
	"  var bars = Array.prototype.slice.call(document.querySelectorAll('.bar'));\n"
	"  document.body.setAttribute('data-bars', String(bars.length));\n"
	"  var out = document.getElementById('bar-count');\n"
	"  if (out) out.textContent = String(bars.length);\n"
	"  var tip = document.getElementById('tip');\n"
	"  function sec(s) {\n"
	"    if (s == null) return '\\u2013';\n"
	"    if (s < 60) return s.toFixed(1) + 's';\n"
	"    var m = Math.floor(s / 60), r = Math.floor(s % 60);\n"
	"    return m + 'm' + (r < 10 ? '0' : '') + r + 's';\n"
	"  }\n"
	"  function rows(t) {\n"
	"    var r = [['target', t.name],\n"
	"      ['status', t.status + (t.exit_code ? ' (exit ' + t.exit_code + ')' : '')],\n"
	"      ['node', t.node + ', slot ' + t.slot],\n"
	"      ['start', sec(t.start)], ['duration', sec(t.duration)],\n"
	"      ['cached', t.steps == null ? 'unknown' : t.cached + ' of ' + t.steps + ' steps']];\n"
	"    if (t.batch > 1) r.push(['batch', t.batch + ' targets in one bake']);\n"
	"    if (t.attempts > 1) r.push(['attempts', String(t.attempts)]);\n"
	"    if (t.depends_on.length) r.push(['depends on', t.depends_on.join(', ')]);\n"
	"    if (t.critical) r.push(['critical path', 'yes']);\n"
	"    if (t.error) r.push(['error', t.error]);\n"
	"    r.push(['log', t.log || 'none']);\n"
	"    return r;\n"
	"  }\n"
	"  function show(t) {\n"
	"    while (tip.firstChild) tip.removeChild(tip.firstChild);\n"
	"    var tb = document.createElement('table');\n"
	"    rows(t).forEach(function (kv) {\n"
	"      var tr = document.createElement('tr');\n"
	"      var k = document.createElement('td'), v = document.createElement('td');\n"
	"      k.className = 'tk'; k.textContent = kv[0]; v.textContent = kv[1];\n"
	"      tr.appendChild(k); tr.appendChild(v); tb.appendChild(tr);\n"
	"    });\n"
	"    tip.appendChild(tb);\n"
	"    tip.style.display = 'block';\n"
	"  }\n"
	"  function move(e) {\n"
	"    var w = tip.offsetWidth, h = tip.offsetHeight;\n"
	"    var x = e.clientX + 14, y = e.clientY + 16;\n"
	"    if (x + w > window.innerWidth - 6) x = e.clientX - w - 14;\n"
	"    if (y + h > window.innerHeight - 6) y = e.clientY - h - 16;\n"
	"    tip.style.left = Math.max(4, x) + 'px';\n"
	"    tip.style.top = Math.max(4, y) + 'px';\n"
	"  }\n"
	"  bars.forEach(function (b) {\n"
	"    var t = data.targets[Number(b.getAttribute('data-index'))];\n"
	"    if (!t) return;\n"
	"    b.setAttribute('aria-label', b.getAttribute('title') || t.name);\n"
	"    b.removeAttribute('title');\n"
	"    b.addEventListener('mouseenter', function (e) {\n"
	"      show(t); move(e);\n"
	"      bars.forEach(function (o) {\n"
	"        if (t.depends_on.indexOf(o.getAttribute('data-target')) >= 0)\n"
	"          o.classList.add('dep');\n"
	"      });\n"
	"    });\n"
	"    b.addEventListener('mousemove', move);\n"
	"    b.addEventListener('mouseleave', function () {\n"
	"      tip.style.display = 'none';\n"
	"      bars.forEach(function (o) { o.classList.remove('dep'); });\n"
	"    });\n"
	"  });\n"
	"})();\n";

/* Per target, what the page needs of it. */
struct bar {
	json_t *t;
	int node;   /* index into nodes, -1: never ran */
	int slot;
	double start, dur;
	int row, rows; /* its place among bars sharing one invocation */
};

static int node_index(json_t *nodes, const char *name)
{
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n)
		if (!strcmp(jstring(n, "name"), name))
			return (int)i;
	return -1;
}

/* A round step for about eight ticks over `wall` seconds. */
static double tick_step(double wall)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60,
					120, 300, 600, 900, 1800, 3600, 7200 };
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (wall / steps[i] <= 10)
			return steps[i];
	return (double)((long long)(wall / 10 / 3600) + 1) * 3600;
}

static void add_tick_label(struct strbuf *sb, double s, double step)
{
	if (step < 1)
		strbuf_addf(sb, "%.1fs", s);
	else if (s < 60 || step < 60)
		strbuf_addf(sb, "%.0fs", s);
	else
		strbuf_addf(sb, "%.0fm", s / 60);
}

static void add_card(struct strbuf *sb, const char *key, const char *value,
		     const char *detail)
{
	strbuf_addf(sb, "<div class=\"card\"><div class=\"k\">%s</div>"
		    "<div class=\"v\">%s</div><div class=\"d\">%s</div></div>\n",
		    key, value, detail);
}

static void cards(struct strbuf *sb, json_t *r)
{
	json_t *totals = json_object_get(r, "totals");
	json_t *counts = json_object_get(totals, "counts");
	json_t *cp = json_object_get(totals, "critical_path");
	json_t *nodes = json_object_get(r, "nodes");
	double wall = jnum(totals, "wall"), lb = jnum(totals, "lower_bound");
	struct strbuf v = STRBUF_INIT, d = STRBUF_INIT;

	strbuf_addstr(sb, "<div class=\"cards\">\n");
	add_seconds(&v, wall);
	strbuf_addf(&d, "%lld target%s on %zu node%s",
		    (long long)jnum(counts, "total"),
		    jnum(counts, "total") == 1 ? "" : "s", json_array_size(nodes),
		    json_array_size(nodes) == 1 ? "" : "s");
	add_card(sb, "Wall time", v.buf, d.buf);

	strbuf_reset(&v);
	strbuf_reset(&d);
	strbuf_addf(&v, "%lld built", (long long)jnum(counts, "built"));
	strbuf_addf(&d, "<span%s>%lld failed</span> &middot; %lld skipped "
		    "&middot; %lld cancelled",
		    jnum(counts, "failed") > 0 ? " class=\"c-failed\"" : "",
		    (long long)jnum(counts, "failed"),
		    (long long)jnum(counts, "skipped"),
		    (long long)jnum(counts, "cancelled"));
	add_card(sb, "Targets", v.buf, d.buf);

	strbuf_reset(&v);
	strbuf_reset(&d);
	if (lb > 0) {
		add_seconds(&v, lb);
		strbuf_addf(&d, "wall time is <b>%.2f&times;</b> the bound",
			    wall / lb);
	} else {
		strbuf_addstr(&v, "unknown");
		strbuf_addstr(&d, "known once every target and node has a "
			      "history");
	}
	add_card(sb, "Lower bound", v.buf, d.buf);

	strbuf_reset(&v);
	strbuf_reset(&d);
	json_t *chain = json_object_get(cp, "targets");
	add_seconds(&v, json_array_size(chain) ? jnum(cp, "duration") : -1);
	if (json_array_size(chain)) {
		size_t i;
		json_t *name;
		json_array_foreach(chain, i, name) {
			if (i)
				strbuf_addstr(&d, " &rarr; ");
			if (i == 3 && json_array_size(chain) > 5) {
				strbuf_addf(&d, "&hellip; (%zu more) &rarr; ",
					    json_array_size(chain) - 4);
				i = json_array_size(chain) - 1;
				name = json_array_get(chain, i);
			}
			html_escape(&d, json_string_value(name));
		}
	} else {
		strbuf_addstr(&d, "nothing was built");
	}
	add_card(sb, "Critical path", v.buf, d.buf);

	strbuf_reset(&v);
	strbuf_reset(&d);
	size_t i;
	json_t *n;
	double total = 0;
	json_array_foreach(nodes, i, n) {
		double ratio = jnum(n, "busy_ratio");
		total += ratio > 0 ? ratio : 0;
		if (i)
			strbuf_addstr(&d, " &middot; ");
		html_escape(&d, jstring(n, "name"));
		strbuf_addf(&d, " <b>%.0f%%</b>", ratio > 0 ? ratio * 100 : 0);
	}
	strbuf_addf(&v, "%.0f%%", json_array_size(nodes) ?
		    total * 100 / (double)json_array_size(nodes) : 0);
	add_card(sb, "Nodes busy (mean)", v.buf, d.buf);
	strbuf_addstr(sb, "</div>\n");
	strbuf_release(&v);
	strbuf_release(&d);
}

static void bar_title(struct strbuf *sb, const struct bar *b, json_t *nodes)
{
	struct strbuf t = STRBUF_INIT;
	json_t *x = b->t;
	strbuf_addf(&t, "%s\n%s on %s, slot %d\nstart ", jstring(x, "name"),
		    jstring(x, "status"),
		    jstring(json_array_get(nodes, (size_t)b->node), "name"),
		    b->slot);
	add_seconds_text(&t, b->start);
	strbuf_addstr(&t, ", duration ");
	add_seconds_text(&t, b->dur);
	if (jnum(x, "steps") > 0)
		strbuf_addf(&t, "\n%lld of %lld steps cached",
			    (long long)jnum(x, "cached"), (long long)jnum(x, "steps"));
	strbuf_addf(&t, "\nlog: %s", json_is_string(json_object_get(x, "log")) ?
		    jstring(x, "log") : "none");
	/* escaped, with line breaks kept as character references */
	struct strbuf esc = STRBUF_INIT;
	html_escape(&esc, t.buf);
	for (const char *p = esc.buf; *p; p++) {
		if (*p == '\n')
			strbuf_addstr(sb, "&#10;");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_release(&esc);
	strbuf_release(&t);
}

static void timeline(struct strbuf *sb, json_t *r, struct bar *bars, size_t nb)
{
	json_t *nodes = json_object_get(r, "nodes");
	double wall = jnum(json_object_get(r, "totals"), "wall");
	double step;
	size_t i;
	json_t *node;
	if (wall <= 0)
		wall = 0.001;
	step = tick_step(wall);

	strbuf_addstr(sb,
		"<section><h2>Timeline</h2>\n<div class=\"legend\">"
		"<span><i class=\"sw st-built\"></i>built</span>"
		"<span><i class=\"sw st-failed\"></i>failed</span>"
		"<span><i class=\"sw st-cancelled\"></i>cancelled</span>"
		"<span><i class=\"sw crit\"></i>critical path</span>"
		"<span>one lane per slot (thin: it built nothing); hover a bar "
		"for details and its dependencies</span></div>\n<div class=\"tl\">\n<div></div>"
		"<div class=\"axis\">");
	for (int k = 0; k * step <= wall + 1e-9; k++) {
		double s = k * step;
		strbuf_addf(sb, "<span class=\"tick%s\" style=\"left:%.3f%%\">",
			    k ? "" : " first", s / wall * 100);
		add_tick_label(sb, s, step);
		strbuf_addstr(sb, "</span>");
		if (s / wall > 0.96 && k)
			break;
	}
	strbuf_addstr(sb, "</div>\n");

	json_array_foreach(nodes, i, node) {
		int lanes = (int)jnum(node, "slots");
		for (size_t b = 0; b < nb; b++)
			if (bars[b].node == (int)i && bars[b].slot >= lanes)
				lanes = bars[b].slot + 1;
		if (lanes < 1)
			lanes = 1;
		double ratio = jnum(node, "busy_ratio");
		json_t *plats = json_object_get(node, "platforms");
		size_t p;
		json_t *pl;

		strbuf_addstr(sb, "<div class=\"nh\"><div class=\"nn\" title=\"");
		html_escape(sb, jstring(node, "name"));
		strbuf_addstr(sb, "\">");
		html_escape(sb, jstring(node, "name"));
		strbuf_addf(sb, " <span class=\"ns\">%d slot%s</span>",
			    (int)jnum(node, "slots"), jnum(node, "slots") == 1 ? "" : "s");
		strbuf_addstr(sb, "</div><div class=\"nm\" title=\"");
		html_escape(sb, jstring(node, "endpoint"));
		strbuf_addstr(sb, "\">");
		html_escape(sb, jstring(node, "endpoint"));
		strbuf_addstr(sb, "</div><div class=\"nm\" title=\"");
		json_array_foreach(plats, p, pl) {
			if (p)
				strbuf_addstr(sb, ", ");
			html_escape(sb, json_string_value(pl));
		}
		strbuf_addstr(sb, "\">");
		json_array_foreach(plats, p, pl) {
			if (p == 2) {
				strbuf_addf(sb, " +%zu", json_array_size(plats) - 2);
				break;
			}
			if (p)
				strbuf_addstr(sb, ", ");
			html_escape(sb, json_string_value(pl));
		}
		strbuf_addf(sb, "</div><div class=\"busy\">busy <b>%.0f%%</b> &middot; ",
			    ratio > 0 ? ratio * 100 : 0);
		add_seconds(sb, jnum(node, "busy"));
		strbuf_addstr(sb, " (builds sum ");
		add_seconds(sb, jnum(node, "busy_sum"));
		strbuf_addf(sb, ")</div><div class=\"meter\"><i style=\"width:%.1f%%\">"
			    "</i></div></div>\n", ratio > 0 ? ratio * 100 : 0);

		/* a lane per slot, as tall as its largest batch needs */
		int *top = xcalloc((size_t)lanes + 1, sizeof(*top));
		for (int k = 0; k < lanes; k++)
			top[k + 1] = IDLE_H;
		for (size_t b = 0; b < nb; b++) {
			int need = bars[b].rows > 1
					   ? bars[b].rows * SUB_H + 2 * BAR_PAD - 1
					   : LANE_H;
			if (bars[b].node == (int)i && need > top[bars[b].slot + 1])
				top[bars[b].slot + 1] = need;
		}
		for (int k = 0; k < lanes; k++)
			top[k + 1] += top[k];
		strbuf_addf(sb, "<div class=\"lanes\" style=\"min-height:%dpx\">",
			    top[lanes] + 2);
		for (int k = 1; k <= lanes; k++)
			strbuf_addf(sb, "<i class=\"lane\" style=\"top:%dpx\"></i>",
				    top[k]);
		for (int k = 1; k * step < wall; k++)
			strbuf_addf(sb, "<i class=\"grid\" style=\"left:%.3f%%\"></i>",
				    k * step / wall * 100);
		for (size_t b = 0; b < nb; b++) {
			struct bar *x = &bars[b];
			if (x->node != (int)i)
				continue;
			double left = x->start / wall * 100;
			double width = x->dur / wall * 100;
			if (left < 0)
				left = 0;
			if (left > 100)
				left = 100;
			if (left + width > 100)
				width = 100 - left;
			int h = x->rows > 1 ? SUB_H - 2 : LANE_H - 2 * BAR_PAD;
			int y = top[x->slot] + BAR_PAD + x->row * SUB_H;
			const char *status = jstring(x->t, "status");
			int crit = json_is_true(json_object_get(x->t, "critical"));

			strbuf_addstr(sb, "\n<div class=\"bar st-");
			html_escape(sb, status);
			strbuf_addf(sb, "%s%s\" data-target=\"", crit ? " crit" : "",
				    x->rows > 1 ? " batched" : "");
			html_escape(sb, jstring(x->t, "name"));
			strbuf_addstr(sb, "\" data-status=\"");
			html_escape(sb, status);
			strbuf_addstr(sb, "\" data-node=\"");
			html_escape(sb, jstring(node, "name"));
			strbuf_addf(sb, "\" data-index=\"%zu\" style=\"left:%.3f%%;"
				    "width:%.3f%%;top:%dpx;height:%dpx\" title=\"",
				    (size_t)(x - bars), left, width, y, h);
			bar_title(sb, x, nodes);
			strbuf_addstr(sb, "\"><span>");
			html_escape(sb, jstring(x->t, "name"));
			strbuf_addstr(sb, "</span><small>");
			add_seconds(sb, x->dur);
			strbuf_addstr(sb, "</small></div>");
		}
		strbuf_addstr(sb, "</div>\n");
		free(top);
	}
	strbuf_addstr(sb, "</div></section>\n");
}

static void pill(struct strbuf *sb, const char *status)
{
	strbuf_addstr(sb, "<span class=\"pill ");
	html_escape(sb, status);
	strbuf_addstr(sb, "\">");
	html_escape(sb, status);
	strbuf_addstr(sb, "</span>");
}

static void not_run(struct strbuf *sb, struct bar *bars, size_t nb)
{
	size_t count = 0;
	for (size_t b = 0; b < nb; b++)
		count += bars[b].node < 0;
	strbuf_addf(sb, "<section><h2>Never ran (%zu)</h2>\n", count);
	if (!count) {
		strbuf_addstr(sb, "<div class=\"none\">every target ran</div>"
			      "</section>\n");
		return;
	}
	strbuf_addstr(sb, "<table><tr><th>target</th><th>status</th>"
		      "<th>why</th></tr>\n");
	for (size_t b = 0; b < nb; b++) {
		json_t *t = bars[b].t;
		if (bars[b].node >= 0)
			continue;
		const char *status = jstring(t, "status");
		strbuf_addstr(sb, "<tr class=\"not-run\" data-target=\"");
		html_escape(sb, jstring(t, "name"));
		strbuf_addstr(sb, "\" data-status=\"");
		html_escape(sb, status);
		strbuf_addstr(sb, "\"><td>");
		html_escape(sb, jstring(t, "name"));
		strbuf_addstr(sb, "</td><td>");
		pill(sb, status);
		strbuf_addstr(sb, "</td><td>");
		if (!strcmp(status, "skipped")) {
			strbuf_addstr(sb, "a dependency failed: ");
			html_escape(sb, jstring(t, "blocked_by"));
		} else if (!strcmp(status, "cancelled")) {
			strbuf_addstr(sb, "the run stopped before it started");
		} else {
			strbuf_addstr(sb, "the run ended before it started");
		}
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</table></section>\n");
}

static int cmp_start(const void *a, const void *b)
{
	const struct bar *x = *(const struct bar *const *)a;
	const struct bar *y = *(const struct bar *const *)b;
	if ((x->node < 0) != (y->node < 0))
		return x->node < 0 ? 1 : -1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(jstring(x->t, "name"), jstring(y->t, "name"));
}

static void all_targets(struct strbuf *sb, struct bar *bars, size_t nb,
			json_t *nodes)
{
	struct bar **order = xcalloc(nb + 1, sizeof(*order));
	for (size_t b = 0; b < nb; b++)
		order[b] = &bars[b];
	qsort(order, nb, sizeof(*order), cmp_start);
	strbuf_addstr(sb, "<section><h2>Targets</h2>\n<table><tr><th>target</th>"
		      "<th>status</th><th>node</th><th class=\"n\">slot</th>"
		      "<th class=\"n\">start</th><th class=\"n\">duration</th>"
		      "<th class=\"n\">cached</th><th class=\"n\">batch</th>"
		      "<th>depends on</th><th>log</th></tr>\n");
	for (size_t k = 0; k < nb; k++) {
		struct bar *x = order[k];
		json_t *t = x->t, *deps = json_object_get(t, "depends_on");
		const char *log = json_string_value(json_object_get(t, "log"));
		int crit = json_is_true(json_object_get(t, "critical"));
		size_t i;
		json_t *d;

		strbuf_addf(sb, "<tr%s><td>", crit ? " class=\"crit\"" : "");
		html_escape(sb, jstring(t, "name"));
		strbuf_addstr(sb, "</td><td>");
		pill(sb, jstring(t, "status"));
		if (jnum(t, "attempts") > 1)
			strbuf_addf(sb, " <span class=\"none\">%lld attempts</span>",
				    (long long)jnum(t, "attempts"));
		strbuf_addstr(sb, "</td><td>");
		if (x->node >= 0) {
			html_escape(sb, jstring(json_array_get(nodes, (size_t)x->node),
						"name"));
			strbuf_addf(sb, "</td><td class=\"n\">%d</td><td class=\"n\">",
				    x->slot);
			add_seconds(sb, x->start);
			strbuf_addstr(sb, "</td><td class=\"n\">");
			add_seconds(sb, x->dur);
			strbuf_addstr(sb, "</td><td class=\"n\">");
			if (jnum(t, "steps") > 0)
				strbuf_addf(sb, "%lld/%lld", (long long)jnum(t, "cached"),
					    (long long)jnum(t, "steps"));
			else
				strbuf_addstr(sb, "&ndash;");
			strbuf_addf(sb, "</td><td class=\"n\">%lld</td><td>",
				    (long long)jnum(t, "batch"));
		} else {
			strbuf_addstr(sb, "&ndash;</td><td></td><td></td><td></td>"
				      "<td></td><td></td><td>");
		}
		json_array_foreach(deps, i, d) {
			if (i)
				strbuf_addstr(sb, ", ");
			html_escape(sb, json_string_value(d));
		}
		strbuf_addstr(sb, "</td><td>");
		if (log) {
			strbuf_addstr(sb, "<a class=\"path\" href=\"");
			add_file_url(sb, log);
			strbuf_addstr(sb, "\">");
			const char *base = strrchr(log, '/');
			html_escape(sb, base ? base + 1 : log);
			strbuf_addstr(sb, "</a>");
		}
		strbuf_addstr(sb, "</td></tr>\n");
		if (json_is_string(json_object_get(t, "error"))) {
			strbuf_addstr(sb, "<tr><td></td><td colspan=\"9\" "
				      "class=\"c-failed path\">");
			html_escape(sb, jstring(t, "error"));
			strbuf_addstr(sb, "</td></tr>\n");
		}
	}
	strbuf_addstr(sb, "</table></section>\n");
	free(order);
}

void report_html(struct strbuf *sb, json_t *r)
{
	json_t *targets = json_object_get(r, "targets");
	json_t *nodes = json_object_get(r, "nodes");
	size_t nb = json_array_size(targets), i;
	struct bar *bars = xcalloc(nb + 1, sizeof(*bars));
	json_t *t;

	json_array_foreach(targets, i, t) {
		struct bar *b = &bars[i];
		json_t *node = json_object_get(t, "node");
		b->t = t;
		b->node = json_is_string(node) && jnum(t, "start") >= 0
				  ? node_index(nodes, json_string_value(node))
				  : -1;
		b->slot = (int)jnum(t, "slot");
		if (b->slot < 0)
			b->slot = 0;
		b->start = jnum(t, "start");
		b->dur = jnum(t, "duration");
		if (b->dur < 0)
			b->dur = 0;
		b->rows = 1;
	}
	/* the targets of one invocation share its slot and its times */
	for (size_t a = 0; a < nb; a++) {
		if (bars[a].node < 0)
			continue;
		for (size_t b = 0; b < nb; b++) {
			if (b == a || bars[b].node != bars[a].node ||
			    bars[b].slot != bars[a].slot ||
			    bars[b].start != bars[a].start)
				continue;
			bars[a].rows++;
			if (b < a)
				bars[a].row++;
		}
	}

	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		      "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		      "content=\"width=device-width,initial-scale=1\">\n"
		      "<title>dbake report: ");
	html_escape(sb, jstring(r, "builder"));
	strbuf_addf(sb, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
		    "<h1>dbake run report</h1>\n<div class=\"sub\">builder <b>",
		    css);
	html_escape(sb, jstring(r, "builder"));
	strbuf_addstr(sb, "</b> &middot; started ");
	/* 2024-05-01T10:20:30Z as 2024-05-01 10:20:30 UTC */
	const char *when = jstring(r, "started_at");
	if (strlen(when) == 20 && when[10] == 'T' && when[19] == 'Z')
		strbuf_addf(sb, "%.10s %.8s UTC", when, when + 11);
	else
		html_escape(sb, when);
	strbuf_addstr(sb, " &middot; logs <span class=\"path\">");
	html_escape(sb, jstring(r, "log_dir"));
	strbuf_addstr(sb, "</span></div>\n");
	cards(sb, r);
	timeline(sb, r, bars, nb);
	not_run(sb, bars, nb);
	all_targets(sb, bars, nb, nodes);
	strbuf_addstr(sb, "</main>\n<div id=\"tip\"></div>\n"
		      "<script type=\"application/json\" id=\"report-data\">");
	char *json = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(12));
	if (json)
		script_escape(sb, json);
	else
		strbuf_addstr(sb, "{\"targets\":[]}");
	free(json);
	strbuf_addf(sb, "</script>\n<script>\n%s</script>\n</body></html>\n", js);
	free(bars);
}
