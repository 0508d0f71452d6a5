/*
 * libFuzzer target: money_parse_amount() (amounts from URLs and argv) and
 * dec_parse() (rates as decimal text).  Whatever either accepts must print with
 * dec_format() and read back to the same value, and converting an amount at a
 * rate of 1 must give it back unchanged: properties every answer depends on.
 * The same bytes, read as three 128-bit operands and an exponent, also drive
 * the conversion kernel's 128-bit fast path and its multi-word reference path,
 * which must agree on the quotient and on failing (money_internal.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "money_internal.h"

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

/*
 * Operand i is bytes [16i, 16i+16) little-endian, cut to the bit length in
 * byte 48+i so small values, the common case, are as reachable as huge ones;
 * byte 51 is the exponent, -64..63.  Missing bytes read as zero.
 */
static void
check_kernels(const uint8_t *data, size_t size)
{
	unsigned __int128 op[3], qf = 1, qb = 1;
	uint8_t b[52] = { 0 };

	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	for (int i = 0; i < 3; i++) {
		unsigned __int128 v = 0;
		for (int k = 15; k >= 0; k--)
			v = (v << 8) | b[16 * i + k];
		int bits = b[48 + i] % 129;
		op[i] = bits >= 128 ? v : v & (((unsigned __int128)1 << bits) - 1);
	}
	int e = (int)(b[51] % 128) - 64;
	int rf = money_muldiv_pow10(op[0], op[1], op[2], e, &qf);
	int rb = money_muldiv_pow10_big(op[0], op[1], op[2], e, &qb);
	if (rf != rb || (rf == 0 && qf != qb))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct dec amount, rate, out;
	const struct dec one = { 1, 0 };
	char err[256];

	check_kernels(data, size);
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
