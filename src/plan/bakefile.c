#include "bakefile.h"
#include "../sched/platform.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct target *target_append(struct plan *plan, const char *name)
{
	ALLOC_GROW(plan->v, plan->nr + 1, plan->alloc);
	struct target *t = &plan->v[plan->nr++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	strvec_init(&t->platforms);
	strvec_init(&t->deps);
	strvec_init(&t->ctx_keys);
	strvec_init(&t->ctx_targets);
	strvec_init(&t->compose_deps);
	strvec_init(&t->after);
	strvec_init(&t->profiles);
	return t;
}

ssize_t plan_index(const struct plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->nr; i++)
		if (!strcmp(plan->v[i].name, name))
			return (ssize_t)i;
	return -1;
}

struct target *plan_find(const struct plan *plan, const char *name)
{
	ssize_t i = plan_index(plan, name);
	return i < 0 ? NULL : &plan->v[i];
}

/* Whether an output entry, an object or the older "type=..,k=v" string,
 * is of `type`. */
static int output_is(json_t *o, const char *type)
{
	if (json_is_object(o)) {
		const char *t = json_string_value(json_object_get(o, "type"));
		return t && !strcmp(t, type);
	}
	const char *s = json_string_value(o);
	size_t n = strlen(type);
	return s && starts_with(s, "type=") && !strncmp(s + 5, type, n) &&
	       (!s[5 + n] || s[5 + n] == ',');
}

/*
 * A hash of what a target builds: its definition without the keys that
 * only name or ship the result. Two targets with equal hashes run the
 * same steps, which one BuildKit daemon does once.
 */
static unsigned long long definition_hash(json_t *jt)
{
	static const char *const ignored[] = {
		"tags", "output", "cache-to", "cache-from", "labels",
		"annotations", "attest", "description",
	};
	json_t *copy = json_deep_copy(jt);
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		json_object_del(copy, ignored[i]);
	char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned long long h = fnv1a(FNV1A_INIT, text);
	free(text);
	json_decref(copy);
	return h;
}

static int parse_target(struct plan *plan, const char *name, json_t *jt)
{
	if (!json_is_object(jt))
		return error("bake definition of target '%s' is not an object",
			     name);
	struct target *t = target_append(plan, name);
	t->defhash = definition_hash(jt);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(jt, "platforms"), i, v) {
		const char *raw = json_string_value(v);
		char *p = raw ? platform_normalize(raw) : NULL;
		if (!p)
			return error("target '%s' has an invalid platform '%s'",
				     name, raw ? raw : "(not a string)");
		if (!strvec_has(&t->platforms, p))
			strvec_push(&t->platforms, p);
		free(p);
	}
	const char *key;
	json_object_foreach(json_object_get(jt, "contexts"), key, v) {
		const char *val = json_string_value(v);
		if (!val || !starts_with(val, "target:") || !val[7])
			continue;
		strvec_push(&t->ctx_keys, key);
		strvec_push(&t->ctx_targets, val + 7);
		if (!strvec_has(&t->deps, val + 7))
			strvec_push(&t->deps, val + 7);
	}
	json_t *out = json_object_get(jt, "output");
	if (json_array_size(out)) {
		t->cacheonly = 1;
		json_array_foreach(out, i, v)
			if (!output_is(v, "cacheonly"))
				t->cacheonly = 0;
	}
	return 0;
}

/* Mark the targets a group names, following nested groups. */
static int mark_requested(struct plan *plan, json_t *groups, const char *name,
			  int depth)
{
	struct target *t = plan_find(plan, name);
	if (t) {
		t->requested = 1;
		return 0;
	}
	json_t *g = json_object_get(groups, name);
	if (!g || depth > 32)
		return error("bake printed group member '%s' that is neither a "
			     "target nor a group", name);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(g, "targets"), i, v) {
		const char *member = json_string_value(v);
		if (member && mark_requested(plan, groups, member, depth + 1) < 0)
			return -1;
	}
	return 0;
}

int plan_parse(struct plan *plan, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);
	if (!doc)
		return error("cannot parse bake definition: %s (line %d)",
			     jerr.text, jerr.line);
	plan->doc = doc;
	json_t *targets = json_object_get(doc, "target");
	if (!json_is_object(doc) || !json_is_object(targets))
		return error("bake definition has no targets");
	const char *name;
	json_t *jt;
	json_object_foreach(targets, name, jt)
		if (parse_target(plan, name, jt) < 0)
			return -1;
	for (size_t i = 0; i < plan->nr; i++)
		for (size_t j = 0; j < plan->v[i].deps.nr; j++)
			if (!plan_find(plan, plan->v[i].deps.v[j]))
				return error("target '%s' depends on unknown target "
					     "'%s'", plan->v[i].name,
					     plan->v[i].deps.v[j]);
	json_t *groups = json_object_get(doc, "group");
	if (json_object_get(groups, "default"))
		return mark_requested(plan, groups, "default", 0);
	for (size_t i = 0; i < plan->nr; i++)
		plan->v[i].requested = 1;
	return 0;
}

char *cache_ref(const char *registry, const char *target)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/buildcache/", registry);
	size_t start = sb.len;
	for (const char *s = target; *s; s++) {
		int c = tolower((unsigned char)*s);
		int sep = c == '.' || c == '_' || c == '-';
		if (isalnum(c))
			strbuf_addch(&sb, c);
		else if (sb.len > start && !strchr("._-", sb.buf[sb.len - 1]))
			strbuf_addch(&sb, sep ? c : '-');
	}
	while (sb.len > start && strchr("._-", sb.buf[sb.len - 1]))
		sb.len--;
	sb.buf[sb.len] = '\0';
	if (sb.len == start)
		strbuf_addstr(&sb, "target");
	return strbuf_detach(&sb);
}

void plan_default_platform(struct plan *plan, const char *platform)
{
	json_t *targets = json_object_get(plan->doc, "target");
	for (size_t i = 0; platform && i < plan->nr; i++) {
		struct target *t = &plan->v[i];
		json_t *jt = json_object_get(targets, t->name);
		if (t->platforms.nr || !json_is_object(jt))
			continue;
		strvec_push(&t->platforms, platform);
		json_object_set_new(jt, "platforms", json_pack("[s]", platform));
	}
}

/* A .git in `dir` (absolute, normalised or not) or any directory above. */
static int git_above(const char *dir)
{
	char *path = xstrfmt("%s/", dir);
	int found = 0;
	for (char *end = strrchr(path, '/'); end && !found;) {
		struct stat st;
		end[1] = '\0';
		char *git = xstrfmt("%s.git", path);
		found = lstat(git, &st) == 0;
		free(git);
		*end = '\0';
		end = strrchr(path, '/');
	}
	free(path);
	return found;
}

int plan_in_git(const struct plan *plan)
{
	static const char *const vars[] = {
		"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR",
	};
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		if (getenv(vars[i]))
			return 1;
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return 1;
	int in = 0;
	json_t *targets = json_object_get(plan->doc, "target");
	json_t *seen = json_object(); /* contexts looked at: most share one */
	for (size_t i = 0; i < plan->nr && !in; i++) {
		if (!plan->v[i].selected)
			continue;
		json_t *t = json_object_get(targets, plan->v[i].name);
		const char *ctx = json_string_value(json_object_get(t, "context"));
		if (!ctx || !*ctx)
			ctx = ".";
		if (json_object_get(seen, ctx))
			continue;
		json_object_set_new(seen, ctx, json_true());
		char *dir = ctx[0] == '/' ? xstrdup(ctx)
					  : xstrfmt("%s/%s", cwd, ctx);
		in = git_above(dir);
		free(dir);
	}
	json_decref(seen);
	free(cwd);
	return in;
}

void plan_release(struct plan *plan)
{
	for (size_t i = 0; i < plan->nr; i++) {
		struct target *t = &plan->v[i];
		free(t->name);
		strvec_clear(&t->platforms);
		strvec_clear(&t->deps);
		strvec_clear(&t->ctx_keys);
		strvec_clear(&t->ctx_targets);
		strvec_clear(&t->compose_deps);
		strvec_clear(&t->after);
		strvec_clear(&t->profiles);
	}
	free(plan->v);
	json_decref(plan->doc);
	*plan = (struct plan)PLAN_INIT;
}
