/* The dashboard's text primitives: untrusted bytes, safely, in bounds. */
#include "keys.h"
#include "tty.h"
#include "../util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

attr_t tty_pair(int p)
{
	return T.color ? (attr_t)COLOR_PAIR(p) : 0;
}

/* Columns we may use from x on row y: never the bottom-right cell. */
int tty_room(int y, int x)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return 0;
	return COLS - x - (y == LINES - 1);
}

struct cells {
	wchar_t buf[256];
	int n, x, y;
	attr_t attr;
};

static void cells_flush(struct cells *c, int width)
{
	if (!c->n)
		return;
	attrset(c->attr);
	mvaddnwstr(c->y, c->x, c->buf, c->n);
	c->x += width;
	c->n = 0;
	attrset(A_NORMAL);
}

/*
 * Put at most `width` columns of raw bytes at (y, x): printable text as
 * it is (UTF-8 when the locale is), tabs as spaces, any other byte or
 * invalid sequence as '?'. Escape sequences never reach the terminal.
 * Bytes with hl[i] set are shown reversed. Returns the columns used.
 */
int tty_put_hl(int y, int x, int width, const char *s, size_t len,
		  attr_t attr, const unsigned char *hl)
{
	int max = tty_room(y, x);
	if (width > max)
		width = max;
	if (width <= 0)
		return 0;
	struct cells c = { .x = x, .y = y, .attr = attr };
	int col = 0, pending = 0; /* columns of what is in c.buf */
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t i = 0;
	while (i < len && col < width) {
		unsigned char b = (unsigned char)s[i];
		attr_t a = hl && hl[i] ? attr | A_REVERSE : attr;
		wchar_t wc = '?';
		size_t adv = 1;
		int w = 1, spaces = 0;
		if (b == '\t') {
			spaces = 8 - col % 8;
		} else if (b < 0x80) {
			if (b >= 0x20 && b < 0x7f)
				wc = b;
		} else if (T.utf8) {
			size_t r = mbrtowc(&wc, s + i, len - i, &st);
			if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
				memset(&st, 0, sizeof(st));
				wc = '?';
			} else {
				adv = r;
				w = iswprint((wint_t)wc) ? wcwidth(wc) : -1;
				if (w == 0) { /* combining, invisible: leave out */
					i += adv;
					continue;
				}
				if (w < 0 || w > 2) {
					wc = '?';
					w = 1;
				}
			}
		}
		if (a != c.attr || c.n + 8 >= (int)ARRAY_SIZE(c.buf)) {
			cells_flush(&c, pending);
			pending = 0;
			c.attr = a;
		}
		if (spaces) {
			for (int k = 0; k < spaces && col < width; k++) {
				c.buf[c.n++] = ' ';
				col++;
				pending++;
			}
		} else {
			if (col + w > width)
				break;
			c.buf[c.n++] = wc;
			col += w;
			pending += w;
		}
		i += adv;
	}
	cells_flush(&c, pending);
	return col;
}

int tty_put(int y, int x, int width, const char *s, attr_t attr)
{
	return tty_put_hl(y, x, width, s, strlen(s), attr, NULL);
}

__attribute__((format(printf, 5, 6)))
int tty_putf(int y, int x, int width, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tty_put(y, x, width, buf, attr);
}

/* Right-aligned within [x, x + width). */
void tty_put_right(int y, int x, int width, const char *s, attr_t attr)
{
	int len = (int)strlen(s); /* ASCII only */
	if (len > width)
		return;
	tty_put(y, x + width - len, len, s, attr);
}

void tty_rule(int y)
{
	int w = tty_room(y, 0);
	if (w > 0)
		mvhline(y, 0, ACS_HLINE, w);
}

/* "[####------]" in `width` columns. */
void tty_bar(int y, int x, int width, int done, int total, attr_t attr)
{
	if (width < 3)
		return;
	int inner = width - 2, fill = 0;
	if (total > 0)
		fill = (int)((long long)inner * (done < total ? done : total) / total);
	char buf[512];
	size_t n = 0;
	buf[n++] = '[';
	for (int i = 0; i < inner && n + 4 < sizeof(buf); i++) {
		const char *c = i < fill ? (T.utf8 ? "\u2588" : "#")
					 : (T.utf8 ? "\u2591" : "-");
		size_t l = strlen(c);
		memcpy(buf + n, c, l);
		n += l;
	}
	buf[n++] = ']';
	buf[n] = '\0';
	tty_put(y, x, width, buf, attr);
}


void tty_put_keys(int y, const struct key_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	key_footer(t, T.utf8, &sb);
	tty_put(y, 0, COLS, sb.buf, tty_pair(P_DIM));
	strbuf_release(&sb);
}
