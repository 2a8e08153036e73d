/* Small helpers every module uses: allocation that cannot fail, messages. */
#ifndef DBAKE_UTIL_H
#define DBAKE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Grow `arr` (of `alloc` slots) so that it holds at least `nr` elements. */
#define ALLOC_GROW(arr, nr, alloc)                                        \
	do {                                                                  \
		if ((nr) > (alloc)) {                                             \
			(alloc) = (alloc) < 8 ? 8 : (alloc) * 2;                      \
			if ((alloc) < (nr))                                           \
				(alloc) = (nr);                                           \
			(arr) = xrealloc((arr), sizeof(*(arr)) * (alloc));            \
		}                                                                 \
	} while (0)

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Messages go to stderr as "dbake: <what>" (lowercase, no period).
 * error() returns -1 so callers can `return error(...)`.
 */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
__attribute__((noreturn)) void bug_fl(const char *file, int line,
				      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Called by die() before it exits, so the top level can stop children and
 * restore the terminal. Set once at start-up.
 */
void set_die_hook(void (*fn)(void));
/* Where error(), warning(), info() and die() lines go (NULL: stderr). */
void set_report_hook(void (*fn)(const char *line, size_t len));

/* When set, warnings and info lines are dropped (--progress quiet). */
void set_quiet(int quiet);

int starts_with(const char *s, const char *prefix);
/* FNV-1a over a string, from h (FNV1A_INIT to start). */
#define FNV1A_INIT 0xcbf29ce484222325ULL
unsigned long long fnv1a(unsigned long long h, const char *s);
int ends_with(const char *s, const char *suffix);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t edit_distance(const char *a, const char *b);

/* Monotonic clock in milliseconds. */
long long now_ms(void);
/* CPU time this process has used, in microseconds. */
long long cpu_us(void);

/* Write all of buf; -1 with errno set if that fails (EIO for a short write). */
ssize_t write_in_full(int fd, const void *buf, size_t len);

/*
 * Write data to path through a temporary file in the same directory and
 * rename(2). Returns -1 with errno set on failure (nothing left behind).
 */
/* Remove a directory and all below it, never following a link. */
int remove_tree(const char *path);

/* `s` with every occurrence of each of `secrets` (NULL-terminated; those
 * shorter than 3 characters are left, as they match everywhere) written
 * as "****". Allocated. */
char *redact(const char *s, const char *const *secrets);

int write_file_atomic(const char *path, const char *data, size_t len,
		      unsigned mode);

#endif
