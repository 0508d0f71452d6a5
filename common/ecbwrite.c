/*
 * ecbwrite: eurofxref XML and CSV written a day at a time into a buffer.
 *
 * The XML copies eurofxref-daily.xml's layout byte for byte around the
 * rates (declaration, gesmes subject and sender, tabs, single quotes), for
 * the 90-day and full files too: readers differ in how much of the layout
 * they assume, and this one is the layout most of them were written against.
 * Nothing written needs escaping: dates, codes (A-Z) and decimal text are
 * all that goes inside quotes, each checked by the snapshot that holds it.
 *
 * The ECB's order is the column order of its eurofxref-hist.csv, which its
 * daily and 90-day files follow too (the withdrawn currencies where they
 * stood); a currency it never listed goes after them in code order.
 */
#include <stdlib.h>
#include <string.h>

#include "ecbwrite.h"
#include "ecbxml.h"

/* The ECB's currencies in its order, three letters each. */
static const char ecb_order[] =
    "USDJPYBGNCYPCZKDKKEEKGBPHUFLTLLVLMTLPLNROLRONSEKSITSKKCHFISKNOKHRKRUBTRLTRYAUDBRLCADCNYHKDIDRILSINRKRWMXNMYR"
    "NZDPHPSGDTHBZAR";
#define ECB_ORDER_N ((sizeof(ecb_order) - 1) / 3)

/* code's place in the ECB's order; ECB_ORDER_N for a code it never listed. */
static size_t
ecb_rank(const char *code)
{
	for (size_t i = 0; i < ECB_ORDER_N; i++)
		if (memcmp(ecb_order + 3 * i, code, 3) == 0)
			return i;
	return ECB_ORDER_N;
}

static int
by_ecb_order(const void *a, const void *b)
{
	const char *x = a, *y = b;
	size_t rx = ecb_rank(x), ry = ecb_rank(y);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x, y);
}

/* Whether e is one of r's own rates: of r's date, and not its base. */
static int
own(const struct rates *r, const struct rate_entry *e)
{
	return e != NULL && e->cur != rates_pivot(r) && strcmp(e->date, rates_date(r)) == 0;
}

static int
euro_based(const struct rates *r)
{
	return strcmp(rates_pivot(r)->code, "EUR") == 0;
}

void
ecbwrite_xml_begin(struct buf *b)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<gesmes:Envelope xmlns:gesmes=\"" ECBXML_NS_GESMES "\" xmlns=\"" ECBXML_NS_EUROFXREF "\">\n"
	    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
	    "\t<gesmes:Sender>\n"
	    "\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
	    "\t</gesmes:Sender>\n"
	    "\t<Cube>\n");
}

void
ecbwrite_xml_end(struct buf *b)
{
	buf_puts(b, "\t</Cube>\n</gesmes:Envelope>\n");
}

/* Appended piece by piece: the full history has some 200,000 of these. */
static void
xml_rate(struct buf *b, const struct rate_entry *e)
{
	char text[DEC_STRLEN];
	size_t n = dec_format(&e->rate, text, sizeof(text));

	buf_puts(b, "\t\t\t<Cube currency='");
	buf_append(b, e->cur->code, 3);
	buf_puts(b, "' rate='");
	buf_append(b, text, n);
	buf_puts(b, "'/>\n");
}

int
ecbwrite_xml_day(struct buf *b, const struct rates *r)
{
	if (!euro_based(r))
		return -1;
	buf_printf(b, "\t\t<Cube time='%s'>\n", rates_date(r));
	for (size_t i = 0; i < ECB_ORDER_N; i++) {
		char code[4];
		const struct rate_entry *e;

		memcpy(code, ecb_order + 3 * i, 3);
		code[3] = '\0';
		if (own(r, e = rates_find(r, code)))
			xml_rate(b, e);
	}
	for (size_t i = 0; i < rates_count(r); i++) {
		const struct rate_entry *e = rates_at(r, i);

		if (own(r, e) && ecb_rank(e->cur->code) == ECB_ORDER_N)
			xml_rate(b, e);
	}
	buf_puts(b, "\t\t</Cube>\n");
	return 0;
}

int
ecbwrite_columns_add(struct ecbwrite_columns *c, const struct rates *r)
{
	for (size_t i = 0; i < rates_count(r); i++) {
		const struct rate_entry *e = rates_at(r, i);

		if (!own(r, e) || codeset_add(&c->seen, e->cur->code) != 1)
			continue;
		if (c->n == ECBCSV_MAX_COLUMNS)
			return -1;
		memcpy(c->code[c->n++], e->cur->code, 4);
	}
	return 0;
}

void
ecbwrite_csv_header(struct buf *b, struct ecbwrite_columns *c)
{
	qsort(c->code, c->n, sizeof(c->code[0]), by_ecb_order);
	buf_puts(b, "Date,");
	for (size_t i = 0; i < c->n; i++)
		buf_printf(b, "%s,", c->code[i]);
	buf_puts(b, "\n");
}

int
ecbwrite_csv_day(struct buf *b, const struct ecbwrite_columns *c, const struct rates *r)
{
	size_t owned = 0, written = 0;
	char text[DEC_STRLEN];

	if (!euro_based(r))
		return -1;
	for (size_t i = 0; i < rates_count(r); i++)
		owned += own(r, rates_at(r, i));
	for (size_t i = 0; i < c->n; i++)
		written += own(r, rates_find(r, c->code[i]));
	if (written != owned)
		return -1;
	buf_printf(b, "%s,", rates_date(r));
	for (size_t i = 0; i < c->n; i++) {
		const struct rate_entry *e = rates_find(r, c->code[i]);

		if (own(r, e)) {
			buf_append(b, text, dec_format(&e->rate, text, sizeof(text)));
			buf_puts(b, ",");
		} else
			buf_puts(b, "N/A,");
	}
	buf_puts(b, "\n");
	return 0;
}
