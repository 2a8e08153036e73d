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
