/*
 * cconvd: the caching currency-rate daemon.
 *
 * main() wires the modules together and then only waits for signals: SIGTERM
 * and SIGINT stop it (exit 0), SIGHUP asks for a refresh now.  The signals are
 * blocked in every thread and taken synchronously with sigwait(), so no code
 * runs in a signal handler.  Start-up order matters: the newest stored
 * snapshot is published before the HTTP server starts, so the first request is
 * answered from disk-backed rates at once, before any fetch.  --import and
 * --backfill load history into the database and exit without serving; they
 * open a one-shot store, so they also run beside a daemon on the same
 * database, and then tell that daemon (SIGHUP) to look for a newer day.
 */
#include <signal.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "dt.h"
#include "history.h"
#include "http.h"
#include "ingest.h"
#include "log.h"
#include "publish.h"
#include "refresher.h"
#include "store.h"
#include "url.h"

#define EXIT_USAGE 64		/* sysexits(3) EX_USAGE */
/*
 * Blocks of this many bytes or more get a mapping of their own, which goes
 * back to the kernel when freed.  glibc starts there too, but raises the
 * threshold to the size of each such block freed (up to 32 MiB), after which
 * multi-MiB series answers and history documents are carved from the thread
 * arenas, whose free space goes back only from their tops: what a burst of
 * slow clients held would stay with the daemon after they left.  Setting it
 * turns that adjustment off; a large block then costs an mmap and a munmap,
 * nothing next to rendering or parsing its megabytes.
 */
#define CCONVD_MMAP_THRESHOLD (128 * 1024)

/* The configured upstreams as the store names them (url_redact()), for
 * store_set_order(): an array of n strings, freed with free_order(); NULL
 * when out of memory. */
static char **
redacted_upstreams(const struct cconvd_config *cfg)
{
	char **v = calloc(cfg->nupstreams + 1, sizeof(*v)), shown[URL_SHOWN_LEN];

	for (size_t i = 0; v != NULL && i < cfg->nupstreams; i++)
		if ((v[i] = strdup(url_redact(cfg->upstreams[i], shown, sizeof(shown)))) == NULL) {
			while (i > 0)
				free(v[--i]);
			free(v);
			v = NULL;
		}
	return v;
}

static void
free_order(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* --import or --backfill: one transaction, a summary line, the running
 * daemon told when something changed, then exit. */
static int
run_ingest(const struct cconvd_config *cfg)
{
	struct ingest_result res;
	struct store *st;
	char err[8192], kept[96] = "";
	int64_t started = dt_mono_ms();
	long pid;
	int rc;

	if ((st = store_open_oneshot(cfg->db_path, err, sizeof(err))) == NULL) {
		log_errx("%s", err);
		return 1;
	}
	if (cfg->import_path != NULL)
		rc = ingest_import(st, cfg->import_path, &res, err, sizeof(err));
	else
		rc = ingest_backfill(st, cfg->upstreams, cfg->nupstreams, cfg->backfill_start, &res, err,
		    sizeof(err));
	store_close(st);
	if (rc == -1) {
		log_errx("%s; the database is unchanged", err);
		return 1;
	}
	if (res.counts.kept > 0)
		snprintf(kept, sizeof(kept), ", %zu kept as stored (with currencies the new rates lack)",
		    res.counts.kept);
	log_info("%s: %zu days %s..%s from '%s' into '%s' in %lld ms: %zu added, %zu replaced, %zu unchanged%s",
	    cfg->import_path != NULL ? "import" : "backfill", res.days, res.first, res.last, res.source,
	    cfg->db_path, (long long)(dt_mono_ms() - started), res.counts.added, res.counts.replaced,
	    res.counts.unchanged, kept);
	if (res.counts.added + res.counts.replaced == 0)
		return 0;
	switch (ingest_tell_daemon(cfg->db_path, &pid, err, sizeof(err))) {
	case INGEST_TOLD:
		log_info("asked the cconvd running on '%s' (pid %ld) to refresh now (SIGHUP): it serves the "
		    "newest stored day if that is newer than its own", cfg->db_path, pid);
		break;
	case INGEST_TELL_FAILED:
		log_warnx("%s; a running cconvd serves a newer day after its next refresh, or at once on SIGHUP",
		    err);
		break;
	case INGEST_NO_DAEMON:
		break;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cconvd_config cfg;
	struct store *st = NULL;
	struct rates *r = NULL;
	struct http *h = NULL;
	struct history *hist = NULL;
	char **order = NULL;
	struct refresher *rf = NULL;
	sigset_t sigs;
	char err[1024], future[DT_DATE_LEN];
	int sig, rc = 1;

	log_init("cconvd", 0);
	log_stamp(!log_stderr_is_journal());
#ifdef __GLIBC__
	/* glibc's malloc takes any threshold up to 32 MiB; only an allocator
	 * that replaces it (a sanitizer's) refuses, and then has its own rules. */
	(void)mallopt(M_MMAP_THRESHOLD, CCONVD_MMAP_THRESHOLD);
#endif
	switch (config_parse(&cfg, argc, argv, err, sizeof(err))) {
	case CONFIG_EXIT:
		config_free(&cfg);
		return 0;
	case CONFIG_USAGE:
		log_errx("%s (see cconvd --help)", err);
		config_free(&cfg);
		return EXIT_USAGE;
	default:
		break;
	}
	log_init("cconvd", cfg.verbose);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
		log_errx("cannot block signals");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Past RLIMIT_FSIZE a write must fail with EFBIG, which SQLite reports
	 * as a full disk, rather than kill the daemon that serves from memory. */
	signal(SIGXFSZ, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_errx("cannot initialise libcurl");
		goto out;
	}

	if (cfg.import_path != NULL || cfg.backfill_start != NULL) {
		rc = run_ingest(&cfg);
		goto out;
	}
	if ((st = store_open(cfg.db_path, err, sizeof(err))) == NULL) {
		log_errx("%s", err);
		goto out;
	}
	/* Every read ranks the sources as --upstream lists them. */
	if ((order = redacted_upstreams(&cfg)) == NULL ||
	    store_set_order(st, (const char *const *)order, cfg.nupstreams, err, sizeof(err)) == -1) {
		log_errx("out of memory");
		goto out;
	}
	/* A day from the future is passed over here and logged by the refresher's first round. */
	if (store_load_latest(st, (int64_t)time(NULL), &r, future, err, sizeof(err)) == -1)
		log_warnx("%s; starting without stored rates", err);
	else if (r != NULL) {
		log_info("serving stored rates dated %s from '%s'", rates_date(r), cfg.db_path);
		publish_swap(r, 0);	/* the refresher's first round schedules the next */
	} else
		log_info("no stored rates in '%s' yet", cfg.db_path);

	/* Without history the daemon still serves the latest rates. */
	if ((hist = history_open(cfg.db_path, http_readers(&cfg), (const char *const *)order, cfg.nupstreams, err,
	    sizeof(err))) == NULL)
		log_warnx("history: %s; dated routes will answer 503", err);
	else
		store_on_reopen(st, history_follow, hist);
	if ((h = http_start(&cfg, history_api(hist), err, sizeof(err))) == NULL) {
		log_errx("%s", err);
		goto out;
	}
	if ((rf = refresher_start(&cfg, st, err, sizeof(err))) == NULL) {
		log_errx("refresher: %s", err);
		goto out;
	}

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			refresher_kick(rf);
			continue;
		}
		log_info("%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	rc = 0;
out:
	http_stop(h);
	refresher_stop(rf);	/* the writer tells hist when it opens the file again */
	history_close(hist);
	store_close(st);
	free_order(order, cfg.nupstreams);
	publish_shutdown();
	curl_global_cleanup();
	config_free(&cfg);
	return rc;
}
