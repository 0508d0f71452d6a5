/*
 * fetch: one bounded HTTP(S) or file:// GET through libcurl.
 *
 * TLS peers are always verified (there is no switch to turn that off); only
 * http, https and file are allowed, and redirects only to http and https.  The
 * body is held in memory up to opts->max_body bytes; a larger one fails the
 * fetch, and a file:// path that is not a regular file (a FIFO) fails it at
 * once.  Call curl_global_init() once before any thread uses this module;
 * after that fetch_get() is thread-safe (each call has its own easy handle).
 */
#ifndef CCONV_FETCH_H
#define CCONV_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct fetch_opts {
	long connect_timeout_ms;	/* time to connect, 0 for libcurl's default */
	long timeout_ms;		/* the whole transfer */
	size_t max_body;		/* bytes */
	const char *if_none_match;	/* an ETag from an earlier answer, or NULL */
	int64_t if_modified_since;	/* a Last-Modified from an earlier answer, or 0; not sent with an ETag */
};

#define FETCH_ETAG_MAX 256	/* longer ETags are not kept (and never sent) */
#define FETCH_URL_MAX 2048	/* bytes in a URL, without the NUL */

/*
 * Whether url[0..n) is a URL fetch_get() takes, the one rule of every URL a
 * user gives either program: it names its scheme, http://, https:// or
 * file:// (in any case), with something after it; it is at most
 * FETCH_URL_MAX bytes; it holds no space or control byte.  0, or -1 with err
 * set to the reason alone ("expected a URL starting with http://, https:// or
 * file://"); the caller names the URL.  Thread-safe.
 */
int fetch_url_check(const char *url, size_t n, char *err, size_t errlen);

/* How a fetch failed, for callers that count failures by kind. */
enum fetch_failure {
	FETCH_FAIL_NONE,	/* no failure */
	FETCH_FAIL_TRANSFER,	/* no whole answer: DNS, connect, TLS, a timeout or reset (before or after
				 * the status line), cancelled, no such file */
	FETCH_FAIL_STATUS,	/* a whole answer whose status is not 2xx or 304 */
	FETCH_FAIL_TOO_BIG,	/* the body passed max_body */
	FETCH_FAIL_LOCAL	/* libcurl could not be set up, or out of memory */
};

struct fetch_result {
	char *body;		/* NUL-terminated; caller frees with fetch_result_free() */
	size_t len;
	long status;		/* HTTP status; 0 for file:// */
	int64_t last_modified;	/* from Last-Modified (also a 304's), -1 when absent */
	int64_t age;		/* seconds from Age (also a 304's), -1 when absent or malformed */
	int stale;		/* the response carried a "Warning: 110" header */
	char etag[FETCH_ETAG_MAX];	/* the answer's ETag, "" when none */
	long retry_after;	/* seconds from a Retry-After header, 0 when none */
	enum fetch_failure failure;	/* why fetch_get() returned -1; FETCH_FAIL_NONE on 0 */
};

/*
 * GETs url.  Returns 0 when a body arrived with a 2xx status (or from a file),
 * or when the validators in opts matched and the server said 304 Not
 * Modified (res->status 304, empty body: the caller's copy is current);
 * otherwise -1 with err holding the transport's or the server's reason and
 * not the URL, which the caller names in its own role ("daemon '…'",
 * "upstream '…'"): "HTTP 503", "body larger than 1048576 bytes", "cancelled
 * (shutting down)", or libcurl's own words ("Failed to connect to … port 80
 * …").  res is always initialised and must be released with
 * fetch_result_free().
 */
int fetch_get(const char *url, const struct fetch_opts *opts, struct fetch_result *res, char *err,
    size_t errlen);
void fetch_result_free(struct fetch_result *res);

/*
 * Whether the header line p[0..n), as libcurl hands it ("Age: 120\r\n"), is
 * an Age field with a valid value (RFC 9111 §5.1: delta-seconds, digits only,
 * with optional whitespace around them): 1 with the seconds in *age, capped
 * at 2^31 as §1.2.2 says; else 0 and *age untouched (a malformed Age is
 * ignored, as if absent).  Pure; for fetch_get() and its tests.
 */
int fetch_header_age(const char *p, size_t n, int64_t *age);

/*
 * Makes every fetch in progress, and every later one, fail within about a
 * second with "cancelled".  For shutdown: a daemon told to stop should not
 * wait out a 10 s timeout on an upstream that never answers.  Async-signal-safe.
 */
void fetch_cancel_all(void);
/* Whether fetch_cancel_all() has been called: a failure then is no news. */
int fetch_cancelled(void);

#endif
