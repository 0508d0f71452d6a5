/*
 * fetch_url_check(): the one rule for every URL either program is given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fetch.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
