/* The dashboard keeps dbake's own stderr in a file while it is up. */
#include "tty.h"
#include "view.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tty_redirect_stderr(const struct run_view *view)
{
	if (!view->log_dir)
		return;
	T.msg_path = xstrfmt("%s/%s", view->log_dir, MESSAGES_FILE);
	T.msg_fd = open(T.msg_path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW |
				 O_CLOEXEC, 0600);
	if (T.msg_fd < 0)
		goto fail;
	fflush(stderr);
	T.saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (T.saved_err < 0 || dup2(T.msg_fd, STDERR_FILENO) < 0)
		goto fail;
	return;
fail:
	/* messages would garble the screen: drop them rather */
	if (T.saved_err >= 0)
		close(T.saved_err);
	T.saved_err = -1;
	if (T.msg_fd >= 0)
		close(T.msg_fd);
	T.msg_fd = -1;
	free(T.msg_path);
	T.msg_path = NULL;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	T.saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
}

void tty_restore_stderr(void)
{
	if (T.saved_err < 0)
		return;
	fflush(stderr);
	dup2(T.saved_err, STDERR_FILENO);
	close(T.saved_err);
	T.saved_err = -1;
}

/* Count the messages written since the last look; keep the last one. */
void tty_read_messages(void)
{
	struct stat st;
	char buf[4096];
	if (T.msg_fd < 0 || fstat(T.msg_fd, &st) < 0)
		return;
	while (T.msg_seen < st.st_size) {
		ssize_t n = pread(T.msg_fd, buf, sizeof(buf), T.msg_seen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (T.msg_line.len < sizeof(T.last_msg) - 1)
					strbuf_addch(&T.msg_line, buf[i]);
				continue;
			}
			T.nmsgs++;
			snprintf(T.last_msg, sizeof(T.last_msg), "%s", T.msg_line.buf);
			strbuf_reset(&T.msg_line);
		}
		T.msg_seen += n;
	}
}

/* Show the messages on the real stderr, now that it is back. */
void tty_replay_messages(void)
{
	if (T.msg_fd < 0)
		return;
	tty_read_messages();
	if (T.msg_line.len) { /* an unfinished line counts too */
		T.nmsgs++;
		strbuf_reset(&T.msg_line);
	}
	if (!T.nmsgs) {
		unlink(T.msg_path);
		return;
	}
	int fd = dup(T.msg_fd);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewind(f); /* the offset is shared with what wrote there */
	char line[4096];
	size_t shown = 0;
	while (shown < REPLAY_LINES && fgets(line, sizeof(line), f)) {
		fputs(line, stderr);
		if (!strchr(line, '\n'))
			fputc('\n', stderr);
		else
			shown++;
	}
	fclose(f);
	if (T.nmsgs > shown)
		fprintf(stderr, "dbake: %zu more message%s in %s\n", T.nmsgs - shown,
			T.nmsgs - shown == 1 ? "" : "s", T.msg_path);
	fflush(stderr);
}

