/*
 * buf: capped growable text.  Answers are built here, so the cap is what keeps
 * one request from ever growing memory without bound.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}

static int
buf_reserve(struct buf *b, size_t n)
{
	size_t want, size;
	char *p;

	if (b->failed)
		return -1;
	if (n > b->cap || b->len > b->cap - n) {
		b->failed = BUF_TOO_LARGE;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->size)
		return 0;
	size = b->size ? b->size : 256;
	while (size < want)
		size *= 2;
	if ((p = realloc(b->data, size)) == NULL) {
		b->failed = BUF_NO_MEMORY;
		return -1;
	}
	b->data = p;
	b->size = size;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/*
 * Answers are built from many short lines, and almost every one fits in the
 * room the buffer already has: it is formatted once, straight into that room.
 * Only a line that does not fit is measured and formatted again after growing.
 */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->data == NULL && buf_reserve(b, 0) == -1)
		return -1;
	room = b->failed ? 0 : b->size - b->len;
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {		/* more than INT_MAX bytes: no answer is that large */
		b->failed = BUF_TOO_LARGE;
		return -1;
	}
	if ((size_t)n < room) {
		if ((size_t)n > b->cap - b->len) {
			b->data[b->len] = '\0';
			b->failed = BUF_TOO_LARGE;
			return -1;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (buf_reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
buf_json_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_append(b, "\"", 1);
	while (i < n) {
		unsigned char c = p[i];
		size_t l;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			buf_append(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
			i++;
		} else if ((l = utf8_len(p + i, n - i)) == 0) {
			buf_puts(b, "\\ufffd");
			i++;
		} else {
			buf_append(b, p + i, l);
			i += l;
		}
	}
	return buf_append(b, "\"", 1);
}

enum buf_failure
buf_failed(const struct buf *b)
{
	return b->failed;
}

void
buf_shrink(struct buf *b)
{
	char *p;

	if (b->data == NULL || b->len + 1 == b->size)
		return;
	if ((p = realloc(b->data, b->len + 1)) != NULL) {
		b->data = p;
		b->size = b->len + 1;
	}
}

char *
buf_steal(struct buf *b, size_t *len)
{
	char *p;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	if (b->data == NULL && buf_append(b, "", 0) == -1)
		return NULL;
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->size = 0;
	return p;
}

void
buf_quote(char *out, size_t outlen, const char *s, size_t n)
{
	size_t j = 0;

	if (outlen == 0)
		return;
	/* Each byte copied leaves room for "..." and the NUL after it. */
	for (size_t i = 0; i < n && j + 4 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > j && j + 4 <= outlen) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

void
buf_scrub(char *s, size_t n)
{
	unsigned char *p = (unsigned char *)s;
	size_t i = 0, l;

	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			p[i++] = '?';
		} else if ((l = utf8_len(p + i, n - i)) == 0 || (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			/* C1 controls are U+0080..U+009F: 0xc2 0x80..0xc2 0x9f. */
			p[i++] = '?';
		} else {
			i += l;
		}
	}
}
