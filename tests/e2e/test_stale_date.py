"""Rates are stale when their date is old, however recently they were fetched or imported: an old day imported
into a daemon whose upstream is dead is stale on every face (/healthz with its age in days, /convert, the Warning
header, cconv's warning and --json), and the daemon says so once, not every round; rates dated today are fresh,
and the daemon says that once too."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, Daemon, cconv, cconvd_once, ecb_csv, refused_url, run, wait_until,  # noqa: E402
                    write_file)

DAY = {"USD": "1.1252", "JPY": "163.36", "GBP": "0.8477", "CHF": "0.9353"}


def weekday_before(days):
    """The weekday `days` days before today (UTC), or the Friday before it."""
    day = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day.isoformat()


def age_days(date):
    return (datetime.datetime.now(datetime.timezone.utc).date() - datetime.date.fromisoformat(date)).days


def test_old_import_is_stale_then_fresh(tmp):
    old = weekday_before(500)
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "old.csv", ecb_csv({old: DAY}))])
    assert rc == 0, err
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        wait_until(lambda: d.health()["date"] == old, 10, "the imported day to be served")
        days = age_days(old)
        h = d.health()
        # Imported moments ago (age in seconds is small), yet 500 days old by date.
        assert h["stale"] is True and h["status"] == "stale" and h["rates_age_days"] == days, h
        assert h["age"] < 600, h
        status, headers, body = d.get("/convert?to=GBP&amount=100")
        assert status == 200 and json.loads(body)["stale"] is True, body
        assert headers["warning"] == '110 - "Response is Stale"', headers

        rc, out, err = cconv(tmp, ["GBP", "100"], server=d.base)
        assert rc == 0 and out == "84.77 GBP\n", (rc, out, err)
        assert f"cconv: warning: rates of {old} ({days} days old) are stale" in err, err
        rc, out, err = cconv(tmp, ["--json", "GBP", "100"], server=d.base)
        assert rc == 0 and json.loads(out)["stale"] is True, (rc, out, err)

        # Said once, however many rounds serve the same stale rates.
        d.logged(f"serving stale rates: rates of {old} ({days} days old)")
        d.refresh()
        d.refresh()
        assert d.stderr().count("serving stale rates") == 1, d.stderr()
        assert "serving fresh rates again" not in d.stderr()

        # Rates dated today's newest weekday are fresh: the import sends SIGHUP, the round serves them.
        rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "new.csv", ecb_csv({DATE: DAY}))])
        assert rc == 0, err
        wait_until(lambda: d.health()["date"] == DATE, 10, "the new day to be served")
        h = d.health()
        assert h["stale"] is False and h["status"] == "ok" and h["rates_age_days"] == age_days(DATE), h
        status, headers, body = d.get("/convert?to=GBP&amount=100")
        assert json.loads(body)["stale"] is False and "warning" not in headers, (headers, body)
        rc, out, err = cconv(tmp, ["GBP", "100"], server=d.base)
        assert rc == 0 and out == "84.77 GBP\n" and err == "", (rc, out, err)
        d.logged(f"serving fresh rates again: rates of {DATE}")
        d.refresh()
        assert d.stderr().count("serving fresh rates again") == 1, d.stderr()
        assert d.stderr().count("serving stale rates") == 1, d.stderr()
    finally:
        d.stop()


def test_cli_cache_is_stale_by_date(tmp):
    """cconv alone (daemon and upstream down) with a cache it wrote moments ago of an old day: stale by date."""
    old = weekday_before(40)
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "old.csv", ecb_csv({old: DAY}))])
    assert rc == 0, err
    d = Daemon(tmp, [refused_url()])
    try:
        wait_until(lambda: d.health()["date"] == old, 10, "the imported day to be served")
        assert cconv(tmp, ["GBP", "1"], server=d.base)[0] == 0  # writes the cache
    finally:
        d.stop()
    rc, out, err = cconv(tmp, ["--offline", "GBP", "100"])
    assert rc == 0 and out == "84.77 GBP\n", (rc, out, err)
    assert f"rates of {old} ({age_days(old)} days old) are stale" in err, err
    rc, out, err = cconv(tmp, ["--offline", "--json", "GBP", "100"])
    assert rc == 0 and json.loads(out)["stale"] is True, (rc, out, err)


if __name__ == "__main__":
    run([test_old_import_is_stale_then_fresh, test_cli_cache_is_stale_by_date])
