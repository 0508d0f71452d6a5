/*
 * calendar: the days the ECB publishes its euro reference rates.
 *
 * It publishes on every TARGET working day, so no rates exist for Saturdays,
 * Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December.
 * That list holds from 2002 on; 1999 to 2001 had other closing days.  Every
 * Frankfurter-style upstream relays these rates, so their days are these
 * days too.  Pure and thread-safe.
 */
#ifndef CCONV_CALENDAR_H
#define CCONV_CALENDAR_H

#include <stdint.h>

/* 1 when the ECB publishes on a day (days since 1970-01-01, UTC), else 0. */
int calendar_publication_day(int64_t days);

#endif
