/*
 * Differential test of the conversion kernel: the native 128-bit fast path
 * (money_muldiv_pow10) against the multi-word reference path
 * (money_muldiv_pow10_big).  They must agree on every input, both on the
 * quotient and on whether the call fails, or a conversion could print a wrong
 * number.  Boundary cases sit where the fast path decides whether it may run
 * (products near 2^64, 2^127, 2^128, 10^38, exponents at ±38/39) and where the
 * rounding is decided (exact halves); a seeded random sweep covers the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "money_internal.h"

typedef unsigned __int128 u128;

static u128
p10(int k)
{
	u128 p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

static void
u128_text(u128 v, char *out, size_t len)
{
	char tmp[48];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n && i + 1 < len; i++)
		out[i] = tmp[n - 1 - i];
	out[n < len ? n : len - 1] = '\0';
}

static long checked, fast_ok;

/* Both paths on one input; any difference fails the test and names the input. */
static void
same(u128 a, u128 t, u128 f, int e)
{
	u128 qf = 12345, qb = 12345;
	int rf = money_muldiv_pow10(a, t, f, e, &qf);
	int rb = money_muldiv_pow10_big(a, t, f, e, &qb);

	checked++;
	if (rf != rb || (rf == 0 && qf != qb)) {
		char as[48], ts[48], fs[48], qfs[48], qbs[48];
		u128_text(a, as, sizeof(as));
		u128_text(t, ts, sizeof(ts));
		u128_text(f, fs, sizeof(fs));
		u128_text(qf, qfs, sizeof(qfs));
		u128_text(qb, qbs, sizeof(qbs));
		fail_msg("a=%s t=%s f=%s e=%d: fast %d/%s, reference %d/%s", as, ts, fs, e, rf, qfs,
		    rb, qbs);
	}
	if (rf == 0)
		fast_ok++;
}

/* Known answers, so the test fails if both paths broke the same way. */
static void
test_known_answers(void **state)
{
	u128 q;

	(void)state;
	assert_int_equal(money_muldiv_pow10(1, 1, 3, 6, &q), 0);
	assert_true(q == 333333);
	assert_int_equal(money_muldiv_pow10(2, 1, 3, 6, &q), 0);
	assert_true(q == 666667);
	assert_int_equal(money_muldiv_pow10(5, 1, 1, -1, &q), 0);	/* 0.5 rounds up */
	assert_true(q == 1);
	assert_int_equal(money_muldiv_pow10(4, 1, 1, -1, &q), 0);	/* 0.4 rounds down */
	assert_true(q == 0);
	assert_int_equal(money_muldiv_pow10(1, 1, 0, 0, &q), -1);
	assert_int_equal(money_muldiv_pow10(p10(38) - 1, 1, 1, 0, &q), 0);
	assert_true(q == p10(38) - 1);
	assert_int_equal(money_muldiv_pow10(p10(38), 1, 1, 0, &q), -1);
	/* 10^38 - 0.5 rounds up to 10^38: too many digits. */
	assert_int_equal(money_muldiv_pow10(p10(38) * 2 - 1, 1, 2, 0, &q), -1);
	assert_int_equal(money_muldiv_pow10(p10(38) * 2 - 3, 1, 2, 0, &q), 0);
	assert_true(q == p10(38) - 1);
}

static void
test_boundaries(void **state)
{
	const u128 max = ~(u128)0;
	const u128 two64 = (u128)1 << 64, two127 = (u128)1 << 127;
	const u128 vals[] = {
		0, 1, 2, 3, 5, 7, 9, 10, 11, 99, 100, 101, 12345, 999999999, 1000000000,
		0xffffffffu, (u128)0xffffffffu + 1, two64 - 1, two64, two64 + 1, two64 * 3 + 7,
		two127 - 1, two127, two127 + 1, max - 1, max, max / 2, max / 3, max / 10,
		p10(18), p10(19), p10(19) - 1, p10(20) + 1, p10(37), p10(38) - 1, p10(38),
		p10(38) + 1, p10(19) * 5, p10(38) / 2, p10(38) / 3,
	};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);
	const int es[] = { -80, -60, -40, -39, -38, -37, -20, -19, -10, -2, -1, 0, 1, 2, 9, 10,
		19, 20, 37, 38, 39, 40, 60, 80 };

	(void)state;
	for (size_t i = 0; i < nv; i++)
		for (size_t j = 0; j < nv; j++)
			for (size_t k = 0; k < nv; k++)
				for (size_t l = 0; l < sizeof(es) / sizeof(es[0]); l++)
					same(vals[i], vals[j], vals[k], es[l]);
	/* Exact halves: (2k+1)/2 at many magnitudes and every exponent. */
	for (int e = -40; e <= 40; e++)
		for (int b = 0; b < 127; b++) {
			u128 odd = ((u128)1 << b) | 1;
			same(odd, 1, 2, e);
			same(odd, 5, 10, e);
			same(odd * 5, 1, 10, e);
			same(odd, 1, 2 * p10(b % 38), e);
		}
	/* Quotient straddling 10^38 after rounding. */
	for (u128 n = p10(38) * 2 - 5; n <= p10(38) * 2 + 5; n++)
		for (int e = -2; e <= 2; e++)
			same(n, 1, 2, e);
	assert_true(checked > 100000);
	assert_true(fast_ok > 1000);
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A random value of a random bit length, so small and huge are equally likely. */
static u128
rand_u128(void)
{
	int bits = (int)(next64() % 129);
	u128 v = ((u128)next64() << 64) | next64();

	if (bits == 0)
		return 0;
	v = bits == 128 ? v : v & (((u128)1 << bits) - 1);
	/* Sometimes a power of ten or one off it: realistic rates and edges. */
	switch (next64() % 8) {
	case 0: return p10((int)(next64() % 39));
	case 1: return p10((int)(next64() % 39)) - 1;
	default: return v;
	}
}

static void
test_random_sweep(void **state)
{
	const long cases = 1200000;

	(void)state;
	checked = fast_ok = 0;
	for (long i = 0; i < cases; i++) {
		u128 a = rand_u128(), t = rand_u128(), f = rand_u128();
		int e = (int)(next64() % 101) - 50;
		if (i % 4 == 0) {
			/* Realistic: amounts and rates of at most 20 digits, small exponents. */
			a = (u128)(next64() % 100000000000u);
			t = (u128)next64() % p10(12);
			f = (u128)next64() % p10(12) + 1;
			e = (int)(next64() % 41) - 20;
		}
		same(a, t, f, e);
	}
	printf("random sweep: %ld cases, %ld converted, the rest refused by both\n", checked,
	    fast_ok);
	assert_true(checked == cases);
	assert_true(fast_ok > cases / 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_random_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
