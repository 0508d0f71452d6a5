/*
 * merge: precedence across views, one currency at a time.
 *
 * Views are sorted by code (rates.h), so the currencies are walked as a
 * k-way merge of the views' entries: each currency is decided once, looking
 * at every view's entry for it, and no lookup is needed.  The choice is made
 * for every currency first and the snapshot built after, since its date is
 * the newest chosen entry's.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merge.h"

struct choice {
	size_t view;
	const struct rate_entry *e;	/* the chosen observation */
	const struct rate_entry *via;	/* the view's rate for the result's pivot, when rebased */
	char date[DT_DATE_LEN];
};

static const char *
newest_date(struct rates *const *views, size_t n)
{
	const char *d = NULL;

	for (size_t i = 0; i < n; i++) {
		if (views[i] != NULL && (d == NULL || strcmp(rates_date(views[i]), d) > 0))
			d = rates_date(views[i]);
	}
	return d;
}

/* The observation's date once rebased: the older of its own and the rate
 * it is rebased through. */
static const char *
effective_date(const struct rate_entry *e, const struct rate_entry *via)
{
	return via != NULL && strcmp(via->date, e->date) < 0 ? via->date : e->date;
}

/*
 * The result's sources: every view's, those with the same upstream made one
 * with the newest confirmation (and what that one said about staleness),
 * the first view's source 0 first.  map[v * RATES_MAX_SOURCES + s] is the
 * result's index of view v's source s.  0, or -1 with err set.
 */
static int
merge_sources(struct rates *const *views, size_t n, struct rates_source *srcs, size_t *nsrcs,
    unsigned char *map, char *err, size_t errlen)
{
	*nsrcs = 0;
	for (size_t v = 0; v < n; v++) {
		for (size_t s = 0; views[v] != NULL && s < rates_nsources(views[v]); s++) {
			const struct rates_source *x = rates_source(views[v], (unsigned)s);
			size_t j = 0;

			while (j < *nsrcs && strcmp(srcs[j].upstream, x->upstream) != 0)
				j++;
			if (j == *nsrcs) {
				if (*nsrcs == RATES_MAX_SOURCES) {
					err_set(err, errlen, "more than %d sources", RATES_MAX_SOURCES);
					return -1;
				}
				srcs[(*nsrcs)++] = *x;
			} else if (x->fetched_at > srcs[j].fetched_at) {
				srcs[j].fetched_at = x->fetched_at;
				srcs[j].stale = x->stale;
			}
			map[v * RATES_MAX_SOURCES + s] = (unsigned char)j;
		}
	}
	return 0;
}

static int
add_choice(struct rates *out, const struct choice *c, unsigned src, char *err, size_t errlen)
{
	static const struct dec one = { 1, 0 };
	struct dec rate = c->e->rate;
	int sig = MERGE_REBASE_DIGITS;
	char e2[160];

	if (c->via != NULL) {
		if (dec_digits(&c->e->rate) > sig)
			sig = dec_digits(&c->e->rate);
		if (dec_digits(&c->via->rate) > sig)
			sig = dec_digits(&c->via->rate);
		if (money_muldiv_sig(&one, &c->e->rate, &c->via->rate, sig, &rate) == -1) {
			err_set(err, errlen, "%s: rebasing to %s is out of range", c->e->cur->code,
			    rates_pivot(out)->code);
			return -1;
		}
	}
	if (rates_add_obs(out, c->e->cur->code, &rate, c->date, src, e2, sizeof(e2)) == RATES_REJECTED) {
		err_set(err, errlen, "%s: %s", c->e->cur->code, e2);
		return -1;
	}
	return 0;
}

/* Decides the currency cur among the views' entries for it (at[i], NULL
 * where view i has none): 1 with *c filled, 0 when it is left out. */
static int
decide(size_t n, const struct rate_entry *const *at,
    const struct rate_entry *const *via, const char *on, int64_t from_day, int flags, struct choice *c)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++) {
		const char *d;

		if (at[i] == NULL)
			continue;
		d = effective_date(at[i], via[i]);
		if (strcmp(d, on) > 0)
			continue;
		if (dt_date_days(d) >= from_day) {
			best = i;
			break;
		}
		if ((flags & MERGE_KEEP_OLD) &&
		    (best == n || strcmp(d, effective_date(at[best], via[best])) > 0))
			best = i;
	}
	/* Kept though old only while in use: a withdrawn currency (CYP since
	 * 2008) is history, not a source gone quiet. */
	if (best == n || (dt_date_days(effective_date(at[best], via[best])) < from_day &&
	    (!(flags & MERGE_KEEP_OLD) || at[best]->cur->historic)))
		return 0;
	c->view = best;
	c->e = at[best];
	c->via = via[best];
	memcpy(c->date, effective_date(at[best], via[best]), DT_DATE_LEN);
	return 1;
}

int
merge_rates(struct rates *const *views, size_t n, const char *on, int flags, struct rates **out, char *err,
    size_t errlen)
{
	const struct currency *pivot = NULL;
	const struct rate_entry **at = NULL, **via = NULL;
	struct rates_source srcs[RATES_MAX_SOURCES];
	size_t given[RATES_MAX_SOURCES] = { 0 }, top = 0;
	unsigned char *map = NULL, index[RATES_MAX_SOURCES];
	size_t *pos = NULL, total = 0, nc = 0, nsrcs;
	struct choice *chosen = NULL;
	struct rates *r = NULL;
	char newest[DT_DATE_LEN] = "";
	int64_t from_day;
	int rc = -1;

	*out = NULL;
	if ((on = on != NULL ? on : newest_date(views, n)) == NULL)
		return 0;
	from_day = dt_date_days(on) - MERGE_WINDOW_DAYS;
	for (size_t i = 0; i < n; i++) {
		if (views[i] == NULL)
			continue;
		if (pivot == NULL)
			pivot = rates_pivot(views[i]);
		total += rates_count(views[i]);
	}
	if ((at = calloc(n, sizeof(*at))) == NULL || (via = calloc(n, sizeof(*via))) == NULL ||
	    (pos = calloc(n, sizeof(*pos))) == NULL || (chosen = calloc(total, sizeof(*chosen))) == NULL ||
	    (map = calloc(n, RATES_MAX_SOURCES)) == NULL)
		goto oom;
	if (merge_sources(views, n, srcs, &nsrcs, map, err, errlen) == -1)
		goto out;
	/* A view with another pivot counts only through its rate for ours. */
	for (size_t i = 0; i < n; i++) {
		if (views[i] != NULL && rates_pivot(views[i]) != pivot &&
		    (via[i] = rates_find(views[i], pivot->code)) == NULL)
			pos[i] = rates_count(views[i]);	/* left out */
	}
	for (;;) {
		const struct currency *cur = NULL;

		for (size_t i = 0; i < n; i++) {
			const struct rate_entry *e;

			if (views[i] == NULL || (e = rates_at(views[i], pos[i])) == NULL)
				continue;
			if (cur == NULL || strcmp(e->cur->code, cur->code) < 0)
				cur = e->cur;
		}
		if (cur == NULL)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct rate_entry *e = views[i] != NULL ? rates_at(views[i], pos[i]) : NULL;

			at[i] = e != NULL && e->cur == cur ? e : NULL;
			if (at[i] != NULL)
				pos[i]++;
		}
		if (cur != pivot && decide(n, at, via, on, from_day, flags, &chosen[nc])) {
			if (strcmp(chosen[nc].date, newest) > 0)
				memcpy(newest, chosen[nc].date, DT_DATE_LEN);
			nc++;
		}
	}
	rc = 0;
	if (nc == 0)
		goto out;
	rc = -1;
	if ((r = rates_new(pivot->code, newest, err, errlen)) == NULL)
		goto out;
	/* Source 0, the snapshot's upstream, is the one that gave the most. */
	for (size_t i = 0; i < nc; i++)
		given[map[chosen[i].view * RATES_MAX_SOURCES + chosen[i].e->src]]++;
	for (size_t i = 1; i < nsrcs; i++) {
		if (given[i] > given[top])
			top = i;
	}
	if (rates_set_origin(r, srcs[top].fetched_at, srcs[top].upstream) == -1)
		goto oom;
	rates_set_stale(r, srcs[top].stale);
	for (size_t i = 0, k = 1; i < nsrcs; i++) {
		if (i == top) {
			index[i] = 0;
			continue;
		}
		if (rates_add_source(r, srcs[i].upstream, srcs[i].fetched_at, srcs[i].stale, err, errlen) == -1)
			goto out;
		index[i] = (unsigned char)k++;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct choice *c = &chosen[i];

		if (add_choice(r, c, index[map[c->view * RATES_MAX_SOURCES + c->e->src]], err, errlen) == -1)
			goto out;
	}
	if (rates_finish(r, err, errlen) == -1)
		goto out;
	*out = r;
	r = NULL;
	rc = 0;
	goto out;
oom:
	err_set(err, errlen, "out of memory");
out:
	rates_free(r);
	free(at);
	free(via);
	free(pos);
	free(chosen);
	free(map);
	return rc;
}

int
merge_fold(struct rates *const *v, size_t n, struct rates *prev, struct rates **out, char *err, size_t errlen)
{
	struct rates **views;
	int rc;

	*out = NULL;
	if ((views = calloc(n + 1, sizeof(*views))) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		views[k] = v[n - 1 - k];
	views[n] = prev;
	rc = merge_rates(views, n + 1, NULL, MERGE_KEEP_OLD, out, err, errlen);
	free(views);
	return rc;
}
