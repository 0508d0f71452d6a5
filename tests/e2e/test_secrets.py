"""Credentials in upstream URLs: a password in the userinfo and a key in the
query are sent to the upstream, and shown nowhere: not in /healthz, /metrics,
the daemon's log (a good round, a failed one, a refused option), the database
file, cconv's messages or its cache."""
import base64
import glob
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, Daemon, Upstream, cconv, refused_url, run, wait_until  # noqa: E402

SECRETS = ("s3cret", "SECRET")


def with_credentials(url):
    """http://127.0.0.1:P/v1/latest → http://user:s3cret@127.0.0.1:P/v1/latest?access_key=SECRET"""
    return url.replace("http://", "http://user:s3cret@") + "?access_key=SECRET"


def assert_hidden(where, text):
    for s in SECRETS:
        assert s not in text, f"{s!r} in {where}:\n{text}"


def test_credentials_are_shown_nowhere(tmp):
    up = Upstream()
    try:
        url = with_credentials(up.url)
        d = Daemon(tmp, [url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            # The credentials still reach the upstream.
            assert up.last_headers.get("Authorization") == "Basic " + base64.b64encode(b"user:s3cret").decode()
            assert up.paths[-1].endswith("?access_key=SECRET"), up.paths
            health = d.get("/healthz")[2]
            assert "http://***@127.0.0.1" in health and "access_key=***" in health, health
            assert_hidden("/healthz", health)
            up.mode = "http_503"
            d.refresh()
            failed = d.get("/healthz")[2]
            assert "HTTP 503" in failed, failed
            assert_hidden("/healthz after a failure", failed)
            assert_hidden("/metrics", d.get("/metrics")[2])
            # cconv asking this daemon through a URL with credentials, and
            # asking the upstream directly when the daemon is not there.
            server = d.base.replace("http://", "http://u:s3cret@")
            rc, out, err = cconv(tmp, ["-v", "GBP", "1"], server=server)
            assert rc == 0 and "daemon http://***@127.0.0.1" in err, (rc, out, err)
            assert_hidden("cconv's output", out + err)
        finally:
            d.stop()
        assert_hidden("the daemon's log", d.stderr())
        assert "upstream 'http://***@127.0.0.1" in d.stderr(), d.stderr()
        for path in glob.glob(d.db + "*"):
            with open(path, "rb") as f:
                assert_hidden(path, f.read().decode("latin-1"))
        with sqlite3.connect(d.db) as db:
            assert_hidden("the database dump", "\n".join(db.iterdump()))
        up.mode = "ok"
        rc, out, err = cconv(tmp, ["-v", "GBP", "1"], upstream=url)
        assert rc == 0 and "upstream http://***@127.0.0.1" in err, (rc, out, err)
        assert_hidden("cconv's output", out + err)
        for path in glob.glob(os.path.join(tmp, "cache", "cconv", "*")):
            with open(path) as f:
                assert_hidden(path, f.read())
        up.mode = "http_500"
        for path in glob.glob(os.path.join(tmp, "cache", "cconv", "*")):
            os.unlink(path)  # so the error names every source it tried
        rc, out, err = cconv(tmp, ["-v", "--upstream", url, "GBP", "1"])
        assert "HTTP 500" in err, (rc, out, err)
        assert_hidden("cconv's errors", out + err)
    finally:
        up.stop()


# The schema of user_version 1, whose upstream column held URLs as given.
SCHEMA_1 = """
CREATE TABLE snapshots(date TEXT PRIMARY KEY, pivot TEXT NOT NULL, fetched_at INTEGER NOT NULL, upstream TEXT NOT NULL);
CREATE TABLE rates(date TEXT NOT NULL REFERENCES snapshots(date) ON DELETE CASCADE, currency TEXT NOT NULL,
                   rate TEXT NOT NULL, PRIMARY KEY(date, currency)) WITHOUT ROWID;
PRAGMA user_version = 1;
"""


def test_an_older_database_loses_its_credentials(tmp):
    db = os.path.join(tmp, "rates.db")
    old = with_credentials("http://127.0.0.1:9/v1/latest")
    with sqlite3.connect(db) as c:
        c.executescript(SCHEMA_1)
        for day, at in (("2026-11-19", 1763571600), ("2026-11-20", 1763658000)):
            c.execute("INSERT INTO snapshots VALUES (?, 'EUR', ?, ?)", (day, at, old))
            c.executemany("INSERT INTO rates VALUES (?, ?, ?)", [(day, "GBP", "0.8608"), (day, "USD", "1.1252")])
    c.close()
    d = Daemon(tmp, [refused_url()])
    try:
        wait_until(lambda: d.get("/healthz")[0] == 200, 10, "the stored rates")
        health = d.get("/healthz")[2]
        assert "http://***@127.0.0.1:9/v1/latest?access_key=***" in health, health
        assert_hidden("/healthz", health)
        assert '"GBP":0.8608' in d.get("/2026-11-19")[2]
    finally:
        d.stop()
    assert_hidden("the daemon's log", d.stderr())
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 3
        assert {r[0] for r in c.execute("SELECT upstream FROM sources")} == \
            {"http://***@127.0.0.1:9/v1/latest?access_key=***"}
        assert c.execute("SELECT count(*) FROM observations").fetchone()[0] == 4
    c.close()
    for path in glob.glob(db + "*"):
        with open(path, "rb") as f:
            assert_hidden(path, f.read().decode("latin-1"))


def test_refused_urls_are_quoted_redacted(tmp):
    bad = "ftp://user:s3cret@127.0.0.1/r?access_key=SECRET"
    p = subprocess.run([CCONVD, "--db", os.path.join(tmp, "rates.db"), "--upstream", bad], capture_output=True,
                       text=True, timeout=10)
    assert p.returncode != 0 and "--upstream 'ftp://***@127.0.0.1/r?acces" in p.stderr, p.stderr
    assert_hidden("cconvd's refusal", p.stderr)
    rc, out, err = cconv(tmp, ["--upstream", bad, "GBP", "1"])
    assert rc != 0 and "ftp://***@" in err, (rc, out, err)
    assert_hidden("cconv's refusal", out + err)
    rc, out, err = cconv(tmp, ["GBP", "1"], upstream=with_credentials(refused_url()) + ",")
    assert rc != 0 and "empty URL in the list" in err, (rc, out, err)
    assert_hidden("cconv's refusal", out + err)


if __name__ == "__main__":
    run([test_credentials_are_shown_nowhere, test_an_older_database_loses_its_credentials,
         test_refused_urls_are_quoted_redacted])
