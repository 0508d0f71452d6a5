/*
 * dt: dates and timestamps in UTC with plain integer arithmetic.
 *
 * Calendar maths uses the days-from-civil method (proleptic Gregorian), so
 * nothing depends on TZ, the locale or timegm()'s availability.
 */
#include <string.h>

#include <time.h>

#include "dt.h"
#include "err.h"

static const char *const wday_names[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

int64_t
dt_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
dt_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (strnlen(s, 11) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m))
		return -1;
	return 0;
}

int
dt_date_ok(const char *s)
{
	int y, m, d;

	return strnlen(s, 11) == 10 && parse_ymd(s, &y, &m, &d) == 0;
}

int64_t
dt_date_days(const char *s)
{
	int y, m, d;

	if (!dt_date_ok(s) || parse_ymd(s, &y, &m, &d) == -1)
		return -1;
	return dt_days_from_civil(y, m, d);
}

/* Writes v as exactly `width` digits (v is in range by construction). */
static void
put_num(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void
split_time(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *se, int64_t *days)
{
	int64_t z = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - z * 86400;

	dt_civil_from_days(z, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem % 3600 / 60);
	*se = (int)(rem % 60);
	*days = z;
}

void
dt_date(int64_t t, char out[DT_DATE_LEN])
{
	int y, mo, d, h, mi, se;
	int64_t z;

	split_time(t, &y, &mo, &d, &h, &mi, &se, &z);
	put_num(out, y % 10000, 4);
	out[4] = '-';
	put_num(out + 5, mo, 2);
	out[7] = '-';
	put_num(out + 8, d, 2);
	out[10] = '\0';
}

void
dt_iso8601(int64_t t, char out[DT_ISO_LEN])
{
	int y, mo, d, h, mi, se;
	int64_t z;

	dt_date(t, out);
	split_time(t, &y, &mo, &d, &h, &mi, &se, &z);
	out[10] = 'T';
	put_num(out + 11, h, 2);
	out[13] = ':';
	put_num(out + 14, mi, 2);
	out[16] = ':';
	put_num(out + 17, se, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

int
dt_parse_iso8601(const char *s, int64_t *t)
{
	int y, m, d, h, mi, se;

	if (strnlen(s, 21) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    parse_ymd(s, &y, &m, &d) == -1)
		return -1;
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	*t = dt_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void
dt_http(int64_t t, char out[DT_HTTP_LEN])
{
	int y, mo, d, h, mi, se;
	int64_t z;

	split_time(t, &y, &mo, &d, &h, &mi, &se, &z);
	int64_t wd = z % 7;
	if (wd < 0)
		wd += 7;
	/* "Fri, 20 Nov 2026 16:05:00 GMT" */
	memcpy(out, wday_names[wd], 3);
	memcpy(out + 3, ", ", 2);
	put_num(out + 5, d, 2);
	out[7] = ' ';
	memcpy(out + 8, month_names[mo - 1], 3);
	out[11] = ' ';
	put_num(out + 12, y % 10000, 4);
	out[16] = ' ';
	put_num(out + 17, h, 2);
	out[19] = ':';
	put_num(out + 20, mi, 2);
	out[22] = ':';
	put_num(out + 23, se, 2);
	memcpy(out + 25, " GMT", 5);
}

/* 1..12 for the month's three-letter name at s, else 0. */
static int
month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(s, month_names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* *t from a date and the "HH:MM:SS" at hms; -1 unless both are real (years
 * from 1900, a leap second allowed). */
static int
http_time(int y, int mo, int d, const char *hms, int64_t *t)
{
	int h = digits(hms, 2), mi = digits(hms + 3, 2), se = digits(hms + 6, 2);

	if (hms[2] != ':' || hms[5] != ':' || mo == 0 || y < 1900 || d < 1 || d > month_days(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	*t = dt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

int
dt_parse_http(const char *s, int64_t *t)
{
	/* "Fri, 20 Nov 2026 16:05:00 GMT" */
	if (strnlen(s, DT_HTTP_LEN) != DT_HTTP_LEN - 1 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0)
		return -1;
	return http_time(digits(s + 12, 4), month_of(s + 8), digits(s + 5, 2), s + 17, t);
}

/* "Friday, 20-Nov-26 16:05:00 GMT": RFC 850's form, with a two-digit year. */
static int
parse_rfc850(const char *s, int64_t now, int64_t *t)
{
	static const char *const names[] = {
		"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
	};
	const char *p = NULL;
	int y, yy, now_y, mo, d;

	for (int i = 0; i < 7 && p == NULL; i++)
		if (strncmp(s, names[i], strlen(names[i])) == 0)
			p = s + strlen(names[i]);
	/* ", DD-Mon-YY HH:MM:SS GMT" */
	if (p == NULL || strnlen(p, 25) != 24 || p[0] != ',' || p[1] != ' ' || p[4] != '-' || p[8] != '-' ||
	    p[11] != ' ' || strcmp(p + 20, " GMT") != 0 || (yy = digits(p + 9, 2)) < 0)
		return -1;
	/* RFC 9110 §5.6.7: a year more than 50 years ahead is the century before. */
	dt_civil_from_days(now / 86400, &now_y, &mo, &d);
	y = now_y - now_y % 100 + yy;
	if (y > now_y + 50)
		y -= 100;
	return http_time(y, month_of(p + 5), digits(p + 2, 2), p + 12, t);
}

/* "Fri Nov 20 16:05:00 2026", the day padded with a space: asctime()'s form. */
static int
parse_asctime(const char *s, int64_t *t)
{
	int known = 0;

	for (int i = 0; i < 7; i++)
		known |= memcmp(s, wday_names[i], 3) == 0;
	if (strnlen(s, 25) != 24 || !known || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
		return -1;
	return http_time(digits(s + 20, 4), month_of(s + 4), s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2),
	    s + 11, t);
}

int
dt_parse_http_any(const char *s, int64_t now, int64_t *t)
{
	if (dt_parse_http(s, t) == 0 || parse_rfc850(s, now, t) == 0 || parse_asctime(s, t) == 0)
		return 0;
	return -1;
}

int64_t
dt_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
dt_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int
dt_date_published_ok(const char *date, int64_t now)
{
	char tomorrow[DT_DATE_LEN];

	dt_date(now + 86400, tomorrow);
	return strcmp(date, tomorrow) <= 0;
}

int
dt_past_date_check(const char *s, int64_t now, char *err, size_t errlen)
{
	char today[DT_DATE_LEN];

	if (!dt_date_ok(s)) {
		err_set(err, errlen, "expected a date as YYYY-MM-DD");
		return -1;
	}
	dt_date(now, today);
	if (strcmp(s, today) > 0) {
		err_set(err, errlen, "in the future (today is %s, UTC)", today);
		return -1;
	}
	return 0;
}
