/*
 * upstream: fetch rates from one Frankfurter/fixer-format URL and validate them.
 *
 * This is the whole data path from the outside world to a snapshot:
 * fetch_get() with the upstream limits, then fxjson_parse().  Both programs use
 * it: the daemon on its timer, the CLI for its fallback.  Thread-safe after
 * curl_global_init().
 */
#ifndef CCONV_UPSTREAM_H
#define CCONV_UPSTREAM_H

#include <stddef.h>

#include "fetch.h"
#include "rates.h"

#define UPSTREAM_DEFAULT "https://api.frankfurter.dev/v1/latest"
#define UPSTREAM_TIMEOUT_MS 10000	/* whole fetch, ms */

/*
 * On success *out is a finished snapshot whose origin is (now, url); caller
 * frees with rates_free().  Returns 0, or -1 with err naming the upstream, then
 * the reason: "upstream 'http://…': HTTP 503",
 * "upstream 'http://…': rates.USD: must be a number > 0".
 */
int upstream_fetch(const char *url, struct rates **out, char *err, size_t errlen);

/* What an upstream said about its last answer, to ask "changed since?" next
 * time, and how long it asked us to stay away. */
struct upstream_validators {
	char etag[FETCH_ETAG_MAX];	/* "" when it sent none */
	int64_t last_modified;		/* 0 when it sent none */
	long retry_after;		/* out: seconds from Retry-After (429, 503), 0 if none */
	int failure;			/* out: UPSTREAM_FAIL_* when the fetch failed, else 0 */
};

/* Why a fetch failed, for counting (the message in err says it in words). */
#define UPSTREAM_FAIL_NETWORK 1		/* no HTTP answer: DNS, connect, timeout, reset, no file */
#define UPSTREAM_FAIL_HTTP 2		/* an HTTP status other than 2xx and 304 */
#define UPSTREAM_FAIL_INVALID 3		/* an answer that is not valid rates, or too large */

#define UPSTREAM_UNCHANGED 1

/*
 * upstream_fetch() as a conditional request (If-None-Match, If-Modified-Since
 * from v): an upstream whose data has not changed answers 304 with no body,
 * which costs it and us nothing.  Returns 0 with *out a new snapshot and v
 * updated from the answer; UPSTREAM_UNCHANGED with *out NULL when the upstream
 * said 304; -1 with err set.  v may be NULL for an unconditional fetch.
 */
int upstream_fetch_if_changed(const char *url, struct upstream_validators *v, struct rates **out, char *err,
    size_t errlen);

#endif
