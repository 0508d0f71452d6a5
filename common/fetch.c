/*
 * fetch: a bounded GET with libcurl.
 *
 * The limits live here so that no caller can forget one: the protocols (http,
 * https, file; redirects to http and https only, at most 5), the body cap
 * enforced while receiving (so a 20 MB answer never costs 20 MB), the
 * timeouts, and TLS verification, which is libcurl's default and is set again
 * explicitly so that no build option or environment can turn it off.
 * CURLOPT_NOSIGNAL keeps libcurl from using signals for DNS timeouts, which a
 * threaded daemon requires.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dt.h"
#include "err.h"
#include "fetch.h"
#include "rfile.h"

#define FETCH_MAX_REDIRS 5L
/* The protocols libcurl may use, and the same as the starts of a URL that
 * fetch_url_check() accepts. */
#define FETCH_PROTOCOLS "http,https,file"
static const char *const url_starts[] = { "http://", "https://", "file://" };

static atomic_int cancelled;

struct sink {
	struct fetch_result *res;
	size_t max;
	size_t cap;		/* bytes allocated for res->body */
	int too_big;
};

#define SINK_MIN 16384	/* bytes: first allocation, a typical whole answer */

int
fetch_url_check(const char *url, size_t n, char *err, size_t errlen)
{
	int named = 0;

	if (n == 0) {
		err_set(err, errlen, "empty URL");
		return -1;
	}
	for (size_t i = 0; i < sizeof(url_starts) / sizeof(url_starts[0]); i++) {
		size_t len = strlen(url_starts[i]);
		if (n > len && strncasecmp(url, url_starts[i], len) == 0)
			named = 1;
	}
	if (!named) {
		err_set(err, errlen, "expected a URL starting with http://, https:// or file://");
		return -1;
	}
	if (n > FETCH_URL_MAX) {
		err_set(err, errlen, "URL longer than %d bytes", FETCH_URL_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			err_set(err, errlen, "a URL cannot hold spaces or control characters");
			return -1;
		}
	}
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct fetch_result *res = s->res;
	size_t n = size * nmemb;
	char *grown;

	if (n > s->max || res->len > s->max - n) {
		s->too_big = 1;
		return 0;	/* makes libcurl fail with CURLE_WRITE_ERROR */
	}
	/* Doubling, not growing by each chunk: a 1 MiB body in 16 KiB chunks
	 * would otherwise allocate and copy ~33 MiB in total. */
	if (res->len + n + 1 > s->cap) {
		size_t cap = s->cap > 0 ? s->cap : SINK_MIN;

		while (cap < res->len + n + 1)
			cap *= 2;
		if (cap > s->max + 1)
			cap = s->max + 1;
		if ((grown = realloc(res->body, cap)) == NULL)
			return 0;
		res->body = grown;
		s->cap = cap;
	}
	memcpy(res->body + res->len, p, n);
	res->len += n;
	res->body[res->len] = '\0';
	return n;
}

/* libcurl calls this about once a second even on an idle transfer. */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&cancelled) ? 1 : 0;
}

void
fetch_cancel_all(void)
{
	atomic_store(&cancelled, 1);
}

int
fetch_cancelled(void)
{
	return atomic_load(&cancelled) ? 1 : 0;
}

#define FETCH_AGE_MAX 2147483648LL	/* RFC 9111 §1.2.2: a larger delta-seconds is sent as this */

int
fetch_header_age(const char *p, size_t n, int64_t *age)
{
	static const char name[] = "age:";
	size_t i = sizeof(name) - 1, digits = 0;
	int64_t v = 0;

	if (n < i || strncasecmp(p, name, i) != 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++)
		if (v < FETCH_AGE_MAX)
			v = v * 10 + (p[i] - '0');
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (digits == 0 || i != n)
		return 0;
	*age = v < FETCH_AGE_MAX ? v : FETCH_AGE_MAX;
	return 1;
}

/*
 * The HTTP-date of the header line p[0..n) into *t when the line is the field
 * name (lower case, colon included) and the date is valid in any of its three
 * forms (dt_parse_http_any(); libcurl's own file time is not kept for a
 * 304, whose Last-Modified a tier needs).
 */
static void
fetch_header_date(const char *p, size_t n, const char *name, int64_t *t)
{
	size_t len = strlen(name);
	char v[64];
	int64_t parsed;

	if (n <= len || strncasecmp(p, name, len) != 0)
		return;
	p += len;
	n -= len;
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(v))
		return;
	memcpy(v, p, n);
	v[n] = '\0';
	if (dt_parse_http_any(v, (int64_t)time(NULL), &parsed) == 0)
		*t = parsed;
}

/*
 * libcurl opens a file:// path with a blocking open(2): a FIFO there would
 * hang the fetch past every timeout, and a daemon's shutdown with it.  So the
 * path is judged first by rfile_open(); only its refusal fails the fetch,
 * other failures are left to libcurl to report in its words.  0, or -1 with
 * err set.
 */
static int
file_check(const char *url, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *path = NULL;
	int fd = -1, rc = 0;

	if ((u = curl_url()) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && strcasecmp(scheme, "file") == 0 &&
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK &&
	    rfile_open(path, &fd, NULL, err, errlen) == RFILE_REFUSED)
		rc = -1;
	if (fd != -1)
		(void)close(fd);	/* read-only, never read */
	curl_free(scheme);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	struct fetch_result *res = s->res;
	size_t n = size * nmemb;
	static const char warn110[] = "warning: 110";
	static const char lastmod[] = "last-modified:";

	static const char etag[] = "etag:";

	/* Every answer of a redirect chain, and a 1xx before one, opens with its
	 * status line: what was gathered so far belongs to an earlier hop.  Only
	 * the final answer's validators describe the body we keep; a hop's ETag
	 * sent back to the first URL could be answered 304 there for ever.  How
	 * old the answer is (Age, Last-Modified) is the final answer's word too. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		res->etag[0] = '\0';
		res->stale = 0;
		res->age = -1;
		res->last_modified = -1;
	}
	(void)fetch_header_age(p, n, &res->age);
	fetch_header_date(p, n, lastmod, &res->last_modified);
	if (n >= sizeof(warn110) - 1 && strncasecmp(p, warn110, sizeof(warn110) - 1) == 0)
		res->stale = 1;
	if (n > sizeof(etag) - 1 && strncasecmp(p, etag, sizeof(etag) - 1) == 0) {
		const char *v = p + sizeof(etag) - 1, *end = p + n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
			end--;
		size_t len = (size_t)(end - v);
		/* Kept only if it can be sent back verbatim as one header line. */
		if (len < sizeof(res->etag) && memchr(v, '\r', len) == NULL && memchr(v, '\n', len) == NULL) {
			memcpy(res->etag, v, len);
			res->etag[len] = '\0';
		}
	}
	return n;
}

int
fetch_get(const char *url, const struct fetch_opts *opts, struct fetch_result *res, char *err,
    size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct sink sink = { res, opts->max_body, 0, 0 };
	struct curl_slist *hdrs = NULL, *grown;
	char inm[FETCH_ETAG_MAX + 32];
	CURL *h = NULL;
	CURLcode cc;
	curl_off_t filetime = -1;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->last_modified = -1;
	res->age = -1;
	res->failure = FETCH_FAIL_LOCAL;
	if ((h = curl_easy_init()) == NULL) {
		err_set(err, errlen, "cannot initialise libcurl");
		goto out;
	}
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, FETCH_PROTOCOLS) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "cconv/" CCONV_VERSION) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opts->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opts->max_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FILETIME, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) != CURLE_OK) {
		err_set(err, errlen, "libcurl refused an option");
		goto out;
	}
	if (opts->if_none_match != NULL && opts->if_none_match[0] != '\0') {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", opts->if_none_match);
		if ((grown = curl_slist_append(hdrs, inm)) == NULL ||
		    curl_easy_setopt(h, CURLOPT_HTTPHEADER, (hdrs = grown)) != CURLE_OK) {
			err_set(err, errlen, "cannot set If-None-Match");
			goto out;
		}
	}
	/*
	 * If-Modified-Since only without an ETag: a server ignores it next to
	 * If-None-Match (RFC 9110 §13.1.3), and libcurl checks the time condition
	 * itself, turning a 200 whose Last-Modified is not newer into a 304 with
	 * no body.  A cconvd upstream that changed its rates within the second of
	 * our last fetch would then never be read again.
	 */
	int has_etag = opts->if_none_match != NULL && opts->if_none_match[0] != '\0';
	if (opts->if_modified_since > 0 && !has_etag &&
	    (curl_easy_setopt(h, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)opts->if_modified_since) != CURLE_OK)) {
		err_set(err, errlen, "cannot set If-Modified-Since");
		goto out;
	}
	if (file_check(url, err, errlen) == -1) {
		res->failure = FETCH_FAIL_TRANSFER;
		goto out;
	}
	cc = curl_easy_perform(h);
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	/* libcurl reads both forms, delta-seconds and HTTP-date (RFC 9110 §10.2.3). */
	curl_off_t retry = 0;
	if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
		res->retry_after = retry > 86400 * 7 ? 86400 * 7 : (long)retry;
	if (cc != CURLE_OK) {
		/* A status line may have come before the failure: the answer is
		 * still not whole, which is the transfer's fault, not the body's. */
		res->failure = sink.too_big || cc == CURLE_FILESIZE_EXCEEDED ? FETCH_FAIL_TOO_BIG :
		    FETCH_FAIL_TRANSFER;
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			err_set(err, errlen, "cancelled (shutting down)");
		else if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED)
			err_set(err, errlen, "body larger than %zu bytes", opts->max_body);
		else
			err_set(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	/* For file:// libcurl applies If-Modified-Since itself and, when the
	 * file is no newer, returns no body and no status: that is a 304 too,
	 * not an empty document. */
	long unmet = 0;
	if (res->status == 0 && curl_easy_getinfo(h, CURLINFO_CONDITION_UNMET, &unmet) == CURLE_OK && unmet)
		res->status = 304;
	if (res->status == 304) {
		fetch_result_free(res);
		res->failure = FETCH_FAIL_NONE;
		rc = 0;
		goto out;
	}
	if (res->status != 0 && (res->status < 200 || res->status > 299)) {
		err_set(err, errlen, "HTTP %ld", res->status);
		res->failure = FETCH_FAIL_STATUS;
		goto out;
	}
	if (res->body == NULL && (res->body = calloc(1, 1)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	/* file:// has no header lines; its time is the file's. */
	if (res->status == 0 && curl_easy_getinfo(h, CURLINFO_FILETIME_T, &filetime) == CURLE_OK && filetime >= 0)
		res->last_modified = filetime;
	res->failure = FETCH_FAIL_NONE;
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}

void
fetch_result_free(struct fetch_result *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
}
