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
 * The feed is parsed whole before anything is stored and the missing days go
 * in one store_save_many() transaction, so a bad history fetch (unreachable,
 * malformed, one bad rate) changes nothing.
 */
#include <stdlib.h>
#include <string.h>

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

/* store_each() callback: marks the feed's days the store already has. */
struct mark_ctx {
	struct rates **v;
	size_t n;
	unsigned char *stored;
};

static int
mark_stored(void *arg, const struct rates *r)
{
	struct mark_ctx *c = arg;
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(rates_date(c->v[mid]), rates_date(r));
		if (cmp == 0) {
			c->stored[mid] = 1;
			break;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
gapfill_run(struct store *st, const char *url, size_t *added, char *err, size_t errlen)
{
	struct rates **v = NULL, **missing = NULL;
	unsigned char *stored = NULL;
	size_t n = 0, m = 0;
	int rc = -1;

	*added = 0;
	if (upstream_fetch_feed(url, UPSTREAM_HISTORY, NULL, &v, &n, err, errlen) != UPSTREAM_FETCHED) {
		char shown[URL_SHOWN_LEN];
		err_prefix(err, errlen, "upstream '%s'", url_redact(url, shown, sizeof(shown)));
		goto out;
	}
	if ((stored = calloc(n, 1)) == NULL || (missing = calloc(n, sizeof(*missing))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	/* v is oldest first (feed_parse()), so the store's days in that range
	 * can be found by binary search. */
	struct mark_ctx c = { v, n, stored };
	if (store_each(st, rates_date(v[0]), rates_date(v[n - 1]), mark_stored, &c, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!stored[i])
			missing[m++] = v[i];
	if (m > 0 && store_save_many(st, missing, m, NULL, err, errlen) == -1)
		goto out;
	*added = m;
	rc = 0;
out:
	free(missing);
	free(stored);
	rates_vec_free(v, n);
	return rc;
}
