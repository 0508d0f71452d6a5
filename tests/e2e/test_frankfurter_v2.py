"""Frankfurter API v2 as an upstream: cconvd reads its latest answer (rows of several dates, one of them
tomorrow's, the identity row, AED which the ECB lacks) and conditional 304s, --backfill and gap filling ask a
range of years in calendar-year pieces, and --import reads its NDJSON; codes no ISO 4217 list knows are named once a document."""
import datetime
import os
import sqlite3
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, Daemon, FrankfurterV2, cconvd_once, db_rows, make_history, run,  # noqa: E402
                    v2_records, wait_until, write_file)


def stored(db, date):
    """{code: rate text} stored for date (the last written wins)."""
    with sqlite3.connect(db) as c:
        return dict(c.execute("SELECT currency, rate FROM observations WHERE date = ? ORDER BY fetched_at",
                              (date,)))


def test_latest_serves_aed(tmp):
    rows = FrankfurterV2.latest_rows() + [{"date": DATE, "base": "EUR", "quote": "ZZZ", "rate": "2.5"}]
    aed = next(r for r in rows if r["quote"] == "AED")
    v2 = FrankfurterV2(rows=rows)
    try:
        d = Daemon(tmp, [v2.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            status, _, body = d.get("/convert/AED/100")
            assert status == 200 and body.strip() == "AED %s" % (Decimal(aed["rate"]) * 100).quantize(
                Decimal("0.01")), (status, body)
            d.logged(f"refresh: upstream '{v2.url}': 1 code no ISO 4217 list knows, skipped: ZZZ")
            # Every date of the answer is kept, each with its own rates, digit for digit.
            got = stored(d.db, DATE)
            assert got.get("GBP") == "0.86080" and "AED" not in got and "ZZZ" not in got, got
            dates = sorted({r["date"] for r in rows})
            assert len(dates) == 3 and db_rows(d.db)[0] == 3, db_rows(d.db)
            # Unchanged rows: the next round asks conditionally and gets 304.
            d.refresh()
            assert v2.not_modified >= 1, v2.requests
            assert all("from" not in p and "date" not in p and p.get("base") == "EUR" for _, p, _ in v2.requests)
        finally:
            d.stop()
    finally:
        v2.stop()


def test_backfill_in_yearly_pieces(tmp):
    days = make_history(3, 12, end=DATE)
    start = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=913)).isoformat()
    v2 = FrankfurterV2(history=days)
    try:
        db = os.path.join(tmp, "rates.db")
        rc, err = cconvd_once(tmp, ["--backfill", start, "--upstream", v2.url], db=db)
        assert rc == 0, err
        want = sorted(d for d in days if d >= start)
        assert f"backfill: {len(want)} days {want[0]}..{want[-1]}" in err, err
        ranges = v2.ranges()
        assert len(ranges) >= 3, ranges
        assert ranges[0][0] == start and ranges[-1][1] is None, ranges
        for (lo, hi), (nxt, _) in zip(ranges, ranges[1:]):
            assert hi is not None and hi[:4] == lo[:4] and hi[5:] == "12-31" and nxt == f"{int(lo[:4]) + 1}-01-01", \
                ranges
        assert all(p.get("base") == "EUR" for _, p, _ in v2.requests), v2.requests
        assert db_rows(db)[0] == len(want), (db_rows(db), len(want))
        for date in want[::40] + [want[0], want[-1]]:
            got = stored(db, date)
            assert set(got) == set(days[date]), (date, got)
            assert all(Decimal(got[c]) == Decimal(days[date][c]) for c in days[date]), (date, got)
    finally:
        v2.stop()


def test_import_ndjson(tmp):
    days = {"2026-11-26": {"USD": "1.0512", "ZZZ": "3", "QQQ": "1"}, "2026-11-27": {"USD": "1.0530", "AED": "3.86"}}
    records = v2_records(days) + [{"date": "2026-11-27", "base": "EUR", "quote": "EUR", "rate": "1"}]
    path = write_file(tmp, "rates.ndjson", FrankfurterV2.body(records, ndjson=True))
    rc, err = cconvd_once(tmp, ["--import", path])
    assert rc == 0, err
    assert "import: 2 days 2026-11-26..2026-11-27" in err, err
    assert f"import '{path}': 2 codes no ISO 4217 list knows, skipped: QQQ, ZZZ" in err, err
    db = os.path.join(tmp, "rates.db")
    assert stored(db, "2026-11-27").get("AED") == "3.86"


def test_gap_filled_from_v2_history(tmp):
    """A database whose newest day is two years old and a v2 history feed: the gap is asked from that day on,
    a calendar year a request, and every missing day stored."""
    days = make_history(2, 8, end=DATE)
    old = min(days)
    old_file = write_file(tmp, "old.json", FrankfurterV2.body(v2_records({old: days[old]})))
    rc, err = cconvd_once(tmp, ["--import", old_file])
    assert rc == 0, err
    v2 = FrankfurterV2(rows=v2_records({DATE: days[DATE]}), history=days)
    try:
        d = Daemon(tmp, [v2.url], history=v2.url)
        try:
            m = wait_until(lambda: d._find(r"history: '.*' filled (\d+) missing days"), 30, "the gap to be filled")
            assert int(m.group(1)) == len(days) - 2, (m.group(0), len(days))
            ranges = v2.ranges()
            assert len(ranges) == 3 and ranges[0][0] == old and ranges[-1][1] is None, ranges
            assert db_rows(d.db)[0] == len(days), db_rows(d.db)
        finally:
            d.stop()
    finally:
        v2.stop()


if __name__ == "__main__":
    run([test_latest_serves_aed, test_backfill_in_yearly_pieces, test_import_ndjson, test_gap_filled_from_v2_history])
