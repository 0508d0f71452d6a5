/*
 * unitlib: small helpers more than one unit test needs.  Header-only, since
 * every unit test is a program of its own; include it after <cmocka.h>,
 * whose assertions it uses.
 */
#ifndef CCONV_TEST_UNITLIB_H
#define CCONV_TEST_UNITLIB_H

#include <stdint.h>

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

#endif
