/* Selection: excludes, dependencies, suggestions, compose profiles/depends_on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"

#include "plan/bakefile.h"
#include "plan/compose.h"
#include "plan/select.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void load_fixture(struct plan *plan, const char *name)
{
	char *text = read_fixture(name);
	assert_int_equal(plan_parse(plan, text, strlen(text)), 0);
	free(text);
}

/* The selected targets' names, in plan order, into `out`. */
static void selected(const struct plan *plan, struct strvec *out)
{
	strvec_clear(out);
	for (size_t i = 0; i < plan->nr; i++)
		if (plan->v[i].selected)
			strvec_push(out, plan->v[i].name);
}

/*
 * print-hcl.json: requested app, api, worker; app -> base -> toolchain
 * (base and toolchain printed as cacheonly dependencies).
 */
static int select_hcl(const char *const *excludes, struct strvec *out)
{
	struct plan plan = PLAN_INIT;
	struct strvec ex = STRVEC_INIT;
	load_fixture(&plan, "print-hcl.json");
	for (; excludes && *excludes; excludes++)
		strvec_push(&ex, *excludes);
	int r = select_targets(&plan, &ex);
	selected(&plan, out);
	strvec_clear(&ex);
	plan_release(&plan);
	return r;
}
#define EXCLUDES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void t_select_all_with_deps(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	/* the cacheonly dependencies come with what needs them */
	assert_int_equal(select_hcl(NULL, &got), 5);
	ASSERT_STRVEC(&got, "api", "app", "base", "toolchain", "worker");
	strvec_clear(&got);
}

static void t_select_exclude_exact(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	assert_int_equal(select_hcl(EXCLUDES("worker"), &got), 4);
	ASSERT_STRVEC(&got, "api", "app", "base", "toolchain");
	/* excluding what needs the dependencies drops them too */
	assert_int_equal(select_hcl(EXCLUDES("app"), &got), 2);
	ASSERT_STRVEC(&got, "api", "worker");
	/* exact: "ap" is not "app" nor "api" (it only warns) */
	assert_int_equal(select_hcl(EXCLUDES("ap"), &got), 5);
	strvec_clear(&got);
}

static void t_select_exclude_glob(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	assert_int_equal(select_hcl(EXCLUDES("a*"), &got), 1);
	ASSERT_STRVEC(&got, "worker");
	assert_int_equal(select_hcl(EXCLUDES("ap?"), &got), 1);
	ASSERT_STRVEC(&got, "worker");
	assert_int_equal(select_hcl(EXCLUDES("[wz]ork?r"), &got), 4);
	ASSERT_STRVEC(&got, "api", "app", "base", "toolchain");
	assert_int_equal(select_hcl(EXCLUDES("*er", "api"), &got), 3);
	ASSERT_STRVEC(&got, "app", "base", "toolchain");
	strvec_clear(&got);
}

static void t_select_unknown_exclude_warns(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	assert_int_equal(select_hcl(EXCLUDES("nosuch", "zz*"), &got), 5);
	ASSERT_STRVEC(&got, "api", "app", "base", "toolchain", "worker");
	strvec_clear(&got);
}

static void t_select_excluded_dependency(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	/* base is excluded: app is built, base is not added on its own */
	assert_int_equal(select_hcl(EXCLUDES("base"), &got), 3);
	ASSERT_STRVEC(&got, "api", "app", "worker");
	assert_int_equal(select_hcl(EXCLUDES("toolchain"), &got), 4);
	ASSERT_STRVEC(&got, "api", "app", "base", "worker");
	strvec_clear(&got);
}

static void t_select_empty(void **state)
{
	(void)state;
	struct strvec got = STRVEC_INIT;
	assert_int_equal(select_hcl(EXCLUDES("*"), &got), -1);
	assert_int_equal(got.nr, 0);
	assert_int_equal(select_hcl(EXCLUDES("app", "api", "worker"), &got), -1);
	assert_int_equal(got.nr, 0);
	strvec_clear(&got);

	/* a plan with no targets */
	struct plan plan = PLAN_INIT;
	struct strvec ex = STRVEC_INIT;
	assert_int_equal(plan_parse(&plan, "{\"target\":{}}", 13), 0);
	assert_int_equal(select_targets(&plan, &ex), -1);
	plan_release(&plan);
}

static void t_select_recomputes(void **state)
{
	(void)state;
	struct plan plan = PLAN_INIT;
	struct strvec ex = STRVEC_INIT, got = STRVEC_INIT;
	load_fixture(&plan, "print-matrix.json");
	strvec_push(&ex, "*");
	assert_int_equal(select_targets(&plan, &ex), -1);
	strvec_clear(&ex);
	assert_int_equal(select_targets(&plan, &ex), 5);

	/* tools needs app-web-2-1: excluded, it is not selected on its own */
	strvec_push(&ex, "app-web-2-1");
	assert_int_equal(select_targets(&plan, &ex), 4);
	selected(&plan, &got);
	ASSERT_STRVEC(&got, "app-cli-1-0", "app-cli-2-1", "app-web-1-0", "tools");
	strvec_clear(&ex);

	strvec_push(&ex, "app-*-1-0");
	assert_int_equal(select_targets(&plan, &ex), 3);
	selected(&plan, &got);
	ASSERT_STRVEC(&got, "app-cli-2-1", "app-web-2-1", "tools");
	strvec_clear(&ex);

	/* only tools requested: its dependency comes along */
	for (size_t i = 0; i < plan.nr; i++)
		plan.v[i].requested = !strcmp(plan.v[i].name, "tools");
	assert_int_equal(select_targets(&plan, &ex), 2);
	selected(&plan, &got);
	ASSERT_STRVEC(&got, "app-web-2-1", "tools");

	strvec_clear(&got);
	plan_release(&plan);
}

static void t_select_deps_transitive(void **state)
{
	(void)state;
	/* z needs m needs a: a comes first in the plan, found only through m */
	static const char json[] =
		"{\"group\":{\"default\":{\"targets\":[\"z\"]}},"
		"\"target\":{\"a\":{\"output\":[{\"type\":\"cacheonly\"}]},"
		"\"b\":{},"
		"\"m\":{\"contexts\":{\"x\":\"target:a\"},"
		"\"output\":[{\"type\":\"cacheonly\"}]},"
		"\"z\":{\"contexts\":{\"y\":\"target:m\"}}}}";
	struct plan plan = PLAN_INIT;
	struct strvec ex = STRVEC_INIT, got = STRVEC_INIT;
	assert_int_equal(plan_parse(&plan, json, sizeof(json) - 1), 0);
	assert_int_equal(select_targets(&plan, &ex), 3);
	selected(&plan, &got);
	ASSERT_STRVEC(&got, "a", "m", "z");
	/* excluding the middle one stops the chain there */
	strvec_push(&ex, "m");
	assert_int_equal(select_targets(&plan, &ex), 1);
	selected(&plan, &got);
	ASSERT_STRVEC(&got, "z");
	strvec_clear(&ex);
	strvec_clear(&got);
	plan_release(&plan);
}

static void t_did_you_mean(void **state)
{
	(void)state;
	char *cands[] = { "app", "api", "worker", "backend-api", "docs" };
	size_t n = ARRAY_SIZE(cands);
	assert_string_equal(did_you_mean("wroker", cands, n), "worker");
	assert_string_equal(did_you_mean("workr", cands, n), "worker");
	assert_string_equal(did_you_mean("ap", cands, n), "app");
	assert_string_equal(did_you_mean("doc", cands, n), "docs");
	assert_string_equal(did_you_mean("backend-apx", cands, n), "backend-api");
	/* too far for the distance, but contained in a name */
	assert_string_equal(did_you_mean("backend", cands, n), "backend-api");
	assert_null(did_you_mean("zzzzzz", cands, n));
	assert_null(did_you_mean("database", cands, n));
	assert_null(did_you_mean("xy", cands, n));
	assert_null(did_you_mean("app", cands, 0));
	/* an exact match is the answer */
	assert_string_equal(did_you_mean("api", cands, n), "api");
}

static const char compose_yaml[] =
	"name: shop\n"
	"services:\n"
	"  web:\n"
	"    build: .\n"
	"    depends_on: [api, redis]\n"
	"  api:\n"
	"    build:\n"
	"      context: ./api\n"
	"      target: prod\n"
	"    depends_on:\n"
	"      db:\n"
	"        condition: service_healthy\n"
	"      migrate:\n"
	"        condition: service_completed_successfully\n"
	"        restart: true\n"
	"  migrate:\n"
	"    build: ./api\n"
	"    depends_on:\n"
	"      - schema\n"
	"      - migrate\n"
	"  schema:\n"
	"    build: ./schema\n"
	"    depends_on:\n"
	"      - web\n"
	"  db:\n"
	"    image: postgres:16\n"
	"    depends_on: [schema]\n"
	"  redis:\n"
	"    image: redis:7\n"
	"  debug:\n"
	"    build: ./debug\n"
	"    profiles: [debug]\n"
	"    depends_on: [api]\n"
	"  docs:\n"
	"    build: ./docs\n"
	"    profiles:\n"
	"      - docs\n"
	"      - debug\n"
	"  seed:\n"
	"    image: busybox\n"
	"    profiles: [debug]\n"
	"volumes:\n"
	"  data: {}\n";

static void load_compose(struct compose *c)
{
	assert_int_equal(compose_load_string(c, compose_yaml,
					     sizeof(compose_yaml) - 1,
					     "compose.yaml"),
			 0);
	assert_true(c->loaded);
}

static const struct compose_service *service(const struct compose *c,
					     const char *name)
{
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	fail_msg("no service '%s'", name);
	return NULL;
}

static void t_compose_load(void **state)
{
	(void)state;
	struct compose c = COMPOSE_INIT;
	load_compose(&c);
	assert_int_equal(c.nr, 9);
	assert_string_equal(c.v[0].name, "web");
	/* list form */
	ASSERT_STRVEC(&service(&c, "web")->depends_on, "api", "redis");
	/* map form: the keys, not the conditions */
	ASSERT_STRVEC(&service(&c, "api")->depends_on, "db", "migrate");
	ASSERT_STRVEC(&service(&c, "migrate")->depends_on, "schema", "migrate");
	assert_true(service(&c, "web")->has_build);
	assert_true(service(&c, "api")->has_build);
	assert_false(service(&c, "db")->has_build);
	assert_false(service(&c, "redis")->has_build);
	assert_int_equal(service(&c, "web")->profiles.nr, 0);
	ASSERT_STRVEC(&service(&c, "debug")->profiles, "debug");
	ASSERT_STRVEC(&service(&c, "docs")->profiles, "docs", "debug");
	compose_release(&c);
	assert_null(c.v);
	assert_int_equal(c.nr, 0);
	assert_false(c.loaded);
}

static void t_compose_enabled(void **state)
{
	(void)state;
	struct compose c = COMPOSE_INIT;
	struct strvec prof = STRVEC_INIT, out = STRVEC_INIT;
	load_compose(&c);

	/* no profile: services without profiles that build */
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "web", "api", "migrate", "schema");
	strvec_clear(&out);

	strvec_push(&prof, "docs");
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "web", "api", "migrate", "schema", "docs");
	strvec_clear(&out);

	/* one active profile of several is enough; seed has no build */
	strvec_clear(&prof);
	strvec_push(&prof, "debug");
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "web", "api", "migrate", "schema", "debug", "docs");
	strvec_clear(&out);

	strvec_clear(&prof);
	strvec_push(&prof, "*");
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "web", "api", "migrate", "schema", "debug", "docs");

	/* adds to what is there, without duplicates */
	strvec_clear(&out);
	strvec_push(&out, "docs");
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "docs", "web", "api", "migrate", "schema", "debug");
	strvec_clear(&out);

	strvec_clear(&prof);
	strvec_push(&prof, "nope");
	compose_enabled(&c, &prof, &out);
	ASSERT_STRVEC(&out, "web", "api", "migrate", "schema");
	strvec_clear(&out);
	strvec_clear(&prof);
	compose_release(&c);
}

static void t_compose_closure(void **state)
{
	(void)state;
	struct compose c = COMPOSE_INIT;
	struct strvec names = STRVEC_INIT;
	load_compose(&c);

	/* transitive; image-only services (redis, db) are skipped; the
	 * migrate -> migrate self-loop and schema -> web cycle end */
	strvec_push(&names, "web");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "web", "api", "migrate", "schema");
	strvec_clear(&names);

	strvec_push(&names, "debug");
	strvec_push(&names, "docs");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "debug", "docs", "api", "migrate", "schema", "web");
	strvec_clear(&names);

	/* a name compose does not know stays, adds nothing */
	strvec_push(&names, "unknown");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "unknown");
	strvec_clear(&names);

	/* nothing to close over */
	compose_closure(&c, &names);
	assert_int_equal(names.nr, 0);
	compose_release(&c);
}

static void t_compose_later_file_extends(void **state)
{
	(void)state;
	struct compose c = COMPOSE_INIT;
	load_compose(&c);
	static const char override[] =
		"services:\n"
		"  web:\n"
		"    depends_on:\n"
		"      cache:\n"
		"        condition: service_started\n"
		"      api: {}\n"
		"    profiles: [frontend]\n"
		"  cache:\n"
		"    build: ./cache\n"
		"  redis:\n"
		"    build: ./redis\n";
	assert_int_equal(compose_load_string(&c, override, sizeof(override) - 1,
					     "compose.override.yaml"),
			 0);
	assert_int_equal(c.nr, 10);
	ASSERT_STRVEC(&service(&c, "web")->depends_on, "api", "redis", "cache");
	ASSERT_STRVEC(&service(&c, "web")->profiles, "frontend");
	assert_true(service(&c, "web")->has_build);
	assert_true(service(&c, "redis")->has_build);

	struct strvec names = STRVEC_INIT;
	strvec_push(&names, "web");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "web", "api", "redis", "cache", "migrate", "schema");
	strvec_clear(&names);

	struct strvec prof = STRVEC_INIT;
	compose_enabled(&c, &prof, &names);
	ASSERT_STRVEC(&names, "api", "migrate", "schema", "redis", "cache");
	strvec_clear(&names);
	compose_release(&c);
}

static int load_str(const char *yaml)
{
	struct compose c = COMPOSE_INIT;
	int r = compose_load_string(&c, yaml, strlen(yaml), "bad.yaml");
	compose_release(&c);
	return r;
}

static void t_compose_malformed(void **state)
{
	(void)state;
	assert_int_equal(load_str("services: [\n"), -1);
	assert_int_equal(load_str("services:\n  web:\n    build: .\n   bad: [\n"), -1);
	assert_int_equal(load_str("\"unterminated\n"), -1);
	assert_int_equal(load_str("- a\n- b\n"), -1);         /* not a mapping */
	assert_int_equal(load_str("services: [web, api]\n"), -1);
	assert_int_equal(load_str("services: plain\n"), -1);
	/* no services at all is not an error */
	assert_int_equal(load_str("volumes:\n  data: {}\n"), 0);
	/* odd service bodies are skipped */
	assert_int_equal(load_str("services:\n  a:\n  b: 3\n  c:\n    build: .\n"
				  "    profiles: x\n    depends_on: 7\n"),
			 0);
}

/* Text libfyaml must never see: it loops for ever on the first (seen in
 * 0.7.12). Refused at once, with one line naming the byte. */
static void t_compose_hostile(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
#define BAD(s) { s, sizeof(s) - 1 }
		BAD("%\xff" "a"),
		BAD("services:\n  a: \xc0\x80\n"),  /* overlong */
		BAD("services:\n  a: \xe2\x82\n"),  /* cut short */
		BAD("services:\n  a: b\x01\n"),      /* a control byte */
		BAD("services:\n\0  a: b\n"),        /* a NUL */
		BAD("\xf8\x88\x80\x80\x80"),
#undef BAD
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct compose c = COMPOSE_INIT;
		struct capture cap;
		capture_fd_begin(&cap, STDERR_FILENO);
		int r = compose_load_string(&c, bad[i].text, bad[i].len, "h.yaml");
		char *err = capture_end(&cap);
		assert_int_equal(r, -1);
		assert_int_equal(count_lines(err), 1);
		assert_non_null(strstr(err, "not YAML text"));
		free(err);
		compose_release(&c);
	}
	/* directives libfyaml loops on (found by tests/fuzz): refused, in
	 * one line naming the line; %YAML and %TAG are read */
	static const char *const directives[] = {
		"%\xd8\x9d\xe0\x88\x9e",
		"services:\n  a:\n    build: .\n%\xcd\x99 x\n",
		"%FOO bar\n---\nservices: {}\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(directives); i++) {
		struct compose c = COMPOSE_INIT;
		struct capture cap;
		capture_fd_begin(&cap, STDERR_FILENO);
		int r = compose_load_string(&c, directives[i], strlen(directives[i]),
					    "d.yaml");
		char *err = capture_end(&cap);
		assert_int_equal(r, -1);
		assert_int_equal(count_lines(err), 1);
		assert_non_null(strstr(err, "YAML directive"));
		free(err);
		compose_release(&c);
	}
	assert_int_equal(load_str("%YAML 1.2\n---\nservices:\n  a:\n    build: .\n"), 0);
	/* read as dbake reads files, in a child: what libfyaml 0.7 crashes
	 * on (tests/fuzz) fails the read, not dbake; a good file reads */
	static const char crash[] =
		"dbwebservices:\n  web:\n    #buildn:\n      - api\n  ? ports:\t:\n"
		"      - \"8079:80\"\n  api:\n    ubi\n  ? ports:\n      - te:\n"
		"    build:\n      - deb=uG\n";
	{
		struct compose c = COMPOSE_INIT;
		struct capture cap;
		capture_fd_begin(&cap, STDERR_FILENO);
		int r = compose_load_isolated(&c, crash, sizeof(crash) - 1,
					      "crash.yaml", 5000);
		free(capture_end(&cap));
		assert_int_equal(r, -1);
		compose_release(&c);
		static const char good[] = "services:\n  a:\n    build: .\n"
					   "    profiles: [p]\n    depends_on: [b]\n"
					   "  b:\n    image: x\n";
		assert_int_equal(compose_load_isolated(&c, good, sizeof(good) - 1,
						       "good.yaml", 5000), 0);
		assert_int_equal(c.nr, 2);
		assert_true(c.loaded);
		assert_string_equal(c.v[0].name, "a");
		assert_true(c.v[0].has_build);
		assert_string_equal(c.v[0].profiles.v[0], "p");
		assert_string_equal(c.v[0].depends_on.v[0], "b");
		assert_false(c.v[1].has_build);
		compose_release(&c);
	}
	/* UTF-8 and tabs are fine; a parse error is one line with where */
	assert_int_equal(load_str("\xef\xbb\xbfservices:\n  caf\xc3\xa9:\n    build: .\t# x\n"),
			 0);
	struct capture cap;
	capture_fd_begin(&cap, STDERR_FILENO);
	assert_int_equal(load_str("services:\n  a: [\n"), -1);
	char *err = capture_end(&cap);
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "line 3:1: flow sequence without a closing bracket"));
	free(err);
}

static void t_compose_file_annotate(void **state)
{
	(void)state;
	const char *dir = getenv("FIXTURES");
	assert_non_null(dir);
	char *path = xstrfmt("%s/compose.yaml", dir);
	struct compose c = COMPOSE_INIT;
	assert_int_equal(compose_load_file(&c, path), 0);
	free(path);
	assert_int_equal(c.nr, 6);

	struct plan plan = PLAN_INIT;
	load_fixture(&plan, "print-compose.json");
	compose_annotate(&c, &plan);
	ASSERT_STRVEC(&plan_find(&plan, "web")->compose_deps, "api");
	ASSERT_STRVEC(&plan_find(&plan, "api")->compose_deps, "db", "migrate");
	ASSERT_STRVEC(&plan_find(&plan, "docs")->profiles, "docs", "debug");
	ASSERT_STRVEC(&plan_find(&plan, "debug-tools")->profiles, "debug");
	assert_int_equal(plan_find(&plan, "migrate")->profiles.nr, 0);
	/* compose depends_on is not a build dependency */
	assert_int_equal(plan_find(&plan, "web")->deps.nr, 0);
	/* annotating twice does not double */
	compose_annotate(&c, &plan);
	ASSERT_STRVEC(&plan_find(&plan, "api")->compose_deps, "db", "migrate");

	struct strvec names = STRVEC_INIT, prof = STRVEC_INIT;
	compose_enabled(&c, &prof, &names);
	ASSERT_STRVEC(&names, "web", "api", "migrate");
	strvec_clear(&names);
	strvec_push(&names, "web");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "web", "api", "migrate");
	strvec_clear(&names);

	struct compose none = COMPOSE_INIT;
	assert_int_equal(compose_load_file(&none, "/nonexistent/compose.yaml"), -1);
	compose_release(&none);

	plan_release(&plan);
	compose_release(&c);
}

static void t_is_compose_file(void **state)
{
	(void)state;
	assert_true(is_compose_file("compose.yaml"));
	assert_true(is_compose_file("docker-compose.yml"));
	assert_true(is_compose_file("dir/x.yaml"));
	assert_false(is_compose_file("docker-bake.hcl"));
	assert_false(is_compose_file("docker-bake.json"));
	assert_false(is_compose_file("yaml"));
}

/* A dotted service name (api.v2) is bake's target api_v2: either name
 * selects it, --exclude takes either, --with-deps follows its depends_on
 * from either, and its depends_on are kept as target names. */
static void t_compose_dotted_names(void **state)
{
	(void)state;
	static const char yaml[] =
		"services:\n"
		"  db:\n    build: ./db\n"
		"  api.v2:\n    build: ./api\n    depends_on: [db]\n"
		"  web:\n    build: ./web\n"
		"    depends_on:\n      api.v2:\n        condition: service_started\n";
	static const char json[] =
		"{\"group\": {\"default\": {\"targets\": [\"db\", \"api_v2\", \"web\"]}},"
		"\"target\": {\"db\": {}, \"api_v2\": {}, \"web\": {}}}";
	struct compose c = COMPOSE_INIT;
	assert_int_equal(compose_load_string(&c, yaml, sizeof(yaml) - 1,
					     "compose.yaml"), 0);
	struct strvec names = STRVEC_INIT, got = STRVEC_INIT;
	strvec_push(&names, "api_v2");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "api_v2", "db");
	strvec_clear(&names);
	strvec_push(&names, "api.v2");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "api.v2", "db");
	strvec_clear(&names);
	strvec_push(&names, "web");
	compose_closure(&c, &names);
	ASSERT_STRVEC(&names, "web", "api.v2", "db");
	strvec_clear(&names);

	struct plan plan = PLAN_INIT;
	assert_int_equal(plan_parse(&plan, json, strlen(json)), 0);
	compose_annotate(&c, &plan);
	ASSERT_STRVEC(&plan_find(&plan, "web")->compose_deps, "api_v2");
	ASSERT_STRVEC(&plan_find(&plan, "api_v2")->compose_deps, "db");
	struct strvec ex = STRVEC_INIT;
	const char *const pats[] = { "api.v2", "api_v2", "api.*" };
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++) {
		strvec_clear(&ex);
		strvec_push(&ex, pats[i]);
		assert_int_equal(select_targets(&plan, &ex), 2);
		selected(&plan, &got);
		ASSERT_STRVEC(&got, "db", "web");
	}
	strvec_clear(&ex);
	strvec_clear(&got);
	plan_release(&plan);
	compose_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_compose_dotted_names),
		cmocka_unit_test(t_select_all_with_deps),
		cmocka_unit_test(t_select_exclude_exact),
		cmocka_unit_test(t_select_exclude_glob),
		cmocka_unit_test(t_select_unknown_exclude_warns),
		cmocka_unit_test(t_select_excluded_dependency),
		cmocka_unit_test(t_select_empty),
		cmocka_unit_test(t_select_recomputes),
		cmocka_unit_test(t_select_deps_transitive),
		cmocka_unit_test(t_did_you_mean),
		cmocka_unit_test(t_compose_load),
		cmocka_unit_test(t_compose_enabled),
		cmocka_unit_test(t_compose_closure),
		cmocka_unit_test(t_compose_later_file_extends),
		cmocka_unit_test(t_compose_malformed),
		cmocka_unit_test(t_compose_hostile),
		cmocka_unit_test(t_compose_file_annotate),
		cmocka_unit_test(t_is_compose_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
