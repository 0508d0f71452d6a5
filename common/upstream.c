/*
 * upstream: one fetch from one upstream, validated into snapshots.
 *
 * The messages are the reasons of fetch_get() and feed_parse() as they
 * wrote them; the caller, which knows in what role it asked this URL, names
 * it.  The format is feed_parse()'s business, so nothing here depends on
 * which kind of upstream a URL names.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "dt.h"
#include "err.h"
#include "feed.h"
#include "fetch.h"
#include "merge.h"
#include "upstream.h"
#include "url.h"

int64_t
upstream_fetched_at(int64_t now, int64_t age, int64_t last_modified)
{
	int64_t at = now;

	if (age < 0)
		return now;
	/* An Age beyond the epoch is garbage, but it says "old", not "unknown" (0). */
	at = age < now ? now - age : 1;
	if (last_modified > 0 && last_modified < at)
		at = last_modified;
	return at;
}

/* Every snapshot stamped with its origin and staleness on its way to the caller's sink. */
struct stamp {
	const struct rates_sink *sink;
	int64_t fetched_at;
	int stale;
	const char *url;	/* as url_redact() shows it */
};

static int
stamp_day(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct stamp *st = arg;

	rates_set_stale(*r, st->stale);
	if (rates_set_origin(*r, st->fetched_at, st->url) == -1) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	return st->sink->fn(st->sink->arg, r, err, errlen);
}

enum upstream_status
upstream_fetch_each(const char *url, int flags, struct upstream_validators *v, const struct rates_sink *sink,
    struct feed_span *span, char *err, size_t errlen)
{
	int history = (flags & UPSTREAM_HISTORY) != 0;
	const struct fetch_opts opts = {
		.connect_timeout_ms = UPSTREAM_TIMEOUT_MS,
		.timeout_ms = history ? UPSTREAM_HISTORY_TIMEOUT_MS : UPSTREAM_TIMEOUT_MS,
		.max_body = history ? FEED_MAX_BODY : UPSTREAM_MAX_BODY,
		.if_none_match = v != NULL ? v->etag : NULL,
		.if_modified_since = v != NULL ? v->last_modified : 0,
	};
	struct fetch_result res;
	char shown[URL_SHOWN_LEN];
	int64_t now = (int64_t)time(NULL), fetched_at;
	struct stamp st = { sink, 0, 0, url_redact(url, shown, sizeof(shown)) };
	const struct rates_sink stamped = { stamp_day, &st };
	enum upstream_status rc = UPSTREAM_ERROR;

	memset(span, 0, sizeof(*span));
	int fetched = fetch_get(url, &opts, &res, err, errlen);
	if (v != NULL) {
		/* RFC 9110 §10.2.3 gives Retry-After a meaning with 503 and 3xx
		 * only; 429 adds it (RFC 6585 §4).  On a 200 it says nothing about
		 * when the rates change, and our own schedule decides that. */
		v->retry_after = res.status == 429 || res.status == 503 ? res.retry_after : 0;
		v->failure = UPSTREAM_FAIL_NONE;
		memset(&v->span, 0, sizeof(v->span));
	}
	fetched_at = upstream_fetched_at(now, res.age, res.last_modified);
	st.fetched_at = fetched_at;
	st.stale = res.stale;
	if (v != NULL) {
		v->fetched_at = fetched_at;
		v->stale = res.stale;
	}
	if (fetched == -1) {
		if (v != NULL)
			v->failure = res.failure == FETCH_FAIL_STATUS ? UPSTREAM_FAIL_HTTP :
			    res.failure == FETCH_FAIL_TOO_BIG ? UPSTREAM_FAIL_INVALID : UPSTREAM_FAIL_NETWORK;
		goto out;
	}
	if (res.status == 304) {
		/* "Not modified" only means something as the answer to a question. */
		if (opts.if_none_match == NULL || (opts.if_none_match[0] == '\0' && opts.if_modified_since == 0)) {
			err_set(err, errlen, "HTTP 304 to a request that was not conditional");
			if (v != NULL)
				v->failure = UPSTREAM_FAIL_HTTP;
			goto out;
		}
		rc = UPSTREAM_UNCHANGED;
		goto out;
	}
	if (feed_parse_each(res.body, res.len, &stamped, span, err, errlen) == -1) {
		if (v != NULL)
			v->failure = UPSTREAM_FAIL_INVALID;
		goto out;
	}
	if (v != NULL) {
		v->span = *span;
		memcpy(v->etag, res.etag, sizeof(v->etag));
		v->last_modified = res.last_modified > 0 ? res.last_modified : 0;
	}
	rc = UPSTREAM_FETCHED;
out:
	fetch_result_free(&res);
	return rc;
}

enum upstream_status
upstream_fetch_feed(const char *url, int flags, struct upstream_validators *v, struct rates ***out,
    size_t *n, char *err, size_t errlen)
{
	struct rates_vec k = { NULL, 0, 0 };
	const struct rates_sink sink = { rates_vec_keep, &k };
	struct feed_span span;
	enum upstream_status rc;

	*out = NULL;
	*n = 0;
	if ((rc = upstream_fetch_each(url, flags, v, &sink, &span, err, errlen)) != UPSTREAM_FETCHED) {
		rates_vec_free(k.v, k.n);
		return rc;
	}
	rates_vec_sort(k.v, k.n);
	*out = k.v;
	*n = k.n;
	return rc;
}

int
upstream_fetch(const char *url, struct rates **out, char *err, size_t errlen)
{
	struct rates **v;
	size_t n;

	int rc;

	*out = NULL;
	if (upstream_fetch_feed(url, 0, NULL, &v, &n, err, errlen) != UPSTREAM_FETCHED)
		return -1;
	if ((rc = merge_fold(v, n, NULL, out, err, errlen)) == 0 && *out == NULL) {
		err_set(err, errlen, "no rate of a currency in use");
		rc = -1;
	}
	rates_vec_free(v, n);
	return rc;
}

/* Whether url's path (before any query or fragment) ends in suffix; its length into *pathlen. */
static int
path_ends(const char *url, const char *suffix, size_t *pathlen)
{
	size_t slen = strlen(suffix);

	*pathlen = strcspn(url, "?#");
	return *pathlen >= slen && memcmp(url + *pathlen - slen, suffix, slen) == 0;
}

int
upstream_is_v2(const char *url)
{
	size_t pathlen;

	return path_ends(url, "/rates", &pathlen);
}

/* A v2 URL's query without its own date, from and to, then resource's as parameters. */
static int
v2_sibling(const char *url, size_t pathlen, const char *resource, char *out, size_t outlen)
{
	static const char *const dropped[] = { "date=", "from=", "to=" };
	const char *q = url + pathlen, *dots = strstr(resource, "..");
	struct buf b;
	int rc = -1;

	buf_init(&b, outlen > 0 ? outlen - 1 : 0);
	buf_append(&b, url, pathlen);
	buf_puts(&b, "?");
	if (*q == '?') {
		/* Each parameter, up to '&' or the fragment, kept unless it is one resource sets. */
		for (q++; *q != '\0' && *q != '#';) {
			size_t n = strcspn(q, "&#"), k = 0;

			while (k < 3 && strncmp(q, dropped[k], strlen(dropped[k])) != 0)
				k++;
			if (k == 3 && n > 0) {
				buf_append(&b, q, n);
				buf_puts(&b, "&");
			}
			q += n;
			if (*q == '&')
				q++;
		}
	}
	if (dots == NULL)
		buf_printf(&b, "date=%s", resource);
	else {
		buf_printf(&b, "from=%.*s", (int)(dots - resource), resource);
		if (dots[2] != '\0')
			buf_printf(&b, "&to=%s", dots + 2);
	}
	if (!buf_failed(&b)) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

int
upstream_sibling_url(const char *url, const char *resource, char *out, size_t outlen)
{
	size_t pathlen;
	int n;

	if (path_ends(url, "/rates", &pathlen))
		return v2_sibling(url, pathlen, resource, out, outlen);
	if (!path_ends(url, "/latest", &pathlen))
		return -1;
	pathlen -= strlen("/latest");
	n = snprintf(out, outlen, "%.*s/%s%s", (int)pathlen, url, resource, url + pathlen + strlen("/latest"));
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
upstream_history_piece(const char *url, const char *from, unsigned k, int64_t now, struct upstream_piece *p)
{
	char today[DT_DATE_LEN], resource[2 * DT_DATE_LEN + 4];
	int y0, y, m, d, ynow;
	int64_t first;

	memset(p, 0, sizeof(*p));
	if ((first = dt_date_days(from)) < 0)
		return -1;
	if (!upstream_is_v2(url)) {
		if (k > 0)
			return 0;
		memcpy(p->from, from, DT_DATE_LEN);
		snprintf(resource, sizeof(resource), "%s..", from);
		return upstream_sibling_url(url, resource, p->url, sizeof(p->url)) == -1 ? -1 : 1;
	}
	dt_date(now, today);
	dt_civil_from_days(first, &y0, &m, &d);
	dt_civil_from_days(dt_date_days(today), &ynow, &m, &d);
	y = y0 + (int)k;
	if (y > ynow)
		return 0;
	if (k == 0)
		memcpy(p->from, from, DT_DATE_LEN);
	else
		dt_date(dt_days_from_civil(y, 1, 1) * 86400, p->from);
	if (y < ynow)
		dt_date(dt_days_from_civil(y, 12, 31) * 86400, p->to);
	snprintf(resource, sizeof(resource), "%s..%s", p->from, p->to);
	return upstream_sibling_url(url, resource, p->url, sizeof(p->url)) == -1 ? -1 : 1;
}

/* Whether host[0..n) is name or a host under it. */
static int
host_is(const char *host, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n >= k && strncasecmp(host + n - k, name, k) == 0 && (n == k || host[n - k - 1] == '.');
}

const char *
upstream_provider_key(const char *upstream, char out[UPSTREAM_KEY_LEN])
{
	const char *host, *at, *end;
	size_t n;

	out[0] = '\0';
	/* A backfill is its series URL's provider: "backfill https://…". */
	if (strncmp(upstream, "backfill ", 9) == 0)
		upstream += 9;
	if (upstream[0] == '\0')
		return out;
	if (strcasestr(upstream, "eurofxref") != NULL) {
		snprintf(out, UPSTREAM_KEY_LEN, "ECB");
		return out;
	}
	/* The store names an import "import file:///path" (ingest.h). */
	if (strncmp(upstream, "import:", 7) == 0 || strncmp(upstream, "import ", 7) == 0) {
		snprintf(out, UPSTREAM_KEY_LEN, "IMPORT");
		return out;
	}
	if ((host = strstr(upstream, "://")) == NULL || strncasecmp(upstream, "file:", 5) == 0) {
		snprintf(out, UPSTREAM_KEY_LEN, "FILE");
		return out;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	/* The userinfo, redacted or not, is no part of the host. */
	while ((at = memchr(host, '@', (size_t)(end - host))) != NULL)
		host = at + 1;
	n = (size_t)(end - host);
	/* The host alone (no port) for the names matched. */
	size_t hn = strcspn(host, ":/?#");
	if (hn > n)
		hn = n;
	if (host_is(host, hn, "ecb.europa.eu"))
		snprintf(out, UPSTREAM_KEY_LEN, "ECB");
	else if (host_is(host, hn, "frankfurter.dev") || host_is(host, hn, "frankfurter.app"))
		snprintf(out, UPSTREAM_KEY_LEN, "FRANKFURTER");
	else {
		if (n > UPSTREAM_KEY_LEN - 1)
			n = UPSTREAM_KEY_LEN - 1;
		for (size_t i = 0; i < n; i++)
			out[i] = host[i] == ',' ? '_' : (char)toupper((unsigned char)host[i]);
		out[n] = '\0';
	}
	return out;
}
