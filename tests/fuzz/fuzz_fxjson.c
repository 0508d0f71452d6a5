/*
 * libFuzzer target: fxjson_parse(), the one place upstream text becomes a
 * snapshot.  Beyond "no crash, no leak, no UB", every accepted body must
 * render back to JSON that parses again to the same snapshot, date and every
 * rate equal: the CLI's cache relies on exactly that round trip, and rates
 * are read from their text, digit for digit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxjson.h"
#include "rates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rates *r = NULL, *again = NULL;
	const struct rate_entry *pivot;
	struct buf b;
	char err[256];

	buf_init(&b, FXJSON_MAX_BODY);
	if (fxjson_parse((const char *)data, size, &r, err, sizeof(err)) == -1) {
		/* A rejection always says why. */
		if (err[0] == '\0')
			abort();
		goto out;
	}
	if ((pivot = rates_find(r, rates_pivot(r)->code)) == NULL)
		abort();
	if (fxjson_render(&b, r, pivot, NULL, 0, NULL, FXJSON_ORIGIN) == -1 || buf_failed(&b))
		abort();
	if (fxjson_parse(b.data, b.len, &again, err, sizeof(err)) == -1)
		abort();
	if (rates_count(again) != rates_count(r) || strcmp(rates_date(again), rates_date(r)) != 0)
		abort();
	for (size_t i = 0; i < rates_count(r); i++)
		if (dec_cmp(&rates_at(again, i)->rate, &rates_at(r, i)->rate) != 0)
			abort();
out:
	rates_free(again);
	rates_free(r);
	buf_free(&b);
	return 0;
}
