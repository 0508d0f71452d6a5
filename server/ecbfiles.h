/*
 * ecbfiles: the ECB's own files served back, at the ECB's own paths, so that
 * a program that reads them needs only another host:
 *
 *   /stats/eurofxref/eurofxref-daily.xml     the newest day
 *   /stats/eurofxref/eurofxref-hist-90d.xml  the 90 days ending with it
 *   /stats/eurofxref/eurofxref-hist.xml      every day
 *   /stats/eurofxref/eurofxref-hist.csv      every day, as the CSV in the ECB's eurofxref-hist.zip
 *
 * Built from the stored observations of the ECB's sources alone (provider
 * key "ECB": its files and hosts, imports of its files), each day's own and
 * no other source's, rates digit for digit as stored (ecbwrite.h).  Part of
 * api.c's pure function: request in, response out, history read through
 * api_history's provider_each.  Thread-safe.
 */
#ifndef CCONVD_ECBFILES_H
#define CCONVD_ECBFILES_H

#include <stddef.h>

#include "api.h"

/* 1 when path[0..n) is one of the files above, else 0.  Pure. */
int ecbfiles_is_path(const char *path, size_t n);

/* 1 when path[0..n) is a file that reads more than a month of history (the
 * 90-day and the full ones), which api_is_heavy() hands to a worker.  Pure. */
int ecbfiles_is_heavy(const char *path, size_t n);

/* Answers a request whose path ecbfiles_is_path(); resp is set up as
 * api_handle() leaves it before routing, and the method is GET or HEAD.
 * Query parameters are ignored, as the ECB ignores them. */
void ecbfiles_handle(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp);

#endif
