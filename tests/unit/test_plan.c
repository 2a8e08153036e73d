/* The plan: `bake --print` output as buildx v0.35 prints it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"

#include "plan/bakefile.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static char *read_fixture_len(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	assert_non_null(dir);
	char *path = xstrfmt("%s/%s", dir, name);
	char *text = read_text_file(path, len);
	free(path);
	return text;
}

static void load_fixture(struct plan *plan, const char *name)
{
	size_t len;
	char *text = read_fixture_len(name, &len);
	assert_int_equal(plan_parse(plan, text, len), 0);
	free(text);
}

static struct target *must_find(struct plan *plan, const char *name)
{
	struct target *t = plan_find(plan, name);
	if (!t)
		fail_msg("no target '%s' in the plan", name);
	return t;
}

static void t_hcl_groups_deps(void **state)
{
	(void)state;
	struct plan plan = PLAN_INIT;
	load_fixture(&plan, "print-hcl.json");
	assert_int_equal(plan.nr, 5);
	assert_non_null(plan.doc);

	struct target *app = must_find(&plan, "app");
	struct target *api = must_find(&plan, "api");
	struct target *worker = must_find(&plan, "worker");
	struct target *base = must_find(&plan, "base");
	struct target *tc = must_find(&plan, "toolchain");
	assert_null(plan_find(&plan, "docs"));
	assert_null(plan_find(&plan, "all"));    /* groups are not targets */
	assert_null(plan_find(&plan, "backend"));

	/* default -> all -> (app, backend -> (api, worker)) */
	assert_true(app->requested);
	assert_true(api->requested);
	assert_true(worker->requested);
	assert_false(base->requested);
	assert_false(tc->requested);

	/* contexts = { base = "target:base" }: printed as cacheonly deps */
	ASSERT_STRVEC(&app->deps, "base");
	ASSERT_STRVEC(&base->deps, "toolchain");
	assert_int_equal(tc->deps.nr, 0);
	assert_int_equal(api->deps.nr, 0);
	assert_true(base->cacheonly);
	assert_true(tc->cacheonly);
	assert_false(app->cacheonly);
	assert_false(api->cacheonly);
	assert_false(worker->cacheonly);

	/* platforms normalised: arm64/v8 -> arm64, variants kept otherwise */
	ASSERT_STRVEC(&app->platforms, "linux/amd64", "linux/arm64");
	ASSERT_STRVEC(&base->platforms, "linux/amd64", "linux/arm64");
	ASSERT_STRVEC(&api->platforms, "linux/arm/v7", "linux/amd64/v2");
	assert_int_equal(worker->platforms.nr, 0);
	assert_int_equal(tc->platforms.nr, 0);

	/* nothing is selected by parsing */
	for (size_t i = 0; i < plan.nr; i++) {
		assert_false(plan.v[i].selected);
		assert_int_equal(plan.v[i].compose_deps.nr, 0);
		assert_int_equal(plan.v[i].profiles.nr, 0);
	}

	assert_int_equal(plan_index(&plan, "app"), app - plan.v);
	assert_int_equal(plan_index(&plan, "nope"), -1);
	assert_int_equal(plan_index(&plan, "App"), -1);
	plan_release(&plan);
	assert_null(plan.v);
	assert_null(plan.doc);
	assert_int_equal(plan.nr, 0);
}

static void t_hcl_named(void **state)
{
	(void)state;
	struct plan plan = PLAN_INIT;
	load_fixture(&plan, "print-hcl-named.json");
	assert_int_equal(plan.nr, 2);
	assert_true(must_find(&plan, "api")->requested);
	assert_true(must_find(&plan, "docs")->requested);
	assert_false(must_find(&plan, "docs")->cacheonly);
	plan_release(&plan);
}

static void t_compose(void **state)
{
	(void)state;
	struct plan plan = PLAN_INIT;
	load_fixture(&plan, "print-compose.json");
	assert_int_equal(plan.nr, 5);
	const char *names[] = { "api", "debug-tools", "docs", "migrate", "web" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct target *t = must_find(&plan, names[i]);
		assert_true(t->requested);
		assert_false(t->cacheonly);
		/* depends_on is not in the print */
		assert_int_equal(t->deps.nr, 0);
	}
	assert_null(plan_find(&plan, "db")); /* image only: no target */
	ASSERT_STRVEC(&must_find(&plan, "docs")->platforms, "linux/amd64",
		      "linux/arm64");
	assert_int_equal(must_find(&plan, "web")->platforms.nr, 0);
	plan_release(&plan);
}

static void t_matrix(void **state)
{
	(void)state;
	struct plan plan = PLAN_INIT;
	load_fixture(&plan, "print-matrix.json");
	assert_int_equal(plan.nr, 5);
	const char *names[] = { "app-web-1-0", "app-cli-1-0", "app-web-2-1",
				"app-cli-2-1", "tools" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct target *t = must_find(&plan, names[i]);
		assert_true(t->requested); /* default -> app (a group) */
		assert_false(t->cacheonly);
	}
	assert_null(plan_find(&plan, "app"));
	struct target *tools = must_find(&plan, "tools");
	ASSERT_STRVEC(&tools->deps, "app-web-2-1");
	/* printed as written ("linux/AMD64"), normalised here */
	ASSERT_STRVEC(&tools->platforms, "linux/amd64", "linux/arm64");
	ASSERT_STRVEC(&must_find(&plan, "app-cli-1-0")->platforms, "linux/amd64");
	plan_release(&plan);
}

static int parse_str(const char *json)
{
	struct plan plan = PLAN_INIT;
	int r = plan_parse(&plan, json, strlen(json));
	plan_release(&plan);
	return r;
}

static void t_malformed(void **state)
{
	(void)state;
	assert_int_equal(parse_str(""), -1);
	assert_int_equal(parse_str("{"), -1);
	assert_int_equal(parse_str("{\"target\":{\"a\":{}},}"), -1);
	assert_int_equal(parse_str("not json"), -1);
	/* truncated fixture */
	size_t len;
	char *text = read_fixture_len("print-hcl.json", &len);
	struct plan plan = PLAN_INIT;
	assert_int_equal(plan_parse(&plan, text, len / 2), -1);
	plan_release(&plan);
	free(text);
}

static void t_no_targets(void **state)
{
	(void)state;
	assert_int_equal(parse_str("{}"), -1);
	assert_int_equal(parse_str("{\"group\":{\"default\":{\"targets\":[]}}}"), -1);
	assert_int_equal(parse_str("[]"), -1);
	assert_int_equal(parse_str("\"target\""), -1);
	assert_int_equal(parse_str("{\"target\":[\"a\"]}"), -1);
	assert_int_equal(parse_str("{\"target\":\"a\"}"), -1);
	/* an empty target map parses (selection then finds nothing) */
	assert_int_equal(parse_str("{\"target\":{}}"), 0);
}

static void t_bad_definitions(void **state)
{
	(void)state;
	/* a target that is not an object */
	assert_int_equal(parse_str("{\"target\":{\"a\":[]}}"), -1);
	/* invalid platforms */
	assert_int_equal(parse_str("{\"target\":{\"a\":{\"platforms\":[\"linux\"]}}}"), -1);
	assert_int_equal(parse_str("{\"target\":{\"a\":{\"platforms\":[7]}}}"), -1);
	/* a dependency bake did not print */
	assert_int_equal(parse_str("{\"target\":{\"a\":{\"contexts\":{\"b\":"
				   "\"target:missing\"}}}}"), -1);
	/* a group member that is neither target nor group */
	assert_int_equal(parse_str("{\"group\":{\"default\":{\"targets\":[\"x\"]}},"
				   "\"target\":{\"a\":{}}}"), -1);
	/* groups naming each other */
	assert_int_equal(parse_str("{\"group\":{\"default\":{\"targets\":[\"g\"]},"
				   "\"g\":{\"targets\":[\"default\"]}},"
				   "\"target\":{\"a\":{}}}"), -1);
}

static void t_no_default_group(void **state)
{
	(void)state;
	const char *json =
		"{\"target\":{"
		"\"a\":{\"contexts\":{\"b\":\"target:b\",\"src\":\"./src\","
		"\"img\":\"docker-image://alpine\",\"again\":\"target:b\","
		"\"empty\":\"target:\"},\"output\":[\"type=cacheonly\"]},"
		"\"b\":{\"output\":[{\"type\":\"cacheonly\"},{\"type\":\"docker\"}]},"
		"\"c\":{\"output\":[\"type=cacheonly,mode=x\"],"
		"\"platforms\":[\"Linux/ARM\",\" linux/amd64/v1 \",\"linux/arm/v7\"]},"
		"\"d\":{\"output\":[]}}}";
	struct plan plan = PLAN_INIT;
	assert_int_equal(plan_parse(&plan, json, strlen(json)), 0);
	assert_int_equal(plan.nr, 4);
	for (size_t i = 0; i < plan.nr; i++)
		assert_true(plan.v[i].requested); /* no default group: all */
	struct target *a = must_find(&plan, "a");
	ASSERT_STRVEC(&a->deps, "b"); /* deduplicated, only target: ones */
	/* every target: context kept by name, for dependency layouts */
	assert_int_equal(a->ctx_keys.nr, 2);
	ASSERT_STRVEC(&a->ctx_targets, "b", "b");
	assert_true(strvec_has(&a->ctx_keys, "b"));
	assert_true(strvec_has(&a->ctx_keys, "again"));
	assert_true(a->cacheonly);    /* older string form */
	assert_false(must_find(&plan, "b")->cacheonly); /* a real output too */
	struct target *c = must_find(&plan, "c");
	assert_true(c->cacheonly);
	/* arm -> arm/v7 (deduplicated), amd64/v1 -> amd64 */
	ASSERT_STRVEC(&c->platforms, "linux/arm/v7", "linux/amd64");
	assert_false(must_find(&plan, "d")->cacheonly);
	plan_release(&plan);
}

/* Write into a fresh private directory; *dir is freed by the caller. */
static void assert_cache_ref(const char *registry, const char *target,
			     const char *want)
{
	char *got = cache_ref(registry, target);
	assert_string_equal(got, want);
	/* the name part is a valid repository path component */
	const char *name = got + strlen(registry) + strlen("/buildcache/");
	regex_t re;
	assert_int_equal(regcomp(&re, "^[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*$",
				 REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, name, 0, NULL, 0))
		fail_msg("'%s' is not a valid repository component", name);
	regfree(&re);
	free(got);
}

static void t_cache_ref(void **state)
{
	(void)state;
	assert_cache_ref("reg:5000/x", "app", "reg:5000/x/buildcache/app");
	assert_cache_ref("r", "App-Web_2.1", "r/buildcache/app-web_2.1");
	assert_cache_ref("r", "My App", "r/buildcache/my-app");
	assert_cache_ref("r", "web/api v2", "r/buildcache/web-api-v2");
	assert_cache_ref("r", "--app--", "r/buildcache/app");
	assert_cache_ref("r", "._x_.", "r/buildcache/x");
	assert_cache_ref("r", "a__b", "r/buildcache/a_b");
	assert_cache_ref("r", "a.-_b", "r/buildcache/a.b");
	assert_cache_ref("r", "a   b", "r/buildcache/a-b");
	assert_cache_ref("r", "\xc3\x84pfel", "r/buildcache/pfel");
	assert_cache_ref("r", "caf\xc3\xa9", "r/buildcache/caf");
	assert_cache_ref("r", "", "r/buildcache/target");
	assert_cache_ref("r", "...", "r/buildcache/target");
	assert_cache_ref("r", "!!!", "r/buildcache/target");
	assert_cache_ref("r", "-", "r/buildcache/target");
	assert_cache_ref("r", "app-web-2-1", "r/buildcache/app-web-2-1");
}

/* A plan of targets with these contexts (NULL: none printed), selected. */
static void plan_with_contexts(struct plan *plan, const char *const *ctx,
			       size_t n)
{
	json_t *doc = json_object(), *targets = json_object(), *names = json_array();
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%zu", i);
		json_t *t = json_object();
		json_object_set_new(t, "dockerfile", json_string("Dockerfile"));
		if (ctx[i])
			json_object_set_new(t, "context", json_string(ctx[i]));
		json_object_set_new(targets, name, t);
		json_array_append_new(names, json_string(name));
	}
	json_t *group = json_object();
	json_object_set_new(group, "targets", names);
	json_t *groups = json_object();
	json_object_set_new(groups, "default", group);
	json_object_set_new(doc, "group", groups);
	json_object_set_new(doc, "target", targets);
	char *text = json_dumps(doc, 0);
	json_decref(doc);
	assert_int_equal(plan_parse(plan, text, strlen(text)), 0);
	free(text);
	for (size_t i = 0; i < plan->nr; i++)
		plan->v[i].selected = 1;
}

static int in_git(const char *const *ctx, size_t n)
{
	struct plan plan = PLAN_INIT;
	plan_with_contexts(&plan, ctx, n);
	int r = plan_in_git(&plan);
	plan_release(&plan);
	return r;
}

static void t_in_git(void **state)
{
	(void)state;
	char *top = xstrfmt("%s/dbake-git-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(top));
	char *proj = xstrfmt("%s/proj", top), *sub = xstrfmt("%s/proj/app/src", top);
	char *other = xstrfmt("%s/other", top), *git = xstrfmt("%s/proj/.git", top);
	char *app = xstrfmt("%s/proj/app", top);
	assert_int_equal(mkdir(proj, 0700), 0);
	assert_int_equal(mkdir(app, 0700), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	char *cwd = getcwd(NULL, 0);
	assert_int_equal(chdir(proj), 0);
	const char *rel[] = { ".", "app/src", NULL };
	const char *abs[] = { sub, other };
	const char *far[] = { other };
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");

	assert_false(in_git(rel, 3));       /* no .git anywhere above */
	assert_false(in_git(abs, 2));
	assert_int_equal(mkdir(git, 0700), 0);
	assert_true(in_git(rel, 1));        /* the context is the top */
	assert_true(in_git(rel + 1, 1));    /* below it */
	assert_true(in_git(rel + 2, 1));    /* none printed: "." */
	assert_true(in_git(abs, 2));
	assert_false(in_git(far, 1));       /* beside it */
	setenv("GIT_DIR", git, 1);          /* git finds one anywhere */
	assert_true(in_git(far, 1));
	unsetenv("GIT_DIR");
	/* a worktree's .git is a file */
	assert_int_equal(rmdir(git), 0);
	int fd = open(git, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_true(in_git(rel + 1, 1));
	/* a target not selected does not count */
	struct plan plan = PLAN_INIT;
	plan_with_contexts(&plan, rel, 1);
	plan.v[0].selected = 0;
	assert_false(plan_in_git(&plan));
	plan_release(&plan);

	assert_int_equal(chdir(cwd), 0);
	unlink(git);
	rmdir(sub);
	rmdir(app);
	rmdir(proj);
	rmdir(other);
	assert_int_equal(rmdir(top), 0);
	free(app);
	free(cwd);
	free(top);
	free(proj);
	free(sub);
	free(other);
	free(git);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_hcl_groups_deps),
		cmocka_unit_test(t_hcl_named),
		cmocka_unit_test(t_compose),
		cmocka_unit_test(t_matrix),
		cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_no_targets),
		cmocka_unit_test(t_bad_definitions),
		cmocka_unit_test(t_no_default_group),
		cmocka_unit_test(t_cache_ref),
		cmocka_unit_test(t_in_git),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
