#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "run/build.h"
#include "util/util.h"

/* The index of `s` in argv, or -1. */
static int find(const struct strvec *argv, const char *s)
{
	for (size_t i = 0; i < argv->nr; i++)
		if (!strcmp(argv->v[i], s))
			return (int)i;
	return -1;
}

static void t_batch_command_line(void **state)
{
	(void)state;
	struct strvec globals = STRVEC_INIT, argv = STRVEC_INIT;
	strvec_push(&globals, "--context");
	strvec_push(&globals, "prod");
	const char *targets[] = { "app", "dep" };
	const int outputs[] = { 1, 0 };
	struct build_args b = {
		.docker_globals = &globals,
		.shard = "dbake-b-n0-1234",
		.resolved = "/run/bake.json",
		.targets = targets,
		.outputs = outputs,
		.ntargets = 2,
		.no_cache = 1,
		.cache_registry = "reg:5000",
		.load = 1,
		.metadata = "/run/app.log.metadata.json",
	};
	build_argv(&argv, &b);
	/* the docker route keeps the user's global flags before buildx */
	assert_string_equal(argv.v[0], "docker");
	assert_string_equal(argv.v[1], "--context");
	assert_string_equal(argv.v[2], "prod");
	assert_string_equal(argv.v[3], "buildx");
	assert_string_equal(argv.v[4], "bake");
	assert_string_equal(argv.v[find(&argv, "--builder") + 1], "dbake-b-n0-1234");
	assert_string_equal(argv.v[find(&argv, "-f") + 1], "/run/bake.json");
	assert_string_equal(argv.v[find(&argv, "--progress") + 1], "plain");
	assert_true(find(&argv, "--no-cache") > 0);
	/* cache export for every target of the invocation, load only where
	 * the target has a real output */
	assert_true(find(&argv, "app.cache-to+=type=registry,ref=reg:5000/"
				"buildcache/app,mode=max") > 0);
	assert_true(find(&argv, "dep.cache-to+=type=registry,ref=reg:5000/"
				"buildcache/dep,mode=max") > 0);
	assert_true(find(&argv, "app.load=true") > 0);
	assert_int_equal(find(&argv, "dep.load=true"), -1);
	assert_int_equal(find(&argv, "--push"), -1);
	assert_string_equal(argv.v[find(&argv, "--metadata-file") + 1],
			    "/run/app.log.metadata.json");
	/* targets last, after "--", so a name may start with a dash */
	int dd = find(&argv, "--");
	assert_true(dd > 0);
	assert_string_equal(argv.v[dd + 1], "app");
	assert_string_equal(argv.v[dd + 2], "dep");
	assert_int_equal((size_t)dd + 3, argv.nr);
	strvec_clear(&argv);
	strvec_clear(&globals);
}

/* Layouts of built dependencies and their export go in as --set values;
 * bake may then read and write the layout directory. */
static void t_transfer_sets(void **state)
{
	(void)state;
	struct strvec globals = STRVEC_INIT, argv = STRVEC_INIT;
	struct strvec sets = STRVEC_INIT;
	strvec_push(&sets, "app.contexts.base=oci-layout:///r/oci/0@sha256:ab");
	strvec_push(&sets, "app.output+=type=oci,dest=/r/oci/1,tar=false");
	const char *targets[] = { "app" };
	const int outputs[] = { 1 };
	struct build_args b = {
		.docker_globals = &globals, .shard = "s", .resolved = "/r/b.json",
		.targets = targets, .outputs = outputs, .ntargets = 1,
		.sets = &sets, .allow_dir = "/r/oci",
	};
	build_argv(&argv, &b);
	int c = find(&argv, "app.contexts.base=oci-layout:///r/oci/0@sha256:ab");
	int o = find(&argv, "app.output+=type=oci,dest=/r/oci/1,tar=false");
	assert_true(c > 0 && o > 0);
	assert_string_equal(argv.v[c - 1], "--set");
	assert_string_equal(argv.v[o - 1], "--set");
	int r = find(&argv, "fs.read=/r/oci"), w = find(&argv, "fs.write=/r/oci");
	assert_true(r > 0 && w > 0);
	assert_string_equal(argv.v[r - 1], "--allow");
	assert_string_equal(argv.v[w - 1], "--allow");
	assert_true(o < find(&argv, "--"));
	strvec_clear(&argv);

	/* without them, neither */
	b.sets = NULL;
	b.allow_dir = NULL;
	build_argv(&argv, &b);
	assert_int_equal(find(&argv, "--allow"), -1);
	assert_int_equal(find(&argv, "--set"), -1);
	strvec_clear(&argv);
	strvec_clear(&sets);
	strvec_clear(&globals);
}

/* --push never rests on the order bake applies one target's --set keys
 * in: a target with no output of its own gets the image output --push
 * would add, under the same "output" key as a layout's; one with its own
 * outputs gets push=true, which only marks them. */
static void t_push_outputs(void **state)
{
	(void)state;
	struct strvec globals = STRVEC_INIT, argv = STRVEC_INIT, sets = STRVEC_INIT;
	const char *targets[] = { "base", "pushes" };
	const int outputs[] = { 1, 1 }, push_adds[] = { 1, 0 };
	strvec_push(&sets, "base.output+=type=oci,dest=/run/oci/0,tar=false");
	struct strvec policy = STRVEC_INIT, allow = STRVEC_INIT;
	strvec_push(&policy, "strict=true");
	strvec_push(&allow, "network.host");
	struct build_args b = {
		.docker_globals = &globals,
		.shard = "dbake-b-n0-1234",
		.resolved = "/run/bake.json",
		.targets = targets,
		.outputs = outputs,
		.push_adds = push_adds,
		.ntargets = 2,
		.push = 1,
		.sets = &sets,
		.policy = &policy,
		.allow = &allow,
		.pull = 1,
	};
	build_argv(&argv, &b);
	ssize_t image = find(&argv, "base.output+=type=image,push=true");
	ssize_t oci = find(&argv, "base.output+=type=oci,dest=/run/oci/0,tar=false");
	assert_true(image > 0 && oci > image);
	assert_int_equal(find(&argv, "base.push=true"), -1);
	assert_true(find(&argv, "pushes.push=true") > 0);
	assert_int_equal(find(&argv, "pushes.output+=type=image,push=true"), -1);
	/* bake's own --policy reaches the build */
	ssize_t pol = find(&argv, "--policy");
	assert_true(pol > 0);
	assert_string_equal(argv.v[pol + 1], "strict=true");
	/* and its --allow and --pull */
	assert_true(find(&argv, "--pull") > 0);
	assert_string_equal(argv.v[find(&argv, "--allow") + 1], "network.host");
	strvec_clear(&argv);
	strvec_clear(&sets);
	strvec_clear(&policy);
	strvec_clear(&allow);
}

int main(void)
{
	/* the docker CLI route, whatever plugins this machine has */
	setenv("DBAKE_VIA_DOCKER", "1", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_push_outputs),
		cmocka_unit_test(t_batch_command_line),
		cmocka_unit_test(t_transfer_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
