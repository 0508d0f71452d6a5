/*
 * v2meta: /v2/currencies, /v2/currency/{code} and /v2/providers.
 *
 * Each answer walks the currency table or the coverage's providers, in code
 * or key order, writing Frankfurter's objects field by field in its order;
 * what is not known is null, as Frankfurter's schema allows (a currency
 * without stored dates, a provider's terms).  A provider's name and
 * particulars come from a small table of the sources cconvd knows by key;
 * any other is named by its key.  A date-relative figure (publishes_missed)
 * is counted at ctx->now from the source's calendar (calendar.h).
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "coverage.h"
#include "currency.h"
#include "v2.h"
#include "v2meta.h"

#define V2META_MAX_KEYS 16	/* providers named in one providers= */

/* What cconvd knows of a provider beyond its observations. */
struct provider_info {
	const char *key;
	const char *name;
	const char *country_code;
	const char *rate_type;
	const char *terms_url;
	int scheduled;		/* publishes on a calendar: publish_cadence "daily" */
};

static const struct provider_info known[] = {
	{ "ECB", "European Central Bank", "EU", "reference rate",
	    "https://www.ecb.europa.eu/services/using-our-site/disclaimer/html/index.en.html", 1 },
	{ "FILE", "Local files", NULL, NULL, NULL, 1 },
	{ "FRANKFURTER", "Frankfurter", NULL, NULL, NULL, 1 },
	{ "IMPORT", "Imported files", NULL, NULL, NULL, 0 },
};

static const struct provider_info *
info_of(const char *key, struct provider_info *other)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].key, key) == 0)
			return &known[i];
	memset(other, 0, sizeof(*other));
	other->key = key;
	other->name = key;
	other->scheduled = 1;
	return other;
}

static void
put_str_or_null(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_puts(b, "null");
	else
		buf_json_str(b, s, strlen(s));
}

/* The currency object's fields, without the braces. */
static void
put_currency_fields(struct buf *b, const struct currency *c, const struct coverage *cov)
{
	struct coverage_span span;
	int dated = cov != NULL && coverage_currency(cov, c->code, &span);

	buf_printf(b, "\"iso_code\":\"%s\",\"iso_numeric\":", c->code);
	if (c->numeric != 0)
		buf_printf(b, "\"%03u\"", c->numeric);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"name\":");
	buf_json_str(b, c->name, strlen(c->name));
	buf_puts(b, ",\"symbol\":");
	put_str_or_null(b, c->symbol);
	buf_puts(b, ",\"start_date\":");
	put_str_or_null(b, dated ? span.first : NULL);
	buf_puts(b, ",\"end_date\":");
	put_str_or_null(b, dated ? span.last : NULL);
}

/* Whether code has a rate in the latest rates, the pivot included. */
static int
in_latest(const struct api_ctx *ctx, const char *code)
{
	return ctx->rates != NULL && (rates_find(ctx->rates, code) != NULL ||
	    strcmp(rates_pivot(ctx->rates)->code, code) == 0);
}

/* Whether code was ever stored, or is in the latest rates. */
static int
ever_stored(const struct api_ctx *ctx, const char *code)
{
	return in_latest(ctx, code) || (ctx->coverage != NULL && coverage_currency(ctx->coverage, code, NULL));
}

/* The providers providers= names, upper-cased, into keys; how many. */
static size_t
named_providers(const struct api_arg *a, char keys[][UPSTREAM_KEY_LEN], size_t max)
{
	size_t n = 0, i = 0, len = a->value != NULL ? a->value_len : 0;

	while (i < len && n < max) {
		size_t k = 0;

		for (; i < len && a->value[i] != ','; i++)
			if (k < UPSTREAM_KEY_LEN - 1) {
				char ch = a->value[i];
				keys[n][k++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
			}
		keys[n][k] = '\0';
		if (k > 0)
			n++;
		i++;	/* past the ',' */
	}
	return n;
}

/* Whether one of the named providers gave code. */
static int
given_by(const struct coverage *cov, char keys[][UPSTREAM_KEY_LEN], size_t n, const char *code)
{
	for (size_t i = 0; cov != NULL && i < n; i++) {
		const struct coverage_provider *p = coverage_provider_find(cov, keys[i]);

		if (p != NULL && coverage_provides(cov, p, code))
			return 1;
	}
	return 0;
}

/*
 * As Frankfurter: providers= wins over scope, and a scope other than "all"
 * is the default (the currencies with rates now).  An unknown provider
 * simply gives none.
 */
static void
route_currencies(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	static const char *const allowed[] = { "scope", "providers", NULL };
	char keys[V2META_MAX_KEYS][UPSTREAM_KEY_LEN];
	const struct api_arg *scope, *prov;
	size_t nkeys = 0, listed = 0;
	int all, bad = 0;

	if (v2_known_params(req, allowed, resp) == -1)
		return;
	scope = v2_arg(req, "scope", &bad, resp);
	prov = v2_arg(req, "providers", &bad, resp);
	if (bad)
		return;
	all = scope != NULL && scope->value != NULL && api_is_word(scope->value, scope->value_len, "all");
	if (prov != NULL)
		nkeys = named_providers(prov, keys, V2META_MAX_KEYS);
	v2_begin_answer(ctx, resp);
	buf_puts(&resp->body, "[");
	for (size_t i = 0; i < currency_count(); i++) {
		const struct currency *c = currency_at(i);
		int take = prov != NULL ? given_by(ctx->coverage, keys, nkeys, c->code) :
		    all ? ever_stored(ctx, c->code) : in_latest(ctx, c->code);

		if (!take)
			continue;
		buf_puts(&resp->body, listed++ > 0 ? ",{" : "{");
		put_currency_fields(&resp->body, c, ctx->coverage);
		buf_puts(&resp->body, "}");
	}
	buf_puts(&resp->body, "]\n");
}

/* /v2/currency/{code}: code[0..n) as typed, in any case. */
static void
route_currency(const struct api_ctx *ctx, const struct api_request *req, const char *code, size_t n,
    struct api_response *resp)
{
	static const char *const none[] = { NULL };
	const struct currency *c = NULL;
	char typed[4], upper[4], quoted[BUF_QUOTE_LEN];
	size_t listed = 0;

	if (v2_known_params(req, none, resp) == -1)
		return;
	if (n == 3) {
		memcpy(typed, code, 3);
		typed[3] = '\0';
		if (currency_normalize(typed, upper) == 0)
			c = currency_find(upper);
	}
	if (c == NULL || !ever_stored(ctx, c->code)) {
		buf_quote(quoted, sizeof(quoted), code, n);
		api_answer_error(resp, 404, "currency '%s' not found", quoted);
		return;
	}
	v2_begin_answer(ctx, resp);
	buf_puts(&resp->body, "{");
	put_currency_fields(&resp->body, c, ctx->coverage);
	buf_puts(&resp->body, ",\"providers\":[");
	for (size_t i = 0; ctx->coverage != NULL && i < coverage_nproviders(ctx->coverage); i++) {
		const struct coverage_provider *p = coverage_provider_at(ctx->coverage, i);

		if (!coverage_provides(ctx->coverage, p, c->code))
			continue;
		buf_puts(&resp->body, listed++ > 0 ? "," : "");
		buf_json_str(&resp->body, p->key, strlen(p->key));
	}
	buf_puts(&resp->body, "]}\n");
}

/* A provider's data_url: the URL its rates are read from, when that is all
 * its source's name is; a load ("import file:///…", "backfill …") is no URL
 * a client can follow, so null. */
static const char *
data_url(const struct coverage_provider *p)
{
	return strstr(p->upstream, "://") != NULL && strchr(p->upstream, ' ') == NULL ? p->upstream : NULL;
}

static void
put_provider(struct buf *b, const struct api_ctx *ctx, const struct coverage_provider *p)
{
	struct provider_info other;
	const struct provider_info *info = info_of(p->key, &other);

	buf_puts(b, "{\"key\":");
	buf_json_str(b, p->key, strlen(p->key));
	buf_puts(b, ",\"name\":");
	buf_json_str(b, info->name, strlen(info->name));
	buf_puts(b, ",\"country_code\":");
	put_str_or_null(b, info->country_code);
	buf_puts(b, ",\"rate_type\":");
	put_str_or_null(b, info->rate_type);
	buf_printf(b, ",\"pivot_currency\":\"%s\",\"data_url\":", p->pivot);
	put_str_or_null(b, data_url(p));
	buf_puts(b, ",\"terms_url\":");
	put_str_or_null(b, info->terms_url);
	buf_printf(b, ",\"start_date\":\"%s\",\"end_date\":\"%s\"", p->span.first, p->span.last);
	if (info->scheduled)
		buf_printf(b, ",\"publish_cadence\":\"daily\",\"publishes_missed\":%lld", (long long)calendar_missed(
		    calendar_kind_of(p->upstream), p->span.last, ctx->now));
	else
		buf_puts(b, ",\"publish_cadence\":null,\"publishes_missed\":null");
	buf_puts(b, ",\"currencies\":[");
	for (size_t i = 0; i < p->nrows; i++)
		buf_printf(b, "%s\"%s\"", i > 0 ? "," : "", coverage_row(ctx->coverage, p->first_row + i, NULL));
	buf_puts(b, "]}");
}

static void
route_providers(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
	static const char *const none[] = { NULL };

	if (v2_known_params(req, none, resp) == -1)
		return;
	v2_begin_answer(ctx, resp);
	buf_puts(&resp->body, "[");
	for (size_t i = 0; ctx->coverage != NULL && i < coverage_nproviders(ctx->coverage); i++) {
		if (i > 0)
			buf_puts(&resp->body, ",");
		put_provider(&resp->body, ctx, coverage_provider_at(ctx->coverage, i));
	}
	buf_puts(&resp->body, "]\n");
}

int
v2meta_handle(const struct api_ctx *ctx, const struct api_request *req, const char *path, size_t n,
    struct api_response *resp)
{
	static const char currency_prefix[] = "/currency/";
	const size_t cp = sizeof(currency_prefix) - 1;

	if (api_is_word(path, n, "/currencies"))
		route_currencies(ctx, req, resp);
	else if (n > cp && memcmp(path, currency_prefix, cp) == 0 && memchr(path + cp, '/', n - cp) == NULL)
		route_currency(ctx, req, path + cp, n - cp, resp);
	else if (api_is_word(path, n, "/providers"))
		route_providers(ctx, req, resp);
	else
		return 0;
	return 1;
}
