#include "proc.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int (*proc_should_stop)(void);
int proc_stop_fd = -1;

/* Every live child's pid, for proc_kill_all(). */
static pid_t *live;
static size_t live_nr, live_alloc;

static void live_add(pid_t pid)
{
	ALLOC_GROW(live, live_nr + 1, live_alloc);
	live[live_nr++] = pid;
}

static void live_remove(pid_t pid)
{
	for (size_t i = 0; i < live_nr; i++)
		if (live[i] == pid) {
			live[i] = live[--live_nr];
			return;
		}
}

void proc_kill_all(int sig)
{
	for (size_t i = 0; i < live_nr; i++)
		kill(-live[i], sig);
}

/*
 * environ with `env` applied: "NAME=VALUE" sets, a bare "NAME" removes.
 * Strings are borrowed.
 */
static char **merged_env(const struct strvec *env)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **out = xcalloc(n + (env ? env->nr : 0) + 1, sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int overridden = 0;
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		for (size_t j = 0; env && j < env->nr; j++)
			if (!strncmp(env->v[j], environ[i], len) &&
			    (env->v[j][len] == '=' || env->v[j][len] == '\0'))
				overridden = 1;
		if (!overridden)
			out[k++] = environ[i];
	}
	for (size_t j = 0; env && j < env->nr; j++)
		if (strchr(env->v[j], '='))
			out[k++] = env->v[j];
	out[k] = NULL;
	return out;
}

int proc_exec(char *const *argv, const struct strvec *env)
{
	char **envp = merged_env(env);
	fflush(NULL);
	execvpe(argv[0], argv, envp);
	int err = errno;
	free(envp);
	return error("cannot run %s: %s", argv[0], strerror(err));
}

int child_start(struct child *c, char *const *argv, const struct strvec *env,
		int split_stderr)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int ret;

	if (pipe2(out, O_CLOEXEC) < 0 ||
	    (split_stderr && pipe2(err, O_CLOEXEC) < 0)) {
		ret = errno;
		if (out[0] >= 0) {
			close(out[0]);
			close(out[1]);
		}
		return error("cannot create pipe: %s", strerror(ret));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, split_stderr ? err[1] : out[1], 2);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGCHLD);
	sigaddset(&defaults, SIGQUIT);
	sigaddset(&defaults, SIGWINCH);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
					POSIX_SPAWN_SETSIGMASK |
					POSIX_SPAWN_SETSIGDEF);

	char **envp = merged_env(env);
	pid_t pid;
	ret = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
	free(envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(out[1]);
	if (split_stderr)
		close(err[1]);
	if (ret) {
		close(out[0]);
		if (split_stderr)
			close(err[0]);
		return error("cannot run '%s': %s", argv[0], strerror(ret));
	}
	c->pid = pid;
	c->out_fd = out[0];
	c->err_fd = split_stderr ? err[0] : -1;
	live_add(pid);
	return 0;
}

void child_kill(struct child *c, int sig)
{
	if (c->pid > 0)
		kill(-c->pid, sig);
}

void child_close(struct child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}

/* Reap a child we started; forgets it in the live list. */
static int reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	live_remove(pid);
	return status;
}

int run_capture(char *const *argv, const struct strvec *env,
		struct strbuf *out, struct strbuf *err)
{
	struct child c = CHILD_INIT;
	if (child_start(&c, argv, env, 1) < 0)
		return -1;
	return child_collect(&c, out, err);
}

int child_collect(struct child *cp, struct strbuf *out, struct strbuf *err)
{
	struct child c = *cp;
	int stopped = 0;

	*cp = (struct child)CHILD_INIT;
	while (c.out_fd >= 0 || c.err_fd >= 0) {
		struct pollfd pfd[3] = {
			{ .fd = c.out_fd, .events = POLLIN },
			{ .fd = c.err_fd, .events = POLLIN },
			{ .fd = proc_stop_fd, .events = POLLIN },
		};
		if (proc_should_stop && proc_should_stop()) {
			stopped = 1;
			break;
		}
		if (poll(pfd, 3, 1000) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents & POLLIN) {
			/* A signal's wake-up byte: the handler kept what counts. */
			char junk[64];
			while (read(proc_stop_fd, junk, sizeof(junk)) > 0)
				;
		}
		for (int i = 0; i < 2; i++) {
			int *fd = i ? &c.err_fd : &c.out_fd;
			struct strbuf *sb = i ? err : out;
			char buf[8192];
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(*fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(*fd);
				*fd = -1;
			} else if (sb) {
				strbuf_add(sb, buf, (size_t)n);
			}
		}
	}
	if (stopped) {
		child_kill(&c, SIGTERM);
		child_close(&c);
		reap(c.pid);
		return -1;
	}
	child_close(&c);
	return reap(c.pid);
}

int exit_code_of(int status)
{
	if (status < 0)
		return 255;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int child_reap(struct child *c, int block, int *status)
{
	if (c->pid <= 0)
		return 0;
	pid_t r;
	while ((r = waitpid(c->pid, status, block ? 0 : WNOHANG)) < 0)
		if (errno != EINTR)
			return 0;
	if (r == 0)
		return 0;
	live_remove(c->pid);
	c->pid = 0;
	return 1;
}
