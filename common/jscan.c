/*
 * jscan: a pull scanner for JSON, and exact decimals from its numbers.
 *
 * The scanner is a small state machine over the caller's bytes: what may
 * come next (a value, a key, a ',' or the container's end) and a bit per open
 * container saying whether it is an object.  Strings are checked as they are
 * passed (escapes, surrogate pairs, UTF-8 without overlong forms, surrogates
 * or code points past U+10FFFF, no control bytes) but decoded only when a
 * reader asks, into its own bounded buffer; most strings a reader meets are
 * keys compared with a literal.  A failure is sticky: a scanner that refused
 * its text refuses every later call, so a reader cannot read on past it.
 *
 * jscan_rate() reads a number's digits without ever forming a double; the
 * exponent is clamped, so a number written with a million-digit exponent is
 * simply out of range.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "jscan.h"

enum {
	ST_VALUE,		/* a value must come: the top, after ':', after ',' in an array */
	ST_VALUE_OR_END,	/* just after '[' */
	ST_KEY,			/* after ',' in an object */
	ST_KEY_OR_END,		/* just after '{' */
	ST_NEXT,		/* after a value in a container: ',' or its end */
	ST_DONE,		/* the top value is whole */
	ST_FAILED,
};

#define RATE_EXP_CLAMP 1000000000LL	/* |exponent| read beyond this changes nothing */
#define RATE_MAX_DIGITS 38		/* every 38-digit number fits in struct dec's 128 bits */
#define RATE_MIN_LEAD (-12)		/* 1e-12: the smallest leading power of ten of a rate */
#define RATE_MAX_LEAD 15		/* 1e15 */

void
jscan_start(struct jscan *s, const char *text, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->text = s->p = s->tok = text;
	s->end = text + len;
	s->state = ST_VALUE;
}

void
jscan_start_at(struct jscan *s, const char *text, size_t len, unsigned line)
{
	jscan_start(s, text, len);
	s->line0 = line > 0 ? line - 1 : 0;
}

unsigned
jscan_line(const struct jscan *s)
{
	unsigned line = s->line0 + 1;

	for (const char *q = s->text; q < s->tok && q < s->end; q++)
		line += *q == '\n';
	return line;
}

/* Fails the scan at s->p: "line N: why". */
static enum jscan_token
fail(struct jscan *s, const char *why, char *err, size_t errlen)
{
	s->tok = s->p;
	err_set(err, errlen, "line %u: %s", jscan_line(s), why);
	s->state = ST_FAILED;
	return JSCAN_ERROR;
}

/* "unexpected 'x'" for the byte at s->p, or the end of the text. */
static enum jscan_token
unexpected(struct jscan *s, const char *wanted, char *err, size_t errlen)
{
	char why[96];

	if (s->p >= s->end)
		snprintf(why, sizeof(why), "unexpected end of the text (%s)", wanted);
	else if ((unsigned char)*s->p > 0x20 && (unsigned char)*s->p < 0x7f)
		snprintf(why, sizeof(why), "unexpected '%c' (%s)", *s->p, wanted);
	else
		snprintf(why, sizeof(why), "unexpected byte 0x%02x (%s)", (unsigned char)*s->p, wanted);
	return fail(s, why, err, errlen);
}

static void
skip_blanks(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* *out is set on failure too (to 0), so a caller decoding an escape the
 * scanner already checked needs no second path. */
static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at p (p < end, *p >= 0x80), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;	/* the second byte's range */

	if (*p >= 0xC2 && *p <= 0xDF)
		n = 2;
	else if (*p >= 0xE0 && *p <= 0xEF) {
		n = 3;
		if (*p == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (*p == 0xED)
			hi = 0x9F;	/* UTF-16 surrogates */
	} else if (*p >= 0xF0 && *p <= 0xF4) {
		n = 4;
		if (*p == 0xF0)
			lo = 0x90;	/* overlong */
		else if (*p == 0xF4)
			hi = 0x8F;	/* past U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* The string whose opening quote is at s->p; s->p ends past its closing one. */
static enum jscan_token
scan_string(struct jscan *s, enum jscan_token tok, char *err, size_t errlen)
{
	const char *p = ++s->p;
	unsigned u, lo;

	s->str.escaped = 0;
	s->str.p = p;
	for (;;) {
		while (p < s->end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' && (unsigned char)*p < 0x80)
			p++;
		s->p = p;
		if (p >= s->end)
			return fail(s, "unexpected end of the text in a string", err, errlen);
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20)
			return fail(s, "a control byte in a string (it must be written as an escape)", err, errlen);
		if ((unsigned char)*p >= 0x80) {
			size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)s->end);
			if (n == 0)
				return fail(s, "a string that is not valid UTF-8", err, errlen);
			p += n;
			continue;
		}
		/* A backslash. */
		s->str.escaped = 1;
		if (p + 1 >= s->end)
			return fail(s, "unexpected end of the text in a string", err, errlen);
		if (strchr("\"\\/bfnrt", p[1]) != NULL && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (p[1] != 'u')
			return fail(s, "an unknown escape in a string", err, errlen);
		if (s->end - p < 6 || hex4(p + 2, &u) == -1)
			return fail(s, "'\\u' not followed by 4 hex digits", err, errlen);
		if (u == 0)
			return fail(s, "'\\u0000' in a string", err, errlen);
		if (u >= 0xDC00 && u <= 0xDFFF)
			return fail(s, "a low surrogate '\\u' escape with no high one before it", err, errlen);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (s->end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) == -1 ||
			    lo < 0xDC00 || lo > 0xDFFF)
				return fail(s, "a high surrogate '\\u' escape with no low one after it", err, errlen);
			p += 6;
		}
		p += 6;
	}
	s->str.n = (size_t)(p - s->str.p);
	s->p = p + 1;
	return tok;
}

static int
is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static enum jscan_token
scan_number(struct jscan *s, char *err, size_t errlen)
{
	const char *p = s->p;

	if (*p == '-')
		p++;
	if (!is_digit(p, s->end)) {
		s->p = p;
		return unexpected(s, "a digit", err, errlen);
	}
	if (*p == '0')
		p++;
	else
		while (is_digit(p, s->end))
			p++;
	if (p < s->end && *p == '.') {
		if (!is_digit(++p, s->end)) {
			s->p = p;
			return unexpected(s, "a digit after '.'", err, errlen);
		}
		while (is_digit(p, s->end))
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, s->end)) {
			s->p = p;
			return unexpected(s, "a digit in the exponent", err, errlen);
		}
		while (is_digit(p, s->end))
			p++;
	}
	s->num_len = (size_t)(p - s->p);
	s->p = p;
	return JSCAN_NUMBER;
}

static enum jscan_token
scan_literal(struct jscan *s, const char *word, enum jscan_token tok, char *err, size_t errlen)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return unexpected(s, "a value", err, errlen);
	s->p += n;
	return tok;
}

static int
top_is_object(const struct jscan *s)
{
	unsigned d = s->depth - 1;

	return (s->objects[d / 8] >> (d % 8)) & 1;
}

static enum jscan_token
open_container(struct jscan *s, int object, char *err, size_t errlen)
{
	unsigned d = s->depth;

	if (d >= JSCAN_MAX_DEPTH)
		return fail(s, "nested more than 256 deep", err, errlen);
	if (object)
		s->objects[d / 8] |= (unsigned char)(1u << (d % 8));
	else
		s->objects[d / 8] &= (unsigned char)~(1u << (d % 8));
	s->depth++;
	s->p++;
	s->state = object ? ST_KEY_OR_END : ST_VALUE_OR_END;
	return object ? JSCAN_OBJECT : JSCAN_ARRAY;
}

static enum jscan_token
close_container(struct jscan *s)
{
	enum jscan_token tok = top_is_object(s) ? JSCAN_OBJECT_END : JSCAN_ARRAY_END;

	s->depth--;
	s->p++;
	s->state = s->depth == 0 ? ST_DONE : ST_NEXT;
	return tok;
}

static enum jscan_token
scan_value(struct jscan *s, char *err, size_t errlen)
{
	enum jscan_token tok;

	if (s->p >= s->end)
		return unexpected(s, "a value", err, errlen);
	switch (*s->p) {
	case '{':
		return open_container(s, 1, err, errlen);
	case '[':
		return open_container(s, 0, err, errlen);
	case '"':
		tok = scan_string(s, JSCAN_STRING, err, errlen);
		break;
	case 't':
		tok = scan_literal(s, "true", JSCAN_TRUE, err, errlen);
		break;
	case 'f':
		tok = scan_literal(s, "false", JSCAN_FALSE, err, errlen);
		break;
	case 'n':
		tok = scan_literal(s, "null", JSCAN_NULL, err, errlen);
		break;
	default:
		tok = *s->p == '-' || (*s->p >= '0' && *s->p <= '9') ? scan_number(s, err, errlen) :
		    unexpected(s, "a value", err, errlen);
		break;
	}
	if (tok != JSCAN_ERROR)
		s->state = s->depth == 0 ? ST_DONE : ST_NEXT;
	return tok;
}

static enum jscan_token
scan_key(struct jscan *s, char *err, size_t errlen)
{
	if (s->p >= s->end || *s->p != '"')
		return unexpected(s, "a member name in quotes", err, errlen);
	if (scan_string(s, JSCAN_KEY, err, errlen) == JSCAN_ERROR)
		return JSCAN_ERROR;
	skip_blanks(s);
	if (s->p >= s->end || *s->p != ':')
		return unexpected(s, "':' after a member name", err, errlen);
	s->p++;
	s->state = ST_VALUE;
	return JSCAN_KEY;
}

enum jscan_token
jscan_next(struct jscan *s, char *err, size_t errlen)
{
	if (s->state == ST_FAILED) {
		err_set(err, errlen, "the text was refused already");
		return JSCAN_ERROR;
	}
	for (;;) {
		skip_blanks(s);
		s->tok = s->p;
		switch (s->state) {
		case ST_DONE:
			if (s->p < s->end)
				return unexpected(s, "nothing after the value", err, errlen);
			return JSCAN_END;
		case ST_NEXT:
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				s->state = top_is_object(s) ? ST_KEY : ST_VALUE;
				continue;
			}
			if (s->p < s->end && *s->p == (top_is_object(s) ? '}' : ']'))
				return close_container(s);
			return unexpected(s, top_is_object(s) ? "',' or '}'" : "',' or ']'", err, errlen);
		case ST_KEY_OR_END:
			if (s->p < s->end && *s->p == '}')
				return close_container(s);
			return scan_key(s, err, errlen);
		case ST_KEY:
			return scan_key(s, err, errlen);
		case ST_VALUE_OR_END:
			if (s->p < s->end && *s->p == ']')
				return close_container(s);
			return scan_value(s, err, errlen);
		default:
			return scan_value(s, err, errlen);
		}
	}
}

int
jscan_skip(struct jscan *s, enum jscan_token first, char *err, size_t errlen)
{
	unsigned depth;

	if (first != JSCAN_OBJECT && first != JSCAN_ARRAY)
		return first == JSCAN_ERROR ? -1 : 0;
	/* The container just opened is at depth; it ends when depth drops below. */
	depth = s->depth;
	while (s->depth >= depth)
		if (jscan_next(s, err, errlen) == JSCAN_ERROR)
			return -1;
	return 0;
}

/* Appends code point u as UTF-8 at out[*j], as far as outlen allows (the
 * count goes on beyond it). */
static void
put_utf8(char *out, size_t outlen, size_t *j, unsigned u)
{
	unsigned char b[4];
	size_t n;

	if (u < 0x80) {
		b[0] = (unsigned char)u;
		n = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xC0 | (u >> 6));
		b[1] = (unsigned char)(0x80 | (u & 0x3F));
		n = 2;
	} else if (u < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (u >> 12));
		b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (u & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (u >> 18));
		b[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (u & 0x3F));
		n = 4;
	}
	for (size_t i = 0; i < n; i++, (*j)++)
		if (*j + 1 < outlen)
			out[*j] = (char)b[i];
}

size_t
jscan_string(const struct jscan_str *t, char *out, size_t outlen)
{
	const char *p = t->p, *end = t->p + t->n;
	size_t j = 0;
	unsigned u, lo;

	/* The scanner checked every escape, so decoding trusts them. */
	while (p < end) {
		if (*p != '\\') {
			if (j + 1 < outlen)
				out[j] = *p;
			j++;
			p++;
			continue;
		}
		switch (p[1]) {
		case 'b': u = '\b'; break;
		case 'f': u = '\f'; break;
		case 'n': u = '\n'; break;
		case 'r': u = '\r'; break;
		case 't': u = '\t'; break;
		case 'u':
			(void)hex4(p + 2, &u);
			if (u >= 0xD800 && u <= 0xDBFF) {
				(void)hex4(p + 8, &lo);
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			p += 4;
			break;
		default: u = (unsigned char)p[1]; break;
		}
		p += 2;
		put_utf8(out, outlen, &j, u);
	}
	if (outlen > 0)
		out[j < outlen ? j : outlen - 1] = '\0';
	return j;
}

int
jscan_string_is(const struct jscan_str *t, const char *lit)
{
	char buf[64];
	size_t n = strlen(lit);

	if (!t->escaped)
		return t->n == n && memcmp(t->p, lit, n) == 0;
	return n < sizeof(buf) && jscan_string(t, buf, sizeof(buf)) == n && memcmp(buf, lit, n) == 0;
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

enum jscan_rate_result
jscan_rate(const char *s, size_t n, struct dec *out)
{
	const char *p = s, *end = s + n;
	struct mantissa m = { NULL, NULL, 0, 0 };
	long long exp = 0, scale;
	size_t len, first = 0, last;
	int exp_neg = 0;

	if (p < end && *p == '-')
		return JSCAN_RATE_NOT_POSITIVE;	/* "-0" included: zero is not positive either */
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
			if (exp < RATE_EXP_CLAMP)
				exp = exp * 10 + (*p - '0');
	}
	if (exp_neg)
		exp = -exp;
	len = m.ni + m.nf;
	while (first < len && digit_at(&m, first) == 0)
		first++;
	if (first == len)
		return JSCAN_RATE_NOT_POSITIVE;
	/* The digit at k stands for 10^(len - 1 - k - nf + exp). */
	long long lead = (long long)(len - 1 - first) - (long long)m.nf + exp;
	if (lead < RATE_MIN_LEAD || lead > RATE_MAX_LEAD)
		return JSCAN_RATE_OUT_OF_RANGE;
	/* Every digit as written; zeros at the end are dropped only where they do not fit. */
	last = len;
	scale = (long long)m.nf - exp;
	while ((scale > DEC_MAX_SCALE || last - first > RATE_MAX_DIGITS) && digit_at(&m, last - 1) == 0) {
		last--;
		scale--;
	}
	if (scale > DEC_MAX_SCALE || last - first > RATE_MAX_DIGITS)
		return JSCAN_RATE_TOO_PRECISE;
	out->m = 0;
	for (size_t k = first; k < last; k++)
		out->m = out->m * 10 + (unsigned)digit_at(&m, k);
	/* An integer written with an exponent: lead <= 15 keeps it within 16 digits. */
	for (; scale < 0; scale++)
		out->m *= 10;
	out->scale = (int)scale;
	return JSCAN_RATE_OK;
}

void
jscan_rate_refusal(enum jscan_rate_result got, char *err, size_t errlen)
{
	if (got == JSCAN_RATE_OUT_OF_RANGE)
		err_set(err, errlen, "outside 1e-12 .. 1e15");
	else if (got == JSCAN_RATE_TOO_PRECISE)
		err_set(err, errlen, "more than %d decimals or 38 digits (rates are kept digit for digit)",
		    DEC_MAX_SCALE);
	else
		err_set(err, errlen, "must be a number > 0");
}
