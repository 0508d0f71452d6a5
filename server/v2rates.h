/*
 * v2rates: Frankfurter v2's rate routes, /v2/rates (JSON, NDJSON, CSV) and
 * /v2/rate/{base}/{quote}, for v2.c's router.
 *
 * Every answer is a list of rows {date, base, quote, rate}: the rate of
 * one quote currency per unit of base, dated by the observation it comes
 * from (of a cross rate, the older of its two), printed exactly as money.c
 * computes it, and the base's own row at rate 1.  A day's rows come from
 * that day's merged view (merge.h); a range's are every distinct
 * observation of the views of its days, by date then quote, and grouped
 * by week or month they are averaged exactly.  Errors are v2.c's.
 * Thread-safe: it only reads what ctx gives it.
 */
#ifndef CCONVD_V2RATES_H
#define CCONVD_V2RATES_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "dt.h"

/* Answers path[0..n) (after "/v2") when it is one of these routes: 1, with
 * resp set; 0 when it is not, resp untouched. */
int v2rates_route(const struct api_ctx *ctx, const struct api_request *req, const char *path, size_t n,
    struct api_response *resp);

/* Whether req (a path under /v2) asks /v2/rates for a valid range longer
 * than API_HEAVY_DAYS (no 'to': up to now's date).  Pure. */
int v2rates_is_heavy(const struct api_request *req, int64_t now);

/* The three shapes of the same rows. */
enum v2rates_format { V2RATES_JSON, V2RATES_NDJSON, V2RATES_CSV };

/*
 * The shape an Accept field value asks for (NULL: none): CSV for text/csv,
 * NDJSON for application/x-ndjson, whichever comes first with a q above
 * 0; JSON otherwise (application/json, any type, anything else).  Pure.
 */
enum v2rates_format v2rates_format(const char *accept);

/* Averaging periods of group=. */
enum v2rates_group { V2RATES_DAY, V2RATES_WEEK, V2RATES_MONTH };

/* The first day of date's period into out: its ISO week's Monday, or its
 * month's first day; a day is its own.  date is valid.  Pure. */
void v2rates_period(const char *date, enum v2rates_group g, char out[DT_DATE_LEN]);

#endif
