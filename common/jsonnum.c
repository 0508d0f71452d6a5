/*
 * jsonnum: number tokens of a JSON text, and their exact values.
 *
 * The cursor needs no JSON parser of its own because the text has been
 * parsed already: outside strings, a number is the only token that holds a
 * digit or '-', and a string's end is its first quote not escaped by a
 * backslash.  jsonnum_rate() reads the digits without ever forming a double;
 * the exponent is clamped, so a number written with a million-digit exponent
 * is simply out of range.
 */
#include <string.h>

#include "jsonnum.h"

#define JSONNUM_EXP_CLAMP 1000000000LL	/* |exponent| read beyond this changes nothing */
#define JSONNUM_MAX_DIGITS 38		/* every 38-digit number fits in struct dec's 128 bits */
#define JSONNUM_MIN_LEAD (-12)		/* 1e-12: the smallest leading power of ten of a rate */
#define JSONNUM_MAX_LEAD 15		/* 1e15 */

void
jsonnum_start(struct jsonnum_cursor *c, const char *text, size_t len)
{
	c->text = c->p = text;
	c->end = text + len;
	c->next = 0;
}

static int
is_num_char(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E';
}

int
jsonnum_token(struct jsonnum_cursor *c, size_t index, const char **s, size_t *n)
{
	if (index < c->next) {
		c->p = c->text;
		c->next = 0;
	}
	while (c->p < c->end) {
		char ch = *c->p;
		if (ch == '"') {
			for (c->p++; c->p < c->end && *c->p != '"'; c->p++)
				if (*c->p == '\\')
					c->p++;
			c->p++;
			continue;
		}
		if (ch != '-' && (ch < '0' || ch > '9')) {
			c->p++;
			continue;
		}
		const char *start = c->p;
		while (c->p < c->end && is_num_char(*c->p))
			c->p++;
		if (c->next++ == index) {
			*s = start;
			*n = (size_t)(c->p - start);
			return 0;
		}
	}
	return -1;
}

/* Where the mantissa's digits are: ni of them at ip, then nf at fp. */
struct mantissa {
	const char *ip, *fp;
	size_t ni, nf;
};

static int
digit_at(const struct mantissa *m, size_t k)
{
	return (k < m->ni ? m->ip[k] : m->fp[k - m->ni]) - '0';
}

enum jsonnum_result
jsonnum_rate(const char *s, size_t n, struct dec *out)
{
	const char *p = s, *end = s + n;
	struct mantissa m = { NULL, NULL, 0, 0 };
	long long exp = 0, scale;
	size_t len, first = 0, last;
	int exp_neg = 0;

	if (p < end && *p == '-')
		return JSONNUM_NOT_POSITIVE;	/* "-0" included: zero is not positive either */
	for (m.ip = p; p < end && *p >= '0' && *p <= '9'; p++)
		m.ni++;
	if (p < end && *p == '.')
		for (m.fp = ++p; p < end && *p >= '0' && *p <= '9'; p++)
			m.nf++;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			exp_neg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (exp < JSONNUM_EXP_CLAMP)
				exp = exp * 10 + (*p - '0');
	}
	if (exp_neg)
		exp = -exp;
	len = m.ni + m.nf;
	while (first < len && digit_at(&m, first) == 0)
		first++;
	if (first == len)
		return JSONNUM_NOT_POSITIVE;
	/* The digit at k stands for 10^(len - 1 - k - nf + exp). */
	long long lead = (long long)(len - 1 - first) - (long long)m.nf + exp;
	if (lead < JSONNUM_MIN_LEAD || lead > JSONNUM_MAX_LEAD)
		return JSONNUM_OUT_OF_RANGE;
	/* Every digit as written; zeros at the end are dropped only where they do not fit. */
	last = len;
	scale = (long long)m.nf - exp;
	while ((scale > DEC_MAX_SCALE || last - first > JSONNUM_MAX_DIGITS) && digit_at(&m, last - 1) == 0) {
		last--;
		scale--;
	}
	if (scale > DEC_MAX_SCALE || last - first > JSONNUM_MAX_DIGITS)
		return JSONNUM_TOO_PRECISE;
	out->m = 0;
	for (size_t k = first; k < last; k++)
		out->m = out->m * 10 + (unsigned)digit_at(&m, k);
	/* An integer written with an exponent: lead <= 15 keeps it within 16 digits. */
	for (; scale < 0; scale++)
		out->m *= 10;
	out->scale = (int)scale;
	return JSONNUM_OK;
}
