/*
 * Frankfurter JSON: every validation rule refuses what it should, with a
 * message that names the rule; good bodies keep their exact digits; rendering
 * prints no binary noise and round-trips through the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"
#include "fxjson.h"
#include "merge.h"

static const char good[] =
    "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\",\"extra\":[1,2],"
    "\"rates\":{\"GBP\":0.884,\"JPY\":163.36,\"KWD\":0.32411,\"USD\":1.0512,\"IDR\":17000}}";

static struct rates *
parse_ok(const char *body)
{
	struct rates *r = NULL;
	char err[512] = "";

	if (fxjson_parse(body, strlen(body), &r, err, sizeof(err)) != 0)
		fail_msg("refused a good body: %s", err);
	assert_non_null(r);
	return r;
}

static void
rate_text(const struct rates *r, const char *code, char *out)
{
	const struct rate_entry *e = rates_find(r, code);

	assert_non_null(e);
	dec_format(&e->rate, out, DEC_STRLEN);
}

static void
test_good_body_keeps_exact_digits(void **state)
{
	struct rates *r = parse_ok(good);
	char text[DEC_STRLEN];

	(void)state;
	assert_string_equal(rates_pivot(r)->code, "EUR");
	assert_string_equal(rates_date(r), "2026-11-20");
	assert_int_equal(rates_count(r), 6);	/* five rates + the pivot */
	rate_text(r, "USD", text);
	assert_string_equal(text, "1.0512");
	rate_text(r, "KWD", text);
	assert_string_equal(text, "0.32411");
	rate_text(r, "IDR", text);
	assert_string_equal(text, "17000");
	rate_text(r, "EUR", text);
	assert_string_equal(text, "1");
	assert_int_equal(rates_fetched_at(r), 0);
	rates_free(r);
}

/*
 * Rates as written, not as a double holds them: 16 and 17 significant
 * digits, trailing zeros, exponents, numbers elsewhere in the document and
 * digits inside strings around them.
 */
static void
test_rates_are_read_digit_for_digit(void **state)
{
	static const char body[] =
	    "{\"amount\":1.0,\"note\":\"a \\\"quoted\\\" 12.5, -3 and \\\\ 7\",\"extra\":[1,{\"x\":-3e5}],"
	    "\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.1234567890123456,\"GBP\":0.86080,"
	    "\"JPY\":1.6336e2,\"CHF\":0.10000000000000001,\"KWD\":3.2411E-1,\"IDR\":17000,\"AUD\":2E+0,"
	    "\"CAD\":1.0000000000000000000000000000000000000000},\"timestamp\":1795190700}";
	static const char *const want[][2] = {
		{ "USD", "1.1234567890123456" }, { "GBP", "0.86080" }, { "JPY", "163.36" },
		{ "CHF", "0.10000000000000001" }, { "KWD", "0.32411" }, { "IDR", "17000" }, { "AUD", "2" },
		{ "CAD", "1.000000000000000000000000000000" },	/* zeros beyond 30 decimals dropped */
	};
	struct rates *r = parse_ok(body);
	char text[DEC_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rate_text(r, want[i][0], text);
		if (strcmp(text, want[i][1]) != 0)
			fail_msg("%s: '%s', wanted '%s'", want[i][0], text, want[i][1]);
	}
	rates_free(r);
}

/* A time series: each day's rates are found in the text, whatever came before. */
static void
test_series_rates_are_read_digit_for_digit(void **state)
{
	static const char body[] =
	    "{\"amount\":1.0,\"base\":\"EUR\",\"start_date\":\"2026-11-18\",\"end_date\":\"2026-11-20\","
	    "\"rates\":{\"2026-11-18\":{\"USD\":1.1234567890123456,\"GBP\":0.8},"
	    "\"2026-11-19\":{\"QQQ\":5.5,\"USD\":1.12345678901234567},"
	    "\"2026-11-20\":{\"GBP\":0.86080,\"USD\":9.87654321098765432e-1}}}";
	static const char *const want[] = { "1.1234567890123456", "1.12345678901234567", "0.987654321098765432" };
	struct rates **v = NULL;
	size_t n = 0;
	char err[512] = "", text[DEC_STRLEN];

	(void)state;
	if (feed_parse(body, strlen(body), &v, &n, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		rate_text(v[i], "USD", text);
		assert_string_equal(text, want[i]);
	}
	rate_text(v[2], "GBP", text);
	assert_string_equal(text, "0.86080");
	rates_vec_free(v, n);
}

struct bad_case {
	const char *body;
	const char *needle;	/* the rule the message must name */
};

static void
test_every_rule_refuses(void **state)
{
	static const struct bad_case cases[] = {
		{ "<html>503</html>", "not JSON" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05", "not JSON" },
		{ "[1,2,3]", "not a JSON object" },
		{ "{\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05}}", "'base' missing" },
		{ "{\"base\":7,\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05}}", "'base' is not a string" },
		{ "{\"base\":\"XYZ\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05}}", "unknown currency" },
		{ "{\"base\":\"EUR\",\"rates\":{\"USD\":1.05}}", "'date' missing" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-02-30\",\"rates\":{\"USD\":1.05}}", "not a valid" },
		{ "{\"base\":\"EUR\",\"date\":\"20-11-2026\",\"rates\":{\"USD\":1.05}}", "not a valid" },
		{ "{\"base\":\"EUR\",\"date\":\"2999-01-01\",\"rates\":{\"USD\":1.05}}", "in the future" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\"}", "'rates' missing" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":[1]}", "'rates' is not an object" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{}}", "'rates' is empty" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"usd\":1.05}}", "three letters A-Z" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"US1\":1.05}}", "three letters A-Z" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USDX\":1.05}}", "three letters A-Z" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":-1.05}}", "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":0}}", "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":0.0}}", "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":\"1.05\"}}", "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":null}}", "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1e300}}", "outside" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1e-300}}", "outside" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":9e-13}}", "outside" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.5e15}}", "outside" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":-0}}",
		  "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":0e5}}",
		  "must be a number > 0" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.0000000000000000000000000000001}}",
		  "rates.USD: more than 30 decimals or 38 digits" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":"
		  "{\"USD\":123456789012345.123456789012345678901234}}", "more than 30 decimals or 38 digits" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05,\"USD\":1.06}}",
		  "duplicate" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"EUR\":1.5}}",
		  "base currency must have rate 1" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"QQQ\":1.5}}",
		  "no rate for any known currency" },
		{ "{\"success\":false,\"error\":{\"code\":101,\"info\":\"missing access key\"}}",
		  "missing access key" },
		/* Members read are refused twice at any level; the text's grammar everywhere. */
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"b\\u0061se\":\"USD\",\"rates\":{\"USD\":1.05}}",
		  "not JSON (line 1: 'base' given twice)" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"QQQ\":1.05,\"USD\":1,\"QQQ\":1.06}}",
		  "rates.QQQ: listed twice (a duplicate key)" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05}} x",
		  "not JSON (line 1: unexpected 'x'" },
		{ "{\"base\":\"EUR\",\n\"date\":\"2026-11-20\",\n\"x\":[1,],\"rates\":{\"USD\":1.05}}",
		  "not JSON (line 3: unexpected ']'" },
		{ "\"EUR\"", "not a JSON object" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"U\\u0000D\":1.05}}",
		  "'\\u0000' in a string" },
		/* Outside text in a message is quoted: no control byte reaches a log or a terminal. */
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"\\u001b[3\":1.05}}",
		  "rates: code '?[3' is not three letters A-Z" },
		{ "{\"base\":\"E\\nR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":1.05}}",
		  "'base' 'E?R': unknown currency" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\\r\",\"rates\":{\"USD\":1.05}}",
		  "'date' '2026-11-20?': not a valid" },
		{ "{\"success\":false,\"error\":{\"info\":\"boom\\ncconvd: info: forged\"}}",
		  "upstream reported failure: boom?cconvd: info: forged" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rates *r = (struct rates *)0x1;
		char err[512] = "";
		int rc = fxjson_parse(cases[i].body, strlen(cases[i].body), &r, err, sizeof(err));
		if (rc != -1 || r != NULL || strstr(err, cases[i].needle) == NULL)
			fail_msg("case %zu (%s): rc %d, err '%s', wanted '%s'", i, cases[i].body, rc, err,
			    cases[i].needle);
	}
}

/* JSON members come in any order ("rates" before "base" too), keys may be
 * escaped, and an ignored member is checked for its grammar only. */
static void
test_any_member_order_and_escaped_keys(void **state)
{
	struct rates *r = parse_ok("{\"rates\":{\"U\\u0053D\":1.0512,\"GBP\":0.884},\"extra\":{\"x\":1,\"x\":[2]},"
	    "\"d\\u0061te\":\"2026-11-20\",\"base\":\"EUR\",\"note\":\"\\ud83d\\ude00\"}");
	char text[DEC_STRLEN];

	(void)state;
	assert_string_equal(rates_date(r), "2026-11-20");
	rate_text(r, "USD", text);
	assert_string_equal(text, "1.0512");
	assert_int_equal(rates_count(r), 3);
	rates_free(r);
}

static void
test_body_size_limit(void **state)
{
	size_t n = FXJSON_MAX_BODY + 1;
	char *big = malloc(n);
	struct rates *r = NULL;
	char err[256] = "";

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	assert_int_equal(fxjson_parse(big, n, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 1 MiB"));
	assert_null(r);
	free(big);
}

static void
test_unknown_codes_are_skipped_and_base_listed_at_one_is_fine(void **state)
{
	struct rates *r = parse_ok("{\"base\":\"USD\",\"date\":\"2026-11-20\","
	    "\"rates\":{\"USD\":1,\"EUR\":0.9513,\"QQQ\":3.5}}");

	(void)state;
	assert_string_equal(rates_pivot(r)->code, "USD");
	assert_int_equal(rates_count(r), 2);
	assert_null(rates_find(r, "QQQ"));
	rates_free(r);
}

static void
test_render_latest_shape(void **state)
{
	struct rates *r = parse_ok(good);
	const struct rate_entry *eur = rates_find(r, "EUR");
	const struct rate_entry *to[2] = { rates_find(r, "USD"), rates_find(r, "GBP") };
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, eur, NULL, 0, NULL, 0), 0);
	assert_string_equal(b.data, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":"
	    "{\"GBP\":0.884,\"IDR\":17000,\"JPY\":163.36,\"KWD\":0.32411,\"USD\":1.0512}}");
	buf_free(&b);

	/* Order of 'to' is kept; amount scales, to the unit cross rate's decimals (>= 6 digits). */
	struct dec amount = { 100, 0 };
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "USD"), to, 2, &amount, 0), 0);
	/* 100 × 1.0512 / 1.0512 = 100; 100 × 0.884 / 1.0512 = 84.0943683409...: 0.840944 has 6 decimals */
	assert_string_equal(b.data, "{\"amount\":100.0,\"base\":\"USD\",\"date\":\"2026-11-20\",\"rates\":"
	    "{\"USD\":100,\"GBP\":84.094368}}");
	buf_free(&b);
	rates_free(r);
}

static void
test_render_roundtrip_with_origin(void **state)
{
	struct rates *r = parse_ok(good), *back = NULL;
	struct buf b;
	char err[256];

	(void)state;
	assert_int_equal(rates_set_origin(r, 1795000000, "http://h/\"q\""), 0);
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "EUR"), NULL, 0, NULL, FXJSON_ORIGIN), 0);
	assert_int_equal(fxjson_parse(b.data, b.len, &back, err, sizeof(err)), 0);
	assert_int_equal(rates_fetched_at(back), 1795000000);
	assert_string_equal(rates_upstream(back), "http://h/\"q\"");
	assert_int_equal(rates_count(back), rates_count(r));
	for (size_t i = 0; i < rates_count(r); i++)
		assert_int_equal(dec_cmp(&rates_at(r, i)->rate, &rates_at(back, i)->rate), 0);
	buf_free(&b);
	rates_free(back);
	rates_free(r);
}

static void
test_render_conversion(void **state)
{
	struct rates *r = parse_ok("{\"base\":\"EUR\",\"date\":\"2026-11-20\","
	    "\"rates\":{\"GBP\":0.8351,\"USD\":1.0512}}");
	struct conversion c;
	struct dec amount = { 100, 0 };
	struct buf b;

	(void)state;
	assert_int_equal(rates_set_origin(r, 1795190700, "u"), 0);	/* 2026-11-20T16:05:00Z */
	assert_int_equal(rates_convert(rates_find(r, "USD"), rates_find(r, "GBP"), &amount, &c), RATES_OK);
	buf_init(&b, 4096);
	assert_int_equal(fxjson_render_conversion(&b, &c, r, 0), 0);
	/* 100 × 0.8351 / 1.0512 = 79.4425418569... */
	assert_string_equal(b.data, "{\"from\":\"USD\",\"to\":\"GBP\",\"amount\":100,\"rate\":0.794425,"
	    "\"result\":79.44,\"date\":\"2026-11-20\",\"fetched_at\":\"2026-11-20T16:05:00Z\",\"stale\":false,"
	    "\"rates_used\":{\"USD\":{\"date\":\"2026-11-20\",\"source\":\"u\"},"
	    "\"GBP\":{\"date\":\"2026-11-20\",\"source\":\"u\"}}}");
	buf_free(&b);
	rates_free(r);
}

/* Two sources merged (merge.h): the ECB's GBP and USD of 2026-11-20,
 * another's AED of 2026-11-18, fetched a day earlier. */
static struct rates *
merged_two(void)
{
	struct rates *v[2], *m = NULL;
	char err[256];

	v[0] = parse_ok("{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"GBP\":0.8351,\"USD\":1.0512}}");
	v[1] = parse_ok("{\"base\":\"EUR\",\"date\":\"2026-11-18\",\"rates\":{\"AED\":3.9,\"GBP\":0.9}}");
	assert_int_equal(rates_set_origin(v[0], 1795190700, "https://ecb/daily.xml"), 0);
	assert_int_equal(rates_set_origin(v[1], 1795190700 - 86400, "http://fx/latest"), 0);
	assert_int_equal(merge_rates(v, 2, NULL, MERGE_KEEP_OLD, &m, err, sizeof(err)), 0);
	rates_free(v[0]);
	rates_free(v[1]);
	assert_non_null(m);
	return m;
}

/* "dates" names each rate whose date is not the answer's, and only those;
 * a rate against another base is as old as the older of the two. */
static void
test_render_dates_where_they_differ(void **state)
{
	struct rates *r = merged_two();
	const struct rate_entry *to[2] = { rates_find(r, "GBP"), rates_find(r, "USD") };
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "EUR"), NULL, 0, NULL, 0), 0);
	assert_string_equal(b.data, "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":"
	    "{\"AED\":3.9,\"GBP\":0.8351,\"USD\":1.0512},\"dates\":{\"AED\":\"2026-11-18\"}}");
	buf_free(&b);
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "EUR"), to, 2, NULL, 0), 0);
	assert_null(strstr(b.data, "dates"));
	buf_free(&b);
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "AED"), to, 2, NULL, 0), 0);
	assert_non_null(strstr(b.data, "},\"dates\":{\"GBP\":\"2026-11-18\",\"USD\":\"2026-11-18\"}}"));
	buf_free(&b);
	rates_free(r);
}

/* A conversion's date is its older rate's, its fetch time its older
 * source's; each rate used is named with its date and source. */
static void
test_render_conversion_of_two_sources(void **state)
{
	struct rates *r = merged_two();
	struct conversion c;
	struct dec amount = { 100, 0 };
	struct buf b;

	(void)state;
	assert_int_equal(rates_convert(rates_find(r, "AED"), rates_find(r, "GBP"), &amount, &c), RATES_OK);
	buf_init(&b, 4096);
	assert_int_equal(fxjson_render_conversion(&b, &c, r, 1), 0);
	assert_non_null(strstr(b.data, ",\"date\":\"2026-11-18\",\"fetched_at\":\"2026-11-19T16:05:00Z\","
	    "\"stale\":true,\"rates_used\":{\"AED\":{\"date\":\"2026-11-18\",\"source\":\"http://fx/latest\"},"
	    "\"GBP\":{\"date\":\"2026-11-20\",\"source\":\"https://ecb/daily.xml\"}}}"));
	buf_free(&b);
	/* The same currency both ways: named once. */
	assert_int_equal(rates_convert(rates_find(r, "GBP"), rates_find(r, "GBP"), &amount, &c), RATES_OK);
	buf_init(&b, 4096);
	assert_int_equal(fxjson_render_conversion(&b, &c, r, 0), 0);
	assert_non_null(strstr(b.data, "\"rates_used\":{\"GBP\":{\"date\":\"2026-11-20\","
	    "\"source\":\"https://ecb/daily.xml\"}}}"));
	buf_free(&b);
	rates_free(r);
}

/* The cache's form keeps every rate's date and source across a write and a
 * read; a document's "dates" are read back as each rate's own. */
static void
test_dates_and_sources_round_trip(void **state)
{
	struct rates *r = merged_two(), *back = NULL;
	const struct rate_entry *aed, *gbp;
	struct buf b;
	char err[256];

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "EUR"), NULL, 0, NULL, FXJSON_ORIGIN), 0);
	assert_non_null(strstr(b.data, "\"sources\":{\"AED\":{\"upstream\":\"http://fx/latest\","
	    "\"fetched_at\":\"2026-11-19T16:05:00Z\"}}"));
	assert_int_equal(fxjson_parse(b.data, b.len, &back, err, sizeof(err)), 0);
	assert_string_equal(rates_date(back), "2026-11-20");
	aed = rates_find(back, "AED");
	gbp = rates_find(back, "GBP");
	assert_string_equal(aed->date, "2026-11-18");
	assert_string_equal(rates_source(back, aed->src)->upstream, "http://fx/latest");
	assert_int_equal(rates_source(back, aed->src)->fetched_at, 1795190700 - 86400);
	assert_string_equal(gbp->date, "2026-11-20");
	assert_string_equal(rates_source(back, gbp->src)->upstream, "https://ecb/daily.xml");
	assert_int_equal(rates_source(back, gbp->src)->fetched_at, 1795190700);
	assert_int_equal(rates_nsources(back), 2);
	/* Written again, the same text. */
	struct buf again;
	buf_init(&again, 1 << 16);
	assert_int_equal(fxjson_render(&again, back, rates_find(back, "EUR"), NULL, 0, NULL, FXJSON_ORIGIN), 0);
	assert_string_equal(again.data, b.data);
	buf_free(&again);
	buf_free(&b);
	rates_free(back);
	rates_free(r);

	/* "dates" alone, as /latest gives it, with no origin: */
	r = parse_ok("{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"AED\":3.9,\"GBP\":0.8351},"
	    "\"dates\":{\"AED\":\"2026-11-18\"}}");
	assert_string_equal(rates_find(r, "AED")->date, "2026-11-18");
	assert_string_equal(rates_find(r, "GBP")->date, "2026-11-20");
	rates_free(r);
}

static void
test_bad_dates_and_sources_are_refused(void **state)
{
	static const struct {
		const char *body, *why;
	} bad[] = {
		{ "\"dates\":[]", "'dates' is not an object" },
		{ "\"dates\":{\"AED\":\"2026-02-30\"}", "dates.AED '2026-02-30': not a valid YYYY-MM-DD date" },
		{ "\"dates\":{\"AED\":1}", "dates.AED '': not a valid YYYY-MM-DD date" },
		{ "\"dates\":{\"AED\":\"2026-11-21\"}", "rates.AED: dated 2026-11-21, after 'date'" },
		{ "\"dates\":{\"USD\":\"2026-11-18\"}", "dates: USD has no rate in 'rates'" },
		{ "\"dates\":{\"aed\":\"2026-11-18\"}", "dates: code 'aed' is not three letters A-Z" },
		{ "\"dates\":{\"AED\":\"2026-11-18\",\"AED\":\"2026-11-17\"}", "dates.AED: listed twice" },
		{ "\"fetched_at\":\"2026-11-20T16:05:00Z\",\"sources\":{\"AED\":{\"upstream\":\"u\"}}",
		  "sources.AED: 'fetched_at' missing" },
		{ "\"fetched_at\":\"2026-11-20T16:05:00Z\",\"sources\":{\"AED\":{\"upstream\":1,"
		  "\"fetched_at\":\"2026-11-20T16:05:00Z\"}}", "sources.AED.upstream: not a URL" },
		{ "\"fetched_at\":\"2026-11-20T16:05:00Z\",\"sources\":{\"AED\":7}", "sources.AED is not an object" },
	};
	char body[512], err[512];
	struct rates *r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"AED\":3.9,"
		    "\"GBP\":0.8351},%s}", bad[i].body);
		r = NULL;
		assert_int_equal(fxjson_parse(body, strlen(body), &r, err, sizeof(err)), -1);
		assert_null(r);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", bad[i].body, err, bad[i].why);
	}
}

/* A time series' "dates", as cconvd's series answer writes them, are each
 * day's rates' own when read back; a day they name that the series lacks,
 * or a bad entry, refuses the document. */
static void
test_series_dates_are_read(void **state)
{
	static const char head[] = "{\"amount\":1.0,\"base\":\"EUR\",\"start_date\":\"2026-11-18\","
	    "\"end_date\":\"2026-11-20\",\"rates\":{\"2026-11-18\":{\"GBP\":0.81,\"USD\":1.2},"
	    "\"2026-11-20\":{\"GBP\":0.8351,\"USD\":1.0512}}";
	static const struct {
		const char *dates, *why;
	} bad[] = {
		{ "{\"2026-11-19\":{\"USD\":\"2026-11-17\"}}", "dates.2026-11-19: no such day in 'rates'" },
		{ "{\"2026-11-18\":{\"USD\":\"2026-11-19\"}}", "dated 2026-11-19, after 'date'" },
		{ "{\"2026-11-18\":{\"AED\":\"2026-11-17\"}}", "dates.2026-11-18: AED has no rate" },
		{ "{\"2026-11-18\":[]}", "dates.2026-11-18: not a YYYY-MM-DD date with an object of dates" },
		{ "{\"2026-11-18\":{\"USD\":\"x\"}}", "dates.2026-11-18.USD 'x': not a valid YYYY-MM-DD date" },
		{ "{\"2026-11-18\":{},\"2026-11-18\":{}}", "dates.2026-11-18: listed twice" },
		{ "7", "'dates' is not an object" },
	};
	struct rates **v = NULL;
	size_t n = 0;
	char body[1024], err[512] = "";

	(void)state;
	snprintf(body, sizeof(body), "%s,\"dates\":{\"2026-11-18\":{\"USD\":\"2026-11-17\"}}}", head);
	if (feed_parse(body, strlen(body), &v, &n, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(n, 2);
	assert_string_equal(rates_find(v[0], "USD")->date, "2026-11-17");
	assert_string_equal(rates_find(v[0], "GBP")->date, "2026-11-18");
	assert_string_equal(rates_find(v[1], "USD")->date, "2026-11-20");
	rates_vec_free(v, n);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "%s,\"dates\":%s}", head, bad[i].dates);
		v = NULL;
		n = 0;
		if (feed_parse(body, strlen(body), &v, &n, err, sizeof(err)) != -1 || strstr(err, bad[i].why) == NULL)
			fail_msg("%s: got '%s', wanted '%s'", bad[i].dates, err, bad[i].why);
		rates_vec_free(v, n);
	}
}

/* The daemon's error answers: /convert's "error", the Frankfurter routes'
 * "message"; anything else is not one. */
static void
test_error_sentence_of_either_key(void **state)
{
	static const struct {
		const char *body;
		const char *want;	/* NULL: not an error answer */
	} cases[] = {
		{ "{\"error\":\"no rates yet\"}", "no rates yet" },
		{ "{\"status\":404,\"message\":\"no rates on or before 1990-01-01\"}",
		  "no rates on or before 1990-01-01" },
		{ "{\"message\":\"first\",\"error\":\"second\"}", "first" },
		{ "{\"error\":\"caf\\u00e9\",\"x\":[1,{}]}", "caf\xc3\xa9" },
		{ "{\"message\":404}", NULL },
		{ "{\"detail\":\"x\"}", NULL },
		{ "[\"error\"]", NULL },
		{ "{\"error\":\"x\"} trailing", NULL },
		{ "<html>not here</html>", NULL },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = fxjson_error_sentence(cases[i].body, strlen(cases[i].body), out, sizeof(out));

		if (cases[i].want == NULL) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_body_keeps_exact_digits),
		cmocka_unit_test(test_rates_are_read_digit_for_digit),
		cmocka_unit_test(test_series_rates_are_read_digit_for_digit),
		cmocka_unit_test(test_every_rule_refuses),
		cmocka_unit_test(test_any_member_order_and_escaped_keys),
		cmocka_unit_test(test_body_size_limit),
		cmocka_unit_test(test_unknown_codes_are_skipped_and_base_listed_at_one_is_fine),
		cmocka_unit_test(test_render_latest_shape),
		cmocka_unit_test(test_render_roundtrip_with_origin),
		cmocka_unit_test(test_render_conversion),
		cmocka_unit_test(test_render_dates_where_they_differ),
		cmocka_unit_test(test_render_conversion_of_two_sources),
		cmocka_unit_test(test_dates_and_sources_round_trip),
		cmocka_unit_test(test_bad_dates_and_sources_are_refused),
		cmocka_unit_test(test_series_dates_are_read),
		cmocka_unit_test(test_error_sentence_of_either_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
