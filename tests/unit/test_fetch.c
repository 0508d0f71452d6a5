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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_http_status_is_the_whole_reason),
		cmocka_unit_test(test_transport_reasons_name_no_url),
		cmocka_unit_test(test_upstream_reasons_name_no_url),
	};
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
