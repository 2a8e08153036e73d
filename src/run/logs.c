#include "logs.h"
#include "../util/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* $TMPDIR/dbake-UID: ours, a real directory, private. */
char *logdir_base(void)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	char *base = xstrfmt("%s/dbake-%u", tmp, (unsigned)getuid());
	struct stat st;
	if (mkdir(base, 0700) < 0 && errno != EEXIST) {
		error("cannot create '%s': %s", base, strerror(errno));
		goto fail;
	}
	if (lstat(base, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error("'%s' is not a directory (a symlink?)", base);
		goto fail;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077)) {
		error("'%s' is not private to this user", base);
		goto fail;
	}
	return base;
fail:
	free(base);
	return NULL;
}

int logdir_create(struct logdir *ld)
{
	char *base = logdir_base();
	if (!base)
		return -1;
	char *tmpl = xstrfmt("%s/run-XXXXXX", base);
	free(base);
	if (!mkdtemp(tmpl)) {
		error("cannot create run directory: %s", strerror(errno));
		free(tmpl);
		return -1;
	}
	ld->path = tmpl;
	return 0;
}

struct run_dir {
	char *path;
	long long mtime;
};

/* When a run directory last changed: it, or a log in it being written. */
static long long last_change(const char *dir, long long mtime)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xstrfmt("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && (long long)st.st_mtime > mtime)
			mtime = (long long)st.st_mtime;
		free(p);
	}
	if (d)
		closedir(d);
	return mtime;
}

static int newest_first(const void *a, const void *b)
{
	long long x = ((const struct run_dir *)a)->mtime,
		  y = ((const struct run_dir *)b)->mtime;
	return x < y ? 1 : x > y ? -1 : 0;
}

size_t logdir_prune(const struct logdir *ld, size_t keep, long long quiet_s,
		    long long now_s)
{
	if (!ld->path)
		return 0;
	const char *slash = strrchr(ld->path, '/');
	char *base = slash ? xstrndup(ld->path, (size_t)(slash - ld->path))
			   : xstrdup(".");
	DIR *d = opendir(base);
	struct run_dir *dirs = NULL;
	size_t nr = 0, alloc = 0, gone = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		char *p = xstrfmt("%s/%s", base, e->d_name);
		if (starts_with(e->d_name, "run-") && strcmp(p, ld->path) &&
		    lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			ALLOC_GROW(dirs, nr + 1, alloc);
			dirs[nr++] = (struct run_dir){
				p, last_change(p, (long long)st.st_mtime)
			};
		} else {
			free(p);
		}
	}
	if (d)
		closedir(d);
	if (nr)
		qsort(dirs, nr, sizeof(*dirs), newest_first);
	/* ours counts as one of those kept */
	for (size_t i = 0; i < nr; i++) {
		if (i + 1 >= keep && dirs[i].mtime + quiet_s < now_s &&
		    remove_tree(dirs[i].path) == 0)
			gone++;
		free(dirs[i].path);
	}
	free(dirs);
	free(base);
	return gone;
}

char *log_file_name(struct strvec *taken, const char *target)
{
	struct strbuf base = STRBUF_INIT;
	for (const char *s = target; *s && base.len < 100; s++) {
		unsigned char c = (unsigned char)*s;
		strbuf_addch(&base, isalnum(c) || c == '-' || c == '_' || c == '.'
					    ? c : '_');
	}
	if (!base.len || base.buf[0] == '.') {
		/* never a hidden file, ".", ".." or empty */
		struct strbuf fixed = STRBUF_INIT;
		strbuf_addf(&fixed, "_%s", base.buf);
		strbuf_release(&base);
		base = fixed;
	}
	char *name = xstrfmt("%s.log", base.buf);
	for (int n = 2; strvec_has(taken, name); n++) {
		free(name);
		name = xstrfmt("%s-%d.log", base.buf, n);
	}
	strvec_push(taken, name);
	strbuf_release(&base);
	return name;
}

int logdir_open(struct logdir *ld, const char *target, char **path)
{
	char *name = log_file_name(&ld->names, target);
	*path = xstrfmt("%s/%s", ld->path, name);
	free(name);
	int fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC | O_APPEND, 0600);
	if (fd < 0)
		return error("cannot create log '%s': %s", *path, strerror(errno));
	return fd;
}

void logdir_release(struct logdir *ld)
{
	free(ld->path);
	strvec_clear(&ld->names);
	*ld = (struct logdir)LOGDIR_INIT;
}
