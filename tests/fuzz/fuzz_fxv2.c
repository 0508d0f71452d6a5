/*
 * libFuzzer target: fxv2_parse_feed(), Frankfurter v2's records in either
 * form.  Beyond "no crash, no leak, no UB": whatever it accepts, jansson, an
 * independent parser, reads as the same records (jansson's own limits aside:
 * it refuses numbers a double or long long cannot hold).  Every record whose
 * quote is a known currency other than the base is in the snapshot of its
 * date, at the same value; the snapshots hold nothing else, come oldest
 * first, one per date, and all name the records' base.  A refusal says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fxv2.h"
#include "rates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A rate as a double: its exact decimal text through strtod(), as jansson
 * reads a JSON number, so equal values give equal doubles. */
static double
as_double(const struct dec *d)
{
	char text[DEC_STRLEN];

	dec_format(d, text, sizeof(text));
	return strtod(text, NULL);
}

static double
json_value(const json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* One reference record against the snapshots; the count of those checked. */
static void
check_record(const json_t *rec, struct rates **v, size_t n, size_t *known)
{
	const json_t *date = json_object_get(rec, "date"), *base = json_object_get(rec, "base");
	const json_t *quote = json_object_get(rec, "quote"), *rate = json_object_get(rec, "rate");
	const struct rate_entry *e = NULL;

	if (!json_is_string(date) || !json_is_string(base) || !json_is_string(quote) || !json_is_number(rate))
		abort();
	if (strcmp(json_string_value(quote), json_string_value(base)) == 0 ||
	    currency_find(json_string_value(quote)) == NULL)
		return;
	for (size_t i = 0; i < n && e == NULL; i++)
		if (strcmp(rates_date(v[i]), json_string_value(date)) == 0)
			e = rates_find(v[i], json_string_value(quote));
	if (e == NULL || as_double(&e->rate) != json_value(rate))
		abort();
	if (strcmp(rates_pivot(v[0])->code, json_string_value(base)) != 0)
		abort();
	(*known)++;
}

/* jansson's reading of the records: 0, or -1 when jansson refused the text
 * for one of its own limits. */
static int
reference(const char *text, size_t size, struct rates **v, size_t n, size_t *known)
{
	json_error_t jerr;
	json_t *doc;

	if (size > 0 && text[0] == '[') {
		if ((doc = json_loadb(text, size, 0, &jerr)) == NULL)
			goto refused;
		for (size_t i = 0; i < json_array_size(doc); i++)
			check_record(json_array_get(doc, i), v, n, known);
		json_decref(doc);
		return 0;
	}
	for (const char *p = text, *end = text + size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl != NULL ? nl : end;
		const char *q = p;

		while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < stop) {
			if ((doc = json_loadb(p, (size_t)(stop - p), 0, &jerr)) == NULL)
				goto refused;
			check_record(doc, v, n, known);
			json_decref(doc);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
refused:
	if (strstr(jerr.text, "too big") == NULL && strstr(jerr.text, "overflow") == NULL)
		abort();
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rates_vec k = { NULL, 0, 0 };
	const struct rates_sink sink = { rates_vec_keep, &k };
	struct codeset skipped;
	size_t known = 0, held = 0;
	char err[256];

	codeset_clear(&skipped);
	if (fxv2_parse_feed((const char *)data, size, &sink, &skipped, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		goto out;
	}
	if (k.n == 0)
		abort();
	for (size_t i = 0; i < k.n; i++) {
		if (i > 0 && strcmp(rates_date(k.v[i - 1]), rates_date(k.v[i])) >= 0)
			abort();
		if (rates_pivot(k.v[i]) != rates_pivot(k.v[0]))
			abort();
		held += rates_count(k.v[i]) - 1;
	}
	if (reference((const char *)data, size, k.v, k.n, &known) == 0 && known != held)
		abort();
out:
	rates_vec_free(k.v, k.n);
	return 0;
}
