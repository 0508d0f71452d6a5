/*
 * fxjson: Frankfurter / fixer.io JSON in and out.
 *
 * Reading uses jansson for the structure.  It hands numbers over as doubles,
 * which cannot hold every rate an upstream may write, so each rate is read
 * from its own text instead (jsonnum.h), digit for digit as in the ECB's XML
 * and CSV: jansson keeps an object's members in document order, so the k-th
 * number of a walk of the tree is the k-th number token of the text, and
 * each rate is checked against jansson's value before it is taken.  Writing
 * does not use jansson at all: its reals print with 17 significant digits and
 * would show binary noise, so numbers are written from exact decimals by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "fxjson.h"
#include "jsonnum.h"
#include "log.h"

/* Number tokens in v and everything inside it. */
static size_t
count_numbers(const json_t *v)
{
	const char *key;
	json_t *x;
	size_t n = 0, i;

	if (json_is_number(v))
		return 1;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, key, x)
			n += count_numbers(x);
	else if (json_is_array(v))
		json_array_foreach(v, i, x)
			n += count_numbers(x);
	return n;
}

/* Number tokens before obj's member `key` in document order. */
static size_t
numbers_before(const json_t *obj, const char *key)
{
	const char *k;
	json_t *x;
	size_t n = 0;

	json_object_foreach((json_t *)obj, k, x) {
		if (strcmp(k, key) == 0)
			break;
		n += count_numbers(x);
	}
	return n;
}

/*
 * The rate v, the index-th number of the text, exactly from that text.
 * JSONNUM_NOT_POSITIVE also stands for "not a number".  A token that does not
 * read as jansson's value (an integer without '.' or an exponent, a real to
 * the same double) would mean the walk lost its place: refused, never taken.
 */
static enum jsonnum_result
json_rate(const json_t *v, struct jsonnum_cursor *nums, size_t index, struct dec *out, int *lost)
{
	const char *s;
	size_t n;
	char copy[128];

	*lost = 0;
	if (!json_is_number(v))
		return JSONNUM_NOT_POSITIVE;
	if (jsonnum_token(nums, index, &s, &n) == -1) {
		*lost = 1;
		return JSONNUM_NOT_POSITIVE;
	}
	int real_text = memchr(s, '.', n) != NULL || memchr(s, 'e', n) != NULL || memchr(s, 'E', n) != NULL;
	if (real_text != json_is_real(v))
		*lost = 1;
	else if (n < sizeof(copy)) {
		memcpy(copy, s, n);
		copy[n] = '\0';
		*lost = json_is_real(v) ? strtod(copy, NULL) != json_real_value(v) :
		    strtoll(copy, NULL, 10) != json_integer_value(v);
	}
	if (*lost)
		return JSONNUM_NOT_POSITIVE;
	return jsonnum_rate(s, n, out);
}

/* The string member `key` of obj, or NULL with err set. */
static const char *
member_str(const json_t *obj, const char *key, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		err_set(err, errlen, "'%s' missing", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		err_set(err, errlen, "'%s' is not a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/* The body as JSON, or NULL with err "not JSON (line N: …)", a message that
 * names the format.  Caller json_decref()s. */
static json_t *
load_json(const char *body, size_t len, char *err, size_t errlen)
{
	json_t *root;
	json_error_t jerr;

	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		char q[BUF_QUOTE_LONG_LEN];	/* jansson's text quotes the body near the fault */
		buf_quote(q, sizeof(q), jerr.text, strlen(jerr.text));
		err_set(err, errlen, "not JSON (line %d: %s)", jerr.line, q);
	}
	return root;
}

/* 0 when root is an object and not fixer.io's way of reporting a failure in
 * a 200 answer; -1 with err set. */
static int
check_object(const json_t *root, char *err, size_t errlen)
{
	const json_t *v;

	if (!json_is_object(root)) {
		err_set(err, errlen, "not a JSON object");
		return -1;
	}
	if ((v = json_object_get(root, "success")) != NULL && json_is_false(v)) {
		const json_t *info = json_object_get(json_object_get(root, "error"), "info");
		char q[BUF_QUOTE_LONG_LEN] = "no reason given";
		if (json_is_string(info))
			buf_quote(q, sizeof(q), json_string_value(info), json_string_length(info));
		err_set(err, errlen, "upstream reported failure: %s", q);
		return -1;
	}
	return 0;
}

/* "base", a known currency code, or NULL with err set. */
static const char *
get_base(const json_t *root, char *err, size_t errlen)
{
	const char *base = member_str(root, "base", err, errlen);

	if (base != NULL && currency_find(base) == NULL) {
		char q[BUF_QUOTE_LEN];
		buf_quote(q, sizeof(q), base, strlen(base));
		err_set(err, errlen, "'base' '%s': unknown currency", q);
		return NULL;
	}
	return base;
}

/* The "rates" member as a non-empty object, or NULL with err set. */
static const json_t *
get_rates(const json_t *root, char *err, size_t errlen)
{
	const json_t *v = json_object_get(root, "rates");

	if (!json_is_object(v)) {
		err_set(err, errlen, "%s", v == NULL ? "'rates' missing" : "'rates' is not an object");
		return NULL;
	}
	if (json_object_size(v) == 0) {
		err_set(err, errlen, "'rates' is empty");
		return NULL;
	}
	return v;
}

/* One day's {"USD":1.0512,…} object into a finished snapshot, or NULL with
 * err set.  what names the object in messages: "rates" or "rates.2026-11-20";
 * its first member is the text's number `first` (nums). */
static struct rates *
one_day(const char *base, const char *date, const json_t *obj, struct jsonnum_cursor *nums, size_t first,
    const char *what, char *err, size_t errlen)
{
	struct rates *r;
	const char *code;
	json_t *rate;
	size_t i = 0;

	if ((r = rates_new(base, date, err, errlen)) == NULL) {
		err_prefix(err, errlen, "%s", what);
		return NULL;
	}
	json_object_foreach((json_t *)obj, code, rate) {
		struct dec d;
		if (!currency_code_ok(code)) {
			char q[BUF_QUOTE_LEN];
			buf_quote(q, sizeof(q), code, strlen(code));
			err_set(err, errlen, "%s: code '%s' is not three letters A-Z", what, q);
			goto fail;
		}
		/* Every member before this one was a number, or the day was refused. */
		int lost;
		enum jsonnum_result got = json_rate(rate, nums, first + i++, &d, &lost);
		if (lost) {
			err_set(err, errlen, "%s.%s: the number's text was not found (a parser fault)", what, code);
			goto fail;
		}
		if (got == JSONNUM_NOT_POSITIVE) {
			err_set(err, errlen, "%s.%s: must be a number > 0", what, code);
			goto fail;
		}
		if (got == JSONNUM_OUT_OF_RANGE) {
			err_set(err, errlen, "%s.%s: outside 1e-12 .. 1e15", what, code);
			goto fail;
		}
		if (got == JSONNUM_TOO_PRECISE) {
			err_set(err, errlen, "%s.%s: more than %d decimals or 38 digits (rates are kept digit for "
			    "digit)", what, code, DEC_MAX_SCALE);
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
	if (rates_finish(r, err, errlen) == -1) {
		err_prefix(err, errlen, "%s", what);
		goto fail;
	}
	return r;
fail:
	rates_free(r);
	return NULL;
}

/* The one-day document's snapshot from a loaded root; nums walks its text. */
static struct rates *
parse_day(const json_t *root, struct jsonnum_cursor *nums, char *err, size_t errlen)
{
	const char *base, *date;
	const json_t *obj;

	if ((base = get_base(root, err, errlen)) == NULL ||
	    (date = member_str(root, "date", err, errlen)) == NULL)
		return NULL;
	if (!dt_date_ok(date)) {
		char q[BUF_QUOTE_LEN];
		buf_quote(q, sizeof(q), date, strlen(date));
		err_set(err, errlen, "'date' '%s': not a valid YYYY-MM-DD date", q);
		return NULL;
	}
	if (!dt_date_published_ok(date, (int64_t)time(NULL))) {
		err_set(err, errlen, "'date' '%s': in the future", date);
		return NULL;
	}
	if ((obj = get_rates(root, err, errlen)) == NULL)
		return NULL;
	return one_day(base, date, obj, nums, numbers_before(root, "rates"), "rates", err, errlen);
}

int
fxjson_parse(const char *body, size_t len, struct rates **out, char *err, size_t errlen)
{
	json_t *root = NULL, *v;
	struct rates *r = NULL;
	struct jsonnum_cursor nums;
	int rc = -1;

	*out = NULL;
	jsonnum_start(&nums, body, len);
	if (len > FXJSON_MAX_BODY) {
		err_set(err, errlen, "body larger than 1 MiB (%zu bytes)", len);
		goto out;
	}
	if ((root = load_json(body, len, err, errlen)) == NULL || check_object(root, err, errlen) == -1 ||
	    (r = parse_day(root, &nums, err, errlen)) == NULL)
		goto out;
	/* Our own cache adds its provenance; a third-party body has none. */
	if ((v = json_object_get(root, "fetched_at")) != NULL) {
		int64_t t;
		if (!json_is_string(v) || dt_parse_iso8601(json_string_value(v), &t) == -1) {
			err_set(err, errlen, "'fetched_at' is not a YYYY-MM-DDTHH:MM:SSZ time");
			goto out;
		}
		v = json_object_get(root, "upstream");
		if (rates_set_origin(r, t, json_is_string(v) ? json_string_value(v) : "") == -1) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	rates_free(r);
	json_decref(root);
	return rc;
}

/* One day or a time series from a loaded document, in document order; the
 * messages of fxjson_parse_feed() without the format's name.  nums walks the
 * document's text. */
static int
read_days(const json_t *root, struct jsonnum_cursor *nums, struct rates ***out, size_t *n, char *err,
    size_t errlen)
{
	const json_t *obj, *day;
	const char *base, *date;
	struct rates **v = NULL, *r = NULL;
	size_t nv = 0, cap = 0, at;
	int rc = -1;

	if (check_object(root, err, errlen) == -1)
		goto out;
	/* A time series has no "date" and an object of days for "rates". */
	if (json_object_get(root, "date") != NULL) {
		if ((r = parse_day(root, nums, err, errlen)) == NULL)
			goto out;
		if (rates_vec_append(&v, &nv, &cap, r) == -1) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
		r = NULL;
	} else {
		if ((base = get_base(root, err, errlen)) == NULL || (obj = get_rates(root, err, errlen)) == NULL)
			goto out;
		at = numbers_before(root, "rates");
		json_object_foreach((json_t *)obj, date, day) {
			char what[32], q[BUF_QUOTE_LEN];

			buf_quote(q, sizeof(q), date, strlen(date));
			snprintf(what, sizeof(what), "rates.%.16s", q);
			if (!json_is_object(day)) {
				err_set(err, errlen, "'%s' is not an object of rates (a time series has one per date)",
				    what);
				goto out;
			}
			if ((r = one_day(base, date, day, nums, at, what, err, errlen)) == NULL)
				goto out;
			at += json_object_size(day);	/* a day taken is numbers only */
			if (rates_vec_append(&v, &nv, &cap, r) == -1) {
				err_set(err, errlen, "more than %d dates, or out of memory", RATES_VEC_MAX);
				goto out;
			}
			r = NULL;
		}
	}
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
	rc = 0;
out:
	rates_free(r);
	rates_vec_free(v, nv);
	return rc;
}

int
fxjson_parse_feed(const char *body, size_t len, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	json_t *root;
	struct jsonnum_cursor nums;
	int rc;

	*out = NULL;
	*n = 0;
	jsonnum_start(&nums, body, len);
	/* "not JSON (…)" names the format already; every other reason is
	 * about a JSON document and says so once, in front. */
	if ((root = load_json(body, len, err, errlen)) == NULL)
		return -1;
	if ((rc = read_days(root, &nums, out, n, err, errlen)) == -1)
		err_prefix(err, errlen, "JSON");
	json_decref(root);
	return rc;
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
