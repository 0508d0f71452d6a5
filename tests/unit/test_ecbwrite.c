/*
 * ecbwrite: the ECB's XML and CSV written from snapshots, checked byte for
 * byte against the ECB's layout and read back through feed_parse() to the
 * same days and the same rate texts, trailing zeros included.  Currencies
 * come in the ECB's order, a day's rates of other dates and non-euro
 * snapshots are refused or left out, and a CSV line never drops a rate its
 * header has no column for.
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

#include "ecbwrite.h"
#include "feed.h"

#define HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\" " \
	"xmlns=\"http://www.ecb.int/vocabulary/2002-08-01/eurofxref\">\n" \
	"\t<gesmes:subject>Reference rates</gesmes:subject>\n" \
	"\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n" \
	"\t<Cube>\n"
#define TAIL "\t</Cube>\n</gesmes:Envelope>\n"

/* Two days as the ECB's CSV has them, oldest last; KWD is no ECB currency. */
static const char hist_csv[] =
    "Date,USD,JPY,CYP,GBP,ZAR,\n"
    "2025-05-09,1.1252,163.36,N/A,0.86080,20.4835,\n"
    "2007-12-31,1.4721,164.93,0.585274,0.73335,N/A,\n";

/* The feed's days, newest first, as the ECB's files put them. */
static size_t
read_days(const char *doc, struct rates ***v)
{
	char err[256];
	size_t n;

	assert_int_equal(feed_parse(doc, strlen(doc), v, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n / 2; i++) {
		struct rates *t = (*v)[i];
		(*v)[i] = (*v)[n - 1 - i];
		(*v)[n - 1 - i] = t;
	}
	return n;
}

/* A EUR snapshot of date with code=text pairs (NULL-terminated). */
static struct rates *
day_of(const char *base, const char *date, const char *const *pairs)
{
	char err[256];
	struct rates *r = rates_new(base, date, err, sizeof(err));

	assert_non_null(r);
	for (; pairs[0] != NULL; pairs += 2) {
		struct dec d;
		assert_int_equal(dec_parse(pairs[1], strlen(pairs[1]), &d), 0);
		assert_int_equal(rates_add(r, pairs[0], &d, err, sizeof(err)), RATES_ADDED);
	}
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	return r;
}

/* Whether a and b hold the same days with the same rate texts. */
static void
assert_same_days(struct rates **a, size_t na, struct rates **b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(rates_date(a[i]), rates_date(b[i]));
		assert_int_equal(rates_count(a[i]), rates_count(b[i]));
		for (size_t k = 0; k < rates_count(a[i]); k++) {
			char ta[DEC_STRLEN], tb[DEC_STRLEN];
			const struct rate_entry *x = rates_at(a[i], k), *y = rates_at(b[i], k);
			assert_string_equal(x->cur->code, y->cur->code);
			dec_format(&x->rate, ta, sizeof(ta));
			dec_format(&y->rate, tb, sizeof(tb));
			assert_string_equal(ta, tb);
		}
	}
}

static void
test_xml_is_the_ecbs_layout_and_reads_back(void **state)
{
	static const char *const kwd[] = { "KWD", "0.32411", "GBP", "0.86080", "AUD", "1.7572", "USD", "1.1252",
	    NULL };
	struct rates **days, **back, *r = day_of("EUR", "2025-05-12", kwd);
	struct buf b;
	char *text;
	size_t n = read_days(hist_csv, &days), nback;
	char err[256];

	(void)state;
	buf_init(&b, 1 << 20);
	ecbwrite_xml_begin(&b);
	assert_int_equal(ecbwrite_xml_day(&b, r), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ecbwrite_xml_day(&b, days[i]), 0);
	ecbwrite_xml_end(&b);
	assert_int_equal(buf_failed(&b), BUF_OK);
	/* The ECB's order, then the rest in code order; the digits as read, trailing zeros and all. */
	assert_string_equal(b.data, HEAD
	    "\t\t<Cube time='2025-05-12'>\n"
	    "\t\t\t<Cube currency='USD' rate='1.1252'/>\n"
	    "\t\t\t<Cube currency='GBP' rate='0.86080'/>\n"
	    "\t\t\t<Cube currency='AUD' rate='1.7572'/>\n"
	    "\t\t\t<Cube currency='KWD' rate='0.32411'/>\n"
	    "\t\t</Cube>\n"
	    "\t\t<Cube time='2025-05-09'>\n"
	    "\t\t\t<Cube currency='USD' rate='1.1252'/>\n"
	    "\t\t\t<Cube currency='JPY' rate='163.36'/>\n"
	    "\t\t\t<Cube currency='GBP' rate='0.86080'/>\n"
	    "\t\t\t<Cube currency='ZAR' rate='20.4835'/>\n"
	    "\t\t</Cube>\n"
	    "\t\t<Cube time='2007-12-31'>\n"
	    "\t\t\t<Cube currency='USD' rate='1.4721'/>\n"
	    "\t\t\t<Cube currency='JPY' rate='164.93'/>\n"
	    "\t\t\t<Cube currency='CYP' rate='0.585274'/>\n"
	    "\t\t\t<Cube currency='GBP' rate='0.73335'/>\n"
	    "\t\t</Cube>\n"
	    TAIL);
	text = b.data;
	assert_int_equal(feed_parse(text, b.len, &back, &nback, err, sizeof(err)), 0);
	/* feed_parse() gives the oldest first. */
	assert_string_equal(rates_date(back[2]), "2025-05-12");
	assert_string_equal(unit_rate(back[2], "KWD"), "0.32411");
	assert_same_days(back, 2, (struct rates *[]){ days[1], days[0] }, 2);
	rates_vec_free(back, nback);
	buf_free(&b);
	rates_free(r);
	rates_vec_free(days, n);
}

static void
test_a_day_is_its_own_rates_in_euros(void **state)
{
	static const char *const usd[] = { "EUR", "0.9", "GBP", "0.8", NULL };
	static const char *const eur[] = { "USD", "1.1252", NULL };
	struct rates *r = day_of("USD", "2025-05-09", usd), *m;
	struct ecbwrite_columns cols;
	struct buf b;
	struct dec d;
	char err[256];

	(void)state;
	buf_init(&b, 4096);
	/* Another base is not the ECB's: nothing written. */
	assert_int_equal(ecbwrite_xml_day(&b, r), -1);
	memset(&cols, 0, sizeof(cols));
	assert_int_equal(ecbwrite_csv_day(&b, &cols, r), -1);
	assert_int_equal(b.len, 0);
	rates_free(r);
	/* A merged snapshot: the rate carried forward from 2025-05-02 is another day's, left out. */
	assert_non_null(m = rates_new("EUR", "2025-05-09", err, sizeof(err)));
	assert_int_equal(dec_parse("1.1252", 6, &d), 0);
	assert_int_equal(rates_add_obs(m, "USD", &d, "2025-05-09", 0, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(dec_parse("98.2", 4, &d), 0);
	assert_int_equal(rates_add_obs(m, "RUB", &d, "2025-05-02", 0, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(m, err, sizeof(err)), 0);
	assert_int_equal(ecbwrite_xml_day(&b, m), 0);
	assert_string_equal(b.data, "\t\t<Cube time='2025-05-09'>\n\t\t\t<Cube currency='USD' rate='1.1252'/>\n"
	    "\t\t</Cube>\n");
	assert_int_equal(ecbwrite_columns_add(&cols, m), 0);
	assert_int_equal(cols.n, 1);
	rates_free(m);
	r = day_of("EUR", "2025-05-09", eur);
	assert_int_equal(ecbwrite_columns_add(&cols, r), 0);
	assert_int_equal(cols.n, 1);	/* USD once */
	rates_free(r);
	buf_free(&b);
}

static void
test_csv_is_the_ecbs_layout_and_reads_back(void **state)
{
	static const char *const kwd[] = { "KWD", "0.32411", "USD", "1.1252", NULL };
	struct rates **days, **back, *extra = day_of("EUR", "2025-05-12", kwd);
	struct ecbwrite_columns cols;
	struct buf b;
	size_t n = read_days(hist_csv, &days), nback;
	char err[256];

	(void)state;
	memset(&cols, 0, sizeof(cols));
	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ecbwrite_columns_add(&cols, days[i]), 0);
	ecbwrite_csv_header(&b, &cols);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ecbwrite_csv_day(&b, &cols, days[i]), 0);
	/* The file read is the file written: header, N/A, the trailing commas, the digits. */
	assert_string_equal(b.data, hist_csv);
	/* A day with a currency the header has no column for is refused whole, never cut. */
	assert_int_equal(ecbwrite_csv_day(&b, &cols, extra), -1);
	assert_int_equal(b.len, strlen(hist_csv));
	assert_int_equal(feed_parse(b.data, b.len, &back, &nback, err, sizeof(err)), 0);
	assert_same_days(back, nback, (struct rates *[]){ days[1], days[0] }, 2);
	rates_vec_free(back, nback);
	/* Columns in the ECB's order whatever order they came in, the others after in code order. */
	memset(&cols, 0, sizeof(cols));
	assert_int_equal(ecbwrite_columns_add(&cols, extra), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ecbwrite_columns_add(&cols, days[i]), 0);
	b.len = 0;
	ecbwrite_csv_header(&b, &cols);
	assert_int_equal(ecbwrite_csv_day(&b, &cols, extra), 0);
	b.data[b.len] = '\0';
	assert_string_equal(b.data, "Date,USD,JPY,CYP,GBP,ZAR,KWD,\n2025-05-12,1.1252,N/A,N/A,N/A,N/A,0.32411,\n");
	buf_free(&b);
	rates_free(extra);
	rates_vec_free(days, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_is_the_ecbs_layout_and_reads_back),
		cmocka_unit_test(test_a_day_is_its_own_rates_in_euros),
		cmocka_unit_test(test_csv_is_the_ecbs_layout_and_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
