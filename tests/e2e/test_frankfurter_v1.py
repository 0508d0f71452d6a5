"""Frankfurter's API v1 where a client would notice: amounts times rates exact to the digit."""
import contextlib
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal, localcontext

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, RATES, Daemon, Upstream, cconvd_once, ecb_csv, run, wait_until  # noqa: E402

DAYS = {"2026-11-13": {"USD": "1.0405", "GBP": "0.8351", "JPY": "160.12"},   # a Friday
        "2026-11-16": {"USD": "1.0512", "GBP": "0.8402", "JPY": "161.5"},    # the Monday after
        "2026-11-17": {"USD": "1.0498", "GBP": "0.83967", "JPY": "162.07"}}


@contextlib.contextmanager
def daemon(tmp, days=None):
    """A cconvd with the fake upstream's DATE and, imported from the ECB's CSV, days."""
    if days:
        csv = os.path.join(tmp, "hist.csv")
        with open(csv, "w") as f:
            f.write(ecb_csv(days))
        rc, err = cconvd_once(tmp, ["--import", csv])
        assert rc == 0, err
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200 and d.health()["date"] == DATE, 10, "the first refresh")
            yield up, d
        finally:
            d.stop()
    finally:
        up.stop()


def get(d, path, status=200):
    got, h, body = d.get(path)
    assert got == status, (path, got, body)
    return json.loads(body, parse_float=Decimal), h, body


def decimals(text):
    return max(0, -Decimal(text).as_tuple().exponent)


def digits(text):
    return len(Decimal(text).as_tuple().digits)


def check_amount(printed, amount, to, frm):
    """printed (amount × to ÷ from as served) against Python's decimal.  The one-unit rate has
    max(6, digits of either rate) significant digits (from the euro: the rate as published); the amount
    keeps that precision: the exact value rounded half up to the unit rate's decimals plus the amount's,
    trailing zeros dropped, so no digit is made up and none is dropped."""
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(amount) * Decimal(to) / Decimal(frm)
        if Decimal(frm) == 1:
            places = decimals(to)
        else:
            sig = max(6, digits(to), digits(frm))
            unit = Decimal(to) / Decimal(frm)
            places = sig - (unit.adjusted() + 1)
            if unit.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).adjusted() > unit.adjusted():
                places -= 1  # 9.999996 rounds up to 10.0000
        want = exact.quantize(Decimal(1).scaleb(-max(0, places) - decimals(amount)), rounding=ROUND_HALF_UP)
    assert printed == want, (printed, want, exact)
    assert "." not in str(printed) or not str(printed).endswith("0"), printed


def test_amount_is_exact(tmp):
    with daemon(tmp) as (up, d):
        doc, _, body = get(d, "/latest?amount=123456789&from=USD&to=GBP")
        check_amount(doc["rates"]["GBP"], "123456789", str(RATES["GBP"]), str(RATES["USD"]))
        assert len(str(doc["rates"]["GBP"]).replace(".", "")) > 6, body  # not 6 significant digits
        for query, frm in (("amount=0.125&from=KWD", "KWD"), ("amount=999999999999999&from=JPY", "JPY"),
                           ("amount=12345.6789", "EUR")):
            doc = get(d, "/latest?" + query)[0]
            rates = dict({k: str(v) for k, v in RATES.items()}, EUR="1")
            assert sorted(doc["rates"]) == sorted(c for c in rates if c != frm), doc
            for code, printed in doc["rates"].items():
                check_amount(printed, query.split("&")[0][7:], rates[code], rates[frm])


def test_amount_on_dated_routes(tmp):
    with daemon(tmp, DAYS) as (up, d):
        doc = get(d, "/2026-11-16?amount=77.77&from=GBP&to=USD,JPY")[0]
        for code in ("USD", "JPY"):
            check_amount(doc["rates"][code], "77.77", DAYS["2026-11-16"][code], "0.8402")
        doc = get(d, "/2026-11-13..2026-11-17?amount=123456789&from=USD&to=GBP")[0]
        assert sorted(doc["rates"]) == sorted(DAYS), doc
        for day, rates in doc["rates"].items():
            check_amount(rates["GBP"], "123456789", DAYS[day]["GBP"], DAYS[day]["USD"])


if __name__ == "__main__":
    run([test_amount_is_exact, test_amount_on_dated_routes])
