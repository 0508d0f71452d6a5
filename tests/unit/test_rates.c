/*
 * Snapshots: building, validation of each rate, lookups, conversions
 * through a pivot that is not EUR (the rebasing rule: exact, at answer time),
 * the /currencies object and vectors of snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rates.h"

static struct dec
d(const char *text)
{
	struct dec v;

	assert_int_equal(dec_parse(text, strlen(text), &v), 0);
	return v;
}

static const char *
fmt(const struct dec *v, char *out)
{
	dec_format(v, out, DEC_STRLEN);
	return out;
}

static void
test_build_and_validate(void **state)
{
	char err[256];
	struct rates *r;
	struct dec v;

	(void)state;
	/* Each message is the reason alone: the caller names the snapshot or
	 * the rate in its own format's terms (rates.h). */
	assert_null(rates_new("XYZ", "2026-11-20", err, sizeof(err)));
	assert_string_equal(err, "base 'XYZ': unknown currency");
	assert_null(rates_new("EUR", "2026-13-01", err, sizeof(err)));
	assert_string_equal(err, "date '2026-13-01': not a valid YYYY-MM-DD date");

	r = rates_new("EUR", "2026-11-20", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(rates_finish(r, err, sizeof(err)), -1);	/* nothing but the pivot */
	assert_string_equal(err, "no rate for any known currency besides the base");
	v = d("1.0512");
	assert_int_equal(rates_add(r, "USD", &v, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_add(r, "USD", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "listed twice");
	assert_int_equal(rates_add(r, "usd", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "not three letters A-Z");
	assert_int_equal(rates_add(r, "QQQ", &v, err, sizeof(err)), RATES_SKIPPED);
	v = d("0");
	assert_int_equal(rates_add(r, "GBP", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "must be a number > 0");
	v = d("0.0000000000001");
	assert_int_equal(rates_add(r, "GBP", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "0.0000000000001 is outside 1e-12 .. 1e15");
	v = d("1000000000000001");
	assert_int_equal(rates_add(r, "GBP", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "1000000000000001 is outside 1e-12 .. 1e15");
	v = d("2");
	assert_int_equal(rates_add(r, "EUR", &v, err, sizeof(err)), RATES_REJECTED);
	assert_string_equal(err, "the base currency must have rate 1");
	v = d("0.8351");
	assert_int_equal(rates_add(r, "GBP", &v, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);

	assert_int_equal(rates_count(r), 3);
	assert_string_equal(rates_at(r, 0)->cur->code, "EUR");	/* code order */
	assert_string_equal(rates_at(r, 1)->cur->code, "GBP");
	assert_string_equal(rates_at(r, 2)->cur->code, "USD");
	assert_null(rates_at(r, 3));
	assert_non_null(rates_find(r, "USD"));
	assert_null(rates_find(r, "JPY"));
	assert_string_equal(rates_upstream(r), "");
	assert_int_equal(rates_set_origin(r, 42, "file:///x.json"), 0);
	assert_int_equal(rates_fetched_at(r), 42);
	assert_string_equal(rates_upstream(r), "file:///x.json");
	rates_free(r);
}

/*
 * The same market seen from a USD-based upstream: EUR→GBP must give the same
 * cent as from the EUR-based snapshot, because no stored rate was rounded.
 */
static void
test_non_eur_pivot_converts_exactly(void **state)
{
	char err[256], t1[DEC_STRLEN], t2[DEC_STRLEN];
	struct rates *r = rates_new("USD", "2026-11-20", err, sizeof(err));
	struct conversion c;
	struct dec eur = d("0.95"), gbp = d("0.8"), amount = d("1000000");

	(void)state;
	assert_non_null(r);
	assert_int_equal(rates_add(r, "EUR", &eur, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_add(r, "GBP", &gbp, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_int_equal(rates_convert(rates_find(r, "EUR"), rates_find(r, "GBP"), &amount, &c), RATES_OK);
	/* 1e6 × 0.8 / 0.95 = 842105.263157894… */
	assert_string_equal(fmt(&c.result, t1), "842105.26");
	assert_string_equal(fmt(&c.rate, t2), "0.842105");
	assert_string_equal(c.from->code, "EUR");
	assert_string_equal(c.to->code, "GBP");
	rates_free(r);
}

static void
test_rounding_and_minor_units(void **state)
{
	char err[256], t[DEC_STRLEN];
	struct rates *r = rates_new("EUR", "2026-11-20", err, sizeof(err));
	struct conversion c;
	struct dec jpy = d("163.5"), kwd = d("0.32411"), amount;

	(void)state;
	assert_int_equal(rates_add(r, "JPY", &jpy, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_add(r, "KWD", &kwd, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	amount = d("1");	/* 163.5 JPY: exactly halfway, rounds away from zero */
	assert_int_equal(rates_convert(rates_find(r, "EUR"), rates_find(r, "JPY"), &amount, &c), RATES_OK);
	assert_string_equal(fmt(&c.result, t), "164");
	amount = d("3");	/* 490.5 → 491 (banker's rounding would give 490) */
	assert_int_equal(rates_convert(rates_find(r, "EUR"), rates_find(r, "JPY"), &amount, &c), RATES_OK);
	assert_string_equal(fmt(&c.result, t), "491");
	amount = d("1234.5");	/* 400.113795 KWD */
	assert_int_equal(rates_convert(rates_find(r, "EUR"), rates_find(r, "KWD"), &amount, &c), RATES_OK);
	assert_string_equal(fmt(&c.result, t), "400.114");
	amount = d("0");
	assert_int_equal(rates_convert(rates_find(r, "KWD"), rates_find(r, "JPY"), &amount, &c), RATES_OK);
	assert_string_equal(fmt(&c.result, t), "0");
	rates_free(r);
}

/* The pivot's shortcut in rates_cross() gives what the general formula gives. */
static void
test_cross_from_pivot_is_the_rate(void **state)
{
	static const char *const texts[] = { "1", "160", "163.36", "0.86080", "0.000000000001", "1000000000000000",
	    "1.0000", "0.32411", "123456789.123456789", "7.45" };
	const struct rate_entry pivot = { .cur = currency_find("EUR"), .rate = { 1, 0 } };
	static const struct dec one = { 1, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct rate_entry to = { .cur = currency_find("USD"), .rate = { 0, 0 } };
		struct dec fast, slow;
		char a[DEC_STRLEN], b[DEC_STRLEN];
		int sig;

		assert_int_equal(dec_parse(texts[i], strlen(texts[i]), &to.rate), 0);
		sig = dec_digits(&to.rate) > 6 ? dec_digits(&to.rate) : 6;
		assert_int_equal(rates_cross(&pivot, &to, NULL, &fast), 0);
		assert_int_equal(money_muldiv_sig(&one, &to.rate, &pivot.rate, sig, &slow), 0);
		dec_format(&fast, a, sizeof(a));
		dec_format(&slow, b, sizeof(b));
		assert_string_equal(a, b);
	}
}

/*
 * An amount times a rate (/latest?amount=…): exact to the one-unit rate's
 * decimals plus the amount's, so a large amount keeps every digit of the
 * rate's precision, and from the pivot the exact product.
 */
static void
test_cross_with_amount(void **state)
{
	static const struct {
		const char *from, *to, *amount, *want;
	} cases[] = {
		/* 123456789 × 0.8351 / 1.0512 = 98077211.27654109…, rate 0.794425 (6 decimals) */
		{ "1.0512", "0.8351", "123456789", "98077211.276541" },
		{ "1.0512", "0.8351", "1", "0.794425" },
		/* 0.5 × 0.8351 / 1.0512 = 0.39721270928…: 6 + 1 decimals */
		{ "1.0512", "0.8351", "0.5", "0.3972127" },
		/* from the pivot: the product, exact, trailing zeros removed */
		{ "1", "163.36", "12345.678", "2016789.95808" },
		{ "1", "1.0512", "0.5", "0.5256" },
		{ "1", "1.0000", "0.12345678", "0.12345678" },
		/* to the pivot: 10 / 0.8351 = 11.97461381…, rate 1.19746 (5 decimals) */
		{ "0.8351", "1", "10", "11.97461" },
		/* a cross rate over 10^6 keeps its integer digits */
		{ "0.00001", "163.36", "3", "49008000" },
	};
	char t[DEC_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rate_entry from = { .cur = currency_find("USD"), .rate = d(cases[i].from) };
		struct rate_entry to = { .cur = currency_find("GBP"), .rate = d(cases[i].to) };
		struct dec amount = d(cases[i].amount), v;

		assert_int_equal(rates_cross(&from, &to, &amount, &v), 0);
		assert_string_equal(fmt(&v, t), cases[i].want);
	}
}

/* The /currencies object: every entry, the pivot included, in code order;
 * -1 once the buffer's cap is reached. */
static void
test_render_currencies(void **state)
{
	char err[256];
	struct rates *r;
	struct buf b;
	struct dec v;

	(void)state;
	assert_non_null(r = rates_new("USD", "2026-11-20", err, sizeof(err)));
	v = d("0.79");
	assert_int_equal(rates_add(r, "GBP", &v, err, sizeof(err)), RATES_ADDED);
	v = d("0.95");
	assert_int_equal(rates_add(r, "EUR", &v, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);

	buf_init(&b, 4096);
	assert_int_equal(rates_render_currencies(&b, r), 0);
	assert_string_equal(b.data, "{\"EUR\":\"Euro\",\"GBP\":\"British Pound\",\"USD\":\"United States Dollar\"}");
	buf_free(&b);

	buf_init(&b, 20);
	assert_int_equal(rates_render_currencies(&b, r), -1);
	buf_free(&b);
	rates_free(r);
}

static struct rates *
one_day(const char *date)
{
	char err[256];
	struct rates *r = rates_new("EUR", date, err, sizeof(err));
	struct dec v = d("1.05");

	assert_non_null(r);
	assert_int_equal(rates_add(r, "USD", &v, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	return r;
}

/* A vector grows as it is appended to, in order, stops at RATES_VEC_MAX
 * leaving the refused snapshot to the caller, and frees what it holds. */
static void
test_vec(void **state)
{
	struct rates **v = NULL, *extra;
	size_t n = 0, cap = 0;

	(void)state;
	rates_vec_free(NULL, 0);
	assert_int_equal(rates_vec_append(&v, &n, &cap, one_day("2026-11-19")), 0);
	assert_int_equal(rates_vec_append(&v, &n, &cap, one_day("2026-11-20")), 0);
	assert_int_equal(n, 2);
	assert_true(cap >= 2);
	assert_string_equal(rates_date(v[0]), "2026-11-19");
	assert_string_equal(rates_date(v[1]), "2026-11-20");
	/* Fill to the bound with empty slots (rates_free(NULL) is a no-op). */
	while (n < RATES_VEC_MAX)
		assert_int_equal(rates_vec_append(&v, &n, &cap, NULL), 0);
	extra = one_day("2026-11-21");
	assert_int_equal(rates_vec_append(&v, &n, &cap, extra), -1);
	assert_int_equal(n, RATES_VEC_MAX);
	assert_string_equal(rates_date(v[1]), "2026-11-20");
	rates_free(extra);
	rates_vec_free(v, n);	/* ASan: both snapshots freed once, the array too */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_validate),
		cmocka_unit_test(test_non_eur_pivot_converts_exactly),
		cmocka_unit_test(test_rounding_and_minor_units),
		cmocka_unit_test(test_cross_from_pivot_is_the_rate),
		cmocka_unit_test(test_cross_with_amount),
		cmocka_unit_test(test_render_currencies),
		cmocka_unit_test(test_vec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
