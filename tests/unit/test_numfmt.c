/*
 * numfmt: digits grouped the locale's way, digit for digit, and amounts
 * typed with separators read when they can mean one number only, refused
 * with the ways to write each reading when they cannot, in the C, en_US,
 * de_DE, fr_FR and en_IN conventions spelled out here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"
#include "numfmt.h"

#define NNBSP "\xe2\x80\xaf"	/* U+202F, fr_FR's thousands separator */
#define NBSP "\xc2\xa0"

static const struct numfmt c_loc = { ".", "", "" };
static const struct numfmt en_us = { ".", ",", "\3\3" };
static const struct numfmt de_de = { ",", ".", "\3\3" };
static const struct numfmt fr_fr = { ",", NNBSP, "\3" };
static const struct numfmt en_in = { ".", ",", "\3\2" };

static void
assert_groups(const struct numfmt *nf, const char *plain, const char *want)
{
	char out[NUMFMT_STRLEN];

	assert_int_equal(numfmt_group(nf, plain, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_group(void **state)
{
	static const struct numfmt stops = { ".", ",", "\3\177" };	/* CHAR_MAX: one group only */
	char big[DEC_STRLEN], out[NUMFMT_STRLEN], small[8];
	struct dec d = { ~(unsigned __int128)0 / 10, 0 };

	(void)state;
	assert_groups(&c_loc, "1234567.50", "1234567.50");
	assert_groups(&en_us, "1234567.50", "1,234,567.50");
	assert_groups(&en_us, "163360000", "163,360,000");
	assert_groups(&en_us, "999.99", "999.99");
	assert_groups(&en_us, "1000", "1,000");
	assert_groups(&en_us, "0.00000123", "0.00000123");
	assert_groups(&de_de, "1234567.50", "1.234.567,50");
	assert_groups(&de_de, "88.40", "88,40");
	assert_groups(&fr_fr, "1234567.50", "1" NNBSP "234" NNBSP "567,50");
	assert_groups(&en_in, "10000000.5", "1,00,00,000.5");
	assert_groups(&stops, "1234567", "1234,567");
	/* The longest text dec_format() writes, from its digits. */
	dec_format(&d, big, sizeof(big));
	assert_int_equal(numfmt_group(&fr_fr, big, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), strlen(big) + 3 * ((strlen(big) - 1) / 3));
	/* No room, or no decimal text: the text as it is, cut to fit. */
	assert_int_equal(numfmt_group(&en_us, "1234567", small, sizeof(small)), -1);
	assert_string_equal(small, "1234567");
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = { "", "1.", ".5", "1,000", "12a" };

		assert_int_equal(numfmt_group(&en_us, bad[i], out, sizeof(out)), -1);
		assert_string_equal(out, bad[i]);
	}
}

/* want: the amount as plain text, or NULL and the message. */
static void
assert_reads(const struct numfmt *nf, const char *in, const char *want, const char *msg)
{
	struct dec d;
	char err[256] = "", got[DEC_STRLEN];
	int rc = numfmt_parse_amount(nf, in, strlen(in), &d, err, sizeof(err));

	if (want == NULL) {
		if (rc != -1)
			fail_msg("'%s' was read, as %s", in, (dec_format(&d, got, sizeof(got)), got));
		assert_string_equal(err, msg);
		return;
	}
	if (rc != 0)
		fail_msg("'%s' was refused: %s", in, err);
	dec_format(&d, got, sizeof(got));
	assert_string_equal(got, want);
}

static void
test_read_anywhere(void **state)
{
	static const struct numfmt *const all[] = { &c_loc, &en_us, &de_de, &fr_fr, &en_in };

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct numfmt *nf = all[i];

		/* What money_parse_amount() read keeps its meaning... */
		assert_reads(nf, "1234.5", "1234.5", NULL);
		assert_reads(nf, ".5", "0.5", NULL);
		assert_reads(nf, "100", "100", NULL);
		assert_reads(nf, "0.001", "0.001", NULL);
		/* ...and its messages. */
		assert_reads(nf, "1e3", NULL, "amount '1e3': only digits and one '.' are allowed");
		assert_reads(nf, "-1,000", NULL, "amount '-1,000': must not be negative");
		assert_reads(nf, "5.", NULL, "amount '5.': expected digits after '.'");
		/* Marks that only ever separate groups, and both marks. */
		assert_reads(nf, "1_000", "1000", NULL);
		assert_reads(nf, "1 000 000", "1000000", NULL);
		assert_reads(nf, "1" NBSP "000" NBSP "000", "1000000", NULL);
		assert_reads(nf, "1" NNBSP "234", "1234", NULL);
		assert_reads(nf, "1_000.50", "1000.50", NULL);
		assert_reads(nf, "1,000.50", "1000.50", NULL);
		assert_reads(nf, "1.000,50", "1000.50", NULL);
		assert_reads(nf, "1,234,567.891", "1234567.891", NULL);
		assert_reads(nf, "1,000,000", "1000000", NULL);
		assert_reads(nf, "12345.678", "12345.678", NULL);	/* 12345 is no group: a point */
		/* Refused, with how to write it. */
		assert_reads(nf, "1,000.5.0", NULL,
		    "amount '1,000.5.0': with both '.' and ',' the last is the decimal point, and there is one: "
		    "1,234.50 or 1.234,50");
		assert_reads(nf, "1_00_0", NULL,
		    "amount '1_00_0': a separator goes between groups of three digits: 1_000_000, 1,000,000.50");
		assert_reads(nf, "1,000,50", NULL,
		    "amount '1,000,50': a separator goes between groups of three digits: 1_000_000, 1,000,000.50");
		assert_reads(nf, "_1000", NULL,
		    "amount '_1000': a separator goes between groups of three digits: 1_000_000, 1,000,000.50");
		assert_reads(nf, "1_000 000", NULL,
		    "amount '1_000 000': one kind of separator between groups, not '_' and ' ': 1_000_000 or "
		    "1 000 000");
		assert_reads(nf, "1.000_5", NULL,
		    "amount '1.000_5': only digits after the decimal point '.'");
		/* The limits are money_parse_amount()'s, on the digits. */
		assert_reads(nf, "1_000_000_000_000_000", NULL,
		    "amount '1000000000000000': more than 15 integer digits");
		assert_reads(nf, "1_000.123456789", NULL, "amount '1000.123456789': more than 8 decimals");
	}
}

static void
test_read_by_locale(void **state)
{
	(void)state;
	/* A lone ',' or '.' that could separate thousands: the locale says
	 * which, where it is clear. */
	assert_reads(&en_us, "1,000", "1000", NULL);
	assert_reads(&en_in, "1,00,000", "100000", NULL);
	assert_reads(&en_us, "1.500", "1.500", NULL);
	assert_reads(&c_loc, "1.500", "1.500", NULL);
	assert_reads(&de_de, "1,500", "1.500", NULL);
	assert_reads(&fr_fr, "1,500", "1.500", NULL);
	assert_reads(&de_de, "1.000.000", "1000000", NULL);
	assert_reads(&c_loc, "1,000", NULL,
	    "amount '1,000' is ambiguous: write 1000 if ',' separates thousands, or 1.000 if it is the decimal point");
	assert_reads(&de_de, "1.500", NULL,
	    "amount '1.500' is ambiguous: write 1500 if '.' separates thousands, or 1,500 if it is the decimal point");
	/* '.' where it separates nothing is every program's decimal point. */
	assert_reads(&fr_fr, "12.000", "12.000", NULL);
	/* A lone ',' that cannot separate thousands: the decimal point only
	 * where the locale's is ','. */
	assert_reads(&de_de, "100,50", "100.50", NULL);
	assert_reads(&de_de, "1 000,50", "1000.50", NULL);
	assert_reads(&de_de, ",5", "0.5", NULL);
	assert_reads(&fr_fr, "1" NNBSP "000,50", "1000.50", NULL);
	assert_reads(&en_us, "100,50", NULL,
	    "amount '100,50': ',' separates thousands here; write 100.50 if it is the decimal point");
	assert_reads(&c_loc, "100,50", NULL,
	    "amount '100,50': ',' is no decimal point here; write 100.50 if it is one");
	assert_reads(&en_us, "1 000,5", NULL,
	    "amount '1 000,5': ',' separates thousands here; write 1000.5 if it is the decimal point");
	assert_reads(&de_de, "5,", NULL, "amount '5,': expected digits after ','");
	/* '.' that cannot separate thousands is the decimal point even where
	 * '.' does: the scripts' amounts. */
	assert_reads(&de_de, "1234.56", "1234.56", NULL);
	assert_reads(&de_de, "1.5", "1.5", NULL);
	assert_reads(&de_de, "0.125", "0.125", NULL);	/* grouped digits never start with 0 */
	assert_reads(&c_loc, "0,125", NULL, "amount '0,125': ',' is no decimal point here; write 0.125 if it is one");
	assert_reads(&de_de, "1.2.3", NULL,
	    "amount '1.2.3': a separator goes between groups of three digits: 1_000_000, 1,000,000.50");
	assert_reads(&en_us, "1.2.3", NULL, "amount '1.2.3': only digits and one '.' are allowed");
	/* The locale's own separator, when it is none of the usual marks. */
	{
		static const struct numfmt de_ch = { ".", "\xe2\x80\x99", "\3" };

		assert_reads(&de_ch, "1\xe2\x80\x99" "000.50", "1000.50", NULL);
		assert_reads(&en_us, "1\xe2\x80\x99" "000.50", NULL,
		    "amount '1???000.50': only digits and one '.' are allowed");
	}
}

static void
test_environment(void **state)
{
	struct numfmt nf;

	(void)state;
	assert_int_equal(setenv("LC_ALL", "C", 1), 0);
	assert_int_equal(numfmt_from_environment(&nf), 0);
	assert_string_equal(nf.point, ".");
	assert_string_equal(nf.sep, "");
	/* A locale that is not installed: C's, and -1. */
	assert_int_equal(setenv("LC_ALL", "xx_NOWHERE.UTF-8", 1), 0);
	memset(&nf, 'x', sizeof(nf));
	assert_int_equal(numfmt_from_environment(&nf), -1);
	assert_string_equal(nf.point, ".");
	assert_string_equal(nf.sep, "");
	assert_int_equal(unsetenv("LC_ALL"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_read_anywhere),
		cmocka_unit_test(test_read_by_locale),
		cmocka_unit_test(test_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
