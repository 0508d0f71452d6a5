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
#include <string.h>

#include "buf.h"
#include "ecbcsv.h"
#include "err.h"
#include "feed.h"

struct field {
	const char *p;
	size_t len;
};

/* Splits one line (no line end) at commas into f[0..max); the count, or -1
 * when there are more than max fields. */
static int
split_fields(const char *line, size_t len, struct field *f, int max)
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
 * the fields after Date, the trailing empty one included.  0, or -1 with the
 * reason in err (the caller names the line). */
static int
parse_header(const struct field *f, int nf, char codes[][4], int *trailing, char *err, size_t errlen)
{
	char q[BUF_QUOTE_LEN];

	if (f[0].len != 4 || memcmp(f[0].p, "Date", 4) != 0) {
		buf_quote(q, sizeof(q), f[0].p, f[0].len);
		err_set(err, errlen, "the first column is '%s', expected 'Date'", q);
		return -1;
	}
	*trailing = nf > 1 && f[nf - 1].len == 0;
	for (int i = 1; i < nf - (*trailing ? 1 : 0); i++) {
		if (f[i].len != 3) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			err_set(err, errlen, "column %d '%s' is not a currency code", i + 1, q);
			return -1;
		}
		memcpy(codes[i], f[i].p, 3);
		codes[i][3] = '\0';
		if (!currency_code_ok(codes[i])) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			err_set(err, errlen, "column %d '%s' is not three letters A-Z", i + 1, q);
			return -1;
		}
	}
	if (nf - (*trailing ? 1 : 0) < 2) {
		err_set(err, errlen, "the header names no currency");
		return -1;
	}
	return 0;
}

/* One data line into a finished snapshot, or NULL with the reason in err
 * (the caller names the line). */
static struct rates *
parse_row(const struct field *f, int nf, char codes[][4], int trailing, struct codeset *skipped, char *err,
    size_t errlen)
{
	char date[DT_DATE_LEN], q[BUF_QUOTE_LEN];
	struct rates *r = NULL;

	if (f[0].len >= sizeof(date)) {
		buf_quote(q, sizeof(q), f[0].p, f[0].len);
		err_set(err, errlen, "date '%s' is not a valid YYYY-MM-DD date", q);
		goto fail;
	}
	memcpy(date, f[0].p, f[0].len);
	date[f[0].len] = '\0';
	if ((r = rates_new("EUR", date, err, errlen)) == NULL)
		goto fail;
	for (int i = 1; i < nf; i++) {
		struct dec d;

		if (trailing && i == nf - 1) {
			if (f[i].len != 0) {
				buf_quote(q, sizeof(q), f[i].p, f[i].len);
				err_set(err, errlen, "'%s' after the last column (the header ends with an empty field)",
				    q);
				goto fail;
			}
			break;
		}
		if (f[i].len == 3 && memcmp(f[i].p, "N/A", 3) == 0)
			continue;
		if (dec_parse(f[i].p, f[i].len, &d) == -1) {
			buf_quote(q, sizeof(q), f[i].p, f[i].len);
			err_set(err, errlen, "%s %s '%s': not a plain decimal number or N/A", date, codes[i], q);
			goto fail;
		}
		if (feed_add_rate(r, codes[i], &d, skipped, err, errlen) == RATES_REJECTED) {
			err_prefix(err, errlen, "%s %s", date, codes[i]);
			goto fail;
		}
	}
	if (rates_finish(r, err, errlen) == -1) {
		err_prefix(err, errlen, "%s", date);
		goto fail;
	}
	return r;
fail:
	rates_free(r);
	return NULL;
}

/* What the lines read so far established. */
struct csv {
	char codes[ECBCSV_MAX_COLUMNS + 2][4];
	int header_nf;		/* fields of the header; 0 until it is read */
	int trailing;		/* the header ends with an empty field */
	struct rates **v;	/* the days, in file order */
	size_t n, cap;
	struct codeset *skipped;
};

/* One line: the header, or a day appended to c->v (an empty line after the
 * header is skipped).  0, or -1 with the reason in err (the caller names the
 * line). */
static int
take_line(struct csv *c, const char *line, size_t linelen, char *err, size_t errlen)
{
	struct field f[ECBCSV_MAX_COLUMNS + 2];	/* Date, the codes, a trailing empty field */
	struct rates *r;
	int nf;

	if (linelen == 0 && c->header_nf == 0) {
		err_set(err, errlen, "the header is empty");
		return -1;
	}
	if (linelen == 0)
		return 0;
	if ((nf = split_fields(line, linelen, f, ECBCSV_MAX_COLUMNS + 2)) == -1) {
		err_set(err, errlen, "more than %d columns", ECBCSV_MAX_COLUMNS + 2);
		return -1;
	}
	if (c->header_nf == 0) {
		if (parse_header(f, nf, c->codes, &c->trailing, err, errlen) == -1)
			return -1;
		c->header_nf = nf;
		return 0;
	}
	if (nf != c->header_nf) {
		err_set(err, errlen, "%d fields, the header has %d", nf, c->header_nf);
		return -1;
	}
	if ((r = parse_row(f, nf, c->codes, c->trailing, c->skipped, err, errlen)) == NULL)
		return -1;
	if (rates_vec_append(&c->v, &c->n, &c->cap, r) == -1) {
		rates_free(r);
		err_set(err, errlen, "more than %d days, or out of memory", RATES_VEC_MAX);
		return -1;
	}
	return 0;
}

int
ecbcsv_parse(const char *body, size_t len, struct rates ***out, size_t *n, struct codeset *skipped, char *err,
    size_t errlen)
{
	struct csv c = { .skipped = skipped };
	size_t pos = 0, lineno = 0, linelen;
	const char *line;
	int rc = -1;

	*out = NULL;
	*n = 0;
	while (next_line(body, len, &pos, &line, &linelen)) {
		lineno++;
		if (take_line(&c, line, linelen, err, errlen) == -1) {
			err_prefix(err, errlen, "ECB CSV line %zu", lineno);
			goto out;
		}
	}
	if (c.n == 0) {
		err_set(err, errlen, "ECB CSV: no data lines after the header");
		goto out;
	}
	*out = c.v;
	*n = c.n;
	c.v = NULL;
	c.n = 0;
	rc = 0;
out:
	rates_vec_free(c.v, c.n);
	return rc;
}
