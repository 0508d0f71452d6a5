/*
 * store: the daemon's memory across restarts, in one SQLite file.
 *
 * Two kinds of writer: the daemon's store, used by the refresher once per
 * accepted snapshot, and a one-shot store (--import, --backfill) that writes
 * all of its history in one transaction, possibly beside a running daemon.
 * Request threads read history through read-only stores of their own (WAL: a
 * reader sees the last commit and never waits for the writer).  The statements
 * are prepared once at open and reused, each write is one IMMEDIATE transaction
 * (the write lock is taken before anything is read, so a second process makes
 * us wait busy_timeout and then fail cleanly instead of deadlocking), and rates
 * travel as the exact decimal text the upstream gave, never as REAL, so a
 * restart serves the very digits that were fetched.
 *
 * One cconvd per database: store_open() holds the daemon lock (lockfile.h)
 * for as long as the store is open, and a second daemon is refused with the
 * holder's pid.  SQLite's own locking would keep two writers safe, but two
 * daemons on one file means every upstream fetched twice and two histories
 * interleaved, which is an operator's mistake worth a clear message.  A
 * one-shot writer is not a daemon: it fetches nothing on a schedule and
 * keeps no refresh state, and its one transaction is serialised with the
 * daemon's by SQLite's own write lock (it waits STORE_ONESHOT_BUSY_MS for
 * it), so it takes no lock and runs beside the daemon; it only asks who holds
 * the lock before an upgrade of the schema.  Read-only stores take no lock.
 *
 * The file can vanish under a running daemon (a clean-up script, a user).
 * SQLite would go on writing into the unlinked inode and lose every snapshot
 * at the next restart, so the writer first checks that the path still names
 * the file it has open and, if not, opens (and so creates) it again.
 *
 * The schema evolves through the migrations[] table: step i takes
 * user_version i to i + 1 in its own transaction, so an interrupted upgrade
 * leaves a file at a known version rather than half-changed.  A file from a
 * newer cconvd is refused before anything in it is touched.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "coverage.h"
#include "currency.h"
#include "dirs.h"
#include "dt.h"
#include "err.h"
#include "lockfile.h"
#include "log.h"
#include "merge.h"
#include "obsview.h"
#include "store.h"
#include "upstream.h"
#include "url.h"

#define STORE_BUSY_MS 5000	/* ms the daemon waits for another writer before failing */
/*
 * Seconds from a day's start after which no source publishes for it any
 * more: the carry-forward window and the day itself (api.c's
 * API_SETTLED_DAYS).  A change to a day before then is a late source doing
 * what sources do; a change after it replaces a settled day, whose answers
 * caches may have been told to keep for good.
 */
#define STORE_SETTLED ((int64_t)(MERGE_WINDOW_DAYS + 1) * 86400)
/* ms a one-shot writer waits: the daemon holds the write lock for
 * milliseconds, but another import can hold it for seconds, and a one-shot
 * has nothing better to do than wait. */
#define STORE_ONESHOT_BUSY_MS 30000

enum store_mode {
	STORE_DAEMON,		/* read-write, holding the daemon lock */
	STORE_ONESHOT,		/* read-write, no daemon lock: --import, --backfill */
	STORE_READONLY,
};

/* Step i upgrades a file at user_version i to i + 1.  Append; never edit a
 * step that has shipped, since files in the field have already run it. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE snapshots("
	"  date TEXT PRIMARY KEY,"
	"  pivot TEXT NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  upstream TEXT NOT NULL);"
	"CREATE TABLE rates("
	"  date TEXT NOT NULL REFERENCES snapshots(date) ON DELETE CASCADE,"
	"  currency TEXT NOT NULL,"
	"  rate TEXT NOT NULL,"
	"  PRIMARY KEY(date, currency)) WITHOUT ROWID;",
	/* 1 -> 2: upstream URLs stored before they were redacted lose their
	 * credentials (url.h); secure_delete overwrites the old text in the
	 * page rather than leaving it in free space. */
	"PRAGMA secure_delete = ON;"
	"UPDATE snapshots SET upstream = cconv_redact_url(upstream);"
	"PRAGMA secure_delete = OFF;",
	/* 2 -> 3: a rate is an observation of one source on one day.  Each
	 * stored rate becomes an observation of its snapshot's upstream on its
	 * date, fetched when the snapshot was; each upstream a source last
	 * confirmed at its newest fetch; each stored day is first stored and
	 * last changed at its fetch time, never replaced. */
	"CREATE TABLE sources("
	"  id INTEGER PRIMARY KEY,"
	"  upstream TEXT NOT NULL UNIQUE,"
	"  fetched_at INTEGER NOT NULL,"
	"  stale INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE observations("
	"  date TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  source INTEGER NOT NULL REFERENCES sources(id),"
	"  base TEXT NOT NULL,"
	"  rate TEXT NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  PRIMARY KEY(date, currency, source)) WITHOUT ROWID;"
	"CREATE INDEX observations_by_series ON observations(source, currency, date);"
	"CREATE TABLE series("
	"  source INTEGER NOT NULL REFERENCES sources(id),"
	"  currency TEXT NOT NULL,"
	"  PRIMARY KEY(source, currency)) WITHOUT ROWID;"
	"CREATE TABLE days("
	"  date TEXT PRIMARY KEY,"
	"  first_at INTEGER NOT NULL,"
	"  changed_at INTEGER NOT NULL,"
	"  replaced INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE INDEX days_by_change ON days(changed_at);"
	"INSERT INTO sources(upstream, fetched_at)"
	"  SELECT upstream, max(fetched_at) FROM snapshots GROUP BY upstream ORDER BY min(date);"
	"INSERT INTO observations(date, currency, source, base, rate, fetched_at)"
	"  SELECT r.date, r.currency, so.id, s.pivot, r.rate, s.fetched_at"
	"  FROM rates r JOIN snapshots s ON s.date = r.date JOIN sources so ON so.upstream = s.upstream;"
	"INSERT INTO series(source, currency) SELECT DISTINCT source, currency FROM observations;"
	"INSERT INTO days(date, first_at, changed_at)"
	"  SELECT date, fetched_at, fetched_at FROM snapshots s"
	"  WHERE EXISTS(SELECT 1 FROM rates r WHERE r.date = s.date);"
	"DROP TABLE rates;"
	"DROP TABLE snapshots;",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

struct store {
	sqlite3 *db;		/* NULL after a failed reopen; the next save retries */
	char *path;
	enum store_mode mode;
	int readonly;		/* mode == STORE_READONLY */
	struct lockfile *lock;	/* the daemon lock (lockfile.h); NULL when none */
	dev_t dev;		/* the database file the connection has open */
	ino_t ino;
	void (*on_reopen)(void *arg, enum store_reopen what);	/* store_on_reopen(); NULL: none */
	void *on_reopen_arg;
	char **order;		/* store_set_order(): redacted upstreams, first first */
	size_t norder;
	const char *const *only;	/* store_set_only(): borrowed provider keys */
	size_t nonly;
	struct obsview *view;	/* the reads' scratch, kept between calls */
	sqlite3_stmt *upsert_source;	/* the write statements: NULL when read-only */
	sqlite3_stmt *upsert_obs;
	sqlite3_stmt *insert_series;
	sqlite3_stmt *upsert_day;
	sqlite3_stmt *select_same;	/* what a write compares with */
	sqlite3_stmt *select_day_exists;
	sqlite3_stmt *count_day_currencies;
	sqlite3_stmt *select_sources;	/* the reads */
	sqlite3_stmt *select_latest;	/* OBS_COLUMNS: each series' newest observation */
	sqlite3_stmt *select_window;	/* OBS_COLUMNS: every observation in a date range, by date */
	sqlite3_stmt *select_future;	/* the newest day store_load_latest() passes over */
	sqlite3_stmt *select_day_info;
	sqlite3_stmt *select_before;
	sqlite3_stmt *select_provider;	/* OBS_COLUMNS: one provider's in a date range, newest first */
};

/*
 * The reads fetch observations as OBS_COLUMNS rows, which obsview.h
 * gathers into one view per source and merges.  Every query is served by an
 * index: observations(date, currency, source) for a date range in date
 * order, observations_by_series(source, currency, date) for the newest
 * observation of each series (series lists them: one probe each, never a
 * walk through the history), days(date) and days_by_change for the days.
 */
#define OBS_COLUMNS "o.source, o.base, o.currency, o.rate, o.date, o.fetched_at"

static int
busy_ms(const struct store *s)
{
	return s->mode == STORE_ONESHOT ? STORE_ONESHOT_BUSY_MS : STORE_BUSY_MS;
}

/*
 * Every message of this file is a reason only; the public functions put the
 * store's path in front of it, once, on their way out (name_store()).
 */
static void
name_store(char *err, size_t errlen, const char *path)
{
	/* A path too long to open is shown cut, so that the reason still fits. */
	if (strlen(path) >= PATH_MAX)
		err_prefix(err, errlen, "store '%.64s...'", path);
	else
		err_prefix(err, errlen, "store '%s'", path);
}

/* "disk I/O error (while inserting rates)".  Called at the point of failure,
 * before any ROLLBACK replaces the connection's error text. */
static void
store_fail(const struct store *s, const char *doing, char *err, size_t errlen)
{
	/* "database is locked" alone does not say that we waited, or for whom. */
	if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY)
		err_set(err, errlen, "%s (while %s): another process held the write lock for more than %d s",
		    sqlite3_errmsg(s->db), doing, busy_ms(s) / 1000);
	else
		err_set(err, errlen, "%s (while %s)", sqlite3_errmsg(s->db), doing);
}

/* Column text that is never NULL (SQLite returns NULL for NULL values and on
 * out-of-memory; both then fail validation with a readable message). */
static const char *
column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? (const char *)t : "";
}

static int
exec_sql(struct store *s, const char *sql, const char *doing, char *err, size_t errlen)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(s, doing, err, errlen);
		return -1;
	}
	return 0;
}

static int
read_user_version(struct store *s, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail(s, "reading the schema version", err, errlen);
		goto out;
	}
	*version = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* After a failure inside a transaction: undo it, keeping the first error. */
static void
rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* cconv_redact_url(url): url_redact() for the migrations. */
static void
sql_redact_url(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char shown[URL_SHOWN_LEN];
	const unsigned char *url = sqlite3_value_text(argv[0]);

	(void)argc;
	if (url == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, url_redact((const char *)url, shown, sizeof(shown)), -1, SQLITE_TRANSIENT);
}

/* cconv_provider(upstream): upstream_provider_key() for the reads. */
static void
sql_provider(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char key[UPSTREAM_KEY_LEN];
	const unsigned char *upstream = sqlite3_value_text(argv[0]);

	(void)argc;
	if (upstream == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, upstream_provider_key((const char *)upstream, key), -1, SQLITE_TRANSIENT);
}

static int
migrate(struct store *s, char *err, size_t errlen)
{
	char set_version[64];
	int version, rc = -1;

	/* DIRECTONLY: only the migrations' own SQL may call it, never a trigger or view in the file. */
	if (sqlite3_create_function(s->db, "cconv_redact_url", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_DIRECTONLY, NULL, sql_redact_url, NULL, NULL) != SQLITE_OK) {
		store_fail(s, "registering the upgrade's functions", err, errlen);
		return -1;
	}
	for (;;) {
		if (exec_sql(s, "BEGIN IMMEDIATE", "starting a schema upgrade", err, errlen) == -1)
			goto out;
		/* Read again under the write lock: another cconvd may have upgraded
		 * the file since we first looked. */
		if (read_user_version(s, &version, err, errlen) == -1)
			goto out;
		if (version >= SCHEMA_VERSION)
			break;
		if (exec_sql(s, migrations[version], "upgrading the schema", err, errlen) == -1)
			goto out;
		/* PRAGMA takes no bound parameters; the number comes from this
		 * code, never from the file. */
		snprintf(set_version, sizeof(set_version), "PRAGMA user_version = %d", version + 1);
		if (exec_sql(s, set_version, "upgrading the schema", err, errlen) == -1 ||
		    exec_sql(s, "COMMIT", "upgrading the schema", err, errlen) == -1)
			goto out;
	}
	if (version > SCHEMA_VERSION) {
		err_set(err, errlen, "schema version %d is newer than this cconvd understands (%d)", version,
		    SCHEMA_VERSION);
		goto out;
	}
	if (exec_sql(s, "COMMIT", "upgrading the schema", err, errlen) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		rollback(s);
	return rc;
}

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		store_fail(s, "preparing statements", err, errlen);
		return -1;
	}
	return 0;
}

/* Some file systems (network mounts) cannot do WAL; the rollback journal
 * still keeps every save atomic, so say so and carry on. */
static int
set_wal(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail(s, "setting WAL mode", err, errlen);
		goto out;
	}
	if (strcmp(column_text(st, 0), "wal") != 0)
		log_warnx("store '%s': journal mode is '%s', not 'wal'", s->path, column_text(st, 0));
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
prepare_writes(struct store *s, char *err, size_t errlen)
{
	/* ?4: a confirmation (store_save()), which sets the fetch time; a
	 * load only moves it forward. */
	if (prepare(s,
		"INSERT INTO sources(upstream, fetched_at, stale) VALUES(?1, ?2, ?3)"
		" ON CONFLICT(upstream) DO UPDATE SET"
		" stale = CASE WHEN ?4 OR excluded.fetched_at >= fetched_at THEN excluded.stale ELSE stale END,"
		" fetched_at = CASE WHEN ?4 THEN excluded.fetched_at ELSE max(fetched_at, excluded.fetched_at) END"
		" RETURNING id", &s->upsert_source, err, errlen) == -1 ||
	    prepare(s,
		"INSERT INTO observations(date, currency, source, base, rate, fetched_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(date, currency, source) DO UPDATE SET base = excluded.base, rate = excluded.rate,"
		" fetched_at = excluded.fetched_at", &s->upsert_obs, err, errlen) == -1 ||
	    prepare(s, "INSERT OR IGNORE INTO series(source, currency) VALUES(?1, ?2)", &s->insert_series, err,
		errlen) == -1 ||
	    /* ?3: STORE_SETTLED, the seconds after a day's start from which a
	     * change replaces it. */
	    prepare(s,
		"INSERT INTO days(date, first_at, changed_at) VALUES(?1, ?2, ?2)"
		" ON CONFLICT(date) DO UPDATE SET changed_at = max(changed_at, excluded.changed_at),"
		" replaced = replaced OR excluded.changed_at >= CAST(strftime('%s', date) AS INTEGER) + ?3",
		&s->upsert_day, err, errlen) == -1 ||
	    prepare(s, "SELECT base, rate FROM observations WHERE date = ?1 AND currency = ?2", &s->select_same,
		err, errlen) == -1 ||
	    prepare(s, "SELECT 1 FROM days WHERE date = ?1", &s->select_day_exists, err, errlen) == -1 ||
	    prepare(s, "SELECT count(DISTINCT currency) FROM observations WHERE date = ?1",
		&s->count_day_currencies, err, errlen) == -1)
		return -1;
	return 0;
}

static int
prepare_reads(struct store *s, char *err, size_t errlen)
{
	if (prepare(s, "SELECT id, upstream, fetched_at, stale FROM sources", &s->select_sources, err,
		errlen) == -1 ||
	    /* ?1: the last date that may be published at ?2, now.  CROSS JOIN
	     * keeps series outside: one probe per series, never a walk of
	     * observations. */
	    prepare(s, "SELECT " OBS_COLUMNS " FROM series x CROSS JOIN observations o"
		" ON o.source = x.source AND o.currency = x.currency AND o.date ="
		" (SELECT date FROM observations WHERE source = x.source AND currency = x.currency"
		" AND date <= ?1 AND fetched_at <= ?2 ORDER BY date DESC LIMIT 1)", &s->select_latest, err,
		errlen) == -1 ||
	    prepare(s, "SELECT max(coalesce((SELECT max(date) FROM days WHERE date > ?1), ''),"
		" coalesce((SELECT max(date) FROM days WHERE changed_at > ?2), ''))", &s->select_future, err,
		errlen) == -1 ||
	    prepare(s, "SELECT " OBS_COLUMNS " FROM observations o WHERE o.date BETWEEN ?1 AND ?2 ORDER BY o.date",
		&s->select_window, err, errlen) == -1 ||
	    prepare(s, "SELECT coalesce(max(replaced), 0), coalesce(max(changed_at), 0), coalesce(max(date = ?2), 0)"
		" FROM days WHERE date BETWEEN ?1 AND ?2", &s->select_day_info, err, errlen) == -1 ||
	    prepare(s, "SELECT max(date) FROM days WHERE date < ?1", &s->select_before, err, errlen) == -1)
		return -1;
	/* DIRECTONLY: only this file's statements may call it, never a trigger or view in the file. */
	if (sqlite3_create_function(s->db, "cconv_provider", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_DIRECTONLY, NULL, sql_provider, NULL, NULL) != SQLITE_OK) {
		store_fail(s, "registering the reads' functions", err, errlen);
		return -1;
	}
	/* ?3: the provider key, ?4: the base.  The '+' keeps the source out of
	 * the choice of index, so the walk is the primary key's, in date order
	 * backwards: the newest day comes first, without sorting the history. */
	return prepare(s, "SELECT " OBS_COLUMNS " FROM observations o WHERE o.date BETWEEN ?1 AND ?2"
	    " AND o.base = ?4 AND +o.source IN (SELECT id FROM sources WHERE cconv_provider(upstream) = ?3)"
	    " ORDER BY o.date DESC", &s->select_provider, err, errlen);
}

/*
 * A one-shot writer may write beside a running daemon, but not change the
 * schema under it: that daemon, an older cconvd, would go on with statements
 * prepared for the old one.  The daemon upgrades the file itself when it
 * starts, so the way out is to restart it with the new cconvd.
 */
static int
no_upgrade_beside_daemon(const struct store *s, int version, char *err, size_t errlen)
{
	long pid;

	switch (lockfile_holder(s->path, &pid, err, errlen)) {
	case LOCKFILE_ERROR:
		err_append(err, errlen, "schema version %d is not upgraded to %d while a daemon may be using the "
		    "file: stop that cconvd, then run this again", version, SCHEMA_VERSION);
		return -1;
	case LOCKFILE_HELD:
		break;
	default:
		return 0;
	}
	err_set(err, errlen, "schema version %d needs upgrading to %d, which cannot be done beside the cconvd "
	    "running on it (pid %ld); restart that cconvd with this version (it upgrades the file), then run "
	    "this again", version, SCHEMA_VERSION, pid);
	return -1;
}

/* Sets the connection up and checks the file, in an order that matters: the
 * version is read before anything is written, so a newer file or one that is
 * not a database at all is refused untouched. */
static int
configure(struct store *s, char *err, size_t errlen)
{
	int version, rc = -1;

	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, busy_ms(s)) != SQLITE_OK) {
		store_fail(s, "setting the busy timeout", err, errlen);
		goto out;
	}
	if (read_user_version(s, &version, err, errlen) == -1)
		goto out;
	if (version > SCHEMA_VERSION) {
		err_set(err, errlen, "schema version %d is newer than this cconvd understands (%d)", version,
		    SCHEMA_VERSION);
		goto out;
	}
	if (s->mode == STORE_ONESHOT && version < SCHEMA_VERSION && no_upgrade_beside_daemon(s, version, err,
	    errlen) == -1)
		goto out;
	/* synchronous=NORMAL with WAL may lose the last commit on power loss but
	 * never corrupts; the next refresh fetches that snapshot again. */
	if (set_wal(s, err, errlen) == -1 ||
	    exec_sql(s, "PRAGMA synchronous = NORMAL", "setting synchronous mode", err, errlen) == -1 ||
	    exec_sql(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", err, errlen) == -1)
		goto out;
	/* Only an upgrade takes the write lock, so opening a current file never
	 * waits on another writer. */
	if (version < SCHEMA_VERSION && migrate(s, err, errlen) == -1)
		goto out;
	if (prepare_writes(s, err, errlen) == -1 || prepare_reads(s, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	return rc;
}

/* A reader changes nothing, so it cannot migrate: a file at another
 * version is refused (the daemon opens it read-write, and so migrates it,
 * before any reader). */
static int
configure_readonly(struct store *s, char *err, size_t errlen)
{
	int version, rc = -1;

	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, busy_ms(s)) != SQLITE_OK) {
		store_fail(s, "setting the busy timeout", err, errlen);
		goto out;
	}
	if (exec_sql(s, "PRAGMA query_only = 1", "making the connection read-only", err, errlen) == -1 ||
	    read_user_version(s, &version, err, errlen) == -1)
		goto out;
	if (version != SCHEMA_VERSION) {
		err_set(err, errlen, "schema version %d, expected %d (open it read-write first)", version,
		    SCHEMA_VERSION);
		goto out;
	}
	if (prepare_reads(s, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	return rc;
}

static void
close_db(struct store *s)
{
	sqlite3_stmt **all[] = { &s->upsert_source, &s->upsert_obs, &s->insert_series, &s->upsert_day,
	    &s->select_same, &s->select_day_exists, &s->count_day_currencies, &s->select_sources,
	    &s->select_latest, &s->select_window, &s->select_future, &s->select_day_info, &s->select_before,
	    &s->select_provider };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
	sqlite3_close(s->db);
	s->db = NULL;
}

/* Opens s->path and remembers which file that is. */
static int
open_db(struct store *s, char *err, size_t errlen)
{
	/* NOMUTEX: a store is one thread's at a time (see store.h), so
	 * SQLite's own per-connection mutex would only cost. */
	int flags = s->readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct stat sb;

	/* The folders above the file; the file itself is SQLite's to create. */
	if (!s->readonly && dirs_make_parents(s->path, err, errlen) == -1)
		goto fail;
	/* Even a failed open may allocate a handle, which carries the reason. */
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		err_set(err, errlen, "%s", s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	if ((s->readonly ? configure_readonly(s, err, errlen) : configure(s, err, errlen)) == -1)
		goto fail;
	/* configure() has read the file, so it exists now. */
	if (stat(s->path, &sb) == -1) {
		err_set(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	return 0;
fail:
	close_db(s);
	return -1;
}

/* The daemon lock for s->path, with the way out when another daemon has it. */
static int
take_lock(struct store *s, char *err, size_t errlen)
{
	long holder;

	switch (lockfile_take(s->path, &s->lock, &holder, err, errlen)) {
	case LOCKFILE_TAKEN:
		return 0;
	case LOCKFILE_HELD:
		err_append(err, errlen, "give each daemon its own --db");
		break;
	default:
		break;
	}
	return -1;
}

/*
 * A path that names a device, a FIFO or a folder is refused before anything
 * is created beside it (the lock file, SQLite's journal).  A missing file is
 * fine (it is created); other stat(2) failures are left for the open to
 * report in its own words.
 */
static int
regular_or_absent(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	const char *kind;

	if (stat(path, &sb) == -1 || S_ISREG(sb.st_mode))
		return 0;
	kind = S_ISDIR(sb.st_mode) ? "a folder" : S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISCHR(sb.st_mode) ?
	    "a character device" : S_ISBLK(sb.st_mode) ? "a block device" : S_ISSOCK(sb.st_mode) ? "a socket" :
	    "a special file";
	err_set(err, errlen, "%s, not a regular file", kind);
	return -1;
}

static struct store *
open_store(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	struct store *s = NULL;

	if (regular_or_absent(path, err, errlen) == -1)
		goto fail;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL ||
	    (s->view = obsview_new()) == NULL) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	s->mode = mode;
	s->readonly = mode == STORE_READONLY;
	if (mode == STORE_DAEMON && (dirs_make_parents(path, err, errlen) == -1 || take_lock(s, err, errlen) == -1))
		goto fail;
	if (open_db(s, err, errlen) == -1)
		goto fail;
	return s;
fail:
	name_store(err, errlen, path);
	store_close(s);
	return NULL;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	return open_store(path, STORE_DAEMON, err, errlen);
}

struct store *
store_open_oneshot(const char *path, char *err, size_t errlen)
{
	return open_store(path, STORE_ONESHOT, err, errlen);
}

struct store *
store_open_readonly(const char *path, char *err, size_t errlen)
{
	return open_store(path, STORE_READONLY, err, errlen);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	close_db(s);
	lockfile_release(s->lock);
	for (size_t i = 0; i < s->norder; i++)
		free(s->order[i]);
	free(s->order);
	obsview_free(s->view);
	free(s->path);
	free(s);
}

void
store_on_reopen(struct store *s, void (*fn)(void *arg, enum store_reopen what), void *arg)
{
	s->on_reopen = fn;
	s->on_reopen_arg = arg;
}

static void
tell_reopen(const struct store *s, enum store_reopen what)
{
	if (s->on_reopen != NULL)
		s->on_reopen(s->on_reopen_arg, what);
}

/*
 * Makes sure the writer writes to the file the path names now.  A file
 * deleted or replaced since it was opened is opened again (an empty one is
 * created and migrated), so history restarts there rather than vanishing with
 * the old inode; a failure leaves s->db NULL and the next call retries.
 *
 * The order matters.  SQLite names a database's "-wal" after its path, not
 * its inode, and a WAL is not tied to its database by anything in either
 * file: the new file, a restored backup, would be read through the old
 * file's WAL, whose pages are another database's.  SQLite will not
 * checkpoint a moved file on close, so this connection empties the WAL
 * itself (a TRUNCATE checkpoint, through its own descriptor) once the other
 * connections in this process have closed (STORE_REOPENING) and no reader
 * holds it; only then is the path opened again, and the readers follow
 * (STORE_REOPENED).  When another process still reads the old file, the WAL
 * cannot be emptied, which is logged; SQLite still deletes a WAL it finds
 * beside an empty database rather than replay it (test_store checks that),
 * so only a replaced file is then at risk.
 */
static int
ensure_current(struct store *s, char *err, size_t errlen)
{
	struct stat sb;
	int found;

	if (s->readonly && s->db != NULL)
		return 0;
	found = stat(s->path, &sb) == 0;
	if (s->db != NULL && found && sb.st_dev == s->dev && sb.st_ino == s->ino)
		return 0;
	if (s->db != NULL) {
		log_warnx("store '%s': the database file was %s; opening it again", s->path,
		    found ? "replaced" : "deleted");
		tell_reopen(s, STORE_REOPENING);
		if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
			log_warnx("store '%s': the old file's WAL could not be emptied (%s); the file now at that "
			    "path may be read through it", s->path, sqlite3_errmsg(s->db));
		close_db(s);
	}
	if (open_db(s, err, errlen) == -1)
		return -1;
	tell_reopen(s, STORE_REOPENED);
	return 0;
}

/* Runs a write statement once and readies it for the next use.  Bindings are
 * cleared too, so no text pointer of this call outlives it. */
static int
step_done(struct store *s, sqlite3_stmt *st, const char *doing, char *err, size_t errlen)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(s, doing, err, errlen);
		rc = -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Binds text, an integer or nothing (NULL text) at i: 0, or -1 with err set. */
static int
bind_text(struct store *s, sqlite3_stmt *st, int i, const char *text, const char *doing, char *err, size_t errlen)
{
	if (sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		store_fail(s, doing, err, errlen);
		sqlite3_clear_bindings(st);
		return -1;
	}
	return 0;
}

static int
bind_int(struct store *s, sqlite3_stmt *st, int i, int64_t v, const char *doing, char *err, size_t errlen)
{
	if (sqlite3_bind_int64(st, i, v) != SQLITE_OK) {
		store_fail(s, doing, err, errlen);
		sqlite3_clear_bindings(st);
		return -1;
	}
	return 0;
}

/* One write of a snapshot: the store ids of its sources as they are needed. */
struct writing {
	const struct rates *r;
	int confirm;			/* store_save(): every source confirmed at its fetch time */
	int64_t id[RATES_MAX_SOURCES];	/* 0: not yet written */
	char (*dates)[DT_DATE_LEN];	/* the days an observation was written to: one slot per entry */
	size_t ndates;
};

/* The store id of r's source src, its row written (created, or confirmed). */
static int
source_id(struct store *s, struct writing *w, unsigned src, int64_t *id, char *err, size_t errlen)
{
	const struct rates_source *x = rates_source(w->r, src);
	const char *doing = "writing a source";
	int rc = -1;

	if (w->id[src] != 0) {
		*id = w->id[src];
		return 0;
	}
	if (bind_text(s, s->upsert_source, 1, x->upstream, doing, err, errlen) == -1 ||
	    bind_int(s, s->upsert_source, 2, x->fetched_at, doing, err, errlen) == -1 ||
	    bind_int(s, s->upsert_source, 3, x->stale, doing, err, errlen) == -1 ||
	    bind_int(s, s->upsert_source, 4, w->confirm, doing, err, errlen) == -1)
		return -1;
	if (sqlite3_step(s->upsert_source) != SQLITE_ROW) {
		store_fail(s, doing, err, errlen);
		goto out;
	}
	*id = w->id[src] = sqlite3_column_int64(s->upsert_source, 0);
	rc = sqlite3_step(s->upsert_source) == SQLITE_DONE ? 0 : -1;
	if (rc == -1)
		store_fail(s, doing, err, errlen);
out:
	sqlite3_reset(s->upsert_source);
	sqlite3_clear_bindings(s->upsert_source);
	return rc;
}

/* The day's row: first stored at `at`, or changed then (and replaced, when
 * the day had settled). */
static int
touch_day(struct store *s, const char *date, int64_t at, char *err, size_t errlen)
{
	if (bind_text(s, s->upsert_day, 1, date, "writing a day", err, errlen) == -1 ||
	    bind_int(s, s->upsert_day, 2, at, "writing a day", err, errlen) == -1 ||
	    bind_int(s, s->upsert_day, 3, STORE_SETTLED, "writing a day", err, errlen) == -1)
		return -1;
	return step_done(s, s->upsert_day, "writing a day", err, errlen);
}

/* Notes that an observation was written to date: each day's row is written
 * once per snapshot (write_days()), so a day new to the store is not
 * counted as replaced by its own second entry. */
static void
day_written(struct writing *w, const char *date)
{
	for (size_t i = 0; i < w->ndates; i++)
		if (strcmp(w->dates[i], date) == 0)
			return;
	memcpy(w->dates[w->ndates++], date, DT_DATE_LEN);
}

static int
write_days(struct store *s, struct writing *w, char *err, size_t errlen)
{
	for (size_t i = 0; i < w->ndates; i++)
		if (touch_day(s, w->dates[i], rates_fetched_at(w->r), err, errlen) == -1)
			return -1;
	return 0;
}

/*
 * Whether e is stored already: the same currency on the same day against
 * the same base at the same value (compared as numbers), from whichever
 * source.  Such an observation is not stored twice, so loading the same
 * rates again, or the same rates from a mirror, changes nothing.
 */
static int
stored_same(struct store *s, const struct rate_entry *e, const struct currency *pivot, int *same, char *err,
    size_t errlen)
{
	const char *doing = "comparing with stored rates";
	int step, rc = -1;

	*same = 0;
	if (bind_text(s, s->select_same, 1, e->date, doing, err, errlen) == -1 ||
	    bind_text(s, s->select_same, 2, e->cur->code, doing, err, errlen) == -1)
		return -1;
	while ((step = sqlite3_step(s->select_same)) == SQLITE_ROW) {
		struct dec v;

		if (strcmp(column_text(s->select_same, 0), pivot->code) == 0 &&
		    dec_parse(column_text(s->select_same, 1), (size_t)sqlite3_column_bytes(s->select_same, 1),
		    &v) == 0 && dec_cmp(&v, &e->rate) == 0) {
			*same = 1;
			break;
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_fail(s, doing, err, errlen);
		goto out;
	}
	rc = 0;
out:
	sqlite3_reset(s->select_same);
	sqlite3_clear_bindings(s->select_same);
	return rc;
}

/* e as an observation of its source on its date; inside a transaction. */
static int
write_entry(struct store *s, struct writing *w, const struct rate_entry *e, char *err, size_t errlen)
{
	const char *doing = "inserting rates";
	char text[DEC_STRLEN];
	int64_t id;

	if (source_id(s, w, e->src, &id, err, errlen) == -1)
		return -1;
	dec_format(&e->rate, text, sizeof(text));
	if (bind_text(s, s->upsert_obs, 1, e->date, doing, err, errlen) == -1 ||
	    bind_text(s, s->upsert_obs, 2, e->cur->code, doing, err, errlen) == -1 ||
	    bind_int(s, s->upsert_obs, 3, id, doing, err, errlen) == -1 ||
	    bind_text(s, s->upsert_obs, 4, rates_pivot(w->r)->code, doing, err, errlen) == -1 ||
	    bind_text(s, s->upsert_obs, 5, text, doing, err, errlen) == -1 ||
	    bind_int(s, s->upsert_obs, 6, rates_source(w->r, e->src)->fetched_at, doing, err, errlen) == -1 ||
	    step_done(s, s->upsert_obs, doing, err, errlen) == -1)
		return -1;
	if (bind_int(s, s->insert_series, 1, id, doing, err, errlen) == -1 ||
	    bind_text(s, s->insert_series, 2, e->cur->code, doing, err, errlen) == -1 ||
	    step_done(s, s->insert_series, doing, err, errlen) == -1)
		return -1;
	day_written(w, e->date);
	return 0;
}

/*
 * Writes r's entries that are not stored yet (stored_same()), each as an
 * observation with its own date and source; nothing stored is deleted.
 * *wrote says whether any was.  With confirm, every source of r is
 * confirmed at its fetch time even when nothing else changes.  fresh: a
 * date known to have no observation yet (no row in days), whose entries
 * need no comparing; NULL when none is known.  Inside a transaction.
 */
static int
write_snapshot(struct store *s, const struct rates *r, int confirm, const char *fresh, int *wrote, char *err,
    size_t errlen)
{
	const struct currency *pivot = rates_pivot(r);
	struct writing w;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	w.r = r;
	w.confirm = confirm;
	*wrote = 0;
	if ((w.dates = calloc(rates_count(r), sizeof(*w.dates))) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < rates_count(r); i++) {
		const struct rate_entry *e = rates_at(r, i);
		int same;

		/* The pivot's rate is 1 by definition; rates_new() restores it. */
		if (e->cur == pivot)
			continue;
		same = 0;
		if ((fresh == NULL || strcmp(fresh, e->date) != 0) && stored_same(s, e, pivot, &same, err,
		    errlen) == -1)
			goto out;
		if (same)
			continue;
		if (write_entry(s, &w, e, err, errlen) == -1)
			goto out;
		*wrote = 1;
	}
	if (write_days(s, &w, err, errlen) == -1)
		goto out;
	for (unsigned i = 0; confirm && i < rates_nsources(r); i++) {
		int64_t id;

		if (source_id(s, &w, i, &id, err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	free(w.dates);
	return rc;
}

static int
writable(struct store *s, char *err, size_t errlen)
{
	if (s->readonly) {
		err_set(err, errlen, "opened read-only");
		return -1;
	}
	return 0;
}

int
store_save(struct store *s, const struct rates *r, char *err, size_t errlen)
{
	int wrote, rc = -1;

	if (writable(s, err, errlen) == -1 || ensure_current(s, err, errlen) == -1)
		goto out;
	if (exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction", err, errlen) == -1 ||
	    write_snapshot(s, r, 1, NULL, &wrote, err, errlen) == -1 ||
	    exec_sql(s, "COMMIT", "committing", err, errlen) == -1) {
		rollback(s);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

/* Whether date has a row in days: 0 or 1, -1 with err set. */
static int
day_stored(struct store *s, const char *date, char *err, size_t errlen)
{
	int step;

	if (bind_text(s, s->select_day_exists, 1, date, "reading days", err, errlen) == -1)
		return -1;
	step = sqlite3_step(s->select_day_exists);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		store_fail(s, "reading days", err, errlen);
	sqlite3_reset(s->select_day_exists);
	sqlite3_clear_bindings(s->select_day_exists);
	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* How many currencies date has observations of, into *n. */
static int
day_currencies(struct store *s, const char *date, size_t *n, char *err, size_t errlen)
{
	int rc = -1;

	if (bind_text(s, s->count_day_currencies, 1, date, "reading days", err, errlen) == -1)
		return -1;
	if (sqlite3_step(s->count_day_currencies) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(s->count_day_currencies, 0);
		rc = 0;
	} else
		store_fail(s, "reading days", err, errlen);
	sqlite3_reset(s->count_day_currencies);
	sqlite3_clear_bindings(s->count_day_currencies);
	return rc;
}

/* Opens store_save_many()'s transaction. */
static int
bulk_begin(struct store *s, char *err, size_t errlen)
{
	if (writable(s, err, errlen) == -1 || ensure_current(s, err, errlen) == -1 ||
	    exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction", err, errlen) == -1) {
		name_store(err, errlen, s->path);
		return -1;
	}
	return 0;
}

/*
 * One snapshot in the open transaction, counted in *c by what it did to its
 * date: a day not stored before is added; a stored day that got a new or
 * changed observation is replaced; one that got nothing new is unchanged,
 * or kept when it has currencies the snapshot lacks (they stay: nothing is
 * ever deleted).
 */
static int
bulk_add(struct store *s, const struct rates *r, int flags, struct store_counts *c, char *err, size_t errlen)
{
	size_t have;
	int stored, wrote;

	if ((stored = day_stored(s, rates_date(r), err, errlen)) == -1)
		goto fail;
	/* Filling in (STORE_KEEP_STORED) leaves every stored date alone. */
	if (stored && (flags & STORE_KEEP_STORED)) {
		c->unchanged++;
		return 0;
	}
	if (write_snapshot(s, r, 0, stored ? NULL : rates_date(r), &wrote, err, errlen) == -1)
		goto fail;
	if (!stored)
		c->added++;
	else if (wrote)
		c->replaced++;
	else if (day_currencies(s, rates_date(r), &have, err, errlen) == -1)
		goto fail;
	else if (have + 1 > rates_count(r))
		c->kept++;
	else
		c->unchanged++;
	return 0;
fail:
	name_store(err, errlen, s->path);
	return -1;
}

/* Commits the open transaction, or rolls it back when !commit or the commit fails. */
static int
bulk_end(struct store *s, int commit, char *err, size_t errlen)
{
	if (commit && exec_sql(s, "COMMIT", "committing", err, errlen) == 0)
		return 0;
	rollback(s);
	if (commit)
		name_store(err, errlen, s->path);
	return commit ? -1 : 0;
}

int
store_bulk_day(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct store_bulk *b = arg;

	if (b->origin != NULL && rates_set_origin(*r, b->fetched_at, b->origin) == -1) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	if (!b->begun) {
		if (bulk_begin(b->st, err, errlen) == -1)
			goto fail;
		b->begun = 1;
	}
	if (bulk_add(b->st, *r, b->flags, &b->counts, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

int
store_bulk_end(struct store_bulk *b, int commit, char *err, size_t errlen)
{
	int rc;

	if (!b->begun)
		return 0;
	rc = bulk_end(b->st, commit, err, errlen);
	b->begun = 0;
	return rc;
}

int
store_save_many(struct store *s, struct rates *const *v, size_t n, struct store_counts *counts,
    char *err, size_t errlen)
{
	struct store_counts c = { 0, 0, 0, 0 };

	if (bulk_begin(s, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (bulk_add(s, v[i], 0, &c, err, errlen) == -1) {
			(void)bulk_end(s, 0, NULL, 0);
			return -1;
		}
	}
	if (bulk_end(s, 1, err, errlen) == -1)
		return -1;
	if (counts != NULL)
		*counts = c;
	return 0;
}

int
store_set_order(struct store *s, const char *const *upstreams, size_t n, char *err, size_t errlen)
{
	char **order = NULL;
	size_t i = 0;

	if (n > 0 && (order = calloc(n, sizeof(*order))) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if ((order[i] = strdup(upstreams[i])) == NULL)
			goto oom;
	for (size_t j = 0; j < s->norder; j++)
		free(s->order[j]);
	free(s->order);
	s->order = order;
	s->norder = n;
	return 0;
oom:
	while (i > 0)
		free(order[--i]);
	free(order);
	err_set(err, errlen, "out of memory");
	return -1;
}

void
store_set_only(struct store *s, const char *const *keys, size_t n)
{
	s->only = keys;
	s->nonly = keys != NULL ? n : 0;
}

/* The day `days` days after date ("YYYY-MM-DD"), which is valid. */
static void
date_add(const char *date, int64_t days, char out[DT_DATE_LEN])
{
	dt_date((dt_date_days(date) + days) * 86400, out);
}

/*
 * Every source into s->view, ranked by the order set.  now >= 0: the latest
 * rates at now, for which a confirmation after now (a clock that ran ahead)
 * counts as now.
 */
static int
load_sources(struct store *s, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->select_sources;
	int step, rc = -1;

	obsview_clear(s->view);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t at = sqlite3_column_int64(st, 2);

		if (now >= 0 && at > now)
			at = now;
		if (obsview_source(s->view, sqlite3_column_int64(st, 0), column_text(st, 1), at,
		    sqlite3_column_int(st, 3), err, errlen) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_fail(s, "reading sources", err, errlen);
		goto out;
	}
	obsview_rank(s->view, (const char *const *)s->order, s->norder);
	if (s->nonly > 0)
		obsview_only(s->view, s->only, s->nonly);
	rc = 0;
out:
	sqlite3_reset(st);
	return rc;
}

/* The observation in the current row of an OBS_COLUMNS query, into s->view. */
static int
add_row(struct store *s, sqlite3_stmt *st, char *err, size_t errlen)
{
	return obsview_add(s->view, sqlite3_column_int64(st, 0), column_text(st, 1), column_text(st, 2),
	    column_text(st, 3), (size_t)sqlite3_column_bytes(st, 3), column_text(st, 4), sqlite3_column_int64(st, 5),
	    err, errlen);
}

/* Every row of a bound OBS_COLUMNS query into s->view; the statement is
 * reset on every path (an open statement holds its read transaction). */
static int
read_rows(struct store *s, sqlite3_stmt *st, char *err, size_t errlen)
{
	int step, rc = -1;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (add_row(s, st, err, errlen) == -1)
			goto out;
	if (step != SQLITE_DONE) {
		store_fail(s, "reading history", err, errlen);
		goto out;
	}
	rc = 0;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The newest day from the future at now into future, "" when there is none:
 * dated after last, or changed at a time after now. */
static int
newest_future(struct store *s, const char *last, int64_t now, char future[DT_DATE_LEN], char *err,
    size_t errlen)
{
	int rc = -1;

	future[0] = '\0';
	if (bind_text(s, s->select_future, 1, last, "reading history", err, errlen) == -1 ||
	    bind_int(s, s->select_future, 2, now, "reading history", err, errlen) == -1)
		return -1;
	if (sqlite3_step(s->select_future) != SQLITE_ROW) {
		store_fail(s, "reading history", err, errlen);
		goto out;
	}
	snprintf(future, DT_DATE_LEN, "%s", column_text(s->select_future, 0));
	rc = 0;
out:
	sqlite3_reset(s->select_future);
	sqlite3_clear_bindings(s->select_future);
	return rc;
}

int
store_load_latest(struct store *s, int64_t now, struct rates **out, char future[DT_DATE_LEN], char *err,
    size_t errlen)
{
	char last[DT_DATE_LEN];
	int rc = -1;

	*out = NULL;
	future[0] = '\0';
	dt_date(now + 86400, last);
	if (ensure_current(s, err, errlen) == -1 || newest_future(s, last, now, future, err, errlen) == -1 ||
	    load_sources(s, now, err, errlen) == -1 ||
	    bind_text(s, s->select_latest, 1, last, "reading history", err, errlen) == -1 ||
	    bind_int(s, s->select_latest, 2, now, "reading history", err, errlen) == -1 ||
	    read_rows(s, s->select_latest, err, errlen) == -1 ||
	    obsview_merge(s->view, NULL, MERGE_KEEP_OLD, 1, out, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	obsview_clear(s->view);
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

/* What the view of date reads, into *day (store.h). */
static int
day_info(struct store *s, const char *from, const char *date, int none, struct store_day *day, char *err,
    size_t errlen)
{
	const char *doing = "reading days";
	int rc = -1;

	memset(day, 0, sizeof(*day));
	if (bind_text(s, s->select_day_info, 1, from, doing, err, errlen) == -1 ||
	    bind_text(s, s->select_day_info, 2, date, doing, err, errlen) == -1)
		return -1;
	if (sqlite3_step(s->select_day_info) != SQLITE_ROW) {
		store_fail(s, doing, err, errlen);
		goto out;
	}
	day->replaced = sqlite3_column_int(s->select_day_info, 0) != 0;
	day->changed_at = sqlite3_column_int64(s->select_day_info, 1);
	day->stored = sqlite3_column_int(s->select_day_info, 2) != 0;
	if (none) {
		if (bind_text(s, s->select_before, 1, from, doing, err, errlen) == -1)
			goto out;
		if (sqlite3_step(s->select_before) != SQLITE_ROW) {
			store_fail(s, doing, err, errlen);
			goto out;
		}
		snprintf(day->before, DT_DATE_LEN, "%s", column_text(s->select_before, 0));
	}
	rc = 0;
out:
	sqlite3_reset(s->select_day_info);
	sqlite3_clear_bindings(s->select_day_info);
	sqlite3_reset(s->select_before);
	sqlite3_clear_bindings(s->select_before);
	return rc;
}

/*
 * Three probes of observations_by_series per series (its newest base, its
 * first and its last date), never a walk of the history; prepared per call,
 * since a round calls it once.
 */
int
store_load_coverage(struct store *s, struct coverage **out, char *err, size_t errlen)
{
	static const char sql[] = "SELECT so.upstream, x.currency,"
	    " (SELECT base FROM observations WHERE source = x.source AND currency = x.currency"
	    "  ORDER BY date DESC LIMIT 1),"
	    " (SELECT date FROM observations WHERE source = x.source AND currency = x.currency ORDER BY date LIMIT 1),"
	    " (SELECT date FROM observations WHERE source = x.source AND currency = x.currency"
	    "  ORDER BY date DESC LIMIT 1)"
	    " FROM series x JOIN sources so ON so.id = x.source";
	sqlite3_stmt *st = NULL;
	struct coverage *c = NULL;
	int step, rc = -1;

	*out = NULL;
	if (ensure_current(s, err, errlen) == -1)
		goto out;
	if ((c = coverage_new((const char *const *)s->order, s->norder)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, "reading series", err, errlen);
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 3) != SQLITE_NULL && coverage_add(c, column_text(st, 0),
		    column_text(st, 2), column_text(st, 1), column_text(st, 3), column_text(st, 4), err, errlen) == -1)
			goto out;
	if (step != SQLITE_DONE) {
		store_fail(s, "reading series", err, errlen);
		goto out;
	}
	if (coverage_finish(c, err, errlen) == -1)
		goto out;
	*out = c;
	c = NULL;
	rc = 0;
out:
	sqlite3_finalize(st);
	coverage_free(c);
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

int
store_load_on(struct store *s, const char *date, struct rates **out, struct store_day *day, char *err,
    size_t errlen)
{
	char from[DT_DATE_LEN];
	int rc = -1;

	*out = NULL;
	date_add(date, -MERGE_WINDOW_DAYS, from);
	if (ensure_current(s, err, errlen) == -1 || load_sources(s, -1, err, errlen) == -1 ||
	    bind_text(s, s->select_window, 1, from, "reading history", err, errlen) == -1 ||
	    bind_text(s, s->select_window, 2, date, "reading history", err, errlen) == -1 ||
	    read_rows(s, s->select_window, err, errlen) == -1 ||
	    obsview_merge(s->view, date, 0, 0, out, err, errlen) == -1)
		goto out;
	/* After the view: a change committed in between makes it look
	 * replaced, never the other way round. */
	if (day != NULL && day_info(s, from, date, *out == NULL, day, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	obsview_clear(s->view);
	if (rc == -1) {
		rates_free(*out);
		*out = NULL;
		name_store(err, errlen, s->path);
	}
	return rc;
}

/* The view of date, handed to fn: 0, -1 with err set, or fn's value. */
static int
each_day(struct store *s, const char *date, int (*fn)(void *arg, const struct rates *r), void *arg, char *err,
    size_t errlen)
{
	struct rates *r = NULL;
	int rc;

	if (obsview_merge(s->view, date, 0, 0, &r, err, errlen) == -1)
		return -1;
	rc = r != NULL ? fn(arg, r) : 0;
	rates_free(r);
	return rc;
}

/*
 * One pass over the observations of start - the window .. end in date
 * order: the view keeps each source's newest per currency, so at the end
 * of each day it is that day's input to the merge, and no day costs a
 * query of its own.
 */
int
store_each(struct store *s, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->select_window;
	char from[DT_DATE_LEN], day[DT_DATE_LEN] = "";
	int step, rc = -1;

	date_add(start, -MERGE_WINDOW_DAYS, from);
	if (ensure_current(s, err, errlen) == -1 || load_sources(s, -1, err, errlen) == -1 ||
	    bind_text(s, st, 1, from, "reading history", err, errlen) == -1 ||
	    bind_text(s, st, 2, end, "reading history", err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *date = column_text(st, 4);

		if (day[0] != '\0' && strcmp(date, day) != 0 && strcmp(day, start) >= 0 &&
		    (rc = each_day(s, day, fn, arg, err, errlen)) != 0)
			goto out;
		rc = -1;
		if (add_row(s, st, err, errlen) == -1)
			goto out;
		snprintf(day, sizeof(day), "%s", date);
	}
	if (step != SQLITE_DONE) {
		store_fail(s, "reading history", err, errlen);
		goto out;
	}
	if (day[0] != '\0' && strcmp(day, start) >= 0 && (rc = each_day(s, day, fn, arg, err, errlen)) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	obsview_clear(s->view);
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

/* The day's observations gathered in s->view, as one snapshot handed to fn;
 * then forgotten.  0, -1 with err set, or fn's value. */
static int
provider_day(struct store *s, const char *date, int (*fn)(void *arg, const struct rates *r), void *arg, char *err,
    size_t errlen)
{
	struct rates *r = NULL;
	int rc;

	rc = obsview_merge(s->view, date, 0, 1, &r, err, errlen);
	if (rc == 0 && r != NULL)
		rc = fn(arg, r);
	rates_free(r);
	obsview_clear_rows(s->view);
	return rc;
}

int
store_each_provider(struct store *s, const char *provider, const char *base, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->select_provider;
	const char *doing = "reading history";
	char day[DT_DATE_LEN] = "";
	int step, rc = -1;

	if (ensure_current(s, err, errlen) == -1 || load_sources(s, -1, err, errlen) == -1 ||
	    bind_text(s, st, 1, start, doing, err, errlen) == -1 ||
	    bind_text(s, st, 2, end, doing, err, errlen) == -1 ||
	    bind_text(s, st, 3, provider, doing, err, errlen) == -1 ||
	    bind_text(s, st, 4, base, doing, err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *date = column_text(st, 4);

		if (day[0] != '\0' && strcmp(date, day) != 0 && (rc = provider_day(s, day, fn, arg, err, errlen)) != 0)
			goto out;
		rc = -1;
		if (add_row(s, st, err, errlen) == -1)
			goto out;
		snprintf(day, sizeof(day), "%s", date);
	}
	if (step != SQLITE_DONE) {
		store_fail(s, doing, err, errlen);
		goto out;
	}
	if (day[0] != '\0' && (rc = provider_day(s, day, fn, arg, err, errlen)) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	obsview_clear(s->view);
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}
