"""Upstream faults: whatever the upstream does, cconvd keeps answering from its
last good snapshot (marked stale past --max-age), /healthz names the cause,
SQLite keeps what it had, memory stays bounded, and the next good fetch is
taken.  Cases are data; one daemon serves the quick ones (mode switched,
SIGHUP), and the two that last the whole 10 s fetch limit run beside it on
their own daemons so the file stays short."""
import os
import re
import shutil
import signal
import sqlite3
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (DATE, Daemon, Upstream, cconv, db_contents, memory_kib, run, tls_upstream,  # noqa: E402
                    wait_until)

MAX_AGE = 3600
AGED = 7200  # seconds the seeded snapshot's fetch time is moved back: stale under MAX_AGE
MIB = 1024

# mode -> what /healthz's last_fetch.error must say.  Modes the Upstream does
# not serve itself: "refused" closes its socket, "unresolvable" and "tls"
# redirect to a name under .invalid (RFC 2606: resolving it sends no DNS query
# anywhere) and to a self-signed https server.
QUICK = {
    "http_500": "HTTP 500", "http_503": "HTTP 503", "http_429": "HTTP 429",
    "refused": "connect", "unresolvable": "resolve", "html": "an HTML page", "truncated": "not JSON",
    "empty_rates": "'rates' is empty", "negative_rate": "rates.USD: must be a number > 0",
    "zero_rate": "rates.USD: must be a number > 0", "string_rate": "rates.USD: must be a number > 0",
    "huge_stream": "larger than 1048576 bytes", "redirect_loop": "redirects", "tls": "certificate",
}
SLOW = {"hang": "timed out", "drip": "timed out"}


def seed(tmp, db):
    """A database holding one good snapshot, fetched AGED seconds ago."""
    up = Upstream()
    d = Daemon(tmp, [up.url], db=db)
    try:
        d.wait_refreshes(1)
    finally:
        d.stop()
        up.stop()
    with sqlite3.connect(db) as c:
        c.execute("UPDATE sources SET fetched_at = fetched_at - ?", (AGED,))
        c.execute("UPDATE observations SET fetched_at = fetched_at - ?", (AGED,))
    c.close()


def set_mode(up, mode, tls_url):
    if mode == "refused":
        up.refuse()
    elif mode in ("unresolvable", "tls"):
        up.mode = "redirect"
        up.redirect_to = "http://cconv-upstream.invalid/v1/latest" if mode == "unresolvable" else tls_url
    else:
        up.mode = mode
    up.retry_after = 30 if mode == "http_429" else 0


def recover(up, mode):
    if mode == "refused":
        up.listen_again()
    up.mode = "ok"


def check_serving(tmp, d, up, mode, needle, gbp, stale, contents):
    """The daemon and the CLI after a failed round in this mode."""
    h = d.health()
    lf = h["last_fetch"]
    assert lf["ok"] is False and needle.lower() in lf["error"].lower(), (mode, h)
    # The refresher names the upstream once, in front of the reason; the
    # round's one log line says the same, once.
    assert lf["error"].startswith(f"upstream '{up.url}': ") and lf["error"].count(up.url) == 1, (mode, h)
    d.logged("refresh failed (")
    assert sum(line.count(lf["error"]) for line in d.stderr().splitlines() if "refresh failed (" in line) >= 1, mode
    assert h["stale"] is stale and h["date"] == DATE, (mode, h)
    status, headers, body = d.get("/convert/GBP/100")
    assert (status, body) == (200, f"GBP {gbp}\n"), (mode, status, body)
    assert ("warning" in headers) is stale, (mode, headers)
    assert db_contents(d.db) == contents, mode
    # The CLI asks the daemon, which answers: same figure, exit 0, and a
    # warning on stderr only when the rates are stale.
    rc, out, err = cconv(tmp, ["GBP", "100"], server=d.base)
    assert (rc, out) == (0, f"{gbp} GBP\n"), (mode, rc, out, err)
    assert ("stale" in err) is stale, (mode, err)


def check_recovery(d, up, gbp_rate, want):
    up.body["rates"]["GBP"] = gbp_rate
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: d.health()["last_fetch"]["ok"] and d.get("/convert/GBP/100")[2] == f"GBP {want}\n",
               15, f"recovery to GBP {gbp_rate}")
    h = d.health()
    assert h["stale"] is False and h["last_fetch"]["error"] is None, h
    assert ("GBP", str(gbp_rate)) in [r[1:3] for r in db_contents(d.db)[1]], db_contents(d.db)


def slow_case(tmp, seeded, mode, needle, errors):
    """One daemon whose upstream is in `mode` from the start: the first round
    lasts the whole fetch limit.  Memory is read before and after it."""
    try:
        sub = os.path.join(tmp, mode)
        os.mkdir(sub)
        db = os.path.join(sub, "rates.db")
        shutil.copy(seeded, db)
        contents = db_contents(db)
        up = Upstream()
        up.mode = mode
        d = Daemon(sub, [up.url], ["--max-age", str(MAX_AGE)], db=db)
        try:
            rss0, _ = memory_kib(d.proc.pid)
            d.wait_refreshes(1)
            rss1, hwm1 = memory_kib(d.proc.pid)
            print(f"{mode}: VmRSS {rss0} KiB before, {rss1} KiB after, VmHWM {hwm1} KiB")
            assert hwm1 - rss0 < 16 * MIB, (mode, rss0, hwm1)
            # A timeout is the network's fault, even after the status line (drip): never "invalid".
            got = {r: d.metric("cconvd_refreshes_total", outcome="failed", reason=r)
                   for r in ("network", "invalid", "http_error")}
            assert got == {"network": 1, "invalid": 0, "http_error": 0}, (mode, got)
            check_serving(sub, d, up, mode, needle, "88.40", True, contents)
            up.mode = "ok"
            check_recovery(d, up, 0.9, "90.00")
        finally:
            d.stop()
            up.stop()
    except BaseException as e:  # reported by the main thread
        errors.append((mode, e))


def test_upstream_faults(tmp):
    seeded = os.path.join(tmp, "seed.db")
    seed(tmp, seeded)
    errors = []
    slow = [threading.Thread(target=slow_case, args=(tmp, seeded, m, n, errors)) for m, n in SLOW.items()]
    for t in slow:
        t.start()
    quick = dict(QUICK)
    tls, tls_url = (None, "")
    if shutil.which("openssl"):
        tls, tls_url = tls_upstream(tmp)
    else:
        print("note: no openssl command, the self-signed TLS case is left to test_tls.py")
        del quick["tls"]
    db = os.path.join(tmp, "rates.db")
    shutil.copy(seeded, db)
    up = Upstream()
    first = next(iter(quick))
    set_mode(up, first, tls_url)
    d = Daemon(tmp, [up.url], ["--max-age", str(MAX_AGE)], db=db)
    try:
        d.wait_refreshes(1)
        contents = db_contents(db)
        # Phase 1: only the aged snapshot, so every answer is stale.
        for mode, needle in quick.items():
            rss0, _ = memory_kib(d.proc.pid)
            set_mode(up, mode, tls_url)
            d.refresh()
            d.refresh()  # the second round surely began after the switch
            check_serving(tmp, d, up, mode, needle, "88.40", True, contents)
            if mode == "http_429":  # Retry-After is a floor under the backoff
                waits = re.findall(r"next try in (\d+) s", d.stderr())
                assert int(waits[-1]) >= 30, waits
            if mode == "huge_stream":
                rss1, hwm1 = memory_kib(d.proc.pid)
                print(f"huge_stream (20 MB body): VmRSS {rss0} KiB before, {rss1} KiB after, VmHWM {hwm1} KiB")
                assert hwm1 - rss0 < 16 * MIB, (rss0, hwm1)
            recover(up, mode)
        # Phase 2: each fault after a fresh good fetch, each followed by recovery
        # to new rates (same date: the store replaces that date's rows).
        gbp = 0.884
        for mode, needle in quick.items():
            check_recovery(d, up, round(gbp + 0.001, 3), "%.2f" % (100 * round(gbp + 0.001, 3)))
            gbp = round(gbp + 0.001, 3)
            contents = db_contents(db)
            set_mode(up, mode, tls_url)
            d.refresh()
            d.refresh()
            check_serving(tmp, d, up, mode, needle, "%.2f" % (100 * gbp), False, contents)
            recover(up, mode)
        check_recovery(d, up, 0.95, "95.00")
        _, hwm = memory_kib(d.proc.pid)
        print(f"after {d.outcomes()} rounds: VmHWM {hwm} KiB")
    finally:
        d.stop()
        up.stop()
        if tls:
            tls.stop()
        for t in slow:
            t.join(60)
    assert not errors, errors


def test_unresolvable_upstream_configured(tmp):
    """A configured host under .invalid: the error says it does not resolve,
    and the stored rates are served meanwhile."""
    db = os.path.join(tmp, "rates.db")
    seed(tmp, db)
    url = "http://rates.cconv-test.invalid/v1/latest"
    d = Daemon(tmp, [url], ["--max-age", str(MAX_AGE)])
    try:
        d.wait_refreshes(1)
        h = d.health()
        assert "resolve" in h["last_fetch"]["error"] and url in h["last_fetch"]["error"], h
        assert h["stale"] is True and d.get("/convert/GBP/100")[2] == "GBP 88.40\n"
    finally:
        d.stop()


if __name__ == "__main__":
    run([test_upstream_faults, test_unresolvable_upstream_configured])
