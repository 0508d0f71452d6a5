/*
 * source: the CLI's chain of rate sources, daemon → upstreams → cache.
 *
 * Each source yields a finished snapshot through the common data path (the
 * daemon's body through fxjson_parse(), the upstreams through
 * upstream_fetch() and merge_rates(), as the daemon merges them, the cache
 * through cache_read(), itself fxjson_parse()), so nothing below converts,
 * validates or merges on its own, and every rate keeps its date and source.  The daemon is given a short connect
 * timeout: a user at a terminal should not wait long for a daemon that is not
 * running when the upstream can answer instead.  Every failure is kept as one
 * clause of the final message, so exit 69 says what was tried and why each
 * attempt failed; every degraded answer (daemon down, cached rates) is said on
 * stderr as it happens.
 *
 * With --date (source.h) the cache answers only for exactly that date: it
 * keeps the latest rates and cannot know whether rates were published between
 * its date and the one asked for.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cache.h"
#include "dt.h"
#include "err.h"
#include "fetch.h"
#include "fxjson.h"
#include "log.h"
#include "merge.h"
#include "source.h"
#include "upstream.h"
#include "url.h"

#define REASON_MAX 512		/* bytes of one source's failure */

/* What to do when no source had rates: the line after the cause. */
#define NEXT_START "start cconvd, or set --server / CCONV_SERVER to where it listens"
#define NEXT_LOG "cconvd's log says why it cannot answer"
#define NEXT_VERBOSE " (cconv -v says what each source answered)"

int
source_stale(const struct source_answer *ans, const struct rate_entry *a, const struct rate_entry *b,
    int64_t now)
{
	const struct rates *r = ans->rates;

	if (ans->dated)
		return 0;
	if (rates_fetched_at(r) > now + SOURCE_CLOCK_SKEW)
		return 1;
	if (a == NULL)
		return rates_stale_at(r, now, SOURCE_STALE_AFTER);
	return now >= rates_pair_stale_from(r, a, b != NULL ? b : a, SOURCE_STALE_AFTER);
}

const char *
source_kind_name(enum source_kind k)
{
	switch (k) {
	case SOURCE_DAEMON:
		return "daemon";
	case SOURCE_UPSTREAM:
		return "upstream";
	case SOURCE_CACHE:
		return "cache";
	}
	return "?";
}

/* Hands *r over to ans.  where is a redacted argv URL (under URL_SHOWN_LEN
 * bytes) or a cache path (under CACHE_PATH_MAX, less), so it always fits. */
static void
hand_over(const struct args *a, struct source_answer *ans, struct rates **r, enum source_kind kind,
    const char *where)
{
	assert(strlen(where) < sizeof(ans->where));
	snprintf(ans->where, sizeof(ans->where), "%s", where);
	ans->rates = *r;
	*r = NULL;
	ans->kind = kind;
	ans->dated = a->date[0] != '\0';
}


/* How the daemon answered. */
enum daemon_outcome {
	DAEMON_RATES,		/* rates, in ans */
	DAEMON_UNREACHABLE,	/* no whole answer: not running, not there, too slow */
	DAEMON_UNUSABLE,	/* an answer without usable rates in it */
	DAEMON_ERROR,		/* an error status: it cannot answer now (5xx) */
	DAEMON_REFUSED,		/* a 4xx with its reason: it refused the request itself */
};

/*
 * The reason of a daemon's error status: "HTTP 404: <its sentence, quoted>"
 * when the body is cconvd's {"error":"…"} or {"message":"…"} (said gets the
 * quoted sentence alone), else fetch_get()'s ("HTTP 404") as it is;
 * DAEMON_REFUSED for a 4xx with a sentence, else DAEMON_ERROR.
 */
static enum daemon_outcome
daemon_said(const struct fetch_result *res, char *reason, size_t rlen, char *said, size_t saidlen)
{
	char sentence[BUF_QUOTE_LONG_LEN];

	if (res->body == NULL || fxjson_error_sentence(res->body, res->len, sentence, sizeof(sentence)) == -1)
		return DAEMON_ERROR;
	buf_quote(said, saidlen, sentence, strlen(sentence));
	err_set(reason, rlen, "HTTP %ld: %s", res->status, said);
	return res->status >= 400 && res->status < 500 ? DAEMON_REFUSED : DAEMON_ERROR;
}

/*
 * GET {server}/latest, or {server}/{date} with --date.  DAEMON_RATES, or
 * another outcome with reason saying why, without the URL (the caller names
 * the daemon): "Connection refused", "HTTP 503: no rates yet: …", "'rates'
 * is empty"; said holds the daemon's own sentence, quoted, when it gave one
 * (BUF_QUOTE_LONG_LEN bytes).
 */
static enum daemon_outcome
from_daemon(const struct args *a, int64_t now, struct source_answer *ans, char *url, size_t urllen,
    char *reason, size_t rlen, char *said, size_t saidlen)
{
	const struct fetch_opts fo = {
		.connect_timeout_ms = SOURCE_CONNECT_TIMEOUT_MS,
		.timeout_ms = SOURCE_TIMEOUT_MS,
		.max_body = FXJSON_MAX_BODY,
	};
	struct fetch_result res;
	struct rates *r = NULL;
	char shown[URL_SHOWN_LEN];
	int64_t fetched_at;
	int n;
	enum daemon_outcome rc = DAEMON_UNREACHABLE;

	memset(&res, 0, sizeof(res));
	said[0] = '\0';
	n = snprintf(url, urllen, "%s/%s", a->server, a->date[0] != '\0' ? a->date : "latest");
	if (n < 0 || (size_t)n >= urllen) {
		err_set(reason, rlen, "URL too long");
		goto out;
	}
	if (fetch_get(url, &fo, &res, reason, rlen) == -1) {
		if (res.failure == FETCH_FAIL_STATUS)
			rc = daemon_said(&res, reason, rlen, said, saidlen);
		else if (res.failure == FETCH_FAIL_TOO_BIG)
			rc = DAEMON_UNUSABLE;
		goto out;
	}
	rc = DAEMON_UNUSABLE;
	if (fxjson_parse(res.body, res.len, &r, reason, rlen) == -1)
		goto out;
	/* The daemon's Last-Modified is when it fetched the rates upstream. */
	fetched_at = res.last_modified >= 0 ? res.last_modified : now;
	if (rates_set_origin(r, fetched_at, url_redact(a->server, shown, sizeof(shown))) == -1) {
		err_set(reason, rlen, "out of memory");
		goto out;
	}
	/* Its Warning 110: its rates are stale, whatever their dates say. */
	if (res.stale)
		rates_set_stale(r, 1);
	hand_over(a, ans, &r, SOURCE_DAEMON, shown);
	rc = DAEMON_RATES;
out:
	rates_free(r);
	fetch_result_free(&res);
	return rc;
}

/* The note printed once when the daemon fails: which upstreams come next
 * (with -v before they are asked, else once one has answered). */
static void
note_fallback(const struct args *a, enum daemon_outcome got, const char *reason)
{
	struct buf list;
	char shown[URL_SHOWN_LEN];

	buf_init(&list, ARGS_MAX_UPSTREAMS * (URL_SHOWN_LEN + 2));
	for (size_t i = 0; i < a->nupstream; i++)
		(void)buf_printf(&list, "%s%s", i > 0 ? ", " : "", url_redact(a->upstream[i], shown, sizeof(shown)));
	/* Without memory for the list the note still says what happened. */
	log_note("daemon %s %s (%s); asking upstream%s %s directly", url_redact(a->server, shown, sizeof(shown)),
	    got == DAEMON_ERROR ? "cannot answer" : "unavailable", reason, a->nupstream > 1 ? "s" : "",
	    list.data != NULL && !buf_failed(&list) ? list.data : "…");
	buf_free(&list);
}

/*
 * Every upstream, each for the latest rates or those of --date, merged in
 * the list's order of precedence.  0 with ans filled when any answered,
 * else -1.  Each failure is said with -v, with or without an answer: the
 * rates lack what those upstreams alone have.
 */
static int
from_upstreams(const struct args *a, struct source_answer *ans)
{
	struct rates *views[ARGS_MAX_UPSTREAMS] = { NULL };
	struct rates *merged = NULL;
	char uerr[REASON_MAX], dated[ARGS_URL_MAX + DT_DATE_LEN + 16], shown[URL_SHOWN_LEN];
	char answered[URL_SHOWN_LEN] = "", failed[4096] = "";
	size_t nanswered = 0;
	int rc = -1;

	for (size_t i = 0; i < a->nupstream; i++) {
		const char *url = a->upstream[i];

		if (a->date[0] != '\0') {
			if (upstream_sibling_url(url, a->date, dated, sizeof(dated)) == -1) {
				err_append(failed, sizeof(failed), "upstream '%s': not a .../latest or .../rates URL, "
				    "so no rates by date to ask for", url_redact(url, shown, sizeof(shown)));
				continue;
			}
			url = dated;
		}
		if (upstream_fetch(url, &views[i], uerr, sizeof(uerr)) == -1) {
			err_append(failed, sizeof(failed), "upstream '%s': %s", url_redact(url, shown, sizeof(shown)),
			    uerr);
			continue;
		}
		/* The list of those that answered, as far as it fits. */
		url_redact(a->upstream[i], shown, sizeof(shown));
		if (strlen(answered) + strlen(shown) + 3 < sizeof(answered))
			snprintf(answered + strlen(answered), sizeof(answered) - strlen(answered), "%s%s",
			    answered[0] != '\0' ? ", " : "", shown);
		nanswered++;
	}
	if (nanswered == 0) {
		log_debug("%s", failed);
		goto out;
	}
	/* --date: each currency's newest rate on or before it, within the
	 * carry-forward window; the latest: never drop a currency for age. */
	if (merge_rates(views, a->nupstream, a->date[0] != '\0' ? a->date : NULL,
	    a->date[0] != '\0' ? 0 : MERGE_KEEP_OLD, &merged, uerr, sizeof(uerr)) == -1) {
		log_debug("upstreams: %s", uerr);
		goto out;
	}
	if (merged == NULL) {
		log_debug("upstreams: no rates within %d days before %s", MERGE_WINDOW_DAYS, a->date);
		goto out;
	}
	if (failed[0] != '\0')
		log_debug("%s; merged without %s", failed, nanswered + 1 < a->nupstream ? "them" : "it");
	hand_over(a, ans, &merged, SOURCE_UPSTREAM, answered);
	rc = 0;
out:
	for (size_t i = 0; i < a->nupstream; i++)
		rates_free(views[i]);
	return rc;
}

/*
 * Rewriting an unchanged cache would cost two fsync(2)s on every run, most
 * of the CLI's own time when the daemon answers from the same snapshot all
 * day; reading the small file back first is far cheaper.
 */
static void
cache_for_later(const struct rates *r)
{
	char path[CACHE_PATH_MAX];
	char cerr[CACHE_PATH_MAX + 128];

	if (cache_path(path, sizeof(path), cerr, sizeof(cerr)) == -1 ||
	    (!cache_holds(path, r) && cache_write(path, r, cerr, sizeof(cerr)) == -1))
		log_warnx("%s; rates not saved for later", cerr);
}

/* announce: say on stderr that the cache stands in for the daemon and the
 * upstreams (not when --offline asked for it).  0 with ans filled, or -1
 * with why the cache cannot answer in err ("cache 'PATH': …") and the same
 * in a few words in *summary, for the line that says what failed. */
static int
from_cache(const struct args *a, int announce, struct source_answer *ans, char *err, size_t errlen,
    const char **summary)
{
	struct rates *r = NULL;
	char path[CACHE_PATH_MAX];
	char cerr[CACHE_PATH_MAX + REASON_MAX];
	char fetched[DT_ISO_LEN];
	int64_t fetched_at;
	enum cache_status got;
	int rc = -1;

	*summary = "nothing is cached";
	if (cache_path(path, sizeof(path), cerr, sizeof(cerr)) == -1) {
		err_set(err, errlen, "%s", cerr);
		goto out;
	}
	if ((got = cache_read(path, &r, cerr, sizeof(cerr))) != CACHE_READ) {
		if (got != CACHE_MISSING) {
			log_warnx("%s; ignored", cerr);
			*summary = "the cache cannot be read";
		}
		err_set(err, errlen, "%s", cerr);
		goto out;
	}
	if (a->date[0] != '\0' && strcmp(rates_date(r), a->date) != 0) {
		err_set(err, errlen, "cache '%s': holds the rates of %s, not of %s", path, rates_date(r),
		    a->date);
		*summary = "the cache holds no rates of that date";
		goto out;
	}
	fetched_at = rates_fetched_at(r);
	if (fetched_at > 0)
		dt_iso8601(fetched_at, fetched);
	if (announce)
		log_warnx("daemon and upstream unavailable; using cached rates dated %s (%s%s)", rates_date(r),
		    fetched_at > 0 ? "fetched " : "fetch time unknown", fetched_at > 0 ? fetched : "");
	hand_over(a, ans, &r, SOURCE_CACHE, path);
	rc = 0;
out:
	rates_free(r);
	return rc;
}

/*
 * The two lines of SOURCE_NONE after the daemon failed (got, reason) and
 * the cache too (cache_summary): what failed, in err, and what to do, in
 * ans->next_step.  Each source's own reason was said with -v.
 */
static void
say_none(const struct args *a, enum daemon_outcome got, const char *reason, const char *cache_summary,
    struct source_answer *ans, char *err, size_t errlen)
{
	char shown[URL_SHOWN_LEN];

	url_redact(a->server, shown, sizeof(shown));
	if (got == DAEMON_UNREACHABLE) {
		err_set(err, errlen, "cconvd at %s cannot be reached, no upstream answered, and %s", shown,
		    cache_summary);
		ans->next_step = a->verbose ? NEXT_START : NEXT_START NEXT_VERBOSE;
	} else {
		err_set(err, errlen, "cconvd at %s cannot answer (%s), no upstream answered, and %s", shown, reason,
		    cache_summary);
		ans->next_step = a->verbose ? NEXT_LOG : NEXT_LOG NEXT_VERBOSE;
	}
}

enum source_status
source_get(const struct args *a, int64_t now, struct source_answer *ans, char *err, size_t errlen)
{
	char url[ARGS_URL_MAX + 16], shown[URL_SHOWN_LEN];
	char reason[REASON_MAX], said[BUF_QUOTE_LONG_LEN], cache_why[CACHE_PATH_MAX + REASON_MAX];
	const char *cache_summary;
	enum source_status rc = SOURCE_NONE;
	enum daemon_outcome got;

	memset(ans, 0, sizeof(*ans));
	if (errlen > 0)
		err[0] = '\0';

	if (a->offline) {
		if (from_cache(a, 0, ans, err, errlen, &cache_summary) == 0)
			rc = SOURCE_OK;
		else
			ans->next_step = "run cconv once without --offline to fetch rates and keep them";
		goto out;
	}
	/* The cache holds the latest rates only: a past date's are not kept. */
	got = from_daemon(a, now, ans, url, sizeof(url), reason, sizeof(reason), said, sizeof(said));
	if (got == DAEMON_RATES) {
		if (a->date[0] == '\0')
			cache_for_later(ans->rates);
		rc = SOURCE_OK;
		goto out;
	}
	/* Its own refusal is the daemon's answer, in its words: an upstream
	 * is no better placed. */
	if (got == DAEMON_REFUSED) {
		log_debug("daemon '%s': %s", url_redact(url, shown, sizeof(shown)), reason);
		err_set(err, errlen, "%s", said);
		rc = SOURCE_REFUSED;
		goto out;
	}
	/* Said as it happens with -v (the upstreams may take seconds), else
	 * only beside the answer it degrades: when nothing answers, the two
	 * lines of say_none() tell it all. */
	if (a->verbose)
		note_fallback(a, got, reason);
	if (from_upstreams(a, ans) == 0) {
		if (!a->verbose)
			note_fallback(a, got, reason);
		if (a->date[0] == '\0')
			cache_for_later(ans->rates);
		rc = SOURCE_OK;
		goto out;
	}
	if (from_cache(a, 1, ans, cache_why, sizeof(cache_why), &cache_summary) == 0) {
		rc = SOURCE_OK;
		goto out;
	}
	log_debug("%s", cache_why);
	say_none(a, got, reason, cache_summary, ans, err, errlen);
out:
	if (rc == SOURCE_OK && errlen > 0)
		err[0] = '\0';
	return rc;
}

void
source_answer_free(struct source_answer *ans)
{
	if (ans == NULL)
		return;
	rates_free(ans->rates);
	ans->rates = NULL;
}
