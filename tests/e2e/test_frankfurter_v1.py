"""Frankfurter's API v1 where a client would notice: amounts times rates exact to the digit; errors in
Frankfurter's form and statuses on its routes (cconvd's own keep theirs); /current; /v1's version object; a
series from a day without rates; /currencies with no rates; 'from' over 'base'."""
import json
import os
import sys
from decimal import ROUND_HALF_UP, Decimal, localcontext

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import RATES, Daemon, history_daemon, refused_url, run  # noqa: E402

DAYS = {"2026-11-13": {"USD": "1.0405", "GBP": "0.8351", "JPY": "160.12"},   # a Friday
        "2026-11-16": {"USD": "1.0512", "GBP": "0.8402", "JPY": "161.5"},    # the Monday after
        "2026-11-17": {"USD": "1.0498", "GBP": "0.83967", "JPY": "162.07"}}


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
    with history_daemon(tmp) as (up, d):
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
    with history_daemon(tmp, DAYS) as (up, d):
        doc = get(d, "/2026-11-16?amount=77.77&from=GBP&to=USD,JPY")[0]
        for code in ("USD", "JPY"):
            check_amount(doc["rates"][code], "77.77", DAYS["2026-11-16"][code], "0.8402")
        doc = get(d, "/2026-11-13..2026-11-17?amount=123456789&from=USD&to=GBP")[0]
        assert sorted(doc["rates"]) == sorted(DAYS), doc
        for day, rates in doc["rates"].items():
            check_amount(rates["GBP"], "123456789", DAYS[day]["GBP"], DAYS[day]["USD"])


def error(d, path, status, key):
    """path's error: status, JSON, exactly one member, key, a non-empty sentence."""
    got, h, body = d.get(path)
    assert got == status and h["content-type"] == "application/json", (path, got, body)
    doc = json.loads(body)
    assert list(doc) == [key] and isinstance(doc[key], str) and doc[key], (path, body)
    assert h["cache-control"] == "no-store", (path, h)
    return doc[key]


def test_errors_in_frankfurters_form(tmp):
    with history_daemon(tmp, DAYS) as (up, d):
        frankfurter = [("/latest?to=ZZZ", 404, "unknown currency 'ZZZ'"),
                       ("/latest?amount=12,5", 422, "amount '12,5'"),
                       ("/latest?to=US", 422, "three-letter"),
                       ("/current?from=ZZZ", 404, "unknown currency 'ZZZ'"),
                       ("/1999-01-04", 404, "no rates on or before 1999-01-04"),
                       ("/2026-02-30", 422, "not a valid YYYY-MM-DD date"),
                       ("/2026-11-16?to=ZZZ", 404, "unknown currency 'ZZZ'"),
                       ("/1999-01-04..1999-12-31", 404, "no rates between"),
                       ("/2026-11-17..2026-11-13", 422, "before start date"),
                       ("/2026-11-13..?from=USD,GBP", 422, "takes one currency"),
                       ("/currencies?" + "&".join(f"k{i}=1" for i in range(33)), 422, "more than 32")]
        for path, status, needle in frankfurter:
            for prefix in ("", "/v1"):
                assert needle in error(d, prefix + path, status, "message"), (prefix + path, needle)
        # Under /v1/ only Frankfurter's clients ask, so a path that is no route answers in its form too.
        assert "no such path '/v1/nowhere'" in error(d, "/v1/nowhere", 404, "message")
        # cconvd's own routes keep theirs, and so does a path that is no route outside /v1/.
        for path, status, needle in (("/convert?to=ZZZ", 404, "ZZZ"), ("/convert/GBP/12,5", 400, "12,5"),
                                     ("/convert?to=GBP&date=2026-02-30", 400, "not a valid"),
                                     ("/nowhere", 404, "no such path")):
            assert needle in error(d, path, status, "error"), path
        # A fixer.io client (it always sends its access_key) gets fixer's error object, the only one it reads.
        got, _, body = d.get("/latest?access_key=k&to=ZZZ")
        assert got == 404 and json.loads(body) == {"success": False, "error": {
            "code": 404, "type": "not_found", "info": "unknown currency 'ZZZ'"}}, body


def test_current_and_v1(tmp):
    with history_daemon(tmp) as (up, d):
        for query in ("", "?from=USD&to=GBP,JPY&amount=10"):
            latest = get(d, "/latest" + query)[2]
            for path in ("/current", "/v1/current"):
                assert get(d, path + query)[2] == latest, path
        for path in ("/v1", "/v1/"):
            doc, h, _ = get(d, path)
            assert doc == {"version": "v1", "status": "frozen", "openapi": "https://api.frankfurter.dev/v1/openapi.json",
                           "docs": "https://frankfurter.dev"}, doc
            assert h["content-type"] == "application/json", h


def test_series_from_a_day_without_rates(tmp):
    """Frankfurter starts a series at the nearest earlier day with rates: the answer's start is never after the
    asked start."""
    with history_daemon(tmp, DAYS) as (up, d):
        for start in ("2026-11-14", "2026-11-15"):  # Saturday, Sunday
            for path in (f"/{start}..2026-11-17", f"/v1/{start}..2026-11-17"):
                doc = get(d, path + "?to=GBP")[0]
                assert doc["start_date"] == "2026-11-13" and doc["end_date"] == "2026-11-17", doc
                assert {k: str(v["GBP"]) for k, v in doc["rates"].items()} == \
                    {k: v["GBP"] for k, v in DAYS.items()}, doc
        # A day with rates starts there; one before every stored day starts at the first.
        assert get(d, "/2026-11-16..2026-11-17")[0]["start_date"] == "2026-11-16"
        assert get(d, "/2026-11-01..2026-11-16")[0]["start_date"] == "2026-11-13"
        assert get(d, "/2026-11-14..2026-11-14")[0]["rates"] == get(d, "/2026-11-13..2026-11-13")[0]["rates"]


def test_currencies_without_rates(tmp):
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        for path in ("/currencies", "/v1/currencies"):
            got, h, body = d.get(path)
            assert (got, body) == (200, "{}\n") and h["cache-control"] == "no-store", (path, got, h, body)
        assert d.get("/latest")[0] == 503  # no rates yet
    finally:
        d.stop()


def test_from_wins_over_base(tmp):
    with history_daemon(tmp) as (up, d):
        want = get(d, "/latest?from=USD&to=GBP,JPY")[2]
        for query in ("from=USD&base=CHF&to=GBP,JPY", "base=CHF&from=USD&to=GBP,JPY",
                      "from=USD&to=GBP,JPY&symbols=AUD", "symbols=AUD&base=CHF&to=GBP,JPY&from=USD"):
            assert get(d, "/latest?" + query)[2] == want, query
        assert json.loads(get(d, "/latest?base=CHF&symbols=GBP")[2])["base"] == "CHF"


if __name__ == "__main__":
    run([test_amount_is_exact, test_amount_on_dated_routes, test_errors_in_frankfurters_form, test_current_and_v1,
         test_series_from_a_day_without_rates, test_currencies_without_rates, test_from_wins_over_base])
