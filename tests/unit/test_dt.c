/*
 * dt: the date checks every program shares, at fixed clocks: a user's past
 * date (today in UTC at the latest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dt.h"

static int64_t
at(const char *iso)
{
	int64_t t = 0;

	assert_int_equal(dt_parse_iso8601(iso, &t), 0);
	return t;
}

static void
test_past_date(void **state)
{
	int64_t late = at("2026-11-20T23:59:59Z"), early = at("2026-11-20T00:00:00Z");
	char err[128];

	(void)state;
	assert_int_equal(dt_past_date_check("2026-11-20", early, err, sizeof(err)), 0);	/* today */
	assert_int_equal(dt_past_date_check("2026-11-19", early, err, sizeof(err)), 0);
	assert_int_equal(dt_past_date_check("1999-01-04", late, err, sizeof(err)), 0);

	assert_int_equal(dt_past_date_check("2026-11-21", late, err, sizeof(err)), -1);
	assert_string_equal(err, "in the future (today is 2026-11-20, UTC)");
	assert_int_equal(dt_past_date_check("2026-11-21", at("2026-11-21T00:00:00Z"), err, sizeof(err)), 0);

	assert_int_equal(dt_past_date_check("2026-02-29", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
	assert_int_equal(dt_past_date_check("2026-11-2", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
	assert_int_equal(dt_past_date_check("", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_past_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
