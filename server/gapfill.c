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
#include <time.h>

#include "calendar.h"
#include "dt.h"
#include "err.h"
#include "feed.h"
#include "gapfill.h"
#include "log.h"
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

/* One document of the fill into b's transaction: 0, or -1 with err set. */
static int
fill_from(struct store_bulk *b, const char *url, char *err, size_t errlen)
{
	const struct rates_sink sink = { store_bulk_day, b };
	struct feed_span span;
	char shown[URL_SHOWN_LEN], skipped[FEED_SKIPPED_SENTENCE_LEN];

	url_redact(url, shown, sizeof(shown));
	if (upstream_fetch_each(url, UPSTREAM_HISTORY, NULL, &sink, &span, err, errlen) != UPSTREAM_FETCHED) {
		/* The store's messages name the store already. */
		if (!b->failed)
			err_prefix(err, errlen, "upstream '%s'", shown);
		return -1;
	}
	if (feed_skipped_sentence(&span, skipped, sizeof(skipped)))
		log_info("history: '%s': %s", shown, skipped);
	return 0;
}

int
gapfill_run(struct store *st, const char *url, const char *from, size_t *added, char *err, size_t errlen)
{
	/* Days already stored are kept as the daemon saw them. */
	struct store_bulk b = { .st = st, .flags = STORE_KEEP_STORED };
	struct upstream_piece piece;
	int got = 1;

	*added = 0;
	if (!upstream_is_v2(url))
		got = fill_from(&b, url, err, errlen);
	else {
		for (unsigned k = 0; (got = upstream_history_piece(url, from, k, (int64_t)time(NULL), &piece)) == 1;
		    k++)
			if ((got = fill_from(&b, piece.url, err, errlen)) == -1)
				break;
		if (got == -1 && piece.url[0] == '\0') {
			char shown[URL_SHOWN_LEN];
			err_set(err, errlen, "upstream '%s': no history from '%s' to ask for",
			    url_redact(url, shown, sizeof(shown)), from);
		}
	}
	if (got == -1) {
		(void)store_bulk_end(&b, 0, NULL, 0);
		return -1;
	}
	if (store_bulk_end(&b, 1, err, errlen) == -1)
		return -1;
	*added = b.counts.added;
	return 0;
}
