/*
 * numfmt: grouping written from the digits of a text, and an amount read
 * through its "shape".
 *
 * The reader first turns the typed text into one byte per digit or mark
 * ('.', ',', '_', ' ' for any space, '\'' for the locale's own other
 * separator), so every rule after that is about ASCII: where the decimal
 * point is (decide_point()), whether the groups before it are the
 * locale's or threes (grouped_ok()), and the plain digits handed to
 * money_parse_amount(), which keeps the limits on digits in one place.
 * Text with no mark but '.' that cannot be a separator skips all of this:
 * money_parse_amount() reads it as it always has.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "numfmt.h"

#define SHAPE_MAX 128	/* bytes of typed text read for separators; longer is plain or wrong */

/* The spaces people and locales put between groups, in UTF-8. */
static const char *const spaces[] = {
	" ",
	"\xc2\xa0",		/* U+00A0 no-break space */
	"\xe2\x80\x89",		/* U+2009 thin space */
	"\xe2\x80\xaf",		/* U+202F narrow no-break space (fr_FR) */
};

void
numfmt_c(struct numfmt *nf)
{
	memset(nf, 0, sizeof(*nf));
	nf->point[0] = '.';
}

/* Copies s into out[outlen] whole; -1 when it does not fit. */
static int
copy_whole(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (n >= outlen)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
numfmt_from_environment(struct numfmt *nf)
{
	const struct lconv *lc;
	const char *was;
	char *saved;
	struct numfmt got;
	int rc = -1;

	numfmt_c(nf);
	/* setlocale(), not newlocale(): glibc's newlocale() keeps a copy of
	 * LOCPATH it never frees.  The program's own LC_NUMERIC is put back
	 * at once, so printf("%f"), strtod() and jansson keep their '.'. */
	if ((was = setlocale(LC_NUMERIC, NULL)) == NULL || (saved = strdup(was)) == NULL)
		return -1;
	if (setlocale(LC_NUMERIC, "") != NULL) {
		lc = localeconv();
		if (copy_whole(got.point, sizeof(got.point), lc->decimal_point) == 0 && got.point[0] != '\0' &&
		    copy_whole(got.sep, sizeof(got.sep), lc->thousands_sep) == 0 &&
		    copy_whole(got.grouping, sizeof(got.grouping), lc->grouping) == 0 &&
		    strcmp(got.point, got.sep) != 0) {
			*nf = got;
			rc = 0;
		}
	}
	(void)setlocale(LC_NUMERIC, saved);
	free(saved);
	return rc;
}

/* The size of the i-th group from the right under grouping g, or 0 when
 * grouping has ended by then. */
static int
group_size(const char *g, size_t i)
{
	size_t k = 0;
	int size = 0;

	for (;;) {
		if (g[k] == '\0')
			return size;	/* the last size repeats; none at all: no grouping */
		if (g[k] == CHAR_MAX || g[k] <= 0)
			return 0;
		size = g[k];
		if (k == i)
			return size;
		k++;
	}
}

int
numfmt_group(const struct numfmt *nf, const char *plain, char *out, size_t outlen)
{
	size_t nint = strspn(plain, "0123456789"), len = 0, at[DEC_STRLEN];
	size_t nat = 0, pos = nint, seplen = strlen(nf->sep);
	const char *frac = plain + nint;

	if (nint == 0 || nint >= DEC_STRLEN || (frac[0] != '\0' && (frac[0] != '.' || frac[1] == '\0' ||
	    frac[1 + strspn(frac + 1, "0123456789")] != '\0'))) {
		snprintf(out, outlen, "%s", plain);
		return -1;
	}
	/* Where a separator goes, counted from the left, rightmost first. */
	for (size_t i = 0; seplen > 0; i++) {
		int size = group_size(nf->grouping, i);

		if (size <= 0 || (size_t)size >= pos)
			break;
		pos -= (size_t)size;
		at[nat++] = pos;
	}
	for (size_t i = 0; i < nint; i++) {
		if (nat > 0 && at[nat - 1] == i) {
			if (len + seplen >= outlen)
				goto too_small;
			memcpy(out + len, nf->sep, seplen);
			len += seplen;
			nat--;
		}
		if (len + 1 >= outlen)
			goto too_small;
		out[len++] = plain[i];
	}
	if (frac[0] == '.') {
		size_t plen = strlen(nf->point), flen = strlen(frac + 1);

		if (len + plen + flen >= outlen)
			goto too_small;
		memcpy(out + len, nf->point, plen);
		memcpy(out + len + plen, frac + 1, flen);
		len += plen + flen;
	}
	out[len] = '\0';
	return 0;
too_small:
	snprintf(out, outlen, "%s", plain);
	return -1;
}

/* The bytes of mark m at s[0..n), or 0. */
static size_t
starts(const char *s, size_t n, const char *m)
{
	size_t len = strlen(m);

	return len > 0 && len <= n && memcmp(s, m, len) == 0 ? len : 0;
}

/* s[0..n) as shape text (above) into shape[SHAPE_MAX]; -1 when another
 * byte is there, or too many. */
static int
shape_of(const struct numfmt *nf, const char *s, size_t n, char *shape)
{
	size_t k = 0;

	for (size_t i = 0, w; i < n; i += w) {
		char c = s[i];

		if (k + 1 >= SHAPE_MAX)
			return -1;
		w = 1;
		if (!((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '_')) {
			c = '\0';
			for (size_t j = 0; j < sizeof(spaces) / sizeof(spaces[0]) && c == '\0'; j++)
				if ((w = starts(s + i, n - i, spaces[j])) > 0)
					c = ' ';
			if (c == '\0' && (w = starts(s + i, n - i, nf->sep)) > 0)
				c = '\'';
			if (c == '\0')
				return -1;
		}
		shape[k++] = c;
	}
	shape[k] = '\0';
	return 0;
}

/* The shape byte of a locale's mark ("," -> ','), or '\0' for none or one
 * that is not a single mark. */
static char
mark_kind(const struct numfmt *nf, const char *mark)
{
	char shape[SHAPE_MAX];

	if (mark[0] == '\0' || shape_of(nf, mark, strlen(mark), shape) == -1 || strlen(shape) != 1 ||
	    (shape[0] >= '0' && shape[0] <= '9'))
		return '\0';
	return shape[0];
}

static size_t
count(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* 1 when the sizes of groups g[0..ng) (left to right) follow grouping:
 * each but the leftmost its size, the leftmost 1 up to its size. */
static int
sizes_follow(const size_t *g, size_t ng, const char *grouping)
{
	for (size_t i = 0; i < ng; i++) {
		int want = group_size(grouping, ng - 1 - i);

		if (ng > 1 && want <= 0)
			return 0;
		if (i == 0 ? g[i] == 0 || (ng > 1 && g[i] > (size_t)want) : g[i] != (size_t)want)
			return 0;
	}
	return 1;
}

/* 1 when p[0..n) is digits in groups split by mark, by the locale's
 * grouping or by threes; digits alone pass, with no group empty.  Grouped
 * digits never start with 0 ("0.001" is no thousand). */
static int
grouped_ok(const struct numfmt *nf, const char *p, size_t n, char mark)
{
	size_t g[SHAPE_MAX], ng = 0, run = 0;

	if (n > 0 && p[0] == '0' && memchr(p, mark, n) != NULL)
		return 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == mark) {
			g[ng++] = run;
			run = 0;
		} else if (p[i] >= '0' && p[i] <= '9')
			run++;
		else
			return 0;
	}
	g[ng++] = run;
	return sizes_follow(g, ng, "\3") || sizes_follow(g, ng, nf->grouping);
}

/* The digits of shape[0..n) into out, the mark at point (if < n) as dot. */
static void
digits_of(const char *shape, size_t n, size_t point, const char *dot, char *out, size_t outlen)
{
	size_t len = 0;

	for (size_t i = 0; i < n && len + 1 < outlen; i++) {
		if (i == point) {
			len += (size_t)snprintf(out + len, outlen - len, "%s", dot);
			if (len >= outlen)
				len = outlen - 1;
		} else if (shape[i] >= '0' && shape[i] <= '9')
			out[len++] = shape[i];
	}
	out[len] = '\0';
}

/*
 * Where the decimal point of shape[0..n) is: its index, n for none, or
 * (size_t)-1 with the refusal in err.  q is the typed text, quoted.
 */
static size_t
decide_point(const struct numfmt *nf, const char *shape, size_t n, const char *q, char *err, size_t errlen)
{
	size_t ndot = count(shape, n, '.'), ncomma = count(shape, n, ',');
	char sep = mark_kind(nf, nf->sep), point = mark_kind(nf, nf->point);
	char whole[SHAPE_MAX], decimal[SHAPE_MAX + NUMFMT_MARK_MAX];
	size_t at;
	char c;

	if (ndot > 0 && ncomma > 0) {
		at = n;
		while (shape[at - 1] != '.' && shape[at - 1] != ',')
			at--;
		at--;
		if (count(shape, n, shape[at]) > 1) {
			err_set(err, errlen, "amount '%s': with both '.' and ',' the last is the decimal point, and "
			    "there is one: 1,234.50 or 1.234,50", q);
			return (size_t)-1;
		}
		return at;
	}
	if (ndot + ncomma != 1)
		return n;	/* none, or a mark that repeats: it separates groups */
	c = ndot == 1 ? '.' : ',';
	at = (size_t)(strchr(shape, c) - shape);
	if (!grouped_ok(nf, shape, n, c)) {
		/* It cannot separate groups, so it is a decimal point, if
		 * '.', or ',' where the locale says so. */
		if (c == '.' || point == ',')
			return at;
		digits_of(shape, n, at, ".", decimal, sizeof(decimal));
		if (sep == ',')
			err_set(err, errlen, "amount '%s': ',' separates thousands here; write %s if it is the "
			    "decimal point", q, decimal);
		else
			err_set(err, errlen, "amount '%s': ',' is no decimal point here; write %s if it is one", q,
			    decimal);
		return (size_t)-1;
	}
	if (c == ',' && sep == ',')
		return n;
	/* '.' where it separates thousands is never this locale's point. */
	if (c == point)
		return at;
	digits_of(shape, n, n, "", whole, sizeof(whole));
	digits_of(shape, n, at, point == ',' ? "," : ".", decimal, sizeof(decimal));
	err_set(err, errlen, "amount '%s' is ambiguous: write %s if '%c' separates thousands, or %s if it is "
	    "the decimal point", q, whole, c, decimal);
	return (size_t)-1;
}

int
numfmt_parse_amount(const struct numfmt *nf, const char *s, size_t n, struct dec *out, char *err,
    size_t errlen)
{
	char shape[SHAPE_MAX], plain[SHAPE_MAX], q[BUF_QUOTE_LEN];
	char group = '\0';
	size_t len, point;

	if (n >= SHAPE_MAX || shape_of(nf, s, n, shape) == -1)
		return money_parse_amount(s, n, out, err, errlen);
	len = strlen(shape);
	if (strspn(shape, "0123456789.") == len && mark_kind(nf, nf->sep) != '.')
		return money_parse_amount(s, n, out, err, errlen);
	buf_quote(q, sizeof(q), s, n);
	if ((point = decide_point(nf, shape, len, q, err, errlen)) == (size_t)-1)
		return -1;
	if (point + 1 == len) {
		err_set(err, errlen, "amount '%s': expected digits after '%c'", q, shape[point]);
		return -1;
	}
	if (point < len && strspn(shape + point + 1, "0123456789") != len - point - 1) {
		err_set(err, errlen, "amount '%s': only digits after the decimal point '%c'", q, shape[point]);
		return -1;
	}
	for (size_t i = 0; i < point; i++) {
		if (shape[i] >= '0' && shape[i] <= '9')
			continue;
		if (group != '\0' && shape[i] != group) {
			err_set(err, errlen, "amount '%s': one kind of separator between groups, not '%c' and '%c': "
			    "1_000_000 or 1 000 000", q, group, shape[i]);
			return -1;
		}
		group = shape[i];
	}
	if (group != '\0' && !grouped_ok(nf, shape, point, group)) {
		err_set(err, errlen, "amount '%s': a separator goes between groups of three digits: 1_000_000, "
		    "1,000,000.50", q);
		return -1;
	}
	digits_of(shape, len, point, ".", plain, sizeof(plain));
	return money_parse_amount(plain, strlen(plain), out, err, errlen);
}
