/*
 * publish: the snapshot that request handlers answer from, swapped atomically.
 *
 * Readers never lock: publish_acquire() costs two atomic increments and one
 * atomic load.  The single writer (the refresher, or main at start) swaps in a
 * new snapshot with publish_swap(); the snapshot it replaces two swaps ago is
 * freed only once no reader can still hold it.  Also holds the outcome of the
 * last fetch, for /healthz (behind a mutex: it is read rarely), and the time
 * of the next refresh, which every cacheable answer reads (an atomic).
 */
#ifndef CCONVD_PUBLISH_H
#define CCONVD_PUBLISH_H

#include <stdint.h>

#include "rates.h"

struct fetch_status {
	int64_t at;		/* when the last fetch ended; 0: none yet */
	int ok;
	char upstream[512];	/* which upstream answered, or failed last */
	char error[512];	/* why it failed; "" when ok */
	char store_error[512];	/* why the last save failed; "" when it worked */
};

/* Takes ownership of r (may be NULL: "no rates").  Only one thread may call it. */
void publish_swap(struct rates *r);

/* The current snapshot (NULL when there is none), borrowed until
 * publish_release(token) is called with the token written here. */
const struct rates *publish_acquire(unsigned *token);
void publish_release(unsigned token);

void publish_set_status(const struct fetch_status *st);
void publish_get_status(struct fetch_status *st);

/* When the refresher's next round is due (Unix time; 0: not scheduled yet),
 * for Cache-Control.  Lock-free: one relaxed atomic each. */
void publish_set_next_refresh(int64_t at);
int64_t publish_next_refresh(void);

/* Frees every snapshot; only after all readers and the writer have stopped. */
void publish_shutdown(void);

#endif
