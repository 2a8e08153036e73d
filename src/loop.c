#include "loop.h"
#include "util/util.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

void loop_init(struct loop *l)
{
	*l = (struct loop)LOOP_INIT;
	l->clock = now_ms;
}

void loop_release(struct loop *l)
{
	free(l->files);
	free(l->timers);
	free(l->pfd);
	free(l->seen);
	free(l->due);
	loop_init(l);
}

static struct loop_file *find_file(struct loop *l, int fd, short events)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i].fd == fd && l->files[i].events == events)
			return &l->files[i];
	return NULL;
}

static void add_file(struct loop *l, int fd, short events, loop_file_fn *fn,
		     void *data)
{
	struct loop_file *f = find_file(l, fd, events);
	if (fd < 0)
		BUG("loop_add_file with fd %d", fd);
	if (!f) {
		ALLOC_GROW(l->files, l->nfiles + 1, l->files_alloc);
		f = &l->files[l->nfiles++];
	}
	/* the serial lives in the id space: unique for the loop's life */
	*f = (struct loop_file){ .fd = fd, .fn = fn, .data = data,
				 .events = events };
	f->serial = l->next_id++;
}

static void del_file(struct loop *l, int fd, short events)
{
	struct loop_file *f = find_file(l, fd, events);
	if (f)
		*f = l->files[--l->nfiles];
}

void loop_add_file(struct loop *l, int fd, loop_file_fn *fn, void *data)
{
	add_file(l, fd, POLLIN, fn, data);
}

void loop_del_file(struct loop *l, int fd)
{
	del_file(l, fd, POLLIN);
}

void loop_add_writer(struct loop *l, int fd, loop_file_fn *fn, void *data)
{
	add_file(l, fd, POLLOUT, fn, data);
}

void loop_del_writer(struct loop *l, int fd)
{
	del_file(l, fd, POLLOUT);
}

long long loop_add_timer(struct loop *l, long long delay, loop_timer_fn *fn,
			 void *data)
{
	ALLOC_GROW(l->timers, l->ntimers + 1, l->timers_alloc);
	struct loop_timer *t = &l->timers[l->ntimers++];
	*t = (struct loop_timer){ .id = l->next_id++,
				  .when = l->clock() + (delay > 0 ? delay : 0),
				  .fn = fn, .data = data };
	return t->id;
}

static struct loop_timer *find_timer(const struct loop *l, long long id)
{
	for (size_t i = 0; id > 0 && i < l->ntimers; i++)
		if (l->timers[i].id == id)
			return &l->timers[i];
	return NULL;
}

void loop_del_timer(struct loop *l, long long id)
{
	struct loop_timer *t = find_timer(l, id);
	if (t)
		*t = l->timers[--l->ntimers];
}

int loop_has_timer(const struct loop *l, long long id)
{
	return find_timer(l, id) != NULL;
}

size_t loop_timers(const struct loop *l)
{
	return l->ntimers;
}

/* Milliseconds to the nearest timer (0 if one is due), or -1: none. */
static long long nearest(const struct loop *l, long long now)
{
	long long best = -1;
	for (size_t i = 0; i < l->ntimers; i++) {
		long long left = l->timers[i].when - now;
		if (left < 0)
			left = 0;
		if (best < 0 || left < best)
			best = left;
	}
	return best;
}

/* Run the timers due at `now`; a timer added meanwhile waits a turn. */
static int run_timers(struct loop *l, long long now)
{
	size_t n = 0, due_nr = 0;
	ALLOC_GROW(l->due, l->ntimers + 1, l->due_alloc);
	long long *due = l->due;
	for (size_t i = 0; i < l->ntimers; i++)
		if (l->timers[i].when <= now)
			due[due_nr++] = l->timers[i].id;
	for (size_t i = 0; i < due_nr; i++) {
		struct loop_timer *t = find_timer(l, due[i]);
		if (!t)
			continue; /* deleted by an earlier callback */
		loop_timer_fn *fn = t->fn;
		void *data = t->data;
		long long again = fn(l, due[i], now, data);
		n++;
		t = find_timer(l, due[i]); /* the array may have moved */
		if (!t)
			continue;
		if (again < 0)
			loop_del_timer(l, due[i]);
		else
			t->when = now + again;
	}
	return (int)n;
}

int loop_once(struct loop *l, long long max_wait)
{
	long long now = l->clock();
	long long wait = nearest(l, now);
	if (max_wait >= 0 && (wait < 0 || max_wait < wait))
		wait = max_wait;
	if (wait < 0 && !l->nfiles)
		return -1;
	if (wait > 24LL * 3600 * 1000)
		wait = 24LL * 3600 * 1000;

	/* each file's serial, so that an fd closed and reused by a
	 * callback during the turn is not taken for the one poll() saw */
	size_t nfd = l->nfiles;
	ALLOC_GROW(l->pfd, nfd + 1, l->pfd_alloc);
	ALLOC_GROW(l->seen, nfd + 1, l->seen_alloc);
	for (size_t i = 0; i < nfd; i++) {
		l->pfd[i] = (struct pollfd){ .fd = l->files[i].fd,
					     .events = l->files[i].events };
		l->seen[i] = l->files[i].serial;
	}
	int r = poll(l->pfd, nfd, (int)wait);
	if (r < 0 && errno != EINTR)
		die(1, "poll failed: %s", strerror(errno));
	int ran = 0;
	for (size_t i = 0; r > 0 && i < nfd; i++) {
		if (!l->pfd[i].revents)
			continue;
		struct loop_file *f = find_file(l, l->pfd[i].fd,
						l->pfd[i].events);
		if (!f || f->serial != l->seen[i])
			continue; /* removed, or the fd now is another's */
		f->fn(l, f->fd, f->data);
		ran++;
	}
	return ran + run_timers(l, l->clock());
}
