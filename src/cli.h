/* Command line: dbake's options and docker's global flags. */
#ifndef DBAKE_CLI_H
#define DBAKE_CLI_H

#include "util/strbuf.h"

#include <stdio.h>

enum progress_mode {
	PROGRESS_AUTO,
	PROGRESS_PLAIN,
	PROGRESS_TTY,
	PROGRESS_QUIET,
	PROGRESS_RAWJSON, /* the children's JSON passed on to stderr */
};

enum policy_kind {
	POLICY_DEFAULT,
	POLICY_FIFO,
};

struct options {
	struct strvec docker_globals; /* docker's global flags, re-passed */
	struct strvec files;          /* -f, in order */
	char *builder;                /* --builder, else NULL */
	struct strvec profiles;       /* --profile */
	int with_deps;
	struct strvec excludes;       /* --exclude, split at commas */
	struct strvec platforms;      /* --platform, split at commas */
	char *cache_registry;
	int no_cache;
	int load;
	int push;
	enum progress_mode progress;
	int fail_fast;
	int slots;                    /* builds per node at once, 0: learned */
	enum policy_kind policy;      /* --schedule */
	struct strvec sets;           /* --set, passed through */
	struct strvec bake_policy;    /* --policy (bake's), to every build */
	struct strvec vars;           /* --var, to bake --print */
	char *sbom, *provenance;      /* --sbom, --provenance, to --print */
	int pull;                     /* --pull, to every build */
	struct strvec allow;          /* --allow, to every build */
	int print;                    /* --print: bake's, build nothing */
	int prune;                    /* docker dbake prune */
	int version;                  /* --version: dbake's, buildx's, BuildKit's */
	int force;                    /* prune -f: do not ask */
	int plan;                     /* --plan: show dbake's plan, build nothing */
	int no_bootstrap;             /* --no-bootstrap: skip stopped nodes */
	long long timeout_ms;         /* --timeout: per build, 0: none */
	int bake_answers;             /* --list, --call METHOD, --check: bake
					 answers, nothing is spread */
	struct strvec bake_args;      /* the bake flags as given, for those */
	char *report_dir;             /* --report DIR, else the run's dir */
	char *metadata_file;          /* --metadata-file F */
	struct strvec targets;        /* positional */
	int debug;                    /* -D given to docker */
};

#define OPTIONS_INIT                                                      \
	{                                                                     \
		.docker_globals = STRVEC_INIT, .files = STRVEC_INIT,              \
		.profiles = STRVEC_INIT, .excludes = STRVEC_INIT,                 \
		.platforms = STRVEC_INIT, .sets = STRVEC_INIT,                    \
		.bake_policy = STRVEC_INIT, .vars = STRVEC_INIT,                 \
		.allow = STRVEC_INIT, .bake_args = STRVEC_INIT,                   \
		.targets = STRVEC_INIT, .progress = PROGRESS_AUTO, .slots = 0,    \
	}

enum cli_result {
	CLI_RUN = 0,      /* options parsed, go on */
	CLI_EXIT_OK = 1,  /* --help, --version or metadata printed */
	CLI_USAGE = -1,   /* bad usage, message printed */
};

/*
 * Parse argv as docker hands it to a plugin: docker's global flags, then
 * "dbake", then our own. A bare invocation without "dbake" is accepted too.
 */
enum cli_result cli_parse(struct options *opts, int argc, char **argv);
void options_release(struct options *opts);

/* Whether a first positional argument is a remote definition, as bake
 * takes it (an http(s) URL or a git reference). */
int is_remote_definition(const char *arg);
/* The remote definition named first on the command line, or NULL. */
const char *options_remote(const struct options *opts);
/*
 * The -f files on this machine, as dbake reads them: every one, less a
 * "cwd://" prefix; with a remote definition only the "cwd://" ones (the
 * others are the remote definition's).
 */
void options_local_files(const struct options *opts, struct strvec *out);

/*
 * The values the command line gives that may be secrets, to keep out of
 * the report: build args, secrets and ssh specs set with --set
 * (*.args.NAME=VALUE, *.secrets=..., *.ssh=...) and variables set with
 * --var (NAME=VALUE).
 */
void options_secret_values(const struct options *opts, struct strvec *out);

extern const char *dbake_version;

/* One table drives getopt_long, the help text, the man page (man.c) and
 * shell completion (complete.c). */
#include <getopt.h>
struct option_doc {
	struct option opt;
	int shortopt;
	const char *arg;
	const char *help;
};

extern const struct option_doc option_table[];
extern const size_t option_table_nr;

/* The man page, docker-dbake(1), from the option table (make deb). */
void cli_print_man(FILE *f);

/* "90s", "10m", "1h30m", bare seconds: ms (> 0, at most 30 days), or -1. */
long long parse_duration_ms(const char *s);

#endif
