/*
 * The ISO 4217 table: its order (binary search depends on it), its contents
 * (the minor units every printed amount follows), and the two code checks that
 * stand between typed text and a lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "currency.h"

static void
test_table_sorted_unique_valid(void **state)
{
	size_t n = currency_count();

	(void)state;
	assert_true(n >= 150 && n <= 170);
	for (size_t i = 0; i < n; i++) {
		const struct currency *c = currency_at(i);

		assert_non_null(c);
		assert_true(currency_code_ok(c->code));
		assert_non_null(c->name);
		assert_true(strlen(c->name) > 0);
		assert_true(c->minor >= 0 && c->minor <= 4);
		if (i > 0)	/* strictly increasing: sorted and no duplicates */
			assert_true(strcmp(currency_at(i - 1)->code, c->code) < 0);
		/* Every entry is reachable through the binary search. */
		assert_ptr_equal(currency_find(c->code), c);
	}
	assert_null(currency_at(n));
	assert_null(currency_at((size_t)-1));
}

static void
test_minor_units(void **state)
{
	static const struct {
		const char *code;
		int minor;
	} cases[] = {
		{ "EUR", 2 }, { "USD", 2 }, { "GBP", 2 }, { "CHF", 2 }, { "HUF", 2 },
		{ "ILS", 2 }, { "HRK", 2 }, { "BGN", 2 }, { "XCD", 2 },
		{ "JPY", 0 }, { "KRW", 0 }, { "ISK", 0 }, { "CLP", 0 }, { "VND", 0 },
		{ "UGX", 0 }, { "PYG", 0 }, { "RWF", 0 }, { "KMF", 0 }, { "GNF", 0 },
		{ "DJF", 0 }, { "VUV", 0 }, { "BIF", 0 },
		{ "XAF", 0 }, { "XOF", 0 }, { "XPF", 0 },
		{ "KWD", 3 }, { "BHD", 3 }, { "JOD", 3 }, { "OMR", 3 }, { "TND", 3 },
		{ "LYD", 3 }, { "IQD", 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct currency *c = currency_find(cases[i].code);

		assert_non_null(c);
		assert_string_equal(c->code, cases[i].code);
		assert_int_equal(c->minor, cases[i].minor);
	}
}

/* The names Frankfurter's /currencies prints, which ours must match. */
static void
test_frankfurter_names(void **state)
{
	static const char *const pairs[][2] = {
		{ "AUD", "Australian Dollar" }, { "GBP", "British Pound" },
		{ "USD", "United States Dollar" }, { "JPY", "Japanese Yen" },
		{ "CHF", "Swiss Franc" }, { "CNY", "Chinese Renminbi Yuan" },
		{ "EUR", "Euro" }, { "KRW", "South Korean Won" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct currency *c = currency_find(pairs[i][0]);

		assert_non_null(c);
		assert_string_equal(c->name, pairs[i][1]);
	}
}

static void
test_find(void **state)
{
	size_t n = currency_count();

	(void)state;
	/* The ends of the table, where an off-by-one in the search shows. */
	assert_ptr_equal(currency_find(currency_at(0)->code), currency_at(0));
	assert_ptr_equal(currency_find(currency_at(n - 1)->code), currency_at(n - 1));
	assert_string_equal(currency_at(0)->code, "AED");
	assert_string_equal(currency_at(n - 1)->code, "ZWG");

	/* Well-formed but not a currency, or deliberately left out. */
	assert_null(currency_find("QQQ"));
	assert_null(currency_find("AAA"));
	assert_null(currency_find("ZZZ"));
	assert_null(currency_find("XAU"));
	assert_null(currency_find("XXX"));
	assert_null(currency_find("XTS"));
	assert_null(currency_find("XDR"));
	assert_null(currency_find("CLF"));
	/* Not upper case, or not three letters: never found. */
	assert_null(currency_find("usd"));
	assert_null(currency_find("US"));
	assert_null(currency_find("USDD"));
	assert_null(currency_find(""));
	assert_null(currency_find(NULL));
}

static void
test_code_ok(void **state)
{
	(void)state;
	assert_true(currency_code_ok("USD"));
	assert_true(currency_code_ok("QQQ"));	/* shape only, not membership */
	assert_false(currency_code_ok("usd"));
	assert_false(currency_code_ok("Usd"));
	assert_false(currency_code_ok("US"));
	assert_false(currency_code_ok("USDD"));
	assert_false(currency_code_ok("U$D"));
	assert_false(currency_code_ok("US1"));
	assert_false(currency_code_ok(""));
	assert_false(currency_code_ok("US\xc4"));
	assert_false(currency_code_ok(NULL));
}

static void
test_normalize(void **state)
{
	static const char *const refused[] = {
		"us", "usdd", "u$d", "", "u", "US1", "us ", " us", "\xc3\xa9ur", "[SD", "`sd", "{sd", "@SD",
	};
	char out[4];

	(void)state;
	assert_int_equal(currency_normalize("gbp", out), 0);
	assert_string_equal(out, "GBP");
	assert_int_equal(currency_normalize("GBP", out), 0);
	assert_string_equal(out, "GBP");
	assert_int_equal(currency_normalize("uSd", out), 0);
	assert_string_equal(out, "USD");
	assert_int_equal(currency_normalize("qqq", out), 0);	/* shape only */
	assert_string_equal(out, "QQQ");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(currency_normalize(refused[i], out), -1);
	assert_int_equal(currency_normalize(NULL, out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_unique_valid),
		cmocka_unit_test(test_minor_units),
		cmocka_unit_test(test_frankfurter_names),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
