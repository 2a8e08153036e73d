#include "docker.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where docker looks for CLI plugins, after the user's config dir. */
static const char *const plugin_dirs[] = {
	"/usr/local/lib/docker/cli-plugins",
	"/usr/local/libexec/docker/cli-plugins",
	"/usr/lib/docker/cli-plugins",
	"/usr/libexec/docker/cli-plugins",
};

static char *find_buildx(const struct strvec *globals)
{
	char *cfg = docker_config_dir(globals);
	char *path = xstrfmt("%s/cli-plugins/docker-buildx", cfg);
	free(cfg);
	for (size_t i = 0; access(path, X_OK); i++) {
		free(path);
		if (i == ARRAY_SIZE(plugin_dirs))
			return NULL;
		path = xstrfmt("%s/docker-buildx", plugin_dirs[i]);
	}
	return path;
}

/*
 * The environment that says what `globals` say, for buildx run on its
 * own; -1 if some flag cannot be said that way. Flags beat variables
 * in docker: --context wins over DOCKER_HOST, so it clears it.
 */
static int globals_as_env(const struct strvec *globals, struct strvec *env)
{
	for (size_t i = 0; i < globals->nr; i++) {
		const char *a = globals->v[i], *val = NULL, *eq = strchr(a, '=');
		char *flag = eq ? xstrndup(a, (size_t)(eq - a)) : xstrdup(a);
		if (eq)
			val = eq + 1;
		else if (i + 1 < globals->nr)
			val = globals->v[i + 1];
		int ret = 0, used = !eq;
		if (!strcmp(flag, "--config")) {
			strvec_pushf(env, "DOCKER_CONFIG=%s", val);
		} else if (!strcmp(flag, "--context") || !strcmp(flag, "-c")) {
			strvec_pushf(env, "DOCKER_CONTEXT=%s", val);
			strvec_push(env, "DOCKER_HOST");
		} else if (!strcmp(flag, "-H") || !strcmp(flag, "--host")) {
			strvec_pushf(env, "DOCKER_HOST=%s", val);
			strvec_push(env, "DOCKER_CONTEXT");
		} else {
			ret = -1; /* -D, -l, --tls*: leave them to docker */
		}
		free(flag);
		if (ret < 0 || !val)
			return -1;
		i += used;
	}
	return 0;
}

void buildx_argv(struct strvec *argv, struct strvec *env,
		 const struct strvec *globals)
{
	static int decided, direct;
	static char *path;
	static struct strvec direct_env = STRVEC_INIT;

	if (!decided) {
		decided = 1;
		/* ours to read, not buildx's: it would think it is a plugin */
		strvec_push(&direct_env, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND");
		strvec_push(&direct_env, "DOCKER_CLI_PLUGIN_SOCKET");
		path = getenv("DBAKE_VIA_DOCKER") ? NULL : find_buildx(globals);
		direct = path && !globals_as_env(globals, &direct_env);
	}
	if (direct) {
		if (argv)
			strvec_push(argv, path);
		for (size_t i = 0; env && i < direct_env.nr; i++)
			strvec_push(env, direct_env.v[i]);
		return;
	}
	if (!argv)
		return;
	strvec_push(argv, "docker");
	for (size_t i = 0; i < globals->nr; i++)
		strvec_push(argv, globals->v[i]);
	strvec_push(argv, "buildx");
}

const char *buildx_trace_setting(void)
{
	static const char *const theirs[] = {
		"OTEL_TRACES_SAMPLER", "OTEL_TRACES_EXPORTER",
		"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
	};
	for (size_t i = 0; i < ARRAY_SIZE(theirs); i++) {
		const char *v = getenv(theirs[i]);
		if (v && *v)
			return NULL;
	}
	return "OTEL_TRACES_SAMPLER=always_off";
}

static const char *home(void)
{
	const char *h = getenv("HOME");
	return h && *h ? h : "/";
}

char *docker_config_dir(const struct strvec *globals)
{
	for (size_t i = 0; i < globals->nr; i++) {
		const char *a = globals->v[i];
		if (!strcmp(a, "--config") && i + 1 < globals->nr)
			return xstrdup(globals->v[i + 1]);
		if (starts_with(a, "--config="))
			return xstrdup(a + strlen("--config="));
	}
	const char *env = getenv("DOCKER_CONFIG");
	if (env && *env)
		return xstrdup(env);
	return xstrfmt("%s/.docker", home());
}

char *buildx_store_dir(const struct strvec *globals)
{
	const char *env = getenv("BUILDX_CONFIG");
	if (env && *env)
		return xstrdup(env);
	char *cfg = docker_config_dir(globals);
	char *dir = xstrfmt("%s/buildx", cfg);
	free(cfg);
	return dir;
}

char *dbake_state_dir(void)
{
	const char *env = getenv("DBAKE_STATE_DIR");
	if (env && *env)
		return xstrdup(env);
	env = getenv("XDG_STATE_HOME");
	if (env && *env)
		return xstrfmt("%s/dbake", env);
	return xstrfmt("%s/.local/state/dbake", home());
}

int mkdir_p(const char *dir, unsigned mode)
{
	char *path = xstrdup(dir);
	int ret = 0;
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		if (stat(path, &st) < 0) {
			if (errno != ENOENT || (mkdir(path, mode) < 0 && errno != EEXIST)) {
				ret = error("cannot create '%s': %s", path, strerror(errno));
				break;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			ret = error("'%s' is not a directory", path);
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(path);
	return ret;
}

int dbake_state_dir_check(void)
{
	char *dir = dbake_state_dir();
	struct stat st;
	int ret = mkdir_p(dir, 0700);
	if (!ret && lstat(dir, &st) < 0)
		ret = error("cannot use state directory '%s': %s", dir,
			    strerror(errno));
	else if (!ret && !S_ISDIR(st.st_mode))
		ret = error("state directory '%s' is not a directory (a "
			    "symlink?); set DBAKE_STATE_DIR to one of yours", dir);
	else if (!ret && (st.st_uid != getuid() || (st.st_mode & 022)))
		ret = error("state directory '%s' is not private to this user "
			    "(owner %u, mode %03o): others could point dbake's "
			    "builds elsewhere; chmod go-w it, or set "
			    "DBAKE_STATE_DIR", dir, (unsigned)st.st_uid,
			    (unsigned)(st.st_mode & 0777));
	free(dir);
	return ret;
}
