"""Refreshing: bad fetches change nothing, a restart answers from SQLite, every upstream is asked and merged in order of precedence."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, Daemon, Upstream, refused_url, run, wait_until  # noqa: E402

BAD_MODES = {
    "http_500": "HTTP 500", "http_503": "HTTP 503", "html": "not a rates document: an HTML page",
    "truncated": "not JSON",
    "empty_rates": "'rates' is empty", "negative_rate": "rates.USD: must be a number > 0",
    "zero_rate": "rates.USD: must be a number > 0", "string_rate": "rates.USD: must be a number > 0",
    "bad_date": "not a valid", "bad_code": "three letters A-Z", "huge": "larger than", "close": "",
}


def rows(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT count(*) FROM observations").fetchone()[0], c.execute(
            "SELECT count(*) FROM days").fetchone()[0]


def test_bad_fetches_change_nothing(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        good = d.get("/latest")[2]
        before = rows(d.db)
        for mode, rule in BAD_MODES.items():
            up.mode = mode
            hits = up.hits
            d.proc.send_signal(signal.SIGHUP)
            # After a failure the daemon also retries by itself (backoff), so
            # wait for a round that saw this mode, not just for any round.
            wait_until(lambda: up.hits > hits and not d.health()["last_fetch"]["ok"] and
                       rule in d.health()["last_fetch"]["error"], 15, f"a failed fetch in mode {mode}")
            h = d.health()
            assert up.url in h["last_fetch"]["error"], (mode, h)
            assert d.get("/latest")[2] == good, mode
            assert rows(d.db) == before, mode
            assert d.logged(lambda line: up.url in line and rule in line), mode
        up.mode = "ok"
        up.body["rates"]["GBP"] = 0.9
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: d.health()["last_fetch"]["ok"], 15, "the upstream's recovery")
        assert d.get("/convert/GBP/100")[2] == "GBP 90.00\n"
    finally:
        d.stop()
        up.stop()


def test_file_upstream_and_same_date_no_duplicates(tmp):
    path = os.path.join(tmp, "latest.json")
    with open(path, "w") as f:
        json.dump({"base": "EUR", "date": "2026-11-20", "rates": {"GBP": 0.884, "USD": 1.0512}}, f)
    d = Daemon(tmp, ["file://" + path])
    try:
        d.wait_refreshes(1)
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        d.refresh()
        d.refresh()
        assert rows(d.db) == (2, 1), rows(d.db)
        with open(path, "w") as f:
            f.write("{not json")
        # A file no newer than the last fetch is "not modified" (If-Modified-Since has
        # whole seconds): date the edit later, as a real one would be.
        later = os.stat(path).st_mtime + 2
        os.utime(path, (later, later))
        d.refresh()
        assert "not JSON" in d.health()["last_fetch"]["error"]
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
    finally:
        d.stop()


def test_restart_answers_from_sqlite_at_once(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        want = d.get("/convert/JPY/1234.5")[2]
    finally:
        d.stop()
        up.stop()
    down = refused_url()
    d = Daemon(tmp, [down])
    try:
        # Right after the listening line, before any fetch has had to succeed.
        assert d.get("/convert/JPY/1234.5")[2] == want
        d.wait_refreshes(1)
        h = d.health()
        assert h["status"] == "ok" and h["last_fetch"]["ok"] is False and down in h["last_fetch"]["error"], h
        assert d.get("/convert/JPY/1234.5")[2] == want
    finally:
        d.stop()


def test_upstreams_tried_in_order(tmp):
    up = Upstream()
    first = refused_url()
    d = Daemon(tmp, [first, up.url])
    try:
        d.wait_refreshes(1)
        assert d.health()["upstream"] == up.url
        with sqlite3.connect(d.db) as c:
            assert c.execute("SELECT upstream FROM sources").fetchall() == [(up.url,)]
        assert first in d.stderr()
    finally:
        d.stop()
        up.stop()
    # CCONV_UPSTREAM as a comma list works the same way
    up = Upstream()
    d = Daemon(tmp, [], env={"CCONV_UPSTREAM": f"{refused_url()},{up.url}"})
    try:
        d.wait_refreshes(1)
        assert d.health()["upstream"] == up.url
    finally:
        d.stop()
        up.stop()


def test_hanging_upstream_times_out_and_does_not_delay_exit(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        assert up.last_headers.get("User-Agent", "").startswith("cconv/"), up.last_headers
        up.mode = "hang"
        d.proc.send_signal(signal.SIGHUP)
        t = time.monotonic()
        d.wait_refreshes(2)  # the 10 s limit on a whole fetch ends the round
        took = time.monotonic() - t
        assert 9 <= took < 14, took
        assert "timed out" in d.health()["last_fetch"]["error"].lower(), d.health()
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        # A daemon told to stop in the middle of such a fetch exits at once.
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: up.hits >= 3, 5, "the next fetch to start")
        t = time.monotonic()
        d.stop()
        assert time.monotonic() - t < 3
    finally:
        d.stop()
        up.stop()


def test_unchanged_upstream_answers_304(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        first = d.health()["fetched_at"]
        assert up.not_modified == 0
        time.sleep(1.1)  # fetch times have one-second resolution; the next must differ
        d.refresh()
        assert up.not_modified == 1, up.not_modified
        assert "304 Not Modified" in d.stderr()
        h = d.health()
        assert h["last_fetch"]["ok"] is True and h["fetched_at"] > first, (first, h)
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        assert rows(d.db) == (len(up.body["rates"]), 1)
        up.body["rates"]["GBP"] = 0.9  # changed data: a full answer again
        d.refresh()
        assert up.not_modified == 1
        assert d.get("/convert/GBP/100")[2] == "GBP 90.00\n"
    finally:
        d.stop()
        up.stop()


def test_backoff_and_retry_after(tmp):
    """Failed rounds are retried by themselves, soon, not after --refresh (3600 s)."""
    up = Upstream()
    up.mode = "http_503"
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        t = time.monotonic()
        d.wait_refreshes(2)  # first retry: BACKOFF_MIN 5 s with equal jitter, so 2..5 s
        took = time.monotonic() - t
        assert 1.5 <= took <= 6.5, took
        assert "next try in" in d.stderr()
    finally:
        d.stop()
    # Retry-After is a floor: 7 s beats the 2..5 s first step.
    up.mode = "http_429"
    up.retry_after = 7
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        assert "HTTP 429" in d.health()["last_fetch"]["error"]
        t = time.monotonic()
        d.wait_refreshes(2)
        took = time.monotonic() - t
        assert 6.5 <= took <= 9, took
        assert "next try in 7 s" in d.stderr(), d.stderr()
    finally:
        d.stop()
        up.stop()


def test_retry_after_never_stretches_refresh(tmp):
    """Retry-After counts only on a 429 or 503, and never puts the next round past --refresh."""
    up = Upstream()
    up.retry_after = 604800
    d = Daemon(tmp, [up.url], ["--refresh", "600"])
    try:
        d.wait_refreshes(1)
        d.logged("refresh ok")
        nxt = int(re.search(r"refresh ok .*; next in (\d+) s", d.stderr()).group(1))
        assert 1 <= nxt <= 600, d.stderr()
        up.mode = "http_503"
        d.refresh()
        nxt = int(re.search(r"refresh failed .*; next try in (\d+) s", d.stderr()).group(1))
        assert nxt == 600, d.stderr()
    finally:
        d.stop()
        up.stop()


def test_bad_options_exit_64(tmp):
    cases = [(["--refresh", "5"], {}, "--refresh"), ([], {"CCONV_REFRESH": "5"}, "CCONV_REFRESH"),
             (["--max-age", "x"], {}, "--max-age"), (["--listen", "nonsense"], {}, "--listen"),
             (["--upstream", "ftp://x"], {}, "--upstream"), (["--frobnicate"], {}, "--frobnicate")]
    for args, env, needle in cases:
        p = subprocess.run([CCONVD, "--db", os.path.join(tmp, "x.db"), *args], capture_output=True, text=True,
                           env=dict(os.environ, **env), timeout=10)
        assert p.returncode == 64 and needle in p.stderr, (args, env, p.returncode, p.stderr)
    p = subprocess.run([CCONVD, "--version"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0 and p.stdout.startswith("cconvd ")


if __name__ == "__main__":
    run([test_bad_fetches_change_nothing, test_file_upstream_and_same_date_no_duplicates,
         test_restart_answers_from_sqlite_at_once, test_upstreams_tried_in_order,
         test_hanging_upstream_times_out_and_does_not_delay_exit, test_unchanged_upstream_answers_304,
         test_backoff_and_retry_after, test_retry_after_never_stretches_refresh,
         test_bad_options_exit_64])
