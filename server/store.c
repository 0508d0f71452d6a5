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

#include "currency.h"
#include "dirs.h"
#include "dt.h"
#include "err.h"
#include "lockfile.h"
#include "log.h"
#include "store.h"
#include "url.h"

#define STORE_BUSY_MS 5000	/* ms the daemon waits for another writer before failing */
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
	sqlite3_stmt *upsert_snapshot;	/* the write statements: NULL when read-only */
	sqlite3_stmt *delete_rates;
	sqlite3_stmt *insert_rate;
	sqlite3_stmt *select_pivot;
	sqlite3_stmt *select_rates;
	sqlite3_stmt *select_latest;	/* these three yield SNAPSHOT_COLUMNS, one row per rate */
	sqlite3_stmt *select_on;
	sqlite3_stmt *select_range;
	sqlite3_stmt *select_future;	/* the newest day store_load_latest() passes over */
};

/*
 * The history queries all read one row per rate, snapshot columns repeated,
 * ordered by date then currency, so one loop (collect()) turns any of them
 * into snapshots.  Both are served by primary keys: snapshots(date) finds
 * the date (max(date) <= ?1 is one index probe), rates(date, currency) is
 * the rows in order; no extra index is needed.
 */
#define SNAPSHOT_COLUMNS "SELECT s.date, s.pivot, s.fetched_at, s.upstream, r.currency, r.rate" \
	" FROM snapshots s JOIN rates r ON r.date = s.date "

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
	if (prepare(s,
		"INSERT INTO snapshots(date, pivot, fetched_at, upstream) VALUES(?1, ?2, ?3, ?4)"
		" ON CONFLICT(date) DO UPDATE SET pivot = excluded.pivot,"
		" fetched_at = excluded.fetched_at, upstream = excluded.upstream",
		&s->upsert_snapshot, err, errlen) == -1 ||
	    prepare(s, "DELETE FROM rates WHERE date = ?1", &s->delete_rates, err, errlen) == -1 ||
	    prepare(s, "INSERT INTO rates(date, currency, rate) VALUES(?1, ?2, ?3)", &s->insert_rate,
		err, errlen) == -1)
		return -1;
	return 0;
}

static int
prepare_reads(struct store *s, char *err, size_t errlen)
{
	if (prepare(s, "SELECT pivot FROM snapshots WHERE date = ?1", &s->select_pivot, err, errlen) == -1 ||
	    prepare(s, "SELECT currency, rate FROM rates WHERE date = ?1 ORDER BY currency",
		&s->select_rates, err, errlen) == -1 ||
	    prepare(s, SNAPSHOT_COLUMNS "WHERE s.date = (SELECT max(date) FROM snapshots"
		" WHERE date <= ?1 AND fetched_at <= ?2) ORDER BY r.currency", &s->select_latest, err, errlen) == -1 ||
	    prepare(s, "SELECT max(date) FROM snapshots WHERE date > ?1 OR fetched_at > ?2", &s->select_future, err,
		errlen) == -1 ||
	    prepare(s, SNAPSHOT_COLUMNS "WHERE s.date = (SELECT max(date) FROM snapshots WHERE date <= ?1)"
		" ORDER BY r.currency", &s->select_on, err, errlen) == -1 ||
	    prepare(s, SNAPSHOT_COLUMNS "WHERE r.date BETWEEN ?1 AND ?2 ORDER BY r.date, r.currency",
		&s->select_range, err, errlen) == -1)
		return -1;
	return 0;
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
	sqlite3_stmt **all[] = { &s->upsert_snapshot, &s->delete_rates, &s->insert_rate,
	    &s->select_pivot, &s->select_rates, &s->select_latest, &s->select_on, &s->select_range,
	    &s->select_future };

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
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
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

/* The snapshot's rows, replacing the date's old ones; inside a transaction. */
static int
write_snapshot(struct store *s, const struct rates *r, char *err, size_t errlen)
{
	const struct currency *pivot = rates_pivot(r);
	const char *date = rates_date(r);
	char text[DEC_STRLEN];

	if (sqlite3_bind_text(s->upsert_snapshot, 1, date, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s->upsert_snapshot, 2, pivot->code, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s->upsert_snapshot, 3, rates_fetched_at(r)) != SQLITE_OK ||
	    sqlite3_bind_text(s->upsert_snapshot, 4, rates_upstream(r), -1, SQLITE_STATIC) != SQLITE_OK) {
		store_fail(s, "writing the snapshot", err, errlen);
		sqlite3_clear_bindings(s->upsert_snapshot);
		return -1;
	}
	if (step_done(s, s->upsert_snapshot, "writing the snapshot", err, errlen) == -1)
		return -1;

	if (sqlite3_bind_text(s->delete_rates, 1, date, -1, SQLITE_STATIC) != SQLITE_OK) {
		store_fail(s, "replacing old rates", err, errlen);
		return -1;
	}
	if (step_done(s, s->delete_rates, "replacing old rates", err, errlen) == -1)
		return -1;

	for (size_t i = 0; i < rates_count(r); i++) {
		const struct rate_entry *e = rates_at(r, i);

		/* The pivot's rate is 1 by definition; rates_new() restores it. */
		if (e->cur == pivot)
			continue;
		dec_format(&e->rate, text, sizeof(text));
		if (sqlite3_bind_text(s->insert_rate, 1, date, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(s->insert_rate, 2, e->cur->code, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_text(s->insert_rate, 3, text, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
			store_fail(s, "inserting rates", err, errlen);
			sqlite3_clear_bindings(s->insert_rate);
			return -1;
		}
		if (step_done(s, s->insert_rate, "inserting rates", err, errlen) == -1)
			return -1;
	}
	return 0;
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
	int rc = -1;

	if (writable(s, err, errlen) == -1 || ensure_current(s, err, errlen) == -1)
		goto out;
	if (exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction", err, errlen) == -1 ||
	    write_snapshot(s, r, err, errlen) == -1 ||
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

enum stored {
	STORED_NONE,		/* the date is not stored */
	STORED_SAME,		/* stored with the same pivot and rate values */
	STORED_OTHER,		/* stored with other values, every stored currency among r's */
	STORED_RICHER,		/* stored with a currency r lacks */
};

/* Whether the known currency code is one r lacks: the stored day has it. */
static int
lacks(const struct rates *r, const char *code)
{
	/* A code ISO 4217 has withdrawn is skipped on every load, so no
	 * document can bring it: it does not make a stored day richer. */
	return currency_find(code) != NULL && rates_find(r, code) == NULL;
}

/* How r's date is stored, compared currency by currency. */
static int
stored_as(struct store *s, const struct rates *r, enum stored *how, char *err, size_t errlen)
{
	const struct currency *pivot = rates_pivot(r);
	const struct rate_entry *e;
	size_t matched = 0;
	int step, same, richer, rc = -1;

	*how = STORED_NONE;
	if (sqlite3_bind_text(s->select_pivot, 1, rates_date(r), -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s->select_rates, 1, rates_date(r), -1, SQLITE_STATIC) != SQLITE_OK) {
		store_fail(s, "comparing with stored rates", err, errlen);
		goto out;
	}
	if ((step = sqlite3_step(s->select_pivot)) == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW) {
		store_fail(s, "comparing with stored rates", err, errlen);
		goto out;
	}
	same = strcmp(column_text(s->select_pivot, 0), pivot->code) == 0;
	richer = lacks(r, column_text(s->select_pivot, 0));
	while ((step = sqlite3_step(s->select_rates)) == SQLITE_ROW) {
		const char *code = column_text(s->select_rates, 0), *text = column_text(s->select_rates, 1);
		struct dec v;

		if ((e = rates_find(r, code)) == NULL) {
			richer |= lacks(r, code);
			same = 0;
			continue;
		}
		matched++;
		if (dec_parse(text, (size_t)sqlite3_column_bytes(s->select_rates, 1), &v) == -1 ||
		    dec_cmp(&v, &e->rate) != 0)
			same = 0;
	}
	if (step != SQLITE_DONE) {
		store_fail(s, "comparing with stored rates", err, errlen);
		goto out;
	}
	/* The pivot's rate is not stored (see write_snapshot()). */
	if (matched + 1 != rates_count(r))
		same = 0;
	*how = richer ? STORED_RICHER : same ? STORED_SAME : STORED_OTHER;
	rc = 0;
out:
	sqlite3_reset(s->select_pivot);
	sqlite3_reset(s->select_rates);
	sqlite3_clear_bindings(s->select_pivot);
	sqlite3_clear_bindings(s->select_rates);
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

/* One snapshot in the open transaction, counted in *c. */
static int
bulk_add(struct store *s, const struct rates *r, int flags, struct store_counts *c, char *err, size_t errlen)
{
	enum stored how;

	if (stored_as(s, r, &how, err, errlen) == -1)
		goto fail;
	/* Filling in (STORE_KEEP_STORED) leaves every stored date alone. */
	if (how == STORED_SAME || (how != STORED_NONE && (flags & STORE_KEEP_STORED))) {
		c->unchanged++;
		return 0;
	}
	if (how == STORED_RICHER) {
		c->kept++;
		return 0;
	}
	if (write_snapshot(s, r, err, errlen) == -1)
		goto fail;
	if (how == STORED_NONE)
		c->added++;
	else
		c->replaced++;
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

/* The snapshot the current row of a SNAPSHOT_COLUMNS query begins. */
static struct rates *
begin_snapshot(sqlite3_stmt *st, char *err, size_t errlen)
{
	struct rates *r;

	if ((r = rates_new(column_text(st, 1), column_text(st, 0), err, errlen)) == NULL) {
		err_prefix(err, errlen, "snapshot '%.16s'", column_text(st, 0));
		return NULL;
	}
	if (rates_set_origin(r, sqlite3_column_int64(st, 2), column_text(st, 3)) == -1) {
		err_set(err, errlen, "out of memory");
		rates_free(r);
		return NULL;
	}
	return r;
}

/* Adds the rate in the current row of a SNAPSHOT_COLUMNS query. */
static int
add_row_rate(struct rates *r, sqlite3_stmt *st, char *err, size_t errlen)
{
	const char *code = column_text(st, 4);
	const char *text = column_text(st, 5);
	struct dec rate;

	if (dec_parse(text, (size_t)sqlite3_column_bytes(st, 5), &rate) == -1) {
		err_set(err, errlen, "snapshot %s, currency '%.16s': rate '%.40s' is not a decimal number",
		    rates_date(r), code, text);
		return -1;
	}
	/* A code ISO 4217 has since withdrawn comes back RATES_SKIPPED, as it
	 * would from the upstream; only malformed rows are fatal. */
	if (rates_add(r, code, &rate, err, errlen) == RATES_REJECTED) {
		err_prefix(err, errlen, "snapshot %s, currency '%.16s'", rates_date(r), code);
		return -1;
	}
	return 0;
}

static int
finish_snapshot(struct rates *r, char *err, size_t errlen)
{
	if (rates_finish(r, err, errlen) == -1) {
		err_prefix(err, errlen, "snapshot %s", rates_date(r));
		return -1;
	}
	return 0;
}

/*
 * Runs a bound SNAPSHOT_COLUMNS query and hands each finished snapshot to
 * fn, which may keep it (setting *r to NULL) or leave it to be freed.
 * Returns 0, -1 with err set, or fn's non-zero value.  The statement is
 * reset on every path: a statement left open would hold its read
 * transaction, and with it the WAL, at that point in time.
 */
static int
collect(struct store *s, sqlite3_stmt *st, int (*fn)(void *arg, struct rates **r), void *arg,
    char *err, size_t errlen)
{
	struct rates *r = NULL;
	int step, rc = -1;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (r != NULL && strcmp(rates_date(r), column_text(st, 0)) != 0) {
			if (finish_snapshot(r, err, errlen) == -1)
				goto out;
			if ((rc = fn(arg, &r)) != 0)
				goto out;
			rc = -1;
			rates_free(r);
			r = NULL;
		}
		if (r == NULL && (r = begin_snapshot(st, err, errlen)) == NULL)
			goto out;
		if (add_row_rate(r, st, err, errlen) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_fail(s, "reading history", err, errlen);
		goto out;
	}
	if (r != NULL) {
		if (finish_snapshot(r, err, errlen) == -1)
			goto out;
		if ((rc = fn(arg, &r)) != 0)
			goto out;
	}
	rc = 0;
out:
	rates_free(r);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int
keep_one(void *arg, struct rates **r)
{
	struct rates **out = arg;

	*out = *r;
	*r = NULL;
	return 0;
}

/* The one snapshot a bound query selects, or NULL. */
static int
load_one(struct store *s, sqlite3_stmt *st, struct rates **out, char *err, size_t errlen)
{
	int rc;

	*out = NULL;
	if ((rc = collect(s, st, keep_one, out, err, errlen)) != 0) {
		rates_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Binds store_load_latest()'s bounds: the last date that may be published
 * at now (dt_date_published_ok()), and now. */
static int
bind_now(struct store *s, sqlite3_stmt *st, const char *last, int64_t now, char *err, size_t errlen)
{
	if (sqlite3_bind_text(st, 1, last, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
		store_fail(s, "reading history", err, errlen);
		sqlite3_clear_bindings(st);
		return -1;
	}
	return 0;
}

/* The newest day from the future at now into future, "" when there is none. */
static int
newest_future(struct store *s, const char *last, int64_t now, char future[DT_DATE_LEN], char *err,
    size_t errlen)
{
	int step, rc = -1;

	future[0] = '\0';
	if (bind_now(s, s->select_future, last, now, err, errlen) == -1)
		return -1;
	if ((step = sqlite3_step(s->select_future)) != SQLITE_ROW) {
		store_fail(s, "reading history", err, errlen);
		goto out;
	}
	if (sqlite3_column_type(s->select_future, 0) != SQLITE_NULL)
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
	    bind_now(s, s->select_latest, last, now, err, errlen) == -1 ||
	    load_one(s, s->select_latest, out, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

int
store_load_on(struct store *s, const char *date, struct rates **out, char *err, size_t errlen)
{
	int rc = -1;

	*out = NULL;
	if (ensure_current(s, err, errlen) == -1)
		goto out;
	if (sqlite3_bind_text(s->select_on, 1, date, -1, SQLITE_STATIC) != SQLITE_OK) {
		store_fail(s, "reading history", err, errlen);
		sqlite3_clear_bindings(s->select_on);
		goto out;
	}
	if (load_one(s, s->select_on, out, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}

struct each_ctx {
	int (*fn)(void *arg, const struct rates *r);
	void *arg;
};

static int
each_one(void *arg, struct rates **r)
{
	struct each_ctx *c = arg;

	return c->fn(c->arg, *r);
}

int
store_each(struct store *s, const char *start, const char *end,
    int (*fn)(void *arg, const struct rates *r), void *arg, char *err, size_t errlen)
{
	struct each_ctx c = { fn, arg };
	int rc = -1;

	if (ensure_current(s, err, errlen) == -1)
		goto out;
	if (sqlite3_bind_text(s->select_range, 1, start, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s->select_range, 2, end, -1, SQLITE_STATIC) != SQLITE_OK) {
		store_fail(s, "reading history", err, errlen);
		sqlite3_clear_bindings(s->select_range);
		goto out;
	}
	rc = collect(s, s->select_range, each_one, &c, err, errlen);
out:
	if (rc == -1)
		name_store(err, errlen, s->path);
	return rc;
}
