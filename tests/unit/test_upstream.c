/*
 * upstream's URLs for rates by date and for a history: Frankfurter v1's
 * sibling paths of /latest, v2's query parameters on /rates (the others
 * kept), and a v2 history asked a calendar year a piece.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dt.h"
#include "upstream.h"

static void
test_sibling_urls(void **state)
{
	static const char *const cases[][3] = {
		{ "https://x/v1/latest?base=USD", "2024-01-05", "https://x/v1/2024-01-05?base=USD" },
		{ "https://x/v1/latest", "2024-01-01..", "https://x/v1/2024-01-01.." },
		{ "https://x/v2/rates?base=EUR", "2024-01-05", "https://x/v2/rates?base=EUR&date=2024-01-05" },
		{ "https://x/v2/rates?base=EUR", "2024-01-01..", "https://x/v2/rates?base=EUR&from=2024-01-01" },
		{ "https://x/v2/rates", "2024-01-01..2024-12-31", "https://x/v2/rates?from=2024-01-01&to=2024-12-31" },
		{ "https://x/v2/rates?from=2020-01-01&base=EUR&to=2020-02-01&quotes=USD,GBP", "2024-01-01..2024-12-31",
		  "https://x/v2/rates?base=EUR&quotes=USD,GBP&from=2024-01-01&to=2024-12-31" },
		{ "https://x/v2/rates?date=2020-01-01", "2024-01-05", "https://x/v2/rates?date=2024-01-05" },
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(upstream_sibling_url(cases[i][0], cases[i][1], out, sizeof(out)), 0);
		assert_string_equal(out, cases[i][2]);
	}
	assert_int_equal(upstream_sibling_url("https://x/eurofxref-daily.xml", "2024-01-05", out, sizeof(out)), -1);
	assert_int_equal(upstream_sibling_url("https://x/v2/rates?base=EUR", "2024-01-05", out, 30), -1);
	assert_true(upstream_is_v2("https://x/v2/rates?base=EUR"));
	assert_false(upstream_is_v2("https://x/v1/latest?x=/rates"));
}

/* A v2 history: from START to the end of its year, then whole years, then
 * this year open-ended; v1's one series; none for an ECB feed. */
/* Each provider key is the one a client names in providers=, so each form is pinned. */
static void
test_provider_keys(void **state)
{
	static const char *const cases[][2] = {
		{ "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml", "ECB" },
		{ "http://127.0.0.1:4242/stats/eurofxref/eurofxref-hist-90d.xml", "ECB" },
		{ "import:eurofxref-hist.csv", "ECB" },
		{ "https://data-api.ecb.europa.eu/service/data/EXR", "ECB" },
		{ "https://api.frankfurter.dev/v2/rates?base=EUR", "FRANKFURTER" },
		{ "https://api.frankfurter.app/latest", "FRANKFURTER" },
		{ "https://notfrankfurter.dev/latest", "NOTFRANKFURTER.DEV" },
		{ "http://127.0.0.1:8080/v1/latest", "127.0.0.1:8080" },
		{ "https://***@rates.example.org/latest?key=***", "RATES.EXAMPLE.ORG" },
		{ "import:/tmp/rates.json", "IMPORT" },
		/* As the store names loads (ingest.h). */
		{ "import file:///tmp/rates.json", "IMPORT" },
		{ "import file:///tmp/eurofxref-hist.csv", "ECB" },
		{ "backfill https://api.frankfurter.dev/v2/rates?base=EUR", "FRANKFURTER" },
		{ "backfill file:///srv/rates.json", "FILE" },
		{ "file:///var/lib/rates.json", "FILE" },
		{ "", "" },
	};
	char key[UPSTREAM_KEY_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(upstream_provider_key(cases[i][0], key), cases[i][1]);
}

static void
test_history_pieces(void **state)
{
	static const char *const want[] = {
		"https://x/v2/rates?base=EUR&from=2024-06-03&to=2024-12-31",
		"https://x/v2/rates?base=EUR&from=2025-01-01&to=2025-12-31",
		"https://x/v2/rates?base=EUR&from=2026-01-01",
	};
	struct upstream_piece p;
	int64_t now = dt_days_from_civil(2026, 12, 2) * 86400 + 3600;
	unsigned k;

	(void)state;
	for (k = 0; upstream_history_piece("https://x/v2/rates?base=EUR", "2024-06-03", k, now, &p) == 1; k++) {
		assert_true(k < 3);
		assert_string_equal(p.url, want[k]);
	}
	assert_int_equal(k, 3);
	assert_int_equal(upstream_history_piece("https://x/v2/rates?base=EUR", "2024-06-03", 1, now, &p), 1);
	assert_string_equal(p.from, "2025-01-01");
	assert_string_equal(p.to, "2025-12-31");
	assert_int_equal(upstream_history_piece("https://x/v2/rates?base=EUR", "2026-11-13", 0, now, &p), 1);
	assert_string_equal(p.url, "https://x/v2/rates?base=EUR&from=2026-11-13");
	assert_string_equal(p.to, "");
	assert_int_equal(upstream_history_piece("https://x/v2/rates?base=EUR", "2026-11-13", 1, now, &p), 0);

	assert_int_equal(upstream_history_piece("https://x/v1/latest", "2020-01-01", 0, now, &p), 1);
	assert_string_equal(p.url, "https://x/v1/2020-01-01..");
	assert_int_equal(upstream_history_piece("https://x/v1/latest", "2020-01-01", 1, now, &p), 0);
	assert_int_equal(upstream_history_piece("https://x/hist.xml", "2020-01-01", 0, now, &p), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sibling_urls),
		cmocka_unit_test(test_history_pieces),
		cmocka_unit_test(test_provider_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
