/* The run directory and its log files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "run/logs.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void assert_safe_name(const char *name)
{
	assert_true(strlen(name) > 4);
	assert_true(strlen(name) < 255);
	assert_true(ends_with(name, ".log"));
	assert_int_not_equal(name[0], '.');
	assert_string_not_equal(name, ".");
	assert_string_not_equal(name, "..");
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			fail_msg("log name '%s' has byte 0x%02x", name, c);
	}
}

static void check_name(struct strvec *taken, const char *target,
		       const char *want)
{
	char *got = log_file_name(taken, target);
	assert_safe_name(got);
	if (want)
		assert_string_equal(got, want);
	assert_true(strvec_has(taken, got));
	free(got);
}

static void t_log_file_name(void **state)
{
	(void)state;
	struct strvec taken = STRVEC_INIT;
	check_name(&taken, "app", "app.log");
	check_name(&taken, "web-1.2_x", "web-1.2_x.log");
	check_name(&taken, "a/b", "a_b.log");
	check_name(&taken, "../../etc/passwd", "_.._.._etc_passwd.log");
	check_name(&taken, "..", "_...log");
	check_name(&taken, ".", "_..log");
	check_name(&taken, ".hidden", "_.hidden.log");
	check_name(&taken, "", "_.log");
	check_name(&taken, "my app", "my_app.log");
	check_name(&taken, "caf\xc3\xa9", "caf__.log");
	check_name(&taken, "\xe2\x9c\x93", "___.log");
	check_name(&taken, "tab\there\nnl", "tab_here_nl.log");
	check_name(&taken, "x:y*z?", "x_y_z_.log");
	assert_int_equal(taken.nr, 13);
	strvec_clear(&taken);
}

static void t_log_file_name_long(void **state)
{
	(void)state;
	struct strvec taken = STRVEC_INIT;
	char longname[1000];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char *n1 = log_file_name(&taken, longname);
	assert_safe_name(n1);
	assert_true(strlen(n1) <= 100 + 4);
	/* equal after cutting: still distinct */
	longname[500] = 'b';
	char *n2 = log_file_name(&taken, longname);
	assert_safe_name(n2);
	assert_string_not_equal(n1, n2);
	char *n3 = log_file_name(&taken, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_safe_name(n3);
	free(n1);
	free(n2);
	free(n3);
	strvec_clear(&taken);
}

static void t_log_file_name_unique(void **state)
{
	(void)state;
	struct strvec taken = STRVEC_INIT;
	check_name(&taken, "x", "x.log");
	check_name(&taken, "x", "x-2.log");
	check_name(&taken, "x", "x-3.log");
	/* different targets that sanitise alike */
	check_name(&taken, "a/b", "a_b.log");
	check_name(&taken, "a b", "a_b-2.log");
	check_name(&taken, "a:b", "a_b-3.log");
	/* a target whose own name is a generated one */
	check_name(&taken, "x-2", "x-2-2.log");
	check_name(&taken, ".x", "_.x.log");
	check_name(&taken, "_.x", "_.x-2.log");
	for (size_t i = 0; i < taken.nr; i++)
		for (size_t j = i + 1; j < taken.nr; j++)
			assert_string_not_equal(taken.v[i], taken.v[j]);
	strvec_clear(&taken);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700); /* directories we made read-only */
	remove(path);
	return 0;
}

struct env {
	char *tmp;      /* our $TMPDIR */
	char *old_tmp;  /* the original, restored at teardown */
	char *base;     /* $TMPDIR/dbake-UID */
};

static int env_setup(void **state)
{
	struct env *e = xcalloc(1, sizeof(*e));
	char tmpl[] = "/tmp/dbake-test-logs-XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	e->tmp = xstrdup(tmpl);
	const char *old = getenv("TMPDIR");
	e->old_tmp = old ? xstrdup(old) : NULL;
	setenv("TMPDIR", e->tmp, 1);
	e->base = xstrfmt("%s/dbake-%u", e->tmp, (unsigned)getuid());
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;
	nftw(e->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (e->old_tmp)
		setenv("TMPDIR", e->old_tmp, 1);
	else
		unsetenv("TMPDIR");
	free(e->tmp);
	free(e->old_tmp);
	free(e->base);
	free(e);
	return 0;
}

static void t_logdir_create(void **state)
{
	struct env *e = *state;
	struct logdir ld = LOGDIR_INIT, ld2 = LOGDIR_INIT;
	struct stat st;
	assert_int_equal(logdir_create(&ld), 0);
	assert_non_null(ld.path);
	/* $TMPDIR/dbake-UID/run-XXXXXX */
	assert_true(starts_with(ld.path, e->base));
	assert_true(starts_with(ld.path + strlen(e->base), "/run-"));
	assert_int_equal(lstat(e->base, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, getuid());
	assert_int_equal(lstat(ld.path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);

	/* a second run gets its own directory, the base is reused */
	assert_int_equal(logdir_create(&ld2), 0);
	assert_string_not_equal(ld.path, ld2.path);
	assert_true(starts_with(ld2.path, e->base));
	logdir_release(&ld);
	logdir_release(&ld2);
	assert_null(ld.path);
	assert_int_equal(ld.names.nr, 0);
}

static void age(const char *path, long long when)
{
	struct timeval tv[2] = { { (time_t)when, 0 }, { (time_t)when, 0 } };
	assert_int_equal(utimes(path, tv), 0);
}

/* Old run directories go after a run: the newest 20 stay, counted by
 * their last change (a log being written is a run going on), and what
 * links in the others point at stays too. */
static void t_logdir_prune(void **state)
{
	struct env *e = *state;
	(void)e;
	long long now = (long long)time(NULL);
	struct logdir ld[26];
	for (int i = 0; i < 26; i++) {
		ld[i] = (struct logdir)LOGDIR_INIT;
		assert_int_equal(logdir_create(&ld[i]), 0);
	}
	/* outside, linked from an old run: must survive */
	char outside[] = "/tmp/dbake-test-outside-XXXXXX";
	assert_non_null(mkdtemp(outside));
	char *kept_file = xstrfmt("%s/precious", outside);
	assert_int_equal(write_file_atomic(kept_file, "x", 1, 0600), 0);
	char *link = xstrfmt("%s/link", ld[25].path);
	assert_int_equal(symlink(outside, link), 0);
	/* ld[i] is i hours old, but ld[3] has a log being written now */
	char *log = xstrfmt("%s/busy.log", ld[3].path);
	assert_int_equal(write_file_atomic(log, "y", 1, 0600), 0);
	for (int i = 0; i < 26; i++)
		age(ld[i].path, now - 3600LL * (i + 1));
	struct timeval old[2] = { { (time_t)(now - 99999), 0 },
				  { (time_t)(now - 99999), 0 } };
	assert_int_equal(lutimes(link, old), 0);
	age(log, now);
	/* the run that prunes is the newest, ld[25] here as the current one */
	struct logdir cur = LOGDIR_INIT;
	assert_int_equal(logdir_create(&cur), 0);
	size_t gone = logdir_prune(&cur, 20, 3600, now);
	/* 27 dirs, 20 kept (ours among them; ld[3] first, busy): 7 go */
	assert_int_equal(gone, 7);
	struct stat st;
	for (int i = 0; i < 26; i++)
		assert_int_equal(lstat(ld[i].path, &st) == 0, i < 19);
	/* a second prune finds nothing more to do */
	assert_int_equal(logdir_prune(&cur, 20, 3600, now), 0);
	/* with a short window, nothing changed in the last hour goes early */
	assert_int_equal(logdir_prune(&cur, 1, 3600 * 30, now), 0);
	assert_int_equal(lstat(cur.path, &st), 0);
	assert_int_equal(stat(kept_file, &st), 0); /* the link was not followed */
	assert_int_equal(remove_tree(outside), 0);
	free(log);
	free(link);
	free(kept_file);
	for (int i = 0; i < 26; i++)
		logdir_release(&ld[i]);
	logdir_release(&cur);
}

static void t_logdir_open(void **state)
{
	struct env *e = *state;
	(void)e;
	struct logdir ld = LOGDIR_INIT;
	struct stat st;
	assert_int_equal(logdir_create(&ld), 0);

	char *path = NULL;
	int fd = logdir_open(&ld, "app", &path);
	assert_true(fd >= 0);
	char *want = xstrfmt("%s/app.log", ld.path);
	assert_string_equal(path, want);
	free(want);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_size, 6);
	free(path);

	/* the same target again: another file */
	path = NULL;
	fd = logdir_open(&ld, "app", &path);
	assert_true(fd >= 0);
	assert_true(ends_with(path, "/app-2.log"));
	close(fd);
	free(path);

	/* a name that needs sanitising stays inside the run directory */
	path = NULL;
	fd = logdir_open(&ld, "../../escape", &path);
	assert_true(fd >= 0);
	assert_true(starts_with(path, ld.path));
	assert_null(strchr(path + strlen(ld.path) + 1, '/'));
	close(fd);
	free(path);
	logdir_release(&ld);
}

static void t_logdir_open_refuses_symlink(void **state)
{
	struct env *e = *state;
	struct logdir ld = LOGDIR_INIT;
	struct stat st;
	assert_int_equal(logdir_create(&ld), 0);

	/* someone plants web.log -> a file of their choosing */
	char *victim = xstrfmt("%s/victim", e->tmp);
	char *planted = xstrfmt("%s/web.log", ld.path);
	assert_int_equal(symlink(victim, planted), 0);
	char *path = NULL;
	assert_int_equal(logdir_open(&ld, "web", &path), -1);
	free(path);
	assert_int_equal(lstat(victim, &st), -1);
	assert_int_equal(errno, ENOENT);

	/* also when the link points at an existing file: left untouched */
	int vfd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(vfd >= 0);
	close(vfd);
	char *planted2 = xstrfmt("%s/api.log", ld.path);
	assert_int_equal(symlink(victim, planted2), 0);
	path = NULL;
	assert_int_equal(logdir_open(&ld, "api", &path), -1);
	free(path);
	assert_int_equal(lstat(victim, &st), 0);
	assert_int_equal(st.st_size, 0);

	/* and an existing regular file is not reused */
	char *existing = xstrfmt("%s/db.log", ld.path);
	int xfd = open(existing, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(xfd >= 0);
	close(xfd);
	path = NULL;
	assert_int_equal(logdir_open(&ld, "db", &path), -1);
	free(path);

	free(existing);
	free(planted2);
	free(planted);
	free(victim);
	logdir_release(&ld);
}

static void t_logdir_base_symlink(void **state)
{
	struct env *e = *state;
	/* $TMPDIR/dbake-UID -> a private directory that looks fine */
	char *elsewhere = xstrfmt("%s/elsewhere", e->tmp);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	assert_int_equal(symlink(elsewhere, e->base), 0);
	struct logdir ld = LOGDIR_INIT;
	assert_int_equal(logdir_create(&ld), -1);
	assert_null(ld.path);
	/* nothing was made through the link */
	struct stat st;
	char *probe = xstrfmt("%s/run-", elsewhere);
	assert_int_equal(lstat(probe, &st), -1);
	free(probe);
	assert_int_equal(rmdir(elsewhere), 0); /* still empty */
	logdir_release(&ld);

	/* a dangling link is refused too */
	assert_int_equal(logdir_create(&ld), -1);
	assert_null(ld.path);
	free(elsewhere);
}

static void t_logdir_base_not_private(void **state)
{
	struct env *e = *state;
	struct logdir ld = LOGDIR_INIT;
	assert_int_equal(mkdir(e->base, 0700), 0);
	assert_int_equal(chmod(e->base, 0755), 0);
	assert_int_equal(logdir_create(&ld), -1);
	assert_null(ld.path);
	assert_int_equal(chmod(e->base, 0700), 0);
	assert_int_equal(logdir_create(&ld), 0);
	logdir_release(&ld);
}

static void t_logdir_base_is_file(void **state)
{
	struct env *e = *state;
	struct logdir ld = LOGDIR_INIT;
	int fd = open(e->base, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(logdir_create(&ld), -1);
	assert_null(ld.path);
}

static void t_logdir_tmpdir_missing(void **state)
{
	struct env *e = *state;
	struct logdir ld = LOGDIR_INIT;
	char *missing = xstrfmt("%s/does/not/exist", e->tmp);
	setenv("TMPDIR", missing, 1);
	assert_int_equal(logdir_create(&ld), -1);
	assert_null(ld.path);
	setenv("TMPDIR", e->tmp, 1);
	free(missing);
}

#define ET(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_log_file_name),
		cmocka_unit_test(t_log_file_name_long),
		cmocka_unit_test(t_log_file_name_unique),
		ET(t_logdir_create),
		ET(t_logdir_prune),
		ET(t_logdir_open),
		ET(t_logdir_open_refuses_symlink),
		ET(t_logdir_base_symlink),
		ET(t_logdir_base_not_private),
		ET(t_logdir_base_is_file),
		ET(t_logdir_tmpdir_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
