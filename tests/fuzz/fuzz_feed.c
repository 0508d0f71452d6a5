/*
 * libFuzzer target: feed_parse(), every rates document format (Frankfurter
 * JSON, one day or a series; ECB XML; ECB CSV) recognised from its content.
 * Beyond crashes and sanitizer reports: a rejection says why, and an accepted
 * document gives at least one finished snapshot, oldest first, no two with
 * the same date, each with at least one rate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "rates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rates **v = NULL;
	size_t n = 0;
	char err[256];

	if (feed_parse((const char *)data, size, &v, &n, err, sizeof(err)) == -1) {
		if (err[0] == '\0' || v != NULL)
			abort();
		return 0;
	}
	if (n == 0 || v == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (rates_count(v[i]) == 0 || rates_pivot(v[i]) == NULL)
			abort();
		if (i > 0 && strcmp(rates_date(v[i - 1]), rates_date(v[i])) >= 0)
			abort();
	}
	rates_vec_free(v, n);
	return 0;
}
