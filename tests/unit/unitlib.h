/*
 * unitlib: small helpers more than one unit test needs.  Header-only, since
 * every unit test is a program of its own; include it after <cmocka.h>,
 * whose assertions it uses.
 */
#ifndef CCONV_TEST_UNITLIB_H
#define CCONV_TEST_UNITLIB_H

#include <stdint.h>
#include <string.h>

#include "api.h"
#include "dt.h"
#include "money.h"
#include "rates.h"

/* The Unix time of an ISO 8601 instant ("2026-11-20T15:00:00Z"); fails the test when it is not one. */
static inline int64_t
unit_at(const char *iso)
{
	int64_t t = 0;

	assert_int_equal(dt_parse_iso8601(iso, &t), 0);
	return t;
}

/* The rate text of code in r, exactly as stored, or "(none)"; valid until the next call. */
static inline const char *
unit_rate(const struct rates *r, const char *code)
{
	static char text[DEC_STRLEN];
	const struct rate_entry *e = rates_find(r, code);

	if (e == NULL)
		return "(none)";
	dec_format(&e->rate, text, sizeof(text));
	return text;
}

/* The query "k=v&k2=v2&k3" (no %-decoding) cut up in place into args, at
 * most max; returns how many.  The args point into query. */
static inline size_t
unit_query(char *query, struct api_arg *args, size_t max)
{
	size_t n = 0;
	char *p = query;

	while (*p != '\0' && n < max) {
		char *amp = strchr(p, '&'), *eq;

		if (amp != NULL)
			*amp = '\0';
		eq = strchr(p, '=');
		args[n].key = p;
		args[n].key_len = eq != NULL ? (size_t)(eq - p) : strlen(p);
		args[n].value = eq != NULL ? eq + 1 : NULL;
		args[n].value_len = eq != NULL ? strlen(eq + 1) : 0;
		n++;
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return n;
}

#endif
