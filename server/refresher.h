/*
 * refresher: the thread that fetches, stores and publishes rates.
 *
 * It fetches at once on start, then every cfg->refresh seconds (sooner when
 * the ECB's next publication comes first: schedule.h), trying the
 * upstreams in order until one gives a valid snapshot; after a failed round it
 * retries sooner, with backoff (backoff.h) and any Retry-After honoured.
 * Requests are conditional, so an unchanged upstream answers 304.  Every day a
 * good fetch brings is saved to the store (a storage failure is logged and
 * reported in the status but does not stop publishing) and the newest is then
 * published.  A failure changes nothing but the status and when the next
 * round is due.  When a round shows
 * that days are missing since the newest one served (the daemon was down),
 * the history feed cfg->history_upstream is fetched after publishing to store
 * them (gapfill.h).  Every round, failed or not, ends by publishing the
 * store's newest day if it is newer than the one served: days that
 * cconvd --import or --backfill saved beside the running daemon (they send
 * SIGHUP, so that round runs at once).  The store is used only by this
 * thread while it runs.  It logs once when the rates served turn stale
 * (rates_stale_at() with --max-age: by fetch time or by their date), waking
 * for that between rounds, and once when they are fresh again.
 */
#ifndef CCONVD_REFRESHER_H
#define CCONVD_REFRESHER_H

#include <stddef.h>

#include "config.h"
#include "store.h"

struct refresher;

/* cfg and st are borrowed and must outlive the refresher.  NULL with err
 * set to the reason alone ("out of memory"): the caller names the refresher. */
struct refresher *refresher_start(const struct cconvd_config *cfg, struct store *st, char *err,
    size_t errlen);
/* Fetch now (SIGHUP): the round it starts logs "SIGHUP: refreshing now", and
 * any number of kicks during a round start one more.  Async-signal-unsafe:
 * call from the main thread. */
void refresher_kick(struct refresher *rf);
/* Stops and joins the thread; frees rf.  An in-flight fetch is abandoned. */
void refresher_stop(struct refresher *rf);

#endif
