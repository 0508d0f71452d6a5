/*
 * feed: which format a document is, then the rules every format shares.
 *
 * Sniffing looks at the first bytes only (after a UTF-8 byte order mark and
 * blanks): '{' is JSON, '<' is XML, "Date," is the ECB's CSV; anything else
 * is refused with the bytes quoted, so an HTML error page or a proxy's login
 * form is reported as what it is rather than as a puzzling parse error deep in
 * one of the parsers.  The format parsers return days in document order; here
 * they are sorted oldest first (the ECB writes newest first), a date given
 * twice is refused, and so is a date in the future.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "ecbcsv.h"
#include "ecbxml.h"
#include "err.h"
#include "feed.h"
#include "fxjson.h"

static int
by_date(const void *a, const void *b)
{
	const struct rates *const *x = a, *const *y = b;

	return strcmp(rates_date(*x), rates_date(*y));
}

/* Case-insensitive "does s[0..n) start with prefix". */
static int
starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

int
feed_parse(const char *body, size_t len, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];
	const char *p = body, *format;
	size_t left = len;
	int rc = -1, parsed;

	*out = NULL;
	*n = 0;
	if (len > FEED_MAX_BODY) {
		err_set(err, errlen, "document larger than %d MiB (%zu bytes)", FEED_MAX_BODY >> 20, len);
		return -1;
	}
	if (left >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		left -= 3;
	}
	while (left > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		left--;
	}
	if (left == 0) {
		err_set(err, errlen, "not a rates document: the body is empty");
		return -1;
	}
	if (*p == '{') {
		format = "JSON";
		parsed = fxjson_parse_feed(p, left, out, n, err, errlen);
	} else if (starts_with(p, left, "<!doctype html") || starts_with(p, left, "<html")) {
		err_set(err, errlen, "not a rates document: an HTML page");
		return -1;
	} else if (*p == '<') {
		/* From the '<': an XML declaration must open the entity, so expat
		 * refuses the blank line a hand-edited or concatenated file may
		 * start with (its error lines count from here). */
		format = "ECB XML";
		parsed = ecbxml_parse(p, left, out, n, err, errlen);
	} else if (starts_with(p, left, "Date,")) {
		format = "ECB CSV";
		parsed = ecbcsv_parse(p, left, out, n, err, errlen);
	} else {
		buf_quote(q, sizeof(q), p, left);
		err_set(err, errlen, "not a rates document: neither JSON, ECB XML nor ECB CSV (it starts '%s')", q);
		return -1;
	}
	/* Each reader names its format in its messages. */
	if (parsed == -1)
		goto out;
	qsort(*out, *n, sizeof(**out), by_date);
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(rates_date((*out)[i - 1]), rates_date((*out)[i])) == 0) {
			err_set(err, errlen, "%s: the date %s is given twice", format, rates_date((*out)[i]));
			goto out;
		}
	}
	if (!dt_date_published_ok(rates_date((*out)[*n - 1]), (int64_t)time(NULL))) {
		err_set(err, errlen, "%s: the date %s is in the future", format, rates_date((*out)[*n - 1]));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		rates_vec_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
