/*
 * dt: the date checks every program shares, at fixed clocks: a user's past
 * date (today in UTC at the latest) and a published one (tomorrow); and the
 * date predicate, which answers 1 for a date and 0 for anything else, as
 * every *_ok() does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dt.h"

#define DAY 86400
/* 2026-11-20T00:00:00Z, the first second of the test's "today". */
#define EARLY (dt_days_from_civil(2026, 11, 20) * DAY)

static void
test_past_date(void **state)
{
	int64_t early = EARLY, late = EARLY + DAY - 1;
	char err[128];

	(void)state;
	assert_int_equal(dt_past_date_check("2026-11-20", early, err, sizeof(err)), 0);	/* today */
	assert_int_equal(dt_past_date_check("2026-11-19", early, err, sizeof(err)), 0);
	assert_int_equal(dt_past_date_check("1999-01-04", late, err, sizeof(err)), 0);

	assert_int_equal(dt_past_date_check("2026-11-21", late, err, sizeof(err)), -1);
	assert_string_equal(err, "in the future (today is 2026-11-20, UTC)");
	assert_int_equal(dt_past_date_check("2026-11-21", late + 1, err, sizeof(err)), 0);

	assert_int_equal(dt_past_date_check("2026-02-29", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
	assert_int_equal(dt_past_date_check("2026-11-2", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
	assert_int_equal(dt_past_date_check("", late, err, sizeof(err)), -1);
	assert_string_equal(err, "expected a date as YYYY-MM-DD");
}

/* A rates document may carry tomorrow's date (UTC), not the day after. */
static void
test_published_date(void **state)
{
	int64_t early = EARLY, late = EARLY + DAY - 1;

	(void)state;
	assert_true(dt_date_published_ok("2026-11-19", early));
	assert_true(dt_date_published_ok("2026-11-20", early));
	assert_true(dt_date_published_ok("2026-11-21", early));
	assert_false(dt_date_published_ok("2026-11-22", late));
	assert_true(dt_date_published_ok("2026-11-22", late + 1));
	assert_false(dt_date_published_ok("2027-01-01", late));
	assert_true(dt_date_published_ok("1999-01-04", late));
}

static void
test_date_ok(void **state)
{
	(void)state;
	assert_int_equal(dt_date_ok("2026-11-20"), 1);
	assert_int_equal(dt_date_ok("2024-02-29"), 1);	/* a leap day */
	assert_int_equal(dt_date_ok("1900-01-01"), 1);
	assert_int_equal(dt_date_ok("2025-02-29"), 0);	/* not a leap year */
	assert_int_equal(dt_date_ok("2026-13-01"), 0);
	assert_int_equal(dt_date_ok("2026-11-20 "), 0);
	assert_int_equal(dt_date_ok("2026-1-20"), 0);
	assert_int_equal(dt_date_ok("1899-12-31"), 0);
	assert_int_equal(dt_date_ok(""), 0);
	assert_int_equal(dt_date_days("2026-13-01"), -1);
	assert_int_equal(dt_date_days("1970-01-02"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_past_date),
		cmocka_unit_test(test_published_date),
		cmocka_unit_test(test_date_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
