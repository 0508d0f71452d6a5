/*
 * ecbcsv: eurofxref-hist.csv read in one pass over the bytes in memory.
 *
 * The file is simple enough that a general CSV reader would only add ways to
 * be lenient: no field is quoted, no value holds a comma, every line has the
 * header's shape.  So the rules are strict and each has its own message: a
 * header starting "Date" and naming three-letter codes, a trailing empty
 * field only at the end of a line, every line the header's width, each value
 * a plain decimal or "N/A".  Lines may end in LF or CRLF; empty lines are
 * skipped.  Nothing is copied but the date and each value on its way through
 * dec_parse().
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ecbcsv.h"
#include "log.h"

struct field {
	const char *p;
	size_t len;
};

/* Splits one line (no line end) at commas into f[0..max); the count, or -1
 * when there are more than max fields. */
static int
split(const char *line, size_t len, struct field *f, int max)
{
	int nf = 0;
	const char *p = line, *end = line + len;

	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;

		if (nf == max)
			return -1;
		f[nf].p = p;
		f[nf].len = (size_t)(stop - p);
		nf++;
		if (comma == NULL)
			return nf;
		p = comma + 1;
	}
}

/* The next line of body from *pos: its text without CR/LF; advances *pos.
 * 0 at the end of the body. */
static int
next_line(const char *body, size_t len, size_t *pos, const char **line, size_t *linelen)
{
	const char *p = body + *pos, *nl;
	size_t left = len - *pos;

	if (left == 0)
		return 0;
	nl = memchr(p, '\n', left);
	*line = p;
	*linelen = nl != NULL ? (size_t)(nl - p) : left;
	*pos += *linelen + (nl != NULL ? 1 : 0);
	if (*linelen > 0 && p[*linelen - 1] == '\r')
		(*linelen)--;
	return 1;
}

/* The header: "Date", then codes, maybe an empty last field.  *ncodes counts
 * the fields after Date, the trailing empty one included. */
static int
parse_header(const struct field *f, int nf, char codes[][4], int *trailing, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	if (f[0].len != 4 || memcmp(f[0].p, "Date", 4) != 0) {
		buf_quote(q, sizeof(q), f[0].p, f[0].len);
		snprintf(err, errlen, "ECB CSV line 1: the first column is '%s', expected 'Date'", q);
		return -1;
	}
	*trailing = nf > 1 && f[nf - 1].len == 0;
	for (int i = 1; i < nf - (*trailing ? 1 : 0); i++) {
		if (f[i].len != 3) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			snprintf(err, errlen, "ECB CSV line 1: column %d '%s' is not a currency code", i + 1, q);
			return -1;
		}
		memcpy(codes[i], f[i].p, 3);
		codes[i][3] = '\0';
		if (!currency_code_ok(codes[i])) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			snprintf(err, errlen, "ECB CSV line 1: column %d '%s' is not three letters A-Z", i + 1, q);
			return -1;
		}
	}
	if (nf - (*trailing ? 1 : 0) < 2) {
		snprintf(err, errlen, "ECB CSV line 1: the header names no currency");
		return -1;
	}
	return 0;
}

/* One data line into a finished snapshot, or NULL with err set. */
static struct rates *
parse_row(const struct field *f, int nf, char codes[][4], int trailing, size_t lineno, char *err,
    size_t errlen)
{
	char date[DT_DATE_LEN], why[256], q[BUF_QUOTE_LEN];
	struct rates *r = NULL;

	if (f[0].len >= sizeof(date)) {
		buf_quote(q, sizeof(q), f[0].p, f[0].len);
		snprintf(err, errlen, "ECB CSV line %zu: date '%s' is not a valid YYYY-MM-DD date", lineno, q);
		goto fail;
	}
	memcpy(date, f[0].p, f[0].len);
	date[f[0].len] = '\0';
	if ((r = rates_new("EUR", date, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "ECB CSV line %zu: %s", lineno, why);
		goto fail;
	}
	for (int i = 1; i < nf; i++) {
		struct dec d;
		int added;

		if (trailing && i == nf - 1) {
			if (f[i].len != 0) {
				buf_quote(q, sizeof(q), f[i].p, f[i].len);
				snprintf(err, errlen, "ECB CSV line %zu: '%s' after the last column (the header ends "
				    "with an empty field)", lineno, q);
				goto fail;
			}
			break;
		}
		if (f[i].len == 3 && memcmp(f[i].p, "N/A", 3) == 0)
			continue;
		if (dec_parse(f[i].p, f[i].len, &d) == -1) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			snprintf(err, errlen, "ECB CSV line %zu: %s %s '%s': not a plain decimal number or N/A", lineno,
			    date, codes[i], q);
			goto fail;
		}
		if ((added = rates_add(r, codes[i], &d, why, sizeof(why))) == -1) {
			snprintf(err, errlen, "ECB CSV line %zu: %s %s", lineno, date, why);
			goto fail;
		}
		if (added == RATES_SKIPPED)
			log_debug("ECB CSV %s: '%s' is not an ISO 4217 currency cconv knows; ignored", date, codes[i]);
	}
	if (rates_finish(r, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "ECB CSV line %zu: %s %s", lineno, date, why);
		goto fail;
	}
	return r;
fail:
	rates_free(r);
	return NULL;
}

int
ecbcsv_parse(const char *body, size_t len, struct rates ***out, size_t *n, char *err, size_t errlen)
{
	struct field f[ECBCSV_MAX_COLUMNS + 2];	/* Date, the codes, a trailing empty field */
	char codes[ECBCSV_MAX_COLUMNS + 2][4];
	struct rates **v = NULL, *r;
	size_t nv = 0, cap = 0, pos = 0, lineno = 0, linelen;
	const char *line;
	int nf, header_nf = 0, trailing = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	while (next_line(body, len, &pos, &line, &linelen)) {
		lineno++;
		if (linelen == 0 && header_nf == 0) {
			snprintf(err, errlen, "ECB CSV line 1: the header is empty");
			goto out;
		}
		if (linelen == 0)
			continue;
		if ((nf = split(line, linelen, f, ECBCSV_MAX_COLUMNS + 2)) == -1) {
			snprintf(err, errlen, "ECB CSV line %zu: more than %d columns", lineno, ECBCSV_MAX_COLUMNS + 2);
			goto out;
		}
		if (header_nf == 0) {
			if (parse_header(f, nf, codes, &trailing, err, errlen) == -1)
				goto out;
			header_nf = nf;
			continue;
		}
		if (nf != header_nf) {
			snprintf(err, errlen, "ECB CSV line %zu: %d fields, the header has %d", lineno, nf, header_nf);
			goto out;
		}
		if ((r = parse_row(f, nf, codes, trailing, lineno, err, errlen)) == NULL)
			goto out;
		if (rates_vec_append(&v, &nv, &cap, r) == -1) {
			rates_free(r);
			snprintf(err, errlen, "ECB CSV line %zu: more than %d days, or out of memory", lineno,
			    RATES_VEC_MAX);
			goto out;
		}
	}
	if (nv == 0) {
		snprintf(err, errlen, "ECB CSV: no data lines after the header");
		goto out;
	}
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
	rc = 0;
out:
	rates_vec_free(v, nv);
	return rc;
}
