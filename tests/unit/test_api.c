/*
 * The HTTP API without a server: routes, parameter parsing and every error
 * status, against a snapshot parsed from a Frankfurter body, and the dated
 * routes against a fake history of three days held in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "fxjson.h"
#include "merge.h"
#include "unitlib.h"
#include "web.h"

#define FETCHED 1795190700	/* 2026-11-20T16:05:00Z */

/*
 * The test is linked with -Wl,--wrap=realloc (tests/CMakeLists.txt), so
 * every realloc() in the libraries comes here: with fail_big set, asking for
 * more than SMALL bytes fails as memory would, while a short error message
 * (a buffer's first SMALL bytes, buf.c) still fits.
 */
#define SMALL 256
static int fail_big;
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_big && n > SMALL ? NULL : __real_realloc(p, n);
}

static struct rates *snap;
static struct rates *days[3];	/* 2026-11-16, 2026-11-18, 2026-11-20: the fake history */
static int history_broken;	/* the fake history fails every call */
static const char *replaced_day = "";	/* the fake history's day changed after it was first stored */

static int
setup(void **state)
{
	static const char body[] = "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":"
	    "{\"GBP\":0.8351,\"JPY\":163.36,\"KWD\":0.32411,\"USD\":1.0512}}";
	static const char *const old[] = {
		"{\"base\":\"EUR\",\"date\":\"2026-11-16\",\"rates\":{\"GBP\":0.8,\"USD\":1.25}}",
		"{\"base\":\"EUR\",\"date\":\"2026-11-18\",\"rates\":{\"GBP\":0.81,\"JPY\":160,\"USD\":1.2}}",
	};
	char err[256];

	(void)state;
	if (fxjson_parse(body, strlen(body), &snap, err, sizeof(err)) != 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (fxjson_parse(old[i], strlen(old[i]), &days[i], err, sizeof(err)) != 0 ||
		    rates_set_origin(days[i], FETCHED - 86400 * (4 - 2 * i), "http://up/latest") != 0)
			return -1;
	if (fxjson_parse(body, strlen(body), &days[2], err, sizeof(err)) != 0 ||
	    rates_set_origin(days[2], FETCHED, "http://up/latest") != 0)
		return -1;
	return rates_set_origin(snap, FETCHED, "http://up/latest");
}

/* A copy of a snapshot: the parser's output, again. */
static struct rates *
copy_of(const struct rates *r)
{
	return rates_reconfirmed(r, rates_fetched_at(r));
}

static int
fake_on(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day, char *err,
    size_t errlen)
{
	(void)cls;
	(void)only;
	*out = NULL;
	memset(day, 0, sizeof(*day));
	if (history_broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (int i = 2; i >= 0; i--)
		if (strcmp(rates_date(days[i]), date) <= 0) {
			day->stored = strcmp(rates_date(days[i]), date) == 0;
			day->replaced = strcmp(rates_date(days[i]), replaced_day) == 0;
			*out = copy_of(days[i]);
			return *out != NULL ? 0 : -1;
		}
	return 0;
}

static int
fake_each(void *cls, const char *start, const char *end, const struct api_only *only,
    int (*fn)(void *, const struct rates *), void *arg, char *err, size_t errlen)
{
	int rc;

	(void)cls;
	(void)only;
	if (history_broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (strcmp(rates_date(days[i]), start) >= 0 && strcmp(rates_date(days[i]), end) <= 0 &&
		    (rc = fn(arg, days[i])) != 0)
			return rc;
	return 0;
}

static const struct api_history fake_history = { NULL, fake_on, fake_each, NULL };

static int
teardown(void **state)
{
	(void)state;
	rates_free(snap);
	for (int i = 0; i < 3; i++)
		rates_free(days[i]);
	return 0;
}

static void
fake_status(struct fetch_status *st)
{
	memset(st, 0, sizeof(*st));
	st->at = FETCHED + 60;
	st->ok = 0;
	snprintf(st->upstream, sizeof(st->upstream), "http://up/latest");
	snprintf(st->error, sizeof(st->error), "upstream 'http://up/latest': HTTP 503");
}

static void
fake_metrics(struct buf *b, const struct rates *r, int64_t now)
{
	buf_printf(b, "fake_metric{date=\"%s\"} %lld\n", r != NULL ? rates_date(r) : "", (long long)now);
}

/*
 * Runs one request.  query is "k=v&k2=v2" with no decoding (the tests use
 * plain text); a key without '=' has a NULL value, as libmicrohttpd reports.
 */
static void
run(const char *method, const char *path, const char *query, int64_t now, struct api_response *resp)
{
	struct api_arg args[64];
	struct api_request req = { method, path, strlen(path), args, 0, NULL };
	struct api_ctx ctx = { snap, now, 86400, fake_status, fake_metrics, &fake_history, NULL };
	char *copy = strdup(query != NULL ? query : "");

	assert_non_null(copy);
	req.nargs = unit_query(copy, args, 64);
	api_handle(&ctx, &req, resp);
	free(copy);
}

static void
expect(const char *method, const char *path, const char *query, int status, const char *needle)
{
	struct api_response resp;

	run(method, path, query, FETCHED + 10, &resp);
	if (resp.status != status || resp.body.data == NULL || strstr(resp.body.data, needle) == NULL)
		fail_msg("%s %s?%s: got %d '%s', wanted %d with '%s'", method, path, query ? query : "",
		    resp.status, resp.body.data ? resp.body.data : "", status, needle);
	api_response_free(&resp);
}

static void
test_convert_path(void **state)
{
	(void)state;
	expect("GET", "/convert/GBP/100", NULL, 200, "GBP 83.51\n");
	expect("GET", "/convert/gbp/100", NULL, 200, "GBP 83.51\n");
	expect("GET", "/convert/JPY/99.5", NULL, 200, "JPY 16254\n");	/* 16254.32 */
	expect("GET", "/convert/KWD/100", NULL, 200, "KWD 32.411\n");
	expect("GET", "/convert/EUR/0.125", NULL, 200, "EUR 0.13\n");	/* half away from zero */
	expect("HEAD", "/convert/GBP/1", NULL, 200, "GBP 0.84\n");
	expect("GET", "/convert/XYZ/100", NULL, 404, "unknown currency 'XYZ'");
	expect("GET", "/convert/GB/100", NULL, 404, "unknown currency 'GB'");
	expect("GET", "/convert/GBP/1e3", NULL, 400, "amount '1e3'");
	expect("GET", "/convert/GBP/-1", NULL, 400, "negative");
	expect("GET", "/convert/GBP/", NULL, 400, "amount ''");
	expect("GET", "/convert/GBP", NULL, 404, "no such path");
	expect("GET", "/convert/GBP/1/2", NULL, 404, "no such path");
	/* Parameters it does not take are refused, not ignored; other names are ignored. */
	expect("GET", "/convert/GBP/1", "date=2010-01-04", 400, "takes no parameter 'date'");
	expect("GET", "/convert/GBP/1", "from=USD", 400, "takes no parameter 'from'");
	expect("GET", "/convert/GBP/1", "x=1&base", 400, "takes no parameter 'base'");
	expect("GET", "/convert/GBP/1", "symbols=USD", 400, "takes no parameter 'symbols'");
	expect("GET", "/convert/GBP/1", "amount=5", 400, "takes no parameter 'amount'");
	expect("GET", "/convert/GBP/1", "to=USD", 400, "takes no parameter 'to'");
	expect("GET", "/convert/GBP/100", "_=1732118400&utm_source=x&dates=1", 200, "GBP 83.51\n");
	expect("GET", "/convert/GBP/100", "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&", 400, "more than 32 query parameters");
}

static void
test_convert_query(void **state)
{
	(void)state;
	expect("GET", "/convert", "from=USD&to=GBP&amount=100", 200,
	    "{\"from\":\"USD\",\"to\":\"GBP\",\"amount\":100,\"rate\":0.794425,\"result\":79.44,"
	    "\"date\":\"2026-11-20\",\"fetched_at\":\"2026-11-20T16:05:00Z\",\"stale\":false,\"rates_used\":{"
	    "\"USD\":{\"date\":\"2026-11-20\",\"source\":\"http://up/latest\"},"
	    "\"GBP\":{\"date\":\"2026-11-20\",\"source\":\"http://up/latest\"}}}\n");
	expect("GET", "/convert", "to=GBP", 200, "\"from\":\"EUR\",\"to\":\"GBP\",\"amount\":1,\"rate\":0.8351,"
	    "\"result\":0.84");
	expect("GET", "/convert", "to=usd&utm_source=x", 200, "\"to\":\"USD\"");
	expect("GET", "/convert", "from=USD", 400, "parameter 'to' is required");
	expect("GET", "/convert", "to=GBP&to=USD", 400, "given twice");
	expect("GET", "/convert", "to=GBPX", 400, "not a three-letter currency code");
	expect("GET", "/convert", "to=QQQ", 404, "unknown currency 'QQQ'");
	expect("GET", "/convert", "to=GBP&amount=NaN", 400, "amount 'NaN'");
	expect("GET", "/convert", "to=GBP&amount", 400, "amount ''");
	expect("GET", "/convert", "to=GBP&amount=1,5", 400, "amount '1,5'");
	expect("GET", "/convert", "to=GBP&amount=1234567890123456", 400, "more than 15 integer digits");
	expect("GET", "/convert", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15"
	    "&p=16&q=17&r=18&s=19&t=20&u=21&v=22&w=23&x=24&y=25&z=26&aa=1&bb=2&cc=3&dd=4&ee=5&ff=6&gg=7",
	    400, "more than 32 query parameters");
}

static void
test_latest(void **state)
{
	(void)state;
	expect("GET", "/latest", NULL, 200, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\","
	    "\"rates\":{\"GBP\":0.8351,\"JPY\":163.36,\"KWD\":0.32411,\"USD\":1.0512}}");
	expect("GET", "/latest", "to=USD,GBP", 200, "\"rates\":{\"USD\":1.0512,\"GBP\":0.8351}}");
	expect("GET", "/latest", "symbols=JPY&base=USD", 200,
	    "\"base\":\"USD\",\"date\":\"2026-11-20\",\"rates\":{\"JPY\":155.403}}");
	expect("GET", "/latest", "to=USD&amount=10", 200, "{\"amount\":10.0,\"base\":\"EUR\"");
	expect("GET", "/latest", "to=USD&amount=10", 200, "\"USD\":10.512}");
	/* Frankfurter's rule: 'from' and 'to' win over 'base' and 'symbols', in either order. */
	expect("GET", "/latest", "from=USD&base=GBP&to=JPY", 200, "\"base\":\"USD\",\"date\":\"2026-11-20\","
	    "\"rates\":{\"JPY\":155.403}}");
	expect("GET", "/latest", "base=GBP&from=USD&symbols=GBP&to=JPY", 200,
	    "\"base\":\"USD\",\"date\":\"2026-11-20\",\"rates\":{\"JPY\":155.403}}");
	expect("GET", "/latest", "from=USD&from=GBP", 422, "{\"message\":\"parameter 'from' given twice");
	expect("GET", "/latest", "base=USD&base=GBP", 422, "given twice");
	expect("GET", "/latest", "to=USD,,GBP", 422, "not a three-letter currency code");
	expect("GET", "/latest", "to=USD,USD", 422, "lists 'USD' twice");
	expect("GET", "/current", "to=USD,GBP", 200, "\"rates\":{\"USD\":1.0512,\"GBP\":0.8351}}");
	expect("GET", "/v1/current", "to=USD", 200, "\"rates\":{\"USD\":1.0512}}");
	expect("GET", "/latest", "to=USD,QQQ", 404, "unknown currency 'QQQ'");
}

static void
test_other_routes_and_methods(void **state)
{
	(void)state;
	expect("GET", "/currencies", NULL, 200, "\"GBP\":\"");
	expect("GET", "/currencies", NULL, 200, "\"EUR\":\"Euro\"");
	expect("GET", "/healthz", NULL, 200, "\"status\":\"ok\",\"date\":\"2026-11-20\"");
	expect("GET", "/healthz", NULL, 200, "\"error\":\"upstream 'http://up/latest': HTTP 503\"");
	expect("GET", "/nope", NULL, 404, "no such path '/nope'");
	expect("GET", "/latest/", NULL, 404, "no such path");
	expect("POST", "/latest", NULL, 405, "method 'POST' not allowed");
	expect("DELETE", "/convert/GBP/1", NULL, 405, "not allowed");
	expect("BREW", "/", NULL, 405, "not allowed");
}

/* Whole bodies: the routes' error forms, exactly. */
static void
expect_body(const char *path, const char *query, int status, const char *body)
{
	struct api_response resp;

	run("GET", path, query, FETCHED + 10, &resp);
	if (resp.status != status || resp.body.data == NULL || strcmp(resp.body.data, body) != 0)
		fail_msg("%s?%s: got %d '%s', wanted %d '%s'", path, query ? query : "", resp.status,
		    resp.body.data ? resp.body.data : "", status, body);
	api_response_free(&resp);
}

/*
 * Frankfurter's routes answer its {"message":…} with 404 or 422 (where
 * cconvd's own say 400); cconvd's own routes {"error":…}; a request with
 * fixer.io's access_key gets fixer's error object on any of them.
 */
static void
test_error_dialects(void **state)
{
	(void)state;
	expect_body("/latest", "to=QQQ", 404, "{\"message\":\"unknown currency 'QQQ'\"}\n");
	expect_body("/v1/latest", "amount=x", 422,
	    "{\"message\":\"amount 'x': only digits and one '.' are allowed\"}\n");
	expect_body("/current", "to=QQQ", 404, "{\"message\":\"unknown currency 'QQQ'\"}\n");
	expect_body("/2026-02-30", NULL, 422, "{\"message\":\"date '2026-02-30': not a valid YYYY-MM-DD date\"}\n");
	expect_body("/2026-11-18..2026-11-16", NULL, 422,
	    "{\"message\":\"end date 2026-11-16 is before start date 2026-11-18\"}\n");
	expect_body("/currencies", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17"
	    "&r=18&s=19&t=20&u=21&v=22&w=23&x=24&y=25&z=26&aa=1&bb=2&cc=3&dd=4&ee=5&ff=6&gg=7", 422,
	    "{\"message\":\"more than 32 query parameters\"}\n");
	expect_body("/convert", "to=QQQ", 404, "{\"error\":\"unknown currency 'QQQ'\"}\n");
	expect_body("/convert/GBP/x", NULL, 400, "{\"error\":\"amount 'x': only digits and one '.' are allowed\"}\n");
	expect_body("/nope", NULL, 404, "{\"error\":\"no such path '/nope'\"}\n");
	expect_body("/convert", "to=QQQ&access_key=k", 404,
	    "{\"success\":false,\"error\":{\"code\":404,\"type\":\"not_found\","
	    "\"info\":\"unknown currency 'QQQ'\"}}\n");
	expect_body("/latest", "access_key=k&amount=x", 422, "{\"success\":false,\"error\":{\"code\":422,"
	    "\"type\":\"invalid_request\",\"info\":\"amount 'x': only digits and one '.' are allowed\"}}\n");
	expect_body("/symbols", "access_key=k", 404, "{\"success\":false,\"error\":{\"code\":404,"
	    "\"type\":\"not_found\",\"info\":\"no such path '/symbols'\"}}\n");
	/* The key changes nothing else. */
	expect("GET", "/latest", "access_key=k&to=USD", 200, "\"rates\":{\"USD\":1.0512}}");
}

/* OPTIONS is answered 204 on every path; which routes pages of other
 * origins may read. */
static void
test_options_and_cross_origin(void **state)
{
	static const struct {
		const char *path;
		enum api_endpoint ep;
		int cross;
	} cases[] = {
		{ "/latest", API_EP_LATEST, 1 }, { "/current", API_EP_LATEST, 1 }, { "/v1/latest", API_EP_LATEST, 1 },
		{ "/2026-11-18", API_EP_DATE, 1 }, { "/2026-11-18..", API_EP_SERIES, 1 },
		{ "/currencies", API_EP_CURRENCIES, 1 }, { "/convert", API_EP_CONVERT, 1 },
		{ "/convert/GBP/1", API_EP_CONVERT_PATH, 1 }, { "/v2/rates", API_EP_V2, 1 }, { "/v1", API_EP_V1, 1 },
		{ "/nope", API_EP_OTHER, 1 }, { "/healthz", API_EP_HEALTHZ, 0 }, { "/metrics", API_EP_METRICS, 0 },
		{ "/", API_EP_PAGE, 0 },
	};
	struct api_response resp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run("OPTIONS", cases[i].path, NULL, FETCHED + 10, &resp);
		if (resp.status != 204 || resp.body.len != 0 || resp.endpoint != cases[i].ep ||
		    resp.cache != API_CACHE_NO_STORE || api_cross_origin(resp.endpoint) != cases[i].cross)
			fail_msg("OPTIONS %s: %d, %zu bytes, endpoint %d, cross-origin %d", cases[i].path, resp.status,
			    resp.body.len, resp.endpoint, api_cross_origin(resp.endpoint));
		api_response_free(&resp);
	}
}

static void
test_headers_and_staleness(void **state)
{
	struct api_response resp;

	(void)state;
	run("GET", "/convert/GBP/1", NULL, FETCHED + 100, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.last_modified, FETCHED);
	assert_int_equal(resp.age, 100);
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);

	run("GET", "/convert", "to=GBP", FETCHED + 86401, &resp);
	assert_int_equal(resp.stale, 1);
	assert_non_null(strstr(resp.body.data, "\"stale\":true"));
	api_response_free(&resp);

	run("GET", "/nope", NULL, FETCHED, &resp);
	assert_int_equal(resp.last_modified, -1);
	api_response_free(&resp);
}

/* Rates stale by their date though just fetched (an import of an old day, an
 * upstream stuck on one): stale in the answer and in /healthz, with their age
 * in days; Friday's rates just fetched on Tuesday before Tuesday's are out
 * are not. */
static void
test_stale_by_date(void **state)
{
	struct rates *keep = snap;
	struct api_response resp;
	const int64_t later = FETCHED + 30 * 86400;	/* 2026-12-20T16:05:00Z */
	const int64_t tuesday = FETCHED + 4 * 86400 - 7500;	/* 2026-11-24T14:00:00Z */

	(void)state;
	assert_non_null(snap = rates_reconfirmed(keep, later));
	run("GET", "/convert", "to=GBP", later + 10, &resp);
	assert_int_equal(resp.age, 10);
	assert_int_equal(resp.stale, 1);
	assert_non_null(strstr(resp.body.data, "\"stale\":true"));
	api_response_free(&resp);
	run("GET", "/healthz", NULL, later + 10, &resp);
	assert_non_null(strstr(resp.body.data, "\"status\":\"stale\""));
	assert_non_null(strstr(resp.body.data, "\"age\":10,\"rates_age_days\":30,\"stale\":true"));
	api_response_free(&resp);
	rates_free(snap);

	assert_non_null(snap = rates_reconfirmed(keep, tuesday - 60));
	run("GET", "/convert", "to=GBP", tuesday, &resp);
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);
	run("GET", "/healthz", NULL, tuesday, &resp);
	assert_non_null(strstr(resp.body.data, "\"rates_age_days\":4,\"stale\":false"));
	api_response_free(&resp);
	rates_free(snap);
	snap = keep;
}

/* Which route answered (for metrics) and how caches may keep the answer. */
static void
test_endpoints_and_cacheability(void **state)
{
	static const struct {
		const char *method, *path, *query;
		enum api_endpoint ep;
		enum api_cache cache;
	} cases[] = {
		{ "GET", "/convert/GBP/1", NULL, API_EP_CONVERT_PATH, API_CACHE_RATES },
		{ "GET", "/convert/XYZ/1", NULL, API_EP_CONVERT_PATH, API_CACHE_NO_STORE },
		{ "GET", "/convert", "to=GBP", API_EP_CONVERT, API_CACHE_RATES },
		{ "HEAD", "/latest", NULL, API_EP_LATEST, API_CACHE_RATES },
		{ "GET", "/currencies", NULL, API_EP_CURRENCIES, API_CACHE_RATES },
		{ "GET", "/healthz", NULL, API_EP_HEALTHZ, API_CACHE_NO_STORE },
		{ "GET", "/metrics", NULL, API_EP_METRICS, API_CACHE_NO_STORE },
		{ "GET", "/", NULL, API_EP_PAGE, API_CACHE_NO_STORE },
		{ "GET", "/nope", NULL, API_EP_OTHER, API_CACHE_NO_STORE },
		{ "POST", "/latest", NULL, API_EP_OTHER, API_CACHE_NO_STORE },
		/* That day's own rates, but two days old: a late source may still add to it. */
		{ "GET", "/2026-11-18", NULL, API_EP_DATE, API_CACHE_RATES },
		{ "GET", "/v1/2026-11-18", "to=USD", API_EP_DATE, API_CACHE_RATES },
		{ "GET", "/2026-11-17", NULL, API_EP_DATE, API_CACHE_RATES },	/* 11-16's: 11-17 may come */
		{ "GET", "/v1/2026-11-19", "to=USD", API_EP_DATE, API_CACHE_RATES },
		{ "GET", "/2026-11-20", NULL, API_EP_DATE, API_CACHE_RATES },	/* the latest day: changes */
		{ "GET", "/2030-01-01", NULL, API_EP_DATE, API_CACHE_RATES },
		{ "GET", "/2026-11-01", NULL, API_EP_DATE, API_CACHE_NO_STORE },	/* 404 */
		{ "GET", "/2026-11-16..2026-11-18", NULL, API_EP_SERIES, API_CACHE_RATES },	/* may gain days */
		{ "GET", "/2026-11-16..", NULL, API_EP_SERIES, API_CACHE_RATES },
		{ "GET", "/2026-11-16..2026-11-15", NULL, API_EP_SERIES, API_CACHE_NO_STORE },
		{ "GET", "/convert", "to=GBP&date=2026-11-18", API_EP_CONVERT, API_CACHE_RATES },
		{ "GET", "/convert", "to=GBP&date=2026-11-17", API_EP_CONVERT, API_CACHE_RATES },
	};
	struct api_response resp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(cases[i].method, cases[i].path, cases[i].query, FETCHED + 5, &resp);
		if (resp.endpoint != cases[i].ep || resp.cache != cases[i].cache)
			fail_msg("%s %s: endpoint %d cache %d, wanted %d %d", cases[i].method, cases[i].path,
			    resp.endpoint, resp.cache, cases[i].ep, cases[i].cache);
		api_response_free(&resp);
	}
	assert_string_equal(api_endpoint_name(API_EP_CONVERT_PATH), "convert_path");
	assert_string_equal(api_endpoint_name(API_EP_COUNT), "other");
	expect("GET", "/metrics", NULL, 200, "fake_metric{date=\"2026-11-20\"}");
	run("GET", "/metrics", NULL, FETCHED, &resp);
	assert_string_equal(resp.content_type, "text/plain; version=0.0.4; charset=utf-8");
	api_response_free(&resp);
}

/*
 * A past day's answer is kept for good only when it is the day's own rates,
 * the day is older than the carry-forward window (15 days or more before
 * today), and none of the days it reads was changed after it was first
 * stored; a day one day younger, or one replaced, follows the refresh.
 */
static void
test_dated_cacheability(void **state)
{
	static const struct {
		int64_t days_later;	/* today, in days after 2026-11-20 */
		const char *path, *query, *replaced;
		enum api_cache cache;
	} cases[] = {
		{ 12, "/2026-11-18", NULL, "", API_CACHE_RATES },	/* 14 days old on 12-02 */
		{ 13, "/2026-11-18", NULL, "", API_CACHE_IMMUTABLE },	/* 15 on 12-03 */
		{ 14, "/convert", "to=GBP&date=2026-11-18", "", API_CACHE_IMMUTABLE },
		{ 14, "/2026-11-18", NULL, "2026-11-18", API_CACHE_RATES },
		{ 14, "/convert", "to=GBP&date=2026-11-18", "2026-11-18", API_CACHE_RATES },
		{ 14, "/2026-11-16", NULL, "2026-11-18", API_CACHE_IMMUTABLE },
		{ 30, "/2026-11-17", NULL, "", API_CACHE_RATES },	/* 11-16's rates: 11-17 may be loaded */
		{ 30, "/2026-11-20", NULL, "", API_CACHE_IMMUTABLE },
	};
	struct api_response resp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		replaced_day = cases[i].replaced;
		run("GET", cases[i].path, cases[i].query, FETCHED + cases[i].days_later * 86400, &resp);
		replaced_day = "";
		if (resp.status != 200 || resp.cache != cases[i].cache)
			fail_msg("case %zu, %s: status %d cache %d, wanted 200 %d", i, cases[i].path, resp.status,
			    resp.cache, cases[i].cache);
		api_response_free(&resp);
	}
}

/* An answer that runs out of memory is a 503 that says so, whichever route
 * built it, and never a 400 blaming the request's size. */
static void
test_out_of_memory_is_503(void **state)
{
	/* The page, a series and /healthz: each a branch of its own in api.c. */
	static const char *const cases[][2] = {
		{ "/", NULL }, { "/2026-11-16..", "amount=123456789.25" }, { "/healthz", NULL },
	};
	struct api_response resp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run("GET", cases[i][0], cases[i][1], FETCHED + 10, &resp);
		assert_int_equal(resp.status, 200);
		assert_true(resp.body.len > SMALL);	/* the answer does need more */
		api_response_free(&resp);

		fail_big = 1;
		run("GET", cases[i][0], cases[i][1], FETCHED + 10, &resp);
		fail_big = 0;
		/* The series is a Frankfurter route: its errors are {"message":…}. */
		if (resp.status != 503 || resp.cache != API_CACHE_NO_STORE || resp.body.data == NULL ||
		    strcmp(resp.body.data, i == 1 ? "{\"message\":\"out of memory; try again\"}\n" :
		    "{\"error\":\"out of memory; try again\"}\n") != 0)
			fail_msg("%s: got %d '%s'", cases[i][0], resp.status, resp.body.data ? resp.body.data : "");
		api_response_free(&resp);
	}
}

static void
test_no_rates_is_503(void **state)
{
	struct api_arg none[1];
	struct api_request req = { "GET", "/convert/GBP/1", 14, none, 0, NULL };
	struct api_ctx ctx = { NULL, FETCHED, 86400, NULL, NULL, NULL, NULL };
	struct api_response resp;

	(void)state;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 503);
	assert_non_null(strstr(resp.body.data, "\"error\":\"no rates yet"));
	api_response_free(&resp);
	req.path = "/healthz";
	req.path_len = 8;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 503);
	assert_non_null(strstr(resp.body.data, "\"status\":\"no rates\""));
	api_response_free(&resp);
	req.path = "/latest";
	req.path_len = 7;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 503);
	assert_string_equal(resp.body.data, "{\"message\":\"no rates yet: the first fetch has not succeeded\"}\n");
	api_response_free(&resp);
	/* Frankfurter with no rates lists no currencies: 200 {}, not to be kept. */
	req.path = "/v1/currencies";
	req.path_len = 14;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.cache, API_CACHE_NO_STORE);
	assert_string_equal(resp.body.data, "{}\n");
	api_response_free(&resp);
}

/* "/" is the built-in page, whole, as HTML with a CSP, with or without rates. */
static void
test_page(void **state)
{
	struct api_arg none[1];
	struct api_request req = { "GET", "/", 1, none, 0, NULL };
	struct api_ctx ctx = { NULL, FETCHED, 86400, NULL, NULL, NULL, NULL };
	struct api_response resp;

	(void)state;
	for (int with_rates = 0; with_rates < 2; with_rates++) {
		ctx.rates = with_rates ? snap : NULL;
		api_handle(&ctx, &req, &resp);
		assert_int_equal(resp.status, 200);
		assert_string_equal(resp.content_type, "text/html; charset=utf-8");
		assert_int_equal(resp.body.len, web_index_html_len);
		assert_memory_equal(resp.body.data, web_index_html, web_index_html_len);
		assert_non_null(strstr(resp.body.data, "<!doctype html>"));
		assert_non_null(resp.csp);
		assert_non_null(strstr(resp.csp, "default-src 'none'"));
		assert_non_null(strstr(resp.csp, "connect-src 'self'"));
		/* Only the page's own script and style, by their hashes. */
		assert_non_null(strstr(resp.csp, "script-src 'sha256-"));
		assert_non_null(strstr(resp.csp, "style-src 'sha256-"));
		assert_null(strstr(resp.csp, "unsafe-inline"));
		assert_int_equal(resp.last_modified, -1);
		api_response_free(&resp);
	}
	/* Only "/" is the page; JSON answers carry no CSP. */
	expect("GET", "/index.html", NULL, 404, "no such path");
	req.path = "/currencies";
	req.path_len = strlen(req.path);
	ctx.rates = snap;
	api_handle(&ctx, &req, &resp);
	assert_null(resp.csp);
	api_response_free(&resp);
}

static void
test_hostile_input_is_quoted_safely(void **state)
{
	struct api_arg arg = { "amount", 6, "1\0\"\n\x80\xff", 6 };
	struct api_arg to = { "to", 2, "GBP", 3 };
	struct api_arg both[2] = { to, arg };
	struct api_request req = { "GET", "/convert", 8, both, 2, NULL };
	struct api_ctx ctx = { snap, FETCHED, 86400, NULL, NULL, NULL, NULL };
	struct api_response resp;

	(void)state;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 400);
	/* NUL, newline and high bytes are shown as '?', the quote is escaped: valid JSON, one line. */
	assert_string_equal(resp.body.data,
	    "{\"error\":\"amount '1?\\\"?\?\?': only digits and one '.' are allowed\"}\n");
	api_response_free(&resp);
}

static void
test_date(void **state)
{
	(void)state;
	expect("GET", "/2026-11-18", NULL, 200, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-18\","
	    "\"rates\":{\"GBP\":0.81,\"JPY\":160,\"USD\":1.2}}\n");
	/* No rates on the 19th: the nearest earlier date, named in the answer. */
	expect("GET", "/2026-11-19", NULL, 200, "\"date\":\"2026-11-18\"");
	expect("GET", "/2026-11-17", NULL, 200, "\"date\":\"2026-11-16\"");
	expect("GET", "/2030-01-01", NULL, 200, "\"date\":\"2026-11-20\"");
	expect("GET", "/v1/2026-11-19", NULL, 200, "\"date\":\"2026-11-18\"");
	expect("GET", "/2026-11-18", "from=USD&to=GBP&amount=10", 200,
	    "{\"amount\":10.0,\"base\":\"USD\",\"date\":\"2026-11-18\",\"rates\":{\"GBP\":6.75}}");
	expect("GET", "/2026-11-18", "base=USD&symbols=JPY,GBP", 200, "\"rates\":{\"JPY\":133.333,\"GBP\":0.675}}");
	expect("GET", "/2026-11-16", "to=JPY", 404, "unknown currency 'JPY'");
	expect("GET", "/2026-11-15", NULL, 404,
	    "no rates on or before 2026-11-15: the stored history starts on 2026-11-16");
	expect("GET", "/1999-01-01", "to=USD", 404, "no rates on or before 1999-01-01");
	expect("GET", "/2026-13-01", NULL, 422, "date '2026-13-01': not a valid YYYY-MM-DD date");
	expect("GET", "/2026-02-29", NULL, 422, "date '2026-02-29'");
	expect("GET", "/2026-11-1", NULL, 422, "date '2026-11-1'");
	expect("GET", "/20261118", NULL, 422, "date '20261118'");
	expect("GET", "/2026-11-18/", NULL, 422, "not a valid");
	expect("GET", "/2026-11-18", "to=US", 422, "three-letter");
	expect("GET", "/v1/latest", "to=USD", 200, "\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.0512}}");
	expect("GET", "/v1", NULL, 200, "{\"version\":\"v1\",\"status\":\"frozen\",");
	expect("GET", "/v1/", NULL, 200, "{\"version\":\"v1\",\"status\":\"frozen\",");
	expect("GET", "/v1/v1/latest", NULL, 404, "no such path '/v1/v1/latest'");
	expect("GET", "/v1/nope", NULL, 404, "no such path '/v1/nope'");
}

static void
test_series(void **state)
{
	(void)state;
	expect("GET", "/2026-11-15..2026-11-19", NULL, 200,
	    "{\"amount\":1.0,\"base\":\"EUR\",\"start_date\":\"2026-11-16\",\"end_date\":\"2026-11-18\",\"rates\":{"
	    "\"2026-11-16\":{\"GBP\":0.8,\"USD\":1.25},\"2026-11-18\":{\"GBP\":0.81,\"JPY\":160,\"USD\":1.2}}}\n");
	/* A day without rates: from the nearest earlier day that has, as Frankfurter. */
	expect("GET", "/2026-11-17..", NULL, 200,
	    "{\"amount\":1.0,\"base\":\"EUR\",\"start_date\":\"2026-11-16\",\"end_date\":\"2026-11-20\",\"rates\":{"
	    "\"2026-11-16\":{");
	expect("GET", "/2026-11-19..2026-11-19", "to=USD", 200,
	    "\"start_date\":\"2026-11-18\",\"end_date\":\"2026-11-18\",\"rates\":{\"2026-11-18\":{\"USD\":1.2}}}");
	expect("GET", "/2026-11-18..2026-11-19", "to=USD", 200, "\"start_date\":\"2026-11-18\",");
	expect("GET", "/v1/2026-11-16..2026-11-16", "from=USD&to=GBP", 200,
	    "{\"amount\":1.0,\"base\":\"USD\",\"start_date\":\"2026-11-16\",\"end_date\":\"2026-11-16\",\"rates\":{"
	    "\"2026-11-16\":{\"GBP\":0.64}}}\n");
	/* A currency a day lacks is left out of that day only. */
	expect("GET", "/2026-11-01..2026-11-30", "to=JPY,GBP&amount=2", 200,
	    "\"rates\":{\"2026-11-16\":{\"GBP\":1.6},\"2026-11-18\":{\"JPY\":320,\"GBP\":1.62},"
	    "\"2026-11-20\":{\"JPY\":326.72,\"GBP\":1.6702}}}\n");
	expect("GET", "/2026-11-01..2026-11-17", "from=JPY", 404, "unknown currency 'JPY'");
	expect("GET", "/2026-11-01..", "to=QQQ", 404,
	    "unknown currency 'QQQ' (no rates for it on or after 2026-11-01)");
	expect("GET", "/2020-01-01..2020-12-31", NULL, 404, "no rates between 2020-01-01 and 2020-12-31");
	expect("GET", "/2027-01-01..", NULL, 404, "no rates on or after 2027-01-01");
	expect("GET", "/2026-11-20..2026-11-18", NULL, 422, "end date 2026-11-18 is before start date 2026-11-20");
	expect("GET", "/2026-11-20..2026-11", NULL, 422, "end date '2026-11'");
	expect("GET", "/2026-11..2026-11-20", NULL, 422, "start date '2026-11'");
	expect("GET", "/2026-11-18...", NULL, 422, "end date '.'");
	expect("GET", "/2026-11-18..", "from=USD,GBP", 422, "'from' takes one currency");
	expect("GET", "/2026-11-18..", "to=USD,USD", 422, "lists 'USD' twice");
}

/* A view of one source, for the merges below. */
static struct rates *
view(const char *body, const char *upstream)
{
	struct rates *r = NULL;
	char err[256];

	assert_int_equal(fxjson_parse(body, strlen(body), &r, err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(r, FETCHED, upstream), 0);
	return r;
}

/*
 * Rates merged from two sources whose dates differ (merge.h): the ECB's of
 * 2026-11-20 and another's AED of 2026-11-18, stale by then on the ECB's
 * calendar while the ECB's are fresh.  /latest says AED's date where it
 * differs, and only there; a conversion is of its older rate's date, names
 * both rates' dates and sources, and is stale only when one of them is.
 */
static void
test_rates_of_several_dates(void **state)
{
	struct rates *v[2], *merged = NULL, *saved = snap, *saved_day = days[1];
	struct api_response resp;
	char err[256];

	(void)state;
	v[0] = view("{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"GBP\":0.8351,\"USD\":1.0512}}",
	    "https://ecb/daily.xml");
	v[1] = view("{\"base\":\"EUR\",\"date\":\"2026-11-18\",\"rates\":{\"AED\":3.9,\"GBP\":0.9}}",
	    "http://fx/latest");
	assert_int_equal(merge_rates(v, 2, NULL, MERGE_KEEP_OLD, &merged, err, sizeof(err)), 0);
	snap = merged;
	/* A stored day whose USD is the day before's. */
	days[1] = view("{\"base\":\"EUR\",\"date\":\"2026-11-18\",\"rates\":{\"GBP\":0.81,\"USD\":1.2},"
	    "\"dates\":{\"USD\":\"2026-11-17\"}}", "http://up/latest");

	expect("GET", "/latest", NULL, 200, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\","
	    "\"rates\":{\"AED\":3.9,\"GBP\":0.8351,\"USD\":1.0512},\"dates\":{\"AED\":\"2026-11-18\"}}\n");
	expect("GET", "/latest", "to=USD,GBP", 200, "\"rates\":{\"USD\":1.0512,\"GBP\":0.8351}}\n");
	expect("GET", "/latest", "from=AED&to=USD", 200, "\"rates\":{\"USD\":0.269538},"
	    "\"dates\":{\"USD\":\"2026-11-18\"}}\n");
	expect("GET", "/convert", "from=AED&to=GBP&amount=100", 200, "\"date\":\"2026-11-18\","
	    "\"fetched_at\":\"2026-11-20T16:05:00Z\",\"stale\":true,\"rates_used\":{"
	    "\"AED\":{\"date\":\"2026-11-18\",\"source\":\"http://fx/latest\"},"
	    "\"GBP\":{\"date\":\"2026-11-20\",\"source\":\"https://ecb/daily.xml\"}}}\n");
	expect("GET", "/convert", "to=GBP", 200, "\"date\":\"2026-11-20\",\"fetched_at\":\"2026-11-20T16:05:00Z\","
	    "\"stale\":false,\"rates_used\":{\"EUR\":{\"date\":\"2026-11-20\",\"source\":\"https://ecb/daily.xml\"},"
	    "\"GBP\":{\"date\":\"2026-11-20\",\"source\":\"https://ecb/daily.xml\"}}}\n");

	run("GET", "/convert/GBP/100", NULL, FETCHED + 10, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);
	run("GET", "/convert/AED/100", NULL, FETCHED + 10, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.stale, 1);
	api_response_free(&resp);
	run("GET", "/convert", "from=AED&to=USD", FETCHED + 10, &resp);
	assert_int_equal(resp.stale, 1);
	api_response_free(&resp);
	/* The latest rates as a whole are stale only when every source's are. */
	run("GET", "/latest", NULL, FETCHED + 10, &resp);
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);

	expect("GET", "/2026-11-18", NULL, 200, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-18\","
	    "\"rates\":{\"GBP\":0.81,\"USD\":1.2},\"dates\":{\"USD\":\"2026-11-17\"}}\n");
	expect("GET", "/2026-11-15..2026-11-20", "to=USD", 200, "\"rates\":{\"2026-11-16\":{\"USD\":1.25},"
	    "\"2026-11-18\":{\"USD\":1.2},\"2026-11-20\":{\"USD\":1.0512}},"
	    "\"dates\":{\"2026-11-18\":{\"USD\":\"2026-11-17\"}}}\n");
	expect("GET", "/2026-11-15..2026-11-20", "to=GBP", 200, "\"2026-11-20\":{\"GBP\":0.8351}}}\n");

	snap = saved;
	rates_free(days[1]);
	days[1] = saved_day;
	rates_free(merged);
	rates_free(v[0]);
	rates_free(v[1]);
}

static void
test_convert_on_a_date(void **state)
{
	(void)state;
	expect("GET", "/convert", "from=USD&to=GBP&amount=100&date=2026-11-19", 200,
	    "{\"from\":\"USD\",\"to\":\"GBP\",\"amount\":100,\"rate\":0.675,\"result\":67.50,"
	    "\"date\":\"2026-11-18\",\"fetched_at\":\"2026-11-18T16:05:00Z\",\"stale\":false,\"rates_used\":{"
	    "\"USD\":{\"date\":\"2026-11-18\",\"source\":\"http://up/latest\"},"
	    "\"GBP\":{\"date\":\"2026-11-18\",\"source\":\"http://up/latest\"}}}\n");
	expect("GET", "/convert", "to=JPY&date=2026-11-17", 404, "unknown currency 'JPY'");
	expect("GET", "/convert", "to=GBP&date=2026-11-01", 404, "no rates on or before 2026-11-01");
	expect("GET", "/convert", "to=GBP&date=yesterday", 400, "date 'yesterday'");
	expect("GET", "/convert", "to=GBP&date=2026-11-18&date=2026-11-19", 400, "given twice");
}

static void
test_dated_headers_and_failures(void **state)
{
	struct api_response resp;

	(void)state;
	/* Two years later the past is not stale; Last-Modified is when it was fetched. */
	run("GET", "/2026-11-17", NULL, FETCHED + 2 * 31536000, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.last_modified, FETCHED - 4 * 86400);
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);
	run("GET", "/2026-11-01..", NULL, FETCHED + 10, &resp);
	assert_int_equal(resp.last_modified, FETCHED);	/* the newest day's */
	assert_int_equal(resp.stale, 0);
	api_response_free(&resp);
	run("GET", "/convert", "to=GBP&date=2026-11-17", FETCHED + 2 * 31536000, &resp);
	assert_non_null(strstr(resp.body.data, "\"stale\":false"));
	api_response_free(&resp);

	history_broken = 1;
	expect("GET", "/2026-11-18", NULL, 503, "history unavailable: store '/x.db': disk I/O error");
	expect("GET", "/2026-11-18..", NULL, 503, "history unavailable");
	expect("GET", "/convert", "to=GBP&date=2026-11-18", 503, "history unavailable");
	expect("GET", "/convert", "to=GBP", 200, "\"date\":\"2026-11-20\"");	/* the latest needs no history */
	history_broken = 0;
}

static void
test_no_history_is_503(void **state)
{
	struct api_arg none[1];
	struct api_request req = { "GET", "/2026-11-18", 11, none, 0, NULL };
	struct api_ctx ctx = { snap, FETCHED, 86400, NULL, NULL, NULL, NULL };
	struct api_response resp;

	(void)state;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 503);
	assert_non_null(strstr(resp.body.data, "no history"));
	api_response_free(&resp);
}

static int
heavy(const char *method, const char *path)
{
	struct api_arg none[1];
	struct api_request req = { method, path, strlen(path), none, 0, NULL };

	return api_is_heavy(&req, FETCHED);	/* "today" is 2026-11-20 */
}

/* Only a valid series longer than API_HEAVY_DAYS is heavy; anything cheap or malformed is not. */
static void
test_heavy_requests(void **state)
{
	static const struct api_arg from = { "from", 4, "1999-01-04", 10 };
	const struct api_request series = { "GET", "/1999-01-04..", 13, NULL, 0, NULL };
	const struct api_request v2range = { "GET", "/v2/rates", 9, &from, 1, NULL };
	struct api_response resp;

	(void)state;
	assert_true(heavy("GET", "/1999-01-04.."));
	assert_true(heavy("HEAD", "/v1/2025-01-01..2025-12-31"));
	assert_true(heavy("GET", "/2026-10-19.."));		/* 32 days to today */
	assert_true(heavy("GET", "/2026-01-01..2026-02-02"));
	assert_false(heavy("GET", "/2026-10-20.."));		/* 31 days to today */
	assert_false(heavy("GET", "/2026-01-01..2026-02-01"));
	assert_false(heavy("GET", "/2030-01-01.."));		/* starts after today */
	assert_false(heavy("GET", "/2026-11-20"));
	assert_false(heavy("GET", "/convert/GBP/100"));
	assert_false(heavy("GET", "/latest"));
	assert_false(heavy("POST", "/1999-01-04.."));
	assert_false(heavy("GET", "/2026-12-31..2026-01-01"));	/* 400 */
	assert_false(heavy("GET", "/1999-01-04..2026-02-30"));	/* 400 */
	assert_false(heavy("GET", "/1999-01..2026-02-01"));	/* 400 */
	assert_false(heavy("GET", "/"));
	assert_false(heavy("GET", "/v1/"));

	api_answer_busy(&resp, &series, "too many; retry shortly", 2);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.retry_after, 2);
	assert_int_equal(resp.endpoint, API_EP_SERIES);
	assert_int_equal(resp.cache, API_CACHE_NO_STORE);
	assert_string_equal(resp.body.data, "{\"message\":\"too many; retry shortly\"}\n");
	api_response_free(&resp);
	/* A v2 range is refused in v2's own error body. */
	api_answer_busy(&resp, &v2range, "too many; retry shortly", 2);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.retry_after, 2);
	assert_int_equal(resp.endpoint, API_EP_V2);
	assert_int_equal(resp.cache, API_CACHE_NO_STORE);
	assert_string_equal(resp.body.data, "{\"status\":503,\"message\":\"too many; retry shortly\"}\n");
	api_response_free(&resp);
}

/* Keys are (pointer, length), not C strings: only key_len bytes are the key. */
static void
test_keys_are_not_nul_terminated(void **state)
{
	static const char keys[] = "tofromXYZ";
	struct api_arg to = { keys, 2, "X", 1 };
	struct api_arg from = { keys + 2, 4, "GBP", 3 };
	struct api_arg both[2] = { from, to };
	struct api_request req = { "GET", "/latest", 7, both, 2, NULL };
	struct api_ctx ctx = { snap, FETCHED, 86400, NULL, NULL, NULL, NULL };
	struct api_response resp;

	(void)state;
	api_handle(&ctx, &req, &resp);
	assert_int_equal(resp.status, 422);
	assert_string_equal(resp.body.data,
	    "{\"message\":\"to 'X': not a three-letter currency code\"}\n");
	api_response_free(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert_path),
		cmocka_unit_test(test_convert_query),
		cmocka_unit_test(test_latest),
		cmocka_unit_test(test_other_routes_and_methods),
		cmocka_unit_test(test_error_dialects),
		cmocka_unit_test(test_options_and_cross_origin),
		cmocka_unit_test(test_headers_and_staleness),
		cmocka_unit_test(test_stale_by_date),
		cmocka_unit_test(test_no_rates_is_503),
		cmocka_unit_test(test_out_of_memory_is_503),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_endpoints_and_cacheability),
		cmocka_unit_test(test_dated_cacheability),
		cmocka_unit_test(test_hostile_input_is_quoted_safely),
		cmocka_unit_test(test_keys_are_not_nul_terminated),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_convert_on_a_date),
		cmocka_unit_test(test_rates_of_several_dates),
		cmocka_unit_test(test_dated_headers_and_failures),
		cmocka_unit_test(test_no_history_is_503),
		cmocka_unit_test(test_heavy_requests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
