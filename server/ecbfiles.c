/*
 * ecbfiles: the ECB's files rendered from history for each request.
 *
 * Why render on request rather than keep the files rendered at each publish:
 * the full history runs to megabytes of XML, and a copy kept per publication
 * would be paid for by every daemon, most never asked for it, and would
 * miss what --import writes from another process until the next round.
 * Rendered on request, the 90-day and full files go the way of long time
 * series (api_is_heavy()): to the heavy worker, behind its bounded queue and
 * the memory budget of answers not yet read (--series-memory), so they never
 * hold an HTTP thread and a crowd of scrapers is told 503 rather than queued
 * without bound.  Each answer is bounded too, by FEED_MAX_BODY, the largest
 * document a cconvd reads, so a cconvd chained behind this one can always
 * read what it serves.  The daily file reads one day and is answered inline.
 *
 * Days come newest first, as in the ECB's files.  The CSV's header names
 * every currency before the first line, so its columns are gathered in a
 * read of their own first; a currency that arrives between the two reads
 * makes the answer a 503 to retry, never a line that drops a rate.
 *
 * Caching is the latest rates' (API_CACHE_RATES): fresh until the next
 * refresh, dated by the newest confirmation of the sources read, and stale
 * (Warning 110) as the newest day's rates are, which a cconvd chained behind
 * this one reads as such.
 */
#include <stdio.h>
#include <string.h>

#include "ecbfiles.h"
#include "ecbwrite.h"
#include "feed.h"

#define ECB_PREFIX "/stats/eurofxref/"
#define ECB_PROVIDER "ECB"		/* upstream_provider_key() of the ECB's files and hosts */
#define ECB_90D_DAYS 90			/* the 90-day file: the days of the 90 ending with the newest */
#define ECB_FIRST_DAY "0000-01-01"	/* before any day */
#define ECB_RETRY_AFTER 1		/* seconds, when the history changed between two reads */

static const char ct_xml[] = "text/xml; charset=utf-8";
static const char ct_csv[] = "text/csv; charset=utf-8";

enum ecb_file { ECB_DAILY, ECB_90D, ECB_HIST_XML, ECB_HIST_CSV, ECB_FILES };

static const char *const file_names[ECB_FILES] = {
	[ECB_DAILY] = "eurofxref-daily.xml",
	[ECB_90D] = "eurofxref-hist-90d.xml",
	[ECB_HIST_XML] = "eurofxref-hist.xml",
	[ECB_HIST_CSV] = "eurofxref-hist.csv",
};

/* Which file path[0..n) names; ECB_FILES for none. */
static enum ecb_file
which(const char *path, size_t n)
{
	const size_t plen = sizeof(ECB_PREFIX) - 1;

	if (n <= plen || memcmp(path, ECB_PREFIX, plen) != 0)
		return ECB_FILES;
	for (int f = 0; f < ECB_FILES; f++)
		if (strlen(file_names[f]) == n - plen && memcmp(path + plen, file_names[f], n - plen) == 0)
			return (enum ecb_file)f;
	return ECB_FILES;
}

int
ecbfiles_is_path(const char *path, size_t n)
{
	return which(path, n) != ECB_FILES;
}

int
ecbfiles_is_heavy(const char *path, size_t n)
{
	enum ecb_file f = which(path, n);

	return f != ECB_FILES && f != ECB_DAILY;
}

/* A file being written, a day at a time, by write_day(). */
struct render {
	const struct api_ctx *ctx;
	enum ecb_file file;
	struct buf *b;
	const struct ecbwrite_columns *cols;	/* the CSV's */
	size_t days;
	int64_t newest_fetch;
	int stale;		/* the newest day's rates are */
	int refused;		/* the writer refused a day: a currency the CSV has no column for */
};

static int
write_day(void *arg, const struct rates *r)
{
	struct render *w = arg;
	int rc;

	if (w->days++ == 0)
		w->stale = rates_stale_at(r, w->ctx->now, w->ctx->max_age);
	if (rates_fetched_at(r) > w->newest_fetch)
		w->newest_fetch = rates_fetched_at(r);
	rc = w->file == ECB_HIST_CSV ? ecbwrite_csv_day(w->b, w->cols, r) : ecbwrite_xml_day(w->b, r);
	if (rc == -1) {
		w->refused = 1;
		return 1;
	}
	/* The daily file is the newest day alone; a full buffer ends any. */
	return w->file == ECB_DAILY || buf_failed(w->b) ? 1 : 0;
}

static int
gather_columns(void *arg, const struct rates *r)
{
	return ecbwrite_columns_add(arg, r) == -1 ? 1 : 0;
}

static int
newest_date(void *arg, const struct rates *r)
{
	memcpy(arg, rates_date(r), DT_DATE_LEN);
	return 1;
}

static int
each(const struct api_ctx *ctx, const char *start, const char *end, int (*fn)(void *arg, const struct rates *r),
    void *arg, char *err, size_t errlen)
{
	const struct api_history *h = ctx->history;

	return h->provider_each(h->cls, ECB_PROVIDER, "EUR", start, end, fn, arg, err, errlen);
}

/* The 90-day file's first and last dates into start and end: the 90 days
 * ending with the newest stored day (on or before end).  0, 1 when there is
 * no day at all, or -1 with the 503 answered. */
static int
span_90d(const struct api_ctx *ctx, char start[DT_DATE_LEN], char end[DT_DATE_LEN], struct api_response *resp)
{
	char err[512], newest[DT_DATE_LEN];
	int rc = each(ctx, ECB_FIRST_DAY, end, newest_date, newest, err, sizeof(err));

	if (rc == -1) {
		api_answer_error(resp, 503, "history unavailable: %s", err);
		return -1;
	}
	if (rc == 0)
		return 1;
	memcpy(end, newest, DT_DATE_LEN);
	dt_date((dt_date_days(newest) - (ECB_90D_DAYS - 1)) * 86400, start);
	return 0;
}

void
ecbfiles_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	struct ecbwrite_columns cols;
	struct render w;
	char err[512], start[DT_DATE_LEN] = ECB_FIRST_DAY, end[DT_DATE_LEN];
	int rc;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.file = which(req->path, req->path_len);
	w.b = &resp->body;
	w.cols = &cols;
	resp->endpoint = API_EP_ECB;
	if (ctx->history == NULL || ctx->history->provider_each == NULL) {
		api_answer_error(resp, 503, "no history: this server keeps none");
		return;
	}
	/* A day dated after today (a clock that ran ahead once) is never the newest. */
	dt_date(ctx->now, end);
	if (w.file == ECB_90D && (rc = span_90d(ctx, start, end, resp)) != 0) {
		if (rc == 1)
			api_answer_error(resp, 404, "no rates from the ECB are stored");
		return;
	}
	if (w.file != ECB_DAILY) {
		buf_free(&resp->body);
		buf_init(&resp->body, FEED_MAX_BODY);
	}
	if (w.file == ECB_HIST_CSV) {
		memset(&cols, 0, sizeof(cols));
		if ((rc = each(ctx, start, end, gather_columns, &cols, err, sizeof(err))) == -1) {
			api_answer_error(resp, 503, "history unavailable: %s", err);
			return;
		}
		if (rc == 1) {
			api_answer_error(resp, 503, "the ECB's history has more than %d currencies, more than a CSV "
			    "reader takes", ECBCSV_MAX_COLUMNS);
			return;
		}
		ecbwrite_csv_header(w.b, &cols);
	} else
		ecbwrite_xml_begin(w.b);
	if (each(ctx, start, end, write_day, &w, err, sizeof(err)) == -1) {
		api_answer_error(resp, 503, "history unavailable: %s", err);
		return;
	}
	if (w.file != ECB_HIST_CSV)
		ecbwrite_xml_end(w.b);
	if (buf_failed(w.b) == BUF_NO_MEMORY) {
		api_answer_error(resp, 503, "out of memory; try again");
		return;
	}
	if (buf_failed(w.b)) {
		api_answer_error(resp, 503, "%s is larger than %d MiB, the most a reader here takes",
		    file_names[w.file], FEED_MAX_BODY >> 20);
		return;
	}
	if (w.refused) {
		/* Only a CSV line can be refused (every day here is in euros): its currency came between two reads. */
		api_answer_error(resp, 503, "the ECB's history changed while it was read; try again");
		resp->retry_after = ECB_RETRY_AFTER;
		return;
	}
	if (w.days == 0) {
		api_answer_error(resp, 404, "no rates from the ECB are stored");
		return;
	}
	resp->status = 200;
	resp->content_type = w.file == ECB_HIST_CSV ? ct_csv : ct_xml;
	resp->last_modified = w.newest_fetch;
	resp->age = ctx->now > w.newest_fetch ? ctx->now - w.newest_fetch : 0;
	resp->stale = w.stale;
	resp->cache = API_CACHE_RATES;
}
