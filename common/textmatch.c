/*
 * textmatch: folding by table, a substring search, and the optimal string
 * alignment distance on two rows of a small fixed matrix.  The table covers
 * the letters the currency names use (Colón, Złoty, Tögrög, São Tomé) and
 * those of the Latin scripts around them; a letter outside it is compared
 * as it is, which only makes a search stricter, never wrong.
 */
#include <string.h>

#include "textmatch.h"

/* Base letters of U+00C0..U+017F; '*' keeps the character as it is
 * (multiplication and division signs, thorn, eth's capital stays 'd'). */
static const char latin[] =
    "aaaaaaaceeeeiiii" "dnooooo*ouuuuy*s" "aaaaaaaceeeeiiii" "dnooooo*ouuuuy*y"	/* U+00C0..U+00FF */
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "ii" "jj" "kkk"
    "llllllllll" "nnnnnnnnn" "oooooooo" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy"
    "zzzzzz" "s";									/* U+0100..U+017F */

_Static_assert(sizeof(latin) - 1 == 0x180 - 0xC0, "one base letter per code point of U+00C0..U+017F");

/* The code point at s (its byte length in *len), or -1 with *len 1 for a
 * byte that starts no well-formed 2- or 3-byte sequence. */
static long
decode(const unsigned char *s, size_t *len)
{
	*len = 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80) {
		*len = 2;
		return (long)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if (s[0] >= 0xE0 && s[0] <= 0xEF && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		long cp = (long)(s[0] & 0x0F) << 12 | (long)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		if (cp >= 0x800) {
			*len = 3;
			return cp;
		}
	}
	return -1;
}

/* The folded form of code point cp: a letter, 0 to drop it, or -1 to keep
 * its bytes as they are. */
static int
fold_cp(long cp)
{
	if (cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0] != '*')
		return latin[cp - 0xC0];
	if (cp >= 0x218 && cp <= 0x219)
		return 's';
	if (cp >= 0x21A && cp <= 0x21B)
		return 't';
	if (cp == 0x2BB || cp == 0x2018 || cp == 0x2019)
		return 0;
	return -1;
}

size_t
textmatch_fold(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	if (outlen == 0)
		return 0;
	while (*p != '\0') {
		size_t len;
		long cp = *p < 0x80 ? (long)*p : decode(p, &len);
		int c;

		if (*p < 0x80) {
			len = 1;
			c = *p == '\'' ? 0 : (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
		} else
			c = cp == -1 ? -1 : fold_cp(cp);
		if (c > 0) {
			if (n + 1 >= outlen)
				break;
			out[n++] = (char)c;
		} else if (c == -1) {
			if (n + len >= outlen)
				break;
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return n;
}

int
textmatch_contains(const char *haystack, const char *needle)
{
	char h[4 * TEXTMATCH_MAX], nd[4 * TEXTMATCH_MAX];

	textmatch_fold(haystack, h, sizeof(h));
	textmatch_fold(needle, nd, sizeof(nd));
	return strstr(h, nd) != NULL;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t
textmatch_distance(const char *a, const char *b)
{
	char x[TEXTMATCH_MAX + 1], y[TEXTMATCH_MAX + 1];
	size_t d[3][TEXTMATCH_MAX + 1];	/* rows i - 2, i - 1 and i, by i % 3 */
	size_t n = textmatch_fold(a, x, sizeof(x)), m = textmatch_fold(b, y, sizeof(y));

	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = x[i - 1] != y[j - 1];

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
	}
	return d[n % 3][m];
}
