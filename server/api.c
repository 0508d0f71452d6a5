/*
 * api: routes, parameters and answers of cconvd's HTTP API.
 *
 * Every request is parsed into typed values first (currency entries, exact
 * amounts); every rejection is a 4xx with a JSON sentence that quotes the
 * offending input, bounded and made printable.  The only 5xx is 503, "no rates
 * yet".  Answers computed from rates carry their fetch time, age and staleness
 * in the response struct; http.c turns those into Last-Modified, Age and
 * Warning headers (RFC 9111 §5.1 for Age; Warning 110 from RFC 7234 §5.5.1,
 * obsoleted but still what clients and caches recognise).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "fxjson.h"
#include "web.h"
#include "web_index_hash.h"

#define API_BODY_CAP (256 * 1024)	/* bytes; the largest answer is a few KiB */
#define API_MAX_TARGETS 256		/* currencies in one 'to' list */

static const char ct_json[] = "application/json";
static const char ct_text[] = "text/plain; charset=utf-8";
static const char ct_html[] = "text/html; charset=utf-8";

/*
 * The page is one self-contained file: its one script is allowed by its hash
 * (computed at build time, web_index_hash.h), so no other script can run, not
 * even one injected into the page; its inline style is allowed.  Everything
 * else is refused: no external script, style, image or font, requests only to
 * this server, no framing, no form posts.
 */
static const char page_csp[] =
    "default-src 'none'; script-src " WEB_INDEX_HTML_SCRIPT_HASH "; style-src 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";
static const char ct_prometheus[] = "text/plain; version=0.0.4; charset=utf-8";	/* exposition 0.0.4 */

enum { P_FROM, P_TO, P_AMOUNT, P_COUNT };

struct param_name {
	const char *key;
	int slot;
};

/* fixer.io spelled 'from' and 'to' as 'base' and 'symbols'; Frankfurter takes both. */
static const struct param_name latest_params[] = {
	{ "from", P_FROM }, { "base", P_FROM }, { "to", P_TO }, { "symbols", P_TO },
	{ "amount", P_AMOUNT }, { NULL, 0 }
};
static const struct param_name convert_params[] = {
	{ "from", P_FROM }, { "to", P_TO }, { "amount", P_AMOUNT }, { NULL, 0 }
};
static const struct param_name no_params[] = { { NULL, 0 } };

static void
answer_error(struct api_response *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
answer_error(struct api_response *resp, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_free(&resp->body);
	buf_init(&resp->body, API_BODY_CAP);
	resp->status = status;
	resp->content_type = ct_json;
	resp->last_modified = -1;
	resp->age = 0;
	resp->stale = 0;
	resp->cache = API_CACHE_NO_STORE;
	buf_puts(&resp->body, "{\"error\":");
	buf_json_str(&resp->body, msg, strlen(msg));
	buf_puts(&resp->body, "}\n");
}

/* Whether s[0..n) is exactly the NUL-terminated word w. */
static int
is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/*
 * Sorts the query into slots by name.  Unknown names are ignored, as most
 * HTTP APIs do (cache-busters, tracking tags); a slot given twice is refused,
 * since which value would win is a guess.
 */
static int
collect_params(const struct api_request *req, const struct param_name *names,
    const struct api_arg *slot[P_COUNT], struct api_response *resp)
{
	memset(slot, 0, sizeof(*slot) * P_COUNT);
	if (req->nargs > API_MAX_ARGS) {
		answer_error(resp, 400, "more than %d query parameters", API_MAX_ARGS);
		return -1;
	}
	for (size_t i = 0; i < req->nargs; i++) {
		const struct api_arg *a = &req->args[i];
		for (const struct param_name *p = names; p->key != NULL; p++) {
			if (!is_word(a->key, a->key_len, p->key))
				continue;
			if (slot[p->slot] != NULL) {
				char first[64];
				buf_quote(first, sizeof(first), slot[p->slot]->key, slot[p->slot]->key_len);
				answer_error(resp, 400, "parameter '%s' given twice (as '%s' and '%s')",
				    p->key, first, p->key);
				return -1;
			}
			slot[p->slot] = a;
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
	char text[4], code[4], quoted[64];
	const struct rate_entry *e;

	buf_quote(quoted, sizeof(quoted), s, n);
	if (n == 3) {
		memcpy(text, s, 3);
		text[3] = '\0';
	}
	if (n != 3 || currency_normalize(text, code) == -1) {
		if (path_form)
			answer_error(resp, 404, "unknown currency '%s'", quoted);
		else
			answer_error(resp, 400, "%.*s '%s': not a three-letter currency code", (int)what_len,
			    what, quoted);
		return NULL;
	}
	if ((e = rates_find(r, code)) == NULL)
		answer_error(resp, 404, "unknown currency '%s'", code);
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
		answer_error(resp, 400, "%s", err);
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

static void
begin_answer(const struct api_ctx *ctx, struct api_response *resp, const char *content_type)
{
	int64_t fetched = rates_fetched_at(ctx->rates);

	resp->status = 200;
	resp->content_type = content_type;
	resp->last_modified = fetched;
	resp->age = ctx->now > fetched ? ctx->now - fetched : 0;
	resp->stale = resp->age > ctx->max_age;
	resp->cache = API_CACHE_RATES;
}

/* /convert/{CUR}/{AMOUNT}: AMOUNT euros in CUR, as text ("GBP 88.40"). */
static void
route_convert_path(const struct api_ctx *ctx, const char *rest, size_t n, struct api_response *resp)
{
	const char *slash = memchr(rest, '/', n);
	const struct rate_entry *from, *to;
	struct conversion c;
	struct dec amount;
	char err[256], text[DEC_STRLEN];

	if (slash == NULL || memchr(slash + 1, '/', n - (size_t)(slash + 1 - rest)) != NULL) {
		answer_error(resp, 404, "no such path; use /convert/CUR/AMOUNT");
		return;
	}
	if ((to = lookup(ctx->rates, "currency", sizeof("currency") - 1, rest, (size_t)(slash - rest), 1,
	    resp)) == NULL)
		return;
	if ((from = rates_find(ctx->rates, "EUR")) == NULL) {
		answer_error(resp, 404, "unknown currency 'EUR'");
		return;
	}
	if (money_parse_amount(slash + 1, n - (size_t)(slash + 1 - rest), &amount, err,
	    sizeof(err)) == -1) {
		answer_error(resp, 400, "%s", err);
		return;
	}
	if (rates_convert(from, to, &amount, &c) != RATES_OK) {
		answer_error(resp, 400, "result of converting that amount is too large");
		return;
	}
	begin_answer(ctx, resp, ct_text);
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

	if (collect_params(req, convert_params, p, resp) == -1)
		return;
	if (p[P_TO] == NULL) {
		answer_error(resp, 400, "parameter 'to' is required");
		return;
	}
	if ((from = param_currency(ctx->rates, p[P_FROM], "EUR", resp)) == NULL ||
	    (to = param_currency(ctx->rates, p[P_TO], NULL, resp)) == NULL ||
	    parse_amount(p[P_AMOUNT], &amount, resp) == -1)
		return;
	if (rates_convert(from, to, &amount, &c) != RATES_OK) {
		answer_error(resp, 400, "result of converting that amount is too large");
		return;
	}
	begin_answer(ctx, resp, ct_json);
	fxjson_render_conversion(&resp->body, &c, ctx->rates, resp->stale);
	buf_puts(&resp->body, "\n");
}

/* /latest: Frankfurter's own shape, so Frankfurter clients (and cconvd) can use us. */
static void
route_latest(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	const struct api_arg *p[P_COUNT];
	const struct rate_entry *from, *targets[API_MAX_TARGETS];
	size_t nt = 0;
	struct dec amount;

	if (collect_params(req, latest_params, p, resp) == -1)
		return;
	if ((from = param_currency(ctx->rates, p[P_FROM], "EUR", resp)) == NULL ||
	    parse_amount(p[P_AMOUNT], &amount, resp) == -1)
		return;
	if (p[P_TO] != NULL) {
		/* The key matched a parameter name, so it is printable; not NUL-terminated. */
		const char *key = p[P_TO]->key;
		int klen = (int)p[P_TO]->key_len;
		const char *s = p[P_TO]->value != NULL ? p[P_TO]->value : "";
		size_t n = p[P_TO]->value != NULL ? p[P_TO]->value_len : 0, start = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i < n && s[i] != ',')
				continue;
			if (nt == API_MAX_TARGETS) {
				answer_error(resp, 400, "'%.*s' lists more than %d currencies",
				    klen, key, API_MAX_TARGETS);
				return;
			}
			const struct rate_entry *e = lookup(ctx->rates, key, p[P_TO]->key_len,
			    s + start, i - start, 0, resp);
			if (e == NULL)
				return;
			for (size_t j = 0; j < nt; j++)
				if (targets[j] == e) {
					answer_error(resp, 400, "'%.*s' lists '%s' twice", klen,
					    key, e->cur->code);
					return;
				}
			targets[nt++] = e;
			start = i + 1;
		}
	}
	begin_answer(ctx, resp, ct_json);
	if (fxjson_render(&resp->body, ctx->rates, from, p[P_TO] != NULL ? targets : NULL, nt,
	    p[P_AMOUNT] != NULL ? &amount : NULL, 0) == -1) {
		answer_error(resp, 400, "that amount is too large to convert");
		return;
	}
	buf_puts(&resp->body, "\n");
}

static void
route_currencies(const struct api_ctx *ctx, struct api_response *resp)
{
	begin_answer(ctx, resp, ct_json);
	buf_puts(&resp->body, "{");
	for (size_t i = 0; i < rates_count(ctx->rates); i++) {
		const struct currency *cur = rates_at(ctx->rates, i)->cur;
		buf_printf(&resp->body, "%s\"%s\":", i ? "," : "", cur->code);
		buf_json_str(&resp->body, cur->name, strlen(cur->name));
	}
	buf_puts(&resp->body, "}\n");
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
		    "\"stale\":%s,\"currencies\":%zu,\"upstream\":", resp->stale ? "stale" : "ok",
		    rates_date(ctx->rates), iso, (long long)resp->age, resp->stale ? "true" : "false",
		    rates_count(ctx->rates));
		put_str_or_null(b, rates_upstream(ctx->rates));
	} else {
		resp->status = 503;
		resp->content_type = ct_json;
		buf_puts(b, "{\"status\":\"no rates\",\"date\":null,\"fetched_at\":null,\"age\":null,"
		    "\"stale\":null,\"currencies\":0,\"upstream\":null");
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
	buf_puts(b, ",\"storage_error\":");
	put_str_or_null(b, st.store_error);
	buf_puts(b, "}\n");
}

static const char *const endpoint_names[API_EP_COUNT] = {
	[API_EP_CONVERT_PATH] = "convert_path", [API_EP_CONVERT] = "convert", [API_EP_LATEST] = "latest",
	[API_EP_CURRENCIES] = "currencies", [API_EP_HEALTHZ] = "healthz", [API_EP_METRICS] = "metrics",
	[API_EP_PAGE] = "page", [API_EP_OTHER] = "other",
};

const char *
api_endpoint_name(enum api_endpoint ep)
{
	return (unsigned)ep < API_EP_COUNT ? endpoint_names[ep] : endpoint_names[API_EP_OTHER];
}

void
api_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	static const char convert_prefix[] = "/convert/";
	const size_t cp_len = sizeof(convert_prefix) - 1;
	const struct api_arg *unused[P_COUNT];
	const char *path = req->path;
	size_t n = req->path_len;
	char quoted[64];

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, API_BODY_CAP);
	resp->last_modified = -1;
	resp->endpoint = API_EP_OTHER;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		buf_quote(quoted, sizeof(quoted), req->method, strlen(req->method));
		answer_error(resp, 405, "method '%s' not allowed; use GET", quoted);
		return;
	}
	if (is_word(path, n, "/healthz")) {
		resp->endpoint = API_EP_HEALTHZ;
		route_healthz(ctx, resp);
		return;
	}
	if (is_word(path, n, "/")) {
		resp->endpoint = API_EP_PAGE;
		route_page(resp);
		if (buf_failed(&resp->body))
			answer_error(resp, 500, "the page is larger than the answer buffer (a build error)");
		return;
	}
	if (is_word(path, n, "/metrics") && ctx->render_metrics != NULL) {
		resp->endpoint = API_EP_METRICS;
		resp->status = 200;
		resp->content_type = ct_prometheus;
		ctx->render_metrics(&resp->body, ctx->rates, ctx->now);
		return;
	}
	int known = is_word(path, n, "/convert") || is_word(path, n, "/latest") ||
	    is_word(path, n, "/currencies") || (n > cp_len && memcmp(path, convert_prefix, cp_len) == 0);
	if (!known) {
		buf_quote(quoted, sizeof(quoted), path, n);
		answer_error(resp, 404, "no such path '%s'", quoted);
		return;
	}
	resp->endpoint = is_word(path, n, "/convert") ? API_EP_CONVERT : is_word(path, n, "/latest") ?
	    API_EP_LATEST : is_word(path, n, "/currencies") ? API_EP_CURRENCIES : API_EP_CONVERT_PATH;
	if (ctx->rates == NULL) {
		answer_error(resp, 503, "no rates yet: the first fetch has not succeeded");
		return;
	}
	if (resp->endpoint == API_EP_CONVERT)
		route_convert_query(ctx, req, resp);
	else if (resp->endpoint == API_EP_LATEST)
		route_latest(ctx, req, resp);
	else if (resp->endpoint == API_EP_CURRENCIES) {
		if (collect_params(req, no_params, unused, resp) == 0)
			route_currencies(ctx, resp);
	} else
		route_convert_path(ctx, path + cp_len, n - cp_len, resp);
	if (buf_failed(&resp->body))
		answer_error(resp, 400, "answer too large");
}

void
api_response_free(struct api_response *resp)
{
	buf_free(&resp->body);
}
