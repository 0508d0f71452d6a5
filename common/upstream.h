/*
 * upstream: fetch rates from one URL and validate them.
 *
 * This is the whole data path from the outside world to snapshots:
 * fetch_get() with bounded size and time, then feed_parse(), so any upstream
 * may serve Frankfurter/fixer JSON or the ECB's own XML or CSV, recognised
 * from the content.  Both programs use it: the daemon on its timer, the CLI
 * for its fallback.  Thread-safe after curl_global_init().
 */
#ifndef CCONV_UPSTREAM_H
#define CCONV_UPSTREAM_H

#include <stddef.h>

#include "feed.h"
#include "fetch.h"
#include "rates.h"

#define UPSTREAM_FRANKFURTER "https://api.frankfurter.dev/v1/latest"
#define UPSTREAM_FRANKFURTER_V2 "https://api.frankfurter.dev/v2/rates?base=EUR"
#define UPSTREAM_ECB_DAILY "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
#define UPSTREAM_ECB_HIST_90D "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
/* The default upstreams in order of precedence, as a comma-separated list:
 * the ECB, the official reference for its currencies; Frankfurter's v2 API
 * for the rest of the world (some 84 central banks); its frozen v1 API,
 * ECB-only, for when neither answers. */
#define UPSTREAM_DEFAULT UPSTREAM_ECB_DAILY "," UPSTREAM_FRANKFURTER_V2 "," UPSTREAM_FRANKFURTER

/* Limits of one fetch.  A day's rates fit in a few KiB in every format, so
 * 1 MiB refuses only garbage; a history feed is larger, so it gets the most a
 * document may be (FEED_MAX_BODY) and the time to fetch it slowly. */
#define UPSTREAM_MAX_BODY (1024 * 1024)	/* bytes, the latest rates */
#define UPSTREAM_TIMEOUT_MS 10000	/* whole fetch of the latest rates, ms */
#define UPSTREAM_HISTORY_TIMEOUT_MS 60000	/* whole fetch of a history feed, ms */

/* Why a fetch failed, for counting (the message in err says it in words). */
enum upstream_failure {
	UPSTREAM_FAIL_NONE = 0,
	UPSTREAM_FAIL_NETWORK,	/* no whole HTTP answer: DNS, connect, a timeout or reset (even after
				 * the status line), no file */
	UPSTREAM_FAIL_HTTP,	/* an HTTP status other than 2xx and 304 */
	UPSTREAM_FAIL_INVALID,	/* an answer that is not valid rates, or too large */
};

/* What an upstream said about its last answer, to ask "changed since?" next
 * time, and how long it asked us to stay away. */
struct upstream_validators {
	char etag[FETCH_ETAG_MAX];	/* "" when it sent none */
	int64_t last_modified;		/* 0 when it sent none */
	long retry_after;		/* out: seconds from a 429's or 503's Retry-After, 0 if none (or
					 * on any other status) */
	int64_t fetched_at;		/* out: upstream_fetched_at() of a 200 or 304 */
	int stale;			/* out: a 200 or 304 said it is stale (Warning: 110) */
	enum upstream_failure failure;	/* out: why the fetch failed; UPSTREAM_FAIL_NONE when it did not */
	struct feed_span span;		/* out: what a 200's document held, its skipped codes included */
};

/*
 * When the rates of an answer received at Unix time now were fetched, for a
 * tier (a cconvd, or a cache, in front of the source) must not pass on old
 * rates as new: now − age (its Age header; -1 when it had none), or its
 * Last-Modified (-1 or 0 for none) when it also carries Age, whichever is older,
 * and never after now.  A cconvd's Last-Modified is when its rates were last
 * confirmed, as is any cache's copy's; a source's own Last-Modified without
 * Age (the ECB's file, Friday's all weekend) says when the document changed,
 * not how long ago it was last confirmed current, so it is not a fetch time.
 * Pure.
 */
int64_t upstream_fetched_at(int64_t now, int64_t age, int64_t last_modified);

/* Outcomes of upstream_fetch_feed(). */
enum upstream_status {
	UPSTREAM_ERROR = -1,	/* err says why */
	UPSTREAM_FETCHED = 0,
	UPSTREAM_UNCHANGED = 1,	/* the upstream answered 304 Not Modified */
};

/* upstream_fetch_feed() flags. */
#define UPSTREAM_HISTORY 0x1	/* a history feed: history limits above */

/*
 * GETs url (conditionally when v holds validators: an upstream whose data has
 * not changed answers 304 with no body, which costs it and us nothing) and
 * parses the body with feed_parse().  Returns UPSTREAM_FETCHED with *out an
 * array of *n finished snapshots, oldest first, each with origin
 * (upstream_fetched_at(), url as url_redact() shows it) and marked stale
 * (rates_set_stale()) when the answer said so, and v updated from the answer
 * (caller frees with rates_vec_free()); UPSTREAM_UNCHANGED with *out NULL
 * when the upstream said 304, v->fetched_at and v->stale then saying what the
 * 304 confirms; UPSTREAM_ERROR with err holding the reason as fetch_get() or
 * feed_parse() gave it, without the URL: "HTTP 503", "ECB XML line 3: …", and
 * v->failure saying which kind of failure it was.  The caller names the
 * upstream once, in front, redacted: err_prefix(err, errlen, "upstream '%s'",
 * url_redact(url, …)).  v may be NULL for an unconditional fetch.
 */
enum upstream_status upstream_fetch_feed(const char *url, int flags, struct upstream_validators *v,
    struct rates ***out, size_t *n, char *err, size_t errlen);

/*
 * upstream_fetch_feed() with each snapshot handed to sink as it is read
 * (feed_parse_each()), stamped with its origin (now, url redacted), rather than kept:
 * a long history feed then costs its bytes and about one day.  The outcomes
 * and messages are upstream_fetch_feed()'s, the sink's failure included (its
 * message as it is); span says what was handed on.  On UPSTREAM_ERROR the
 * sink may have had days already: its owner undoes them.
 */
enum upstream_status upstream_fetch_each(const char *url, int flags, struct upstream_validators *v,
    const struct rates_sink *sink, struct feed_span *span, char *err, size_t errlen);

/*
 * The latest rates url gives, unconditionally, with the limits for the
 * latest rates: every day of its document folded, each currency at its
 * newest observation (merge_fold(): a Frankfurter v2 answer holds rates of
 * several dates, a 90-day feed many days).  *out is finished, each source
 * with origin (now, url redacted); caller frees with rates_free().  0, or -1
 * with the reason in err, as above (the caller names the upstream).
 */
int upstream_fetch(const char *url, struct rates **out, char *err, size_t errlen);

/*
 * Another Frankfurter resource beside an upstream's latest rates, resource
 * being "2024-01-05" (a date), "2024-01-01.." (a time series to today) or
 * "2024-01-01..2024-12-31".  For v1, url "https://x/v1/latest?base=USD"
 * gives "https://x/v1/2024-01-05?base=USD"; for v2, url
 * "https://x/v2/rates?base=USD" gives "https://x/v2/rates?base=USD&date=2024-01-05"
 * or "…&from=2024-01-01&to=2024-12-31" (the other query parameters kept, a
 * date, from or to of url's own replaced).  0, or -1 when url's path ends in
 * neither "/latest" nor "/rates" (an ECB feed, a file) or out is too small.
 */
int upstream_sibling_url(const char *url, const char *resource, char *out, size_t outlen);

/* 1 when url is a Frankfurter v2 rates URL (its path ends in "/rates"), else 0. */
int upstream_is_v2(const char *url);

/*
 * A history from `from` on, as url's upstream is asked for it in pieces:
 * Frankfurter v2 gives one record per rate, some 160 currencies a day, so its
 * history is asked one calendar year at a time (from=…&to=…, the last piece,
 * this year's, to today) and no answer has to hold decades; Frankfurter v1's
 * is one time series ({from}..).  Piece k (from 0) of the history, at Unix
 * time now: 1 with p filled, 0 when there is no piece k, -1 when url has no
 * history to ask (neither /latest nor /rates) or a URL would be too long.
 */
struct upstream_piece {
	char url[FETCH_URL_MAX + 64];
	char from[DT_DATE_LEN];		/* the piece's dates, from..to */
	char to[DT_DATE_LEN];		/* "" for open-ended: to today */
};
int upstream_history_piece(const char *url, const char *from, unsigned k, int64_t now, struct upstream_piece *p);

/*
 * The provider key of a source, as Frankfurter v2's providers= names one and
 * /v2/providers lists it: upstream is a source as rates_source() shows it (a
 * redacted URL, "import file:///FILE" or "import:FILE", "backfill URL" or
 * "").  A backfill is its URL's provider.  The ECB's own files and hosts
 * (anything naming "eurofxref", a host under ecb.europa.eu) are "ECB";
 * Frankfurter's hosts (frankfurter.dev, frankfurter.app) "FRANKFURTER"; an
 * import of another file "IMPORT"; a file: URL "FILE"; any other URL its
 * host, with the port if given, in upper case ("RATES.EXAMPLE.ORG",
 * "127.0.0.1:8080"); "" gives "".  Keys hold no ',' (providers= lists them
 * with commas).  Writes the key NUL-terminated into out (cut to
 * UPSTREAM_KEY_LEN - 1) and returns out.  Pure.
 */
#define UPSTREAM_KEY_LEN 64
const char *upstream_provider_key(const char *upstream, char out[UPSTREAM_KEY_LEN]);

#endif
