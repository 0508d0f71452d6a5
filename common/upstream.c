/*
 * upstream: one fetch from one upstream, validated into a snapshot.
 *
 * Every message starts with "upstream '<url>':" so a log line always says
 * which of several upstreams failed, then the first rule that failed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "fxjson.h"
#include "upstream.h"

int
upstream_fetch(const char *url, struct rates **out, char *err, size_t errlen)
{
	return upstream_fetch_if_changed(url, NULL, out, err, errlen);
}

int
upstream_fetch_if_changed(const char *url, struct upstream_validators *v, struct rates **out, char *err,
    size_t errlen)
{
	const struct fetch_opts opts = {
		.connect_timeout_ms = UPSTREAM_TIMEOUT_MS,
		.timeout_ms = UPSTREAM_TIMEOUT_MS,
		.max_body = FXJSON_MAX_BODY,
		.if_none_match = v != NULL ? v->etag : NULL,
		.if_modified_since = v != NULL ? v->last_modified : 0,
	};
	struct fetch_result res;
	char why[512];
	int rc = -1;

	*out = NULL;
	int fetched = fetch_get(url, &opts, &res, why, sizeof(why));
	if (v != NULL) {
		v->retry_after = res.retry_after;
		v->failure = 0;
	}
	if (fetched == -1) {
		snprintf(err, errlen, "upstream %s", why);
		if (v != NULL)
			v->failure = res.status >= 200 && res.status <= 299 ? UPSTREAM_FAIL_INVALID :
			    res.status != 0 ? UPSTREAM_FAIL_HTTP : UPSTREAM_FAIL_NETWORK;
		goto out;
	}
	if (res.status == 304) {
		rc = UPSTREAM_UNCHANGED;
		goto out;
	}
	if (fxjson_parse(res.body, res.len, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "upstream '%s': %s", url, why);
		if (v != NULL)
			v->failure = UPSTREAM_FAIL_INVALID;
		goto out;
	}
	if (rates_set_origin(*out, (int64_t)time(NULL), url) == -1) {
		snprintf(err, errlen, "upstream '%s': out of memory", url);
		rates_free(*out);
		*out = NULL;
		goto out;
	}
	if (v != NULL) {
		memcpy(v->etag, res.etag, sizeof(v->etag));
		v->last_modified = res.last_modified > 0 ? res.last_modified : 0;
	}
	rc = 0;
out:
	fetch_result_free(&res);
	return rc;
}
