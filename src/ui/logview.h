/*
 * A log file on disk, being appended to, read a screenful at a time: an
 * index of line start offsets grown as the file grows, lines read with
 * pread, searched in chunks. Never holds the whole file in memory.
 * Knows nothing of the terminal.
 */
#ifndef DBAKE_LOGVIEW_H
#define DBAKE_LOGVIEW_H

#include <stddef.h>
#include <sys/types.h>

struct logindex {
	int fd;          /* -1 until the file could be opened */
	char *path;      /* owned; NULL: no log */
	off_t scanned;   /* bytes indexed so far */
	off_t *starts;   /* starts[i]: offset of line i (starts[0] == 0) */
	size_t nstarts, alloc;
};

#define LOGINDEX_INIT { .fd = -1 }

/* Bytes indexed per logindex_update call at most. */
#define LOGINDEX_BUDGET ((size_t)32 << 20)

/* Start indexing `path` (may be NULL: an empty log). */
void logindex_init(struct logindex *li, const char *path);

/*
 * Index what was appended since the last call, `budget` bytes at most
 * (0: LOGINDEX_BUDGET). Opens the file on first success; starts over if
 * it shrank. Returns 1 when the line count or the last line changed.
 */
int logindex_update(struct logindex *li, size_t budget);

/* Whether bytes are left to index (the file is bigger than scanned). */
int logindex_behind(const struct logindex *li);

/* Lines indexed: a last line without its newline counts. */
size_t logindex_lines(const struct logindex *li);

/*
 * Read the first `max` bytes at most of line `n` (no newline) into buf.
 * Returns the bytes read, -1 past the end; *len gets the line's length.
 */
ssize_t logindex_read(const struct logindex *li, size_t n, char *buf,
		      size_t max, size_t *len);

/*
 * The first line from `from` on (indexed part only) that holds `needle`
 * (raw bytes, no newline), or -1.
 */
ssize_t logindex_search(const struct logindex *li, size_t from,
			const char *needle, size_t nlen);

/* The line holding byte `off` (off < scanned). */
size_t logindex_line_of(const struct logindex *li, off_t off);

void logindex_release(struct logindex *li);

#endif
