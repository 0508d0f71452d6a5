/*
 * fxv2: Frankfurter's API v2 rates, read.
 *
 *   [{"date":"2026-12-01","base":"EUR","quote":"AED","rate":4.2712},…]
 *   {"date":"2026-12-01","base":"EUR","quote":"AED","rate":4.2712}   (NDJSON:
 *   {"date":"2026-11-30","base":"EUR","quote":"AFN","rate":77.38}     one record a line)
 *
 * A v2 answer is a list of records, one rate each, with its own date: a
 * latest answer (/v2/rates) carries the date each central bank last
 * published (some a day ahead of UTC), a range answer (from=…&to=…) every
 * date, sorted by date then quote.  The records are grouped into one snapshot
 * per date, handed on oldest first.  Thread-safe; no I/O.
 */
#ifndef CCONV_FXV2_H
#define CCONV_FXV2_H

#include <stddef.h>

#include "codeset.h"
#include "rates.h"

/*
 * Reads a JSON array of records, or NDJSON (a body whose first byte past
 * blanks is not '['), and hands one snapshot per date to sink, oldest first,
 * each once its last record is read: a range answer sorted by date streams
 * day by day, a latest answer with mixed dates keeps its few dates open to
 * its end.  Every record has "date" (YYYY-MM-DD), "base" and "quote" (codes)
 * and "rate" (a number > 0, read digit for digit); other members
 * ("providers") are checked as JSON only.  Every record names the same base;
 * the identity row (quote == base, rate 1) is skipped, and so is a code
 * neither ISO 4217 list knows, which is added to skipped (NULL: not noted);
 * a date whose every record was skipped gives no snapshot.  The text is read
 * whole as JSON, and each record's shape checked, before any day is handed
 * on; the per-rate rules of rates_add() come with the second reading.
 * 0, or -1 with err naming the format and the record: "Frankfurter v2 record
 * 12: 'rate' missing", "Frankfurter v2 record 3: 2024-01-02 USD: listed
 * twice", "Frankfurter v2: not JSON (line 3: …)", or with the sink's message
 * as it is (the days before were handed on: the caller undoes them).  Dates
 * are neither checked against the clock nor for repeats across calls: call it
 * through feed_parse_each().
 */
int fxv2_parse_feed(const char *body, size_t len, const struct rates_sink *sink, struct codeset *skipped, char *err,
    size_t errlen);

/*
 * 1 when body (its first byte '{') opens with a v2 record, an object with a
 * "quote" member (NDJSON), rather than a Frankfurter v1 or fixer object
 * ({"base","date","rates"}); else 0.  Reads the first object only, and stops
 * at a member whose value is an object, which no record has.
 */
int fxv2_is_ndjson(const char *body, size_t len);

#endif
