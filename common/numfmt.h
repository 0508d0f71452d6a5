/*
 * numfmt: numbers as a person writes them, by the conventions of their
 * locale's LC_NUMERIC (decimal point, thousands separator, grouping).
 *
 * Out: numfmt_group() writes the exact decimal text of dec_format()
 * ("1234567.50") the locale's way ("1,234,567.50", "1.234.567,50",
 * "1 234 567,50"), digit for digit; no double is ever involved.
 *
 * In: numfmt_parse_amount() reads what money_parse_amount() reads, and an
 * amount written with separators when the writing can mean one number only:
 *   - '_' and spaces (also U+00A0, U+2009, U+202F) and the locale's own
 *     separator when it is another character (U+2019, "'") only ever
 *     separate groups: "1_000", "1 000,50";
 *   - with both '.' and ',' the last is the decimal point: "1,000.50",
 *     "1.000,50";
 *   - a mark that appears twice or more separates groups: "1,000,000";
 *   - a lone ',' or '.' is the decimal point unless it could separate
 *     thousands ("1,000", "12.500"); then the locale decides where it is
 *     that clear: ',' groups where it is the thousands separator, either is
 *     the decimal point where it is the locale's.  '.' where it separates
 *     thousands (de_DE) is also every program's decimal point, so "1.500"
 *     there is ambiguous, as "1,000" is in the C locale; a lone ',' that
 *     cannot group ("100,50") is the decimal point only where the locale
 *     says so.  An ambiguous amount is refused with the ways to write each
 *     reading, never guessed;
 *   - separators must sit between groups as the locale's grouping or the
 *     usual threes have them, one kind in a number, none after the point.
 * So every amount money_parse_amount() took keeps its meaning, except a
 * lone '.' before three digits where '.' separates thousands, which is
 * refused as ambiguous.
 *
 * Values are plain structs owned by the caller.  numfmt_from_environment()
 * sets the program's LC_NUMERIC for the time of the call, so it is for a
 * single-threaded start (cconv's main()); the rest is pure and thread-safe.
 */
#ifndef CCONV_NUMFMT_H
#define CCONV_NUMFMT_H

#include <stddef.h>

#include "money.h"

#define NUMFMT_MARK_MAX 8	/* bytes of a mark with its NUL: one UTF-8 character */
#define NUMFMT_GROUPING_MAX 8	/* bytes of a grouping with its NUL */
#define NUMFMT_STRLEN 256	/* enough for any dec_format() text, grouped */

/* A locale's way with numbers; numfmt_c() or numfmt_from_environment()
 * fill it, or a caller (a test) spells it out. */
struct numfmt {
	char point[NUMFMT_MARK_MAX];	/* the decimal point: "." or "," */
	char sep[NUMFMT_MARK_MAX];	/* between groups of the integer part; "": none */
	/* localeconv()'s grouping: each byte a group's size, the rightmost
	 * first; the last repeats; CHAR_MAX or a size <= 0 ends the grouping */
	char grouping[NUMFMT_GROUPING_MAX];
};

/* The C locale's: "." and no grouping. */
void numfmt_c(struct numfmt *nf);

/*
 * The conventions of the LC_NUMERIC the environment names (LC_ALL,
 * LC_NUMERIC, LANG); the program's own LC_NUMERIC is as it was after.  0,
 * or -1 with the C locale's when that locale is not installed or its marks
 * do not fit.  Not thread-safe: no other thread may run.
 */
int numfmt_from_environment(struct numfmt *nf);

/*
 * plain, decimal text as dec_format() writes it ("1234567.50"), into out
 * (NUMFMT_STRLEN bytes) with nf's separator between the groups of its
 * integer part and nf's decimal point.  0, or -1 when plain is no such text
 * or out is too small (out then holds plain, cut to fit).
 */
int numfmt_group(const struct numfmt *nf, const char *plain, char *out, size_t outlen);

/*
 * An amount typed by a person, s[0..n), read by the rules above into out.
 * 0, or -1 with a sentence in err that quotes the input and, for an
 * ambiguous one, says how to write each reading: "amount '1.500' is
 * ambiguous: write 1500 if '.' separates thousands, or 1,500 if it is the
 * decimal point"; text with no separators gets money_parse_amount()'s
 * messages.
 */
int numfmt_parse_amount(const struct numfmt *nf, const char *s, size_t n, struct dec *out, char *err,
    size_t errlen);

#endif
