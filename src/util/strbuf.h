/* Growable strings (buf is never NULL) and argv-style string vectors. */
#ifndef DBAKE_STRBUF_H
#define DBAKE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t len;
	size_t alloc;
	char *buf; /* owned, always NUL-terminated */
};

extern char strbuf_empty[];
#define STRBUF_INIT { .len = 0, .alloc = 0, .buf = strbuf_empty }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hand the buffer to the caller (who frees it); sb is left empty. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);
/* Append the whole file at `path`; -1 (errno set) if it can't be read. */
int strbuf_read_file(struct strbuf *sb, const char *path);

struct strvec {
	char **v; /* owned strings, NULL-terminated */
	size_t nr;
	size_t alloc;
};

extern const char *strvec_empty[];
#define STRVEC_INIT { .v = (char **)strvec_empty, .nr = 0, .alloc = 0 }

void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strvec_pushv(struct strvec *sv, char *const *v);
/* Push each argument up to a NULL. */
void strvec_pushl(struct strvec *sv, ...) __attribute__((sentinel));
void strvec_clear(struct strvec *sv);
int strvec_has(const struct strvec *sv, const char *s);
/* Split `s` at `sep` and push every non-empty piece. */
void strvec_split(struct strvec *sv, const char *s, int sep);

#endif
