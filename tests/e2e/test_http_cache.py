"""HTTP caching: strong ETags per answer, 304 on If-None-Match / If-Modified-Since, Cache-Control until the next refresh."""
import datetime
from decimal import Decimal
import os
import re
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, Daemon, Upstream, cconvd_once, ecb_csv, make_history, refused_url, run,  # noqa: E402
                    serving, wait_until)

CC = re.compile(r"public, max-age=(\d+), stale-while-revalidate=60, stale-if-error=(\d+)")


def max_age(headers):
    m = CC.fullmatch(headers["cache-control"])
    assert m, headers
    return int(m.group(1))


def test_etag_and_conditional_requests(tmp):
    with serving(tmp) as (up, d):
        d.wait_refreshes(1)  # the next refresh time is published just after the rates
        s, h, body = d.get("/convert/GBP/100")
        assert s == 200 and body == "GBP 88.40\n"
        tag = h["etag"]
        assert re.fullmatch(r'"[0-9a-f]{16}"', tag), h
        # Fresh until the next refresh (at most --refresh 3600 s away; sooner when the ECB
        # calendar says so, which depends on the time of day), counted from the fetch as Age is.
        age = int(h["age"])
        next_refresh = d.metric("cconvd_next_refresh_timestamp_seconds")
        assert abs(max_age(h) - age - (next_refresh - time.time())) < 3, (h, next_refresh)
        assert max_age(h) <= 3600 + age, h
        assert CC.fullmatch(h["cache-control"]).group(2) == "86400"
        assert h["x-accel-expires"] == "@%d" % next_refresh, (h, next_refresh)
        # The same request, the same tag; another request, another tag.
        assert d.get("/convert/GBP/100")[1]["etag"] == tag
        tags = {d.get(p)[1]["etag"] for p in ("/convert/GBP/100", "/convert/GBP/101", "/convert/USD/100",
                                               "/convert?to=GBP&amount=100", "/latest", "/latest?to=GBP",
                                               "/latest?from=USD", "/currencies")}
        assert len(tags) == 8, tags

        for inm in (tag, "W/" + tag, '"nope", ' + tag, "*"):
            s, h2, b2 = d.get("/convert/GBP/100", headers={"If-None-Match": inm})
            assert s == 304 and b2 == "", (inm, s, b2)
            assert h2["etag"] == tag and h2["cache-control"] == h["cache-control"], h2
            assert h2["last-modified"] == h["last-modified"] and "content-type" not in h2, h2
        s, h2, _ = d.get("/convert/GBP/100", "HEAD", headers={"If-None-Match": tag})
        assert s == 304 and h2["etag"] == tag
        assert d.get("/convert/GBP/100", headers={"If-None-Match": '"other"'})[0] == 200
        assert d.get("/convert/GBP/101", headers={"If-None-Match": tag})[0] == 200

        # If-Modified-Since, and If-None-Match taking precedence over it.
        lm = h["last-modified"]
        assert d.get("/convert/GBP/100", headers={"If-Modified-Since": lm})[0] == 304
        assert d.get("/convert/GBP/100", headers={"If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"})[0] == 200
        assert d.get("/convert/GBP/100", headers={"If-Modified-Since": "yesterday"})[0] == 200
        assert d.get("/convert/GBP/100", headers={"If-None-Match": '"other"', "If-Modified-Since": lm})[0] == 200

        # Not from rates: never stored, never a 304.
        for path in ("/healthz", "/metrics", "/nope", "/convert/XYZ/1", "/convert/GBP/abc"):
            s, h3, _ = d.get(path, headers={"If-None-Match": "*"})
            assert s != 304 and h3["cache-control"] == "no-store" and "etag" not in h3, (path, s, h3)

        # An unchanged upstream (304) leaves /latest byte for byte the same, so its tag stays;
        # changed rates change it.
        latest_tag = d.get("/latest")[1]["etag"]
        d.refresh()
        assert up.not_modified >= 1
        assert d.get("/latest", headers={"If-None-Match": latest_tag})[0] == 304
        up.body["rates"]["GBP"] = 0.9
        d.refresh()
        s, h4, body = d.get("/convert/GBP/100", headers={"If-None-Match": tag})
        assert s == 200 and body == "GBP 90.00\n" and h4["etag"] != tag, (s, h4, body)
        assert d.get("/latest", headers={"If-None-Match": latest_tag})[0] == 200


def test_max_age_follows_the_schedule(tmp):
    with serving(tmp, extra=("--refresh", "60", "--max-age", "600")) as (up, d):
        d.wait_refreshes(1)
        s, h, _ = d.get("/latest")
        age = int(h["age"])
        assert 50 + age <= max_age(h) <= 60 + age, h
        assert CC.fullmatch(h["cache-control"]).group(2) == "600"
        # After a failed round the next try comes within seconds (backoff), and so does expiry.
        up.mode = "http_500"
        d.refresh()
        h = d.get("/latest")[1]
        assert max_age(h) <= int(h["age"]) + 6, h


def easter(y):
    """Gregorian Easter Sunday (the Meeus/Jones/Butcher computus)."""
    a, b, c = y % 19, y // 100, y % 100
    h = (19 * a + b - b // 4 - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    i = (32 + 2 * (b % 4) + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * i) // 451
    return datetime.date(y, (h + i - 7 * m + 114) // 31, (h + i - 7 * m + 114) % 31 + 1)


def ecb_publishes(day):
    e = easter(day.year)
    return day.weekday() < 5 and (day.month, day.day) not in ((1, 1), (5, 1), (12, 25), (12, 26)) and \
        day not in (e - datetime.timedelta(days=2), e + datetime.timedelta(days=1))


def expected_fetch(day):
    """16:10 in Frankfurt, by the system's time-zone database (cconvd uses none: an independent oracle)."""
    local = datetime.datetime.combine(day, datetime.time(16, 10), ZoneInfo("Europe/Berlin"))
    return local.timestamp()


def test_max_age_runs_to_the_next_ecb_publication(tmp):
    """With the latest working day's rates held, the next fetch, and so max-age, is set for just after
    the ECB's next publication (--refresh 86400 is longer)."""
    now = time.time()
    day = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()
    while not (ecb_publishes(day) and expected_fetch(day) <= now):
        day -= datetime.timedelta(days=1)
    nxt = day + datetime.timedelta(days=1)
    while not ecb_publishes(nxt):
        nxt += datetime.timedelta(days=1)
    up = Upstream()
    up.body["date"] = day.isoformat()
    d = Daemon(tmp, [up.url], ["--refresh", "86400"])
    try:
        d.wait_refreshes(1)
        want = min(expected_fetch(nxt), time.time() + 86400)
        s, h, _ = d.get("/latest")
        at = int(h["x-accel-expires"].lstrip("@"))
        assert abs(at - want) < 5, (day, nxt, at, want, h)
        assert abs(max_age(h) - int(h["age"]) - (at - time.time())) < 3, h
    finally:
        d.stop()
        up.stop()


def weekday_before(days, start=DATE, weekday=None):
    """The newest weekday (or the given weekday, 0 = Monday) at least `days` days before start."""
    d = datetime.date.fromisoformat(start) - datetime.timedelta(days=days)
    while (d.weekday() >= 5) if weekday is None else (d.weekday() != weekday):
        d -= datetime.timedelta(days=1)
    return d.isoformat()


def test_history_past_is_immutable(tmp):
    """An answer about a day older than the carry-forward window (15 days or more before today), made
    from that day's own rates, that no load has changed since it was stored, can never change: a year's
    max-age and immutable.  A younger past day (a source may still publish for it), one made from the
    nearest earlier day's rates (the day may still arrive by gap filling or an import), a time series
    (it may gain days), anything that reaches the served day, and a day a second import replaced follow
    the refresh like /latest; the replaced day's tag changes at once.  All have tags and 304s."""
    csv = os.path.join(tmp, "hist.csv")
    days = make_history(1, 8, end=weekday_before(3))
    with open(csv, "w") as f:
        f.write(ecb_csv(days))
    assert cconvd_once(tmp, ["--import", csv])[0] == 0
    old, recent, sunday = weekday_before(20), weekday_before(5), weekday_before(20, weekday=6)
    with serving(tmp) as (up, d):
        # The imported days are served from the start; wait for the first round to end (its
        # log line comes after both the upstream's day and the next refresh time are published).
        d.wait_refreshes(1)
        assert d.health()["date"] == DATE
        past = ("/" + old, "/convert?to=GBP&date=" + old, "/v1/" + old)
        current = ("/" + DATE, "/" + recent, "/" + sunday, "/%s.." % sunday, "/%s..%s" % (sunday, DATE),
                   "/convert?to=GBP&date=" + DATE, "/convert?to=GBP&date=" + recent,
                   "/%s..%s" % (weekday_before(40), old))
        for path in past + current:
            s, h, body = d.get(path)
            assert s == 200, (path, s, body)
            age = int(h["age"])
            if path in past:
                assert h["cache-control"] == "public, max-age=%d, immutable" % (31536000 + age), (path, h)
                assert "x-accel-expires" not in h, (path, h)
            else:
                assert max_age(h) <= 3600 + age and h["x-accel-expires"].startswith("@"), (path, h)
            s, h2, body = d.get(path, headers={"If-None-Match": h["etag"]})
            assert (s, body, h2["etag"]) == (304, "", h["etag"]), (path, s, h2)
        assert d.metric("cconvd_requests_total", endpoint="date", code="304") == 5
        assert d.metric("cconvd_requests_total", endpoint="series", code="200") == 3
        # A second import that changes the old day: no longer immutable, another tag at once.
        s, before, _ = d.get("/" + old)
        code = sorted(days[old])[0]
        days[old][code] = str(Decimal(days[old][code]) * 2)
        with open(csv, "w") as f:
            f.write(ecb_csv(days))
        rc, err = cconvd_once(tmp, ["--import", csv])
        assert rc == 0 and ", 1 replaced," in err, err
        s, h, body = d.get("/" + old, headers={"If-None-Match": before["etag"]})
        assert s == 200 and h["etag"] != before["etag"], (s, h)
        assert max_age(h) <= 3600 + int(h["age"]) and "immutable" not in h["cache-control"], h


def test_no_rates_503_is_not_stored(tmp):
    d = Daemon(tmp, [refused_url()])
    try:
        d.wait_refreshes(1)
        s, h, body = d.get("/latest", headers={"If-None-Match": "*"})
        assert s == 503 and h["cache-control"] == "no-store" and "etag" not in h, (s, h, body)
        s, h, _ = d.get("/healthz")
        assert s == 503 and h["cache-control"] == "no-store"
    finally:
        d.stop()


if __name__ == "__main__":
    run([test_etag_and_conditional_requests, test_max_age_follows_the_schedule,
         test_max_age_runs_to_the_next_ecb_publication, test_history_past_is_immutable,
         test_no_rates_503_is_not_stored])
