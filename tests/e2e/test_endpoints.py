"""Every endpoint and error status of cconvd, over real HTTP, against a fake upstream."""
import datetime
import json
import os
import socket
import sqlite3
import sys
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, RATES, Daemon, cconv, expected, refused_url, run, serving, wait_until  # noqa: E402


def test_convert_path(tmp):
    with serving(tmp) as (up, d):
        for cur, amount in (("GBP", "100"), ("JPY", "99.5"), ("KWD", "1234.5"), ("usd", "0.125"), ("AUD", "0")):
            status, h, body = d.get(f"/convert/{cur}/{amount}")
            assert status == 200, (cur, status, body)
            assert h["content-type"].startswith("text/plain")
            assert body == f"{cur.upper()} {expected(amount, 'EUR', cur.upper())}\n", body
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        assert d.get("/convert/JPY/100")[2] == "JPY 16336\n"


def test_convert_query_json(tmp):
    with serving(tmp) as (up, d):
        status, h, body = d.get("/convert?from=USD&to=GBP&amount=100")
        assert status == 200 and h["content-type"] == "application/json"
        doc = json.loads(body)
        assert list(doc) == ["from", "to", "amount", "rate", "result", "date", "fetched_at", "stale", "rates_used"]
        # Each rate used, with its own date and source (one upstream here: the same for both).
        assert doc["rates_used"] == {c: {"date": DATE, "source": up.url} for c in ("USD", "GBP")}, doc
        assert f'"result":{expected("100", "USD", "GBP")},' in body, body
        assert '"amount":100,' in body and '"rate":0.840944,' in body, body
        assert doc["from"] == "USD" and doc["to"] == "GBP" and doc["date"] == DATE and doc["stale"] is False
        body = d.get("/convert?to=JPY")[2]
        assert '"from":"EUR"' in body and '"amount":1,' in body and '"result":163,' in body, body
        body = d.get("/convert?from=KWD&to=JPY&amount=1234.5")[2]
        assert f'"result":{expected("1234.5", "KWD", "JPY")},' in body, body


def test_rates_of_another_date(tmp):
    """An upstream (another cconvd, merged from several sources) whose AED is a week older than its other rates:
    /latest names AED's date in "dates" and only there; a conversion through AED is of its date and stale, with
    Warning 110, one that does not use it is neither; cconv says so the same way, and -v names the rate's date."""
    older = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=7)).isoformat()
    days = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.date.fromisoformat(older)).days
    with serving(tmp) as (up, d):
        up.body["rates"]["AED"] = 3.9
        up.body["dates"] = {"AED": older}
        d.refresh()
        wait_until(lambda: "AED" in d.get("/latest")[2], 10, "AED to be served")
        body = d.get("/latest")[2]
        assert body.startswith('{"amount":1.0,"base":"EUR","date":"%s","rates":{"AED":3.9,' % DATE), body
        assert body.endswith('},"dates":{"AED":"%s"}}\n' % older), body
        assert d.get("/latest?to=USD,GBP")[2] == \
            '{"amount":1.0,"base":"EUR","date":"%s","rates":{"USD":1.0512,"GBP":0.884}}\n' % DATE
        assert json.loads(d.get("/latest?from=AED&to=GBP")[2])["dates"] == {"GBP": older}

        status, h, body = d.get("/convert?to=AED&amount=100")
        doc = json.loads(body)
        assert (doc["date"], doc["stale"], doc["result"]) == (older, True, 390.00), doc
        assert doc["rates_used"]["AED"] == {"date": older, "source": up.url} and "warning" in h, (doc, h)
        status, h, body = d.get("/convert?to=GBP&amount=100")
        doc = json.loads(body)
        assert (doc["date"], doc["stale"]) == (DATE, False) and "warning" not in h, (doc, h)
        assert "warning" in d.get("/convert/AED/100")[1] and "warning" not in d.get("/convert/GBP/100")[1]

        rc, out, err = cconv(tmp, ["GBP", "100"], server=d.base)
        assert (rc, out, err) == (0, "88.40 GBP\n", ""), (rc, out, err)
        rc, out, err = cconv(tmp, ["-v", "AED", "100"], server=d.base)
        assert (rc, out) == (0, "390.00 AED\n"), (rc, out, err)
        assert f"cconv: EUR to AED: AED rate of {older} from {d.base}\n" in err, err
        assert f"cconv: warning: rates of {older} ({days} days old) are stale; from daemon {d.base}, " in err, err
        doc = json.loads(cconv(tmp, ["--json", "AED", "100"], server=d.base)[1])
        assert doc["rates_used"]["AED"] == {"date": older, "source": d.base} and doc["stale"] is True, doc


def test_latest_is_frankfurter_shaped(tmp):
    with serving(tmp) as (up, d):
        status, h, body = d.get("/latest")
        assert status == 200
        assert body.startswith('{"amount":1.0,"base":"EUR","date":"%s","rates":{' % DATE), body
        assert json.loads(body)["rates"] == RATES
        body = d.get("/latest?to=USD,GBP,JPY")[2]
        assert '"rates":{"USD":1.0512,"GBP":0.884,"JPY":163.36}' in body, body
        assert d.get("/latest?symbols=USD,GBP")[2] == d.get("/latest?to=USD,GBP")[2]
        doc = json.loads(d.get("/latest?base=USD&symbols=GBP")[2])
        assert doc["base"] == "USD" and doc["rates"] == {"GBP": 0.840944}, doc
        body = d.get("/latest?from=USD&to=GBP&amount=10")[2]
        # 10 × 0.884 / 1.0512 to the six decimals of the rate 0.840944
        exact = Decimal(10) * Decimal(str(RATES["GBP"])) / Decimal(str(RATES["USD"]))
        want = exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        assert body.startswith('{"amount":10.0,"base":"USD"') and f'"GBP":{want}}}' in body, (body, want)


def test_currencies_and_healthz(tmp):
    with serving(tmp) as (up, d):
        doc = json.loads(d.get("/currencies")[2])
        assert set(doc) == set(RATES) | {"EUR"}, doc
        assert doc["EUR"] == "Euro" and doc["JPY"] == "Japanese Yen"
        h = d.health()
        assert h["status"] == "ok" and h["date"] == DATE and h["stale"] is False
        assert h["last_fetch"]["ok"] is True and h["last_fetch"]["upstream"] == up.url
        assert h["currencies"] == len(RATES) + 1 and isinstance(h["age"], int)


def test_errors(tmp):
    with serving(tmp) as (up, d):
        cases = [
            ("/convert/GBP/1e3", 400, "1e3"), ("/convert/GBP/-1", 400, "-1"), ("/convert/GBP/abc", 400, "abc"),
            ("/convert/GBP/NaN", 400, "NaN"), ("/convert/GBP/", 400, "amount ''"),
            ("/convert?to=GBP&amount=1,5", 400, "1,5"), ("/convert?from=USD", 400, "'to' is required"),
            ("/convert?to=GBP&to=USD", 400, "twice"), ("/latest?to=US", 422, "three-letter"),
            ("/convert/XYZ/1", 404, "XYZ"), ("/convert?to=QQQ", 404, "QQQ"), ("/latest?to=USD,ZZZ", 404, "ZZZ"),
            ("/nowhere", 404, "/nowhere"), ("/convert/GBP/1/2", 404, "no such path"),
        ]
        for path, status, needle in cases:
            got, h, body = d.get(path)
            assert got == status, (path, got, body)
            assert h["content-type"] == "application/json"
            # Frankfurter's routes answer its form, {"message":…}; cconvd's own {"error":…}.
            assert needle in json.loads(body)["message" if path.startswith("/latest") else "error"], (path, body)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            got, h, body = d.get("/latest", method=method)
            assert got == 405 and "error" in json.loads(body) and "GET" in h["allow"], (method, got)
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"  # still answers normally


def test_no_rates_yet_is_503(tmp):
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        for path in ("/convert/GBP/1", "/latest", "/convert?to=GBP"):
            status, _, body = d.get(path)
            doc = json.loads(body)
            assert status == 503 and "no rates" in doc.get("error", doc.get("message")), (path, status, body)
        status, _, body = d.get("/healthz")
        doc = json.loads(body)
        assert status == 503 and doc["status"] == "no rates"
        assert doc["last_fetch"]["ok"] is False and "connect" in doc["last_fetch"]["error"], doc
    finally:
        d.stop()


def test_headers_and_staleness(tmp):
    with serving(tmp) as (up, d):
        status, h, _ = d.get("/convert/GBP/1")
        assert "last-modified" in h and h["last-modified"].endswith("GMT") and int(h["age"]) >= 0
        assert "warning" not in h
        status, h, _ = d.get("/nowhere")
        assert "last-modified" not in h and "age" not in h
    # Make the stored snapshot two hours old, restart with the upstream down and --max-age 60.
    with sqlite3.connect(os.path.join(tmp, "rates.db")) as db:
        db.executescript("UPDATE sources SET fetched_at = fetched_at - 7200;"
                       " UPDATE observations SET fetched_at = fetched_at - 7200")
    d = Daemon(tmp, [refused_url()], ["--max-age", "60"])
    try:
        status, h, body = d.get("/convert/GBP/100")
        assert status == 200 and body == "GBP 88.40\n"
        assert h["warning"] == '110 - "Response is Stale"', h
        assert int(h["age"]) >= 7200
        assert '"stale":true' in d.get("/convert?to=GBP")[2]
        h = d.health()
        assert h["status"] == "stale" and h["stale"] is True
    finally:
        d.stop()


def test_absolute_form_target(tmp):
    """RFC 9112 §3.2.2: a server must accept "GET http://host/path" (what a
    client configured for a proxy sends); the authority is ignored."""
    def raw(target):
        with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return head.split(b" ")[1], body.decode()

    with serving(tmp) as (up, d):
        assert raw(f"http://127.0.0.1:{d.port}/convert/GBP/100") == (b"200", "GBP 88.40\n")
        assert raw("HTTP://elsewhere.example/convert/JPY/100?x=1") == (b"200", "JPY 16336\n")
        status, body = raw(f"http://127.0.0.1:{d.port}/latest?to=GBP")
        assert status == b"200" and json.loads(body)["rates"] == {"GBP": 0.884}, body
        status, body = raw("https://x/nope")
        assert status == b"404" and "'/nope'" in body, body
        assert raw("http://127.0.0.1")[0] == b"200"  # no path: the page at /


if __name__ == "__main__":
    run([test_absolute_form_target, test_convert_path, test_convert_query_json, test_rates_of_another_date,
         test_latest_is_frankfurter_shaped, test_currencies_and_healthz, test_errors, test_no_rates_yet_is_503,
         test_headers_and_staleness])
