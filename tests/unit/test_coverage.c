/*
 * coverage: series as the store reads them, merged into providers (by key)
 * and currencies, each with the first and last date of its observations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "coverage.h"

#define ECB_DAILY "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
#define ECB_90D "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
#define V2 "https://api.frankfurter.dev/v2/rates?base=EUR"

static void
add(struct coverage *c, const char *upstream, const char *base, const char *code, const char *first,
    const char *last)
{
	char err[256];

	if (coverage_add(c, upstream, base, code, first, last, err, sizeof(err)) != 0)
		fail_msg("%s %s: %s", upstream, code, err);
}

/* The codes of provider p, joined by ','. */
static const char *
codes_of(const struct coverage *c, const struct coverage_provider *p)
{
	static char out[256];
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < p->nrows && used + 5 < sizeof(out); i++) {
		memcpy(out + used, coverage_row(c, p->first_row + i, NULL), 3);
		used += 3;
		out[used++] = ',';
	}
	out[used > 0 ? used - 1 : 0] = '\0';
	return out;
}

static void
test_providers_and_currencies(void **state)
{
	const char *const order[] = { ECB_DAILY, V2 };
	struct coverage *c = coverage_new(order, 2);
	const struct coverage_provider *ecb, *fx, *imp;
	struct coverage_span span;
	char err[256];

	(void)state;
	assert_non_null(c);
	/* The ECB's 90-day feed and daily file are one provider, its URL the one configured. */
	add(c, ECB_90D, "EUR", "USD", "2026-09-01", "2026-11-19");
	add(c, ECB_DAILY, "EUR", "USD", "2026-11-20", "2026-11-20");
	add(c, ECB_DAILY, "EUR", "GBP", "2026-11-20", "2026-11-20");
	add(c, V2, "EUR", "AED", "2026-11-21", "2026-11-21");
	add(c, V2, "EUR", "USD", "2026-11-20", "2026-11-20");
	add(c, "import file:///tmp/old.csv", "EUR", "CYP", "2007-12-28", "2007-12-31");
	add(c, "import file:///tmp/old.csv", "EUR", "ZZZ", "2007-12-28", "2007-12-31");	/* no such currency */
	/* An old import quoted against USD: the base of its newest series is the pivot. */
	add(c, "import file:///tmp/usd.json", "USD", "JPY", "2001-01-02", "2001-01-03");
	assert_int_equal(coverage_finish(c, err, sizeof(err)), 0);

	assert_int_equal(coverage_nproviders(c), 3);
	ecb = coverage_provider_at(c, 0);
	fx = coverage_provider_at(c, 1);
	imp = coverage_provider_at(c, 2);
	assert_string_equal(ecb->key, "ECB");
	assert_string_equal(fx->key, "FRANKFURTER");
	assert_string_equal(imp->key, "IMPORT");
	assert_null(coverage_provider_at(c, 3));
	assert_ptr_equal(coverage_provider_find(c, "FRANKFURTER"), fx);
	assert_null(coverage_provider_find(c, "ecb"));

	assert_string_equal(ecb->upstream, ECB_DAILY);
	assert_string_equal(ecb->pivot, "EUR");
	assert_string_equal(ecb->span.first, "2026-09-01");
	assert_string_equal(ecb->span.last, "2026-11-20");
	assert_string_equal(codes_of(c, ecb), "EUR,GBP,USD");
	assert_string_equal(codes_of(c, fx), "AED,EUR,USD");
	assert_string_equal(fx->span.last, "2026-11-21");
	/* Not configured: named by the source of its newest observation. */
	assert_string_equal(imp->upstream, "import file:///tmp/old.csv");
	assert_string_equal(imp->pivot, "EUR");
	assert_string_equal(codes_of(c, imp), "CYP,EUR,JPY,USD");
	assert_true(coverage_provides(c, ecb, "GBP"));
	assert_false(coverage_provides(c, ecb, "AED"));
	assert_true(coverage_provides(c, imp, "USD"));	/* as the base of its JPY */

	/* Currencies over every provider, in code order. */
	assert_int_equal(coverage_ncurrencies(c), 6);
	assert_string_equal(coverage_currency_at(c, 0, &span), "AED");
	assert_string_equal(coverage_currency_at(c, 5, NULL), "USD");
	assert_true(coverage_currency(c, "USD", &span));
	assert_string_equal(span.first, "2001-01-02");
	assert_string_equal(span.last, "2026-11-20");
	assert_true(coverage_currency(c, "EUR", &span));
	assert_string_equal(span.first, "2007-12-28");
	assert_string_equal(span.last, "2026-11-21");
	assert_false(coverage_currency(c, "ZZZ", NULL));
	assert_false(coverage_currency(c, "BTN", NULL));
	coverage_free(c);
}

static void
test_empty_and_malformed(void **state)
{
	struct coverage *c = coverage_new(NULL, 0);
	char err[256];

	(void)state;
	assert_non_null(c);
	assert_int_equal(coverage_add(c, V2, "EUR", "USD", "2026-11-21", "2026-11-20", err, sizeof(err)), -1);
	assert_string_equal(err, "series of 'USD': dates '2026-11-21'..'2026-11-20' are no range");
	assert_int_equal(coverage_add(c, V2, "EUR", "USD", "", "2026-11-20", err, sizeof(err)), -1);
	assert_int_equal(coverage_finish(c, err, sizeof(err)), 0);
	assert_int_equal(coverage_nproviders(c), 0);
	assert_int_equal(coverage_ncurrencies(c), 0);
	assert_false(coverage_currency(c, "USD", NULL));
	assert_null(coverage_provider_find(c, "ECB"));
	coverage_free(c);
	coverage_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers_and_currencies),
		cmocka_unit_test(test_empty_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
