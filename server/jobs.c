/*
 * jobs: a fixed worker pool behind a bounded ring of jobs.
 *
 * One mutex and one condition variable: jobs are few and each takes
 * milliseconds at least, so the lock is never contended for long, and a
 * plain ring of cap slots needs no allocation per job.  A job counts against
 * cap from submission until it returns, so cap bounds both the queue and the
 * memory the running jobs hold.  Stopping does not abandon waiting jobs,
 * whose callers are waiting for an answer: they run cancelled, which costs
 * microseconds each, and the running ones finish.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jobs.h"
#include "log.h"

struct job {
	void (*fn)(void *arg, int cancelled);
	void *arg;
};

struct jobs {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	struct job *ring;
	size_t cap, head, nwaiting, nrunning;
	int stopping, joined;
	pthread_t *threads;
	size_t nthreads;
};

static void *
worker(void *arg)
{
	struct jobs *j = arg;
	struct job job;
	int cancelled;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (j->nwaiting == 0 && !j->stopping)
			pthread_cond_wait(&j->wake, &j->mu);
		if (j->nwaiting == 0)
			break;
		job = j->ring[j->head];
		j->head = (j->head + 1) % j->cap;
		j->nwaiting--;
		j->nrunning++;
		cancelled = j->stopping;
		pthread_mutex_unlock(&j->mu);
		job.fn(job.arg, cancelled);
		pthread_mutex_lock(&j->mu);
		j->nrunning--;
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

struct jobs *
jobs_start(size_t nworkers, size_t cap, char *err, size_t errlen)
{
	struct jobs *j;
	int rc;

	if (nworkers == 0 || cap == 0) {
		err_set(err, errlen, "need at least one worker and one slot");
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || (j->ring = calloc(cap, sizeof(*j->ring))) == NULL ||
	    (j->threads = calloc(nworkers, sizeof(*j->threads))) == NULL) {
		err_set(err, errlen, "out of memory");
		if (j != NULL)
			free(j->ring);
		free(j);
		return NULL;
	}
	j->cap = cap;
	if ((rc = pthread_mutex_init(&j->mu, NULL)) != 0)
		fatalx("pthread_mutex_init: %s", strerror(rc));
	if ((rc = pthread_cond_init(&j->wake, NULL)) != 0)
		fatalx("pthread_cond_init: %s", strerror(rc));
	for (; j->nthreads < nworkers; j->nthreads++)
		if ((rc = pthread_create(&j->threads[j->nthreads], NULL, worker, j)) != 0) {
			err_set(err, errlen, "cannot start worker thread %zu: %s", j->nthreads + 1, strerror(rc));
			jobs_stop(j);
			jobs_free(j);
			return NULL;
		}
	return j;
}

enum jobs_result
jobs_submit(struct jobs *j, void (*fn)(void *arg, int cancelled), void *arg)
{
	enum jobs_result res = JOBS_STOPPED;

	pthread_mutex_lock(&j->mu);
	if (j->stopping)
		goto out;
	res = JOBS_FULL;
	if (j->nwaiting + j->nrunning >= j->cap)
		goto out;
	j->ring[(j->head + j->nwaiting) % j->cap] = (struct job){ fn, arg };
	j->nwaiting++;
	pthread_cond_signal(&j->wake);
	res = JOBS_QUEUED;
out:
	pthread_mutex_unlock(&j->mu);
	return res;
}

void
jobs_stop(struct jobs *j)
{
	int join;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->stopping = 1;
	join = !j->joined;
	j->joined = 1;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->mu);
	if (!join)
		return;
	for (size_t i = 0; i < j->nthreads; i++)
		pthread_join(j->threads[i], NULL);
}

void
jobs_free(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->wake);
	free(j->threads);
	free(j->ring);
	free(j);
}
