/* /metrics: counters land in the right series, the histogram is cumulative, gauges follow the snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "dt.h"
#include "metrics.h"
#include "publish.h"
#include "rates.h"

static void
render(struct buf *b, const struct rates *r, int64_t now)
{
	buf_free(b);
	buf_init(b, 1 << 20);
	metrics_render(b, r, now);
	assert_false(buf_failed(b));
}

static void
has(const struct buf *b, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(b->data, want) == NULL)
		fail_msg("no line '%s' in:\n%s", line, b->data);
}

static void
test_counters_and_histogram(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	metrics_count_request(API_EP_CONVERT_PATH, 200, 30);		/* le 50 µs */
	metrics_count_request(API_EP_CONVERT_PATH, 200, 700);		/* le 1 ms */
	metrics_count_request(API_EP_LATEST, 304, 100);		/* le 100 µs: bounds are inclusive */
	metrics_count_request(API_EP_OTHER, 418, 5000000);		/* +Inf, status "other" */
	metrics_count_request(API_EP_COUNT, 200, 1);			/* out of range: counted as other */
	metrics_count_refresh(METRICS_REFRESH_NOT_MODIFIED);
	metrics_count_refresh(METRICS_REFRESH_NETWORK);
	metrics_count_refresh(METRICS_REFRESH_NETWORK);
	metrics_count_store_error();
	metrics_count_heavy_refused(METRICS_REFUSED_QUEUE_FULL);
	metrics_count_heavy_refused(METRICS_REFUSED_COUNT);		/* out of range: ignored */
	metrics_heavy_in_flight(2);
	metrics_heavy_in_flight(-1);
	metrics_count_heavy_refused(METRICS_REFUSED_MEMORY);
	metrics_count_heavy_refused(METRICS_REFUSED_MEMORY);
	metrics_heavy_unsent(5000);
	metrics_heavy_unsent(-2000);
	render(&b, NULL, 0);
	has(&b, "cconvd_requests_total{endpoint=\"convert_path\",code=\"200\"} 2");
	has(&b, "cconvd_requests_total{endpoint=\"latest\",code=\"304\"} 1");
	has(&b, "cconvd_requests_total{endpoint=\"other\",code=\"other\"} 1");
	has(&b, "cconvd_requests_total{endpoint=\"other\",code=\"200\"} 1");
	has(&b, "cconvd_requests_total{endpoint=\"currencies\",code=\"200\"} 0");
	assert_null(strstr(b.data, "endpoint=\"currencies\",code=\"404\""));	/* never happened */
	has(&b, "cconvd_request_duration_seconds_bucket{le=\"0.000050\"} 2");
	has(&b, "cconvd_request_duration_seconds_bucket{le=\"0.000100\"} 3");
	has(&b, "cconvd_request_duration_seconds_bucket{le=\"0.001000\"} 4");
	has(&b, "cconvd_request_duration_seconds_bucket{le=\"0.100000\"} 4");
	has(&b, "cconvd_request_duration_seconds_bucket{le=\"+Inf\"} 5");
	has(&b, "cconvd_request_duration_seconds_sum 5.000831");
	has(&b, "cconvd_request_duration_seconds_count 5");
	has(&b, "cconvd_refreshes_total{outcome=\"ok\",reason=\"not_modified\"} 1");
	has(&b, "cconvd_refreshes_total{outcome=\"failed\",reason=\"network\"} 2");
	has(&b, "cconvd_refreshes_total{outcome=\"ok\",reason=\"new\"} 0");
	has(&b, "cconvd_store_errors_total 1");
	has(&b, "cconvd_heavy_refused_total{reason=\"queue_full\"} 1");
	has(&b, "cconvd_heavy_refused_total{reason=\"stopping\"} 0");
	has(&b, "cconvd_heavy_in_flight 1");
	has(&b, "cconvd_heavy_refused_total{reason=\"memory\"} 2");
	has(&b, "cconvd_heavy_unsent_bytes 3000");
	/* No snapshot, no size yet, no schedule: those samples are left out, not made up. */
	assert_null(strstr(b.data, "\ncconvd_snapshot_age_seconds "));
	assert_null(strstr(b.data, "\ncconvd_database_size_bytes "));
	assert_null(strstr(b.data, "\ncconvd_next_refresh_timestamp_seconds "));
	has(&b, "# TYPE cconvd_snapshot_age_seconds gauge");
	has(&b, "cconvd_snapshot_currencies 0");
	buf_free(&b);
}

static void
test_gauges_follow_the_snapshot(void **state)
{
	struct dec d = { 884, 3 };
	struct rates *r;
	struct buf b;
	char err[128];

	(void)state;
	assert_non_null(r = rates_new("EUR", "2026-11-20", err, sizeof(err)));
	assert_int_equal(rates_add(r, "GBP", &d, err, sizeof(err)), RATES_ADDED);
	assert_int_equal(rates_finish(r, err, sizeof(err)), 0);
	assert_int_equal(rates_set_origin(r, 1795132800 + 58000, "http://up/latest"), 0);
	metrics_set_db_size(32768);
	/* Due in 3500 s on the monotonic clock: 3500 s after the render's now. */
	publish_set_next_refresh(dt_mono_ms() + 3500 * 1000);
	buf_init(&b, 1 << 20);
	render(&b, r, 1795132800 + 58100);
	has(&b, "cconvd_snapshot_age_seconds 100");
	has(&b, "cconvd_rates_date_timestamp_seconds 1795132800");
	has(&b, "cconvd_rates_fetched_timestamp_seconds 1795190800");
	has(&b, "cconvd_snapshot_currencies 2");
	has(&b, "cconvd_database_size_bytes 32768");
	has(&b, "cconvd_next_refresh_timestamp_seconds 1795194400");
	buf_free(&b);
	rates_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_and_histogram),
		cmocka_unit_test(test_gauges_follow_the_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
