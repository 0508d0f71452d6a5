"""A clock that ran ahead: days saved under it are never served as the newest.

Rates are imported under faketime (libfaketime, Debian package faketime) set months ahead, so the store holds
a day that is not published yet and a fetch time after now; the daemon, started with the true clock, must
serve the newest day that is not from the future, say once that it passed one over, and take the real
upstream's rates as new, not as "older than the rates served".  Skipped (77) without faketime.
"""
import datetime
import email.utils
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONVD, DATE, Daemon, Skip, Upstream, check_sanitizers, cconvd_once,  # noqa: E402
                    frankfurter_json, refused_url, run, write_file)

FAKETIME = shutil.which("faketime")


def import_under_faketime(tmp, at, path):
    """cconvd --import path, with the clock starting at `at` (a datetime, UTC)."""
    env = dict(os.environ, TZ="UTC")
    # libfaketime is preloaded ahead of a sanitizer's runtime, which would otherwise refuse to start.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    p = subprocess.run([FAKETIME, "-f", "@" + at.strftime("%Y-%m-%d %H:%M:%S"), CCONVD, "--db",
                        os.path.join(tmp, "rates.db"), "--import", path], capture_output=True, text=True,
                       env=env, timeout=60)
    check_sanitizers("cconvd", p.stderr)
    assert p.returncode == 0, p.stderr
    return p.stderr


def test_future_day_not_served(tmp):
    if FAKETIME is None:
        raise Skip("faketime is not installed")
    ahead = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=200)
    future_date = (ahead - datetime.timedelta(days=1)).date().isoformat()
    err = import_under_faketime(tmp, ahead, write_file(tmp, "future.json", frankfurter_json(
        {future_date: {"GBP": "0.5", "USD": "2.0"}})))
    assert "1 added" in err, err
    earlier = (datetime.date.fromisoformat(DATE) - datetime.timedelta(days=1)).isoformat()
    rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "earlier.json", frankfurter_json(
        {earlier: {"GBP": "0.883", "USD": "1.05"}}))])
    assert rc == 0, err

    # Upstream down: the start serves the newest day not from the future, and says so once.
    d = Daemon(tmp, [refused_url()])
    try:
        now = datetime.datetime.now(datetime.timezone.utc)
        h = d.health()
        assert h["date"] == earlier, h
        assert datetime.datetime.fromisoformat(h["fetched_at"].replace("Z", "+00:00")) <= now, h
        status, headers, body = d.get("/latest")
        assert status == 200 and f'"date":"{earlier}"' in body, body
        assert email.utils.parsedate_to_datetime(headers["last-modified"]) <= now, headers
        d.refresh()
        d.refresh()
        assert d.stderr().count(f"stored rates dated {future_date} are ahead of the clock") == 1, d.stderr()
    finally:
        d.stop()

    # A real fetch is new rates, served, not "older than the rates served".
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        assert d.health()["date"] == DATE, d.health()
        assert "refresh ok (new rates)" in d.stderr() and "older than" not in d.stderr(), d.stderr()
    finally:
        d.stop()
        up.stop()


if __name__ == "__main__":
    run([test_future_day_not_served])
