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

#include "codeset.h"
#include "err.h"
#include "feed.h"
#include "fxjson.h"
#include "jscan.h"
#include "url.h"

#define FXJSON_INFO_MAX 256	/* bytes of a fixer error's "info" kept for the message */

enum kind { ABSENT, STRING, OTHER };

/* A top-level member the readers use: where its value is, and its type. */
struct member {
	enum kind kind;
	struct jscan_str str;		/* the value, when a string */
	const char *value;		/* the value's first byte */
	enum jscan_token first;		/* the value's first token */
};

enum { M_BASE, M_DATE, M_RATES, M_SUCCESS, M_ERROR, M_FETCHED_AT, M_UPSTREAM, M_DATES, M_SOURCES, M_COUNT };
static const char *const member_names[M_COUNT] = {
	"base", "date", "rates", "success", "error", "fetched_at", "upstream", "dates", "sources",
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
	jscan_rate_refusal(got, err, errlen);
	err_prefix(err, errlen, "%s.%s", what, code);
}

/* A rate's own date or source, where a one-day document names it ("dates",
 * the cache's "sources"): code as its index among three-letter codes. */
struct note {
	unsigned code;
	char date[DT_DATE_LEN];	/* "": the document's date */
	unsigned src;
};

/* What a one-day document says beyond its rates: where the members naming
 * each rate's date and source are, and its source 0.  No member: ABSENT. */
struct prov {
	const struct member *dates, *sources;
	const char *dates_what;	/* the dates object in messages: "dates", "dates.2026-11-20" */
	const char *body;
	size_t len;
	int64_t fetched_at;	/* source 0, when upstream is not NULL */
	const char *upstream;
};

struct notes {
	struct note *v;
	size_t n, cap;
};

static unsigned
code_index(const char *code)
{
	return (unsigned)((code[0] - 'A') * 676 + (code[1] - 'A') * 26 + (code[2] - 'A'));
}

static struct note *
note_find(const struct notes *ns, unsigned code)
{
	for (size_t i = 0; i < ns->n; i++) {
		if (ns->v[i].code == code)
			return &ns->v[i];
	}
	return NULL;
}

/* The note for code, made when there is none; NULL when out of memory. */
static struct note *
note_get(struct notes *ns, unsigned code)
{
	struct note *p = note_find(ns, code);

	if (p != NULL)
		return p;
	if (ns->n == ns->cap) {
		size_t cap = ns->cap > 0 ? ns->cap * 2 : 64;
		if ((p = reallocarray(ns->v, cap, sizeof(*p))) == NULL)
			return NULL;
		ns->v = p;
		ns->cap = cap;
	}
	p = &ns->v[ns->n++];
	memset(p, 0, sizeof(*p));
	p->code = code;
	return p;
}

/* A scanner at member m's value, which the first pass read whole. */
static void
at_member(const struct prov *pv, const struct member *m, struct jscan *s)
{
	jscan_start(s, m->value, pv->len - (size_t)(m->value - pv->body));
	(void)jscan_next(s, NULL, 0);
}

/* The key just read as a code into code[4], or -1 with err set. */
static int
note_key(const struct jscan *s, const char *what, char code[4], char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN], text[8];
	size_t n = jscan_string(&s->str, text, sizeof(text));

	if (n >= sizeof(text) || !currency_code_ok(text)) {
		buf_quote(q, sizeof(q), text, n < sizeof(text) ? n : sizeof(text) - 1);
		err_set(err, errlen, "%s: code '%s' is not three letters A-Z", what, q);
		return -1;
	}
	memcpy(code, text, 4);
	return 0;
}

/* "dates":{"AED":"2026-11-27",…} into ns; 0, or -1 with err set. */
static int
read_dates(const struct prov *pv, struct notes *ns, char *err, size_t errlen)
{
	struct jscan s;
	enum jscan_token tok;
	char code[4], date[16], q[BUF_QUOTE_LEN];
	struct note *nt;

	if (pv->dates->first != JSCAN_OBJECT) {
		err_set(err, errlen, "'%s' is not an object", pv->dates_what);
		return -1;
	}
	at_member(pv, pv->dates, &s);
	while ((tok = jscan_next(&s, NULL, 0)) == JSCAN_KEY) {
		if (note_key(&s, pv->dates_what, code, err, errlen) == -1)
			return -1;
		tok = jscan_next(&s, NULL, 0);
		size_t n = tok == JSCAN_STRING ? jscan_string(&s.str, date, sizeof(date)) : 0;
		if (tok != JSCAN_STRING || n >= sizeof(date) || !dt_date_ok(date)) {
			buf_quote(q, sizeof(q), date, tok == JSCAN_STRING && n < sizeof(date) ? n : 0);
			err_set(err, errlen, "%s.%s '%s': not a valid YYYY-MM-DD date", pv->dates_what, code, q);
			return -1;
		}
		if ((nt = note_get(ns, code_index(code))) == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
		if (nt->date[0] != '\0') {
			err_set(err, errlen, "%s.%s: listed twice (a duplicate key)", pv->dates_what, code);
			return -1;
		}
		memcpy(nt->date, date, DT_DATE_LEN);
	}
	return 0;
}

/* One {"upstream":…,"fetched_at":…} of "sources" as a source of r: the
 * index of the same one already there, or of a new one; -1 with err set. */
static int
read_source(struct jscan *s, struct rates *r, const char *code, char *err, size_t errlen)
{
	char upstream[URL_SHOWN_LEN], fetched[DT_ISO_LEN + 8];
	int have_up = 0, have_at = 0;
	int64_t at = 0;
	enum jscan_token tok;

	if (jscan_next(s, NULL, 0) != JSCAN_OBJECT) {
		err_set(err, errlen, "sources.%s is not an object", code);
		return -1;
	}
	while ((tok = jscan_next(s, NULL, 0)) == JSCAN_KEY) {
		int is_up = jscan_string_is(&s->str, "upstream"), is_at = jscan_string_is(&s->str, "fetched_at");

		tok = jscan_next(s, NULL, 0);
		if (is_up && tok == JSCAN_STRING &&
		    jscan_string(&s->str, upstream, sizeof(upstream)) < sizeof(upstream))
			have_up = 1;
		else if (is_at && tok == JSCAN_STRING &&
		    jscan_string(&s->str, fetched, sizeof(fetched)) < sizeof(fetched) &&
		    dt_parse_iso8601(fetched, &at) == 0)
			have_at = 1;
		else if (is_up || is_at) {
			err_set(err, errlen, "sources.%s.%s: not %s", code, is_up ? "upstream" : "fetched_at",
			    is_up ? "a URL" : "a YYYY-MM-DDTHH:MM:SSZ time");
			return -1;
		}
		(void)jscan_skip(s, tok, NULL, 0);
	}
	if (!have_up || !have_at) {
		err_set(err, errlen, "sources.%s: '%s' missing", code, have_up ? "fetched_at" : "upstream");
		return -1;
	}
	for (size_t i = 0; i < rates_nsources(r); i++) {
		const struct rates_source *x = rates_source(r, (unsigned)i);
		if (x->fetched_at == at && strcmp(x->upstream, upstream) == 0)
			return (int)i;
	}
	return rates_add_source(r, upstream, at, 0, err, errlen);
}

/* "sources":{"AED":{…},…} into ns and r's sources; 0, or -1 with err set. */
static int
read_sources(const struct prov *pv, struct rates *r, struct notes *ns, char *err, size_t errlen)
{
	struct jscan s;
	char code[4];
	struct note *nt;
	int src;

	if (pv->sources->first != JSCAN_OBJECT) {
		err_set(err, errlen, "'sources' is not an object");
		return -1;
	}
	at_member(pv, pv->sources, &s);
	while (jscan_next(&s, NULL, 0) == JSCAN_KEY) {
		if (note_key(&s, "sources", code, err, errlen) == -1 ||
		    (src = read_source(&s, r, code, err, errlen)) == -1)
			return -1;
		if ((nt = note_get(ns, code_index(code))) == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
		if (nt->src != 0) {
			err_set(err, errlen, "sources.%s: listed twice (a duplicate key)", code);
			return -1;
		}
		nt->src = (unsigned)src;
	}
	return 0;
}

/* Source 0 and the notes of pv for the snapshot r; 0, or -1 with err set. */
static int
read_prov(const struct prov *pv, struct rates *r, struct notes *ns, char *err, size_t errlen)
{
	if (pv->upstream != NULL && rates_set_origin(r, pv->fetched_at, pv->upstream) == -1) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	if (pv->dates->kind != ABSENT && read_dates(pv, ns, err, errlen) == -1)
		return -1;
	if (pv->sources != NULL && pv->sources->kind != ABSENT && read_sources(pv, r, ns, err, errlen) == -1)
		return -1;
	return 0;
}

/*
 * One day's {"USD":1.0512,…} object, whose '{' s has just read, to its '}',
 * into a finished snapshot, or NULL with err set.  what names the object in
 * messages: "rates" or "rates.2026-11-20" (quoted already).  pv (NULL: none)
 * names rates' own dates and sources; each note must be of a listed rate.
 */
static struct rates *
one_day(struct jscan *s, const char *base, const char *date, const char *what, const struct prov *pv,
    struct codeset *skipped, char *err, size_t errlen)
{
	/* A bit per three-letter code: a code given twice is refused even where rates_add() would skip it. */
	unsigned char seen[26 * 26 * 26 / 8 + 1];
	struct notes ns = { NULL, 0, 0 };
	struct rates *r;
	enum jscan_token tok;

	if ((r = rates_new(base, date, err, errlen)) == NULL) {
		err_prefix(err, errlen, "%s", what);
		return NULL;
	}
	if (pv != NULL && read_prov(pv, r, &ns, err, errlen) == -1)
		goto fail;
	memset(seen, 0, sizeof(seen));
	while ((tok = jscan_next(s, err, errlen)) == JSCAN_KEY) {
		char code[8], q[BUF_QUOTE_LEN];
		size_t n = jscan_string(&s->str, code, sizeof(code));
		const struct note *nt;
		struct dec d;

		if (n >= sizeof(code) || !currency_code_ok(code)) {
			buf_quote(q, sizeof(q), code, n < sizeof(code) ? n : sizeof(code) - 1);
			err_set(err, errlen, "%s: code '%s%s' is not three letters A-Z", what, q,
			    n >= sizeof(code) ? "..." : "");
			goto fail;
		}
		unsigned bit = code_index(code);
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
		nt = note_find(&ns, bit);
		enum rates_add_status added = rates_add_obs(r, code, &d,
		    nt != NULL && nt->date[0] != '\0' ? nt->date : date, nt != NULL ? nt->src : 0, err, errlen);
		if (added == RATES_REJECTED) {
			/* The rate is good by rates_add(): its note is not. */
			if (nt != NULL && nt->date[0] != '\0' && strcmp(nt->date, date) > 0)
				err_set(err, errlen, "dated %s, after 'date'", nt->date);
			err_prefix(err, errlen, "%s.%s", what, code);
			goto fail;
		}
		feed_note_skipped(skipped, added, code);
	}
	/* The first pass read the text whole, so the day ends with its '}'. */
	if (tok != JSCAN_OBJECT_END)
		goto fail;
	for (size_t i = 0; i < ns.n; i++) {
		unsigned c = ns.v[i].code;
		if (!(seen[c / 8] & (1u << (c % 8)))) {
			err_set(err, errlen, "%s: %c%c%c has no rate in '%s'", ns.v[i].date[0] != '\0' ?
			    pv->dates_what : "sources", 'A' + c / 676, 'A' + c / 26 % 26, 'A' + c % 26, what);
			goto fail;
		}
	}
	if (rates_finish(r, err, errlen) == -1) {
		err_prefix(err, errlen, "%s", what);
		goto fail;
	}
	free(ns.v);
	return r;
fail:
	free(ns.v);
	rates_free(r);
	return NULL;
}

/* The one-day document's snapshot from its first pass; pv as one_day()'s,
 * its dates member always t's. */
static struct rates *
parse_day(const struct top *t, const char *body, size_t len, struct prov *pv, struct codeset *skipped,
    char *err, size_t errlen)
{
	char base[16], date[32], q[BUF_QUOTE_LEN];
	struct prov none = { NULL, NULL, NULL, NULL, 0, 0, NULL };
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
	if (pv == NULL)
		pv = &none;
	pv->dates = &t->m[M_DATES];
	pv->dates_what = "dates";
	pv->body = body;
	pv->len = len;
	return one_day(&s, base, date, "rates", pv, skipped, err, errlen);
}

int
fxjson_parse(const char *body, size_t len, struct rates **out, char *err, size_t errlen)
{
	struct top t;
	struct rates *r = NULL;
	struct prov pv;
	char fetched[DT_ISO_LEN + 8];
	char *upstream = NULL;
	int bad_fetched = 0, rc = -1;

	*out = NULL;
	memset(&pv, 0, sizeof(pv));
	if (len > FXJSON_MAX_BODY) {
		err_set(err, errlen, "body larger than 1 MiB (%zu bytes)", len);
		goto out;
	}
	if (read_top(body, len, &t, err, errlen) == -1 || check_success(&t, err, errlen) == -1)
		goto out;
	/* Our own cache adds its provenance; a third-party body has none.  The
	 * day's own rules are told first, a bad fetch time after them. */
	if (t.m[M_FETCHED_AT].kind != ABSENT && (t.m[M_FETCHED_AT].kind != STRING ||
	    jscan_string(&t.m[M_FETCHED_AT].str, fetched, sizeof(fetched)) >= sizeof(fetched) ||
	    dt_parse_iso8601(fetched, &pv.fetched_at) == -1))
		bad_fetched = 1;
	else if (t.m[M_FETCHED_AT].kind != ABSENT) {
		const struct member *u = &t.m[M_UPSTREAM];
		/* Decoding never lengthens a string. */
		if ((upstream = malloc(u->kind == STRING ? u->str.n + 1 : 1)) == NULL) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
		upstream[0] = '\0';
		if (u->kind == STRING)
			(void)jscan_string(&u->str, upstream, u->str.n + 1);
		pv.upstream = upstream;
		pv.sources = &t.m[M_SOURCES];
	}
	if ((r = parse_day(&t, body, len, &pv, NULL, err, errlen)) == NULL)
		goto out;
	if (bad_fetched) {
		err_set(err, errlen, "'fetched_at' is not a YYYY-MM-DDTHH:MM:SSZ time");
		goto out;
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

/* A day of a time series' "dates" object: where its own object is. */
struct day_at {
	char date[DT_DATE_LEN];
	const char *value;
	int used;
};

static int
day_cmp(const void *a, const void *b)
{
	return strcmp(((const struct day_at *)a)->date, ((const struct day_at *)b)->date);
}

/* A series' "dates":{"2026-11-20":{"AED":"2026-11-19"},…} as its days,
 * sorted; *v NULL and *n 0 when it has none.  0, or -1 with err set. */
static int
index_days(const struct top *t, const char *body, size_t len, struct day_at **v, size_t *n, char *err,
    size_t errlen)
{
	const struct member *m = &t->m[M_DATES];
	struct jscan s;
	size_t cap = 0;
	char key[32], q[BUF_QUOTE_LEN];

	*v = NULL;
	*n = 0;
	if (m->kind == ABSENT)
		return 0;
	if (m->first != JSCAN_OBJECT) {
		err_set(err, errlen, "'dates' is not an object");
		return -1;
	}
	jscan_start(&s, m->value, len - (size_t)(m->value - body));
	(void)jscan_next(&s, NULL, 0);
	while (jscan_next(&s, NULL, 0) == JSCAN_KEY) {
		size_t kn = jscan_string(&s.str, key, sizeof(key));
		enum jscan_token tok = jscan_next(&s, NULL, 0);

		buf_quote(q, sizeof(q), key, kn < sizeof(key) ? kn : sizeof(key) - 1);
		if (kn >= sizeof(key) || !dt_date_ok(key) || tok != JSCAN_OBJECT) {
			err_set(err, errlen, "dates.%s: not a YYYY-MM-DD date with an object of dates", q);
			return -1;
		}
		if (*n == cap) {
			struct day_at *p = reallocarray(*v, cap > 0 ? cap * 2 : 16, sizeof(*p));
			if (p == NULL) {
				err_set(err, errlen, "out of memory");
				return -1;
			}
			*v = p;
			cap = cap > 0 ? cap * 2 : 16;
		}
		memcpy((*v)[*n].date, key, DT_DATE_LEN);
		(*v)[*n].value = s.tok;
		(*v)[(*n)++].used = 0;
		(void)jscan_skip(&s, tok, NULL, 0);
	}
	qsort(*v, *n, sizeof(**v), day_cmp);
	for (size_t i = 1; i < *n; i++) {
		if (strcmp((*v)[i].date, (*v)[i - 1].date) == 0) {
			err_set(err, errlen, "dates.%s: listed twice (a duplicate key)", (*v)[i].date);
			return -1;
		}
	}
	return 0;
}

/* A time series' days, each to the sink; the messages of fxjson_parse_feed()
 * without the format's name.  Each day's "dates" are its rates' own. */
static int
read_series(const struct top *t, const char *body, size_t len, const struct rates_sink *sink, int *sink_failed,
    struct codeset *skipped, char *err, size_t errlen)
{
	char base[16], key[32], what[BUF_QUOTE_LEN + 8], q[BUF_QUOTE_LEN], dwhat[DT_DATE_LEN + 8];
	const struct member absent = { ABSENT, { NULL, 0, 0 }, NULL, JSCAN_ERROR };
	struct member day_dates = { OTHER, { NULL, 0, 0 }, NULL, JSCAN_OBJECT };
	struct prov pv = { NULL, NULL, dwhat, body, len, 0, NULL };
	struct day_at *dv = NULL, *at, probe;
	struct jscan s;
	struct rates *r;
	enum jscan_token tok;
	size_t days = 0, ndv = 0;
	int rc = -1;

	if (get_base(t, base, sizeof(base), err, errlen) == -1 || get_rates(t, body, len, &s, err, errlen) == -1 ||
	    index_days(t, body, len, &dv, &ndv, err, errlen) == -1)
		goto out;
	while ((tok = jscan_next(&s, err, errlen)) == JSCAN_KEY) {
		size_t n = jscan_string(&s.str, key, sizeof(key));

		buf_quote(q, sizeof(q), key, n < sizeof(key) ? n : sizeof(key) - 1);
		snprintf(what, sizeof(what), "rates.%s", q);
		if (jscan_next(&s, err, errlen) != JSCAN_OBJECT) {
			err_set(err, errlen, "'%s' is not an object of rates (a time series has one per date)", what);
			goto out;
		}
		if (n >= sizeof(key) || !dt_date_ok(key)) {
			err_set(err, errlen, "%s: date '%s': not a valid YYYY-MM-DD date", what, q);
			goto out;
		}
		memcpy(probe.date, key, DT_DATE_LEN);
		at = ndv > 0 ? bsearch(&probe, dv, ndv, sizeof(*dv), day_cmp) : NULL;
		if (at != NULL) {
			at->used = 1;
			day_dates.value = at->value;
		}
		pv.dates = at != NULL ? &day_dates : &absent;
		snprintf(dwhat, sizeof(dwhat), "dates.%s", probe.date);
		if ((r = one_day(&s, base, key, what, &pv, skipped, err, errlen)) == NULL ||
		    hand_on(sink, r, sink_failed, err, errlen) == -1)
			goto out;
		days++;
	}
	if (days == 0) {
		err_set(err, errlen, "'rates' is empty");
		goto out;
	}
	for (size_t i = 0; i < ndv; i++) {
		if (!dv[i].used) {
			err_set(err, errlen, "dates.%s: no such day in 'rates'", dv[i].date);
			goto out;
		}
	}
	rc = 0;
out:
	free(dv);
	return rc;
}

int
fxjson_parse_feed(const char *body, size_t len, const struct rates_sink *sink, struct codeset *skipped, char *err,
    size_t errlen)
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
			rc = (r = parse_day(&t, body, len, NULL, skipped, err, errlen)) == NULL ? -1 :
			    hand_on(sink, r, &sink_failed, err, errlen);
		else
			rc = read_series(&t, body, len, sink, &sink_failed, skipped, err, errlen);
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
		int error = jscan_string_is(&s.str, "error") || jscan_string_is(&s.str, "message");
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

/* A rate against base is as old as the older of the two (rates_pair_date()). */
int
fxjson_render_dates(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const char *lead)
{
	size_t n = to != NULL ? nto : rates_count(r);
	int written = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rate_entry *e = to != NULL ? to[i] : rates_at(r, i);
		const char *d = rates_pair_date(base, e);

		if ((to == NULL && e == base) || strcmp(d, rates_date(r)) == 0)
			continue;
		buf_printf(b, "%s\"%s\":\"%s\"", written ? "," : lead, e->cur->code, d);
		written = 1;
	}
	if (written)
		buf_puts(b, "}");
	return buf_failed(b) ? -1 : written;
}

/* The cache's own members: source 0 as "fetched_at" and "upstream", and
 * every rate from another source in "sources", with that source's. */
static void
render_origin(struct buf *b, const struct rates *r, const struct rate_entry *const *to, size_t nto)
{
	const struct rates_source *s0 = rates_source(r, 0);
	size_t n = to != NULL ? nto : rates_count(r);
	char iso[DT_ISO_LEN];
	int first = 1;

	dt_iso8601(s0->fetched_at, iso);
	buf_printf(b, ",\"fetched_at\":\"%s\",\"upstream\":", iso);
	buf_json_str(b, s0->upstream, strlen(s0->upstream));
	for (size_t i = 0; i < n; i++) {
		const struct rate_entry *e = to != NULL ? to[i] : rates_at(r, i);
		const struct rates_source *s = rates_source(r, e->src);

		if (e->src == 0)
			continue;
		dt_iso8601(s->fetched_at, iso);
		buf_printf(b, "%s\"%s\":{\"upstream\":", first ? ",\"sources\":{" : ",", e->cur->code);
		buf_json_str(b, s->upstream, strlen(s->upstream));
		buf_printf(b, ",\"fetched_at\":\"%s\"}", iso);
		first = 0;
	}
	if (!first)
		buf_puts(b, "}");
}

int
fxjson_render(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const struct dec *amount, int flags)
{
	buf_puts(b, "{\"amount\":");
	fxjson_render_amount(b, amount);
	buf_printf(b, ",\"base\":\"%s\",\"date\":\"%s\"", base->cur->code, rates_date(r));
	if (flags & FXJSON_ORIGIN)
		render_origin(b, r, to, nto);
	buf_puts(b, ",\"rates\":");
	if (fxjson_render_rates(b, r, base, to, nto, amount) == -1 ||
	    fxjson_render_dates(b, r, base, to, nto, ",\"dates\":{") == -1)
		return -1;
	buf_puts(b, "}");
	return buf_failed(b) ? -1 : 0;
}

/* "CODE":{"date":…,"source":…} of one rate a conversion used. */
static void
put_used(struct buf *b, const struct rates *r, const struct rate_entry *e)
{
	const struct rates_source *s = rates_source(r, e->src);

	buf_puts(b, "\"");
	buf_puts(b, e->cur->code);
	buf_puts(b, "\":{\"date\":\"");
	buf_puts(b, e->date);
	buf_puts(b, "\",\"source\":");
	buf_json_str(b, s->upstream, strlen(s->upstream));
	buf_puts(b, "}");
}

int
fxjson_render_conversion(struct buf *b, const struct conversion *c, const struct rates *r, int stale)
{
	const struct rate_entry *from = rates_find(r, c->from->code), *to = rates_find(r, c->to->code);
	const struct rate_entry *used[2];
	char iso[DT_ISO_LEN];
	struct dec amount = c->amount;
	int64_t fetched = 0;
	size_t n = 0;

	if (from == NULL || to == NULL)
		return -1;
	/* The rates it rests on: the pivot is exact and no fetch's, so the
	 * older confirmation of the other rates is the conversion's. */
	used[n++] = from;
	if (to != from)
		used[n++] = to;
	for (size_t i = 0; i < n; i++) {
		int64_t t = rates_source(r, used[i]->src)->fetched_at;

		if (used[i]->cur != rates_pivot(r) && (fetched == 0 || t < fetched))
			fetched = t;
	}
	dt_iso8601(fetched != 0 ? fetched : rates_fetched_at(r), iso);
	dec_trim(&amount);
	/* Every conversion the daemon answers passes here: plain appends, no
	 * format string to interpret. */
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
	buf_puts(b, rates_pair_date(from, to));
	buf_puts(b, "\",\"fetched_at\":\"");
	buf_puts(b, iso);
	buf_puts(b, stale ? "\",\"stale\":true,\"rates_used\":{" : "\",\"stale\":false,\"rates_used\":{");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, ",");
		put_used(b, r, used[i]);
	}
	buf_puts(b, "}}");
	return buf_failed(b) ? -1 : 0;
}
