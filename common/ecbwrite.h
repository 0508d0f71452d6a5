/*
 * ecbwrite: the European Central Bank's rate files written from snapshots,
 * laid out as the ECB lays them out, so that a program that reads the ECB's
 * own files reads these unchanged (and ecbxml.h, ecbcsv.h read them back).
 *
 *   XML, as eurofxref-daily.xml (one dated block) and eurofxref-hist*.xml
 *   (many): the gesmes envelope, <Cube><Cube time='…'><Cube currency='USD'
 *   rate='1.1252'/>…; ecbwrite_xml_begin(), a day at a time, ecbwrite_xml_end().
 *   CSV, as eurofxref-hist.csv: "Date,USD,JPY,…," then a line per day, N/A
 *   where a day has no rate, a comma closing every line.
 *
 * A day is one snapshot's date and its own entries: an entry of another date
 * (one carried forward in a merged snapshot) is another day's rate and is
 * left out.  Each rate is dec_format() of the entry, the digits its reader
 * kept (trailing zeros included), so a rate read from the ECB is written
 * back digit for digit.  Currencies come in the ECB's own order (USD, JPY,
 * BGN, CYP, …), any other after them in code order.  Days are written in the
 * order given; the ECB's files put the newest first.  Every function appends
 * to b and leaves a failure to b (buf_failed()).  Pure; thread-safe.
 */
#ifndef CCONV_ECBWRITE_H
#define CCONV_ECBWRITE_H

#include "buf.h"
#include "codeset.h"
#include "ecbcsv.h"
#include "rates.h"

/* The envelope up to the outer <Cube>, and after it. */
void ecbwrite_xml_begin(struct buf *b);
void ecbwrite_xml_end(struct buf *b);

/* One dated block: r's date and its own entries but the base.  0, or -1
 * with nothing written when r's base is not EUR (the ECB's rates are all
 * euro rates). */
int ecbwrite_xml_day(struct buf *b, const struct rates *r);

/* The CSV's columns: the currencies of every day to be written, known
 * before the header is.  A plain value (a few KiB); zero it to start. */
struct ecbwrite_columns {
	size_t n;
	char code[ECBCSV_MAX_COLUMNS][4];	/* ecbcsv_parse() reads no more */
	struct codeset seen;
};

/* Adds the currencies of r's own entries not yet among c's.  0, or -1 when
 * they would make more than ECBCSV_MAX_COLUMNS (c then holds as many as
 * fit). */
int ecbwrite_columns_add(struct ecbwrite_columns *c, const struct rates *r);

/* The header line "Date,USD,JPY,…,": puts c's columns into the ECB's order
 * first, the order every ecbwrite_csv_day() then writes. */
void ecbwrite_csv_header(struct buf *b, struct ecbwrite_columns *c);

/* One line: r's date, then for each column r's own rate or N/A.  0, or -1
 * with nothing written when r's base is not EUR or one of its own entries
 * has no column (it was not added to c). */
int ecbwrite_csv_day(struct buf *b, const struct ecbwrite_columns *c, const struct rates *r);

#endif
