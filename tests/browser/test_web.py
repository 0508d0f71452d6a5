#!/usr/bin/env python3
"""The web page at "/" in a real browser: Debian's headless Chromium, driven by
playwright-core (web.js), against the real cconvd and the fake upstream.

Environment: CCONVD, CCONV (as the e2e tests), CCONV_BROWSER_WORK (a build
folder where `npm ci` installs playwright-core from package-lock.json) and
CCONV_ARTIFACTS (where the screenshots are kept).  Exit 77 only when Chromium
is not installed.

Two rounds: fresh rates (three days of snapshots, so a history route has
something to chart), where web.js works the page in English and German, then
the same database aged two hours with the upstream down and --max-age 60,
where the page at an address holding the choices must show the stale badge.  Then two upstreams
merged (the ECB and Frankfurter v2), whose rates are of different dates: each
row of another date than the summary's says its own.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2elib import (DATE, RATES, Daemon, Ecb, FrankfurterV2, Upstream, expected, npm_ready, refused_url,  # noqa: E402
                    run, Skip, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WORK = os.environ.get("CCONV_BROWSER_WORK", os.path.join(HERE, "work"))
ARTIFACTS = os.environ.get("CCONV_ARTIFACTS", os.path.join(WORK, "artifacts"))
DAYS = ["2026-11-18", "2026-11-19", DATE]


def browse(url, name, look=False, pid=None):
    """web.js on url: it drives the page (or, look, only reads it; pid, the daemon's, stopped mid-session);
    what it saw."""
    shot = os.path.join(ARTIFACTS, name + ".png")
    phone = os.path.join(ARTIFACTS, name + "-phone.png")
    p = subprocess.run(["node", os.path.join(WORK, "web.js")] + (["--look"] if look else []) + [url, shot, phone] + ([str(pid)] if pid else []),
                       cwd=WORK,
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, CHROMIUM=CHROMIUM))
    assert p.returncode == 0, f"web.js failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    print(f"screenshot: {shot}")
    print(f"screenshot: {phone}")
    if not look:
        print(f"screenshot: {shot[:-4]}-list.png")
    seen = json.loads(p.stdout.strip().splitlines()[-1])
    return seen


def grouped(text, group=",", decimal="."):
    """An exact decimal text as a language writes it: the whole part in groups of three, the fraction as is."""
    whole, point, fraction = text.partition(".")
    return (f"{int(whole):,}".replace(",", group) if whole else "") + (decimal + fraction if point else "")


def check_page(seen, base, names):
    assert seen["status"] == 200, seen["status"]
    h = seen["headers"]
    assert h["content-type"] == "text/html; charset=utf-8", h
    csp = h["content-security-policy"]
    # The page ran (or nothing below would pass) and was styled under a policy
    # that allows its script and style by hash only: the build hashed right.
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp and "style-src 'sha256-" in csp, h
    assert "unsafe" not in csp, h
    assert seen["styled"] == "10px", f"the style sheet was not applied: {seen['styled']}"
    assert seen["console"] == [], f"console errors: {seen['console']}"
    foreign = [u for u in seen["requests"] if not u.startswith(base + "/")]
    assert foreign == [], f"requests to other origins: {foreign}"
    assert seen["tabOrder"][:3] == ["from", "swap", "to-0"], seen["tabOrder"]
    assert seen["phoneOverflow"] <= 0, f"the page scrolls sideways on a phone by {seen['phoneOverflow']} px"
    check_results(seen)
    assert "amount=1234.5" in seen["search"] and "to=GBP%2CJPY" in seen["search"], seen["search"]
    # The chart's title names its 30 days, up to the rates' date.
    start = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=30)).isoformat()
    assert seen["chartTitle"] == f"USD \u2192 GBP, {start} to {DATE}", seen["chartTitle"]
    assert seen["badAmount"].startswith("Amount: digits") and seen["badAmountInvalid"] == "true", seen
    assert seen["badAmountValues"] == 0, seen
    # Nothing failed but, while the daemon has no history route, asking it.
    unexpected = [f for f in seen["failed"] if not f.startswith(f"404 {base}/2026-")]
    assert unexpected == [], f"failed requests: {unexpected}"
    assert seen["apiHidden"] and seen["apiShown"], "the footer's link does not show the API section"
    check_combobox(seen["combo"], names)
    check_phone(seen)
    check_typed(seen["typed"], ",", ".", {"1,000.50": "1000.50", "1 000,50": "1000.50"}, {"100,50": "100.50"})


def check_combobox(c, names):
    """The currency fields found by name, accents ignored, worked by keyboard, the likeliest first."""
    sw = c["swiss"]
    assert sw["role"] == "combobox" and sw["listRole"] == "listbox", sw
    assert sw["expanded"] == "true" and sw["shown"] and sw["options"][:1] == ["CHF"], sw
    assert sw["active"] == "CHF" and sw["activeSelected"] == "true", sw
    assert c["yen"]["options"] == ["JPY"], c["yen"]
    assert c["pound"]["options"][:1] == ["GBP"], c["pound"]
    esc = c["escaped"]
    assert esc["expanded"] == "false" and not esc["shown"] and esc["active"] is None, esc
    assert esc["value"] == f"EUR \u2014 {names['EUR']}", esc
    dollars = sorted(code for code, name in names.items() if "Dollar" in name)
    d = c["dollar"]
    assert len(dollars) >= 2 and sorted(d["options"]) == dollars and d["options"][0] == "USD", (d, dollars)
    assert c["down"]["active"] == d["options"][1] and c["down"]["expanded"] == "true", c["down"]
    picked = c["picked"]
    assert picked["value"] == f"USD \u2014 {names['USD']}" and picked["expanded"] == "false", picked
    # "Add a currency" proposes the most traded one not on screen, not the first in code order.
    added = c["added"]
    assert added["value"].startswith("EUR ") and added["focused"], added
    # Picked before (JPY last), so first when the page is opened again.
    assert c["likely"]["options"][:3] == ["JPY", "GBP", "USD"], c["likely"]


def check_phone(seen):
    """At 390 px no field is cut and the chart's labels are readable."""
    cut = [f for f in seen["phoneFields"] if f["cut"] > 0]
    assert len(seen["phoneFields"]) >= 3 and cut == [], f"fields cut on a phone: {cut}"
    if seen["phoneChartFont"] is not None:
        assert seen["phoneChartFont"] >= 10, f"chart labels {seen['phoneChartFont']} px on a phone"


def check_typed(typed, group, decimal, accepted, refused):
    """Grouped amounts read as meant and the results grouped as the language writes them; an ambiguous one
    refused beside the field, with the way to write it."""
    for text, value in accepted.items():
        t = typed[text]
        assert t["error"] is None and len(t["values"]) == 2, (text, t)
        for v in t["values"]:
            assert v["exact"] == expected(value, "USD", v["code"]), (text, t)
            assert v["shown"] == grouped(v["exact"], group, decimal), (text, t)
        assert t["caption"] == grouped(value, group, decimal) + " USD =", (text, t)
    for text, how in refused.items():
        t = typed[text]
        assert t["values"] == [] and t["error"] is not None and f"write {how} " in t["error"], (text, t)


def check_results(seen):
    """1234.5 USD in GBP and JPY: the amounts exactly as the oracle computes them, digits as printed, shown
    grouped as English writes them."""
    want = [{"code": c, "exact": expected("1234.5", "USD", c), "value": grouped(expected("1234.5", "USD", c))}
            for c in ("GBP", "JPY")]
    got = [{"code": r["code"], "exact": r["exact"], "value": r["value"]} for r in seen["results"]]
    assert got == want, f"results {seen['results']}, wanted {want}"
    assert "," in want[1]["value"], want   # the test proves grouping only with a value of four digits or more
    assert seen["results"][0]["rate"].startswith("1 USD = 0.84094"), seen["results"][0]
    assert f"Rates of {DATE}" in seen["meta"], seen["meta"]


def check_bad_address(seen, names):
    """Every bad value of the address said beside its field, and nothing converted."""
    bad = seen["badAddress"]
    fields = {e["field"]: e for e in bad["errors"]}
    assert sorted(fields) == ["amount", "from", "to-0"], bad
    assert all(e["invalid"] == "true" for e in bad["errors"]), bad
    assert "\u201cXXX\u201d here" in fields["from"]["text"], bad
    assert "\u201cQQQ\u201d here" in fields["to-0"]["text"], bad
    assert fields["amount"]["text"].startswith("Amount: digits"), bad
    assert bad["values"] == [] and bad["meta"].startswith("Nothing to convert"), bad
    assert "from=XXX" in bad["search"] and "QQQ" in bad["search"], bad
    assert "No history" not in bad["chart"] and "Loading" not in bad["chart"], bad
    # An empty amount converts nothing (not 1); the known target stays, the unknown one is said.
    empty = seen["emptyAmount"]
    fields = {e["field"]: e["text"] for e in empty["errors"]}
    assert sorted(fields) == ["amount", "to-0"] and fields["amount"] == "Type an amount to convert.", empty
    assert empty["values"] == [], empty
    # The issue's address: the unknown source said, the known targets kept in their fields, nothing converted.
    issue = seen["issueAddress"]
    assert [e["field"] for e in issue["errors"]] == ["from"] and issue["values"] == [], issue
    assert issue["fields"] == ["100", "XXX"] + [f"{c} \u2014 {names[c]}" for c in ("KWD", "GBP")], issue


def check_german(de):
    """In German, in Berlin: the address's amount, the results and typed amounts the German way."""
    assert de["field"] == "1.234,5", de
    for v in de["first"]["values"]:
        assert v["shown"] == grouped(expected("1234.5", "USD", v["code"]), ".", ","), de["first"]
    # The fetch time in Berlin's time, named as German names it (CET in December).
    assert "MEZ" in de["fetched"], de["fetched"]
    check_typed(de["typed"], ".", ",", {"1.000,50": "1000.50", "1 000,50": "1000.50", "1_000": "1000", "1,5": "1.5"},
                {"100.50": "100,50"})
    assert de["half"]["field"] == ",5", de["half"]
    check_typed({",5": de["half"]["result"]}, ".", ",", {",5": ".5"}, {})


def check_killed(seen):
    """The daemon stopped, the amount changed from 100 to 250: no result on screen, and a sentence in red."""
    k = seen["killed"]
    assert k["values"] == [] and k["caption"] == "", k
    assert k["meta"].startswith("The daemon cannot be reached"), k
    assert not k["staleVisible"], k


def history_days(d):
    """Dates the daemon's history route has for USD->GBP; None without the route."""
    status, _, body = d.get(f"/2026-10-21..{DATE}?from=USD&to=GBP")
    if status != 200:
        return None
    return sorted(json.loads(body).get("rates", {}))


def test_web_page(tmp):
    if not os.path.exists(CHROMIUM):
        raise Skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    npm_ready(HERE, WORK, ("package.json", "package-lock.json", "web.js"))
    os.makedirs(ARTIFACTS, exist_ok=True)

    up = Upstream()
    try:
        # Three days of snapshots, GBP moving a little, the last one as e2elib's.
        up.body["date"] = DAYS[0]
        up.body["rates"]["GBP"] = 0.879
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            for day, gbp in zip(DAYS[1:], (0.8815, RATES["GBP"])):
                up.body["date"] = day
                up.body["rates"]["GBP"] = gbp
                d.refresh()
            assert d.health()["date"] == DATE
            days = history_days(d)
            names = json.loads(d.get("/currencies")[2])
            seen = browse(d.base + "/", "web", pid=d.proc.pid)
            check_page(seen, d.base, names)
            check_german(seen["german"])
            check_bad_address(seen, names)
            check_killed(seen)
            assert d.proc.wait(timeout=10) == 0, "cconvd did not exit 0 on SIGTERM"
            assert not seen["staleVisible"], "stale badge shown for fresh rates"
            if days:
                assert len(seen["chartPoints"]) == len(days), (seen["chartPoints"], days)
                assert seen["chartPoints"][-1].startswith(days[-1] + ": 1 USD = "), seen["chartPoints"]
                print(f"chart: {len(days)} points")
            else:
                assert seen["chartPoints"] == [] and seen["chartEmpty"] == "No history for USD \u2192 GBP yet.", seen
                print("chart: the daemon has no history route; the page says so")
        finally:
            d.stop()
    finally:
        up.stop()

    # The same rates two hours old, the upstream down: the badge must show.
    with sqlite3.connect(os.path.join(tmp, "rates.db")) as db:
        db.executescript("UPDATE sources SET fetched_at = fetched_at - 7200;"
                       " UPDATE observations SET fetched_at = fetched_at - 7200")
    d = Daemon(tmp, [refused_url()], ["--max-age", "60"])
    try:
        seen = browse(d.base + "/?from=USD&to=GBP,JPY&amount=1234.5", "web-stale", look=True)
        assert seen["status"] == 200 and seen["console"] == [], seen
        check_results(seen)
        assert seen["staleVisible"], "no stale badge for stale rates"
        assert "(2 h " in seen["meta"], seen["meta"]
    finally:
        d.stop()


def test_web_dates(tmp):
    """The ECB (GBP) and Frankfurter v2 (AED) merged: their rates are of different days, and the page says
    which row is of which, the dates taken from the daemon's own /latest."""
    if not os.path.exists(CHROMIUM):
        raise Skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    npm_ready(HERE, WORK, ("package.json", "package-lock.json", "web.js"))
    os.makedirs(ARTIFACTS, exist_ok=True)
    # And the longest name of ISO 4217, of AED's date, which must not be cut on a phone.
    rows = FrankfurterV2.latest_rows()
    aed = next(r for r in rows if r["quote"] == "AED")
    ecb, v2 = Ecb(), FrankfurterV2(rows + [dict(aed, quote="BAM", rate="1.95583")])
    try:
        d = Daemon(tmp, [ecb.daily_url, v2.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            latest = json.loads(d.get("/latest?to=GBP,AED")[2])
            newest, dates = latest["date"], latest.get("dates", {})
            # The fakes' rows are of different days (or this test proves nothing): GBP's the ECB's older one.
            assert "AED" not in dates and dates.get("GBP", newest) < newest, latest
            seen = browse(d.base + "/?from=EUR&to=GBP,AED,BAM&amount=100", "web-dates", look=True)
        finally:
            d.stop()
    finally:
        ecb.stop()
        v2.stop()
    assert seen["status"] == 200 and seen["console"] == [], seen
    assert seen["phoneOverflow"] <= 0, f"the page scrolls sideways on a phone by {seen['phoneOverflow']} px"
    check_phone(seen)
    rows = {r["code"]: r for r in seen["results"]}
    assert sorted(rows) == ["AED", "BAM", "GBP"], seen["results"]
    gbp, aed = rows["GBP"], rows["AED"]
    assert seen["meta"].startswith(f"Rates of {newest}"), seen["meta"]
    # The GBP row says its own date, beside its rate, in what a screen reader reads; the summary names it too.
    assert gbp["asof"] == f", rate of {dates['GBP']}", gbp
    assert gbp["rate"].startswith("1 EUR = ") and gbp["rate"].endswith(gbp["asof"]), gbp
    assert f"rate of {dates['GBP']}" in gbp["text"], gbp
    assert f"GBP: {dates['GBP']}" in seen["meta"], seen["meta"]
    # The AED row is of the summary's date and says nothing more.
    assert aed["asof"] is None and "rate of" not in aed["text"], aed
    assert "AED" not in seen["meta"], seen["meta"]
    # On a phone the long name goes whole beneath the field, which keeps the code.
    bam = next(f for f in seen["phoneFields"] if f["id"] == "to-2")
    assert bam["value"] == "BAM" and bam["note"] == "Bosnia and Herzegovina Convertible Mark", bam


if __name__ == "__main__":
    run([test_web_page, test_web_dates])
