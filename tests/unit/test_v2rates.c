/*
 * Frankfurter v2's rate routes without a server: the pure parts (Accept,
 * periods, which ranges are heavy) and the rows a range gives, through
 * api_handle() with a fake history whose views carry rates forward.
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
#include "v2rates.h"
#include "unitlib.h"

#define NOW_ISO "2026-11-25T12:00:00Z"

/*
 * Three days' views, as a store gives them: each entry keeps its own date.
 * On the 17th USD is the 16th's carried forward; on the 18th a source
 * ranked higher gives JPY of the 15th, which no earlier view had, so the
 * range's rows are only in order once sorted.
 */
static const char *const days[][4] = {
	{ "2026-11-16", "GBP=0.85@2026-11-16", "USD=1.05@2026-11-16", NULL },
	{ "2026-11-17", "GBP=0.86@2026-11-17", "USD=1.05@2026-11-16", NULL },
	{ "2026-11-18", "GBP=0.8413@2026-11-18", "USD=1.07@2026-11-18", "JPY=163.5@2026-11-15" },
};
#define NDAYS (sizeof(days) / sizeof(days[0]))

static struct rates *
make_view(size_t i)
{
	struct rates *r;
	char err[128];

	r = rates_new("EUR", days[i][0], err, sizeof(err));
	assert_non_null(r);
	for (size_t k = 1; k < 4 && days[i][k] != NULL; k++) {
		const char *s = days[i][k], *at = strchr(s, '@');
		char code[4];
		struct dec v;

		memcpy(code, s, 3);
		code[3] = '\0';
		assert_int_equal(dec_parse(s + 4, (size_t)(at - s - 4), &v), 0);
		assert_int_equal(rates_add_obs(r, code, &v, at + 1, 0, err, sizeof(err)), RATES_ADDED);
	}
	assert_int_equal(rates_set_origin(r, unit_at("2026-11-18T16:00:00Z"), "http://up/latest"), 0);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	return r;
}

static int
fake_on(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day,
    char *err, size_t errlen)
{
	(void)cls;
	(void)only;
	(void)err;
	(void)errlen;
	*out = NULL;
	memset(day, 0, sizeof(*day));
	for (size_t i = NDAYS; i-- > 0;)
		if (strcmp(days[i][0], date) <= 0) {
			*out = make_view(i);
			day->stored = strcmp(days[i][0], date) == 0;
			break;
		}
	return 0;
}

static int
fake_each(void *cls, const char *start, const char *end, const struct api_only *only,
    int (*fn)(void *, const struct rates *), void *arg, char *err, size_t errlen)
{
	int rc = 0;

	(void)cls;
	(void)only;
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < NDAYS && rc == 0; i++)
		if (strcmp(days[i][0], start) >= 0 && strcmp(days[i][0], end) <= 0) {
			struct rates *r = make_view(i);
			rc = fn(arg, r);
			rates_free(r);
		}
	return rc;
}

static const struct api_history history = { NULL, fake_on, fake_each, NULL };

/* GET path with query ("k=v&k2=v2", no decoding) and Accept (may be NULL). */
static void
get(const char *path, const char *query, const char *accept, struct api_response *resp)
{
	struct api_arg args[8];
	struct api_request req = { "GET", path, strlen(path), args, 0, accept };
	struct api_ctx ctx;
	char *copy = strdup(query);

	assert_non_null(copy);
	memset(&ctx, 0, sizeof(ctx));
	ctx.now = unit_at(NOW_ISO);
	ctx.max_age = 86400;
	ctx.history = &history;
	req.nargs = unit_query(copy, args, 8);
	api_handle(&ctx, &req, resp);
	free(copy);
}

static void
expect(const char *path, const char *query, const char *accept, int status, const char *want)
{
	struct api_response resp;

	get(path, query, accept, &resp);
	if (resp.status != status || strcmp(resp.body.data, want) != 0)
		fail_msg("%s?%s: got %d '%s', wanted %d '%s'", path, query, resp.status, resp.body.data, status, want);
	api_response_free(&resp);
}

#define ROW(d, q, r) "{\"date\":\"" d "\",\"base\":\"EUR\",\"quote\":\"" q "\",\"rate\":" r "}"

static void
test_range_rows(void **state)
{
	(void)state;
	/* Every distinct observation once, by date then quote; the base per view at the newest date. */
	expect("/v2/rates", "from=2026-11-16&to=2026-11-18", NULL, 200,
	    "[" ROW("2026-11-15", "JPY", "163.5") "," ROW("2026-11-16", "EUR", "1.0") ","
	    ROW("2026-11-16", "GBP", "0.85") "," ROW("2026-11-16", "USD", "1.05") ","
	    ROW("2026-11-17", "EUR", "1.0") "," ROW("2026-11-17", "GBP", "0.86") ","
	    ROW("2026-11-18", "EUR", "1.0") "," ROW("2026-11-18", "GBP", "0.8413") ","
	    ROW("2026-11-18", "USD", "1.07") "]\n");
	/* One day: its view's rates, of whatever date they are. */
	expect("/v2/rates", "from=2026-11-17&to=2026-11-17&quotes=USD", NULL, 200,
	    "[" ROW("2026-11-16", "USD", "1.05") "]\n");
	/* The week's exact mean, to 6 significant digits: (0.85 + 0.86 + 0.8413) / 3 = 0.8504333… */
	expect("/v2/rates", "from=2026-11-16&to=2026-11-18&group=week&quotes=GBP,USD,EUR", NULL, 200,
	    "[" ROW("2026-11-16", "EUR", "1.0") "," ROW("2026-11-16", "GBP", "0.850433") ","
	    ROW("2026-11-16", "USD", "1.06") "]\n");
	expect("/v2/rates.csv", "from=2026-11-16&to=2026-11-18&group=month&quotes=USD", NULL, 200,
	    "date,base,quote,rate\n2026-11-01,EUR,USD,1.06\n");
	expect("/v2/rates", "from=2026-11-18&to=2026-11-16", NULL, 200, "[]\n");
}

static void
test_one_day(void **state)
{
	struct api_response resp;

	(void)state;
	/* One view: sorted by quote, each row at its own date. */
	expect("/v2/rates", "date=2026-11-19", "application/x-ndjson", 200,
	    ROW("2026-11-18", "EUR", "1.0") "\n" ROW("2026-11-18", "GBP", "0.8413") "\n"
	    ROW("2026-11-15", "JPY", "163.5") "\n" ROW("2026-11-18", "USD", "1.07") "\n");
	/* A code listed twice is one row; listed, the base is its own. */
	expect("/v2/rates", "date=2026-11-19&quotes=usd,EUR,USD", NULL, 200,
	    "[" ROW("2026-11-18", "EUR", "1.0") "," ROW("2026-11-18", "USD", "1.07") "]\n");
	expect("/v2/rate/USD/JPY", "date=2026-11-18", NULL, 200,
	    "{\"date\":\"2026-11-15\",\"base\":\"USD\",\"quote\":\"JPY\",\"rate\":152.804}\n");
	expect("/v2/rate/EUR/GBP", "date=2026-11-01", NULL, 404,
	    "{\"status\":404,\"message\":\"not found: no EUR/GBP rate on or before 2026-11-01\"}\n");
	get("/v2/rates", "date=2026-11-16", "text/csv", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/csv; charset=utf-8");
	assert_string_equal(resp.vary, "Accept");
	assert_int_equal(resp.endpoint, API_EP_V2);
	api_response_free(&resp);
}

static void
test_format(void **state)
{
	(void)state;
	assert_int_equal(v2rates_format(NULL), V2RATES_JSON);
	assert_int_equal(v2rates_format(""), V2RATES_JSON);
	assert_int_equal(v2rates_format("*/*"), V2RATES_JSON);
	assert_int_equal(v2rates_format("application/json, text/csv"), V2RATES_CSV);
	assert_int_equal(v2rates_format("Application/X-NDJSON"), V2RATES_NDJSON);
	assert_int_equal(v2rates_format(" text/csv ;charset=utf-8, application/x-ndjson"), V2RATES_CSV);
	assert_int_equal(v2rates_format("text/csv;q=0, application/x-ndjson;q=0.1"), V2RATES_NDJSON);
	assert_int_equal(v2rates_format("text/csv; q=0.000"), V2RATES_JSON);
	assert_int_equal(v2rates_format("text/csv;q=0.001"), V2RATES_CSV);
	assert_int_equal(v2rates_format("text/csvx, application/x-ndjsonl"), V2RATES_JSON);
}

static void
test_period(void **state)
{
	static const char *const cases[][3] = {
		/* date, its week's Monday, its month's first day */
		{ "2026-11-16", "2026-11-16", "2026-11-01" },
		{ "2026-11-22", "2026-11-16", "2026-11-01" },
		{ "2027-01-01", "2026-12-28", "2027-01-01" },
		{ "2024-02-29", "2024-02-26", "2024-02-01" },
	};
	char out[DT_DATE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v2rates_period(cases[i][0], V2RATES_WEEK, out);
		assert_string_equal(out, cases[i][1]);
		v2rates_period(cases[i][0], V2RATES_MONTH, out);
		assert_string_equal(out, cases[i][2]);
		v2rates_period(cases[i][0], V2RATES_DAY, out);
		assert_string_equal(out, cases[i][0]);
	}
}

static int
heavy(const char *path, const char *query)
{
	struct api_arg args[4];
	struct api_request req = { "GET", path, strlen(path), args, 0, NULL };
	char *copy = strdup(query);
	int rc;

	assert_non_null(copy);
	req.nargs = unit_query(copy, args, 4);
	rc = api_is_heavy(&req, unit_at(NOW_ISO));
	free(copy);
	return rc;
}

static void
test_heavy(void **state)
{
	(void)state;
	assert_true(heavy("/v2/rates", "from=2026-10-01&to=2026-11-02"));
	assert_false(heavy("/v2/rates", "from=2026-10-01&to=2026-11-01"));
	assert_true(heavy("/v2/rates.csv", "quotes=USD&from=2026-10-01&to=2026-11-02"));
	/* Without 'to': up to today. */
	assert_true(heavy("/v2/rates", "from=2026-10-24"));
	assert_false(heavy("/v2/rates", "from=2026-10-25"));
	/* Refused at once, or not a range: never heavy. */
	assert_false(heavy("/v2/rates", "from=2026-02-30"));
	assert_false(heavy("/v2/rates", "from=2020-01-01&to=2026-1-1"));
	assert_false(heavy("/v2/rates", "from=2020-01-01&date=2026-01-01"));
	assert_false(heavy("/v2/rates", "date=2026-01-01"));
	assert_false(heavy("/v2/rate/EUR/USD", "from=2020-01-01"));
	assert_false(heavy("/v2", "from=2020-01-01"));
	assert_false(heavy("/v2/ratesx", "from=2020-01-01"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_rows),
		cmocka_unit_test(test_one_day),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_heavy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
