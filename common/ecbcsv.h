/*
 * ecbcsv: the European Central Bank's rate history as CSV (eurofxref-hist.csv).
 *
 *   Date,USD,JPY,BGN,CYP,…,ZAR,
 *   2025-05-09,1.1252,163.36,1.9558,N/A,…,20.4835,
 *
 * One header naming the currencies, then one line per day, newest first; N/A
 * where a currency had no rate that day (not yet in the euro's basket, or long
 * gone), and a comma closing every line.  Call it through feed_parse(), which
 * sorts and checks what this returns.  Thread-safe; no I/O.
 */
#ifndef CCONV_ECBCSV_H
#define CCONV_ECBCSV_H

#include <stddef.h>

#include "codeset.h"
#include "rates.h"

#define ECBCSV_MAX_COLUMNS 256	/* currencies in the header; ISO 4217 has fewer */

/*
 * Parses the document into *n finished EUR-based snapshots in file order
 * (*out a malloc'd array; caller frees with rates_vec_free()).  Each value
 * becomes a struct dec through dec_parse(), digits as written; "N/A" is
 * skipped.
 * Every line must have as many fields as the header (the trailing comma
 * included), so a shifted column is refused rather than read as another
 * currency's rate.  -1 with err "ECB CSV line N: …" naming the rule.  The
 * codes neither ISO 4217 list knows are skipped and added to skipped (NULL:
 * not noted).
 */
int ecbcsv_parse(const char *body, size_t len, struct rates ***out, size_t *n, struct codeset *skipped, char *err,
    size_t errlen);

#endif
