/*
 * upstream: one fetch from one upstream, validated into a snapshot.
 *
 * Every message starts with "upstream '<url>':" so a log line always says
 * which of several upstreams failed, then the first rule that failed.
 */
#include <stdio.h>
#include <time.h>

#include "fetch.h"
#include "fxjson.h"
#include "upstream.h"

int
upstream_fetch(const char *url, struct rates **out, char *err, size_t errlen)
{
	const struct fetch_opts opts = {
		.connect_timeout_ms = UPSTREAM_TIMEOUT_MS,
		.timeout_ms = UPSTREAM_TIMEOUT_MS,
		.max_body = FXJSON_MAX_BODY,
	};
	struct fetch_result res;
	char why[512];
	int rc = -1;

	*out = NULL;
	if (fetch_get(url, &opts, &res, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "upstream %s", why);
		goto out;
	}
	if (fxjson_parse(res.body, res.len, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "upstream '%s': %s", url, why);
		goto out;
	}
	if (rates_set_origin(*out, (int64_t)time(NULL), url) == -1) {
		snprintf(err, errlen, "upstream '%s': out of memory", url);
		rates_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	fetch_result_free(&res);
	return rc;
}
