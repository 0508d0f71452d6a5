/*
 * fxv2: Frankfurter v2's records, grouped into one snapshot per date.
 *
 * A v2 document holds one record per rate, and nothing says in advance how
 * its dates are laid out: a range answer is sorted by date (a day is complete
 * once the next date starts), a latest answer by quote, its dates mixed.  So
 * the text is read twice, as fxjson reads its own.  The first reading checks
 * the whole text as JSON and every record's shape, and notes for each date
 * the number of its last record (4 bytes and a count a date, RATES_VEC_MAX
 * dates at most).  The second builds the snapshots and hands each date on as
 * soon as its last record is read and every older date has gone before it:
 * oldest first, whatever the order, holding only the dates still open, which
 * for a date-sorted range is one.  A text that is not JSON, or a record that
 * lacks a field, is thus refused before any day is handed on.
 *
 * Rates are read from their text (jscan_rate()); text from the document that
 * reaches a message is quoted with buf_quote().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dt.h"
#include "err.h"
#include "feed.h"
#include "fxv2.h"
#include "jscan.h"

#define FORMAT "Frankfurter v2"

/* One record as read and checked. */
struct record {
	char date[DT_DATE_LEN];
	int32_t day;			/* dt_date_days(date) */
	char quote[4];
	struct dec rate;
	int identity;			/* quote == base */
};

/* The records of a document, one at a time, from either form. */
struct records {
	const char *body, *end;
	int ndjson;
	struct jscan s;		/* the array: the whole text; NDJSON: the current line */
	const char *next_line;	/* NDJSON: where the next line starts */
	unsigned line;		/* NDJSON: the current line's number */
	size_t n;		/* records read so far: the current one's number */
	char base[4];		/* the first record's, which every other must name */
};

enum field { F_DATE, F_BASE, F_QUOTE, F_RATE, F_COUNT };
static const char *const field_names[F_COUNT] = { "date", "base", "quote", "rate" };

static void
not_json(const char *why, char *err, size_t errlen)
{
	err_set(err, errlen, FORMAT ": not JSON (%s)", why);
}

/* A reason about the current record: "Frankfurter v2 record 12: …". */
static int __attribute__((format(printf, 4, 5)))
bad(const struct records *rs, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, errlen, fmt, ap);
	va_end(ap);
	err_prefix(err, errlen, FORMAT " record %zu", rs->n);
	return -1;
}

/* A string field decoded into out (outlen bytes), quoted into q for a
 * message; 0, or -1 when it does not fit. */
static int
field_text(const struct jscan_str *t, char *out, size_t outlen, char q[BUF_QUOTE_LEN])
{
	size_t n = jscan_string(t, out, outlen);

	buf_quote(q, BUF_QUOTE_LEN, out, n < outlen ? n : outlen - 1);
	return n < outlen ? 0 : -1;
}

/* The fields of a record whose '{' s has just read, to its '}'. */
static int
read_fields(struct records *rs, struct record *rec, char *err, size_t errlen)
{
	static const struct dec one = { 1, 0 };
	struct jscan *s = &rs->s;
	struct jscan_str str[F_RATE];
	const char *num = NULL;
	size_t num_len = 0;
	int seen[F_COUNT] = { 0 };
	enum jscan_token tok;
	char why[192], base[8], q[BUF_QUOTE_LEN];

	while ((tok = jscan_next(s, why, sizeof(why))) == JSCAN_KEY) {
		int k = 0;

		while (k < F_COUNT && !jscan_string_is(&s->str, field_names[k]))
			k++;
		if (k < F_COUNT && seen[k]++)
			return bad(rs, err, errlen, "'%s' given twice", field_names[k]);
		if ((tok = jscan_next(s, why, sizeof(why))) == JSCAN_ERROR)
			break;
		if (k < F_RATE && tok != JSCAN_STRING)
			return bad(rs, err, errlen, "'%s' is not a string", field_names[k]);
		if (k < F_RATE)
			str[k] = s->str;
		else if (k == F_RATE) {
			if (tok != JSCAN_NUMBER)
				return bad(rs, err, errlen, "'rate' is not a number");
			num = s->tok;
			num_len = s->num_len;
		} else if (jscan_skip(s, tok, why, sizeof(why)) == -1)
			break;
	}
	if (tok != JSCAN_OBJECT_END) {
		not_json(why, err, errlen);
		return -1;
	}
	for (int k = 0; k < F_COUNT; k++)
		if (!seen[k])
			return bad(rs, err, errlen, "'%s' missing", field_names[k]);
	if (field_text(&str[F_DATE], rec->date, sizeof(rec->date), q) == -1 || !dt_date_ok(rec->date))
		return bad(rs, err, errlen, "'date' '%s': not a valid YYYY-MM-DD date", q);
	rec->day = (int32_t)dt_date_days(rec->date);
	if (field_text(&str[F_BASE], base, sizeof(base), q) == -1 || currency_find(base) == NULL)
		return bad(rs, err, errlen, "'base' '%s': unknown currency", q);
	if (rs->base[0] == '\0')
		memcpy(rs->base, base, sizeof(rs->base));
	else if (strcmp(base, rs->base) != 0)
		return bad(rs, err, errlen, "'base' %s differs from the first record's %s (a document has one base)",
		    base, rs->base);
	if (field_text(&str[F_QUOTE], rec->quote, sizeof(rec->quote), q) == -1 || !currency_code_ok(rec->quote))
		return bad(rs, err, errlen, "'quote' '%s': not three letters A-Z", q);
	enum jscan_rate_result got = jscan_rate(num, num_len, &rec->rate);
	if (got != JSCAN_RATE_OK) {
		jscan_rate_refusal(got, why, sizeof(why));
		return bad(rs, err, errlen, "%s %s: %s", rec->date, rec->quote, why);
	}
	rec->identity = strcmp(rec->quote, rs->base) == 0;
	if (rec->identity && dec_cmp(&rec->rate, &one) != 0)
		return bad(rs, err, errlen, "%s %s: the base currency must have rate 1", rec->date, rec->quote);
	return 0;
}

static void
records_start(struct records *rs, const char *body, size_t len)
{
	memset(rs, 0, sizeof(*rs));
	rs->body = rs->next_line = body;
	rs->end = body + len;
	rs->ndjson = len == 0 || body[0] != '[';
	if (!rs->ndjson)
		jscan_start(&rs->s, body, len);
}

/* The next line of NDJSON that is not blank, started in rs->s; 0 at the end. */
static int
next_ndjson_line(struct records *rs)
{
	while (rs->next_line < rs->end) {
		const char *p = rs->next_line, *nl = memchr(p, '\n', (size_t)(rs->end - p));
		const char *stop = nl != NULL ? nl : rs->end;

		rs->next_line = nl != NULL ? nl + 1 : rs->end;
		rs->line++;
		while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < stop) {
			jscan_start_at(&rs->s, p, (size_t)(stop - p), rs->line);
			return 1;
		}
	}
	return 0;
}

/* The next record into rec: 1, 0 at the end of the document, -1 with err set. */
static int
records_next(struct records *rs, struct record *rec, char *err, size_t errlen)
{
	enum jscan_token tok;
	char why[192];

	if (rs->ndjson) {
		if (!next_ndjson_line(rs))
			return 0;
	} else if (rs->n == 0 && jscan_next(&rs->s, why, sizeof(why)) != JSCAN_ARRAY) {
		not_json(why, err, errlen);
		return -1;
	}
	tok = jscan_next(&rs->s, why, sizeof(why));
	if (tok == JSCAN_ARRAY_END && !rs->ndjson) {
		if (jscan_next(&rs->s, why, sizeof(why)) == JSCAN_END)
			return 0;
		tok = JSCAN_ERROR;
	}
	if (tok == JSCAN_ERROR) {
		not_json(why, err, errlen);
		return -1;
	}
	rs->n++;
	if (tok != JSCAN_OBJECT)
		return bad(rs, err, errlen, "not an object");
	memset(rec, 0, sizeof(*rec));
	if (read_fields(rs, rec, err, errlen) == -1)
		return -1;
	/* One record a line. */
	if (rs->ndjson && jscan_next(&rs->s, why, sizeof(why)) != JSCAN_END) {
		not_json(why, err, errlen);
		return -1;
	}
	return 1;
}

/* A date of the document: its last record's number, and its snapshot while open. */
struct day {
	int32_t day;
	size_t last;
	struct rates *r;
};

struct plan {
	struct day *d;		/* sorted by day */
	size_t n, cap;
	size_t next;		/* d[0..next) were handed on */
};

/* The index of day in p, or where it would go. */
static size_t
find_day(const struct plan *p, int32_t day)
{
	size_t lo = 0, hi = p->n;

	/* Most records belong to the newest date seen: try the end first. */
	if (p->n > 0 && p->d[p->n - 1].day == day)
		return p->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->d[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Notes that record rs->n is of rec's date. */
static int
plan_note(struct plan *p, const struct records *rs, const struct record *rec, char *err, size_t errlen)
{
	size_t i = find_day(p, rec->day);

	if (i < p->n && p->d[i].day == rec->day) {
		p->d[i].last = rs->n;
		return 0;
	}
	if (p->n == RATES_VEC_MAX) {
		err_set(err, errlen, FORMAT ": more than %d dates", RATES_VEC_MAX);
		return -1;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap > 0 ? p->cap * 2 : 16;
		struct day *grown = reallocarray(p->d, cap, sizeof(*grown));
		if (grown == NULL) {
			err_set(err, errlen, FORMAT ": out of memory");
			return -1;
		}
		p->d = grown;
		p->cap = cap;
	}
	memmove(&p->d[i + 1], &p->d[i], (p->n - i) * sizeof(*p->d));
	p->d[i].day = rec->day;
	p->d[i].last = rs->n;
	p->d[i].r = NULL;
	p->n++;
	return 0;
}

/* The first reading: the whole text, every record's shape, the dates. */
static int
read_plan(const char *body, size_t len, struct plan *p, char *err, size_t errlen)
{
	struct records rs;
	struct record rec;
	int got;

	records_start(&rs, body, len);
	while ((got = records_next(&rs, &rec, err, errlen)) == 1)
		if (!rec.identity && plan_note(p, &rs, &rec, err, errlen) == -1)
			return -1;
	if (got == -1)
		return -1;
	if (p->n == 0) {
		err_set(err, errlen, FORMAT ": %s", rs.n == 0 ? "no records" : "no record but the base's own");
		return -1;
	}
	return 0;
}

/*
 * Hands on every date whose records are all read (through record number
 * done) and which every older date has gone before.  A date whose every
 * record was skipped is dropped.  0, or -1 with the sink's message.
 */
static int
hand_on_done(struct plan *p, size_t done, const struct rates_sink *sink, size_t *handed, char *err, size_t errlen)
{
	while (p->next < p->n && p->d[p->next].last <= done) {
		struct rates *r = p->d[p->next].r;
		int rc = 0;

		p->d[p->next++].r = NULL;
		if (rates_count(r) > 1) {
			/* It holds a rate besides the pivot: sealing cannot fail. */
			(void)rates_finish(r, NULL, 0);
			rc = sink->fn(sink->arg, &r, err, errlen);
			(*handed)++;
		}
		rates_free(r);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
fxv2_parse_feed(const char *body, size_t len, const struct rates_sink *sink, struct codeset *skipped, char *err,
    size_t errlen)
{
	struct plan p = { NULL, 0, 0, 0 };
	struct records rs;
	struct record rec;
	size_t handed = 0;
	int got, rc = -1;
	char why[192];

	if (read_plan(body, len, &p, err, errlen) == -1)
		goto out;
	/* The second reading: the text and every record passed the first. */
	records_start(&rs, body, len);
	while ((got = records_next(&rs, &rec, err, errlen)) == 1) {
		if (!rec.identity) {
			struct day *d = &p.d[find_day(&p, rec.day)];

			if (d->r == NULL && (d->r = rates_new(rs.base, rec.date, err, errlen)) == NULL) {
				err_prefix(err, errlen, FORMAT);
				goto out;
			}
			if (feed_add_rate(d->r, rec.quote, &rec.rate, skipped, why, sizeof(why)) == RATES_REJECTED) {
				(void)bad(&rs, err, errlen, "%s %s: %s", rec.date, rec.quote, why);
				goto out;
			}
		}
		if (hand_on_done(&p, rs.n, sink, &handed, err, errlen) == -1)
			goto out;
	}
	if (got == -1)
		goto out;
	if (handed == 0) {
		err_set(err, errlen, FORMAT ": no rate for any known currency besides the base");
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < p.n; i++)
		rates_free(p.d[i].r);
	free(p.d);
	return rc;
}

int
fxv2_is_ndjson(const char *body, size_t len)
{
	struct jscan s;
	enum jscan_token tok;

	jscan_start(&s, body, len);
	if (jscan_next(&s, NULL, 0) != JSCAN_OBJECT)
		return 0;
	while (jscan_next(&s, NULL, 0) == JSCAN_KEY) {
		if (jscan_string_is(&s.str, "quote"))
			return 1;
		tok = jscan_next(&s, NULL, 0);
		if (tok == JSCAN_OBJECT || jscan_skip(&s, tok, NULL, 0) == -1)
			return 0;
	}
	return 0;
}
