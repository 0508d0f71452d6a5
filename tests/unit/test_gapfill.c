/*
 * Gap filling: when a round's dates reveal missing working days, and what a
 * history feed (served from a file:// URL) adds to a real SQLite store: only
 * the days missing, never a day already stored, and nothing at all when the
 * feed is bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "gapfill.h"
#include "store.h"
#include "tmpdir.h"

#define ENVELOPE_OPEN \
	"<?xml version='1.0' encoding='UTF-8'?>\n" \
	"<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' " \
	"xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'><Cube>\n"
#define ENVELOPE_CLOSE "</Cube></gesmes:Envelope>\n"
#define DAY(date, usd) "<Cube time='" date "'><Cube currency='USD' rate='" usd "'/></Cube>\n"

static void
test_needed(void **state)
{
	(void)state;
	assert_false(gapfill_needed(NULL, "2025-05-09"));	/* empty store: no outage */
	assert_false(gapfill_needed("", "2025-05-09"));
	assert_false(gapfill_needed("2025-05-08", "2025-05-09"));	/* Thu -> Fri */
	assert_false(gapfill_needed("2025-05-09", "2025-05-12"));	/* Fri -> Mon: a weekend */
	assert_false(gapfill_needed("2025-05-10", "2025-05-12"));	/* Sat -> Mon */
	assert_true(gapfill_needed("2025-05-08", "2025-05-12"));	/* Thu -> Mon: Friday missing */
	assert_true(gapfill_needed("2025-05-09", "2025-05-13"));	/* Fri -> Tue: Monday missing */
	assert_true(gapfill_needed("2026-11-16", "2026-11-23"));	/* down a week */
	/* TARGET holidays are no gaps (calendar.h), the days around them are. */
	assert_false(gapfill_needed("2024-12-31", "2025-01-02"));	/* New Year's Day */
	assert_false(gapfill_needed("2025-04-17", "2025-04-22"));	/* Good Friday to Easter Monday */
	assert_true(gapfill_needed("2025-04-16", "2025-04-22"));	/* ...and Maundy Thursday missing */
	assert_true(gapfill_needed("2025-04-17", "2025-04-23"));	/* ...and the Tuesday after */
	assert_false(gapfill_needed("2025-12-24", "2025-12-29"));	/* Christmas, then a weekend */
	assert_false(gapfill_needed("2026-04-30", "2026-05-04"));	/* 1 May, then a weekend */
	assert_true(gapfill_needed("1999-01-04", "2025-05-09"));
	assert_false(gapfill_needed("2025-05-09", "2025-05-09"));
	assert_false(gapfill_needed("not-a-date", "2025-05-09"));
}

struct fixture {
	char dir[64];
	char db[128];
	char feed[128];
	char url[160];
	struct store *st;
	char err[1024];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/cconv-gapfill-XXXXXX");
	if (mkdtemp(f.dir) == NULL)
		return -1;
	snprintf(f.db, sizeof(f.db), "%s/rates.db", f.dir);
	snprintf(f.feed, sizeof(f.feed), "%s/hist-90d.xml", f.dir);
	snprintf(f.url, sizeof(f.url), "file://%s", f.feed);
	if ((f.st = store_open(f.db, f.err, sizeof(f.err))) == NULL)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	tmpdir_remove(f->dir);
	return 0;
}

static void
write_feed(const struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->feed, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
save_day(struct fixture *f, const char *date, const char *usd)
{
	struct rates *r = rates_new("EUR", date, f->err, sizeof(f->err));
	struct dec d;

	assert_non_null(r);
	assert_int_equal(dec_parse(usd, strlen(usd), &d), 0);
	assert_int_equal(rates_add(r, "USD", &d, f->err, sizeof(f->err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, f->err, sizeof(f->err)), 0);
	assert_int_equal(rates_set_origin(r, 1746800000, "http://daily.example/"), 0);
	if (store_save(f->st, r, f->err, sizeof(f->err)) != 0)
		fail_msg("%s", f->err);
	rates_free(r);
}

/* The USD text stored for exactly `date`, or "(none)". */
static const char *
stored_usd(struct fixture *f, const char *date)
{
	static char text[DEC_STRLEN];
	struct rates *r = NULL;

	assert_int_equal(store_load_on(f->st, date, &r, NULL, f->err, sizeof(f->err)), 0);
	if (r == NULL || strcmp(rates_date(r), date) != 0)
		snprintf(text, sizeof(text), "(none)");
	else
		dec_format(&rates_find(r, "USD")->rate, text, sizeof(text));
	rates_free(r);
	return text;
}

static int
count(void *arg, const struct rates *r)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

static size_t
stored_days(struct fixture *f)
{
	size_t n = 0;

	assert_int_equal(store_each(f->st, "1999-01-01", "2099-12-31", count, &n, f->err, sizeof(f->err)), 0);
	return n;
}

static void
test_run_stores_only_missing_days(void **state)
{
	struct fixture *f = *state;
	size_t added = 99;

	save_day(f, "2025-05-05", "1.1300");
	save_day(f, "2025-05-09", "1.1252");
	/* The feed disagrees about a stored day: what was stored stays. */
	write_feed(f, ENVELOPE_OPEN DAY("2025-05-09", "1.1252") DAY("2025-05-08", "1.1297")
	    DAY("2025-05-07", "1.13370") DAY("2025-05-06", "1.1343") DAY("2025-05-05", "9.9999") ENVELOPE_CLOSE);
	if (gapfill_run(f->st, f->url, "", &added, f->err, sizeof(f->err)) != 0)
		fail_msg("%s", f->err);
	assert_int_equal(added, 3);
	assert_int_equal(stored_days(f), 5);
	assert_string_equal(stored_usd(f, "2025-05-05"), "1.1300");
	assert_string_equal(stored_usd(f, "2025-05-06"), "1.1343");
	assert_string_equal(stored_usd(f, "2025-05-07"), "1.13370");
	assert_string_equal(stored_usd(f, "2025-05-08"), "1.1297");

	/* Again: nothing left to add. */
	assert_int_equal(gapfill_run(f->st, f->url, "", &added, f->err, sizeof(f->err)), 0);
	assert_int_equal(added, 0);
	assert_int_equal(stored_days(f), 5);
}

static void
test_bad_feed_changes_nothing(void **state)
{
	struct fixture *f = *state;
	size_t added = 99;
	char want[sizeof(f->err)];

	save_day(f, "2025-05-05", "1.1300");
	/* Four good days and one bad rate: the whole feed is refused, and the
	 * message names the feed once, then the parser's reason. */
	write_feed(f, ENVELOPE_OPEN DAY("2025-05-09", "1.1252") DAY("2025-05-08", "1.1297")
	    DAY("2025-05-07", "0") DAY("2025-05-06", "1.1343") ENVELOPE_CLOSE);
	assert_int_equal(gapfill_run(f->st, f->url, "", &added, f->err, sizeof(f->err)), -1);
	snprintf(want, sizeof(want), "upstream '%s': ECB XML line 5: 2025-05-07 USD: must be a number > 0", f->url);
	assert_string_equal(f->err, want);
	assert_int_equal(added, 0);
	assert_int_equal(stored_days(f), 1);

	write_feed(f, ENVELOPE_OPEN DAY("2025-05-09", "1.1252"));	/* truncated */
	assert_int_equal(gapfill_run(f->st, f->url, "", &added, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "not well-formed"));
	assert_int_equal(stored_days(f), 1);

	assert_int_equal(unlink(f->feed), 0);	/* unreachable */
	assert_int_equal(gapfill_run(f->st, f->url, "", &added, f->err, sizeof(f->err)), -1);
	assert_int_equal(stored_days(f), 1);
	assert_string_equal(stored_usd(f, "2025-05-05"), "1.1300");
}

/* A store that fails: its message alone, naming the store once, with no
 * second subject in front (the refresher's log line says it was history). */
static void
test_store_failure_names_the_store(void **state)
{
	struct fixture *f = *state;
	struct store *ro;
	char want[256];
	size_t added = 99;

	save_day(f, "2025-05-05", "1.1300");
	write_feed(f, ENVELOPE_OPEN DAY("2025-05-07", "1.13370") DAY("2025-05-06", "1.1343") ENVELOPE_CLOSE);
	assert_non_null(ro = store_open_readonly(f->db, f->err, sizeof(f->err)));
	assert_int_equal(gapfill_run(ro, f->url, "", &added, f->err, sizeof(f->err)), -1);
	store_close(ro);
	snprintf(want, sizeof(want), "store '%s': opened read-only", f->db);
	assert_string_equal(f->err, want);
	assert_int_equal(added, 0);
	assert_int_equal(stored_days(f), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needed),
		cmocka_unit_test_setup_teardown(test_run_stores_only_missing_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_feed_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failure_names_the_store, setup, teardown),
	};
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
