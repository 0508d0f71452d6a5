/*
 * v2rates: a request becomes a query (parse, then trust), the query reads
 * one view or the views of a range into rows, and the rows are sorted,
 * made distinct, grouped and written in the shape asked for.
 *
 * Rows are gathered whole before a byte is written, as api.c does for its
 * series: a range's views each repeat the observations carried forward
 * into them, and one that a higher-ranked source gives again with an older
 * date can come late, so only the whole set sorted says which rows there
 * are and in what order.  The set is bounded (V2RATES_MAX_ROWS) as the
 * answer is (API_SERIES_CAP).
 *
 * Where Frankfurter's answer is the rule (lib/versions/v2.rb and its
 * RateQuery): an unknown parameter, a malformed date, 'date' with
 * 'from'/'to', a group other than week or month and a code ISO 4217 does
 * not list are 422; a known currency without rates, a day before the
 * history and 'from' after 'to' are an empty list; 'to' alone is the
 * latest rates; /v2/rate/ without a rate is 404.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upstream.h"
#include "v2.h"
#include "v2rates.h"

struct row {
	struct dec rate;
	size_t seq;			/* order gathered: ties keep the first */
	char date[DT_DATE_LEN];
	char quote[4];
};

#define V2RATES_MAX_QUOTES 256	/* currencies in one quotes= list */

/* Rows of one answer: as many as API_SERIES_CAP bytes hold. */
#define V2RATES_MAX_ROWS (API_SERIES_CAP / sizeof(struct row))

static const char ct_json[] = "application/json";
static const char ct_ndjson[] = "application/x-ndjson";
static const char ct_csv[] = "text/csv; charset=utf-8";

struct query {
	char base[4];
	char quotes[V2RATES_MAX_QUOTES][4];
	size_t nquotes;
	int has_quotes;			/* quotes= given, even empty: only those */
	char date[DT_DATE_LEN], from[DT_DATE_LEN], to[DT_DATE_LEN];
	int dated, range;
	enum v2rates_group group;
	char keys[API_MAX_PROVIDERS][UPSTREAM_KEY_LEN];
	const char *keyp[API_MAX_PROVIDERS];
	struct api_only only;
	int has_only;			/* providers= given: only.n of them, maybe none */
};

struct rows {
	struct row *v;
	size_t n, cap, seq;
	int full;			/* V2RATES_MAX_ROWS reached, or out of memory */
	int oom;
	const struct query *q;
	int64_t newest_fetch;		/* of the views read */
	size_t nviews;
};

/* The value of a; "" when it has none. */
static void
arg_text(const struct api_arg *a, const char **s, size_t *n)
{
	*s = a->value != NULL ? a->value : "";
	*n = a->value != NULL ? a->value_len : 0;
}

/* a's value as a date into out: 0, or -1 with the 422 answered (resp not NULL). */
static int
arg_date(const struct api_arg *a, char out[DT_DATE_LEN], struct api_response *resp)
{
	char quoted[BUF_QUOTE_LEN];
	const char *s;
	size_t n;

	arg_text(a, &s, &n);
	if (n == DT_DATE_LEN - 1) {
		memcpy(out, s, n);
		out[n] = '\0';
		if (dt_date_ok(out))
			return 0;
	}
	if (resp != NULL) {
		buf_quote(quoted, sizeof(quoted), s, n);
		api_answer_error(resp, 422, "invalid date: %s '%s' is not a date as YYYY-MM-DD", a->key, quoted);
	}
	return -1;
}

/* s[0..n) as a code ISO 4217 lists, upper-cased into out; -1 when not. */
static int
iso_code(const char *s, size_t n, char out[4])
{
	char text[4];

	if (n != 3)
		return -1;
	memcpy(text, s, 3);
	text[3] = '\0';
	return currency_normalize(text, out) == 0 && currency_find(out) != NULL ? 0 : -1;
}

static void
invalid_currency(struct api_response *resp, const char *s, size_t n)
{
	char quoted[BUF_QUOTE_LEN];

	buf_quote(quoted, sizeof(quoted), s, n);
	api_answer_error(resp, 422, "invalid currency: '%s' is not an ISO 4217 code", quoted);
}

static int
wanted(const struct query *q, const char *code)
{
	if (!q->has_quotes)
		return 1;
	for (size_t i = 0; i < q->nquotes; i++)
		if (strcmp(q->quotes[i], code) == 0)
			return 1;
	return 0;
}

/* The next member of the comma list s[0..n) from *at into m, len: 1, or 0
 * past the last.  "" is one empty member; "A,,B" has one between. */
static int
next_member(const char *s, size_t n, size_t *at, const char **m, size_t *len)
{
	const char *comma;

	if (*at > n)
		return 0;
	*m = s + *at;
	comma = memchr(*m, ',', n - *at);
	*len = comma != NULL ? (size_t)(comma - *m) : n - *at;
	*at += *len + 1;
	return 1;
}

/* quotes=: codes separated by commas; "" lists none. */
static int
parse_quotes(const struct api_arg *a, struct query *q, struct api_response *resp)
{
	const char *s, *m;
	size_t n, len, at = 0;

	arg_text(a, &s, &n);
	q->has_quotes = 1;
	while (n > 0 && next_member(s, n, &at, &m, &len)) {
		if (q->nquotes == V2RATES_MAX_QUOTES) {
			api_answer_error(resp, 422, "quotes lists more than %d currencies", V2RATES_MAX_QUOTES);
			return -1;
		}
		if (iso_code(m, len, q->quotes[q->nquotes]) == -1) {
			invalid_currency(resp, m, len);
			return -1;
		}
		if (!wanted(q, q->quotes[q->nquotes]))	/* a code listed twice is one row */
			q->nquotes++;
	}
	return 0;
}

/* providers=: keys separated by commas, any case; empty members skipped. */
static int
parse_providers(const struct api_arg *a, struct query *q, struct api_response *resp)
{
	const char *s, *m;
	size_t n, len, at = 0;

	arg_text(a, &s, &n);
	q->has_only = 1;
	while (next_member(s, n, &at, &m, &len)) {
		if (len == 0)
			continue;
		if (q->only.n == API_MAX_PROVIDERS || len >= UPSTREAM_KEY_LEN) {
			api_answer_error(resp, 422, "providers lists more than %d keys or one longer than %d "
			    "characters (/v2/providers lists them)", API_MAX_PROVIDERS, UPSTREAM_KEY_LEN - 1);
			return -1;
		}
		for (size_t j = 0; j < len; j++)
			q->keys[q->only.n][j] = (char)toupper((unsigned char)m[j]);
		q->keys[q->only.n][len] = '\0';
		q->keyp[q->only.n] = q->keys[q->only.n];
		q->only.n++;
	}
	q->only.keys = q->keyp;
	return 0;
}

/*
 * The request's parameters into q, in Frankfurter's order of checks:
 * names, dates, 'date' against a range, group, currencies.  0, or -1 with
 * the 422 answered.  base is already in q for /v2/rate/.
 */
static int
parse_query(const struct api_request *req, const char *const *allowed, struct query *q,
    struct api_response *resp)
{
	const struct api_arg *date, *from, *to, *group, *base, *quotes, *providers;
	int bad = 0;

	if (v2_known_params(req, allowed, resp) == -1)
		return -1;
	date = v2_arg(req, "date", &bad, resp);
	from = v2_arg(req, "from", &bad, resp);
	to = v2_arg(req, "to", &bad, resp);
	group = v2_arg(req, "group", &bad, resp);
	base = v2_arg(req, "base", &bad, resp);
	quotes = v2_arg(req, "quotes", &bad, resp);
	providers = v2_arg(req, "providers", &bad, resp);
	if (bad)
		return -1;
	if ((date != NULL && arg_date(date, q->date, resp) == -1) ||
	    (from != NULL && arg_date(from, q->from, resp) == -1) ||
	    (to != NULL && arg_date(to, q->to, resp) == -1))
		return -1;
	if (date != NULL && (from != NULL || to != NULL)) {
		api_answer_error(resp, 422, "conflicting params: 'date' is one day, 'from' and 'to' a range");
		return -1;
	}
	q->dated = date != NULL;
	q->range = from != NULL;
	if (group != NULL) {
		const char *s;
		size_t n;
		char quoted[BUF_QUOTE_LEN];

		arg_text(group, &s, &n);
		if (n == 4 && strncasecmp(s, "week", 4) == 0)
			q->group = V2RATES_WEEK;
		else if (n == 5 && strncasecmp(s, "month", 5) == 0)
			q->group = V2RATES_MONTH;
		else {
			buf_quote(quoted, sizeof(quoted), s, n);
			api_answer_error(resp, 422, "invalid group '%s': use week or month", quoted);
			return -1;
		}
	}
	if (base != NULL) {
		const char *s;
		size_t n;

		arg_text(base, &s, &n);
		if (iso_code(s, n, q->base) == -1) {
			invalid_currency(resp, s, n);
			return -1;
		}
	}
	if ((quotes != NULL && parse_quotes(quotes, q, resp) == -1) ||
	    (providers != NULL && parse_providers(providers, q, resp) == -1))
		return -1;
	return 0;
}

static int
add_row(struct rows *rs, const char *date, const char *quote, const struct dec *rate)
{
	struct row *w;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap != 0 ? rs->cap * 2 : 64;
		if (cap > V2RATES_MAX_ROWS)
			cap = V2RATES_MAX_ROWS;
		if (rs->n == cap) {
			rs->full = 1;
			return -1;
		}
		if ((w = reallocarray(rs->v, cap, sizeof(*w))) == NULL) {
			rs->full = rs->oom = 1;
			return -1;
		}
		rs->v = w;
		rs->cap = cap;
	}
	w = &rs->v[rs->n++];
	w->rate = *rate;
	w->seq = rs->seq++;
	memcpy(w->date, date, DT_DATE_LEN);
	memcpy(w->quote, quote, 4);
	return 0;
}

/*
 * The rows of one view: each wanted currency against the base, dated as
 * old as the older of the two observations, and the base itself at 1,
 * dated as the newest of the others (the view's date when none is
 * wanted).  A view without the base has none, as Frankfurter's.
 */
static int
view_rows(void *arg, const struct rates *r)
{
	static const struct dec one = { 1, 0 };
	struct rows *rs = arg;
	const struct query *q = rs->q;
	const struct rate_entry *base = rates_find(r, q->base);
	const char *newest = NULL;

	rs->nviews++;
	if (rates_fetched_at(r) > rs->newest_fetch)
		rs->newest_fetch = rates_fetched_at(r);
	if (base == NULL)
		return 0;
	/* The quotes looked up, not the view scanned: as cheap with 300 currencies as with 30. */
	for (size_t i = 0, n = q->has_quotes ? q->nquotes : rates_count(r); i < n; i++) {
		const struct rate_entry *e = q->has_quotes ? rates_find(r, q->quotes[i]) : rates_at(r, i);
		const char *date;
		struct dec v;

		if (e == NULL || e == base)
			continue;
		date = rates_pair_date(base, e);
		/* A rate in range divided by one in range fits in 38 digits. */
		if (rates_cross(base, e, NULL, &v) == -1)
			continue;
		if (add_row(rs, date, e->cur->code, &v) == -1)
			return 1;
		if (newest == NULL || strcmp(date, newest) > 0)
			newest = date;
	}
	if (wanted(q, q->base) && add_row(rs, newest != NULL ? newest : rates_date(r), q->base, &one) == -1)
		return 1;
	return 0;
}

static int
by_quote(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->quote, y->quote);

	return c != 0 ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
by_date_quote(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c != 0 ? c : by_quote(a, b);
}

/* Sorted by date then quote, one row per (date, quote): the first gathered.
 * rs holds a row at least, as group_rows() requires too. */
static void
distinct(struct rows *rs)
{
	size_t k = 0;

	qsort(rs->v, rs->n, sizeof(rs->v[0]), by_date_quote);
	for (size_t i = 0; i < rs->n; i++)
		if (k == 0 || strcmp(rs->v[k - 1].date, rs->v[i].date) != 0 ||
		    strcmp(rs->v[k - 1].quote, rs->v[i].quote) != 0)
			rs->v[k++] = rs->v[i];
	rs->n = k;
}

void
v2rates_period(const char *date, enum v2rates_group g, char out[DT_DATE_LEN])
{
	int64_t days = dt_date_days(date);

	if (g == V2RATES_WEEK)
		dt_date((days - (dt_weekday(days) + 6) % 7) * 86400, out);
	else {
		memcpy(out, date, DT_DATE_LEN);
		if (g == V2RATES_MONTH)
			memcpy(out + 8, "01", 2);
	}
}

/* Significant digits of a mean: those of the most precise rate averaged,
 * at least as many as a cross rate has (6). */
#define V2RATES_MEAN_MIN_DIGITS 6

/*
 * Each row dated by the first day of its period, and the rows of one
 * quote in one period replaced by their mean (money_mean()).  0; -1 when
 * out of memory; 1 when a sum needs more than 38 digits.
 */
static int
group_rows(struct rows *rs, enum v2rates_group g)
{
	struct dec *v = NULL;
	size_t k = 0;
	int rc = -1;

	for (size_t i = 0; i < rs->n; i++)
		v2rates_period(rs->v[i].date, g, rs->v[i].date);
	qsort(rs->v, rs->n, sizeof(rs->v[0]), by_date_quote);
	if ((v = calloc(rs->n, sizeof(*v))) == NULL)
		return -1;
	for (size_t i = 0, j; i < rs->n; i = j) {
		int sig = V2RATES_MEAN_MIN_DIGITS;

		for (j = i; j < rs->n && strcmp(rs->v[j].date, rs->v[i].date) == 0 &&
		    strcmp(rs->v[j].quote, rs->v[i].quote) == 0; j++) {
			v[j - i] = rs->v[j].rate;
			if (dec_digits(&v[j - i]) > sig)
				sig = dec_digits(&v[j - i]);
		}
		rs->v[k] = rs->v[i];
		if (money_mean(v, j - i, sig > DEC_MAX_SCALE ? DEC_MAX_SCALE : sig, &rs->v[k].rate) == -1) {
			rc = 1;
			goto out;
		}
		k++;
	}
	rs->n = k;
	rc = 0;
out:
	free(v);
	return rc;
}

static void
put_row(struct buf *b, const struct row *w, const char *base, enum v2rates_format f, int first)
{
	char rate[DEC_STRLEN];

	/* The base's own rate is Frankfurter's float 1.0; every other as computed. */
	if (strcmp(w->quote, base) == 0)
		memcpy(rate, "1.0", 4);
	else
		dec_format(&w->rate, rate, sizeof(rate));
	if (f == V2RATES_CSV)
		buf_printf(b, "%s,%s,%s,%s\n", w->date, base, w->quote, rate);
	else
		buf_printf(b, "%s{\"date\":\"%s\",\"base\":\"%s\",\"quote\":\"%s\",\"rate\":%s}%s",
		    f == V2RATES_JSON && !first ? "," : "", w->date, base, w->quote, rate,
		    f == V2RATES_NDJSON ? "\n" : "");
}

static void
render(struct buf *b, const struct rows *rs, const char *base, enum v2rates_format f)
{
	if (f == V2RATES_CSV)
		buf_puts(b, "date,base,quote,rate\n");
	else if (f == V2RATES_JSON)
		buf_puts(b, "[");
	for (size_t i = 0; i < rs->n; i++)
		put_row(b, &rs->v[i], base, f, i == 0);
	if (f == V2RATES_JSON)
		buf_puts(b, "]\n");
}

/*
 * q's views into rs: the latest rates (ctx's own, or read again from the
 * named providers only), one day's, or a range's (its first day's view,
 * which carries the rates before it forward, then every stored day's).
 * *day and *view say what a single day read, for how long its answer may
 * be kept.  0, or -1 with the error answered.
 */
static int
read_views(const struct api_ctx *ctx, const struct query *q, struct rows *rs, struct rates **view,
    struct api_day *day, struct api_response *resp)
{
	const struct api_only *only = q->has_only ? &q->only : NULL;
	char err[512], tomorrow[DT_DATE_LEN];
	int rc;

	*view = NULL;
	if (q->has_only && q->only.n == 0)
		return 0;	/* no provider named: no source, no rows */
	if (!q->dated && !q->range && !q->has_only) {
		if (ctx->rates == NULL) {
			api_answer_error(resp, 503, "no rates yet: the first fetch has not succeeded");
			return -1;
		}
		view_rows(rs, ctx->rates);
		return 0;
	}
	if (ctx->history == NULL) {
		api_answer_error(resp, 503, "no history: this server keeps none");
		return -1;
	}
	if (q->range && strcmp(q->from, q->to) > 0)
		return 0;	/* Frankfurter's empty range */
	/* The latest of some providers: their views as of tomorrow, as rates
	 * dated a day ahead are the latest (store_load_latest()). */
	dt_date(ctx->now + 86400, tomorrow);
	if (ctx->history->on(ctx->history->cls, q->dated ? q->date : q->range ? q->from : tomorrow, only, view, day,
	    err, sizeof(err)) == -1)
		goto failed;
	if (*view != NULL)
		view_rows(rs, *view);
	if (!q->range)
		return 0;
	rates_free(*view);
	*view = NULL;
	rc = ctx->history->each(ctx->history->cls, q->from, q->to, only, view_rows, rs, err, sizeof(err));
	if (rc != -1)
		return 0;
failed:
	api_answer_error(resp, 503, "history unavailable: %s", err);
	return -1;
}

/* The rows of q, ready to write: 0, or -1 with the error answered. */
static int
gather(const struct api_ctx *ctx, const struct query *q, struct rows *rs, struct rates **view,
    struct api_day *day, struct api_response *resp)
{
	int rc;

	if (read_views(ctx, q, rs, view, day, resp) == -1)
		return -1;
	if (rs->oom) {
		api_answer_error(resp, 503, "out of memory; try again");
		return -1;
	}
	if (rs->full) {
		api_answer_error(resp, 422, "more than %zu rates in one answer; ask for a shorter range, fewer quotes, "
		    "or group=week or group=month", (size_t)V2RATES_MAX_ROWS);
		return -1;
	}
	if (rs->n == 0)
		return 0;
	if (!q->range) {
		qsort(rs->v, rs->n, sizeof(rs->v[0]), by_quote);
		return 0;
	}
	distinct(rs);
	if (q->group != V2RATES_DAY && (rc = group_rows(rs, q->group)) != 0) {
		if (rc == -1)
			api_answer_error(resp, 503, "out of memory; try again");
		else
			api_answer_error(resp, 422, "a sum of these rates needs more than 38 digits; ask for a shorter "
			    "range");
		return -1;
	}
	return 0;
}

/* A 200 dated as what it was read from (begin_answer() of api.c's routes). */
static void
begin(const struct api_ctx *ctx, const struct query *q, const struct rows *rs, const struct rates *view,
    const struct api_day *day, const char *ct, struct api_response *resp)
{
	if ((q->dated || q->range) && rs->nviews > 0) {
		api_begin_at(ctx, resp, ct, rs->newest_fetch, 1);
		if (q->dated && view != NULL)
			api_keep_dated(ctx, q->date, view, day, resp);
	} else {
		v2_begin_answer(ctx, resp);
		resp->content_type = ct;
	}
}

static void
route_rates(const struct api_ctx *ctx, const struct api_request *req, int csv_path, struct api_response *resp)
{
	static const char *const allowed[] = { "base", "quotes", "date", "from", "to", "providers", "group", NULL };
	enum v2rates_format f = csv_path ? V2RATES_CSV : v2rates_format(req->accept);
	struct query q;
	struct rows rs;
	struct rates *view = NULL;
	struct api_day day;

	memset(&q, 0, sizeof(q));
	memset(&rs, 0, sizeof(rs));
	memset(&day, 0, sizeof(day));
	memcpy(q.base, "EUR", 4);
	dt_date(ctx->now, q.to);
	rs.q = &q;
	if (parse_query(req, allowed, &q, resp) == -1 || gather(ctx, &q, &rs, &view, &day, resp) == -1)
		goto out;
	begin(ctx, &q, &rs, view, &day, f == V2RATES_CSV ? ct_csv : f == V2RATES_NDJSON ? ct_ndjson : ct_json, resp);
	buf_free(&resp->body);
	buf_init(&resp->body, API_SERIES_CAP);
	render(&resp->body, &rs, q.base, f);
	if (buf_failed(&resp->body) == BUF_TOO_LARGE)
		api_answer_error(resp, 422, "answer larger than %d MiB; ask for a shorter range, fewer quotes, or "
		    "group=week or group=month", API_SERIES_CAP >> 20);
	else if (!csv_path)
		resp->vary = "Accept";	/* the same URL answers three shapes */
out:
	rates_free(view);
	free(rs.v);
}

/* /rate/{base}/{quote}: s[0..n) is what follows "/rate/". */
static void
route_rate(const struct api_ctx *ctx, const struct api_request *req, const char *s, size_t n,
    struct api_response *resp)
{
	static const char *const allowed[] = { "date", "providers", NULL };
	const char *slash = memchr(s, '/', n);
	struct query q;
	struct rows rs;
	struct rates *view = NULL;
	struct api_day day;
	size_t bn;

	memset(&q, 0, sizeof(q));
	memset(&rs, 0, sizeof(rs));
	memset(&day, 0, sizeof(day));
	rs.q = &q;
	if (slash == NULL || memchr(slash + 1, '/', n - (size_t)(slash + 1 - s)) != NULL) {
		api_answer_error(resp, 404, "not found: the path is /v2/rate/{base}/{quote}");
		return;
	}
	bn = (size_t)(slash - s);
	if (iso_code(s, bn, q.base) == -1) {
		invalid_currency(resp, s, bn);
		return;
	}
	if (iso_code(slash + 1, n - bn - 1, q.quotes[0]) == -1) {
		invalid_currency(resp, slash + 1, n - bn - 1);
		return;
	}
	q.nquotes = 1;
	q.has_quotes = 1;
	if (parse_query(req, allowed, &q, resp) == -1 || gather(ctx, &q, &rs, &view, &day, resp) == -1)
		goto out;
	if (rs.n == 0) {
		api_answer_error(resp, 404, "not found: no %s/%s rate %s%s", q.base, q.quotes[0],
		    q.dated ? "on or before " : "yet", q.dated ? q.date : "");
		goto out;
	}
	begin(ctx, &q, &rs, view, &day, ct_json, resp);
	put_row(&resp->body, &rs.v[0], q.base, V2RATES_JSON, 1);
	buf_puts(&resp->body, "\n");
out:
	rates_free(view);
	free(rs.v);
}

int
v2rates_route(const struct api_ctx *ctx, const struct api_request *req, const char *path, size_t n,
    struct api_response *resp)
{
	if (api_is_word(path, n, "/rates") || api_is_word(path, n, "/rates.csv"))
		route_rates(ctx, req, n == 10, resp);
	else if (n > 6 && memcmp(path, "/rate/", 6) == 0)
		route_rate(ctx, req, path + 6, n - 6, resp);
	else
		return 0;
	return 1;
}

int
v2rates_is_heavy(const struct api_request *req, int64_t now)
{
	const char *path = req->path + 3;	/* v2_is_path(): after "/v2" */
	size_t n = req->path_len - 3;
	const struct api_arg *from = NULL, *to = NULL;
	char start[DT_DATE_LEN], end[DT_DATE_LEN];

	if (!(api_is_word(path, n, "/rates") || api_is_word(path, n, "/rates.csv")))
		return 0;
	for (size_t i = 0; i < req->nargs && i < API_MAX_ARGS; i++) {
		const struct api_arg *a = &req->args[i];
		if (api_is_word(a->key, a->key_len, "from"))
			from = a;
		else if (api_is_word(a->key, a->key_len, "to"))
			to = a;
		else if (api_is_word(a->key, a->key_len, "date"))
			return 0;
	}
	if (from == NULL || arg_date(from, start, NULL) == -1 || (to != NULL && arg_date(to, end, NULL) == -1))
		return 0;
	if (to == NULL)
		dt_date(now, end);
	return dt_date_days(end) - dt_date_days(start) > API_HEAVY_DAYS;
}

/* Whether the media range s[0..n) ("text/csv;q=0.5") has q=0: "not
 * acceptable" (RFC 9110 §12.4.2). */
static int
refused(const char *s, size_t n)
{
	size_t i = 0, end, v;

	for (;;) {
		while (i < n && s[i] != ';')
			i++;
		if (i == n)
			return 0;
		for (i++; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		for (end = i; end < n && s[end] != ';'; end++)
			;
		if (end - i >= 2 && (s[i] == 'q' || s[i] == 'Q') && s[i + 1] == '=')
			break;
		i = end;
	}
	while (end > i + 2 && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	v = i + 2;
	if (v == end || s[v] != '0')
		return 0;
	for (v++; v < end && (s[v] == '.' || s[v] == '0'); v++)
		;
	return v == end;
}

enum v2rates_format
v2rates_format(const char *accept)
{
	const char *p = accept;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ","), tn;
		const char *t = p;

		while (t < p + len && (*t == ' ' || *t == '\t'))
			t++;
		tn = strcspn(t, ";,");
		while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
			tn--;
		if (!refused(t, (size_t)(p + len - t))) {
			if (tn == 8 && strncasecmp(t, "text/csv", 8) == 0)
				return V2RATES_CSV;
			if (tn == 20 && strncasecmp(t, "application/x-ndjson", 20) == 0)
				return V2RATES_NDJSON;
		}
		p += len + (p[len] == ',');
	}
	return V2RATES_JSON;
}
