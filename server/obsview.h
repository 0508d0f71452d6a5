/*
 * obsview: stored observations gathered into one view per source, ranked,
 * and merged (merge.h) into the snapshot a day or the latest rates answer.
 *
 * The store reads observations as rows (source, base, currency, date, rate)
 * and hands them here; a later row of the same source, base and currency
 * replaces an earlier one, so rows given in date order leave each source's
 * newest observation per currency.  Views are ordered by the source's rank:
 * the upstreams in the configured order first, then every other source
 * (imports, upstreams no longer configured) by its last confirmation,
 * newest first.  No SQLite here; one thread at a time per obsview.
 */
#ifndef CCONVD_OBSVIEW_H
#define CCONVD_OBSVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "rates.h"

struct obsview;

/* NULL when out of memory.  Free with obsview_free() (accepts NULL). */
struct obsview *obsview_new(void);
void obsview_free(struct obsview *v);

/* Forgets every source and observation, keeping the memory. */
void obsview_clear(struct obsview *v);
/* Forgets every observation, keeping the sources and their ranks. */
void obsview_clear_rows(struct obsview *v);

/* A source by its store id: upstream (copied), last confirmation, stale
 * flag.  0, or -1 with err "out of memory". */
int obsview_source(struct obsview *v, int64_t id, const char *upstream, int64_t fetched_at, int stale, char *err,
    size_t errlen);

/* Ranks the sources given so far: those whose upstream is order[i] rank i,
 * the rest after them by fetched_at, newest first (then the higher id). */
void obsview_rank(struct obsview *v, const char *const *order, size_t norder);

/* Leaves out of every merge the sources whose provider key
 * (upstream_provider_key()) is not among keys[0 .. n): a read restricted to
 * named providers.  After obsview_rank(), which it overrides. */
void obsview_only(struct obsview *v, const char *const *keys, size_t n);

/*
 * One observation of source (an id given to obsview_source()): rate_text
 * units of code per one base, dated date, stored at fetched_at.  A code no
 * currency table knows is skipped, as every parser skips it.  0, or -1
 * with err naming the observation ("observation of 'USD' on 2025-11-20:
 * rate '1e3' is not a decimal number"; an unknown source or base).
 */
int obsview_add(struct obsview *v, int64_t source, const char *base, const char *code, const char *rate_text,
    size_t rate_len, const char *date, int64_t fetched_at, char *err, size_t errlen);

/* Whether any observation has been added since the last clear. */
int obsview_empty(const struct obsview *v);

/*
 * merge_rates() of the views in rank order on the day on (NULL: the newest
 * date of any), with flags (merge.h).  Each view's source is confirmed at
 * the source's fetched_at and stale flag when latest is set (the latest
 * rates), else at the newest fetched_at of its observations in the view and
 * never stale (a past day: its answer must not change with every refresh).
 * Without MERGE_KEEP_OLD only observations within the window before on are
 * built into views.  0 with *out a finished snapshot (caller frees) or NULL
 * when no currency qualifies; -1 with err set.
 */
int obsview_merge(struct obsview *v, const char *on, int flags, int latest, struct rates **out, char *err,
    size_t errlen);

#endif
