/*
 * schedule: when a refresh can bring new rates, from the ECB's calendar.
 *
 * The ECB publishes its euro reference rates once per TARGET working day at
 * about 16:00 CET (14:00 or 15:00 UTC), and every Frankfurter-style upstream
 * only relays them.  Once the daemon holds the rates of the latest day that
 * can have been published, nothing new can appear before the next publication,
 * so the next fetch is due then (plus a margin for the ECB and the relays),
 * and never later than --refresh.  When the latest day's rates are late (the
 * ECB was late, or the upstream is another cconvd that has not fetched them
 * yet), the daemon polls every SCHEDULE_LATE_POLL seconds for up to
 * SCHEDULE_LATE_WINDOW, then every --refresh seconds (an upstream that does
 * not follow the ECB's calendar must not be polled fast forever).
 *
 * The days and times it publishes at are calendar.h's.  Pure and thread-safe.
 */
#ifndef CCONVD_SCHEDULE_H
#define CCONVD_SCHEDULE_H

#include <stdint.h>

#define SCHEDULE_MARGIN 600L		/* seconds after it before relays are expected to have it */
#define SCHEDULE_LATE_POLL 900L		/* seconds between fetches while a publication is late */
#define SCHEDULE_LATE_WINDOW 21600L	/* seconds after publication + margin that count as late */

/*
 * Seconds from now until the next fetch after a successful round, given the
 * date of the rates held ("YYYY-MM-DD"; NULL or invalid: unknown) and the
 * configured interval: min(refresh, next publication + SCHEDULE_MARGIN - now)
 * when the held rates are the latest that can exist; min(refresh,
 * SCHEDULE_LATE_POLL) when they are late by less than SCHEDULE_LATE_WINDOW;
 * else refresh.  >= 1.
 */
long schedule_next(int64_t now, long refresh, const char *held_date);

#endif
