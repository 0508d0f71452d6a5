"""Lifecycle and defaults: SIGTERM/SIGINT finish what is in flight and exit 0
within 2 s, SIGHUP refreshes, one log line per event with a level and none per
request unless --verbose, loopback by default, and no method but GET/HEAD does
anything."""
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONVD, DATE, RATES, Daemon, Upstream, cconvd_once, db_contents, ecb_csv, refused_url,  # noqa: E402
                    run, serving, wait_until, write_file)

EXIT_LIMIT = 2.0  # seconds, the requirement (asserted generously: it is not a benchmark)
LINE = re.compile(r"^cconvd: (info|warning|error|debug|fatal): \S")


def keep_alive_client(port, results, started):
    """Requests on one connection until the daemon answers 'Connection: close'."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    try:
        while True:
            c.request("GET", "/convert/GBP/100")
            r = c.getresponse()
            body = r.read().decode()
            assert (r.status, body) == (200, "GBP 88.40\n"), (r.status, body)
            n += 1
            if n == 1:
                started.append(1)
            if r.getheader("Connection", "").lower() == "close":
                results.append(("closed", n))
                return
    except Exception as e:  # an answer lost in flight
        results.append(("error", n, repr(e)))
    finally:
        c.close()


def stop_with(d, sig):
    t = time.monotonic()
    d.proc.send_signal(sig)
    rc = d.proc.wait(10)
    took = time.monotonic() - t
    d.reader.join(5)
    return rc, took


def test_sigterm_finishes_requests_in_flight(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
        results, started = [], []
        clients = [threading.Thread(target=keep_alive_client, args=(d.port, results, started)) for _ in range(32)]
        for c in clients:
            c.start()
        wait_until(lambda: len(started) == len(clients), 10, "every client answered once")
        rc, took = stop_with(d, signal.SIGTERM)
        for c in clients:
            c.join(15)
        print(f"SIGTERM with 32 keep-alive clients busy: exit {rc} after {took:.3f} s; "
              f"{sum(r[1] for r in results)} answers")
        assert rc == 0 and took <= EXIT_LIMIT, (rc, took, d.stderr())
        errors = [r for r in results if r[0] != "closed"]
        assert not errors and len(results) == 32, (errors, len(results))
        # The refresher stopped and SQLite was closed: closing the last
        # connection checkpoints the WAL into the database and removes it.
        assert not os.path.exists(d.db + "-wal"), os.listdir(tmp)
        assert "SIGTERM: shutting down" in d.stderr()
        assert db_contents(d.db)[0], "the snapshot is in the database file itself"
    finally:
        up.stop()


def test_sigint_during_a_fetch_is_quiet_and_quick(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        up.mode = "hang"
        hits = up.hits
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: up.hits > hits, 10, "the hanging fetch to start")
        rc, took = stop_with(d, signal.SIGINT)
        print(f"SIGINT during a fetch that never ends: exit {rc} after {took:.3f} s")
        assert rc == 0 and took <= EXIT_LIMIT, (rc, took)
        tail = d.stderr().split("SIGINT: shutting down", 1)[1]
        # Cancelling the fetch is the shutdown's doing, not a failure.
        assert "cancelled, shutting down" in tail and "info: refresh: fetch from" in tail, tail
        assert "warning" not in tail and "refresh failed" not in tail, tail
    finally:
        up.stop()


def test_sighup_refreshes_now(tmp):
    with serving(tmp) as (up, d):
        d.wait_refreshes(1)
        hits = up.hits
        up.body["rates"]["GBP"] = 0.9
        d.proc.send_signal(signal.SIGHUP)  # --refresh is 3600 s: only the signal can do it
        wait_until(lambda: d.get("/convert/GBP/100")[2] == "GBP 90.00\n", 10, "the refreshed rate")
        assert up.hits == hits + 1 and d.logged("SIGHUP: refreshing now")


def test_sighup_flood_logs_one_line_per_round(tmp):
    """1000 SIGHUPs while a fetch hangs: they make one more round (signals during a round are one kick), and
    each round logs one "refreshing now" line, so the log holds no more of them than fetches were made."""
    with serving(tmp) as (up, d):
        d.wait_refreshes(1)
        up.gate.clear()  # the upstream holds every answer until set
        os.kill(d.proc.pid, signal.SIGHUP)
        wait_until(lambda: up.hits == 2, 10, "the round SIGHUP started to reach the upstream")
        for _ in range(1000):
            os.kill(d.proc.pid, signal.SIGHUP)
            time.sleep(0.0002)  # pacing, so the daemon takes them one by one rather than as one pending signal
        # The last signal may still be pending (one SIGHUP at most is): let the daemon take it while
        # the round is still in flight, or on a slow machine it lands in the next round and makes a
        # fourth that the flood did not cause.
        time.sleep(0.5)
        up.gate.set()
        d.wait_refreshes(3)  # the first round, the one in flight, and one more for all 1000
        said = d.stderr().count("SIGHUP: refreshing now")
        print(f"1000 SIGHUPs: {up.hits - 1} fetches, {said} 'refreshing now' lines")
        assert said == 2 and up.hits == 3 and d.outcomes() == 3, (said, up.hits, d.outcomes())


def test_log_lines(tmp):
    for verbose in (False, True):
        with serving(os.path.join(tmp), ["--verbose"] if verbose else []) as (up, d):
            for _ in range(5):
                assert d.get("/convert/GBP/100")[0] == 200
            d.get("/nowhere")
            d.get("/x%0acconvd:%20warning:%20forged")  # a decoded newline must not start a line of its own
            d.refresh()
            lines = d.stderr().splitlines()
            assert not any("forged" in x and not x.startswith("cconvd: debug: ") for x in lines), lines
            assert lines and all(LINE.match(x) for x in lines), [x for x in lines if not LINE.match(x)]
            per_request = [x for x in lines if "/convert/GBP/100" in x]
            if verbose:
                assert len(per_request) == 5 and all(x.startswith("cconvd: debug: GET /convert/GBP/100 -> 200")
                                                      for x in per_request), per_request
            else:
                assert per_request == [] and not any("/nowhere" in x for x in lines), lines
                # one line per event: stored rates, listening, each refresh, SIGHUP
                assert len(lines) < 10, lines
        os.remove(os.path.join(tmp, "rates.db"))


def test_no_method_but_get_changes_anything(tmp):
    routes = ["/convert/GBP/100", "/convert?from=USD&to=GBP&amount=1", "/latest", "/currencies", "/healthz",
              "/", "/nowhere", "/convert/GBP/-1"]
    methods = ["POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "MKCOL", "LOCK", "PURGE"]
    with serving(tmp) as (up, d):
        before = db_contents(d.db), d.get("/latest")[2]
        for path in routes:
            for m in methods:
                status, headers, body = d.get(path, method=m, headers={"Content-Length": "2"} if m in (
                    "POST", "PUT", "PATCH") else {})
                assert status == 405 and headers.get("allow") == "GET, HEAD, OPTIONS", (m, path, status, headers)
                assert m in body, (m, path, body)
            # OPTIONS (a CORS preflight) only says what is allowed.
            status, headers, body = d.get(path, method="OPTIONS")
            assert (status, body) == (204, "") and headers.get("allow") == "GET, HEAD, OPTIONS", (path, status)
        assert (db_contents(d.db), d.get("/latest")[2]) == before


def test_default_listen_is_loopback(tmp):
    """No --listen and no CCONV_LISTEN: 127.0.0.1:8080.  The port may be taken
    on a shared machine; then the refusal must still name the loopback address."""
    env = {k: v for k, v in os.environ.items() if k != "CCONV_LISTEN"}
    p = subprocess.Popen([CCONVD, "--db", os.path.join(tmp, "rates.db"), "--upstream", "http://127.0.0.1:9/"],
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = ""
        for line in p.stderr:
            if "listen" in line:
                first = line
                break
        assert "listening on 127.0.0.1:8080" in first or "listen '127.0.0.1:8080'" in first, first
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        assert p.wait(10) in (0, 1)


def test_offline_without_rates_says_the_way_out(tmp):
    """No upstream answers and the database is empty (a new machine without internet): one line, once,
    says there is nothing to serve and names --import and file://; the way it names works."""
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        d.refresh()
        d.refresh()  # a line the second round repeated is in the pipe before the third round's
        assert d.get("/healthz")[0] == 503 and d.health()["status"] == "no rates"
        lines = d.stderr().splitlines()
        told = [x for x in lines if "no rates to serve yet" in x]
        assert told == ["cconvd: warning: no rates to serve yet: no upstream gave any and the database "
                        f"'{d.db}' holds none; load a file with 'cconvd --import FILE' or use a file:// "
                        "upstream"], lines
        failed = [x for x in lines if "refresh failed" in x]
        assert len(failed) >= 3 and all("; no rates served, " in x for x in failed), failed
        assert not any("dated none" in x or "still served" in x for x in lines), lines

        rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "day.csv", ecb_csv(
            {DATE: {c: str(v) for c, v in RATES.items()}}))])
        assert rc == 0, err
        wait_until(lambda: d.get("/convert/GBP/100")[2] == "GBP 88.40\n", 10, "the imported rates")
    finally:
        d.stop()


if __name__ == "__main__":
    run([test_sigterm_finishes_requests_in_flight, test_sigint_during_a_fetch_is_quiet_and_quick,
         test_sighup_refreshes_now, test_sighup_flood_logs_one_line_per_round, test_log_lines, test_no_method_but_get_changes_anything,
         test_default_listen_is_loopback, test_offline_without_rates_says_the_way_out])
