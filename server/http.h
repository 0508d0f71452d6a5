/*
 * http: libmicrohttpd glue between sockets and api_handle().
 *
 * An internal thread pool on epoll, with a connection timeout, a total
 * connection limit and a per-IP limit.  Each request takes the current
 * snapshot and its freshness, one publication, with publish_acquire() and
 * never waits on disk or network; the dated
 * routes read history (history.h), which never waits for the writer; long
 * time series are rendered on a worker thread while their connection is
 * suspended, and answered 503 with Retry-After when too many wait.  Answers
 * carry ETag and Cache-Control (httpcache.h); each request is counted in
 * metrics.h.
 */
#ifndef CCONVD_HTTP_H
#define CCONVD_HTTP_H

#include <stddef.h>

#include "api.h"
#include "config.h"

struct http;

/* How many threads serve requests: cfg->threads, or when that is 0 one per
 * core, at most 16. */
unsigned http_threads(const struct cconvd_config *cfg);

/* How many threads may read history at once: the HTTP threads and the
 * workers that render long time series.  history_open() needs one connection
 * each, so that none of them waits for another's query. */
unsigned http_readers(const struct cconvd_config *cfg);

/* Binds and starts serving; logs "listening on HOST:PORT" with the real port.
 * cfg and history (NULL: none, dated routes answer 503) are borrowed and must
 * outlive the server.  NULL with err set. */
struct http *http_start(const struct cconvd_config *cfg, const struct api_history *history, char *err,
    size_t errlen);
/* Stops accepting, finishes requests in flight, frees h. */
void http_stop(struct http *h);

#endif
