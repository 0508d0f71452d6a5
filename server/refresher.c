/*
 * refresher: one thread that keeps the published snapshot fresh.
 *
 * Each round tries the upstreams in order and stops at the first valid
 * document, which may hold one day (Frankfurter, the ECB's daily XML) or many
 * (a 90-day feed).  What it does with it, in order: save every day (history
 * is kept even when the disk later fails), then publish the newest unless it
 * is older than what is already served (an upstream that rolls back a day
 * must not roll back answers), then fill any gap the round revealed.  A
 * failed round changes nothing but the status that /healthz shows, so the
 * daemon keeps answering from its last good snapshot.
 *
 * Every round, failed or not, ends by looking at the store's newest day:
 * the daemon is not the only writer (cconvd --import and --backfill run
 * beside it, and an air-gapped site gets its rates only that way), so a day
 * newer than the one served is published from there, with the origin it was
 * saved with ("import file:///…": /healthz says so).  Only a newer date
 * replaces what is served, never an older or the same one, so this can never
 * roll answers back.  An import sends SIGHUP, so the round runs at once.
 *
 * Every round publishes what it serves together with when the next round is
 * due, as one publication (publish.h), which Cache-Control turns into
 * max-age; then it ends with one log line and one count in metrics (outcome
 * and reason).
 *
 * Between rounds the thread sleeps on a condition variable with a deadline on
 * CLOCK_MONOTONIC (wall-clock jumps neither skip nor repeat refreshes), and
 * wakes early for refresher_kick() (SIGHUP) and refresher_stop().
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backoff.h"
#include "calendar.h"
#include "dt.h"
#include "err.h"
#include "feed.h"
#include "fetch.h"
#include "gapfill.h"
#include "log.h"
#include "metrics.h"
#include "publish.h"
#include "refresher.h"
#include "schedule.h"
#include "upstream.h"
#include "url.h"

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
	int fill_owed;		/* a round found missing days; see note_gap() */
	int told_no_rates;	/* the way out of serving nothing was logged */
	char told_future[DT_DATE_LEN];	/* the day from the future last logged */
	int64_t due_ms;		/* dt_mono_ms() when the next round is due */
	int told_stale;		/* the rates served were last logged as stale */
};

/* The date of the snapshot being served into out, "" when there is none. */
static void
served_date(char out[DT_DATE_LEN])
{
	struct publication p;

	publish_acquire(&p);
	snprintf(out, DT_DATE_LEN, "%s", p.rates != NULL ? rates_date(p.rates) : "");
	publish_release(&p);
}

/*
 * One conditional fetch from upstream i.  An upstream's validators are only
 * worth sending while the snapshot being served is the one it gave: a 304
 * then means "what you serve is still current", and the same rates are
 * republished with a new fetch time (so they do not turn stale) at no cost to
 * either side (the fetch time and staleness the 304 itself states, not now:
 * upstream.h).  Returns upstream_fetch_feed()'s outcome; on UPSTREAM_FETCHED
 * and on UPSTREAM_UNCHANGED *out holds the *n snapshots to save, oldest
 * first, the newest to publish (for a 304, just the served one reconfirmed).
 */
static enum upstream_status
fetch_one(struct refresher *rf, size_t i, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	const char *url = rf->cfg->upstreams[i];
	struct upstream_validators *v = &rf->validators[i];
	struct publication p;
	struct rates *r;
	size_t cap = 0;
	enum upstream_status rc;
	int served_from_here;
	char shown[URL_SHOWN_LEN];

	/* A snapshot's origin is the redacted URL (upstream.h). */
	url_redact(url, shown, sizeof(shown));
	publish_acquire(&p);
	served_from_here = p.rates != NULL && strcmp(rates_upstream(p.rates), shown) == 0;
	publish_release(&p);
	if (!served_from_here)
		memset(v, 0, sizeof(*v));
	rc = upstream_fetch_feed(url, 0, v, out, n, err, errlen);
	if (rc == -1)
		err_prefix(err, errlen, "upstream '%s'", shown);
	if (rc != UPSTREAM_UNCHANGED)
		return rc;
	/* This thread is the only writer, so p.rates is still the served snapshot. */
	publish_acquire(&p);
	if (p.rates == NULL) {
		publish_release(&p);
		err_set(err, errlen, "upstream '%s': 304 Not Modified, but no snapshot to reconfirm", shown);
		memset(v, 0, sizeof(*v));
		v->failure = UPSTREAM_FAIL_INVALID;
		return UPSTREAM_ERROR;
	}
	/* Confirmed as of when the upstream says its copy was fetched, and
	 * stale if it says so: a 304 from a stale tier renews nothing. */
	r = rates_reconfirmed(p.rates, v->fetched_at);
	publish_release(&p);
	if (r != NULL)
		rates_set_stale(r, v->stale);
	if (r == NULL || rates_vec_append(out, n, &cap, r) == -1) {
		err_set(err, errlen, "out of memory");
		rates_free(r);
		return UPSTREAM_ERROR;
	}
	return UPSTREAM_UNCHANGED;
}

/* The database file and its WAL, in bytes; -1 when the file cannot be read. */
static int64_t
db_bytes(const char *path)
{
	struct stat sb;
	char wal[4096];
	int64_t n;

	if (stat(path, &sb) == -1)
		return -1;
	n = (int64_t)sb.st_size;
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) < sizeof(wal) && stat(wal, &sb) == 0)
		n += (int64_t)sb.st_size;
	return n;
}

/*
 * Seconds until the next round.  After a success, the ECB calendar
 * (schedule.h) may bring it forward to just after the next publication, given
 * the date that will be served (held, "" for none); after failures, backoff
 * from BACKOFF_MIN.  Retry-After is a floor either way.
 */
static long
schedule_round(const struct refresher *rf, const char *held)
{
	long interval = rf->cfg->refresh;

	if (rf->failures == 0)
		interval = schedule_next((int64_t)time(NULL), rf->cfg->refresh, held[0] != '\0' ? held : NULL);
	return backoff_delay(interval, rf->failures, rf->retry_after, arc4random_uniform(1000) / 1000.0);
}

/*
 * Ends a round's publishing: pub (NULL: the snapshot served stays, held its
 * date) goes out with the deadline of the next round, as one publication,
 * which Cache-Control turns into max-age.  An answer from new rates so never
 * carries the previous round's freshness, nor one from old rates the new
 * round's.  The deadline published is the one the thread then sleeps until
 * (rf->due_ms).  Returns the seconds until the next round.
 */
static long
publish_round(struct refresher *rf, struct rates *pub, const char *held)
{
	long delay = schedule_round(rf, held);

	rf->due_ms = dt_mono_ms() + (int64_t)delay * 1000;
	if (pub != NULL)
		publish_swap(pub, rf->due_ms);
	else
		publish_set_next_refresh(rf->due_ms);
	return delay;
}

/*
 * The days a fetch brought, saved: one day as store_save() always did (a
 * reconfirmation records its new fetch time), several in one transaction
 * that leaves days already stored with the same rates untouched.
 */
static int
save_fetched(struct refresher *rf, struct rates *const *v, size_t n, char *err, size_t errlen)
{
	if (n == 1)
		return store_save(rf->st, v[0], err, errlen);
	return store_save_many(rf->st, v, n, NULL, err, errlen);
}

/*
 * Gap filling.  It is decided on the round's own result, not by looking for
 * holes in the whole history, so it costs nothing in the usual case: only
 * when a round brings a date later than the first publication day after the
 * newest one already served (the daemon, or every upstream, was away for a
 * while) is a fill owed.  The owed fill is attempted once after each
 * successful round until one succeeds; a successful round happens at most
 * every --refresh seconds, so an unreachable history feed is asked no more
 * often than the upstreams are.  A daemon running every day never fetches
 * it.
 */
static void
note_gap(struct refresher *rf, const char *prev, struct rates *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rates_date(v[i]), prev) <= 0)
			continue;
		if (!gapfill_needed(prev, rates_date(v[i])))
			return;
		if (rf->cfg->history_upstream != NULL) {
			log_info("history: no rates stored between %s and %s; the history feed will fill them", prev,
			    rates_date(v[i]));
			rf->fill_owed = 1;
		} else
			log_warnx("history: no rates stored between %s and %s, and no history feed to fill them "
			    "(--history-upstream none): load them with 'cconvd --backfill %s' or "
			    "'cconvd --import FILE'", prev, rates_date(v[i]), prev);
		return;
	}
}

static void
fill_gaps(struct refresher *rf)
{
	const char *url = rf->cfg->history_upstream;
	char err[512], shown[URL_SHOWN_LEN];
	size_t added;
	int64_t started = dt_mono_ms();

	if (!rf->fill_owed || url == NULL)
		return;
	url_redact(url, shown, sizeof(shown));
	if (gapfill_run(rf->st, url, &added, err, sizeof(err)) == -1) {
		if (fetch_cancelled())
			log_info("history: fetch from '%s' cancelled, shutting down", shown);
		else
			log_warnx("history: %s; history unchanged, will try again after the next refresh", err);
		return;
	}
	rf->fill_owed = 0;
	metrics_set_db_size(db_bytes(rf->cfg->db_path));
	log_info("history: '%s' filled %zu missing days in %lld ms", shown, added,
	    (long long)(dt_mono_ms() - started));
}

/*
 * The store's newest day if it is newer than held, the date to be served
 * ("" for none), with its date then copied into held; NULL when it is not
 * (caller frees with rates_free()).  One small query per round (the newest
 * day's rows, by primary key).  A day from the future is never that day
 * (store_load_latest()); it is logged once per date, not every round.
 */
static struct rates *
newer_stored(struct refresher *rf, char held[DT_DATE_LEN])
{
	struct rates *r = NULL;
	char err[512], iso[DT_ISO_LEN], future[DT_DATE_LEN];
	int64_t now = (int64_t)time(NULL);

	if (store_load_latest(rf->st, now, &r, future, err, sizeof(err)) == -1) {
		log_warnx("refresh: %s; not looking for a newer stored day this round", err);
		return NULL;
	}
	if (future[0] != '\0' && strcmp(future, rf->told_future) != 0) {
		dt_iso8601(now, iso);
		log_warnx("stored rates dated %s are ahead of the clock (%s): a date not yet published or a fetch "
		    "time after now; not served as the newest", future, iso);
		snprintf(rf->told_future, sizeof(rf->told_future), "%s", future);
	}
	if (r == NULL || strcmp(rates_date(r), held) <= 0) {
		rates_free(r);
		return NULL;
	}
	dt_iso8601(rates_fetched_at(r), iso);
	log_info("serving stored rates dated %s, newer than the %s served: saved by '%s' at %s", rates_date(r),
	    held[0] != '\0' ? held : "none", rates_upstream(r), iso);
	snprintf(held, DT_DATE_LEN, "%s", rates_date(r));
	return r;
}

static enum metrics_refresh
failure_reason(enum upstream_failure failure)
{
	switch (failure) {
	case UPSTREAM_FAIL_HTTP:
		return METRICS_REFRESH_HTTP_ERROR;
	case UPSTREAM_FAIL_INVALID:
		return METRICS_REFRESH_INVALID;
	default:
		return METRICS_REFRESH_NETWORK;
	}
}

/*
 * One round: fetch, save, publish, then schedule the next and say so in one
 * log line (outcome and reason, upstream, rates date, duration, next round).
 * Failed upstreams also get their own warning first, with the reason in words.
 * Sets rf->due_ms, when the next round is due.
 */
static void
refresh_once(struct refresher *rf)
{
	static const char *const failure_words[] = {
		[METRICS_REFRESH_HTTP_ERROR] = "http error", [METRICS_REFRESH_NETWORK] = "network",
		[METRICS_REFRESH_INVALID] = "invalid answer",
	};
	struct fetch_status st;
	struct rates **v = NULL, *newest, *pub = NULL, *stored;
	size_t n = 0;
	char err[512], date[DT_DATE_LEN] = "", prev[DT_DATE_LEN], earlier[48] = "";
	int64_t started = dt_mono_ms(), took;
	enum upstream_status got = UPSTREAM_ERROR;
	enum upstream_failure failure = UPSTREAM_FAIL_NONE;
	enum metrics_refresh why;
	size_t count = 0;
	struct publication p;
	long delay;

	publish_get_status(&st);
	st.error[0] = '\0';
	st.ok = 0;
	rf->retry_after = 0;
	for (size_t i = 0; i < rf->cfg->nupstreams && v == NULL; i++) {
		url_redact(rf->cfg->upstreams[i], st.upstream, sizeof(st.upstream));
		if ((got = fetch_one(rf, i, &v, &n, err, sizeof(err))) == UPSTREAM_ERROR) {
			if (fetch_cancelled()) {
				/* Shutdown, not the upstream's fault: keep the status
				 * and the log about the upstreams as they were. */
				log_info("refresh: fetch from '%s' cancelled, shutting down", st.upstream);
				rf->due_ms = dt_mono_ms();	/* the caller sees the stop flag at once */
				return;
			}
			log_warnx("refresh: %s", err);
			err_append(st.error, sizeof(st.error), "%s", err);
			failure = rf->validators[i].failure;
		}
		if (rf->validators[i].retry_after > rf->retry_after)
			rf->retry_after = rf->validators[i].retry_after;
	}
	st.at = (int64_t)time(NULL);
	if (v == NULL) {
		rf->failures++;
		why = failure_reason(failure);
		served_date(prev);
	} else {
		st.ok = 1;
		st.error[0] = '\0';
		rf->failures = 0;
		newest = v[n - 1];
		served_date(prev);
		if (save_fetched(rf, v, n, err, sizeof(err)) == -1) {
			log_warnx("refresh: %s; serving the new rates from memory only", err);
			err_set(st.store_error, sizeof(st.store_error), "%s", err);
			metrics_count_store_error();
		} else {
			st.store_error[0] = '\0';
			metrics_set_db_size(db_bytes(rf->cfg->db_path));
		}
		why = got == UPSTREAM_UNCHANGED ? METRICS_REFRESH_NOT_MODIFIED : METRICS_REFRESH_NEW;
		snprintf(date, sizeof(date), "%s", rates_date(newest));
		count = rates_count(newest);
		if (n > 1)
			snprintf(earlier, sizeof(earlier), " (and %zu earlier days)", n - 1);
		note_gap(rf, prev, v, n);
		if (strcmp(rates_date(newest), prev) < 0)
			why = METRICS_REFRESH_OLDER;
		else {
			snprintf(prev, sizeof(prev), "%s", rates_date(newest));
			pub = newest;
			v[n - 1] = NULL;
		}
		rates_vec_free(v, n);
	}
	if ((stored = newer_stored(rf, prev)) != NULL) {
		rates_free(pub);
		pub = stored;
	}
	delay = publish_round(rf, pub, prev);
	publish_set_status(&st);
	metrics_count_refresh(why);
	took = dt_mono_ms() - started;

	if (why == METRICS_REFRESH_NEW || why == METRICS_REFRESH_NOT_MODIFIED)
		log_info("refresh ok (%s): upstream '%s', rates dated %s%s, %zu currencies, %lld ms; next in %ld s",
		    why == METRICS_REFRESH_NEW ? "new rates" : "304 Not Modified", st.upstream, date, earlier, count,
		    (long long)took, delay);
	else if (why == METRICS_REFRESH_OLDER)
		log_warnx("refresh ok (older than the rates served, kept in history only): upstream '%s', "
		    "rates dated %s, %zu currencies, %lld ms; next in %ld s", st.upstream, date, count,
		    (long long)took, delay);
	else {
		char served[DT_DATE_LEN + 32] = "no rates served";
		int serving;

		publish_acquire(&p);
		if ((serving = p.rates != NULL))
			snprintf(served, sizeof(served), "rates dated %s (still served)", rates_date(p.rates));
		publish_release(&p);
		log_warnx("refresh failed (%s): upstream '%s'%s, %s, %lld ms; next try in %ld s (failure %u in a row)",
		    failure_words[why], st.upstream, rf->cfg->nupstreams > 1 ? " (the last tried)" : "", served,
		    (long long)took, delay, rf->failures);
		/* Once, not every round: what an offline daemon with nothing stored needs. */
		if (!serving && !rf->told_no_rates) {
			log_warnx("no rates to serve yet: no upstream gave any and the database '%s' holds none; "
			    "load a file with 'cconvd --import FILE' or use a file:// upstream", rf->cfg->db_path);
			rf->told_no_rates = 1;
		}
	}
	fill_gaps(rf);
}

/*
 * Logs once when the rates served turn stale and once when they are fresh
 * again, judged as every answer judges them (rates_stale_at() with
 * --max-age), not once per round.  Returns the dt_mono_ms() at which fresh
 * rates turn stale by time alone, INT64_MAX when nothing changes by time
 * alone (stale rates turn fresh only by a round).
 */
static int64_t
note_staleness(struct refresher *rf)
{
	struct publication p;
	int64_t now = (int64_t)time(NULL), from = INT64_MAX, fetched = 0, days = 0;
	char date[DT_DATE_LEN] = "", iso[DT_ISO_LEN];
	int stale = 0;

	publish_acquire(&p);
	if (p.rates != NULL) {
		from = rates_stale_from(p.rates, rf->cfg->max_age);
		stale = now >= from;
		fetched = rates_fetched_at(p.rates);
		snprintf(date, sizeof(date), "%s", rates_date(p.rates));
		days = calendar_age_days(date, now);
	}
	publish_release(&p);
	if (stale != rf->told_stale) {
		dt_iso8601(fetched, iso);
		if (stale)
			log_warnx("serving stale rates: rates of %s (%lld day%s old), fetched %s", date,
			    (long long)days, days == 1 ? "" : "s", iso);
		else
			log_info("serving fresh rates again: rates of %s, fetched %s", date, iso);
		rf->told_stale = stale;
	}
	if (stale || from == INT64_MAX)
		return INT64_MAX;
	return dt_mono_ms() + (from - now) * 1000;
}

static void *
refresher_main(void *arg)
{
	struct refresher *rf = arg;
	int stop = 0, kicked = 0;

	metrics_set_db_size(db_bytes(rf->cfg->db_path));
	while (!stop) {
		/* Here, not in the signal loop: signals that arrive while a round
		 * runs make one more round, and so one line. */
		if (kicked)
			log_info("SIGHUP: refreshing now");
		refresh_once(rf);
		/* Until the next round, waking meanwhile only to say the rates turned stale. */
		for (;;) {
			int64_t wake = note_staleness(rf);
			struct timespec deadline;
			int timed_out = 0;

			if (wake > rf->due_ms)
				wake = rf->due_ms;
			/* dt_mono_ms() reads CLOCK_MONOTONIC, the condition variable's clock. */
			deadline.tv_sec = (time_t)(wake / 1000);
			deadline.tv_nsec = (long)(wake % 1000) * 1000000L;
			pthread_mutex_lock(&rf->mu);
			while (!rf->stop && !rf->kick && !timed_out)
				timed_out = pthread_cond_timedwait(&rf->cv, &rf->mu, &deadline) == ETIMEDOUT;
			stop = rf->stop;
			kicked = rf->kick;
			rf->kick = 0;
			pthread_mutex_unlock(&rf->mu);
			if (stop || kicked || dt_mono_ms() >= rf->due_ms)
				break;
		}
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
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	rf->cfg = cfg;
	rf->st = st;
	if ((rf->validators = calloc(cfg->nupstreams, sizeof(*rf->validators))) == NULL) {
		err_set(err, errlen, "out of memory");
		free(rf);
		return NULL;
	}
	if ((rc = pthread_mutex_init(&rf->mu, NULL)) != 0)
		fatalx("pthread_mutex_init: %s", strerror(rc));
	if ((rc = pthread_condattr_init(&ca)) != 0)
		fatalx("pthread_condattr_init: %s", strerror(rc));
	if ((rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) != 0)
		fatalx("pthread_condattr_setclock: %s", strerror(rc));
	if ((rc = pthread_cond_init(&rf->cv, &ca)) != 0)
		fatalx("pthread_cond_init: %s", strerror(rc));
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&rf->thread, NULL, refresher_main, rf)) != 0) {
		err_set(err, errlen, "cannot start thread: %s", strerror(rc));
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
