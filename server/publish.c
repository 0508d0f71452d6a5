/*
 * publish: hand publications from the refresher to request handlers without
 * locks.
 *
 * Two slots, each holding a whole publication (snapshot and next refresh
 * time, plain fields), and a reader counter per slot.  A reader picks the
 * active slot, counts itself in, and checks that the slot is still active; if
 * not, it counts itself out and tries again.  The writer only ever rewrites
 * the inactive slot, and only after its counter has drained to zero, then
 * makes it the active one.  So no slot is written while a reader reads it,
 * and a reader copies both fields of one publication: the pair is consistent
 * by construction, not by the order of two separate stores.
 *
 * The orderings, in C11 terms:
 * - The writer fills a slot, then stores `active` (a release); a reader's
 *   check of `active` is an acquire, so a reader that finds its slot active
 *   sees everything written into it.  Its count-out is a release and the
 *   writer's drain check an acquire, so a reader's last look at a slot
 *   happens before the slot is rewritten.
 * - "Count in, then check `active`" (reader) against "store `active`, and at
 *   the next swap check the count" (writer) is a store followed by a load of
 *   another variable on each side.  Acquire and release alone allow both
 *   loads to miss the other side's store, and then a reader would keep a slot
 *   the writer is rewriting; these four operations are sequentially
 *   consistent, whose single total order forbids that.
 *
 * Reclamation: a time-only publication (publish_set_next_refresh()) puts the
 * active snapshot in both slots, as a coverage-only one (publish_coverage())
 * does the snapshot and the time.  The writer frees the snapshot or the
 * coverage of the slot it rewrites only when the other slot does not hold it
 * too: then no reader can reach it any more.
 *
 * Requests hold a publication only while they answer (a long time series read
 * from history the longest), and rounds are far apart: the writer's wait is
 * rarely taken, and then delays only the refresher.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "coverage.h"
#include "publish.h"

struct slot {
	struct rates *rates;	/* owned; may also be in the other slot */
	struct coverage *coverage;	/* the same */
	int64_t next_due_ms;
};

static struct slot slots[2];	/* written only by the writer, and only while inactive and drained */
static atomic_uint active;	/* the slot readers take */
static atomic_uint readers[2];	/* readers counted into each slot */

static pthread_mutex_t status_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fetch_status status;

void
publish_acquire(struct publication *p)
{
	for (;;) {
		/* A guess only: the check below decides. */
		unsigned i = atomic_load_explicit(&active, memory_order_relaxed);

		atomic_fetch_add_explicit(&readers[i], 1, memory_order_seq_cst);
		if (atomic_load_explicit(&active, memory_order_seq_cst) == i) {
			p->rates = slots[i].rates;
			p->coverage = slots[i].coverage;
			p->next_due_ms = slots[i].next_due_ms;
			p->token = i;
			return;
		}
		/* Nothing read from the slot: no ordering to give. */
		atomic_fetch_sub_explicit(&readers[i], 1, memory_order_relaxed);
	}
}

void
publish_release(const struct publication *p)
{
	atomic_fetch_sub_explicit(&readers[p->token], 1, memory_order_release);
}

int64_t
publish_next_due_ms(void)
{
	struct publication p;
	int64_t at;

	publish_acquire(&p);
	at = p.next_due_ms;
	publish_release(&p);
	return at;
}

int64_t
publish_next_wall(int64_t next_due_ms, int64_t now, int64_t now_ms)
{
	int64_t left = next_due_ms - now_ms;

	if (next_due_ms == 0)
		return 0;
	return left > 0 ? now + (left + 999) / 1000 : now;
}

/* The writer's one way to publish: fills the inactive slot once its readers
 * have gone, then makes it the active one. */
static void
swap(struct rates *r, struct coverage *c, int64_t next_due_ms)
{
	unsigned cur = atomic_load_explicit(&active, memory_order_relaxed);	/* only this thread stores it */
	unsigned next = cur ^ 1u;

	while (atomic_load_explicit(&readers[next], memory_order_seq_cst) != 0)
		sched_yield();
	if (slots[next].rates != r && slots[next].rates != slots[cur].rates)
		rates_free(slots[next].rates);
	if (slots[next].coverage != c && slots[next].coverage != slots[cur].coverage)
		coverage_free(slots[next].coverage);
	slots[next].rates = r;
	slots[next].coverage = c;
	slots[next].next_due_ms = next_due_ms;
	atomic_store_explicit(&active, next, memory_order_seq_cst);
}

static struct slot *
active_slot(void)
{
	return &slots[atomic_load_explicit(&active, memory_order_relaxed)];
}

void
publish_swap(struct rates *r, int64_t next_due_ms)
{
	swap(r, active_slot()->coverage, next_due_ms);
}

void
publish_set_next_refresh(int64_t next_due_ms)
{
	swap(active_slot()->rates, active_slot()->coverage, next_due_ms);
}

void
publish_coverage(struct coverage *c)
{
	swap(active_slot()->rates, c, active_slot()->next_due_ms);
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

void
publish_shutdown(void)
{
	if (slots[1].rates != slots[0].rates)
		rates_free(slots[1].rates);
	rates_free(slots[0].rates);
	if (slots[1].coverage != slots[0].coverage)
		coverage_free(slots[1].coverage);
	coverage_free(slots[0].coverage);
	memset(slots, 0, sizeof(slots));
	atomic_store(&active, 0);
}
