/*
 * rates: one validated snapshot of reference rates, immutable once finished.
 *
 * A snapshot holds the rates exactly as the upstream published them, relative to
 * the upstream's base (the "pivot"), plus the pivot itself at rate 1.  Rebasing
 * to EUR or to any other currency happens at conversion time with exact
 * arithmetic, so no stored rate is ever rounded; a snapshot from a USD-based
 * upstream answers EUR conversions exactly as one from a EUR-based upstream.
 *
 * Life cycle: rates_new() → rates_add()… → rates_finish() → read-only.  A
 * finished snapshot is never modified and may be read from any number of
 * threads at once.  The caller owns it and frees it with rates_free().
 * Every const pointer returned by an accessor is borrowed from the snapshot.
 */
#ifndef CCONV_RATES_H
#define CCONV_RATES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "currency.h"
#include "dt.h"
#include "money.h"

struct rates;

/*
 * One observation: a currency's rate against the pivot, the day it is the
 * rate of, and where it came from.  In a snapshot from one document every
 * entry has the snapshot's date and source 0; in a merged snapshot
 * (merge.h) each keeps its own.
 */
struct rate_entry {
	const struct currency *cur;
	struct dec rate;	/* units of cur per one unit of the pivot */
	char date[DT_DATE_LEN];	/* the observation's own date, never after rates_date() */
	unsigned short src;	/* its source: rates_source(snapshot, src) */
};

/* A source of a snapshot's entries: the upstream (as url_redact() shows it,
 * or "import:FILE"), when it last confirmed them and whether it said they
 * are stale, and the newest date among the entries it gave. */
struct rates_source {
	const char *upstream;	/* "" if unknown */
	int64_t fetched_at;	/* Unix time, 0 if unknown */
	int stale;		/* it said so (HTTP Warning 110) */
	char date[DT_DATE_LEN];	/* newest entry from it; "" until rates_finish() */
};
#define RATES_MAX_SOURCES 64	/* sources in one snapshot */

struct conversion {
	const struct currency *from;
	const struct currency *to;
	struct dec amount;	/* as given */
	struct dec rate;	/* to per one from, at least 6 significant digits */
	struct dec result;	/* rounded to to->minor decimals */
};

/* Outcomes of rates_add(). */
enum rates_add_status {
	RATES_REJECTED = -1,	/* err says why */
	RATES_ADDED = 0,
	RATES_SKIPPED = 1,	/* well-formed code ISO 4217 does not list, or the pivot at rate 1 */
};

/* Outcomes of rates_convert(). */
enum rates_convert_status {
	RATES_ERANGE = -1,	/* result too large to hold */
	RATES_OK = 0,
};

/* NULL with err set ("base 'XYZ': unknown currency", "date '…': not a valid
 * YYYY-MM-DD date", "out of memory"); the caller names the snapshot. */
struct rates *rates_new(const char *base, const char *date, char *err, size_t errlen);

/*
 * Adds one rate.  Returns RATES_ADDED, RATES_SKIPPED, or RATES_REJECTED with
 * err holding what is wrong with this rate, without the code, which the caller names in
 * its format's terms ("rates.USD", "2025-05-09 USD"): "not three letters
 * A-Z", "must be a number > 0", "0.0000000000001 is outside 1e-12 .. 1e15",
 * "the base currency must have rate 1", "listed twice", "out of memory".
 */
enum rates_add_status rates_add(struct rates *r, const char *code, const struct dec *rate, char *err, size_t errlen);

/*
 * Adds a source and returns its index for rates_add_obs(), or -1 with err
 * set (RATES_MAX_SOURCES reached, out of memory).  Source 0 exists from
 * rates_new() on and is the one rates_set_origin() describes.  upstream is
 * copied.
 */
int rates_add_source(struct rates *r, const char *upstream, int64_t fetched_at, int stale, char *err,
    size_t errlen);

/* rates_add() of an observation with its own date, on or before the
 * snapshot's, from source src (rates_add_source()).  A date after the
 * snapshot's, or an unknown src, is RATES_REJECTED. */
enum rates_add_status rates_add_obs(struct rates *r, const char *code, const struct dec *rate, const char *date,
    unsigned src, char *err, size_t errlen);

/* Seals the snapshot: -1 with err "no rate for any known currency besides the
 * base" when it holds no rate besides the pivot. */
int rates_finish(struct rates *r, char *err, size_t errlen);

/* Provenance of source 0 (and of every source: a snapshot read from one
 * document has no other); set before the snapshot is shared.  upstream is
 * copied.  0, or -1 when out of memory. */
int rates_set_origin(struct rates *r, int64_t fetched_at, const char *upstream);

/* Whether the upstream that gave r said its rates are stale (an HTTP
 * Warning 110): a tier's answers from r are then stale whatever their age.
 * Sets it for every source; set before the snapshot is shared; a copy
 * (rates_reconfirmed()) keeps it.  rates_stale() is 1 when every source
 * said so. */
void rates_set_stale(struct rates *r, int stale);
int rates_stale(const struct rates *r);

/*
 * Staleness with the limit max_age (seconds), as the Unix time it starts
 * (INT64_MIN: already, whatever the time); the _at forms are 1 when stale at
 * now.  An entry is stale when its source said so, was last confirmed
 * longer than max_age ago, or when the entry's date is older than the newest
 * day its source can have published by max_age ago (calendar.h, the
 * source's calendar from its upstream).  A conversion is as stale as the
 * staler of its two entries.  The snapshot, served as the latest rates, is
 * stale when every source is: each judged by its newest entry, so one
 * source that went quiet marks its own entries stale, not the whole
 * snapshot.
 */
int64_t rates_stale_from(const struct rates *r, long max_age);
int rates_stale_at(const struct rates *r, int64_t now, long max_age);
int64_t rates_entry_stale_from(const struct rates *r, const struct rate_entry *e, long max_age);

/* The two rates of a conversion (or of a cross rate): the date it is of,
 * the older of their dates (the pivot's, the snapshot's, is never the
 * older), and when it turns stale, when the first of the two does. */
const char *rates_pair_date(const struct rate_entry *a, const struct rate_entry *b);
int64_t rates_pair_stale_from(const struct rates *r, const struct rate_entry *a, const struct rate_entry *b,
    long max_age);

/* A finished copy of r with every source confirmed again at fetched_at;
 * NULL when out of memory.  Caller frees with rates_free(). */
struct rates *rates_reconfirmed(const struct rates *r, int64_t fetched_at);

void rates_free(struct rates *r);

const struct currency *rates_pivot(const struct rates *r);
const char *rates_date(const struct rates *r);		/* the newest entry's: "2026-11-20" */
/* The newest confirmation by any source: Unix time, 0 if unknown. */
int64_t rates_fetched_at(const struct rates *r);
const char *rates_upstream(const struct rates *r);	/* source 0's, "" if unknown */

/* The sources, 0 .. rates_nsources() - 1; rates_source() of an entry's src.
 * Borrowed from the snapshot. */
size_t rates_nsources(const struct rates *r);
const struct rates_source *rates_source(const struct rates *r, unsigned src);

/* Entries in code order, the pivot included. */
size_t rates_count(const struct rates *r);
const struct rate_entry *rates_at(const struct rates *r, size_t i);
/* The entry for an upper-case code, or NULL when the snapshot has none. */
const struct rate_entry *rates_find(const struct rates *r, const char *code);

/* Appends the snapshot's currencies as one JSON object, code to English name
 * in code order, {"EUR":"Euro","GBP":"British Pound"}: the daemon's
 * /currencies and cconv --list --json.  0, or -1 when b has failed. */
int rates_render_currencies(struct buf *b, const struct rates *r);

/*
 * A vector of snapshots, as every format parser builds one: the array v of
 * n finished snapshots, cap slots allocated (start from NULL, 0, 0).  The
 * array and its snapshots are the holder's; rates_vec_free() releases both.
 */
#define RATES_VEC_MAX 20000	/* snapshots in one vector: dated days in one document */

/* Appends r to *v (*n used, *cap allocated).  0, or -1 when out of memory
 * or RATES_VEC_MAX is reached; r is owned by the array on success and left
 * to the caller on failure. */
int rates_vec_append(struct rates ***v, size_t *n, size_t *cap, struct rates *r);

/* Frees the n snapshots and the array; accepts NULL. */
void rates_vec_free(struct rates **v, size_t n);

/*
 * Where a parser hands its snapshots one at a time, in document order, so a
 * long history never has to be held whole: fn gets each finished snapshot
 * and may take it (setting *r to NULL) or leave it, and the parser frees it.
 * fn returns 0 to go on, or -1 with err set, which stops the parse with fn's
 * message as it is.
 */
struct rates_sink {
	int (*fn)(void *arg, struct rates **r, char *err, size_t errlen);
	void *arg;
};

/* A vector as a sink's arg, and the sink that keeps every snapshot in it:
 * { rates_vec_keep, &vec } with vec zeroed, freed with rates_vec_free(). */
struct rates_vec {
	struct rates **v;
	size_t n, cap;
};
int rates_vec_keep(void *arg, struct rates **r, char *err, size_t errlen);

/* Sorts n snapshots by date, oldest first. */
void rates_vec_sort(struct rates **v, size_t n);

/*
 * amount of `from` in `to`: result exactly rounded to to's minor units, and the
 * cross rate to max(6, digits of either rate) significant digits.
 */
enum rates_convert_status rates_convert(const struct rate_entry *from, const struct rate_entry *to,
    const struct dec *amount, struct conversion *out);

/*
 * The number Frankfurter's /latest prints for each target.  amount NULL: the
 * cross rate (to per one from), as conversion.rate.  Else amount × to ÷ from
 * rounded half away from zero to the decimals of that one-unit rate plus the
 * amount's (exact from the pivot, where it is a product), trailing zeros
 * removed.  0, or -1 when the result does not fit (money_muldiv()).
 */
int rates_cross(const struct rate_entry *from, const struct rate_entry *to, const struct dec *amount,
    struct dec *out);

#endif
