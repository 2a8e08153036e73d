#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buildx/docker.h"
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
	struct build_args b = {
		.docker_globals = &globals,
		.shard = "dbake-b-n0-1234",
		.definition = "/run/def/3.json",
		.targets = targets,
		.ntargets = 2,
		.no_cache = 1,
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
	assert_string_equal(argv.v[find(&argv, "-f") + 1], "/run/def/3.json");
	assert_string_equal(argv.v[find(&argv, "--progress") + 1], "plain");
	assert_true(find(&argv, "--no-cache") > 0);
	/* outputs, push, load and cache are the definition's: no --set */
	assert_int_equal(find(&argv, "--set"), -1);
	assert_int_equal(find(&argv, "--push"), -1);
	assert_int_equal(find(&argv, "--load"), -1);
	assert_int_equal(find(&argv, "--allow"), -1);
	assert_int_equal(find(&argv, "--pull"), -1);
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

/* bake's own flags reach the child; the layout directory may be read
 * and written when layouts are in use. */
static void t_bake_flags(void **state)
{
	(void)state;
	struct strvec globals = STRVEC_INIT, argv = STRVEC_INIT;
	const char *targets[] = { "app" };
	struct strvec policy = STRVEC_INIT, allow = STRVEC_INIT;
	strvec_push(&policy, "strict=true");
	strvec_push(&allow, "network.host");
	struct build_args b = {
		.docker_globals = &globals, .shard = "s",
		.definition = "/r/def/1.json", .targets = targets,
		.ntargets = 1, .policy = &policy, .allow = &allow, .pull = 1,
		.allow_dir = { "/r/oci", "/r/parts" },
	};
	build_argv(&argv, &b);
	ssize_t pol = find(&argv, "--policy");
	assert_true(pol > 0);
	assert_string_equal(argv.v[pol + 1], "strict=true");
	assert_true(find(&argv, "--pull") > 0);
	assert_string_equal(argv.v[find(&argv, "--allow") + 1], "network.host");
	int r = find(&argv, "fs.read=/r/oci"), w = find(&argv, "fs.write=/r/oci");
	assert_true(r > 0 && w > 0);
	assert_true(find(&argv, "fs.read=/r/parts") > 0);
	assert_true(find(&argv, "fs.write=/r/parts") > 0);
	assert_string_equal(argv.v[r - 1], "--allow");
	assert_string_equal(argv.v[w - 1], "--allow");
	assert_true(w < find(&argv, "--"));
	strvec_clear(&argv);
	strvec_clear(&policy);
	strvec_clear(&allow);
	strvec_clear(&globals);
}

/* Child bakes sample no trace, unless the user chose how to trace. */
static void t_trace_setting(void **state)
{
	(void)state;
	static const char *const theirs[] = {
		"OTEL_TRACES_SAMPLER", "OTEL_TRACES_EXPORTER",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
	};
	for (size_t i = 0; i < ARRAY_SIZE(theirs); i++)
		unsetenv(theirs[i]);
	/* what docker sets for every plugin says nothing of tracing */
	setenv("OTEL_RESOURCE_ATTRIBUTES", "docker.cli.cobra.command_path=docker%20dbake", 1);
	assert_string_equal(buildx_trace_setting(),
			    "OTEL_TRACES_SAMPLER=always_off");
	for (size_t i = 0; i < ARRAY_SIZE(theirs); i++) {
		setenv(theirs[i], "x", 1);
		assert_null(buildx_trace_setting());
		/* set but empty: not a choice */
		setenv(theirs[i], "", 1);
		assert_non_null(buildx_trace_setting());
		unsetenv(theirs[i]);
	}
	unsetenv("OTEL_RESOURCE_ATTRIBUTES");
}

int main(void)
{
	/* the docker CLI route, whatever plugins this machine has */
	setenv("DBAKE_VIA_DOCKER", "1", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_batch_command_line),
		cmocka_unit_test(t_bake_flags),
		cmocka_unit_test(t_trace_setting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
