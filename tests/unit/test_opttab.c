/*
 * opttab: the row a long option names, with and without "=value", the row a
 * short letter names, and the misses, over a table of another struct; the
 * items of a comma-separated value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "opttab.h"

struct row {
	int id;
	struct opttab_name name;
	const char *help;
};

static const struct row rows[] = {
	{ 10, { "--from", 'f' }, "a" },
	{ 11, { "--from-file", 0 }, "b" },
	{ 12, { "--verbose", 'v' }, "c" },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int
find_long(const char *arg, const char **value)
{
	return opttab_find_long(&rows[0].name, NROWS, sizeof(rows[0]), arg, value);
}

static void
test_long(void **state)
{
	const char *value = "unset";

	(void)state;
	assert_int_equal(find_long("--from", &value), 0);
	assert_null(value);
	assert_int_equal(find_long("--from-file", &value), 1);
	assert_int_equal(find_long("--verbose", &value), 2);

	assert_int_equal(find_long("--from=USD", &value), 0);
	assert_string_equal(value, "USD");
	assert_int_equal(find_long("--from-file=a=b", &value), 1);
	assert_string_equal(value, "a=b");	/* the first '=' splits */
	assert_int_equal(find_long("--from=", &value), 0);
	assert_string_equal(value, "");

	/* Neither a prefix nor an extension of a name is that name. */
	assert_int_equal(find_long("--fro", &value), -1);
	assert_int_equal(find_long("--fromage", &value), -1);
	assert_int_equal(find_long("--verbose-x=1", &value), -1);
	assert_string_equal(value, "1");
	assert_int_equal(find_long("--", &value), -1);
	assert_null(value);
}

static void
test_short(void **state)
{
	(void)state;
	assert_int_equal(opttab_find_short(&rows[0].name, NROWS, sizeof(rows[0]), 'f'), 0);
	assert_int_equal(opttab_find_short(&rows[0].name, NROWS, sizeof(rows[0]), 'v'), 2);
	assert_int_equal(opttab_find_short(&rows[0].name, NROWS, sizeof(rows[0]), 'x'), -1);
	/* A row without a short form is not found by the letter 0. */
	assert_int_equal(opttab_find_short(&rows[0].name, NROWS, sizeof(rows[0]), '\0'), -1);
}

/* A slip of the keyboard names the option meant; a word far from every name
 * names none. */
static void
test_suggest(void **state)
{
	(void)state;
	assert_string_equal(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--frm"), "--from");
	assert_string_equal(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--frm=USD"), "--from");
	assert_string_equal(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--verbsoe"), "--verbose");
	assert_string_equal(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--from-fil"),
	    "--from-file");
	assert_null(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--frobnicate"));
	assert_null(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--x"));
	assert_null(opttab_suggest_long(&rows[0].name, NROWS, sizeof(rows[0]), "--"));
}

/* "a, b" as people write it: blanks around items dropped, empty items
 * reported as such, the last item ending the walk. */
static void
test_next_item(void **state)
{
	const char *next = " http://a ,\thttp://b\t,, c", *p;
	size_t len;

	(void)state;
	p = opttab_next_item(&next, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(p, "http://a", 8);
	p = opttab_next_item(&next, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(p, "http://b", 8);
	assert_non_null(next);
	(void)opttab_next_item(&next, &len);
	assert_int_equal(len, 0);
	p = opttab_next_item(&next, &len);
	assert_int_equal(len, 1);
	assert_memory_equal(p, "c", 1);
	assert_null(next);

	next = "";
	(void)opttab_next_item(&next, &len);
	assert_int_equal(len, 0);
	assert_null(next);
	next = "x,";
	(void)opttab_next_item(&next, &len);
	assert_int_equal(len, 1);
	(void)opttab_next_item(&next, &len);
	assert_int_equal(len, 0);
	assert_null(next);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_next_item),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
