/*
 * httpcache: validators and freshness for cconvd's answers (RFC 9110 §8.8,
 * §13; RFC 9111; RFC 5861).
 *
 * An answer computed from rates gets a strong ETag that is a hash of its own
 * bytes: identical bytes, identical tag, whichever snapshot, request or daemon
 * produced them; any byte different, a different tag.  That is exactly the
 * strong-validator contract, it covers every query parameter and the "stale"
 * and "fetched_at" fields of a body without listing them, and N daemons behind
 * one cache holding the same rates agree on their tags.  A refresh that only
 * reconfirms the rates (a 304 upstream) leaves /latest's bytes, and so its
 * tag, unchanged, which is what lets a cconvd tier below answer 304 in turn.
 *
 * Freshness runs until the daemon's next scheduled refresh.  Because every
 * answer also carries Age (seconds since the rates were fetched), and an RFC
 * 9111 cache counts Age against max-age, max-age is Age plus the seconds left
 * until that refresh.  nginx (1.22 checked) ignores Age, so the same moment is
 * also given as X-Accel-Expires: @unix-time, which nginx obeys and strips.
 * Pure and thread-safe.
 */
#ifndef CCONVD_HTTPCACHE_H
#define CCONVD_HTTPCACHE_H

#include <stddef.h>
#include <stdint.h>

#define HTTPCACHE_ETAG_LEN 19		/* '"' + 16 hex digits + '"' + NUL */
#define HTTPCACHE_CONTROL_LEN 128
#define HTTPCACHE_SWR 60L		/* stale-while-revalidate, seconds: time for a cache to refetch */
#define HTTPCACHE_IMMUTABLE 31536000L	/* max-age of an answer that can never change (a year) */

/* The strong ETag of a body, quotes included: "\"0123456789abcdef\"". */
void httpcache_etag(const char *body, size_t len, char out[HTTPCACHE_ETAG_LEN]);

/*
 * Whether a GET or HEAD may be answered 304 (RFC 9110 §13.2.2).  inm holds
 * the n_inm If-None-Match field lines as received, ims the n_ims
 * If-Modified-Since ones: a field sent on several lines is one
 * comma-separated list (§5.3).  When If-None-Match is present only it
 * decides, by weak comparison against etag ("*" matches); otherwise
 * If-Modified-Since matches when it is a single HTTP-date in any of its three
 * forms (dt_parse_http_any(), now for RFC 850's two-digit year) not earlier
 * than last_modified.  Anything malformed is no match: a 200 is always a
 * correct answer.
 */
int httpcache_not_modified(const char *const *inm, size_t n_inm, const char *const *ims, size_t n_ims,
    const char *etag, int64_t last_modified, int64_t now);

#define HTTPCACHE_INT_LEN 21		/* "-9223372036854775808" + NUL */

/*
 * v in decimal into out, NUL-terminated; returns its length.  What
 * snprintf("%lld") prints, without the format parsing, for the numeric header
 * values every answer carries (Age, X-Accel-Expires, Cache-Control).
 */
size_t httpcache_int(char out[HTTPCACHE_INT_LEN], int64_t v);

/*
 * Cache-Control for an answer from rates fetched `age` seconds ago, with
 * `until_refresh` seconds left before the next scheduled refresh (clamped at
 * 0) and stale-if-error seconds (the daemon's --max-age):
 * "public, max-age=AGE+LEFT, stale-while-revalidate=60, stale-if-error=N".
 * immutable: the answer can never change (history): "public,
 * max-age=AGE+a year, immutable".
 */
void httpcache_control(char out[HTTPCACHE_CONTROL_LEN], int64_t age, int64_t until_refresh,
    long stale_if_error, int immutable);

#endif
