/*
 * api: routes, parameters and answers of cconvd's HTTP API.
 *
 * Every request is parsed into typed values first (currency entries, exact
 * amounts); every rejection is a 4xx with a JSON sentence that quotes the
 * offending input, bounded and made printable.  The only 5xx a request can
 * cause is 503: no rates yet, or the history database unreadable (a 500 is
 * reserved for a build error: the page not fitting its buffer).  Answers
 * computed from rates carry their fetch time, age and staleness in the response
 * struct; http.c turns those into Last-Modified, Age and Warning headers (RFC
 * 9111 §5.1 for Age; Warning 110 from RFC 7234 §5.5.1, obsoleted but still what
 * clients and caches recognise).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "calendar.h"
#include "ecbfiles.h"
#include "fxjson.h"
#include "merge.h"
#include "v2.h"
#include "v2rates.h"
#include "web.h"
#include "web_index_hash.h"

#define API_BODY_CAP (256 * 1024)	/* bytes; the largest answer is a few KiB */
/*
 * A time series is built whole in memory, up to API_SERIES_CAP, rather than
 * streamed: the answer comes from one consistent read, the status line is
 * known to be right before anything is sent (a stream failing half way
 * cannot turn into an error), and the read-only connection is released at
 * once, so a slow client holds memory, never a database snapshot (http.c
 * bounds what all slow clients hold together).  The whole ECB history (27
 * years, ~30 currencies a day) is about 3 MiB.
 */
#define API_MAX_TARGETS 256		/* currencies in one 'to' list */
#define API_OPEN_END "9999-12-31"	/* the end of an open range, /{start}.. */


static const char ct_json[] = "application/json";
static const char ct_text[] = "text/plain; charset=utf-8";
static const char ct_html[] = "text/html; charset=utf-8";

/*
 * The page is one self-contained file: its one script and its one style
 * sheet are allowed by their hashes (computed at build time,
 * web_index_hash.h), so nothing else can run or restyle it, not even text
 * injected into the page.  Everything else is refused: no external script,
 * style, image or font, requests only to this server, no framing, no form
 * posts.
 */
static const char page_csp[] =
    "default-src 'none'; script-src " WEB_INDEX_HTML_SCRIPT_HASH "; style-src " WEB_INDEX_HTML_STYLE_HASH "; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";
static const char ct_prometheus[] = "text/plain; version=0.0.4; charset=utf-8";	/* exposition 0.0.4 */

enum { P_FROM, P_TO, P_AMOUNT, P_DATE, P_COUNT };

struct param_name {
	const char *key;
	int slot;
	int alias;		/* another name for the slot, which gives way to its own name */
};

/* fixer.io spelled 'from' and 'to' as 'base' and 'symbols'; Frankfurter takes
 * both, and when both are given 'from' and 'to' win, as there. */
static const struct param_name latest_params[] = {
	{ "from", P_FROM, 0 }, { "base", P_FROM, 1 }, { "to", P_TO, 0 }, { "symbols", P_TO, 1 },
	{ "amount", P_AMOUNT, 0 }, { NULL, 0, 0 }
};
static const struct param_name convert_params[] = {
	{ "from", P_FROM, 0 }, { "to", P_TO, 0 }, { "amount", P_AMOUNT, 0 }, { "date", P_DATE, 0 }, { NULL, 0, 0 }
};
static const struct param_name no_params[] = { { NULL, 0, 0 } };

/*
 * The routes Frankfurter has (/latest, /current, /{date}, ranges,
 * /currencies, and anything else under /v1): their errors are Frankfurter
 * v1's, so its clients read them.
 */
static int
frankfurter_route(enum api_endpoint ep)
{
	return ep == API_EP_LATEST || ep == API_EP_CURRENCIES || ep == API_EP_DATE || ep == API_EP_SERIES ||
	    ep == API_EP_V1;
}

/* fixer.io's "type" for an error of status (its clients print it before "info"). */
static const char *
fixer_type(int status)
{
	return status == 404 ? "not_found" : status == 405 ? "method_not_allowed" : status >= 500 ?
	    "unavailable" : "invalid_request";
}

/*
 * The one place an error body is written, in the dialect the request speaks
 * (resp->endpoint, resp->fixer_errors): /v2 answers Frankfurter v2's
 * {"status":N,"message":"…"}; Frankfurter's v1 routes {"message":"…"} with
 * its statuses, 422 for input it cannot take where cconvd says 400; a
 * fixer.io client elsewhere gets fixer's {"success":false,"error":{"code",
 * "type","info"}}, the only form it reads; cconvd's own routes {"error":"…"}.
 */
void
api_answer_error(struct api_response *resp, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int v2 = resp->endpoint == API_EP_V2, frankfurter = frankfurter_route(resp->endpoint);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (frankfurter && status == 400)
		status = 422;
	buf_free(&resp->body);
	buf_init(&resp->body, API_BODY_CAP);
	resp->status = status;
	resp->content_type = ct_json;
	resp->last_modified = -1;
	resp->age = 0;
	resp->stale = 0;
	resp->cache = API_CACHE_NO_STORE;
	if (v2)
		buf_printf(&resp->body, "{\"status\":%d,\"message\":", status);
	else if (resp->fixer_errors)
		buf_printf(&resp->body, "{\"success\":false,\"error\":{\"code\":%d,\"type\":\"%s\",\"info\":", status,
		    fixer_type(status));
	else
		buf_puts(&resp->body, frankfurter ? "{\"message\":" : "{\"error\":");
	buf_json_str(&resp->body, msg, strlen(msg));
	buf_puts(&resp->body, resp->fixer_errors && !v2 ? "}}\n" : "}\n");
}

/*
 * 1, with a 503 answered, when building the answer ran out of memory: the
 * server's trouble, not the request's, and worth retrying (the house rule
 * in log.h).  api_answer_error() first frees the failed buffer, so its short
 * message needs little memory.
 */
static int
answered_no_memory(struct api_response *resp)
{
	if (buf_failed(&resp->body) != BUF_NO_MEMORY)
		return 0;
	api_answer_error(resp, 503, "out of memory; try again");
	return 1;
}

int
api_is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/*
 * Sorts the query into slots by name.  Unknown names are ignored, as most
 * HTTP APIs do (cache-busters, tracking tags).  A slot given twice by the
 * same kind of name is refused, since which value would win is a guess; an
 * alias beside the slot's own name gives way to it, as in Frankfurter.
 */
static int
collect_params(const struct api_request *req, const struct param_name *names,
    const struct api_arg *slot[P_COUNT], struct api_response *resp)
{
	int by_alias[P_COUNT] = { 0 };

	memset(slot, 0, sizeof(*slot) * P_COUNT);
	if (req->nargs > API_MAX_ARGS) {
		api_answer_error(resp, 400, "more than %d query parameters", API_MAX_ARGS);
		return -1;
	}
	for (size_t i = 0; i < req->nargs; i++) {
		const struct api_arg *a = &req->args[i];
		for (const struct param_name *p = names; p->key != NULL; p++) {
			if (!api_is_word(a->key, a->key_len, p->key))
				continue;
			if (slot[p->slot] != NULL && by_alias[p->slot] != p->alias) {
				if (p->alias)
					continue;	/* the slot's own name is already there */
			} else if (slot[p->slot] != NULL) {
				char first[BUF_QUOTE_LEN];
				buf_quote(first, sizeof(first), slot[p->slot]->key, slot[p->slot]->key_len);
				api_answer_error(resp, 400, "parameter '%s' given twice (as '%s' and '%s')",
				    p->key, first, p->key);
				return -1;
			}
			slot[p->slot] = a;
			by_alias[p->slot] = p->alias;
		}
	}
	return 0;
}

/*
 * The snapshot's entry for a currency code typed in any case.  path_form
 * decides the status of a malformed code: in the path it is simply not a
 * resource (404); as a parameter it is a bad parameter (400).
 */
static const struct rate_entry *
lookup(const struct rates *r, const char *what, size_t what_len, const char *s, size_t n,
    int path_form, struct api_response *resp)
{
	char text[4], code[4], quoted[BUF_QUOTE_LEN];
	const struct rate_entry *e;

	buf_quote(quoted, sizeof(quoted), s, n);
	if (n == 3) {
		memcpy(text, s, 3);
		text[3] = '\0';
	}
	if (n != 3 || currency_normalize(text, code) == -1) {
		if (path_form)
			api_answer_error(resp, 404, "unknown currency '%s'", quoted);
		else
			api_answer_error(resp, 400, "%.*s '%s': not a three-letter currency code", (int)what_len,
			    what, quoted);
		return NULL;
	}
	if ((e = rates_find(r, code)) == NULL)
		api_answer_error(resp, 404, "unknown currency '%s'", code);
	return e;
}

static int
parse_amount(const struct api_arg *a, struct dec *out, struct api_response *resp)
{
	char err[256];

	if (a == NULL) {
		out->m = 1;
		out->scale = 0;
		return 0;
	}
	if (money_parse_amount(a->value != NULL ? a->value : "", a->value != NULL ? a->value_len : 0,
	    out, err, sizeof(err)) == -1) {
		api_answer_error(resp, 400, "%s", err);
		return -1;
	}
	return 0;
}

static const struct rate_entry *
param_currency(const struct rates *r, const struct api_arg *a, const char *dflt,
    struct api_response *resp)
{
	if (a == NULL)
		return lookup(r, "", 0, dflt, strlen(dflt), 0, resp);
	return lookup(r, a->key, a->key_len, a->value != NULL ? a->value : "",
	    a->value != NULL ? a->value_len : 0, 0, resp);
}

/* An answer from r fetched at `fetched`.  A past date's rates never go
 * stale: they are history, not a cache of something newer.  The rates
 * served are stale once fetched longer than --max-age ago, once their date
 * is older than the newest day their source could have published by
 * --max-age ago (calendar.h: an import of an old day is old, however
 * recently imported), or at once when the upstream that gave them said they
 * were (a tier passes its source's staleness on). */
static void
begin_answer_at(const struct api_ctx *ctx, struct api_response *resp, const char *content_type,
    int64_t fetched, int dated)
{
	resp->status = 200;
	resp->content_type = content_type;
	resp->last_modified = fetched;
	resp->age = ctx->now > fetched ? ctx->now - fetched : 0;
	/* Not dated, fetched is ctx->rates' fetch time: rates_stale_at() holds every rule. */
	resp->stale = !dated && rates_stale_at(ctx->rates, ctx->now, ctx->max_age);
	resp->cache = API_CACHE_RATES;
}

/*
 * How long a past day's answer may be kept.  A day's view changes while a
 * source may still publish for a day it reads (the carry-forward window
 * before it, merge.h) and whenever a load (--import, --backfill, gap
 * filling) or a late source adds or changes a rate of one of those days.
 * So only the answer made from the asked day's own rates, for a day old
 * enough that no publication reaches it (API_SETTLED_DAYS), none of whose
 * days was ever replaced (changed once settled: store.h), may be kept for
 * good; any other follows the refresh like /latest, with a finite max-age.
 * A day that is replaced gives other bytes, and so another ETag, at once,
 * and is never kept for good again.
 */
#define API_SETTLED_DAYS (MERGE_WINDOW_DAYS + 1)

static void
set_dated_cache(const struct api_ctx *ctx, const char *asked, const struct rates *answered,
    const struct api_day *day, struct api_response *resp)
{
	char today[DT_DATE_LEN];

	dt_date(ctx->now, today);
	if (day->stored && !day->replaced && strcmp(asked, rates_date(answered)) == 0 &&
	    dt_date_days(asked) + API_SETTLED_DAYS <= dt_date_days(today))
		resp->cache = API_CACHE_IMMUTABLE;
}

static void
begin_answer(const struct api_ctx *ctx, struct api_response *resp, const char *content_type)
{
	begin_answer_at(ctx, resp, content_type, rates_fetched_at(ctx->rates), 0);
}

/* s[0..n) as a date into out; -1 when it is not one, with a 400 answered
 * unless resp is NULL. */
static int
parse_request_date(const char *what, const char *s, size_t n, char out[DT_DATE_LEN], struct api_response *resp)
{
	char quoted[BUF_QUOTE_LEN];

	if (n == DT_DATE_LEN - 1) {
		memcpy(out, s, n);
		out[n] = '\0';
		if (dt_date_ok(out))
			return 0;
	}
	if (resp == NULL)
		return -1;
	buf_quote(quoted, sizeof(quoted), s, n);
	api_answer_error(resp, 400, "%s '%s': not a valid YYYY-MM-DD date", what, quoted);
	return -1;
}

/* Keeps the first snapshot's date and stops the walk. */
static int
first_date(void *arg, const struct rates *r)
{
	memcpy(arg, rates_date(r), DT_DATE_LEN);
	return 1;
}

/* The stored view of date (store_load_on()) into *out and *day; -1 with
 * the answer set when there is none (404) or history failed (503). */
static int
history_on(const struct api_ctx *ctx, const char *date, struct rates **out, struct api_day *day,
    struct api_response *resp)
{
	char err[512], today[DT_DATE_LEN];

	*out = NULL;
	if (ctx->history == NULL) {
		api_answer_error(resp, 503, "no history: this server keeps none");
		return -1;
	}
	/* A day still to come is answered as today is: with the newest rates. */
	dt_date(ctx->now, today);
	if (ctx->history->on(ctx->history->cls, strcmp(date, today) > 0 ? today : date, NULL, out, day, err,
	    sizeof(err)) == -1) {
		api_answer_error(resp, 503, "history unavailable: %s", err);
		return -1;
	}
	if (*out == NULL && day->before[0] != '\0') {
		api_answer_error(resp, 404, "no rates within %d days on or before %s: the newest stored day before "
		    "that is %s", MERGE_WINDOW_DAYS, date, day->before);
		return -1;
	}
	if (*out == NULL) {
		/* Say where history does start: the first day after date, if any. */
		char first[DT_DATE_LEN] = "";
		int found = ctx->history->each(ctx->history->cls, date, API_OPEN_END, NULL, first_date, first, err,
		    sizeof(err));
		if (found == 1)
			api_answer_error(resp, 404, "no rates on or before %s: the stored history starts on %s", date,
			    first);
		else if (found == -1)
			api_answer_error(resp, 503, "history unavailable: %s", err);
		else
			api_answer_error(resp, 404, "no rates on or before %s: no history is stored yet", date);
		return -1;
	}
	return 0;
}

/*
 * The path form converts euros at the latest rates and takes no parameter.
 * One that the other routes take (from, base, to, symbols, amount, date)
 * would otherwise be ignored without a word, and "/convert/GBP/1?date=…"
 * answered with today's rates, so it is refused; other names (cache-busters)
 * are ignored as on every route.  -1 with the 400 answered.
 */
static int
refuse_route_params(const struct api_request *req, struct api_response *resp)
{
	static const struct param_name *const tables[] = { latest_params, convert_params };

	/* Past the limit the names are not all known (http.c may drop them). */
	if (req->nargs > API_MAX_ARGS) {
		api_answer_error(resp, 400, "more than %d query parameters", API_MAX_ARGS);
		return -1;
	}
	for (size_t i = 0; i < req->nargs; i++)
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			for (const struct param_name *p = tables[t]; p->key != NULL; p++)
				if (api_is_word(req->args[i].key, req->args[i].key_len, p->key)) {
					api_answer_error(resp, 400, "/convert/CUR/AMOUNT takes no parameter '%s' (it "
					    "converts euros at the latest rates); use "
					    "/convert?from=…&to=…&amount=…&date=…", p->key);
					return -1;
				}
	return 0;
}

/* /convert/{CUR}/{AMOUNT}: AMOUNT euros in CUR, as text ("GBP 88.40"). */
static void
route_convert_path(const struct api_ctx *ctx, const struct api_request *req, const char *rest, size_t n,
    struct api_response *resp)
{
	const char *slash = memchr(rest, '/', n);
	const struct rate_entry *from, *to;
	struct conversion c;
	struct dec amount;
	char err[256], text[DEC_STRLEN];

	if (refuse_route_params(req, resp) == -1)
		return;
	if (slash == NULL || memchr(slash + 1, '/', n - (size_t)(slash + 1 - rest)) != NULL) {
		api_answer_error(resp, 404, "no such path; use /convert/CUR/AMOUNT");
		return;
	}
	if ((to = lookup(ctx->rates, "currency", sizeof("currency") - 1, rest, (size_t)(slash - rest), 1,
	    resp)) == NULL)
		return;
	if ((from = rates_find(ctx->rates, "EUR")) == NULL) {
		api_answer_error(resp, 404, "unknown currency 'EUR'");
		return;
	}
	if (money_parse_amount(slash + 1, n - (size_t)(slash + 1 - rest), &amount, err,
	    sizeof(err)) == -1) {
		api_answer_error(resp, 400, "%s", err);
		return;
	}
	if (rates_convert(from, to, &amount, &c) != RATES_OK) {
		api_answer_error(resp, 400, "result of converting that amount is too large");
		return;
	}
	begin_answer(ctx, resp, ct_text);
	resp->stale = ctx->now >= rates_pair_stale_from(ctx->rates, from, to, ctx->max_age);
	dec_format(&c.result, text, sizeof(text));
	buf_printf(&resp->body, "%s %s\n", to->cur->code, text);
}

/* /convert?from=USD&to=GBP&amount=100 as JSON. */
static void
route_convert_query(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	const struct api_arg *p[P_COUNT];
	const struct rate_entry *from, *to;
	struct conversion c;
	struct dec amount;

	struct rates *dated = NULL;
	const struct rates *r = ctx->rates;
	struct api_day day;
	char date[DT_DATE_LEN];

	if (collect_params(req, convert_params, p, resp) == -1)
		return;
	if (p[P_TO] == NULL) {
		api_answer_error(resp, 400, "parameter 'to' is required");
		return;
	}
	if (p[P_DATE] != NULL) {
		if (parse_request_date("date", p[P_DATE]->value != NULL ? p[P_DATE]->value : "",
		    p[P_DATE]->value != NULL ? p[P_DATE]->value_len : 0, date, resp) == -1 ||
		    history_on(ctx, date, &dated, &day, resp) == -1)
			return;
		r = dated;
	} else if (r == NULL) {
		api_answer_error(resp, 503, "no rates yet: the first fetch has not succeeded");
		return;
	}
	if ((from = param_currency(r, p[P_FROM], "EUR", resp)) == NULL ||
	    (to = param_currency(r, p[P_TO], NULL, resp)) == NULL ||
	    parse_amount(p[P_AMOUNT], &amount, resp) == -1)
		goto out;
	if (rates_convert(from, to, &amount, &c) != RATES_OK) {
		api_answer_error(resp, 400, "result of converting that amount is too large");
		goto out;
	}
	begin_answer_at(ctx, resp, ct_json, rates_fetched_at(r), dated != NULL);
	if (dated != NULL)
		set_dated_cache(ctx, date, dated, &day, resp);
	else	/* as old as the older of its two rates */
		resp->stale = ctx->now >= rates_pair_stale_from(r, from, to, ctx->max_age);
	fxjson_render_conversion(&resp->body, &c, r, resp->stale);
	buf_puts(&resp->body, "\n");
out:
	rates_free(dated);
}

/*
 * A 'to' list ("USD,gbp") into upper-case codes, without looking them up:
 * a malformed code, a repeated one or too many are a bad parameter (400);
 * whether the rates know a code is for the caller to say (404).
 */
static int
parse_codes(const struct api_arg *a, char codes[][4], size_t max, size_t *n, struct api_response *resp)
{
	const char *s = a->value != NULL ? a->value : "";
	size_t len = a->value != NULL ? a->value_len : 0, start = 0;
	char key[BUF_QUOTE_LEN], quoted[BUF_QUOTE_LEN], text[4];

	*n = 0;
	buf_quote(key, sizeof(key), a->key, a->key_len);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		if (*n == max) {
			if (max == 1)
				api_answer_error(resp, 400, "'%s' takes one currency", key);
			else
				api_answer_error(resp, 400, "'%s' lists more than %zu currencies", key, max);
			return -1;
		}
		if (i - start == 3)
			memcpy(text, s + start, 3);
		text[i - start == 3 ? 3 : 0] = '\0';
		if (i - start != 3 || currency_normalize(text, codes[*n]) == -1) {
			buf_quote(quoted, sizeof(quoted), s + start, i - start);
			api_answer_error(resp, 400, "%s '%s': not a three-letter currency code", key, quoted);
			return -1;
		}
		for (size_t j = 0; j < *n; j++)
			if (strcmp(codes[j], codes[*n]) == 0) {
				api_answer_error(resp, 400, "'%s' lists '%s' twice", key, codes[j]);
				return -1;
			}
		++*n;
		start = i + 1;
	}
	return 0;
}

/* /latest and /{date}: Frankfurter's own shape, so Frankfurter clients
 * (and cconvd) can use us.  dated: r is history, never stale. */
static void
answer_rates(const struct api_ctx *ctx, const struct api_request *req, const struct rates *r, int dated,
    struct api_response *resp)
{
	const struct api_arg *p[P_COUNT];
	const struct rate_entry *from, *targets[API_MAX_TARGETS];
	char codes[API_MAX_TARGETS][4];
	size_t nt = 0;
	struct dec amount;

	if (collect_params(req, latest_params, p, resp) == -1)
		return;
	if ((from = param_currency(r, p[P_FROM], "EUR", resp)) == NULL ||
	    parse_amount(p[P_AMOUNT], &amount, resp) == -1)
		return;
	if (p[P_TO] != NULL) {
		if (parse_codes(p[P_TO], codes, API_MAX_TARGETS, &nt, resp) == -1)
			return;
		for (size_t i = 0; i < nt; i++)
			if ((targets[i] = rates_find(r, codes[i])) == NULL) {
				api_answer_error(resp, 404, "unknown currency '%s'", codes[i]);
				return;
			}
	}
	begin_answer_at(ctx, resp, ct_json, rates_fetched_at(r), dated);
	if (fxjson_render(&resp->body, r, from, p[P_TO] != NULL ? targets : NULL, nt,
	    p[P_AMOUNT] != NULL ? &amount : NULL, 0) == -1) {
		api_answer_error(resp, 400, "that amount is too large to convert");
		return;
	}
	buf_puts(&resp->body, "\n");
}

/* /{date}: that date's rates, or the nearest earlier date's. */
static void
route_date(const struct api_ctx *ctx, const struct api_request *req, const char *date,
    struct api_response *resp)
{
	struct rates *r = NULL;
	struct api_day day;

	if (history_on(ctx, date, &r, &day, resp) == -1)
		return;
	answer_rates(ctx, req, r, 1, resp);
	if (resp->status == 200)
		set_dated_cache(ctx, date, r, &day, resp);
	rates_free(r);
}

/* A time series being written, one day at a time, by series_day(). */
struct series {
	struct buf *b;
	struct buf dates;	/* "dates" of the days whose rates' dates differ from theirs */
	char from[4];
	char to[API_MAX_TARGETS][4];
	size_t nto;		/* 0: every currency of each day */
	const struct dec *amount;	/* NULL: 1 */
	int from_seen;
	unsigned char to_seen[API_MAX_TARGETS];
	size_t ndays, nstored;
	char first[DT_DATE_LEN], last[DT_DATE_LEN];
	int64_t newest_fetch;
	int failed;		/* a day could not be written: out of room, or the amount too large */
};

/*
 * One day of the series.  A day without the 'from' currency cannot be
 * expressed in it and is left out; a 'to' currency a day lacks is left out
 * of that day, as Frankfurter does for currencies that start or stop within a
 * range.  Returns 1 to stop the walk when the answer cannot be written.
 */
static int
series_day(void *arg, const struct rates *r)
{
	struct series *s = arg;
	const struct rate_entry *from, *to[API_MAX_TARGETS];
	char lead[DT_DATE_LEN + 8];
	size_t nt = 0;

	s->nstored++;
	if ((from = rates_find(r, s->from)) == NULL)
		return 0;
	s->from_seen = 1;
	for (size_t i = 0; i < s->nto; i++)
		if ((to[nt] = rates_find(r, s->to[i])) != NULL) {
			s->to_seen[i] = 1;
			nt++;
		}
	if (s->nto > 0 && nt == 0)
		return 0;
	buf_printf(s->b, "%s\"%s\":", s->ndays > 0 ? "," : "", rates_date(r));
	snprintf(lead, sizeof(lead), "%s\"%s\":{", s->dates.len > 0 ? "," : "", rates_date(r));
	if (fxjson_render_rates(s->b, r, from, s->nto > 0 ? to : NULL, nt, s->amount) == -1 ||
	    fxjson_render_dates(&s->dates, r, from, s->nto > 0 ? to : NULL, nt, lead) == -1) {
		s->failed = 1;
		return 1;
	}
	if (s->ndays++ == 0)
		memcpy(s->first, rates_date(r), DT_DATE_LEN);
	memcpy(s->last, rates_date(r), DT_DATE_LEN);
	if (rates_fetched_at(r) > s->newest_fetch)
		s->newest_fetch = rates_fetched_at(r);
	return 0;
}

/*
 * The day a series asked from start begins on: start when it has rates,
 * else the nearest earlier day that has, as Frankfurter begins it (so the
 * answer's start_date is never after the asked one); start itself when no
 * day before it has rates, or it is still to come.  0, or -1 with err set.
 */
static int
series_first_day(const struct api_ctx *ctx, const char *start, char first[DT_DATE_LEN], char *err, size_t errlen)
{
	struct rates *r = NULL;
	struct api_day day;
	char today[DT_DATE_LEN];

	memcpy(first, start, DT_DATE_LEN);
	dt_date(ctx->now, today);
	if (strcmp(start, today) > 0)
		return 0;
	memset(&day, 0, sizeof(day));
	if (ctx->history->on(ctx->history->cls, start, NULL, &r, &day, err, errlen) == -1)
		return -1;
	if (!day.stored && r != NULL)
		memcpy(first, rates_date(r), DT_DATE_LEN);
	else if (!day.stored && day.before[0] != '\0')
		memcpy(first, day.before, DT_DATE_LEN);
	rates_free(r);
	return 0;
}

/*
 * /{start}..{end} and /{start}..: Frankfurter's time series,
 * {"amount":1.0,"base":"EUR","start_date":…,"end_date":…,"rates":{"2024-01-02":{…},…}},
 * start_date and end_date being the first and last dates that have rates.
 * Those two are only known at the end, and are always ten characters, so the
 * head is written with placeholders that are filled in afterwards.
 */
static void
route_series(const struct api_ctx *ctx, const struct api_request *req, const char *start, const char *end,
    struct api_response *resp)
{
	const struct api_arg *p[P_COUNT];
	struct series s;
	struct dec amount;
	char err[512], span[64], first[DT_DATE_LEN];
	size_t at_start, at_end;
	int open_end = strcmp(end, API_OPEN_END) == 0, rc;

	memset(&s, 0, sizeof(s));
	if (collect_params(req, latest_params, p, resp) == -1 ||
	    parse_amount(p[P_AMOUNT], &amount, resp) == -1)
		return;
	if (p[P_FROM] == NULL)
		memcpy(s.from, "EUR", 4);
	else {
		char one[1][4];
		size_t n;
		if (parse_codes(p[P_FROM], one, 1, &n, resp) == -1)
			return;
		memcpy(s.from, one[0], 4);
	}
	if (p[P_TO] != NULL && parse_codes(p[P_TO], s.to, API_MAX_TARGETS, &s.nto, resp) == -1)
		return;
	if (ctx->history == NULL) {
		api_answer_error(resp, 503, "no history: this server keeps none");
		return;
	}
	if (open_end)
		snprintf(span, sizeof(span), "on or after %s", start);
	else
		snprintf(span, sizeof(span), "between %s and %s", start, end);

	buf_free(&resp->body);
	buf_init(&resp->body, API_SERIES_CAP);
	s.b = &resp->body;
	s.amount = p[P_AMOUNT] != NULL ? &amount : NULL;
	buf_puts(s.b, "{\"amount\":");
	fxjson_render_amount(s.b, s.amount);
	buf_printf(s.b, ",\"base\":\"%s\",\"start_date\":\"", s.from);
	at_start = s.b->len;
	buf_puts(s.b, "YYYY-MM-DD\",\"end_date\":\"");
	at_end = s.b->len;
	buf_puts(s.b, "YYYY-MM-DD\",\"rates\":{");

	buf_init(&s.dates, API_SERIES_CAP);
	rc = series_first_day(ctx, start, first, err, sizeof(err));
	if (rc == 0)
		rc = ctx->history->each(ctx->history->cls, first, end, NULL, series_day, &s, err, sizeof(err));
	if (rc == -1) {
		api_answer_error(resp, 503, "history unavailable: %s", err);
		goto out;
	}
	if (buf_failed(&s.dates) == BUF_NO_MEMORY) {
		api_answer_error(resp, 503, "out of memory; try again");
		goto out;
	}
	if (answered_no_memory(resp))
		goto out;
	if (s.failed) {
		if (buf_failed(s.b) || buf_failed(&s.dates))
			api_answer_error(resp, 400,
			    "answer larger than %d MiB; ask for a shorter range or fewer currencies",
			    API_SERIES_CAP >> 20);
		else
			api_answer_error(resp, 400, "that amount is too large to convert");
		goto out;
	}
	if (s.nstored == 0) {
		api_answer_error(resp, 404, "no rates %s", span);
		goto out;
	}
	if (!s.from_seen) {
		api_answer_error(resp, 404, "unknown currency '%s' (no rates for it %s)", s.from, span);
		goto out;
	}
	for (size_t i = 0; i < s.nto; i++)
		if (!s.to_seen[i]) {
			api_answer_error(resp, 404, "unknown currency '%s' (no rates for it %s)", s.to[i], span);
			goto out;
		}
	buf_puts(s.b, "}");
	/* After "rates", as in /latest: the days whose rates are not all of that day. */
	if (s.dates.len > 0) {
		buf_puts(s.b, ",\"dates\":{");
		buf_append(s.b, s.dates.data, s.dates.len);
		buf_puts(s.b, "}");
	}
	buf_puts(s.b, "}\n");
	if (answered_no_memory(resp))
		goto out;
	if (buf_failed(s.b)) {
		api_answer_error(resp, 400, "answer larger than %d MiB; ask for a shorter range or fewer currencies",
		    API_SERIES_CAP >> 20);
		goto out;
	}
	memcpy(s.b->data + at_start, s.first, DT_DATE_LEN - 1);
	memcpy(s.b->data + at_end, s.last, DT_DATE_LEN - 1);
	begin_answer_at(ctx, resp, ct_json, s.newest_fetch, 1);
out:
	buf_free(&s.dates);
}

/* s[0..n), the path after '/' holding "..", as a range start..end (end
 * API_OPEN_END when open); -1 when it is not one, with a 400 answered unless
 * resp is NULL. */
static int
parse_range(const char *s, size_t n, const char *dots, char start[DT_DATE_LEN], char end[DT_DATE_LEN],
    struct api_response *resp)
{
	size_t rest = n - (size_t)(dots + 2 - s);

	if (parse_request_date("start date", s, (size_t)(dots - s), start, resp) == -1)
		return -1;
	if (rest == 0)
		memcpy(end, API_OPEN_END, DT_DATE_LEN);
	else if (parse_request_date("end date", dots + 2, rest, end, resp) == -1)
		return -1;
	if (strcmp(end, start) < 0) {
		if (resp != NULL)
			api_answer_error(resp, 400, "end date %s is before start date %s", end, start);
		return -1;
	}
	return 0;
}

/* /{date}, /{start}..{end} and /{start}..: s[0..n) is the path after '/'. */
static void
route_dated(const struct api_ctx *ctx, const struct api_request *req, const char *s, size_t n,
    struct api_response *resp)
{
	const char *dots = memmem(s, n, "..", 2);
	char start[DT_DATE_LEN], end[DT_DATE_LEN];

	if (dots == NULL) {
		resp->endpoint = API_EP_DATE;
		if (parse_request_date("date", s, n, start, resp) == 0)
			route_date(ctx, req, start, resp);
		return;
	}
	resp->endpoint = API_EP_SERIES;
	if (parse_range(s, n, dots, start, end, resp) == 0)
		route_series(ctx, req, start, end, resp);
}

/* /currencies: {} before the first fetch, as Frankfurter with no rates. */
static void
route_currencies(const struct api_ctx *ctx, struct api_response *resp)
{
	if (ctx->rates == NULL) {
		resp->status = 200;
		resp->content_type = ct_json;
		buf_puts(&resp->body, "{}\n");
		return;
	}
	begin_answer(ctx, resp, ct_json);
	rates_render_currencies(&resp->body, ctx->rates);
	buf_puts(&resp->body, "\n");
}

/* "/": the web page (web.h); served with or without rates, it says which. */
static void
route_page(struct api_response *resp)
{
	/* Its query (?from=&to=&amount=) is the page's own, read in the browser. */
	resp->status = 200;
	resp->content_type = ct_html;
	resp->csp = page_csp;
	buf_append(&resp->body, web_index_html, web_index_html_len);
}

static void
put_str_or_null(struct buf *b, const char *s)
{
	if (s == NULL || s[0] == '\0')
		buf_puts(b, "null");
	else
		buf_json_str(b, s, strlen(s));
}

/* A Unix time as an ISO 8601 JSON string, or null for 0 (never). */
static void
put_time_or_null(struct buf *b, int64_t t)
{
	char iso[DT_ISO_LEN];

	if (t == 0) {
		buf_puts(b, "null");
		return;
	}
	dt_iso8601(t, iso);
	buf_printf(b, "\"%s\"", iso);
}

/* 200 while there are rates to answer from (stale ones included), else 503. */
static void
route_healthz(const struct api_ctx *ctx, struct api_response *resp)
{
	struct fetch_status st;
	struct buf *b = &resp->body;
	char iso[DT_ISO_LEN];

	memset(&st, 0, sizeof(st));
	if (ctx->get_status != NULL)
		ctx->get_status(&st);
	if (ctx->rates != NULL) {
		begin_answer(ctx, resp, ct_json);
		resp->cache = API_CACHE_NO_STORE;	/* its age changes every second */
		dt_iso8601(rates_fetched_at(ctx->rates), iso);
		buf_printf(b, "{\"status\":\"%s\",\"date\":\"%s\",\"fetched_at\":\"%s\",\"age\":%lld,"
		    "\"rates_age_days\":%lld,\"stale\":%s,\"currencies\":%zu,\"upstream\":",
		    resp->stale ? "stale" : "ok", rates_date(ctx->rates), iso, (long long)resp->age,
		    (long long)calendar_age_days(rates_date(ctx->rates), ctx->now), resp->stale ? "true" : "false",
		    rates_count(ctx->rates));
		put_str_or_null(b, rates_upstream(ctx->rates));
	} else {
		resp->status = 503;
		resp->content_type = ct_json;
		buf_puts(b, "{\"status\":\"no rates\",\"date\":null,\"fetched_at\":null,\"age\":null,"
		    "\"rates_age_days\":null,\"stale\":null,\"currencies\":0,\"upstream\":null");
	}
	buf_puts(b, ",\"last_fetch\":");
	if (st.at == 0)
		buf_puts(b, "null");
	else {
		dt_iso8601(st.at, iso);
		buf_printf(b, "{\"at\":\"%s\",\"ok\":%s,\"upstream\":", iso, st.ok ? "true" : "false");
		put_str_or_null(b, st.upstream);
		buf_puts(b, ",\"error\":");
		put_str_or_null(b, st.error);
		buf_puts(b, "}");
	}
	buf_puts(b, ",\"upstreams\":[");
	for (size_t i = 0; i < st.nupstreams; i++) {
		const struct upstream_report *u = &st.up[i];

		buf_puts(b, i > 0 ? ",{\"upstream\":" : "{\"upstream\":");
		put_str_or_null(b, u->upstream);
		buf_printf(b, ",\"ok\":%s,\"last_attempt\":", u->attempt_at == 0 ? "null" : u->ok ? "true" : "false");
		put_time_or_null(b, u->attempt_at);
		buf_puts(b, ",\"last_success\":");
		put_time_or_null(b, u->success_at);
		buf_puts(b, ",\"error\":");
		put_str_or_null(b, u->error);
		buf_printf(b, ",\"currencies\":%zu}", u->currencies);
	}
	buf_puts(b, "],\"storage_error\":");
	put_str_or_null(b, st.store_error);
	buf_puts(b, "}\n");
}

static const char *const endpoint_names[API_EP_COUNT] = {
	[API_EP_CONVERT_PATH] = "convert_path", [API_EP_CONVERT] = "convert", [API_EP_LATEST] = "latest",
	[API_EP_CURRENCIES] = "currencies", [API_EP_HEALTHZ] = "healthz", [API_EP_METRICS] = "metrics",
	[API_EP_PAGE] = "page", [API_EP_DATE] = "date", [API_EP_SERIES] = "series", [API_EP_V2] = "v2",
	[API_EP_V1] = "v1", [API_EP_ECB] = "ecb", [API_EP_OTHER] = "other",
};

const char *
api_endpoint_name(enum api_endpoint ep)
{
	return (unsigned)ep < API_EP_COUNT ? endpoint_names[ep] : endpoint_names[API_EP_OTHER];
}

/* Frankfurter serves its API under /v1; every path works here with or
 * without it, so a Frankfurter client given http://host:8080/v1 works
 * ("/v1/" is the page at "/"). */
static void
strip_v1(const char **path, size_t *n)
{
	if (*n >= 4 && memcmp(*path, "/v1/", 4) == 0) {
		*path += 3;
		*n -= 3;
	}
}

/* A path that starts with a digit can only be meant as a date. */
static int
is_dated(const char *path, size_t n)
{
	return n > 1 && path[1] >= '0' && path[1] <= '9';
}

#define API_CONVERT_PREFIX "/convert/"
#define API_CONVERT_PREFIX_LEN (sizeof(API_CONVERT_PREFIX) - 1)

/* Which route path[0..n) names, /v1 already stripped (strip_v1()). */
static enum api_endpoint
route_of(const char *path, size_t n)
{
	if (is_dated(path, n))
		return memmem(path + 1, n - 1, "..", 2) != NULL ? API_EP_SERIES : API_EP_DATE;
	if (api_is_word(path, n, "/healthz"))
		return API_EP_HEALTHZ;
	if (api_is_word(path, n, "/"))
		return API_EP_PAGE;
	if (api_is_word(path, n, "/metrics"))
		return API_EP_METRICS;
	if (api_is_word(path, n, "/convert"))
		return API_EP_CONVERT;
	/* Frankfurter's /current is its /latest under another name. */
	if (api_is_word(path, n, "/latest") || api_is_word(path, n, "/current"))
		return API_EP_LATEST;
	if (api_is_word(path, n, "/currencies"))
		return API_EP_CURRENCIES;
	if (n > API_CONVERT_PREFIX_LEN && memcmp(path, API_CONVERT_PREFIX, API_CONVERT_PREFIX_LEN) == 0)
		return API_EP_CONVERT_PATH;
	return API_EP_OTHER;
}

/* "/v1" and "/v1/": Frankfurter's version object, where a client finds the
 * contract of the API under it.  The OpenAPI document is Frankfurter's, not
 * served here. */
static void
route_v1_root(const struct api_ctx *ctx, struct api_response *resp)
{
	v2_begin_answer(ctx, resp);
	buf_puts(&resp->body, "{\"version\":\"v1\",\"status\":\"frozen\","
	    "\"openapi\":\"https://api.frankfurter.dev/v1/openapi.json\",\"docs\":\"https://frankfurter.dev\"}\n");
}

static int
has_arg(const struct api_request *req, const char *name)
{
	for (size_t i = 0; i < req->nargs; i++)
		if (api_is_word(req->args[i].key, req->args[i].key_len, name))
			return 1;
	return 0;
}

void
api_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	const struct api_arg *unused[P_COUNT];
	const char *path = req->path;
	size_t n = req->path_len;
	char quoted[BUF_QUOTE_LEN];
	int v1_root = api_is_word(path, n, "/v1") || api_is_word(path, n, "/v1/");

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, API_BODY_CAP);
	resp->last_modified = -1;
	resp->endpoint = API_EP_OTHER;
	/* Every fixer.io client sends its access key; no other client does. */
	resp->fixer_errors = has_arg(req, "access_key");
	strip_v1(&path, &n);
	if (strcmp(req->method, "OPTIONS") == 0) {
		/* A preflight (or a question): allowed methods and, where
		 * api_cross_origin(), CORS's headers, added by http.c. */
		resp->endpoint = v2_is_path(req->path, req->path_len) ? API_EP_V2 : v1_root ? API_EP_V1 :
		    route_of(path, n);
		resp->status = 204;
		return;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		buf_quote(quoted, sizeof(quoted), req->method, strlen(req->method));
		api_answer_error(resp, 405, "method '%s' not allowed; use GET", quoted);
		return;
	}
	if (v2_is_path(req->path, req->path_len)) {
		v2_handle(ctx, req, resp);
		return;
	}
	if (ecbfiles_is_path(req->path, req->path_len)) {
		ecbfiles_handle(ctx, req, resp);
		return;
	}
	if (v1_root) {
		resp->endpoint = API_EP_V1;
		route_v1_root(ctx, resp);
		goto out;
	}
	resp->endpoint = route_of(path, n);
	if (resp->endpoint == API_EP_METRICS && ctx->render_metrics == NULL)
		resp->endpoint = API_EP_OTHER;
	switch (resp->endpoint) {
	case API_EP_DATE:
	case API_EP_SERIES:
		route_dated(ctx, req, path + 1, n - 1, resp);
		break;
	case API_EP_HEALTHZ:
		route_healthz(ctx, resp);
		break;
	case API_EP_PAGE:
		route_page(resp);
		if (!answered_no_memory(resp) && buf_failed(&resp->body))
			api_answer_error(resp, 500, "the page is larger than the answer buffer (a build error)");
		return;
	case API_EP_METRICS:
		resp->status = 200;
		resp->content_type = ct_prometheus;
		ctx->render_metrics(&resp->body, ctx->rates, ctx->now);
		break;
	case API_EP_CONVERT:
		/* /convert may ask for a date, which needs history, not the latest rates. */
		route_convert_query(ctx, req, resp);
		break;
	case API_EP_CURRENCIES:
		if (collect_params(req, no_params, unused, resp) == 0)
			route_currencies(ctx, resp);
		break;
	case API_EP_LATEST:
	case API_EP_CONVERT_PATH:
		if (ctx->rates == NULL)
			api_answer_error(resp, 503, "no rates yet: the first fetch has not succeeded");
		else if (resp->endpoint == API_EP_LATEST)
			answer_rates(ctx, req, ctx->rates, 0, resp);
		else
			route_convert_path(ctx, req, path + API_CONVERT_PREFIX_LEN, n - API_CONVERT_PREFIX_LEN, resp);
		break;
	default:
		/* Under /v1/ only a Frankfurter client asks: it reads Frankfurter's form. */
		if (req->path_len >= 4 && memcmp(req->path, "/v1/", 4) == 0)
			resp->endpoint = API_EP_V1;
		/* The path as asked, /v1/ and all: "/v1/v1/latest" is not "/v1/latest". */
		buf_quote(quoted, sizeof(quoted), req->path, req->path_len);
		api_answer_error(resp, 404, "no such path '%s'", quoted);
		return;
	}
out:
	if (!answered_no_memory(resp) && buf_failed(&resp->body))
		api_answer_error(resp, 400, "answer too large");
}

int
api_cross_origin(enum api_endpoint ep)
{
	/* /healthz and /metrics are for the operator's monitors, not pages:
	 * upstream addresses and errors, database size.  The page is no API. */
	return ep != API_EP_HEALTHZ && ep != API_EP_METRICS && ep != API_EP_PAGE;
}

/*
 * A series' cost is the days it reads, each stored day being loaded and
 * rendered whatever the currencies asked.  Up to a month it costs about as
 * much as a single date and is cheaper answered at once than handed to
 * another thread; the whole history would make every connection an HTTP
 * thread serves wait as long.  Any range longer than a month is heavy, which
 * also covers the web page's yearly chart.
 */
int
api_is_heavy(const struct api_request *req, int64_t now)
{
	const char *path = req->path, *dots;
	char start[DT_DATE_LEN], end[DT_DATE_LEN];
	size_t n = req->path_len;

	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
		return 0;
	if (v2_is_path(path, n))
		return v2rates_is_heavy(req, now);
	if (ecbfiles_is_heavy(path, n))
		return 1;
	strip_v1(&path, &n);
	if (!is_dated(path, n) || (dots = memmem(path + 1, n - 1, "..", 2)) == NULL ||
	    parse_range(path + 1, n - 1, dots, start, end, NULL) == -1)
		return 0;
	if (strcmp(end, API_OPEN_END) == 0)
		dt_date(now, end);
	return dt_date_days(end) - dt_date_days(start) > API_HEAVY_DAYS;
}

void
api_begin_at(const struct api_ctx *ctx, struct api_response *resp, const char *content_type, int64_t fetched,
    int dated)
{
	begin_answer_at(ctx, resp, content_type, fetched, dated);
}

void
api_keep_dated(const struct api_ctx *ctx, const char *asked, const struct rates *answered,
    const struct api_day *day, struct api_response *resp)
{
	set_dated_cache(ctx, asked, answered, day, resp);
}

void
api_answer_busy(struct api_response *resp, const struct api_request *req, const char *why, int retry_after)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, API_BODY_CAP);
	resp->endpoint = v2_is_path(req->path, req->path_len) ? API_EP_V2 :
	    ecbfiles_is_path(req->path, req->path_len) ? API_EP_ECB : API_EP_SERIES;
	api_answer_error(resp, 503, "%s", why);
	resp->retry_after = retry_after;
}

void
api_answer_bad_request(struct api_response *resp, const char *why)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, API_BODY_CAP);
	resp->endpoint = API_EP_OTHER;
	api_answer_error(resp, 400, "%s", why);
}

void
api_response_free(struct api_response *resp)
{
	buf_free(&resp->body);
}
