/*
 * codeset: a set of three-letter codes (A-Z), one bit each, and its listing
 * for a message.
 *
 * Readers use it to say which codes a document held that they skipped
 * (neither ISO 4217 list knows them), once per document rather than once per
 * day, and to spot a code given twice where that matters.  A set is a plain
 * value (about 2 KiB, no allocation); it belongs to one thread.
 */
#ifndef CCONV_CODESET_H
#define CCONV_CODESET_H

#include <stddef.h>

#define CODESET_BITS (26 * 26 * 26)

struct codeset {
	size_t n;				/* codes in the set */
	unsigned char bits[CODESET_BITS / 8 + 1];
};

/* Empties s. */
void codeset_clear(struct codeset *s);

/* Adds code, which must be three letters A-Z (currency_code_ok()): 1 when it
 * was not in the set, 0 when it was already; -1 (nothing added) for any other
 * text. */
int codeset_add(struct codeset *s, const char *code);

/*
 * The codes in code order, "XAU, XDR, ZZZ", into out (outlen > 0): as many
 * whole codes as fit, then ", ..." when some do not.  "" for an empty set.
 * Returns the number of codes written.
 */
size_t codeset_list(const struct codeset *s, char *out, size_t outlen);

#endif
