#include "docker.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void docker_argv(struct strvec *argv, const struct strvec *globals)
{
	strvec_push(argv, "docker");
	for (size_t i = 0; i < globals->nr; i++)
		strvec_push(argv, globals->v[i]);
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
		if ((!strcmp(a, "--config") || !strcmp(a, "-c")) &&
		    i + 1 < globals->nr)
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
