/*
 * v2: Frankfurter's API v2, every path under /v2, as api.c's pure function
 * does the rest (request in, response out; no sockets, no SQLite).
 *
 * The shapes, parameters, statuses and error bodies are those of
 * Frankfurter's OpenAPI document 2.1.1 (tests/data/frankfurter-v2-openapi.json
 * is the copy the tests check every answer against).  Its errors are
 * {"status":N,"message":"…"}: 404 for what does not exist, 422 for a request
 * it cannot take (an unknown parameter among them).  This module routes;
 * each group of routes lives in its own module and answers errors through
 * api_answer_error().  Thread-safe: it only reads what ctx gives it.
 */
#ifndef CCONVD_V2_H
#define CCONVD_V2_H

#include <stddef.h>

#include "api.h"

/* 1 when path[0..n) is "/v2" or under "/v2/", else 0.  Pure. */
int v2_is_path(const char *path, size_t n);

/* Answers a request whose path v2_is_path(); resp is set up as api_handle()
 * leaves it before routing (zeroed, an empty body, last_modified -1), and
 * the method is GET or HEAD. */
void v2_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp);

/* Starts a 200 JSON answer from the latest rates: dated by their fetch
 * time, kept by caches until the next refresh (API_CACHE_RATES), stale as
 * they are; with no rates yet, not to be kept. */
void v2_begin_answer(const struct api_ctx *ctx, struct api_response *resp);

/*
 * The request's parameters all among allowed (a NULL-terminated list);
 * -1 with the 422 answered ("unknown parameter: a, b", as Frankfurter
 * words it) when one is not, or when there are more than API_MAX_ARGS.
 */
int v2_known_params(const struct api_request *req, const char *const *allowed, struct api_response *resp);

/*
 * The parameter named name; NULL when it is absent.  A name given twice is
 * refused (422 answered, -1 left in *bad, which the caller set to 0), since
 * which one wins would be a guess; later calls leave a first refusal alone.
 */
const struct api_arg *v2_arg(const struct api_request *req, const char *name, int *bad,
    struct api_response *resp);

#endif
