"""History served by cconvd: /{date}, /{start}..{end}, /{start}.., /convert?date=, the /v1 prefix, how
fast a dated answer comes from a 25-year database (also while another process holds the write lock), and
cconv --date through the daemon, the upstream's /{date}, and the cache only for exactly its date; the dated
routes follow the database file when it is deleted or replaced under the daemon."""
import contextlib
import datetime
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import threading
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, RATES, Daemon, day_view, Upstream, cconv, cconvd_once, db_rows, ecb_csv, expected,  # noqa: E402
                    history_daemon, make_history, run, wait_until)


def same_rates(got, want):
    """The served numbers equal the stored texts as decimals (1.2340 is served as 1.234)."""
    assert set(got) == set(want), (sorted(got), sorted(want))
    for code, text in want.items():
        assert Decimal(str(got[code])) == Decimal(text), (code, got[code], text)


def get_json(d, path):
    status, h, body = d.get(path)
    assert status == 200, (path, status, body)
    assert h["content-type"] == "application/json"
    return json.loads(body, object_pairs_hook=lambda kv: dict(kv)), body, h


def test_dates_and_series(tmp):
    days = make_history(1, 8, end="2026-11-19")
    with history_daemon(tmp, days) as (up, d):
        for date in random.Random(1).sample(sorted(days), 20):
            doc, body, h = get_json(d, "/" + date)
            assert list(doc) == ["amount", "base", "date", "rates"] and doc["date"] == date, body
            same_rates(doc["rates"], day_view(days, date))
            assert "warning" not in h and "last-modified" in h
        # A Saturday and a Sunday answer Friday's rates, with Friday's date.
        friday = max(x for x in days if datetime.date.fromisoformat(x).weekday() == 4 and x < "2026-11-01")
        for offset in (1, 2):
            later = (datetime.date.fromisoformat(friday) + datetime.timedelta(days=offset)).isoformat()
            doc = get_json(d, "/" + later)[0]
            assert doc["date"] == friday, doc
            same_rates(doc["rates"], day_view(days, friday))
        # After the newest stored date: the newest, which the upstream gave.
        assert get_json(d, "/2030-01-01")[0]["date"] == DATE

        # A time series in Frankfurter's shape.
        doc, body, _ = get_json(d, f"/{friday}..2026-11-12")
        assert list(doc) == ["amount", "base", "start_date", "end_date", "rates"], body
        assert body.startswith('{"amount":1.0,"base":"EUR","start_date":"%s","end_date":"2026-11-12",' % friday)
        want = sorted(x for x in days if friday <= x <= "2026-11-12")
        assert list(doc["rates"]) == want
        for date in want:
            same_rates(doc["rates"][date], day_view(days, date))
        saturday = (datetime.date.fromisoformat(friday) + datetime.timedelta(days=1)).isoformat()
        # From a day without rates: the nearest day before with rates, as Frankfurter.
        assert get_json(d, f"/{saturday}..2026-11-12")[0]["start_date"] == friday
        doc = get_json(d, "/2026-11-16..")[0]
        assert doc["start_date"] == "2026-11-16" and doc["end_date"] == DATE, doc
        assert list(doc["rates"]) == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", DATE]
        same_rates(doc["rates"][DATE], day_view(dict(days, **{DATE: {k: str(v) for k, v in RATES.items()}}), DATE))
        # The web page's chart: one pair over a range.
        doc = get_json(d, "/2026-11-02..2026-11-06?from=USD&to=GBP")[0]
        assert doc["base"] == "USD" and all(list(r) == ["GBP"] for r in doc["rates"].values()), doc
        for date, r in doc["rates"].items():
            ratio = Decimal(days[date]["GBP"]) / Decimal(days[date]["USD"])
            assert abs(Decimal(str(r["GBP"])) / ratio - 1) < Decimal("1e-5"), (date, r, ratio)

        # Frankfurter's /v1 prefix, its base/symbols names, and /convert at a date.
        assert get_json(d, f"/v1/{friday}?symbols=USD")[0] == get_json(d, f"/{friday}?to=USD")[0]
        assert get_json(d, "/v1/2026-11-16..2026-11-17")[0]["end_date"] == "2026-11-17"
        doc = get_json(d, f"/convert?from=USD&to=GBP&amount=1234.5&date={saturday}")[0]
        assert doc["date"] == friday and doc["stale"] is False, doc
        assert str(doc["result"]) == expected("1234.5", "USD", "GBP", days[friday]), (doc, days[friday])

        first = min(days)
        cases = [("/1999-01-01", 404, f"no rates on or before 1999-01-01: the stored history starts on {first}"),
                 ("/1999-01-01..1999-12-31", 404, "no rates between"),
                 (f"/{first}?to=KWD", 404, "unknown currency 'KWD'"),
                 ("/2026-02-30", 422, "not a valid YYYY-MM-DD date"), ("/2026-11-1", 422, "'2026-11-1'"),
                 ("/2026-11-10..2026-11-01", 422, "before start date"), ("/2026-11..", 422, "start date"),
                 ("/convert?to=GBP&date=2026-11", 400, "date '2026-11'"),
                 ("/convert?to=GBP&date=1999-01-01", 404, "no rates on or before")]
        for path, status, needle in cases:
            got, _, body = d.get(path)
            # Frankfurter's routes answer its form, {"message":…}; /convert cconvd's own {"error":…}.
            key = "error" if path.startswith("/convert") else "message"
            assert got == status and needle in json.loads(body)[key], (path, got, body)


def test_25_years_fast_and_not_blocked_by_the_writer(tmp):
    days = make_history(25, 30, end="2026-11-19")
    csv = os.path.join(tmp, "hist.csv")
    with open(csv, "w") as f:
        f.write(ecb_csv(days))
    t0 = time.monotonic()
    rc, err = cconvd_once(tmp, ["--import", csv])
    took = time.monotonic() - t0
    assert rc == 0, err
    print(f"import of {len(days)} days x 30 currencies ({os.path.getsize(csv)} bytes of CSV): {took:.2f} s")
    assert db_rows(os.path.join(tmp, "rates.db"))[1] == sum(len(r) for r in days.values())

    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200 and d.health()["date"] == DATE, 10, "the first refresh")
        rnd = random.Random(7)
        first = datetime.date.fromisoformat(min(days))
        span = (datetime.date.fromisoformat(max(days)) - first).days
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)

        def timed(n):
            times = []
            for _ in range(n):
                date = (first + datetime.timedelta(days=rnd.randrange(span + 1))).isoformat()
                t = time.perf_counter()
                conn.request("GET", "/" + date)
                r = conn.getresponse()
                body = r.read()
                times.append((time.perf_counter() - t) * 1000)
                assert r.status == 200, body
                doc = json.loads(body)
                assert doc["date"] <= date and doc["date"] in days
                same_rates(doc["rates"], day_view(days, doc["date"]))
            times.sort()
            return statistics.median(times), times[int(len(times) * 0.99) - 1]

        med, p99 = timed(1000)
        print(f"GET /{{random date}} on 25 years, 1000 requests, one keep-alive connection, round trip: "
              f"median {med:.3f} ms, p99 {p99:.3f} ms")
        # Another process holds the write lock with a big uncommitted change: readers still answer at once,
        # from the last commit.
        with contextlib.closing(sqlite3.connect(os.path.join(tmp, "rates.db"), isolation_level=None)) as w:
            w.execute("BEGIN IMMEDIATE")
            w.execute("DELETE FROM observations")
            med, p99 = timed(200)
            w.execute("ROLLBACK")
        print(f"the same while another process holds the write lock: median {med:.3f} ms, p99 {p99:.3f} ms")
        t = time.perf_counter()
        conn.request("GET", f"/{min(days)}..")
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200
        doc = json.loads(body)
        assert len(doc["rates"]) == len(days) + 1 and doc["start_date"] == min(days) and doc["end_date"] == DATE
        print(f"GET /{min(days)}.. (the whole series, {len(body)} bytes): {(time.perf_counter() - t) * 1000:.0f} ms")
        conn.close()
    finally:
        d.stop()
        up.stop()


def test_cconv_date(tmp):
    days = make_history(1, 8, end="2026-11-19")
    friday = max(x for x in days if datetime.date.fromisoformat(x).weekday() == 4 and x < "2026-11-01")
    saturday = (datetime.date.fromisoformat(friday) + datetime.timedelta(days=1)).isoformat()
    want = expected("100", "EUR", "GBP", days[friday]) + " GBP\n"
    with history_daemon(tmp, days) as (up, d):
        up.history = days
        rc, out, err = cconv(tmp, ["--date", friday, "GBP", "100"], server=d.base)
        assert (rc, out) == (0, want) and err == "", (rc, out, err)
        assert up.paths.count("/v1/" + friday) == 0  # the daemon answered
        rc, out, err = cconv(tmp, ["--date", saturday, "--from", "USD", "--json", "GBP", "1234.5"], server=d.base)
        doc = json.loads(out)
        assert rc == 0 and doc["date"] == friday and doc["stale"] is False, (rc, out, err)
        assert str(doc["result"]) == expected("1234.5", "USD", "GBP", days[friday]), doc
        assert f"no rates on {saturday}; using those of {friday}, the nearest earlier date" in err, err

        # The daemon down: the upstream's /v1/{date}, beside its /v1/latest.
        rc, out, err = cconv(tmp, ["-v", "--date", saturday, "GBP", "100"], upstream=up.url)
        assert (rc, out) == (0, want), (rc, out, err)
        assert "/v1/" + saturday in up.paths and "asking upstream" in err and "rates from upstream" in err, err
        # An upstream with no /latest (an ECB feed) has no dates to ask: skipped, with the reason.
        rc, out, err = cconv(tmp, ["--date", saturday, "GBP", "100"],
                             upstream="file:///srv/eurofxref-daily.xml," + up.url)
        assert (rc, out) == (0, want), (rc, out, err)

        # The latest rates, which the cache keeps; a dated answer never replaces them.
        rc, out, err = cconv(tmp, ["GBP", "100"], server=d.base)
        assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
        with open(os.path.join(tmp, "cache", "cconv", "latest.json")) as f:
            assert json.load(f)["date"] == DATE
        cconv(tmp, ["--date", friday, "GBP", "100"], server=d.base)
        with open(os.path.join(tmp, "cache", "cconv", "latest.json")) as f:
            assert json.load(f)["date"] == DATE

        # Before any stored history the daemon says so, in its own words, and that is the answer.
        rc, out, err = cconv(tmp, ["--date", "1999-01-04", "GBP", "1"], server=d.base, upstream=up.url)
        assert (rc, out) == (65, ""), (rc, out, err)
        assert err == f"cconv: no rates on or before 1999-01-04: the stored history starts on {min(days)}\n", err
        assert "/v1/1999-01-04" not in up.paths
        # The daemon down, the upstream's 404 is the status alone (no daemon sentence to give).
        rc, out, err = cconv(tmp, ["-v", "--date", "1999-01-04", "GBP", "1"], upstream=up.url)
        assert rc == 69 and out == "" and "HTTP 404" in err and "/1999-01-04" in err, (rc, out, err)

    # Everything down: only a cache holding exactly that date answers.
    rc, out, err = cconv(tmp, ["--date", DATE, "GBP", "100"])
    assert (rc, out) == (0, "88.40 GBP\n") and "using cached rates dated " + DATE in err, (rc, out, err)
    rc, out, err = cconv(tmp, ["--date", friday, "GBP", "100"])
    assert rc == 69 and out == "", (rc, out, err)
    assert "no upstream answered, and the cache holds no rates of that date\n" in err, err
    rc, out, err = cconv(tmp, ["-v", "--date", friday, "GBP", "100"])
    assert rc == 69 and out == "", (rc, out, err)
    assert "daemon " in err and "upstream '" in err, err
    assert f"holds the rates of {DATE}, not of {friday}" in err, err
    rc, out, err = cconv(tmp, ["--date", "2026-02-30", "GBP", "1"])
    assert rc == 64 and "expected a date as YYYY-MM-DD" in err, err


def fds_on_deleted(pid, db):
    """The daemon's descriptors on a deleted database file, its -wal or its -shm."""
    fds = os.path.join("/proc", str(pid), "fd")
    found = []
    for fd in os.listdir(fds):
        with contextlib.suppress(OSError):
            target = os.readlink(os.path.join(fds, fd))
            if target.startswith(db) and target.endswith(" (deleted)"):
                found.append(target)
    return found


def test_dated_routes_follow_the_database_file(tmp):
    """The database deleted under the daemon, then a backup moved into place: once the writer has opened the
    path again (a save, here after SIGHUP), the dated routes answer from the file the path names, and no
    descriptor is left on the old one, while requests keep coming from other threads."""
    days = make_history(1, 4, end="2026-11-19")
    with history_daemon(tmp, days) as (up, d):
        db, backup = d.db, os.path.join(tmp, "backup.db")
        with contextlib.closing(sqlite3.connect(db)) as src, contextlib.closing(sqlite3.connect(backup)) as dst:
            src.backup(dst)
        same_rates(get_json(d, "/2026-11-10")[0]["rates"], day_view(days, "2026-11-10"))
        stop, statuses = threading.Event(), []

        def load():
            while not stop.is_set():
                statuses.append(d.get("/2026-11-02..2026-11-10")[0])
        readers = [threading.Thread(target=load) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            os.unlink(db)
            assert fds_on_deleted(d.proc.pid, db)  # what the test looks for is there to find
            up.body["rates"]["GBP"] = 0.91
            d.refresh()
            d.logged("the database file was deleted; opening it again")
            status, _, body = d.get("/2026-11-10")
            assert status == 404 and "no rates on or before 2026-11-10" in body, (status, body)
            assert get_json(d, "/" + DATE)[0]["rates"]["GBP"] == 0.91
            assert fds_on_deleted(d.proc.pid, db) == []

            os.rename(backup, db)
            up.body["rates"]["GBP"] = 0.92
            d.refresh()
            d.logged("the database file was replaced; opening it again")
            same_rates(get_json(d, "/2026-11-10")[0]["rates"], day_view(days, "2026-11-10"))
            assert get_json(d, "/" + DATE)[0]["rates"]["GBP"] == 0.92
            assert fds_on_deleted(d.proc.pid, db) == []
        finally:
            stop.set()
            for t in readers:
                t.join()
        # Each answer came from one file or the other; the brief reopen answers 503, nothing else.
        assert len(statuses) > 0 and set(statuses) <= {200, 404, 503}, set(statuses)
    with contextlib.closing(sqlite3.connect(db)) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("SELECT count(*) FROM days").fetchone()[0] == len(days) + 1


if __name__ == "__main__":
    run([test_dates_and_series, test_25_years_fast_and_not_blocked_by_the_writer, test_cconv_date,
         test_dated_routes_follow_the_database_file])
