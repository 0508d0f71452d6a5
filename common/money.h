/*
 * money: exact decimal numbers for amounts and rates, and the conversion rule.
 *
 * A struct dec is m × 10^-scale with m an unsigned 128-bit integer, so
 * 23-digit amounts (15 integer digits + 8 decimals) and 30-digit rates are held
 * exactly; no double ever carries a value that is printed.  Conversion computes
 * amount × to ÷ from exactly (multi-word integer arithmetic) and rounds once,
 * half away from zero, to the target's minor units: Council Regulation (EC)
 * 1103/97, art. 5.  Values are plain structs owned by the caller; every function
 * is pure and thread-safe.
 */
#ifndef CCONV_MONEY_H
#define CCONV_MONEY_H

#include <stddef.h>

#define MONEY_INT_DIGITS 15	/* most integer digits an amount may have */
#define MONEY_FRAC_DIGITS 8	/* most decimals an amount may have */
#define DEC_MAX_SCALE 30	/* most decimals a rate may have */
#define DEC_STRLEN 64		/* enough for any formatted struct dec */

struct dec {
	unsigned __int128 m;
	int scale;		/* 0 .. DEC_MAX_SCALE */
};

/*
 * Parses an amount typed by a person or sent in a URL: digits with an optional
 * '.' and decimals ("123", "123.45", ".5"), at most MONEY_INT_DIGITS integer
 * digits (leading zeros not counted) and MONEY_FRAC_DIGITS decimals.  Signs,
 * exponents, spaces, "NaN", "inf", "0x10", "1,5", "5." and the empty string are
 * refused.  s need not be NUL-terminated and may hold NUL bytes.  Returns 0, or
 * -1 with a sentence in err that quotes the input (bounded and made printable):
 * "amount '1e3': only digits and one '.' are allowed".
 */
int money_parse_amount(const char *s, size_t n, struct dec *out, char *err, size_t errlen);

/*
 * Parses a rate written as plain decimal text ("0.86080", "163.36", "1"),
 * keeping every digit.  Returns 0, or -1 when the text is not a plain decimal
 * or needs more than DEC_MAX_SCALE decimals or 38 digits.
 */
int dec_parse(const char *s, size_t n, struct dec *out);

/*
 * The shortest decimal that reads back as v (so 1.0512 parsed by a JSON library
 * as a double comes back as exactly 1.0512).  Returns 0, or -1 when v is not
 * finite, not > 0, or outside 1e-12 .. 1e15.
 */
int dec_from_double(double v, struct dec *out);

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
int dec_cmp(const struct dec *a, const struct dec *b);

/* Removes trailing fractional zeros (1.2500 -> 1.25). */
void dec_trim(struct dec *d);

/* Number of significant digits of m (0 has 1). */
int dec_digits(const struct dec *d);

/*
 * Writes d in plain notation with exactly d->scale decimals ("88.40", "16253",
 * "0.000123"), NUL-terminated; out needs DEC_STRLEN bytes.  Returns the length.
 */
size_t dec_format(const struct dec *d, char *out, size_t outlen);

/*
 * amount × to ÷ from, rounded half away from zero to `scale` decimals.
 * Returns 0, or -1 when from is zero or the result does not fit in 38 digits.
 */
int money_muldiv(const struct dec *amount, const struct dec *to, const struct dec *from, int scale,
    struct dec *out);

/*
 * amount × to ÷ from rounded half away from zero to `sig` significant digits
 * (1..30), trailing zeros removed.  The cross rate printed beside a
 * conversion.  Returns 0, or -1 as money_muldiv().
 */
int money_muldiv_sig(const struct dec *amount, const struct dec *to, const struct dec *from, int sig,
    struct dec *out);

/*
 * The mean of v[0..n) rounded half away from zero to `sig` significant
 * digits (1..30), trailing zeros removed: the sum is exact, then divided
 * once.  One value is itself, not rounded.  Returns 0, or -1 when n is 0 or
 * the sum needs more than 38 digits.
 */
int money_mean(const struct dec *v, size_t n, int sig, struct dec *out);

#endif
