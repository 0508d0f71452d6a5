/*
 * feed: which format a document is, then the rules every format shares.
 *
 * Sniffing looks at the first bytes only (after a UTF-8 byte order mark and
 * blanks): '[' is Frankfurter v2, '{' is JSON (v2's NDJSON when its first
 * object is a record, with "quote"), '<' is XML, "Date," is the ECB's CSV; anything else
 * is refused with the bytes quoted, so an HTML error page or a proxy's login
 * form is reported as what it is rather than as a puzzling parse error deep in
 * one of the parsers.  The JSON readers hand each day on as they read it, so
 * a long history is never held whole; the ECB readers (XML, CSV: documents a
 * fraction of JSON's size for the same days) build a vector first, handed on
 * oldest first.  A date given twice is refused, and so is a date in the
 * future, once the document is read: the caller's sink undoes its work then.
 * feed_parse() keeps every day, sorted oldest first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "ecbcsv.h"
#include "ecbxml.h"
#include "err.h"
#include "feed.h"
#include "fxjson.h"
#include "fxv2.h"

static int
by_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Case-insensitive "does s[0..n) start with prefix". */
static int
starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

/*
 * Between a format's reader and the caller's sink: every date is noted (as
 * a day number, 4 bytes a day, the only thing a document costs per day
 * here), and the count bounded, so the rules on the document as a whole
 * (no date twice, none in the future) are checked once it is read.
 */
struct each {
	const struct rates_sink *sink;
	int32_t *days;
	size_t n, cap;
	int too_many, sink_failed;
};

static int
each_day(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct each *e = arg;

	if (e->n == RATES_VEC_MAX) {
		e->too_many = 1;
		err_set(err, errlen, "more than %d dates", RATES_VEC_MAX);
		return -1;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap > 0 ? e->cap * 2 : 256;
		int32_t *grown = reallocarray(e->days, cap, sizeof(*grown));
		if (grown == NULL) {
			e->sink_failed = 1;
			err_set(err, errlen, "out of memory");
			return -1;
		}
		e->days = grown;
		e->cap = cap;
	}
	e->days[e->n++] = (int32_t)dt_date_days(rates_date(*r));
	if (e->sink->fn(e->sink->arg, r, err, errlen) == -1) {
		e->sink_failed = 1;
		return -1;
	}
	return 0;
}

/* A vector reader's days (ECB XML, CSV), oldest first, through each_day(). */
static int
hand_on_vector(struct rates **v, size_t n, struct each *e, char *err, size_t errlen)
{
	int rc = 0;

	rates_vec_sort(v, n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = each_day(e, &v[i], err, errlen);
	rates_vec_free(v, n);
	return rc;
}

/* The rules on the document whole, once every day was handed on. */
static int
check_dates(struct each *e, const char *format, char *err, size_t errlen)
{
	char date[DT_DATE_LEN];

	/* Every reader refuses a document without a day; this only keeps the rule local. */
	if (e->n == 0) {
		err_set(err, errlen, "%s: no dates", format);
		return -1;
	}
	qsort(e->days, e->n, sizeof(*e->days), by_day);
	for (size_t i = 1; i < e->n; i++) {
		if (e->days[i - 1] == e->days[i]) {
			dt_date((int64_t)e->days[i] * 86400, date);
			err_set(err, errlen, "%s: the date %s is given twice", format, date);
			return -1;
		}
	}
	dt_date((int64_t)e->days[e->n - 1] * 86400, date);
	if (!dt_date_published_ok(date, (int64_t)time(NULL))) {
		err_set(err, errlen, "%s: the date %s is in the future", format, date);
		return -1;
	}
	return 0;
}

int
feed_parse_each(const char *body, size_t len, const struct rates_sink *sink, struct feed_span *span, char *err,
    size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	const char *p = body, *format;
	struct each e = { sink, NULL, 0, 0, 0, 0 };
	const struct rates_sink mine = { each_day, &e };
	struct rates **v = NULL;
	struct codeset skipped;
	size_t left = len, n = 0;
	int rc = -1, parsed;

	memset(span, 0, sizeof(*span));
	codeset_clear(&skipped);
	if (len > FEED_MAX_BODY) {
		err_set(err, errlen, "document larger than %d MiB (%zu bytes)", FEED_MAX_BODY >> 20, len);
		return -1;
	}
	if (left >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		left -= 3;
	}
	while (left > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		left--;
	}
	if (left == 0) {
		err_set(err, errlen, "not a rates document: the body is empty");
		return -1;
	}
	if (*p == '[' || (*p == '{' && fxv2_is_ndjson(p, left))) {
		format = "Frankfurter v2";
		parsed = fxv2_parse_feed(p, left, &mine, &skipped, err, errlen);
	} else if (*p == '{') {
		format = "JSON";
		parsed = fxjson_parse_feed(p, left, &mine, &skipped, err, errlen);
	} else if (starts_with(p, left, "<!doctype html") || starts_with(p, left, "<html")) {
		err_set(err, errlen, "not a rates document: an HTML page");
		return -1;
	} else if (*p == '<') {
		/* From the '<': an XML declaration must open the entity, so expat
		 * refuses the blank line a hand-edited or concatenated file may
		 * start with (its error lines count from here). */
		format = "ECB XML";
		parsed = ecbxml_parse(p, left, &v, &n, &skipped, err, errlen);
		if (parsed == 0)
			parsed = hand_on_vector(v, n, &e, err, errlen);
	} else if (starts_with(p, left, "Date,")) {
		format = "ECB CSV";
		parsed = ecbcsv_parse(p, left, &v, &n, &skipped, err, errlen);
		if (parsed == 0)
			parsed = hand_on_vector(v, n, &e, err, errlen);
	} else {
		buf_quote(q, sizeof(q), p, left);
		err_set(err, errlen, "not a rates document: neither JSON, ECB XML nor ECB CSV (it starts '%s')", q);
		return -1;
	}
	/* Each reader names its format in its messages, and the sink in its own. */
	if (parsed == -1) {
		if (e.too_many)
			err_prefix(err, errlen, "%s", format);
		goto out;
	}
	if (check_dates(&e, format, err, errlen) == -1)
		goto out;
	span->days = e.n;
	dt_date((int64_t)e.days[0] * 86400, span->first);
	dt_date((int64_t)e.days[e.n - 1] * 86400, span->last);
	span->nskipped = skipped.n;
	(void)codeset_list(&skipped, span->skipped, sizeof(span->skipped));
	rc = 0;
out:
	free(e.days);
	return rc;
}

int
feed_parse(const char *body, size_t len, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	struct rates_vec k = { NULL, 0, 0 };
	const struct rates_sink sink = { rates_vec_keep, &k };
	struct feed_span span;

	*out = NULL;
	*n = 0;
	if (feed_parse_each(body, len, &sink, &span, err, errlen) == -1) {
		rates_vec_free(k.v, k.n);
		return -1;
	}
	rates_vec_sort(k.v, k.n);
	*out = k.v;
	*n = k.n;
	return 0;
}

enum rates_add_status
feed_add_rate(struct rates *r, const char *code, const struct dec *rate, struct codeset *skipped, char *err,
    size_t errlen)
{
	enum rates_add_status added = rates_add(r, code, rate, err, errlen);

	feed_note_skipped(skipped, added, code);
	return added;
}

void
feed_note_skipped(struct codeset *skipped, enum rates_add_status added, const char *code)
{
	if (added == RATES_SKIPPED && skipped != NULL && currency_find(code) == NULL)
		(void)codeset_add(skipped, code);
}

int
feed_skipped_sentence(const struct feed_span *span, char *out, size_t outlen)
{
	if (span->nskipped == 0) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	snprintf(out, outlen, "%zu code%s no ISO 4217 list knows, skipped: %s", span->nskipped,
	    span->nskipped == 1 ? "" : "s", span->skipped);
	return 1;
}
