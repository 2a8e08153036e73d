/*
 * The event loop, in the manner of redis's ae.c: file events (a callback
 * when an fd is readable) and timer events (a callback at a time); one
 * poll() per turn, its timeout the nearest timer's. Single-threaded; the
 * callbacks may add and remove events, including their own.
 */
#ifndef DBAKE_LOOP_H
#define DBAKE_LOOP_H

#include <stddef.h>

struct loop;
struct pollfd;

/* `fd` is readable (or at EOF, or in error), or for a writer: writable. */
typedef void loop_file_fn(struct loop *l, int fd, void *data);

/*
 * Timer `id` is due (`now` is the loop's clock). Returns the delay in
 * ms until it fires again, or LOOP_ONCE to end it.
 */
typedef long long loop_timer_fn(struct loop *l, long long id, long long now,
				void *data);
#define LOOP_ONCE (-1)

/* The loop's clock: monotonic milliseconds (now_ms() unless replaced). */
typedef long long loop_clock_fn(void);

struct loop_file {
	int fd;
	loop_file_fn *fn;
	void *data;
	short events;     /* POLLIN, or POLLOUT for a writer */
	long long serial; /* tells a reused fd from the one poll() saw */
};

struct loop_timer {
	long long id;
	long long when;
	loop_timer_fn *fn;
	void *data;
};

struct loop {
	struct loop_file *files;
	size_t nfiles, files_alloc;
	struct loop_timer *timers;
	size_t ntimers, timers_alloc;
	long long next_id;
	loop_clock_fn *clock;
	/* scratch, kept between turns: poll()'s array, the files it
	 * saw (fd, serial), the timers due */
	struct pollfd *pfd;
	size_t pfd_alloc;
	long long *seen;     /* per polled fd: its file's serial */
	size_t seen_alloc;
	long long *due;
	size_t due_alloc;
};

#define LOOP_INIT { .next_id = 1 }

void loop_init(struct loop *l);
void loop_release(struct loop *l);

/* Call fn when fd is readable; one handler per fd (a second replaces). */
void loop_add_file(struct loop *l, int fd, loop_file_fn *fn, void *data);
void loop_del_file(struct loop *l, int fd);

/* Call fn when fd is writable (or in error); one writer per fd. */
void loop_add_writer(struct loop *l, int fd, loop_file_fn *fn, void *data);
void loop_del_writer(struct loop *l, int fd);

/* Call fn `delay` ms from now; returns the timer's id (> 0). */
long long loop_add_timer(struct loop *l, long long delay, loop_timer_fn *fn,
			 void *data);
/* Cancel a timer (an id that has fired or is 0 is fine). */
void loop_del_timer(struct loop *l, long long id);
/* Whether the timer is still pending. */
int loop_has_timer(const struct loop *l, long long id);
size_t loop_timers(const struct loop *l);

/*
 * One turn: wait for a file event or the nearest timer (at most
 * `max_wait` ms; -1: no limit beyond the timers), then run what is due.
 * Returns the number of callbacks run, or -1 when there is nothing to
 * wait for (no file event, no timer, max_wait -1).
 */
int loop_once(struct loop *l, long long max_wait);

#endif
