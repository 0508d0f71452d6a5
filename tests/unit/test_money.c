/*
 * Exact decimals: what an amount may look like (and every refusal quoting the
 * input), rates kept digit for digit, doubles brought back to their shortest
 * decimal, formatting, and the conversion rule — amount × to ÷ from rounded
 * once, half away from zero (Council Regulation 1103/97, art. 5).  Expected
 * values are worked out by hand; the random cases live in the oracle test.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

static struct dec
d(const char *text)
{
	struct dec v;

	assert_int_equal(dec_parse(text, strlen(text), &v), 0);
	return v;
}

static const char *
fmt(const struct dec *v, char *out)
{
	dec_format(v, out, DEC_STRLEN);
	return out;
}

/* amount × to ÷ from at `scale` decimals, as text. */
static const char *
conv(const char *amount, const char *to, const char *from, int scale, char *out)
{
	char err[128];
	struct dec a, t = d(to), f = d(from), r;

	assert_int_equal(money_parse_amount(amount, strlen(amount), &a, err, sizeof(err)), 0);
	assert_int_equal(money_muldiv(&a, &t, &f, scale, &r), 0);
	assert_int_equal(r.scale, scale);
	return fmt(&r, out);
}

static void
test_parse_amount_accepts(void **state)
{
	static const struct {
		const char *text;
		const char *m;		/* the coefficient, as decimal text */
		int scale;
	} cases[] = {
		{ "123", "123", 0 },
		{ "123.45", "12345", 2 },
		{ ".5", "5", 1 },
		{ "0", "0", 0 },
		{ "0.00000001", "1", 8 },
		/* 21 characters, but leading zeros do not count toward 15 digits. */
		{ "000000000000000000001", "1", 0 },
		{ "999999999999999", "999999999999999", 0 },
		{ "999999999999999.99999999", "99999999999999999999999", 8 },
	};
	char err[128], out[DEC_STRLEN];
	struct dec v, coef;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(money_parse_amount(cases[i].text, strlen(cases[i].text), &v, err,
		    sizeof(err)), 0);
		coef = d(cases[i].m);
		assert_true(v.m == coef.m);
		assert_int_equal(v.scale, cases[i].scale);
	}
	/* Only n bytes are read: the text need not end in NUL. */
	assert_int_equal(money_parse_amount("12.5xyz", 4, &v, err, sizeof(err)), 0);
	assert_string_equal(fmt(&v, out), "12.5");
}

static void
test_parse_amount_refuses(void **state)
{
	static const char *const cases[] = {
		"1e3", "NaN", "nan", "inf", "0x10", "1,5", "-1", "+1", "", " 1", "1 ", "5.", ".",
		"1.123456789",		/* 9 decimals */
		"1000000000000000",	/* 16 integer digits */
		"0001000000000000000",	/* the same, behind zeros */
		"1..2", "1.2.3", "Infinity", "1_000", "\xef\xbc\x91",	/* fullwidth 1 */
	};
	char err[128], want[64];
	struct dec v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(money_parse_amount(cases[i], strlen(cases[i]), &v, err, sizeof(err)), -1);
		/* The message quotes what was typed (non-ASCII bytes shown as '?'). */
		if (strcmp(cases[i], "\xef\xbc\x91") == 0)
			snprintf(want, sizeof(want), "'\?\?\?'");
		else
			snprintf(want, sizeof(want), "'%s'", cases[i]);
		if (strstr(err, want) == NULL)
			fail_msg("input '%s': message \"%s\" does not quote it", cases[i], err);
	}

	/* An embedded NUL is refused, not taken for the end of the text. */
	err[0] = '\0';
	assert_int_equal(money_parse_amount("1\0002", 3, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'1?2'"));

	/* A long input is quoted, cut short; the message still fits its buffer. */
	err[0] = '\0';
	assert_int_equal(money_parse_amount(
	    "1234567890123456789012345678901234567890123456789012345678901234567890x", 71, &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "'1234567890"));
	assert_true(strlen(err) < sizeof(err));
}

static void
test_dec_parse(void **state)
{
	char out[DEC_STRLEN];
	struct dec v;

	(void)state;
	/* Every digit kept, trailing zeros included. */
	v = d("0.86080");
	assert_true(v.m == 86080);
	assert_int_equal(v.scale, 5);
	assert_string_equal(fmt(&v, out), "0.86080");
	v = d("163.36");
	assert_true(v.m == 16336);
	assert_int_equal(v.scale, 2);
	v = d("1");
	assert_true(v.m == 1);
	assert_int_equal(v.scale, 0);
	/* 30 decimals is the limit; 38 significant digits is the limit. */
	v = d("0.000000000000000000000000000001");
	assert_int_equal(v.scale, 30);
	v = d("12345678901234567890123456789012345678");
	assert_int_equal(dec_digits(&v), 38);
	assert_int_equal(dec_parse("0.0000000000000000000000000000001", 33, &v), -1);
	assert_int_equal(dec_parse("123456789012345678901234567890123456789", 39, &v), -1);
	assert_int_equal(dec_parse("1e3", 3, &v), -1);
	assert_int_equal(dec_parse("-1", 2, &v), -1);
	assert_int_equal(dec_parse("", 0, &v), -1);
	assert_int_equal(dec_parse("5.", 2, &v), -1);
	assert_int_equal(dec_parse(".", 1, &v), -1);
}

static void
test_dec_from_double(void **state)
{
	char out[DEC_STRLEN];
	struct dec v;

	(void)state;
	assert_int_equal(dec_from_double(1.0512, &v), 0);
	assert_true(v.m == 10512);
	assert_int_equal(v.scale, 4);
	assert_int_equal(dec_from_double(0.1, &v), 0);
	assert_string_equal(fmt(&v, out), "0.1");
	assert_int_equal(dec_from_double(163.36, &v), 0);
	assert_string_equal(fmt(&v, out), "163.36");
	assert_int_equal(dec_from_double(0.8608, &v), 0);
	assert_string_equal(fmt(&v, out), "0.8608");
	assert_int_equal(dec_from_double(16253.0, &v), 0);
	assert_string_equal(fmt(&v, out), "16253");
	assert_int_equal(dec_from_double(1e15, &v), 0);
	assert_string_equal(fmt(&v, out), "1000000000000000");
	assert_int_equal(dec_from_double(1e-12, &v), 0);
	assert_string_equal(fmt(&v, out), "0.000000000001");

	assert_int_equal(dec_from_double(0.0, &v), -1);
	assert_int_equal(dec_from_double(-1.0, &v), -1);
	assert_int_equal(dec_from_double(NAN, &v), -1);
	assert_int_equal(dec_from_double(INFINITY, &v), -1);
	assert_int_equal(dec_from_double(1e300, &v), -1);
	assert_int_equal(dec_from_double(1e-13, &v), -1);
}

static void
test_dec_format(void **state)
{
	char out[DEC_STRLEN], small[5];
	struct dec v;

	(void)state;
	v.m = 8840;
	v.scale = 2;
	assert_int_equal(dec_format(&v, out, sizeof(out)), 5);
	assert_string_equal(out, "88.40");
	v.m = 16253;
	v.scale = 0;
	assert_string_equal(fmt(&v, out), "16253");
	v.m = 123;
	v.scale = 6;
	assert_string_equal(fmt(&v, out), "0.000123");
	v.m = 0;
	v.scale = 2;
	assert_string_equal(fmt(&v, out), "0.00");
	v.m = 0;
	v.scale = 0;
	assert_string_equal(fmt(&v, out), "0");
	v.m = 5;
	v.scale = 1;
	assert_string_equal(fmt(&v, out), "0.5");
	/* The largest coefficient, 2^128 - 1, at the largest scale. */
	v.m = ~(unsigned __int128)0;
	v.scale = DEC_MAX_SCALE;
	assert_string_equal(fmt(&v, out), "340282366.920938463463374607431768211455");
	/* A short buffer is cut, still terminated. */
	v.m = 123456;
	v.scale = 0;
	dec_format(&v, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
}

static void
test_dec_cmp_trim_digits(void **state)
{
	struct dec a, b;

	(void)state;
	a = d("1.50");
	b = d("1.5");
	assert_int_equal(dec_cmp(&a, &b), 0);
	a = d("0.9");
	b = d("1");
	assert_int_equal(dec_cmp(&a, &b), -1);
	assert_int_equal(dec_cmp(&b, &a), 1);
	a = d("10");
	b = d("9.999999999999999999999999999999");
	assert_int_equal(dec_cmp(&a, &b), 1);
	a = d("0.000000000000000000000000000001");
	b = d("0");
	assert_int_equal(dec_cmp(&a, &b), 1);
	a = d("12345678901234567890123456789012345678");
	b = d("1234567890123456789012345678.901234567");
	assert_int_equal(dec_cmp(&a, &b), 1);

	a = d("1.2500");
	dec_trim(&a);
	assert_true(a.m == 125);
	assert_int_equal(a.scale, 2);
	a = d("100");	/* integer zeros are not decimals */
	dec_trim(&a);
	assert_true(a.m == 100);
	assert_int_equal(a.scale, 0);
	a = d("0.000");
	dec_trim(&a);
	assert_true(a.m == 0);
	assert_int_equal(a.scale, 0);
	a = d("7.000");
	dec_trim(&a);
	assert_true(a.m == 7);
	assert_int_equal(a.scale, 0);

	a = d("0");
	assert_int_equal(dec_digits(&a), 1);
	a = d("12345");
	assert_int_equal(dec_digits(&a), 5);
	a = d("0.00123");	/* digits of m, not of the text */
	assert_int_equal(dec_digits(&a), 3);
	a = d("99999999999999999999999999999999999999");
	assert_int_equal(dec_digits(&a), 38);
}

static void
test_muldiv(void **state)
{
	char out[DEC_STRLEN];

	(void)state;
	/* 100 EUR → GBP at 0.8840: 88.4 exactly, printed with GBP's 2 decimals. */
	assert_string_equal(conv("100", "0.8840", "1", 2, out), "88.40");
	/* 1234.5 USD → JPY, USD 1.0512, JPY 163.36 (EUR based):
	 * 1234.5 × 163.36 ÷ 1.0512 = 201667.92 ÷ 1.0512 = 191845.4337899…, 0 decimals. */
	assert_string_equal(conv("1234.5", "163.36", "1.0512", 0, out), "191845");
	/* 1234.5 USD → KWD at 0.3225: 398.12625 ÷ 1.0512 = 378.7350171…, 3 decimals. */
	assert_string_equal(conv("1234.5", "0.3225", "1.0512", 3, out), "378.735");
	/* 100 EUR → KWD at 0.32411. */
	assert_string_equal(conv("100", "0.32411", "1", 3, out), "32.411");
	/* Same currency: the identity, padded to the minor units. */
	assert_string_equal(conv(".5", "1.0512", "1.0512", 2, out), "0.50");
	assert_string_equal(conv("0", "163.36", "1.0512", 0, out), "0");
	/* The largest amount times a large rate: 999999999999999.99999999 × 17000
	 * = 16999999999999999999.99983 exactly. */
	assert_string_equal(conv("999999999999999.99999999", "17000", "1", 5, out),
	    "16999999999999999999.99983");
	assert_string_equal(conv("999999999999999.99999999", "17000", "1", 2, out),
	    "17000000000000000000.00");
	assert_string_equal(conv("999999999999999.99999999", "17000", "1", 0, out),
	    "17000000000000000000");
	/* Tiny through huge: 0.00000001 × 0.000000000001 ÷ 1000000000000000
	 * = 1e-35, which is 0 at any currency's scale. */
	assert_string_equal(conv("0.00000001", "0.000000000001", "1000000000000000", 4, out),
	    "0.0000");
}

static void
test_muldiv_half_away_from_zero(void **state)
{
	char out[DEC_STRLEN];

	(void)state;
	/* Exactly halfway rounds up; banker's rounding would give the even
	 * neighbour for 0.125, 2.5, 0.5 and 1234.565 (all of these are exact in
	 * decimal, so binary floating point cannot be what passes). */
	assert_string_equal(conv("0.125", "1", "1", 2, out), "0.13");
	assert_string_equal(conv("0.135", "1", "1", 2, out), "0.14");
	assert_string_equal(conv("2.5", "1", "1", 0, out), "3");
	assert_string_equal(conv("0.5", "1", "1", 0, out), "1");
	assert_string_equal(conv("1234.565", "1", "1", 2, out), "1234.57");
	assert_string_equal(conv("0.0005", "1", "1", 3, out), "0.001");
	/* Just below halfway rounds down. */
	assert_string_equal(conv("0.124999", "1", "1", 2, out), "0.12");
	assert_string_equal(conv("0.12499999", "1", "1", 2, out), "0.12");
	assert_string_equal(conv("2.49999999", "1", "1", 0, out), "2");
	/* Halfway reached only through the division: 0.25 × 2 ÷ 4 = 0.125. */
	assert_string_equal(conv("0.25", "2", "4", 2, out), "0.13");
	/* 1 × 1 ÷ 8 = 0.125, and 3 ÷ 8 = 0.375. */
	assert_string_equal(conv("1", "1", "8", 2, out), "0.13");
	assert_string_equal(conv("3", "1", "8", 2, out), "0.38");
	/* 1 ÷ 3 = 0.333…, 2 ÷ 3 = 0.666…: no halfway at all. */
	assert_string_equal(conv("1", "1", "3", 2, out), "0.33");
	assert_string_equal(conv("2", "1", "3", 2, out), "0.67");
	/* A remainder one short of half: 0.0049999999 (= 49999999 ÷ 10^10)
	 * reached as 0.49999999 × 1 ÷ 100. */
	assert_string_equal(conv("0.49999999", "1", "100", 2, out), "0.00");
	assert_string_equal(conv("0.5", "1", "100", 2, out), "0.01");
}

static void
test_muldiv_refuses(void **state)
{
	struct dec a = d("100"), t = d("1.5"), zero = d("0"), r;
	struct dec huge = d("99999999999999999999999999999999999999");
	struct dec big_amount = d("999999999999999.99999999");

	(void)state;
	assert_int_equal(money_muldiv(&a, &t, &zero, 2, &r), -1);
	assert_int_equal(money_muldiv_sig(&a, &t, &zero, 6, &r), -1);
	/* 10^23 × 10^38 does not fit 38 digits. */
	assert_int_equal(money_muldiv(&big_amount, &huge, &t, 0, &r), -1);
	assert_int_equal(money_muldiv_sig(&big_amount, &huge, &t, 6, &r), -1);
	/* The largest result that fits: 38 nines. */
	assert_int_equal(money_muldiv(&huge, &t, &t, 0, &r), 0);
	assert_true(r.m == huge.m);
	/* ...and one more at the last digit does not. */
	assert_int_equal(money_muldiv(&huge, &t, &t, 1, &r), -1);
}

/*
 * A result whose rounding carries it from 2^128 - 1 to 2^128 must be refused,
 * not wrapped to 0.  31 × 43907402183346898511403175152486220833 ÷ 4
 * = (4 × 2^128 - 1) ÷ 4 = 2^128 - 0.25: the quotient is 2^128 - 1 and the
 * remainder 3 of 4 rounds it up to 2^128, a 39-digit number.
 */
static void
test_muldiv_rounding_carry_past_128_bits(void **state)
{
	struct dec a = d("31"), t = d("43907402183346898511403175152486220833"), f = d("4");
	struct dec r = { 12345, 0 };
	char out[DEC_STRLEN];

	(void)state;
	if (money_muldiv(&a, &t, &f, 0, &r) != -1)
		fail_msg("31 × 43907402183346898511403175152486220833 ÷ 4 (= 2^128 - 0.25) "
		    "must be refused, got \"%s\"", fmt(&r, out));
}

static void
test_muldiv_sig(void **state)
{
	char out[DEC_STRLEN];
	struct dec one = d("1"), gbp = d("0.8351"), usd = d("1.0512"), r;

	(void)state;
	/* 0.8351 ÷ 1.0512 = 0.79442541856…: six significant digits. */
	assert_int_equal(money_muldiv_sig(&one, &gbp, &usd, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.794425");
	/* 100 × 0.8351 ÷ 1.0512 = 79.442541…, then JPY per USD = 155.4033…. */
	struct dec hundred = d("100"), jpy = d("163.36");
	assert_int_equal(money_muldiv_sig(&hundred, &gbp, &usd, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "79.4425");
	assert_int_equal(money_muldiv_sig(&one, &jpy, &usd, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "155.403");
	/* Trailing zeros go: 1 × 2 ÷ 4 = 0.5, not 0.500000. */
	struct dec two = d("2"), four = d("4");
	assert_int_equal(money_muldiv_sig(&one, &two, &four, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.5");
	/* Large values keep their integer digits: 1234567890 rounded to 6. */
	struct dec big = d("1234567890");
	assert_int_equal(money_muldiv_sig(&big, &one, &one, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "1234570000");
	/* Half away from zero at the sixth digit, and a carry into a 7th:
	 * 1.234565 → 1.23457; 9.9999950 → 10. */
	struct dec h = d("1.234565"), nines = d("9.999995");
	assert_int_equal(money_muldiv_sig(&h, &one, &one, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "1.23457");
	assert_int_equal(money_muldiv_sig(&nines, &one, &one, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "10");
	/* 1 ÷ 3 to 30 digits. */
	struct dec three = d("3");
	assert_int_equal(money_muldiv_sig(&one, &one, &three, 30, &r), 0);
	assert_string_equal(fmt(&r, out), "0.333333333333333333333333333333");
	/* Small values: 1e-8 × 1e-12 ÷ 1e15 = 1e-35; 1e-8 × 1e-12 ÷ 3e-12 = 3.33…e-9. */
	struct dec ta = d("0.00000001"), tt = d("0.000000000001"), tf = d("1000000000000000");
	struct dec third = d("0.000000000003");
	assert_int_equal(money_muldiv_sig(&ta, &tt, &tf, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.00000000000000000000000000000000001");
	assert_int_equal(money_muldiv_sig(&ta, &tt, &third, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.00000000333333");
	/* Zero is zero. */
	struct dec zero = d("0");
	assert_int_equal(money_muldiv_sig(&zero, &gbp, &usd, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0");
	/* sig outside 1..30 */
	assert_int_equal(money_muldiv_sig(&one, &gbp, &usd, 0, &r), -1);
	assert_int_equal(money_muldiv_sig(&one, &gbp, &usd, 31, &r), -1);
}

/* Means of rates as a weekly average takes them: exact sum, one rounding. */
static void
test_mean(void **state)
{
	char out[DEC_STRLEN];
	struct dec v[3] = { d("0.8608"), d("0.8611"), d("0.86100") }, r;
	struct dec big[2] = { d("99999999999999999999999999999999999999"), d("1") };

	(void)state;
	/* One value is itself, every digit. */
	assert_int_equal(money_mean(v + 2, 1, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.86100");
	/* Mixed scales: (0.8608 + 0.8611) / 2 = 0.86095 exactly. */
	assert_int_equal(money_mean(v, 2, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.86095");
	/* 2.58290 / 3 = 0.860966…, half away from zero at the sixth digit. */
	assert_int_equal(money_mean(v, 3, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.860967");
	/* (0.1 + 0.2) / 2 is 0.15 exactly, where doubles give 0.15000000000000002. */
	struct dec tenths[2] = { d("0.1"), d("0.2") };
	assert_int_equal(money_mean(tenths, 2, 6, &r), 0);
	assert_string_equal(fmt(&r, out), "0.15");
	assert_int_equal(money_mean(v, 0, 6, &r), -1);
	assert_int_equal(money_mean(big, 2, 6, &r), -1);	/* the sum needs 39 digits */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_amount_accepts),
		cmocka_unit_test(test_parse_amount_refuses),
		cmocka_unit_test(test_dec_parse),
		cmocka_unit_test(test_dec_from_double),
		cmocka_unit_test(test_dec_format),
		cmocka_unit_test(test_dec_cmp_trim_digits),
		cmocka_unit_test(test_muldiv),
		cmocka_unit_test(test_muldiv_half_away_from_zero),
		cmocka_unit_test(test_muldiv_refuses),
		cmocka_unit_test(test_muldiv_rounding_carry_past_128_bits),
		cmocka_unit_test(test_muldiv_sig),
		cmocka_unit_test(test_mean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
