/*
 * gapfill: which days are missing, and filling them.
 *
 * A day can be missing only if the ECB published on it (calendar.h), so
 * neither a weekend nor a TARGET holiday costs a history fetch.  Should the
 * calendar ever miss a closing day, the cost is one fetch that finds nothing
 * new; should it miss a publication day, the gap waits for the next outage
 * that spans a publication day, since every fill stores all the feed's
 * missing days.
 *
 * Each day of the feed is stored as it is read (a feed of decades is never
 * held whole), within one transaction that commits only once the whole
 * feed has passed every rule, so a bad history fetch (unreachable,
 * malformed, one bad rate) changes nothing.
 */
#include "calendar.h"
#include "dt.h"
#include "err.h"
#include "feed.h"
#include "gapfill.h"
#include "upstream.h"
#include "url.h"

int
gapfill_needed(const char *prev, const char *first_new)
{
	int64_t from, to, next;

	if (prev == NULL || prev[0] == '\0' || first_new == NULL)
		return 0;
	if ((from = dt_date_days(prev)) < 0 || (to = dt_date_days(first_new)) < 0)
		return 0;
	next = from + 1;
	while (!calendar_publication_day(next))
		next++;
	return to > next;
}

int
gapfill_run(struct store *st, const char *url, size_t *added, char *err, size_t errlen)
{
	/* Days already stored are kept as the daemon saw them. */
	struct store_bulk b = { .st = st, .flags = STORE_KEEP_STORED };
	const struct rates_sink sink = { store_bulk_day, &b };
	struct feed_span span;

	*added = 0;
	if (upstream_fetch_each(url, UPSTREAM_HISTORY, NULL, &sink, &span, err, errlen) != UPSTREAM_FETCHED) {
		char shown[URL_SHOWN_LEN];

		(void)store_bulk_end(&b, 0, NULL, 0);
		/* The store's messages name the store already. */
		if (!b.failed)
			err_prefix(err, errlen, "upstream '%s'", url_redact(url, shown, sizeof(shown)));
		return -1;
	}
	if (store_bulk_end(&b, 1, err, errlen) == -1)
		return -1;
	*added = b.counts.added;
	return 0;
}
