/*
 * rates: a snapshot of reference rates and conversions against it.
 *
 * Entries are kept sorted by code once the snapshot is finished, so lookups are
 * a binary search over a few dozen fixed-size entries and never allocate.  The
 * pivot (the upstream's base) is an ordinary entry with rate exactly 1, which
 * makes every conversion the same formula, amount × to ÷ from, whichever pair
 * is asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "err.h"
#include "rates.h"

/* Bounds on any one rate: far outside every real currency's rate against any
 * other, close enough to keep exact conversions within 38 digits. */
static const struct dec rate_min = { 1, 12 };	/* 1e-12 */
static const struct dec rate_max = { (unsigned __int128)1000000000000000ULL, 0 };	/* 1e15 */

#define CROSS_MIN_DIGITS 6	/* significant digits printed for a cross rate */
#define CROSS_MAX_SCALE 40	/* decimals of an amount times a rate; dec_format() holds them */

struct rates {
	const struct currency *pivot;
	char date[DT_DATE_LEN];
	struct rates_source *src;	/* nsrc >= 1; each upstream malloc'd */
	size_t nsrc;
	struct rate_entry *e;
	size_t n, cap;
	int finished;
};

static int
set_upstream(struct rates_source *s, const char *upstream)
{
	char *copy = strdup(upstream != NULL ? upstream : "");

	if (copy == NULL)
		return -1;
	free((char *)s->upstream);
	s->upstream = copy;
	return 0;
}

struct rates *
rates_new(const char *base, const char *date, char *err, size_t errlen)
{
	const struct currency *pivot;
	struct rates *r = NULL;
	char q[BUF_QUOTE_LEN];

	if ((pivot = currency_find(base)) == NULL) {
		buf_quote(q, sizeof(q), base, strlen(base));
		err_set(err, errlen, "base '%s': unknown currency", q);
		goto fail;
	}
	if (!dt_date_ok(date)) {
		buf_quote(q, sizeof(q), date, strlen(date));
		err_set(err, errlen, "date '%s': not a valid YYYY-MM-DD date", q);
		goto fail;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	r->pivot = pivot;
	memcpy(r->date, date, DT_DATE_LEN);
	r->cap = 64;
	if ((r->e = calloc(r->cap, sizeof(*r->e))) == NULL ||
	    (r->src = calloc(1, sizeof(*r->src))) == NULL || set_upstream(&r->src[0], "") == -1) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	r->nsrc = 1;
	r->e[0].cur = pivot;
	r->e[0].rate.m = 1;
	r->e[0].rate.scale = 0;
	memcpy(r->e[0].date, date, DT_DATE_LEN);
	r->n = 1;
	return r;
fail:
	rates_free(r);
	return NULL;
}

int
rates_add_source(struct rates *r, const char *upstream, int64_t fetched_at, int stale, char *err, size_t errlen)
{
	struct rates_source *p;

	if (r->nsrc == RATES_MAX_SOURCES) {
		err_set(err, errlen, "more than %d sources", RATES_MAX_SOURCES);
		return -1;
	}
	if ((p = reallocarray(r->src, r->nsrc + 1, sizeof(*p))) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	r->src = p;
	memset(&p[r->nsrc], 0, sizeof(*p));
	if (set_upstream(&p[r->nsrc], upstream) == -1) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	p[r->nsrc].fetched_at = fetched_at;
	p[r->nsrc].stale = stale != 0;
	return (int)r->nsrc++;
}

enum rates_add_status
rates_add(struct rates *r, const char *code, const struct dec *rate, char *err, size_t errlen)
{
	return rates_add_obs(r, code, rate, r->date, 0, err, errlen);
}

enum rates_add_status
rates_add_obs(struct rates *r, const char *code, const struct dec *rate, const char *date, unsigned src,
    char *err, size_t errlen)
{
	const struct currency *cur;
	static const struct dec one = { 1, 0 };

	if (!currency_code_ok(code)) {
		err_set(err, errlen, "not three letters A-Z");
		return RATES_REJECTED;
	}
	if (rate->m == 0) {
		err_set(err, errlen, "must be a number > 0");
		return RATES_REJECTED;
	}
	if (dec_cmp(rate, &rate_min) < 0 || dec_cmp(rate, &rate_max) > 0) {
		char text[DEC_STRLEN];
		dec_format(rate, text, sizeof(text));
		err_set(err, errlen, "%s is outside 1e-12 .. 1e15", text);
		return RATES_REJECTED;
	}
	/* Some APIs list the base itself at 1; anything else contradicts it. */
	if ((cur = currency_find(code)) == r->pivot) {
		if (dec_cmp(rate, &one) == 0)
			return RATES_SKIPPED;
		err_set(err, errlen, "the base currency must have rate 1");
		return RATES_REJECTED;
	}
	if (cur == NULL)
		return RATES_SKIPPED;
	if (!dt_date_ok(date) || strcmp(date, r->date) > 0 || src >= r->nsrc) {
		err_set(err, errlen, "observation dated after its snapshot, or of an unknown source");
		return RATES_REJECTED;
	}
	/* Entries point into the one currency table: a pointer names a code. */
	for (size_t i = 1; i < r->n; i++) {
		if (r->e[i].cur == cur) {
			err_set(err, errlen, "listed twice");
			return RATES_REJECTED;
		}
	}
	if (r->n == r->cap) {
		struct rate_entry *p = reallocarray(r->e, r->cap * 2, sizeof(*p));
		if (p == NULL) {
			err_set(err, errlen, "out of memory");
			return RATES_REJECTED;
		}
		r->e = p;
		r->cap *= 2;
	}
	r->e[r->n].cur = cur;
	r->e[r->n].rate = *rate;
	memcpy(r->e[r->n].date, date, DT_DATE_LEN);
	r->e[r->n].src = (unsigned short)src;
	r->n++;
	return RATES_ADDED;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct rate_entry *x = a, *y = b;
	return strcmp(x->cur->code, y->cur->code);
}

int
rates_finish(struct rates *r, char *err, size_t errlen)
{
	if (r->n < 2) {
		err_set(err, errlen, "no rate for any known currency besides the base");
		return -1;
	}
	qsort(r->e, r->n, sizeof(*r->e), entry_cmp);
	/* The pivot is every source's: its date is the newest of theirs. */
	for (size_t i = 0; i < r->n; i++) {
		struct rates_source *s = &r->src[r->e[i].src];

		if (r->e[i].cur != r->pivot && strcmp(r->e[i].date, s->date) > 0)
			memcpy(s->date, r->e[i].date, DT_DATE_LEN);
	}
	/* A history feed holds thousands of snapshots: give back the unused
	 * room (a failure to shrink just keeps it). */
	if (r->n < r->cap) {
		struct rate_entry *p = reallocarray(r->e, r->n, sizeof(*p));
		if (p != NULL) {
			r->e = p;
			r->cap = r->n;
		}
	}
	r->finished = 1;
	return 0;
}

int
rates_set_origin(struct rates *r, int64_t fetched_at, const char *upstream)
{
	for (size_t i = 0; i < r->nsrc; i++) {
		if (set_upstream(&r->src[i], upstream) == -1)
			return -1;
		r->src[i].fetched_at = fetched_at;
	}
	return 0;
}

void
rates_set_stale(struct rates *r, int stale)
{
	for (size_t i = 0; i < r->nsrc; i++)
		r->src[i].stale = stale != 0;
}

int
rates_stale(const struct rates *r)
{
	for (size_t i = 0; i < r->nsrc; i++) {
		if (!r->src[i].stale)
			return 0;
	}
	return 1;
}

/* When rates of date from source s turn stale. */
static int64_t
stale_from(const struct rates_source *s, const char *date, long max_age)
{
	int64_t by_date = calendar_stale_from(calendar_kind_of(s->upstream), date, max_age);
	int64_t by_fetch = s->fetched_at + max_age + 1;	/* stale once more than max_age old */

	if (s->stale)
		return INT64_MIN;
	return by_date < by_fetch ? by_date : by_fetch;
}

int64_t
rates_entry_stale_from(const struct rates *r, const struct rate_entry *e, long max_age)
{
	/* The pivot is exact by definition: the other entry decides. */
	if (e->cur == r->pivot)
		return INT64_MAX;
	return stale_from(&r->src[e->src], e->date, max_age);
}

const char *
rates_pair_date(const struct rate_entry *a, const struct rate_entry *b)
{
	return strcmp(a->date, b->date) <= 0 ? a->date : b->date;
}

int64_t
rates_pair_stale_from(const struct rates *r, const struct rate_entry *a, const struct rate_entry *b,
    long max_age)
{
	int64_t ta = rates_entry_stale_from(r, a, max_age), tb = rates_entry_stale_from(r, b, max_age);

	return ta < tb ? ta : tb;
}

int64_t
rates_stale_from(const struct rates *r, long max_age)
{
	int64_t latest = INT64_MIN;

	for (size_t i = 0; i < r->nsrc; i++) {
		int64_t t;

		if (r->src[i].date[0] == '\0')
			continue;	/* gave no entry */
		if ((t = stale_from(&r->src[i], r->src[i].date, max_age)) > latest)
			latest = t;
	}
	return latest;
}

int
rates_stale_at(const struct rates *r, int64_t now, long max_age)
{
	return now >= rates_stale_from(r, max_age);
}

struct rates *
rates_reconfirmed(const struct rates *r, int64_t fetched_at)
{
	struct rates *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	*c = *r;
	c->src = NULL;
	c->nsrc = 0;
	if ((c->e = reallocarray(NULL, r->cap, sizeof(*c->e))) == NULL ||
	    (c->src = calloc(r->nsrc, sizeof(*c->src))) == NULL) {
		rates_free(c);
		return NULL;
	}
	memcpy(c->e, r->e, r->n * sizeof(*c->e));
	for (; c->nsrc < r->nsrc; c->nsrc++) {
		c->src[c->nsrc] = r->src[c->nsrc];
		c->src[c->nsrc].upstream = NULL;
		c->src[c->nsrc].fetched_at = fetched_at;
		if (set_upstream(&c->src[c->nsrc], r->src[c->nsrc].upstream) == -1) {
			c->nsrc++;
			rates_free(c);
			return NULL;
		}
	}
	return c;
}

void
rates_free(struct rates *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsrc; i++)
		free((char *)r->src[i].upstream);
	free(r->src);
	free(r->e);
	free(r);
}

const struct currency *
rates_pivot(const struct rates *r)
{
	return r->pivot;
}

const char *
rates_date(const struct rates *r)
{
	return r->date;
}

int64_t
rates_fetched_at(const struct rates *r)
{
	int64_t t = 0;

	for (size_t i = 0; i < r->nsrc; i++) {
		if (r->src[i].fetched_at > t)
			t = r->src[i].fetched_at;
	}
	return t;
}

const char *
rates_upstream(const struct rates *r)
{
	return r->src[0].upstream;
}

size_t
rates_nsources(const struct rates *r)
{
	return r->nsrc;
}

const struct rates_source *
rates_source(const struct rates *r, unsigned src)
{
	return src < r->nsrc ? &r->src[src] : NULL;
}

size_t
rates_count(const struct rates *r)
{
	return r->n;
}

const struct rate_entry *
rates_at(const struct rates *r, size_t i)
{
	return i < r->n ? &r->e[i] : NULL;
}

const struct rate_entry *
rates_find(const struct rates *r, const char *code)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->e[mid].cur->code, code);
		if (c == 0)
			return &r->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The decimals of the one-unit cross rate as rates_cross() rounds it, before
 * its trailing zeros are trimmed: from the pivot, the rate's own as published
 * ("1.0000" has four); else those of `sig` significant digits.
 */
static int
cross_scale(const struct rate_entry *from, const struct rate_entry *to, const struct dec *unit, int sig)
{
	if (from->rate.m == 1 && from->rate.scale == 0)
		return to->rate.scale;
	return sig - (dec_digits(unit) - unit->scale);
}

int
rates_cross(const struct rate_entry *from, const struct rate_entry *to, const struct dec *amount,
    struct dec *out)
{
	static const struct dec one = { 1, 0 };
	struct dec unit;
	int sig = CROSS_MIN_DIGITS, scale;

	/* From the pivot (rate exactly 1) the cross rate is the rate itself:
	 * rounding to at least its own digits changes nothing.  A time series
	 * of decades renders some 200 000 rates, mostly this way. */
	if (from->rate.m == 1 && from->rate.scale == 0) {
		unit = to->rate;
		dec_trim(&unit);
	} else {
		/* Never print fewer digits than the upstream gave for either rate. */
		if (dec_digits(&to->rate) > sig)
			sig = dec_digits(&to->rate);
		if (dec_digits(&from->rate) > sig)
			sig = dec_digits(&from->rate);
		if (money_muldiv_sig(&one, &to->rate, &from->rate, sig, &unit) == -1)
			return -1;
	}
	if (amount == NULL) {
		*out = unit;
		return 0;
	}
	/*
	 * amount × to ÷ from, exact to the unit rate's decimals plus the
	 * amount's: the precision of the rate is kept however large the amount
	 * (123456789 USD at 0.8351/1.0512 is 98077211.285…, not 98077200), and
	 * from the pivot the product is exact, so nothing is rounded there.
	 */
	scale = cross_scale(from, to, &unit, sig) + amount->scale;
	if (scale < 0)
		scale = 0;
	if (scale > CROSS_MAX_SCALE)
		scale = CROSS_MAX_SCALE;
	if (money_muldiv(amount, &to->rate, &from->rate, scale, out) == -1)
		return -1;
	dec_trim(out);
	return 0;
}

enum rates_convert_status
rates_convert(const struct rate_entry *from, const struct rate_entry *to, const struct dec *amount,
    struct conversion *out)
{
	out->from = from->cur;
	out->to = to->cur;
	out->amount = *amount;
	if (money_muldiv(amount, &to->rate, &from->rate, to->cur->minor, &out->result) == -1 ||
	    rates_cross(from, to, NULL, &out->rate) == -1)
		return RATES_ERANGE;
	return RATES_OK;
}

int
rates_render_currencies(struct buf *b, const struct rates *r)
{
	buf_puts(b, "{");
	for (size_t i = 0; i < r->n; i++) {
		const struct currency *cur = r->e[i].cur;
		buf_printf(b, "%s\"%s\":", i > 0 ? "," : "", cur->code);
		buf_json_str(b, cur->name, strlen(cur->name));
	}
	buf_puts(b, "}");
	return buf_failed(b) ? -1 : 0;
}

int
rates_vec_append(struct rates ***v, size_t *n, size_t *cap, struct rates *r)
{
	if (*n == RATES_VEC_MAX)
		return -1;
	if (*n == *cap) {
		size_t grown = *cap == 0 ? 8 : *cap * 2;
		struct rates **p = reallocarray(*v, grown, sizeof(*p));

		if (p == NULL)
			return -1;
		*v = p;
		*cap = grown;
	}
	(*v)[(*n)++] = r;
	return 0;
}

void
rates_vec_free(struct rates **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		rates_free(v[i]);
	free(v);
}

int
rates_vec_keep(void *arg, struct rates **r, char *err, size_t errlen)
{
	struct rates_vec *k = arg;

	if (rates_vec_append(&k->v, &k->n, &k->cap, *r) == -1) {
		err_set(err, errlen, "more than %d dates, or out of memory", RATES_VEC_MAX);
		return -1;
	}
	*r = NULL;
	return 0;
}

static int
by_date(const void *a, const void *b)
{
	const struct rates *const *x = a, *const *y = b;

	return strcmp((*x)->date, (*y)->date);
}

void
rates_vec_sort(struct rates **v, size_t n)
{
	qsort(v, n, sizeof(*v), by_date);
}
