/*
 * money_calc: a line-oriented driver over money.c for the oracle test.
 *
 * Each input line is "AMOUNT TO_RATE FROM_RATE SCALE", fields separated by
 * single spaces.  AMOUNT is parsed as a person's amount (money_parse_amount),
 * the rates keep every digit (dec_parse).  Each output line has two columns:
 * amount × to ÷ from rounded to SCALE decimals, and the same rounded to 6
 * significant digits (the cross-rate rule); either is "ERR" when refused.
 * test_money_oracle.py feeds it thousands of lines in one run and checks every
 * answer with Python's decimal module.  A line that is not four fields is a
 * usage error: exit 64, since the test generated it wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

#define MAX_FIELDS 4
#define CROSS_SIG 6	/* significant digits of a printed cross rate */

/* Splits line (NUL-terminated, no newline) at spaces; returns the field count. */
static int
split(char *line, char *field[MAX_FIELDS], size_t len[MAX_FIELDS])
{
	int n = 0;
	char *p = line;

	while (*p != '\0') {
		char *sp = strchr(p, ' ');
		size_t l = sp != NULL ? (size_t)(sp - p) : strlen(p);

		if (n == MAX_FIELDS)
			return MAX_FIELDS + 1;
		field[n] = p;
		len[n] = l;
		n++;
		p += l;
		if (*p == ' ')
			p++;
	}
	return n;
}

/* "0".."30" → 0 with *scale set, else -1. */
static int
parse_scale(const char *s, size_t n, int *scale)
{
	int v = 0;

	if (n == 0 || n > 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > DEC_MAX_SCALE)
		return -1;
	*scale = v;
	return 0;
}

static void
answer(char *const field[MAX_FIELDS], const size_t n[MAX_FIELDS], int scale)
{
	char err[256], a_text[DEC_STRLEN], s_text[DEC_STRLEN];
	struct dec amount, to, from, r;
	const char *res = "ERR", *sig = "ERR";

	if (money_parse_amount(field[0], n[0], &amount, err, sizeof(err)) == 0 &&
	    dec_parse(field[1], n[1], &to) == 0 && dec_parse(field[2], n[2], &from) == 0) {
		if (money_muldiv(&amount, &to, &from, scale, &r) == 0) {
			dec_format(&r, a_text, sizeof(a_text));
			res = a_text;
		}
		if (money_muldiv_sig(&amount, &to, &from, CROSS_SIG, &r) == 0) {
			dec_format(&r, s_text, sizeof(s_text));
			sig = s_text;
		}
	}
	printf("%s %s\n", res, sig);
}

int
main(void)
{
	char *line = NULL, *field[MAX_FIELDS];
	size_t cap = 0, len[MAX_FIELDS];
	ssize_t got;
	long lineno = 0;
	int scale, rc = 0;

	while ((got = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (got > 0 && line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (split(line, field, len) != MAX_FIELDS || parse_scale(field[3], len[3], &scale) == -1) {
			fprintf(stderr, "money_calc: line %ld: expected AMOUNT TO FROM SCALE\n", lineno);
			rc = 64;
			goto out;
		}
		answer(field, len, scale);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "money_calc: reading stdin failed\n");
		rc = 1;
	}
out:
	free(line);
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
	return rc;
}
