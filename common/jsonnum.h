/*
 * jsonnum: the numbers of a JSON text as they are written.
 *
 * jansson gives a number as a double, whose 53 bits hold 15 to 17 significant
 * digits: "1.1234567890123456" comes back as 1.1234567890123457.  Rates must
 * be kept digit for digit, so a reader takes each number's text from the
 * document instead: a cursor walks its number tokens in document order, and
 * jsonnum_rate() turns one into an exact decimal.  Pure; a cursor belongs to
 * one thread.
 */
#ifndef CCONV_JSONNUM_H
#define CCONV_JSONNUM_H

#include <stddef.h>

#include "money.h"

/* The number tokens of one JSON text, read front to back. */
struct jsonnum_cursor {
	const char *text, *p, *end;
	size_t next;		/* index of the first token at or after p */
};

/* A cursor over text[0..len), which must be valid JSON (parsed already):
 * strings are skipped by their quotes alone. */
void jsonnum_start(struct jsonnum_cursor *c, const char *text, size_t len);

/*
 * The index-th number token of the text (0 is the first in document order)
 * into *s and *n, borrowed from the text; 0, or -1 when there are fewer.
 * Increasing indexes cost one pass over the text in all; a smaller index
 * than the last starts again from the front.
 */
int jsonnum_token(struct jsonnum_cursor *c, size_t index, const char **s, size_t *n);

enum jsonnum_result {
	JSONNUM_OK,
	JSONNUM_NOT_POSITIVE,	/* zero or negative */
	JSONNUM_OUT_OF_RANGE,	/* below 1e-12 or above 1e15 by its leading digit */
	JSONNUM_TOO_PRECISE	/* more than DEC_MAX_SCALE decimals or 38 digits, zeros after the last
				 * other digit aside */
};

/*
 * A JSON number token (-?int(.frac)?([eE][+-]?digits)?, as jsonnum_token()
 * gives it) as an exact decimal: every digit written, trailing zeros
 * included ("0.86080" keeps scale 5, "1.5e-3" is 0.0015, "2E2" is 200).
 * Range within 1e-12 .. 1e15 is checked only by the leading digit: the exact
 * bounds are rates_add()'s.
 */
enum jsonnum_result jsonnum_rate(const char *s, size_t n, struct dec *out);

#endif
