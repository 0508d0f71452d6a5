/*
 * Merging views with precedence: the carry-forward window at its edges,
 * the latest rates keeping old observations, days after the reference
 * ignored, rebasing another pivot, sources made one, and the per-entry
 * staleness a merged snapshot then has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "merge.h"

/*
 * A view from upstream: "GBP=0.85" has the view's date, "GBP=0.85@2026-11-02"
 * its own; comma-separated.
 */
static struct rates *
view(const char *base, const char *date, const char *upstream, int64_t fetched_at, const char *spec)
{
	char err[256], buf[512], *save = NULL;
	struct rates *r = rates_new(base, date, err, sizeof(err));

	assert_non_null(r);
	assert_int_equal(rates_set_origin(r, fetched_at, upstream), 0);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char code[4], *at = strchr(tok, '@'), *eq = strchr(tok, '=');
		struct dec v;

		assert_non_null(eq);
		memcpy(code, tok, 3);
		code[3] = '\0';
		if (at != NULL)
			*at++ = '\0';
		assert_int_equal(dec_parse(eq + 1, strlen(eq + 1), &v), 0);
		assert_int_equal(rates_add_obs(r, code, &v, at != NULL ? at : date, 0, err, sizeof(err)), RATES_ADDED);
	}
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	return r;
}

/* "0.85 2026-11-30 ecb" for code in r, or "absent". */
static const char *
show(const struct rates *r, const char *code, char *out, size_t outlen)
{
	const struct rate_entry *e = rates_find(r, code);
	char num[DEC_STRLEN];

	if (e == NULL)
		return "absent";
	dec_format(&e->rate, num, sizeof(num));
	snprintf(out, outlen, "%s %s %s", num, e->date, rates_source(r, e->src)->upstream);
	return out;
}

static struct rates *
merged(struct rates *const *views, size_t n, const char *on, int flags)
{
	char err[256];
	struct rates *out = (struct rates *)1;

	assert_int_equal(merge_rates(views, n, on, flags, &out, err, sizeof(err)), 0);
	return out;
}

static void
test_precedence(void **state)
{
	char b[128];
	struct rates *v[3], *m;

	(void)state;
	v[0] = view("EUR", "2026-11-30", "ecb", 100, "GBP=0.8723,USD=1.0512");
	v[1] = NULL;	/* a source with nothing yet */
	v[2] = view("EUR", "2026-12-01", "fx2", 200, "GBP=0.8799,USD=1.0599,AED=3.8612@2026-11-28");
	m = merged(v, 3, NULL, MERGE_KEEP_OLD);
	/* The first view wins where it has a rate in the window, even an older one. */
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.8723 2026-11-30 ecb");
	assert_string_equal(show(m, "USD", b, sizeof(b)), "1.0512 2026-11-30 ecb");
	/* The rest of the world from the second, with its own date. */
	assert_string_equal(show(m, "AED", b, sizeof(b)), "3.8612 2026-11-28 fx2");
	assert_string_equal(rates_date(m), "2026-11-30");	/* its newest entry */
	assert_string_equal(rates_upstream(m), "ecb");
	assert_int_equal(rates_fetched_at(m), 200);
	assert_int_equal(rates_count(m), 4);
	rates_free(m);
	/* The other order: the same currencies from the other source. */
	m = merged((struct rates *[]){ v[2], v[0] }, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.8799 2026-12-01 fx2");
	assert_string_equal(rates_date(m), "2026-12-01");
	rates_free(m);
	/* The snapshot's upstream is the source that gave the most, not the first. */
	rates_free(v[0]);
	v[0] = view("EUR", "2026-11-30", "ecb", 100, "KWD=0.32411");
	m = merged(v, 3, NULL, MERGE_KEEP_OLD);
	assert_string_equal(rates_upstream(m), "fx2");
	assert_string_equal(show(m, "KWD", b, sizeof(b)), "0.32411 2026-11-30 ecb");
	rates_free(m);
	rates_free(v[0]);
	rates_free(v[2]);
}

static void
test_window_edges(void **state)
{
	char b[128];
	struct rates *v[2], *m;

	(void)state;
	/* ecb's GBP is 14 days before fx2's newest day: still in the window. */
	v[0] = view("EUR", "2026-11-17", "ecb", 1, "GBP=0.85,USD=1.04");
	v[1] = view("EUR", "2026-12-01", "fx2", 2, "GBP=0.88,AED=3.86,USD=1.05@2026-11-16");
	m = merged(v, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.85 2026-11-17 ecb");
	rates_free(m);
	/* One day later it has left the window: the second source takes over. */
	m = merged(v, 2, "2026-12-02", MERGE_KEEP_OLD);
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.88 2026-12-01 fx2");
	/* Nobody has USD in the window: the latest keeps the newest there is,
	 * ecb's (2026-11-17), over fx2's older one, whatever the order. */
	assert_string_equal(show(m, "USD", b, sizeof(b)), "1.04 2026-11-17 ecb");
	rates_free(m);
	/* A past day's view leaves it out instead. */
	m = merged(v, 2, "2026-12-02", 0);
	assert_string_equal(show(m, "USD", b, sizeof(b)), "absent");
	assert_string_equal(show(m, "AED", b, sizeof(b)), "3.86 2026-12-01 fx2");
	rates_free(m);
	/* Observations after the reference day are never used. */
	m = merged(v, 2, "2026-11-20", 0);
	assert_string_equal(show(m, "AED", b, sizeof(b)), "absent");
	assert_string_equal(show(m, "USD", b, sizeof(b)), "1.04 2026-11-17 ecb");
	assert_string_equal(rates_date(m), "2026-11-17");
	rates_free(m);
	/* Nothing qualifies: no snapshot, and no error. */
	m = merged(v, 2, "2026-11-01", 0);
	assert_null(m);
	rates_free(v[0]);
	rates_free(v[1]);
}

static void
test_fold_days(void **state)
{
	char b[128];
	struct rates *days[3], *m;

	(void)state;
	/* The days of one feed, newest first, folded into its latest rates:
	 * each currency's newest observation, one source with the newest
	 * confirmation. */
	days[0] = view("EUR", "2026-12-01", "fx2", 30, "GBP=0.88");
	days[1] = view("EUR", "2026-11-30", "fx2", 20, "GBP=0.87,CYP=0.58");
	days[2] = view("EUR", "2007-12-31", "fx2", 10, "MTL=0.4293");
	m = merged(days, 3, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.88 2026-12-01 fx2");
	assert_string_equal(show(m, "CYP", b, sizeof(b)), "0.58 2026-11-30 fx2");
	/* A withdrawn currency's old rate is history, not latest rates. */
	assert_string_equal(show(m, "MTL", b, sizeof(b)), "absent");
	rates_free(m);
	rates_free(days[2]);
	days[2] = view("EUR", "2007-12-31", "fx2", 10, "MTL=0.4293,GBP=0.73");
	m = merged((struct rates *[]){ days[2] }, 1, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "MTL", b, sizeof(b)), "0.4293 2007-12-31 fx2");	/* in its time */
	rates_free(m);
	/* A currency in use stays however old, for the latest rates. */
	rates_free(days[1]);
	days[1] = view("EUR", "2026-12-01", "fx2", 30, "AED=3.86");
	m = merged((struct rates *[]){ days[1], days[2] }, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "MTL", b, sizeof(b)), "absent");
	assert_string_equal(show(m, "GBP", b, sizeof(b)), "0.73 2007-12-31 fx2");
	assert_int_equal(rates_nsources(m), 1);
	assert_int_equal(rates_fetched_at(m), 30);
	rates_free(m);
	for (int i = 0; i < 3; i++)
		rates_free(days[i]);
}

static void
test_rebase(void **state)
{
	char b[128];
	struct rates *v[2], *m;

	(void)state;
	/* A USD-based source beside a EUR-based one: its rates count through
	 * its own EUR rate, dated the older of the two. */
	v[0] = view("EUR", "2026-12-01", "ecb", 1, "USD=1.25");
	v[1] = view("USD", "2026-12-01", "usd", 2, "EUR=0.8@2026-11-30,AED=3.6725");
	m = merged(v, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "AED", b, sizeof(b)), "4.590625 2026-11-30 usd");
	assert_string_equal(show(m, "USD", b, sizeof(b)), "1.25 2026-12-01 ecb");
	rates_free(m);
	/* Without the ECB's USD, USD itself comes through the rebase: 1 / 0.8. */
	rates_free(v[0]);
	v[0] = view("EUR", "2026-12-01", "ecb", 1, "GBP=0.8");
	m = merged(v, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "USD", b, sizeof(b)), "1.25 2026-11-30 usd");
	rates_free(m);
	/* A source with another pivot and no rate for ours adds nothing. */
	rates_free(v[1]);
	v[1] = view("USD", "2026-12-01", "usd", 2, "AED=3.6725");
	m = merged(v, 2, NULL, MERGE_KEEP_OLD);
	assert_string_equal(show(m, "AED", b, sizeof(b)), "absent");
	rates_free(m);
	rates_free(v[0]);
	rates_free(v[1]);
}

static void
test_staleness_per_source(void **state)
{
	struct rates *v[2], *m;
	const struct rate_entry *gbp, *aed;
	int64_t now = calendar_publication_time(dt_date_days("2026-12-01")) + 3600;
	int64_t stale_old;

	(void)state;
	/* ecb confirmed just now for today's rates; fx2 last answered two days ago. */
	v[0] = view("EUR", "2026-12-01", "https://www.ecb.europa.eu/x.xml", now, "GBP=0.87");
	v[1] = view("EUR", "2026-11-27", "https://api.frankfurter.dev/v2/rates", now - 2 * 86400,
	    "GBP=0.88,AED=3.86");
	m = merged(v, 2, NULL, MERGE_KEEP_OLD);
	gbp = rates_find(m, "GBP");
	aed = rates_find(m, "AED");
	/* The entry of the quiet source is stale; the snapshot as a whole is
	 * not while one source is current. */
	assert_true(now >= rates_entry_stale_from(m, aed, 86400));
	assert_false(now >= rates_entry_stale_from(m, gbp, 86400));
	assert_false(rates_stale_at(m, now, 86400));
	/* The pivot never makes a conversion stale. */
	assert_int_equal(rates_entry_stale_from(m, rates_find(m, "EUR"), 86400), INT64_MAX);
	/* Every source stale: the snapshot is. */
	stale_old = rates_stale_from(m, 86400);
	assert_true(rates_stale_at(m, stale_old, 86400));
	rates_set_stale(m, 1);
	assert_true(rates_stale(m));
	assert_true(rates_stale_at(m, now, 86400));
	rates_free(m);
	rates_free(v[0]);
	rates_free(v[1]);
}

static void
test_observation_rules(void **state)
{
	char err[256];
	struct rates *r = rates_new("EUR", "2026-12-01", err, sizeof(err)), *c;
	struct dec v = { 85, 2 };

	(void)state;
	assert_non_null(r);
	/* A date after the snapshot's, or a source it does not have, is refused. */
	assert_int_equal(rates_add_obs(r, "GBP", &v, "2026-12-02", 0, err, sizeof(err)), RATES_REJECTED);
	assert_int_equal(rates_add_obs(r, "GBP", &v, "2026-11-30", 1, err, sizeof(err)), RATES_REJECTED);
	assert_int_equal(rates_add_source(r, "fx2", 7, 0, err, sizeof(err)), 1);
	assert_int_equal(rates_add_obs(r, "GBP", &v, "2026-11-30", 1, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_string_equal(rates_source(r, 1)->date, "2026-11-30");
	assert_string_equal(rates_source(r, 0)->date, "");	/* gave nothing but the pivot */
	/* A reconfirmed copy keeps every source and confirms each. */
	c = rates_reconfirmed(r, 99);
	assert_non_null(c);
	assert_int_equal(rates_nsources(c), 2);
	assert_string_equal(rates_source(c, 1)->upstream, "fx2");
	assert_int_equal(rates_source(c, 1)->fetched_at, 99);
	assert_string_equal(rates_find(c, "GBP")->date, "2026-11-30");
	rates_free(c);
	rates_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_fold_days),
		cmocka_unit_test(test_rebase),
		cmocka_unit_test(test_staleness_per_source),
		cmocka_unit_test(test_observation_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
