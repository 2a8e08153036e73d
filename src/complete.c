/*
 * Shell completion through the Docker CLI's plugin protocol: docker runs
 * `docker-dbake __complete dbake ARGS... WORD` and prints what comes
 * back, cobra's way: one candidate a line ("value<TAB>description"),
 * then ":DIRECTIVE". Flags from the option table; a flag's value (the
 * builders of the buildx store, bake files, progress modes...); else the
 * targets and groups of the bake files in the current directory (bake
 * --print of them, with the -f given), and the prune command.
 */
#include "complete.h"
#include "buildx/docker.h"
#include "proc.h"
#include "util/util.h"

#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void complete_flags(const char *prefix, struct strvec *out)
{
	for (size_t i = 0; i < option_table_nr; i++) {
		const struct option_doc *d = &option_table[i];
		char *flag = xstrfmt("--%s", d->opt.name);
		if (d->help && starts_with(flag, prefix))
			strvec_pushf(out, "%s\t%s", flag, d->help);
		free(flag);
	}
}

static const char *flag_value(const char *arg)
{
	for (size_t i = 0; i < option_table_nr; i++) {
		const struct option_doc *d = &option_table[i];
		if (d->opt.has_arg != required_argument)
			continue;
		if ((starts_with(arg, "--") && !strcmp(arg + 2, d->opt.name)) ||
		    (d->shortopt && arg[0] == '-' && arg[1] == d->shortopt && !arg[2]))
			return d->opt.name;
	}
	return NULL;
}

/* cobra's ShellCompDirective values */
enum {
	DIRECTIVE_DEFAULT = 0,     /* the shell completes file names */
	DIRECTIVE_NO_FILES = 4,
	DIRECTIVE_DIRS = 16,
};

static void add_if(struct strvec *out, const char *word, const char *value,
		   const char *help)
{
	if (!starts_with(value, word))
		return;
	if (help)
		strvec_pushf(out, "%s\t%s", value, help);
	else
		strvec_push(out, value);
}

/* The builders of the user's buildx store (its instances). */
static void builders(const struct options *opts, const char *word,
		     struct strvec *out)
{
	char *store = buildx_store_dir(&opts->docker_globals);
	char *dir = xstrfmt("%s/instances", store);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			add_if(out, word, e->d_name, "builder");
	if (d)
		closedir(d);
	free(dir);
	free(store);
}

/* The targets and groups bake finds in the files (-f as given). */
static void targets(const struct options *opts, const char *word,
		    struct strvec *out)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf sout = STRBUF_INIT, serr = STRBUF_INIT;
	buildx_argv(&argv, &env, &opts->docker_globals);
	strvec_pushl(&argv, "bake", "--print", NULL);
	for (size_t i = 0; i < opts->files.nr; i++)
		strvec_pushl(&argv, "-f", opts->files.v[i], NULL);
	int st = run_capture(argv.v, &env, &sout, &serr);
	json_t *doc = st >= 0 && !exit_code_of(st)
			      ? json_loads(sout.buf, 0, NULL) : NULL;
	static const char *const kinds[] = { "group", "target" };
	for (size_t k = 0; k < 2; k++) {
		const char *name;
		json_t *v;
		json_object_foreach(json_object_get(doc, kinds[k]), name, v)
			add_if(out, word, name, kinds[k]);
	}
	json_decref(doc);
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&sout);
	strbuf_release(&serr);
}

int complete_main(int argc, char **argv)
{
	/* argv: docker-dbake __complete dbake ARGS... WORD */
	int first = argc > 2 && !strcmp(argv[2], "dbake") ? 3 : 2;
	const char *word = argc > first ? argv[argc - 1] : "";
	const char *prev = argc - 1 > first ? argv[argc - 2] : NULL;
	struct options opts = OPTIONS_INIT;
	struct strvec out = STRVEC_INIT;
	int directive = DIRECTIVE_NO_FILES, positional = 0;

	/* what was typed before: -f files and the builder matter */
	for (int i = first; i < argc - 1; i++) {
		const char *flag = flag_value(argv[i]);
		if (flag && i + 1 < argc - 1) {
			if (!strcmp(flag, "file"))
				strvec_push(&opts.files, argv[i + 1]);
			i++;
		} else if (argv[i][0] != '-') {
			positional++;
		}
	}
	const char *flag = prev ? flag_value(prev) : NULL;
	if (flag) {
		if (!strcmp(flag, "file") || !strcmp(flag, "metadata-file"))
			directive = DIRECTIVE_DEFAULT;
		else if (!strcmp(flag, "report"))
			directive = DIRECTIVE_DIRS;
		else if (!strcmp(flag, "builder"))
			builders(&opts, word, &out);
		else if (!strcmp(flag, "progress")) {
			static const char *const modes[] = {
				"auto", "plain", "tty", "quiet", "none", "rawjson",
			};
			for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
				add_if(&out, word, modes[i], NULL);
		} else if (!strcmp(flag, "schedule")) {
			add_if(&out, word, "default", NULL);
			add_if(&out, word, "fifo", "one build per node, by name");
		} else if (!strcmp(flag, "exclude")) {
			targets(&opts, word, &out);
		} else if (!strcmp(flag, "list")) {
			add_if(&out, word, "targets", NULL);
			add_if(&out, word, "variables", NULL);
		}
	} else if (word[0] == '-') {
		complete_flags(word, &out);
	} else {
		if (!positional)
			add_if(&out, word, "prune",
			       "remove dbake's shards, history and run directories");
		targets(&opts, word, &out);
	}
	for (size_t i = 0; i < out.nr; i++)
		printf("%s\n", out.v[i]);
	printf(":%d\n", directive);
	fprintf(stderr, "Completion ended with directive: %d\n", directive);
	strvec_clear(&out);
	options_release(&opts);
	return 0;
}
