/* The ECB-aware refresh schedule: weekends, TARGET holidays, CET and CEST, and --refresh as the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unitlib.h"

#include "dt.h"
#include "schedule.h"

static void
test_next_fetch_waits_for_the_next_publication(void **state)
{
	(void)state;
	/* Thursday noon with Wednesday's rates: next at 15:00 UTC + 10 min, unless --refresh is shorter. */
	assert_int_equal(schedule_next(unit_at("2026-11-19T12:00:00Z"), 86400, "2026-11-18"), 3 * 3600 + 600);
	assert_int_equal(schedule_next(unit_at("2026-11-19T12:00:00Z"), 3600, "2026-11-18"), 3600);
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:05:00Z"), 3600, "2026-11-18"), 300);
	/* Summer: 14:00 UTC. */
	assert_int_equal(schedule_next(unit_at("2026-06-18T12:00:00Z"), 86400, "2026-06-17"), 2 * 3600 + 600);
	/* Right after a publication was fetched, the next is tomorrow's, 23 h 50 min later. */
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:20:00Z"), 86400, "2026-11-19"), 86400 - 600);
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:20:00Z"), 3600, "2026-11-19"), 3600);
}

static void
test_weekends_and_holidays_are_skipped(void **state)
{
	(void)state;
	/* Friday's rates on Sunday afternoon: Monday 15:10 UTC. */
	assert_int_equal(schedule_next(unit_at("2026-11-22T16:00:00Z"), 86400, "2026-11-20"), 23 * 3600 + 600);
	/* Friday evening: the whole weekend is quiet, only --refresh caps the wait. */
	assert_int_equal(schedule_next(unit_at("2026-11-20T17:00:00Z"), 86400, "2026-11-20"), 86400);
	assert_int_equal(schedule_next(unit_at("2026-11-20T17:00:00Z"), 7 * 86400, "2026-11-20"),
	    unit_at("2026-11-23T15:10:00Z") - unit_at("2026-11-20T17:00:00Z"));
	/* Easter: Thursday's rates are the latest until Tuesday 7 April, 14:10 UTC. */
	assert_int_equal(schedule_next(unit_at("2026-04-05T12:00:00Z"), 7 * 86400, "2026-04-02"),
	    unit_at("2026-04-07T14:10:00Z") - unit_at("2026-04-05T12:00:00Z"));
}

static void
test_across_the_dst_switch(void **state)
{
	(void)state;
	/* Friday in CET, Monday in CEST: 14:10 UTC on Monday. */
	assert_int_equal(schedule_next(unit_at("2026-03-29T16:00:00Z"), 86400, "2026-03-27"), 22 * 3600 + 600);
	/* Friday in CEST, Monday in CET: 15:10 UTC. */
	assert_int_equal(schedule_next(unit_at("2026-10-25T16:00:00Z"), 86400, "2026-10-23"), 23 * 3600 + 600);
}

static void
test_late_rates_are_polled_faster_for_a_while(void **state)
{
	(void)state;
	/* After 15:10 UTC without Thursday's rates: every 15 minutes, or --refresh if shorter … */
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:30:00Z"), 3600, "2026-11-18"), 900);
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:30:00Z"), 600, "2026-11-18"), 600);
	assert_int_equal(schedule_next(unit_at("2026-11-19T21:09:59Z"), 3600, "2026-11-18"), 900);
	/* … for six hours; then the upstream is not following the ECB, and --refresh rules. */
	assert_int_equal(schedule_next(unit_at("2026-11-19T21:10:00Z"), 3600, "2026-11-18"), 3600);
	/* Two working days behind: late by the latest day's clock, and long since. */
	assert_int_equal(schedule_next(unit_at("2026-11-24T11:00:00Z"), 3600, "2026-11-20"), 3600);
	/* Friday's rates late on Friday: polled fast; on Saturday the window has long passed. */
	assert_int_equal(schedule_next(unit_at("2026-11-20T16:00:00Z"), 3600, "2026-11-19"), 900);
	assert_int_equal(schedule_next(unit_at("2026-11-21T16:00:00Z"), 3600, "2026-11-19"), 3600);
}

static void
test_unknown_polls_at_refresh(void **state)
{
	(void)state;
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:30:00Z"), 3600, NULL), 3600);
	assert_int_equal(schedule_next(unit_at("2026-11-19T15:30:00Z"), 3600, "garbage"), 3600);
	/* Rates dated later than expected count as current. */
	assert_int_equal(schedule_next(unit_at("2026-11-19T12:00:00Z"), 86400, "2026-11-19"), 3 * 3600 + 600);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_fetch_waits_for_the_next_publication),
		cmocka_unit_test(test_weekends_and_holidays_are_skipped),
		cmocka_unit_test(test_across_the_dst_switch),
		cmocka_unit_test(test_late_rates_are_polled_faster_for_a_while),
		cmocka_unit_test(test_unknown_polls_at_refresh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
