#!/usr/bin/env python3
"""Real third-party clients from the npm registry against the real cconvd, unchanged but for the base URL
their READMEs let one set: fixer-api (fixer.io's client: set({baseUrl})) and exchange-rates-api
(exchangeratesapi.io's: setApiBaseUrl()).  clients.js calls each as its README does and prints what each
call gave; every figure is checked against the rates the daemon was given, every error must reach the
caller as an error that says what went wrong.

Environment: CCONVD, CCONV (as the e2e tests) and CCONV_CLIENTS_WORK (a build folder where `npm ci` installs
the clients from package-lock.json).  Exit 77 when node or npm is not installed.

What the clients cannot do against cconvd, and why (each is a route of the service they were written for
that neither Frankfurter nor cconvd has): fixer-api's symbols() and timeseries() ask /symbols and
/timeseries; exchange-rates-api's from().to() asks /history?start_at=&end_at=, and its convert() cannot be
given a base URL at all.  The range is checked to fail as an error, not as wrong figures.
"""
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2elib import (DATE, RATES, Daemon, Skip, Upstream, cconvd_once, ecb_csv, expected, npm_ready,  # noqa: E402
                    run, wait_until, write_file)

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("CCONV_CLIENTS_WORK", os.path.join(HERE, "work"))
DAY = "2026-11-16"
DAYS = {"2026-11-13": {"USD": "1.0405", "GBP": "0.8351", "JPY": "160.12"},
        DAY: {"USD": "1.0512", "GBP": "0.8402", "JPY": "161.5"}}
BEFORE = "2000-01-03"  # no stored day on or before it


def clients(base):
    p = subprocess.run(["node", os.path.join(WORK, "clients.js"), base, DAY, BEFORE], cwd=WORK,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"clients.js failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def number(x):
    """A JSON number as the client holds it (a double), back to the decimal it printed."""
    return Decimal(repr(x))


def check_fixer(f, d):
    want = json.loads(d.get("/latest?from=USD&to=GBP,JPY")[2])
    assert f["latest"] == {"ok": want}, f["latest"]
    assert f["forDate"]["ok"]["date"] == DAY and f["forDate"]["ok"]["rates"] == {
        "GBP": float(DAYS[DAY]["GBP"]), "USD": float(DAYS[DAY]["USD"])}, f["forDate"]
    assert number(f["convert"]["ok"]["result"]) == Decimal(expected("1234.5", "USD", "GBP")), f["convert"]
    assert f["convert"]["ok"]["date"] == DATE, f["convert"]
    on_day = {k: float(v) for k, v in DAYS[DAY].items()}
    assert number(f["convertOn"]["ok"]["result"]) == Decimal(expected("100", "USD", "GBP", on_day)), f["convertOn"]
    assert f["convertOn"]["ok"]["date"] == DAY, f["convertOn"]
    # Errors reach the caller as errors, naming what went wrong (they were "undefined: undefined").
    assert f["unknown"] == {"error": "not_found: unknown currency 'XYZ'"}, f["unknown"]
    assert f["tooEarly"]["error"].startswith(f"not_found: no rates on or before {BEFORE}"), f["tooEarly"]


def check_exchange_rates(e, d):
    want = json.loads(d.get("/latest?from=USD&to=GBP,JPY")[2])["rates"]
    assert e["latest"] == {"ok": want}, e["latest"]
    assert e["one"] == {"ok": RATES["GBP"]}, e["one"]  # one currency: the rate itself
    assert e["at"] == {"ok": json.loads(d.get("/" + DAY)[2])["rates"]}, e["at"]
    assert float(DAYS[DAY]["GBP"]) in e["at"]["ok"].values(), e["at"]
    # avg() of one day is that day's rate (it averages ranges only): GBP in USD, as the daemon prints it.
    cross = json.loads(d.get(f"/{DAY}?from=GBP&to=USD")[2])["rates"]["USD"]
    assert e["avg"] == {"ok": cross} and abs(Decimal(DAYS[DAY]["USD"]) / Decimal(DAYS[DAY]["GBP"])
                                             - number(cross)) < Decimal("1e-5"), (e["avg"], cross)
    assert e["tooEarly"] == {"error": "Couldn't fetch the exchange rate, API returned a bad response (HTTP 404)"}, \
        e["tooEarly"]
    # /history is exchangeratesapi.io's, not Frankfurter's: an error, never figures.
    assert e["range"] == {"error": "Couldn't fetch the exchange rate, API returned a bad response (HTTP 404)"}, \
        e["range"]


def test_npm_clients(tmp):
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise Skip("node and npm are not installed (Debian package nodejs)")
    npm_ready(HERE, WORK, ("package.json", "package-lock.json", "clients.js"))
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "hist.csv", ecb_csv(DAYS))])
    assert rc == 0, err
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200 and d.health()["date"] == DATE, 10, "the first refresh")
            seen = clients(d.base)
            print(json.dumps(seen))
            check_fixer(seen["fixer"], d)
            check_exchange_rates(seen["exchangeRates"], d)
        finally:
            d.stop()
    finally:
        up.stop()


if __name__ == "__main__":
    run([test_npm_clients])
