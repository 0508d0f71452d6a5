/*
 * refresher: one thread that keeps the published snapshot fresh.
 *
 * Each round tries the upstreams in order and stops at the first valid
 * snapshot.  What it does with it, in order: save (history is kept even when
 * the disk later fails), then publish unless it is older than what is already
 * served (an upstream that rolls back a day must not roll back answers).  A
 * failed round changes nothing but the status that /healthz shows, so the
 * daemon keeps answering from its last good snapshot.
 *
 * Between rounds the thread sleeps on a condition variable with a deadline on
 * CLOCK_MONOTONIC (wall-clock jumps neither skip nor repeat refreshes), and
 * wakes early for refresher_kick() (SIGHUP) and refresher_stop().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "fetch.h"
#include "log.h"
#include "publish.h"
#include "refresher.h"
#include "upstream.h"

struct refresher {
	const struct cconvd_config *cfg;
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;		/* under mu */
	int kick;		/* under mu */
	struct upstream_validators *validators;	/* one per upstream, this thread only */
	unsigned failures;	/* consecutive failed rounds */
	long retry_after;	/* the largest Retry-After of the last round */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends "; what" to a bounded message. */
static void
append_reason(char *dst, size_t dstlen, const char *what)
{
	size_t len = strlen(dst), n = strlen(what);

	if (len > 0 && len + 2 < dstlen) {
		memcpy(dst + len, "; ", 2);
		len += 2;
	}
	if (n > dstlen - 1 - len)
		n = dstlen - 1 - len;
	memcpy(dst + len, what, n);
	dst[len + n] = '\0';
}

/* Whether r is older than the snapshot being served. */
static int
older_than_served(const struct rates *r)
{
	unsigned token;
	const struct rates *cur = publish_acquire(&token);
	int older = cur != NULL && strcmp(rates_date(r), rates_date(cur)) < 0;

	publish_release(token);
	return older;
}

/*
 * One conditional fetch from upstream i.  An upstream's validators are only
 * worth sending while the snapshot being served is the one it gave: a 304
 * then means "what you serve is still current", and the same rates are
 * republished with a new fetch time (so they do not turn stale) at no cost to
 * either side.  Returns upstream_fetch_if_changed()'s outcome; on 0 *out is
 * the snapshot to save and publish.
 */
static int
fetch_one(struct refresher *rf, size_t i, struct rates **out, char *err, size_t errlen)
{
	const char *url = rf->cfg->upstreams[i];
	struct upstream_validators *v = &rf->validators[i];
	unsigned token;
	const struct rates *cur = publish_acquire(&token);
	int served_from_here = cur != NULL && strcmp(rates_upstream(cur), url) == 0;
	int rc;

	publish_release(token);
	if (!served_from_here)
		memset(v, 0, sizeof(*v));
	rc = upstream_fetch_if_changed(url, v, out, err, errlen);
	if (rc != UPSTREAM_UNCHANGED)
		return rc;
	/* This thread is the only writer, so cur is still the served snapshot. */
	cur = publish_acquire(&token);
	*out = cur != NULL ? rates_reconfirmed(cur, (int64_t)time(NULL)) : NULL;
	publish_release(token);
	if (*out == NULL) {
		snprintf(err, errlen, "upstream '%s': 304 Not Modified, but no snapshot to reconfirm", url);
		memset(v, 0, sizeof(*v));
		return -1;
	}
	return UPSTREAM_UNCHANGED;
}

static void
refresh_once(struct refresher *rf)
{
	struct fetch_status st;
	struct rates *r = NULL;
	char err[512];
	int64_t started = mono_ms();
	int got = -1;

	publish_get_status(&st);
	st.error[0] = '\0';
	st.ok = 0;
	rf->retry_after = 0;
	for (size_t i = 0; i < rf->cfg->nupstreams && r == NULL; i++) {
		snprintf(st.upstream, sizeof(st.upstream), "%s", rf->cfg->upstreams[i]);
		if ((got = fetch_one(rf, i, &r, err, sizeof(err))) == -1) {
			log_warnx("refresh: %s", err);
			append_reason(st.error, sizeof(st.error), err);
		}
		if (rf->validators[i].retry_after > rf->retry_after)
			rf->retry_after = rf->validators[i].retry_after;
	}
	st.at = (int64_t)time(NULL);
	if (r == NULL) {
		rf->failures++;
		log_warnx("refresh failed after %lld ms: no upstream gave valid rates; still serving the last good snapshot",
		    (long long)(mono_ms() - started));
		publish_set_status(&st);
		return;
	}
	st.ok = 1;
	st.error[0] = '\0';
	rf->failures = 0;
	if (store_save(rf->st, r, err, sizeof(err)) == -1) {
		log_warnx("refresh: %s; serving the new rates from memory only", err);
		snprintf(st.store_error, sizeof(st.store_error), "%s", err);
	} else
		st.store_error[0] = '\0';
	log_info("refresh ok: upstream '%s' %s rates dated %s (%zu currencies) in %lld ms",
	    rates_upstream(r), got == UPSTREAM_UNCHANGED ? "confirmed (304 Not Modified)" : "gave",
	    rates_date(r), rates_count(r), (long long)(mono_ms() - started));
	if (older_than_served(r)) {
		log_warnx("refresh: upstream '%s' gave rates dated %s, older than those served; kept them in history only",
		    rates_upstream(r), rates_date(r));
		rates_free(r);
	} else
		publish_swap(r);
	publish_set_status(&st);
}

static void *
refresher_main(void *arg)
{
	struct refresher *rf = arg;

	for (;;) {
		refresh_once(rf);

		struct timespec deadline;
		long delay = backoff_delay(rf->cfg->refresh, rf->failures, rf->retry_after,
		    arc4random_uniform(1000) / 1000.0);
		if (rf->failures > 0)
			log_info("refresh: next try in %ld s (failure %u in a row)", delay, rf->failures);
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += delay;
		pthread_mutex_lock(&rf->mu);
		while (!rf->stop && !rf->kick)
			if (pthread_cond_timedwait(&rf->cv, &rf->mu, &deadline) == ETIMEDOUT)
				break;
		int stop = rf->stop;
		rf->kick = 0;
		pthread_mutex_unlock(&rf->mu);
		if (stop)
			break;
	}
	return NULL;
}

struct refresher *
refresher_start(const struct cconvd_config *cfg, struct store *st, char *err, size_t errlen)
{
	struct refresher *rf;
	pthread_condattr_t ca;
	int rc;

	if ((rf = calloc(1, sizeof(*rf))) == NULL) {
		snprintf(err, errlen, "refresher: out of memory");
		return NULL;
	}
	rf->cfg = cfg;
	rf->st = st;
	if ((rf->validators = calloc(cfg->nupstreams, sizeof(*rf->validators))) == NULL) {
		snprintf(err, errlen, "refresher: out of memory");
		free(rf);
		return NULL;
	}
	pthread_mutex_init(&rf->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rf->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&rf->thread, NULL, refresher_main, rf)) != 0) {
		snprintf(err, errlen, "refresher: cannot start thread: %s", strerror(rc));
		pthread_cond_destroy(&rf->cv);
		pthread_mutex_destroy(&rf->mu);
		free(rf->validators);
		free(rf);
		return NULL;
	}
	return rf;
}

void
refresher_kick(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->kick = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

void
refresher_stop(struct refresher *rf)
{
	if (rf == NULL)
		return;
	pthread_mutex_lock(&rf->mu);
	rf->stop = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
	fetch_cancel_all();	/* an upstream that hangs must not delay exit */
	pthread_join(rf->thread, NULL);
	pthread_cond_destroy(&rf->cv);
	pthread_mutex_destroy(&rf->mu);
	free(rf->validators);
	free(rf);
}
