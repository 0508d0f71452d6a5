/*
 * jscan: a JSON text read token by token, with no tree.
 *
 * The rates documents cconv reads are up to FEED_MAX_BODY bytes; a parser that
 * builds the whole document as a tree costs many times that.  A scanner pulls
 * one token at a time from the caller's buffer instead, checking the grammar
 * of RFC 8259 as it goes (nesting, commas and colons, string escapes, \u
 * surrogate pairs, UTF-8, number syntax), so a reader keeps only what it
 * wants.  Numbers are handed over as their text and read as exact decimals by
 * jscan_rate(), never through a double: a rate is kept digit for digit.
 *
 * Pure; a scanner belongs to one thread.  Every pointer it gives is borrowed
 * from the caller's text, which must outlive the scanner.
 */
#ifndef CCONV_JSCAN_H
#define CCONV_JSCAN_H

#include <stddef.h>

#include "money.h"

#define JSCAN_MAX_DEPTH 256	/* nested arrays and objects; deeper is refused */

enum jscan_token {
	JSCAN_ERROR = -1,	/* the text is not JSON; jscan_next()'s err says why */
	JSCAN_END = 0,		/* the value is complete and only blanks follow */
	JSCAN_OBJECT,		/* '{' */
	JSCAN_OBJECT_END,	/* '}' */
	JSCAN_ARRAY,		/* '[' */
	JSCAN_ARRAY_END,	/* ']' */
	JSCAN_KEY,		/* a member's name (its ':' read too); its value comes next */
	JSCAN_STRING,
	JSCAN_NUMBER,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
};

/* A string's or key's bytes between its quotes, as written (checked, not decoded). */
struct jscan_str {
	const char *p;
	size_t n;
	int escaped;		/* it holds a backslash escape */
};

struct jscan {
	const char *text, *p, *end;
	const char *tok;	/* the current token's first byte: '{', '"', a digit… */
	struct jscan_str str;	/* the current string or key */
	size_t num_len;		/* a number token's length from tok */
	int state;
	unsigned line0;		/* the line the text starts on, less one */
	unsigned depth;
	unsigned char objects[JSCAN_MAX_DEPTH / 8];	/* bit set: that level is an object */
};

/* A scanner over text[0..len), which holds one JSON value (any type) and
 * blanks around it; nothing is read yet. */
void jscan_start(struct jscan *s, const char *text, size_t len);

/* jscan_start() for text that begins on line `line` (from 1) of a larger
 * document, such as one line of NDJSON: jscan_line() and the messages count
 * from there. */
void jscan_start_at(struct jscan *s, const char *text, size_t len, unsigned line);

/*
 * The next token.  JSCAN_ERROR with err holding the reason and the line
 * ("line 3: unexpected end of the text", "line 1: '\u' not followed by 4 hex
 * digits"), and every later call returns it again; JSCAN_END once the value
 * is whole and nothing but blanks follows.  A number's text is
 * s->tok[0..s->num_len); a string's or key's is s->str, read with
 * jscan_string() (a copy of s->str stays readable while the text lives).
 */
enum jscan_token jscan_next(struct jscan *s, char *err, size_t errlen);

/* The line (from 1) of the current token, or of the refusal: for a
 * reader's own messages about what it read.  Counts from the text's start. */
unsigned jscan_line(const struct jscan *s);

/*
 * After jscan_next() returned first, reads to the end of that value: the
 * whole of an object or array, nothing more for a scalar.  0, or -1 with err
 * set as by jscan_next().
 */
int jscan_skip(struct jscan *s, enum jscan_token first, char *err, size_t errlen);

/*
 * A string or key, its escapes decoded to UTF-8, into out: at most
 * outlen - 1 bytes and a NUL (outlen > 0).  Returns the decoded length, which
 * is >= outlen when out holds only its start.  The scanner refused \u0000,
 * so a decoded string never holds a NUL byte.
 */
size_t jscan_string(const struct jscan_str *t, char *out, size_t outlen);

/* Whether a string or key, decoded, is exactly lit. */
int jscan_string_is(const struct jscan_str *t, const char *lit);

/* Outcomes of jscan_rate(). */
enum jscan_rate_result {
	JSCAN_RATE_OK,
	JSCAN_RATE_NOT_POSITIVE,	/* zero or negative */
	JSCAN_RATE_OUT_OF_RANGE,	/* below 1e-12 or above 1e15 by its leading digit */
	JSCAN_RATE_TOO_PRECISE		/* more than DEC_MAX_SCALE decimals or 38 digits, zeros after the
					 * last other digit aside */
};

/*
 * A number token's text (-?int(.frac)?([eE][+-]?digits)?, as jscan_next()
 * gives it) as an exact decimal: every digit written, trailing zeros
 * included ("0.86080" keeps scale 5, "1.5e-3" is 0.0015, "2E2" is 200).
 * Range within 1e-12 .. 1e15 is checked only by the leading digit: the exact
 * bounds are rates_add()'s.  The one way cconv reads a JSON number.
 */
enum jscan_rate_result jscan_rate(const char *s, size_t n, struct dec *out);

/* Sets err to why jscan_rate() refused a rate (got is not JSCAN_RATE_OK),
 * without naming it: "must be a number > 0", "outside 1e-12 .. 1e15", "more
 * than 30 decimals or 38 digits (rates are kept digit for digit)".  A value
 * that is not a number at all gets the first. */
void jscan_rate_refusal(enum jscan_rate_result got, char *err, size_t errlen);

#endif
