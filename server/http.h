/*
 * http: libmicrohttpd glue between sockets and api_handle().
 *
 * An internal thread pool on epoll, with a connection timeout, a total
 * connection limit and a per-IP limit.  Each request takes the current snapshot
 * with publish_acquire() and never waits on disk or network.  Answers carry
 * ETag and Cache-Control (httpcache.h); each request is counted in metrics.h.
 */
#ifndef CCONVD_HTTP_H
#define CCONVD_HTTP_H

#include <stddef.h>

#include "config.h"

struct http;

/* Binds and starts serving; logs "listening on HOST:PORT" with the real port.
 * cfg is borrowed and must outlive the server.  NULL with err set. */
struct http *http_start(const struct cconvd_config *cfg, char *err, size_t errlen);
/* Stops accepting, finishes requests in flight, frees h. */
void http_stop(struct http *h);

#endif
