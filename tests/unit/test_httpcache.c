/* ETags, conditional requests (RFC 9110 §13) and Cache-Control for cconvd's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dt.h"
#include "httpcache.h"

#define NOW 1795190700	/* 2026-11-20T16:05:00Z: RFC 850's two-digit years are read around it */

/* httpcache_not_modified() with one If-None-Match line and one
 * If-Modified-Since line, each NULL when absent. */
static int
nm(const char *inm, const char *ims, const char *etag, int64_t last_modified)
{
	return httpcache_not_modified(&inm, inm != NULL, &ims, ims != NULL, etag, last_modified, NOW);
}

static void
test_etag_is_a_strong_tag_of_the_bytes(void **state)
{
	char a[HTTPCACHE_ETAG_LEN], b[HTTPCACHE_ETAG_LEN], c[HTTPCACHE_ETAG_LEN];

	(void)state;
	httpcache_etag("GBP 88.40\n", 10, a);
	httpcache_etag("GBP 88.40\n", 10, b);
	httpcache_etag("GBP 88.41\n", 10, c);
	assert_int_equal(strlen(a), HTTPCACHE_ETAG_LEN - 1);
	assert_true(a[0] == '"' && a[17] == '"');
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/*
	 * Pinned values, worked out by a separate Python model of the hash: a
	 * tag is the same on every architecture and across releases, so N
	 * daemons (and a restarted one) agree and caches keep validating.
	 */
	httpcache_etag("", 0, a);
	assert_string_equal(a, "\"47dc71d69df09b07\"");
	httpcache_etag("GBP 88.40\n", 10, a);
	assert_string_equal(a, "\"f8286b3062a34156\"");
	httpcache_etag("{\"from\":\"USD\",\"to\":\"GBP\"}", 25, a);
	assert_string_equal(a, "\"a65229e1536dfbec\"");
}

/* Every one-byte change at every position, every length: a different tag. */
static void
test_etag_changes_with_every_byte(void **state)
{
	char body[200], base[HTTPCACHE_ETAG_LEN], t[HTTPCACHE_ETAG_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('0' + i % 43);
	for (size_t len = 1; len <= sizeof(body); len++) {
		httpcache_etag(body, len, base);
		for (size_t pos = 0; pos < len; pos++) {
			const unsigned char deltas[] = { 0x01, 0x80, 0xff, 0x20 };
			for (size_t k = 0; k < sizeof(deltas); k++) {
				body[pos] = (char)((unsigned char)body[pos] ^ deltas[k]);
				httpcache_etag(body, len, t);
				body[pos] = (char)((unsigned char)body[pos] ^ deltas[k]);
				if (strcmp(t, base) == 0)
					fail_msg("len %zu: byte %zu ^ 0x%02x gives the same tag %s", len, pos,
					    deltas[k], t);
			}
		}
		/* The body is unchanged afterwards: the same bytes, the same tag. */
		httpcache_etag(body, len, t);
		assert_string_equal(t, base);
	}
}

/* Zero bytes appended (the same zero-padded last word) and a prefix: differ. */
static void
test_etag_length_is_mixed_in(void **state)
{
	char body[64] = "USD 1.0512";
	char tags[64][HTTPCACHE_ETAG_LEN];

	(void)state;
	memset(body + 10, 0, sizeof(body) - 10);
	for (size_t len = 0; len < sizeof(body); len++) {
		httpcache_etag(body, len, tags[len]);
		for (size_t k = 0; k < len; k++)
			assert_string_not_equal(tags[k], tags[len]);
	}
	/* All zeros of different lengths. */
	memset(body, 0, sizeof(body));
	for (size_t len = 0; len < sizeof(body); len++) {
		httpcache_etag(body, len, tags[len]);
		for (size_t k = 0; k < len; k++)
			assert_string_not_equal(tags[k], tags[len]);
	}
}

/* Many distinct bodies of one shape, like one route's answers: no collision. */
static void
test_etag_distinct_bodies(void **state)
{
	enum { N = 20000 };
	static uint64_t seen[N];
	char body[96];

	(void)state;
	for (int i = 0; i < N; i++) {
		char tag[HTTPCACHE_ETAG_LEN];
		int n = snprintf(body, sizeof(body), "{\"from\":\"USD\",\"to\":\"GBP\",\"rate\":\"0.%06d\"}", i);
		assert_true(n > 0 && (size_t)n < sizeof(body));
		httpcache_etag(body, (size_t)n, tag);
		uint64_t v = 0;
		for (int k = 1; k <= 16; k++)
			v = v << 4 | (uint64_t)(tag[k] <= '9' ? tag[k] - '0' : tag[k] - 'a' + 10);
		seen[i] = v;
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			if (seen[i] == seen[j])
				fail_msg("bodies %d and %d share a tag", i, j);
}

static void
test_if_none_match(void **state)
{
	const char *tag = "\"0123456789abcdef\"";

	(void)state;
	assert_true(nm("\"0123456789abcdef\"", NULL, tag, 0));
	assert_true(nm("W/\"0123456789abcdef\"", NULL, tag, 0));	/* weak comparison */
	assert_true(nm("\"x\", \"0123456789abcdef\"", NULL, tag, 0));
	assert_true(nm(" \"a\" ,W/\"b\",\t\"0123456789abcdef\" ", NULL, tag, 0));
	assert_true(nm("*", NULL, tag, 0));
	assert_true(nm(" * ", NULL, tag, 0));
	assert_false(nm("\"0123456789abcdee\"", NULL, tag, 0));
	assert_false(nm("0123456789abcdef", NULL, tag, 0));	/* no quotes */
	assert_false(nm("\"0123456789abcdef", NULL, tag, 0));	/* unterminated */
	assert_false(nm("garbage, \"0123456789abcdef\"", NULL, tag, 0));
	assert_false(nm("", NULL, tag, 0));
	assert_false(nm("*, \"x\"", NULL, tag, 0));
	/* If-None-Match present: If-Modified-Since is not consulted (§13.2.2). */
	assert_false(nm("\"other\"", "Fri, 20 Nov 2026 16:05:00 GMT", tag, 0));
}

static void
test_if_modified_since(void **state)
{
	const char *tag = "\"0123456789abcdef\"";
	int64_t lm = 0;

	(void)state;
	assert_int_equal(dt_parse_iso8601("2026-11-20T16:05:00Z", &lm), 0);
	assert_true(nm(NULL, "Fri, 20 Nov 2026 16:05:00 GMT", tag, lm));
	assert_true(nm(NULL, "Sat, 21 Nov 2026 00:00:00 GMT", tag, lm));
	assert_false(nm(NULL, "Fri, 20 Nov 2026 16:04:59 GMT", tag, lm));
	/* Invalid dates are ignored, so the full answer goes out. */
	assert_false(nm(NULL, "Fri, 31 Nov 2026 16:05:00 GMT", tag, lm));
	assert_false(nm(NULL, "Fri, 20 Nov 2026 16:05:00 UTC", tag, lm));
	assert_false(nm(NULL, "", tag, lm));
	assert_false(nm(NULL, NULL, tag, lm));
	/* The obsolete forms recipients must accept (RFC 9110 §5.6.7). */
	assert_true(nm(NULL, "Friday, 20-Nov-26 16:05:00 GMT", tag, lm));
	assert_false(nm(NULL, "Friday, 20-Nov-26 16:04:59 GMT", tag, lm));
	assert_true(nm(NULL, "Fri Nov 20 16:05:00 2026", tag, lm));
	assert_false(nm(NULL, "Fri Nov 20 16:04:59 2026", tag, lm));
	assert_false(nm(NULL, "Friday, 20-Nov-26 16:05:00 UTC", tag, lm));
	assert_false(nm(NULL, "Fri Nov 31 16:05:00 2026", tag, lm));
}

/* A field sent on several lines is one list (RFC 9110 §5.3). */
static void
test_field_lines_combine(void **state)
{
	const char *tag = "\"0123456789abcdef\"";
	const char *two[] = { "\"x\"", "\"0123456789abcdef\"" };
	const char *three[] = { "", "W/\"y\", \"z\"", " \"0123456789abcdef\" " };
	const char *other[] = { "\"x\"", "\"y\"" };
	const char *bad_first[] = { "garbage", "\"0123456789abcdef\"" };
	const char *star_and_tag[] = { "*", "\"x\"" };
	const char *star[] = { "*" };
	const char *dates[] = { "Fri, 20 Nov 2026 16:05:00 GMT", "Fri, 20 Nov 2026 16:05:00 GMT" };
	int64_t lm = NOW;

	(void)state;
	assert_true(httpcache_not_modified(two, 2, NULL, 0, tag, lm, NOW));
	assert_true(httpcache_not_modified(three, 3, NULL, 0, tag, lm, NOW));
	assert_false(httpcache_not_modified(other, 2, NULL, 0, tag, lm, NOW));
	assert_false(httpcache_not_modified(bad_first, 2, NULL, 0, tag, lm, NOW));
	assert_false(httpcache_not_modified(star_and_tag, 2, NULL, 0, tag, lm, NOW));	/* "*" only alone */
	assert_true(httpcache_not_modified(star, 1, NULL, 0, tag, lm, NOW));
	/* If-None-Match on any line decides alone; If-Modified-Since twice is ignored (§13.1.3). */
	assert_false(httpcache_not_modified(other, 2, dates, 1, tag, lm, NOW));
	assert_true(httpcache_not_modified(NULL, 0, dates, 1, tag, lm, NOW));
	assert_false(httpcache_not_modified(NULL, 0, dates, 2, tag, lm, NOW));
}

static void
test_http_dates_round_trip(void **state)
{
	char out[DT_HTTP_LEN];
	int64_t t = 0;

	(void)state;
	for (int64_t v = 0; v < 4102444800; v += 7777777) {
		dt_http(v, out);
		assert_int_equal(dt_parse_http(out, &t), 0);
		assert_int_equal(t, v);
	}
	assert_int_equal(dt_parse_http("Sun, 29 Feb 2026 00:00:00 GMT", &t), -1);
	assert_int_equal(dt_parse_http("Tue, 29 Feb 2028 23:59:59 GMT", &t), 0);
	assert_int_equal(dt_parse_http("Tue, 29 Feb 2028 24:00:00 GMT", &t), -1);
	assert_int_equal(dt_parse_http("Tue, 29 Xyz 2028 23:59:59 GMT", &t), -1);
}

/* The three forms of one instant, and the rules of the two obsolete ones. */
static void
test_http_date_forms(void **state)
{
	static const char *const same[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Sun Nov 06 08:49:37 1994",
	};
	int64_t t = 0, want = 784111777;	/* RFC 9110's example */

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		t = 0;
		assert_int_equal(dt_parse_http_any(same[i], NOW, &t), 0);
		assert_int_equal(t, want);
	}
	/* Two-digit years: up to 50 years ahead of now's year, else the century before. */
	assert_int_equal(dt_parse_http_any("Monday, 01-Jan-76 00:00:00 GMT", NOW, &t), 0);
	assert_int_equal(t, dt_days_from_civil(2076, 1, 1) * 86400);
	assert_int_equal(dt_parse_http_any("Saturday, 01-Jan-77 00:00:00 GMT", NOW, &t), 0);
	assert_int_equal(t, dt_days_from_civil(1977, 1, 1) * 86400);
	assert_int_equal(dt_parse_http_any("Thursday, 01-Jan-26 00:00:00 GMT", NOW, &t), 0);
	assert_int_equal(t, dt_days_from_civil(2026, 1, 1) * 86400);
	/* Refused: a wrong shape, name, month, day or time, or what follows. */
	static const char *const bad[] = {
		"Sun, 06-Nov-94 08:49:37 GMT", "Sonday, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 31-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-94 24:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMTx",
		"Sunday, 06-Nov-94 08:49:37", "Sunday, 6-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994 ",
		"Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Xyz Nov  6 08:49:37 1994",
		"Sun Nov  0 08:49:37 1994", "Sun Nov  6 08:49:37 1899", "Sun Nov  6 08-49-37 1994", "",
		"Sunday, 06-Nov-94 08:49:37 GMT\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dt_parse_http_any(bad[i], NOW, &t) != -1)
			fail_msg("'%s' was accepted", bad[i]);
}

static void
test_cache_control(void **state)
{
	char cc[HTTPCACHE_CONTROL_LEN];

	(void)state;
	/* max-age counts from the fetch, as Age does: 100 s old, 500 s to go. */
	httpcache_control(cc, 100, 500, 86400, 0);
	assert_string_equal(cc, "public, max-age=600, stale-while-revalidate=60, stale-if-error=86400");
	/* A refresh that is due or running: fresh no longer than the rates' age. */
	httpcache_control(cc, 100, -3, 3600, 0);
	assert_string_equal(cc, "public, max-age=100, stale-while-revalidate=60, stale-if-error=3600");
	httpcache_control(cc, 0, 3600, 86400, 1);
	assert_string_equal(cc, "public, max-age=31536000, immutable");
}

/* httpcache_int() prints what snprintf("%lld") prints, at every magnitude and sign. */
static void
test_int_matches_printf(void **state)
{
	char got[HTTPCACHE_INT_LEN], want[32];
	const int64_t edges[] = { 0, 1, -1, 9, 10, -10, 99, 100, 31536000, INT32_MAX, INT32_MIN,
		(int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1 };
	uint64_t x = 0x243f6a8885a308d3u;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)edges[i]);
		assert_int_equal(httpcache_int(got, edges[i]), strlen(want));
		assert_string_equal(got, want);
	}
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t v = (int64_t)(x >> (x % 64));	/* every length of number */
		if (i & 1)
			v = -v;
		snprintf(want, sizeof(want), "%lld", (long long)v);
		assert_int_equal(httpcache_int(got, v), strlen(want));
		assert_string_equal(got, want);
	}
}

/* Cache-Control is what the snprintf it replaced printed, extremes included. */
static void
test_cache_control_matches_printf(void **state)
{
	const int64_t vals[] = { -5, 0, 1, 59, 3600, 86400, 31536000, INT32_MAX, (int64_t)1 << 40,
		INT64_MAX / 4 };
	const size_t n = sizeof(vals) / sizeof(vals[0]);
	char got[HTTPCACHE_CONTROL_LEN], want[HTTPCACHE_CONTROL_LEN];

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			for (size_t k = 0; k < n; k++) {
				int64_t age = vals[i] < 0 ? 0 : vals[i], left = vals[j] < 0 ? 0 : vals[j];
				long sie = (long)vals[k];
				httpcache_control(got, vals[i], vals[j], sie, 0);
				snprintf(want, sizeof(want), "public, max-age=%lld, stale-while-revalidate=%ld, "
				    "stale-if-error=%ld", (long long)(age + left), HTTPCACHE_SWR, sie);
				assert_string_equal(got, want);
				httpcache_control(got, vals[i], vals[j], sie, 1);
				snprintf(want, sizeof(want), "public, max-age=%lld, immutable",
				    (long long)(age + HTTPCACHE_IMMUTABLE));
				assert_string_equal(got, want);
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag_is_a_strong_tag_of_the_bytes),
		cmocka_unit_test(test_etag_changes_with_every_byte),
		cmocka_unit_test(test_etag_length_is_mixed_in),
		cmocka_unit_test(test_etag_distinct_bodies),
		cmocka_unit_test(test_if_none_match),
		cmocka_unit_test(test_if_modified_since),
		cmocka_unit_test(test_field_lines_combine),
		cmocka_unit_test(test_http_dates_round_trip),
		cmocka_unit_test(test_http_date_forms),
		cmocka_unit_test(test_cache_control),
		cmocka_unit_test(test_int_matches_printf),
		cmocka_unit_test(test_cache_control_matches_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
