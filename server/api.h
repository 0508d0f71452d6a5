/*
 * api: cconvd's HTTP API as a pure function, request in, response out.
 *
 * Knows nothing of sockets or libmicrohttpd (http.c adapts), so every route,
 * parameter rule and error is unit-tested without a server.  Untrusted text
 * (path, query) is parsed into typed values here and nowhere else; no input can
 * produce a 5xx other than 503 ("no rates yet", "history unavailable").  Thread-safe: it only reads the
 * snapshot it is given.
 */
#ifndef CCONVD_API_H
#define CCONVD_API_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "publish.h"
#include "rates.h"

struct coverage;

#define API_MAX_ARGS 32		/* more query parameters than this: 400 */
/* The largest time series answer, in bytes; a larger one is refused 400. */
#define API_SERIES_CAP (16 * 1024 * 1024)

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
	const char *accept;	/* the Accept field's first line; NULL: none */
};

/* What a day's view read (store.h's struct store_day), to decide how long
 * its answer may be kept. */
struct api_day {
	int stored;		/* the day itself has rates */
	int replaced;		/* a day the view reads was changed after it had settled (store.h) */
	int64_t changed_at;	/* the last change to any of them, Unix time */
	char before[DT_DATE_LEN];	/* with no view: the newest stored day before the window, "" if none */
};

/* The sources a read may take rates from, by provider key
 * (upstream_provider_key()): Frankfurter v2's providers=. */
#define API_MAX_PROVIDERS 16
struct api_only {
	const char *const *keys;	/* upper case */
	size_t n;
};

/*
 * Stored history, for the dated routes, behind two functions so that this
 * module stays free of SQLite (server/history.c provides them; tests give
 * fakes).  Both may be called from any request thread at once.
 * only is NULL to read every source, else as store_set_only() restricts.
 *   on:   the view of date (store_load_on()); 0 with *out (the caller
 *         frees it) or NULL when none, and *day (day may be NULL), -1 with
 *         err set.
 *   each: fn for every snapshot dated start..end, oldest first, as
 *         store_each(): 0, -1 with err set, or fn's positive value.
 *   provider_each: fn for every day dated start..end of one provider's own
 *         observations against base, newest first, as store_each_provider()
 *         (NULL: the routes that need it answer 503).
 */
struct api_history {
	void *cls;
	int (*on)(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day,
	    char *err, size_t errlen);
	int (*each)(void *cls, const char *start, const char *end, const struct api_only *only,
	    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen);
	int (*provider_each)(void *cls, const char *provider, const char *base, const char *start, const char *end,
	    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen);
};

struct api_ctx {
	const struct rates *rates;	/* NULL: no rates yet */
	int64_t now;
	long max_age;
	void (*get_status)(struct fetch_status *);	/* for /healthz */
	/* for /metrics (NULL: 404); appends the exposition to b */
	void (*render_metrics)(struct buf *b, const struct rates *r, int64_t now);
	const struct api_history *history;	/* NULL: dated routes answer 503 */
	const struct coverage *coverage;	/* what each provider covered (coverage.h); NULL: unknown */
};

/* Which route answered, for per-endpoint metrics. */
enum api_endpoint {
	API_EP_CONVERT_PATH,	/* /convert/{CUR}/{AMOUNT} */
	API_EP_CONVERT,		/* /convert?… */
	API_EP_LATEST,
	API_EP_CURRENCIES,
	API_EP_HEALTHZ,
	API_EP_METRICS,
	API_EP_PAGE,		/* the web page at / */
	API_EP_DATE,		/* /{YYYY-MM-DD} */
	API_EP_SERIES,		/* /{start}..{end} */
	API_EP_V2,		/* /v2, its catalogue (server/v2.h) */
	API_EP_V1,		/* /v1: Frankfurter's version object */
	API_EP_ECB,		/* the ECB's own files (server/ecbfiles.h) */
	API_EP_OTHER,		/* unknown paths, refused methods */
	API_EP_COUNT
};

/* How caches may keep an answer (http.c turns it into Cache-Control). */
enum api_cache {
	API_CACHE_NO_STORE,	/* errors, /healthz, /metrics, the page */
	API_CACHE_RATES,	/* fresh until the next refresh; ETag, Last-Modified, Age */
	API_CACHE_IMMUTABLE	/* can never change (a past date's rates) */
};

struct api_response {
	int status;
	const char *content_type;	/* static string */
	struct buf body;	/* owned by the response */
	int64_t last_modified;	/* fetch time of the rates used; -1: not from rates */
	int64_t age;		/* seconds since last_modified */
	int stale;		/* adds Warning: 110 */
	const char *csp;	/* static; NULL: no Content-Security-Policy header */
	int retry_after;	/* seconds for a Retry-After header; 0: none */
	const char *vary;	/* static; NULL: no Vary header */
	enum api_endpoint endpoint;
	enum api_cache cache;
	int fixer_errors;	/* the request carried fixer.io's access_key: errors in fixer's form */
};

void api_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp);

/*
 * For the modules api_handle() routes to: starts a 200 of content_type from
 * rates fetched at `fetched`; dated: from history, never stale.  Then
 * api_keep_dated() lets an answer from the view of the day asked (answered,
 * read with day) be kept for good when that day can no longer change.
 */
void api_begin_at(const struct api_ctx *ctx, struct api_response *resp, const char *content_type, int64_t fetched,
    int dated);
void api_keep_dated(const struct api_ctx *ctx, const char *asked, const struct rates *answered,
    const struct api_day *day, struct api_response *resp);
/*
 * Whether api_handle() would spend long on req: a valid time series spanning
 * more than API_HEAVY_DAYS days (an open end counts to now's date), in
 * Frankfurter v1's form or v2's (v2rates_is_heavy()), or the ECB's 90-day
 * or full history (ecbfiles_is_heavy()).  Every
 * other request, malformed ones included, answers in well under a
 * millisecond.  Reads only req; thread-safe.
 */
#define API_HEAVY_DAYS 31
int api_is_heavy(const struct api_request *req, int64_t now);
/* Fills resp (uninitialised before) with the 503 for a heavy request req
 * that cannot be taken now: why is a sentence, retry_after the seconds for
 * Retry-After.  In the error body of req's route, and counted as its
 * endpoint: "series", "v2" for a range of /v2/rates, "ecb" for the ECB's
 * files. */
void api_answer_busy(struct api_response *resp, const struct api_request *req, const char *why, int retry_after);
/* Fills resp (uninitialised before) with the 400 for a request refused
 * before routing (its framing or Host, http.c): why is the sentence.
 * Counted as endpoint "other". */
void api_answer_bad_request(struct api_response *resp, const char *why);
/*
 * Whether pages of any origin may read ep's answers (http.c then adds
 * Access-Control-Allow-Origin: * and answers its OPTIONS preflights): every
 * route but /healthz, /metrics and the page.  Pure.
 */
int api_cross_origin(enum api_endpoint ep);
/*
 * Replaces whatever resp holds with an error: status, a sentence in the
 * body form of the dialect resp->endpoint (and resp->fixer_errors) speaks,
 * never stored by a cache.  It frees the old body first, so its short answer
 * needs little memory even after a buffer ran out.
 */
void api_answer_error(struct api_response *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether s[0..n) (a path or a parameter's name or value, which may hold
 * NUL bytes) is exactly the NUL-terminated word w.  Pure. */
int api_is_word(const char *s, size_t n, const char *w);
/* The endpoint's label in metrics: "convert_path", "latest", …; static. */
const char *api_endpoint_name(enum api_endpoint ep);
void api_response_free(struct api_response *resp);

#endif
