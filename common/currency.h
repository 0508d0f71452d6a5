/*
 * currency: the ISO 4217 table (code, English name, minor units, numeric code,
 * symbol), current and historic.
 *
 * The table is static and immutable: every pointer returned here is borrowed and
 * valid for the life of the program; all functions are thread-safe.  Minor units
 * decide how many decimals every printed amount carries (JPY 0, GBP 2, KWD 3).
 */
#ifndef CCONV_CURRENCY_H
#define CCONV_CURRENCY_H

#include <stddef.h>

struct currency {
	char code[4];		/* three letters A-Z, NUL-terminated */
	const char *name;	/* "Pound Sterling" */
	int minor;		/* ISO 4217 minor units: 0..4 */
	unsigned short numeric;	/* ISO 4217 numeric code: 826 */
	unsigned char historic;	/* 1: withdrawn, on ISO 4217's historic list */
	const char *symbol;	/* UTF-8, "£"; NULL when none is known */
};

/* 1 if s is exactly three ASCII letters A-Z, else 0. */
int currency_code_ok(const char *s);

/* Upper-cases a user-typed code into out[4]; 0 on success, -1 if s is not three
 * ASCII letters in any case. */
int currency_normalize(const char *s, char out[4]);

/* The entry for an upper-case code, current or historic, or NULL when neither
 * ISO 4217 list has such a currency. */
const struct currency *currency_find(const char *code);

/* Iteration in code order: currency_at(0 .. currency_count()-1). */
size_t currency_count(void);
const struct currency *currency_at(size_t i);

/* 1 when query, folded (textmatch.h), occurs in c's code or English name:
 * "swiss", "chf", "zloty" and "Złoty" all match their currency. */
int currency_matches(const struct currency *c, const char *query);

/*
 * The currencies a person may have meant by text that is no code: in *out
 * (at most max; the most traded first, then the other current ones, then
 * the historic ones, each in code order) those whose
 * code or name matches query (currency_matches()); returns how many match,
 * which may exceed max.
 */
size_t currency_search(const char *query, const struct currency **out, size_t max);

/*
 * The current codes one typing slip from a three-letter typed code
 * (textmatch_distance() 1: "GPB" → GBP, "USS" → USD): up to max in *out, in
 * code order; returns how many were written.  A code that exists has none.
 */
size_t currency_suggest(const char *typed, const struct currency **out, size_t max);

#endif
