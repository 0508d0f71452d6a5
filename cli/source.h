/*
 * source: where the CLI's rates come from, tried in order.
 *
 *   1. the daemon: GET {server}/latest (connect within 1 s, all within 5 s);
 *   2. for any daemon failure (no answer, a 5xx), every upstream URL,
 *      directly, with one note on stderr, merged as the daemon merges them
 *      (merge_rates(), the list order as precedence; an upstream that fails
 *      is left out, said with -v); a 4xx with the daemon's reason is its
 *      answer, and ends the chain;
 *   3. if all fail, the cache file, with a warning giving the rates' date.
 *
 * With --offline (a->offline) only 3 is tried, without the warning.
 *
 * With --date (a->date) each source is asked for that date: 1. {server}/{date},
 * 2. each upstream's {base}/{date} (upstream_sibling_url(); others are
 * skipped, with a reason), merged on that date, 3. the cache only if it
 * holds exactly that date.  A dated answer is never stale and never written
 * to the cache.
 *
 * Every snapshot fetched in 1 or 2 is also written to the cache (a failure
 * there is a warning, never an error).  Whatever the source, the caller gets
 * one finished struct rates and converts with the same common code.  Not
 * thread-safe; called once from main().
 */
#ifndef CCONV_CLI_SOURCE_H
#define CCONV_CLI_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "cache.h"
#include "rates.h"
#include "url.h"

/* seconds: rates fetched longer ago, or older by date than the newest their
 * source can have published this long ago (calendar.h), are stale: the
 * max_age of rates_stale_at() and rates_pair_stale_from() */
#define SOURCE_STALE_AFTER 86400
/* seconds: a fetch time further ahead of this machine's clock is from a clock
 * that was wrong (a cache written under one), so the rates are stale, not
 * fresh for as long as it is ahead; a daemon's clock a little ahead is not */
#define SOURCE_CLOCK_SKEW 300
#define SOURCE_CONNECT_TIMEOUT_MS 1000	/* to reach the daemon, ms */
#define SOURCE_TIMEOUT_MS 5000		/* whole daemon request, ms */

enum source_kind {
	SOURCE_DAEMON,
	SOURCE_UPSTREAM,
	SOURCE_CACHE,
};

struct source_answer {
	struct rates *rates;	/* owned; released by source_answer_free(); each source's
				 * upstream is the daemon's URL for its answers */
	enum source_kind kind;
	char where[URL_SHOWN_LEN];	/* the server URL or the upstreams that answered (redacted), or
					 * the cache path */
	int dated;		/* rates of a date asked for (--date): history, never stale */
	const char *next_step;	/* after SOURCE_NONE: what the user can do about it, a static
				 * sentence ("start cconvd, or …") */
};

/* Outcomes of source_get(). */
enum source_status {
	SOURCE_REFUSED = -2,	/* the daemon refused the request, saying why (err) */
	SOURCE_NONE = -1,	/* no source had rates (err) */
	SOURCE_OK = 0,
};

/*
 * Gets rates from the first source that has them.  now is the current Unix
 * time (for Last-Modified-less answers and staleness).  Returns SOURCE_OK
 * with ans filled; or SOURCE_NONE with err saying in one line what failed
 * ("cconvd at http://…:8080 cannot be reached, no upstream answered, and
 * nothing is cached"; with --offline, the cache's own reason) and
 * ans->next_step what to do, each source's own reason having been said on
 * stderr with -v only ("daemon 'http://…/latest': Connection refused",
 * "upstream 'https://…': HTTP 503", "cache '…': No such file or
 * directory").  A daemon that refuses the request itself (a 4xx with its
 * sentence, {"error":"…"} or {"message":"…"}: no rates on or before that
 * date) has answered: SOURCE_REFUSED with its sentence, quoted, in err, and
 * nothing else is asked.  ans is always initialised and must be released
 * with source_answer_free().
 */
enum source_status source_get(const struct args *a, int64_t now, struct source_answer *ans, char *err,
    size_t errlen);

void source_answer_free(struct source_answer *ans);

/* "daemon", "upstream" or "cache". */
const char *source_kind_name(enum source_kind k);

/*
 * The one rule by which every face of cconv calls rates stale at now: the
 * conversion between entries a and b of ans->rates when a is not NULL
 * (rates_pair_stale_from()), else the rates as a whole (rates_stale_at());
 * both with SOURCE_STALE_AFTER, so by each rate's date on its source's
 * calendar, by its source's last confirmation (unknown: stale), and by
 * what the daemon or upstream said (Warning 110, kept in the rates).
 * Rates with a fetch time more than SOURCE_CLOCK_SKEW after now were
 * written under a clock that was wrong, so all of them are stale; dated
 * rates never are.  1 when stale, else 0.
 */
int source_stale(const struct source_answer *ans, const struct rate_entry *a, const struct rate_entry *b,
    int64_t now);

#endif
