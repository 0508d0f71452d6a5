/*
 * The worker pool: jobs run once each, at most cap wait or run at once, and
 * stopping runs the waiting ones cancelled, finishes the running one and
 * refuses the rest.  A job blocks on a gate the test opens, so what is
 * waiting and what is running is known, not guessed.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "jobs.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int gate_open, started;

struct rec {
	int runs, cancelled;
};

static void
job(void *arg, int cancelled)
{
	struct rec *r = arg;

	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&changed);
	while (!gate_open && !cancelled)
		pthread_cond_wait(&changed, &mu);
	r->runs++;
	r->cancelled = cancelled;
	pthread_mutex_unlock(&mu);
}

static void
wait_started(int n)
{
	pthread_mutex_lock(&mu);
	while (started < n)
		pthread_cond_wait(&changed, &mu);
	pthread_mutex_unlock(&mu);
}

static void
open_gate(void)
{
	pthread_mutex_lock(&mu);
	gate_open = 1;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&mu);
}

static void *
stopper(void *arg)
{
	jobs_stop(arg);
	return NULL;
}

static void
test_cap_cancel_and_stop(void **state)
{
	struct rec r[4] = { { 0, 0 } };
	struct jobs *j;
	pthread_t t;
	char err[128];

	(void)state;
	gate_open = started = 0;
	assert_null(jobs_start(0, 3, err, sizeof(err)));
	assert_non_null(j = jobs_start(1, 3, err, sizeof(err)));
	assert_int_equal(jobs_submit(j, job, &r[0]), JOBS_QUEUED);
	wait_started(1);		/* r[0] runs, held at the gate */
	assert_int_equal(jobs_submit(j, job, &r[1]), JOBS_QUEUED);
	assert_int_equal(jobs_submit(j, job, &r[2]), JOBS_QUEUED);
	assert_int_equal(jobs_submit(j, job, &r[3]), JOBS_FULL);	/* the running one counts */

	/* Stopping: refused from then on (full until the stopper gets there:
	 * nothing can be queued meanwhile); the running one finishes, then the
	 * waiting ones run cancelled. */
	assert_int_equal(pthread_create(&t, NULL, stopper, j), 0);
	while (jobs_submit(j, job, &r[3]) == JOBS_FULL)
		sched_yield();
	assert_int_equal(jobs_submit(j, job, &r[3]), JOBS_STOPPED);
	open_gate();
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r[0].runs, 1);
	assert_int_equal(r[0].cancelled, 0);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(r[i].runs, 1);
		assert_int_equal(r[i].cancelled, 1);
	}
	assert_int_equal(r[3].runs, 0);
	jobs_stop(j);			/* idempotent */
	jobs_free(j);
	jobs_free(NULL);
	jobs_stop(NULL);
}

static void
test_every_job_runs_once(void **state)
{
	struct rec r[64] = { { 0, 0 } };
	struct jobs *j;
	char err[128];
	size_t queued = 0;

	(void)state;
	gate_open = 1;
	assert_non_null(j = jobs_start(2, 64, err, sizeof(err)));
	for (size_t i = 0; i < 64; i++)
		if (jobs_submit(j, job, &r[i]) == JOBS_QUEUED)
			queued++;
	assert_int_equal(queued, 64);
	jobs_stop(j);
	jobs_free(j);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(r[i].runs, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_cancel_and_stop),
		cmocka_unit_test(test_every_job_runs_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
