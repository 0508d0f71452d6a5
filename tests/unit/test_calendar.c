/*
 * calendar: the ECB's publication days (weekends, fixed holidays, Easter in
 * several years) and times (CET and CEST), the newest day a source can have
 * published at the edges of those, rates stale by their date, and, where the real ECB history is beside the checkout
 * (CCONV_SHARED_DATA), every day from 2002 to its last one against it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unitlib.h"

#include "calendar.h"
#include "dt.h"

static int64_t
day(const char *date)
{
	int64_t d = dt_date_days(date);

	assert_true(d >= 0);
	return d;
}

static void
test_publication_days(void **state)
{
	(void)state;
	assert_true(calendar_publication_day(day("2026-11-20")));	/* Friday */
	assert_false(calendar_publication_day(day("2026-11-21")));	/* Saturday */
	assert_false(calendar_publication_day(day("2026-11-22")));	/* Sunday */
	assert_true(calendar_publication_day(day("2026-11-23")));	/* Monday */
	/* Easter 2026 is 5 April: Good Friday and Easter Monday are closed, Thursday and Tuesday not. */
	assert_true(calendar_publication_day(day("2026-04-02")));
	assert_false(calendar_publication_day(day("2026-04-03")));
	assert_false(calendar_publication_day(day("2026-04-06")));
	assert_true(calendar_publication_day(day("2026-04-07")));
	/* Other years' Good Fridays and Easter Mondays (Easter: 2024-03-31, 2025-04-20, 2038-04-25). */
	assert_false(calendar_publication_day(day("2024-03-29")));
	assert_false(calendar_publication_day(day("2024-04-01")));
	assert_false(calendar_publication_day(day("2025-04-18")));
	assert_false(calendar_publication_day(day("2025-04-21")));
	assert_false(calendar_publication_day(day("2038-04-23")));
	assert_false(calendar_publication_day(day("2038-04-26")));
	/* Fixed holidays on weekdays; Christmas Eve is a working day. */
	assert_true(calendar_publication_day(day("2026-12-24")));
	assert_false(calendar_publication_day(day("2026-12-25")));
	assert_false(calendar_publication_day(day("2025-12-26")));
	assert_false(calendar_publication_day(day("2027-01-01")));
	assert_false(calendar_publication_day(day("2026-05-01")));
	assert_true(calendar_publication_day(day("2026-05-04")));
}

static void
test_publication_time_in_cet_and_cest(void **state)
{
	(void)state;
	assert_int_equal(calendar_publication_time(day("2026-11-20")), unit_at("2026-11-20T15:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2026-06-18")), unit_at("2026-06-18T14:00:00Z"));
	/* 2026 switches on 29 March and 25 October (the last Sundays). */
	assert_int_equal(calendar_publication_time(day("2026-03-27")), unit_at("2026-03-27T15:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2026-03-30")), unit_at("2026-03-30T14:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2026-10-23")), unit_at("2026-10-23T14:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2026-10-26")), unit_at("2026-10-26T15:00:00Z"));
	/* 2027: 28 March and 31 October, a 31st that is itself the last Sunday. */
	assert_int_equal(calendar_publication_time(day("2027-03-26")), unit_at("2027-03-26T15:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2027-03-29")), unit_at("2027-03-29T14:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2027-10-29")), unit_at("2027-10-29T14:00:00Z"));
	assert_int_equal(calendar_publication_time(day("2027-11-01")), unit_at("2027-11-01T15:00:00Z"));
}

/* The newest day expected at t, as a date. */
static const char *
expected(enum calendar_kind k, const char *iso)
{
	static char out[DT_DATE_LEN];
	int64_t d = calendar_expected_day(k, unit_at(iso));

	assert_true(d >= 0);
	dt_date(d * 86400, out);
	return out;
}

static void
test_expected_day_follows_the_ecb(void **state)
{
	(void)state;
	/* Friday 2026-11-20, 15:59 and 16:01 CET. */
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-20T14:59:00Z"), "2026-11-19");
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-20T15:00:00Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-20T15:01:00Z"), "2026-11-20");
	/* The weekend, and Monday before and after 16:00 CET. */
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-21T12:00:00Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-22T23:59:59Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-23T14:59:59Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_ECB, "2026-11-23T15:00:00Z"), "2026-11-23");
	/* 1 May 2026 is a Friday: Thursday's rates stand until Monday. */
	assert_string_equal(expected(CALENDAR_ECB, "2026-05-01T18:00:00Z"), "2026-04-30");
	assert_string_equal(expected(CALENDAR_ECB, "2026-05-04T13:59:59Z"), "2026-04-30");
	assert_string_equal(expected(CALENDAR_ECB, "2026-05-04T14:00:00Z"), "2026-05-04");
	/* Christmas 2026: Friday 25, then the weekend; 24 December's rates until Monday 28. */
	assert_string_equal(expected(CALENDAR_ECB, "2026-12-26T10:00:00Z"), "2026-12-24");
	assert_string_equal(expected(CALENDAR_ECB, "2026-12-28T14:59:59Z"), "2026-12-24");
	/* 2025: Thursday 25 and Friday 26 closed, so Wednesday's until Monday 29. */
	assert_string_equal(expected(CALENDAR_ECB, "2025-12-26T16:00:00Z"), "2025-12-24");
	assert_string_equal(expected(CALENDAR_ECB, "2025-12-29T15:00:00Z"), "2025-12-29");
	/* DST switch days: 16:00 CEST on Monday 30 March 2026 is 14:00 UTC, on Monday 26 October 15:00 UTC. */
	assert_string_equal(expected(CALENDAR_ECB, "2026-03-30T13:59:59Z"), "2026-03-27");
	assert_string_equal(expected(CALENDAR_ECB, "2026-03-30T14:00:00Z"), "2026-03-30");
	assert_string_equal(expected(CALENDAR_ECB, "2026-10-23T14:00:00Z"), "2026-10-23");
	assert_string_equal(expected(CALENDAR_ECB, "2026-10-26T14:30:00Z"), "2026-10-23");
	assert_string_equal(expected(CALENDAR_ECB, "2026-10-26T15:00:00Z"), "2026-10-26");
	assert_int_equal(calendar_expected_day(CALENDAR_ECB, -1), -1);
}

static void
test_expected_day_of_other_sources(void **state)
{
	(void)state;
	/* The last weekday, from its first second in UTC; holidays do not count. */
	assert_string_equal(expected(CALENDAR_WEEKDAYS, "2026-11-21T12:00:00Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_WEEKDAYS, "2026-11-22T23:59:59Z"), "2026-11-20");
	assert_string_equal(expected(CALENDAR_WEEKDAYS, "2026-11-23T00:00:00Z"), "2026-11-23");
	assert_string_equal(expected(CALENDAR_WEEKDAYS, "2026-05-01T00:00:01Z"), "2026-05-01");
	assert_string_equal(expected(CALENDAR_WEEKDAYS, "2026-12-25T09:00:00Z"), "2026-12-25");
	assert_int_equal(calendar_kind_of("https://api.frankfurter.dev/v2/rates?base=EUR"), CALENDAR_WEEKDAYS);
	assert_int_equal(calendar_kind_of("https://api.frankfurter.dev/v1/latest"), CALENDAR_ECB);
	assert_int_equal(calendar_kind_of("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"),
	    CALENDAR_ECB);
	assert_int_equal(calendar_kind_of("import file:///tmp/eurofxref-hist.csv"), CALENDAR_ECB);
	assert_int_equal(calendar_kind_of(""), CALENDAR_ECB);
}

static void
test_rates_are_stale_by_their_date(void **state)
{
	(void)state;
	/* Thursday's rates stand until Friday's are out, 15:00 UTC, then --max-age more. */
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-11-19", unit_at("2026-11-21T14:59:59Z"), 86400));
	assert_true(calendar_date_stale(CALENDAR_ECB, "2026-11-19", unit_at("2026-11-21T15:00:00Z"), 86400));
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-11-19", unit_at("2026-11-20T15:00:59Z"), 60));
	assert_true(calendar_date_stale(CALENDAR_ECB, "2026-11-19", unit_at("2026-11-20T15:01:00Z"), 60));
	/* Friday's over the weekend: Monday's come at 15:00 UTC, stale a day later. */
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-11-20", unit_at("2026-11-24T14:59:59Z"), 86400));
	assert_true(calendar_date_stale(CALENDAR_ECB, "2026-11-20", unit_at("2026-11-24T15:00:00Z"), 86400));
	/* 24 December 2026's across Christmas and the weekend. */
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-12-24", unit_at("2026-12-29T14:59:59Z"), 86400));
	assert_true(calendar_date_stale(CALENDAR_ECB, "2026-12-24", unit_at("2026-12-29T15:00:00Z"), 86400));
	/* The expected day itself, and a day ahead, are never stale by date. */
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-11-23", unit_at("2026-11-23T15:00:00Z"), 60));
	assert_false(calendar_date_stale(CALENDAR_ECB, "2026-11-24", unit_at("2026-11-23T15:00:00Z"), 60));
	/* Other sources: Friday's stand until Monday 00:00 UTC, then --max-age. */
	assert_false(calendar_date_stale(CALENDAR_WEEKDAYS, "2026-11-20", unit_at("2026-11-23T23:59:59Z"), 86400));
	assert_true(calendar_date_stale(CALENDAR_WEEKDAYS, "2026-11-20", unit_at("2026-11-24T00:00:00Z"), 86400));
	/* An imported history whose newest day is 2025-05-09, on 2026-12-01. */
	assert_true(calendar_date_stale(CALENDAR_ECB, "2025-05-09", unit_at("2026-12-01T12:00:00Z"), 86400));
	assert_int_equal(calendar_age_days("2025-05-09", unit_at("2026-12-01T12:00:00Z")), 571);
	assert_int_equal(calendar_age_days("2026-12-01", unit_at("2026-12-01T23:59:59Z")), 0);
	/* Next-day rates are current, not -1 days old. */
	assert_int_equal(calendar_age_days("2026-12-02", unit_at("2026-12-01T23:59:59Z")), 0);
	assert_true(calendar_date_stale(CALENDAR_ECB, "not a date", unit_at("2026-12-01T12:00:00Z"), 86400));
}

/* The publications a source missed after its last rates, as /v2/providers says. */
static void
test_missed_publications(void **state)
{
	(void)state;
	/* Up to date: Friday's on Saturday, today's once it is out. */
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-11-20", unit_at("2026-11-22T12:00:00Z")), 0);
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-11-20", unit_at("2026-11-23T14:59:59Z")), 0);
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-11-20", unit_at("2026-11-23T15:00:00Z")), 1);
	/* Across Christmas: 24 December's, then only 28 and 29 December. */
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-12-24", unit_at("2026-12-29T16:00:00Z")), 2);
	/* The weekday calendar counts holidays, from midnight UTC. */
	assert_int_equal(calendar_missed(CALENDAR_WEEKDAYS, "2026-12-24", unit_at("2026-12-28T00:00:00Z")), 2);
	/* Rates dated ahead of the calendar missed nothing. */
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-11-24", unit_at("2026-11-23T16:00:00Z")), 0);
	assert_int_equal(calendar_missed(CALENDAR_ECB, "2026-13-01", unit_at("2026-11-23T16:00:00Z")), -1);
}

/* The ECB's own record: a day has a row in eurofxref-hist.csv exactly when
 * the calendar says it publishes. */
static void
test_matches_ecb_history(void **state)
{
	const char *dir = getenv("CCONV_SHARED_DATA");
	char path[4096], line[4096], date[DT_DATE_LEN];
	int64_t first = day("2002-01-01"), last = -1;
	unsigned char *seen = NULL;
	size_t rows = 0, nseen;
	FILE *f = NULL;

	(void)state;
	if (dir == NULL || snprintf(path, sizeof(path), "%s/eurofxref-hist.csv", dir) >= (int)sizeof(path) ||
	    (f = fopen(path, "r")) == NULL)
		skip();
	nseen = (size_t)(day("2100-01-01") - first);
	assert_non_null(seen = calloc(nseen, 1));
	while (fgets(line, sizeof(line), f) != NULL) {
		int64_t d;

		if (strncmp(line, "Date,", 5) == 0)
			continue;
		memcpy(date, line, DT_DATE_LEN - 1);
		date[DT_DATE_LEN - 1] = '\0';
		d = day(date);
		rows++;
		if (d < first)
			continue;
		assert_true(d - first < (int64_t)nseen);
		seen[d - first] = 1;
		if (d > last)
			last = d;
	}
	fclose(f);
	assert_true(rows > 6000);
	for (int64_t d = first; d <= last; d++) {
		if (calendar_publication_day(d) != seen[d - first]) {
			dt_date(d * 86400, date);
			fail_msg("%s: the calendar says %s, the ECB's history has %s", date,
			    calendar_publication_day(d) ? "open" : "closed", seen[d - first] ? "rates" : "none");
		}
	}
	free(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publication_days),
		cmocka_unit_test(test_matches_ecb_history),
		cmocka_unit_test(test_publication_time_in_cet_and_cest),
		cmocka_unit_test(test_expected_day_follows_the_ecb),
		cmocka_unit_test(test_expected_day_of_other_sources),
		cmocka_unit_test(test_rates_are_stale_by_their_date),
		cmocka_unit_test(test_missed_publications),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
