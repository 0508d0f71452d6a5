/*
 * publish: what request handlers answer from, swapped atomically.
 *
 * A publication is a pair: the snapshot (the rates) and the time of the
 * refresher's next round, until which answers from that snapshot are fresh
 * (Cache-Control).  The pair is published as one and read as one: a reader
 * never sees new rates with the previous round's time, nor the reverse.
 *
 * That time is the refresher's own deadline on CLOCK_MONOTONIC (dt_mono_ms()),
 * which is when the round really runs; a reader turns it into the Unix time
 * it advertises with publish_next_wall() at the moment it answers, so a wall
 * clock stepped after the round was scheduled moves the advertised time with
 * it instead of promising freshness for the size of the step.
 *
 * Readers never lock: publish_acquire() and publish_release() cost an atomic
 * increment, an atomic decrement and two atomic loads.  The single writer
 * (main at start, then the refresher) is the only thread that may call
 * publish_swap(), publish_set_next_refresh() and publish_coverage(); a
 * snapshot or coverage it replaces is freed only once no reader can still
 * hold it.  Beside the pair, a publication holds what the store says each
 * provider covered (coverage.h), which changes only with the store and is
 * read only by Frankfurter v2's catalogue routes.  Also holds the outcome of
 * the last fetch, for /healthz (behind a mutex: it is read rarely).
 */
#ifndef CCONVD_PUBLISH_H
#define CCONVD_PUBLISH_H

#include <stdint.h>

#include "rates.h"

struct coverage;

#define PUBLISH_MAX_UPSTREAMS 16	/* upstreams a status reports on: config's limit */

/* What the last round did with one upstream. */
struct upstream_report {
	char upstream[512];	/* as url_redact() shows it */
	int64_t attempt_at;	/* when it was last asked; 0: not yet */
	int64_t success_at;	/* when it last answered with valid rates or a 304; 0: never */
	int ok;			/* the last attempt succeeded */
	char error[512];	/* why the last attempt failed; "" when it did not */
	size_t currencies;	/* rates of the served snapshot it gave */
};

struct fetch_status {
	int64_t at;		/* when the last round ended; 0: none yet */
	int ok;			/* some upstream answered */
	char upstream[512];	/* the first that answered, or the last that failed */
	char error[512];	/* why every upstream failed; "" when one answered */
	char store_error[512];	/* why the last save failed; "" when it worked */
	size_t nupstreams;
	struct upstream_report up[PUBLISH_MAX_UPSTREAMS];	/* in --upstream order */
};

/* One publication as a reader holds it, between publish_acquire() and
 * publish_release(). */
struct publication {
	const struct rates *rates;	/* borrowed; NULL: no rates yet */
	const struct coverage *coverage;	/* borrowed; NULL: not read yet (coverage.h) */
	int64_t next_due_ms;		/* dt_mono_ms() when the next round is due; 0: not scheduled yet */
	unsigned token;			/* publish_release()'s, nothing else's */
};

/* Publishes r (may be NULL: "no rates") with its next round's deadline
 * (dt_mono_ms() time), as one.
 * Takes ownership of r, which must not be the snapshot published now.  The
 * writer's only: see above.  May wait for the readers of the publication
 * before last to let go of it. */
void publish_swap(struct rates *r, int64_t next_due_ms);

/* Publishes the snapshot published now again, with a new deadline (a round
 * that brought nothing to serve).  The writer's only. */
void publish_set_next_refresh(int64_t next_due_ms);

/* Publishes c (may be NULL), what the store says each provider covered
 * (coverage.h), beside the snapshot and deadline published now, which stay.
 * Takes ownership of c, which must not be the coverage published now.  The
 * writer's only. */
void publish_coverage(struct coverage *c);

/* Fills *p with the current publication, borrowed until publish_release(p).
 * Any thread; never blocks. */
void publish_acquire(struct publication *p);
void publish_release(const struct publication *p);

/* The current publication's deadline alone (0: not scheduled yet).  Any
 * thread; never blocks. */
int64_t publish_next_due_ms(void);

/*
 * The Unix time of the round due at next_due_ms, as an answer given at Unix
 * time now and dt_mono_ms() time now_ms advertises it: now plus what is left
 * of the deadline, rounded up to a whole second, and never before now (a
 * round running late is due now); 0 when next_due_ms is 0.  Pure.
 */
int64_t publish_next_wall(int64_t next_due_ms, int64_t now, int64_t now_ms);

/* Any thread; they copy the whole status under a mutex. */
void publish_set_status(const struct fetch_status *st);
void publish_get_status(struct fetch_status *st);

/* Frees every snapshot and coverage and forgets the next refresh time; only after all
 * readers and the writer have stopped. */
void publish_shutdown(void);

#endif
