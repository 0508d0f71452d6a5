/*
 * money: exact decimals and the one conversion rule.
 *
 * A conversion is amount × to ÷ from.  With 23-digit amounts and rates of up to
 * 38 digits the intermediate product can reach ~140 digits, more than any
 * machine integer holds, so the arithmetic here works on small fixed-size
 * multi-word integers ("big", 32-bit limbs).  Only what conversion needs is
 * implemented: multiply, scale by powers of ten, compare, and divide with
 * remainder.  The quotient is rounded once, half away from zero (Council
 * Regulation (EC) 1103/97, art. 5); since every operand is positive, "away from
 * zero" is "up" and the test is 2 × remainder ≥ divisor.  When every
 * intermediate fits in 128 bits, as for nearly every real conversion, native
 * 128-bit arithmetic does the same work several times faster
 * (money_muldiv_pow10); the multi-word path stays as the reference and the
 * fallback (money_muldiv_pow10_big, both in money_internal.h for the tests).
 *
 * Nothing here allocates or keeps state; every function is thread-safe.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "money.h"
#include "money_internal.h"

#define BIG_LIMBS 24		/* 768 bits: far above the ~470 bits conversion needs */
#define U128_MAX_DIGITS 38	/* every 38-digit number fits in 128 bits */

typedef unsigned __int128 u128;

struct big {
	uint32_t w[BIG_LIMBS];	/* little-endian limbs */
	int n;			/* limbs in use; w[n-1] != 0 unless n == 0 */
};

static void
big_norm(struct big *b)
{
	while (b->n > 0 && b->w[b->n - 1] == 0)
		b->n--;
}

static void
big_from_u128(struct big *b, u128 v)
{
	memset(b, 0, sizeof(*b));
	while (v != 0) {
		b->w[b->n++] = (uint32_t)v;
		v >>= 32;
	}
}

/* -1 on overflow of BIG_LIMBS. */
static int
big_mul_u32(struct big *b, uint32_t k)
{
	uint64_t carry = 0;

	for (int i = 0; i < b->n; i++) {
		uint64_t t = (uint64_t)b->w[i] * k + carry;
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry != 0) {
		if (b->n == BIG_LIMBS)
			return -1;
		b->w[b->n++] = (uint32_t)carry;
	}
	big_norm(b);
	return 0;
}

static int
big_mul_pow10(struct big *b, int e)
{
	static const uint32_t pow10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000
	};

	while (e > 0) {
		int step = e > 9 ? 9 : e;
		if (big_mul_u32(b, pow10[step]) == -1)
			return -1;
		e -= step;
	}
	return 0;
}

static int
big_mul(struct big *out, const struct big *a, const struct big *b)
{
	struct big r;

	memset(&r, 0, sizeof(r));
	if (a->n + b->n > BIG_LIMBS)
		return -1;
	for (int i = 0; i < a->n; i++) {
		uint64_t carry = 0;
		for (int j = 0; j < b->n; j++) {
			uint64_t t = (uint64_t)a->w[i] * b->w[j] + r.w[i + j] + carry;
			r.w[i + j] = (uint32_t)t;
			carry = t >> 32;
		}
		r.w[i + b->n] = (uint32_t)carry;
	}
	r.n = a->n + b->n;
	big_norm(&r);
	*out = r;
	return 0;
}

static int
big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* a -= b, with a >= b. */
static void
big_sub(struct big *a, const struct big *b)
{
	int64_t borrow = 0;

	for (int i = 0; i < a->n; i++) {
		int64_t t = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
		borrow = t < 0;
		a->w[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
	}
	big_norm(a);
}

/* b = b * 2 + bit; -1 on overflow. */
static int
big_shl1_or(struct big *b, uint32_t bit)
{
	uint32_t carry = bit;

	for (int i = 0; i < b->n; i++) {
		uint32_t next = b->w[i] >> 31;
		b->w[i] = (b->w[i] << 1) | carry;
		carry = next;
	}
	if (carry != 0) {
		if (b->n == BIG_LIMBS)
			return -1;
		b->w[b->n++] = carry;
	}
	return 0;
}

static int
big_bits(const struct big *b)
{
	if (b->n == 0)
		return 0;
	int bits = (b->n - 1) * 32;
	for (uint32_t top = b->w[b->n - 1]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/*
 * q = n / d, rem = n % d, d != 0.  Divisors below 2^64 (nearly every
 * conversion) take the word-by-word path; larger ones fall back to binary long
 * division, which is slow only in bits of n, at most a few hundred.
 */
static void
big_divmod(const struct big *n, const struct big *d, struct big *q, struct big *rem)
{
	memset(q, 0, sizeof(*q));
	memset(rem, 0, sizeof(*rem));
	if (d->n <= 2) {
		uint64_t dv = d->w[0] | (d->n == 2 ? (uint64_t)d->w[1] << 32 : 0);
		u128 r = 0;
		for (int i = n->n - 1; i >= 0; i--) {
			u128 cur = (r << 32) | n->w[i];
			q->w[i] = (uint32_t)(cur / dv);
			r = cur % dv;
		}
		q->n = n->n;
		big_norm(q);
		big_from_u128(rem, r);
		return;
	}
	for (int i = big_bits(n) - 1; i >= 0; i--) {
		/* rem < d, so rem * 2 + 1 < 2d fits: no overflow possible. */
		(void)big_shl1_or(rem, (n->w[i / 32] >> (i % 32)) & 1);
		big_norm(rem);
		if (big_cmp(rem, d) >= 0) {
			big_sub(rem, d);
			q->w[i / 32] |= (uint32_t)1 << (i % 32);
			if (q->n < i / 32 + 1)
				q->n = i / 32 + 1;
		}
	}
	big_norm(q);
}

/* 10^k for k <= 38. */
static u128
pow10_u128(int k)
{
	u128 p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

/*
 * round_half_up(a × t ÷ f × 10^e) into *q.  -1 when f is zero, when an
 * intermediate does not fit, or when the result needs more than 38 digits.
 * The reference path: exact for every input, but a generic multi-word multiply
 * and long division cost far more than the 128-bit fast path below.
 */
int
money_muldiv_pow10_big(u128 a, u128 t, u128 f, int e, u128 *q)
{
	struct big ba, bt, num, den, quo, rem, twice;

	if (f == 0)
		return -1;
	big_from_u128(&ba, a);
	big_from_u128(&bt, t);
	big_from_u128(&den, f);
	if (big_mul(&num, &ba, &bt) == -1)
		return -1;
	if (e >= 0 ? big_mul_pow10(&num, e) : big_mul_pow10(&den, -e))
		return -1;
	big_divmod(&num, &den, &quo, &rem);
	twice = rem;
	if (big_shl1_or(&twice, 0) == -1)
		return -1;
	if (quo.n > 4)
		return -1;
	u128 v = 0;
	for (int i = quo.n - 1; i >= 0; i--)
		v = (v << 32) | quo.w[i];
	if (big_cmp(&twice, &den) >= 0) {
		if (v == ~(u128)0)
			return -1;	/* rounding up would wrap to 0 */
		v++;
	}
	if (v >= pow10_u128(U128_MAX_DIGITS))
		return -1;
	*q = v;
	return 0;
}

/*
 * Same contract as money_muldiv_pow10_big().  Nearly every conversion (amounts
 * of a few digits, rates of about ten) has a·t·10^e and f (or a·t and f·10^-e)
 * within 128 bits; then one native division gives the exact quotient and
 * remainder, rounded by the same rule.  Anything that would overflow takes the
 * reference path, so the two can only differ by a bug, which
 * tests/unit/test_money_diff.c and the money fuzz target look for.
 */
int
money_muldiv_pow10(u128 a, u128 t, u128 f, int e, u128 *q)
{
	u128 num, den, v, rem;

	if (f == 0)
		return -1;
	if (e > U128_MAX_DIGITS || e < -U128_MAX_DIGITS)
		return money_muldiv_pow10_big(a, t, f, e, q);
	if (__builtin_mul_overflow(a, t, &num))
		return money_muldiv_pow10_big(a, t, f, e, q);
	den = f;
	if (e >= 0 ? __builtin_mul_overflow(num, pow10_u128(e), &num) :
	    __builtin_mul_overflow(den, pow10_u128(-e), &den))
		return money_muldiv_pow10_big(a, t, f, e, q);
	v = num / den;
	rem = num % den;
	/* 2 × rem ≥ den without forming 2 × rem, which may not fit; rem < den. */
	if (rem >= den - rem) {
		if (v == ~(u128)0)
			return -1;	/* rounding up would wrap to 0 */
		v++;
	}
	if (v >= pow10_u128(U128_MAX_DIGITS))
		return -1;
	*q = v;
	return 0;
}

static int
u128_digits(u128 v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int
dec_digits(const struct dec *d)
{
	return u128_digits(d->m);
}

int
dec_cmp(const struct dec *a, const struct dec *b)
{
	struct big x, y;

	big_from_u128(&x, a->m);
	big_from_u128(&y, b->m);
	/* Scales are at most DEC_MAX_SCALE apart plus slack: never overflows. */
	if (a->scale < b->scale)
		(void)big_mul_pow10(&x, b->scale - a->scale);
	else
		(void)big_mul_pow10(&y, a->scale - b->scale);
	return big_cmp(&x, &y);
}

void
dec_trim(struct dec *d)
{
	while (d->scale > 0 && d->m % 10 == 0) {
		d->m /= 10;
		d->scale--;
	}
	if (d->m == 0)
		d->scale = 0;
}

size_t
dec_format(const struct dec *d, char *out, size_t outlen)
{
	char digits[48];
	size_t nd = 0, len = 0;
	u128 v = d->m;

	/* Least significant digit first, then reversed while writing. */
	do {
		digits[nd++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	while ((int)nd <= d->scale)
		digits[nd++] = '0';
	if (outlen == 0)
		return 0;
	for (size_t i = nd; i-- > 0;) {
		if (len + 2 >= outlen)
			break;
		out[len++] = digits[i];
		if ((int)i == d->scale && d->scale > 0)
			out[len++] = '.';
	}
	out[len] = '\0';
	return len;
}

/*
 * The grammar shared by amounts and rates: digits, optionally '.' and digits,
 * at least one digit on some side, and digits after any '.'.  Fills counts so
 * the caller can apply its own limits.  Returns 0, or a static reason.
 */
static const char *
scan_plain(const char *s, size_t n, u128 *m, int *int_digits, int *frac_digits)
{
	size_t i = 0;
	int sig = 0, idig = 0, fdig = 0, seen_dot = 0;
	u128 v = 0;

	if (n == 0)
		return "empty";
	if (s[0] == '-')
		return "must not be negative";
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (seen_dot)
				return "only digits and one '.' are allowed";
			seen_dot = 1;
			continue;
		}
		if (c < '0' || c > '9')
			return "only digits and one '.' are allowed";
		if (seen_dot)
			fdig++;
		else if (idig > 0 || c != '0')
			idig++;	/* leading zeros do not count */
		if (sig > 0 || c != '0')
			sig++;
		if (sig > U128_MAX_DIGITS)
			return "too many digits";
		v = v * 10 + (u128)(c - '0');
	}
	if (seen_dot && fdig == 0)
		return "expected digits after '.'";
	if (n == (size_t)seen_dot)
		return "expected digits";
	*m = v;
	*int_digits = idig;
	*frac_digits = fdig;
	return NULL;
}

int
money_parse_amount(const char *s, size_t n, struct dec *out, char *err, size_t errlen)
{
	char quoted[BUF_QUOTE_LEN];
	const char *why;
	u128 m = 0;
	int idig = 0, fdig = 0;

	why = scan_plain(s, n, &m, &idig, &fdig);
	if (why == NULL && idig > MONEY_INT_DIGITS)
		why = "more than 15 integer digits";
	if (why == NULL && fdig > MONEY_FRAC_DIGITS)
		why = "more than 8 decimals";
	if (why != NULL) {
		buf_quote(quoted, sizeof(quoted), s, n);
		err_set(err, errlen, "amount '%s': %s", quoted, why);
		return -1;
	}
	out->m = m;
	out->scale = fdig;
	return 0;
}

int
dec_parse(const char *s, size_t n, struct dec *out)
{
	u128 m = 0;
	int idig = 0, fdig = 0;

	if (scan_plain(s, n, &m, &idig, &fdig) != NULL || fdig > DEC_MAX_SCALE)
		return -1;
	out->m = m;
	out->scale = fdig;
	return 0;
}

int
dec_from_double(double v, struct dec *out)
{
	char text[40];

	if (!isfinite(v) || v < 1e-12 || v > 1e15)
		return -1;
	/* The first precision whose text reads back as v is the shortest. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*e", prec - 1, v);
		if (strtod(text, NULL) != v)
			continue;
		u128 m = 0;
		const char *p = text;
		for (; *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				m = m * 10 + (u128)(*p - '0');
		long exp10 = strtol(p + 1, NULL, 10);
		int scale = (prec - 1) - (int)exp10;
		if (scale < 0) {
			m *= pow10_u128(-scale);
			scale = 0;
		}
		out->m = m;
		out->scale = scale;
		dec_trim(out);
		return 0;
	}
	return -1;
}

int
money_muldiv(const struct dec *amount, const struct dec *to, const struct dec *from, int scale,
    struct dec *out)
{
	u128 q;

	if (money_muldiv_pow10(amount->m, to->m, from->m, from->scale - amount->scale - to->scale + scale,
	    &q) == -1)
		return -1;
	out->m = q;
	out->scale = scale;
	return 0;
}

int
money_muldiv_sig(const struct dec *amount, const struct dec *to, const struct dec *from, int sig,
    struct dec *out)
{
	const int max_scale = 40;	/* dec_format's buffer is sized for this */
	int base_e, s;
	u128 q;

	if (sig < 1 || sig > 30 || from->m == 0)
		return -1;
	if (amount->m == 0 || to->m == 0) {
		out->m = 0;
		out->scale = 0;
		return 0;
	}
	/*
	 * value = a·t/f × 10^base_e.  Its decimal exponent is within one of
	 * digits(a·t) - digits(f) + base_e - 1; start there and adjust, always
	 * rounding from the exact value so the digit count never rounds twice.
	 */
	base_e = from->scale - amount->scale - to->scale;
	s = sig - (u128_digits(amount->m) + u128_digits(to->m) - u128_digits(from->m) + base_e);
	for (int tries = 0; tries < 4; tries++) {
		int eff = s > max_scale ? max_scale : s;
		if (money_muldiv_pow10(amount->m, to->m, from->m, base_e + eff, &q) == -1)
			return -1;
		int nd = u128_digits(q);
		if (eff == s && nd > sig) {
			s--;
			continue;
		}
		if (eff == s && nd < sig && q != 0 && s < max_scale) {
			s++;
			continue;
		}
		if (eff < 0) {
			if (-eff > U128_MAX_DIGITS - nd)
				return -1;
			q *= pow10_u128(-eff);
			eff = 0;
		}
		out->m = q;
		out->scale = eff;
		dec_trim(out);
		return 0;
	}
	return -1;
}

int
money_mean(const struct dec *v, size_t n, int sig, struct dec *out)
{
	static const struct dec one = { 1, 0 };
	const u128 limit = pow10_u128(U128_MAX_DIGITS);
	struct dec sum, count = { n, 0 };

	if (n == 0)
		return -1;
	sum = v[0];
	if (n == 1) {
		*out = v[0];
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		struct dec x = v[i];
		/* Both at the finer of the two scales, then added exactly. */
		struct dec *coarse = x.scale < sum.scale ? &x : &sum;
		int up = (x.scale < sum.scale ? sum.scale : x.scale) - coarse->scale;
		u128 p = pow10_u128(up);

		if (coarse->m > (limit - 1) / p)
			return -1;
		coarse->m *= p;
		coarse->scale += up;
		if (sum.m > limit - 1 - x.m)
			return -1;
		sum.m += x.m;
	}
	return money_muldiv_sig(&sum, &one, &count, sig, out);
}
