/*
 * codeset: membership of three-letter codes, and the listing a message
 * names them with, cut at a whole code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codeset.h"

static void
test_add_once_in_code_order(void **state)
{
	struct codeset s;
	char out[64];

	(void)state;
	codeset_clear(&s);
	assert_int_equal(codeset_list(&s, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(codeset_add(&s, "ZZZ"), 1);
	assert_int_equal(codeset_add(&s, "XAU"), 1);
	assert_int_equal(codeset_add(&s, "AAA"), 1);
	assert_int_equal(codeset_add(&s, "XAU"), 0);
	assert_int_equal(codeset_add(&s, "xau"), -1);
	assert_int_equal(codeset_add(&s, "XAUX"), -1);
	assert_int_equal(codeset_add(&s, "XA"), -1);
	assert_int_equal(s.n, 3);
	assert_int_equal(codeset_list(&s, out, sizeof(out)), 3);
	assert_string_equal(out, "AAA, XAU, ZZZ");
}

/* A listing too long for its buffer keeps whole codes and says there are
 * more; one that fits exactly is not cut. */
static void
test_list_cut_at_whole_code(void **state)
{
	struct codeset s;
	char out[64];

	(void)state;
	codeset_clear(&s);
	(void)codeset_add(&s, "AAA");
	(void)codeset_add(&s, "BBB");
	(void)codeset_add(&s, "CCC");
	assert_int_equal(codeset_list(&s, out, 14), 3);
	assert_string_equal(out, "AAA, BBB, CCC");
	assert_int_equal(codeset_list(&s, out, 13), 1);
	assert_string_equal(out, "AAA, ...");
	assert_int_equal(codeset_list(&s, out, 4), 0);
	assert_string_equal(out, "");
	assert_int_equal(codeset_list(&s, out, 1), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_once_in_code_order),
		cmocka_unit_test(test_list_cut_at_whole_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
