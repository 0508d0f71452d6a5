/*
 * schedule: when the next fetch can bring news, from the ECB's publication
 * times (calendar.h), in integer UTC arithmetic.
 */
#include <stddef.h>

#include "calendar.h"
#include "dt.h"
#include "schedule.h"

#define SEARCH_DAYS 14	/* TARGET never closes longer than a weekend and two holidays */

long
schedule_next(int64_t now, long refresh, const char *held_date)
{
	int64_t held = held_date != NULL ? dt_date_days(held_date) : -1;
	/* The latest day whose rates should be out by now, relays included. */
	int64_t latest = calendar_expected_day(CALENDAR_ECB, now - SCHEDULE_MARGIN), next = -1;
	int i;

	if (held < 0 || latest < 0)
		return refresh;
	if (held < latest) {
		int late = now < calendar_publication_time(latest) + SCHEDULE_MARGIN + SCHEDULE_LATE_WINDOW;
		return late && SCHEDULE_LATE_POLL < refresh ? SCHEDULE_LATE_POLL : refresh;
	}
	for (i = 1; i <= SEARCH_DAYS; i++)
		if (calendar_publication_day(latest + i)) {
			next = latest + i;
			break;
		}
	if (next < 0)
		return refresh;
	int64_t wait = calendar_publication_time(next) + SCHEDULE_MARGIN - now;
	if (wait > refresh)
		return refresh;
	return wait < 1 ? 1 : (long)wait;
}
