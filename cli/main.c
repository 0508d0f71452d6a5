/*
 * cconv: convert an amount with the daemon's rates, or the upstream's, or the
 * last ones received.
 *
 * Thin on purpose: parse (args.c), get rates (source.c), convert each target
 * with rates_find() + rates_convert() (or list the snapshot's currencies for
 * --list), print (at a terminal, with the digits grouped as LC_NUMERIC groups
 * them), pick the exit code.  No colour is ever printed, so there is
 * nothing for NO_COLOR to turn off.  Every
 * answer is built in memory first and written once, so a failure (an unknown
 * target, a result too large) never leaves half an answer on stdout.  stderr
 * carries every message, through log.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "args.h"
#include "buf.h"
#include "calendar.h"
#include "currency.h"
#include "dt.h"
#include "err.h"
#include "fxjson.h"
#include "log.h"
#include "money.h"
#include "numfmt.h"
#include "rates.h"
#include "source.h"
#include "url.h"

#define OUT_MAX (1024 * 1024)	/* bytes of answers; 256 JSON lines need ~60 KiB */
#define ERR_MAX 8192		/* bytes of a message naming every source tried */

/* Unix time, or -1 (logged) if the clock cannot be read. */
static int64_t
clock_now(void)
{
	time_t t = time(NULL);

	if (t == (time_t)-1) {
		log_warn("time");
		return -1;
	}
	return (int64_t)t;
}

/* "3 h 2 min ago", for the verbose line. */
static void
format_age(int64_t age, char *out, size_t outlen)
{
	if (age < 0)
		snprintf(out, outlen, "%lld s in the future", (long long)-age);
	else if (age < 60)
		snprintf(out, outlen, "%lld s ago", (long long)age);
	else if (age < 3600)
		snprintf(out, outlen, "%lld min ago", (long long)(age / 60));
	else if (age < 86400)
		snprintf(out, outlen, "%lld h %lld min ago", (long long)(age / 3600), (long long)(age % 3600 / 60));
	else
		snprintf(out, outlen, "%lld d %lld h ago", (long long)(age / 86400), (long long)(age % 86400 / 3600));
}

/* Says where the rates came from, with -v. */
static void
report_source(const struct args *a, const struct source_answer *ans, int64_t now)
{
	const struct rates *r = ans->rates;
	int64_t fetched_at = rates_fetched_at(r);
	char fetched[DT_ISO_LEN + 64] = "fetch time unknown";
	char iso[DT_ISO_LEN];
	char age[48];

	if (fetched_at > 0) {
		dt_iso8601(fetched_at, iso);
		format_age(now - fetched_at, age, sizeof(age));
		snprintf(fetched, sizeof(fetched), "fetched %s (%s)", iso, age);
	}
	/* Weekends and holidays have no rates: say whose were used instead. */
	if (a->date[0] != '\0' && strcmp(rates_date(r), a->date) != 0)
		log_note("no rates on %s; using those of %s, the nearest earlier date", a->date, rates_date(r));
	if (a->verbose)
		log_note("rates from %s %s, dated %s, %s", source_kind_name(ans->kind), ans->where, rates_date(r),
		    fetched);
}

/*
 * The warning for stale rates, one shape whatever made them stale (their
 * date, their fetch time, the daemon's word), with the age people judge
 * rates by: in days.  e is the rate that turned stale first (NULL: the
 * rates as a whole, dated by their newest); it is named by its date and by
 * where it came from.
 */
static void
warn_stale(const struct source_answer *ans, const struct rate_entry *e, int64_t now)
{
	const struct rates *r = ans->rates;
	const char *date = e != NULL ? e->date : rates_date(r);
	int64_t fetched_at = e != NULL ? rates_source(r, e->src)->fetched_at : rates_fetched_at(r);
	int64_t days = calendar_age_days(date, now);
	char fetched[DT_ISO_LEN + 64] = "fetch time unknown";
	char iso[DT_ISO_LEN], age[48];

	if (fetched_at > 0) {
		dt_iso8601(fetched_at, iso);
		format_age(now - fetched_at, age, sizeof(age));
		snprintf(fetched, sizeof(fetched), "fetched %s (%s)", iso, age);
	}
	log_warnx("rates of %s (%lld day%s old) are stale; from %s %s, %s", date, (long long)days,
	    days == 1 ? "" : "s", source_kind_name(ans->kind),
	    ans->kind == SOURCE_UPSTREAM && e != NULL ? rates_source(r, e->src)->upstream : ans->where, fetched);
}

/* With -v, the date and source of each rate a conversion used; the base
 * of the rates, at 1 by definition, is not one. */
static void
report_rates(const struct rates *r, const struct rate_entry *from, const struct rate_entry *to)
{
	const struct rate_entry *used[2] = { from, to };
	char said[2 * (URL_SHOWN_LEN + 64)] = "";

	for (size_t i = 0; i < 2; i++) {
		const struct rate_entry *e = used[i];

		if (e->cur == rates_pivot(r) || (i == 1 && to == from))
			continue;
		snprintf(said + strlen(said), sizeof(said) - strlen(said), "%s%s rate of %s from %s",
		    said[0] != '\0' ? ", " : "", e->cur->code, e->date, rates_source(r, e->src)->upstream);
	}
	log_note("%s to %s: %s", from->cur->code, to->cur->code, said[0] != '\0' ? said : "the same currency");
}

/* code names a currency ISO 4217 lists (args.c checked) that the rates lack. */
static void
no_rate(const char *code, char *err, size_t errlen)
{
	const struct currency *cur = currency_find(code);

	err_set(err, errlen, "no rate for %s (%s) in these rates; see cconv --list", code,
	    cur != NULL ? cur->name : "?");
}

/* Every answer into out, or an exit code other than 0 with err set.
 * people: write results with its grouping (NULL: plain, for scripts). */
static int
convert_all(const struct args *a, const struct source_answer *ans, int64_t now, const struct numfmt *people,
    struct buf *out, char *err, size_t errlen)
{
	const struct rate_entry *from, *to[ARGS_MAX_TARGETS], *stalest = NULL;
	struct conversion c;
	char num[DEC_STRLEN], grouped[NUMFMT_STRLEN];

	/* Every code is a real currency (args.c); these are the ones this
	 * snapshot lacks, so the message says so rather than "unknown". */
	if ((from = rates_find(ans->rates, a->from)) == NULL) {
		no_rate(a->from, err, errlen);
		return ARGS_EX_CURRENCY;
	}
	for (size_t i = 0; i < a->nto; i++) {
		if ((to[i] = rates_find(ans->rates, a->to[i])) == NULL) {
			no_rate(a->to[i], err, errlen);
			return ARGS_EX_CURRENCY;
		}
	}
	/* Each conversion is as stale as its staler rate: one warning, for
	 * the rate that turned stale first. */
	for (size_t i = 0; i < a->nto; i++) {
		const struct rate_entry *e = rates_entry_stale_from(ans->rates, from, SOURCE_STALE_AFTER) <=
		    rates_entry_stale_from(ans->rates, to[i], SOURCE_STALE_AFTER) ? from : to[i];

		if (a->verbose)
			report_rates(ans->rates, from, to[i]);
		if (source_stale(ans, from, to[i], now) && (stalest == NULL ||
		    rates_entry_stale_from(ans->rates, e, SOURCE_STALE_AFTER) <
		    rates_entry_stale_from(ans->rates, stalest, SOURCE_STALE_AFTER)))
			stalest = e;
	}
	if (stalest != NULL)
		warn_stale(ans, stalest, now);
	for (size_t i = 0; i < a->nto; i++) {
		if (rates_convert(from, to[i], &a->amount, &c) != RATES_OK) {
			dec_format(&a->amount, num, sizeof(num));
			err_set(err, errlen, "amount '%s': too large to convert from %s into %s", num, a->from,
			    a->to[i]);
			return ARGS_EX_USAGE;
		}
		if (a->json) {
			if (fxjson_render_conversion(out, &c, ans->rates, source_stale(ans, from, to[i], now)) == -1) {
				err_set(err, errlen, "%s into %s: answer could not be written as JSON", a->from,
				    a->to[i]);
				return ARGS_EX_USAGE;
			}
			(void)buf_puts(out, "\n");	/* checked once with buf_failed() */
		} else {
			dec_format(&c.result, num, sizeof(num));
			if (a->raw)
				(void)buf_printf(out, "%s\n", num);
			else if (people != NULL && numfmt_group(people, num, grouped, sizeof(grouped)) == 0)
				(void)buf_printf(out, "%s %s\n", grouped, c.to->code);
			else
				(void)buf_printf(out, "%s %s\n", num, c.to->code);
		}
	}
	if (buf_failed(out) == BUF_NO_MEMORY) {
		err_set(err, errlen, "out of memory");
		return ARGS_EX_SOFTWARE;
	}
	if (buf_failed(out)) {
		err_set(err, errlen, "answers larger than %d bytes", OUT_MAX);
		return ARGS_EX_USAGE;
	}
	return ARGS_EX_OK;
}

/* After a typed name that is no code: the currencies it matches, one a line. */
static void
list_matches(const struct args *a)
{
	for (size_t i = 0; i < a->nmatch; i++)
		log_note("  %s  %s", a->match[i]->code, a->match[i]->name);
	if (a->nmatch_all > a->nmatch)
		log_note("  and %zu more", a->nmatch_all - a->nmatch);
}

/* --list TEXT matched nothing in r: say so, and whether the currency table
 * knows it (a currency these rates lack). */
static void
nothing_listed(const struct args *a, char *err, size_t errlen)
{
	const struct currency *known[3];
	size_t n = currency_search(a->filter, known, 3);
	char q[BUF_QUOTE_LEN];

	buf_quote(q, sizeof(q), a->filter, strlen(a->filter));
	err_set(err, errlen, "no currency of these rates matches '%s'", q);
	for (size_t i = 0; i < n && i < 3; i++)
		err_append(err, errlen, "%s (%s) has no rate here", known[i]->code, known[i]->name);
}

/* The end of --list: what the buffer's failure means. */
static int
list_done(const struct buf *out, char *err, size_t errlen)
{
	if (buf_failed(out) == BUF_NO_MEMORY) {
		err_set(err, errlen, "out of memory");
		return ARGS_EX_SOFTWARE;
	}
	if (buf_failed(out)) {
		err_set(err, errlen, "list larger than %d bytes", OUT_MAX);
		return ARGS_EX_SOFTWARE;
	}
	return ARGS_EX_OK;
}

/* --list: every currency of the snapshot whose code or name holds the
 * filter, as "GBP  British Pound", as codes only (--raw), or as the daemon's
 * /currencies object (--json, every currency). */
static int
list_all(const struct args *a, const struct rates *r, struct buf *out, char *err, size_t errlen)
{
	size_t listed = 0;

	if (a->json && a->filter[0] == '\0') {
		(void)rates_render_currencies(out, r);
		(void)buf_puts(out, "\n");
		return list_done(out, err, errlen);
	}
	for (size_t i = 0; i < rates_count(r); i++) {
		const struct currency *cur = rates_at(r, i)->cur;

		if (!currency_matches(cur, a->filter))
			continue;
		if (a->json) {
			/* rates_render_currencies()'s object, of the matches only. */
			(void)buf_printf(out, "%s\"%s\":", listed == 0 ? "{" : ",", cur->code);
			(void)buf_json_str(out, cur->name, strlen(cur->name));
		} else if (a->raw)
			(void)buf_printf(out, "%s\n", cur->code);
		else
			(void)buf_printf(out, "%s  %s\n", cur->code, cur->name);
		listed++;
	}
	if (listed == 0) {
		nothing_listed(a, err, errlen);
		return ARGS_EX_CURRENCY;
	}
	if (a->json)
		(void)buf_puts(out, "}\n");
	return list_done(out, err, errlen);
}

/* Writes text to stdout; ARGS_EX_OK or ARGS_EX_IOERR (logged). */
static int
print(const char *text, size_t len)
{
	if ((len > 0 && fwrite(text, 1, len, stdout) != len) || fflush(stdout) == EOF) {
		log_warn("stdout");
		return ARGS_EX_IOERR;
	}
	return ARGS_EX_OK;
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct source_answer ans;
	struct buf out;
	char err[ERR_MAX];
	int64_t now;
	int curl_ready = 0;
	int rc;

	memset(&ans, 0, sizeof(ans));
	buf_init(&out, OUT_MAX);
	log_init("cconv", 0);

	if ((rc = args_parse(argc, argv, &a, err, sizeof(err))) != ARGS_EX_OK) {
		log_note("%s", err);
		list_matches(&a);
		goto out;
	}
	if (a.help) {
		rc = print(args_usage(), strlen(args_usage()));
		goto out;
	}
	if (a.version) {
		static const char version[] = "cconv " CCONV_VERSION "\n";
		rc = print(version, strlen(version));
		goto out;
	}
	log_init("cconv", a.verbose);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("libcurl could not be initialised");
		rc = ARGS_EX_SOFTWARE;
		goto out;
	}
	curl_ready = 1;

	if ((now = clock_now()) == -1) {
		rc = ARGS_EX_SOFTWARE;
		goto out;
	}
	switch (source_get(&a, now, &ans, err, sizeof(err))) {
	case SOURCE_OK:
		break;
	case SOURCE_REFUSED:
		log_note("%s", err);
		rc = ARGS_EX_DATAERR;
		goto out;
	case SOURCE_NONE:
		/* clig.dev: the cause on one line, the way out on the next. */
		log_note("no rates: %s", err);
		log_note("%s", ans.next_step);
		rc = ARGS_EX_NORATES;
		goto out;
	}
	/* The sources may have taken seconds; the age shown is as of now. */
	if ((now = clock_now()) == -1) {
		rc = ARGS_EX_SOFTWARE;
		goto out;
	}
	report_source(&a, &ans, now);
	if (a.list) {
		if (source_stale(&ans, NULL, NULL, now))
			warn_stale(&ans, NULL, now);
		rc = list_all(&a, ans.rates, &out, err, sizeof(err));
	} else {
		/* Digits grouped for a person at a terminal; a pipe, --raw
		 * and --json get the plain text scripts read. */
		int person = !a.raw && !a.json && isatty(STDOUT_FILENO);

		rc = convert_all(&a, &ans, now, person ? &a.numfmt : NULL, &out, err, sizeof(err));
	}
	if (rc != ARGS_EX_OK) {
		log_note("%s", err);
		goto out;
	}
	rc = print(out.data, out.len);
out:
	source_answer_free(&ans);
	buf_free(&out);
	args_free(&a);
	if (curl_ready)
		curl_global_cleanup();
	return rc;
}
