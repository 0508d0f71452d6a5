/*
 * libFuzzer target: what a tier reads from an upstream's answer headers to
 * know how old its rates are.  The bytes are one header line for
 * fetch_header_age() (an Age it takes is 0..2^31 and written back reads the
 * same), and one HTTP-date for dt_parse_http_any() in any of its three forms
 * (a date it takes prints as an IMF-fixdate that reads back to the same
 * time); upstream_fetched_at() on what they gave is never after now.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"
#include "fetch.h"
#include "upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1795000000	/* 2026-11-18T11:06:40Z: RFC 850's century is taken from it */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, line[64], http[DT_HTTP_LEN];
	int64_t age = -1, back = -1, t = -1, again;
	int n;

	if (fetch_header_age((const char *)data, size, &age) == 1) {
		if (age < 0 || age > 2147483648LL)
			abort();
		n = snprintf(line, sizeof(line), "Age: %lld\r\n", (long long)age);
		if (fetch_header_age(line, (size_t)n, &back) != 1 || back != age)
			abort();
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (dt_parse_http_any(s, NOW, &t) == 0) {
		dt_http(t, http);
		if (dt_parse_http(http, &again) != 0 || again != t)
			abort();
	}
	free(s);
	int64_t at = upstream_fetched_at(NOW, age, t);
	if (at > NOW || at < 1)
		abort();
	return 0;
}
