#include "loop.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int self_pipe[2] = { -1, -1 };
static volatile sig_atomic_t first_stop;
static volatile sig_atomic_t stop_count;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (sig != SIGCHLD) {
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
