/*
 * feed: any supported rates document in, validated snapshots out.
 *
 * The format is recognised from the content, never from the URL, so an
 * upstream may move from Frankfurter to the ECB (or serve a file) without a
 * setting changing:
 *
 *   '{'      Frankfurter v1/fixer JSON, one day or a time series (fxjson.h)
 *   '['      Frankfurter v2 records, a JSON array (fxv2.h)
 *   '{'      Frankfurter v2 records as NDJSON: the first object has "quote"
 *   '<'      ECB XML: daily, 90-day or full history (ecbxml.h)
 *   "Date,"  ECB CSV: eurofxref-hist.csv (ecbcsv.h)
 *
 * Every snapshot passes the same rules whatever the format (rates_new(),
 * rates_add(), rates_finish(): a known base, a valid date not in the future,
 * codes A-Z, every rate > 0 within bounds, no duplicates), rate text becomes a
 * struct dec through dec_parse() where the format has text (XML, CSV), and
 * one broken snapshot refuses the whole document: a feed is taken whole or
 * not at all.  Thread-safe; no I/O.  The only outside input besides the bytes
 * is the clock, for the "not in the future" rule.
 */
#ifndef CCONV_FEED_H
#define CCONV_FEED_H

#include <stddef.h>

#include "codeset.h"
#include "dt.h"
#include "rates.h"

/* Bounds on one document, whatever fetched it: FEED_MAX_BODY bytes, and
 * RATES_VEC_MAX dated days (rates.h).  Both leave the ECB's full history
 * since 1999, in any of its formats, room for decades more. */
#define FEED_MAX_BODY (32 * 1024 * 1024)	/* bytes */

/*
 * Parses any supported rates document, recognised from its content (never the URL):
 * Frankfurter/fixer JSON (one day {"base","date","rates"}, or a time series
 * {"base","start_date","end_date","rates":{"YYYY-MM-DD":{...},...}}), Frankfurter v2 (a JSON array or NDJSON
 * of {"date","base","quote","rate"} records, one snapshot per date), ECB XML (daily, 90-day, full history)
 * and ECB CSV (eurofxref-hist.csv: header Date,USD,JPY,..., N/A for missing, trailing comma, newest first).
 * On success *out is a malloc'd array of *n finished snapshots, OLDEST FIRST, no two with the same date;
 * caller frees with rates_vec_free(*out, *n). -1 with err naming the format and the rule broken, not
 * the document (the caller names it: "upstream '…'", "import '…'"); each format's reader names
 * itself: "ECB XML line 3: <Cube> in namespace 'urn:x', expected 'http://www.ecb.int/…'",
 * "ECB CSV line 7: 2025-05-09 USD '1,2': not a plain decimal number or N/A",
 * "JSON: 'rates' is empty", "not JSON (line 1: …)", "Frankfurter v2 record 12: 'rate' missing",
 * "not a rates document: an HTML page".
 * Snapshots carry no origin (see rates_set_origin()).
 */
int feed_parse(const char *body, size_t len, struct rates ***out, size_t *n, char *err, size_t errlen);

#define FEED_SKIPPED_LEN 96	/* bytes of the listing of skipped codes, NUL included */

/* What feed_parse_each() handed on, and what it left out. */
struct feed_span {
	size_t days;
	char first[DT_DATE_LEN];	/* the oldest and newest dates */
	char last[DT_DATE_LEN];
	size_t nskipped;		/* codes skipped: neither ISO 4217 list knows them */
	char skipped[FEED_SKIPPED_LEN];	/* their listing, codeset_list(): "XAU, XDR, ZZZ" */
};

/*
 * The same reading and rules, with each snapshot handed to sink as soon as
 * it is read rather than kept (rates.h): JSON days in document order, the
 * ECB's and Frankfurter v2's oldest first.  A JSON time series then costs its bytes and about one
 * day, whatever its length.  0 with span filled when the document passed
 * every rule (span->skipped naming the codes no ISO 4217 list knows, which
 * the caller reports once); -1 with err set as feed_parse() sets it, or with the sink's own
 * message.  The rules on the whole document (no date twice, none in the
 * future, at most RATES_VEC_MAX) are known only at the end: on -1 the sink
 * may have been handed days already, and its owner undoes what it did with
 * them (a store rolls its transaction back), since a feed is taken whole or
 * not at all.
 */
int feed_parse_each(const char *body, size_t len, const struct rates_sink *sink, struct feed_span *span, char *err,
    size_t errlen);

/* The sentence a caller logs, once per document, for the codes span's
 * document skipped: "2 codes no ISO 4217 list knows, skipped: QQQ, ZZZ".
 * 1 with it in out, or 0 (out "") when none was skipped. */
#define FEED_SKIPPED_SENTENCE_LEN (FEED_SKIPPED_LEN + 64)
int feed_skipped_sentence(const struct feed_span *span, char *out, size_t outlen);

/*
 * rates_add() as every format's reader calls it: a code that neither ISO
 * 4217 list knows is skipped (RATES_SKIPPED) and, when skipped is not NULL,
 * noted there, so the document's skipped codes are reported once, by name
 * (struct feed_span), not per day.  The pivot at rate 1, also skipped, is
 * not noted.
 */
enum rates_add_status feed_add_rate(struct rates *r, const char *code, const struct dec *rate,
    struct codeset *skipped, char *err, size_t errlen);

/* The noting of feed_add_rate() for a reader that adds a rate otherwise
 * (rates_add_obs()): added is what the add returned. */
void feed_note_skipped(struct codeset *skipped, enum rates_add_status added, const char *code);

#endif
