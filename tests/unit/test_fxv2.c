/*
 * Frankfurter v2 through feed_parse_each(): the array and NDJSON forms give
 * the same snapshots, one per date, handed on oldest first; a date-sorted
 * range goes on day by day as it is read; the identity row is skipped; a
 * date up to tomorrow (UTC) is taken, the day after refused; unknown codes
 * are named once; every broken record is refused with its number and rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unitlib.h"

#include "feed.h"
#include "fxv2.h"

/* A latest answer: sorted by quote, three dates, the identity row, a
 * currency the ECB lacks (AED), one no ISO 4217 list has (ZZZ). */
static const char latest[] =
    "[{\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"AED\",\"rate\":4.2712},\n"
    " {\"date\":\"2026-11-27\",\"base\":\"EUR\",\"quote\":\"ARS\",\"rate\":1212.5000},\n"
    " {\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"EUR\",\"rate\":1.0},\n"
    " {\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"GBP\",\"rate\":0.86080,"
    "\"providers\":[{\"key\":\"ECB\",\"date\":\"2026-11-30\",\"rate\":0.8608}]},\n"
    " {\"date\":\"2026-11-27\",\"base\":\"EUR\",\"quote\":\"TWD\",\"rate\":36.01},\n"
    " {\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"ZZZ\",\"rate\":2},\n"
    " {\"date\":\"2026-11-28\",\"base\":\"EUR\",\"quote\":\"VND\",\"rate\":27514}]\n";

/* Every snapshot the parser hands on, kept, with the order it came in. */
struct kept {
	struct rates *r[16];
	size_t n;
	const char *fail_at;	/* a date whose hand-on fails */
	size_t read_before[16];	/* for the streaming check: how far the text was read */
};

static int
keep(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct kept *k = arg;

	if (k->fail_at != NULL && strcmp(rates_date(*r), k->fail_at) == 0) {
		snprintf(err, errlen, "the sink's own reason");
		return -1;
	}
	assert_true(k->n < 16);
	k->r[k->n++] = *r;
	*r = NULL;
	return 0;
}

static void
kept_free(struct kept *k)
{
	for (size_t i = 0; i < k->n; i++)
		rates_free(k->r[i]);
	memset(k, 0, sizeof(*k));
}

static int
parse(const char *body, struct kept *k, struct feed_span *span, char *err, size_t errlen)
{
	const struct rates_sink sink = { keep, k };

	return feed_parse_each(body, strlen(body), &sink, span, err, errlen);
}

static void
parse_ok(const char *body, struct kept *k, struct feed_span *span)
{
	char err[512] = "";

	if (parse(body, k, span, err, sizeof(err)) != 0)
		fail_msg("refused a good document: %s", err);
}

static void
check_latest(const struct kept *k, const struct feed_span *span)
{
	assert_int_equal(k->n, 3);
	assert_string_equal(rates_date(k->r[0]), "2026-11-27");
	assert_string_equal(rates_date(k->r[1]), "2026-11-28");
	assert_string_equal(rates_date(k->r[2]), "2026-11-30");
	assert_string_equal(unit_rate(k->r[0], "ARS"), "1212.5000");
	assert_string_equal(unit_rate(k->r[0], "TWD"), "36.01");
	assert_string_equal(unit_rate(k->r[1], "VND"), "27514");
	assert_string_equal(unit_rate(k->r[2], "AED"), "4.2712");
	assert_string_equal(unit_rate(k->r[2], "GBP"), "0.86080");
	assert_string_equal(unit_rate(k->r[2], "EUR"), "1");
	assert_int_equal(rates_count(k->r[2]), 3);	/* AED, GBP and the pivot */
	assert_string_equal(rates_pivot(k->r[2])->code, "EUR");
	assert_int_equal(span->days, 3);
	assert_string_equal(span->first, "2026-11-27");
	assert_string_equal(span->last, "2026-11-30");
	assert_int_equal(span->nskipped, 1);
	assert_string_equal(span->skipped, "ZZZ");
}

/* The array of a latest answer: one snapshot per date, oldest first. */
static void
test_latest_array_mixed_dates(void **state)
{
	struct kept k = { .n = 0 };
	struct feed_span span;

	(void)state;
	parse_ok(latest, &k, &span);
	check_latest(&k, &span);
	kept_free(&k);
}

/* The same records as NDJSON (Accept: application/x-ndjson), blank lines
 * and CRLF included: the same snapshots. */
static void
test_ndjson_same_as_array(void **state)
{
	char body[sizeof(latest)];
	struct kept k = { .n = 0 };
	struct feed_span span;
	size_t j = 0;

	(void)state;
	/* One object a line: drop the array's brackets and commas between records. */
	for (const char *p = latest + 1; *p != '\0'; p++) {
		if (*p == ']' && p[1] == '\n' && p[2] == '\0')
			break;
		if (*p == ',' && p[1] == '\n')
			continue;
		body[j++] = *p;
	}
	body[j] = '\0';
	assert_int_equal(body[0], '{');
	assert_true(fxv2_is_ndjson(body, j));
	parse_ok(body, &k, &span);
	check_latest(&k, &span);
	kept_free(&k);

	parse_ok("\r\n{\"base\":\"EUR\",\"quote\":\"USD\",\"date\":\"2026-11-30\",\"rate\":1.05}\r\n\r\n"
	    "{\"rate\":0.86,\"quote\":\"GBP\",\"date\":\"2026-11-30\",\"base\":\"EUR\"}", &k, &span);
	assert_int_equal(k.n, 1);
	assert_string_equal(unit_rate(k.r[0], "GBP"), "0.86");
	kept_free(&k);

	/* A v1 object is not NDJSON, and is read as v1. */
	static const char v1[] = "{\"base\":\"EUR\",\"rates\":{\"quote\":1},\"quote\":2}";
	assert_false(fxv2_is_ndjson(v1, strlen(v1)));
}

/* A range answer, sorted by date then quote: each day goes on as soon as
 * its last record is read, before the text that follows is parsed. */
static int
stream_check(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct kept *k = arg;

	(void)err;
	(void)errlen;
	k->r[k->n++] = *r;
	*r = NULL;
	return 0;
}

static void
test_range_streams_days_in_order(void **state)
{
	static const char range[] =
	    "[{\"date\":\"2024-01-02\",\"base\":\"EUR\",\"quote\":\"AED\",\"rate\":4.05},"
	    "{\"date\":\"2024-01-02\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":1.0956},"
	    "{\"date\":\"2024-01-03\",\"base\":\"EUR\",\"quote\":\"AED\",\"rate\":4.01},"
	    "{\"date\":\"2024-01-03\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":1.0919},"
	    "{\"date\":\"2024-01-04\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":1.0953}]";
	struct kept k = { .n = 0 };
	const struct rates_sink sink = { stream_check, &k };
	struct feed_span span;
	char err[256], body[sizeof(range) + 128];

	(void)state;
	/* Days one and two are handed on before day three's last record breaks
	 * a rule: the parser did not hold the range to its end. */
	snprintf(body, sizeof(body), "%.*s,{\"date\":\"2024-01-04\",\"base\":\"EUR\",\"quote\":\"USD\","
	    "\"rate\":1.0954}]", (int)(sizeof(range) - 2), range);
	assert_int_equal(fxv2_parse_feed(body, strlen(body), &sink, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "Frankfurter v2 record 6: 2024-01-04 USD: listed twice");
	assert_int_equal(k.n, 2);
	assert_string_equal(rates_date(k.r[0]), "2024-01-02");
	assert_string_equal(rates_date(k.r[1]), "2024-01-03");
	assert_string_equal(unit_rate(k.r[1], "USD"), "1.0919");
	kept_free(&k);

	parse_ok(range, &k, &span);
	assert_int_equal(k.n, 3);
	assert_int_equal(span.days, 3);
	assert_int_equal(span.nskipped, 0);
	assert_string_equal(span.skipped, "");
	assert_string_equal(rates_date(k.r[2]), "2024-01-04");
	kept_free(&k);
}

/* Tomorrow in UTC is taken (Frankfurter's latest is anchored on today + 1),
 * the day after is refused.  The clock is the parser's own: should the date
 * turn while the test runs, it runs again on the new one. */
static void
test_tomorrow_taken_day_after_refused(void **state)
{
	char tomorrow[DT_DATE_LEN], after[DT_DATE_LEN], today[DT_DATE_LEN], still[DT_DATE_LEN];
	char body[512], err[256], want[128];
	struct kept k = { .n = 0 };
	struct feed_span span;
	int64_t now;
	int rc_tomorrow = -1, rc_after = 0;

	(void)state;
	for (int tries = 0; tries < 2; tries++) {
		now = (int64_t)time(NULL);
		dt_date(now, today);
		dt_date(now + 86400, tomorrow);
		dt_date(now + 2 * 86400, after);
		snprintf(body, sizeof(body), "[{\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"GBP\","
		    "\"rate\":0.86},"
		    "{\"date\":\"%s\",\"base\":\"EUR\",\"quote\":\"NZD\",\"rate\":1.9}]", tomorrow);
		rc_tomorrow = parse(body, &k, &span, err, sizeof(err));
		if (rc_tomorrow == 0)
			assert_string_equal(span.last, tomorrow);
		kept_free(&k);
		snprintf(body, sizeof(body), "[{\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"GBP\","
		    "\"rate\":0.86},"
		    "{\"date\":\"%s\",\"base\":\"EUR\",\"quote\":\"NZD\",\"rate\":1.9}]", after);
		rc_after = parse(body, &k, &span, err, sizeof(err));
		kept_free(&k);
		dt_date((int64_t)time(NULL), still);
		if (strcmp(today, still) == 0)
			break;
	}
	assert_int_equal(rc_tomorrow, 0);
	assert_int_equal(rc_after, -1);
	snprintf(want, sizeof(want), "Frankfurter v2: the date %s is in the future", after);
	assert_string_equal(err, want);
}

/* Every broken record refuses the document, named by its number and rule. */
static void
test_bad_records_refused(void **state)
{
#define REC(d, b, q, r) "{\"date\":" d ",\"base\":" b ",\"quote\":" q ",\"rate\":" r "}"
#define OK REC("\"2026-11-30\"", "\"EUR\"", "\"USD\"", "1.05")
	static const struct {
		const char *body, *want;
	} cases[] = {
		{ "[" OK "," "{\"date\":\"2026-11-30\",\"base\":\"EUR\",\"quote\":\"GBP\"}]",
		  "Frankfurter v2 record 2: 'rate' missing" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"EUR\"", "\"GBP\"", "\"0.86\"") "]",
		  "Frankfurter v2 record 2: 'rate' is not a number" },
		{ "[" OK "," REC("20261130", "\"EUR\"", "\"GBP\"", "0.86") "]",
		  "Frankfurter v2 record 2: 'date' is not a string" },
		{ "[" OK "," REC("\"2026-02-30\"", "\"EUR\"", "\"GBP\"", "0.86") "]",
		  "Frankfurter v2 record 2: 'date' '2026-02-30': not a valid YYYY-MM-DD date" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"USD\"", "\"GBP\"", "0.86") "]",
		  "Frankfurter v2 record 2: 'base' USD differs from the first record's EUR (a document has one base)" },
		{ "[" REC("\"2026-11-30\"", "\"XYZ\"", "\"GBP\"", "0.86") "]",
		  "Frankfurter v2 record 1: 'base' 'XYZ': unknown currency" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"EUR\"", "\"gbp\"", "0.86") "]",
		  "Frankfurter v2 record 2: 'quote' 'gbp': not three letters A-Z" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"EUR\"", "\"GBP\"", "0") "]",
		  "Frankfurter v2 record 2: 2026-11-30 GBP: must be a number > 0" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"EUR\"", "\"GBP\"", "1e16") "]",
		  "Frankfurter v2 record 2: 2026-11-30 GBP: outside 1e-12 .. 1e15" },
		{ "[" OK "," OK "]", "Frankfurter v2 record 2: 2026-11-30 USD: listed twice" },
		{ "[" OK "," REC("\"2026-11-30\"", "\"EUR\"", "\"EUR\"", "1.1") "]",
		  "Frankfurter v2 record 2: 2026-11-30 EUR: the base currency must have rate 1" },
		{ "[" OK ",{\"date\":\"2026-11-30\",\"date\":\"2026-11-29\"}]",
		  "Frankfurter v2 record 2: 'date' given twice" },
		{ "[" OK ",[1]]", "Frankfurter v2 record 2: not an object" },
		{ "[]", "Frankfurter v2: no records" },
		{ "[" REC("\"2026-11-30\"", "\"EUR\"", "\"EUR\"", "1") "]",
		  "Frankfurter v2: no record but the base's own" },
		{ "[" REC("\"2026-11-30\"", "\"EUR\"", "\"ZZZ\"", "1") "]",
		  "Frankfurter v2: no rate for any known currency besides the base" },
		{ "[" OK "," OK, "Frankfurter v2: not JSON (line 1: unexpected end of the text (',' or ']'))" },
		{ OK "\n" OK " " OK "\n",
		  "Frankfurter v2: not JSON (line 2: unexpected '{' (nothing after the value))" },
		{ OK "\n\n{\"quote\":\"GBP\",\"rate\":0.86,\"base\":\"EUR\"}\n",
		  "Frankfurter v2 record 2: 'date' missing" },
		{ "[" REC("\"2026-11-30\"", "\"EUR\"", "\"USD\"", "1.05") ","
		  REC("\"2026-11-29\"", "\"EUR\"", "\"USD\"", "1.04") ","
		  REC("\"2026-11-30\"", "\"EUR\"", "\"USD\"", "1.06") "]",
		  "Frankfurter v2 record 3: 2026-11-30 USD: listed twice" },
	};
	struct kept k = { .n = 0 };
	struct feed_span span;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].body, &k, &span, err, sizeof(err)) != -1)
			fail_msg("case %zu taken: %s", i, cases[i].body);
		if (strcmp(err, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].want);
		kept_free(&k);
	}
	/* The sink's failure comes back as its own message. */
	k.fail_at = "2026-11-28";
	assert_int_equal(parse(latest, &k, &span, err, sizeof(err)), -1);
	assert_string_equal(err, "the sink's own reason");
	assert_int_equal(k.n, 1);
	kept_free(&k);
#undef OK
#undef REC
}

/* Unknown codes are named once for the document, in code order, however
 * many days list them. */
static void
test_skipped_codes_named(void **state)
{
	static const char body[] =
	    "[{\"date\":\"2026-11-26\",\"base\":\"USD\",\"quote\":\"ZZZ\",\"rate\":2},"
	    "{\"date\":\"2026-11-26\",\"base\":\"USD\",\"quote\":\"QQQ\",\"rate\":2},"
	    "{\"date\":\"2026-11-26\",\"base\":\"USD\",\"quote\":\"EUR\",\"rate\":0.95},"
	    "{\"date\":\"2026-11-27\",\"base\":\"USD\",\"quote\":\"ZZZ\",\"rate\":2.1},"
	    "{\"date\":\"2026-11-27\",\"base\":\"USD\",\"quote\":\"EUR\",\"rate\":0.96}]";
	struct kept k = { .n = 0 };
	struct feed_span span;

	(void)state;
	parse_ok(body, &k, &span);
	assert_int_equal(k.n, 2);
	assert_string_equal(rates_pivot(k.r[0])->code, "USD");
	assert_int_equal(span.nskipped, 2);
	assert_string_equal(span.skipped, "QQQ, ZZZ");
	kept_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest_array_mixed_dates),
		cmocka_unit_test(test_ndjson_same_as_array),
		cmocka_unit_test(test_range_streams_days_in_order),
		cmocka_unit_test(test_tomorrow_taken_day_after_refused),
		cmocka_unit_test(test_bad_records_refused),
		cmocka_unit_test(test_skipped_codes_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
