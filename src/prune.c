/*
 * docker dbake prune: remove dbake's own state, what it keeps between
 * runs: the shard builders of its buildx store (and the docker config
 * mirror beside them), its history, and its run directories. Never the
 * user's builders, images or build cache. Not while another dbake is
 * setting up shards (the store's lock), nor a run directory changed in
 * the last minutes (a run going on).
 */
#include "prune.h"
#include "buildx/docker.h"
#include "proc.h"
#include "run/logs.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* A run directory changed this recently may be a run going on. */
#define PRUNE_QUIET_S 300

static int confirm(void)
{
	fputs("WARNING! This removes dbake's shard builders, its history and "
	      "its run directories.\nYour builders, images and build cache "
	      "are not touched.\nAre you sure you want to continue? [y/N] ",
	      stdout);
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Remove `path` (a file or a tree) if it is there; 1 when it was. */
static int remove_if_there(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return remove_tree(path) == 0;
	if (unlink(path) < 0) {
		error("cannot remove '%s': %s", path, strerror(errno));
		return 0;
	}
	return 1;
}

int prune_main(const struct options *opts)
{
	if (!opts->force && !confirm()) {
		printf("nothing removed\n");
		return 0;
	}
	if (dbake_state_dir_check() < 0)
		return 2;
	char *state = dbake_state_dir();
	char *store = xstrfmt("%s/buildx", state);
	char *lock = xstrfmt("%s/dbake.lock", store);
	int ret = 0;
	int fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = error("another dbake is setting up its shards; nothing "
			    "removed (try again when it is done)");
		goto out;
	}
	char *instances = xstrfmt("%s/instances", store);
	size_t shards = count_entries(instances);
	free(instances);
	remove_if_there(store); /* the lock file with it: we hold it */
	char *mirror = xstrfmt("%s/docker", state);
	remove_if_there(mirror);
	free(mirror);

	int history = 0;
	DIR *d = opendir(state);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!starts_with(e->d_name, "history.json"))
			continue;
		char *p = xstrfmt("%s/%s", state, e->d_name);
		history |= remove_if_there(p) && !strcmp(e->d_name, "history.json");
		free(p);
	}
	if (d)
		closedir(d);

	size_t runs = 0;
	char *base = logdir_base();
	if (base) {
		/* none is this run's: a name no run directory has */
		struct logdir ld = { .path = xstrfmt("%s/run-", base) };
		runs = logdir_prune(&ld, 0, PRUNE_QUIET_S, (long long)time(NULL));
		free(ld.path);
		free(base);
	}
	printf("removed %zu shard%s, %s, %zu run director%s\n", shards,
	       shards == 1 ? "" : "s", history ? "the history" : "no history",
	       runs, runs == 1 ? "y" : "ies");
out:
	if (fd >= 0)
		close(fd);
	free(lock);
	free(store);
	free(state);
	return ret < 0 ? 1 : 0;
}
