#include "childdef.h"
#include "../plan/bakefile.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The value of `key` in an output entry: an object's member, or a field
 * of the older "type=image,push=true" string (quotes are not looked
 * into: the keys asked for here never need them). NULL when absent.
 */
static char *entry_get(json_t *o, const char *key)
{
	if (json_is_object(o)) {
		const char *v = json_string_value(json_object_get(o, key));
		return v ? xstrdup(v) : NULL;
	}
	const char *s = json_string_value(o);
	size_t n = strlen(key);
	char *out = NULL;
	while (s && *s) {
		size_t len = strcspn(s, ",");
		if (len > n && !strncmp(s, key, n) && s[n] == '=') {
			free(out); /* the last one wins, as in a map */
			out = xstrndup(s + n + 1, len - n - 1);
		}
		s += len + (s[len] == ',');
	}
	return out;
}

static int entry_is(json_t *o, const char *type)
{
	char *t = entry_get(o, "type");
	int is = t && !strcmp(t, type);
	free(t);
	return is;
}

static void entry_set(json_t *outputs, size_t i, const char *key,
		      const char *value)
{
	json_t *o = json_array_get(outputs, i);
	if (json_is_object(o)) {
		json_object_set_new(o, key, json_string(value));
		return;
	}
	char *s = xstrfmt("%s,%s=%s", json_string_value(o), key, value);
	json_array_set_new(outputs, i, json_string(s));
	free(s);
}

void childdef_push(json_t *outputs)
{
	int add = 1;
	size_t i;
	json_t *o;
	json_array_foreach(outputs, i, o) {
		if (!entry_is(o, "docker"))
			add = 0; /* something else ships it */
		if (entry_is(o, "image"))
			entry_set(outputs, i, "push", "true");
	}
	if (add)
		json_array_append_new(outputs, json_pack("{s:s, s:s}", "type",
							 "image", "push", "true"));
}

void childdef_load(json_t *outputs)
{
	size_t i;
	json_t *o;
	json_array_foreach(outputs, i, o) {
		if (entry_is(o, "docker")) {
			char *dest = entry_get(o, "dest");
			int reuse = !dest || !*dest;
			free(dest);
			if (reuse)
				return;
		} else if (!entry_is(o, "image") && !entry_is(o, "registry") &&
			   !entry_is(o, "oci")) {
			return; /* a local or tar output: bake loads nothing */
		}
	}
	json_array_append_new(outputs, json_pack("{s:s}", "type", "docker"));
}

/* The "output" array of `jt`, made if missing. */
static json_t *outputs_of(json_t *jt)
{
	json_t *out = json_object_get(jt, "output");
	if (!json_is_array(out)) {
		out = json_array();
		json_object_set_new(jt, "output", out);
	}
	return out;
}

static void append_to(json_t *jt, const char *key, json_t *entry)
{
	json_t *arr = json_object_get(jt, key);
	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(jt, key, arr);
	}
	json_array_append_new(arr, entry);
}

static void add_cache(json_t *jt, const char *registry, const char *name,
		      int export)
{
	char *ref = cache_ref(registry, name);
	append_to(jt, "cache-from",
		  json_pack("{s:s, s:s}", "type", "registry", "ref", ref));
	/*
	 * Exported only by the invocation that builds the target for its
	 * own sake: one that builds it again as a dependency would export
	 * it a second time, in a race with the first.
	 */
	if (export)
		append_to(jt, "cache-to",
			  json_pack("{s:s, s:s, s:s}", "type", "registry",
				    "ref", ref, "mode", "max"));
	free(ref);
}

/* The outputs the target has once --push applies to them (a copy). */
static json_t *effective_outputs(const json_t *jt, int push)
{
	json_t *out = json_deep_copy(json_object_get(jt, "output"));
	if (!json_is_array(out)) {
		json_decref(out);
		out = json_array();
	}
	if (push)
		childdef_push(out);
	return out;
}

static int entry_pushes(json_t *o)
{
	char *p = entry_get(o, "push");
	int yes = entry_is(o, "registry") ||
		  (entry_is(o, "image") && p && !strcmp(p, "true"));
	free(p);
	return yes;
}

int childdef_pushes(const json_t *jt, int push)
{
	json_t *out = effective_outputs(jt, push);
	size_t i;
	json_t *o;
	int yes = 0;
	json_array_foreach(out, i, o)
		yes |= entry_pushes(o);
	json_decref(out);
	return yes;
}

/* A tar or oci output the parts can write and the merge put together:
 * to a file or directory (not stdout), an oci one named by the tags. */
static int local_file_output(json_t *o, int pushes)
{
	if (!entry_is(o, "tar") && !entry_is(o, "oci"))
		return 0;
	char *dest = entry_get(o, "dest");
	char *name = entry_get(o, "name");
	/* an oci output of a target that pushes: a second exporter, whose
	 * digest bake's metadata might give for the pushed one's */
	int ok = dest && *dest && strcmp(dest, "-") && !name &&
		 !(pushes && entry_is(o, "oci"));
	free(name);
	free(dest);
	return ok;
}

int childdef_splittable(const json_t *jt, int push, int load)
{
	static const char *const kinds[] = {
		"cacheonly", "image", "registry", "local",
	};
	if (load || json_array_size(json_object_get(jt, "platforms")) < 2)
		return 0;
	json_t *out = effective_outputs(jt, push);
	size_t i;
	json_t *o;
	int ok = 1, pushes = 0;
	json_array_foreach(out, i, o)
		pushes |= entry_pushes(o);
	json_array_foreach(out, i, o) {
		int known = local_file_output(o, pushes);
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			known |= entry_is(o, kinds[k]);
		char *name = entry_get(o, "name");
		/* an object (a string would need quoting rules), named by
		 * the tags */
		ok &= known && json_is_object(o) && !name;
		free(name);
	}
	json_decref(out);
	const char *tag = json_string_value(
		json_array_get(json_object_get(jt, "tags"), 0));
	return ok && (!pushes || (tag && *tag));
}

int childdef_entry_is(const json_t *o, const char *type)
{
	return entry_is((json_t *)o, type);
}

char *childdef_part_out(const char *parts_dir, const char *target,
			size_t index)
{
	return xstrfmt("%s/%s/%zu", parts_dir, target, index);
}

char *childdef_repository(const char *tag)
{
	size_t n = strcspn(tag, "@");
	const char *slash = memrchr(tag, '/', n);
	const char *colon = memchr(slash ? slash : tag, ':',
				   n - (size_t)((slash ? slash : tag) - tag));
	if (colon)
		n = (size_t)(colon - tag);
	return xstrndup(tag, n);
}

char *childdef_platform_dir(const char *platform)
{
	char *dir = xstrdup(platform);
	for (char *p = dir; *p; p++)
		if (*p == '/')
			*p = '_';
	return dir;
}

/*
 * One platform of a split target: that platform only; its pushed image
 * by digest to the repository of its first tag (tags are for the index
 * the parts make, imagetools create's), local outputs in the platform's
 * directory.
 */
static int make_part(const struct childdef *d, const char *name, json_t *jt,
		     const char *platform)
{
	int ret = 0, multi = 0;
	json_object_set_new(jt, "platforms", json_pack("[s]", platform));
	const char *tag = json_string_value(
		json_array_get(json_object_get(jt, "tags"), 0));
	char *repo = tag ? childdef_repository(tag) : NULL;
	char *pdir = childdef_platform_dir(platform);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(jt, "output"), i, o)
		multi |= json_is_object(o) && entry_is(o, "oci");
	if (multi) {
		/*
		 * As bake makes each node's part of a multi-node build
		 * (multi-platform=true): an index of the platform's image
		 * and its attestations, which the merge's index lists as a
		 * one-node build of every platform would. Local and tar
		 * outputs then get the platform's directory from BuildKit.
		 */
		json_t *args = json_object_get(jt, "args");
		if (!json_is_object(args)) {
			args = json_object();
			json_object_set_new(jt, "args", args);
		}
		json_object_set_new(args, "BUILDKIT_MULTI_PLATFORM", json_string("1"));
	}
	json_array_foreach(json_object_get(jt, "output"), i, o) {
		if (!json_is_object(o))
			continue;
		if (repo && entry_pushes(o)) {
			json_object_set_new(o, "type", json_string("image"));
			json_object_set_new(o, "name", json_string(repo));
			json_object_set_new(o, "push", json_string("true"));
			json_object_set_new(o, "push-by-digest", json_string("true"));
			json_object_set_new(o, "name-canonical", json_string("true"));
		} else if (entry_is(o, "local")) {
			const char *dest = json_string_value(json_object_get(o, "dest"));
			char *dir = multi ? xstrdup(dest ? dest : ".")
					  : xstrfmt("%s/%s", dest ? dest : ".", pdir);
			json_object_set_new(o, "dest", json_string(dir));
			free(dir);
		} else if ((entry_is(o, "tar") || entry_is(o, "oci")) &&
			   !d->parts_dir) {
			/* each part would write the whole dest */
			ret = error("target '%s': no directory for its "
				    "platforms' %s outputs",
				    name, json_string_value(json_object_get(o, "type")));
		} else if (entry_is(o, "tar") || entry_is(o, "oci")) {
			/*
			 * the platform's files, or its OCI layout, for the
			 * merge to put together in the dest the target
			 * names: a tar as bake's of several platforms, a
			 * directory per platform; an index of them all
			 */
			char *out = childdef_part_out(d->parts_dir, name, i);
			int oci = entry_is(o, "oci");
			char *dir = multi && !oci ? xstrdup(out)
						  : xstrfmt("%s/%s", out, pdir);
			if (oci) {
				json_object_set_new(o, "tar", json_string("false"));
			} else {
				json_object_clear(o);
				json_object_set_new(o, "type", json_string("local"));
			}
			json_object_set_new(o, "dest", json_string(dir));
			free(dir);
			free(out);
		}
	}
	json_object_del(jt, "tags");
	free(pdir);
	free(repo);
	return ret;
}

/*
 * Copy target `name` into `targets` as the invocation makes it. `e` is
 * its entry, or NULL for a dependency the child builds on its own.
 */
static json_t *add_target(const struct childdef *d, json_t *targets,
			  const char *name, const struct childdef_entry *e)
{
	json_t *src = json_object_get(d->printed, name);
	if (!json_is_object(src)) {
		error("target '%s' is not in bake's definition", name);
		return NULL;
	}
	json_t *jt = json_deep_copy(src);
	json_object_set_new(targets, name, jt);
	if (e && e->outputs) {
		if (d->push)
			childdef_push(outputs_of(jt));
		if (d->load)
			childdef_load(outputs_of(jt));
	}
	if (e && e->platform && make_part(d, name, jt, e->platform) < 0)
		return NULL;
	if (e && e->layout) {
		json_t *layout = json_pack("{s:s, s:s, s:s}", "type", "oci",
					   "dest", e->layout, "tar", "false");
		if (e->outputs)
			json_array_append_new(outputs_of(jt), layout);
		else
			json_object_set_new(jt, "output", json_pack("[o]", layout));
	}
	if (d->cache_registry) {
		/* a platform's own cache: the parts would overwrite one
		 * another's */
		char *cname = e && e->platform ? xstrfmt("%s-%s", name, e->platform)
					       : xstrdup(name);
		add_cache(jt, d->cache_registry, cname, e != NULL);
		free(cname);
	}
	return jt;
}

/*
 * The "target:" contexts of `jt` (target `name`): a layout where there
 * is one, else the target it names is copied too, with its own.
 */
static int link_contexts(const struct childdef *d, json_t *targets,
			 const char *name, json_t *jt, int depth)
{
	if (depth > 64)
		return error("target '%s': dependency chain too deep", name);
	json_t *contexts = json_object_get(jt, "contexts");
	const char *key;
	json_t *v;
	json_object_foreach(contexts, key, v) {
		const char *val = json_string_value(v);
		if (!val || !starts_with(val, "target:") || !val[7])
			continue;
		const char *ref = d->context ? d->context(d->data, name, key)
					     : NULL;
		if (ref) {
			json_object_set_new(contexts, key, json_string(ref));
			continue;
		}
		const char *dep = val + 7;
		if (json_object_get(targets, dep))
			continue;
		json_t *djt = add_target(d, targets, dep, NULL);
		if (!djt || link_contexts(d, targets, dep, djt, depth + 1) < 0)
			return -1;
	}
	return 0;
}

json_t *childdef_build(const struct childdef *d,
		       const struct childdef_entry *v, size_t n)
{
	json_t *targets = json_object();
	/* the invocation's own targets first: one that another of them
	 * depends on is copied as its entry says, not as a bare dependency */
	for (size_t i = 0; i < n; i++) {
		if (!json_object_get(targets, v[i].name) &&
		    !add_target(d, targets, v[i].name, &v[i]))
			goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (link_contexts(d, targets, v[i].name,
				  json_object_get(targets, v[i].name), 0) < 0)
			goto fail;
	return json_pack("{s:o}", "target", targets);
fail:
	json_decref(targets);
	return NULL;
}

int childdef_write(const json_t *doc, const char *path)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		free(text);
		return error("cannot write '%s': %s", path, strerror(errno));
	}
	int bad = !text || write_in_full(fd, text, strlen(text)) < 0;
	free(text);
	if (close(fd) < 0 || bad)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}
