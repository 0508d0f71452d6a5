/*
 * jscan: every token of a JSON text in order, strings decoded (escapes,
 * surrogate pairs), every breach of the grammar refused with its line and
 * rule; jscan_rate() keeps every digit written and says why it refuses the
 * rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jscan.h"

/* Every token of text, in order, as "O" "o" "A" "a" "K:name" "S:text" "N:text" "T" "F" "Z", then "E". */
static void
expect_tokens(const char *text, const char *const *want, size_t nwant)
{
	struct jscan s;
	char err[128], got[64], str[32];
	size_t i = 0;
	enum jscan_token tok;

	jscan_start(&s, text, strlen(text));
	do {
		tok = jscan_next(&s, err, sizeof(err));
		switch (tok) {
		case JSCAN_ERROR: fail_msg("'%s': refused: %s", text, err); break;
		case JSCAN_END: snprintf(got, sizeof(got), "E"); break;
		case JSCAN_OBJECT: snprintf(got, sizeof(got), "O"); break;
		case JSCAN_OBJECT_END: snprintf(got, sizeof(got), "o"); break;
		case JSCAN_ARRAY: snprintf(got, sizeof(got), "A"); break;
		case JSCAN_ARRAY_END: snprintf(got, sizeof(got), "a"); break;
		case JSCAN_KEY:
		case JSCAN_STRING:
			(void)jscan_string(&s.str, str, sizeof(str));
			snprintf(got, sizeof(got), "%s:%s", tok == JSCAN_KEY ? "K" : "S", str);
			break;
		case JSCAN_NUMBER: snprintf(got, sizeof(got), "N:%.*s", (int)s.num_len, s.tok); break;
		case JSCAN_TRUE: snprintf(got, sizeof(got), "T"); break;
		case JSCAN_FALSE: snprintf(got, sizeof(got), "F"); break;
		case JSCAN_NULL: snprintf(got, sizeof(got), "Z"); break;
		}
		if (i >= nwant || strcmp(got, want[i]) != 0)
			fail_msg("'%s': token %zu is '%s', wanted '%s'", text, i, got, i < nwant ? want[i] : "none");
		i++;
	} while (tok != JSCAN_END);
	assert_int_equal(i, nwant);
	/* After the end, the end again. */
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_END);
}

static void
test_tokens_in_document_order(void **state)
{
	static const char *const doc[] = {
		"O", "K:a\"1", "N:-2.5e+3", "K:b", "A", "T", "Z", "N:0", "S:3 \\", "N:17E2", "F", "a",
		"K:c-4", "O", "K:d", "N:1.0", "o", "K:e", "A", "a", "K:f", "O", "o", "o", "E",
	};
	static const char *const scalar[] = { "N:-0.5E-7", "E" };
	static const char *const str[] = { "S:x", "E" };

	(void)state;
	expect_tokens(" {\"a\\\"1\":-2.5e+3,\"b\":[true,null,0,\"3 \\\\\",17E2,false],\"c-4\":{\"d\":1.0},"
	    "\"e\":[ ],\"f\":{ }}\r\n\t", doc, sizeof(doc) / sizeof(doc[0]));
	expect_tokens("-0.5E-7", scalar, 2);
	expect_tokens("\"x\"\n", str, 2);
}

static void
test_strings_decoded(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "\"plain\"", "plain" },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac" },
		{ "\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!" },		/* a surrogate pair: U+1F600 */
		{ "\"\\u001b[31m\"", "\x1b[31m" },
		{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "caf\xc3\xa9 \xf0\x9f\x98\x80" },	/* UTF-8 as it is */
	};
	struct jscan s;
	char out[64], small[4], err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		jscan_start(&s, cases[i].json, strlen(cases[i].json));
		if (jscan_next(&s, err, sizeof(err)) != JSCAN_STRING)
			fail_msg("'%s': %s", cases[i].json, err);
		assert_int_equal(jscan_string(&s.str, out, sizeof(out)), strlen(cases[i].want));
		assert_string_equal(out, cases[i].want);
		assert_true(jscan_string_is(&s.str, cases[i].want));
	}
	/* A buffer too small holds the start and the NUL; the length is the whole. */
	jscan_start(&s, "\"\\u0041bcdef\"", 13);
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_STRING);
	assert_int_equal(jscan_string(&s.str, small, sizeof(small)), 6);
	assert_string_equal(small, "Abc");
	assert_false(jscan_string_is(&s.str, "Abcde"));
	assert_true(jscan_string_is(&s.str, "Abcdef"));
}

static void
test_refusals_name_the_line_and_rule(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "", "line 1: unexpected end of the text (a value)" },
		{ "   \n ", "line 2: unexpected end" },
		{ "{\n\n  x", "line 3: unexpected 'x' (a member name in quotes)" },
		{ "{\"a\" 1}", "':' after a member name" },
		{ "{\"a\":1,}", "unexpected '}' (a member name in quotes)" },
		{ "[1,]", "unexpected ']' (a value)" },
		{ "[1 2]", "unexpected '2' (',' or ']')" },
		{ "{\"a\":1]", "unexpected ']' (',' or '}')" },
		{ "[}", "unexpected '}' (a value)" },
		{ "{} x", "unexpected 'x' (nothing after the value)" },
		{ "1 2", "nothing after the value" },
		{ "\"abc", "unexpected end of the text in a string" },
		{ "\"a\tb\"", "a control byte in a string" },
		{ "\"a\\xb\"", "an unknown escape" },
		{ "\"\\u12\"", "'\\u' not followed by 4 hex digits" },
		{ "\"\\u12g4\"", "'\\u' not followed by 4 hex digits" },
		{ "\"\\u0000\"", "'\\u0000' in a string" },
		{ "\"\\udc00\"", "a low surrogate" },
		{ "\"\\ud800\"", "a high surrogate" },
		{ "\"\\ud800\\u0041\"", "a high surrogate" },
		{ "\"\\ud800\\ud800\"", "a high surrogate" },
		{ "\"\xc0\x80\"", "not valid UTF-8" },		/* overlong NUL */
		{ "\"\xe0\x80\xaf\"", "not valid UTF-8" },	/* overlong '/' */
		{ "\"\xed\xa0\x80\"", "not valid UTF-8" },	/* a UTF-16 surrogate */
		{ "\"\xf4\x90\x80\x80\"", "not valid UTF-8" },	/* past U+10FFFF */
		{ "\"\xc3\"", "not valid UTF-8" },		/* cut */
		{ "\"\xff\"", "not valid UTF-8" },
		{ "01", "unexpected '1' (nothing after the value)" },
		{ "1.", "a digit after '.'" },
		{ ".5", "unexpected '.' (a value)" },
		{ "-", "unexpected end of the text (a digit)" },
		{ "-a", "unexpected 'a' (a digit)" },
		{ "1e", "a digit in the exponent" },
		{ "1e+", "a digit in the exponent" },
		{ "+1", "unexpected '+'" },
		{ "tru", "unexpected 't' (a value)" },
		{ "nul", "unexpected 'n'" },
		{ "NaN", "unexpected 'N'" },
		{ "\x00", "unexpected byte 0x00" },
		{ "\xef\xbb\xbf{}", "unexpected byte 0xef" },
	};
	struct jscan s;
	char err[160];
	enum jscan_token tok;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The NUL case is one byte long; the empty text, the first, none. */
		size_t len = strlen(bad[i].text) + (bad[i].text[0] == '\0' && i > 0);
		jscan_start(&s, bad[i].text, len);
		err[0] = '\0';
		while ((tok = jscan_next(&s, err, sizeof(err))) != JSCAN_ERROR && tok != JSCAN_END)
			;
		if (tok != JSCAN_ERROR || strstr(err, bad[i].needle) == NULL)
			fail_msg("'%s': %s '%s', wanted '%s'", bad[i].text, tok == JSCAN_END ? "taken" : "refused with",
			    err, bad[i].needle);
		/* Refused once, refused for good. */
		assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_ERROR);
	}
}

static void
test_depth_and_skip(void **state)
{
	char text[2 * JSCAN_MAX_DEPTH + 8];
	struct jscan s;
	char err[128];
	enum jscan_token tok;

	(void)state;
	/* JSCAN_MAX_DEPTH levels are read; one more is refused. */
	for (int extra = 0; extra < 2; extra++) {
		size_t n = JSCAN_MAX_DEPTH + (size_t)extra;
		memset(text, '[', n);
		memset(text + n, ']', n);
		jscan_start(&s, text, 2 * n);
		while ((tok = jscan_next(&s, err, sizeof(err))) != JSCAN_ERROR && tok != JSCAN_END)
			;
		assert_int_equal(tok, extra ? JSCAN_ERROR : JSCAN_END);
		if (extra)
			assert_non_null(strstr(err, "nested more than 256 deep"));
	}
	/* Skipping a member's value, however nested, lands on the next member. */
	static const char doc[] = "{\"skip\":{\"a\":[1,{\"b\":[]},\"}\"],\"c\":{}},\"next\":2}";
	jscan_start(&s, doc, strlen(doc));
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_OBJECT);
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_KEY);
	assert_int_equal(jscan_skip(&s, jscan_next(&s, err, sizeof(err)), err, sizeof(err)), 0);
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_KEY);
	assert_true(jscan_string_is(&s.str, "next"));
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_NUMBER);
	assert_int_equal(jscan_skip(&s, JSCAN_NUMBER, err, sizeof(err)), 0);	/* a scalar: nothing more */
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_OBJECT_END);
	assert_int_equal(jscan_next(&s, err, sizeof(err)), JSCAN_END);
	/* Skipping into broken text fails. */
	jscan_start(&s, "[[1,2", 5);
	assert_int_equal(jscan_skip(&s, jscan_next(&s, err, sizeof(err)), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unexpected end"));
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
		if (jscan_rate(ok[i][0], strlen(ok[i][0]), &d) != JSCAN_RATE_OK)
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
		enum jscan_rate_result why;
	} bad[] = {
		{ "-1.5", JSCAN_RATE_NOT_POSITIVE }, { "-0", JSCAN_RATE_NOT_POSITIVE },
		{ "0", JSCAN_RATE_NOT_POSITIVE },
		{ "0.000e9", JSCAN_RATE_NOT_POSITIVE }, { "9e-13", JSCAN_RATE_OUT_OF_RANGE },
		{ "0.0000000000009999", JSCAN_RATE_OUT_OF_RANGE }, { "1e16", JSCAN_RATE_OUT_OF_RANGE },
		{ "1e999999999999999999999", JSCAN_RATE_OUT_OF_RANGE },
		{ "1e-999999999999999999", JSCAN_RATE_OUT_OF_RANGE },
		{ "1.0000000000000000000000000000001", JSCAN_RATE_TOO_PRECISE },
		{ "123456789012345.123456789012345678901234", JSCAN_RATE_TOO_PRECISE },
	};
	struct dec d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jscan_rate(bad[i].text, strlen(bad[i].text), &d) != bad[i].why)
			fail_msg("'%s': wanted refusal %d", bad[i].text, (int)bad[i].why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_in_document_order),
		cmocka_unit_test(test_strings_decoded),
		cmocka_unit_test(test_refusals_name_the_line_and_rule),
		cmocka_unit_test(test_depth_and_skip),
		cmocka_unit_test(test_rate_keeps_every_digit),
		cmocka_unit_test(test_rate_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
