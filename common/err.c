/*
 * err: set, prefix and append for the error buffers every module fills.
 *
 * The buffer is always fully owned by the caller; the helpers never allocate,
 * so they work after an allocation failure too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* Length of s[0..len) without a trailing incomplete UTF-8 sequence, so a
 * message cut at a byte count never ends in half a character. */
static size_t
utf8_whole(const char *s, size_t len)
{
	size_t lead = len, need;
	unsigned char c;

	while (lead > 0 && len - lead < 3 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return len;
	c = (unsigned char)s[lead - 1];
	if (c < 0xC0)
		return len;	/* ASCII, or a stray continuation: nothing to finish */
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	return len - (lead - 1) < need ? lead - 1 : len;
}

/* Formats into err; a cut result loses its trailing partial character. */
static void __attribute__((format(printf, 3, 0)))
vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
	int n = vsnprintf(err, errlen, fmt, ap);

	if (n < 0)
		err[0] = '\0';
	else if ((size_t)n >= errlen)
		err[utf8_whole(err, errlen - 1)] = '\0';
}

void
err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vset(err, errlen, fmt, ap);
	va_end(ap);
}

void
err_vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err == NULL || errlen == 0)
		return;
	vset(err, errlen, fmt, ap);
}

void
err_prefix(char *err, size_t errlen, const char *fmt, ...)
{
	char subject[512];
	size_t slen, rlen;
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(subject, sizeof(subject), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	slen = strnlen(subject, sizeof(subject));
	if ((size_t)n >= sizeof(subject))
		slen = utf8_whole(subject, slen);
	if (slen + 2 >= errlen) {
		err_set(err, errlen, "%.*s", (int)slen, subject);
		return;
	}
	rlen = strnlen(err, errlen);
	if (slen + 2 + rlen >= errlen)
		rlen = utf8_whole(err, errlen - 1 - slen - 2);
	memmove(err + slen + 2, err, rlen);
	memcpy(err, subject, slen);
	err[slen] = ':';
	err[slen + 1] = ' ';
	err[slen + 2 + rlen] = '\0';
}

void
err_append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	used = strnlen(err, errlen);
	if (used >= errlen) {
		err[utf8_whole(err, errlen - 1)] = '\0';
		return;
	}
	if (used > 0) {
		if (used + 2 >= errlen)
			return;
		err[used++] = ';';
		err[used++] = ' ';
		err[used] = '\0';
	}
	va_start(ap, fmt);
	vset(err + used, errlen - used, fmt, ap);
	va_end(ap);
}
