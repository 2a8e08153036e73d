#include "contexts.h"
#include "docker.h"
#include "../proc.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *docker_context_name(const char *url)
{
	return xstrfmt("dbake-%08llx", fnv1a(FNV1A_INIT, url) & 0xffffffffULL);
}

/* Make `link` a symlink to `target`, replacing what was there. */
static int link_to(const char *target, const char *link)
{
	char buf[4096];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n >= 0) {
		buf[n] = '\0';
		if (!strcmp(buf, target))
			return 0;
	}
	if (unlink(link) < 0 && errno != ENOENT)
		return error("cannot replace %s: %s", link, strerror(errno));
	if (symlink(target, link) < 0)
		return error("cannot link %s: %s", link, strerror(errno));
	return 0;
}

/*
 * dir/SUB mirrors user_dir/SUB entry by entry (links), keeping the real
 * entries dbake made there and dropping links whose target is gone.
 */
static int mirror_entries(const char *dir, const char *user_dir,
			  const char *sub)
{
	char *mine = xstrfmt("%s/%s", dir, sub);
	char *theirs = xstrfmt("%s/%s", user_dir, sub);
	int ret = mkdir_p(mine, 0700);
	DIR *d = ret ? NULL : opendir(theirs);
	struct dirent *e;
	while (d && (e = readdir(d)) && !ret) {
		if (e->d_name[0] == '.')
			continue;
		char *target = xstrfmt("%s/%s", theirs, e->d_name);
		char *link = xstrfmt("%s/%s", mine, e->d_name);
		struct stat st;
		if (lstat(link, &st) < 0 || S_ISLNK(st.st_mode))
			ret = link_to(target, link);
		free(target);
		free(link);
	}
	if (d)
		closedir(d);
	d = ret ? NULL : opendir(mine);
	while (d && (e = readdir(d))) {
		char *link = xstrfmt("%s/%s", mine, e->d_name);
		struct stat st;
		if (lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
		    stat(link, &st) < 0)
			unlink(link);
		free(link);
	}
	if (d)
		closedir(d);
	free(mine);
	free(theirs);
	return ret;
}

/* Is there a context of that name among those dbake made in dir? */
static int have_context(const char *dir, const char *name)
{
	char *meta = xstrfmt("%s/contexts/meta", dir);
	DIR *d = opendir(meta);
	struct dirent *e;
	int found = 0;
	while (d && !found && (e = readdir(d))) {
		char *path = xstrfmt("%s/%s", meta, e->d_name);
		char *file = xstrfmt("%s/meta.json", path);
		struct stat st;
		if (e->d_name[0] != '.' && lstat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			json_t *doc = json_load_file(file, 0, NULL);
			const char *n = json_string_value(json_object_get(doc, "Name"));
			found = n && !strcmp(n, name);
			json_decref(doc);
		}
		free(file);
		free(path);
	}
	if (d)
		closedir(d);
	free(meta);
	return found;
}

static int create_context(const char *dir, const char *name, const char *url,
			  const struct strvec *run_env)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;
	strvec_pushv(&env, run_env->v);
	strvec_pushf(&env, "DOCKER_CONFIG=%s", dir);
	strvec_push(&argv, "docker");
	strvec_push(&argv, "context");
	strvec_push(&argv, "create");
	strvec_push(&argv, name);
	strvec_push(&argv, "--description");
	strvec_push(&argv, "made by docker dbake for a docker-container node");
	strvec_push(&argv, "--docker");
	strvec_pushf(&argv, "host=%s", url);
	int status = run_capture(argv.v, &env, NULL, &err);
	int ret = 0;
	if (status < 0 || exit_code_of(status)) {
		strbuf_trim(&err);
		char *nl = strchr(err.buf, '\n');
		if (nl)
			*nl = '\0';
		ret = error("cannot make a docker context for %s: %s", url,
			    err.len ? err.buf : "interrupted");
	}
	strvec_clear(&argv);
	strvec_clear(&env);
	strbuf_release(&err);
	return ret;
}

int docker_contexts_ensure(const struct nodeset *set, const char *dir,
			   const char *user_dir, struct strvec *env)
{
	size_t want = 0;
	for (size_t i = 0; i < set->nr; i++)
		want += set->v[i].docker_host != NULL;
	if (!want)
		return 0;
	if (mkdir_p(dir, 0700) < 0)
		return -1;
	char *user_cfg = xstrfmt("%s/config.json", user_dir);
	char *cfg = xstrfmt("%s/config.json", dir);
	struct stat st;
	int ret = 0;
	if (stat(user_cfg, &st) == 0)
		ret = link_to(user_cfg, cfg);
	else if (lstat(cfg, &st) == 0 && S_ISLNK(st.st_mode))
		unlink(cfg);
	free(user_cfg);
	free(cfg);
	if (!ret)
		ret = mirror_entries(dir, user_dir, "contexts/meta");
	if (!ret)
		ret = mirror_entries(dir, user_dir, "contexts/tls");
	for (size_t i = 0; i < set->nr && !ret; i++) {
		const char *url = set->v[i].docker_host;
		if (!url)
			continue;
		char *name = docker_context_name(url);
		if (!have_context(dir, name))
			ret = create_context(dir, name, url, env);
		free(name);
	}
	if (!ret)
		strvec_pushf(env, "DOCKER_CONFIG=%s", dir);
	return ret;
}
