/*
 * feed_parse(): the ECB's XML and CSV and Frankfurter's JSON, recognised from
 * their content.  Good documents keep the ECB's exact digits and come back
 * oldest first; every broken rule (structure, namespaces, entities, values,
 * dates) refuses the whole document with a message naming the format and the
 * rule.  The samples are written for these tests in the ECB's own layout.
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

#include "err.h"
#include "feed.h"

#define ENVELOPE_OPEN \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\" " \
	"xmlns=\"http://www.ecb.int/vocabulary/2002-08-01/eurofxref\">\n" \
	"\t<gesmes:subject>Reference rates</gesmes:subject>\n" \
	"\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n"
#define ENVELOPE_CLOSE "</gesmes:Envelope>\n"

static const char daily[] = ENVELOPE_OPEN
    "\t<Cube>\n"
    "\t\t<Cube time='2025-05-09'>\n"
    "\t\t\t<Cube currency='USD' rate='1.1252'/>\n"
    "\t\t\t<Cube currency='JPY' rate='163.36'/>\n"
    "\t\t\t<Cube currency='GBP' rate='0.86080'/>\n"
    "\t\t\t<Cube currency='IDR' rate='18606.59'/>\n"
    "\t\t\t<Cube currency='QQQ' rate='2.5'/>\n"
    "\t\t</Cube>\n"
    "\t</Cube>\n"
    ENVELOPE_CLOSE;

/* The 90-day and full-history layout: many blocks, newest first. */
static const char multi[] = ENVELOPE_OPEN
    "<Cube>"
    "<Cube time=\"2025-05-09\"><Cube currency=\"USD\" rate=\"1.1252\"/><Cube currency=\"GBP\" rate=\"0.8477\"/></Cube>"
    "<Cube time=\"2025-05-08\"><Cube currency=\"USD\" rate=\"1.1297\"/><Cube currency=\"GBP\" rate=\"0.8476\"/></Cube>"
    "<Cube time=\"2025-05-06\"><Cube currency=\"USD\" rate=\"1.1343\"/></Cube>"
    "</Cube>"
    ENVELOPE_CLOSE;

static const char csv[] =
    "Date,USD,JPY,CYP,HRK,GBP,\r\n"
    "2025-05-09,1.1252,163.36,N/A,N/A,0.8477,\r\n"
    "2025-05-08,1.1297,163.45,N/A,N/A,0.84760,\r\n"
    "1999-01-04,1.1789,133.73,0.58231,N/A,0.7111,\r\n";

static const char series[] =
    "{\"amount\":1.0,\"base\":\"EUR\",\"start_date\":\"2025-05-08\",\"end_date\":\"2025-05-09\","
    "\"rates\":{\"2025-05-09\":{\"USD\":1.1252,\"GBP\":0.8477},\"2025-05-08\":{\"USD\":1.1297}}}";

static size_t
parse_ok(const char *body, size_t len, struct rates ***v)
{
	size_t n = 0;
	char err[512] = "";

	if (feed_parse(body, len, v, &n, err, sizeof(err)) != 0)
		fail_msg("refused a good document: %s", err);
	assert_non_null(*v);
	assert_true(n > 0);
	return n;
}

static void
test_daily_xml_keeps_exact_digits(void **state)
{
	struct rates **v;
	size_t n = parse_ok(daily, strlen(daily), &v);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(rates_pivot(v[0])->code, "EUR");
	assert_string_equal(rates_date(v[0]), "2025-05-09");
	assert_string_equal(unit_rate(v[0], "GBP"), "0.86080");	/* trailing zero kept */
	assert_string_equal(unit_rate(v[0], "USD"), "1.1252");
	assert_string_equal(unit_rate(v[0], "JPY"), "163.36");
	assert_string_equal(unit_rate(v[0], "IDR"), "18606.59");
	assert_string_equal(unit_rate(v[0], "EUR"), "1");
	assert_null(rates_find(v[0], "QQQ"));	/* not ISO 4217: skipped, as for JSON */
	assert_int_equal(rates_count(v[0]), 5);
	rates_vec_free(v, n);
}

static void
test_multi_day_xml_oldest_first(void **state)
{
	struct rates **v;
	size_t n = parse_ok(multi, strlen(multi), &v);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(rates_date(v[0]), "2025-05-06");
	assert_string_equal(rates_date(v[1]), "2025-05-08");
	assert_string_equal(rates_date(v[2]), "2025-05-09");
	assert_string_equal(unit_rate(v[0], "USD"), "1.1343");
	assert_string_equal(unit_rate(v[0], "GBP"), "(none)");
	assert_string_equal(unit_rate(v[1], "GBP"), "0.8476");
	assert_string_equal(unit_rate(v[2], "USD"), "1.1252");
	rates_vec_free(v, n);
}

static void
test_csv_na_trailing_commas_oldest_first(void **state)
{
	struct rates **v;
	size_t n = parse_ok(csv, strlen(csv), &v);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(rates_date(v[0]), "1999-01-04");
	assert_string_equal(unit_rate(v[0], "USD"), "1.1789");
	assert_string_equal(unit_rate(v[0], "CYP"), "0.58231");	/* withdrawn since, kept: history */
	assert_string_equal(unit_rate(v[0], "GBP"), "0.7111");
	assert_string_equal(rates_date(v[1]), "2025-05-08");
	assert_string_equal(unit_rate(v[1], "GBP"), "0.84760");	/* as written */
	assert_string_equal(unit_rate(v[1], "HRK"), "(none)");	/* N/A */
	assert_string_equal(rates_date(v[2]), "2025-05-09");
	assert_string_equal(unit_rate(v[2], "JPY"), "163.36");
	assert_int_equal(rates_count(v[2]), 4);	/* EUR, USD, JPY, GBP */
	rates_vec_free(v, n);
}

static void
test_csv_without_trailing_comma_or_line_end(void **state)
{
	static const char plain[] = "Date,USD,GBP\n2025-05-09,1.1252,0.8477";
	struct rates **v;
	size_t n = parse_ok(plain, strlen(plain), &v);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(unit_rate(v[0], "GBP"), "0.8477");
	rates_vec_free(v, n);
}

static void
test_json_one_day_and_series(void **state)
{
	static const char day[] = "{\"base\":\"EUR\",\"date\":\"2025-05-09\",\"rates\":{\"USD\":1.1252}}";
	struct rates **v;
	size_t n = parse_ok(day, strlen(day), &v);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(unit_rate(v[0], "USD"), "1.1252");
	rates_vec_free(v, n);

	n = parse_ok(series, strlen(series), &v);
	assert_int_equal(n, 2);
	assert_string_equal(rates_date(v[0]), "2025-05-08");
	assert_string_equal(unit_rate(v[0], "USD"), "1.1297");
	assert_string_equal(rates_date(v[1]), "2025-05-09");
	assert_string_equal(unit_rate(v[1], "GBP"), "0.8477");
	rates_vec_free(v, n);
}

static void
test_byte_order_mark_and_blanks(void **state)
{
	char body[sizeof(daily) + 8];
	struct rates **v;
	size_t n;

	(void)state;
	snprintf(body, sizeof(body), "\xEF\xBB\xBF%s", daily);
	n = parse_ok(body, strlen(body), &v);
	assert_int_equal(n, 1);
	rates_vec_free(v, n);
	/* A blank line before the XML declaration (a hand-edited file). */
	snprintf(body, sizeof(body), "\xEF\xBB\xBF\r\n %s", daily);
	n = parse_ok(body, strlen(body), &v);
	assert_int_equal(n, 1);
	assert_string_equal(unit_rate(v[0], "GBP"), "0.86080");
	rates_vec_free(v, n);
	snprintf(body, sizeof(body), "\n  %s", csv);
	n = parse_ok(body, strlen(body), &v);
	assert_int_equal(n, 3);
	rates_vec_free(v, n);
}

struct bad_case {
	const char *body;
	const char *needle;	/* the format and rule the message must name */
};

/* How many times needle occurs in s. */
static int
occurrences(const char *s, const char *needle)
{
	int k = 0;

	for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
		k++;
	return k;
}

static void
refuse_all(const struct bad_case *cases, size_t ncases)
{
	for (size_t i = 0; i < ncases; i++) {
		struct rates **v = (struct rates **)&v;	/* must be reset to NULL */
		size_t n = 99;
		char err[512] = "";

		if (feed_parse(cases[i].body, strlen(cases[i].body), &v, &n, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted: %s", i, cases[i].body);
		assert_null(v);
		assert_int_equal(n, 0);
		if (strstr(err, cases[i].needle) == NULL)
			fail_msg("case %zu: '%s' does not name '%s'", i, err, cases[i].needle);
		/* The reader names its format; feed_parse() adds no second name. */
		if (occurrences(err, "JSON") > 1 || occurrences(err, "ECB XML") > 1 || occurrences(err, "ECB CSV") > 1)
			fail_msg("case %zu: '%s' names its format more than once", i, err);
	}
}

#define DAY(inner) ENVELOPE_OPEN "<Cube><Cube time='2025-05-09'>" inner "</Cube></Cube>" ENVELOPE_CLOSE

static void
test_xml_rules_refuse(void **state)
{
	static const struct bad_case cases[] = {
		/* malformed, truncated, empty */
		{ DAY("<Cube currency='USD' rate='1.1'></Cub>"),
		  "ECB XML line 7: not well-formed XML (mismatched tag)" },
		{ ENVELOPE_OPEN "<Cube><Cube time='2025-05-09'><Cube currency='USD' ra", "not well-formed" },
		{ ENVELOPE_OPEN "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/>", "not well-formed" },
		{ "<", "ECB XML line 1: not well-formed" },
		{ ENVELOPE_OPEN ENVELOPE_CLOSE, "ECB XML: no <Cube time='…'> block with rates" },
		{ ENVELOPE_OPEN "<Cube/>" ENVELOPE_CLOSE, "no <Cube time='…'> block" },
		{ DAY(""), "ECB XML line 7: block for 2025-05-09: no rate for any known currency besides the base" },
		{ DAY("<Cube currency='QQQ' rate='1.5'/>"), "no rate for any known currency" },
		{ "", "not a rates document: the body is empty" },
		{ " \r\n\t", "the body is empty" },
		/* namespaces */
		{ "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' xmlns='urn:other'>"
		  "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/></Cube></Cube></gesmes:Envelope>",
		  "ECB XML line 1: <Cube> in namespace 'urn:other', expected "
		  "'http://www.ecb.int/vocabulary/2002-08-01/eurofxref'" },
		{ "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'>"
		  "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/></Cube></Cube></gesmes:Envelope>",
		  "<Cube> in namespace ''" },
		{ "<gesmes:Envelope xmlns:gesmes='urn:not-gesmes' "
		  "xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'><Cube/></gesmes:Envelope>",
		  "root element <Envelope> in namespace 'urn:not-gesmes', expected <Envelope>" },
		{ "<Cube xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'/>", "root element <Cube>" },
		{ "<rss><channel/></rss>", "root element <rss> in namespace ''" },
		/* structure */
		{ ENVELOPE_OPEN "<Cube time='2025-05-09'/>" ENVELOPE_CLOSE "", "no <Cube time='…'> block" },
		{ ENVELOPE_OPEN "<Cube><Cube><Cube currency='USD' rate='1.1'/></Cube></Cube>" ENVELOPE_CLOSE,
		  "has no 'time' attribute" },
		{ DAY("<Cube currency='USD'/>"), "needs both 'currency' and 'rate'" },
		{ DAY("<Cube currency='USD' rate='1.1'><Cube/></Cube>"), "<Cube> nested 4 deep" },
		{ ENVELOPE_OPEN "<gesmes:Sender><Cube time='2025-05-09'/></gesmes:Sender>" ENVELOPE_CLOSE,
		  "<Cube time> outside the outer <Cube>" },
		/* values: the same rules as JSON */
		{ DAY("<Cube currency='USD' rate='-1.1'/>"), "2025-05-09 USD: rate '-1.1' is not a plain decimal" },
		{ DAY("<Cube currency='USD' rate='1e3'/>"), "rate '1e3' is not a plain decimal" },
		{ DAY("<Cube currency='USD' rate=' 1.1'/>"), "rate ' 1.1' is not a plain decimal" },
		{ DAY("<Cube currency='USD' rate=''/>"), "rate '' is not a plain decimal" },
		{ DAY("<Cube currency='USD' rate='0'/>"), "ECB XML line 7: 2025-05-09 USD: must be a number > 0" },
		{ DAY("<Cube currency='USD' rate='0.0000000000001'/>"),
		  "ECB XML line 7: 2025-05-09 USD: 0.0000000000001 is outside 1e-12 .. 1e15" },
		{ DAY("<Cube currency='usd' rate='1.1'/>"), "ECB XML line 7: 2025-05-09 usd: not three letters A-Z" },
		{ DAY("<Cube currency='USD' rate='1.1'/><Cube currency='USD' rate='1.2'/>"),
		  "ECB XML line 7: 2025-05-09 USD: listed twice" },
		{ DAY("<Cube currency='EUR' rate='1.2'/>"),
		  "ECB XML line 7: 2025-05-09 EUR: the base currency must have rate 1" },
		{ ENVELOPE_OPEN "<Cube><Cube time='2025-02-30'><Cube currency='USD' rate='1.1'/></Cube></Cube>"
		  ENVELOPE_CLOSE, "<Cube time='2025-02-30'>: date '2025-02-30': not a valid YYYY-MM-DD date" },
		{ ENVELOPE_OPEN "<Cube><Cube time='2099-01-04'><Cube currency='USD' rate='1.1'/></Cube></Cube>"
		  ENVELOPE_CLOSE, "ECB XML: the date 2099-01-04 is in the future" },
		{ ENVELOPE_OPEN "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/></Cube>"
		  "<Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/></Cube></Cube>" ENVELOPE_CLOSE,
		  "ECB XML: the date 2025-05-09 is given twice" },
	};

	(void)state;
	refuse_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Entities: a billion-laughs bomb and external entities (a file, a URL, a
 * parameter entity) are refused before anything is expanded or opened; an
 * undeclared entity is not well-formed. */
static void
test_xml_entities_refused(void **state)
{
	static const struct bad_case cases[] = {
		{ "<?xml version='1.0'?>\n"
		  "<!DOCTYPE lolz [\n"
		  " <!ENTITY lol 'lol'>\n"
		  " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
		  " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
		  " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
		  " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
		  " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
		  " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
		  " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
		  " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
		  " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
		  "]>\n"
		  "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' "
		  "xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'><gesmes:subject>&lol9;</gesmes:subject>"
		  "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='1.1'/></Cube></Cube></gesmes:Envelope>",
		  "ECB XML line 2: a DOCTYPE is not allowed" },
		{ "<?xml version='1.0'?>\n"
		  "<!DOCTYPE e [<!ENTITY rate SYSTEM 'file:///etc/hostname'>]>\n"
		  "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' "
		  "xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'>"
		  "<Cube><Cube time='2025-05-09'><Cube currency='USD' rate='&rate;'/></Cube></Cube></gesmes:Envelope>",
		  "a DOCTYPE is not allowed" },
		{ "<!DOCTYPE gesmes:Envelope SYSTEM 'http://127.0.0.1:9/evil.dtd'>"
		  "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01'/>",
		  "a DOCTYPE is not allowed" },
		{ "<!DOCTYPE e [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]><e/>", "a DOCTYPE is not allowed" },
		{ DAY("<Cube currency='USD' rate='&rate;'/>"), "not well-formed XML (undefined entity)" },
	};

	(void)state;
	refuse_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_csv_rules_refuse(void **state)
{
	static const struct bad_case cases[] = {
		{ "Date,USD,\n", "ECB CSV: no data lines after the header" },
		{ "Date,\n2025-05-09,\n", "ECB CSV line 1: the header names no currency" },
		{ "Date,usd,\n2025-05-09,1.1,\n", "ECB CSV line 1: column 2 'usd' is not three letters A-Z" },
		{ "Date,US,\n2025-05-09,1.1,\n", "column 2 'US' is not a currency code" },
		{ "Date,USD,,GBP,\n2025-05-09,1.1,,0.8,\n", "column 3 '' is not a currency code" },
		{ "Date,USD,GBP,\n2025-05-09,1.1,\n", "ECB CSV line 2: 3 fields, the header has 4" },
		{ "Date,USD,GBP,\n2025-05-09,1.1,0.8,0.9\n", "line 2: '0.9' after the last column" },
		{ "Date,USD,GBP,\n2025-05-09,1.1,0.8\n", "ECB CSV line 2: 3 fields, the header has 4" },
		{ "Date,USD,\n2025-05-09,1.1,\n2025-05-08,1.1,0.9,\n", "ECB CSV line 3: 4 fields, the header has 3" },
		{ "Date,USD,\n2025-05-09,\"1.1\",\n", "2025-05-09 USD '\"1.1\"': not a plain decimal number or N/A" },
		{ "Date,USD,\n2025-05-09,1,1,\n", "ECB CSV line 2: 4 fields, the header has 3" },
		{ "Date,USD,\n2025-05-09,,\n", "USD '': not a plain decimal number or N/A" },
		{ "Date,USD,\n2025-05-09,n/a,\n", "USD 'n/a': not a plain decimal" },
		{ "Date,USD,\n2025-05-09,-1.1,\n", "USD '-1.1': not a plain decimal" },
		{ "Date,USD,\n2025-05-09,0,\n", "ECB CSV line 2: 2025-05-09 USD: must be a number > 0" },
		{ "Date,USD,\n2025-05-09,N/A,\n",
		  "ECB CSV line 2: 2025-05-09: no rate for any known currency besides the base" },
		{ "Date,USD,USD,\n2025-05-09,1.1,1.2,\n", "ECB CSV line 2: 2025-05-09 USD: listed twice" },
		{ "Date,USD,\n09/05/2025,1.1,\n", "ECB CSV line 2: date '09/05/2025': not a valid YYYY-MM-DD date" },
		{ "Date,USD,\n2025-05-09T00:00:00Z,1.1,\n", "date '2025-05-09T00:00:00Z'" },
		{ "Date,USD,\n2025-05-09,1.1,\n\n2025-05-09,1.2,\n", "ECB CSV: the date 2025-05-09 is given twice" },
		{ "Date,USD,\n2099-05-09,1.1,\n", "ECB CSV: the date 2099-05-09 is in the future" },
	};

	(void)state;
	refuse_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_sniffing_and_json_rules_refuse(void **state)
{
	static const struct bad_case cases[] = {
		{ "<!doctype html><html><body>maintenance</body></html>", "not a rates document: an HTML page" },
		{ "<HTML><body>503</body></HTML>", "an HTML page" },
		{ "date,USD,\n2025-05-09,1.1,\n", "ECB CSV line 1: the first column is 'date', expected 'Date'" },
		{ "USD,JPY\n1.1,163\n", "neither JSON, ECB XML nor ECB CSV (it starts 'USD,JPY?1.1,163?')" },
		{ "Service Unavailable", "neither JSON, ECB XML nor ECB CSV" },
		{ "{\"base\":\"EUR\",\"date\":\"2025-05-09\",\"rates\":{\"USD\":1.1", "not JSON (line 1" },
		{ "{\"base\":\"EUR\",\"date\":\"2025-05-09\",\"rates\":{}}", "JSON: 'rates' is empty" },
		{ "{\"date\":\"2025-05-09\",\"rates\":{\"USD\":1.1}}", "JSON: 'base' missing" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":0}}}",
		  "JSON: rates.2025-05-09.USD: must be a number > 0" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"usd\":1.1}}}",
		  "JSON: rates.2025-05-09: code 'usd' is not three letters A-Z" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1,\"EUR\":2}}}",
		  "JSON: rates.2025-05-09.EUR: the base currency must have rate 1" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1},\"2025-05-08\":1.2}}",
		  "JSON: 'rates.2025-05-08' is not an object" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-13-09\":{\"USD\":1.1}}}",
		  "JSON: rates.2025-13-09: date '2025-13-09': not a valid YYYY-MM-DD date" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{}}}",
		  "JSON: rates.2025-05-09: no rate for any known currency besides the base" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2099-05-09\":{\"USD\":1.1}}}",
		  "JSON: the date 2099-05-09 is in the future" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1},\"2025-05-09\":{\"USD\":1.2}}}",
		  "JSON: the date 2025-05-09 is given twice" },
		{ "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\\u001b[31m\":{\"USD\":1.1}}}",
		  "JSON: rates.2025-05-09?[31m: date '2025-05-09?[31m': not a valid YYYY-MM-DD date" },
	};

	(void)state;
	refuse_all(cases, sizeof(cases) / sizeof(cases[0]));
}

/* A sink that records each date it gets and fails at the date `fail_at`. */
struct seen {
	char dates[8][DT_DATE_LEN];
	size_t n;
	const char *fail_at;
};

static int
note_day(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct seen *s = arg;

	if (s->fail_at != NULL && strcmp(rates_date(*r), s->fail_at) == 0) {
		err_set(err, errlen, "the sink's own reason");
		return -1;
	}
	if (s->n < 8)
		memcpy(s->dates[s->n++], rates_date(*r), DT_DATE_LEN);
	return 0;	/* *r left to the parser */
}

/* JSON days go on in document order as they are read; the document's own
 * rules (a date twice, a date in the future) come at the end, after days
 * were handed on, which the sink's owner then undoes; the sink's failure
 * comes back as its own message. */
static void
test_each_day_handed_on(void **state)
{
	static const char days[] = "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1},"
	    "\"2025-05-07\":{\"USD\":1.2},\"2025-05-08\":{\"USD\":1.3}}}";
	static const char twice[] = "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1},"
	    "\"2025-05-07\":{\"USD\":1.2},\"2025-05-09\":{\"USD\":1.3}}}";
	struct seen s = { .n = 0 };
	const struct rates_sink sink = { note_day, &s };
	struct feed_span span;
	char err[256];

	(void)state;
	assert_int_equal(feed_parse_each(days, strlen(days), &sink, &span, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.dates[0], "2025-05-09");
	assert_string_equal(s.dates[1], "2025-05-07");
	assert_int_equal(span.days, 3);
	assert_string_equal(span.first, "2025-05-07");
	assert_string_equal(span.last, "2025-05-09");

	memset(&s, 0, sizeof(s));
	assert_int_equal(feed_parse_each(twice, strlen(twice), &sink, &span, err, sizeof(err)), -1);
	assert_string_equal(err, "JSON: the date 2025-05-09 is given twice");
	assert_int_equal(s.n, 3);

	memset(&s, 0, sizeof(s));
	s.fail_at = "2025-05-07";
	assert_int_equal(feed_parse_each(days, strlen(days), &sink, &span, err, sizeof(err)), -1);
	assert_string_equal(err, "the sink's own reason");
	assert_int_equal(s.n, 1);

	/* Text that is not JSON is refused before any day goes on. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(feed_parse_each(days, strlen(days) - 1, &sink, &span, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON (line 1: unexpected end"));
	assert_int_equal(s.n, 0);
}

/* A code no ISO 4217 list knows is skipped and named once for the document,
 * whatever the format and however many days list it. */
static void
test_skipped_codes_named(void **state)
{
	static const char csv_skips[] = "Date,USD,ZZZ,QQQ,\n2025-05-09,1.1252,2,3,\n2025-05-08,1.1297,2,N/A,\n";
	static const char json_skips[] = "{\"base\":\"EUR\",\"rates\":{\"2025-05-09\":{\"USD\":1.1,\"ZZZ\":2},"
	    "\"2025-05-08\":{\"USD\":1.2,\"ZZZ\":2,\"EUR\":1}}}";
	static const struct {
		const char *body, *want;
		size_t n;
	} cases[] = {
		{ daily, "QQQ", 1 },
		{ csv_skips, "QQQ, ZZZ", 2 },
		{ json_skips, "ZZZ", 1 },
		{ csv, "", 0 },
	};
	struct rates_vec k = { NULL, 0, 0 };
	const struct rates_sink sink = { rates_vec_keep, &k };
	struct feed_span span;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (feed_parse_each(cases[i].body, strlen(cases[i].body), &sink, &span, err, sizeof(err)) != 0)
			fail_msg("case %zu refused: %s", i, err);
		assert_int_equal(span.nskipped, cases[i].n);
		assert_string_equal(span.skipped, cases[i].want);
		rates_vec_free(k.v, k.n);
		memset(&k, 0, sizeof(k));
	}
}

static void
test_size_limit(void **state)
{
	struct rates **v;
	size_t n;
	char err[256];

	(void)state;
	/* The length alone decides: nothing past the limit is read. */
	assert_int_equal(feed_parse(daily, (size_t)FEED_MAX_BODY + 1, &v, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "document larger than 32 MiB"));
}

/* A hundred thousand days would make a hundred thousand snapshots: refused
 * at RATES_VEC_MAX without parsing on. */
static void
test_snapshot_limit(void **state)
{
	size_t cap = 16 + (size_t)(RATES_VEC_MAX + 1) * 24, len = 0;
	char *body = malloc(cap);
	struct rates **v;
	size_t n;
	char err[256];
	int64_t day = 0;	/* 1970-01-01 onwards: every line a different date */

	(void)state;
	assert_non_null(body);
	len += (size_t)snprintf(body, cap, "Date,USD,\n");
	for (int i = 0; i <= RATES_VEC_MAX; i++, day += 86400) {
		char date[DT_DATE_LEN];
		dt_date(day, date);
		len += (size_t)snprintf(body + len, cap - len, "%s,1.1,\n", date);
	}
	assert_int_equal(feed_parse(body, len, &v, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 20000 days"));
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daily_xml_keeps_exact_digits),
		cmocka_unit_test(test_multi_day_xml_oldest_first),
		cmocka_unit_test(test_csv_na_trailing_commas_oldest_first),
		cmocka_unit_test(test_csv_without_trailing_comma_or_line_end),
		cmocka_unit_test(test_json_one_day_and_series),
		cmocka_unit_test(test_byte_order_mark_and_blanks),
		cmocka_unit_test(test_xml_rules_refuse),
		cmocka_unit_test(test_xml_entities_refused),
		cmocka_unit_test(test_csv_rules_refuse),
		cmocka_unit_test(test_sniffing_and_json_rules_refuse),
		cmocka_unit_test(test_each_day_handed_on),
		cmocka_unit_test(test_skipped_codes_named),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_snapshot_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
