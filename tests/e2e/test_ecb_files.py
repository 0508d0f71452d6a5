"""The ECB's own files served back at the ECB's paths (/stats/eurofxref/eurofxref-daily.xml,
eurofxref-hist-90d.xml, eurofxref-hist.xml, eurofxref-hist.csv), from the ECB's stored observations
only, rate texts digit for digit.

The real history (../shared/data/eurofxref-hist.csv; skipped where absent) is imported and served
back: both files parse to exactly the original's days and texts, and the CSV is the original byte for
byte.  A fake ECB beside a fake Frankfurter shows that no other source's rate gets in; a second cconvd
whose upstream is the first one's daily (or 90-day) file gets the same rates."""
import csv
import datetime
import io
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, Daemon, Ecb, Skip, Upstream, cconvd_once, make_history, read_ecb_csv,  # noqa: E402
                    refused_url, run, wait_until)

CSV = os.path.join(os.environ.get("CCONV_SHARED_DATA", ""), "eurofxref-hist.csv")
PATH = "/stats/eurofxref/"
GESMES = "{http://www.gesmes.org/xml/2002-08-01}"
EUROFXREF = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


def parse_xml(text):
    """[(date, [(code, rate text), ...]), ...] in document order, read as any XML reader of the ECB's
    files reads them: the gesmes envelope, then Cube > Cube[time] > Cube[currency, rate]."""
    root = ET.fromstring(text)
    assert root.tag == GESMES + "Envelope", root.tag
    assert root.find(GESMES + "subject").text == "Reference rates"
    outer = root.find(EUROFXREF + "Cube")
    return [(day.get("time"), [(c.get("currency"), c.get("rate")) for c in day.findall(EUROFXREF + "Cube")])
            for day in outer.findall(EUROFXREF + "Cube")]


def parse_csv(text):
    """[(date, {code: rate text})] of an eurofxref-hist.csv, N/A left out; the header's trailing empty
    field and every line's closing comma checked."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[0] == "Date" and header[-1] == "", header
    days = []
    for r in rows[1:]:
        assert len(r) == len(header) and r[-1] == "", r
        days.append((r[0], {c: v for c, v in zip(header[1:-1], r[1:-1]) if v != "N/A"}))
    return days


def get_file(d, name, headers=None):
    status, h, body = d.get(PATH + name, headers=headers)
    return status, h, body


def test_real_history_served_back(tmp):
    if not os.path.exists(CSV):
        raise Skip(f"{CSV} is absent")
    rc, err = cconvd_once(tmp, ["--import", CSV])
    assert rc == 0 and "6747 added" in err, err
    want = read_ecb_csv(CSV)
    d = Daemon(tmp, [refused_url()])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "the imported rates")
        s, h, body = get_file(d, "eurofxref-hist.csv")
        assert s == 200 and h["content-type"] == "text/csv; charset=utf-8", (s, h)
        days = parse_csv(body)
        assert [x for x, _ in days] == sorted(want, reverse=True)  # every day, newest first
        assert dict(days) == want  # every rate text, digit for digit
        with open(CSV) as f:
            assert body == f.read()  # the ECB's own file, byte for byte
        s, h, body = get_file(d, "eurofxref-hist.xml")
        assert s == 200 and h["content-type"] == "text/xml; charset=utf-8", (s, h)
        days = parse_xml(body)
        assert [x for x, _ in days] == sorted(want, reverse=True)
        assert {x: dict(rates) for x, rates in days} == want
        # Validators as on every route: the same bytes keep their tag, and a revalidation is a 304.
        s, h2, _ = get_file(d, "eurofxref-hist.xml", {"If-None-Match": h["etag"]})
        assert s == 304 and h2["etag"] == h["etag"], (s, h2)
        assert "last-modified" in h and "max-age=" in h["cache-control"], h
        # The newest day alone, and the 90 days ending with it.
        s, h, body = get_file(d, "eurofxref-daily.xml")
        assert s == 200 and parse_xml(body) == [days[0]], body[:300]
        s, h, body = get_file(d, "eurofxref-hist-90d.xml")
        first = (datetime.date(2025, 5, 9) - datetime.timedelta(days=89)).isoformat()
        assert s == 200 and parse_xml(body) == [x for x in days if x[0] >= first], body[:300]
    finally:
        d.stop()


def test_ecb_rates_only_from_a_fake_ecb(tmp):
    history = make_history(1, ncodes=8)
    history[DATE]["GBP"] = "0.86080"  # a trailing zero the ECB wrote is kept
    old = min(history)
    ecb = Ecb(history)  # daily_url: the newest day; hist_url: every day
    up = Upstream()  # Frankfurter: a USD of its own, and KWD, which the ECB does not publish
    up.body["rates"] = {"USD": 1.2345, "KWD": 0.32411}
    d = Daemon(tmp, [ecb.hist_url, ecb.daily_url, up.url])
    other = os.path.join(tmp, "other")
    os.makedirs(other)
    nothing = Daemon(other, [up.url])
    try:
        wait_until(lambda: d.get(f"/{old}")[0] == 200, 15, "the ECB's days")
        s, h, body = get_file(d, "eurofxref-daily.xml")
        assert s == 200 and h["content-type"] == "text/xml; charset=utf-8", (s, h)
        assert parse_xml(body) == [(DATE, [(c, history[DATE][c]) for c in history[DATE]])], body
        s, h, body = get_file(d, "eurofxref-hist-90d.xml")
        first = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=89)).isoformat()
        want = [(x, list(history[x].items())) for x in sorted(history, reverse=True) if x >= first]
        assert s == 200 and parse_xml(body) == want
        s, h, body = get_file(d, "eurofxref-hist.xml")
        assert s == 200 and {x: dict(r) for x, r in parse_xml(body)} == history
        s, h, body = get_file(d, "eurofxref-hist.csv")
        assert s == 200 and dict(parse_csv(body)) == history
        assert "KWD" not in body and "1.2345" not in body
        # Frankfurter's rates are served elsewhere, never here.
        assert json.loads(d.get("/latest?to=KWD")[2])["rates"] == {"KWD": 0.32411}
        # Query parameters are ignored, as the ECB ignores them; HEAD has the headers and no body.
        assert get_file(d, "eurofxref-daily.xml?x=1")[2] == get_file(d, "eurofxref-daily.xml")[2]
        s, hh, body = d.get(PATH + "eurofxref-daily.xml", method="HEAD")
        assert s == 200 and body == "" and hh["etag"] == get_file(d, "eurofxref-daily.xml")[1]["etag"], hh
        assert d.metric("cconvd_requests_total", endpoint="ecb", code="200") >= 6
        # A daemon with no ECB source has none of its files.
        wait_until(lambda: nothing.get("/healthz")[0] == 200, 15, "Frankfurter's rates")
        for name in ("eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.xml", "eurofxref-hist.csv"):
            s, h, body = get_file(nothing, name)
            assert s == 404 and json.loads(body) == {"error": "no rates from the ECB are stored"}, (name, s, body)
            assert h["cache-control"] == "no-store", h
        assert nothing.get(PATH + "eurofxref-hist.zip")[0] == 404
    finally:
        d.stop()
        nothing.stop()
        up.stop()
        ecb.stop()


def test_chained_cconvd_reads_the_ecb_files(tmp):
    history = make_history(1, ncodes=12, seed=7)
    history[DATE]["GBP"] = "0.86080"
    ecb = Ecb(history)
    first = Daemon(tmp, [ecb.hist_url])
    chained = []
    try:
        wait_until(lambda: first.get(f"/{min(history)}")[0] == 200, 15, "the first cconvd's history")
        for name in ("eurofxref-daily.xml", "eurofxref-hist-90d.xml"):
            sub = os.path.join(tmp, name)
            os.makedirs(sub)
            d = Daemon(sub, [first.base + PATH + name])
            chained.append(d)
            wait_until(lambda: d.get("/healthz")[0] == 200, 15, f"rates from the first cconvd's {name}")
            # The same rates, as JSON and as the same file again.
            assert json.loads(d.get("/latest")[2]) == json.loads(first.get("/latest")[2]), name
            assert parse_xml(get_file(d, name)[2]) == parse_xml(get_file(first, name)[2]), name
            assert parse_xml(get_file(d, "eurofxref-daily.xml")[2]) == \
                [(DATE, list(history[DATE].items()))], name
        # The 90-day file carried every day of its window to the second cconvd, digit for digit.
        s, h, body = get_file(chained[1], "eurofxref-hist.xml")
        window = parse_xml(get_file(first, "eurofxref-hist-90d.xml")[2])
        assert s == 200 and parse_xml(body) == window and len(window) > 60, len(window)
    finally:
        for d in chained:
            d.stop()
        first.stop()
        ecb.stop()


if __name__ == "__main__":
    run([test_real_history_served_back, test_ecb_rates_only_from_a_fake_ecb, test_chained_cconvd_reads_the_ecb_files])
