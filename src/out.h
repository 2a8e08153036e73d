/*
 * dbake's own output on stdout and stderr, never blocking the loop.
 * While a loop runs (out_attach), what dbake writes is queued and written
 * as the reader takes it, a little at a time and only when poll() says
 * the fd has room, so a stalled reader (a slow CI log shipper, a pager)
 * delays no build; the queue is bounded, and what does not fit is
 * dropped and said. Outside a loop, writes go straight out.
 */
#ifndef DBAKE_OUT_H
#define DBAKE_OUT_H

#include <stddef.h>

struct loop;

/* Queued bytes per fd beyond which output is dropped (and said). */
#define OUT_MAX ((size_t)8 << 20)

/* Write to fd 1 or 2 (queued while attached). */
void out_write(int fd, const char *buf, size_t len);
void out_printf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* From now on, queue stdout and stderr and drain them on `l`. */
void out_attach(struct loop *l);

/* Write what is queued (waiting for the reader), then straight out again.
 * Also at exit. */
void out_detach(void);

/* Bytes queued for fd, and bytes dropped since attached. */
size_t out_pending(int fd);
size_t out_dropped(int fd);

#endif
