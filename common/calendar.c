/*
 * calendar: TARGET's closing days in integer arithmetic.  Easter Sunday comes
 * from the anonymous Gregorian computus (Meeus, Jones, Butcher), the rest are
 * fixed dates and weekdays; the daylight-saving switch is "the last Sunday
 * of the month", in days since 1970-01-01, so the rest is comparisons.
 */
#include <string.h>

#include "calendar.h"
#include "dt.h"

#define DAY 86400L
#define SEARCH_DAYS 14	/* TARGET never closes longer than a weekend and two holidays */

static int64_t
easter_sunday(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return dt_days_from_civil(y, month, day);
}

int
calendar_publication_day(int64_t days)
{
	int y, m, d, w = dt_weekday(days);
	int64_t easter;

	if (w == 0 || w == 6)
		return 0;
	dt_civil_from_days(days, &y, &m, &d);
	if ((m == 1 && d == 1) || (m == 5 && d == 1) || (m == 12 && (d == 25 || d == 26)))
		return 0;
	easter = easter_sunday(y);
	return days != easter - 2 && days != easter + 1;
}

static int64_t
last_sunday(int y, int month)
{
	int64_t last = dt_days_from_civil(y, month, 31);	/* March and October have 31 days */
	return last - dt_weekday(last);
}

int64_t
calendar_publication_time(int64_t days)
{
	int y, m, d;

	dt_civil_from_days(days, &y, &m, &d);
	/* 16:00 local is after the 01:00 UTC switch on both switching days. */
	int summer = days >= last_sunday(y, 3) && days < last_sunday(y, 10);
	return days * DAY + (CALENDAR_PUBLISH_HOUR - (summer ? 2 : 1)) * 3600L;
}

enum calendar_kind
calendar_kind_of(const char *upstream)
{
	return upstream != NULL && strstr(upstream, "://api.frankfurter.dev/v2/") != NULL ? CALENDAR_WEEKDAYS :
	    CALENDAR_ECB;
}

/* Whether a source of kind k publishes on day d, and from when (Unix time). */
static int
publishes(enum calendar_kind k, int64_t d, int64_t *from)
{
	if (k == CALENDAR_WEEKDAYS) {
		*from = d * DAY;
		return dt_weekday(d) != 0 && dt_weekday(d) != 6;
	}
	*from = calendar_publication_time(d);
	return calendar_publication_day(d);
}

int64_t
calendar_expected_day(enum calendar_kind k, int64_t now)
{
	int64_t today = now >= 0 ? now / DAY : -1, from;

	for (int64_t d = today; d >= 0 && d > today - SEARCH_DAYS; d--)
		if (publishes(k, d, &from) && from <= now)
			return d;
	return -1;
}

int64_t
calendar_stale_from(enum calendar_kind k, const char *date, long max_age)
{
	int64_t d = dt_date_days(date), from;

	if (d < 0)
		return INT64_MIN;
	for (int64_t next = d + 1; next <= d + SEARCH_DAYS; next++)
		if (publishes(k, next, &from))
			return from + max_age;
	return INT64_MIN;	/* unreachable: no calendar closes that long */
}

int
calendar_date_stale(enum calendar_kind k, const char *date, int64_t now, long max_age)
{
	return now >= calendar_stale_from(k, date, max_age);
}

int64_t
calendar_missed(enum calendar_kind k, const char *date, int64_t now)
{
	int64_t d = dt_date_days(date), last = calendar_expected_day(k, now), n = 0, from;

	if (d < 0)
		return -1;
	for (int64_t next = d + 1; next <= last; next++)
		n += publishes(k, next, &from);
	return n;
}

int64_t
calendar_age_days(const char *date, int64_t now)
{
	int64_t d = dt_date_days(date), age = (now >= 0 ? now / DAY : -1) - d;

	return d < 0 || age < 0 ? 0 : age;
}
