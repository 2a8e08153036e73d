/* cli_parse: docker's global flags, our own options, targets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"

#include "cli.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* argv as docker hands it: argv[0] is the plugin's path. */
#define PARSE(o, ...)                                                     \
	parse_args((o), (const char *[]){ "/usr/libexec/docker/cli-plugins/" \
					  "docker-dbake",                    \
					  __VA_ARGS__, NULL })

static enum cli_result parse_args(struct options *o, const char **args)
{
	char *argv[64];
	int argc = 0;
	for (; args[argc]; argc++) {
		assert_true(argc < 63);
		argv[argc] = (char *)args[argc];
	}
	argv[argc] = NULL;
	return cli_parse(o, argc, argv);
}


static void t_defaults(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake"), CLI_RUN);
	assert_int_equal(o.docker_globals.nr, 0);
	assert_int_equal(o.files.nr, 0);
	assert_int_equal(o.targets.nr, 0);
	assert_null(o.builder);
	assert_null(o.cache_registry);
	assert_int_equal(o.progress, PROGRESS_AUTO);
	assert_int_equal(o.policy, POLICY_DEFAULT);
	assert_int_equal(o.slots, 0) /* learned per node */;
	assert_false(o.debug || o.print || o.load || o.push || o.no_cache ||
		     o.fail_fast || o.with_deps);
	options_release(&o);
}

static void t_docker_globals_moved(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "--context", "x", "-H", "tcp://10.0.0.5:2376",
			       "--config", "/home/u/.docker-alt", "-D", "-l",
			       "debug", "--tlsverify", "--host=unix:///run/d.sock",
			       "dbake", "-f", "docker-bake.hcl", "--load", "app"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.docker_globals, "--context", "x", "-H",
		      "tcp://10.0.0.5:2376", "--config", "/home/u/.docker-alt",
		      "-D", "-l", "debug", "--tlsverify",
		      "--host=unix:///run/d.sock");
	assert_int_equal(o.debug, 1);
	ASSERT_STRVEC(&o.files, "docker-bake.hcl");
	ASSERT_STRVEC(&o.targets, "app");
	assert_int_equal(o.load, 1);
	options_release(&o);
}

static void t_docker_globals_equals_and_tls(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	/* A global's value may itself be "dbake"; it is not the command word. */
	assert_int_equal(PARSE(&o, "--context=prod", "--tls", "--tlscacert",
			       "/c/ca.pem", "--log-level=warn", "-c", "dbake",
			       "dbake", "--print"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.docker_globals, "--context=prod", "--tls", "--tlscacert",
		      "/c/ca.pem", "--log-level=warn", "-c", "dbake");
	assert_int_equal(o.debug, 0);
	assert_int_equal(o.print, 1);
	assert_int_equal(o.targets.nr, 0);
	options_release(&o);
}

static void t_docker_globals_attached_short(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	/* docker's flag parser takes "-Hvalue" and "-l=value" too */
	assert_int_equal(PARSE(&o, "-Htcp://10.0.0.5:2376", "-l=warn", "-cprod",
			       "-D", "dbake", "--print", "app"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.docker_globals, "-Htcp://10.0.0.5:2376", "-l=warn",
		      "-cprod", "-D");
	assert_int_equal(o.debug, 1);
	assert_int_equal(o.print, 1);
	ASSERT_STRVEC(&o.targets, "app");
	options_release(&o);

	/* a boolean flag takes no attached value: not docker's; ours is
	 * -D, and -x is no flag of ours */
	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "-Dx", "dbake", "app"), CLI_USAGE);
	options_release(&o2);
}

static void t_no_dbake_word(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	/* Run directly as docker-dbake ARGS. */
	assert_int_equal(PARSE(&o, "-f", "a.hcl", "--print", "web", "api"),
			 CLI_RUN);
	assert_int_equal(o.docker_globals.nr, 0);
	assert_int_equal(o.debug, 0);
	ASSERT_STRVEC(&o.files, "a.hcl");
	assert_int_equal(o.print, 1);
	ASSERT_STRVEC(&o.targets, "web", "api");
	options_release(&o);

	/* Global-looking flags without "dbake" are not docker's: ours (-D,
	 * as bake has it after the subcommand) or unknown (--context) */
	struct options o3 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o3, "-D", "--context", "x", "app"), CLI_USAGE);
	options_release(&o3);

	/* Just a target. */
	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "app"), CLI_RUN);
	ASSERT_STRVEC(&o2.targets, "app");
	assert_int_equal(o2.docker_globals.nr, 0);
	options_release(&o2);
}

static void t_file_repeatable(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "-f", "a.hcl", "--file", "b.json",
			       "-fcompose.yaml", "--file=override.hcl"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.files, "a.hcl", "b.json", "compose.yaml",
		      "override.hcl");
	options_release(&o);
}

static void t_lists_accumulate(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--exclude", "a,b", "--exclude", "c",
			       "--exclude=,d,,", "--platform",
			       "linux/amd64,linux/arm64", "--platform=linux/arm/v7",
			       "--profile", "debug,docs", "--profile", "ops"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.excludes, "a", "b", "c", "d");
	ASSERT_STRVEC(&o.platforms, "linux/amd64", "linux/arm64", "linux/arm/v7");
	ASSERT_STRVEC(&o.profiles, "debug", "docs", "ops");
	options_release(&o);
}

static void t_set(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--set", "app.args.X=1", "--set",
			       "*.platform=linux/arm64", "--set=api.tags=a:b=c"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.sets, "app.args.X=1", "*.platform=linux/arm64",
		      "api.tags=a:b=c");
	options_release(&o);

	struct options bad = OPTIONS_INIT;
	assert_int_equal(PARSE(&bad, "dbake", "--set", "app.no-cache"), CLI_USAGE);
	options_release(&bad);
}

static void t_progress(void **state)
{
	(void)state;
	static const struct {
		const char *arg;
		enum progress_mode mode;
	} cases[] = {
		{ "auto", PROGRESS_AUTO },
		{ "plain", PROGRESS_PLAIN },
		{ "tty", PROGRESS_TTY },
		{ "quiet", PROGRESS_QUIET },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct options o = OPTIONS_INIT;
		o.progress = (enum progress_mode)99;
		assert_int_equal(PARSE(&o, "dbake", "--progress", cases[i].arg),
				 CLI_RUN);
		assert_int_equal(o.progress, cases[i].mode);
		options_release(&o);
	}
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--progress=plain"), CLI_RUN);
	assert_int_equal(o.progress, PROGRESS_PLAIN);
	options_release(&o);

	struct options j = OPTIONS_INIT;
	assert_int_equal(PARSE(&j, "dbake", "--progress", "rawjson"), CLI_RUN);
	assert_int_equal(j.progress, PROGRESS_RAWJSON);
	options_release(&j);

	const char *bad[] = { "RAWJSON", "PLAIN", "", "plain2" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct options b = OPTIONS_INIT;
		assert_int_equal(PARSE(&b, "dbake", "--progress", bad[i]),
				 CLI_USAGE);
		options_release(&b);
	}
}

static void t_slots(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--slots", "4"), CLI_RUN);
	assert_int_equal(o.slots, 4);
	options_release(&o);

	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "--slots=256"), CLI_RUN);
	assert_int_equal(o2.slots, 256);
	options_release(&o2);

	const char *bad[] = { "0", "-1", "257", "3x", "", "99999999999999999999" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct options b = OPTIONS_INIT;
		assert_int_equal(PARSE(&b, "dbake", "--slots", bad[i]), CLI_USAGE);
		options_release(&b);
	}
}

static void t_policy(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--schedule", "fifo"), CLI_RUN);
	assert_int_equal(o.policy, POLICY_FIFO);
	options_release(&o);

	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "--schedule", "fifo", "--schedule=default"),
			 CLI_RUN);
	assert_int_equal(o2.policy, POLICY_DEFAULT);
	options_release(&o2);

	struct options b = OPTIONS_INIT;
	assert_int_equal(PARSE(&b, "dbake", "--schedule", "random"), CLI_USAGE);
	options_release(&b);

	/* --policy is bake's: its values are kept for every build, and
	 * the scheduling stays the default */
	struct options p = OPTIONS_INIT;
	assert_int_equal(PARSE(&p, "dbake", "--policy", "strict=true",
			       "--policy=log-level=debug"), CLI_RUN);
	assert_int_equal(p.policy, POLICY_DEFAULT);
	ASSERT_STRVEC(&p.bake_policy, "strict=true", "log-level=debug");
	options_release(&p);
}

static void t_booleans_and_builder(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--builder", "first", "--with-deps",
			       "--no-cache", "--load", "--push", "--fail-fast",
			       "--print", "--builder=multi"),
			 CLI_RUN);
	assert_string_equal(o.builder, "multi");
	assert_int_equal(o.with_deps, 1);
	assert_int_equal(o.no_cache, 1);
	assert_int_equal(o.load, 1);
	assert_int_equal(o.push, 1);
	assert_int_equal(o.fail_fast, 1);
	assert_int_equal(o.print, 1);
	options_release(&o);
	assert_null(o.builder);
}

static void t_unknown_flag(void **state)
{
	(void)state;
	const char *bad[] = { "--bogus", "-x", "--loadx", "--no-such=1" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct options o = OPTIONS_INIT;
		assert_int_equal(PARSE(&o, "dbake", "app", bad[i]), CLI_USAGE);
		options_release(&o);
	}
	/* A flag that needs a value, given none. */
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "-f"), CLI_USAGE);
	options_release(&o);
	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "app", "--exclude"), CLI_USAGE);
	options_release(&o2);
}

static void t_targets_mixed_with_flags(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "app", "--load", "web", "-f", "x.hcl",
			       "app-*", "--no-cache"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.targets, "app", "web", "app-*");
	ASSERT_STRVEC(&o.files, "x.hcl");
	assert_int_equal(o.load, 1);
	assert_int_equal(o.no_cache, 1);
	options_release(&o);
}

static void t_double_dash(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--load", "app", "--", "--push",
			       "-f", "web"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.targets, "app", "--push", "-f", "web");
	assert_int_equal(o.load, 1);
	assert_int_equal(o.push, 0);
	assert_int_equal(o.files.nr, 0);
	options_release(&o);

	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "--print", "--"), CLI_RUN);
	assert_int_equal(o2.targets.nr, 0);
	assert_int_equal(o2.print, 1);
	options_release(&o2);

	struct options o3 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o3, "dbake", "--", "--", "x"), CLI_RUN);
	ASSERT_STRVEC(&o3.targets, "--", "x");
	options_release(&o3);
}

static void t_metadata(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	struct capture c;
	capture_begin(&c);
	enum cli_result r = PARSE(&o, "docker-cli-plugin-metadata");
	char *out = capture_end(&c);
	assert_int_equal(r, CLI_EXIT_OK);
	assert_non_null(strstr(out, "\"SchemaVersion\":\"0.1.0\""));
	assert_non_null(strstr(out, "\"Vendor\":\"dbake\""));
	assert_non_null(strstr(out, dbake_version));
	assert_int_equal(out[0], '{');
	assert_int_equal(out[strlen(out) - 1], '\n');
	free(out);
	options_release(&o);
}

static void t_help_version(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	struct capture c;
	capture_begin(&c);
	/* --version: main asks buildx for the rest (engine t10) */
	enum cli_result r = PARSE(&o, "dbake", "--version");
	char *out = capture_end(&c);
	assert_int_equal(r, CLI_RUN);
	assert_true(o.version);
	free(out);
	options_release(&o);

	struct options o2 = OPTIONS_INIT;
	capture_begin(&c);
	r = PARSE(&o2, "dbake", "-h");
	out = capture_end(&c);
	assert_int_equal(r, CLI_EXIT_OK);
	assert_non_null(strstr(out, "Usage:"));
	assert_non_null(strstr(out, "--cache-registry"));
	free(out);
	options_release(&o2);
}

static void t_getopt_state_reset(void **state)
{
	(void)state;
	/* Stop in the middle of a short-option cluster... */
	struct options o = OPTIONS_INIT;
	struct capture c;
	capture_begin(&c);
	enum cli_result r = PARSE(&o, "dbake", "-hfleftover.hcl");
	char *out = capture_end(&c);
	free(out);
	assert_int_equal(r, CLI_EXIT_OK);
	options_release(&o);
	/* ...and the next parse starts afresh. */
	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "-f", "b.hcl", "t"), CLI_RUN);
	ASSERT_STRVEC(&o2.files, "b.hcl");
	ASSERT_STRVEC(&o2.targets, "t");
	options_release(&o2);
}

static void t_cache_registry(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--cache-registry",
			       "registry.local:5000/team//"),
			 CLI_RUN);
	assert_string_equal(o.cache_registry, "registry.local:5000/team");
	options_release(&o);
	assert_null(o.cache_registry);

	struct options o2 = OPTIONS_INIT;
	assert_int_equal(PARSE(&o2, "dbake", "--cache-registry=ghcr.io/acme"),
			 CLI_RUN);
	assert_string_equal(o2.cache_registry, "ghcr.io/acme");
	options_release(&o2);

	const char *bad[] = { "http://x", "https://reg.example.com/a", "/", "" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct options b = OPTIONS_INIT;
		assert_int_equal(PARSE(&b, "dbake", "--cache-registry", bad[i]),
				 CLI_USAGE);
		options_release(&b);
	}
}

/* What the user reads for a usage error (stderr). */
static char *usage_message(const char **args)
{
	struct options o = OPTIONS_INIT;
	struct capture c;
	capture_fd_begin(&c, STDERR_FILENO);
	enum cli_result r = parse_args(&o, args);
	char *err = capture_end(&c);
	options_release(&o);
	assert_int_equal(r, CLI_USAGE);
	return err;
}
#define USAGE_MESSAGE(...) \
	usage_message((const char *[]){ "docker-dbake", __VA_ARGS__, NULL })

static void t_usage_messages(void **state)
{
	(void)state;
	char *err = USAGE_MESSAGE("dbake", "-f");
	assert_non_null(strstr(err, "flag needs an argument: -f"));
	free(err);
	err = USAGE_MESSAGE("dbake", "app", "--exclude");
	assert_non_null(strstr(err, "flag needs an argument: --exclude"));
	free(err);
	err = USAGE_MESSAGE("dbake", "--bogus", "app");
	assert_non_null(strstr(err, "unknown flag: --bogus"));
	assert_null(strstr(err, "needs an argument"));
	free(err);
	err = USAGE_MESSAGE("dbake", "-x");
	assert_non_null(strstr(err, "unknown flag: -x"));
	free(err);
	err = USAGE_MESSAGE("dbake", "--slots", "0");
	assert_non_null(strstr(err, "--slots '0'"));
	assert_non_null(strstr(err, "docker dbake --help"));
	free(err);
}

/* bake's flags dbake passes on: --var, --sbom, --provenance to the
 * resolution, --pull and --allow to the builds. */
static void t_bake_flags(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--var", "MSG=hi", "--var=X=1",
			       "--sbom", "true", "--provenance=mode=max", "--pull",
			       "--allow", "network.host", "--allow=security.insecure"),
			 CLI_RUN);
	ASSERT_STRVEC(&o.vars, "MSG=hi", "X=1");
	assert_string_equal(o.sbom, "true");
	assert_string_equal(o.provenance, "mode=max");
	assert_true(o.pull);
	ASSERT_STRVEC(&o.allow, "network.host", "security.insecure");
	options_release(&o);

	struct options bad = OPTIONS_INIT;
	assert_int_equal(PARSE(&bad, "dbake", "--var", "novalue"), CLI_USAGE);
	options_release(&bad);
}

/* What bake answers gets bake's flags as they were given, not dbake's. */
static void t_bake_answers(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "-f", "a.hcl", "--list", "targets",
			       "--slots", "2", "--set", "a.tags=x", "--exclude", "b",
			       "--platform", "linux/arm64", "--cache-registry", "r:5000",
			       "--progress", "rawjson", "--var", "V=1", "app"),
			 CLI_RUN);
	assert_int_equal(o.bake_answers, 1);
	ASSERT_STRVEC(&o.bake_args, "--file", "a.hcl", "--list", "targets",
		      "--set", "a.tags=x", "--set", "*.platform=linux/arm64",
		      "--progress", "rawjson", "--var", "V=1");
	ASSERT_STRVEC(&o.targets, "app");
	options_release(&o);

	struct options c = OPTIONS_INIT;
	assert_int_equal(PARSE(&c, "dbake", "--call", "build", "app"), CLI_RUN);
	assert_int_equal(c.bake_answers, 0); /* a build: dbake's */
	options_release(&c);
	struct options k = OPTIONS_INIT;
	assert_int_equal(PARSE(&k, "dbake", "--check", "-D", "app"), CLI_RUN);
	assert_int_equal(k.bake_answers, 1);
	/* -D after the subcommand is docker's -D, once */
	ASSERT_STRVEC(&k.docker_globals, "-D");
	assert_int_equal(k.debug, 1);
	ASSERT_STRVEC(&k.bake_args, "--check");
	options_release(&k);
	struct options p = OPTIONS_INIT;
	assert_int_equal(PARSE(&p, "dbake", "--plan", "-f", "cwd://x.hcl"), CLI_RUN);
	assert_int_equal(p.plan, 1);
	assert_int_equal(p.print, 0);
	/* dbake reads x.hcl; bake, asked, gets what was given */
	ASSERT_STRVEC(&p.files, "cwd://x.hcl");
	struct strvec local = STRVEC_INIT;
	options_local_files(&p, &local);
	ASSERT_STRVEC(&local, "x.hcl");
	strvec_clear(&local);
	ASSERT_STRVEC(&p.bake_args, "--file", "cwd://x.hcl");
	assert_null(options_remote(&p));
	options_release(&p);
	/* a remote definition: its files are its own, cwd:// ones local */
	struct options rd = OPTIONS_INIT;
	assert_int_equal(PARSE(&rd, "dbake", "-f", "docker-bake.hcl", "-f",
			       "cwd://local.hcl", "https://example.com/r.git#main",
			       "app"), CLI_RUN);
	assert_string_equal(options_remote(&rd), "https://example.com/r.git#main");
	options_local_files(&rd, &local);
	ASSERT_STRVEC(&local, "local.hcl");
	strvec_clear(&local);
	options_release(&rd);
	assert_true(is_remote_definition("git@github.com:org/repo.git"));
	assert_true(is_remote_definition("github.com/org/repo.git#v1"));
	assert_true(is_remote_definition("http://127.0.0.1:8000/repo.git"));
	assert_false(is_remote_definition("app"));
	assert_false(is_remote_definition("app.git-tools"));
	assert_false(is_remote_definition("api.v2"));
	/* rawjson builds: the children's progress, passed on */
	struct options r = OPTIONS_INIT;
	assert_int_equal(PARSE(&r, "dbake", "--progress", "rawjson", "app"),
			 CLI_RUN);
	assert_int_equal(r.progress, PROGRESS_RAWJSON);
	assert_int_equal(r.bake_answers, 0);
	options_release(&r);
	struct options l = OPTIONS_INIT;
	assert_int_equal(PARSE(&l, "dbake", "--list-targets"), CLI_RUN);
	assert_int_equal(l.bake_answers, 1);
	ASSERT_STRVEC(&l.bake_args, "--list-targets");
	options_release(&l);
	struct options n = OPTIONS_INIT;
	assert_int_equal(PARSE(&n, "dbake", "--progress", "none"), CLI_RUN);
	assert_int_equal(n.progress, PROGRESS_QUIET);
	options_release(&n);
}

static void t_durations(void **state)
{
	(void)state;
	assert_int_equal(parse_duration_ms("90s"), 90000);
	assert_int_equal(parse_duration_ms("90"), 90000);
	assert_int_equal(parse_duration_ms("10m"), 600000);
	assert_int_equal(parse_duration_ms("1h30m"), 5400000);
	assert_int_equal(parse_duration_ms("1.5h"), 5400000);
	assert_int_equal(parse_duration_ms("500ms"), 500);
	assert_int_equal(parse_duration_ms("2m30s"), 150000);
	assert_int_equal(parse_duration_ms("0s"), -1);
	assert_int_equal(parse_duration_ms("-5s"), -1);
	assert_int_equal(parse_duration_ms("5x"), -1);
	assert_int_equal(parse_duration_ms("s"), -1);
	assert_int_equal(parse_duration_ms(""), -1);
	assert_int_equal(parse_duration_ms("inf"), -1);
	assert_int_equal(parse_duration_ms("nan"), -1);
	assert_int_equal(parse_duration_ms("1000h"), -1);
}

/* build args and variables given on the command line stay out of the
 * report: their values are found, and written as stars */
static void t_secret_values(void **state)
{
	(void)state;
	struct options o = OPTIONS_INIT;
	assert_int_equal(PARSE(&o, "dbake", "--set", "*.args.TOKEN=s3cr3t-tok",
			       "--set", "app.tags=reg/app:v1",
			       "--set", "app.args.K+=appended",
			       "--var", "PASS=hunter22", "app"),
			 CLI_RUN);
	struct strvec v = STRVEC_INIT;
	options_secret_values(&o, &v);
	assert_int_equal(v.nr, 3);
	assert_string_equal(v.v[0], "s3cr3t-tok");
	assert_string_equal(v.v[1], "appended");
	assert_string_equal(v.v[2], "hunter22");
	char *r = redact("ERROR: token s3cr3t-tok rejected (s3cr3t-tok), hunter22; "
			 "reg/app:v1", (const char *const *)v.v);
	assert_string_equal(r, "ERROR: token **** rejected (****), ****; reg/app:v1");
	free(r);
	/* short values match everywhere: left */
	const char *tiny[] = { "ab", "x", NULL };
	r = redact("abc x", tiny);
	assert_string_equal(r, "abc x");
	free(r);
	r = redact("nothing", NULL);
	assert_string_equal(r, "nothing");
	free(r);
	strvec_clear(&v);
	options_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_defaults),
		cmocka_unit_test(t_docker_globals_moved),
		cmocka_unit_test(t_docker_globals_equals_and_tls),
		cmocka_unit_test(t_docker_globals_attached_short),
		cmocka_unit_test(t_no_dbake_word),
		cmocka_unit_test(t_file_repeatable),
		cmocka_unit_test(t_lists_accumulate),
		cmocka_unit_test(t_set),
		cmocka_unit_test(t_progress),
		cmocka_unit_test(t_slots),
		cmocka_unit_test(t_policy),
		cmocka_unit_test(t_bake_flags),
		cmocka_unit_test(t_booleans_and_builder),
		cmocka_unit_test(t_unknown_flag),
		cmocka_unit_test(t_targets_mixed_with_flags),
		cmocka_unit_test(t_double_dash),
		cmocka_unit_test(t_metadata),
		cmocka_unit_test(t_help_version),
		cmocka_unit_test(t_getopt_state_reset),
		cmocka_unit_test(t_cache_registry),
		cmocka_unit_test(t_usage_messages),
		cmocka_unit_test(t_bake_answers),
		cmocka_unit_test(t_durations),
		cmocka_unit_test(t_secret_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
