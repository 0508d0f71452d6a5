/*
 * ingest: --import and --backfill, the two ways history arrives in bulk.
 *
 * Parsing is feed_parse_each()'s alone, so an imported file passes exactly
 * the rules a fetched one does.  Each day is written as it is read (a history
 * of decades is never held whole: memory stays near the document's own
 * bytes), all in one store_bulk_day() transaction that commits only once the
 * whole document has passed every rule: a corrupt file, a dead upstream or a
 * full disk leave the database as it was.
 * Imported snapshots get one origin, the time of the import and
 * "import file:///path" (a backfill's: "backfill <the series URL>"), so
 * /healthz says where served rates came from even when a daemon serves them;
 * a later identical import leaves them alone (dates whose rates are the same
 * are skipped), which is what makes importing twice change nothing.
 *
 * Either may run while a daemon uses the database (a one-shot store: no
 * daemon lock, SQLite serialises the writes).  The daemon's request threads
 * see the new days at their next query; its latest rates are the refresher's
 * to change, so ingest_tell_daemon() sends it SIGHUP, which makes it run a
 * round now, and every round ends by serving the store's newest day when it
 * is newer than the one served (refresher.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "feed.h"
#include "fetch.h"
#include "ingest.h"
#include "lockfile.h"
#include "log.h"
#include "rfile.h"
#include "upstream.h"
#include "url.h"

#define REASON_MAX 512

/* The whole file, NUL-terminated, at most FEED_MAX_BODY bytes.  err says
 * why not, without the path: the caller names the file. */
static int
read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = -1;

	*out = NULL;
	if (rfile_open(path, &fd, &sb, err, errlen) != RFILE_OPEN)
		goto out;
	if (sb.st_size > FEED_MAX_BODY) {
		err_set(err, errlen, "larger than %d MiB", FEED_MAX_BODY >> 20);
		goto out;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, errlen, "%s", n == 0 ? "shorter than its size" : strerror(errno));
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}

/* A load's bulk write: each day stamped as fetched now from "<how> <res->source>". */
static void
load_start(struct store_bulk *b, struct store *st, const char *how, const struct ingest_result *res, char *origin,
    size_t originlen)
{
	memset(b, 0, sizeof(*b));
	b->st = st;
	b->fetched_at = (int64_t)time(NULL);
	snprintf(origin, originlen, "%s %s", how, res->source);
	b->origin = origin;
}

/* Ends the load: commits when the document was taken whole (ok), and says
 * what happened in res; rolls back otherwise. */
static int
load_end(struct store_bulk *b, int ok, const struct feed_span *span, struct ingest_result *res, char *err,
    size_t errlen)
{
	if (!ok) {
		(void)store_bulk_end(b, 0, NULL, 0);
		return -1;
	}
	if (store_bulk_end(b, 1, err, errlen) == -1)
		return -1;
	res->days = span->days;
	res->counts = b->counts;
	memcpy(res->first, span->first, DT_DATE_LEN);
	memcpy(res->last, span->last, DT_DATE_LEN);
	return 0;
}

int
ingest_import(struct store *st, const char *path, struct ingest_result *res, char *err, size_t errlen)
{
	struct store_bulk b;
	struct feed_span span;
	const struct rates_sink sink = { store_bulk_day, &b };
	char abs[PATH_MAX], origin[sizeof(res->source) + 16], skipped[FEED_SKIPPED_SENTENCE_LEN];
	char *body = NULL;
	size_t len = 0;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (read_file(path, &body, &len, err, errlen) == -1) {
		err_prefix(err, errlen, "import '%s'", path);
		goto out;
	}
	snprintf(res->source, sizeof(res->source), "file://%s", realpath(path, abs) != NULL ? abs : path);
	load_start(&b, st, "import", res, origin, sizeof(origin));
	/* The store's messages name the store; the document's are named here. */
	int parsed = feed_parse_each(body, len, &sink, &span, err, errlen);
	if (parsed == -1 && !b.failed)
		err_prefix(err, errlen, "import '%s'", path);
	if (parsed == 0 && feed_skipped_sentence(&span, skipped, sizeof(skipped)))
		log_info("import '%s': %s", path, skipped);
	rc = load_end(&b, parsed == 0, &span, res, err, errlen);
out:
	free(body);
	return rc;
}

/*
 * A backfill's sink in front of the store's: an upstream that ignores the
 * start it was asked for must not rewrite days the operator did not ask for,
 * so the days before it are counted and dropped, never written, and the span
 * says what was loaded.  A history asked in pieces (upstream_history_piece())
 * takes from each piece only the days of its own dates, so a day an upstream
 * sends with two pieces is written once.
 */
struct from_start {
	const char *start;
	const struct upstream_piece *piece;
	const struct rates_sink *next;
	struct feed_span span;		/* the days handed on */
	size_t before;			/* the days dropped, first..last */
	char first[DT_DATE_LEN];
	char last[DT_DATE_LEN];
};

static void
widen(char first[DT_DATE_LEN], char last[DT_DATE_LEN], size_t n, const char *date)
{
	if (n == 1 || strcmp(date, first) < 0)
		memcpy(first, date, DT_DATE_LEN);
	if (n == 1 || strcmp(date, last) > 0)
		memcpy(last, date, DT_DATE_LEN);
}

static int
from_start_day(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct from_start *f = arg;
	const char *date = rates_date(*r);

	if (strcmp(date, f->start) < 0) {
		widen(f->first, f->last, ++f->before, date);
		return 0;
	}
	if (strcmp(date, f->piece->from) < 0 || (f->piece->to[0] != '\0' && strcmp(date, f->piece->to) > 0))
		return 0;
	widen(f->span.first, f->span.last, ++f->span.days, date);
	return f->next->fn(f->next->arg, r, err, errlen);
}

/*
 * Every piece of the history from f->start on (upstream_history_piece()),
 * each to f's sink, in the one transaction the caller opened.  0, or -1
 * with why set: the upstream's reason, naming the piece's URL when the
 * history came in several.
 */
static int
fetch_pieces(const char *upstream, struct from_start *f, const struct rates_sink *sink, char *why, size_t whylen)
{
	struct upstream_piece piece;
	struct feed_span span;
	char shown[URL_SHOWN_LEN], skipped[FEED_SKIPPED_SENTENCE_LEN];
	int got;

	f->piece = &piece;
	for (unsigned k = 0; (got = upstream_history_piece(upstream, f->start, k, (int64_t)time(NULL), &piece)) == 1;
	    k++) {
		url_redact(piece.url, shown, sizeof(shown));
		if (upstream_fetch_each(piece.url, UPSTREAM_HISTORY, NULL, sink, &span, why, whylen) !=
		    UPSTREAM_FETCHED) {
			if (k > 0 || upstream_is_v2(upstream))
				err_prefix(why, whylen, "'%s'", shown);
			return -1;
		}
		if (feed_skipped_sentence(&span, skipped, sizeof(skipped)))
			log_info("backfill: '%s': %s", shown, skipped);
	}
	return 0;
}

int
ingest_backfill(struct store *st, char *const *upstreams, size_t nupstreams, const char *start,
    struct ingest_result *res, char *err, size_t errlen)
{
	char reasons[4096], why[REASON_MAX + URL_SHOWN_LEN + 64], series[DT_DATE_LEN + 2];
	char url[FETCH_URL_MAX + 64], shown[URL_SHOWN_LEN], origin[sizeof(res->source) + 16];
	struct store_bulk b;
	const struct rates_sink store_sink = { store_bulk_day, &b };
	struct from_start f;
	const struct rates_sink sink = { from_start_day, &f };
	int rc = -1;

	memset(res, 0, sizeof(*res));
	reasons[0] = '\0';
	snprintf(series, sizeof(series), "%s..", start);
	for (size_t i = 0; i < nupstreams; i++) {
		if (upstream_sibling_url(upstreams[i], series, url, sizeof(url)) == -1) {
			err_append(reasons, sizeof(reasons), "upstream '%s': not a .../latest or .../rates URL, so no "
			    "time series to ask for", url_redact(upstreams[i], shown, sizeof(shown)));
			continue;
		}
		/* The source is shown and stored as the snapshots' origin: the
		 * whole series, however many pieces it is asked in. */
		url_redact(url, res->source, sizeof(res->source));
		load_start(&b, st, "backfill", res, origin, sizeof(origin));
		memset(&f, 0, sizeof(f));
		f.start = start;
		f.next = &store_sink;
		if (fetch_pieces(upstreams[i], &f, &sink, why, sizeof(why)) == 0) {
			if (f.before > 0)
				log_warnx("backfill: '%s' sent %zu day%s before %s (%s..%s), not asked for: ignored",
				    res->source, f.before, f.before == 1 ? "" : "s", start, f.first, f.last);
			if (f.span.days > 0) {
				rc = load_end(&b, 1, &f.span, res, err, errlen);
				goto out;
			}
			err_set(why, sizeof(why), "no day from %s on", start);
		}
		(void)load_end(&b, 0, &f.span, res, NULL, 0);
		/* A failure of the store is the database's, not the upstream's:
		 * another upstream would fail the same way. */
		if (b.failed) {
			err_set(err, errlen, "%s", why);
			goto out;
		}
		err_prefix(why, sizeof(why), "upstream '%s'", res->source);
		err_append(reasons, sizeof(reasons), "%s", why);
	}
	err_set(err, errlen, "no upstream gave a time series: %s", nupstreams > 0 ? reasons :
	    "no upstream configured");
out:
	if (rc == -1)
		err_prefix(err, errlen, "backfill from %s", start);
	return rc;
}

enum ingest_tell_status
ingest_tell_daemon(const char *db_path, long *pid, char *err, size_t errlen)
{
	switch (lockfile_holder(db_path, pid, err, errlen)) {
	case LOCKFILE_HELD:
		break;
	case LOCKFILE_ERROR:
		err_prefix(err, errlen, "store '%s'", db_path);
		return INGEST_TELL_FAILED;
	default:
		return INGEST_NO_DAEMON;
	}
	if (kill((pid_t)*pid, SIGHUP) == -1) {
		err_set(err, errlen, "cannot signal the cconvd running on '%s' (pid %ld): %s", db_path, *pid,
		    strerror(errno));
		return INGEST_TELL_FAILED;
	}
	return INGEST_TOLD;
}
