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
 *
 * The writer may open the database again (the file deleted, or a backup moved
 * into place: store_on_reopen()).  Its thread then closes every slot's store
 * (waiting, slot by slot, for a request still using one) before the writer
 * closes the old file, and opens them again once the new one is open; in
 * between, a request finds its slot empty and answers 503 rather than open a
 * path that may name a file the writer has not set up.  A slot whose store
 * failed to open is opened by the next request that takes it.
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
	struct store *st;	/* under mu; NULL: closed for a reopen, or its open failed */
};

struct history {
	struct slot *slots;
	size_t n;
	char *path;
	atomic_uint next;	/* where a thread new to the pool starts */
	atomic_int reopening;	/* between STORE_REOPENING and STORE_REOPENED: no slot opens the path */
	char **order;		/* store_set_order() of every store opened */
	size_t norder;
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

/* A read-only store on h's path, sources ranked as the daemon's writer ranks them. */
static struct store *
open_ordered(struct history *h, char *err, size_t errlen)
{
	struct store *st;

	if ((st = store_open_readonly(h->path, err, errlen)) == NULL)
		return NULL;
	if (store_set_order(st, (const char *const *)h->order, h->norder, err, errlen) == -1) {
		store_close(st);
		return NULL;
	}
	return st;
}

/* The slot's store, opened first if it is closed and may be: 0, or -1 with
 * err set.  The caller holds s->mu. */
static int
ready(struct history *h, struct slot *s, char *err, size_t errlen)
{
	if (s->st != NULL)
		return 0;
	if (atomic_load(&h->reopening)) {
		err_set(err, errlen, "the database file is being opened again; try again");
		return -1;
	}
	return (s->st = open_ordered(h, err, errlen)) != NULL ? 0 : -1;
}

static int
on(void *cls, const char *date, const struct api_only *only, struct rates **out, struct api_day *day, char *err,
    size_t errlen)
{
	struct slot *s = acquire(cls);
	struct store_day sd;
	int rc = -1;

	*out = NULL;
	if (ready(cls, s, err, errlen) == 0) {
		/* Borrowed for this read only: cleared before another request takes the slot. */
		store_set_only(s->st, only != NULL ? only->keys : NULL, only != NULL ? only->n : 0);
		rc = store_load_on(s->st, date, out, &sd, err, errlen);
		store_set_only(s->st, NULL, 0);
	}
	release(s);
	if (rc == 0 && day != NULL) {
		day->stored = sd.stored;
		day->replaced = sd.replaced;
		day->changed_at = sd.changed_at;
		memcpy(day->before, sd.before, sizeof(day->before));
	}
	return rc;
}

static int
each(void *cls, const char *start, const char *end, const struct api_only *only,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	struct slot *s = acquire(cls);
	int rc = -1;

	if (ready(cls, s, err, errlen) == 0) {
		/* Borrowed for this read only: cleared before another request takes the slot. */
		store_set_only(s->st, only != NULL ? only->keys : NULL, only != NULL ? only->n : 0);
		rc = store_each(s->st, start, end, fn, arg, err, errlen);
		store_set_only(s->st, NULL, 0);
	}
	release(s);
	return rc;
}

static int
provider_each(void *cls, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	struct slot *s = acquire(cls);
	int rc = -1;

	if (ready(cls, s, err, errlen) == 0)
		rc = store_each_provider(s->st, provider, base, start, end, fn, arg, err, errlen);
	release(s);
	return rc;
}

void
history_follow(void *arg, enum store_reopen what)
{
	struct history *h = arg;
	char err[512];

	if (what == STORE_REOPENING)
		atomic_store(&h->reopening, 1);
	else
		atomic_store(&h->reopening, 0);
	for (size_t i = 0; i < h->n; i++) {
		struct slot *s = &h->slots[i];

		pthread_mutex_lock(&s->mu);
		if (what == STORE_REOPENING) {
			store_close(s->st);
			s->st = NULL;
		} else if (ready(h, s, err, sizeof(err)) == -1)
			log_warnx("history: %s; a dated request opens it again", err);
		pthread_mutex_unlock(&s->mu);
	}
}

static void
free_order(char **order, size_t n)
{
	for (size_t i = 0; order != NULL && i < n; i++)
		free(order[i]);
	free(order);
}

struct history *
history_open(const char *path, size_t nconn, const char *const *order, size_t norder, char *err, size_t errlen)
{
	struct history *h;
	int rc;

	if (nconn == 0)
		nconn = 1;
	if ((h = calloc(1, sizeof(*h))) == NULL || (h->slots = calloc(nconn, sizeof(*h->slots))) == NULL ||
	    (h->path = strdup(path)) == NULL ||
	    (norder > 0 && (h->order = calloc(norder, sizeof(*h->order))) == NULL))
		goto oom;
	for (; h->norder < norder; h->norder++)
		if ((h->order[h->norder] = strdup(order[h->norder])) == NULL)
			goto oom;
	for (; h->n < nconn; h->n++) {
		if ((h->slots[h->n].st = open_ordered(h, err, errlen)) == NULL) {
			history_close(h);
			return NULL;
		}
		if ((rc = pthread_mutex_init(&h->slots[h->n].mu, NULL)) != 0)
			fatalx("pthread_mutex_init: %s", strerror(rc));
	}
	atomic_init(&h->next, 0U);
	atomic_init(&h->reopening, 0);
	h->api.cls = h;
	h->api.on = on;
	h->api.each = each;
	h->api.provider_each = provider_each;
	return h;
oom:
	err_set(err, errlen, "out of memory");
	if (h != NULL) {
		free(h->slots);
		free(h->path);
		free_order(h->order, h->norder);
	}
	free(h);
	return NULL;
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
	free(h->path);
	free_order(h->order, h->norder);
	free(h);
}

const struct api_history *
history_api(struct history *h)
{
	return h != NULL ? &h->api : NULL;
}
