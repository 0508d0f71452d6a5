/*
 * fxjson: the Frankfurter / fixer.io JSON format, read and written.
 *
 *   {"amount":1.0,"base":"EUR","date":"2026-11-20","rates":{"USD":1.0512,…}}
 *
 * fxjson_parse() reads one day (the daemon's /latest answer, the CLI's cache);
 * fxjson_parse_feed() reads one day or a time series for feed_parse(), which
 * is how every upstream's text becomes snapshots.  Both apply every validation
 * rule, with rates_add() doing the per-rate checks every format shares; each
 * rejection names the rule.  "amount" and unknown fields are ignored (their
 * JSON grammar is checked); a key given twice where members are read (the top
 * level, a day's codes) is refused.  No tree is built: a document costs its
 * bytes and one day's snapshot.  Thread-safe.
 */
#ifndef CCONV_FXJSON_H
#define CCONV_FXJSON_H

#include <stddef.h>

#include "buf.h"
#include "codeset.h"
#include "rates.h"

#define FXJSON_MAX_BODY (1024 * 1024)	/* bytes; larger bodies are refused */

/*
 * Parses and validates a body.  On success *out is a finished snapshot the
 * caller frees with rates_free(); its origin is unset unless the body carries
 * cconv's own "fetched_at"/"upstream" fields (FXJSON_ORIGIN below).  Returns 0,
 * or -1 with err naming the rule, not the document (the caller does):
 * "not JSON (line 1: unexpected end of the text …)", "'base' missing", "'base' 'XYZ': unknown currency",
 * "'date' '2026-02-30': not a valid YYYY-MM-DD date", "rates.USD: must be a
 * number > 0", "'rates' is empty", "body larger than 1 MiB (… bytes)".
 */
int fxjson_parse(const char *body, size_t len, struct rates **out, char *err, size_t errlen);

/*
 * Any Frankfurter/fixer document: one day as above, or a time series
 * {"base":"EUR","start_date":…,"end_date":…,"rates":{"2026-11-19":{…},…}}
 * (told apart by the absence of "date").  A rate's own date, where cconvd's
 * "dates" names one (fxjson_render(), a series' per day), is the rate's.  Each day, once read and finished,
 * goes to sink in document order, so the document is never held whole; each
 * passes the one-day rules.  0 when every day was handed on; -1 with err set
 * when the text is not JSON (before any day is handed on), a day breaks a rule
 * (the days before it were handed on: the caller undoes what it did with
 * them), or the sink failed (its message as it is).  Being feed_parse()'s JSON
 * reader, it names its format in every message of its own, and the day:
 * "JSON: rates.2026-11-19.USD: must be a number > 0", "not JSON (line 1: …)".
 * No size limit of its own, and dates are neither sorted nor checked for
 * repeats: call it through feed_parse_each(), which does that.  The codes
 * neither ISO 4217 list knows are skipped and added to skipped (NULL: not
 * noted).
 */
int fxjson_parse_feed(const char *body, size_t len, const struct rates_sink *sink, struct codeset *skipped, char *err,
    size_t errlen);

/*
 * The sentence of cconvd's own error answer: a JSON object whose "error"
 * member (/convert's {"error":"…"}) or "message" member (the Frankfurter
 * routes', {"message":"…"}) is a string, the first of them if both are
 * there.  0 with the sentence decoded into out
 * (cut to outlen - 1 bytes), or -1 when body is not such an answer.  The
 * sentence is outside text: quote it (buf_quote()) before it reaches a
 * message.
 */
int fxjson_error_sentence(const char *body, size_t len, char *out, size_t outlen);

/* Adds where each rate came from (the CLI's cache does): "fetched_at" and
 * "upstream" of source 0, and "sources":{"AED":{"upstream":…,"fetched_at":…}}
 * for each rate from another source. */
#define FXJSON_ORIGIN 0x1

/*
 * Writes {"amount":…,"base":"…","date":"…","rates":{…}} for rates relative to
 * `base`: the `nto` entries of `to` in that order, or every entry but the base in
 * code order when to is NULL.  amount NULL means 1.  "date" is the snapshot's
 * (its newest rate's); each rate whose own date differs (rates_pair_date() of
 * base and it) is named in "dates":{"AED":"2026-11-27"} after "rates", which is
 * absent when every rate has that date.  Returns 0 or -1 (buffer cap reached,
 * or a value out of range).
 */
int fxjson_render(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const struct dec *amount, int flags);

/* The "rates" object alone, {"USD":1.0512,…}, with the arguments of
 * fxjson_render(); one day of a time series.  0 or -1. */
int fxjson_render_rates(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const struct dec *amount);

/* The "dates" object of fxjson_render(), with its arguments, written after
 * lead (`,"dates":{`, or `"2026-11-20":{` for a day) only when some rate's date differs:
 * 1 when written, 0 when every date is rates_date(r), -1 when b has failed.
 * One day of a time series. */
int fxjson_render_dates(struct buf *b, const struct rates *r, const struct rate_entry *base,
    const struct rate_entry *const *to, size_t nto, const char *lead);

/* An amount as Frankfurter writes it: 1.0, 100.0, 12.5 (NULL: 1.0). */
void fxjson_render_amount(struct buf *b, const struct dec *amount);

/*
 * Writes one conversion as the daemon's /convert answers it and `cconv --json`
 * prints it:
 * {"from":"USD","to":"GBP","amount":100,"rate":0.794425,"result":79.44,
 *  "date":"2026-11-20","fetched_at":"2026-11-20T16:05:00Z","stale":false,
 *  "rates_used":{"USD":{"date":"2026-11-20","source":"https://…"},"GBP":{…}}}
 * Every number is exact decimal text; result has the target's minor units.
 * "date" is the older of the two rates' (rates_pair_date()), "fetched_at" the
 * older confirmation of their sources (the pivot, exact, has none of its
 * own), and "rates_used" the date and source (rates_source()'s upstream) of
 * each, once when from is to.  stale is the caller's judgement
 * (rates_pair_stale_from()).  0, or -1 when b has failed or r lacks either
 * currency.
 */
int fxjson_render_conversion(struct buf *b, const struct conversion *c, const struct rates *r, int stale);

#endif
