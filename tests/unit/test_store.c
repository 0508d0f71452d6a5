/*
 * The SQLite store against real files in a temporary folder: creation of
 * missing folders, the schema version, exact decimal round trips, re-saving a
 * date, the newest snapshot, files it must refuse, and saves that fail half
 * way (the database must then be as it was), history by date and range,
 * batches saved twice, read-only stores, and one-shot writers beside a
 * daemon's store.  The file is inspected with a
 * second, plain SQLite connection, so the tests check what is on disk rather
 * than what the store says about itself.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "lockfile.h"
#include "rates.h"
#include "store.h"
#include "tmpdir.h"

#define AT_1 1763654700		/* 2025-11-20T16:05:00Z */
#define AT_2 1763658300		/* an hour later */
#define MAR_1 1709251200		/* 2024-03-01T00:00:00Z */
#define NOW 1795000000		/* 2026-11-18T11:06:40Z: the clock store_load_latest() is given */

struct fixture {
	char dir[64];
	char path[128];		/* dir/a/b/rates.db: two folders to create */
	char err[1024];
	char future[DT_DATE_LEN];	/* store_load_latest()'s day from the future */
	struct store *st;
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/a/b/rates.db", f.dir);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	f->st = NULL;
	return tmpdir_remove(f->dir);
}

/* A finished snapshot from "CODE", "rate", … NULL. */
static struct rates *
snap(const char *base, const char *date, int64_t at, const char *upstream, ...)
{
	char err[256];
	struct rates *r = rates_new(base, date, err, sizeof(err));
	const char *code;
	va_list ap;

	assert_non_null(r);
	va_start(ap, upstream);
	while ((code = va_arg(ap, const char *)) != NULL) {
		const char *text = va_arg(ap, const char *);
		struct dec v;

		assert_int_equal(dec_parse(text, strlen(text), &v), 0);
		assert_int_equal(rates_add(r, code, &v, err, sizeof(err)), RATES_ADDED);
	}
	va_end(ap);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(r, at, upstream), 0);
	return r;
}

static void
save(struct fixture *f, struct rates *r)
{
	if (store_save(f->st, r, f->err, sizeof(f->err)) != 0)
		fail_msg("store_save: %s", f->err);
	rates_free(r);
}

static struct rates *
load(struct fixture *f)
{
	struct rates *r = (struct rates *)1;

	if (store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)) != 0)
		fail_msg("store_load_latest: %s", f->err);
	assert_string_equal(f->future, "");
	return r;
}

/* The rate of code in r, as the text dec_format() gives. */
static const char *
rate_text(const struct rates *r, const char *code, char out[DEC_STRLEN])
{
	const struct rate_entry *e = rates_find(r, code);

	assert_non_null(e);
	dec_format(&e->rate, out, DEC_STRLEN);
	return out;
}

/* How often needle occurs in s. */
static int
occurrences(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* The error names the store at path first, and once: "store '<path>': <reason>". */
static void
assert_names_store_once(const char *err, const char *path)
{
	char want[256];

	snprintf(want, sizeof(want), "store '%s': ", path);
	if (strncmp(err, want, strlen(want)) != 0 || occurrences(err, "store '") != 1)
		fail_msg("'%s' does not name '%s' once, first", err, path);
}

/* A second connection to the same file, as another process would have. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_open_creates_folders(void **state)
{
	struct fixture *f = *state;
	char sub[160];
	struct stat sb;

	f->st = store_open(f->path, f->err, sizeof(f->err));
	if (f->st == NULL)
		fail_msg("store_open: %s", f->err);
	snprintf(sub, sizeof(sub), "%s/a", f->dir);
	assert_int_equal(stat(sub, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(sub, sizeof(sub), "%s/a/b", f->dir);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));

	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('sources',"
	    " 'observations', 'series', 'days')"), 4);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('snapshots', 'rates')"),
	    0);
	/* WAL is a property of the file, so a fresh connection sees it. */
	assert_int_equal(raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

	/* Opening again runs no migration and keeps the version. */
	store_close(f->st);
	f->st = store_open(f->path, f->err, sizeof(f->err));
	assert_non_null(f->st);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
}

static void
test_open_folder_blocked(void **state)
{
	struct fixture *f = *state;
	char file[160], path[200];
	FILE *fp;

	/* A plain file where a folder should be. */
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	assert_non_null(fp = fopen(file, "w"));
	fclose(fp);
	snprintf(path, sizeof(path), "%s/sub/rates.db", file);
	assert_null(store_open(path, f->err, sizeof(f->err)));
	assert_names_store_once(f->err, path);
	assert_non_null(strstr(f->err, "cannot create folder"));

	/* A folder where the file should be: SQLite's own message. */
	assert_null(store_open(f->dir, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, f->dir));
}

static void
test_empty_store(void **state)
{
	struct fixture *f = *state;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	assert_null(load(f));
}

static void
test_round_trip_exact(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;
	struct dec want;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "https://api.example/latest",
	    "USD", "1.0512", "GBP", "0.86080", "JPY", "163.36", "KWD", "0.000000000001", NULL));
	/* Across a reopen, so nothing comes from memory. */
	store_close(f->st);
	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));

	r = load(f);
	assert_non_null(r);
	assert_string_equal(rates_pivot(r)->code, "EUR");
	assert_string_equal(rates_date(r), "2025-11-20");
	assert_int_equal(rates_fetched_at(r), AT_1);
	assert_string_equal(rates_upstream(r), "https://api.example/latest");
	assert_int_equal(rates_count(r), 5);	/* the pivot is restored */
	assert_string_equal(rate_text(r, "EUR", text), "1");
	assert_string_equal(rate_text(r, "GBP", text), "0.86080");	/* trailing zero kept */
	assert_string_equal(rate_text(r, "USD", text), "1.0512");
	assert_string_equal(rate_text(r, "JPY", text), "163.36");
	assert_string_equal(rate_text(r, "KWD", text), "0.000000000001");
	assert_int_equal(dec_parse("0.86080", 7, &want), 0);
	assert_int_equal(dec_cmp(&rates_find(r, "GBP")->rate, &want), 0);
	rates_free(r);

	/* On disk: decimal text, and no row for the pivot. */
	assert_int_equal(raw_int(f->path, "SELECT rate = '0.86080' AND typeof(rate) = 'text' FROM observations"
	    " WHERE currency = 'GBP'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 4);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations WHERE currency = 'EUR'"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations o JOIN sources s ON s.id = o.source"
	    " WHERE o.date = '2025-11-20' AND o.base = 'EUR' AND o.fetched_at = 1763654700"
	    " AND s.upstream = 'https://api.example/latest'"), 4);
}

static void
test_non_eur_pivot(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("USD", "2025-11-20", AT_1, "file:///srv/usd.json", "EUR", "0.95129", "GBP", "0.79", NULL));
	r = load(f);
	assert_non_null(r);
	assert_string_equal(rates_pivot(r)->code, "USD");
	assert_string_equal(rate_text(r, "USD", text), "1");
	assert_string_equal(rate_text(r, "EUR", text), "0.95129");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations WHERE base = 'USD'"), 2);
	rates_free(r);
}

/* Saving a day again writes what changed and deletes nothing: the
 * currency the second save lacks stays, and the same rates again change
 * nothing but the source's confirmation. */
static void
test_resave_replaces(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "USD", "1.05", "GBP", "0.86", "JPY", "163", NULL));
	save(f, snap("EUR", "2025-11-20", AT_2, "http://first/", "USD", "1.06", "GBP", "0.87", NULL));
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 3);
	/* Changed the day it is of: what sources do, not a replaced day. */
	assert_int_equal(raw_int(f->path, "SELECT replaced FROM days"), 0);
	save(f, snap("EUR", "2025-11-20", AT_2 + 60, "http://first/", "USD", "1.06", "GBP", "0.87", NULL));

	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 3);
	assert_int_equal(raw_int(f->path, "SELECT changed_at FROM days"), AT_2);
	r = load(f);
	assert_int_equal(rates_fetched_at(r), AT_2 + 60);	/* confirmed */
	assert_string_equal(rates_upstream(r), "http://first/");
	assert_string_equal(rate_text(r, "USD", text), "1.06");
	assert_string_equal(rate_text(r, "JPY", text), "163");	/* kept */
	rates_free(r);
}

/* The latest rates: each source's newest day, merged; with one source, its
 * newest date, whatever the order of the fetches. */
static void
test_latest_by_date(void **state)
{
	struct fixture *f = *state;
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-21", AT_1, "http://a/", "USD", "1.01", NULL));
	/* Fetched later but dated earlier (an upstream lagging behind). */
	save(f, snap("EUR", "2025-11-19", AT_2, "http://a/", "USD", "1.02", NULL));
	save(f, snap("EUR", "2024-12-31", AT_2 + 1, "http://a/", "USD", "1.03", NULL));

	r = load(f);
	assert_non_null(r);
	assert_string_equal(rates_date(r), "2025-11-21");
	assert_string_equal(rates_upstream(r), "http://a/");
	assert_int_equal(rates_fetched_at(r), AT_2 + 1);	/* its last confirmation */
	rates_free(r);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 3);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 3);
}

/* A day saved under a clock that ran ahead is never the newest: a date not
 * yet published at now, or a fetch time after now. */
static void
test_latest_not_from_the_future(void **state)
{
	struct fixture *f = *state;
	struct rates *r = NULL;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://a/", "USD", "1.01", NULL));
	save(f, snap("EUR", "2025-11-21", NOW + 3600, "http://b/", "USD", "1.02", NULL));
	save(f, snap("EUR", "2027-05-31", NOW + 86400 * 200, "http://c/", "USD", "1.03", NULL));
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_non_null(r);
	assert_string_equal(rates_date(r), "2025-11-20");
	assert_string_equal(f->future, "2027-05-31");
	rates_free(r);
	/* Tomorrow's date may already be published east of UTC; the day after not. */
	save(f, snap("EUR", "2026-11-19", NOW, "http://d/", "USD", "1.04", NULL));
	save(f, snap("EUR", "2026-11-20", NOW, "http://d/", "USD", "1.05", NULL));
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_date(r), "2026-11-19");
	assert_string_equal(f->future, "2027-05-31");
	rates_free(r);
	/* With the clock past them, every day counts again. */
	assert_int_equal(store_load_latest(f->st, NOW + 86400 * 365, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_date(r), "2027-05-31");
	assert_string_equal(f->future, "");
	rates_free(r);
	/* Only days from the future: nothing to serve. */
	r = (struct rates *)1;
	assert_int_equal(store_load_latest(f->st, AT_1 - 86400 * 30, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_null(r);
	assert_string_equal(f->future, "2027-05-31");
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	char want[256];
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	store_close(f->st);
	f->st = NULL;
	db = raw_open(f->path);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);

	assert_null(store_open(f->path, f->err, sizeof(f->err)));
	snprintf(want, sizeof(want), "store '%s': schema version 99 is newer than this cconvd understands (3)",
	    f->path);
	assert_string_equal(f->err, want);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 99);	/* untouched */
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/junk.db", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database\n", fp);
	fclose(fp);

	assert_null(store_open(path, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "store '"));
	assert_non_null(strstr(f->err, path));
	assert_non_null(strstr(f->err, "not a database"));
}

static void
test_bad_rows_refused(void **state)
{
	struct fixture *f = *state;
	struct rates *r = (struct rates *)1;
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://a/", "USD", "1.05", "GBP", "0.86", NULL));

	db = raw_open(f->path);
	raw_exec(db, "UPDATE observations SET rate = '1e3' WHERE currency = 'USD'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_null(r);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "2025-11-20"));
	assert_non_null(strstr(f->err, "'USD'"));
	assert_non_null(strstr(f->err, "'1e3'"));

	/* rates_add()'s reason leaves the currency to the store, which names it once. */
	raw_exec(db, "UPDATE observations SET rate = '0' WHERE currency = 'USD'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_names_store_once(f->err, f->path);
	assert_int_equal(occurrences(f->err, "2025-11-20"), 1);
	assert_int_equal(occurrences(f->err, "USD"), 1);

	raw_exec(db, "UPDATE observations SET rate = '1.05', currency = 'usd' WHERE currency = 'USD'");
	assert_int_equal(store_load_on(f->st, "2025-11-20", &r, NULL, f->err, sizeof(f->err)), -1);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "'usd'"));

	raw_exec(db, "UPDATE observations SET base = 'XYZ'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "2025-11-20"));
	assert_non_null(strstr(f->err, "XYZ"));
	sqlite3_close(db);
}

/* A failure after the snapshot row was rewritten and the old rates deleted:
 * a trigger stands in for a full disk on the last insert. */
static void
test_failed_save_rolls_back(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "GBP", "0.86", "USD", "1.05", NULL));

	db = raw_open(f->path);
	raw_exec(db, "CREATE TRIGGER fail_usd BEFORE INSERT ON observations WHEN NEW.currency = 'USD'"
	    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
	r = snap("EUR", "2025-11-20", AT_2, "http://first/", "GBP", "0.99", "USD", "1.99", NULL);
	assert_int_equal(store_save(f->st, r, f->err, sizeof(f->err)), -1);
	rates_free(r);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "injected failure (while inserting rates)"));

	r = load(f);
	assert_int_equal(rates_fetched_at(r), AT_1);
	assert_string_equal(rates_upstream(r), "http://first/");
	assert_string_equal(rate_text(r, "GBP", text), "0.86");
	assert_string_equal(rate_text(r, "USD", text), "1.05");
	rates_free(r);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 2);
	assert_int_equal(raw_int(f->path, "SELECT replaced FROM days"), 0);

	/* The store stays usable once the cause is gone. */
	raw_exec(db, "DROP TRIGGER fail_usd");
	sqlite3_close(db);
	save(f, snap("EUR", "2025-11-20", AT_2, "http://first/", "GBP", "0.99", "USD", "1.99", NULL));
	r = load(f);
	assert_string_equal(rate_text(r, "USD", text), "1.99");
	rates_free(r);
}

/* Another process holds the write lock past the busy timeout. */
static void
test_locked_save_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	struct rates *r;
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "USD", "1.05", NULL));

	db = raw_open(f->path);
	raw_exec(db, "BEGIN IMMEDIATE");
	r = snap("EUR", "2025-11-21", AT_2, "http://second/", "USD", "1.99", NULL);
	assert_int_equal(store_save(f->st, r, f->err, sizeof(f->err)), -1);
	rates_free(r);
	assert_non_null(strstr(f->err, "database is locked"));
	assert_non_null(strstr(f->err, "another process held the write lock for more than 5 s"));
	assert_names_store_once(f->err, f->path);
	raw_exec(db, "ROLLBACK");
	sqlite3_close(db);

	r = load(f);
	assert_string_equal(rates_date(r), "2025-11-20");
	rates_free(r);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 1);
}

/* Three days of history: nearest earlier date, ranges, and the edges. */
static void
history_fixture(struct fixture *f)
{
	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2024-01-02", AT_1, "http://a/", "USD", "1.0956", "GBP", "0.86518", NULL));
	save(f, snap("EUR", "2024-01-03", AT_1, "http://a/", "USD", "1.0919", "GBP", "0.86235", NULL));
	/* 2024-01-04..07 missing: a holiday and a weekend */
	save(f, snap("EUR", "2024-01-08", AT_1, "http://a/", "USD", "1.0946", "JPY", "157.87", NULL));
}

static const char *
on(struct fixture *f, const char *date)
{
	static char got[DT_DATE_LEN];
	struct rates *r = (struct rates *)1;

	if (store_load_on(f->st, date, &r, NULL, f->err, sizeof(f->err)) != 0)
		fail_msg("store_load_on: %s", f->err);
	if (r == NULL)
		return "none";
	snprintf(got, sizeof(got), "%s", rates_date(r));
	rates_free(r);
	return got;
}

static void
test_load_on_nearest_earlier(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;

	history_fixture(f);
	assert_string_equal(on(f, "2024-01-02"), "2024-01-02");
	assert_string_equal(on(f, "2024-01-03"), "2024-01-03");
	assert_string_equal(on(f, "2024-01-05"), "2024-01-03");
	assert_string_equal(on(f, "2024-01-07"), "2024-01-03");
	assert_string_equal(on(f, "2024-01-08"), "2024-01-08");
	/* Carried forward 14 days, not 15. */
	assert_string_equal(on(f, "2024-01-22"), "2024-01-08");
	assert_string_equal(on(f, "2024-01-23"), "none");
	assert_string_equal(on(f, "2099-12-31"), "none");
	assert_string_equal(on(f, "2024-01-01"), "none");
	assert_string_equal(on(f, "1999-01-04"), "none");

	/* The rates are that day's, exactly, not the latest's. */
	assert_int_equal(store_load_on(f->st, "2024-01-06", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "GBP", text), "0.86235");
	assert_string_equal(rate_text(r, "USD", text), "1.0919");
	assert_null(rates_find(r, "JPY"));
	assert_int_equal(rates_count(r), 3);
	rates_free(r);
}

struct seen {
	char dates[8][DT_DATE_LEN];
	size_t counts[8];
	size_t n;
	size_t stop_after;	/* 0: never stop */
};

static int
record(void *arg, const struct rates *r)
{
	struct seen *s = arg;

	assert_true(s->n < 8);
	snprintf(s->dates[s->n], DT_DATE_LEN, "%s", rates_date(r));
	s->counts[s->n] = rates_count(r);
	s->n++;
	return s->stop_after != 0 && s->n == s->stop_after ? 7 : 0;
}

/* Keeps a copy of the first snapshot and stops. */
static int
keep_first(void *arg, const struct rates *r)
{
	*(struct rates **)arg = rates_reconfirmed(r, rates_fetched_at(r));
	return 1;
}

static void
test_each_in_range(void **state)
{
	struct fixture *f = *state;
	struct seen s;

	history_fixture(f);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each(f->st, "2024-01-01", "2024-01-31", record, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.dates[0], "2024-01-02");
	assert_string_equal(s.dates[1], "2024-01-03");
	assert_string_equal(s.dates[2], "2024-01-08");
	assert_int_equal(s.counts[0], 3);
	assert_int_equal(s.counts[2], 4);	/* GBP of 01-03 carried forward */

	/* Inclusive at both ends. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each(f->st, "2024-01-03", "2024-01-08", record, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.dates[0], "2024-01-03");

	/* Nothing in range is not an error. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each(f->st, "2024-01-04", "2024-01-07", record, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.n, 0);

	/* fn stops the walk, and its value comes back. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_each(f->st, "2024-01-01", "2024-12-31", record, &s, f->err, sizeof(f->err)), 7);
	assert_int_equal(s.n, 1);
}

#define ECB_DAILY "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
#define ECB_IMPORT "import file:///x/eurofxref-hist.csv"
#define FRANKFURTER "https://api.frankfurter.dev/v2/rates?base=EUR"

/* One provider's own days: newest first, nothing carried forward, no other
 * provider's rate, a currency two of its sources give taken by rank. */
static void
test_each_provider_own_days(void **state)
{
	static const char *const order[] = { ECB_DAILY, FRANKFURTER };
	struct fixture *f = *state;
	struct seen s;
	struct rates *r;
	char text[DEC_STRLEN];

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	assert_int_equal(store_set_order(f->st, order, 2, f->err, sizeof(f->err)), 0);
	save(f, snap("EUR", "2024-01-02", AT_1, ECB_DAILY, "USD", "1.0956", "GBP", "0.86518", NULL));
	save(f, snap("EUR", "2024-01-03", AT_1, FRANKFURTER, "USD", "1.0919", "JPY", "157.1", NULL));
	save(f, snap("EUR", "2024-01-08", AT_1, ECB_DAILY, "USD", "1.0946", NULL));
	save(f, snap("EUR", "2024-01-08", AT_1, FRANKFURTER, "JPY", "157.87", NULL));
	save(f, snap("EUR", "2024-01-08", AT_2, ECB_IMPORT, "USD", "1.0999", "GBP", "0.86100", NULL));
	save(f, snap("USD", "2024-01-09", AT_2, ECB_IMPORT, "GBP", "0.79", NULL));

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each_provider(f->st, "ECB", "EUR", "0000-01-01", "2024-12-31", record, &s, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(s.n, 2);	/* not 01-03 (Frankfurter's), not 01-09 (in dollars) */
	assert_string_equal(s.dates[0], "2024-01-08");
	assert_string_equal(s.dates[1], "2024-01-02");
	assert_int_equal(s.counts[0], 3);	/* EUR, GBP, USD: no JPY, nothing of 01-02 */
	assert_int_equal(s.counts[1], 3);

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each_provider(f->st, "FRANKFURTER", "EUR", "2024-01-03", "2024-01-08", record, &s,
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.dates[0], "2024-01-08");
	assert_int_equal(s.counts[0], 2);	/* EUR, JPY */

	/* Inclusive at both ends, and fn's value stops the walk. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(store_each_provider(f->st, "ECB", "EUR", "2024-01-02", "2024-01-08", record, &s, f->err,
	    sizeof(f->err)), 7);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.dates[0], "2024-01-08");
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_each_provider(f->st, "ECB", "EUR", "2024-01-03", "2024-01-07", record, &s, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(store_each_provider(f->st, "NOBODY", "EUR", "0000-01-01", "2024-12-31", record, &s, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(s.n, 0);

	/* The day's rates: the daily feed's USD (it ranks first), the import's GBP digit for digit,
	 * each source at its last confirmation. */
	r = NULL;
	assert_int_equal(store_each_provider(f->st, "ECB", "EUR", "2024-01-08", "2024-01-08", keep_first, &r, f->err,
	    sizeof(f->err)), 1);
	assert_non_null(r);
	assert_string_equal(rate_text(r, "USD", text), "1.0946");
	assert_string_equal(rate_text(r, "GBP", text), "0.86100");
	assert_int_equal(rates_fetched_at(r), AT_2);
	rates_free(r);
}

static struct rates **
batch(size_t n)
{
	struct rates **v = calloc(n, sizeof(*v));
	char date[32], usd[32];	/* wider than the text: -O0 cannot bound the %zu */

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		snprintf(date, sizeof(date), "2020-%02zu-%02zu", 1 + i / 28, 1 + i % 28);
		snprintf(usd, sizeof(usd), "1.%04zu", 1000 + i);
		v[i] = snap("EUR", date, AT_1, "file:///hist.csv", "USD", usd, "GBP", "0.9", NULL);
	}
	return v;
}

static void
free_batch(struct rates **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rates_free(v[i]);
	free(v);
}

static void
test_save_many_idempotent(void **state)
{
	struct fixture *f = *state;
	struct store_counts c;
	struct rates **v = batch(60), *r;
	char text[DEC_STRLEN];

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	if (store_save_many(f->st, v, 60, &c, f->err, sizeof(f->err)) != 0)
		fail_msg("store_save_many: %s", f->err);
	assert_int_equal(c.added, 60);
	assert_int_equal(c.replaced + c.unchanged, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 60);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 120);
	int64_t sum = raw_int(f->path, "SELECT sum(length(rate) + fetched_at) FROM observations");

	/* Again, with a later fetch time and from a mirror: nothing moves, not
	 * even fetched_at, and the mirror is no source of anything. */
	for (size_t i = 0; i < 60; i++)
		assert_int_equal(rates_set_origin(v[i], AT_2, "http://elsewhere/"), 0);
	assert_int_equal(store_save_many(f->st, v, 60, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.unchanged, 60);
	assert_int_equal(c.added + c.replaced, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 120);
	assert_int_equal(raw_int(f->path, "SELECT sum(length(rate) + fetched_at) FROM observations"), sum);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sources"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days WHERE replaced OR changed_at != first_at"), 0);
	free_batch(v, 60);

	/* Same values written differently (1.90 vs 1.9) are the same rates
	 * (unchanged); one changed rate, a new pivot, or one more currency is
	 * written (replaced); a day given with a currency fewer keeps it
	 * (kept), and so does one whose other currencies change: nothing is
	 * deleted. */
	v = calloc(6, sizeof(*v));
	assert_non_null(v);
	v[0] = snap("EUR", "2020-01-01", AT_2, "x", "USD", "1.10000", "GBP", "0.90", NULL);
	v[1] = snap("EUR", "2020-01-02", AT_2, "x", "USD", "1.2", "GBP", "0.9", NULL);
	v[2] = snap("EUR", "2020-01-03", AT_2, "x", "USD", "1.1002", NULL);
	v[3] = snap("USD", "2020-01-04", AT_2, "x", "EUR", "0.9", "GBP", "0.9", NULL);
	v[4] = snap("EUR", "2020-01-05", AT_2, "x", "USD", "1.1004", "GBP", "0.9", "JPY", "160", NULL);
	v[5] = snap("EUR", "2020-01-06", AT_2, "x", "GBP", "0.8", NULL);
	assert_int_equal(store_save_many(f->st, v, 6, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.unchanged, 1);
	assert_int_equal(c.replaced, 4);
	assert_int_equal(c.kept, 1);
	assert_int_equal(c.added, 0);
	free_batch(v, 6);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 125);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days WHERE replaced"), 4);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days WHERE changed_at = 1763658300"), 4);
	/* The load confirmed last ranks first (no order set). */
	assert_int_equal(store_load_on(f->st, "2020-01-02", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "USD", text), "1.2");
	assert_string_equal(rate_text(r, "GBP", text), "0.9");
	assert_int_equal(rates_fetched_at(r), AT_2);
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(rates_fetched_at(r), AT_1);	/* unchanged: the old origin stays */
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-06", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "GBP", text), "0.8");
	/* The first source's USD within the window, not the day's own. */
	assert_string_equal(rate_text(r, "USD", text), "1.2");
	assert_string_equal(rates_find(r, "USD")->date, "2020-01-02");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations WHERE date = '2020-01-06'"), 3);
	assert_string_equal(rates_pivot(r)->code, "EUR");
	rates_free(r);
}

/* A failure on the last snapshot of a batch leaves none of it. */
static void
test_save_many_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct rates **v = batch(30);
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2019-12-31", AT_1, "http://a/", "USD", "1.12", NULL));
	db = raw_open(f->path);
	raw_exec(db, "CREATE TRIGGER fail_last BEFORE INSERT ON observations WHEN NEW.date = '2020-02-02'"
	    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
	assert_int_equal(store_save_many(f->st, v, 30, NULL, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "injected failure"));
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 1);
	raw_exec(db, "DROP TRIGGER fail_last");
	sqlite3_close(db);
	assert_int_equal(store_save_many(f->st, v, 30, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 31);
	free_batch(v, 30);
}

/* The bulk sink: the transaction begins with the first snapshot, each is
 * stamped with the load's origin, STORE_KEEP_STORED keeps a stored date whatever
 * its rates, and ending with commit 0 leaves nothing. */
static void
test_bulk_sink(void **state)
{
	struct fixture *f = *state;
	struct rates *r;
	char text[DEC_STRLEN];

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2020-01-01", AT_1, "http://a/", "USD", "1.12", NULL));

	struct store_bulk b = { .st = f->st, .flags = STORE_KEEP_STORED, .fetched_at = AT_2, .origin = "feed" };
	assert_int_equal(store_bulk_end(&b, 1, f->err, sizeof(f->err)), 0);	/* nothing begun: nothing to do */
	r = snap("EUR", "2020-01-01", AT_2, "x", "USD", "9.99", NULL);
	assert_int_equal(store_bulk_day(&b, &r, f->err, sizeof(f->err)), 0);
	rates_free(r);
	r = snap("EUR", "2020-01-02", AT_2, "x", "USD", "1.13", NULL);
	assert_int_equal(store_bulk_day(&b, &r, f->err, sizeof(f->err)), 0);
	rates_free(r);
	assert_int_equal(b.begun, 1);
	assert_int_equal(store_bulk_end(&b, 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(b.counts.added, 1);
	assert_int_equal(b.counts.unchanged, 1);
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "USD", text), "1.12");
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-02", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_upstream(r), "feed");
	rates_free(r);

	/* Without the flag a stored date is replaced; rolled back, nothing is. */
	struct store_bulk undo = { .st = f->st };
	r = snap("EUR", "2020-01-01", AT_2, "x", "USD", "9.99", NULL);
	assert_int_equal(store_bulk_day(&undo, &r, f->err, sizeof(f->err)), 0);
	rates_free(r);
	r = snap("EUR", "2020-01-03", AT_2, "x", "USD", "1.14", NULL);
	assert_int_equal(store_bulk_day(&undo, &r, f->err, sizeof(f->err)), 0);
	rates_free(r);
	assert_int_equal(undo.counts.replaced, 1);
	assert_int_equal(store_bulk_end(&undo, 0, f->err, sizeof(f->err)), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 2);
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "USD", text), "1.12");
	rates_free(r);
}

static void
test_readonly(void **state)
{
	struct fixture *f = *state;
	struct store *ro;
	struct rates *r, **v = batch(2);
	sqlite3 *db;

	history_fixture(f);
	assert_non_null(ro = store_open_readonly(f->path, f->err, sizeof(f->err)));
	assert_string_equal(on(f, "2024-01-05"), "2024-01-03");
	assert_int_equal(store_load_on(ro, "2024-01-05", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_date(r), "2024-01-03");
	rates_free(r);
	assert_int_equal(store_save(ro, v[0], f->err, sizeof(f->err)), -1);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "read-only"));
	assert_int_equal(store_save_many(ro, v, 2, NULL, f->err, sizeof(f->err)), -1);

	/* A reader is not blocked by a writer holding the write lock, and sees
	 * the last commit. */
	db = raw_open(f->path);
	raw_exec(db, "BEGIN IMMEDIATE");
	raw_exec(db, "DELETE FROM observations");
	assert_int_equal(store_load_on(ro, "2024-01-09", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_date(r), "2024-01-08");
	rates_free(r);
	raw_exec(db, "ROLLBACK");
	sqlite3_close(db);
	store_close(ro);
	free_batch(v, 2);

	/* A file at another schema version is refused, not migrated. */
	db = raw_open(f->path);
	raw_exec(db, "PRAGMA user_version = 0");
	sqlite3_close(db);
	assert_null(store_open_readonly(f->path, f->err, sizeof(f->err)));
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "schema version 0"));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);
}

/*
 * The store's reads are index searches, never a scan of the history: the
 * range in date order (no sorting), the newest observation of each series
 * (series is the list of them, read whole: one row per source and
 * currency), the days of a window and the days from the future.
 */
static void
test_history_queries_use_indexes(void **state)
{
	struct fixture *f = *state;
	static const char *const queries[] = {
		"SELECT o.source, o.rate FROM observations o WHERE o.date BETWEEN '2024-01-01' AND '2024-02-01'"
		" ORDER BY o.date",
		"SELECT o.source, o.rate FROM series x CROSS JOIN observations o"
		" ON o.source = x.source AND o.currency = x.currency AND o.date ="
		" (SELECT date FROM observations WHERE source = x.source AND currency = x.currency"
		" AND date <= '2024-01-05' AND fetched_at <= 5 ORDER BY date DESC LIMIT 1)",
		"SELECT max(coalesce((SELECT max(date) FROM days WHERE date > '2024-01-05'), ''),"
		" coalesce((SELECT max(date) FROM days WHERE changed_at > 5), ''))",
		"SELECT max(replaced), max(changed_at) FROM days WHERE date BETWEEN '2024-01-01' AND '2024-01-05'",
		"SELECT base, rate FROM observations WHERE date = '2024-01-05' AND currency = 'USD'",
	};
	char sql[1024];
	sqlite3 *db;

	history_fixture(f);
	db = raw_open(f->path);
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		sqlite3_stmt *st = NULL;
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", queries[q]);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			if ((strncmp(detail, "SCAN ", 5) == 0 && strcmp(detail, "SCAN x") != 0 &&
			    strcmp(detail, "SCAN CONSTANT ROW") != 0) ||
			    strstr(detail, "TEMP B-TREE") != NULL)
				fail_msg("query %zu: %s", q, detail);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* A second store on the same path is refused while the first is open, and
 * allowed once it is closed. */
static void
test_second_open_refused(void **state)
{
	struct fixture *f = *state;
	struct store *other;
	char pid[32];

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	assert_null(other = store_open(f->path, f->err, sizeof(f->err)));
	snprintf(pid, sizeof(pid), "(pid %ld holds", (long)getpid());
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "in use by another cconvd"));
	assert_non_null(strstr(f->err, pid));
	store_close(f->st);
	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
}

/*
 * A one-shot writer (--import) runs beside the daemon's store: it takes no
 * lock, its transaction is seen by the daemon's next read, it finds the
 * daemon's pid, and a second daemon is still refused while it is open.
 */
static void
test_oneshot_beside_daemon(void **state)
{
	struct fixture *f = *state;
	struct rates *v[2], *r;
	struct store *one, *other;
	struct store_counts c;
	long pid = -1;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "USD", "1.05", NULL));
	if ((one = store_open_oneshot(f->path, f->err, sizeof(f->err))) == NULL)
		fail_msg("store_open_oneshot beside a daemon: %s", f->err);
	v[0] = snap("EUR", "2025-11-19", AT_2, "import file:///x.csv", "USD", "1.04", NULL);
	v[1] = snap("EUR", "2025-11-21", AT_2, "import file:///x.csv", "USD", "1.06", NULL);
	assert_int_equal(store_save_many(one, v, 2, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.added, 2);
	rates_free(v[0]);
	rates_free(v[1]);
	r = load(f);	/* through the daemon's own connection */
	assert_string_equal(rates_date(r), "2025-11-21");
	assert_string_equal(rates_upstream(r), "import file:///x.csv");
	assert_int_equal(rates_fetched_at(r), AT_2);
	rates_free(r);
	/* And the daemon's writes still work with the one-shot open. */
	save(f, snap("EUR", "2025-11-24", AT_2, "http://first/", "USD", "1.07", NULL));

	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_HELD);
	assert_int_equal(pid, (long)getpid());
	assert_null(other = store_open(f->path, f->err, sizeof(f->err)));
	assert_non_null(strstr(f->err, "in use by another cconvd"));
	assert_non_null(strstr(f->err, "give each daemon its own --db"));

	/* The daemon gone, the one-shot does not stand in the next one's way. */
	store_close(f->st);
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_FREE);
	assert_int_equal(pid, 0);
	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	store_close(one);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 4);
}

/* Where no daemon ever ran there is no lock file, and neither the probe nor a
 * one-shot writer creates one (run as root, it would lock the daemon out). */
static void
test_oneshot_makes_no_lock_file(void **state)
{
	struct fixture *f = *state;
	struct store *one;
	char lock[160];
	struct stat sb;
	long pid = -1;

	snprintf(lock, sizeof(lock), "%s.lock", f->path);
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_FREE);
	assert_int_equal(pid, 0);
	if ((one = store_open_oneshot(f->path, f->err, sizeof(f->err))) == NULL)
		fail_msg("store_open_oneshot on a new file: %s", f->err);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);	/* created and migrated */
	assert_int_equal(lockfile_holder(f->path, &pid, f->err, sizeof(f->err)), LOCKFILE_FREE);
	assert_int_equal(pid, 0);
	store_close(one);
	assert_int_equal(stat(lock, &sb), -1);
}

/*
 * A one-shot writer does not upgrade the schema under a running daemon (an
 * older cconvd): it says what to do instead, and leaves the file as it was.
 * The daemon is played by this process holding the lock file.
 */
static void
test_oneshot_no_upgrade_beside_daemon(void **state)
{
	struct fixture *f = *state;
	char lock[160], pid[32];
	struct store *one;
	int fd;

	/* The folders first, then an empty file in the database's place: version 0. */
	assert_non_null(one = store_open_oneshot(f->path, f->err, sizeof(f->err)));
	store_close(one);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(close(open(f->path, O_WRONLY | O_CREAT, 0600)), 0);
	snprintf(lock, sizeof(lock), "%s.lock", f->path);
	assert_true((fd = open(lock, O_RDWR | O_CREAT, 0600)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	assert_int_equal(write(fd, pid, strlen(pid)), (ssize_t)strlen(pid));

	assert_null(one = store_open_oneshot(f->path, f->err, sizeof(f->err)));
	snprintf(pid, sizeof(pid), "(pid %ld)", (long)getpid());
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "schema version 0 needs upgrading to 3"));
	assert_non_null(strstr(f->err, pid));
	assert_non_null(strstr(f->err, "restart that cconvd with this version"));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);

	assert_int_equal(close(fd), 0);	/* the daemon stopped: now it may */
	assert_non_null(one = store_open_oneshot(f->path, f->err, sizeof(f->err)));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
	store_close(one);
}

/* The file deleted under an open store: the next save creates it again and
 * lands there, not in the unlinked inode. */
static void
test_deleted_file_is_recreated(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;

	struct store *reader;
	sqlite3 *db;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "USD", "1.05", NULL));
	/* A reader keeps the old -wal and -shm open, as request threads do. */
	assert_non_null(reader = store_open_readonly(f->path, f->err, sizeof(f->err)));
	r = (struct rates *)1;
	assert_int_equal(store_load_latest(reader, NOW, &r, f->future, f->err, sizeof(f->err)), 0);
	rates_free(r);
	/* And another in the middle of a read, so that closing the writer can
	 * neither checkpoint nor remove the -wal. */
	db = raw_open(f->path);
	raw_exec(db, "BEGIN; SELECT count(*) FROM observations");
	/* As "rm rates.db" would: the -wal and -shm beside it stay behind, and
	 * must not be replayed into the new file. */
	assert_int_equal(unlink(f->path), 0);
	save(f, snap("EUR", "2025-11-21", AT_2, "http://second/", "USD", "1.07", NULL));
	raw_exec(db, "COMMIT");
	sqlite3_close(db);
	assert_int_equal(raw_int(f->path,
	    "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), 1);
	r = load(f);
	assert_string_equal(rates_date(r), "2025-11-21");
	assert_string_equal(rate_text(r, "USD", text), "1.07");
	rates_free(r);
	/* The reader still reads the old file, whole. */
	r = (struct rates *)1;
	assert_int_equal(store_load_latest(reader, NOW, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_non_null(r);
	assert_string_equal(rates_date(r), "2025-11-20");
	rates_free(r);
	store_close(reader);
}

/* A copy of tests/data/name at path. */
static void
copy_fixture(const char *name, const char *path)
{
	const char *dir = getenv("CCONV_TEST_DATA");
	char src[512], buf[8192];
	size_t n;
	FILE *in, *out;

	if (dir == NULL)
		fail_msg("CCONV_TEST_DATA is not set (tests/CMakeLists.txt sets it)");
	snprintf(src, sizeof(src), "%s/%s", dir, name);
	if ((in = fopen(src, "rb")) == NULL)
		fail_msg("%s: cannot open", src);
	assert_non_null(out = fopen(path, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* One stored rate of the old schema. */
struct old_rate {
	char date[DT_DATE_LEN], code[4], rate[48], upstream[128];
	int64_t fetched_at;
};

/*
 * A database written by the release before observations (schema 2:
 * tests/data/README.md says how) upgrades in place: every stored day then
 * answers every rate it had with the same digits, dated that day and from
 * that day's upstream, and nothing of the old tables is left.
 */
static void
test_migrates_release_file(void **state)
{
	struct fixture *f = *state;
	struct old_rate *old = calloc(512, sizeof(*old));
	size_t n = 0, checked = 0;
	sqlite3 *db;
	sqlite3_stmt *st;
	struct rates *r;
	char text[DEC_STRLEN];

	assert_non_null(old);
	assert_non_null(f->st = store_open_oneshot(f->path, f->err, sizeof(f->err)));	/* the folders */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(unlink(f->path), 0);
	copy_fixture("store-v2.db", f->path);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);
	db = raw_open(f->path);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT r.date, r.currency, r.rate, s.upstream, s.fetched_at"
	    " FROM rates r JOIN snapshots s USING(date) ORDER BY r.date, r.currency", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(n < 512);
		snprintf(old[n].date, sizeof(old[n].date), "%s", sqlite3_column_text(st, 0));
		snprintf(old[n].code, sizeof(old[n].code), "%s", sqlite3_column_text(st, 1));
		snprintf(old[n].rate, sizeof(old[n].rate), "%s", sqlite3_column_text(st, 2));
		snprintf(old[n].upstream, sizeof(old[n].upstream), "%s", sqlite3_column_text(st, 3));
		old[n].fetched_at = sqlite3_column_int64(st, 4);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(n, 196);	/* 2 x 28 + 4 x 34 + 4: tests/data/README.md */

	if ((f->st = store_open(f->path, f->err, sizeof(f->err))) == NULL)
		fail_msg("store_open of the release's file: %s", f->err);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 3);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('snapshots', 'rates')"),
	    0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM observations"), (int64_t)n);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM days WHERE NOT replaced AND first_at = changed_at"),
	    7);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sources"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
	    1);
	for (size_t i = 0; i < n; i++) {
		const struct rate_entry *e;
		struct store_day day;

		if (i == 0 || strcmp(old[i].date, old[i - 1].date) != 0) {
			if (i > 0)
				rates_free(r);
			assert_int_equal(store_load_on(f->st, old[i].date, &r, &day, f->err, sizeof(f->err)), 0);
			assert_non_null(r);
			assert_string_equal(rates_date(r), old[i].date);
			assert_true(day.stored);
			assert_false(day.replaced);
		}
		if ((e = rates_find(r, old[i].code)) == NULL)
			fail_msg("%s: %s lost in the upgrade", old[i].date, old[i].code);
		dec_format(&e->rate, text, sizeof(text));
		if (strcmp(text, old[i].rate) != 0)
			fail_msg("%s %s: '%s' became '%s'", old[i].date, old[i].code, old[i].rate, text);
		assert_string_equal(e->date, old[i].date);
		assert_string_equal(rates_source(r, e->src)->upstream, old[i].upstream);
		assert_int_equal(rates_source(r, e->src)->fetched_at, old[i].fetched_at);
		checked++;
	}
	rates_free(r);
	assert_int_equal(checked, n);

	/* The last CYP rate (2007-12-31) is carried 14 days, not to 2010. */
	assert_int_equal(store_load_on(f->st, "2008-01-04", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_string_equal(rates_find(r, "CYP")->date, "2007-12-31");
	assert_string_equal(rate_text(r, "CYP", text), "0.585274");
	assert_string_equal(rate_text(r, "USD", text), "1.4757");	/* the refresher's day */
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2010-01-04", &r, NULL, f->err, sizeof(f->err)), 0);
	assert_null(r);
	/* The latest rates: the refresher's day, the rest from the import's newest. */
	assert_int_equal(store_load_latest(f->st, 1800000000, &r, f->future, f->err, sizeof(f->err)), 0);
	assert_string_equal(f->future, "");
	assert_string_equal(rates_date(r), "2008-01-04");
	assert_string_equal(rate_text(r, "GBP", text), "0.74695");
	assert_string_equal(rates_source(r, rates_find(r, "GBP")->src)->upstream, "file:///tmp/fx/latest.json");
	assert_string_equal(rates_find(r, "SEK")->date, "2008-01-03");
	rates_free(r);
	free(old);
}

/* Save one day from upstream: "CODE", "rate", … NULL. */
#define DAY(f, date, at, up, ...) save(f, snap("EUR", date, at, up, __VA_ARGS__, NULL))

/* The view of date's rate for code ("-" when absent), with its date and
 * upstream: "1.05 2024-01-01 http://a/". */
static const char *
seen_as(struct fixture *f, const char *date, const char *code)
{
	static char out[256];
	char text[DEC_STRLEN];
	const struct rate_entry *e;
	struct rates *r;

	if (store_load_on(f->st, date, &r, NULL, f->err, sizeof(f->err)) != 0)
		fail_msg("store_load_on: %s", f->err);
	if (r == NULL || (e = rates_find(r, code)) == NULL)
		snprintf(out, sizeof(out), "-");
	else {
		dec_format(&e->rate, text, sizeof(text));
		snprintf(out, sizeof(out), "%s %s %s", text, e->date, rates_source(r, e->src)->upstream);
	}
	rates_free(r);
	return out;
}

/* A currency's observation stands for the 14 days after it, not the 15th;
 * within them it keeps its own date. */
static void
test_carry_forward_window_edges(void **state)
{
	struct fixture *f = *state;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	DAY(f, "2024-01-01", AT_1, "http://a/", "USD", "1.1", "GBP", "0.86");
	DAY(f, "2024-01-04", AT_1, "http://a/", "GBP", "0.87");
	assert_string_equal(seen_as(f, "2024-01-04", "USD"), "1.1 2024-01-01 http://a/");
	assert_string_equal(seen_as(f, "2024-01-04", "GBP"), "0.87 2024-01-04 http://a/");
	assert_string_equal(seen_as(f, "2024-01-15", "USD"), "1.1 2024-01-01 http://a/");
	assert_string_equal(seen_as(f, "2024-01-16", "USD"), "-");
	assert_string_equal(seen_as(f, "2024-01-18", "GBP"), "0.87 2024-01-04 http://a/");
	assert_string_equal(seen_as(f, "2024-01-19", "GBP"), "-");
	assert_string_equal(seen_as(f, "2023-12-31", "USD"), "-");
	/* The latest rates never drop a currency in use for age; a withdrawn
	 * one leaves them with the window (merge.h). */
	DAY(f, "2024-01-02", AT_1, "http://a/", "CYP", "0.58");
	DAY(f, "2024-02-01", AT_1, "http://a/", "GBP", "0.88");
	struct rates *r = load(f);
	assert_non_null(rates_find(r, "USD"));
	assert_null(rates_find(r, "CYP"));
	assert_string_equal(rates_date(r), "2024-02-01");
	rates_free(r);
	assert_string_equal(seen_as(f, "2024-01-04", "CYP"), "0.58 2024-01-02 http://a/");
}

/* The configured order first (store_set_order()), within the window; the
 * other sources after, the one confirmed last first. */
static void
test_precedence_by_order(void **state)
{
	struct fixture *f = *state;
	static const char *const ab[] = { "http://a/", "http://b/" }, *const b_only[] = { "http://b/" };
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	DAY(f, "2024-01-01", AT_1, "http://a/", "USD", "1.1");
	DAY(f, "2024-01-05", AT_1 + 10, "http://b/", "USD", "1.2", "JPY", "160");
	DAY(f, "2024-01-05", AT_1 + 20, "import file:///h.csv", "USD", "1.3", "CHF", "0.9");
	/* No order: the source confirmed last first. */
	assert_string_equal(seen_as(f, "2024-01-05", "USD"), "1.3 2024-01-05 import file:///h.csv");
	assert_int_equal(store_set_order(f->st, ab, 2, f->err, sizeof(f->err)), 0);
	/* a's older rate within the window beats b's and the import's newer ones. */
	assert_string_equal(seen_as(f, "2024-01-05", "USD"), "1.1 2024-01-01 http://a/");
	assert_string_equal(seen_as(f, "2024-01-15", "USD"), "1.1 2024-01-01 http://a/");
	assert_string_equal(seen_as(f, "2024-01-16", "USD"), "1.2 2024-01-05 http://b/");
	assert_string_equal(seen_as(f, "2024-01-05", "CHF"), "0.9 2024-01-05 import file:///h.csv");
	r = load(f);
	assert_string_equal(rates_upstream(r), "http://a/");
	assert_string_equal(rates_source(r, rates_find(r, "USD")->src)->upstream, "http://a/");
	assert_string_equal(rates_source(r, rates_find(r, "JPY")->src)->upstream, "http://b/");
	rates_free(r);
	assert_int_equal(store_set_order(f->st, b_only, 1, f->err, sizeof(f->err)), 0);
	assert_string_equal(seen_as(f, "2024-01-05", "USD"), "1.2 2024-01-05 http://b/");
	/* Unlisted: the import (confirmed last) before a. */
	assert_string_equal(seen_as(f, "2024-01-04", "USD"), "1.1 2024-01-01 http://a/");
	assert_int_equal(store_set_order(f->st, NULL, 0, f->err, sizeof(f->err)), 0);
	assert_string_equal(seen_as(f, "2024-01-05", "USD"), "1.3 2024-01-05 import file:///h.csv");
}

/* A day loaded again with fewer currencies loses none of the others, and
 * the load says so (kept); one that also changes a rate is replaced. */
static void
test_fewer_currencies_keep_the_rest(void **state)
{
	struct fixture *f = *state;
	struct rates *v[2];
	struct store_counts c;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	DAY(f, "2024-01-02", AT_1, "import file:///a.csv", "USD", "1.1", "GBP", "0.86", "CYP", "0.58");
	DAY(f, "2024-01-03", AT_1, "import file:///a.csv", "USD", "1.2", "GBP", "0.87", "CYP", "0.59");
	v[0] = snap("EUR", "2024-01-02", AT_2, "import file:///a.csv", "USD", "1.1", NULL);
	v[1] = snap("EUR", "2024-01-03", AT_2, "import file:///a.csv", "USD", "1.25", NULL);
	assert_int_equal(store_save_many(f->st, v, 2, &c, f->err, sizeof(f->err)), 0);
	rates_free(v[0]);
	rates_free(v[1]);
	assert_int_equal(c.kept, 1);
	assert_int_equal(c.replaced, 1);
	assert_int_equal(c.added + c.unchanged, 0);
	assert_string_equal(seen_as(f, "2024-01-02", "CYP"), "0.58 2024-01-02 import file:///a.csv");
	assert_string_equal(seen_as(f, "2024-01-03", "CYP"), "0.59 2024-01-03 import file:///a.csv");
	assert_string_equal(seen_as(f, "2024-01-03", "USD"), "1.25 2024-01-03 import file:///a.csv");
	assert_string_equal(seen_as(f, "2024-01-03", "GBP"), "0.87 2024-01-03 import file:///a.csv");
}

/* What a day's view read: replaced when a day of its window changed after
 * it was first stored, and the newest day before an empty window. */
static void
test_day_bookkeeping(void **state)
{
	struct fixture *f = *state;
	struct store_day day;
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	DAY(f, "2024-01-02", AT_1, "http://a/", "USD", "1.1");
	DAY(f, "2024-01-10", AT_1, "http://a/", "USD", "1.2");
	assert_int_equal(store_load_on(f->st, "2024-01-10", &r, &day, f->err, sizeof(f->err)), 0);
	assert_true(day.stored);
	assert_false(day.replaced);
	assert_int_equal(day.changed_at, AT_1);
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2024-01-11", &r, &day, f->err, sizeof(f->err)), 0);
	assert_false(day.stored);
	rates_free(r);
	/* The same rate again changes nothing; another one replaces the day,
	 * and every view that reads it. */
	DAY(f, "2024-01-02", AT_2, "http://a/", "USD", "1.10");
	assert_int_equal(store_load_on(f->st, "2024-01-10", &r, &day, f->err, sizeof(f->err)), 0);
	assert_false(day.replaced);
	rates_free(r);
	DAY(f, "2024-01-02", AT_2, "http://b/", "GBP", "0.9");
	assert_int_equal(store_load_on(f->st, "2024-01-10", &r, &day, f->err, sizeof(f->err)), 0);
	assert_true(day.replaced);
	assert_int_equal(day.changed_at, AT_2);
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2024-01-17", &r, &day, f->err, sizeof(f->err)), 0);
	assert_false(day.replaced);	/* 01-02 is out of its window */
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2024-02-10", &r, &day, f->err, sizeof(f->err)), 0);
	assert_null(r);
	assert_string_equal(day.before, "2024-01-10");

	/* A change within the 15 days after a day's start (a late source) is
	 * no replacement; from then on it is. */
	DAY(f, "2024-03-01", MAR_1 + 3600, "http://a/", "USD", "1.1");
	DAY(f, "2024-03-01", MAR_1 + 15 * 86400 - 1, "http://c/", "GBP", "0.9");
	assert_int_equal(store_load_on(f->st, "2024-03-01", &r, &day, f->err, sizeof(f->err)), 0);
	assert_false(day.replaced);
	assert_int_equal(day.changed_at, MAR_1 + 15 * 86400 - 1);
	rates_free(r);
	DAY(f, "2024-03-01", MAR_1 + 15 * 86400, "http://c/", "JPY", "160");
	assert_int_equal(store_load_on(f->st, "2024-03-01", &r, &day, f->err, sizeof(f->err)), 0);
	assert_true(day.replaced);
	rates_free(r);
}

struct views {
	struct store *st;
	char err[512];
	size_t days;
	int differ;
};

/* The view store_each() gives is the one store_load_on() gives, entry by entry. */
static int
same_as_load_on(void *arg, const struct rates *r)
{
	struct views *v = arg;
	struct rates *one = NULL;

	v->days++;
	if (store_load_on(v->st, rates_date(r), &one, NULL, v->err, sizeof(v->err)) != 0 || one == NULL ||
	    rates_count(one) != rates_count(r) || strcmp(rates_date(one), rates_date(r)) != 0 ||
	    rates_pivot(one) != rates_pivot(r))
		v->differ = 1;
	for (size_t i = 0; !v->differ && i < rates_count(r); i++) {
		const struct rate_entry *a = rates_at(r, i), *b = rates_at(one, i);

		if (a->cur != b->cur || dec_cmp(&a->rate, &b->rate) != 0 || strcmp(a->date, b->date) != 0 ||
		    strcmp(rates_source(r, a->src)->upstream, rates_source(one, b->src)->upstream) != 0)
			v->differ = 1;
	}
	if (v->differ)
		fail_msg("store_each and store_load_on differ on %s", rates_date(r));
	rates_free(one);
	return 0;
}

/* store_each() is store_load_on() of every stored day, in one pass: two
 * sources, gaps longer than the window, currencies that come and go. */
static void
test_each_equals_load_on(void **state)
{
	struct fixture *f = *state;
	static const char *const order[] = { "http://b/" };
	struct views v;
	char date[DT_DATE_LEN], usd[32], gbp[32];

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	assert_int_equal(store_set_order(f->st, order, 1, f->err, sizeof(f->err)), 0);
	for (int d = 1; d <= 120; d++) {
		if (d % 7 == 0 || (d > 40 && d < 60))
			continue;	/* weekends, and a gap longer than the window */
		dt_date((dt_date_days("2023-12-31") + d) * 86400, date);
		snprintf(usd, sizeof(usd), "1.%03d", d);
		snprintf(gbp, sizeof(gbp), "0.8%03d", d);
		if (d % 3 == 0)
			DAY(f, date, AT_1 + d, "http://b/", "USD", usd);
		else if (d % 5 == 0)
			DAY(f, date, AT_1 + d, "http://a/", "GBP", gbp, "JPY", "160");
		else
			DAY(f, date, AT_1 + d, "http://a/", "USD", usd, "GBP", gbp);
	}
	memset(&v, 0, sizeof(v));
	/* A store is one caller's at a time: the per-day loads use another. */
	assert_non_null(v.st = store_open_readonly(f->path, f->err, sizeof(f->err)));
	assert_int_equal(store_set_order(v.st, order, 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_each(f->st, "2024-01-10", "2024-04-30", same_as_load_on, &v, f->err,
	    sizeof(f->err)), 0);
	store_close(v.st);
	assert_false(v.differ);
	assert_int_equal((int64_t)v.days, raw_int(f->path,
	    "SELECT count(*) FROM days WHERE date BETWEEN '2024-01-10' AND '2024-04-30'"));
	assert_true(v.days > 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_folders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_folder_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_eur_pivot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resave_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_by_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_not_from_the_future, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_save_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_on_nearest_earlier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_in_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_many_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_many_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_queries_use_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_open_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot_beside_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot_makes_no_lock_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot_no_upgrade_beside_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_file_is_recreated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_sink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_release_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_carry_forward_window_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence_by_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewer_currencies_keep_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_day_bookkeeping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_equals_load_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_provider_own_days, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
