/*
 * The CLI's cache file: where it lives, a write → read round trip that keeps
 * every rate and the origin exactly, atomic replacement with nothing left
 * behind, and refusal (with the file and the reason named) of files that are
 * missing, damaged or too large.  Each test works in its own temp folder,
 * pointed to by XDG_CACHE_HOME.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "fxjson.h"
#include "merge.h"
#include "money.h"
#include "rates.h"
#include "source.h"
#include "tmpdir.h"

#define FETCHED_AT 1795190700	/* 2026-11-20T16:05:00Z */

struct fixture {
	char root[64];			/* the temp folder */
	char xdg[128];			/* root/xdg, not yet created */
	char path[CACHE_PATH_MAX];	/* root/xdg/cconv/latest.json */
	char err[CACHE_PATH_MAX + 512];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/test_cli_cache.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->xdg, sizeof(f->xdg), "%s/xdg", f->root);
	assert_int_equal(setenv("XDG_CACHE_HOME", f->xdg, 1), 0);
	assert_int_equal(cache_path(f->path, sizeof(f->path), f->err, sizeof(f->err)), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tmpdir_remove(f->root), 0);
	free(f);
	return 0;
}

/* A finished EUR snapshot with two rates and a known origin. */
static struct rates *
snapshot(const char *date, const char *usd)
{
	char err[256];
	struct rates *r = rates_new("EUR", date, err, sizeof(err));
	struct dec d;

	assert_non_null(r);
	assert_int_equal(dec_parse(usd, strlen(usd), &d), 0);
	assert_int_equal(rates_add(r, "USD", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(dec_parse("0.86080", 7, &d), 0);
	assert_int_equal(rates_add(r, "GBP", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(dec_parse("163.36", 6, &d), 0);
	assert_int_equal(rates_add(r, "JPY", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(r, FETCHED_AT, "http://127.0.0.1:8080"), 0);
	return r;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
mkdirs(struct fixture *f)
{
	char dir[CACHE_PATH_MAX];

	assert_int_equal(mkdir(f->xdg, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/cconv", f->xdg);
	assert_int_equal(mkdir(dir, 0700), 0);
}

/* Names in the cache folder; fails the test if anything but want is there. */
static void
assert_only_entry(struct fixture *f, const char *want)
{
	char dir[CACHE_PATH_MAX];
	DIR *d;
	struct dirent *e;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/cconv", f->xdg);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_string_equal(e->d_name, want);
		found++;
	}
	assert_int_equal(closedir(d), 0);
	assert_int_equal(found, 1);
}

static void
assert_err_names_file(struct fixture *f, const char *reason)
{
	char prefix[CACHE_PATH_MAX + 16];

	snprintf(prefix, sizeof(prefix), "cache '%s': ", f->path);
	assert_memory_equal(f->err, prefix, strlen(prefix));
	assert_null(strstr(f->err + strlen(prefix), f->path));	/* named once, in front */
	assert_non_null(strstr(f->err, reason));
}

static void
test_path(void **state)
{
	struct fixture *f = *state;
	char want[CACHE_PATH_MAX], got[CACHE_PATH_MAX];
	char *home = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;

	snprintf(want, sizeof(want), "%s/cconv/latest.json", f->xdg);
	assert_string_equal(f->path, want);

	/* A relative XDG_CACHE_HOME is ignored, as the XDG spec says. */
	assert_int_equal(setenv("XDG_CACHE_HOME", "relative/cache", 1), 0);
	assert_int_equal(setenv("HOME", "/home/someone", 1), 0);
	assert_int_equal(cache_path(got, sizeof(got), f->err, sizeof(f->err)), 0);
	assert_string_equal(got, "/home/someone/.cache/cconv/latest.json");

	assert_int_equal(unsetenv("XDG_CACHE_HOME"), 0);
	assert_int_equal(unsetenv("HOME"), 0);
	assert_int_equal(cache_path(got, sizeof(got), f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "neither XDG_CACHE_HOME nor HOME"));

	if (home != NULL) {
		assert_int_equal(setenv("HOME", home, 1), 0);
		free(home);
	}
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct rates *r = snapshot("2026-11-20", "1.0512");
	struct rates *back = NULL;
	struct stat st;
	char dir[CACHE_PATH_MAX];

	assert_int_equal(cache_write(f->path, r, f->err, sizeof(f->err)), 0);

	/* Both missing folders were made, private. */
	assert_int_equal(stat(f->xdg, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(dir, sizeof(dir), "%s/cconv", f->xdg);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_READ);
	assert_non_null(back);
	assert_string_equal(rates_date(back), "2026-11-20");
	assert_string_equal(rates_pivot(back)->code, "EUR");
	assert_int_equal(rates_fetched_at(back), FETCHED_AT);
	assert_string_equal(rates_upstream(back), "http://127.0.0.1:8080");
	assert_int_equal(rates_count(back), rates_count(r));
	for (size_t i = 0; i < rates_count(r); i++) {
		const struct rate_entry *want = rates_at(r, i);
		const struct rate_entry *got = rates_find(back, want->cur->code);
		assert_non_null(got);
		assert_int_equal(dec_cmp(&got->rate, &want->rate), 0);
	}
	assert_only_entry(f, "latest.json");
	rates_free(back);
	rates_free(r);
}

static void
test_atomic_replace(void **state)
{
	struct fixture *f = *state;
	struct rates *old = snapshot("2026-11-19", "1.0400");
	struct rates *new = snapshot("2026-11-20", "1.0512");
	struct rates *back = NULL;
	struct stat before, after;
	char seen[128];
	int fd;

	assert_int_equal(cache_write(f->path, old, f->err, sizeof(f->err)), 0);
	assert_int_equal(stat(f->path, &before), 0);

	/* A reader that opened the old file keeps reading the old file: the new
	 * one arrives by rename, never by rewriting in place. */
	assert_true((fd = open(f->path, O_RDONLY)) >= 0);
	assert_int_equal(cache_write(f->path, new, f->err, sizeof(f->err)), 0);
	assert_int_equal(stat(f->path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(read(fd, seen, sizeof(seen) - 1) > 0, 1);
	seen[sizeof(seen) - 1] = '\0';
	assert_non_null(strstr(seen, "2026-11-19"));
	assert_int_equal(close(fd), 0);

	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_READ);
	assert_string_equal(rates_date(back), "2026-11-20");
	assert_int_equal(after.st_mode & 0777, 0600);
	assert_only_entry(f, "latest.json");	/* no temp file left behind */
	rates_free(back);
	rates_free(old);
	rates_free(new);
}

static void
test_failed_write_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct rates *r = snapshot("2026-11-20", "1.0512");

	/* A folder where the file should be: rename(2) fails after the temp
	 * file was written and synced. */
	mkdirs(f);
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(cache_write(f->path, r, f->err, sizeof(f->err)), -1);
	assert_err_names_file(f, "rename: ");
	assert_only_entry(f, "latest.json");
	rates_free(r);
}

static void
test_missing(void **state)
{
	struct fixture *f = *state;
	struct rates *r = NULL;
	char want[CACHE_PATH_MAX + 64];

	assert_int_equal(cache_read(f->path, &r, f->err, sizeof(f->err)), CACHE_MISSING);
	assert_null(r);
	snprintf(want, sizeof(want), "cache '%s': No such file or directory", f->path);
	assert_string_equal(f->err, want);
}

static void
test_corrupt_refused(void **state)
{
	struct fixture *f = *state;
	struct rates *r = snapshot("2026-11-20", "1.0512");
	struct rates *back = NULL;
	struct buf b;
	static const struct {
		const char *text;
		const char *reason;
	} bad[] = {
		{ "{\"base\":\"EUR\",\"date\":", "not JSON" },
		{ "", "not JSON" },
		{ "[1,2,3]", "not a JSON object" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-02-30\",\"rates\":{\"USD\":1.05}}", "'date'" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{\"USD\":-1}}", "rates.USD" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"rates\":{}}", "'rates' is empty" },
		{ "{\"base\":\"EUR\",\"date\":\"2026-11-20\",\"fetched_at\":\"yesterday\",\"rates\":{\"USD\":1}}",
		  "'fetched_at'" },
	};

	mkdirs(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(f->path, bad[i].text, strlen(bad[i].text));
		assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_INVALID);
		assert_null(back);
		assert_err_names_file(f, bad[i].reason);
	}

	/* A good cache cut short, as a crash without the atomic rename would. */
	buf_init(&b, FXJSON_MAX_BODY);
	assert_int_equal(fxjson_render(&b, r, rates_find(r, "EUR"), NULL, 0, NULL, FXJSON_ORIGIN), 0);
	write_file(f->path, b.data, b.len / 2);
	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_INVALID);
	assert_null(back);
	assert_err_names_file(f, "not JSON");
	buf_free(&b);
	rates_free(r);
}

static void
test_too_large_refused(void **state)
{
	struct fixture *f = *state;
	struct rates *back = NULL;
	size_t len = FXJSON_MAX_BODY + 1;
	char *big = malloc(len);

	assert_non_null(big);
	memset(big, ' ', len);
	mkdirs(f);
	write_file(f->path, big, len);
	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_INVALID);
	assert_null(back);
	assert_err_names_file(f, "larger than");
	free(big);
}

static void
test_not_a_file_refused(void **state)
{
	struct fixture *f = *state;
	struct rates *back = NULL;

	mkdirs(f);
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_INVALID);
	assert_null(back);
	assert_err_names_file(f, "not a regular file");
}

/* Rates of two sources merged: USD, GBP and JPY of date from "https://ecb/x.xml"
 * fetched at ecb_at, AED of aed_date from "http://fx/latest" fetched at fx_at. */
static struct rates *
merged(const char *date, int64_t ecb_at, const char *aed_date, int64_t fx_at)
{
	struct rates *v[2], *m = NULL;
	char err[256];
	struct dec d;

	v[0] = snapshot(date, "1.0512");
	assert_int_equal(rates_set_origin(v[0], ecb_at, "https://ecb/x.xml"), 0);
	assert_non_null(v[1] = rates_new("EUR", aed_date, err, sizeof(err)));
	assert_int_equal(dec_parse("3.9", 3, &d), 0);
	assert_int_equal(rates_add(v[1], "AED", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(dec_parse("0.9", 3, &d), 0);
	assert_int_equal(rates_add(v[1], "GBP", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(v[1], err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(v[1], fx_at, "http://fx/latest"), 0);
	assert_int_equal(merge_rates(v, 2, NULL, MERGE_KEEP_OLD, &m, err, sizeof(err)), 0);
	assert_non_null(m);
	rates_free(v[0]);
	rates_free(v[1]);
	return m;
}

/* Stale at now: the rates as a whole, and the conversion between two codes. */
static int
stale(const struct rates *r, int dated, const char *x, const char *y, int64_t now)
{
	struct source_answer ans;

	memset(&ans, 0, sizeof(ans));
	ans.rates = (struct rates *)r;
	ans.dated = dated;
	if (x == NULL)
		return source_stale(&ans, NULL, NULL, now);
	return source_stale(&ans, rates_find(r, x), rates_find(r, y), now);
}

/*
 * The one rule of every face: by fetch time (unknown, too old, or from a
 * clock that ran ahead), by each rate's date on its source's calendar, by
 * the daemon's word; a conversion by the staler of its rates; dated rates
 * never.  now is Friday 2026-11-20, 16:05:10 UTC.
 */
static void
test_one_staleness_rule(void **state)
{
	const int64_t now = FETCHED_AT + 10;
	struct rates *r;

	(void)state;
	/* Fetch time. */
	static const struct {
		int64_t at;
		int stale;
	} fetched[] = {
		{ now - 3600, 0 }, { now - SOURCE_STALE_AFTER - 1, 1 }, { 0, 1 }, { now + 5, 0 },
		{ now + SOURCE_CLOCK_SKEW, 0 }, { now + SOURCE_CLOCK_SKEW + 1, 1 }, { 4070908800, 1 },	/* 2099 */
	};
	for (size_t i = 0; i < sizeof(fetched) / sizeof(fetched[0]); i++) {
		r = snapshot("2026-11-20", "1.0512");
		assert_int_equal(rates_set_origin(r, fetched[i].at, "https://ecb/x.xml"), 0);
		if (stale(r, 0, NULL, NULL, now) != fetched[i].stale ||
		    stale(r, 0, "EUR", "GBP", now) != fetched[i].stale)
			fail_msg("fetched at %lld: stale should be %d", (long long)fetched[i].at, fetched[i].stale);
		assert_false(stale(r, 1, NULL, NULL, now));
		assert_false(stale(r, 1, "EUR", "GBP", now));
		rates_free(r);
	}
	/* Date: Wednesday's rates were replaced by Thursday's at 15:00 UTC, a day ago. */
	r = snapshot("2026-11-18", "1.0512");
	assert_int_equal(rates_set_origin(r, now, "https://ecb/x.xml"), 0);
	assert_true(stale(r, 0, NULL, NULL, now));
	assert_true(stale(r, 0, "USD", "GBP", now));
	assert_false(stale(r, 1, "USD", "GBP", now));
	rates_free(r);
	/* The daemon's word. */
	r = snapshot("2026-11-20", "1.0512");
	rates_set_stale(r, 1);
	assert_true(stale(r, 0, NULL, NULL, now));
	assert_true(stale(r, 0, "EUR", "USD", now));
	rates_free(r);
	/* Merged: only conversions that use the old AED are stale, and the whole is not. */
	r = merged("2026-11-20", now, "2026-11-18", now);
	assert_false(stale(r, 0, NULL, NULL, now));
	assert_false(stale(r, 0, "EUR", "GBP", now));
	assert_false(stale(r, 0, "USD", "GBP", now));
	assert_true(stale(r, 0, "EUR", "AED", now));
	assert_true(stale(r, 0, "AED", "GBP", now));
	rates_free(r);
}

/* A merged cache keeps each rate's date and source, fetch times included;
 * cache_holds() sees exactly that. */
static void
test_round_trip_keeps_dates_and_sources(void **state)
{
	struct fixture *f = *state;
	struct rates *r = merged("2026-11-20", FETCHED_AT, "2026-11-18", FETCHED_AT - 7200), *back = NULL;
	const struct rate_entry *aed, *gbp;

	assert_false(cache_holds(f->path, r));
	assert_int_equal(cache_write(f->path, r, f->err, sizeof(f->err)), 0);
	assert_true(cache_holds(f->path, r));
	assert_int_equal(cache_read(f->path, &back, f->err, sizeof(f->err)), CACHE_READ);
	assert_true(cache_holds(f->path, back));
	aed = rates_find(back, "AED");
	gbp = rates_find(back, "GBP");
	assert_string_equal(aed->date, "2026-11-18");
	assert_string_equal(rates_source(back, aed->src)->upstream, "http://fx/latest");
	assert_int_equal(rates_source(back, aed->src)->fetched_at, FETCHED_AT - 7200);
	assert_string_equal(gbp->date, "2026-11-20");
	assert_string_equal(rates_source(back, gbp->src)->upstream, "https://ecb/x.xml");
	assert_int_equal(rates_source(back, gbp->src)->fetched_at, FETCHED_AT);
	assert_string_equal(rates_date(back), "2026-11-20");
	rates_free(back);
	rates_free(r);
	/* Another fetch time is another cache. */
	r = merged("2026-11-20", FETCHED_AT, "2026-11-18", FETCHED_AT - 3600);
	assert_false(cache_holds(f->path, r));
	rates_free(r);
}

/* A file from before rates had their own dates and sources still reads: every
 * rate of its date, from its one upstream. */
static void
test_old_cache_reads(void **state)
{
	struct fixture *f = *state;
	struct rates *r = NULL;
	FILE *fp;

	r = snapshot("2026-11-20", "1.0512");
	assert_int_equal(cache_write(f->path, r, f->err, sizeof(f->err)), 0);	/* makes the folders */
	rates_free(r);
	r = NULL;
	assert_non_null(fp = fopen(f->path, "w"));
	fputs("{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"2026-11-19\",\"fetched_at\":\"2026-11-20T16:05:00Z\","
	    "\"upstream\":\"https://api.frankfurter.dev/v1/latest\",\"rates\":{\"GBP\":0.884,\"USD\":1.0512}}", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(cache_read(f->path, &r, f->err, sizeof(f->err)), CACHE_READ);
	assert_int_equal(rates_nsources(r), 1);
	assert_string_equal(rates_find(r, "GBP")->date, "2026-11-19");
	assert_string_equal(rates_source(r, rates_find(r, "USD")->src)->upstream,
	    "https://api.frankfurter.dev/v1/latest");
	assert_int_equal(rates_fetched_at(r), FETCHED_AT);
	rates_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
		cmocka_unit_test(test_one_staleness_rule),
		cmocka_unit_test_setup_teardown(test_round_trip_keeps_dates_and_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_cache_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_file_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
