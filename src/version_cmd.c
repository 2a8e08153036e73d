/* docker dbake --version: dbake's, buildx's and each node's BuildKit's. */
#include "version_cmd.h"
#include "buildx/docker.h"
#include "proc.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What buildx says of itself, and each node's BuildKit. */
int version_main(const struct options *opts)
{
	printf("dbake %s\n", dbake_version);
	fflush(stdout);
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	buildx_argv(&argv, &env, &opts->docker_globals);
	strvec_push(&argv, "version");
	int st = run_capture(argv.v, &env, &out, &err);
	strbuf_trim(&out);
	if (st < 0 || exit_code_of(st) || !out.len)
		printf("buildx: not found (%s)\n", err.len ? err.buf : "no output");
	else
		printf("buildx: %s\n", out.buf);
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_reset(&out);
	strbuf_reset(&err);
	buildx_argv(&argv, &env, &opts->docker_globals);
	strvec_pushl(&argv, "inspect", "--timeout", "5s", NULL);
	const char *builder = opts->builder ? opts->builder : getenv("BUILDX_BUILDER");
	if (builder && *builder)
		strvec_push(&argv, builder);
	st = run_capture(argv.v, &env, &out, &err);
	if (st >= 0 && !exit_code_of(st)) {
		/* "Name:" of the builder, then of each node, each node's
		 * "BuildKit version:" after its name */
		const char *line = out.buf, *node = NULL, *name = NULL;
		int names = 0, said = 0;
		while (line && *line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			char *l = xstrndup(line, len);
			const char *v = strchr(l, ':');
			v = v ? v + 1 + strspn(v + 1, " \t") : NULL;
			if (starts_with(l, "Name:") && v) {
				if (!names++)
					name = xstrdup(v);
				else {
					free((char *)node);
					node = xstrdup(v);
				}
			} else if (starts_with(l, "BuildKit version:") && v) {
				printf("BuildKit: %s (builder %s, node %s)\n", v,
				       name ? name : "?", node ? node : "?");
				said++;
			}
			free(l);
			line = nl ? nl + 1 : NULL;
		}
		if (!said)
			printf("BuildKit: unknown (builder %s has no running "
			       "node)\n", name ? name : "?");
		free((char *)node);
		free((char *)name);
	} else {
		strbuf_trim(&err);
		char *nl = strchr(err.buf, '\n');
		if (nl)
			*nl = '\0';
		printf("BuildKit: unknown (%s)\n", err.len ? err.buf : "buildx inspect failed");
	}
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
