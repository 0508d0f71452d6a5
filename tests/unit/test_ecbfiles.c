/*
 * The ECB's files through api_handle(), against a fake history of the ECB's
 * days held in memory: which paths they are and which go to the heavy
 * worker, the days each file holds, the headers, and every failure: no
 * history, a broken one, no ECB day, a currency that arrives between the
 * CSV's two reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unitlib.h"

#include "api.h"
#include "ecbfiles.h"
#include "feed.h"

#define FETCHED 1795190700	/* 2026-11-20T16:05:00Z */
#define P "/stats/eurofxref/"

/* Three days: the 89th and the 90th before the newest. */
static const char hist_csv[] =
    "Date,USD,GBP,\n"
    "2026-11-20,1.0512,0.86080,\n"
    "2026-08-23,1.1,N/A,\n"
    "2026-08-22,1.2,0.85,\n";

static struct rates **days;	/* oldest first */
static size_t ndays;
static int broken;		/* the fake history fails */
static int calls;		/* provider_each calls so far */
static int grow_on_call;	/* from this call on, the newest day has JPY too; 0: never */
static const char *asked_provider, *asked_base;

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (feed_parse(hist_csv, strlen(hist_csv), &days, &ndays, err, sizeof(err)) != 0)
		return -1;
	for (size_t i = 0; i < ndays; i++)
		if (rates_set_origin(days[i], FETCHED - 3600 * (int64_t)(ndays - 1 - i), "import:eurofxref-hist.csv"))
			return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rates_vec_free(days, ndays);
	return 0;
}

static int
fake_provider_each(void *cls, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	static const char *const jpy[] = { "JPY", "163.36" };
	int rc;

	(void)cls;
	asked_provider = provider;
	asked_base = base;
	calls++;
	if (broken) {
		snprintf(err, errlen, "store '/x.db': disk I/O error");
		return -1;
	}
	for (size_t i = ndays; i-- > 0;) {
		const struct rates *r = days[i];
		struct rates *more = NULL;

		if (strcmp(rates_date(r), start) < 0 || strcmp(rates_date(r), end) > 0)
			continue;
		if (grow_on_call != 0 && calls >= grow_on_call && i == ndays - 1) {
			char e2[128];
			struct dec d;

			assert_non_null(more = rates_new("EUR", rates_date(r), e2, sizeof(e2)));
			for (size_t k = 0; k < rates_count(r); k++) {
				const struct rate_entry *e = rates_at(r, k);
				if (e->cur != rates_pivot(r))
					assert_int_equal(rates_add(more, e->cur->code, &e->rate, e2, sizeof(e2)),
					    RATES_ADDED);
			}
			assert_int_equal(dec_parse(jpy[1], strlen(jpy[1]), &d), 0);
			assert_int_equal(rates_add(more, jpy[0], &d, e2, sizeof(e2)), RATES_ADDED);
			assert_int_equal(rates_finish(more, e2, sizeof(e2)), 0);
			r = more;
		}
		rc = fn(arg, r);
		rates_free(more);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static const struct api_history history = { NULL, NULL, NULL, fake_provider_each };
static const struct api_history history_without = { NULL, NULL, NULL, NULL };

static void
get(const struct api_history *h, int64_t now, const char *path, struct api_response *resp)
{
	struct api_ctx ctx;
	struct api_request req = { "GET", path, strlen(path), NULL, 0, NULL };

	memset(&ctx, 0, sizeof(ctx));
	ctx.now = now;
	ctx.max_age = 86400;
	ctx.history = h;
	calls = 0;
	api_handle(&ctx, &req, resp);
}

/* The days an answer's XML holds, "2026-11-20 2026-08-23", from the reader. */
static const char *
xml_days(const struct api_response *resp)
{
	static char out[128];
	struct rates **v;
	size_t n;
	char err[256];

	out[0] = '\0';
	assert_int_equal(feed_parse(resp->body.data, resp->body.len, &v, &n, err, sizeof(err)), 0);
	for (size_t i = n; i-- > 0;)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", rates_date(v[i]), i > 0 ? " " : "");
	rates_vec_free(v, n);
	return out;
}

static void
test_paths_and_heavy(void **state)
{
	struct api_request req = { "GET", P "eurofxref-hist.xml", strlen(P "eurofxref-hist.xml"), NULL, 0, NULL };
	struct api_response resp;

	(void)state;
	assert_true(ecbfiles_is_path(P "eurofxref-daily.xml", strlen(P "eurofxref-daily.xml")));
	assert_true(ecbfiles_is_path(P "eurofxref-hist.csv", strlen(P "eurofxref-hist.csv")));
	assert_false(ecbfiles_is_path(P "eurofxref-hist.zip", strlen(P "eurofxref-hist.zip")));
	assert_false(ecbfiles_is_path(P "eurofxref-daily.xml2", strlen(P "eurofxref-daily.xml2")));
	assert_false(ecbfiles_is_path("/v1" P "eurofxref-daily.xml", strlen("/v1" P "eurofxref-daily.xml")));
	assert_false(ecbfiles_is_path(P, strlen(P)));
	assert_false(ecbfiles_is_heavy(P "eurofxref-daily.xml", strlen(P "eurofxref-daily.xml")));
	assert_true(ecbfiles_is_heavy(P "eurofxref-hist-90d.xml", strlen(P "eurofxref-hist-90d.xml")));
	assert_true(ecbfiles_is_heavy(P "eurofxref-hist.csv", strlen(P "eurofxref-hist.csv")));
	assert_true(api_is_heavy(&req, FETCHED));
	/* Refused when the worker is busy: counted as the ECB's, in cconvd's error shape. */
	api_answer_busy(&resp, &req, "busy; retry shortly", 2);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.endpoint, API_EP_ECB);
	assert_int_equal(resp.retry_after, 2);
	assert_string_equal(resp.body.data, "{\"error\":\"busy; retry shortly\"}\n");
	api_response_free(&resp);
	req.method = "POST";
	assert_false(api_is_heavy(&req, FETCHED));
}

static void
test_each_file_holds_its_days(void **state)
{
	struct api_response resp;

	(void)state;
	get(&history, FETCHED + 60, P "eurofxref-daily.xml", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/xml; charset=utf-8");
	assert_int_equal(resp.endpoint, API_EP_ECB);
	assert_int_equal(resp.cache, API_CACHE_RATES);
	assert_int_equal(resp.last_modified, FETCHED);
	assert_int_equal(resp.age, 60);
	assert_false(resp.stale);
	assert_string_equal(asked_provider, "ECB");
	assert_string_equal(asked_base, "EUR");
	assert_string_equal(xml_days(&resp), "2026-11-20");
	assert_non_null(strstr(resp.body.data, "<Cube currency='GBP' rate='0.86080'/>"));
	api_response_free(&resp);

	/* The 90 days ending with 2026-11-20 start on 2026-08-23. */
	get(&history, FETCHED + 60, P "eurofxref-hist-90d.xml", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(xml_days(&resp), "2026-11-20 2026-08-23");
	api_response_free(&resp);

	get(&history, FETCHED + 60, P "eurofxref-hist.xml", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(xml_days(&resp), "2026-11-20 2026-08-23 2026-08-22");
	api_response_free(&resp);

	get(&history, FETCHED + 60, P "eurofxref-hist.csv", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/csv; charset=utf-8");
	assert_string_equal(resp.body.data, hist_csv);
	api_response_free(&resp);

	/* A day dated after today is never served: on 2026-08-23 the newest is that day. */
	get(&history, FETCHED - 89 * 86400, P "eurofxref-daily.xml", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(xml_days(&resp), "2026-08-23");
	api_response_free(&resp);

	/* Days later the newest rates are stale, and the answer says so. */
	get(&history, FETCHED + 9 * 86400, P "eurofxref-daily.xml", &resp);
	assert_int_equal(resp.status, 200);
	assert_true(resp.stale);
	api_response_free(&resp);
}

static void
test_failures(void **state)
{
	static const char *const files[] = { "eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.xml",
	    "eurofxref-hist.csv" };
	struct api_response resp;
	char path[64];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), P "%s", files[i]);
		get(NULL, FETCHED, path, &resp);
		assert_int_equal(resp.status, 503);
		assert_string_equal(resp.body.data, "{\"error\":\"no history: this server keeps none\"}\n");
		api_response_free(&resp);
		get(&history_without, FETCHED, path, &resp);
		assert_int_equal(resp.status, 503);
		api_response_free(&resp);
		broken = 1;
		get(&history, FETCHED, path, &resp);
		broken = 0;
		assert_int_equal(resp.status, 503);
		assert_string_equal(resp.body.data,
		    "{\"error\":\"history unavailable: store '/x.db': disk I/O error\"}\n");
		assert_int_equal(resp.cache, API_CACHE_NO_STORE);
		api_response_free(&resp);
		/* Before the first ECB day there is none to serve. */
		get(&history, FETCHED - 100 * 86400, path, &resp);
		assert_int_equal(resp.status, 404);
		assert_string_equal(resp.body.data, "{\"error\":\"no rates from the ECB are stored\"}\n");
		api_response_free(&resp);
	}
	/* A currency that came between the CSV's two reads: retry, never a line without its rate. */
	grow_on_call = 2;
	get(&history, FETCHED + 60, P "eurofxref-hist.csv", &resp);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.retry_after, 1);
	assert_string_equal(resp.body.data, "{\"error\":\"the ECB's history changed while it was read; try again\"}\n");
	api_response_free(&resp);
	/* Read whole both times, it is a column of its own. */
	grow_on_call = 1;
	get(&history, FETCHED + 60, P "eurofxref-hist.csv", &resp);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.data, "Date,USD,JPY,GBP,\n2026-11-20,1.0512,163.36,0.86080,\n"));
	grow_on_call = 0;
	api_response_free(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_heavy),
		cmocka_unit_test(test_each_file_holds_its_days),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
