/*
 * fetch_url_check(): the one rule for every URL either program is given.
 *
 * fetch_get() and upstream_fetch_feed() fail with the reason alone: the HTTP
 * status, the transport's words, the parser's rule, never the URL, which each
 * caller names once in its own role.  Served from file:// URLs and from a
 * one-answer HTTP server on a loopback port of this process.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "fetch.h"
#include "upstream.h"

/* The reason fetch_url_check() gives for s, or "" when it takes s. */
static const char *
check(const char *s, size_t n)
{
	static char err[256];

	err[0] = '\0';
	if (fetch_url_check(s, n, err, sizeof(err)) == 0)
		assert_string_equal(err, "");
	else
		assert_true(err[0] != '\0');
	return err;
}

static void
test_url_check(void **state)
{
	static char long_url[FETCH_URL_MAX + 2];
	const char *scheme = "expected a URL starting with http://, https:// or file://";

	(void)state;
	assert_string_equal(check("http://127.0.0.1:8080", 21), "");
	assert_string_equal(check("https://api.frankfurter.dev/v1/latest", 37), "");
	assert_string_equal(check("file:///srv/rates.xml", 21), "");
	assert_string_equal(check("HTTPS://A.EXAMPLE/", 18), "");
	/* n bytes of a longer text: a comma list is not split in place. */
	assert_string_equal(check("http://a,http://b c", 8), "");

	assert_string_equal(check("", 0), "empty URL");
	assert_string_equal(check("127.0.0.1:8080", 14), scheme);
	assert_string_equal(check("ftp://x/", 8), scheme);
	assert_string_equal(check("http://", 7), scheme);	/* a scheme and nothing else */
	assert_string_equal(check("http:/x", 7), scheme);
	assert_string_equal(check("http://a b/", 11), "a URL cannot hold spaces or control characters");
	assert_string_equal(check("http://a\tb/", 11), "a URL cannot hold spaces or control characters");
	assert_string_equal(check("http://a\x7f/", 10), "a URL cannot hold spaces or control characters");

	memcpy(long_url, "http://", 7);
	memset(long_url + 7, 'a', sizeof(long_url) - 8);
	assert_string_equal(check(long_url, FETCH_URL_MAX), "");
	assert_string_equal(check(long_url, FETCH_URL_MAX + 1), "URL longer than 2048 bytes");
}

/* A server that answers one request with a fixed response, then closes. */
struct one_answer {
	int fd;			/* listening socket */
	const char *response;
	pthread_t thread;
	char url[64];		/* http://127.0.0.1:PORT/v1/latest */
};

static void *
serve_one(void *arg)
{
	struct one_answer *s = arg;
	char req[4096];
	size_t got = 0;
	int c;

	if ((c = accept(s->fd, NULL, NULL)) == -1)
		return NULL;
	/* The request is read up to its blank line, so the answer is never
	 * taken for an early reply to a request still being sent. */
	while (got < sizeof(req) - 1) {
		ssize_t n = read(c, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	(void)write(c, s->response, strlen(s->response));
	close(c);
	return NULL;
}

static void
serve_start(struct one_answer *s, const char *response)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	s->response = response;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 1), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u/v1/latest", (unsigned)ntohs(a.sin_port));
	assert_int_equal(pthread_create(&s->thread, NULL, serve_one, s), 0);
}

static void
serve_stop(struct one_answer *s)
{
	assert_int_equal(pthread_join(s->thread, NULL), 0);
	close(s->fd);
}

static const char http_503[] =
	"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";

static const struct fetch_opts opts = { .connect_timeout_ms = 5000, .timeout_ms = 5000, .max_body = 16 };

static void
test_http_status_is_the_whole_reason(void **state)
{
	struct one_answer s;
	struct fetch_result res;
	char err[512];

	(void)state;
	serve_start(&s, http_503);
	assert_int_equal(fetch_get(s.url, &opts, &res, err, sizeof(err)), -1);
	serve_stop(&s);
	assert_string_equal(err, "HTTP 503");
	assert_int_equal(res.status, 503);
	fetch_result_free(&res);
}

/* A file on disk, removed at the end of the test; its URL in url. */
static void
temp_file(char path[64], char url[80], const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, 64, "/tmp/cconv-fetch-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	snprintf(url, 80, "file://%s", path);
}

static void
test_transport_reasons_name_no_url(void **state)
{
	struct fetch_result res;
	char err[512], path[64], url[80];
	int fd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	(void)state;
	temp_file(path, url, "seventeen bytes!\n");
	assert_int_equal(fetch_get(url, &opts, &res, err, sizeof(err)), -1);
	assert_string_equal(err, "body larger than 16 bytes");
	fetch_result_free(&res);
	unlink(path);

	assert_int_equal(fetch_get(url, &opts, &res, err, sizeof(err)), -1);	/* gone now */
	assert_true(err[0] != '\0');
	assert_null(strstr(err, url));
	fetch_result_free(&res);

	/* A port bound but not listening: connections are refused. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/latest", (unsigned)ntohs(a.sin_port));
	assert_int_equal(fetch_get(url, &opts, &res, err, sizeof(err)), -1);
	close(fd);
	assert_true(err[0] != '\0');
	assert_null(strstr(err, url));
	assert_int_equal(res.status, 0);
	fetch_result_free(&res);
}

static void
test_upstream_reasons_name_no_url(void **state)
{
	struct upstream_validators v;
	struct one_answer s;
	struct rates **days = NULL, *r = NULL;
	size_t n = 99;
	char err[512], path[64], url[80];

	(void)state;
	memset(&v, 0, sizeof(v));
	temp_file(path, url, "<!doctype html><p>maintenance</p>\n");
	assert_int_equal(upstream_fetch_feed(url, 0, &v, &days, &n, err, sizeof(err)), -1);
	unlink(path);
	assert_string_equal(err, "not a rates document: an HTML page");
	assert_int_equal(v.failure, UPSTREAM_FAIL_INVALID);
	assert_null(days);
	assert_int_equal(n, 0);

	temp_file(path, url, "{\"base\":\"EUR\",\"date\":\"2025-05-09\",\"rates\":{\"USD\":0}}");
	assert_int_equal(upstream_fetch(url, &r, err, sizeof(err)), -1);
	unlink(path);
	assert_string_equal(err, "JSON: rates.USD: must be a number > 0");
	assert_null(r);

	serve_start(&s, http_503);
	assert_int_equal(upstream_fetch_feed(s.url, 0, &v, &days, &n, err, sizeof(err)), -1);
	serve_stop(&s);
	assert_string_equal(err, "HTTP 503");
	assert_int_equal(v.failure, UPSTREAM_FAIL_HTTP);
}

/* A v2 latest answer holds rates of several dates: the latest rates keep
 * every currency at its own date, not only the newest day's. */
static void
test_upstream_fetch_keeps_every_date(void **state)
{
	struct rates *r = NULL;
	char err[512], path[64], url[80];

	(void)state;
	temp_file(path, url, "[{\"date\":\"2025-05-08\",\"base\":\"EUR\",\"quote\":\"ARS\",\"rate\":1212.5},"
	    "{\"date\":\"2025-05-09\",\"base\":\"EUR\",\"quote\":\"GBP\",\"rate\":0.8477},"
	    "{\"date\":\"2025-05-10\",\"base\":\"EUR\",\"quote\":\"AED\",\"rate\":4.1327}]");
	assert_int_equal(upstream_fetch(url, &r, err, sizeof(err)), 0);
	unlink(path);
	assert_non_null(r);
	assert_string_equal(rates_date(r), "2025-05-10");
	assert_string_equal(rates_find(r, "ARS")->date, "2025-05-08");
	assert_string_equal(rates_find(r, "GBP")->date, "2025-05-09");
	assert_string_equal(rates_find(r, "AED")->date, "2025-05-10");
	assert_string_equal(rates_upstream(r), url);
	rates_free(r);
}

static void
test_header_age(void **state)
{
	int64_t age = -7;

	(void)state;
	assert_int_equal(fetch_header_age("Age: 7203\r\n", strlen("Age: 7203\r\n"), &age), 1);
	assert_int_equal(age, 7203);
	assert_int_equal(fetch_header_age("age:0", 5, &age), 1);
	assert_int_equal(age, 0);
	assert_int_equal(fetch_header_age("AGE: \t 12 \r\n", strlen("AGE: \t 12 \r\n"), &age), 1);
	assert_int_equal(age, 12);
	/* RFC 9111 §1.2.2: too large for 31 bits is sent, and taken, as 2^31. */
	assert_int_equal(fetch_header_age("Age: 99999999999999999999999\r\n", 30, &age), 1);
	assert_int_equal(age, 2147483648LL);
	age = 5;
	const char *bad[] = { "Age: -1\r\n", "Age: 1.5\r\n", "Age:\r\n", "Age: 12 13\r\n", "Age: 0x10\r\n",
	    "Ages: 10\r\n", "Page: 10\r\n", "Age 10\r\n", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fetch_header_age(bad[i], strlen(bad[i]), &age), 0);
		assert_int_equal(age, 5);
	}
	/* Only the n bytes given are read. */
	assert_int_equal(fetch_header_age("Age: 12", 6, &age), 1);
	assert_int_equal(age, 1);
}

static void
test_fetched_at_inherited(void **state)
{
	const int64_t now = 1795000000;

	(void)state;
	/* No Age: a source's own answer, fetched now, whatever its Last-Modified says. */
	assert_int_equal(upstream_fetched_at(now, -1, -1), now);
	assert_int_equal(upstream_fetched_at(now, -1, now - 86400 * 2), now);
	/* A tier's or a cache's: the older of now − Age and Last-Modified. */
	assert_int_equal(upstream_fetched_at(now, 7203, -1), now - 7203);
	assert_int_equal(upstream_fetched_at(now, 0, now - 7203), now - 7203);
	assert_int_equal(upstream_fetched_at(now, 7203, now - 60), now - 7203);
	/* Never in the future. */
	assert_int_equal(upstream_fetched_at(now, 0, now + 3600), now);
	assert_int_equal(upstream_fetched_at(now, 2147483648LL, -1), 1);
}

/* A tier's 304 says how old the copy it confirms is, and whether it is stale:
 * Age, Last-Modified (here in RFC 850's form) and Warning are read from it. */
static void
test_304_freshness_headers(void **state)
{
	static const char answer[] = "HTTP/1.1 304 Not Modified\r\nETag: \"r1\"\r\nAge: 7203\r\n"
	    "Last-Modified: Sunday, 06-Nov-94 08:49:37 GMT\r\nWarning: 110 - \"Response is Stale\"\r\n"
	    "Connection: close\r\n\r\n";
	struct fetch_opts o = opts;
	struct one_answer s;
	struct fetch_result res;
	char err[512];

	(void)state;
	o.if_none_match = "\"r1\"";
	serve_start(&s, answer);
	assert_int_equal(fetch_get(s.url, &o, &res, err, sizeof(err)), 0);
	serve_stop(&s);
	assert_int_equal(res.status, 304);
	assert_int_equal(res.age, 7203);
	assert_int_equal(res.last_modified, 784111777);
	assert_int_equal(res.stale, 1);
	fetch_result_free(&res);
}

/* A 200 through a tier: the snapshots carry the tier's fetch time and staleness. */
static void
test_200_from_a_stale_tier(void **state)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nAge: 100\r\n"
	    "Last-Modified: Sun Nov  6 08:49:37 1994\r\nWarning: 110 - \"Response is Stale\"\r\n"
	    "Content-Length: 68\r\nConnection: close\r\n\r\n"
	    "{\"amount\":1.0,\"base\":\"EUR\",\"date\":\"1994-11-04\",\"rates\":{\"USD\":1.25}}";
	struct upstream_validators v;
	struct one_answer s;
	struct rates **out = NULL;
	size_t n = 0;
	char err[512];

	(void)state;
	assert_int_equal(strlen(strstr(answer, "\r\n\r\n") + 4), 68);
	memset(&v, 0, sizeof(v));
	serve_start(&s, answer);
	assert_int_equal(upstream_fetch_feed(s.url, 0, &v, &out, &n, err, sizeof(err)), UPSTREAM_FETCHED);
	serve_stop(&s);
	assert_int_equal(n, 1);
	assert_int_equal(rates_fetched_at(out[0]), 784111777);
	assert_int_equal(rates_stale(out[0]), 1);
	assert_int_equal(v.fetched_at, 784111777);
	assert_int_equal(v.stale, 1);
	rates_vec_free(out, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_http_status_is_the_whole_reason),
		cmocka_unit_test(test_transport_reasons_name_no_url),
		cmocka_unit_test(test_upstream_reasons_name_no_url),
		cmocka_unit_test(test_upstream_fetch_keeps_every_date),
		cmocka_unit_test(test_header_age),
		cmocka_unit_test(test_fetched_at_inherited),
		cmocka_unit_test(test_304_freshness_headers),
		cmocka_unit_test(test_200_from_a_stale_tier),
	};
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
