/*
 * calendar: the days the ECB publishes its euro reference rates.
 *
 * It publishes on every TARGET working day, so no rates exist for Saturdays,
 * Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December.
 * That list holds from 2002 on; 1999 to 2001 had other closing days.  Every
 * Frankfurter-style upstream relays these rates, so their days are these
 * days too.
 *
 * It publishes at about 16:00 CET (14:00 or 15:00 UTC): CET is UTC+1, and
 * CEST (UTC+2) runs from the last Sunday of March to the last Sunday of
 * October, switching at 01:00 UTC on both days (EU Directive 2000/84/EC), so
 * no TZ database is consulted.
 *
 * From that, the newest day a source can have published by a given time,
 * which is what the refresh schedule waits for and what rates are judged old
 * against: rates of day D stand until the next day the source publishes
 * after D is out, and are stale once that is more than max-age ago, whenever
 * they were fetched.  Pure and thread-safe.
 */
#ifndef CCONV_CALENDAR_H
#define CCONV_CALENDAR_H

#include <stdint.h>

/* 1 when the ECB publishes on a day (days since 1970-01-01, UTC), else 0. */
int calendar_publication_day(int64_t days);

#define CALENDAR_PUBLISH_HOUR 16	/* local time (CET/CEST) of the ECB's publication */

/* Unix time of 16:00 Central European time (CET or CEST) on a day. */
int64_t calendar_publication_time(int64_t days);

/* Which days a source publishes on, and from when. */
enum calendar_kind {
	CALENDAR_ECB,		/* calendar_publication_day(), at calendar_publication_time() */
	CALENDAR_WEEKDAYS,	/* Monday to Friday, from 00:00 UTC (central banks all over the world) */
};

/*
 * The calendar the rates of a snapshot follow, from its origin as
 * rates_upstream() gives it ("" when unknown).  Snapshots do not record
 * their source's kind, so it is told by the URL: every format cconv reads
 * (the ECB's XML and CSV, Frankfurter v1 and fixer-style JSON, another
 * cconvd) carries the ECB's rates, and so does an import or a backfill of
 * them, so everything follows the ECB's calendar except Frankfurter's v2 API
 * (https://api.frankfurter.dev/v2/…), which relays some 84 central banks.
 */
enum calendar_kind calendar_kind_of(const char *upstream);

/* The newest day (days since 1970-01-01) whose rates a source of kind k can
 * have published by Unix time now; -1 for a now before 1970-01-15. */
int64_t calendar_expected_day(enum calendar_kind k, int64_t now);

/*
 * Rates dated date ("YYYY-MM-DD") from a source of kind k stand until the
 * source publishes its next day; they are stale max_age seconds after that,
 * whenever they were fetched.  calendar_stale_from() is the Unix time they
 * turn stale (INT64_MIN for an invalid date: stale at once);
 * calendar_date_stale() is 1 when they are stale at now, that is when
 * calendar_expected_day(k, now - max_age) is later than date, else 0.  One
 * rate or a whole snapshot alike.
 */
int64_t calendar_stale_from(enum calendar_kind k, const char *date, long max_age);
int calendar_date_stale(enum calendar_kind k, const char *date, int64_t now, long max_age);

/* How many days a source of kind k has published, or could have by now,
 * after its rates dated date ("YYYY-MM-DD") up to calendar_expected_day():
 * the publications it missed, 0 when it is up to date; -1 for an invalid
 * date.  Frankfurter v2's publishes_missed. */
int64_t calendar_missed(enum calendar_kind k, const char *date, int64_t now);

/* Whole days from date ("YYYY-MM-DD") to now's date in UTC: 0 for today
 * and for a date after it (a next-day publisher's rates, dated tomorrow,
 * are current, not -1 days old); 0 for an invalid date. */
int64_t calendar_age_days(const char *date, int64_t now);

#endif
