/*
 * textmatch: folding (case, accents, apostrophes, bytes kept as they are,
 * cuts on a character boundary), substring matches of folded text, and the
 * distance with its swaps of neighbours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "textmatch.h"

static void
assert_folds(const char *in, const char *want)
{
	char out[128];

	assert_int_equal(textmatch_fold(in, out, sizeof(out)), strlen(want));
	assert_string_equal(out, want);
}

static void
test_fold(void **state)
{
	char out[8];

	(void)state;
	assert_folds("Swiss FRANC", "swiss franc");
	assert_folds("Polish Złoty", "polish zloty");
	assert_folds("Costa Rican Colón", "costa rican colon");
	assert_folds("Mongolian Tögrög", "mongolian togrog");
	assert_folds("São Tomé and Príncipe Dobra", "sao tome and principe dobra");
	assert_folds("Tongan Paʻanga", "tongan paanga");
	assert_folds("Romanian Leu Ș ț", "romanian leu s t");
	assert_folds("it’s l'euro", "its leuro");
	/* Outside the table, and bytes that are no UTF-8, stay as they are. */
	assert_folds("Ελλάδα ×", "Ελλάδα ×");
	assert_folds("\xff\xc3", "\xff\xc3");
	/* A cut never splits a character kept whole. */
	assert_int_equal(textmatch_fold("abcdeΩΩ", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdeΩ");
	assert_int_equal(textmatch_fold("abcdefΩ", out, sizeof(out)), 6);
	assert_string_equal(out, "abcdef");
	assert_int_equal(textmatch_fold("abc", out, 0), 0);
}

static void
test_contains(void **state)
{
	(void)state;
	assert_true(textmatch_contains("Swiss Franc", "swiss"));
	assert_true(textmatch_contains("Polish Złoty", "ZLOTY"));
	assert_true(textmatch_contains("Polish Zloty", "złoty"));
	assert_true(textmatch_contains("Japanese Yen", ""));
	assert_false(textmatch_contains("Swedish Krona", "swiss"));
	assert_false(textmatch_contains("Yen", "Japanese Yen"));
}

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(textmatch_distance("GBP", "GBP"), 0);
	assert_int_equal(textmatch_distance("gbp", "GBP"), 0);
	assert_int_equal(textmatch_distance("GPB", "GBP"), 1);	/* a swap of neighbours */
	assert_int_equal(textmatch_distance("USS", "USD"), 1);
	assert_int_equal(textmatch_distance("--frm", "--from"), 1);
	assert_int_equal(textmatch_distance("--sever", "--server"), 1);
	assert_int_equal(textmatch_distance("", "abc"), 3);
	assert_int_equal(textmatch_distance("abc", ""), 3);
	assert_int_equal(textmatch_distance("kitten", "sitting"), 3);
	assert_int_equal(textmatch_distance("ca", "abc"), 3);	/* OSA: no edit after a swap */
	/* Both cut to TEXTMATCH_MAX bytes: equal there, equal. */
	char a[200], b[200];
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[150] = 'y';
	assert_int_equal(textmatch_distance(a, b), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
