/* Each child bake's own definition: what it builds, with dbake's
 * additions written in, and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"

#include "run/childdef.h"
#include "run/split.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *printed(void)
{
	char *text = read_fixture("print-hcl.json");
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	free(text);
	json_t *targets = json_incref(json_object_get(doc, "target"));
	json_decref(doc);
	return targets;
}

static json_t *key(json_t *doc, const char *target, const char *k)
{
	return json_object_get(json_object_get(json_object_get(doc, "target"),
					       target), k);
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The outputs bake's setPushOverride / setLoadOverride (`apply`, its
 * name `what`) give, from the same starting outputs, as JSON text. */
static void check_override(void (*apply)(json_t *), const char *what,
			   const char *in, const char *want)
{
	json_t *out = json_loads(in, 0, NULL);
	json_t *exp = json_loads(want, 0, NULL);
	assert_non_null(out);
	assert_non_null(exp);
	apply(out);
	if (!json_equal(out, exp)) {
		char *got = json_dumps(out, JSON_COMPACT);
		fail_msg("%s of %s: got %s, want %s", what, in, got, want);
	}
	json_decref(out);
	json_decref(exp);
}
#define check_push(in, want) check_override(childdef_push, "push", in, want)
#define check_load(in, want) check_override(childdef_load, "load", in, want)

static void t_push_load_as_bake(void **state)
{
	(void)state;
	/* no output, or docker ones only: an image output is added */
	check_push("[]", "[{\"type\":\"image\",\"push\":\"true\"}]");
	check_push("[{\"type\":\"docker\"}]",
		   "[{\"type\":\"docker\"},{\"type\":\"image\",\"push\":\"true\"}]");
	/* an image output is marked, nothing added */
	check_push("[{\"type\":\"image\",\"name\":\"r/a\"}]",
		   "[{\"type\":\"image\",\"name\":\"r/a\",\"push\":\"true\"}]");
	check_push("[\"type=image,name=r/a\"]", "[\"type=image,name=r/a,push=true\"]");
	/* a local output: bake pushes nothing, nor do we */
	check_push("[{\"type\":\"local\",\"dest\":\"out\"}]",
		   "[{\"type\":\"local\",\"dest\":\"out\"}]");
	check_push("[\"type=registry,name=r/a\"]", "[\"type=registry,name=r/a\"]");
	/* strings too: a docker tarball is a docker output, a "dockerfile"
	 * type is not one; any other output and nothing is added */
	check_push("[\"type=docker,dest=/x.tar\"]",
		   "[\"type=docker,dest=/x.tar\",{\"type\":\"image\",\"push\":\"true\"}]");
	check_push("[\"type=dockerfile\"]", "[\"type=dockerfile\"]");
	check_push("[\"type=docker\", \"type=local,dest=out\"]",
		   "[\"type=docker\", \"type=local,dest=out\"]");
	check_push("[{\"type\":\"cacheonly\"}]", "[{\"type\":\"cacheonly\"}]");

	check_load("[]", "[{\"type\":\"docker\"}]");
	check_load("[{\"type\":\"image\"}]", "[{\"type\":\"image\"},{\"type\":\"docker\"}]");
	/* a docker output without dest is the load already */
	check_load("[{\"type\":\"docker\"}]", "[{\"type\":\"docker\"}]");
	check_load("[\"type=docker\"]", "[\"type=docker\"]");
	check_load("[{\"type\":\"docker\",\"dest\":\"i.tar\"}]",
		   "[{\"type\":\"docker\",\"dest\":\"i.tar\"},{\"type\":\"docker\"}]");
	check_load("[\"type=docker,dest=i.tar\"]",
		   "[\"type=docker,dest=i.tar\",{\"type\":\"docker\"}]");
	/* a local or tar output: nothing loaded */
	check_load("[{\"type\":\"tar\",\"dest\":\"a.tar\"}]",
		   "[{\"type\":\"tar\",\"dest\":\"a.tar\"}]");
}

/* The map from (target, context key) to a layout, for the tests. */
struct layouts {
	const char *name, *key, *ref;
};

static const char *lookup(void *data, const char *name, const char *k)
{
	for (const struct layouts *l = data; l->name; l++)
		if (!strcmp(l->name, name) && !strcmp(l->key, k))
			return l->ref;
	return NULL;
}

static void t_thin_definition(void **state)
{
	(void)state;
	json_t *p = printed();
	struct childdef d = { .printed = p };
	/* worker alone: nothing else of the project */
	struct childdef_entry w = { "worker", 1, NULL, NULL };
	json_t *doc = childdef_build(&d, &w, 1);
	assert_non_null(doc);
	assert_int_equal(json_object_size(json_object_get(doc, "target")), 1);
	assert_null(json_object_get(doc, "group"));
	assert_true(json_equal(json_object_get(json_object_get(doc, "target"),
					       "worker"),
			       json_object_get(p, "worker")));
	json_decref(doc);

	/* app builds base and its toolchain itself when no layout is there */
	struct childdef_entry a = { "app", 1, NULL, NULL };
	doc = childdef_build(&d, &a, 1);
	json_t *t = json_object_get(doc, "target");
	assert_int_equal(json_object_size(t), 3);
	assert_non_null(json_object_get(t, "base"));
	assert_non_null(json_object_get(t, "toolchain"));
	assert_string_equal(str(key(doc, "app", "contexts"), "base"), "target:base");
	json_decref(doc);

	/* with base's layout, app stands alone */
	struct layouts l[] = {
		{ "app", "base", "oci-layout:///r/oci/2@sha256:ab" },
		{ NULL, NULL, NULL },
	};
	d.context = lookup;
	d.data = l;
	doc = childdef_build(&d, &a, 1);
	assert_int_equal(json_object_size(json_object_get(doc, "target")), 1);
	assert_string_equal(str(key(doc, "app", "contexts"), "base"),
			    "oci-layout:///r/oci/2@sha256:ab");
	json_decref(doc);

	/* a layout one level down: base is built, toolchain is not */
	struct layouts l2[] = {
		{ "base", "toolchain", "oci-layout:///r/oci/3@sha256:cd" },
		{ NULL, NULL, NULL },
	};
	d.data = l2;
	doc = childdef_build(&d, &a, 1);
	assert_int_equal(json_object_size(json_object_get(doc, "target")), 2);
	assert_string_equal(str(key(doc, "base", "contexts"), "toolchain"),
			    "oci-layout:///r/oci/3@sha256:cd");
	json_decref(doc);

	/* a name bake did not print: an error, not a half definition */
	struct childdef_entry bad = { "nope", 1, NULL, NULL };
	assert_null(childdef_build(&d, &bad, 1));
	/* the printed definition is never changed */
	assert_string_equal(str(json_object_get(json_object_get(p, "app"),
						"contexts"), "base"),
			    "target:base");
	json_decref(p);
}

static void t_outputs_written_in(void **state)
{
	(void)state;
	json_t *p = printed();
	struct childdef d = { .printed = p, .push = 1, .load = 0 };
	/*
	 * A dependent first, then its dependency, which is requested and
	 * exported for a dependent elsewhere: the dependency keeps its
	 * entry's outputs (the push image, then the layout), not a bare
	 * copy made while following the dependent's context.
	 */
	struct childdef_entry v[] = {
		{ "app", 1, NULL, NULL },
		{ "base", 0, "/r/oci/1", NULL },
		{ "worker", 1, "/r/oci/4", NULL },
	};
	json_t *doc = childdef_build(&d, v, 3);
	json_t *out = key(doc, "base", "output");
	/* cacheonly: its layout instead of the cacheonly output, no push */
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(str(json_array_get(out, 0), "type"), "oci");
	assert_string_equal(str(json_array_get(out, 0), "dest"), "/r/oci/1");
	assert_string_equal(str(json_array_get(out, 0), "tar"), "false");
	/* worker: bake's push output, then the layout, whatever the order
	 * bake would apply --set values in */
	out = key(doc, "worker", "output");
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(str(json_array_get(out, 0), "type"), "image");
	assert_string_equal(str(json_array_get(out, 0), "push"), "true");
	assert_string_equal(str(json_array_get(out, 1), "type"), "oci");
	out = key(doc, "app", "output");
	assert_int_equal(json_array_size(out), 1);
	assert_string_equal(str(json_array_get(out, 0), "push"), "true");
	/* toolchain, built only as base's dependency: as printed */
	assert_true(json_equal(key(doc, "toolchain", "output"),
			       json_object_get(json_object_get(p, "toolchain"),
					       "output")));
	json_decref(doc);
	json_decref(p);
}

static void assert_registry(json_t *e, const char *ref, int with_mode)
{
	assert_true(json_is_object(e));
	assert_string_equal(str(e, "type"), "registry");
	assert_string_equal(str(e, "ref"), ref);
	assert_int_equal(json_object_size(e), with_mode ? 3 : 2);
	if (with_mode)
		assert_string_equal(str(e, "mode"), "max");
}

static void t_cache_registry(void **state)
{
	(void)state;
	json_t *p = printed();
	struct childdef d = { .printed = p,
			      .cache_registry = "registry.local:5000/ci" };
	struct childdef_entry v[] = { { "app", 1, NULL, NULL }, { "api", 1, NULL, NULL } };
	json_t *doc = childdef_build(&d, v, 2);
	/* app: its own registry cache, then ours; its inline cache-to,
	 * then ours */
	json_t *from = key(doc, "app", "cache-from");
	assert_int_equal(json_array_size(from), 2);
	assert_string_equal(str(json_array_get(from, 0), "ref"),
			    "example.com/app:cache");
	assert_registry(json_array_get(from, 1),
			"registry.local:5000/ci/buildcache/app", 0);
	json_t *to = key(doc, "app", "cache-to");
	assert_int_equal(json_array_size(to), 2);
	assert_string_equal(str(json_array_get(to, 0), "type"), "inline");
	assert_registry(json_array_get(to, 1),
			"registry.local:5000/ci/buildcache/app", 1);
	from = key(doc, "api", "cache-from");
	assert_string_equal(str(json_array_get(from, 0), "type"), "gha");
	assert_registry(json_array_get(from, 1),
			"registry.local:5000/ci/buildcache/api", 0);
	assert_registry(json_array_get(key(doc, "api", "cache-to"), 0),
			"registry.local:5000/ci/buildcache/api", 1);
	/* a dependency built inside reads the cache, and exports none:
	 * its own invocation does */
	assert_registry(json_array_get(key(doc, "base", "cache-from"), 0),
			"registry.local:5000/ci/buildcache/base", 0);
	assert_null(key(doc, "base", "cache-to"));
	assert_registry(json_array_get(key(doc, "toolchain", "cache-from"), 0),
			"registry.local:5000/ci/buildcache/toolchain", 0);
	assert_null(key(doc, "toolchain", "cache-to"));
	json_decref(doc);
	/* the printed definition is not changed */
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "app"),
							 "cache-from")), 1);
	json_decref(p);
}

static void t_write(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/dbake-test-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	json_t *p = printed();
	struct childdef d = { .printed = p, .load = 1 };
	struct childdef_entry w = { "worker", 1, NULL, NULL };
	json_t *doc = childdef_build(&d, &w, 1);
	char *path = xstrfmt("%s/1.json", dir);
	assert_int_equal(childdef_write(doc, path), 0);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	json_t *back = json_load_file(path, 0, NULL);
	assert_true(json_equal(back, doc));
	assert_string_equal(str(json_array_get(key(back, "worker", "output"), 0),
				"type"), "docker");
	json_decref(back);

	/* never over an existing file, nor through a symlink */
	assert_int_equal(childdef_write(doc, path), -1);
	char *victim = xstrfmt("%s/victim", dir);
	char *link = xstrfmt("%s/2.json", dir);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(childdef_write(doc, link), -1);
	assert_int_equal(lstat(victim, &st), -1);
	assert_int_equal(errno, ENOENT);
	char *nodir = xstrfmt("%s/no/such.json", dir);
	assert_int_equal(childdef_write(doc, nodir), -1);
	char *text = read_text_file(path, NULL);
	assert_non_null(strstr(text, "\"worker\""));
	free(text);

	unlink(link);
	unlink(path);
	rmdir(dir);
	free(nodir);
	free(link);
	free(victim);
	free(path);
	json_decref(doc);
	json_decref(p);
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

static void t_splittable(void **state)
{
	(void)state;
	json_t *two = parse("{\"platforms\": [\"linux/amd64\", \"linux/arm64\"],"
			    " \"tags\": [\"r:5000/a/b:v1\"]}");
	assert_true(childdef_splittable(two, 0, 0));
	assert_true(childdef_splittable(two, 1, 0));
	assert_true(childdef_pushes(two, 1));
	assert_false(childdef_pushes(two, 0));
	/* --load: a docker output of several platforms, as bake would fail */
	assert_false(childdef_splittable(two, 0, 1));
	json_object_set_new(two, "output",
			    parse("[{\"type\": \"local\", \"dest\": \"out\"}]"));
	assert_true(childdef_splittable(two, 1, 0));
	/* tar and oci outputs to a file or directory: the parts write
	 * theirs apart, the merge puts them together */
	json_object_set_new(two, "output", parse("[{\"type\": \"tar\", \"dest\": \"a.tar\"}]"));
	assert_true(childdef_splittable(two, 0, 0));
	assert_true(childdef_splittable(two, 1, 0));
	json_object_set_new(two, "output", parse("[{\"type\": \"oci\", \"dest\": \"o\","
						 " \"tar\": \"false\"}]"));
	assert_true(childdef_splittable(two, 0, 0));
	assert_true(childdef_splittable(two, 1, 0)); /* --push adds no image */
	/* an oci output beside a push: its digest would be a second
	 * exporter's in bake's metadata */
	json_object_set_new(two, "output", parse("[{\"type\": \"oci\", \"dest\": \"o\"},"
						 " {\"type\": \"registry\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	/* to stdout, with no dest, or named: one stream, nothing to
	 * merge into */
	json_object_set_new(two, "output", parse("[{\"type\": \"tar\", \"dest\": \"-\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	json_object_set_new(two, "output", parse("[{\"type\": \"oci\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	json_object_set_new(two, "output", parse("[{\"type\": \"oci\", \"dest\": \"o.tar\","
						 " \"name\": \"x/y\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	/* a docker output: one image, for one platform */
	json_object_set_new(two, "output", parse("[{\"type\": \"docker\", \"dest\": \"d.tar\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	json_object_set_new(two, "output", parse("[{\"type\": \"image\", \"name\": \"x/y\"}]"));
	assert_false(childdef_splittable(two, 0, 0));
	json_object_set_new(two, "output", parse("[\"type=image,push=true\"]"));
	assert_false(childdef_splittable(two, 0, 0));
	json_object_set_new(two, "output", parse("[{\"type\": \"registry\"}]"));
	assert_true(childdef_splittable(two, 0, 0));
	assert_true(childdef_pushes(two, 0));
	/* pushing with no tag: no repository to push the parts to */
	json_object_del(two, "tags");
	assert_false(childdef_splittable(two, 0, 0));
	json_object_del(two, "output");
	assert_true(childdef_splittable(two, 0, 0));
	assert_false(childdef_splittable(two, 1, 0));
	/* one platform: nothing to split */
	json_t *one = parse("{\"platforms\": [\"linux/amd64\"]}");
	assert_false(childdef_splittable(one, 0, 0));
	json_decref(one);
	json_decref(two);

	char *r = childdef_repository("reg:5000/a/b:v1");
	assert_string_equal(r, "reg:5000/a/b");
	free(r);
	r = childdef_repository("reg:5000/a/b");
	assert_string_equal(r, "reg:5000/a/b");
	free(r);
	r = childdef_repository("b:v1@sha256:ab");
	assert_string_equal(r, "b");
	free(r);
	r = childdef_platform_dir("linux/arm/v7");
	assert_string_equal(r, "linux_arm_v7");
	free(r);
}

static void t_part(void **state)
{
	(void)state;
	json_t *p = parse("{\"m\": {\"platforms\": [\"linux/amd64\", \"linux/arm64\"],"
			  " \"tags\": [\"r:5000/a/m:v1\", \"r:5000/a/m:latest\"],"
			  " \"output\": [{\"type\": \"local\", \"dest\": \"out\"},"
			  " {\"type\": \"image\"}]}}");
	struct childdef d = { .printed = p, .push = 1,
			      .cache_registry = "r:5000/c" };
	struct childdef_entry e = { "m", 1, NULL, "linux/arm64" };
	json_t *doc = childdef_build(&d, &e, 1);
	json_t *out = key(doc, "m", "output");
	/* its own platform, no tags: the index the merge makes has them */
	json_t *want = parse("[\"linux/arm64\"]");
	assert_true(json_equal(key(doc, "m", "platforms"), want));
	json_decref(want);
	assert_null(key(doc, "m", "tags"));
	/* the local output in the platform's directory, as bake writes it
	 * for several platforms; the pushed image by digest */
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(str(json_array_get(out, 0), "dest"), "out/linux_arm64");
	json_t *img = json_array_get(out, 1);
	assert_string_equal(str(img, "type"), "image");
	assert_string_equal(str(img, "name"), "r:5000/a/m");
	assert_string_equal(str(img, "push"), "true");
	assert_string_equal(str(img, "push-by-digest"), "true");
	assert_string_equal(str(img, "name-canonical"), "true");
	/* a cache of its own platform: the parts would overwrite one
	 * another's in one ref */
	assert_string_equal(str(json_array_get(key(doc, "m", "cache-to"), 0), "ref"),
			    "r:5000/c/buildcache/m-linux-arm64");
	json_decref(doc);
	json_decref(p);
}

/* tar and oci outputs: each part's files in its platform's directory
 * under the run's parts directory, for the merge */
static void t_part_files(void **state)
{
	(void)state;
	json_t *p = parse("{\"f\": {\"platforms\": [\"linux/amd64\", \"linux/arm64\"],"
			  " \"output\": [{\"type\": \"tar\", \"dest\": \"out/f.tar\"},"
			  " {\"type\": \"oci\", \"dest\": \"out/f-oci.tar\","
			  " \"compression\": \"zstd\"}]},"
			  " \"t\": {\"platforms\": [\"linux/amd64\", \"linux/arm64\"],"
			  " \"args\": {\"A\": \"1\"},"
			  " \"output\": [{\"type\": \"tar\", \"dest\": \"t.tar\"},"
			  " {\"type\": \"local\", \"dest\": \"l\"}]}}");
	struct childdef d = { .printed = p, .parts_dir = "/r/parts" };
	struct childdef_entry e = { "f", 1, NULL, "linux/arm64" };
	json_t *doc = childdef_build(&d, &e, 1);
	json_t *out = key(doc, "f", "output");
	assert_int_equal(json_array_size(out), 2);
	json_t *tar = json_array_get(out, 0), *oci = json_array_get(out, 1);
	/* an oci output: the part is built as bake builds a node's part
	 * of several platforms, an index with its attestations, and
	 * BuildKit writes a local output in the platform's directory */
	assert_string_equal(str(key(doc, "f", "args"), "BUILDKIT_MULTI_PLATFORM"), "1");
	assert_string_equal(str(tar, "type"), "local");
	assert_string_equal(str(tar, "dest"), "/r/parts/f/0");
	assert_int_equal(json_object_size(tar), 2);
	/* the oci output keeps what it asks of the exporter */
	assert_string_equal(str(oci, "type"), "oci");
	assert_string_equal(str(oci, "dest"), "/r/parts/f/1/linux_arm64");
	assert_string_equal(str(oci, "tar"), "false");
	assert_string_equal(str(oci, "compression"), "zstd");
	json_decref(doc);
	/* no oci output: a single platform's build, its directory ours */
	struct childdef_entry te = { "t", 1, NULL, "linux/amd64" };
	doc = childdef_build(&d, &te, 1);
	out = key(doc, "t", "output");
	assert_string_equal(str(json_array_get(out, 0), "dest"),
			    "/r/parts/t/0/linux_amd64");
	assert_string_equal(str(json_array_get(out, 1), "dest"), "l/linux_amd64");
	assert_null(str(key(doc, "t", "args"), "BUILDKIT_MULTI_PLATFORM"));
	assert_string_equal(str(key(doc, "t", "args"), "A"), "1");
	json_decref(doc);
	char *dir = childdef_part_out("/r/parts", "f", 1);
	assert_string_equal(dir, "/r/parts/f/1");
	free(dir);
	/* no parts directory: refused, never every part into one dest */
	d.parts_dir = NULL;
	assert_null(childdef_build(&d, &e, 1));
	json_decref(p);
}

/* the names the oci exporter writes in index.json, buildx's way */
static void t_normalized_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "app", "docker.io/library/app:latest" },
		{ "app:v1", "docker.io/library/app:v1" },
		{ "me/app:v1", "docker.io/me/app:v1" },
		{ "localhost/app", "localhost/app:latest" },
		{ "localhost:5000/a/b:v2", "localhost:5000/a/b:v2" },
		{ "reg.example/a", "reg.example/a:latest" },
		{ "Reg/a:v1", "Reg/a:v1" },
		{ "127.0.0.1:5000/x@sha256:ab", "127.0.0.1:5000/x@sha256:ab" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *n = split_normalized_name(cases[i][0]);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_push_load_as_bake),
		cmocka_unit_test(t_thin_definition),
		cmocka_unit_test(t_outputs_written_in),
		cmocka_unit_test(t_cache_registry),
		cmocka_unit_test(t_write),
		cmocka_unit_test(t_splittable),
		cmocka_unit_test(t_part),
		cmocka_unit_test(t_part_files),
		cmocka_unit_test(t_normalized_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
