#include "progress.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Copy a line into a fixed field, replacing control bytes. */
static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static unsigned char *vertex(struct progress *p, unsigned long v)
{
	if (v > 100000)
		return NULL;
	if (v >= p->seen_alloc) {
		size_t n = p->seen_alloc ? p->seen_alloc : 64;
		while (n <= v)
			n *= 2;
		p->seen = xrealloc(p->seen, n);
		p->mine = xrealloc(p->mine, n);
		memset(p->seen + p->seen_alloc, 0, n - p->seen_alloc);
		memset(p->mine + p->seen_alloc, 0, n - p->seen_alloc);
		p->seen_alloc = n;
	}
	return &p->seen[v];
}

/*
 * A step title looks like "[stage 2/5] RUN ...", "[2/5] COPY ..." or, in
 * a multi-platform build, "[linux/arm64 stage 2/5] RUN ...": the count is
 * the last slash inside the brackets.
 */
static int is_step_title(const char *s, size_t len)
{
	const char *end = memchr(s, ']', len);
	if (!end || s[0] != '[')
		return 0;
	const char *slash = memrchr(s, '/', (size_t)(end - s));
	return slash && slash > s + 1 && slash[-1] >= '0' && slash[-1] <= '9' &&
	       slash + 1 < end && slash[1] >= '0' && slash[1] <= '9';
}

/* Whether a step's title names `target`: "[TARGET 2/3] ...". */
static int names_target(const char *title, size_t len, const char *target)
{
	size_t n = strlen(target);
	return len > n + 1 && title[0] == '[' && !memcmp(title + 1, target, n) &&
	       (title[n + 1] == ' ' || title[n + 1] == ']');
}

/* A step's vertex was seen: count it once; it is the latest step. */
static void step_seen(struct progress *p, unsigned char *state,
		      const char *title, size_t len)
{
	if (!*state) {
		*state = 1;
		p->steps++;
		if (p->target && names_target(title, len, p->target))
			p->mine[state - p->seen] = 1;
	}
	copy_field(p->current, sizeof(p->current), title, len);
}

/* A step finished, a cache hit or after secs seconds (< 0: unknown). */
static void step_done(struct progress *p, unsigned char *state, int cached,
		      double secs)
{
	if (*state != 1)
		return;
	*state = 2;
	p->done++;
	int mine = p->mine[state - p->seen];
	p->own_done += mine;
	if (cached)
		p->cached++;
	else if (secs >= 0 && secs < 1e6) {
		p->work += secs;
		if (mine)
			p->own_work += secs;
	}
}

/*
 * The vertex that sends the build context: "[internal] load build
 * context" (the Dockerfile frontend's name; a bake of several targets
 * puts the target's name in the brackets). Vertex state 3 marks it.
 */
#define CONTEXT_VERTEX 3

static int is_context_title(const char *s, size_t len)
{
	static const char tail[] = "] load build context";
	size_t n = sizeof(tail) - 1;
	return len >= n && s[0] == '[' && !memcmp(s + len - n, tail, n) &&
	       memmem(s, len, "internal]", 9);
}

static void context_done(struct progress *p, unsigned char *state)
{
	if (*state == CONTEXT_VERTEX)
		p->context_sent = 1;
}

static void first_error(struct progress *p, const char *msg, size_t len)
{
	if (!p->error[0])
		copy_field(p->error, sizeof(p->error), msg, len);
}

static void plain_line(struct progress *p, const char *line, size_t len)
{
	if (len < 2 || line[0] != '#')
		return;
	char *end;
	char num[16];
	size_t k = 0;
	while (k + 1 < len && k < sizeof(num) - 1 && line[k + 1] >= '0' &&
	       line[k + 1] <= '9') {
		num[k] = line[k + 1];
		k++;
	}
	num[k] = '\0';
	if (!k || k + 2 > len || line[k + 1] != ' ')
		return;
	unsigned long v = strtoul(num, &end, 10);
	const char *rest = line + k + 2;
	size_t rlen = len - k - 2;
	unsigned char *state = vertex(p, v);
	if (!state)
		return;
	if (rlen && rest[0] == '[' && is_step_title(rest, rlen)) {
		step_seen(p, state, rest, rlen);
	} else if (!*state && is_context_title(rest, rlen)) {
		*state = CONTEXT_VERTEX;
		p->context_seen = 1;
	} else if (rlen >= 10 && !memcmp(rest, "exporting ", 10)) {
		p->exporting = 1;
	} else if (rlen >= 4 && !memcmp(rest, "DONE", 4)) {
		context_done(p, state);
		double secs = -1;
		if (rlen > 5 && rest[4] == ' ') {
			char num[32];
			size_t n = rlen - 5 < sizeof(num) - 1 ? rlen - 5
							: sizeof(num) - 1;
			memcpy(num, rest + 5, n);
			num[n] = '\0';
			double s = strtod(num, &end);
			if (end != num && *end == 's')
				secs = s;
		}
		step_done(p, state, 0, secs);
	} else if (rlen >= 6 && !memcmp(rest, "CACHED", 6)) {
		step_done(p, state, 1, -1);
	} else if (rlen >= 6 && !memcmp(rest, "ERROR:", 6)) {
		first_error(p, rest + 6 + (rlen > 6), rlen - 6 - (rlen > 6));
	}
}

int progress_begun(const struct progress *p)
{
	return p->steps > p->cached || p->context_seen || p->exporting;
}

/* Seconds since the epoch of an RFC 3339 time ("2026-12-02T16:20:28.29Z",
 * "...+01:00"), or -1. */
static double rfc3339(const char *s)
{
	struct tm tm = { 0 };
	int n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
			 &n) != 6 || tm.tm_year < 1970)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double t = (double)timegm(&tm);
	s += n;
	if (*s == '.') {
		double scale = 0.1;
		while (*++s >= '0' && *s <= '9') {
			t += (*s - '0') * scale;
			scale /= 10;
		}
	}
	int oh, om;
	if (*s == 'Z')
		return t;
	if ((*s == '+' || *s == '-') && sscanf(s + 1, "%2d:%2d", &oh, &om) == 2)
		return t - (*s == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
	return -1;
}

/* The number of a vertex digest, in the order first seen, or -1. */
static long digest_number(struct progress *p, const char *digest)
{
	for (size_t i = p->ndigests; i-- > 0;) /* recent ones change most */
		if (!strcmp(p->digests[i], digest))
			return (long)i;
	if (p->ndigests >= 100000)
		return -1;
	ALLOC_GROW(p->digests, p->ndigests + 1, p->digests_alloc);
	p->digests[p->ndigests] = xstrdup(digest);
	return (long)p->ndigests++;
}

static void json_vertex(struct progress *p, json_t *v)
{
	const char *digest = json_string_value(json_object_get(v, "digest"));
	const char *name = json_string_value(json_object_get(v, "name"));
	const char *err = json_string_value(json_object_get(v, "error"));
	long num = digest ? digest_number(p, digest) : -1;
	unsigned char *state = num >= 0 ? vertex(p, (unsigned long)num) : NULL;
	if (!state)
		return;
	if (name && is_step_title(name, strlen(name)) && *state != 2) {
		step_seen(p, state, name, strlen(name));
	} else if (name && !*state && is_context_title(name, strlen(name))) {
		*state = CONTEXT_VERTEX;
		p->context_seen = 1;
	} else if (name && starts_with(name, "exporting ")) {
		p->exporting = 1;
	}
	const char *completed =
		json_string_value(json_object_get(v, "completed"));
	if (err && *err) { /* as plain's "#N ERROR:": not a finished step */
		first_error(p, err, strlen(err));
	} else if (completed) {
		context_done(p, state);
		double from = rfc3339(json_string_value(
			json_object_get(v, "started")));
		double to = rfc3339(completed);
		step_done(p, state, json_is_true(json_object_get(v, "cached")),
			  from >= 0 && to >= from ? to - from : -1);
	}
}

/* One SolveStatus of --progress rawjson: only its vertexes count. */
static void json_line(struct progress *p, const char *line, size_t len)
{
	json_t *status = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *vertexes = json_object_get(status, "vertexes");
	size_t i;
	json_t *v;
	json_array_foreach(vertexes, i, v)
		if (json_is_object(v))
			json_vertex(p, v);
	json_decref(status);
}

void progress_line(struct progress *p, const char *line, size_t len)
{
	/* buildx's own last word ("ERROR: failed to solve: ..."): the only
	 * reason given when no step ran (a node that cannot be reached) */
	if (len > 7 && !memcmp(line, "ERROR: ", 7))
		first_error(p, line + 7, len - 7);
	else if (len && line[0] == '{')
		json_line(p, line, len);
	else
		plain_line(p, line, len);
}

void progress_feed(struct progress *p, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		if (!nl) {
			if (p->line.len < 65536)
				strbuf_add(&p->line, buf, n);
			return;
		}
		if (p->line.len) {
			strbuf_add(&p->line, buf, n);
			progress_line(p, p->line.buf, p->line.len);
			strbuf_reset(&p->line);
		} else {
			progress_line(p, buf, n);
		}
		buf += n + 1;
		len -= n + 1;
	}
}

void progress_release(struct progress *p)
{
	strbuf_release(&p->line);
	free(p->seen);
	free(p->mine);
	p->seen = NULL;
	p->mine = NULL;
	p->seen_alloc = 0;
	for (size_t i = 0; i < p->ndigests; i++)
		free(p->digests[i]);
	free(p->digests);
	p->digests = NULL;
	p->ndigests = p->digests_alloc = 0;
}

int progress_node_lost(const char *error)
{
	/* gRPC's words for the connection to BuildKit itself: a registry
	 * that refuses a push ("dial tcp ...: connection refused") is the
	 * build's failure, not the node's */
	static const char *const lost[] = {
		"Unavailable:", "code = Unavailable", "error reading from server",
		"transport is closing", "Error while dialing",
	};
	for (size_t i = 0; error && i < ARRAY_SIZE(lost); i++)
		if (strstr(error, lost[i]))
			return 1;
	return 0;
}
