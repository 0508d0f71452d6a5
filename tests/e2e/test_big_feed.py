"""A history feed as large as the limits allow costs about its own bytes, not a tree of it.

tests/tools/big_series.py writes 20 000 days x 117 currencies of Frankfurter JSON (31.7 MiB, under
FEED_MAX_BODY and RATES_VEC_MAX).  `cconvd --import` of it must peak under 64 MiB (GNU time's maximum
resident set size), and a daemon that takes it as its history feed must peak under the same bound and keep
far less once it is stored.  Skipped in sanitizer builds, whose allocators keep freed memory.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import big_series  # noqa: E402
from e2elib import (CCONVD, DATE, Daemon, Skip, Upstream, cconvd_once, check_sanitizers, frankfurter_json,  # noqa: E402
                    memory_kib, run, sanitizer_build, wait_until, write_file)

PEAK_KIB = 64 * 1024        # the bound README.md states
KEPT_KIB = 40 * 1024        # what a daemon may keep after storing the feed
DAYS, CODES, END = 20000, 117, "2025-05-09"


def series(tmp):
    if sanitizer_build():
        raise Skip("a sanitizer's allocator keeps freed memory: RSS says nothing here")
    if not os.path.exists("/usr/bin/time"):
        raise Skip("GNU time (/usr/bin/time) is not installed")
    path = os.path.join(tmp, "series.json")
    with open(path, "w") as f:
        big_series.write(f, DAYS, CODES, END)
    assert 31 * 2**20 < os.path.getsize(path) < 32 * 2**20, os.path.getsize(path)
    return path


def stored(db):
    import sqlite3
    with sqlite3.connect(db) as c:
        return (c.execute("SELECT count(*), min(date), max(date) FROM days").fetchone(),
                c.execute("SELECT count(*) FROM observations").fetchone()[0])


def test_import_peak(tmp):
    path = series(tmp)
    db = os.path.join(tmp, "big.db")
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "peak %M KiB", CCONVD, "--db", db, "--import", path],
                       capture_output=True, text=True, timeout=170)
    took = time.monotonic() - t
    check_sanitizers("cconvd", p.stderr)
    assert p.returncode == 0, p.stderr
    assert f"import: {DAYS} days " in p.stderr and f"{DAYS} added" in p.stderr, p.stderr
    peak = int(p.stderr.rsplit("peak ", 1)[1].split()[0])
    print(f"--import of {os.path.getsize(path)} bytes ({DAYS} days x {CODES}): peak {peak} KiB, {took:.1f} s")
    assert peak < PEAK_KIB, f"peak RSS {peak} KiB, bound {PEAK_KIB} KiB"
    (days, first, last), rates = stored(db)
    assert (days, last, rates) == (DAYS, END, DAYS * CODES), (days, first, last, rates)


def test_history_feed_memory(tmp):
    """One day stored long ago, the upstream's DATE now: the gap is filled from the big feed."""
    path = series(tmp)
    old = write_file(tmp, "old.json", frankfurter_json({"1970-01-02": {"USD": "1.1", "GBP": "0.8"}}))
    rc, err = cconvd_once(tmp, ["--import", old])
    assert rc == 0, err
    up = Upstream()
    d = Daemon(tmp, [up.url], history="file://" + path, slow=3)
    try:
        m = wait_until(lambda: d._find(r"history: '.*' filled (\d+) missing days"), 120, "the gap to be filled")
        rss, peak = memory_kib(d.proc.pid)
        print(f"daemon after storing the feed: RSS {rss} KiB, peak {peak} KiB")
        assert int(m.group(1)) == DAYS, m.group(0)
        assert peak < PEAK_KIB, f"peak RSS {peak} KiB, bound {PEAK_KIB} KiB"
        assert rss < KEPT_KIB, f"RSS kept {rss} KiB, bound {KEPT_KIB} KiB"
        assert d.get("/2025-05-09")[0] == 200 and d.health()["date"] == DATE
    finally:
        d.stop()
        up.stop()
    (days, first, last), rates = stored(d.db)
    assert (days, first, last) == (DAYS + 2, "1970-01-02", DATE), (days, first, last)


if __name__ == "__main__":
    run([test_import_peak, test_history_feed_memory])
