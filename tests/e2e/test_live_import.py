"""cconvd --import and --backfill beside a running daemon on the same database: the load commits while the
daemon refreshes and answers; its history routes see the new days at once; a day newer than the one served
becomes the latest (the import sends SIGHUP, and every round ends by serving the store's newest day if newer),
with /healthz saying it came from an import; never an older day over a newer one; a load that finds the write
lock taken waits for it; a second daemon is still refused (test_crash.py)."""
import contextlib
import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONVD, Daemon, Upstream, cconvd_once, check_sanitizers, ecb_csv, expected,  # noqa: E402
                    frankfurter_json, make_history, run, wait_until, write_file)

DAYS = make_history(1, 6)  # every weekday of a year up to e2elib's DATE, six currencies


def pick(first, last):
    return {d: DAYS[d] for d in DAYS if first <= d <= last}


def integrity(db):
    with contextlib.closing(sqlite3.connect(db)) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def stored(db):
    """{date: (upstream, {code: rate text})} of every stored day."""
    with contextlib.closing(sqlite3.connect(db)) as c:
        out = {}
        for d, u, code, rate in c.execute("SELECT o.date, s.upstream, o.currency, o.rate FROM observations o"
                                          " JOIN sources s ON s.id = o.source ORDER BY o.fetched_at"):
            out[d] = (u, dict(out.get(d, (u, {}))[1], **{code: rate}))
    return out


class Load:
    """Requests and SIGHUP refreshes against a daemon from two threads until stopped; what went wrong is
    collected, not raised, and checked at the end."""

    def __init__(self, d, paths):
        self.d, self.paths = d, paths
        self.stop = threading.Event()
        self.errors, self.requests, self.rounds = [], 0, 0
        self.threads = [threading.Thread(target=self.query), threading.Thread(target=self.refresh)]
        for t in self.threads:
            t.start()

    def query(self):
        while not self.stop.is_set():
            for p in self.paths:
                try:
                    status, _, body = self.d.get(p)
                except OSError as e:
                    status, body = None, repr(e)
                self.requests += 1
                if status != 200:
                    self.errors.append((p, status, body))

    def refresh(self):
        while not self.stop.is_set():
            try:
                self.d.refresh()  # SIGHUP, then wait for that round's log line
            except AssertionError as e:
                self.errors.append(("SIGHUP", None, str(e)))
                return
            self.rounds += 1

    def end(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)
        assert not self.errors, self.errors[:5]


def test_import_into_running_daemon(tmp):
    dates = sorted(DAYS)
    # The upstream lags weeks behind the file, more than the carry-forward
    # window: the file's days are then the newest rates, and the upstream's
    # older observations, though it is listed first, no longer stand for them.
    newest, served = dates[-1], dates[-25]
    db = os.path.join(tmp, "rates.db")
    # The daemon's own history: a summer of days, imported before it starts.
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "summer.csv", ecb_csv(pick(dates[150], dates[200])))])
    assert rc == 0, err
    up = Upstream()
    up.body = json.loads(frankfurter_json({served: DAYS[served]}))
    up.conditional = False  # every round a full answer, so every round writes to the database
    try:
        d = Daemon(tmp, [up.url])
        try:
            d.wait_refreshes(1)
            assert d.health()["date"] == served
            older = pick(dates[0], dates[40])
            newer = pick(dates[-3], newest)
            csv = write_file(tmp, "to-load.csv", ecb_csv(dict(older, **newer)))
            first_old, some_old = min(older), sorted(older)[20]
            assert d.get(f"/{first_old}")[0] == 404  # not stored yet: before the first stored day

            load = Load(d, ["/latest", "/convert/GBP/100", f"/{dates[160]}..{dates[170]}", "/healthz"])
            try:
                wait_until(lambda: load.rounds >= 1 and load.requests >= 20, 30, "load on the daemon")
                t0 = time.time()
                rc, err = cconvd_once(tmp, ["--import", csv])
                t1 = time.time()
                assert rc == 0, err
                n = len(older) + len(newer)
                assert f"import: {n} days {first_old}..{newest}" in err and f"{n} added" in err, err
                assert f"asked the cconvd running on '{db}' (pid {d.proc.pid}) to refresh now (SIGHUP)" in err, err
                print(f"import of {n} days beside a daemon under load: {t1 - t0:.2f} s; the daemon had "
                      f"answered {load.requests} requests and run {load.rounds} rounds")

                # History: read-only connections, new read transactions: the days are there at once.
                status, _, body = d.get(f"/{some_old}?to=GBP,USD")
                assert status == 200, (status, body)
                doc = json.loads(body)
                assert doc["date"] == some_old and str(doc["rates"]["GBP"]) == str(float(DAYS[some_old]["GBP"])), doc
                status, _, body = d.get(f"/{first_old}..{max(older)}")
                assert status == 200 and sorted(json.loads(body)["rates"]) == sorted(older), body[:300]

                # The latest: the SIGHUP round serves the imported newest day, saying where it came from.
                h = wait_until(lambda: (lambda h: h if h["date"] == newest else None)(d.health()), 20,
                               f"the daemon to serve {newest}")
                assert h["upstream"] == f"import file://{csv}" and h["status"] == "ok" and not h["stale"], h
                assert h["last_fetch"]["ok"] and h["last_fetch"]["upstream"] == up.url, h  # the fetch, truthfully
                assert h["upstreams"][0]["currencies"] == 0, h  # nothing of the upstream's is served
                assert h["storage_error"] is None, h
                d.logged(f"serving rates dated {newest}, ")
                assert d.get("/convert/GBP/100")[2] == f"GBP {expected(100, 'EUR', 'GBP', DAYS[newest])}\n"
                latest = json.loads(d.get("/latest")[2])
                assert latest["date"] == newest, latest
            finally:
                load.end()

            # The upstream still brings its older day: kept in history, never served over the newer one.
            d.refresh()
            assert d.health()["date"] == newest
            d.logged(f"upstream '{up.url}': rates dated {served}, ")
            assert "refresh failed" not in d.stderr() and "memory only" not in d.stderr(), d.stderr()
            # Its day does not even turn stale: a rate that is served keeps its own fetch time.
            rows = stored(db)
            assert rows[served][0] == up.url, rows[served]  # every refresh during the import was saved
            assert rows[newest][0] == f"import file://{csv}", rows[newest]
        finally:
            d.stop()
    finally:
        up.stop()
    want = set(older) | set(newer) | set(pick(dates[150], dates[200])) | {served}
    assert set(rows) == want, sorted(set(rows) ^ want)
    assert all(rows[x][1] == DAYS[x] for x in older), "imported rates differ from the file"
    assert integrity(db) == "ok"


def test_load_waits_for_the_write_lock(tmp):
    """An import or backfill that finds another writer in a transaction waits for it (SQLite's busy
    timeout, 30 s for a one-shot) instead of failing, and then commits; the daemon is told after."""
    dates = sorted(DAYS)
    db = os.path.join(tmp, "rates.db")
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "old.csv", ecb_csv(pick(dates[0], dates[100])))])
    assert rc == 0, err
    up = Upstream()
    up.history = DAYS
    up.body = json.loads(frankfurter_json({dates[100]: DAYS[dates[100]]}))
    try:
        d = Daemon(tmp, [up.url])
        try:
            d.wait_refreshes(1)
            for args, last in ((["--import", write_file(tmp, "new.csv", ecb_csv(pick(dates[101], dates[150])))],
                                dates[150]),
                               (["--backfill", dates[151], "--upstream", up.url], max(DAYS))):
                holder = sqlite3.connect(db, isolation_level=None)
                holder.execute("BEGIN IMMEDIATE")  # the write lock, as a daemon's save holds it
                p = subprocess.Popen([CCONVD, "--db", db, *args], stderr=subprocess.PIPE, text=True)
                try:
                    # Until it has the database open it is not yet waiting; then give it a second to fail.
                    wait_until(lambda: opened(p.pid, db) or p.poll() is not None, 10, "the load to open the db")
                    time.sleep(1.0)
                    assert p.poll() is None, p.communicate()[1]  # still waiting, not failed at once
                finally:
                    holder.execute("COMMIT")
                    holder.close()
                _, err = p.communicate(timeout=60)
                check_sanitizers("cconvd", err)
                assert p.returncode == 0, err
                assert "added" in err and "(SIGHUP)" in err, err
                wait_until(lambda: d.health()["date"] == last, 20, f"the daemon to serve {last}")
            h = d.health()
            assert h["upstream"].startswith("backfill " + up.url.replace("/latest", f"/{dates[151]}..")), h
        finally:
            d.stop()
    finally:
        up.stop()
    assert integrity(db) == "ok"


def test_daemon_that_cannot_be_told(tmp):
    """A lock held by something whose pid cannot be read (here this test, having written none): the load
    still commits and exits 0, and says why no daemon was told and what happens instead."""
    db = os.path.join(tmp, "rates.db")
    dates = sorted(DAYS)
    first = write_file(tmp, "first.csv", ecb_csv(pick(dates[0], dates[99])))
    then = write_file(tmp, "then.csv", ecb_csv(pick(dates[100], dates[-1])))
    unreadable = f"a cconvd holds '{db}.lock' but its pid ('') cannot be read"
    with open(db + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # A new database needs its schema created, which is not done under what may be a daemon.
        rc, err = cconvd_once(tmp, ["--import", first])
        assert rc == 1 and f"{unreadable}; schema version 0 is not upgraded to 3 while a daemon may be using " \
            "the file: stop that cconvd, then run this again" in err, err
    rc, err = cconvd_once(tmp, ["--import", first])
    assert rc == 0 and "100 added" in err and "SIGHUP" not in err, err
    with open(db + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rc, err = cconvd_once(tmp, ["--import", then])
    assert rc == 0 and f"{len(dates) - 100} added" in err, err
    assert f"{unreadable}; a running cconvd serves a newer day after its next refresh, or at once on SIGHUP" in err
    assert integrity(db) == "ok"


def opened(pid, path):
    """Whether process pid has path open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            pass
    return False


if __name__ == "__main__":
    run([test_import_into_running_daemon, test_load_waits_for_the_write_lock, test_daemon_that_cannot_be_told])
