/*
 * publish: a snapshot and its next refresh time go out and are read as one
 * pair, under a writer and readers running at once; a replaced snapshot is
 * freed once no slot holds it, and never while a reader holds it.
 *
 * rates_free() is wrapped at link time (-Wl,--wrap=rates_free, see
 * tests/CMakeLists.txt), so the test sees every free publish.c makes.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coverage.h"
#include "publish.h"
#include "rates.h"

#define READERS 3
#define ROUNDS 15000		/* publications by the concurrent writer */
#define TIMES_PER_SNAPSHOT 3	/* publications per snapshot: one swap, then time-only ones */
#define FREED_MAX (ROUNDS + 16)

void __real_rates_free(struct rates *r);
void __wrap_rates_free(struct rates *r);

static _Atomic(const struct rates *) held[READERS];	/* what each reader holds now */
static atomic_int freed_while_held;
static const struct rates *freed[FREED_MAX];		/* writer thread only, in order (addresses are reused) */
static size_t nfreed;

void
__wrap_rates_free(struct rates *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < READERS; i++)
		if (atomic_load(&held[i]) == r)
			atomic_fetch_add(&freed_while_held, 1);
	if (nfreed < FREED_MAX)
		freed[nfreed] = r;
	nfreed++;
	__real_rates_free(r);
}

/* A snapshot whose fetch time is its serial number, so a reader can tell
 * which publication it belongs to. */
static struct rates *
snapshot(int64_t serial)
{
	char err[256];
	struct rates *r;
	struct dec v;

	assert_int_equal(dec_parse("1.0823", 6, &v), 0);
	assert_non_null(r = rates_new("EUR", "2026-11-20", err, sizeof(err)));
	assert_int_equal(rates_add(r, "USD", &v, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(r, serial, "test"), 0);
	return r;
}

static void
reset(void)
{
	nfreed = 0;
	atomic_store(&freed_while_held, 0);
}

static int
teardown(void **state)
{
	(void)state;
	publish_shutdown();
	return 0;
}

static void
test_pairs_one_thread(void **state)
{
	struct publication p;
	struct rates *a = snapshot(1), *b = snapshot(2);

	(void)state;
	reset();
	publish_acquire(&p);
	assert_null(p.rates);
	assert_int_equal(p.next_due_ms, 0);
	publish_release(&p);
	assert_int_equal(publish_next_due_ms(), 0);

	/* Time-only before any snapshot: still no rates. */
	publish_set_next_refresh(50);
	publish_acquire(&p);
	assert_null(p.rates);
	assert_int_equal(p.next_due_ms, 50);
	publish_release(&p);

	publish_swap(a, 100);
	publish_acquire(&p);
	assert_ptr_equal(p.rates, a);
	assert_int_equal(p.next_due_ms, 100);
	publish_release(&p);

	publish_set_next_refresh(200);
	publish_acquire(&p);
	assert_ptr_equal(p.rates, a);
	assert_int_equal(p.next_due_ms, 200);
	publish_release(&p);
	assert_int_equal(publish_next_due_ms(), 200);

	/* A reader holding a publication keeps it whole across a swap. */
	publish_acquire(&p);
	publish_swap(b, 300);
	assert_ptr_equal(p.rates, a);
	assert_int_equal(p.next_due_ms, 200);
	publish_release(&p);
	publish_acquire(&p);
	assert_ptr_equal(p.rates, b);
	assert_int_equal(p.next_due_ms, 300);
	publish_release(&p);
	assert_int_equal(nfreed, 0);
}

/*
 * A snapshot is freed exactly when no slot holds it any more: not while a
 * time-only publication keeps it in both slots, once the second publication
 * after the last one holding it goes out, and never twice.
 */
static void
test_reclamation(void **state)
{
	struct rates *a = snapshot(1), *b = snapshot(2), *c = snapshot(3);

	(void)state;
	reset();
	publish_swap(a, 10);
	publish_set_next_refresh(11);	/* a in both slots */
	publish_set_next_refresh(12);
	publish_set_next_refresh(13);
	assert_int_equal(nfreed, 0);
	publish_swap(b, 20);		/* a still in the other slot */
	assert_int_equal(nfreed, 0);
	publish_set_next_refresh(21);	/* b in both slots: a is gone */
	assert_int_equal(nfreed, 1);
	assert_ptr_equal(freed[0], a);
	publish_swap(c, 30);
	publish_swap(NULL, 40);		/* b's slot rewritten */
	assert_int_equal(nfreed, 2);
	assert_ptr_equal(freed[1], b);
	publish_shutdown();		/* c and nothing else */
	assert_int_equal(nfreed, 3);
	assert_ptr_equal(freed[2], c);
	assert_int_equal(publish_next_due_ms(), 0);
	publish_shutdown();		/* twice is harmless */
	assert_int_equal(nfreed, 3);
}

/* linked with -Wl,--wrap=coverage_free: the coverages freed, in order. */
void __real_coverage_free(struct coverage *c);
void __wrap_coverage_free(struct coverage *c);
static const struct coverage *covfreed[FREED_MAX];
static size_t ncovfreed;

void
__wrap_coverage_free(struct coverage *c)
{
	if (c != NULL && ncovfreed < FREED_MAX)
		covfreed[ncovfreed++] = c;
	__real_coverage_free(c);
}

static void
expect_publication(const struct rates *r, const struct coverage *c, int64_t due)
{
	struct publication p, seen;

	/* Released before checking: a failed check must not leave a reader counted in. */
	publish_acquire(&p);
	seen = p;
	publish_release(&p);
	assert_ptr_equal(seen.rates, r);
	assert_ptr_equal(seen.coverage, c);
	assert_int_equal(seen.next_due_ms, due);
}

/*
 * The coverage rides beside the pair: publishing it keeps the snapshot and
 * the deadline, publishing either of those keeps it, and it is freed by the
 * same rule as a snapshot, once no slot holds it.
 */
static void
test_coverage_beside_the_pair(void **state)
{
	struct coverage *x = coverage_new(NULL, 0), *y = coverage_new(NULL, 0);
	struct rates *a = snapshot(1), *b = snapshot(2);

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	reset();
	ncovfreed = 0;
	publish_swap(a, 10);
	publish_coverage(x);
	expect_publication(a, x, 10);
	publish_swap(b, 20);
	expect_publication(b, x, 20);
	publish_set_next_refresh(21);	/* x in both slots */
	expect_publication(b, x, 21);
	publish_coverage(y);		/* x still in the other slot */
	expect_publication(b, y, 21);
	assert_int_equal(ncovfreed, 0);
	publish_coverage(NULL);		/* x's last slot rewritten */
	expect_publication(b, NULL, 21);
	assert_int_equal(ncovfreed, 1);
	assert_ptr_equal(covfreed[0], x);
	publish_shutdown();		/* y, in the other slot */
	assert_int_equal(ncovfreed, 2);
	assert_ptr_equal(covfreed[1], y);
}

struct reader {
	size_t id;
	atomic_int *done;
	atomic_int *started;	/* readers that have read once */
	long reads;
	long torn;		/* a time that is not its snapshot's */
	long backwards;		/* a publication older than one seen before */
};

/* Publication k (from 1) pairs snapshot (k - 1) / TIMES_PER_SNAPSHOT + 1 with
 * time k: the reader can check that the pair it sees belongs together. */
static void *
read_loop(void *arg)
{
	struct reader *rd = arg;
	struct publication p;
	int64_t last = 0;

	while (!atomic_load(rd->done)) {
		publish_acquire(&p);
		atomic_store(&held[rd->id], p.rates);
		if (p.rates != NULL) {
			if (rates_fetched_at(p.rates) != (p.next_due_ms - 1) / TIMES_PER_SNAPSHOT + 1)
				rd->torn++;
			if (p.next_due_ms < last)
				rd->backwards++;
			last = p.next_due_ms;
		}
		/* Now and then hold on across a few publications, so that the
		 * writer meets a slot it must wait for. */
		if (++rd->reads % 16 == 0)
			sched_yield();
		atomic_store(&held[rd->id], NULL);
		publish_release(&p);
		if (publish_next_due_ms() < last)
			rd->backwards++;
		if (rd->reads == 1)
			atomic_fetch_add(rd->started, 1);
	}
	return NULL;
}

static void
test_concurrent_pairs(void **state)
{
	pthread_t t[READERS];
	struct reader rd[READERS];
	atomic_int done = 0, started = 0;
	int64_t snapshots = 0;

	(void)state;
	reset();
	for (size_t i = 0; i < READERS; i++) {
		rd[i] = (struct reader){ .id = i, .done = &done, .started = &started };
		assert_int_equal(pthread_create(&t[i], NULL, read_loop, &rd[i]), 0);
	}
	/* Publish only once every reader runs: on a busy machine a reader could
	 * otherwise first be scheduled after the last publication. */
	while (atomic_load(&started) < READERS)
		sched_yield();
	for (int64_t k = 1; k <= ROUNDS; k++) {
		if ((k - 1) % TIMES_PER_SNAPSHOT == 0)
			publish_swap(snapshot(++snapshots), k);
		else
			publish_set_next_refresh(k);
	}
	atomic_store(&done, 1);
	for (size_t i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_true(rd[i].reads > 0);
		assert_int_equal(rd[i].torn, 0);
		assert_int_equal(rd[i].backwards, 0);
	}
	assert_int_equal(atomic_load(&freed_while_held), 0);
	/* Every snapshot but the one served: the last publication was a
	 * time-only one, so both slots hold that one. */
	assert_int_not_equal(ROUNDS % TIMES_PER_SNAPSHOT, 1);
	assert_int_equal(nfreed, snapshots - 1);
	publish_shutdown();
	assert_int_equal(nfreed, snapshots);
}

/*
 * The advertised next refresh follows the monotonic deadline: a wall clock
 * stepped two days back (or forward) after the round was scheduled moves the
 * advertised time with it, so max-age stays what is left of the schedule.
 */
static void
test_next_wall_follows_the_monotonic_deadline(void **state)
{
	const int64_t t0 = 1795000000, m0 = 5000000, due = m0 + 600 * 1000;

	(void)state;
	assert_int_equal(publish_next_wall(due, t0, m0), t0 + 600);
	/* 100.5 s later, the clock stepped back two days: 499.5 s left, rounded up. */
	assert_int_equal(publish_next_wall(due, t0 + 100 - 172800, m0 + 100500), t0 + 100 - 172800 + 500);
	/* ... and stepped a day forward. */
	assert_int_equal(publish_next_wall(due, t0 + 86400, m0), t0 + 86400 + 600);
	/* A round running late is due now, not in the past. */
	assert_int_equal(publish_next_wall(due, t0 + 700, m0 + 700 * 1000), t0 + 700);
	assert_int_equal(publish_next_wall(due, t0 + 600, due), t0 + 600);
	/* Not scheduled yet. */
	assert_int_equal(publish_next_wall(0, t0, m0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pairs_one_thread, teardown),
		cmocka_unit_test_teardown(test_reclamation, teardown),
		cmocka_unit_test_teardown(test_coverage_beside_the_pair, teardown),
		cmocka_unit_test_teardown(test_concurrent_pairs, teardown),
		cmocka_unit_test(test_next_wall_follows_the_monotonic_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
