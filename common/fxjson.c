/*
 * fxjson: Frankfurter / fixer.io JSON in and out.
 *
 * Reading goes through jscan, token by token, and never builds the document:
 * a time series of decades is up to FEED_MAX_BODY bytes, and each day is
 * handed on (struct rates_sink) as soon as it is read.  A first pass reads the
 * top level, checking the whole text's grammar on the way, and notes where
 * "rates" starts, since JSON members come in any order and a day cannot be
 * read before its base is known; a second pass reads the rates from there.
 * A text that is not JSON is thus refused before any day is handed on.
 * Rates are read from their text (jscan_rate()), digit for digit as in the
 * ECB's XML and CSV.  Writing is by hand too, from exact decimals.
 *
 * Duplicate keys are refused wherever a member is read: at the top level,
 * among a day's codes, among a series' dates (feed_parse_each()); a member
 * that is ignored is checked for its grammar only.  Text from the document
 * that reaches a message is quoted with buf_quote().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "fxjson.h"
#include "jscan.h"
#include "log.h"

#define FXJSON_INFO_MAX 256	/* bytes of a fixer error's "info" kept for the message */

enum kind { ABSENT, STRING, OTHER };

/* A top-level member the readers use: where its value is, and its type. */
struct member {
	enum kind kind;
	struct jscan_str str;		/* the value, when a string */
	const char *value;		/* the value's first byte */
	enum jscan_token first;		/* the value's first token */
};

enum { M_BASE, M_DATE, M_RATES, M_SUCCESS, M_ERROR, M_FETCHED_AT, M_UPSTREAM, M_COUNT };
static const char *const member_names[M_COUNT] = {
	"base", "date", "rates", "success", "error", "fetched_at", "upstream",
};

struct top {
	struct member m[M_COUNT];
	int seen[M_COUNT];
	int failed;			/* "success": false */
	struct jscan_str info;		/* "error": {"info": …}, when a string */
	int has_info;
};

static void
not_json(const char *why, char *err, size_t errlen)
{
	err_set(err, errlen, "not JSON (%s)", why);
}

/* The members of fixer's "error" object, whose '{' was just read; notes "info". */
static int
read_error_object(struct jscan *s, struct top *t, char *err, size_t errlen)
{
	enum jscan_token tok;

	while ((tok = jscan_next(s, err, errlen)) == JSCAN_KEY) {
		int info = jscan_string_is(&s->str, "info");
		if ((tok = jscan_next(s, err, errlen)) == JSCAN_STRING && info) {
			t->info = s->str;
			t->has_info = 1;
		}
		if (jscan_skip(s, tok, err, errlen) == -1)
			return -1;
	}
	return tok == JSCAN_OBJECT_END ? 0 : -1;
}

/*
 * The first pass: reads the whole text, noting the top-level members of
 * struct top.  0; -1 with err "not JSON (line 3: …)" when the text is not
 * JSON, or "not a JSON object".
 */
static int
read_top(const char *body, size_t len, struct top *t, char *err, size_t errlen)
{
	struct jscan s;
	enum jscan_token tok;
	char why[192];

	memset(t, 0, sizeof(*t));
	jscan_start(&s, body, len);
	if ((tok = jscan_next(&s, why, sizeof(why))) != JSCAN_OBJECT) {
		if (jscan_skip(&s, tok, why, sizeof(why)) == -1 || jscan_next(&s, why, sizeof(why)) != JSCAN_END) {
			not_json(why, err, errlen);
			return -1;
		}
		err_set(err, errlen, "not a JSON object");
		return -1;
	}
	while ((tok = jscan_next(&s, why, sizeof(why))) == JSCAN_KEY) {
		int k = 0;

		while (k < M_COUNT && !jscan_string_is(&s.str, member_names[k]))
			k++;
		if (k < M_COUNT && t->seen[k]++) {
			snprintf(why, sizeof(why), "line %u: '%s' given twice", jscan_line(&s), member_names[k]);
			not_json(why, err, errlen);
			return -1;
		}
		if ((tok = jscan_next(&s, why, sizeof(why))) == JSCAN_ERROR)
			break;
		if (k < M_COUNT) {
			t->m[k].kind = tok == JSCAN_STRING ? STRING : OTHER;
			t->m[k].str = s.str;
			t->m[k].value = s.tok;
			t->m[k].first = tok;
		}
		if (k == M_SUCCESS && tok == JSCAN_FALSE)
			t->failed = 1;
		if (k == M_ERROR && tok == JSCAN_OBJECT) {
			if (read_error_object(&s, t, why, sizeof(why)) == -1)
				break;
		} else if (jscan_skip(&s, tok, why, sizeof(why)) == -1)
			break;
	}
	if (tok != JSCAN_OBJECT_END || jscan_next(&s, why, sizeof(why)) != JSCAN_END) {
		not_json(why, err, errlen);
		return -1;
	}
	return 0;
}

/* 0 unless the document is fixer.io's way of reporting a failure in a 200
 * answer; -1 with err set. */
static int
check_success(const struct top *t, char *err, size_t errlen)
{
	char info[FXJSON_INFO_MAX], q[BUF_QUOTE_LONG_LEN];

	if (!t->failed)
		return 0;
	if (t->has_info) {
		size_t n = jscan_string(&t->info, info, sizeof(info));
		buf_quote(q, sizeof(q), info, n < sizeof(info) ? n : sizeof(info) - 1);
	}
	err_set(err, errlen, "upstream reported failure: %s", t->has_info ? q : "no reason given");
	return -1;
}

/* The string member k decoded into out, or -1 with err set ("'base' missing"). */
static int
member_str(const struct top *t, int k, char *out, size_t outlen, char *err, size_t errlen)
{
	if (t->m[k].kind == ABSENT) {
		err_set(err, errlen, "'%s' missing", member_names[k]);
		return -1;
	}
	if (t->m[k].kind != STRING) {
		err_set(err, errlen, "'%s' is not a string", member_names[k]);
		return -1;
	}
	(void)jscan_string(&t->m[k].str, out, outlen);
	return 0;
}

/* "base", a known currency code, into base (DT_DATE_LEN bytes or more), or -1 with err set. */
static int
get_base(const struct top *t, char *base, size_t baselen, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	if (member_str(t, M_BASE, base, baselen, err, errlen) == -1)
		return -1;
	if (currency_find(base) == NULL) {
		buf_quote(q, sizeof(q), base, strlen(base));
		err_set(err, errlen, "'base' '%s': unknown currency", q);
		return -1;
	}
	return 0;
}

/* A scanner at the "rates" object's '{', or -1 with err set. */
static int
get_rates(const struct top *t, const char *body, size_t len, struct jscan *s, char *err, size_t errlen)
{
	const struct member *m = &t->m[M_RATES];

	if (m->first != JSCAN_OBJECT) {
		err_set(err, errlen, "%s", m->kind == ABSENT ? "'rates' missing" : "'rates' is not an object");
		return -1;
	}
	/* The first pass read this text to its end: nothing here can fail. */
	jscan_start(s, m->value, len - (size_t)(m->value - body));
	(void)jscan_next(s, NULL, 0);
	return 0;
}

/* Sets err for a rate that jscan_rate() refused. */
static void
rate_refused(enum jscan_rate_result got, const char *what, const char *code, char *err, size_t errlen)
{
	if (got == JSCAN_RATE_OUT_OF_RANGE)
		err_set(err, errlen, "%s.%s: outside 1e-12 .. 1e15", what, code);
	else if (got == JSCAN_RATE_TOO_PRECISE)
		err_set(err, errlen, "%s.%s: more than %d decimals or 38 digits (rates are kept digit for digit)",
		    what, code, DEC_MAX_SCALE);
	else
		err_set(err, errlen, "%s.%s: must be a number > 0", what, code);
}

/*
 * One day's {"USD":1.0512,…} object, whose '{' s has just read, to its '}',
 * into a finished snapshot, or NULL with err set.  what names the object in
 * messages: "rates" or "rates.2026-11-20" (quoted already).
 */
static struct rates *
one_day(struct jscan *s, const char *base, const char *date, const char *what, char *err, size_t errlen)
{
	/* A bit per three-letter code: a code given twice is refused even where rates_add() would skip it. */
	unsigned char seen[26 * 26 * 26 / 8 + 1];
	struct rates *r;
	enum jscan_token tok;

	if ((r = rates_new(base, date, err, errlen)) == NULL) {
		err_prefix(err, errlen, "%s", what);
		return NULL;
	}
	memset(seen, 0, sizeof(seen));
	while ((tok = jscan_next(s, err, errlen)) == JSCAN_KEY) {
		char code[8], q[BUF_QUOTE_LEN];
		size_t n = jscan_string(&s->str, code, sizeof(code));
		struct dec d;

		if (n >= sizeof(code) || !currency_code_ok(code)) {
			buf_quote(q, sizeof(q), code, n < sizeof(code) ? n : sizeof(code) - 1);
			err_set(err, errlen, "%s: code '%s%s' is not three letters A-Z", what, q,
			    n >= sizeof(code) ? "..." : "");
			goto fail;
		}
		unsigned bit = (unsigned)((code[0] - 'A') * 676 + (code[1] - 'A') * 26 + (code[2] - 'A'));
		if (seen[bit / 8] & (1u << (bit % 8))) {
			err_set(err, errlen, "%s.%s: listed twice (a duplicate key)", what, code);
			goto fail;
		}
		seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
		if ((tok = jscan_next(s, err, errlen)) != JSCAN_NUMBER) {
			rate_refused(JSCAN_RATE_NOT_POSITIVE, what, code, err, errlen);
			goto fail;
		}
		enum jscan_rate_result got = jscan_rate(s->tok, s->num_len, &d);
		if (got != JSCAN_RATE_OK) {
			rate_refused(got, what, code, err, errlen);
			goto fail;
		}
		enum rates_add_status added = rates_add(r, code, &d, err, errlen);
		if (added == RATES_REJECTED) {
			err_prefix(err, errlen, "%s.%s", what, code);
			goto fail;
		}
		if (added == RATES_SKIPPED)
			log_debug("%s.%s: not an ISO 4217 currency cconv knows; ignored", what, code);
	}
	/* The first pass read the text whole, so the day ends with its '}'. */
	if (tok != JSCAN_OBJECT_END)
		goto fail;
	if (rates_finish(r, err, errlen) == -1) {
		err_prefix(err, errlen, "%s", what);
		goto fail;
	}
	return r;
fail:
	rates_free(r);
	return NULL;
}

/* The one-day document's snapshot from its first pass. */
static struct rates *
parse_day(const struct top *t, const char *body, size_t len, char *err, size_t errlen)
{
	char base[16], date[32], q[BUF_QUOTE_LEN];
	struct jscan s;

	if (get_base(t, base, sizeof(base), err, errlen) == -1 ||
	    member_str(t, M_DATE, date, sizeof(date), err, errlen) == -1)
		return NULL;
	if (!dt_date_ok(date)) {
		buf_quote(q, sizeof(q), date, strlen(date));
		err_set(err, errlen, "'date' '%s': not a valid YYYY-MM-DD date", q);
		return NULL;
	}
	if (!dt_date_published_ok(date, (int64_t)time(NULL))) {
		err_set(err, errlen, "'date' '%s': in the future", date);
		return NULL;
	}
	if (get_rates(t, body, len, &s, err, errlen) == -1)
		return NULL;
	struct jscan peek = s;
	if (jscan_next(&peek, NULL, 0) == JSCAN_OBJECT_END) {
		err_set(err, errlen, "'rates' is empty");
		return NULL;
	}
	return one_day(&s, base, date, "rates", err, errlen);
}

int
fxjson_parse(const char *body, size_t len, struct rates **out, char *err, size_t errlen)
{
	struct top t;
	struct rates *r = NULL;
	char fetched[DT_ISO_LEN + 8];
	char *upstream = NULL;
	int64_t at;
	int rc = -1;

	*out = NULL;
	if (len > FXJSON_MAX_BODY) {
		err_set(err, errlen, "body larger than 1 MiB (%zu bytes)", len);
		goto out;
	}
	if (read_top(body, len, &t, err, errlen) == -1 || check_success(&t, err, errlen) == -1 ||
	    (r = parse_day(&t, body, len, err, errlen)) == NULL)
		goto out;
	/* Our own cache adds its provenance; a third-party body has none. */
	if (t.m[M_FETCHED_AT].kind != ABSENT) {
		if (t.m[M_FETCHED_AT].kind != STRING ||
		    jscan_string(&t.m[M_FETCHED_AT].str, fetched, sizeof(fetched)) >= sizeof(fetched) ||
		    dt_parse_iso8601(fetched, &at) == -1) {
			err_set(err, errlen, "'fetched_at' is not a YYYY-MM-DDTHH:MM:SSZ time");
			goto out;
		}
		const struct member *u = &t.m[M_UPSTREAM];
		/* Decoding never lengthens a string. */
		if (u->kind == STRING && (upstream = malloc(u->str.n + 1)) == NULL) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
		if (upstream != NULL)
			(void)jscan_string(&u->str, upstream, u->str.n + 1);
		if (rates_set_origin(r, at, upstream != NULL ? upstream : "") == -1) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	free(upstream);
	rates_free(r);
	return rc;
}

/* Hands r to the sink; 0, or -1 with the sink's message and *sink_failed set. */
static int
hand_on(const struct rates_sink *sink, struct rates *r, int *sink_failed, char *err, size_t errlen)
{
	int rc = sink->fn(sink->arg, &r, err, errlen);

	rates_free(r);
	if (rc == -1)
		*sink_failed = 1;
	return rc;
}

/* A time series' days, each to the sink; the messages of fxjson_parse_feed()
 * without the format's name. */
static int
read_series(const struct top *t, const char *body, size_t len, const struct rates_sink *sink, int *sink_failed,
    char *err, size_t errlen)
{
	char base[16], key[32], what[BUF_QUOTE_LEN + 8], q[BUF_QUOTE_LEN];
	struct jscan s;
	struct rates *r;
	enum jscan_token tok;
	size_t days = 0;

	if (get_base(t, base, sizeof(base), err, errlen) == -1 || get_rates(t, body, len, &s, err, errlen) == -1)
		return -1;
	while ((tok = jscan_next(&s, err, errlen)) == JSCAN_KEY) {
		size_t n = jscan_string(&s.str, key, sizeof(key));

		buf_quote(q, sizeof(q), key, n < sizeof(key) ? n : sizeof(key) - 1);
		snprintf(what, sizeof(what), "rates.%s", q);
		if (jscan_next(&s, err, errlen) != JSCAN_OBJECT) {
			err_set(err, errlen, "'%s' is not an object of rates (a time series has one per date)", what);
			return -1;
		}
		if (n >= sizeof(key) || !dt_date_ok(key)) {
			err_set(err, errlen, "%s: date '%s': not a valid YYYY-MM-DD date", what, q);
			return -1;
		}
		if ((r = one_day(&s, base, key, what, err, errlen)) == NULL ||
		    hand_on(sink, r, sink_failed, err, errlen) == -1)
			return -1;
		days++;
	}
	if (days == 0) {
		err_set(err, errlen, "'rates' is empty");
		return -1;
	}
	return 0;
}

int
fxjson_parse_feed(const char *body, size_t len, const struct rates_sink *sink, char *err, size_t errlen)
{
	struct top t;
	struct rates *r;
	int sink_failed = 0, rc = -1;

	/* "not JSON (…)" names the format already, and the sink's message is
	 * its own; every other reason is about a JSON document and says so once,
	 * in front. */
	if (read_top(body, len, &t, err, errlen) == -1)
		return -1;
	if (check_success(&t, err, errlen) == 0) {
		/* A time series has no "date" and an object of days for "rates". */
		if (t.m[M_DATE].kind != ABSENT)
			rc = (r = parse_day(&t, body, len, err, errlen)) == NULL ? -1 :
			    hand_on(sink, r, &sink_failed, err, errlen);
		else
			rc = read_series(&t, body, len, sink, &sink_failed, err, errlen);
	}
	if (rc == -1 && !sink_failed)
		err_prefix(err, errlen, "JSON");
	return rc;
}

int
fxjson_error_sentence(const char *body, size_t len, char *out, size_t outlen)
{
	struct jscan s;
	enum jscan_token tok;
	int found = 0;

	jscan_start(&s, body, len);
	if (jscan_next(&s, NULL, 0) != JSCAN_OBJECT)
		return -1;
	while ((tok = jscan_next(&s, NULL, 0)) == JSCAN_KEY) {
		int error = jscan_string_is(&s.str, "error");
		if ((tok = jscan_next(&s, NULL, 0)) == JSCAN_STRING && error && !found) {
			(void)jscan_string(&s.str, out, outlen);
			found = 1;
		}
		if (jscan_skip(&s, tok, NULL, 0) == -1)
			return -1;
	}
	return tok == JSCAN_OBJECT_END && jscan_next(&s, NULL, 0) == JSCAN_END && found ? 0 : -1;
}

static void
put_dec(struct buf *b, const struct dec *d)
{
	char text[DEC_STRLEN];
	size_t n = dec_format(d, text, sizeof(text));

	buf_append(b, text, n);
}

void
fxjson_render_amount(struct buf *b, const struct dec *amount)
{
	/* Frankfurter writes the amount as a float: 1.0, 100.0, 12.5. */
	if (amount == NULL)
		buf_puts(b, "1.0");
	else {
		struct dec a = *amount;
		dec_trim(&a);
		put_dec(b, &a);
		if (a.scale == 0)
			buf_puts(b, ".0");
	}
}

int
fxjson_render_rates(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const struct dec *amount)
{
	size_t n = to != NULL ? nto : rates_count(r);
	int first = 1;

	buf_puts(b, "{");
	for (size_t i = 0; i < n; i++) {
		const struct rate_entry *e = to != NULL ? to[i] : rates_at(r, i);
		struct dec v;
		if (to == NULL && e == base)
			continue;
		if (rates_cross(base, e, amount, &v) == -1)
			return -1;
		buf_printf(b, "%s\"%s\":", first ? "" : ",", e->cur->code);
		put_dec(b, &v);
		first = 0;
	}
	buf_puts(b, "}");
	return buf_failed(b) ? -1 : 0;
}

int
fxjson_render(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const struct dec *amount, int flags)
{
	buf_puts(b, "{\"amount\":");
	fxjson_render_amount(b, amount);
	buf_printf(b, ",\"base\":\"%s\",\"date\":\"%s\"", base->cur->code, rates_date(r));
	if (flags & FXJSON_ORIGIN) {
		char iso[DT_ISO_LEN];
		dt_iso8601(rates_fetched_at(r), iso);
		buf_printf(b, ",\"fetched_at\":\"%s\",\"upstream\":", iso);
		buf_json_str(b, rates_upstream(r), strlen(rates_upstream(r)));
	}
	buf_puts(b, ",\"rates\":");
	if (fxjson_render_rates(b, r, base, to, nto, amount) == -1)
		return -1;
	buf_puts(b, "}");
	return buf_failed(b) ? -1 : 0;
}

int
fxjson_render_conversion(struct buf *b, const struct conversion *c, const struct rates *r, int stale)
{
	char iso[DT_ISO_LEN];
	struct dec amount = c->amount;

	dec_trim(&amount);
	/* Every conversion the daemon answers passes here: plain appends, no
	 * format string to interpret. */
	dt_iso8601(rates_fetched_at(r), iso);
	buf_puts(b, "{\"from\":\"");
	buf_puts(b, c->from->code);
	buf_puts(b, "\",\"to\":\"");
	buf_puts(b, c->to->code);
	buf_puts(b, "\",\"amount\":");
	put_dec(b, &amount);
	buf_puts(b, ",\"rate\":");
	put_dec(b, &c->rate);
	buf_puts(b, ",\"result\":");
	put_dec(b, &c->result);
	buf_puts(b, ",\"date\":\"");
	buf_puts(b, rates_date(r));
	buf_puts(b, "\",\"fetched_at\":\"");
	buf_puts(b, iso);
	buf_puts(b, stale ? "\",\"stale\":true}" : "\",\"stale\":false}");
	return buf_failed(b) ? -1 : 0;
}
