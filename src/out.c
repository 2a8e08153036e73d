#include "out.h"
#include "loop.h"
#include "util/strbuf.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct outq {
	int fd;
	struct strbuf buf;
	size_t off;     /* written so far of buf */
	size_t dropped; /* bytes not queued since the last note */
	size_t dropped_total;
	int watching;   /* a writer on the loop */
	int broken;     /* the reader is gone: discard */
};

static struct outq queues[2] = {
	{ .fd = STDOUT_FILENO, .buf = STRBUF_INIT },
	{ .fd = STDERR_FILENO, .buf = STRBUF_INIT },
};
static struct loop *attached;

static struct outq *queue_of(int fd)
{
	if (fd == STDOUT_FILENO)
		return &queues[0];
	if (fd == STDERR_FILENO)
		return &queues[1];
	BUG("out_write to fd %d", fd);
}

static size_t queued(const struct outq *q)
{
	return q->buf.len - q->off;
}

/*
 * Write what the fd takes now without blocking: a regular file takes
 * everything; a socket as much as send() takes without waiting; a pipe
 * PIPE_BUF bytes per poll() that says it has room (Linux: a free page);
 * a terminal a small piece per such poll().
 */
static void write_some(struct outq *q)
{
	struct stat st;
	int kind = fstat(q->fd, &st) < 0 ? 0 : S_ISREG(st.st_mode) ? 'r'
		 : S_ISFIFO(st.st_mode) ? 'p' : S_ISSOCK(st.st_mode) ? 's' : 't';
	while (!q->broken && queued(q)) {
		const char *p = q->buf.buf + q->off;
		size_t n = queued(q);
		ssize_t w;
		if (kind == 's') {
			w = send(q->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		} else {
			if (kind != 'r') {
				struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };
				if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT))
					break;
				size_t most = kind == 'p' ? PIPE_BUF : 256;
				n = n < most ? n : most;
			}
			w = write(q->fd, p, n);
		}
		if (w < 0 && (errno == EINTR))
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			q->broken = 1; /* EPIPE, EBADF, EIO: nobody reads */
			break;
		}
		q->off += (size_t)w;
	}
	if (q->broken || !queued(q)) {
		strbuf_reset(&q->buf);
		q->off = 0;
	} else if (q->off > q->buf.len / 2) {
		memmove(q->buf.buf, q->buf.buf + q->off, queued(q));
		q->buf.len -= q->off;
		q->buf.buf[q->buf.len] = '\0';
		q->off = 0;
	}
}

static void on_writable(struct loop *l, int fd, void *data)
{
	struct outq *q = data;
	(void)fd;
	write_some(q);
	if (!queued(q)) {
		loop_del_writer(l, q->fd);
		q->watching = 0;
	}
}

static void enqueue(struct outq *q, const char *buf, size_t len)
{
	if (q->broken)
		return;
	if (q->dropped && queued(q) + len + 128 <= OUT_MAX) {
		strbuf_addf(&q->buf, "dbake: %zu bytes of output dropped: "
			    "its reader fell behind\n", q->dropped);
		q->dropped = 0;
	}
	if (q->dropped || queued(q) + len > OUT_MAX) {
		q->dropped += len;
		q->dropped_total += len;
		return;
	}
	strbuf_add(&q->buf, buf, len);
	write_some(q);
	if (queued(q) && !q->watching) {
		loop_add_writer(attached, q->fd, on_writable, q);
		q->watching = 1;
	}
}

void out_write(int fd, const char *buf, size_t len)
{
	struct outq *q = queue_of(fd);
	if (!attached) {
		FILE *f = fd == STDOUT_FILENO ? stdout : stderr;
		fwrite(buf, 1, len, f);
		fflush(f);
		return;
	}
	enqueue(q, buf, len);
}

void out_printf(int fd, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	out_write(fd, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void report_line(const char *line, size_t len)
{
	out_write(STDERR_FILENO, line, len);
}

void out_attach(struct loop *l)
{
	static int registered;
	fflush(stdout);
	fflush(stderr);
	if (!registered++)
		atexit(out_detach);
	for (size_t i = 0; i < 2; i++)
		queues[i].dropped = queues[i].dropped_total = 0;
	attached = l;
	set_report_hook(report_line);
}

void out_detach(void)
{
	if (!attached)
		return;
	for (size_t i = 0; i < 2; i++) {
		struct outq *q = &queues[i];
		if (q->watching)
			loop_del_writer(attached, q->fd);
		q->watching = 0;
		if (!q->broken && queued(q))
			write_in_full(q->fd, q->buf.buf + q->off, queued(q));
		if (!q->broken && q->dropped) {
			char note[128];
			int n = snprintf(note, sizeof(note),
					 "dbake: %zu bytes of output dropped: "
					 "its reader fell behind\n", q->dropped);
			write_in_full(q->fd, note, (size_t)n);
		}
		strbuf_release(&q->buf);
		q->off = q->dropped = 0;
	}
	attached = NULL;
	set_report_hook(NULL);
}

size_t out_pending(int fd)
{
	return queued(queue_of(fd));
}

size_t out_dropped(int fd)
{
	return queue_of(fd)->dropped_total;
}
