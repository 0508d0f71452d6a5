"""Several upstreams merged with precedence (issue: every currency in the world).

Each round asks every upstream; for each currency the first upstream in --upstream order that has an observation
within the carry-forward window (14 days) wins, so the ECB's GBP stays the ECB's digit for digit while the rest
of the world comes from the next source.  A failed upstream keeps contributing its last good rates until they
leave the window.  /healthz and /metrics report per upstream, and a round logs one line naming each outcome once."""
import datetime
import json
import re
from decimal import ROUND_HALF_UP, Decimal

from e2elib import DATE, Daemon, Ecb, FrankfurterV2, Upstream, cconv, run

ECB_GBP = "0.86080"


def days_before(date, n):
    return (datetime.date.fromisoformat(date) - datetime.timedelta(days=n)).isoformat()


def world(date, gbp="0.9001"):
    """A second source's day: GBP of its own, and currencies the ECB does not publish."""
    return {"amount": 1.0, "base": "EUR", "date": date,
            "rates": {"GBP": float(gbp), "USD": 1.0599, "AED": 3.8612, "ARS": 1069.5, "TWD": 34.012}}


def round_lines(d):
    return [line for line in d.stderr().splitlines() if re.search(r"refresh (ok|failed) \(", line)]


def test_precedence_and_reports(tmp):
    ecb, fx = Ecb(), Upstream()
    fx.body = world(DATE)
    d = Daemon(tmp, [ecb.daily_url, fx.url])
    try:
        d.wait_refreshes(1)
        # The ECB's own reference rate, digit for digit, though the second source has another.
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
        assert d.get("/convert/USD/100")[2] == "USD 105.12\n"
        # What the ECB lacks comes from the second source.
        assert d.get("/convert/AED/100")[2] == "AED 386.12\n"
        assert d.get("/convert?from=AED&to=TWD&amount=100")[0] == 200
        cur = json.loads(d.get("/currencies")[2])
        assert {"AED", "ARS", "TWD", "GBP", "KWD", "EUR"} <= set(cur) and cur["AED"], cur
        latest = json.loads(d.get("/latest")[2])
        assert str(latest["rates"]["GBP"]) == "0.8608" and latest["rates"]["AED"] == 3.8612, latest

        h = d.health()
        ups = {u["upstream"]: u for u in h["upstreams"]}
        assert list(ups) == [ecb.daily_url, fx.url], h
        assert ups[ecb.daily_url]["ok"] and ups[ecb.daily_url]["currencies"] == 5, h
        assert ups[fx.url]["ok"] and ups[fx.url]["currencies"] == 3, h  # AED, ARS, TWD
        assert ups[fx.url]["last_success"] and ups[fx.url]["error"] is None, h
        assert h["currencies"] == 9 and h["upstream"] == ecb.daily_url, h
        assert d.metric("cconvd_upstream_currencies", upstream=ecb.daily_url) == 5
        assert d.metric("cconvd_upstream_currencies", upstream=fx.url) == 3
        assert d.metric("cconvd_upstream_up", upstream=fx.url) == 1

        # Every round asks every upstream, conditionally where it can: an unchanged one answers 304.
        hits = (ecb.hits["daily"], fx.hits)
        d.refresh()
        assert ecb.hits["daily"] == hits[0] + 1 and fx.hits == hits[1] + 1, (hits, ecb.hits, fx.hits)
        assert fx.not_modified >= 1

        # One failed upstream: one line for the round, naming each outcome once; the round is ok.
        fx.mode = "http_503"
        d.refresh()
        line = round_lines(d)[-1]
        assert line.count(fx.url) == 1 and line.count(ecb.daily_url) == 1, line
        assert "refresh ok (" in line and "some upstreams failed" in line and "HTTP 503" in line, line
        assert not any("refresh: upstream" in x for x in d.stderr().splitlines()), d.stderr()
        h = d.health()
        ups = {u["upstream"]: u for u in h["upstreams"]}
        assert ups[fx.url]["ok"] is False and "HTTP 503" in ups[fx.url]["error"], h
        # The round's summary names the upstream that answered, not the last one asked.
        assert h["last_fetch"] == dict(h["last_fetch"], ok=True, upstream=ecb.daily_url, error=None), h
        assert d.metric("cconvd_upstream_up", upstream=fx.url) == 0
        # Its last good rates stay: AED is still answered, from the failed source, within the window.
        assert d.get("/convert/AED/100")[2] == "AED 386.12\n"
        assert ups[fx.url]["currencies"] == 3, h
    finally:
        d.stop()
        ecb.stop()
        fx.stop()


def test_ecb_then_frankfurter_v2(tmp):
    """The default list's shape: the ECB's daily XML, then Frankfurter v2's records of several dates (one
    dated tomorrow: a next-day publisher), with the identity row and currencies the ECB lacks."""
    ecb, v2 = Ecb(), FrankfurterV2()
    rows = {r["quote"]: r for r in v2.rows}
    rows["GBP"]["rate"] = "0.8700"  # Frankfurter's GBP differs from the ECB's: the ECB's must win
    d = Daemon(tmp, [ecb.daily_url, v2.url])
    try:
        d.wait_refreshes(1)
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
        assert d.get("/convert/AED/100")[2] == "AED 427.12\n"
        latest = json.loads(d.get("/latest")[2])
        newest = max(r["date"] for r in v2.rows)
        assert latest["date"] == newest and str(latest["rates"]["GBP"]) == "0.8608", latest
        # Each rate of another date than the answer's is named with its own.
        want = {q: r["date"] for q, r in rows.items() if q not in ("EUR",) and r["date"] != newest}
        want.update({c: DATE for c in ("GBP", "USD", "JPY", "KWD", "CHF")})
        assert latest["dates"] == want, (latest["dates"], want)
        doc = json.loads(d.get("/convert?from=GBP&to=AED&amount=100")[2])
        used = doc["rates_used"]
        assert used["AED"] == {"date": rows["AED"]["date"], "source": v2.url}, doc
        assert used["GBP"] == {"date": DATE, "source": ecb.daily_url}, doc
        assert doc["date"] == min(rows["AED"]["date"], DATE), doc  # as old as the older of the two
        h = d.health()
        ups = {u["upstream"]: u for u in h["upstreams"]}
        assert ups[ecb.daily_url]["currencies"] == 5 and ups[v2.url]["currencies"] == 4, h  # AED ARS NZD TWD
        cur = json.loads(d.get("/currencies")[2])
        assert {"AED", "ARS", "NZD", "TWD", "KWD"} <= set(cur), cur
        # The next round asks both again; Frankfurter's unchanged answer is a 304.
        d.refresh()
        assert v2.not_modified >= 1 and ecb.hits["daily"] >= 2
        assert d.get("/convert/AED/100")[2] == "AED 427.12\n"
        # cconv without a daemon asks both itself and merges them the same way: every currency of
        # Frankfurter's answer at its own date, not only the newest day's.
        rc, out, err = cconv(tmp, ["GBP,AED,ARS,TWD", "100"], upstream=f"{ecb.daily_url},{v2.url}")
        assert rc == 0, err
        want = ["86.08 GBP", "427.12 AED"] + [
            f"{(Decimal(100) * Decimal(rows[c]['rate'])).quantize(Decimal('0.01'), ROUND_HALF_UP)} {c}"
            for c in ("ARS", "TWD")]  # both have 2 minor units
        assert out.splitlines() == want, (out, err)
    finally:
        d.stop()
        ecb.stop()
        v2.stop()


def v2_rows(date, gbp):
    """Frankfurter v2's latest rows, all of one date: GBP of its own and what the ECB lacks."""
    rates = {"EUR": "1.0", "GBP": gbp, "USD": "1.0599", "AED": "3.8612", "ARS": "1069.5"}
    return [{"date": date, "base": "EUR", "quote": q, "rate": r} for q, r in sorted(rates.items())]


def test_dead_ecb_ages_out(tmp):
    old = days_before(DATE, 20)
    ecb, v2 = Ecb({old: {"GBP": ECB_GBP, "USD": "1.0512"}}), FrankfurterV2(rows=v2_rows(old, "0.9001"))
    d = Daemon(tmp, [ecb.daily_url, v2.url])
    try:
        d.wait_refreshes(1)
        assert d.get("/convert/GBP/100")[2] == "GBP 86.08\n"
        # The ECB dies; Frankfurter moves on by 20 days.  The ECB's GBP is now older than the window
        # before the newest rates: Frankfurter's GBP takes over.
        ecb.mode["daily"] = "http_503"
        v2.rows = v2_rows(DATE, "0.9001")
        d.refresh()
        assert d.get("/convert/GBP/100")[2] == "GBP 90.01\n"
        h = d.health()
        assert h["date"] == DATE, h
        ups = {u["upstream"]: u for u in h["upstreams"]}
        assert ups[ecb.daily_url]["currencies"] == 0 and ups[v2.url]["currencies"] == 4, h
        assert ups[ecb.daily_url]["ok"] is False and "HTTP 503" in ups[ecb.daily_url]["error"], h
        # Its answer names the rate's own date and source.
        doc = json.loads(d.get("/convert?from=EUR&to=GBP&amount=100")[2])
        assert doc["date"] == DATE and doc["rates_used"]["GBP"] == {"date": DATE, "source": v2.url}, doc
    finally:
        d.stop()
        ecb.stop()
        v2.stop()


def test_failover_is_two_sources_with_the_same_currencies(tmp):
    a, b = Upstream(), Upstream()
    b.body = dict(a.body, rates=dict(a.body["rates"], GBP=0.9))
    d = Daemon(tmp, [a.url, b.url])
    try:
        d.wait_refreshes(1)
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"  # the first's
        a.refuse()
        d.refresh()
        # Within the window the first's last good rates still win; nothing is answered from the second.
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        h = d.health()
        assert h["status"] == "ok" and h["last_fetch"]["ok"], h
        ups = {u["upstream"]: u for u in h["upstreams"]}
        assert ups[a.url]["ok"] is False and "connect" in ups[a.url]["error"].lower(), h
        assert ups[b.url]["currencies"] == 0, h
        # Both down: the round failed, the rates stay served.
        b.refuse()
        d.refresh()
        assert round_lines(d)[-1].count("refresh failed (network)") == 1, round_lines(d)[-1]
        assert d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        assert d.health()["last_fetch"]["ok"] is False
    finally:
        d.stop()
        a.listen_again()
        b.listen_again()
        a.stop()
        b.stop()


if __name__ == "__main__":
    run([test_precedence_and_reports, test_ecb_then_frankfurter_v2, test_dead_ecb_ages_out,
         test_failover_is_two_sources_with_the_same_currencies])
