/*
 * coverage: which provider has given rates for which currency, from when to
 * when, as the stored observations say: what Frankfurter v2's /currencies,
 * /currency/{code} and /providers answer.
 *
 * A provider is a source's key (upstream_provider_key()): the ECB's daily
 * and 90-day files are one provider, "ECB".  The store reads one row per
 * series (source, currency) and hands it to coverage_add(); a series covers
 * its currency and also the base it is quoted against, over the same dates.
 * coverage_finish() then merges the rows into one span per provider and
 * currency, one per provider and one per currency.  Built by the refresher
 * (store_load_coverage()) and published beside the snapshot (publish.h), so
 * a request reads a finished, immutable coverage: every query is a walk or
 * a binary search of small arrays, thread-safe.  No SQLite here.
 */
#ifndef CCONVD_COVERAGE_H
#define CCONVD_COVERAGE_H

#include <stddef.h>

#include "dt.h"
#include "upstream.h"

struct coverage;

/* The first and last dates of something's observations. */
struct coverage_span {
	char first[DT_DATE_LEN];
	char last[DT_DATE_LEN];
};

/* A provider as /v2/providers lists it; borrowed from its coverage. */
struct coverage_provider {
	char key[UPSTREAM_KEY_LEN];	/* "ECB" */
	const char *upstream;	/* the first configured upstream with this key, else the source with the
				 * newest observation (a redacted URL or "import:FILE") */
	char pivot[4];		/* the base of its newest observation */
	struct coverage_span span;
	size_t first_row, nrows;	/* its currencies: coverage_row(first_row .. + nrows) */
};

/* NULL when out of memory.  order: the configured upstreams as url_redact()
 * shows them, first first (copied), to name a provider's data by the URL
 * the operator configured.  Free with coverage_free() (accepts NULL). */
struct coverage *coverage_new(const char *const *order, size_t norder);
void coverage_free(struct coverage *c);

/*
 * One series: upstream's observations of code against base, dated
 * first..last.  A code or base no currency table knows is skipped, as the
 * parsers skip it.  0, or -1 with err "out of memory" or naming a malformed
 * row.  Before coverage_finish() only.
 */
int coverage_add(struct coverage *c, const char *upstream, const char *base, const char *code, const char *first,
    const char *last, char *err, size_t errlen);

/* Merges the rows; after it, only the queries below.  0, or -1 with err
 * "out of memory" (c is then still usable for coverage_free() only). */
int coverage_finish(struct coverage *c, char *err, size_t errlen);

/* Providers, in key order. */
size_t coverage_nproviders(const struct coverage *c);
const struct coverage_provider *coverage_provider_at(const struct coverage *c, size_t i);
/* The provider with key (upper case), or NULL. */
const struct coverage_provider *coverage_provider_find(const struct coverage *c, const char *key);

/* 1 when provider p has observations of code (upper case), else 0. */
int coverage_provides(const struct coverage *c, const struct coverage_provider *p, const char *code);

/* Row i of the providers' currencies: a provider's rows are in code order.
 * *span (may be NULL) gets the row's dates; returns the code. */
const char *coverage_row(const struct coverage *c, size_t i, struct coverage_span *span);

/* Currencies with any observation, in code order: code i, its dates over
 * every provider into *span (may be NULL). */
size_t coverage_ncurrencies(const struct coverage *c);
const char *coverage_currency_at(const struct coverage *c, size_t i, struct coverage_span *span);
/* Code's dates over every provider; 1 when it has any, else 0. */
int coverage_currency(const struct coverage *c, const char *code, struct coverage_span *span);

#endif
