/*
 * v2meta: Frankfurter v2's catalogue routes, what the numbers are and where
 * they come from.
 *
 *   /v2/currencies[?scope=all][&providers=K,…]  the currencies of the latest
 *       rates (every one ever stored with scope=all, those the named
 *       providers gave with providers=): [{"iso_code","iso_numeric","name",
 *       "symbol","start_date","end_date"}] in code order
 *   /v2/currency/{code}  that object and "providers", the keys of those that
 *       gave it; 404 when no rate of it was ever stored
 *   /v2/providers  every provider with stored rates, in key order, with
 *       Frankfurter's fields (key, name, data_url, currencies, first and last
 *       date, …)
 *
 * Names, numeric codes and symbols come from the currency table
 * (currency.h), dates and providers from the coverage published beside the
 * snapshot (coverage.h), so an answer costs a walk of small arrays: no
 * store, no lock.  Thread-safe: it only reads what ctx gives it.
 */
#ifndef CCONVD_V2META_H
#define CCONVD_V2META_H

#include <stddef.h>

#include "api.h"

/* Answers path[0..n), the path after "/v2", when it is one of the routes
 * above, and returns 1; 0 (resp untouched) when it is none of them. */
int v2meta_handle(const struct api_ctx *ctx, const struct api_request *req, const char *path, size_t n,
    struct api_response *resp);

#endif
