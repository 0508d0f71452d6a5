/*
 * refresher: one thread that keeps the published snapshot fresh.
 *
 * Each round asks every upstream, in the order given, each conditionally
 * (an unchanged source costs a 304), and keeps per upstream its view: the
 * rates of its last good documents, folded so that each currency has its
 * newest observation (merge.h), a 304 reconfirming it.  Every day a document
 * brings is saved (history is kept even when the disk later fails).  What is
 * published is the merge of the views in that order, then the store's own
 * latest rates (what earlier runs, cconvd --import and --backfill saved:
 * they send SIGHUP, so that round runs at once): for each currency the
 * first upstream's observation within the carry-forward window.  A failed
 * upstream so keeps contributing its last good rates until they leave the
 * window, and failover is the case of two sources with the same currencies.
 * A round in which every upstream failed changes nothing but the status that
 * /healthz shows, so the daemon keeps answering from its last good rates.
 * A round that shows days missing since the newest one served fills them
 * from the history feed after publishing (gapfill.h).
 *
 * Every round publishes what it serves together with when the next round is
 * due, as one publication (publish.h), which Cache-Control turns into
 * max-age; then it ends with one log line naming each upstream's outcome
 * once, and one count in metrics (outcome and reason).
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
#include "merge.h"
#include "metrics.h"
#include "publish.h"
#include "refresher.h"
#include "schedule.h"
#include "upstream.h"
#include "url.h"

/* One upstream as this thread knows it. */
struct source {
	struct upstream_validators v;	/* what its view was last validated with */
	struct rates *view;	/* its last good rates, folded; NULL: none yet */
	struct upstream_report report;	/* what /healthz says of it */
};

struct refresher {
	const struct cconvd_config *cfg;
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;		/* under mu */
	int kick;		/* under mu */
	struct source *src;	/* one per upstream, in order; this thread only */
	unsigned failures;	/* consecutive failed rounds */
	long retry_after;	/* the largest Retry-After of the last round */
	int fill_owed;		/* a round found missing days; see note_gap() */
	char fill_from[DT_DATE_LEN];	/* the newest day stored before them */
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
 * One conditional fetch from upstream i.  Its validators are sent while it
 * has a view (they are what the view was fetched with): a 304 then means
 * "your view is still current", and the view is confirmed again at the
 * fetch time and staleness the 304 states (upstream.h), at no cost to
 * either side.  Returns upstream_fetch_feed()'s outcome, with err naming
 * the upstream; on UPSTREAM_FETCHED *out holds the *n days to save, oldest
 * first.
 */
static enum upstream_status
fetch_one(struct refresher *rf, size_t i, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	struct source *src = &rf->src[i];
	struct rates *r;
	enum upstream_status rc;
	char skipped[FEED_SKIPPED_SENTENCE_LEN];

	if (src->view == NULL)
		memset(&src->v, 0, sizeof(src->v));
	rc = upstream_fetch_feed(rf->cfg->upstreams[i], 0, &src->v, out, n, err, errlen);
	if (rc == UPSTREAM_FETCHED && feed_skipped_sentence(&src->v.span, skipped, sizeof(skipped)))
		log_info("refresh: upstream '%s': %s", src->report.upstream, skipped);
	if (rc == UPSTREAM_UNCHANGED) {
		if (src->view == NULL) {
			err_set(err, errlen, "304 Not Modified, but no rates to reconfirm");
			src->v.failure = UPSTREAM_FAIL_INVALID;
			rc = UPSTREAM_ERROR;
		} else if ((r = rates_reconfirmed(src->view, src->v.fetched_at)) == NULL) {
			err_set(err, errlen, "out of memory");
			src->v.failure = UPSTREAM_FAIL_INVALID;
			rc = UPSTREAM_ERROR;
		} else {
			rates_set_stale(r, src->v.stale);
			rates_free(src->view);
			src->view = r;
		}
	}
	if (rc == UPSTREAM_ERROR)
		err_prefix(err, errlen, "upstream '%s'", src->report.upstream);
	return rc;
}

/*
 * The view of upstream i after a document brought days v[0..n): each
 * currency's newest observation among them and its previous view, so a
 * currency a document leaves out keeps its last rate until it ages out of
 * the merge's window.  0, or -1 with err set (the view then stays).
 */
static int
fold_view(struct refresher *rf, size_t i, struct rates *const *v, size_t n, char *err, size_t errlen)
{
	struct source *src = &rf->src[i];
	struct rates *folded;

	if (merge_fold(v, n, src->view, &folded, err, errlen) == -1)
		return -1;
	rates_free(src->view);
	src->view = folded;
	return 0;
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
 * The days a fetch brought, saved: one day as store_save() always did, several
 * in one transaction that leaves days already stored with the same rates
 * untouched.  A failure is logged and kept in st for /healthz: the rates
 * are then served from memory only.
 */
static void
save_fetched(struct refresher *rf, struct rates *const *v, size_t n, struct fetch_status *st)
{
	char err[512];
	int rc = n == 1 ? store_save(rf->st, v[0], err, sizeof(err)) :
	    store_save_many(rf->st, v, n, NULL, err, sizeof(err));

	if (rc == -1) {
		log_warnx("refresh: %s; serving the new rates from memory only", err);
		err_set(st->store_error, sizeof(st->store_error), "%s", err);
		metrics_count_store_error();
		return;
	}
	st->store_error[0] = '\0';
	metrics_set_db_size(db_bytes(rf->cfg->db_path));
}

/*
 * What the store says each provider covered (coverage.h), published for
 * Frankfurter v2's catalogue routes: read at start, in every round once its
 * fetches are saved (before the round's log line, which tests wait for),
 * and after a gap fill, so no request reads the store for it.  A failure
 * keeps the coverage published before.
 */
static void
publish_stored_coverage(struct refresher *rf)
{
	struct coverage *c;
	char err[512];

	if (store_load_coverage(rf->st, &c, err, sizeof(err)) == -1) {
		log_warnx("refresh: %s; the providers and currencies listed stay as they were", err);
		return;
	}
	publish_coverage(c);
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
			snprintf(rf->fill_from, sizeof(rf->fill_from), "%s", prev);
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
	if (gapfill_run(rf->st, url, rf->fill_from, &added, err, sizeof(err)) == -1) {
		if (fetch_cancelled())
			log_info("history: fetch from '%s' cancelled, shutting down", shown);
		else
			log_warnx("history: %s; history unchanged, will try again after the next refresh", err);
		return;
	}
	rf->fill_owed = 0;
	metrics_set_db_size(db_bytes(rf->cfg->db_path));
	publish_stored_coverage(rf);
	log_info("history: '%s' filled %zu missing days in %lld ms", shown, added,
	    (long long)(dt_mono_ms() - started));
}

/*
 * The store's latest rates, the merge's last view: what earlier runs saved,
 * and what cconvd --import and --backfill saved beside this one.  NULL when
 * there are none or they cannot be read (logged).  One small query per
 * round.  A day from the future is never among them (store_load_latest());
 * it is logged once per date, not every round.
 */
static struct rates *
stored_latest(struct refresher *rf)
{
	struct rates *r = NULL;
	char err[512], iso[DT_ISO_LEN], future[DT_DATE_LEN];
	int64_t now = (int64_t)time(NULL);

	if (store_load_latest(rf->st, now, &r, future, err, sizeof(err)) == -1) {
		log_warnx("refresh: %s; the stored rates are left out of this round", err);
		return NULL;
	}
	if (future[0] != '\0' && strcmp(future, rf->told_future) != 0) {
		dt_iso8601(now, iso);
		log_warnx("stored rates dated %s are ahead of the clock (%s): a date not yet published or a fetch "
		    "time after now; not served as the newest", future, iso);
		snprintf(rf->told_future, sizeof(rf->told_future), "%s", future);
	}
	return r;
}

/*
 * How many rates of pub each upstream gave, into its report: an upstream's
 * rates are those whose source is its URL as url_redact() shows it.
 */
static void
count_contributions(struct refresher *rf, const struct rates *pub)
{
	for (size_t i = 0; i < rf->cfg->nupstreams; i++)
		rf->src[i].report.currencies = 0;
	for (size_t k = 0; pub != NULL && k < rates_count(pub); k++) {
		const struct rate_entry *e = rates_at(pub, k);
		const char *from = rates_source(pub, e->src)->upstream;

		if (e->cur == rates_pivot(pub))
			continue;
		for (size_t i = 0; i < rf->cfg->nupstreams; i++) {
			if (strcmp(rf->src[i].report.upstream, from) == 0) {
				rf->src[i].report.currencies++;
				break;
			}
		}
	}
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

/* A failure's kind in the round's log line. */
static const char *const failure_words[] = {
	[UPSTREAM_FAIL_NONE] = "failed", [UPSTREAM_FAIL_NETWORK] = "network",
	[UPSTREAM_FAIL_HTTP] = "http error", [UPSTREAM_FAIL_INVALID] = "invalid answer",
};

/*
 * Asks upstream i and keeps what it says in its report and view, in st and
 * in line (its outcome, once).  Returns its outcome; UPSTREAM_ERROR with
 * *cancelled set when the daemon is shutting down.
 */
static enum upstream_status
ask_upstream(struct refresher *rf, size_t i, const char *prev, struct fetch_status *st, char *line,
    size_t linelen, int *cancelled)
{
	struct source *src = &rf->src[i];
	struct upstream_report *rep = &src->report;
	struct rates **v = NULL;
	size_t n = 0;
	char err[512];
	enum upstream_status got = fetch_one(rf, i, &v, &n, err, sizeof(err));

	*cancelled = got == UPSTREAM_ERROR && fetch_cancelled();
	if (*cancelled)
		return got;
	rep->attempt_at = (int64_t)time(NULL);
	if (src->v.retry_after > rf->retry_after)
		rf->retry_after = src->v.retry_after;
	if (got == UPSTREAM_ERROR) {
		rep->ok = 0;
		snprintf(rep->error, sizeof(rep->error), "%s", err);
		err_append(st->error, sizeof(st->error), "%s", err);
		err_append(line, linelen, "%s (%s)", err, failure_words[src->v.failure]);
		return got;
	}
	rep->ok = 1;
	rep->error[0] = '\0';
	rep->success_at = rep->attempt_at;
	if (got == UPSTREAM_UNCHANGED) {
		err_append(line, linelen, "upstream '%s': 304 Not Modified", rep->upstream);
		return got;
	}
	note_gap(rf, prev, v, n);
	save_fetched(rf, v, n, st);
	if (fold_view(rf, i, v, n, err, sizeof(err)) == -1)
		log_warnx("refresh: upstream '%s': %s; its earlier rates stay", rep->upstream, err);
	/* Its rates as it now stands, not the newest day's alone: a Frankfurter
	 * v2 answer holds days of several publishers. */
	if (n > 1)
		err_append(line, linelen, "upstream '%s': rates dated %s (and %zu earlier days), %zu currencies",
		    rep->upstream, rates_date(v[n - 1]), n - 1, src->view != NULL ? rates_count(src->view) : 0);
	else
		err_append(line, linelen, "upstream '%s': rates dated %s, %zu currencies", rep->upstream,
		    rates_date(v[0]), src->view != NULL ? rates_count(src->view) : 0);
	rates_vec_free(v, n);
	return got;
}

/*
 * One round: ask every upstream, save, merge, publish, then schedule the
 * next and say so in one log line (each upstream's outcome once, the rates
 * served, duration, next round).  Sets rf->due_ms, when the next round is
 * due.
 */
static void
refresh_once(struct refresher *rf)
{
	struct fetch_status st;
	struct rates *views[CONFIG_MAX_UPSTREAMS + 1], *pub = NULL;
	char err[512], prev[DT_DATE_LEN], line[4096] = "", served[DT_DATE_LEN + 64] = "no rates served";
	int64_t started = dt_mono_ms();
	enum upstream_failure failure = UPSTREAM_FAIL_NONE;
	enum metrics_refresh why = METRICS_REFRESH_NOT_MODIFIED;
	size_t nok = 0, nviews = 0;
	long delay;

	publish_get_status(&st);
	st.error[0] = '\0';
	rf->retry_after = 0;
	served_date(prev);
	for (size_t i = 0; i < rf->cfg->nupstreams; i++) {
		int cancelled;
		enum upstream_status got = ask_upstream(rf, i, prev, &st, line, sizeof(line), &cancelled);

		if (cancelled) {
			/* Shutdown, not the upstream's fault: keep the status
			 * and the log about the upstreams as they were. */
			log_info("refresh: fetch from '%s' cancelled, shutting down", rf->src[i].report.upstream);
			rf->due_ms = dt_mono_ms();	/* the caller sees the stop flag at once */
			return;
		}
		/* last_fetch names the first upstream that answered, else the last that failed. */
		if (got == UPSTREAM_ERROR)
			failure = rf->src[i].v.failure;
		if (got == UPSTREAM_ERROR ? nok == 0 : nok++ == 0)
			snprintf(st.upstream, sizeof(st.upstream), "%s", rf->src[i].report.upstream);
		if (got == UPSTREAM_FETCHED)
			why = METRICS_REFRESH_NEW;
	}
	st.at = (int64_t)time(NULL);
	st.ok = nok > 0;
	if (st.ok) {
		st.error[0] = '\0';
		rf->failures = 0;
	} else {
		rf->failures++;
		why = failure_reason(failure);
	}
	for (size_t i = 0; i < rf->cfg->nupstreams; i++)
		views[nviews++] = rf->src[i].view;
	views[nviews++] = stored_latest(rf);
	if (merge_rates(views, nviews, NULL, MERGE_KEEP_OLD, &pub, err, sizeof(err)) == -1)
		log_warnx("refresh: merging the upstreams' rates: %s; serving the rates served before", err);
	rates_free(views[nviews - 1]);
	if (pub != NULL) {
		count_contributions(rf, pub);
		snprintf(prev, sizeof(prev), "%s", rates_date(pub));
		snprintf(served, sizeof(served), "serving rates dated %s, %zu currencies", rates_date(pub),
		    rates_count(pub));
	}
	st.nupstreams = rf->cfg->nupstreams;
	for (size_t i = 0; i < rf->cfg->nupstreams; i++)
		st.up[i] = rf->src[i].report;
	publish_stored_coverage(rf);
	delay = publish_round(rf, pub, prev);
	publish_set_status(&st);
	metrics_count_refresh(why);
	if (st.ok && failure == UPSTREAM_FAIL_NONE)
		log_info("refresh ok (%s): %s; %s, %lld ms; next in %ld s",
		    why == METRICS_REFRESH_NEW ? "new rates" : "304 Not Modified", line, served,
		    (long long)(dt_mono_ms() - started), delay);
	else if (st.ok)
		log_warnx("refresh ok (%s, some upstreams failed): %s; %s, %lld ms; next in %ld s",
		    why == METRICS_REFRESH_NEW ? "new rates" : "304 Not Modified", line, served,
		    (long long)(dt_mono_ms() - started), delay);
	else {
		log_warnx("refresh failed (%s): %s; %s%s, %lld ms; next try in %ld s (failure %u in a row)",
		    failure_words[failure], line, pub != NULL ? "still " : "", served,
		    (long long)(dt_mono_ms() - started), delay, rf->failures);
		/* Once, not every round: what an offline daemon with nothing stored needs. */
		if (pub == NULL && !rf->told_no_rates) {
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
	publish_stored_coverage(rf);
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
	if ((rf->src = calloc(cfg->nupstreams, sizeof(*rf->src))) == NULL) {
		err_set(err, errlen, "out of memory");
		free(rf);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nupstreams; i++)
		url_redact(cfg->upstreams[i], rf->src[i].report.upstream, sizeof(rf->src[i].report.upstream));
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
		free(rf->src);
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
	for (size_t i = 0; i < rf->cfg->nupstreams; i++)
		rates_free(rf->src[i].view);
	free(rf->src);
	free(rf);
}
