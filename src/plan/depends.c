#include "depends.h"
#include "../util/util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scanner {
	const char *p, *end;
	const char *what;
};

enum tok {
	T_EOF,
	T_IDENT,
	T_STRING,   /* a literal string without interpolation */
	T_TEMPLATE, /* a string with ${...} or %{...} */
	T_PUNCT,
	T_OTHER,
};

struct token {
	enum tok kind;
	const char *s; /* for T_IDENT, T_STRING (unquoted body), T_PUNCT */
	size_t len;
};

static void skip_space_and_comments(struct scanner *sc)
{
	while (sc->p < sc->end) {
		char c = *sc->p;
		if (isspace((unsigned char)c)) {
			sc->p++;
		} else if (c == '#' || (c == '/' && sc->p + 1 < sc->end &&
					 sc->p[1] == '/')) {
			while (sc->p < sc->end && *sc->p != '\n')
				sc->p++;
		} else if (c == '/' && sc->p + 1 < sc->end && sc->p[1] == '*') {
			const char *e = sc->p + 2;
			while (e + 1 < sc->end && !(e[0] == '*' && e[1] == '/'))
				e++;
			sc->p = e + 1 < sc->end ? e + 2 : sc->end;
		} else {
			return;
		}
	}
}

/* A quoted string; sets T_TEMPLATE if it interpolates. */
static void scan_string(struct scanner *sc, struct token *t)
{
	const char *start = ++sc->p;
	int depth = 0, tmpl = 0;
	while (sc->p < sc->end) {
		char c = *sc->p;
		if (c == '\\' && sc->p + 1 < sc->end) {
			sc->p += 2;
			tmpl = 1; /* escapes: treat as not-a-plain-name */
			continue;
		}
		if ((c == '$' || c == '%') && sc->p + 1 < sc->end &&
		    sc->p[1] == '{') {
			if (sc->p + 2 < sc->end && sc->p[-1] == c) {
				sc->p += 2; /* $${ is a literal */
				continue;
			}
			depth++;
			tmpl = 1;
			sc->p += 2;
			continue;
		}
		if (c == '}' && depth) {
			depth--;
		} else if (c == '"' && !depth) {
			break;
		} else if (c == '\n' && !depth) {
			break; /* unterminated: stop at the line end */
		}
		sc->p++;
	}
	t->kind = tmpl ? T_TEMPLATE : T_STRING;
	t->s = start;
	t->len = (size_t)(sc->p - start);
	if (sc->p < sc->end)
		sc->p++;
}

/* <<EOF or <<-EOF ... EOF */
static int scan_heredoc(struct scanner *sc, struct token *t)
{
	const char *q = sc->p + 2;
	if (q < sc->end && *q == '-')
		q++;
	const char *id = q;
	while (q < sc->end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	size_t idlen = (size_t)(q - id);
	if (!idlen)
		return 0;
	const char *line = memchr(q, '\n', (size_t)(sc->end - q));
	while (line && line < sc->end) {
		line++;
		const char *s = line;
		while (s < sc->end && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(sc->end - s) >= idlen && !memcmp(s, id, idlen) &&
		    (s + idlen == sc->end || s[idlen] == '\n' || s[idlen] == '\r')) {
			sc->p = s + idlen;
			t->kind = T_OTHER;
			return 1;
		}
		line = memchr(line, '\n', (size_t)(sc->end - line));
	}
	sc->p = sc->end;
	t->kind = T_OTHER;
	return 1;
}

static void next(struct scanner *sc, struct token *t)
{
	skip_space_and_comments(sc);
	memset(t, 0, sizeof(*t));
	if (sc->p >= sc->end) {
		t->kind = T_EOF;
		return;
	}
	char c = *sc->p;
	if (c == '"') {
		scan_string(sc, t);
	} else if (c == '<' && sc->p + 1 < sc->end && sc->p[1] == '<' &&
		   scan_heredoc(sc, t)) {
		return;
	} else if (isalpha((unsigned char)c) || c == '_') {
		t->kind = T_IDENT;
		t->s = sc->p;
		while (sc->p < sc->end && (isalnum((unsigned char)*sc->p) ||
					   *sc->p == '_' || *sc->p == '-'))
			sc->p++;
		t->len = (size_t)(sc->p - t->s);
	} else {
		t->kind = strchr("{}[]=,()", c) ? T_PUNCT : T_OTHER;
		t->s = sc->p++;
		t->len = 1;
	}
}

static int is(const struct token *t, enum tok kind, const char *s)
{
	return t->kind == kind && t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

/*
 * Read `[ "a", "b" ]` after `depends_on =`. Returns 0 with names pushed,
 * -1 if the value is not a list of literal strings (the rest of the value
 * is skipped up to its closing bracket).
 */
static int read_list(struct scanner *sc, struct strvec *names)
{
	struct token t;
	int ok = 1, depth = 0;
	next(sc, &t);
	if (!is(&t, T_PUNCT, "["))
		return -1;
	for (;;) {
		next(sc, &t);
		if (t.kind == T_EOF)
			return -1;
		if (is(&t, T_PUNCT, "[") || is(&t, T_PUNCT, "(") ||
		    is(&t, T_PUNCT, "{")) {
			depth++;
			ok = 0;
		} else if (is(&t, T_PUNCT, "]") || is(&t, T_PUNCT, ")") ||
			   is(&t, T_PUNCT, "}")) {
			if (!depth--)
				break;
		} else if (t.kind == T_STRING && !depth) {
			char *name = xstrndup(t.s, t.len);
			if (!strvec_has(names, name))
				strvec_push(names, name);
			free(name);
		} else if (!is(&t, T_PUNCT, ",")) {
			ok = 0;
		}
	}
	return ok ? 0 : -1;
}

static struct compose_service *entry(struct compose *out, const char *name)
{
	for (size_t i = 0; i < out->nr; i++)
		if (!strcmp(out->v[i].name, name))
			return &out->v[i];
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	struct compose_service *s = &out->v[out->nr++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	strvec_init(&s->profiles);
	strvec_init(&s->depends_on);
	s->has_build = 1;
	return s;
}

/* The body of `target "NAME" {`: look for depends_on at its top level. */
static void scan_target(struct scanner *sc, struct compose *out,
			const char *name)
{
	struct token t, prev = { 0 };
	int depth = 1;
	for (;;) {
		next(sc, &t);
		if (t.kind == T_EOF)
			return;
		if (is(&t, T_PUNCT, "{") || is(&t, T_PUNCT, "[") ||
		    is(&t, T_PUNCT, "(")) {
			depth++;
		} else if (is(&t, T_PUNCT, "}") || is(&t, T_PUNCT, "]") ||
			   is(&t, T_PUNCT, ")")) {
			if (!--depth)
				return;
		} else if (depth == 1 && is(&t, T_PUNCT, "=") &&
			   is(&prev, T_IDENT, "depends_on")) {
			struct strvec names = STRVEC_INIT;
			if (read_list(sc, &names) < 0)
				warning("%s: depends_on of target '%s' is not a list "
					"of target names; ignored", sc->what, name);
			else
				strvec_pushv(&entry(out, name)->depends_on, names.v);
			strvec_clear(&names);
		}
		prev = t;
	}
}

int hcl_depends_scan(struct compose *out, const char *text, size_t len,
		     const char *what)
{
	struct scanner sc = { .p = text, .end = text + len, .what = what };
	struct token t, label;
	for (;;) {
		next(&sc, &t);
		if (t.kind == T_EOF)
			return 0;
		if (!is(&t, T_IDENT, "target"))
			continue;
		next(&sc, &label);
		if (label.kind != T_STRING)
			continue;
		next(&sc, &t);
		if (!is(&t, T_PUNCT, "{"))
			continue;
		char *name = xstrndup(label.s, label.len);
		scan_target(&sc, out, name);
		free(name);
	}
}

int json_depends_scan(struct compose *out, const char *text, size_t len,
		      const char *what)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	const char *name;
	json_t *jt;
	json_object_foreach(json_object_get(doc, "target"), name, jt) {
		json_t *deps = json_object_get(jt, "depends_on");
		size_t i;
		json_t *v;
		if (!deps)
			continue;
		if (!json_is_array(deps)) {
			warning("%s: depends_on of target '%s' is not a list; "
				"ignored", what, name);
			continue;
		}
		json_array_foreach(deps, i, v)
			if (json_is_string(v) &&
			    !strvec_has(&entry(out, name)->depends_on,
					json_string_value(v)))
				strvec_push(&entry(out, name)->depends_on,
					    json_string_value(v));
	}
	json_decref(doc);
	return 0; /* a malformed file is bake's to report */
}

int depends_scan_file(struct compose *out, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		return 0; /* bake reports unreadable files */
	}
	int ret = ends_with(path, ".json")
			  ? json_depends_scan(out, sb.buf, sb.len, path)
			  : hcl_depends_scan(out, sb.buf, sb.len, path);
	strbuf_release(&sb);
	return ret;
}
