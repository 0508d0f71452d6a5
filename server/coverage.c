/*
 * coverage: rows (provider key, currency, dates) gathered as the store
 * reads them, then sorted and merged once.
 *
 * coverage_add() appends two rows per series, the currency's and its
 * base's; coverage_finish() sorts them by key and code and folds equal
 * pairs into one span, so each provider's currencies are one run of rows
 * in code order.  The providers are those runs; the currencies a second
 * array folded over every key.  Both arrays are bounded by the keys times
 * the currency table, whatever the length of the history.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "currency.h"
#include "err.h"

struct row {
	char key[UPSTREAM_KEY_LEN];
	char code[4];
	char base[4];		/* the base of the series; the base's own row has itself */
	struct coverage_span span;
	size_t src;		/* index into coverage.upstreams */
};

struct cur {
	char code[4];
	struct coverage_span span;
};

struct coverage {
	char **order;		/* the configured upstreams, first first */
	size_t norder;
	char **upstreams;	/* every source given to coverage_add(), as given */
	size_t nupstreams, upcap;
	struct row *rows;
	size_t nrows, rowcap;
	struct coverage_provider *prov;
	size_t nprov;
	struct cur *curs;
	size_t ncurs;
};

struct coverage *
coverage_new(const char *const *order, size_t norder)
{
	struct coverage *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (norder > 0 && (c->order = calloc(norder, sizeof(*c->order))) == NULL)
		goto fail;
	for (; c->norder < norder; c->norder++)
		if ((c->order[c->norder] = strdup(order[c->norder])) == NULL)
			goto fail;
	return c;
fail:
	coverage_free(c);
	return NULL;
}

void
coverage_free(struct coverage *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->norder; i++)
		free(c->order[i]);
	for (size_t i = 0; i < c->nupstreams; i++)
		free(c->upstreams[i]);
	free(c->order);
	free(c->upstreams);
	free(c->rows);
	free(c->prov);
	free(c->curs);
	free(c);
}

static void
widen(struct coverage_span *s, const struct coverage_span *by)
{
	if (strcmp(by->first, s->first) < 0)
		memcpy(s->first, by->first, DT_DATE_LEN);
	if (strcmp(by->last, s->last) > 0)
		memcpy(s->last, by->last, DT_DATE_LEN);
}

/* The index of upstream among those given so far, added when new; -1 when
 * out of memory.  Rows come grouped by source, so the last is tried first. */
static long
upstream_index(struct coverage *c, const char *upstream)
{
	if (c->nupstreams > 0 && strcmp(c->upstreams[c->nupstreams - 1], upstream) == 0)
		return (long)c->nupstreams - 1;
	for (size_t i = 0; i < c->nupstreams; i++)
		if (strcmp(c->upstreams[i], upstream) == 0)
			return (long)i;
	if (c->nupstreams == c->upcap) {
		size_t cap = c->upcap != 0 ? c->upcap * 2 : 8;
		char **p = reallocarray(c->upstreams, cap, sizeof(*p));
		if (p == NULL)
			return -1;
		c->upstreams = p;
		c->upcap = cap;
	}
	if ((c->upstreams[c->nupstreams] = strdup(upstream)) == NULL)
		return -1;
	return (long)c->nupstreams++;
}

static int
push_row(struct coverage *c, const char *key, const char *code, const char *base, const struct coverage_span *span,
    size_t src)
{
	struct row *r;

	if (c->nrows == c->rowcap) {
		size_t cap = c->rowcap != 0 ? c->rowcap * 2 : 256;
		if ((r = reallocarray(c->rows, cap, sizeof(*r))) == NULL)
			return -1;
		c->rows = r;
		c->rowcap = cap;
	}
	r = &c->rows[c->nrows++];
	memcpy(r->key, key, UPSTREAM_KEY_LEN);
	memcpy(r->code, code, 4);
	memcpy(r->base, base, 4);
	r->span = *span;
	r->src = src;
	return 0;
}

int
coverage_add(struct coverage *c, const char *upstream, const char *base, const char *code, const char *first,
    const char *last, char *err, size_t errlen)
{
	char key[UPSTREAM_KEY_LEN];
	struct coverage_span span;
	long src;

	if (!dt_date_ok(first) || !dt_date_ok(last) || strcmp(first, last) > 0) {
		err_set(err, errlen, "series of '%.16s': dates '%.16s'..'%.16s' are no range", code, first, last);
		return -1;
	}
	if (currency_find(code) == NULL || currency_find(base) == NULL)
		return 0;
	memcpy(span.first, first, DT_DATE_LEN);
	memcpy(span.last, last, DT_DATE_LEN);
	upstream_provider_key(upstream, key);
	if ((src = upstream_index(c, upstream)) == -1 || push_row(c, key, code, base, &span, (size_t)src) == -1 ||
	    push_row(c, key, base, base, &span, (size_t)src) == -1) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
by_key_code(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int k = strcmp(x->key, y->key);

	return k != 0 ? k : strcmp(x->code, y->code);
}

static int
by_code(const void *a, const void *b)
{
	return strcmp(((const struct cur *)a)->code, ((const struct cur *)b)->code);
}

/* Folds rows with the same key and code into the first of them, keeping the
 * base and source of the one observed last. */
static void
fold_rows(struct coverage *c)
{
	size_t n = 0;

	qsort(c->rows, c->nrows, sizeof(c->rows[0]), by_key_code);
	for (size_t i = 0; i < c->nrows; i++) {
		struct row *to = n > 0 ? &c->rows[n - 1] : NULL;

		if (to != NULL && by_key_code(to, &c->rows[i]) == 0) {
			if (strcmp(c->rows[i].span.last, to->span.last) > 0) {
				memcpy(to->base, c->rows[i].base, 4);
				to->src = c->rows[i].src;
			}
			widen(&to->span, &c->rows[i].span);
		} else
			c->rows[n++] = c->rows[i];
	}
	c->nrows = n;
}

/* The configured upstream with key, else NULL. */
static const char *
configured(const struct coverage *c, const char *key)
{
	char k[UPSTREAM_KEY_LEN];

	for (size_t i = 0; i < c->norder; i++)
		if (strcmp(upstream_provider_key(c->order[i], k), key) == 0)
			return c->order[i];
	return NULL;
}

static void
fill_provider(const struct coverage *c, struct coverage_provider *p, size_t from, size_t to)
{
	const struct row *newest = &c->rows[from];

	memset(p, 0, sizeof(*p));
	memcpy(p->key, c->rows[from].key, UPSTREAM_KEY_LEN);
	p->first_row = from;
	p->nrows = to - from;
	p->span = c->rows[from].span;
	for (size_t i = from; i < to; i++) {
		widen(&p->span, &c->rows[i].span);
		if (strcmp(c->rows[i].span.last, newest->span.last) > 0)
			newest = &c->rows[i];
	}
	memcpy(p->pivot, newest->base, 4);
	p->upstream = configured(c, p->key);
	if (p->upstream == NULL)
		p->upstream = c->upstreams[newest->src];
}

int
coverage_finish(struct coverage *c, char *err, size_t errlen)
{
	size_t start = 0;

	if (c->nrows == 0)
		return 0;
	fold_rows(c);
	/* At most one provider and one currency per row. */
	if ((c->prov = calloc(c->nrows, sizeof(*c->prov))) == NULL ||
	    (c->curs = calloc(c->nrows, sizeof(*c->curs))) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 1; i <= c->nrows; i++)
		if (i == c->nrows || strcmp(c->rows[i].key, c->rows[start].key) != 0) {
			fill_provider(c, &c->prov[c->nprov++], start, i);
			start = i;
		}
	for (size_t i = 0; i < c->nrows; i++) {
		memcpy(c->curs[i].code, c->rows[i].code, 4);
		c->curs[i].span = c->rows[i].span;
	}
	qsort(c->curs, c->nrows, sizeof(c->curs[0]), by_code);
	for (size_t i = 0; i < c->nrows; i++) {
		if (c->ncurs > 0 && strcmp(c->curs[c->ncurs - 1].code, c->curs[i].code) == 0)
			widen(&c->curs[c->ncurs - 1].span, &c->curs[i].span);
		else
			c->curs[c->ncurs++] = c->curs[i];
	}
	return 0;
}

size_t
coverage_nproviders(const struct coverage *c)
{
	return c->nprov;
}

const struct coverage_provider *
coverage_provider_at(const struct coverage *c, size_t i)
{
	return i < c->nprov ? &c->prov[i] : NULL;
}

const struct coverage_provider *
coverage_provider_find(const struct coverage *c, const char *key)
{
	for (size_t i = 0; i < c->nprov; i++)
		if (strcmp(c->prov[i].key, key) == 0)
			return &c->prov[i];
	return NULL;
}

int
coverage_provides(const struct coverage *c, const struct coverage_provider *p, const char *code)
{
	size_t lo = p->first_row, hi = p->first_row + p->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = strcmp(c->rows[mid].code, code);

		if (k == 0)
			return 1;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const char *
coverage_row(const struct coverage *c, size_t i, struct coverage_span *span)
{
	if (span != NULL)
		*span = c->rows[i].span;
	return c->rows[i].code;
}

size_t
coverage_ncurrencies(const struct coverage *c)
{
	return c->ncurs;
}

const char *
coverage_currency_at(const struct coverage *c, size_t i, struct coverage_span *span)
{
	if (span != NULL)
		*span = c->curs[i].span;
	return c->curs[i].code;
}

int
coverage_currency(const struct coverage *c, const char *code, struct coverage_span *span)
{
	struct cur key;
	const struct cur *hit;

	if (c->ncurs == 0)
		return 0;
	snprintf(key.code, sizeof(key.code), "%s", code);
	if ((hit = bsearch(&key, c->curs, c->ncurs, sizeof(c->curs[0]), by_code)) == NULL)
		return 0;
	if (span != NULL)
		*span = hit->span;
	return 1;
}
