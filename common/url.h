/*
 * url: a URL as either program may show or store it, with its credentials
 * redacted.
 *
 * The URL a user gives may carry a secret: a password (or a token) in its
 * userinfo, or an API key in its query, as fixer-style APIs take it
 * (?access_key=…, ?app_id=…, ?apikey=…).  Wherever a URL leaves the process
 * other than to be fetched (a log line, an error, /healthz, /metrics, the
 * database, the CLI's cache and messages), its url_redact() form is used.
 *
 * What is redacted, as "***": the whole userinfo (a token may stand as the
 * user name), the fragment, and every non-empty query value except those of
 * the few parameters that select rates and carry no secret (base, symbols,
 * from, to, amount, in any case); a parameter with no '=' is redacted whole.
 * Query values are redacted by default, not by a list of secret names,
 * because the name an API gives its key cannot be known in advance (key,
 * token, apiKey, access_token, sig, ...); the parameters kept are the ones a
 * reader needs to tell two upstreams apart.  An '@' after a '?' or '#' but
 * ahead of the path leaves the URL ambiguous (a password holding an unescaped
 * '?', or a query holding an '@'): all after the scheme is redacted then.  A
 * secret in the path (/v6/KEY/latest) cannot be told from a path and is
 * shown.  Thread-safe.
 */
#ifndef CCONV_URL_H
#define CCONV_URL_H

#include <stddef.h>

/* Bytes that hold the redaction of any URL of up to 2048 bytes (FETCH_URL_MAX),
 * NUL included: a redaction of n bytes is at most 2n + 4 bytes long ("&k"
 * becomes "&***", an empty userinfo "***"). */
#define URL_SHOWN_LEN 4104

/*
 * Writes url's redacted form into out, NUL-terminated (outlen > 0).  A form
 * longer than out is cut, and a cut form is still redacted.  Returns out,
 * so that a call can stand as an argument.
 */
const char *url_redact(const char *url, char *out, size_t outlen);

/*
 * For a message about a URL a user gave that was refused (it need not be one):
 * the url_redact() form of s[0..n) (its first 2048 bytes), then buf_quote()d
 * into out.  Returns out.
 */
const char *url_quote(const char *s, size_t n, char *out, size_t outlen);

#endif
