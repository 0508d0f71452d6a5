/*
 * url: what url_redact() hides (userinfo, fragment, query values but the rate
 * selectors, bare parameters) and what it keeps (scheme, host, port, path,
 * base/symbols/from/to/amount in any case, empty values), malformed URLs read
 * the safe way, and a cut output still redacted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

static void
expect(const char *url, const char *want)
{
	char out[URL_SHOWN_LEN];

	assert_string_equal(url_redact(url, out, sizeof(out)), want);
}

static void
test_credentials_are_redacted(void **state)
{
	(void)state;
	expect("http://user:s3cret@127.0.0.1:8080/r?access_key=SECRET", "http://***@127.0.0.1:8080/r?access_key=***");
	expect("https://TOKEN@host/latest", "https://***@host/latest");
	expect("https://host/latest?app_id=1&APIKEY=2&api_key=3&Key=4&token=5", "https://host/latest?app_id=***&"
	    "APIKEY=***&api_key=***&Key=***&token=***");
	/* Unknown names too: an API's name for its key cannot be guessed. */
	expect("https://host/latest?apiKey=1&access_token=2&sig=3&x=4", "https://host/latest?apiKey=***&"
	    "access_token=***&sig=***&x=***");
	expect("https://host/latest?SECRET", "https://host/latest?***");
	expect("https://host/latest#SECRET", "https://host/latest#***");
	expect("https://host/latest?base=USD;key=SECRET", "https://host/latest?base=USD;key=***");
}

static void
test_the_rest_is_kept(void **state)
{
	(void)state;
	expect("https://api.frankfurter.dev/v1/latest", "https://api.frankfurter.dev/v1/latest");
	expect("https://x/v1/2024-01-01..?BASE=usd&symbols=GBP,JPY&from=EUR&to=USD&amount=10",
	    "https://x/v1/2024-01-01..?BASE=usd&symbols=GBP,JPY&from=EUR&to=USD&amount=10");
	expect("file:///var/lib/cconv/eurofxref-hist.csv", "file:///var/lib/cconv/eurofxref-hist.csv");
	expect("https://host/?email=a@b&k=", "https://host/?email=***&k=");
	expect("https://host/x?a&&b=1#", "https://host/x?***&&b=***#");
	expect("", "");
}

/* Read as a reader of URLs would, or more safely where they differ. */
static void
test_malformed_urls(void **state)
{
	(void)state;
	/* An '@' behind a '?' or '#' ahead of the path: nothing after the
	 * scheme can be told apart, so nothing of it is shown. */
	expect("http://u:p#w@h/x", "http://***");
	expect("http://u:p?w@h/x", "http://***");
	expect("http://h?k=a@b", "http://***");
	expect("ht://S?i=a@base&access_key=SECRET", "ht://***");
	expect("ht://S?i=a@b://x&access_key=SECRET", "ht://***");
	expect("http://u:p@h?e=a@b&key=SECRET/x", "http://***");
	expect("b%61se=1?b%61se=SECRET", "b%61se=1?b%61se=***");
	expect("/path?x=http://u:p@h", "/path?x=***");
}

static void
test_cut_output_is_still_redacted(void **state)
{
	char small[16];

	(void)state;
	url_redact("http://u:s3cret@host/r?key=SECRET", small, sizeof(small));
	assert_string_equal(small, "http://***@host");
	url_redact("https://h/?key=SECRET", small, 14);
	assert_string_equal(small, "https://h/?ke");
	url_redact("https://h/?key=SECRET", small, 1);
	assert_string_equal(small, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials_are_redacted),
		cmocka_unit_test(test_the_rest_is_kept),
		cmocka_unit_test(test_malformed_urls),
		cmocka_unit_test(test_cut_output_is_still_redacted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
