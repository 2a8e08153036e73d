#include "cli.h"
#include "version.h"
#include "util/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dbake_version = DBAKE_VERSION;

enum {
	OPT_BUILDER = 256,
	OPT_PROFILE,
	OPT_WITH_DEPS,
	OPT_EXCLUDE,
	OPT_PLATFORM,
	OPT_CACHE_REGISTRY,
	OPT_NO_CACHE,
	OPT_LOAD,
	OPT_PUSH,
	OPT_PROGRESS,
	OPT_FAIL_FAST,
	OPT_SLOTS,
	OPT_SCHEDULE,
	OPT_BAKE_POLICY,
	OPT_VAR,
	OPT_SBOM,
	OPT_PROVENANCE,
	OPT_PULL,
	OPT_ALLOW,
	OPT_SET,
	OPT_PRINT,
	OPT_VERSION,
	OPT_REPORT,
	OPT_METADATA,
	OPT_PLAN,
	OPT_LIST,
	OPT_CALL,
	OPT_CHECK,
	OPT_LIST_OLD,
	OPT_NO_BOOTSTRAP,
	OPT_TIMEOUT,
};

/* dbake's own flags: every other one is bake's, and a command bake
 * answers (--print, --list, --call) gets those as they were given. */
static const char *const dbake_only[] = {
	"profile", "with-deps", "exclude", "cache-registry",
	"fail-fast", "slots", "schedule", "report", "plan", "help", "version",
	"debug", "no-bootstrap", "timeout",
};


const struct option_doc option_table[] = {
	{ { "file", required_argument, NULL, 'f' }, 'f', "FILE",
	  "Bake file (HCL, JSON or compose); repeatable. Default: buildx's discovery" },
	{ { "builder", required_argument, NULL, OPT_BUILDER }, 0, "NAME",
	  "Multi-node builder to spread over (default: $BUILDX_BUILDER, then the current builder)" },
	{ { "profile", required_argument, NULL, OPT_PROFILE }, 0, "NAME",
	  "Compose profile to enable; repeatable" },
	{ { "with-deps", no_argument, NULL, OPT_WITH_DEPS }, 0, NULL,
	  "Also build the compose depends_on chain of the selected targets" },
	{ { "exclude", required_argument, NULL, OPT_EXCLUDE }, 0, "A,B",
	  "Skip these targets (names or patterns); repeatable" },
	{ { "platform", required_argument, NULL, OPT_PLATFORM }, 0, "P[,P]",
	  "Build every target for these platforms (like --set *.platform=P)" },
	{ { "cache-registry", required_argument, NULL, OPT_CACHE_REGISTRY }, 0, "HOST[/PATH]",
	  "Share build cache through this registry (REF/buildcache/TARGET, mode=max)" },
	{ { "no-cache", no_argument, NULL, OPT_NO_CACHE }, 0, NULL,
	  "Do not use cache when building" },
	{ { "load", no_argument, NULL, OPT_LOAD }, 0, NULL,
	  "Load the built images into docker" },
	{ { "push", no_argument, NULL, OPT_PUSH }, 0, NULL,
	  "Push the built images to their registry" },
	{ { "progress", required_argument, NULL, OPT_PROGRESS }, 0, "MODE",
	  "auto, plain, tty, quiet, none or rawjson (default auto)" },
	{ { "fail-fast", no_argument, NULL, OPT_FAIL_FAST }, 0, NULL,
	  "Stop every build at the first failure" },
	{ { "slots", required_argument, NULL, OPT_SLOTS }, 0, "N",
	  "Builds each node runs at once (default: its capacity seen in earlier runs, plus one; 4 at first)" },
	{ { "schedule", required_argument, NULL, OPT_SCHEDULE }, 0, "NAME",
	  "Scheduling: default, or fifo (one build per node, by name)" },
	{ { "policy", required_argument, NULL, OPT_BAKE_POLICY }, 0, "OPTS",
	  "bake's build policy options, passed to every build; repeatable" },
	{ { "set", required_argument, NULL, OPT_SET }, 0, "T.KEY=VALUE",
	  "Override a target value, as in buildx bake; repeatable" },
	{ { "var", required_argument, NULL, OPT_VAR }, 0, "NAME=VALUE",
	  "Set a variable of the bake files, as in buildx bake; repeatable" },
	{ { "sbom", required_argument, NULL, OPT_SBOM }, 0, "VALUE",
	  "Shorthand for --set=*.attest=type=sbom, as in buildx bake" },
	{ { "provenance", required_argument, NULL, OPT_PROVENANCE }, 0, "VALUE",
	  "Shorthand for --set=*.attest=type=provenance, as in buildx bake" },
	{ { "pull", no_argument, NULL, OPT_PULL }, 0, NULL,
	  "Always try to pull all referenced images" },
	{ { "allow", required_argument, NULL, OPT_ALLOW }, 0, "ENTITLEMENT",
	  "Allow builds to access specified resources, as in buildx bake; repeatable" },
	{ { "print", no_argument, NULL, OPT_PRINT }, 0, NULL,
	  "Print the options without building, as bake prints them" },
	{ { "plan", no_argument, NULL, OPT_PLAN }, 0, NULL,
	  "Print dbake's plan (targets, dependencies, nodes) and exit" },
	{ { "no-bootstrap", no_argument, NULL, OPT_NO_BOOTSTRAP }, 0, NULL,
	  "Skip the builder's nodes that are not running instead of starting them" },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, 0, "DURATION",
	  "Stop a build that runs longer (90s, 10m, 1h30m) and fail its targets" },
	{ { "list", required_argument, NULL, OPT_LIST }, 0, "TYPE",
	  "List targets or variables, as bake does" },
	{ { "call", required_argument, NULL, OPT_CALL }, 0, "METHOD",
	  "bake's build method (\"check\", \"outline\", \"targets\"); not \"build\": bake answers" },
	{ { "check", no_argument, NULL, OPT_CHECK }, 0, NULL,
	  "Shorthand for \"--call=check\"" },
	/* bake's deprecated spellings of --list: hidden, as in bake */
	{ { "list-targets", no_argument, NULL, OPT_LIST_OLD }, 0, NULL, NULL },
	{ { "list-variables", no_argument, NULL, OPT_LIST_OLD }, 0, NULL, NULL },
	{ { "debug", no_argument, NULL, 'D' }, 'D', NULL,
	  "Enable debug logging, as docker's -D" },
	{ { "report", required_argument, NULL, OPT_REPORT }, 0, "DIR",
	  "Write report.json and report.html there (default: the run's log directory)" },
	{ { "metadata-file", required_argument, NULL, OPT_METADATA }, 0, "FILE",
	  "Write build result metadata of every target to FILE, as bake does" },
	{ { "help", no_argument, NULL, 'h' }, 'h', NULL, "Show this help" },
	{ { "version", no_argument, NULL, OPT_VERSION }, 0, NULL,
	  "Show the version" },
};
const size_t option_table_nr = ARRAY_SIZE(option_table);

static void print_usage(FILE *f)
{
	fprintf(f, "Usage:  docker dbake [OPTIONS] [TARGET...]\n\n"
		   "Build bake targets spread over every node of a multi-node "
		   "buildx builder\n\nOptions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option_doc *d = &option_table[i];
		char left[64];
		if (!d->help)
			continue;
		char shortpart[8] = "    ";
		if (d->shortopt)
			snprintf(shortpart, sizeof(shortpart), "-%c, ", d->shortopt);
		snprintf(left, sizeof(left), "  %s--%s%s%s", shortpart, d->opt.name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "%-34s %s\n", left, d->help);
	}
	fprintf(f, "\nCommands:\n  %-32s %s\n", "prune [-f]",
		"Remove dbake's shards, history and run directories");
	fprintf(f, "\nTargets may be target names, group names or quoted "
		   "patterns (\"app-*\"), as in bake.\n"
		   "Exit status: 0 all built, 1 a build failed or was skipped, "
		   "2 usage or input error, 130 interrupted.\n");
}

/* docker's global flags that take a value, and those that do not. */
static const char *const global_with_value[] = {
	"--config", "-c", "--context", "-H", "--host", "-l", "--log-level",
	"--tlscacert", "--tlscert", "--tlskey",
};
static const char *const global_bool[] = {
	"-D", "--debug", "--tls", "--tlsverify",
};

/*
 * Whether `arg` is one of `list`: 1 as the flag alone, 2 with its value
 * attached ("--host=H", or for a short flag that takes one, "-HH" and
 * "-H=H" as docker's flag parser accepts them).
 */
static int is_global(const char *arg, const char *const *list, size_t n,
		     int with_value)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list[i]);
		if (strncmp(arg, list[i], len))
			continue;
		if (arg[len] == '\0')
			return 1;
		if (list[i][1] == '-' ? arg[len] == '=' : with_value)
			return 2;
	}
	return 0;
}

/*
 * Move docker's global flags (everything before "dbake") into
 * opts->docker_globals; return the index of the first argument of ours.
 */
static int take_docker_globals(struct options *opts, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "dbake"))
			return i + 1;
		int kind = is_global(a, global_with_value,
				     ARRAY_SIZE(global_with_value), 1);
		if (kind) {
			strvec_push(&opts->docker_globals, a);
			if (kind == 1 && i + 1 < argc)
				strvec_push(&opts->docker_globals, argv[++i]);
			continue;
		}
		if (is_global(a, global_bool, ARRAY_SIZE(global_bool), 0)) {
			if (!strcmp(a, "-D") || !strcmp(a, "--debug"))
				opts->debug = 1;
			strvec_push(&opts->docker_globals, a);
			continue;
		}
		break;
	}
	/* No "dbake" word: run directly as docker-dbake ARGS. */
	strvec_clear(&opts->docker_globals);
	opts->debug = 0;
	return 1;
}

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_progress(const char *s, enum progress_mode *out)
{
	static const struct {
		const char *name;
		enum progress_mode mode;
	} modes[] = {
		{ "auto", PROGRESS_AUTO },   { "plain", PROGRESS_PLAIN },
		{ "tty", PROGRESS_TTY },     { "quiet", PROGRESS_QUIET },
		{ "none", PROGRESS_QUIET },  { "rawjson", PROGRESS_RAWJSON },
	};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	return -1;
}

/* A bake flag, as given, for a command bake answers. */
static void keep_bake_flag(struct options *opts, const struct option *o,
			   const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(dbake_only); i++)
		if (!strcmp(o->name, dbake_only[i]))
			return;
	if (!strcmp(o->name, "platform")) { /* dbake's shorthand */
		strvec_push(&opts->bake_args, "--set");
		strvec_pushf(&opts->bake_args, "*.platform=%s", arg);
		return;
	}
	strvec_pushf(&opts->bake_args, "--%s", o->name);
	if (o->has_arg && arg)
		strvec_push(&opts->bake_args, arg);
}

/*
 * A duration as Go writes one ("90s", "10m", "1h30m", "1.5h", "500ms"),
 * or bare seconds; more than 0, at most 30 days. In ms, or -1.
 */
long long parse_duration_ms(const char *s)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	double total = 0;
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (end != s && !*end && errno == 0)
		total = v * 1000;
	else
		for (const char *p = s; *p;) {
			if (*p == '-' || *p == '+')
				return -1;
			errno = 0;
			v = strtod(p, &end);
			if (end == p || errno || v < 0)
				return -1;
			size_t k;
			for (k = 0; k < ARRAY_SIZE(units); k++)
				if (starts_with(end, units[k].unit) &&
				    (strcmp(units[k].unit, "m") ||
				     !starts_with(end, "ms")))
					break;
			if (k == ARRAY_SIZE(units))
				return -1;
			total += v * units[k].ms;
			p = end + strlen(units[k].unit);
		}
	if (!(total >= 1) || total > 30.0 * 24 * 3600 * 1000)
		return -1;
	return (long long)total;
}

static enum cli_result usage_error(const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	error("%s (see 'docker dbake --help')", msg);
	return CLI_USAGE;
}

static void print_metadata(void)
{
	printf("{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"dbake\","
	       "\"Version\":\"%s\",\"ShortDescription\":\"Build bake targets "
	       "spread over every node of a buildx builder\"}\n",
	       dbake_version);
}

static enum cli_result parse_prune(struct options *opts, int argc, char **argv)
{
	opts->prune = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")) {
			opts->force = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage:  docker dbake prune [-f]\n\n"
			       "Remove dbake's own state: the shard builders it "
			       "keeps in its buildx store, its\nhistory "
			       "(durations, capacities, where caches are) and "
			       "its run directories\n(logs, reports), but those "
			       "of a run going on. Builders, images and build\n"
			       "cache are not touched.\n\nOptions:\n"
			       "  -f, --force    Do not prompt for "
			       "confirmation\n");
			return CLI_EXIT_OK;
		} else {
			error("prune: unknown argument '%s' (see 'docker dbake "
			      "prune --help')", argv[i]);
			return CLI_USAGE;
		}
	}
	return CLI_RUN;
}

enum cli_result cli_parse(struct options *opts, int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(option_table) + 1];
	/* '+': stop at the first target; ':': report a missing value as ':' */
	char shortopts[32] = "+:";
	size_t ns = 2;

	if (argc >= 2 && !strcmp(argv[1], "docker-cli-plugin-metadata")) {
		print_metadata();
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		longopts[i] = option_table[i].opt;
		if (option_table[i].shortopt) {
			shortopts[ns++] = (char)option_table[i].shortopt;
			if (option_table[i].opt.has_arg)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[ARRAY_SIZE(option_table)], 0, sizeof(struct option));
	shortopts[ns] = '\0';

	int first = take_docker_globals(opts, argc, argv);
	/* docker dbake prune: a command of its own, not a target (build a
	 * target named prune with `docker dbake -- prune`) */
	if (first < argc && !strcmp(argv[first], "prune"))
		return parse_prune(opts, argc - first, argv + first);
	/* getopt wants argv[0] before the arguments it scans. */
	int nargc = argc - first + 1;
	char **nargv = xcalloc((size_t)nargc + 1, sizeof(*nargv));
	nargv[0] = argv[0];
	for (int i = first; i < argc; i++)
		nargv[i - first + 1] = argv[i];

	enum cli_result res = CLI_RUN;
	int c;
	optind = 0; /* full reinitialisation (GNU) */
	opterr = 0;
	/* Options and targets may be mixed, as in buildx. */
	while (res == CLI_RUN) {
		int li = -1;
		c = getopt_long(nargc, nargv, shortopts, longopts, &li);
		for (size_t i = 0; li < 0 && c > 0 && i < ARRAY_SIZE(option_table); i++)
			if (option_table[i].shortopt == c)
				li = (int)i;
		if (li >= 0 && c != '?' && c != ':')
			keep_bake_flag(opts, &option_table[li].opt, optarg);
		if (c == -1) {
			if (optind >= nargc)
				break;
			if (!strcmp(nargv[optind - 1], "--")) {
				for (; optind < nargc; optind++)
					strvec_push(&opts->targets, nargv[optind]);
				break;
			}
			strvec_push(&opts->targets, nargv[optind++]);
			continue;
		}
		switch (c) {
		case 'f':
			/* as given: with a remote definition, a name
			 * without "cwd://" is a file of the remote one */
			strvec_push(&opts->files, optarg);
			break;
		case OPT_BUILDER:
			free(opts->builder);
			opts->builder = xstrdup(optarg);
			break;
		case OPT_PROFILE:
			strvec_split(&opts->profiles, optarg, ',');
			break;
		case OPT_WITH_DEPS:
			opts->with_deps = 1;
			break;
		case OPT_EXCLUDE:
			strvec_split(&opts->excludes, optarg, ',');
			break;
		case OPT_PLATFORM:
			strvec_split(&opts->platforms, optarg, ',');
			break;
		case OPT_CACHE_REGISTRY: {
			size_t n = strlen(optarg);
			while (n && optarg[n - 1] == '/')
				n--;
			if (!n || strstr(optarg, "://"))
				res = usage_error("invalid --cache-registry '%s' "
						  "(want HOST[:PORT][/PATH])", optarg);
			free(opts->cache_registry);
			opts->cache_registry = xstrndup(optarg, n);
			break;
		}
		case OPT_NO_CACHE:
			opts->no_cache = 1;
			break;
		case OPT_LOAD:
			opts->load = 1;
			break;
		case OPT_PUSH:
			opts->push = 1;
			break;
		case OPT_PROGRESS:
			if (parse_progress(optarg, &opts->progress))
				res = usage_error("invalid --progress '%s' (want auto, "
						  "plain, tty or quiet)", optarg);
			break;
		case OPT_FAIL_FAST:
			opts->fail_fast = 1;
			break;
		case OPT_SLOTS:
			if (parse_int(optarg, 1, 256, &opts->slots))
				res = usage_error("invalid --slots '%s' (want 1 to 256)",
						  optarg);
			break;
		case OPT_SCHEDULE:
			if (!strcmp(optarg, "default"))
				opts->policy = POLICY_DEFAULT;
			else if (!strcmp(optarg, "fifo"))
				opts->policy = POLICY_FIFO;
			else
				res = usage_error("invalid --schedule '%s' (want "
						  "default or fifo)", optarg);
			break;
		case OPT_BAKE_POLICY:
			strvec_push(&opts->bake_policy, optarg);
			break;
		case OPT_VAR:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				res = usage_error("invalid --var '%s' (want "
						  "NAME=VALUE)", optarg);
			strvec_push(&opts->vars, optarg);
			break;
		case OPT_SBOM:
			free(opts->sbom);
			opts->sbom = xstrdup(optarg);
			break;
		case OPT_PROVENANCE:
			free(opts->provenance);
			opts->provenance = xstrdup(optarg);
			break;
		case OPT_PULL:
			opts->pull = 1;
			break;
		case OPT_ALLOW:
			strvec_push(&opts->allow, optarg);
			break;
		case OPT_SET:
			if (!strchr(optarg, '='))
				res = usage_error("invalid --set '%s' (want "
						  "TARGET.KEY=VALUE)", optarg);
			strvec_push(&opts->sets, optarg);
			break;
		case OPT_PRINT:
			opts->print = 1;
			break;
		case OPT_PLAN:
			opts->plan = 1;
			break;
		case OPT_NO_BOOTSTRAP:
			opts->no_bootstrap = 1;
			break;
		case OPT_TIMEOUT:
			opts->timeout_ms = parse_duration_ms(optarg);
			if (opts->timeout_ms < 0)
				res = usage_error("invalid --timeout '%s' (want a "
						  "duration: 90s, 10m, 1h30m)", optarg);
			break;
		case OPT_LIST:
		case OPT_LIST_OLD:
			opts->bake_answers = 1;
			break;
		case OPT_CALL:
			if (strcmp(optarg, "build"))
				opts->bake_answers = 1;
			break;
		case OPT_CHECK:
			opts->bake_answers = 1;
			break;
		case 'D':
			if (!opts->debug)
				strvec_push(&opts->docker_globals, "-D");
			opts->debug = 1;
			break;
		case OPT_REPORT:
			free(opts->report_dir);
			opts->report_dir = xstrdup(optarg);
			break;
		case OPT_METADATA:
			free(opts->metadata_file);
			opts->metadata_file = xstrdup(optarg);
			break;
		case 'h':
			print_usage(stdout);
			res = CLI_EXIT_OK;
			break;
		case OPT_VERSION:
			opts->version = 1; /* main says the rest: buildx's */
			break;
		case ':':
			res = usage_error("flag needs an argument: %s",
					  nargv[optind - 1]);
			break;
		default:
			res = usage_error("unknown flag: %s", nargv[optind - 1]);
			break;
		}
	}
	free(nargv);
	return res;
}

int is_remote_definition(const char *arg)
{
	static const char *const schemes[] = {
		"http://", "https://", "git://", "ssh://", "git@",
	};
	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
		if (starts_with(arg, schemes[i]))
			return 1;
	/* host/path.git, with a #ref or not, as buildx's git refs */
	const char *git = strstr(arg, ".git");
	return git && strchr(arg, '/') && (!git[4] || git[4] == '#');
}

const char *options_remote(const struct options *opts)
{
	return opts->targets.nr && is_remote_definition(opts->targets.v[0])
		       ? opts->targets.v[0] : NULL;
}

void options_local_files(const struct options *opts, struct strvec *out)
{
	int remote = options_remote(opts) != NULL;
	for (size_t i = 0; i < opts->files.nr; i++) {
		const char *f = opts->files.v[i];
		if (starts_with(f, "cwd://"))
			strvec_push(out, f + 6);
		else if (!remote)
			strvec_push(out, f);
	}
}

void options_release(struct options *opts)
{
	strvec_clear(&opts->docker_globals);
	strvec_clear(&opts->files);
	strvec_clear(&opts->profiles);
	strvec_clear(&opts->excludes);
	strvec_clear(&opts->platforms);
	strvec_clear(&opts->sets);
	strvec_clear(&opts->bake_policy);
	strvec_clear(&opts->vars);
	strvec_clear(&opts->allow);
	strvec_clear(&opts->bake_args);
	free(opts->sbom);
	free(opts->provenance);
	opts->sbom = opts->provenance = NULL;
	strvec_clear(&opts->targets);
	free(opts->builder);
	free(opts->cache_registry);
	free(opts->report_dir);
	free(opts->metadata_file);
	opts->builder = opts->cache_registry = NULL;
	opts->report_dir = opts->metadata_file = NULL;
}

void options_secret_values(const struct options *opts, struct strvec *out)
{
	for (size_t i = 0; i < opts->sets.nr; i++) {
		const char *s = opts->sets.v[i], *eq = strchr(s, '=');
		/* build args, secrets and ssh specs, whatever holds a value
		 * (KEY+=VALUE appends: still a value) */
		int secretish = 0;
		static const char *const keys[] = { ".args.", ".secret", ".ssh" };
		for (size_t k = 0; eq && k < ARRAY_SIZE(keys); k++) {
			const char *at = strstr(s, keys[k]);
			secretish |= at && at < eq;
		}
		if (secretish && eq[1])
			strvec_push(out, eq + 1);
	}
	for (size_t i = 0; i < opts->vars.nr; i++) {
		const char *eq = strchr(opts->vars.v[i], '=');
		if (eq && eq[1])
			strvec_push(out, eq + 1);
	}
}
