/*
 * metrics: cconvd's counters and gauges, rendered for Prometheus at /metrics
 * (text exposition format 0.0.4).
 *
 * Process-wide, like publish.  Every counter is a C11 atomic updated with
 * relaxed ordering in fixed arrays indexed by endpoint, status and reason: no
 * lock, no allocation on the request path.  A scrape reads each counter
 * once; counters are monotonic, so a scrape racing a request sees it or not,
 * never a torn value.  All functions are thread-safe.
 *
 * Exposed: cconvd_requests_total{endpoint,code}, cconvd_request_duration_seconds
 * (histogram, time spent answering, not on the network),
 * cconvd_refreshes_total{outcome,reason}, cconvd_store_errors_total,
 * cconvd_snapshot_age_seconds, cconvd_rates_date_timestamp_seconds,
 * cconvd_rates_fetched_timestamp_seconds, cconvd_snapshot_currencies,
 * cconvd_next_refresh_timestamp_seconds, cconvd_database_size_bytes,
 * cconvd_heavy_refused_total{reason}, cconvd_heavy_in_flight, cconvd_heavy_unsent_bytes,
 * cconvd_build_info{version}.
 */
#ifndef CCONVD_METRICS_H
#define CCONVD_METRICS_H

#include <stdint.h>

#include "api.h"
#include "buf.h"
#include "rates.h"

/* Why a refresh round ended as it did: the first two are outcome="ok". */
enum metrics_refresh {
	METRICS_REFRESH_NEW,		/* new rates, published */
	METRICS_REFRESH_NOT_MODIFIED,	/* 304: the served rates reconfirmed */
	METRICS_REFRESH_HTTP_ERROR,	/* an HTTP status other than 2xx/304 */
	METRICS_REFRESH_NETWORK,	/* no answer: DNS, connect, timeout, reset, missing file */
	METRICS_REFRESH_INVALID,	/* an answer that is not valid rates */
	METRICS_REFRESH_COUNT
};

/* Why a heavy request (api_is_heavy()) was answered 503 instead of rendered. */
enum metrics_refusal {
	METRICS_REFUSED_QUEUE_FULL,	/* as many as the queue holds already wait */
	METRICS_REFUSED_STOPPING,	/* the daemon is shutting down */
	METRICS_REFUSED_MEMORY,		/* answers not yet read fill the budget for them */
	METRICS_REFUSED_COUNT
};

/* One answered request: its endpoint, HTTP status and time to answer. */
void metrics_count_request(enum api_endpoint ep, int status, int64_t micros);
void metrics_count_refresh(enum metrics_refresh why);
void metrics_count_store_error(void);
void metrics_count_heavy_refused(enum metrics_refusal why);
/* Heavy requests queued or being rendered: +1 when one is queued, -1 when
 * its answer is ready. */
void metrics_heavy_in_flight(int delta);
/* Bytes of rendered heavy answers that libmicrohttpd has not freed yet
 * (http.c's budget): +n when one is kept, -n when it is freed. */
void metrics_heavy_unsent(int64_t delta);
/* The database's size on disk (file plus WAL), measured by the refresher. */
void metrics_set_db_size(int64_t bytes);

/* The exposition, for snapshot r (NULL: none) at time now.  Appends to b. */
void metrics_render(struct buf *b, const struct rates *r, int64_t now);

#endif
