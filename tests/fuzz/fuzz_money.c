/*
 * libFuzzer target: money_parse_amount() (amounts from URLs and argv) and
 * dec_parse() (rates as decimal text).  Whatever either accepts must print with
 * dec_format() and read back to the same value, and converting an amount at a
 * rate of 1 must give it back unchanged: properties every answer depends on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct dec *d)
{
	char text[DEC_STRLEN];
	struct dec back;
	size_t n = dec_format(d, text, sizeof(text));

	if (n == 0 || n >= sizeof(text) || strlen(text) != n)
		abort();
	if (dec_parse(text, n, &back) == -1 || dec_cmp(&back, d) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dec amount, rate, out;
	const struct dec one = { 1, 0 };
	char err[256];

	if (money_parse_amount(s, size, &amount, err, sizeof(err)) == 0) {
		check_round_trip(&amount);
		if (money_muldiv(&amount, &one, &one, amount.scale, &out) == -1 ||
		    dec_cmp(&out, &amount) != 0)
			abort();
	} else if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	if (dec_parse(s, size, &rate) == 0) {
		check_round_trip(&rate);
		if (rate.scale < 0 || rate.scale > DEC_MAX_SCALE)
			abort();
	}
	return 0;
}
