#!/usr/bin/env python3
"""The web page at "/" in a real browser: Debian's headless Chromium, driven by
playwright-core (web.js), against the real cconvd and the fake upstream.

Environment: CCONVD, CCONV (as the e2e tests), CCONV_BROWSER_WORK (a build
folder where `npm ci` installs playwright-core from package-lock.json) and
CCONV_ARTIFACTS (where the screenshots are kept).  Exit 77 only when Chromium
is not installed.

Two rounds: fresh rates (three days of snapshots, so a history route has
something to chart), then the same database aged two hours with the upstream
down and --max-age 60, where the stale badge must show.  Then two upstreams
merged (the ECB and Frankfurter v2), whose rates are of different dates: each
row of another date than the summary's says its own.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2elib import (DATE, RATES, Daemon, Ecb, FrankfurterV2, Upstream, expected, refused_url, run,  # noqa: E402
                    Skip, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WORK = os.environ.get("CCONV_BROWSER_WORK", os.path.join(HERE, "work"))
ARTIFACTS = os.environ.get("CCONV_ARTIFACTS", os.path.join(WORK, "artifacts"))
DAYS = ["2026-11-18", "2026-11-19", DATE]


def npm_ready():
    """playwright-core in WORK, installed by `npm ci` when the lock file changed."""
    os.makedirs(WORK, exist_ok=True)
    for f in ("package.json", "package-lock.json", "web.js"):
        shutil.copyfile(os.path.join(HERE, f), os.path.join(WORK, f))
    stamp = os.path.join(WORK, "node_modules", ".cconv-lock")
    lock = open(os.path.join(HERE, "package-lock.json"), encoding="utf-8").read()
    if os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == lock:
        return
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WORK,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"npm ci in {WORK} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(lock)


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
    seen = json.loads(p.stdout.strip().splitlines()[-1])
    return seen


def check_page(seen, base):
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
    # The amounts exactly as the oracle computes them, digits as printed.
    want = [{"code": "GBP", "value": expected("1234.5", "USD", "GBP")},
            {"code": "JPY", "value": expected("1234.5", "USD", "JPY")}]
    got = [{"code": r["code"], "value": r["value"]} for r in seen["results"]]
    assert got == want, f"results {seen['results']}, wanted {want}"
    assert seen["results"][0]["rate"].startswith("1 USD = 0.84094"), seen["results"][0]
    assert f"Rates of {DATE}" in seen["meta"], seen["meta"]
    assert "amount=1234.5" in seen["search"] and "to=GBP%2CJPY" in seen["search"], seen["search"]
    assert seen["chartTitle"].startswith("USD \u2192 GBP"), seen["chartTitle"]
    assert seen["badAmount"].startswith("Amount: digits") and seen["badAmountInvalid"] == "true", seen
    assert seen["badAmountValues"] == 0, seen
    # Nothing failed but, while the daemon has no history route, asking it.
    unexpected = [f for f in seen["failed"] if not f.startswith(f"404 {base}/2026-")]
    assert unexpected == [], f"failed requests: {unexpected}"


def check_bad_address(seen):
    """Every bad value of the address said beside its field, and nothing converted."""
    bad = seen["badAddress"]
    fields = {e["field"]: e for e in bad["errors"]}
    assert sorted(fields) == ["amount", "from", "to-0"], bad
    assert all(e["invalid"] == "true" for e in bad["errors"]), bad
    assert "\u201cXXX\u201d is not a currency" in fields["from"]["text"], bad
    assert "\u201cQQQ\u201d is not a currency" in fields["to-0"]["text"], bad
    assert fields["amount"]["text"].startswith("Amount: digits"), bad
    assert bad["values"] == [] and bad["meta"].startswith("Nothing to convert"), bad
    assert "from=XXX" in bad["search"] and "QQQ" in bad["search"], bad
    assert "No history" not in bad["chart"] and "Loading" not in bad["chart"], bad
    # An empty amount converts nothing (not 1); the known target stays, the unknown one is said.
    empty = seen["emptyAmount"]
    fields = {e["field"]: e["text"] for e in empty["errors"]}
    assert sorted(fields) == ["amount", "to-0"] and fields["amount"] == "Type an amount to convert.", empty
    assert empty["values"] == [], empty


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
    npm_ready()
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
            seen = browse(d.base + "/", "web", pid=d.proc.pid)
            check_page(seen, d.base)
            check_bad_address(seen)
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
        seen = browse(d.base + "/", "web-stale")
        check_page(seen, d.base)
        assert seen["staleVisible"], "no stale badge for stale rates"
        assert "(2 h " in seen["meta"], seen["meta"]
    finally:
        d.stop()


def test_web_dates(tmp):
    """The ECB (GBP) and Frankfurter v2 (AED) merged: their rates are of different days, and the page says
    which row is of which, the dates taken from the daemon's own /latest."""
    if not os.path.exists(CHROMIUM):
        raise Skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    npm_ready()
    os.makedirs(ARTIFACTS, exist_ok=True)
    ecb, v2 = Ecb(), FrankfurterV2()
    try:
        d = Daemon(tmp, [ecb.daily_url, v2.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            latest = json.loads(d.get("/latest?to=GBP,AED")[2])
            newest, dates = latest["date"], latest.get("dates", {})
            # The fakes' rows are of different days (or this test proves nothing): GBP's the ECB's older one.
            assert "AED" not in dates and dates.get("GBP", newest) < newest, latest
            seen = browse(d.base + "/?from=EUR&to=GBP,AED&amount=100", "web-dates", look=True)
        finally:
            d.stop()
    finally:
        ecb.stop()
        v2.stop()
    assert seen["status"] == 200 and seen["console"] == [], seen
    assert seen["phoneOverflow"] <= 0, f"the page scrolls sideways on a phone by {seen['phoneOverflow']} px"
    rows = {r["code"]: r for r in seen["results"]}
    assert sorted(rows) == ["AED", "GBP"], seen["results"]
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


if __name__ == "__main__":
    run([test_web_page, test_web_dates])
