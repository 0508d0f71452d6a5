"""Frankfurter v2's catalogue routes against a cconvd fed by three providers (the ECB's 90-day feed, a
Frankfurter v2, an old import): /v2/currencies (the latest rates' currencies; scope=all every one ever stored;
providers= those the named providers gave), /v2/currency/{code} with its providers and a 404 for a code never
stored, /v2/providers with each provider's own first and last date, moving when a round brings a new day, and
/v2's version object as Frankfurter's lib/versions/v2.rb answers it."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (OLD_IMPORT, Daemon, FrankfurterV2, refused_url, run,  # noqa: E402
                    several_sources, wait_until)


def get_json(d, path, status=200):
    got, headers, body = d.get(path)
    assert got == status, (path, got, body)
    assert headers["content-type"].startswith("application/json"), (path, headers)
    return json.loads(body), headers


def latest_codes(v2_rows, ecb_days):
    """The currencies of the latest rates: the ECB's newest day, the v2 rows', and EUR, the base of both."""
    return sorted({"EUR"} | set(ecb_days[max(ecb_days)]) | {r["quote"] for r in v2_rows})


def test_currencies(tmp):
    with several_sources(tmp) as (d, ecb, v2):
        listed, headers = get_json(d, "/v2/currencies")
        codes = [c["iso_code"] for c in listed]
        assert codes == latest_codes(v2.rows, ecb.days), codes
        usd = next(c for c in listed if c["iso_code"] == "USD")
        # Every source's days: the import's first, the ECB's and v2's newest.
        newest = max(max(ecb.days), max(r["date"] for r in v2.rows if r["quote"] == "USD"))
        assert usd == {"iso_code": "USD", "iso_numeric": "840", "name": "United States Dollar", "symbol": "$",
                       "start_date": min(OLD_IMPORT), "end_date": newest}, usd
        aed = next(c for c in listed if c["iso_code"] == "AED")
        aed_date = next(r["date"] for r in v2.rows if r["quote"] == "AED")
        assert (aed["name"], aed["start_date"], aed["end_date"]) == ("United Arab Emirates Dirham", aed_date,
                                                                     aed_date), aed
        # The base of every source is covered over its sources' dates.
        eur = next(c for c in listed if c["iso_code"] == "EUR")
        assert eur["start_date"] == min(OLD_IMPORT) and eur["symbol"] == "\u20ac", eur
        assert "CYP" not in codes, codes
        # scope=all: CYP, withdrawn, stored by the import only.
        everything, _ = get_json(d, "/v2/currencies?scope=all")
        assert [c["iso_code"] for c in everything] == sorted(codes + ["CYP"]), everything
        cyp = next(c for c in everything if c["iso_code"] == "CYP")
        assert cyp == {"iso_code": "CYP", "iso_numeric": "196", "name": "Cyprus Pound", "symbol": "\u00a3",
                       "start_date": min(OLD_IMPORT), "end_date": max(OLD_IMPORT)}, cyp
        # As Frankfurter: another scope is the default; providers= (any case) those it names gave.
        assert get_json(d, "/v2/currencies?scope=active")[0] == listed
        ecb_only, _ = get_json(d, "/v2/currencies?providers=ecb")
        assert [c["iso_code"] for c in ecb_only] == sorted({"EUR"} | set(ecb.days[max(ecb.days)])), ecb_only
        both, _ = get_json(d, "/v2/currencies?providers=IMPORT,nosuch")
        assert [c["iso_code"] for c in both] == ["CYP", "EUR", "USD"], both
        assert get_json(d, "/v2/currencies?providers=nosuch")[0] == []
        # Cached like every answer from rates: an ETag, then 304.
        assert headers.get("etag") and "max-age" in headers["cache-control"], headers
        status, _, _ = d.get("/v2/currencies", headers={"If-None-Match": headers["etag"]})
        assert status == 304, status
        body, _ = get_json(d, "/v2/currencies?scope=all&sort=code", 422)
        assert body == {"status": 422, "message": "unknown parameter: sort"}, body
        assert d.get("/v2/currencies.csv")[0] == 406


def test_currency(tmp):
    with several_sources(tmp) as (d, ecb, v2):
        one, _ = get_json(d, "/v2/currency/usd")
        listed = next(c for c in get_json(d, "/v2/currencies")[0] if c["iso_code"] == "USD")
        v2_key = "127.0.0.1:%d" % v2.port
        assert one == dict(listed, providers=sorted(["ECB", "IMPORT", v2_key])), one
        assert get_json(d, "/v2/currency/CYP")[0]["providers"] == ["IMPORT"]
        assert get_json(d, "/v2/currency/AED")[0]["providers"] == [v2_key]
        # Never stored: not found, whether ISO 4217 knows it (BTN) or not.
        for code in ("XYZ", "BTN", "US", "usdx"):
            body, headers = get_json(d, "/v2/currency/" + code, 404)
            assert body["status"] == 404 and code in body["message"], body
            assert headers["cache-control"] == "no-store", headers
        assert d.get("/v2/currency/USD/x")[0] == 404
        assert get_json(d, "/v2/currency/USD?x=1", 422)[0]["message"] == "unknown parameter: x"


def test_providers(tmp):
    with several_sources(tmp) as (d, ecb, v2):
        providers, headers = get_json(d, "/v2/providers")
        keys = [p["key"] for p in providers]
        v2_key = "127.0.0.1:%d" % v2.port
        assert keys == sorted(["ECB", "IMPORT", v2_key]), keys
        by = {p["key"]: p for p in providers}
        # Frankfurter's fields, in its order; the ECB's particulars, the URL configured, its own days.
        assert list(by["ECB"]) == ["key", "name", "country_code", "rate_type", "pivot_currency", "data_url",
                                   "terms_url", "start_date", "end_date", "publish_cadence", "publishes_missed",
                                   "currencies"], list(by["ECB"])
        assert (by["ECB"]["name"], by["ECB"]["country_code"], by["ECB"]["pivot_currency"]) == (
            "European Central Bank", "EU", "EUR"), by["ECB"]
        assert by["ECB"]["data_url"] == ecb.hist_url, by["ECB"]
        assert (by["ECB"]["start_date"], by["ECB"]["end_date"]) == (min(ecb.days), max(ecb.days)), by["ECB"]
        assert by["ECB"]["currencies"] == sorted({"EUR"} | set(ecb.days[max(ecb.days)])), by["ECB"]
        assert by["ECB"]["publish_cadence"] == "daily" and by["ECB"]["publishes_missed"] >= 0, by["ECB"]
        dates = sorted(r["date"] for r in v2.rows)
        assert (by[v2_key]["start_date"], by[v2_key]["end_date"]) == (dates[0], dates[-1]), by[v2_key]
        assert by[v2_key]["data_url"] == v2.url and by[v2_key]["name"] == v2_key, by[v2_key]
        assert by[v2_key]["currencies"] == sorted(r["quote"] for r in v2.rows), by[v2_key]
        # An import is no URL a client could follow, and keeps no schedule.
        imp = by["IMPORT"]
        assert (imp["start_date"], imp["end_date"], imp["currencies"]) == (
            min(OLD_IMPORT), max(OLD_IMPORT), ["CYP", "EUR", "USD"]), imp
        assert imp["data_url"] is None and imp["publish_cadence"] is None and imp["publishes_missed"] is None, imp
        # A new day from the ECB moves its last date at the next round, and the answer's ETag with it.
        new = (datetime.date.fromisoformat(max(ecb.days)) + datetime.timedelta(days=1)).isoformat()
        ecb.days[new] = dict(ecb.days[max(ecb.days)])
        d.refresh()
        again, headers2 = get_json(d, "/v2/providers")
        ecb_now = next(p for p in again if p["key"] == "ECB")
        assert ecb_now["end_date"] == new and ecb_now["start_date"] == min(ecb.days), ecb_now
        assert headers2["etag"] != headers["etag"], (headers, headers2)
        assert get_json(d, "/v2/providers?key=ECB", 422)[0]["message"] == "unknown parameter: key"


def test_nothing_stored(tmp):
    """Before any rates: empty lists, and every code not found."""
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        for path in ("/v2/currencies", "/v2/currencies?scope=all", "/v2/providers"):
            body, headers = get_json(d, path)
            assert body == [] and headers["cache-control"] == "no-store", (path, body, headers)
        assert get_json(d, "/v2/currency/EUR", 404)[0]["status"] == 404
    finally:
        d.stop()


def test_version_object(tmp):
    """/v2 answers Frankfurter's ROOT_PAYLOAD (lib/versions/v2.rb), keys in its order; its openapi names
    the same document, absolutely: cconvd does not serve Frankfurter's."""
    v2 = FrankfurterV2()
    try:
        d = Daemon(tmp, [v2.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            for path in ("/v2", "/v2/"):
                status, headers, body = d.get(path)
                assert status == 200 and headers["content-type"].startswith("application/json"), (status, headers)
                got = json.loads(body)
                assert list(got) == ["version", "status", "openapi", "docs"], got
                assert got == {"version": "v2", "status": "current",
                               "openapi": "https://api.frankfurter.dev/v2/openapi.json",
                               "docs": "https://frankfurter.dev"}, got
        finally:
            d.stop()
    finally:
        v2.stop()


if __name__ == "__main__":
    run([test_currencies, test_currency, test_providers, test_nothing_stored, test_version_object])
