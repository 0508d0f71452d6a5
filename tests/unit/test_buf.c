/*
 * buf: appends under the cap, growth across the first allocation, a
 * failed buffer staying failed, shrinking to the text; buf_quote()'s cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

/* Lines that fit, then one that forces the buffer to grow: the text is
 * exactly what was formatted, NUL-terminated. */
static void
test_printf_grows(void **state)
{
	struct buf b;
	char want[2048], big[1200];

	(void)state;
	buf_init(&b, 4096);
	want[0] = '\0';
	for (int i = 0; i < 20; i++) {
		assert_int_equal(buf_printf(&b, "line %d;", i), 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "line %d;", i);
	}
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "[%s]", big);
	assert_int_equal(b.len, strlen(want));
	assert_string_equal(b.data, want);
	assert_false(buf_failed(&b));
	buf_free(&b);
}

/* The cap holds whether the line fits in the room already allocated or not,
 * and the text before the refused line is left as it was. */
static void
test_printf_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%s", "12345678"), 0);
	assert_int_equal(buf_printf(&b, "%s", "abc"), -1);	/* fits the 256-byte room, not the cap */
	assert_int_equal(buf_failed(&b), BUF_TOO_LARGE);	/* not memory: test_api makes that fail */
	assert_string_equal(b.data, "12345678");
	assert_int_equal(buf_printf(&b, "%s", "z"), -1);	/* failed stays failed */
	assert_int_equal(buf_puts(&b, "z"), -1);
	assert_null(buf_steal(&b, NULL));
	buf_free(&b);

	buf_init(&b, 300);
	assert_int_equal(buf_printf(&b, "%0300d", 7), 0);	/* exactly the cap */
	assert_int_equal(b.len, 300);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(buf_failed(&b), BUF_TOO_LARGE);
	buf_free(&b);
}

/* A BUF_QUOTE_LEN buffer holds the longest quote whole; control bytes and
 * non-ASCII become '?'; a smaller buffer cuts with "..." too. */
static void
test_quote(void **state)
{
	char q[BUF_QUOTE_LEN], small[8], long_text[100], want[BUF_QUOTE_LEN];

	(void)state;
	buf_quote(q, sizeof(q), "GBP", 3);
	assert_string_equal(q, "GBP");
	buf_quote(q, sizeof(q), "a\nb\x7f\xc3\xa9\0z", 8);
	assert_string_equal(q, "a?b????z");

	memset(long_text, 'x', sizeof(long_text));
	buf_quote(q, sizeof(q), long_text, BUF_QUOTE_KEEP);	/* exactly the kept length: not cut */
	assert_int_equal(strlen(q), BUF_QUOTE_KEEP);
	buf_quote(q, sizeof(q), long_text, sizeof(long_text));
	memset(want, 'x', BUF_QUOTE_KEEP);
	memcpy(want + BUF_QUOTE_KEEP, "...", 4);
	assert_string_equal(q, want);
	assert_int_equal(strlen(q) + 1, BUF_QUOTE_LEN);

	buf_quote(small, sizeof(small), "abcdefghij", 10);
	assert_string_equal(small, "abcd...");
	buf_quote(small, sizeof(small), "abc", 3);
	assert_string_equal(small, "abc");
	buf_quote(small, 1, "abc", 3);
	assert_string_equal(small, "");
}

/* A long quote keeps a sentence: BUF_QUOTE_LONG_KEEP bytes, then "...", and
 * still no byte outside printable ASCII. */
static void
test_quote_long(void **state)
{
	char q[BUF_QUOTE_LONG_LEN], text[300];

	(void)state;
	buf_quote(q, sizeof(q), "boom\ncconvd: info: refresh ok\x1b[31m", 34);
	assert_string_equal(q, "boom?cconvd: info: refresh ok?[31m");
	memset(text, 'y', sizeof(text));
	text[0] = '\x1b';
	buf_quote(q, sizeof(q), text, sizeof(text));
	assert_int_equal(strlen(q), BUF_QUOTE_LONG_KEEP + 3);
	assert_int_equal(q[0], '?');
	assert_memory_equal(q + BUF_QUOTE_LONG_KEEP, "...", 4);
}

/* Scrubbing replaces in place exactly what could end a line or drive a
 * terminal, and keeps valid UTF-8 (a multi-byte character cut at the end
 * is not valid). */
static void
test_scrub(void **state)
{
	char s[] = "a\nb\x1b[0m\x7f\xc2\x85\xc2\x9b\xc2\xa0\xc3\xa9\xe2\x80\xa6\xed\xa0\x80\xc0\xaf\xe2\x80";

	(void)state;
	buf_scrub(s, sizeof(s) - 1);
	assert_string_equal(s, "a?b?[0m?????\xc2\xa0\xc3\xa9\xe2\x80\xa6???????");
}

/* Shrinking keeps the text and its NUL, leaves no spare room, and the buffer
 * still grows after it. */
static void
test_shrink(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	buf_shrink(&b);		/* nothing allocated yet */
	assert_null(b.data);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_true(b.size > b.len + 1);
	buf_shrink(&b);
	assert_int_equal(b.size, b.len + 1);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 9990, "0123456789", 10);
	assert_int_equal(buf_puts(&b, "x"), 0);
	assert_int_equal(b.len, 10001);
	assert_string_equal(b.data + 9998, "89x");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_printf_cap),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_long),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_shrink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
