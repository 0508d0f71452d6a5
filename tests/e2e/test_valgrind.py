"""Valgrind memcheck over one daemon session: start, every route, a refresh, SIGTERM.

Memcheck must find no invalid read or write, no use of uninitialised memory and
nothing definitely lost (--error-exitcode turns any of them into exit 99, which
Daemon.stop() refuses).  Skipped without valgrind, and for a sanitizer build
(ASan and TSan binaries cannot run under valgrind).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, DATE, Daemon, Upstream, expected, run, sanitizer_build, wait_until  # noqa: E402

VALGRIND = ["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite", "--error-exitcode=99", "--track-origins=yes"]
ROUTES = [
    ("GET", "/convert/GBP/100", 200), ("GET", "/convert?from=USD&to=JPY&amount=1234.5", 200),
    ("GET", "/latest", 200), ("GET", "/latest?base=USD&symbols=GBP,KWD&amount=3", 200),
    ("GET", "/currencies", 200), ("GET", "/healthz", 200), ("HEAD", "/convert/GBP/1", 200),
    ("GET", "/convert/GBP/1e3", 400), ("GET", "/convert?to=GBP&to=USD", 400), ("GET", "/convert/XYZ/1", 404),
    ("GET", "/nope", 404), ("POST", "/convert/GBP/1", 405), ("GET", "/healthz%00", 404),
    ("GET", "/", 200), ("GET", "/metrics", 200), ("GET", "/" + DATE, 200), ("GET", "/1999-01-04", 404),
    ("GET", "/" + DATE + ".." + DATE + "?to=GBP", 200), ("GET", "/v1/latest", 200),
    ("GET", "/convert?to=GBP&date=" + DATE, 200), ("GET", "/2026-02-30", 422), ("GET", "/v1/nope", 404),
    ("OPTIONS", "/latest", 204), ("GET", "/v2", 200), ("GET", "/v2/rates?quotes=GBP,JPY", 200),
    ("GET", "/v2/rates.csv?base=USD", 200), ("GET", "/v2/rate/USD/GBP", 200), ("GET", "/v2/rate/USD/XYZ", 422),
    ("GET", "/v2/rates?bogus=1", 422), ("GET", "/v2/currencies", 200), ("GET", "/v2/currency/GBP", 200),
    ("GET", "/v2/providers", 200), ("GET", "/stats/eurofxref/eurofxref-daily.xml", 404),
    ("GET", "/latest?access_key=k&to=XYZ", 404),
]


def test_daemon_session_under_memcheck(tmp):
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url], wrap=lambda cmd: VALGRIND + cmd, slow=6)
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 60, "rates under valgrind")
            for method, path, status in ROUTES:
                got = d.get(path, method=method)
                assert got[0] == status, (method, path, got)
            up.body = dict(up.body, rates=dict(up.body["rates"], GBP=0.9))
            d.refresh()
            assert d.get("/convert/GBP/100")[2] == f"GBP {expected('100', 'EUR', 'GBP', dict(up.body['rates']))}\n"
        finally:
            d.stop()
    finally:
        up.stop()
    log = d.stderr()
    assert "ERROR SUMMARY: 0 errors" in log, log[-4000:]
    assert "definitely lost: 0 bytes" in log or "no leaks are possible" in log, log[-4000:]
    summary = [line.split("== ", 1)[-1].strip() for line in log.splitlines()
               if "ERROR SUMMARY" in line or "definitely lost" in line or "in use at exit" in line]
    print("memcheck: " + "; ".join(summary))


if __name__ == "__main__":
    if shutil.which("valgrind") is None:
        print("skipped: valgrind is not installed")
        sys.exit(77)
    if CCONVD and sanitizer_build():
        print("skipped: a sanitizer build cannot run under valgrind")
        sys.exit(77)
    run([test_daemon_session_under_memcheck])
