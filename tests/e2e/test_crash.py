"""Crashes and sharing: kill -9 in the middle of refreshes never costs the
database, one database has one daemon, and the CLI's cache is never seen half
written."""
import concurrent.futures
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, DATE, Daemon, Upstream, cconv, run, wait_until  # noqa: E402

KILLS = 60


def newest(db):
    """The snapshot a restarted daemon must serve: latest date, then latest fetch."""
    if not os.path.exists(db):
        return None
    with contextlib.closing(sqlite3.connect(db)) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        row = c.execute("SELECT date FROM days ORDER BY date DESC LIMIT 1").fetchone()
        if row is None:
            return None
        rates = {k: Decimal(v) for k, v in c.execute(
            "SELECT currency, rate FROM observations o WHERE date = ? ORDER BY fetched_at", row)}
        return row[0], rates


def random_body(rnd):
    day = rnd.randrange(1, 21)
    rates = {k: round(v * rnd.uniform(0.9, 1.1), 4) for k, v in
             {"GBP": 0.884, "USD": 1.0512, "JPY": 163.36, "CHF": 0.9391}.items()}
    return {"amount": 1.0, "base": "EUR", "date": f"2026-11-{day:02d}", "rates": rates}


def test_kill9_during_refreshes(tmp):
    seed = int(os.environ.get("CCONV_KILL_SEED", time.time_ns() % 1000000))
    print(f"seed {seed} (CCONV_KILL_SEED reruns it)")
    rnd = random.Random(seed)
    up = Upstream()
    db = os.path.join(tmp, "rates.db")
    snapshots = []
    t0 = time.monotonic()
    try:
        for i in range(KILLS):
            want = newest(db)
            # Hold the start-up fetch, so what is served first can only come
            # from the database.
            up.gate.clear()
            up.body = random_body(rnd)
            d = Daemon(tmp, [up.url], db=db)
            if want is None:
                assert d.get("/latest")[0] == 503, i
            else:
                doc = json.loads(d.get("/latest")[2])
                got = {k: Decimal(str(v)) for k, v in doc["rates"].items()}
                assert (doc["date"], got) == want, (i, doc, want)
            up.gate.set()
            for _ in range(rnd.randrange(0, 4)):
                time.sleep(rnd.uniform(0, 0.03))  # a random moment, on purpose
                up.body = random_body(rnd)
                d.proc.send_signal(signal.SIGHUP)  # refresh now
            time.sleep(rnd.uniform(0, 0.08))  # the kill lands at a random moment
            d.proc.kill()
            d.proc.wait(10)
            d.reader.join(5)
            snapshots.append(len(re.findall(r"refresh ok", d.stderr())))
    finally:
        up.stop()
    want = newest(db)
    with contextlib.closing(sqlite3.connect(db)) as c:
        stored = c.execute("SELECT count(*) FROM days").fetchone()[0]
    print(f"{KILLS} kills in {time.monotonic() - t0:.1f} s; {sum(snapshots)} refreshes logged ok before a kill, "
          f"{stored} dates stored; newest {want[0] if want else None}")
    assert sum(snapshots) >= KILLS // 2 and stored >= 3, (snapshots, stored)


def start_blocked(db):
    return subprocess.run([CCONVD, "--listen", "127.0.0.1:0", "--db", db, "--upstream", "http://127.0.0.1:9/"],
                          capture_output=True, text=True, timeout=10)


def test_one_daemon_per_database(tmp):
    up = Upstream()
    try:
        first = Daemon(tmp, [up.url])
        first.wait_refreshes(1)
        p = start_blocked(first.db)
        assert p.returncode == 1, (p.returncode, p.stderr)
        assert f"in use by another cconvd (pid {first.proc.pid} holds" in p.stderr, p.stderr
        assert first.get("/convert/GBP/100")[2] == "GBP 88.40\n"  # the first is untouched
        first.proc.kill()  # the kernel drops the lock with the process
        first.proc.wait(10)
        first.reader.join(5)
        second = Daemon(tmp, [up.url])
        try:
            assert second.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        finally:
            second.stop()
        # A clean stop releases it too.
        third = Daemon(tmp, [up.url])
        third.stop()
    finally:
        up.stop()


def test_one_daemon_per_database_by_any_name(tmp):
    """A symbolic link to the database, or to its folder, meets the same lock; a second hard link is refused."""
    real = os.path.join(tmp, "real")
    os.mkdir(real)
    db = os.path.join(real, "x.db")
    os.symlink(db, os.path.join(tmp, "link.db"))
    os.symlink(real, os.path.join(tmp, "alias"))
    up = Upstream()
    try:
        first = Daemon(tmp, [up.url], db=os.path.join(tmp, "link.db"))
        try:
            first.wait_refreshes(1)
            for other in (db, os.path.join(tmp, "alias", "x.db"), os.path.join(tmp, "link.db")):
                p = start_blocked(other)
                assert p.returncode == 1, (other, p.returncode, p.stderr)
                assert f"in use by another cconvd (pid {first.proc.pid} holds '{db}.lock')" in p.stderr, p.stderr
            assert sorted(os.listdir(tmp)) == ["alias", "link.db", "real"], os.listdir(tmp)
            assert first.get("/convert/GBP/100")[2] == "GBP 88.40\n"
        finally:
            first.stop()
        os.link(db, os.path.join(tmp, "hard.db"))
        for name in (db, os.path.join(tmp, "hard.db")):
            p = start_blocked(name)
            assert p.returncode == 1 and f"store '{name}': the file has 2 names (hard links)" in p.stderr, (name, p.stderr)
    finally:
        up.stop()


def test_cli_cache_is_replaced_atomically(tmp):
    """Many cconv runs rewrite the cache at once (two daemons with different
    rates, so every run's rates differ from the file's); a reader polling the
    file must never see it partly written."""
    ups, daemons = [Upstream(), Upstream()], []
    ups[1].body["rates"]["GBP"] = 0.9
    try:
        for i, up in enumerate(ups):
            sub = os.path.join(tmp, f"d{i}")
            os.mkdir(sub)
            daemons.append(Daemon(sub, [up.url]))
            wait_until(lambda: daemons[-1].get("/healthz")[0] == 200, 10, "rates")
        cache = os.path.join(tmp, "cache", "cconv", "latest.json")
        assert cconv(tmp, ["GBP", "1"], server=daemons[0].base)[0] == 0
        stop, seen, torn = threading.Event(), [0], []

        def reader():
            while not stop.is_set():
                with open(cache, "rb") as f:
                    text = f.read()
                try:
                    json.loads(text)
                    seen[0] += 1
                except ValueError:
                    torn.append(text)

        t = threading.Thread(target=reader)
        t.start()
        runs = 48
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: cconv(tmp, ["GBP", "100"], server=daemons[i % 2].base),
                                    range(runs)))
        stop.set()
        t.join()
        assert all(r[0] == 0 for r in results), results
        assert {r[1] for r in results} == {"88.40 GBP\n", "90.00 GBP\n"}, results
        print(f"{runs} concurrent cconv runs; the reader parsed the cache {seen[0]} times, {len(torn)} torn")
        assert not torn, torn[:3]
        assert seen[0] > runs, seen
        leftovers = [n for n in os.listdir(os.path.dirname(cache)) if n != "latest.json"]
        assert leftovers == [], leftovers  # no temp files left behind
    finally:
        for d in daemons:
            d.stop()
        for up in ups:
            up.stop()


def test_corrupt_cli_cache_is_ignored_with_a_warning(tmp):
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
        assert cconv(tmp, ["GBP", "100"], server=d.base)[:2] == (0, "88.40 GBP\n")
        cache = os.path.join(tmp, "cache", "cconv", "latest.json")
        with open(cache) as f:
            good = f.read()
        d.stop()
    finally:
        up.stop()
    for bad, why in ((good[: len(good) // 2], "not JSON"), ("\x00\xff" * 40, "not JSON"),
                     (good.replace(DATE, "2026-13-40"), "date")):
        with open(cache, "w") as f:
            f.write(bad)
        rc, out, err = cconv(tmp, ["GBP", "100"])  # daemon and upstream refused
        assert rc == 69 and out == "", (bad, rc, out, err)
        assert cache in err and why in err, (bad, err)


if __name__ == "__main__":
    run([test_kill9_during_refreshes, test_one_daemon_per_database,
         test_one_daemon_per_database_by_any_name, test_cli_cache_is_replaced_atomically,
         test_corrupt_cli_cache_is_ignored_with_a_warning])
