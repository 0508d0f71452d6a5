"""Frankfurter v2's rate routes, /v2/rates and /v2/rate/{base}/{quote}, on a real cconvd.

Two worlds.  Live: the ECB's daily XML then Frankfurter v2's latest rows (several dates, one of them tomorrow,
currencies the ECB lacks, a USD of its own that the ECB's must win over).  History: two years of the ECB's days
imported, in the past.  Every row is checked against an oracle written here: the carry-forward views of the
days asked, each rate's own observation date, cross rates and the week and month means in Python's decimal."""
import datetime
import json
import os
import socket
import sys
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, ECB_RATES, Daemon, Ecb, FrankfurterV2, Upstream, cconvd_once, ecb_csv,  # noqa: E402
                    make_history, run, wait_until)

WINDOW = 14  # MERGE_WINDOW_DAYS
HEAVY_DAYS = 31  # API_HEAVY_DAYS: longer ranges are rendered on the worker
V2_USD = "1.0500"  # Frankfurter v2's USD, unlike the ECB's 1.0512
HIST_END = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=60)).isoformat()


def day(date, n):
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=n)).isoformat()


def plain(d):
    """A Decimal as cconvd prints a rate: plain notation, no trailing fractional zeros."""
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def round_sig(d, sig):
    """d rounded half away from zero to sig significant digits (money_muldiv_sig())."""
    return d.quantize(Decimal(1).scaleb(d.adjusted() - sig + 1), rounding=ROUND_HALF_UP)


def digits(text):
    return len(Decimal(text).as_tuple().digits)


def cross(quote, base):
    """quote per one base from two rates against EUR, as rates_cross(): a rate of EUR is itself; any other
    to at least 6 significant digits and never fewer than either rate has."""
    if Decimal(base) == 1:
        return plain(Decimal(quote))
    sig = max(6, digits(plain(Decimal(quote))), digits(plain(Decimal(base))))
    return plain(round_sig(Decimal(quote) / Decimal(base), sig))


def rows_of(body, fmt="json"):
    """[(date, base, quote, rate text)] of an answer, rate texts as printed (never through a float)."""
    if fmt == "csv":
        lines = body.splitlines()
        assert lines[0] == "date,base,quote,rate", lines[:1]
        return [tuple(line.split(",")) for line in lines[1:]]
    if fmt == "ndjson":
        assert body == "" or body.endswith("\n"), body[-20:]
        objs = [json.loads(line, parse_float=str, parse_int=str) for line in body.splitlines()]
    else:
        objs = json.loads(body, parse_float=str, parse_int=str)
    for o in objs:
        assert list(o) == ["date", "base", "quote", "rate"], o
    return [(o["date"], o["base"], o["quote"], o["rate"]) for o in objs]


def view(obs, anchor):
    """{code: (date, rate text)} of the carry-forward view of anchor: per currency its newest observation
    ({date: {code: rate text}}) dated within the window on or before anchor."""
    first = day(anchor, -WINDOW)
    out = {}
    for d in sorted(x for x in obs if first <= x <= anchor):
        out.update({c: (d, r) for c, r in obs[d].items()})
    return out


def view_rows(v, base="EUR", quotes=None):
    """The rows of one view as cconvd gives them: every wanted quote against base at the older of the two
    dates, and the base's own at 1.0 dated as the newest of those (the view's own date when none)."""
    newest = max(dt for dt, _ in v.values())
    b = (newest, "1") if base == "EUR" else v.get(base)
    if b is None:
        return []
    entries = dict(v, EUR=(newest, "1"))  # the pivot is as new as the view
    rows = [(min(dt, b[0]), base, q, cross(r, b[1])) for q, (dt, r) in entries.items()
            if q != base and (quotes is None or q in quotes)]
    if quotes is None or base in quotes:
        rows.append((max((r[0] for r in rows), default=newest), base, base, "1.0"))
    return rows


def range_rows(obs, start, end, base="EUR", quotes=None):
    """A range's rows: those of the view of start and of every day with observations up to end, one per
    (date, quote), the first seen, sorted by date then quote."""
    seen = {}
    for anchor in [start] + sorted(d for d in obs if start <= d <= end):
        v = view(obs, anchor)
        if v:
            for r in view_rows(v, base, quotes):
                seen.setdefault((r[0], r[2]), r)
    return [seen[k] for k in sorted(seen)]


def period(date, group):
    d = datetime.date.fromisoformat(date)
    return (d - datetime.timedelta(days=d.weekday()) if group == "week" else d.replace(day=1)).isoformat()


def grouped(rows, group):
    """Rows averaged per (period, quote): the exact mean rounded half away from zero to the most significant
    digits of any rate averaged, at least 6 (money_mean())."""
    buckets = {}
    for date, base, quote, rate in rows:
        buckets.setdefault((period(date, group), quote), []).append(rate)
    out = []
    for (p, q), rates in sorted(buckets.items()):
        if rates[0] == "1.0" and q == rows[0][1]:
            out.append((p, rows[0][1], q, "1.0"))
            continue
        mean = sum(Decimal(r) for r in rates) / len(rates)
        sig = max(6, max(digits(r) for r in rates))
        out.append((p, rows[0][1], q, plain(round_sig(mean, sig)) if len(rates) > 1 else rates[0]))
    return out


def error(d, path, status, words, headers=None):
    """The answer is Frankfurter v2's error: status, {"status","message"}, the message holding words."""
    got, h, body = d.get(path, headers=headers)
    doc = json.loads(body)
    assert got == status and set(doc) == {"status", "message"} and doc["status"] == status, (path, got, body)
    assert words in doc["message"], (path, doc)
    assert h["cache-control"] == "no-store", h
    return doc["message"]


class Live:
    """The ECB and Frankfurter v2 as upstreams, in that order; the daemon has fetched both."""

    def __init__(self, tmp):
        self.ecb, self.v2 = Ecb(), FrankfurterV2()
        # Frankfurter's rates of the ECB's currencies differ from the ECB's.  (The store keeps a rate
        # equal to one stored already, same day and value, once: under the source that gave it first.)
        own = {"USD": V2_USD, "GBP": "0.8700", "JPY": "163.5"}
        for r in self.v2.rows:
            r["rate"] = own.get(r["quote"], r["rate"])
        self.d = Daemon(tmp, [self.ecb.daily_url, self.v2.url])
        self.d.wait_refreshes(1)
        self.v2_key = f"127.0.0.1:{self.v2.port}"  # upstream_provider_key() of a host it does not know

    def obs(self, only=None):
        """{date: {code: rate text}} the upstreams gave, the ECB's first for a currency both have on a day."""
        out = {}
        if only in (None, "ECB"):
            out.setdefault(DATE, {}).update(ECB_RATES)
        if only in (None, "v2"):
            for r in self.v2.rows:
                if r["quote"] != "EUR" and (only == "v2" or r["quote"] not in ECB_RATES):
                    out.setdefault(r["date"], {})[r["quote"]] = r["rate"]
        return out

    def latest(self, base="EUR", quotes=None, only=None):
        """The latest rows: every currency's newest observation, sorted by quote."""
        v = {}
        for d in sorted(self.obs(only)):
            v.update({c: (d, r) for c, r in self.obs(only)[d].items()})
        return sorted(view_rows(v, base, quotes), key=lambda r: r[2])

    def stop(self):
        try:
            self.d.stop()
        finally:
            self.ecb.stop()
            self.v2.stop()


def test_latest_rows_dates_and_cross_rates(tmp):
    w = Live(tmp)
    try:
        d = w.d
        status, h, body = d.get("/v2/rates")
        assert status == 200 and h["content-type"] == "application/json" and h["vary"] == "Accept", (status, h)
        got = rows_of(body)
        assert got == w.latest(), (got, w.latest())
        rows = {r[2]: r for r in got}
        # Each rate dated by its own observation; the ECB's USD, not Frankfurter's; the identity at the newest.
        assert rows["USD"] == (DATE, "EUR", "USD", "1.0512") and rows["GBP"][3] == "0.8608", rows
        aed = next(r for r in w.v2.rows if r["quote"] == "AED")
        assert rows["AED"][:2] == (aed["date"], "EUR") and rows["EUR"] == (aed["date"], "EUR", "EUR", "1.0"), rows
        # Another base: cross rates to at least 6 digits, each as old as the older of its two rates.
        for base, quotes in (("USD", None), ("GBP", "JPY,AED,GBP"), ("jpy", "usd")):
            q = "" if quotes is None else "&quotes=" + quotes
            got = rows_of(d.get(f"/v2/rates?base={base}{q}")[2])
            want = w.latest(base.upper(), None if quotes is None else quotes.upper().split(","))
            assert got == want, (base, quotes, got, want)
        assert [r[2] for r in rows_of(d.get("/v2/rates?quotes=EUR,USD")[2])] == ["EUR", "USD"]
        assert rows_of(d.get("/v2/rates?quotes=USD")[2]) == [(DATE, "EUR", "USD", "1.0512")]
        # A currency ISO 4217 lists that no source has: no row; quotes= listing nothing: nothing.
        assert rows_of(d.get("/v2/rates?quotes=BMD")[2]) == []
        assert rows_of(d.get("/v2/rates?quotes=")[2]) == []
        assert rows_of(d.get("/v2/rates?base=BMD")[2]) == []
        # 'to' without 'from' is the latest rates, as Frankfurter answers it.
        assert rows_of(d.get(f"/v2/rates?to={DATE}")[2]) == w.latest()
    finally:
        w.stop()


def test_one_rate(tmp):
    w = Live(tmp)
    try:
        d = w.d
        want = {r[2]: r for r in w.latest("USD")}
        status, h, body = d.get("/v2/rate/usd/gbp")
        doc = json.loads(body, parse_float=str)
        assert status == 200 and h["content-type"] == "application/json", (status, body)
        assert doc == dict(zip(("date", "base", "quote", "rate"), want["GBP"])), (doc, want["GBP"])
        assert json.loads(d.get("/v2/rate/EUR/EUR")[2], parse_float=str)["rate"] == "1.0"
        assert "vary" not in d.get("/v2/rate/EUR/USD")[1]
        # A known currency without a rate: 404; a code ISO 4217 does not list: 422, as Frankfurter.
        error(d, "/v2/rate/EUR/BMD", 404, "no EUR/BMD rate")
        error(d, "/v2/rate/EUR/XYZ", 422, "invalid currency: 'XYZ'")
        error(d, "/v2/rate/EURO/USD", 422, "invalid currency: 'EURO'")
        error(d, "/v2/rate/EUR", 404, "/v2/rate/{base}/{quote}")
        error(d, "/v2/rate/EUR/USD/x", 404, "/v2/rate/{base}/{quote}")
        error(d, "/v2/rate/EUR/USD?quotes=GBP", 422, "unknown parameter: quotes")
        error(d, "/v2/rate/EUR/USD?date=2001-01-01", 404, "no EUR/USD rate on or before 2001-01-01")
    finally:
        w.stop()


def test_ndjson_and_csv(tmp):
    w = Live(tmp)
    try:
        d = w.d
        want = w.latest("USD", ["EUR", "GBP", "AED", "USD"])
        path = "/v2/rates?base=USD&quotes=EUR,GBP,AED,USD"
        for accept, fmt, ctype in (("application/x-ndjson", "ndjson", "application/x-ndjson"),
                                   ("text/csv", "csv", "text/csv; charset=utf-8"),
                                   ("text/html;q=0.9, application/x-ndjson;q=0.5", "ndjson", "application/x-ndjson"),
                                   ("application/x-ndjson;q=0, text/csv", "csv", "text/csv; charset=utf-8"),
                                   ("application/json", "json", "application/json"),
                                   ("*/*", "json", "application/json")):
            status, h, body = d.get(path, headers={"Accept": accept})
            assert status == 200 and h["content-type"] == ctype and h["vary"] == "Accept", (accept, status, h)
            assert rows_of(body, fmt) == want, (accept, body)
        # /v2/rates.csv is CSV whatever Accept says, and does not vary with it.
        status, h, body = d.get("/v2/rates.csv?base=USD&quotes=EUR,GBP,AED,USD",
                                headers={"Accept": "application/x-ndjson"})
        assert status == 200 and h["content-type"] == "text/csv; charset=utf-8" and "vary" not in h, (status, h)
        assert rows_of(body, "csv") == want
        assert d.get("/v2/rates.csv?quotes=BMD")[2] == "date,base,quote,rate\n"
        assert d.get("/v2/rates?quotes=BMD", headers={"Accept": "application/x-ndjson"})[2] == ""
        # Errors stay JSON in every shape; CSV of anything but rates is 406.
        error(d, "/v2/rates.csv?bogus=1", 422, "unknown parameter: bogus")
        error(d, "/v2/rates?bogus=1", 422, "unknown parameter: bogus", headers={"Accept": "text/csv"})
        error(d, "/v2/rate.csv", 406, "CSV")
    finally:
        w.stop()


def test_unprocessable(tmp):
    w = Live(tmp)
    try:
        d = w.d
        error(d, "/v2/rates?provider=ECB&symbols=USD", 422, "unknown parameter: provider, symbols")
        error(d, "/v2/rates?date=2024-02-30", 422, "invalid date: date '2024-02-30'")
        error(d, "/v2/rates?from=yesterday", 422, "invalid date: from 'yesterday'")
        error(d, "/v2/rates?from=2024-01-01&to=2024-1-31", 422, "invalid date: to '2024-1-31'")
        error(d, "/v2/rates?date=2024-01-02&from=2024-01-01", 422, "conflicting params")
        error(d, "/v2/rates?date=2024-01-02&to=2024-01-03", 422, "conflicting params")
        msg = error(d, "/v2/rates?from=2024-01-01&group=day", 422, "invalid group 'day'")
        assert "week or month" in msg, msg
        error(d, "/v2/rates?base=XYZ", 422, "invalid currency: 'XYZ'")
        error(d, "/v2/rates?base=", 422, "invalid currency: ''")
        error(d, "/v2/rates?quotes=USD,XYZ", 422, "invalid currency: 'XYZ'")
        error(d, "/v2/rates?quotes=USD,,GBP", 422, "invalid currency: ''")
        error(d, "/v2/rates?base=USD&base=GBP", 422, "'base' given twice")
        error(d, "/v2/rates?providers=" + ",".join(f"P{i}" for i in range(17)), 422, "more than 16")
        error(d, "/v2/rates/x", 404, "not found")
    finally:
        w.stop()


def test_providers(tmp):
    w = Live(tmp)
    try:
        d = w.d
        # The ECB alone: its currencies, nothing of Frankfurter's.
        got = rows_of(d.get("/v2/rates?providers=ecb")[2])
        assert got == w.latest(only="ECB"), got
        # Frankfurter alone: its own USD, which the ECB's hides when both are read.
        got = rows_of(d.get(f"/v2/rates?providers={w.v2_key}")[2])
        assert got == w.latest(only="v2"), (got, w.latest(only="v2"))
        assert {r[2]: r[3] for r in got}["USD"] == "1.05", got
        assert json.loads(d.get(f"/v2/rate/EUR/USD?providers={w.v2_key.lower()}")[2],
                          parse_float=str)["rate"] == "1.05"
        # Both named: the configured precedence again; a key no source has, or none: no rows.
        assert rows_of(d.get(f"/v2/rates?providers=ECB,{w.v2_key}")[2]) == w.latest()
        assert rows_of(d.get("/v2/rates?providers=NOSUCH")[2]) == []
        assert rows_of(d.get("/v2/rates?providers=")[2]) == []
        error(d, "/v2/rate/EUR/AED?providers=ECB", 404, "no EUR/AED rate")
    finally:
        w.stop()


def test_caching_and_304(tmp):
    w = Live(tmp)
    try:
        d = w.d
        for path, accept in (("/v2/rates", None), ("/v2/rates", "application/x-ndjson"), ("/v2/rates.csv", None),
                             ("/v2/rate/USD/GBP", None)):
            hdrs = {"Accept": accept} if accept else {}
            status, h, body = d.get(path, headers=hdrs)
            assert status == 200 and h["etag"] and h["last-modified"] and "max-age=" in h["cache-control"], h
            s2, h2, b2 = d.get(path, headers=dict(hdrs, **{"If-None-Match": h["etag"]}))
            assert s2 == 304 and b2 == "" and h2["etag"] == h["etag"], (path, s2, h2)
        # Each shape its own tag.
        tags = {d.get("/v2/rates", headers={"Accept": a})[1]["etag"]
                for a in ("application/json", "application/x-ndjson", "text/csv")}
        assert len(tags) == 3, tags
    finally:
        w.stop()


class History:
    """Two years of ECB days imported, ending HIST_END; a live upstream for today's rates."""

    def __init__(self, tmp, extra=()):
        self.obs = make_history(2, 6, end=HIST_END, seed=13)
        csv = os.path.join(tmp, "hist.csv")
        with open(csv, "w") as f:
            f.write(ecb_csv(self.obs))
        rc, err = cconvd_once(tmp, ["--import", csv])
        assert rc == 0, err
        self.up = Upstream()
        self.d = Daemon(tmp, [self.up.url], extra)
        wait_until(lambda: self.d.get("/healthz")[0] == 200, 10, "rates")

    def stop(self):
        try:
            self.d.stop()
        finally:
            self.up.stop()


def saturday_before(date):
    d = datetime.date.fromisoformat(date)
    while d.weekday() != 5:
        d -= datetime.timedelta(days=1)
    return d.isoformat()


def test_dates_and_ranges(tmp):
    h = History(tmp)
    try:
        d, obs = h.d, h.obs
        sat = saturday_before(day(HIST_END, -30))
        fri = day(sat, -1)
        # A day without rates: the views carry the Friday's forward, dated the Friday.
        got = rows_of(d.get(f"/v2/rates?date={day(sat, 1)}")[2])
        assert got == sorted(view_rows(view(obs, day(sat, 1))), key=lambda r: r[2]), got
        assert max(r[0] for r in got) == fri and fri in obs, got
        # A short range from the Saturday: starts with the Friday's rows (never after the start asked).
        end = day(sat, 10)
        got = rows_of(d.get(f"/v2/rates?from={sat}&to={end}&base=CZK&quotes=USD,EUR,CZK,JPY")[2])
        want = range_rows(obs, sat, end, "CZK", ["USD", "EUR", "CZK", "JPY"])
        assert got == want and got[0][0] <= fri < sat and any(r[0] == fri for r in got), (got, want)
        assert got == sorted(got, key=lambda r: (r[0], r[2])) and len({(r[0], r[2]) for r in got}) == len(got)
        # Before the history, and a range whose start is after its end: empty lists, as Frankfurter.
        assert rows_of(d.get("/v2/rates?date=1990-01-01")[2]) == []
        assert rows_of(d.get(f"/v2/rates?from={end}&to={sat}")[2]) == []
        # A settled past day's answer is kept for good; the range's follows the refresh.
        assert "immutable" in d.get(f"/v2/rates?date={fri}")[1]["cache-control"]
        status, hd, _ = d.get(f"/v2/rates?from={sat}&to={end}")
        assert status == 200 and "immutable" not in hd["cache-control"] and hd["etag"], hd
        assert d.get(f"/v2/rates?from={sat}&to={end}", headers={"If-None-Match": hd["etag"]})[0] == 304
        # One rate on the day asked.
        doc = json.loads(d.get(f"/v2/rate/USD/JPY?date={sat}")[2], parse_float=str)
        v = view(obs, sat)
        assert doc == {"date": min(v["JPY"][0], v["USD"][0]), "base": "USD", "quote": "JPY",
                       "rate": cross(v["JPY"][1], v["USD"][1])}, doc
    finally:
        h.stop()


def test_long_range_on_the_worker(tmp):
    h = History(tmp)
    try:
        d, obs = h.d, h.obs
        start, end = day(HIST_END, -400), HIST_END
        assert (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days > HEAVY_DAYS
        want = range_rows(obs, start, end)
        path = f"/v2/rates?from={start}&to={end}"
        for fmt, hdrs, p in (("json", {}, path), ("ndjson", {"Accept": "application/x-ndjson"}, path),
                             ("csv", {}, path.replace("/v2/rates", "/v2/rates.csv"))):
            status, hd, body = d.get(p, headers=hdrs)
            assert status == 200, (fmt, status, body[:200])
            assert rows_of(body, fmt) == want, fmt
            assert d.get(p, headers=dict(hdrs, **{"If-None-Match": hd["etag"]}))[0] == 304
        # Open-ended: up to today, past the history, the live day included.
        got = rows_of(d.get(f"/v2/rates?from={start}&quotes=USD")[2])
        assert got[:-1] == range_rows(obs, start, end, quotes=["USD"]) and got[-1][0] == DATE, got[-3:]
    finally:
        h.stop()


def test_group_week_and_month(tmp):
    h = History(tmp)
    try:
        d, obs = h.d, h.obs
        start, end = day(HIST_END, -200), HIST_END
        daily = range_rows(obs, start, end, "USD")
        for group in ("week", "month", "WEEK"):
            status, _, body = d.get(f"/v2/rates?from={start}&to={end}&base=USD&group={group}")
            assert status == 200, body
            got, want = rows_of(body), grouped(daily, group.lower())
            assert got == want, (group, [(g, w) for g, w in zip(got, want) if g != w][:5])
            assert len({r[0] for r in got}) < len({r[0] for r in daily}) and all(
                datetime.date.fromisoformat(r[0]).weekday() == 0 if group != "month" else r[0].endswith("-01")
                for r in got)
        # group on one day means nothing to average: the day's rows.
        assert d.get(f"/v2/rates?date={end}&group=month")[2] == d.get(f"/v2/rates?date={end}")[2]
    finally:
        h.stop()


def test_unread_range_held_by_the_worker(tmp):
    """A range of more than a month is rendered by the worker for long series: while its client reads
    nothing, its answer is counted as rendered and unsent (only the worker's answers are), and past
    --series-memory the next long range is refused 503 with Retry-After while a short one is answered inline."""
    obs = make_history(14, 30, end=HIST_END, seed=3)
    csv = os.path.join(tmp, "hist.csv")
    with open(csv, "w") as f:
        f.write(ecb_csv(obs))
    rc, err = cconvd_once(tmp, ["--import", csv])
    assert rc == 0, err
    up = Upstream()
    d = Daemon(tmp, [up.url], ["--series-memory", "1"])
    s = socket.socket()
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
        # Every day of 14 years, 31 rows each: some 7 MB, more than the kernel takes from a client that reads
        # nothing, so the answer stays held until it does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", d.port))
        s.sendall(f"GET /v2/rates?from={min(obs)}&to={HIST_END} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        wait_until(lambda: d.metric("cconvd_heavy_unsent_bytes") > 1048576, 60, "the long range rendered, unsent")
        error(d, f"/v2/rates.csv?from={day(HIST_END, -100)}&to={HIST_END}", 503, "waiting for their clients")
        h = d.get(f"/v2/rates?from={day(HIST_END, -100)}&to={HIST_END}")[1]
        assert h["retry-after"] == "2", h
        assert d.metric("cconvd_heavy_refused_total", reason="memory") == 2
        status, _, body = d.get(f"/v2/rates?from={day(HIST_END, -HEAVY_DAYS)}&to={HIST_END}&quotes=USD")
        assert status == 200 and rows_of(body) == range_rows(obs, day(HIST_END, -HEAVY_DAYS), HIST_END, quotes=["USD"])
        s.close()
        wait_until(lambda: d.metric("cconvd_heavy_unsent_bytes") == 0, 30, "the unread answer to be let go")
        assert d.get(f"/v2/rates.csv?from={day(HIST_END, -100)}&to={HIST_END}")[0] == 200
    finally:
        s.close()
        d.stop()
        up.stop()


if __name__ == "__main__":
    run([test_latest_rows_dates_and_cross_rates, test_one_rate, test_ndjson_and_csv, test_unprocessable,
         test_providers, test_caching_and_304, test_dates_and_ranges, test_long_range_on_the_worker,
         test_group_week_and_month, test_unread_range_held_by_the_worker])
