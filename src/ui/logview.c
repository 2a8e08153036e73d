#include "logview.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

void logindex_init(struct logindex *li, const char *path)
{
	*li = (struct logindex)LOGINDEX_INIT;
	li->path = path ? xstrdup(path) : NULL;
}

static void reset(struct logindex *li)
{
	li->scanned = 0;
	li->nstarts = 0;
}

static void push_start(struct logindex *li, off_t off)
{
	ALLOC_GROW(li->starts, li->nstarts + 1, li->alloc);
	li->starts[li->nstarts++] = off;
}

static off_t file_size(const struct logindex *li)
{
	struct stat st;
	if (li->fd < 0 || fstat(li->fd, &st) < 0)
		return 0;
	return st.st_size;
}

int logindex_update(struct logindex *li, size_t budget)
{
	if (!li->path)
		return 0;
	if (li->fd < 0) {
		li->fd = open(li->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
				  O_NONBLOCK);
		if (li->fd < 0)
			return 0;
	}
	if (!budget)
		budget = LOGINDEX_BUDGET;
	off_t size = file_size(li);
	int changed = 0;
	if (size < li->scanned) {
		reset(li); /* truncated or replaced: start over */
		changed = 1;
	}
	if (!li->nstarts) {
		push_start(li, 0);
		changed = 1;
	}
	char *buf = NULL;
	while (li->scanned < size && budget) {
		size_t want = (size_t)(size - li->scanned);
		if (want > CHUNK)
			want = CHUNK;
		if (want > budget)
			want = budget;
		if (!buf)
			buf = xmalloc(CHUNK);
		ssize_t n = pread(li->fd, buf, want, li->scanned);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (const char *p = buf, *end = buf + n;
		     (p = memchr(p, '\n', (size_t)(end - p))); p++)
			push_start(li, li->scanned + (p - buf) + 1);
		li->scanned += n;
		budget -= (size_t)n;
		changed = 1;
	}
	free(buf);
	return changed;
}

int logindex_behind(const struct logindex *li)
{
	return li->fd >= 0 && file_size(li) > li->scanned;
}

size_t logindex_lines(const struct logindex *li)
{
	if (!li->nstarts)
		return 0;
	/* the last start is a line only when something follows it */
	return li->starts[li->nstarts - 1] < li->scanned ? li->nstarts
							 : li->nstarts - 1;
}

ssize_t logindex_read(const struct logindex *li, size_t n, char *buf,
		      size_t max, size_t *len)
{
	if (n >= logindex_lines(li))
		return -1;
	off_t start = li->starts[n];
	off_t end = n + 1 < li->nstarts ? li->starts[n + 1] - 1 : li->scanned;
	size_t full = (size_t)(end - start);
	if (len)
		*len = full;
	size_t want = full < max ? full : max, got = 0;
	while (got < want) {
		ssize_t r = pread(li->fd, buf + got, want - got, start + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

size_t logindex_line_of(const struct logindex *li, off_t off)
{
	size_t lo = 0, hi = li->nstarts; /* starts[lo] <= off < starts[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (li->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

ssize_t logindex_search(const struct logindex *li, size_t from,
			const char *needle, size_t nlen)
{
	if (!nlen || nlen > CHUNK / 2 || from >= logindex_lines(li))
		return -1;
	char *buf = xmalloc(CHUNK);
	off_t pos = li->starts[from];
	ssize_t found = -1;
	while (pos < li->scanned) {
		size_t want = (size_t)(li->scanned - pos);
		if (want > CHUNK)
			want = CHUNK;
		ssize_t n = pread(li->fd, buf, want, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)nlen)
			break;
		const char *hit = memmem(buf, (size_t)n, needle, nlen);
		if (hit) {
			found = (ssize_t)logindex_line_of(li, pos + (hit - buf));
			break;
		}
		if (pos + n >= li->scanned)
			break;
		/* overlap so a match across chunks is found */
		pos += n - (ssize_t)(nlen - 1);
	}
	free(buf);
	return found;
}

void logindex_release(struct logindex *li)
{
	if (li->fd >= 0)
		close(li->fd);
	free(li->starts);
	free(li->path);
	*li = (struct logindex)LOGINDEX_INIT;
}
