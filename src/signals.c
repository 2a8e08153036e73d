#include "signals.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int self_pipe[2] = { -1, -1 };
static volatile sig_atomic_t first_stop;
static volatile sig_atomic_t stop_count;
static volatile sig_atomic_t winch;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (sig == SIGWINCH) {
		winch = 1;
	} else if (sig != SIGCHLD) {
		if (!first_stop)
			first_stop = sig;
		stop_count++;
	}
	if (write(self_pipe[1], &b, 1) < 0) {
		/* pipe full: a wakeup is already pending */
	}
	errno = saved;
}

int signals_init(void)
{
	struct sigaction sa;
	if (pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return error("cannot create signal pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int signals_fd(void)
{
	return self_pipe[0];
}

int signals_drain(int *stops)
{
	unsigned char buf[64];
	while (read(self_pipe[0], buf, sizeof(buf)) > 0)
		;
	if (stops)
		*stops = stop_count;
	return first_stop;
}

int signals_stop_signal(void)
{
	return first_stop;
}

int plugin_socket_connect(void)
{
	const char *name = getenv("DOCKER_CLI_PLUGIN_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!name || !*name || (len = strlen(name)) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace, as Go spells it */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				      len + (name[0] == '@' ? 0 : 1));
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int signals_resized(void)
{
	int r = winch;
	winch = 0;
	return r;
}
