"""The ECB's own feeds: fallback from Frankfurter to the ECB for cconvd and cconv, exact digits, and
days missed during an outage filled from the 90-day history feed."""
import json
import os
import re
import signal
import sqlite3
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, ECB_RATES, Daemon, Ecb, Upstream, cconv, refused_url, run,  # noqa: E402
                    wait_until)


def stored(db):
    """{date: {currency: rate text}} as SQLite holds them, and {date: upstream}."""
    with sqlite3.connect(db) as c:
        rates, origin = {}, {}
        for date, cur, rate, upstream in c.execute("SELECT o.date, o.currency, o.rate, s.upstream"
                                                   " FROM observations o JOIN sources s ON s.id = o.source"):
            rates.setdefault(date, {})[cur] = rate
            origin[date] = upstream
    return rates, origin


def test_daemon_falls_back_to_ecb_then_keeps_last_good(tmp):
    up, ecb = Upstream(), Ecb()
    up.mode = "http_503"
    d = Daemon(tmp, [up.url, ecb.daily_url])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "rates from the ECB")
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
        assert d.get("/convert/JPY/100")[2] == "JPY 16336\n"
        h = d.health()
        assert h["upstream"] == ecb.daily_url and h["date"] == DATE, h
        assert d.logged(lambda line: re.search(re.escape(up.url) + r".*HTTP 503", line)), d.stderr()
        rates, origin = stored(d.db)
        assert rates[DATE]["GBP"] == "0.86080", rates  # the ECB's text, trailing zero kept
        assert origin[DATE] == ecb.daily_url

        # Both down: the last good rates, as before, and both failures named.
        ecb.mode["daily"] = "http_503"
        hits = ecb.hits["daily"]
        d.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: ecb.hits["daily"] > hits and not d.health()["last_fetch"]["ok"], 15,
                   "a round with both upstreams down")
        err = d.health()["last_fetch"]["error"]
        assert up.url in err and ecb.daily_url in err, err
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
    finally:
        d.stop()
        up.stop()
        ecb.stop()


def test_ecb_only_answers_what_it_published(tmp):
    ecb = Ecb()
    d = Daemon(tmp, [ecb.daily_url])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "rates from the ECB")
        got = json.loads(d.get("/latest")[2])
        assert got["base"] == "EUR" and got["date"] == DATE, got
        assert {k: Decimal(str(v)) for k, v in got["rates"].items()} == \
            {k: Decimal(v) for k, v in ECB_RATES.items()}, got
        # A feed in another namespace is refused and changes nothing.
        ecb.mode["daily"] = "wrong_namespace"
        d.refresh()
        assert "ECB XML line 7: <Cube> in namespace 'http://www.ecb.int/vocabulary/2099-01-01...', expected " \
            "'http://www.ecb.int/vocabulary/2002-08-01/eurofxref'" in d.health()["last_fetch"]["error"], d.health()
        assert json.loads(d.get("/latest")[2]) == got
    finally:
        d.stop()
        ecb.stop()


def test_cli_falls_back_to_ecb_then_cache(tmp):
    ecb = Ecb()
    try:
        frankfurter_down = refused_url()
        rc, out, err = cconv(tmp, ["GBP,JPY", "100"], upstream=f"{frankfurter_down},{ecb.daily_url}")
        assert (rc, out) == (0, "86.08 GBP\n16336 JPY\n"), (rc, out, err)
        assert frankfurter_down in err and ecb.daily_url in err, err
    finally:
        ecb.stop()
    rc, out, err = cconv(tmp, ["GBP", "100"], upstream=f"{refused_url()},{ecb.daily_url}")
    assert (rc, out) == (0, "86.08 GBP\n"), (rc, out, err)
    assert "cached" in err and DATE in err, err


def week(first, usd):
    """The ECB's working days from 2026-11-13 (Fri) to 2026-11-20 (Fri), USD varying by day."""
    days = ["2026-11-13", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    return {d: dict(ECB_RATES, USD=usd.get(d, f"1.05{i}0")) for i, d in enumerate(days) if d >= first}


def test_gap_after_outage_filled_from_history_once(tmp):
    ecb = Ecb(days={"2026-11-13": dict(ECB_RATES, USD="1.0400")})
    d = Daemon(tmp, [ecb.daily_url], history=ecb.hist_url)
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "the first day's rates")
    finally:
        d.stop()
    assert ecb.hits["hist"] == 0  # an empty store is no outage

    # A week later; the feed also disagrees about a day already stored, which must stay.
    ecb.days = week("2026-11-13", {"2026-11-13": "9.9999", "2026-11-18": "1.05300"})
    d = Daemon(tmp, [ecb.daily_url], history=ecb.hist_url)
    try:
        wait_until(lambda: d._find(r"history: '.*' filled (\d+) missing days"), 20, "the gap to be filled")
        assert d._find(r"filled 4 missing days"), d.stderr()
        assert d._find(r"no rates stored between 2026-11-13 and 2026-11-20"), d.stderr()
        rates, origin = stored(d.db)
        assert sorted(rates) == sorted(week("2026-11-13", {})), sorted(rates)
        assert rates["2026-11-13"]["USD"] == "1.0400"
        assert rates["2026-11-18"]["USD"] == "1.05300"
        assert rates["2026-11-17"]["GBP"] == "0.86080"
        assert origin["2026-11-17"] == ecb.hist_url and origin["2026-11-20"] == ecb.daily_url
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
        # Not fetched every round.
        d.refresh()
        d.refresh()
        assert ecb.hits["hist"] == 1, ecb.hits
    finally:
        d.stop()
        ecb.stop()


def test_gap_without_a_history_feed_says_how_to_fill_it(tmp):
    """--history-upstream none: the gap is named with the commands that fill it, and nothing is fetched."""
    ecb = Ecb(days={"2026-11-13": dict(ECB_RATES)})
    d = Daemon(tmp, [ecb.daily_url])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "the first day's rates")
    finally:
        d.stop()
    ecb.days = week("2026-11-13", {})
    d = Daemon(tmp, [ecb.daily_url])
    try:
        d.logged("no rates stored between 2026-11-13 and 2026-11-20")
        lines = [x for x in d.stderr().splitlines() if "no rates stored" in x]
        assert lines == ["cconvd: warning: history: no rates stored between 2026-11-13 and 2026-11-20, and no "
                         "history feed to fill them (--history-upstream none): load them with 'cconvd --backfill "
                         "2026-11-13' or 'cconvd --import FILE'"], lines
        assert ecb.hits["hist"] == 0, ecb.hits
    finally:
        d.stop()
        ecb.stop()


def test_bad_history_changes_nothing_and_is_retried(tmp):
    ecb = Ecb(days={"2026-11-13": dict(ECB_RATES)})
    d = Daemon(tmp, [ecb.daily_url], history=ecb.hist_url)
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "the first day's rates")
    finally:
        d.stop()
    ecb.days = week("2026-11-13", {})
    for bad, rule in (("wrong_namespace", "<Cube> in namespace"), ("truncated", "not well-formed"),
                      ("http_500", "HTTP 500")):
        ecb.mode["hist"] = bad
        d = Daemon(tmp, [ecb.daily_url], history=ecb.hist_url)
        try:
            wait_until(lambda: d._find("history: upstream"), 20, f"a failed history fetch ({bad})")
            assert d._find(re.escape(ecb.hist_url) + ".*" + re.escape(rule)), d.stderr()
            assert sorted(stored(d.db)[0]) == ["2026-11-13", "2026-11-20"], bad
        finally:
            d.stop()
        # Forget today's rates so that the next start sees the gap again.
        with sqlite3.connect(d.db) as c:
            c.execute("DELETE FROM days WHERE date = '2026-11-20'")
            c.execute("DELETE FROM observations WHERE date = '2026-11-20'")
    ecb.mode["hist"] = "http_503"
    d = Daemon(tmp, [ecb.daily_url], history=ecb.hist_url)
    try:
        wait_until(lambda: d._find("history: upstream"), 20, "a failed history fetch")
        ecb.mode["hist"] = "ok"
        d.refresh()  # the fill still owed is tried again after the next round
        wait_until(lambda: d._find(r"filled 4 missing days"), 20, "the gap to be filled")
        assert len(stored(d.db)[0]) == 6
    finally:
        d.stop()
        ecb.stop()


if __name__ == "__main__":
    run([test_daemon_falls_back_to_ecb_then_keeps_last_good, test_ecb_only_answers_what_it_published,
         test_cli_falls_back_to_ecb_then_cache, test_gap_after_outage_filled_from_history_once,
         test_gap_without_a_history_feed_says_how_to_fill_it,
         test_bad_history_changes_nothing_and_is_retried])
