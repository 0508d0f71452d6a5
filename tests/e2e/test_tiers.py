"""Tiers: a cconvd whose upstream is another cconvd's /latest; its conditional refreshes are answered 304,
and it passes on its headquarters' age and staleness, never serving old rates as fresh."""
import contextlib
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, RATES, Daemon, cconvd_once, expected, frankfurter_json, refused_url, run,  # noqa: E402
                    serving, wait_until, write_file)


def test_cconvd_behind_cconvd(tmp):
    with serving(tmp) as (up, a):
        b_dir = os.path.join(tmp, "b")
        os.mkdir(b_dir)
        b = Daemon(b_dir, [a.base + "/latest"])
        try:
            wait_until(lambda: b.get("/healthz")[0] == 200, 10, "B's first rates from A")
            assert b.health()["upstream"] == a.base + "/latest"
            for cur in RATES:
                for amount in ("100", "1234.5", "0.01"):
                    want = f"{cur} {expected(amount, 'EUR', cur)}\n"
                    assert b.get(f"/convert/{cur}/{amount}")[2] == want, (cur, amount)
            # The same conversion; B names A as the source of its rates, A its upstream.
            assert b.get("/convert?from=USD&to=JPY&amount=77")[2] == a.get("/convert?from=USD&to=JPY&amount=77")[2] \
                .replace(a.health()["fetched_at"], b.health()["fetched_at"]) \
                .replace('"source":"%s"' % up.url, '"source":"%s/latest"' % a.base)
            assert b.get("/latest?from=CHF&to=KWD,AUD")[2] == a.get("/latest?from=CHF&to=KWD,AUD")[2]

            # B's refreshes are conditional, and A's /latest has not changed: 304 each time,
            # even across A's own refreshes (which its upstream also answers 304).
            n = a.metric("cconvd_requests_total", endpoint="latest", code="304")
            b.refresh()
            a.refresh()
            b.refresh()
            b.refresh()
            assert a.metric("cconvd_requests_total", endpoint="latest", code="304") == n + 3
            assert b.metric("cconvd_refreshes_total", outcome="ok", reason="not_modified") >= 3
            assert b.stderr().count("refresh ok (304 Not Modified): upstream '%s/latest'" % a.base) >= 3
            assert up.not_modified >= 1

            # New rates at the top reach the bottom on the next refreshes, in full (200).
            up.body["rates"]["GBP"] = 0.9
            full = a.metric("cconvd_requests_total", endpoint="latest", code="200")
            a.refresh()
            b.refresh()
            assert a.metric("cconvd_requests_total", endpoint="latest", code="200") == full + 1
            assert b.get("/convert/GBP/100")[2] == "GBP 90.00\n", (b.stderr(), a.stderr())
        finally:
            b.stop()


def test_branch_inherits_a_stale_headquarters(tmp):
    """HQ (--max-age 60, upstream dead) serves a snapshot 2 h old: stale, Age over 7200, Warning 110.  A branch
    behind it says the same of those rates (age from HQ's Age and Last-Modified, stale from its Warning, though
    the branch's own --max-age is a day), on the first fetch (200) and on a SIGHUP's 304."""
    hq_dir, b_dir = os.path.join(tmp, "hq"), os.path.join(tmp, "b")
    os.mkdir(hq_dir)
    os.mkdir(b_dir)
    hq_db = os.path.join(hq_dir, "rates.db")
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "day.json", frankfurter_json({DATE: RATES}))], hq_db)
    assert rc == 0, err
    with contextlib.closing(sqlite3.connect(hq_db)) as db:
        db.executescript("UPDATE sources SET fetched_at = fetched_at - 7200;"
                       " UPDATE observations SET fetched_at = fetched_at - 7200")
        db.commit()
    hq = Daemon(hq_dir, [refused_url()], ["--max-age", "60"])
    try:
        h = hq.health()
        assert h["stale"] is True and h["age"] >= 7200, h
        _, hq_headers, _ = hq.get("/latest")
        assert hq_headers["warning"].startswith("110"), hq_headers
        b = Daemon(b_dir, [hq.base + "/latest"])
        try:
            wait_until(lambda: b.get("/healthz")[0] == 200, 10, "the branch's first rates from HQ")
            for round_ in ("first fetch", "304 after SIGHUP"):
                if round_ != "first fetch":
                    b.refresh()
                    b.logged("refresh ok (304 Not Modified)")
                h = b.health()
                assert h["stale"] is True and 7200 <= h["age"] < 7260, (round_, h)
                status, headers, body = b.get("/latest")
                assert status == 200 and 7200 <= int(headers["age"]) < 7260, (round_, headers)
                assert headers["last-modified"] == hq_headers["last-modified"], (round_, headers, hq_headers)
                assert headers["warning"].startswith("110"), (round_, headers)
                status, _, body = b.get("/convert?to=GBP&amount=100")
                assert '"stale":true' in body, (round_, body)
        finally:
            b.stop()
    finally:
        hq.stop()


if __name__ == "__main__":
    run([test_cconvd_behind_cconvd, test_branch_inherits_a_stale_headquarters])
