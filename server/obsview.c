/*
 * obsview: per-source accumulators of the newest observation per currency.
 *
 * A view is one (source, base) pair: a source that changed its base keeps
 * one view per base, each a snapshot of its own, which merge_rates() rebases.
 * Each view's slots are kept in code order and found by binary search, so a
 * long history of a 200-currency source costs a few comparisons a row; rows
 * mostly repeat the previous row's view, which is tried first.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merge.h"
#include "obsview.h"
#include "upstream.h"

struct slot {
	const struct currency *cur;
	struct dec rate;
	char date[DT_DATE_LEN];
	int64_t fetched_at;
};

struct view {
	size_t src;			/* index into obsview.src */
	const struct currency *base;
	struct slot *s;
	size_t n, cap;
};

struct source {
	int64_t id;
	char *upstream;
	int64_t fetched_at;
	int stale;
	size_t rank;
};

struct obsview {
	struct source *src;
	size_t nsrc, srccap;
	struct view *views;
	size_t nviews, viewcap;
	size_t last;			/* the view the previous row went to */
	int any;
};

struct obsview *
obsview_new(void)
{
	return calloc(1, sizeof(struct obsview));
}

void
obsview_clear_rows(struct obsview *v)
{
	for (size_t i = 0; i < v->nviews; i++)
		free(v->views[i].s);
	v->nviews = 0;
	v->last = 0;
	v->any = 0;
}

void
obsview_clear(struct obsview *v)
{
	obsview_clear_rows(v);
	for (size_t i = 0; i < v->nsrc; i++)
		free(v->src[i].upstream);
	v->nsrc = 0;
}

void
obsview_free(struct obsview *v)
{
	if (v == NULL)
		return;
	obsview_clear(v);
	free(v->src);
	free(v->views);
	free(v);
}

int
obsview_source(struct obsview *v, int64_t id, const char *upstream, int64_t fetched_at, int stale, char *err,
    size_t errlen)
{
	struct source *s;

	if (v->nsrc == v->srccap) {
		size_t cap = v->srccap != 0 ? v->srccap * 2 : 8;
		if ((s = reallocarray(v->src, cap, sizeof(*s))) == NULL)
			goto oom;
		v->src = s;
		v->srccap = cap;
	}
	s = &v->src[v->nsrc];
	if ((s->upstream = strdup(upstream)) == NULL)
		goto oom;
	s->id = id;
	s->fetched_at = fetched_at;
	s->stale = stale != 0;
	s->rank = v->nsrc++;
	return 0;
oom:
	err_set(err, errlen, "out of memory");
	return -1;
}

static int
by_confirmation(const void *a, const void *b)
{
	const struct source *x = *(const struct source *const *)a, *y = *(const struct source *const *)b;

	if (x->fetched_at != y->fetched_at)
		return x->fetched_at > y->fetched_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

void
obsview_rank(struct obsview *v, const char *const *order, size_t norder)
{
	struct source *rest[RATES_MAX_SOURCES];
	size_t nrest = 0;

	for (size_t i = 0; i < v->nsrc; i++) {
		size_t j = 0;

		while (j < norder && strcmp(order[j], v->src[i].upstream) != 0)
			j++;
		v->src[i].rank = j;
		if (j == norder && nrest < RATES_MAX_SOURCES)
			rest[nrest++] = &v->src[i];
		else if (j == norder)
			v->src[i].rank = SIZE_MAX;	/* past what one snapshot can name */
	}
	qsort(rest, nrest, sizeof(rest[0]), by_confirmation);
	for (size_t i = 0; i < nrest; i++)
		rest[i]->rank = norder + i;
}

void
obsview_only(struct obsview *v, const char *const *keys, size_t n)
{
	char key[UPSTREAM_KEY_LEN];

	for (size_t i = 0; i < v->nsrc; i++) {
		size_t j = 0;

		upstream_provider_key(v->src[i].upstream, key);
		while (j < n && strcmp(keys[j], key) != 0)
			j++;
		if (j == n)
			v->src[i].rank = SIZE_MAX;	/* obsview_merge() passes it over */
	}
}

int
obsview_empty(const struct obsview *v)
{
	return !v->any;
}

static struct view *
find_view(struct obsview *v, int64_t source, const char *base, char *err, size_t errlen)
{
	const struct currency *b;
	struct view *w;
	size_t si;

	if (v->last < v->nviews) {
		w = &v->views[v->last];
		if (v->src[w->src].id == source && strcmp(w->base->code, base) == 0)
			return w;
	}
	for (size_t i = 0; i < v->nviews; i++) {
		w = &v->views[i];
		if (v->src[w->src].id == source && strcmp(w->base->code, base) == 0) {
			v->last = i;
			return w;
		}
	}
	for (si = 0; si < v->nsrc && v->src[si].id != source; si++)
		;
	if (si == v->nsrc) {
		err_set(err, errlen, "unknown source %lld", (long long)source);
		return NULL;
	}
	if ((b = currency_find(base)) == NULL) {
		err_set(err, errlen, "base '%.16s': unknown currency", base);
		return NULL;
	}
	if (v->nviews == v->viewcap) {
		size_t cap = v->viewcap != 0 ? v->viewcap * 2 : 4;
		if ((w = reallocarray(v->views, cap, sizeof(*w))) == NULL) {
			err_set(err, errlen, "out of memory");
			return NULL;
		}
		v->views = w;
		v->viewcap = cap;
	}
	w = &v->views[v->nviews];
	memset(w, 0, sizeof(*w));
	w->src = si;
	w->base = b;
	v->last = v->nviews++;
	return w;
}

/* The slot for cur in w, inserted in code order when new; NULL when out of memory. */
static struct slot *
find_slot(struct view *w, const struct currency *cur)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->s[mid].cur->code, cur->code);

		if (c == 0)
			return &w->s[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap != 0 ? w->cap * 2 : 64;
		struct slot *p = reallocarray(w->s, cap, sizeof(*p));
		if (p == NULL)
			return NULL;
		w->s = p;
		w->cap = cap;
	}
	memmove(&w->s[lo + 1], &w->s[lo], (w->n - lo) * sizeof(w->s[0]));
	w->n++;
	memset(&w->s[lo], 0, sizeof(w->s[lo]));
	w->s[lo].cur = cur;
	return &w->s[lo];
}

int
obsview_add(struct obsview *v, int64_t source, const char *base, const char *code, const char *rate_text,
    size_t rate_len, const char *date, int64_t fetched_at, char *err, size_t errlen)
{
	const struct currency *cur;
	struct view *w;
	struct slot *s;
	struct dec rate;

	if (!currency_code_ok(code) || !dt_date_ok(date)) {
		err_set(err, errlen, "observation of '%.16s' on '%.16s': not a currency code and a date", code, date);
		return -1;
	}
	if ((cur = currency_find(code)) == NULL)
		return 0;
	if (dec_parse(rate_text, rate_len, &rate) == -1) {
		err_set(err, errlen, "observation of '%s' on %s: rate '%.40s' is not a decimal number", code, date,
		    rate_text);
		return -1;
	}
	if ((w = find_view(v, source, base, err, errlen)) == NULL) {
		err_prefix(err, errlen, "observation of '%s' on %s", code, date);
		return -1;
	}
	if ((s = find_slot(w, cur)) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	s->rate = rate;
	memcpy(s->date, date, DT_DATE_LEN);
	s->fetched_at = fetched_at;
	v->any = 1;
	return 0;
}

/* View w as a finished snapshot of the observations dated from .. on
 * (from NULL: any on or before on); *out NULL when it has none. */
static int
build_view(const struct obsview *v, const struct view *w, const char *from, const char *on, int latest,
    struct rates **out, char *err, size_t errlen)
{
	const struct source *src = &v->src[w->src];
	struct rates *r = NULL;
	char newest[DT_DATE_LEN] = "";
	int64_t fetched = 0;
	size_t used = 0;

	*out = NULL;
	for (size_t i = 0; i < w->n; i++) {
		const struct slot *s = &w->s[i];

		if ((on != NULL && strcmp(s->date, on) > 0) || (from != NULL && strcmp(s->date, from) < 0) ||
		    s->cur == w->base)
			continue;
		if (strcmp(s->date, newest) > 0)
			memcpy(newest, s->date, DT_DATE_LEN);
		if (s->fetched_at > fetched)
			fetched = s->fetched_at;
		used++;
	}
	if (used == 0)
		return 0;
	if ((r = rates_new(w->base->code, newest, err, errlen)) == NULL)
		goto fail;
	if (rates_set_origin(r, latest ? src->fetched_at : fetched, src->upstream) == -1) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	rates_set_stale(r, latest ? src->stale : 0);
	for (size_t i = 0; i < w->n; i++) {
		const struct slot *s = &w->s[i];
		char e2[160];

		if ((on != NULL && strcmp(s->date, on) > 0) || (from != NULL && strcmp(s->date, from) < 0) ||
		    s->cur == w->base)
			continue;
		if (rates_add_obs(r, s->cur->code, &s->rate, s->date, 0, e2, sizeof(e2)) == RATES_REJECTED) {
			err_set(err, errlen, "observation of '%s' on %s: %s", s->cur->code, s->date, e2);
			goto fail;
		}
	}
	if (rates_finish(r, err, errlen) == -1)
		goto fail;
	*out = r;
	return 0;
fail:
	rates_free(r);
	return -1;
}

/* A view in rank order: the source's rank, then the base's code. */
struct ranked {
	size_t rank;
	const struct view *w;
};

static int
by_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->w->base->code, y->w->base->code);
}

int
obsview_merge(struct obsview *v, const char *on, int flags, int latest, struct rates **out, char *err,
    size_t errlen)
{
	struct ranked *order = NULL;
	struct rates **views = NULL;
	char from[DT_DATE_LEN];
	const char *lo = NULL;
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if (v->nviews == 0)
		return 0;
	if ((order = calloc(v->nviews, sizeof(*order))) == NULL ||
	    (views = calloc(v->nviews, sizeof(*views))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < v->nviews; i++) {
		order[i].rank = v->src[v->views[i].src].rank;
		order[i].w = &v->views[i];
	}
	qsort(order, v->nviews, sizeof(order[0]), by_rank);
	if (on != NULL && !(flags & MERGE_KEEP_OLD)) {
		dt_date((dt_date_days(on) - MERGE_WINDOW_DAYS) * 86400, from);
		lo = from;
	}
	for (size_t i = 0; i < v->nviews; i++) {
		/* A source past RATES_MAX_SOURCES in rank cannot be named in one snapshot. */
		if (order[i].rank == SIZE_MAX)
			continue;
		if (build_view(v, order[i].w, lo, on, latest, &views[n], err, errlen) == -1)
			goto out;
		if (views[n] != NULL)
			n++;
	}
	/* Without MERGE_KEEP_OLD the merge of one view is that view: its
	 * entries are all within the window already, its date is its newest
	 * entry's and its one source is source 0.  A long series of a single
	 * source's days skips rebuilding each one. */
	if (n == 1 && !(flags & MERGE_KEEP_OLD)) {
		*out = views[0];
		views[0] = NULL;
		rc = 0;
	} else
		rc = merge_rates(views, n, on, flags, out, err, errlen);
out:
	for (size_t i = 0; i < n; i++)
		rates_free(views[i]);
	free(views);
	free(order);
	return rc;
}
