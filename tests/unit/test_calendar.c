/*
 * calendar: the ECB's publication days (weekends, fixed holidays, Easter in
 * several years), and, where the real ECB history is beside the checkout
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
