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

	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('snapshots', 'rates')"),
	    2);
	/* WAL is a property of the file, so a fresh connection sees it. */
	assert_int_equal(raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

	/* Opening again runs no migration and keeps the version. */
	store_close(f->st);
	f->st = store_open(f->path, f->err, sizeof(f->err));
	assert_non_null(f->st);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);
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
	assert_int_equal(raw_int(f->path, "SELECT rate = '0.86080' AND typeof(rate) = 'text' FROM rates"
	    " WHERE currency = 'GBP'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 4);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates WHERE currency = 'EUR'"), 0);
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
	assert_int_equal(raw_int(f->path, "SELECT pivot = 'USD' FROM snapshots"), 1);
	rates_free(r);
}

static void
test_resave_replaces(void **state)
{
	struct fixture *f = *state;
	char text[DEC_STRLEN];
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-20", AT_1, "http://first/", "USD", "1.05", "GBP", "0.86", "JPY", "163", NULL));
	save(f, snap("EUR", "2025-11-20", AT_2, "http://second/", "USD", "1.06", "GBP", "0.87", NULL));
	save(f, snap("EUR", "2025-11-20", AT_2, "http://second/", "USD", "1.06", "GBP", "0.87", NULL));

	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 2);
	r = load(f);
	assert_int_equal(rates_fetched_at(r), AT_2);
	assert_string_equal(rates_upstream(r), "http://second/");
	assert_string_equal(rate_text(r, "USD", text), "1.06");
	assert_null(rates_find(r, "JPY"));	/* gone with the old rows */
	rates_free(r);
}

static void
test_latest_by_date(void **state)
{
	struct fixture *f = *state;
	struct rates *r;

	assert_non_null(f->st = store_open(f->path, f->err, sizeof(f->err)));
	save(f, snap("EUR", "2025-11-21", AT_1, "http://a/", "USD", "1.01", NULL));
	/* Fetched later but dated earlier (an upstream lagging behind). */
	save(f, snap("EUR", "2025-11-19", AT_2, "http://b/", "USD", "1.02", NULL));
	save(f, snap("EUR", "2024-12-31", AT_2 + 1, "http://c/", "USD", "1.03", NULL));

	r = load(f);
	assert_non_null(r);
	assert_string_equal(rates_date(r), "2025-11-21");
	assert_string_equal(rates_upstream(r), "http://a/");
	rates_free(r);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 3);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 3);
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
	snprintf(want, sizeof(want), "store '%s': schema version 99 is newer than this cconvd understands (2)",
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
	raw_exec(db, "UPDATE rates SET rate = '1e3' WHERE currency = 'USD'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_null(r);
	assert_names_store_once(f->err, f->path);
	assert_non_null(strstr(f->err, "2025-11-20"));
	assert_non_null(strstr(f->err, "'USD'"));
	assert_non_null(strstr(f->err, "'1e3'"));

	/* rates_add()'s reason leaves the currency to the store, which names it once. */
	raw_exec(db, "UPDATE rates SET rate = '0' WHERE currency = 'USD'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_names_store_once(f->err, f->path);
	assert_int_equal(occurrences(f->err, "2025-11-20"), 1);
	assert_int_equal(occurrences(f->err, "USD"), 1);

	raw_exec(db, "UPDATE rates SET rate = '1.05', currency = 'usd' WHERE currency = 'USD'");
	assert_int_equal(store_load_latest(f->st, NOW, &r, f->future, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "'usd'"));

	raw_exec(db, "UPDATE snapshots SET pivot = 'XYZ'");
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
	raw_exec(db, "CREATE TRIGGER fail_usd BEFORE INSERT ON rates WHEN NEW.currency = 'USD'"
	    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
	r = snap("EUR", "2025-11-20", AT_2, "http://second/", "GBP", "0.99", "USD", "1.99", NULL);
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
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 2);

	/* The store stays usable once the cause is gone. */
	raw_exec(db, "DROP TRIGGER fail_usd");
	sqlite3_close(db);
	save(f, snap("EUR", "2025-11-20", AT_2, "http://second/", "GBP", "0.99", "USD", "1.99", NULL));
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
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 1);
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

	if (store_load_on(f->st, date, &r, f->err, sizeof(f->err)) != 0)
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
	assert_string_equal(on(f, "2099-12-31"), "2024-01-08");
	assert_string_equal(on(f, "2024-01-01"), "none");
	assert_string_equal(on(f, "1999-01-04"), "none");

	/* The rates are that day's, exactly, not the latest's. */
	assert_int_equal(store_load_on(f->st, "2024-01-06", &r, f->err, sizeof(f->err)), 0);
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
	assert_int_equal(s.counts[2], 3);

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
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 60);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 120);
	int64_t sum = raw_int(f->path, "SELECT sum(length(rate) + fetched_at) FROM rates JOIN snapshots USING(date)");

	/* Again, with a later fetch time: nothing moves, not even fetched_at. */
	for (size_t i = 0; i < 60; i++)
		assert_int_equal(rates_set_origin(v[i], AT_2, "http://elsewhere/"), 0);
	assert_int_equal(store_save_many(f->st, v, 60, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.unchanged, 60);
	assert_int_equal(c.added + c.replaced, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 120);
	assert_int_equal(raw_int(f->path,
	    "SELECT sum(length(rate) + fetched_at) FROM rates JOIN snapshots USING(date)"), sum);
	free_batch(v, 60);

	/* Same values written differently (1.90 vs 1.9) are the same rates;
	 * one changed rate, a new pivot over the same currencies, or one more
	 * currency replace; one currency fewer (USD alone, or GBP with the
	 * pivot's USD where EUR was) is kept as stored. */
	v = calloc(6, sizeof(*v));
	assert_non_null(v);
	v[0] = snap("EUR", "2020-01-01", AT_2, "x", "USD", "1.10000", "GBP", "0.90", NULL);
	v[1] = snap("EUR", "2020-01-02", AT_2, "x", "USD", "1.2", "GBP", "0.9", NULL);
	v[2] = snap("EUR", "2020-01-03", AT_2, "x", "USD", "1.1002", NULL);
	v[3] = snap("USD", "2020-01-04", AT_2, "x", "EUR", "0.9", "GBP", "0.9", NULL);
	v[4] = snap("EUR", "2020-01-05", AT_2, "x", "USD", "1.1004", "GBP", "0.9", "JPY", "160", NULL);
	v[5] = snap("USD", "2020-01-06", AT_2, "x", "GBP", "0.8", NULL);
	assert_int_equal(store_save_many(f->st, v, 6, &c, f->err, sizeof(f->err)), 0);
	assert_int_equal(c.unchanged, 1);
	assert_int_equal(c.replaced, 3);
	assert_int_equal(c.kept, 2);
	assert_int_equal(c.added, 0);
	free_batch(v, 6);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 121);
	assert_int_equal(store_load_on(f->st, "2020-01-02", &r, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "USD", text), "1.2");
	assert_int_equal(rates_fetched_at(r), AT_2);
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, f->err, sizeof(f->err)), 0);
	assert_int_equal(rates_fetched_at(r), AT_1);	/* unchanged: the old origin stays */
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-03", &r, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "GBP", text), "0.9");	/* kept whole */
	assert_int_equal(rates_fetched_at(r), AT_1);
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-06", &r, f->err, sizeof(f->err)), 0);
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
	raw_exec(db, "CREATE TRIGGER fail_last BEFORE INSERT ON rates WHEN NEW.date = '2020-02-02'"
	    " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
	assert_int_equal(store_save_many(f->st, v, 30, NULL, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "injected failure"));
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 1);
	raw_exec(db, "DROP TRIGGER fail_last");
	sqlite3_close(db);
	assert_int_equal(store_save_many(f->st, v, 30, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 31);
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
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, f->err, sizeof(f->err)), 0);
	assert_string_equal(rate_text(r, "USD", text), "1.12");
	rates_free(r);
	assert_int_equal(store_load_on(f->st, "2020-01-02", &r, f->err, sizeof(f->err)), 0);
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
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 2);
	assert_int_equal(store_load_on(f->st, "2020-01-01", &r, f->err, sizeof(f->err)), 0);
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
	assert_int_equal(store_load_on(ro, "2024-01-05", &r, f->err, sizeof(f->err)), 0);
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
	raw_exec(db, "DELETE FROM snapshots");
	assert_int_equal(store_load_on(ro, "2024-01-09", &r, f->err, sizeof(f->err)), 0);
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

/* Both history queries are index searches, never a scan of a table. */
static void
test_history_queries_use_indexes(void **state)
{
	struct fixture *f = *state;
	static const char *const queries[] = {
		"EXPLAIN QUERY PLAN SELECT s.date, r.rate FROM snapshots s JOIN rates r ON r.date = s.date"
		" WHERE s.date = (SELECT max(date) FROM snapshots WHERE date <= '2024-01-05') ORDER BY r.currency",
		"EXPLAIN QUERY PLAN SELECT s.date, r.rate FROM snapshots s JOIN rates r ON r.date = s.date"
		" WHERE r.date BETWEEN '2024-01-01' AND '2024-02-01' ORDER BY r.date, r.currency",
	};
	sqlite3 *db;

	history_fixture(f);
	db = raw_open(f->path);
	for (size_t q = 0; q < 2; q++) {
		sqlite3_stmt *st = NULL;
		assert_int_equal(sqlite3_prepare_v2(db, queries[q], -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			if (strncmp(detail, "SCAN ", 5) == 0 || strstr(detail, "TEMP B-TREE") != NULL)
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
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 4);
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
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);	/* created and migrated */
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
	assert_non_null(strstr(f->err, "schema version 0 needs upgrading to 2"));
	assert_non_null(strstr(f->err, pid));
	assert_non_null(strstr(f->err, "restart that cconvd with this version"));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);

	assert_int_equal(close(fd), 0);	/* the daemon stopped: now it may */
	assert_non_null(one = store_open_oneshot(f->path, f->err, sizeof(f->err)));
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 2);
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
	raw_exec(db, "BEGIN; SELECT count(*) FROM rates");
	/* As "rm rates.db" would: the -wal and -shm beside it stay behind, and
	 * must not be replayed into the new file. */
	assert_int_equal(unlink(f->path), 0);
	save(f, snap("EUR", "2025-11-21", AT_2, "http://second/", "USD", "1.07", NULL));
	raw_exec(db, "COMMIT");
	sqlite3_close(db);
	assert_int_equal(raw_int(f->path,
	    "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM snapshots"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM rates"), 1);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
