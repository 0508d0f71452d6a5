/*
 * err: set, prefix and append, including the cuts a small buffer forces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"

static void
test_set_prefix_append(void **state)
{
	char err[128];

	(void)state;
	err_set(err, sizeof(err), "HTTP %d", 503);
	assert_string_equal(err, "HTTP 503");
	err_prefix(err, sizeof(err), "upstream '%s'", "http://h/x");
	assert_string_equal(err, "upstream 'http://h/x': HTTP 503");
	err_append(err, sizeof(err), "cache '%s': %s", "/c", "missing");
	assert_string_equal(err, "upstream 'http://h/x': HTTP 503; cache '/c': missing");

	err[0] = '\0';
	err_append(err, sizeof(err), "first");
	assert_string_equal(err, "first");
	err_prefix(err, sizeof(err), "%s", "");
	assert_string_equal(err, ": first");
}

/* A module's own variadic helper, as ecbxml.c's fail() is. */
static void __attribute__((format(printf, 3, 4)))
vset_through(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, errlen, fmt, ap);
	va_end(ap);
}

static void
test_vset(void **state)
{
	char line[16], err[8];

	(void)state;
	vset_through(line, sizeof(line), "line %d: %s", 3, "x");
	assert_string_equal(line, "line 3: x");
	vset_through(err, sizeof(err), "%s", "abcd\xc3\xa9\xe2\x82\xac");
	assert_string_equal(err, "abcd\xc3\xa9");	/* cut as err_set() cuts */
	vset_through(NULL, 10, "%s", "x");
	vset_through(err, 0, "%s", "x");
	assert_string_equal(err, "abcd\xc3\xa9");
}

static void
test_cuts(void **state)
{
	char err[12];

	(void)state;
	err_set(err, sizeof(err), "%s", "0123456789abcdef");
	assert_string_equal(err, "0123456789a");

	err_set(err, sizeof(err), "%s", "reason");
	err_prefix(err, sizeof(err), "%s", "subj");
	assert_string_equal(err, "subj: reaso");	/* the subject stays whole, the reason is cut */

	err_set(err, sizeof(err), "%s", "r");
	err_prefix(err, sizeof(err), "%s", "a very long subject");
	assert_string_equal(err, "a very long");

	err_set(err, sizeof(err), "%s", "0123456789");
	err_append(err, sizeof(err), "x");	/* no room for "; ": unchanged */
	assert_string_equal(err, "0123456789");

	err_set(err, sizeof(err), "%s", "01234567");
	err_append(err, sizeof(err), "xyz");
	assert_string_equal(err, "01234567; x");
}

static void
test_utf8_never_split(void **state)
{
	char err[8];

	(void)state;
	/* "abcdé€" is a b c d (4) + é (2) + € (3): 9 bytes; 7 fit, and the € would be cut. */
	err_set(err, sizeof(err), "%s", "abcd\xc3\xa9\xe2\x82\xac");
	assert_string_equal(err, "abcd\xc3\xa9");
	err_set(err, sizeof(err), "%s", "abcdef\xc3\xa9");
	assert_string_equal(err, "abcdef");
	err_set(err, sizeof(err), "%s", "\xe2\x82\xac");
	err_prefix(err, sizeof(err), "%s", "ab");
	assert_string_equal(err, "ab: \xe2\x82\xac");
	err_set(err, sizeof(err), "%s", "\xe2\x82\xac\xe2\x82\xac");
	err_prefix(err, sizeof(err), "%s", "ab");
	assert_string_equal(err, "ab: \xe2\x82\xac");	/* 3 bytes left: one whole euro sign */
	err_set(err, sizeof(err), "%s", "a\xe2\x82\xac");
	err_prefix(err, sizeof(err), "%s", "abc");
	assert_string_equal(err, "abc: a");	/* 2 bytes left after 'a': no partial euro sign */
}

static void
test_null_and_empty_buffers(void **state)
{
	char one[1] = { 'x' };

	(void)state;
	err_set(NULL, 10, "x");
	err_prefix(NULL, 10, "x");
	err_append(NULL, 10, "x");
	err_set(one, 0, "x");
	assert_int_equal(one[0], 'x');
	err_set(one, 1, "abc");
	assert_int_equal(one[0], '\0');
	err_prefix(one, 1, "abc");
	assert_int_equal(one[0], '\0');
	err_append(one, 1, "abc");
	assert_int_equal(one[0], '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_prefix_append),
		cmocka_unit_test(test_vset),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_utf8_never_split),
		cmocka_unit_test(test_null_and_empty_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
