#include "progress.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

/* Copy a line into a fixed field, replacing control bytes. */
static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = len < size - 1 ? len : size - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static unsigned char *vertex(struct progress *p, unsigned long v)
{
	if (v > 100000)
		return NULL;
	if (v >= p->seen_alloc) {
		size_t n = p->seen_alloc ? p->seen_alloc : 64;
		while (n <= v)
			n *= 2;
		p->seen = xrealloc(p->seen, n);
		memset(p->seen + p->seen_alloc, 0, n - p->seen_alloc);
		p->seen_alloc = n;
	}
	return &p->seen[v];
}

/*
 * A step title looks like "[stage 2/5] RUN ...", "[2/5] COPY ..." or, in
 * a multi-platform build, "[linux/arm64 stage 2/5] RUN ...": the count is
 * the last slash inside the brackets.
 */
static int is_step_title(const char *s, size_t len)
{
	const char *end = memchr(s, ']', len);
	if (!end || s[0] != '[')
		return 0;
	const char *slash = memrchr(s, '/', (size_t)(end - s));
	return slash && slash > s + 1 && slash[-1] >= '0' && slash[-1] <= '9' &&
	       slash + 1 < end && slash[1] >= '0' && slash[1] <= '9';
}

void progress_line(struct progress *p, const char *line, size_t len)
{
	/* buildx's own last word ("ERROR: failed to solve: ..."): the only
	 * reason given when no step ran (a node that cannot be reached) */
	if (len > 7 && !memcmp(line, "ERROR: ", 7) && !p->error[0]) {
		copy_field(p->error, sizeof(p->error), line + 7, len - 7);
		return;
	}
	if (len < 2 || line[0] != '#')
		return;
	char *end;
	char num[16];
	size_t k = 0;
	while (k + 1 < len && k < sizeof(num) - 1 && line[k + 1] >= '0' &&
	       line[k + 1] <= '9') {
		num[k] = line[k + 1];
		k++;
	}
	num[k] = '\0';
	if (!k || k + 2 > len || line[k + 1] != ' ')
		return;
	unsigned long v = strtoul(num, &end, 10);
	const char *rest = line + k + 2;
	size_t rlen = len - k - 2;
	unsigned char *state = vertex(p, v);
	if (!state)
		return;
	if (rlen && rest[0] == '[' && is_step_title(rest, rlen)) {
		if (!*state) {
			*state = 1;
			p->steps++;
		}
		copy_field(p->current, sizeof(p->current), rest, rlen);
	} else if (rlen >= 4 && !memcmp(rest, "DONE", 4)) {
		if (*state == 1) {
			*state = 2;
			p->done++;
			if (rlen > 5 && rest[4] == ' ') {
				char num[32];
				size_t n = rlen - 5 < sizeof(num) - 1 ? rlen - 5
								: sizeof(num) - 1;
				memcpy(num, rest + 5, n);
				num[n] = '\0';
				double secs = strtod(num, &end);
				if (end != num && *end == 's' && secs >= 0 && secs < 1e6)
					p->work += secs;
			}
		}
	} else if (rlen >= 6 && !memcmp(rest, "CACHED", 6)) {
		if (*state == 1) {
			*state = 2;
			p->done++;
			p->cached++;
		}
	} else if (rlen >= 6 && !memcmp(rest, "ERROR:", 6) && !p->error[0]) {
		copy_field(p->error, sizeof(p->error), rest + 6 + (rlen > 6),
			   rlen - 6 - (rlen > 6));
	}
}

void progress_feed(struct progress *p, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		if (!nl) {
			if (p->line.len < 65536)
				strbuf_add(&p->line, buf, n);
			return;
		}
		if (p->line.len) {
			strbuf_add(&p->line, buf, n);
			progress_line(p, p->line.buf, p->line.len);
			strbuf_reset(&p->line);
		} else {
			progress_line(p, buf, n);
		}
		buf += n + 1;
		len -= n + 1;
	}
}

void progress_release(struct progress *p)
{
	strbuf_release(&p->line);
	free(p->seen);
	p->seen = NULL;
	p->seen_alloc = 0;
}
