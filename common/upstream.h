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

#endif
