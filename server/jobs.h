/*
 * jobs: a few worker threads for requests too slow for an HTTP thread.
 *
 * A bounded queue in front of a fixed set of threads.  jobs_submit() never
 * waits: when cap jobs are already waiting or running it says so at once, and
 * the caller answers the client 503 rather than let work pile up.  Each job
 * runs exactly once, on a worker: normally with cancelled 0; with cancelled 1
 * when jobs_stop() found it still waiting, so that it can answer quickly
 * instead of doing its work.  Every function is thread-safe except
 * jobs_free(), which must be the last call.
 */
#ifndef CCONVD_JOBS_H
#define CCONVD_JOBS_H

#include <stddef.h>

struct jobs;

enum jobs_result {
	JOBS_QUEUED,	/* fn will run */
	JOBS_FULL,	/* cap jobs are waiting or running: fn will not run */
	JOBS_STOPPED	/* jobs_stop() was called: fn will not run */
};

/* nworkers threads, at most cap jobs waiting or running.  NULL with err set. */
struct jobs *jobs_start(size_t nworkers, size_t cap, char *err, size_t errlen);
/* Queues fn(arg, cancelled).  arg is the caller's; the job must not touch it
 * once it has handed the result back. */
enum jobs_result jobs_submit(struct jobs *j, void (*fn)(void *arg, int cancelled), void *arg);
/* Runs every waiting job cancelled, waits for the running ones and joins the
 * workers; later submissions are refused with JOBS_STOPPED.  Accepts NULL;
 * idempotent. */
void jobs_stop(struct jobs *j);
/* After jobs_stop() and once nobody can call jobs_submit(); accepts NULL. */
void jobs_free(struct jobs *j);

#endif
