"""The real ECB history (../shared/data/eurofxref-hist.csv, 1999-01-04 to 2025-05-09) through feed_parse().

The file is not part of the project and is never copied into it: CMake passes its folder in
CCONV_SHARED_DATA, and without it the test is skipped.  The same days are also written out as the
ECB's full-history XML (in a temporary folder) and read back, so both formats are checked on the
real data, digit for digit, and their parse times printed.  Finally `cconvd --import` loads the file
and the daemon's dated routes answer the known values.
"""
import json
from decimal import Decimal
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (Daemon, cconvd_once, check_sanitizers, day_view, ecb_csv, ecb_xml, read_ecb_csv,  # noqa: E402
                    refused_url, run, wait_until, write_file)

FEED_DUMP = os.environ.get("FEED_DUMP", "")
CSV = os.path.join(os.environ.get("CCONV_SHARED_DATA", ""), "eurofxref-hist.csv")
KNOWN = {"2025-05-09:GBP": "0.8477", "2025-05-09:JPY": "163.36", "1999-01-04:USD": "1.1789"}
# Codes the ECB history carries that ISO 4217 has withdrawn since: kept, for history must not lose them.
RETIRED = {"CYP", "EEK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "TRL", "HRK"}


def dump(path, queries):
    p = subprocess.run([FEED_DUMP, path, *queries], capture_output=True, text=True, timeout=120)
    check_sanitizers("feed_dump", p.stderr)
    assert p.returncode == 0, p.stderr
    print(f"  {os.path.basename(path)}: {p.stderr.strip()}")
    return dict((f"{d}:{c}", v) for d, c, v in (line.split() for line in p.stdout.splitlines())), p.stderr


def sample_queries(days):
    rng = random.Random(1999)
    dates = sorted(days)
    qs = list(KNOWN)
    for d in rng.sample(dates, 40) + [dates[0], dates[-1]]:
        qs += [f"{d}:{c}" for c in rng.sample(sorted(days[d]), min(5, len(days[d])))]
    return qs


def test_real_csv_known_values_and_sampled_days(tmp):
    days = read_ecb_csv(CSV)
    queries = sample_queries(days)
    got, summary = dump(CSV, queries)
    for q, v in KNOWN.items():
        assert got[q] == v, (q, got[q])
    assert summary.startswith(f"{len(days)} snapshots, 1999-01-04 .. 2025-05-09"), summary
    for q in queries:
        d, c = q.split(":")
        assert got[q] == days[d][c], (q, got[q])


def test_real_history_as_xml_reads_the_same(tmp):
    days = read_ecb_csv(CSV)
    path = os.path.join(tmp, "eurofxref-hist.xml")
    with open(path, "w") as f:
        f.write(ecb_xml(days))
    queries = sample_queries(days)
    from_csv, _ = dump(CSV, queries)
    from_xml, summary = dump(path, queries)
    assert from_xml == from_csv
    assert summary.startswith(f"{len(days)} snapshots, 1999-01-04 .. 2025-05-09"), summary
    print(f"  (XML {os.path.getsize(path)} bytes, CSV {os.path.getsize(CSV)} bytes)")


def test_real_csv_imported_then_served_by_date(tmp):
    rc, err = cconvd_once(tmp, ["--import", CSV])
    assert rc == 0 and "6747 added" in err, (rc, err)
    print(f"  {err.strip().splitlines()[-1]}")
    d = Daemon(tmp, [refused_url()])  # no upstream: everything comes from the imported history
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 15, "the imported rates")
        day = json.loads(d.get("/2025-05-09?to=GBP,JPY")[2])
        assert (day["date"], day["rates"]) == ("2025-05-09", {"GBP": 0.8477, "JPY": 163.36}), day
        day = json.loads(d.get("/1999-01-04?to=USD")[2])
        assert (day["date"], day["rates"]) == ("1999-01-04", {"USD": 1.1789}), day
        # Every currency the file has on a day comes back with the file's digits, the withdrawn ones
        # included, and so does every other within the 14 days before it (TRL's last rate, 2004-12-31,
        # on 2005-01-03), with its own date; none older.
        days = read_ecb_csv(CSV)
        for date in ("2005-01-03", "2007-12-31", "2010-01-04", "2014-12-31"):
            served = json.loads(d.get(f"/{date}")[2])["rates"]
            want = day_view(days, date)
            assert set(days[date]) <= set(served) and set(served) == set(want), \
                (date, sorted(set(want) ^ set(served)))
            for code in served:
                assert Decimal(str(served[code])) == Decimal(want[code]), (date, code)
        assert len(days["2005-01-03"]) == 28 and "CYP" in days["2005-01-03"]
        served = json.loads(d.get("/2005-01-03")[2])["rates"]
        assert set(served) - set(days["2005-01-03"]) == {"TRL"} and str(served["CYP"]) == days["2005-01-03"]["CYP"]
        assert "CYP" not in json.loads(d.get("/2010-01-04")[2])["rates"]  # its last rate is of 2007-12-31
        # A day older than the window that nothing replaced is immutable; one a second load replaced is
        # not, and its tag changes at once.
        s, old, _ = d.get("/2005-01-03")
        assert old["cache-control"].endswith(", immutable"), old
        s, h, _ = d.get("/2005-01-04")
        assert h["cache-control"].endswith(", immutable"), h
        fix = dict(days["2005-01-04"], USD=str(Decimal(days["2005-01-04"]["USD"]) + Decimal("0.0001")))
        rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "fix.csv", ecb_csv({"2005-01-04": fix}))])
        assert rc == 0 and "1 replaced" in err, err
        s, h2, body = d.get("/2005-01-04", headers={"If-None-Match": h["etag"]})
        assert s == 200 and h2["etag"] != h["etag"] and "immutable" not in h2["cache-control"], h2
        assert "public, max-age=" in h2["cache-control"] and h2["x-accel-expires"].startswith("@"), h2
        assert d.get("/2005-01-03")[1]["cache-control"].endswith(", immutable")  # outside 01-04's window
        conv = json.loads(d.get("/convert?date=2025-05-09&to=GBP&amount=100")[2])
        assert (conv["rate"], conv["result"]) == (0.8477, 84.77), conv
        assert d.get("/convert/JPY/100")[2] == "JPY 16336\n"  # the newest day, 2025-05-09
        # The latest rates keep a currency in use however old its rate (the ECB stopped RUB on
        # 2022-03-01), with its own date, and never a withdrawn one.
        latest = json.loads(d.get("/latest")[2])
        assert not set(latest["rates"]) & RETIRED and latest["dates"] == {"RUB": "2022-03-01"}, latest
        assert d.get("/convert/CYP/100")[0] == 404
    finally:
        d.stop()


if __name__ == "__main__":
    if not FEED_DUMP or not os.path.exists(FEED_DUMP):
        print("skipped: FEED_DUMP must name the built tests/feed_dump")
        sys.exit(77)
    if not os.path.exists(CSV):
        print(f"skipped: the real ECB history {CSV} is absent (set CCONV_SHARED_DATA to its folder)")
        sys.exit(77)
    run([test_real_csv_known_values_and_sampled_days, test_real_history_as_xml_reads_the_same,
         test_real_csv_imported_then_served_by_date])
