/*
 * publish: hand snapshots from the refresher to request handlers without locks.
 *
 * Two slots and two reader counters.  A reader picks the active slot, counts
 * itself in, and checks that the slot is still active; if not, it counts itself
 * out and tries again.  The writer only ever rewrites the inactive slot, and
 * only after its counter has drained to zero: a reader that counted itself into
 * that slot either saw it still active (so the writer sees its count and waits)
 * or will see it inactive and back off.  All atomics are sequentially
 * consistent, which is what makes "count in, then re-check" sound.  Requests
 * hold a snapshot while they answer, microseconds for most, up to a second for
 * a whole time series read from history, and refreshes are minutes apart: the
 * writer's wait is rarely taken, and then delays only the refresher.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "publish.h"

static _Atomic(struct rates *) slots[2];
static atomic_uint active;
static atomic_uint readers[2];

static _Atomic int64_t next_refresh;

static pthread_mutex_t status_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fetch_status status;

const struct rates *
publish_acquire(unsigned *token)
{
	for (;;) {
		unsigned i = atomic_load(&active);
		atomic_fetch_add(&readers[i], 1);
		if (atomic_load(&active) == i) {
			*token = i;
			return atomic_load(&slots[i]);
		}
		atomic_fetch_sub(&readers[i], 1);
	}
}

void
publish_release(unsigned token)
{
	atomic_fetch_sub(&readers[token], 1);
}

void
publish_swap(struct rates *r)
{
	unsigned next = atomic_load(&active) ^ 1u;

	while (atomic_load(&readers[next]) != 0)
		sched_yield();
	rates_free(atomic_load(&slots[next]));
	atomic_store(&slots[next], r);
	atomic_store(&active, next);
}

void
publish_set_status(const struct fetch_status *st)
{
	pthread_mutex_lock(&status_mu);
	status = *st;
	pthread_mutex_unlock(&status_mu);
}

void
publish_get_status(struct fetch_status *st)
{
	pthread_mutex_lock(&status_mu);
	*st = status;
	pthread_mutex_unlock(&status_mu);
}

/* Relaxed: a reader that sees the previous value for a moment only computes a
 * max-age a few seconds off, and no other data hangs on this one. */
void
publish_set_next_refresh(int64_t at)
{
	atomic_store_explicit(&next_refresh, at, memory_order_relaxed);
}

int64_t
publish_next_refresh(void)
{
	return atomic_load_explicit(&next_refresh, memory_order_relaxed);
}

void
publish_shutdown(void)
{
	for (int i = 0; i < 2; i++)
		rates_free(atomic_exchange(&slots[i], NULL));
	atomic_store(&active, 0);
}
