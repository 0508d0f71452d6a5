/*
 * jsonnum: the cursor finds every number token of a JSON text and nothing
 * inside strings; jsonnum_rate() keeps every digit written and says why it
 * refuses the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsonnum.h"

static void
test_cursor_walks_number_tokens(void **state)
{
	/* Digits, '-', quotes and backslashes inside strings are not numbers. */
	static const char text[] = "{\"a\\\"1\":-2.5e+3,\"b\":[true,null,0,\"3 \\\\\",17E2],\"c-4\":{\"d\":1.0}}";
	static const char *const want[] = { "-2.5e+3", "0", "17E2", "1.0" };
	struct jsonnum_cursor c;
	const char *s;
	size_t n;

	(void)state;
	jsonnum_start(&c, text, strlen(text));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(jsonnum_token(&c, i, &s, &n), 0);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(s, want[i], n);
	}
	assert_int_equal(jsonnum_token(&c, 4, &s, &n), -1);
	/* Skipping ahead, then going back, starts again from the front. */
	jsonnum_start(&c, text, strlen(text));
	assert_int_equal(jsonnum_token(&c, 2, &s, &n), 0);
	assert_memory_equal(s, "17E2", 4);
	assert_int_equal(jsonnum_token(&c, 0, &s, &n), 0);
	assert_memory_equal(s, "-2.5e+3", 7);
	assert_int_equal(jsonnum_token(&c, 3, &s, &n), 0);
	assert_memory_equal(s, "1.0", 3);
}

static void
test_rate_keeps_every_digit(void **state)
{
	static const char *const ok[][2] = {
		{ "1.0512", "1.0512" }, { "0.86080", "0.86080" }, { "17000", "17000" }, { "1.5e-3", "0.0015" },
		{ "2E2", "200" }, { "1.6336e+2", "163.36" }, { "0.0001e4", "1" }, { "2.50e1", "25.0" },
		{ "1.1234567890123456", "1.1234567890123456" }, { "0.10000000000000001", "0.10000000000000001" },
		{ "1e-12", "0.000000000001" }, { "1e15", "1000000000000000" }, { "00012", "12" },
		{ "123456789012345.12345678901234567890123", "123456789012345.12345678901234567890123" },
		{ "1.0000000000000000000000000000000000000000", "1.000000000000000000000000000000" },
		{ "0.000000000001000000000000000000000000", "0.000000000001000000000000000000" },
	};
	struct dec d;
	char text[DEC_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (jsonnum_rate(ok[i][0], strlen(ok[i][0]), &d) != JSONNUM_OK)
			fail_msg("'%s' refused", ok[i][0]);
		dec_format(&d, text, sizeof(text));
		if (strcmp(text, ok[i][1]) != 0)
			fail_msg("'%s' read as '%s', wanted '%s'", ok[i][0], text, ok[i][1]);
	}
}

static void
test_rate_refusals(void **state)
{
	static const struct {
		const char *text;
		enum jsonnum_result why;
	} bad[] = {
		{ "-1.5", JSONNUM_NOT_POSITIVE }, { "-0", JSONNUM_NOT_POSITIVE }, { "0", JSONNUM_NOT_POSITIVE },
		{ "0.000e9", JSONNUM_NOT_POSITIVE }, { "9e-13", JSONNUM_OUT_OF_RANGE },
		{ "0.0000000000009999", JSONNUM_OUT_OF_RANGE }, { "1e16", JSONNUM_OUT_OF_RANGE },
		{ "1e999999999999999999999", JSONNUM_OUT_OF_RANGE }, { "1e-999999999999999999", JSONNUM_OUT_OF_RANGE },
		{ "1.0000000000000000000000000000001", JSONNUM_TOO_PRECISE },
		{ "123456789012345.123456789012345678901234", JSONNUM_TOO_PRECISE },
	};
	struct dec d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jsonnum_rate(bad[i].text, strlen(bad[i].text), &d) != bad[i].why)
			fail_msg("'%s': wanted refusal %d", bad[i].text, (int)bad[i].why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_walks_number_tokens),
		cmocka_unit_test(test_rate_keeps_every_digit),
		cmocka_unit_test(test_rate_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
