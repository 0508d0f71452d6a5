/*
 * api: cconvd's HTTP API as a pure function, request in, response out.
 *
 * Knows nothing of sockets or libmicrohttpd (http.c adapts), so every route,
 * parameter rule and error is unit-tested without a server.  Untrusted text
 * (path, query) is parsed into typed values here and nowhere else; no input can
 * produce a 5xx other than 503 "no rates yet".  Thread-safe: it only reads the
 * snapshot it is given.
 */
#ifndef CCONVD_API_H
#define CCONVD_API_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "publish.h"
#include "rates.h"

#define API_MAX_ARGS 32		/* more query parameters than this: 400 */

struct api_arg {
	const char *key;	/* decoded; may hold NUL bytes */
	size_t key_len;
	const char *value;	/* decoded; NULL for "?key" with no '=' */
	size_t value_len;
};

struct api_request {
	const char *method;
	const char *path;	/* decoded path, no query */
	size_t path_len;
	const struct api_arg *args;
	size_t nargs;
};

struct api_ctx {
	const struct rates *rates;	/* NULL: no rates yet */
	int64_t now;
	long max_age;
	void (*get_status)(struct fetch_status *);	/* for /healthz */
};

struct api_response {
	int status;
	const char *content_type;	/* static string */
	struct buf body;	/* owned by the response */
	int64_t last_modified;	/* fetch time of the rates used; -1: not from rates */
	int64_t age;		/* seconds since last_modified */
	int stale;		/* adds Warning: 110 */
	const char *csp;	/* static; NULL: no Content-Security-Policy header */
};

void api_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp);
void api_response_free(struct api_response *resp);

#endif
