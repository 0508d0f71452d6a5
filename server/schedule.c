/*
 * schedule: the ECB's publication times, in integer UTC arithmetic.
 *
 * The publication days come from calendar.h; the daylight-saving switch
 * from "the last Sunday of the month", in days since 1970-01-01 so that the
 * rest is comparisons.
 */
#include <stddef.h>

#include "calendar.h"
#include "dt.h"
#include "schedule.h"

#define DAY 86400L
#define SEARCH_DAYS 14	/* TARGET never closes longer than a weekend and two holidays */

static int64_t
last_sunday(int y, int month)
{
	int64_t last = dt_days_from_civil(y, month, 31);	/* March and October have 31 days */
	return last - dt_weekday(last);
}

int64_t
schedule_publication_time(int64_t days)
{
	int y, m, d;

	dt_civil_from_days(days, &y, &m, &d);
	/* 16:00 local is after the 01:00 UTC switch on both switching days. */
	int summer = days >= last_sunday(y, 3) && days < last_sunday(y, 10);
	return days * DAY + (SCHEDULE_PUBLISH_HOUR - (summer ? 2 : 1)) * 3600L;
}

long
schedule_next(int64_t now, long refresh, const char *held_date)
{
	int64_t held = held_date != NULL ? dt_date_days(held_date) : -1;
	int64_t today = now >= 0 ? now / DAY : 0, latest = -1, next = -1;
	int i;

	if (held < 0)
		return refresh;
	/* The latest day whose rates should be out by now. */
	for (i = 0; i < SEARCH_DAYS; i++)
		if (calendar_publication_day(today - i) &&
		    schedule_publication_time(today - i) + SCHEDULE_MARGIN <= now) {
			latest = today - i;
			break;
		}
	if (latest < 0)
		return refresh;
	if (held < latest) {
		int late = now < schedule_publication_time(latest) + SCHEDULE_MARGIN + SCHEDULE_LATE_WINDOW;
		return late && SCHEDULE_LATE_POLL < refresh ? SCHEDULE_LATE_POLL : refresh;
	}
	for (i = 1; i <= SEARCH_DAYS; i++)
		if (calendar_publication_day(latest + i)) {
			next = latest + i;
			break;
		}
	if (next < 0)
		return refresh;
	int64_t wait = schedule_publication_time(next) + SCHEDULE_MARGIN - now;
	if (wait > refresh)
		return refresh;
	return wait < 1 ? 1 : (long)wait;
}
