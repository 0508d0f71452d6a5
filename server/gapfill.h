/*
 * gapfill: the days the daemon missed, filled from a history feed.
 *
 * A daemon that was down for a week comes back, fetches today's rates and
 * would otherwise have a week-long hole in its history.  The refresher asks
 * gapfill_needed() after each round that brought a new date; when it says so,
 * gapfill_run() fetches the history feed (the ECB's 90-day XML by default)
 * and stores the days the store lacks.  Days already stored are never
 * rewritten: what the daemon saw at the time stays as it was.  Not
 * thread-safe beyond the store's own rules; the refresher thread calls it.
 */
#ifndef CCONVD_GAPFILL_H
#define CCONVD_GAPFILL_H

#include <stddef.h>

#include "store.h"

/*
 * Whether publication days (calendar.h) may be missing between prev, the
 * newest date stored before this round, and first_new, the oldest date this
 * round brought that is newer than prev: true when first_new is later than
 * the first publication day after prev.  prev NULL or "" (an empty store: no
 * outage to repair) gives 0.  Pure.
 */
int gapfill_needed(const char *prev, const char *first_new);

/*
 * Fetches the history feed at url (UPSTREAM_HISTORY limits), and stores, in
 * one transaction, every day it holds that the store has not got.  A
 * Frankfurter v2 url (…/rates) is asked for the days from `from` (the newest
 * date stored before the gap) to today, a calendar year a piece
 * (upstream_history_piece()); any other url is fetched as it is.  0 with
 * *added the number of days stored (0 is fine: a public holiday is a hole no
 * feed fills), or -1 with err set and the store unchanged: the upstream's or
 * the store's message, each naming its own subject.
 */
int gapfill_run(struct store *st, const char *url, const char *from, size_t *added, char *err, size_t errlen);

#endif
