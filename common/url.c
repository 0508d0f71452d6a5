/*
 * url: redaction of a URL's credentials.
 *
 * The URL is read as scheme "://" authority, then path, query and fragment
 * (RFC 3986 §3), without decoding: a parameter name written with escapes
 * ("b%61se") is not one of the names kept, so it is redacted, the safe way
 * to be wrong.  Both '&' and ';' separate parameters, since some servers
 * take either.  The output is written front to back and a secret is never
 * copied before it is replaced, so cutting the output anywhere still
 * redacts.
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "url.h"

#define URL_QUOTED_MAX 2048	/* bytes of a refused URL read for its message */

struct out {
	char *p;
	size_t len, cap;	/* cap: bytes of text, the NUL excluded */
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len)
		n = o->cap - o->len;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Whether a parameter named s[0..n) selects rates and carries no secret. */
static int
kept_name(const char *s, size_t n)
{
	static const char *const kept[] = { "base", "symbols", "from", "to", "amount" };

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strlen(kept[i]) == n && strncasecmp(s, kept[i], n) == 0)
			return 1;
	return 0;
}

/* The query s[0..n), without its '?', one parameter at a time. */
static void
put_query(struct out *o, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '&' && s[i] != ';')
			continue;
		const char *param = s + start, *eq = memchr(param, '=', i - start);
		size_t len = i - start;

		if (len == 0)
			;	/* "a&&b": nothing between the separators */
		else if (eq == NULL)
			put(o, "***", 3);
		else if (kept_name(param, (size_t)(eq - param)) || eq + 1 == param + len)
			put(o, param, len);	/* a rate selector, or an empty value */
		else {
			put(o, param, (size_t)(eq - param) + 1);
			put(o, "***", 3);
		}
		if (i < n)
			put(o, s + i, 1);
		start = i + 1;
	}
}

const char *
url_redact(const char *url, char *out, size_t outlen)
{
	struct out o = { out, 0, outlen > 0 ? outlen - 1 : 0 };
	const char *p = url, *sep = strstr(url, "://"), *end, *at;
	size_t n;

	if (outlen == 0)
		return out;
	if (sep != NULL && sep < url + strcspn(url, "/?#")) {
		/* The userinfo is all before the last '@' ahead of the path.  An
		 * '@' behind a '?' or '#' may end a password holding one
		 * unescaped, or stand in a query or fragment: which cannot be
		 * told, nor so where the query begins, so all after the scheme is
		 * hidden then. */
		put(&o, url, (size_t)(sep + 3 - url));
		p = sep + 3;
		end = p + strcspn(p, "/");
		at = NULL;
		for (const char *q = p; q < end; q++)
			if (*q == '@')
				at = q;
		if (at != NULL) {
			put(&o, "***", 3);
			if (p + strcspn(p, "?#") < at) {
				out[o.len] = '\0';
				return out;
			}
			p = at;
		}
		end = p + strcspn(p, "/?#");
		put(&o, p, (size_t)(end - p));
		p = end;
	}
	n = strcspn(p, "?#");
	put(&o, p, n);
	p += n;
	if (*p == '?') {
		n = strcspn(p + 1, "#");
		put(&o, "?", 1);
		put_query(&o, p + 1, n);
		p += 1 + n;
	}
	if (*p == '#')
		put(&o, p[1] != '\0' ? "#***" : "#", p[1] != '\0' ? 4 : 1);
	out[o.len] = '\0';
	return out;
}

const char *
url_quote(const char *s, size_t n, char *out, size_t outlen)
{
	char url[URL_QUOTED_MAX + 1], shown[2 * URL_QUOTED_MAX + 8];

	if (n > URL_QUOTED_MAX)
		n = URL_QUOTED_MAX;
	memcpy(url, s, n);
	url[n] = '\0';
	url_redact(url, shown, sizeof(shown));
	buf_quote(out, outlen, shown, strlen(shown));
	return out;
}
