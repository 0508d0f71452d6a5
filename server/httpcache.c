/*
 * httpcache: ETags from FNV-1a, If-None-Match parsing, Cache-Control.
 *
 * FNV-1a (64 bits) is not a cryptographic hash and need not be: a tag only has
 * to differ between versions of one resource, and a collision between two
 * answers to the same URL is a 2^-64 event.  It costs about a cycle a byte on
 * bodies of a few hundred bytes, on the request path.
 */
#include <stdio.h>
#include <string.h>

#include "dt.h"
#include "httpcache.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

void
httpcache_etag(const char *body, size_t len, char out[HTTPCACHE_ETAG_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)body[i];
		h *= FNV_PRIME;
	}
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
 * If-None-Match = "*" / #entity-tag, entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE.
 * Weak comparison (§8.8.3.2): the opaque tags match, W/ or not.  A malformed
 * member ends the scan without a match, so garbage never yields a 304.
 */
static int
etag_listed(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (is_ows(*p))
		p++;
	if (*p == '*') {
		for (p++; is_ows(*p); p++)
			;
		return *p == '\0';
	}
	while (*p != '\0') {
		if (*p == ',' || is_ows(*p)) {
			p++;
			continue;
		}
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0;
		const char *end = strchr(p + 1, '"');
		if (end == NULL)
			return 0;
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

int
httpcache_not_modified(const char *if_none_match, const char *if_modified_since, const char *etag,
    int64_t last_modified)
{
	int64_t since;

	if (if_none_match != NULL)
		return etag_listed(if_none_match, etag);
	if (if_modified_since == NULL || dt_parse_http(if_modified_since, &since) == -1)
		return 0;
	return last_modified <= since;
}

void
httpcache_control(char out[HTTPCACHE_CONTROL_LEN], int64_t age, int64_t until_refresh, long stale_if_error,
    int immutable)
{
	if (age < 0)
		age = 0;
	if (immutable) {
		snprintf(out, HTTPCACHE_CONTROL_LEN, "public, max-age=%lld, immutable",
		    (long long)(age + HTTPCACHE_IMMUTABLE));
		return;
	}
	if (until_refresh < 0)
		until_refresh = 0;
	snprintf(out, HTTPCACHE_CONTROL_LEN, "public, max-age=%lld, stale-while-revalidate=%ld, stale-if-error=%ld",
	    (long long)(age + until_refresh), HTTPCACHE_SWR, stale_if_error);
}
