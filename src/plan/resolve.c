#include "resolve.h"
#include "depends.h"
#include "select.h"
#include "../buildx/docker.h"
#include "../proc.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void default_bake_files(struct strvec *out)
{
	static const char *const names[] = {
		"compose.yaml", "compose.yml", "docker-compose.yml",
		"docker-compose.yaml", "docker-bake.json", "docker-bake.hcl",
		"compose.override.yaml", "compose.override.yml",
		"docker-compose.override.yml", "docker-compose.override.yaml",
		"docker-bake.override.json", "docker-bake.override.hcl",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (access(names[i], R_OK) == 0)
			strvec_push(out, names[i]);
}

static void bake_argv(struct strvec *argv, struct strvec *env,
		      const struct options *opts)
{
	buildx_argv(argv, env, &opts->docker_globals);
	strvec_push(argv, "bake");
	for (size_t i = 0; i < opts->files.nr; i++) {
		strvec_push(argv, "-f");
		strvec_push(argv, opts->files.v[i]);
	}
	/* what changes the definition: the resolved one the builds read
	 * has it, so the builds need not be told */
	for (size_t i = 0; i < opts->vars.nr; i++) {
		strvec_push(argv, "--var");
		strvec_push(argv, opts->vars.v[i]);
	}
	if (opts->sbom) {
		strvec_push(argv, "--sbom");
		strvec_push(argv, opts->sbom);
	}
	if (opts->provenance) {
		strvec_push(argv, "--provenance");
		strvec_push(argv, opts->provenance);
	}
}

/* The last "ERROR: ..." line of bake's stderr, else its last line. */
static char *bake_error(const struct strbuf *err)
{
	const char *best = NULL, *last = NULL;
	size_t best_len = 0, last_len = 0;
	const char *p = err->buf;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len) {
			last = p;
			last_len = len;
			if (starts_with(p, "ERROR: ")) {
				best = p + 7;
				best_len = len - 7;
			}
		}
		p += len + (eol ? 1 : 0);
	}
	if (best)
		return xstrndup(best, best_len);
	if (last)
		return xstrndup(last, last_len);
	return xstrdup("bake failed with no message");
}

/* Every target and group name of the files, from bake --list. */
static void list_names(const struct options *opts, struct strvec *names)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	bake_argv(&argv, &env, opts);
	strvec_push(&argv, "--list");
	strvec_push(&argv, "type=targets,format=json");
	int status = run_capture(argv.v, &env, &out, NULL);
	json_t *doc = status >= 0 && !exit_code_of(status)
			      ? json_loads(out.buf, 0, NULL) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(doc, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		if (name)
			strvec_push(names, name);
	}
	json_decref(doc);
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&out);
}

/* Which requested name bake did not find, from its error message. */
static char *unknown_name(const char *msg)
{
	static const char *const prefixes[] = {
		"failed to find target ", "failed to find group or target ",
	};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		const char *p = strstr(msg, prefixes[i]);
		if (!p)
			continue;
		p += strlen(prefixes[i]);
		size_t n = strcspn(p, " :\"'");
		if (n)
			return xstrndup(p, n);
	}
	return NULL;
}

static int check_files(const struct options *opts)
{
	struct strvec local = STRVEC_INIT;
	int ret = 0;
	options_local_files(opts, &local);
	for (size_t i = 0; i < local.nr && !ret; i++) {
		const char *f = local.v[i];
		struct stat st;
		if (!strcmp(f, "-"))
			continue;
		if (stat(f, &st) < 0)
			ret = error("bake file '%s' not found", f);
		else if (!S_ISREG(st.st_mode))
			ret = error("bake file '%s' is not a regular file", f);
	}
	strvec_clear(&local);
	return ret;
}

int resolve_plan(struct plan *plan, const struct options *opts,
		 const struct strvec *names)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret = -1;

	if (check_files(opts) < 0)
		return -1;
	bake_argv(&argv, &env, opts);
	strvec_push(&argv, "--print");
	for (size_t i = 0; i < opts->sets.nr; i++) {
		strvec_push(&argv, "--set");
		strvec_push(&argv, opts->sets.v[i]);
	}
	if (opts->platforms.nr) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "*.platform=");
		for (size_t i = 0; i < opts->platforms.nr; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", opts->platforms.v[i]);
		strvec_push(&argv, "--set");
		strvec_push(&argv, sb.buf);
		strbuf_release(&sb);
	}
	if (names->nr)
		strvec_push(&argv, "--");
	for (size_t i = 0; i < names->nr; i++)
		strvec_push(&argv, names->v[i]);

	int status = run_capture(argv.v, &env, &out, &err);
	if (status < 0) {
		error("cannot run 'docker buildx bake --print'");
		goto out;
	}
	if (exit_code_of(status)) {
		char *msg = bake_error(&err);
		char *name = unknown_name(msg);
		if (name && !names->nr && !strcmp(name, "default")) {
			error("no target named, and the bake files have no "
			      "'default' group or target");
		} else if (strstr(msg, "infinite loop")) {
			error("dependency cycle between targets: %s", msg);
		} else if (name) {
			struct strvec known = STRVEC_INIT;
			list_names(opts, &known);
			const char *guess = did_you_mean(name, known.v, known.nr);
			if (guess)
				error("unknown target '%s' (did you mean '%s'?)", name,
				      guess);
			else
				error("unknown target '%s'", name);
			strvec_clear(&known);
		} else {
			error("cannot read the bake definition: %s", msg);
		}
		free(name);
		free(msg);
		goto out;
	}
	ret = plan_parse(plan, out.buf, out.len);
out:
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

/*
 * The local files dbake reads itself (compose profiles, depends_on),
 * once bake has accepted them: buildx's own parsers see every file
 * first, so a file only dbake's would choke on never reaches them.
 */
static int read_local_files(const struct strvec *files, struct compose *compose,
			    struct compose *hcl)
{
	for (size_t i = 0; i < files->nr; i++) {
		if (access(files->v[i], R_OK))
			continue; /* bake said what is wrong with it */
		if (!is_compose_file(files->v[i]))
			depends_scan_file(hcl, files->v[i]);
		else if (compose_load_file(compose, files->v[i]) < 0)
			return -1;
	}
	return 0;
}

int resolve_selection(struct plan *plan, const struct options *opts)
{
	struct strvec files = STRVEC_INIT, names = STRVEC_INIT;
	struct compose compose = COMPOSE_INIT, hcl = COMPOSE_INIT;
	int ret = -1;

	/* the local files; a remote definition's are bake's alone */
	if (opts->files.nr)
		options_local_files(opts, &files);
	else if (!options_remote(opts))
		default_bake_files(&files);

	strvec_pushv(&names, opts->targets.v);
	if (resolve_plan(plan, opts, &names) < 0 ||
	    read_local_files(&files, &compose, &hcl) < 0)
		goto out;
	if (!compose.loaded && opts->profiles.nr)
		warning("--profile has no effect without a compose file");

	/*
	 * bake builds every service whatever its profiles; --profile narrows
	 * that as compose does: services without profiles, and those with an
	 * active one. Services named on the command line are always built.
	 */
	size_t asked = names.nr;
	if (compose.loaded && !names.nr && opts->profiles.nr) {
		compose_enabled(&compose, &opts->profiles, &names);
		if (!names.nr) {
			error("no service to build with profile%s '%s'",
			      opts->profiles.nr > 1 ? "s" : "", opts->profiles.v[0]);
			goto out;
		}
	}
	if (opts->with_deps) {
		compose_closure(&compose, &names);
		compose_closure(&hcl, &names);
	}
	/* the selection grew or narrowed: bake's definition of it */
	if (names.nr != asked) {
		plan_release(plan);
		if (resolve_plan(plan, opts, &names) < 0)
			goto out;
	}
	compose_annotate(&compose, plan);
	for (size_t i = 0; i < hcl.nr; i++) {
		struct target *t = plan_find(plan, hcl.v[i].name);
		if (t)
			strvec_pushv(&t->after, hcl.v[i].depends_on.v);
	}
	ret = select_targets(plan, &opts->excludes);
out:
	compose_release(&compose);
	compose_release(&hcl);
	strvec_clear(&files);
	strvec_clear(&names);
	return ret;
}
