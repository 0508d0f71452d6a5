"""A FIFO where a program reads a file it is told of: cconv's cache (so every
fallback to it and shell completion, which asks --offline), cconv's config
file, a file:// upstream and cconvd --import.  Each returns at once with a reason; none waits for
a writer that never comes."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, Daemon, cconv, check_sanitizers, run  # noqa: E402

PROMPT = 5  # seconds: far more than any of these takes, far less than a hang


def fifo(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.mkfifo(path)
    return path


def test_fifo_as_cache(tmp):
    fifo(os.path.join(tmp, "cache", "cconv", "latest.json"))
    # --offline, the daemon-down fallback (daemon and upstream refuse), and
    # the command shell completion runs on Tab.
    for args in (["--offline", "GBP", "1"], ["GBP", "1"], ["--list", "--offline", "--raw"]):
        started = time.monotonic()
        rc, out, err = cconv(tmp, args, timeout=PROMPT)
        assert time.monotonic() - started < PROMPT
        assert rc != 0 and out == "" and "a FIFO, not a regular file" in err, (args, rc, out, err)


def test_fifo_as_config(tmp):
    fifo(os.path.join(tmp, "config", "cconv", "config"))
    rc, out, err = cconv(tmp, ["--offline", "GBP", "1"], env={"XDG_CONFIG_HOME": os.path.join(tmp, "config")},
                         timeout=PROMPT)
    assert rc != 0 and "a FIFO, not a regular file" in err, (rc, out, err)


def test_fifo_as_file_upstream(tmp):
    """libcurl's own open of a file:// path would wait past every timeout, and
    hold the daemon's shutdown."""
    url = "file://" + fifo(os.path.join(tmp, "feed", "latest.json"))
    rc, out, err = cconv(tmp, ["-v", "GBP", "1"], upstream=url, timeout=PROMPT)  # -v: each source's reason
    assert rc != 0 and f"upstream '{url}': a FIFO, not a regular file" in err, (rc, out, err)
    d = Daemon(tmp, [url])
    try:
        d.logged(f"upstream '{url}': a FIFO, not a regular file", timeout=PROMPT)
    finally:
        d.stop()


def test_fifo_as_import(tmp):
    path = fifo(os.path.join(tmp, "feed", "rates.csv"))
    p = subprocess.run([CCONVD, "--db", os.path.join(tmp, "rates.db"), "--import", path], capture_output=True,
                       text=True, timeout=PROMPT)
    check_sanitizers("cconvd", p.stderr)
    assert p.returncode != 0 and "a FIFO, not a regular file" in p.stderr, (p.returncode, p.stderr)


if __name__ == "__main__":
    run([test_fifo_as_cache, test_fifo_as_config, test_fifo_as_file_upstream, test_fifo_as_import])
