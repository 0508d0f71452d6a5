"""/metrics in Prometheus text format, counters that move, and one log line per refresh round."""
import calendar
import datetime
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, Daemon, Upstream, run, serving, wait_until  # noqa: E402

NEXT = (datetime.date.fromisoformat(DATE) + datetime.timedelta(days=1)).isoformat()  # newer, at most tomorrow

FAMILIES = {
    "cconvd_requests_total": "counter", "cconvd_request_duration_seconds": "histogram",
    "cconvd_refreshes_total": "counter", "cconvd_store_errors_total": "counter",
    "cconvd_snapshot_age_seconds": "gauge", "cconvd_rates_date_timestamp_seconds": "gauge",
    "cconvd_rates_fetched_timestamp_seconds": "gauge", "cconvd_snapshot_currencies": "gauge",
    "cconvd_next_refresh_timestamp_seconds": "gauge", "cconvd_database_size_bytes": "gauge",
    "cconvd_build_info": "gauge",
}
# outcome (reason): upstream, rates dated (got, or still served), [currencies,] duration; next round
# One line per round: each upstream's outcome once, then the rates served.
SUMMARY = re.compile(r"cconvd: (?:info|warning): refresh (ok|failed) \(([^)]+)\): upstream '([^']+)': [^;]*; "
                     r"(?:still )?serving rates dated (\S+), \d+ currencies, (\d+) ms; next (?:try )?in (\d+) s")


def requests(d, endpoint, code):
    return d.metric("cconvd_requests_total", endpoint=endpoint, code=str(code))


def refreshes(d, outcome, reason):
    return d.metric("cconvd_refreshes_total", outcome=outcome, reason=reason)


def test_metrics_text_and_counters(tmp):
    with serving(tmp) as (up, d):
        d.wait_refreshes(1)  # the round is counted just after its rates are served
        status, headers, text = d.get("/metrics")
        assert headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", headers
        assert headers["cache-control"] == "no-store"
        for family, kind in FAMILIES.items():
            assert f"# HELP {family} " in text and f"# TYPE {family} {kind}\n" in text, family
        m = d.metrics()
        assert m[("cconvd_rates_date_timestamp_seconds", ())] == calendar.timegm(
            datetime.date.fromisoformat(DATE).timetuple())
        assert m[("cconvd_snapshot_currencies", ())] == 7
        assert m[("cconvd_database_size_bytes", ())] > 4096
        assert 0 <= m[("cconvd_snapshot_age_seconds", ())] < 30
        assert m[("cconvd_build_info", (("version", "0.1.0"),))] == 1
        assert refreshes(d, "ok", "new") == 1

        before = d.metrics()
        for _ in range(3):
            assert d.get("/convert/GBP/100")[0] == 200
        tag = d.get("/latest")[1]["etag"]
        assert d.get("/latest", headers={"If-None-Match": tag})[0] == 304
        assert d.get("/convert/XYZ/1")[0] == 404
        assert d.get("/convert", "POST")[0] == 405
        after = d.metrics()

        def delta(name, **labels):
            key = (name, tuple(sorted(labels.items())))
            return after.get(key, 0) - before.get(key, 0)
        assert delta("cconvd_requests_total", endpoint="convert_path", code="200") == 3
        assert delta("cconvd_requests_total", endpoint="latest", code="200") == 1
        assert delta("cconvd_requests_total", endpoint="latest", code="304") == 1
        assert delta("cconvd_requests_total", endpoint="convert_path", code="404") == 1
        assert delta("cconvd_requests_total", endpoint="other", code="405") == 1
        assert delta("cconvd_requests_total", endpoint="metrics", code="200") == 1  # the first scrape
        # 7 answered between the scrapes plus the first scrape itself.
        assert delta("cconvd_request_duration_seconds_count") == 8
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                         if k[0] == "cconvd_request_duration_seconds_bucket")
        assert buckets[-1][0] == float("inf") and buckets[-1][1] == after[("cconvd_request_duration_seconds_count", ())]
        assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
        assert after[("cconvd_request_duration_seconds_sum", ())] > 0

        # A 304 from the upstream, then each kind of failure, each counted once.
        d.refresh()
        assert refreshes(d, "ok", "not_modified") == 1
        for mode, reason in (("http_503", "http_error"), ("html", "invalid"), ("close", "network")):
            up.mode = mode
            n = refreshes(d, "failed", reason)
            d.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: refreshes(d, "failed", reason) > n, 15, f"a refresh failing with {reason}")
        up.mode = "ok"
        up.body["rates"]["GBP"] = 0.9
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: refreshes(d, "ok", "new") == 2, 15, "new rates")
        assert d.metric("cconvd_next_refresh_timestamp_seconds") > d.metric("cconvd_rates_fetched_timestamp_seconds")


def test_one_log_line_per_refresh(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        d.refresh()  # 304
        up.mode = "http_500"
        d.refresh()
        up.mode = "truncated"
        d.refresh()
        up.mode = "ok"
        up.body["date"] = NEXT
        d.refresh()
        lines = [line for line in d.stderr().splitlines() if re.search(r"refresh (ok|failed) \(", line)]
        rounds = sum(v for (name, _), v in d.metrics().items() if name == "cconvd_refreshes_total")
        assert len(lines) == rounds, (rounds, lines)  # failure retries by backoff are rounds too
        parsed = [SUMMARY.search(line) for line in lines]
        assert all(parsed), lines
        seen = [(p.group(1), p.group(2)) for p in parsed]
        for want in [("ok", "new rates"), ("ok", "304 Not Modified"), ("failed", "http error"),
                     ("failed", "invalid answer")]:
            assert want in seen, (want, seen)
        for p in parsed:
            assert p.group(3) == up.url, p.group(0)
            # Every line names the rates served after the round.
            assert p.group(4) in (DATE, NEXT), p.group(0)
        assert parsed[-1].group(1, 2, 4) == ("ok", "new rates", NEXT), parsed[-1].group(0)
        assert any("next try in" in line and "failure 1 in a row" in line for line in lines), lines
    finally:
        d.stop()
        up.stop()


if __name__ == "__main__":
    run([test_metrics_text_and_counters, test_one_log_line_per_refresh])
