/*
 * calendar: TARGET's closing days in integer arithmetic.  Easter Sunday comes
 * from the anonymous Gregorian computus (Meeus, Jones, Butcher), the rest are
 * fixed dates and weekdays.
 */
#include "calendar.h"
#include "dt.h"

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
