/*
 * store: every observation accepted, kept in SQLite.
 *
 * A rate is an observation: a currency's rate against a base on one day,
 * from one source (an upstream, as url_redact() shows it, or a load such as
 * "import file:///…"), the rate kept as the exact decimal text.  Writing
 * the same rate again changes nothing, and nothing is ever deleted: a day
 * loaded again with fewer currencies keeps the others.  Reads merge the
 * sources (merge.h) in the order store_set_order() gives.  Each day keeps
 * when it was first stored, when it last changed and whether it was ever
 * replaced: changed once it had settled, 15 days (the carry-forward window
 * and the day) after its start, when no source publishes for it any more.  WAL mode, one transaction
 * per save; the schema
 * version lives in PRAGMA user_version and store_open() migrates older files
 * and refuses newer ones.  A store (one SQLite connection) is used by one
 * thread at a time; any number of stores may be open on one file, and in WAL
 * mode a reader never waits for a writer.
 *
 * One daemon store per database: store_open() holds the daemon lock on
 * "<path>.lock" (lockfile.h) until store_close() (or the process's death),
 * and a second store_open() on the same path fails.  A one-shot store
 * (store_open_oneshot()) writes too but takes no such lock, so --import and
 * --backfill run beside a daemon; SQLite's write lock serialises their
 * transactions.  A database file deleted or replaced while open is opened
 * again (created empty when deleted) by the writer's next save or load, and
 * store_on_reopen() tells the read-only stores to follow.
 *
 * Every error names the store once, first: "store '/x/rates.db': disk I/O
 * error (while inserting rates)"; a caller adds only what it was doing.
 */
#ifndef CCONVD_STORE_H
#define CCONVD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rates.h"

struct store;

/* Opens or creates the database, creating missing parent folders (0700).
 * NULL with err set: "store '/x/rates.db': unable to open database file",
 * "store '/x/rates.db': in use by another cconvd (pid 12 holds '/x/rates.db.lock'); …".
 * A path that names a device, a FIFO or a folder is refused, by every open
 * function, before anything is created: "store '/dev/null': a character
 * device, not a regular file". */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);	/* accepts NULL */

/* What a store tells store_on_reopen()'s function, on the thread using it. */
enum store_reopen {
	STORE_REOPENING,	/* the file was deleted or replaced: every other connection on the old one
				 * must close now, before this store closes it and opens the path again */
	STORE_REOPENED,		/* the file the path names now is open (created, migrated): others may open it */
};

/*
 * Has fn(arg, …) called when s finds its file deleted or replaced (a restored
 * backup moved into place) and opens the path again: STORE_REOPENING before
 * it closes the old file, STORE_REOPENED once the new one is open (after a
 * failed open, when a later call succeeds).  For the read-only stores on the
 * same path (history.h), which would otherwise go on reading the old file.
 * fn runs on the thread using s, must not use s, and arg must outlive every
 * use of s; call before s is shared with another thread.
 */
void store_on_reopen(struct store *s, void (*fn)(void *arg, enum store_reopen what), void *arg);

/* A writer for one job, then closed (--import, --backfill): like
 * store_open() but without the daemon lock, so it may run while a daemon
 * uses the file, and it waits up to 30 s (not 5) for the write lock.  It
 * refuses, saying what to do, to upgrade an older schema while a daemon
 * runs on the file. */
struct store *store_open_oneshot(const char *path, char *err, size_t errlen);

/* The same file, read-only (SQLITE_OPEN_READONLY and PRAGMA query_only),
 * for request threads: it cannot write, so it never takes the write lock and
 * never waits for a writer.  The file must exist at the current schema
 * version (the daemon opens it read-write first, which migrates it).  Only
 * the load/each functions work on it; saves fail. */
struct store *store_open_readonly(const char *path, char *err, size_t errlen);

/*
 * The precedence of sources in every read: upstreams[0 .. n) (as
 * url_redact() shows them) first, in that order; every other source
 * (imports, upstreams no longer configured) after them, the one confirmed
 * last first.  Copied.  Call before the store is shared; 0, or -1 with err
 * "out of memory" (the order is then unchanged).  Without it every source
 * ranks by its last confirmation.
 */
int store_set_order(struct store *s, const char *const *upstreams, size_t n, char *err, size_t errlen);

/*
 * Until the next call, the reads (store_load_on(), store_each()) take
 * rates only from the sources whose provider key (upstream_provider_key())
 * is among keys[0 .. n), upper case; n 0: every source, as at first.
 * keys is borrowed until the next call.
 */
void store_set_only(struct store *s, const char *const *keys, size_t n);

/* Writes each entry of the snapshot as an observation with its own date and
 * source (rates_source()), unless that very rate is stored already, and
 * confirms every source of r at its fetch time and stale flag (even when
 * no rate is new), in one transaction.  0, or -1 with err set (a full or
 * read-only disk, a file that cannot be created again); on failure the
 * database is unchanged and s stays usable. */
int store_save(struct store *s, const struct rates *r, char *err, size_t errlen);

/* What store_save_many() did, date by date (a snapshot's date). */
struct store_counts {
	size_t added;		/* dates not stored before */
	size_t replaced;	/* dates stored before that got a new or changed rate */
	size_t unchanged;	/* dates that already had every rate: not touched */
	size_t kept;		/* the same, and stored with currencies the new rates lack, which stay */
};

/*
 * Writes n snapshots in ONE transaction: all or none.  A rate already
 * stored (the same currency, day, base and value, compared as numbers, from
 * whichever source) is not written again, so loading the same history twice
 * changes nothing, not even a fetch time; every other rate is written as an
 * observation of its snapshot's source, whose last confirmation moves
 * forward to the snapshot's fetch time.  For bulk history (--import,
 * --backfill, multi-day feeds).  A refresh that reconfirms today's rates
 * and wants its fetch time recorded uses store_save().  counts may be NULL.
 * 0, or -1 with err set and the database unchanged.
 */
int store_save_many(struct store *s, struct rates *const *v, size_t n, struct store_counts *counts,
    char *err, size_t errlen);

/*
 * The same write for a document too long to hold whole, a snapshot at a
 * time: { store_bulk_day, &b } is a rates_sink (rates.h) whose every
 * snapshot is written as store_save_many() would, all in ONE transaction,
 * which begins with the first snapshot (nothing is locked while a document
 * is fetched or read), and store_bulk_end() commits it (commit 1) or rolls
 * it back (0) once the document's fate is known.  Fill in st, and flags,
 * fetched_at and origin as wanted; the rest starts zeroed.  Flag
 * STORE_KEEP_STORED leaves every date already stored as it is, whatever its
 * rates (counted unchanged): days filled in, never rewritten.  With origin
 * set, each snapshot is stamped (fetched_at, origin) first.  failed says the
 * sink itself failed (err is its message: the store's, naming it, or "out of
 * memory"); after any failure, end with commit 0.  store_bulk_end() returns
 * 0, or -1 with err set when the commit failed (rolled back).  Between the
 * first snapshot and the end, st serves this write alone.
 */
#define STORE_KEEP_STORED 0x1
struct store_bulk {
	struct store *st;
	int flags;
	int64_t fetched_at;
	const char *origin;		/* borrowed; NULL: snapshots keep their own */
	struct store_counts counts;	/* out */
	int begun, failed;		/* out */
};
int store_bulk_day(void *arg, struct rates **r, char *err, size_t errlen);
int store_bulk_end(struct store_bulk *b, int commit, char *err, size_t errlen);

/*
 * The latest rates at Unix time now: each source's newest observation per
 * currency, merged with MERGE_KEEP_OLD (a currency no source has within the
 * window keeps its newest observation).  Observations from the future at
 * now are passed over: dated after what may be published by then
 * (dt_date_published_ok()), or stored from a fetch after now.  A day from
 * the future (saved under a clock that ran ahead, or with the clock since
 * stepped back) must never be served as the newest: it would pin /latest
 * and make every real fetch look older.  Each source is confirmed at its
 * last confirmation (at most now) and carries its stale flag.  0 with *out
 * a finished snapshot (caller frees with rates_free()) or NULL when nothing
 * qualifies, and future the newest day passed over, "" when none; -1 with
 * err set.  One probe per series of observations, whatever the history's
 * length.
 */
int store_load_latest(struct store *s, int64_t now, struct rates **out, char future[DT_DATE_LEN], char *err,
    size_t errlen);

/*
 * Which provider has observations of which currency, from when to when
 * (coverage.h), over every stored source, the upstreams of
 * store_set_order() naming their providers' data.  0 with *out finished
 * (caller frees with coverage_free()), or -1 with err set.
 */
struct coverage;
int store_load_coverage(struct store *s, struct coverage **out, char *err, size_t errlen);

/* What a day's view reads, for deciding how long its answer may be kept. */
struct store_day {
	int stored;		/* the day itself has observations */
	int replaced;		/* a day the view reads (the window up to it) was replaced: a load or a
				 * late source rewrote or added a rate of it once it had settled */
	int64_t changed_at;	/* the last change to any day the view reads: Unix time, 0 if none */
	char before[DT_DATE_LEN];	/* with no view: the newest stored day before the window, "" if none */
};

/*
 * The view of the day `date` ("YYYY-MM-DD"): per currency, the observation
 * of the first source (store_set_order()) dated within MERGE_WINDOW_DAYS
 * on or before it (merge_rates() on date); a currency with nothing that
 * recent is absent.  Each source is confirmed at the newest fetch time of
 * its observations in the view and never stale.  0 with *out a finished
 * snapshot (caller frees with rates_free()), or NULL when no currency has
 * an observation in the window; -1 with err set.  day (may be NULL) is
 * filled in on success.
 */
int store_load_on(struct store *s, const char *date, struct rates **out, struct store_day *day, char *err,
    size_t errlen);

/*
 * Calls fn with the view of every day dated start..end (inclusive,
 * "YYYY-MM-DD") that has at least one observation, oldest first, as
 * store_load_on() gives it; the snapshot is borrowed for the call only.
 * One pass over the observations from the window before start to end.
 * Returns 0 when every day was visited, -1 with err set when the store
 * failed, or the positive value fn returned to stop early (err untouched).
 * fn must not use s: a store is one caller's at a time.
 */
int store_each(struct store *s, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen);

/*
 * One provider's own observations, day by day, to serve them back as that
 * provider published them: fn is called with every day dated start..end
 * (inclusive) that has observations against base from a source whose
 * provider key (upstream_provider_key()) is provider, NEWEST FIRST.  Each
 * snapshot holds that day's own observations of those sources and nothing
 * else: no other source, nothing carried forward from an earlier day.  A
 * currency two of them observed on the day comes from the first in rank
 * (store_set_order()).  Each source is confirmed at its last confirmation,
 * with its stale flag, as in the latest rates.  The snapshot is borrowed for
 * the call only.  One statement, so one read: a save committed meanwhile is
 * wholly in or wholly out.  Returns 0 when every day was visited, -1 with
 * err set, or the positive value fn returned to stop early (err untouched).
 * fn must not use s.
 */
int store_each_provider(struct store *s, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen);

#endif
