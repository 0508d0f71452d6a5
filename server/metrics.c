/*
 * metrics: lock-free counters, rendered as Prometheus text on demand.
 *
 * Statuses are counted in a few fixed slots (every status cconvd's API
 * gives, plus "other") so the request path indexes an array instead of
 * searching a map.  The latency histogram keeps per-bucket counts; the
 * cumulative "le" counts Prometheus wants are summed at render time, so a
 * request touches three counters, not one per bucket.
 */
#include <stdatomic.h>
#include <string.h>

#include "dt.h"
#include "metrics.h"
#include "publish.h"

static const int status_codes[] = { 200, 204, 304, 400, 404, 405, 422, 503 };
#define NSTATUS (sizeof(status_codes) / sizeof(status_codes[0]) + 1)	/* + "other" */

/* Upper bounds of the latency buckets, microseconds; +Inf follows. */
static const int64_t bucket_us[] = { 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000 };
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]) + 1)

static const struct {
	const char *outcome, *reason;
} refresh_labels[METRICS_REFRESH_COUNT] = {
	[METRICS_REFRESH_NEW] = { "ok", "new" },
	[METRICS_REFRESH_NOT_MODIFIED] = { "ok", "not_modified" },
	[METRICS_REFRESH_HTTP_ERROR] = { "failed", "http_error" },
	[METRICS_REFRESH_NETWORK] = { "failed", "network" },
	[METRICS_REFRESH_INVALID] = { "failed", "invalid" },
};

static atomic_ullong requests[API_EP_COUNT][NSTATUS];
static atomic_ullong latency[NBUCKETS];
static atomic_ullong latency_sum_us;
static atomic_ullong refreshes[METRICS_REFRESH_COUNT];
static atomic_ullong store_errors;
static atomic_ullong heavy_refused[METRICS_REFUSED_COUNT];
static atomic_llong heavy_in_flight;
static atomic_llong heavy_unsent;
static const char *const refusal_labels[METRICS_REFUSED_COUNT] = {
	[METRICS_REFUSED_QUEUE_FULL] = "queue_full", [METRICS_REFUSED_STOPPING] = "stopping",
	[METRICS_REFUSED_MEMORY] = "memory",
};
static _Atomic int64_t db_size = -1;

static unsigned long long
get(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void
bump(atomic_ullong *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

void
metrics_count_request(enum api_endpoint ep, int status, int64_t micros)
{
	size_t s = NSTATUS - 1, b = 0;

	if ((unsigned)ep >= API_EP_COUNT)
		ep = API_EP_OTHER;
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (status_codes[i] == status) {
			s = i;
			break;
		}
	if (micros < 0)
		micros = 0;
	while (b < NBUCKETS - 1 && micros > bucket_us[b])
		b++;
	bump(&requests[ep][s], 1);
	bump(&latency[b], 1);
	bump(&latency_sum_us, (unsigned long long)micros);
}

void
metrics_count_refresh(enum metrics_refresh why)
{
	if ((unsigned)why < METRICS_REFRESH_COUNT)
		bump(&refreshes[why], 1);
}

void
metrics_count_store_error(void)
{
	bump(&store_errors, 1);
}

void
metrics_count_heavy_refused(enum metrics_refusal why)
{
	if ((unsigned)why < METRICS_REFUSED_COUNT)
		bump(&heavy_refused[why], 1);
}

void
metrics_heavy_in_flight(int delta)
{
	atomic_fetch_add_explicit(&heavy_in_flight, delta, memory_order_relaxed);
}

void
metrics_heavy_unsent(int64_t delta)
{
	atomic_fetch_add_explicit(&heavy_unsent, (long long)delta, memory_order_relaxed);
}

void
metrics_set_db_size(int64_t bytes)
{
	atomic_store_explicit(&db_size, bytes, memory_order_relaxed);
}

static void
header(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Microseconds as seconds with six decimals: Prometheus values are floats. */
static void
put_seconds(struct buf *b, unsigned long long us)
{
	buf_printf(b, "%llu.%06llu", us / 1000000, us % 1000000);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void
put_label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, s, 1);
	}
}

/* One gauge per upstream, from the last round's reports. */
static void
upstream_gauges(struct buf *b, const struct fetch_status *st)
{
	static const struct {
		const char *name, *help;
	} gauges[] = {
		{ "cconvd_upstream_up", "1 when the upstream's last attempt succeeded, else 0." },
		{ "cconvd_upstream_last_attempt_timestamp_seconds", "When the upstream was last asked." },
		{ "cconvd_upstream_last_success_timestamp_seconds", "When the upstream last answered with rates." },
		{ "cconvd_upstream_currencies", "Rates of the served snapshot that the upstream gave." },
	};

	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		header(b, gauges[g].name, "gauge", gauges[g].help);
		for (size_t i = 0; i < st->nupstreams; i++) {
			const struct upstream_report *u = &st->up[i];
			long long v = g == 0 ? u->ok : g == 1 ? u->attempt_at : g == 2 ? u->success_at :
			    (long long)u->currencies;

			if (g > 0 && g < 3 && v == 0)
				continue;	/* not yet: no sample rather than 1970 */
			buf_printf(b, "%s{upstream=\"", gauges[g].name);
			put_label(b, u->upstream);
			buf_printf(b, "\"} %lld\n", v);
		}
	}
}

void
metrics_render(struct buf *b, const struct rates *r, int64_t now)
{
	struct fetch_status st;

	unsigned long long cum = 0, n;
	int64_t next = publish_next_wall(publish_next_due_ms(), now, dt_mono_ms());
	int64_t size = atomic_load_explicit(&db_size, memory_order_relaxed);

	header(b, "cconvd_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
	for (int ep = 0; ep < API_EP_COUNT; ep++)
		for (size_t s = 0; s < NSTATUS; s++) {
			/* Series that never happened are left out, except each endpoint's 200. */
			if ((n = get(&requests[ep][s])) == 0 && s != 0)
				continue;
			buf_printf(b, "cconvd_requests_total{endpoint=\"%s\",code=\"", api_endpoint_name(ep));
			if (s < NSTATUS - 1)
				buf_printf(b, "%d", status_codes[s]);
			else
				buf_puts(b, "other");
			buf_printf(b, "\"} %llu\n", n);
		}

	header(b, "cconvd_request_duration_seconds", "histogram",
	    "Time from a complete request to its queued answer.");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += get(&latency[i]);
		if (i < NBUCKETS - 1) {
			buf_puts(b, "cconvd_request_duration_seconds_bucket{le=\"");
			put_seconds(b, (unsigned long long)bucket_us[i]);
			buf_printf(b, "\"} %llu\n", cum);
		} else
			buf_printf(b, "cconvd_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	}
	buf_puts(b, "cconvd_request_duration_seconds_sum ");
	put_seconds(b, get(&latency_sum_us));
	buf_printf(b, "\ncconvd_request_duration_seconds_count %llu\n", cum);

	header(b, "cconvd_refreshes_total", "counter",
	    "Refresh rounds, by outcome and reason (a failed round's reason is its last upstream's; "
	    "a round is ok when any upstream answered).");
	for (int i = 0; i < METRICS_REFRESH_COUNT; i++)
		buf_printf(b, "cconvd_refreshes_total{outcome=\"%s\",reason=\"%s\"} %llu\n",
		    refresh_labels[i].outcome, refresh_labels[i].reason, get(&refreshes[i]));
	header(b, "cconvd_store_errors_total", "counter", "Snapshots that could not be saved to the database.");
	buf_printf(b, "cconvd_store_errors_total %llu\n", get(&store_errors));
	header(b, "cconvd_heavy_refused_total", "counter",
	    "Long time series answered 503 instead of rendered, by reason.");
	for (int i = 0; i < METRICS_REFUSED_COUNT; i++)
		buf_printf(b, "cconvd_heavy_refused_total{reason=\"%s\"} %llu\n", refusal_labels[i],
		    get(&heavy_refused[i]));
	header(b, "cconvd_heavy_in_flight", "gauge", "Long time series waiting for or being rendered.");
	buf_printf(b, "cconvd_heavy_in_flight %lld\n",
	    (long long)atomic_load_explicit(&heavy_in_flight, memory_order_relaxed));
	header(b, "cconvd_heavy_unsent_bytes", "gauge",
	    "Bytes of long time series rendered and not yet sent to (or dropped with) their clients.");
	buf_printf(b, "cconvd_heavy_unsent_bytes %lld\n",
	    (long long)atomic_load_explicit(&heavy_unsent, memory_order_relaxed));

	header(b, "cconvd_snapshot_age_seconds", "gauge", "Seconds since the served rates were fetched.");
	if (r != NULL)
		buf_printf(b, "cconvd_snapshot_age_seconds %lld\n",
		    (long long)(now > rates_fetched_at(r) ? now - rates_fetched_at(r) : 0));
	header(b, "cconvd_rates_date_timestamp_seconds", "gauge",
	    "The served rates' date, as the Unix time of its midnight UTC.");
	if (r != NULL)
		buf_printf(b, "cconvd_rates_date_timestamp_seconds %lld\n",
		    (long long)(dt_date_days(rates_date(r)) * 86400));
	header(b, "cconvd_rates_fetched_timestamp_seconds", "gauge", "When the served rates were fetched.");
	if (r != NULL)
		buf_printf(b, "cconvd_rates_fetched_timestamp_seconds %lld\n", (long long)rates_fetched_at(r));
	header(b, "cconvd_snapshot_currencies", "gauge", "Currencies in the served rates, the base included.");
	buf_printf(b, "cconvd_snapshot_currencies %zu\n", r != NULL ? rates_count(r) : 0);
	header(b, "cconvd_next_refresh_timestamp_seconds", "gauge", "When the next refresh is scheduled.");
	if (next > 0)
		buf_printf(b, "cconvd_next_refresh_timestamp_seconds %lld\n", (long long)next);
	header(b, "cconvd_database_size_bytes", "gauge",
	    "Size of the SQLite database and its WAL, measured after each save.");
	if (size >= 0)
		buf_printf(b, "cconvd_database_size_bytes %lld\n", (long long)size);
	publish_get_status(&st);
	upstream_gauges(b, &st);
	header(b, "cconvd_build_info", "gauge", "Always 1; the version as a label.");
	buf_puts(b, "cconvd_build_info{version=\"" CCONV_VERSION "\"} 1\n");
}
