#include "logs.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* $TMPDIR/dbake-UID: ours, a real directory, private. */
static char *private_base(void)
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
	char *base = private_base();
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
