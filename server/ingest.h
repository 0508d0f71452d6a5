/*
 * ingest: history loaded once, then the program exits: cconvd --import FILE
 * and cconvd --backfill START.
 *
 * Both read a whole document (any format feed_parse() knows: the ECB's CSV or
 * XML, a Frankfurter one-day answer or time series), stamp every snapshot
 * with one origin (now, and where it came from) and write them as they are
 * read, in one transaction (store_bulk_day()), so a failure leaves the
 * database as it was, and dates already stored with the same rates are left alone, so
 * running either twice changes nothing.  Not thread-safe; called from main().
 */
#ifndef CCONVD_INGEST_H
#define CCONVD_INGEST_H

#include <limits.h>
#include <stddef.h>

#include "dt.h"
#include "store.h"

struct ingest_result {
	size_t days;			/* snapshots in the document */
	char first[DT_DATE_LEN];	/* the oldest and newest of them */
	char last[DT_DATE_LEN];
	struct store_counts counts;
	char source[PATH_MAX + 16];	/* the file:// or http(s) URL the history came from */
};

/*
 * Loads the file at path.  0 with res filled, or -1 with err naming the file
 * and what failed: "import 'x.csv': No such file or directory",
 * "import 'x.csv': ECB CSV line 7: 2025-05-09 USD '1,2': not a plain decimal
 * number or N/A".
 */
int ingest_import(struct store *st, const char *path, struct ingest_result *res, char *err, size_t errlen);

/*
 * Asks each upstream in turn for the Frankfurter time series {base}/START..
 * (upstream_sibling_url(): the upstream URL without its final "/latest"; a
 * query string is kept), or for a Frankfurter v2 upstream (…/rates) the
 * ranges from=…&to=… one calendar year each (upstream_history_piece()), all
 * in one transaction, with the history feed limits of
 * upstream_fetch_feed(), and loads the first that answers with valid rates.  Days
 * before START in an answer are logged and left out; an answer with none from
 * START on counts as that upstream's failure.  0 with res filled (the days
 * loaded), or -1 with err naming every upstream tried and why it failed.
 */
int ingest_backfill(struct store *st, char *const *upstreams, size_t nupstreams, const char *start,
    struct ingest_result *res, char *err, size_t errlen);

/* Outcomes of ingest_tell_daemon(). */
enum ingest_tell_status {
	INGEST_TELL_FAILED = -1,	/* err says why */
	INGEST_NO_DAEMON = 0,
	INGEST_TOLD = 1,
};

/*
 * After a load that changed something: tells the daemon running on db_path,
 * if one does, to run a refresh round now (SIGHUP), which ends by serving the
 * store's newest day if it is newer than the day it serves.  INGEST_TOLD when
 * one was told (*pid its pid), INGEST_NO_DAEMON when none runs;
 * INGEST_TELL_FAILED with err set when it could not be told (another user's
 * daemon, an unreadable lock file): it then serves the new day after its next
 * round anyway.
 */
enum ingest_tell_status ingest_tell_daemon(const char *db_path, long *pid, char *err, size_t errlen);

#endif
