/*
 * Frankfurter v2 without a server: the router, its error body and its
 * parameter check, through api_handle() as http.c calls it.
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
#include "unitlib.h"
#include "v2.h"

#define FETCHED 1795190700	/* 2026-11-20T16:05:00Z */

static struct rates *snap;

static int
setup(void **state)
{
	static const char body[] = "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":"
	    "{\"GBP\":0.8351,\"JPY\":163.36,\"USD\":1.0512}}";
	char err[256];

	(void)state;
	if (fxjson_parse(body, strlen(body), &snap, err, sizeof(err)) != 0)
		return -1;
	return rates_set_origin(snap, FETCHED, "http://up/latest");
}

static int
teardown(void **state)
{
	(void)state;
	rates_free(snap);
	return 0;
}

/* One request; query is "k=v&k2" with no decoding.  rates may be NULL. */
static void
run(const struct rates *rates, const char *path, const char *query, struct api_response *resp)
{
	struct api_arg args[40];
	struct api_request req = { "GET", path, strlen(path), args, 0, NULL };
	struct api_ctx ctx = { rates, FETCHED + 10, 86400, NULL, NULL, NULL, NULL };
	char *copy = strdup(query != NULL ? query : "");

	assert_non_null(copy);
	req.nargs = unit_query(copy, args, 40);
	api_handle(&ctx, &req, resp);
	free(copy);
}

/* The whole body must be want, status and cache class as given. */
static void
expect_body(const char *path, const char *query, int status, enum api_cache cache, const char *want)
{
	struct api_response resp;

	run(snap, path, query, &resp);
	if (resp.status != status || resp.cache != cache || strcmp(resp.body.data, want) != 0)
		fail_msg("%s?%s: got %d (cache %d) '%s', wanted %d (cache %d) '%s'", path, query ? query : "",
		    resp.status, (int)resp.cache, resp.body.data, status, (int)cache, want);
	assert_int_equal(resp.endpoint, API_EP_V2);
	assert_string_equal(resp.content_type, "application/json");
	api_response_free(&resp);
}

static void
test_root(void **state)
{
	static const char root[] = "{\"version\":\"v2\",\"status\":\"current\","
	    "\"openapi\":\"https://api.frankfurter.dev/v2/openapi.json\",\"docs\":\"https://frankfurter.dev\"}\n";
	struct api_response resp;

	(void)state;
	expect_body("/v2", NULL, 200, API_CACHE_RATES, root);
	expect_body("/v2/", NULL, 200, API_CACHE_RATES, root);
	run(snap, "/v2", NULL, &resp);
	assert_int_equal(resp.last_modified, FETCHED);
	assert_int_equal(resp.age, 10);
	api_response_free(&resp);
	/* No rates yet: the same object, not to be kept. */
	run(NULL, "/v2", NULL, &resp);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.cache, API_CACHE_NO_STORE);
	assert_string_equal(resp.body.data, root);
	api_response_free(&resp);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_body("/v2/nope", NULL, 404, API_CACHE_NO_STORE, "{\"status\":404,\"message\":\"not found\"}\n");
	expect_body("/v2/v2", NULL, 404, API_CACHE_NO_STORE, "{\"status\":404,\"message\":\"not found\"}\n");
	expect_body("/v2/currencies.csv", NULL, 406, API_CACHE_NO_STORE,
	    "{\"status\":406,\"message\":\"CSV is served for rates only\"}\n");
	expect_body("/v2", "x=1", 422, API_CACHE_NO_STORE,
	    "{\"status\":422,\"message\":\"unknown parameter: x\"}\n");
	expect_body("/v2", "x=1&y&x\"=2", 422, API_CACHE_NO_STORE,
	    "{\"status\":422,\"message\":\"unknown parameter: x, y, x\\\"\"}\n");
	/* Not /v2: "/v20" and "/v2x" are v1 paths, whose errors are v1's. */
	{
		struct api_response resp;

		run(snap, "/v2x", NULL, &resp);
		assert_int_equal(resp.status, 404);
		assert_int_not_equal(resp.endpoint, API_EP_V2);
		assert_null(strstr(resp.body.data, "\"status\":404"));
		api_response_free(&resp);
	}
}

static void
test_too_many_params(void **state)
{
	char q[(API_MAX_ARGS + 1) * 2];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < API_MAX_ARGS + 1; i++) {
		if (i > 0)
			q[n++] = '&';
		q[n++] = 'a';
	}
	q[n] = '\0';
	expect_body("/v2", q, 422, API_CACHE_NO_STORE,
	    "{\"status\":422,\"message\":\"more than 32 query parameters\"}\n");
}

static void
test_is_path(void **state)
{
	(void)state;
	assert_true(v2_is_path("/v2", 3));
	assert_true(v2_is_path("/v2/", 4));
	assert_true(v2_is_path("/v2/rates", 9));
	assert_false(v2_is_path("/v2x", 4));
	assert_false(v2_is_path("/v20", 4));
	assert_false(v2_is_path("/v1/v2", 6));
	assert_false(v2_is_path("/", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_params),
		cmocka_unit_test(test_is_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
