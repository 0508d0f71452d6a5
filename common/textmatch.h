/*
 * textmatch: how a person's loose text is matched against names, the one
 * rule for every face of cconv that searches (cconv --list swiss, cconv
 * dollar 100, did-you-mean for codes and options).
 *
 * Folding makes "Złoty", "ZLOTY" and "zloty" the same text: ASCII letters
 * are lower-cased, the Latin letters with accents of U+00C0..U+017F (and
 * Romanian's U+0218..U+021B) become their base letter, apostrophes (' and
 * U+02BB, U+2018, U+2019) are dropped; every other byte is kept.  The
 * distance is the optimal string alignment distance (insertions, deletions,
 * substitutions and swaps of neighbours, each 1) of the folded texts: "GPB"
 * is 1 from "GBP", "--frm" 1 from "--from".
 *
 * Pure and thread-safe; nothing here allocates.
 */
#ifndef CCONV_TEXTMATCH_H
#define CCONV_TEXTMATCH_H

#include <stddef.h>

#define TEXTMATCH_MAX 64	/* bytes of folded text compared; longer text is cut */

/* Folds s into out (NUL-terminated, cut at outlen - 1 bytes, never inside a
 * UTF-8 character); returns the length written. */
size_t textmatch_fold(const char *s, char *out, size_t outlen);

/* 1 when the folded needle occurs in the folded haystack; an empty needle
 * occurs everywhere. */
int textmatch_contains(const char *haystack, const char *needle);

/* The distance between the folded a and b (each cut to TEXTMATCH_MAX bytes). */
size_t textmatch_distance(const char *a, const char *b);

#endif
