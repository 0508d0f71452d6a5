/*
 * history: the dated routes' access to the database.
 *
 * Why a pool of connections rather than one: a SQLite connection runs one
 * query at a time, so a single shared one would make every history request
 * wait for the one before it; one per HTTP thread makes them independent.
 * Why read-only connections: they cannot take the write lock, so they are
 * never queued behind the refresher (WAL readers see the last commit), and a
 * bug on the request path cannot change the database.
 *
 * A thread first tries the slot it used last (thread-local), so in steady
 * state each HTTP thread has a connection, with its warm page cache and
 * prepared statements, to itself; trylock over the other slots covers more
 * threads than slots, and only when all are busy does it wait, for another
 * reader, never for the writer.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "history.h"
#include "log.h"
#include "store.h"

struct slot {
	pthread_mutex_t mu;
	struct store *st;
};

struct history {
	struct slot *slots;
	size_t n;
	atomic_uint next;	/* where a thread new to the pool starts */
	struct api_history api;
};

static __thread size_t preferred = (size_t)-1;

static struct slot *
acquire(struct history *h)
{
	size_t start = preferred;

	if (start >= h->n)
		start = atomic_fetch_add(&h->next, 1U) % h->n;
	for (size_t i = 0; i < h->n; i++) {
		size_t k = (start + i) % h->n;
		if (pthread_mutex_trylock(&h->slots[k].mu) == 0) {
			preferred = k;
			return &h->slots[k];
		}
	}
	pthread_mutex_lock(&h->slots[start].mu);
	return &h->slots[start];
}

static void
release(struct slot *s)
{
	pthread_mutex_unlock(&s->mu);
}

static int
on(void *cls, const char *date, struct rates **out, char *err, size_t errlen)
{
	struct slot *s = acquire(cls);
	int rc = store_load_on(s->st, date, out, err, errlen);

	release(s);
	return rc;
}

static int
each(void *cls, const char *start, const char *end, int (*fn)(void *arg, const struct rates *r), void *arg,
    char *err, size_t errlen)
{
	struct slot *s = acquire(cls);
	int rc = store_each(s->st, start, end, fn, arg, err, errlen);

	release(s);
	return rc;
}

struct history *
history_open(const char *path, size_t nconn, char *err, size_t errlen)
{
	struct history *h;
	int rc;

	if (nconn == 0)
		nconn = 1;
	if ((h = calloc(1, sizeof(*h))) == NULL || (h->slots = calloc(nconn, sizeof(*h->slots))) == NULL) {
		err_set(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	for (; h->n < nconn; h->n++) {
		if ((h->slots[h->n].st = store_open_readonly(path, err, errlen)) == NULL) {
			history_close(h);
			return NULL;
		}
		if ((rc = pthread_mutex_init(&h->slots[h->n].mu, NULL)) != 0)
			fatalx("pthread_mutex_init: %s", strerror(rc));
	}
	atomic_init(&h->next, 0U);
	h->api.cls = h;
	h->api.on = on;
	h->api.each = each;
	return h;
}

void
history_close(struct history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		store_close(h->slots[i].st);
		pthread_mutex_destroy(&h->slots[i].mu);
	}
	free(h->slots);
	free(h);
}

const struct api_history *
history_api(struct history *h)
{
	return h != NULL ? &h->api : NULL;
}
