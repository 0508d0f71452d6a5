/*
 * dt: the few date and time forms cconv reads and writes, all in UTC, and the
 * monotonic clock durations are measured with.  Thread-safe; no locale, no TZ.
 */
#ifndef CCONV_DT_H
#define CCONV_DT_H

#include <stddef.h>
#include <stdint.h>

#define DT_DATE_LEN 11		/* "2026-11-20" + NUL */
#define DT_ISO_LEN 21		/* "2026-11-20T16:05:00Z" + NUL */
#define DT_HTTP_LEN 30		/* "Fri, 20 Nov 2026 16:05:00 GMT" + NUL */

/* 1 if s is exactly "YYYY-MM-DD", a real calendar date in years 1900..9999, else 0. */
int dt_date_ok(const char *s);
/* Days since 1970-01-01 for a date accepted by dt_date_ok(), else -1 (as int64). */
int64_t dt_date_days(const char *s);
/* Today's date (UTC) for a Unix time. */
void dt_date(int64_t t, char out[DT_DATE_LEN]);
void dt_iso8601(int64_t t, char out[DT_ISO_LEN]);
/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ"; 0 or -1. */
int dt_parse_iso8601(const char *s, int64_t *t);
/* RFC 9110 IMF-fixdate, for Last-Modified. */
void dt_http(int64_t t, char out[DT_HTTP_LEN]);
/* Parses exactly an IMF-fixdate ("Fri, 20 Nov 2026 16:05:00 GMT"); 0 or -1.
 * The weekday name is not checked against the date (RFC 9110 §5.6.7 lets a
 * recipient ignore it). */
int dt_parse_http(const char *s, int64_t *t);
/* Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 says a
 * recipient must accept: IMF-fixdate, the obsolete RFC 850 form ("Friday,
 * 20-Nov-26 16:05:00 GMT"; a two-digit year more than 50 years after now's
 * is taken from the century before) and asctime()'s ("Fri Nov 20 16:05:00
 * 2026", a one-digit day padded with a space); 0 or -1. */
int dt_parse_http_any(const char *s, int64_t now, int64_t *t);
/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31,
 * not checked), and back. */
int64_t dt_days_from_civil(int64_t y, int m, int d);
void dt_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 0 Sunday .. 6 Saturday, for days since 1970-01-01 (a Thursday). */
int dt_weekday(int64_t days);
/*
 * A date a user asks rates for: exactly "YYYY-MM-DD" (dt_date_ok()) and not
 * after today in UTC at Unix time now.  0, or -1 with err set to the reason
 * alone: "expected a date as YYYY-MM-DD", "in the future (today is
 * 2026-11-20, UTC)"; the caller names the value.
 */
int dt_past_date_check(const char *s, int64_t now, char *err, size_t errlen);
/* 1 when rates dated date ("YYYY-MM-DD") may exist at Unix time now: it is
 * no later than tomorrow in UTC, since a publisher east of UTC may already
 * be there; else 0.  Every reader of a rates document refuses a later date. */
int dt_date_published_ok(const char *date, int64_t now);
/* Milliseconds on CLOCK_MONOTONIC, for durations (wall-clock jumps do not
 * show in them). */
int64_t dt_mono_ms(void);

#endif
