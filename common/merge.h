/*
 * merge: one snapshot from several, currency by currency, with precedence.
 *
 * Each view is what one source has (its latest rates, or its rates up to a
 * past day); the result takes, for each currency, the observation of the
 * first view in the order given that has one dated within the carry-forward
 * window before the reference day.  The same code serves every place where
 * rates from several places meet: the daemon's upstreams each round, the
 * days of one history feed folded into its latest rates, the store's past
 * days, and the CLI's direct fallback.  Pure; thread-safe.
 */
#ifndef CCONV_MERGE_H
#define CCONV_MERGE_H

#include <stddef.h>

#include "rates.h"

/* Days an observation stands for the days after it when nothing newer is
 * published: Frankfurter's carry-forward window. */
#define MERGE_WINDOW_DAYS 14

/* Significant digits, at least, of a rate rebased from another pivot. */
#define MERGE_REBASE_DIGITS 15

/* merge_rates() flags. */
#define MERGE_KEEP_OLD 0x1	/* the latest rates: a currency in use that no view has within the window
				 * keeps the newest observation any view has, rather than being left out */

/*
 * The merge of n views (finished snapshots, any of them NULL: a source with
 * nothing yet) on the day `on` ("YYYY-MM-DD"; NULL: the newest date of any
 * view).  For each currency, the observation of the first view that has one
 * dated within MERGE_WINDOW_DAYS before on (on included); none: left out,
 * or with MERGE_KEEP_OLD the newest any view has, unless the currency is
 * withdrawn (currency.h: historic).  Observations dated after on are never
 * used.
 *
 * The result's pivot is the first view's; a view with another pivot is
 * rebased through its own rate for that pivot (MERGE_REBASE_DIGITS
 * significant digits; the older of the two dates), and left out when it has
 * none.  Each entry keeps its date and source; sources with the same
 * upstream are one, with the newest confirmation.  Source 0, the result's
 * rates_upstream(), is the source that gave the most entries (the first
 * in order on a tie).  The result's date is its newest entry's.
 *
 * 0 with *out a finished snapshot (caller frees with rates_free()), or with
 * *out NULL when no currency besides the pivot qualifies; -1 with err set
 * ("out of memory", a rebase out of range).
 */
int merge_rates(struct rates *const *views, size_t n, const char *on, int flags, struct rates **out, char *err,
    size_t errlen);

/*
 * The latest rates of one source: its days v[0..n) (oldest first, as a
 * document gives them) and its earlier latest rates prev (NULL: none)
 * folded so that each currency has its newest observation (merge_rates()
 * with MERGE_KEEP_OLD, newest day first): a currency a document leaves out
 * keeps its earlier rate.  0 with *out as merge_rates() sets it, or -1
 * with err set.
 */
int merge_fold(struct rates *const *v, size_t n, struct rates *prev, struct rates **out, char *err,
    size_t errlen);

#endif
