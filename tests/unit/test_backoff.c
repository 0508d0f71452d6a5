/* The refresher's retry policy: exponential, jittered, capped, and Retry-After as a floor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static void
test_success_waits_the_refresh_interval(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(3600, 0, 0, 0.0), 3600);
	assert_int_equal(backoff_delay(3600, 0, 0, 0.99), 3600);
	/* A Retry-After never stretches the interval; a shorter one does not shorten it. */
	assert_int_equal(backoff_delay(3600, 0, 7200, 0.5), 3600);
	assert_int_equal(backoff_delay(600, 0, 604800, 0.5), 600);
	assert_int_equal(backoff_delay(3600, 0, 10, 0.5), 3600);
}

static void
test_failures_double_with_equal_jitter_up_to_refresh(void **state)
{
	(void)state;
	/* Step 5 s: between 2 (jitter 0) and 4 (jitter just under 1; 2 + 0.99 × 3). */
	assert_int_equal(backoff_delay(3600, 1, 0, 0.0), 2);
	assert_int_equal(backoff_delay(3600, 1, 0, 0.99), 4);
	/* Steps 10, 20, 40 … */
	assert_int_equal(backoff_delay(3600, 2, 0, 0.0), 5);
	assert_int_equal(backoff_delay(3600, 3, 0, 0.0), 10);
	assert_int_equal(backoff_delay(3600, 4, 0, 0.5), 30);
	/* Never past the refresh interval, however many failures. */
	for (unsigned f = 1; f < 100; f++) {
		long d = backoff_delay(600, f, 0, 0.999);
		assert_true(d >= 1 && d <= 600);
	}
	assert_int_equal(backoff_delay(600, 40, 0, 0.0), 300);
	assert_int_equal(backoff_delay(600, 4000000000u, 0, 0.0), 300);
}

static void
test_retry_after_is_a_bounded_floor(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(3600, 1, 120, 0.0), 120);
	assert_int_equal(backoff_delay(3600, 1, 1, 0.0), 2);
	/* Up to the refresh interval, not past it. */
	assert_int_equal(backoff_delay(3600, 1, 10000000, 0.0), 3600);
	assert_int_equal(backoff_delay(600, 3, 604800, 0.0), 600);
	assert_int_equal(backoff_delay(60, 1, 0, 0.0), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_waits_the_refresh_interval),
		cmocka_unit_test(test_failures_double_with_equal_jitter_up_to_refresh),
		cmocka_unit_test(test_retry_after_is_a_bounded_floor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
