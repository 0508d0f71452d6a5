/*
 * httpcache: ETags from a 64-bit hash of the body, If-None-Match parsing,
 * Cache-Control, and the integer formatting of numeric cache headers, which
 * goes without snprintf because every answer on the request path needs it.
 *
 * The tag is a hash of our own, not a cryptographic one, and need not be: a tag
 * only has to differ between versions of one resource, and a collision between
 * two answers to the same URL is a 2^-64 event.  It is computed on the request
 * path for every answer, so it takes the body 8 bytes a step (read
 * little-endian byte by byte, so every architecture gives the same tag).  A
 * step is h = xorshift((h ^ word) × odd): the multiply is invertible and so is
 * the xor-shift, which folds the high bits the multiply filled back into the
 * low ones, so for a given length two bodies that differ in one word (any
 * one-byte change) always give different tags.  The length seeds the state, so
 * a body and the same body with zero bytes appended, which read as the same
 * zero-padded last word, differ too; a final avalanche spreads every input bit
 * over all 64 bits of the tag.
 */
#include <stdio.h>
#include <string.h>

#include "dt.h"
#include "httpcache.h"

#define ETAG_K1 0x9e3779b97f4a7c15ULL	/* 2^64 / golden ratio, odd */
#define ETAG_K2 0xd6e8feb86659fd93ULL	/* odd, bits spread evenly */
#define ETAG_SEED 0x243f6a8885a308d3ULL	/* fractional digits of pi */

/*
 * 8 bytes at p as a little-endian word.  Spelled as shifts so the tag does not
 * depend on the host's byte order; compilers turn this into one load.
 */
static uint64_t
etag_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	    (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t
etag_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * ETAG_K2;
	return h ^ (h >> 29);
}

static uint64_t
etag_hash(const unsigned char *p, size_t len)
{
	uint64_t h = ETAG_SEED ^ ((uint64_t)len * ETAG_K1);
	size_t i = 0;

	for (; len - i >= 8; i += 8)
		h = etag_step(h, etag_le64(p + i));
	if (i < len) {
		/* The last 1..7 bytes, zero-padded: the seed tells the lengths apart. */
		uint64_t w = 0;
		for (size_t k = 0; i + k < len; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		h = etag_step(h, w);
	}
	h ^= h >> 32;
	h *= ETAG_K1;
	h ^= h >> 29;
	h *= ETAG_K2;
	return h ^ (h >> 32);
}

void
httpcache_etag(const char *body, size_t len, char out[HTTPCACHE_ETAG_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = etag_hash((const unsigned char *)body, len);

	out[0] = '"';
	for (int i = 0; i < 16; i++)
		out[1 + i] = hex[(h >> (60 - 4 * i)) & 0xf];
	out[17] = '"';
	out[18] = '\0';
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Whether the #entity-tag list at p names etag: 1 it does, 0 it does not,
 * -1 a malformed member came first.  Weak comparison (§8.8.3.2): the opaque
 * tags match, W/ or not.
 */
static int
etag_in_list(const char *p, const char *etag)
{
	size_t elen = strlen(etag);

	while (*p != '\0') {
		if (*p == ',' || is_ows(*p)) {
			p++;
			continue;
		}
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return -1;
		const char *end = strchr(p + 1, '"');
		if (end == NULL)
			return -1;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

/* Whether s is "*" with optional whitespace around it. */
static int
is_star(const char *s)
{
	while (is_ows(*s))
		s++;
	if (*s++ != '*')
		return 0;
	while (is_ows(*s))
		s++;
	return *s == '\0';
}

/*
 * If-None-Match = "*" / #entity-tag, its field lines one list (RFC 9110
 * §5.3).  "*" matches only as the whole field.  A malformed member ends the
 * scan without a match, so garbage never yields a 304.
 */
static int
etag_listed(const char *const *lines, size_t n, const char *etag)
{
	if (n == 1 && is_star(lines[0]))
		return 1;
	for (size_t i = 0; i < n; i++) {
		int found = etag_in_list(lines[i], etag);
		if (found != 0)
			return found == 1;
	}
	return 0;
}

int
httpcache_not_modified(const char *const *inm, size_t n_inm, const char *const *ims, size_t n_ims,
    const char *etag, int64_t last_modified, int64_t now)
{
	int64_t since;

	if (n_inm > 0)
		return etag_listed(inm, n_inm, etag);
	/* §13.1.3: more than one member, or not an HTTP-date, and it is ignored. */
	if (n_ims != 1 || dt_parse_http_any(ims[0], now, &since) == -1)
		return 0;
	return last_modified <= since;
}

size_t
httpcache_int(char out[HTTPCACHE_INT_LEN], int64_t v)
{
	char tmp[HTTPCACHE_INT_LEN];
	/* Magnitude as unsigned, so INT64_MIN does not overflow on negation. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		out[len++] = '-';
	while (n > 0)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}

/* Appends text at *len within HTTPCACHE_CONTROL_LEN, truncating as snprintf would. */
static void
cc_put(char *out, size_t *len, const char *text, size_t n)
{
	if (*len + n >= HTTPCACHE_CONTROL_LEN)
		n = HTTPCACHE_CONTROL_LEN - 1 - *len;
	memcpy(out + *len, text, n);
	*len += n;
	out[*len] = '\0';
}

static void
cc_put_str(char *out, size_t *len, const char *text)
{
	cc_put(out, len, text, strlen(text));
}

static void
cc_put_int(char *out, size_t *len, int64_t v)
{
	char num[HTTPCACHE_INT_LEN];
	size_t n = httpcache_int(num, v);

	/* Never true; tells the compiler's bounds check what httpcache_int() guarantees. */
	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	cc_put(out, len, num, n);
}

void
httpcache_control(char out[HTTPCACHE_CONTROL_LEN], int64_t age, int64_t until_refresh, long stale_if_error,
    int immutable)
{
	size_t len = 0;

	if (age < 0)
		age = 0;
	out[0] = '\0';
	cc_put_str(out, &len, "public, max-age=");
	if (immutable) {
		cc_put_int(out, &len, age + HTTPCACHE_IMMUTABLE);
		cc_put_str(out, &len, ", immutable");
		return;
	}
	if (until_refresh < 0)
		until_refresh = 0;
	cc_put_int(out, &len, age + until_refresh);
	cc_put_str(out, &len, ", stale-while-revalidate=");
	cc_put_int(out, &len, HTTPCACHE_SWR);
	cc_put_str(out, &len, ", stale-if-error=");
	cc_put_int(out, &len, stale_if_error);
}
