"""cconvd --import FILE and --backfill START: history loaded in one transaction, idempotently, from the
ECB's CSV, Frankfurter JSON answers and a fake upstream's time series; anything broken changes nothing."""
import json
import os
import sqlite3
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (Daemon, QuietHandler, Upstream, cconvd_once, db_rows, ecb_csv, frankfurter_json,  # noqa: E402
                    make_history, refused_url, run, start_server, write_file)


def stored(db, date, source="%"):
    """{code: rate text} stored for date (from the sources whose upstream is LIKE source; the last
    written wins)."""
    with sqlite3.connect(db) as c:
        return dict(c.execute("SELECT o.currency, o.rate FROM observations o JOIN sources s ON s.id = o.source"
                              " WHERE o.date = ? AND s.upstream LIKE ? ORDER BY o.fetched_at", (date, source)))


def same_values(got, want):
    assert set(got) == set(want), (sorted(got), sorted(want))
    assert all(Decimal(got[c]) == Decimal(want[c]) for c in want), (got, want)


def test_import_csv_25_years(tmp):
    days = make_history(25, 30)
    csv = write_file(tmp, "eurofxref-hist.csv", ecb_csv(days))
    db = os.path.join(tmp, "rates.db")
    t0 = time.monotonic()
    rc, err = cconvd_once(tmp, ["--import", csv])
    took = time.monotonic() - t0
    assert rc == 0, err
    print(f"--import of {len(days)} days x 30 currencies: {took:.2f} s (the daemon's own line: "
          f"{err.strip().splitlines()[-1]})")
    assert f"import: {len(days)} days {min(days)}..{max(days)}" in err and f"{len(days)} added" in err, err
    snaps, rates, digest = db_rows(db)
    assert snaps == len(days) and rates == sum(len(r) for r in days.values()), (snaps, rates)
    for date in sorted(days)[::97] + [min(days), max(days)]:
        got = stored(db, date)
        assert got == days[date], (date, got, days[date])  # the very texts of the file, "3714.0" included

    # Again: nothing changes, not even a fetch time.
    rc, err = cconvd_once(tmp, ["--import", csv])
    assert rc == 0 and f"0 added, 0 replaced, {len(days)} unchanged" in err, err
    assert db_rows(db) == (snaps, rates, digest)

    # Corrupt files, each refused with a sentence, the database untouched.
    lines = ecb_csv(days).splitlines(keepends=True)
    bad_rate = lines[:3000] + [lines[3000].replace(",", ",1,2x", 1)] + lines[3001:]
    corrupt = {
        "bad rate": ("".join(bad_rate), "ECB CSV line"),
        "truncated": ("".join(lines)[: len("".join(lines)) // 2] + "2001-0", "ECB CSV line"),
        "html": ("<!doctype html><html><body>maintenance</body></html>", "import '"),
        "empty": ("", "import '"),
    }
    for name, (text, needle) in corrupt.items():
        path = write_file(tmp, name.replace(" ", "_") + ".csv", text)
        rc, err = cconvd_once(tmp, ["--import", path])
        assert rc == 1 and needle in err and "the database is unchanged" in err, (name, rc, err)
        assert len(err.strip().splitlines()) == 1, err
        assert err.count(f"import '{path}': ") == 1, err  # the file named once, first
        assert db_rows(db) == (snaps, rates, digest), name
    missing = os.path.join(tmp, "missing.csv")
    rc, err = cconvd_once(tmp, ["--import", missing])
    assert rc == 1 and f"import '{missing}': No such file or directory; the database is unchanged" in err, err
    rc, err = cconvd_once(tmp, ["--import", csv, "--backfill", "2020-01-01"])
    assert rc == 64 and "cannot be combined" in err, err
    # Beside a running daemon (test_live_import.py has the rest): the same file changes nothing, so no
    # daemon is told anything.
    d = Daemon(tmp, [refused_url()])
    try:
        rc, err = cconvd_once(tmp, ["--import", csv])
        assert rc == 0 and f"0 added, 0 replaced, {len(days)} unchanged" in err, err
        assert "SIGHUP" not in err, err
    finally:
        d.stop()
    assert db_rows(db) == (snaps, rates, digest)


def test_import_frankfurter_json(tmp):
    days = make_history(1, 6, end="2026-11-19")
    db = os.path.join(tmp, "rates.db")
    one = sorted(days)[10]
    cases = [("latest.json", frankfurter_json({max(days): days[max(days)]}), 1),
             ("date.json", frankfurter_json({one: days[one]}), 1),
             ("series.json", frankfurter_json(days, "2026-01-01", "2026-03-31"), None)]
    total = set()
    for name, body, n in cases:
        rc, err = cconvd_once(tmp, ["--import", write_file(tmp, name, body)])
        doc = json.loads(body)
        dates = [doc["date"]] if "date" in doc else list(doc["rates"])
        assert rc == 0 and f"import: {len(dates)} days" in err, (name, err)
        assert f"from 'file://{tmp}/{name}'" in err, err
        assert "SIGHUP" not in err, err  # no daemon to tell
        total.update(dates)
        for date in dates:
            same_values(stored(db, date), days[date])
    assert db_rows(db)[0] == len(total)
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "bad.json", '{"base":"EUR","date":"2026-11-19","rates":{}}')])
    assert rc == 1 and "'rates' is empty" in err and "the database is unchanged" in err, err
    assert db_rows(db)[0] == len(total)


def test_backfill(tmp):
    days = make_history(2, 10, end="2026-11-19")
    up = Upstream()
    try:
        up.history = days
        db = os.path.join(tmp, "rates.db")
        # The first upstream is down, the second has no time series (not .../latest): the third answers.
        bad = refused_url()
        rc, err = cconvd_once(tmp, ["--backfill", "2025-06-01", "--upstream", bad, "--upstream",
                                    "file:///srv/rates.xml", "--upstream", up.url])
        assert rc == 0, err
        want = sorted(d for d in days if d >= "2025-06-01")
        assert f"backfill: {len(want)} days {want[0]}..{want[-1]}" in err, err
        assert up.paths[-1] == "/v1/2025-06-01..", up.paths
        assert db_rows(db)[0] == len(want)
        for date in want[::25]:
            same_values(stored(db, date), days[date])
        before = db_rows(db)
        rc, err = cconvd_once(tmp, ["--backfill", "2025-06-01", "--upstream", up.url])
        assert rc == 0 and f"0 added, 0 replaced, {len(want)} unchanged" in err, err
        assert db_rows(db) == before

        # Every upstream failing: each named, nothing written.
        up.mode = "http_503"
        rc, err = cconvd_once(tmp, ["--backfill", "2020-01-01", "--upstream", bad, "--upstream", up.url])
        assert rc == 1, err
        assert "no upstream gave a time series" in err and bad.replace("/latest", "/2020-01-01..") in err, err
        assert "HTTP 503" in err and "the database is unchanged" in err, err
        assert db_rows(db) == before
        rc, err = cconvd_once(tmp, ["--backfill", "2099-01-01", "--upstream", up.url])
        assert rc == 64 and "in the future" in err, err
        rc, err = cconvd_once(tmp, ["--backfill", "2020-13-01"])
        assert rc == 64 and "expected a date as YYYY-MM-DD" in err, err
    finally:
        up.stop()


def test_backfill_keeps_to_its_range_and_currencies(tmp):
    """A series endpoint that ignores the start it is asked for and sends 1999-01-04 with one rate: that day
    is not rewritten (logged, ignored); a day in range with fewer currencies than the database has adds
    its rate and loses none of the stored ones; a new day is added."""
    days = make_history(1, 18, end="2025-06-03")
    days["1999-01-04"] = make_history(1, 18, end="1999-01-04")["1999-01-04"]
    assert "2025-06-02" in days and len(days["1999-01-04"]) == 18
    del days["2025-06-03"]
    db = os.path.join(tmp, "rates.db")
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "hist.csv", ecb_csv(days))])
    assert rc == 0, err
    before = db_rows(db)
    series = {"1999-01-04": {"USD": "9.99"}}

    class Handler(QuietHandler):
        def do_GET(self):
            self.send(200, frankfurter_json(series, min(series)))
    server, port = start_server(Handler)
    try:
        url = f"http://127.0.0.1:{port}/v1/latest"
        rc, err = cconvd_once(tmp, ["--backfill", "2025-06-01", "--upstream", url])
        assert rc == 1 and "sent 1 day before 2025-06-01 (1999-01-04..1999-01-04), not asked for: ignored" in err
        assert "no day from 2025-06-01 on" in err and "the database is unchanged" in err, err
        assert db_rows(db) == before

        series.update({"2025-06-02": {"USD": "9.99"}, "2025-06-03": {"USD": "1.1", "GBP": "0.85"}})
        rc, err = cconvd_once(tmp, ["--backfill", "2025-06-01", "--upstream", url])
        assert rc == 0 and "ignored" in err, err
        # The stored day gets the backfill's USD as an observation of its own; none of its rates is lost.
        assert "2 days 2025-06-02..2025-06-03" in err and "1 added, 1 replaced, 0 unchanged" in err, err
        same_values(stored(db, "1999-01-04"), days["1999-01-04"])
        same_values(stored(db, "2025-06-02", "import %"), days["2025-06-02"])
        same_values(stored(db, "2025-06-02", "backfill %"), {"USD": "9.99"})
        same_values(stored(db, "2025-06-03"), series["2025-06-03"])
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    run([test_import_csv_25_years, test_import_frankfurter_json, test_backfill,
         test_backfill_keeps_to_its_range_and_currencies])
