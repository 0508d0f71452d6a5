"""What cconvd tells a person: a second daemon on a taken address is refused at
start (it never shares the port with the first), a failure that stops it says
"error:", its lines carry their UTC time unless stderr is the journal (which
stamps them itself), -v shows nothing libmicrohttpd prints on its own, and
--help's text column clears the longest option."""
import datetime
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import CCONVD, Daemon, check_sanitizers, serving, refused_url, run  # noqa: E402

STAMPED = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) cconvd: (info|warning|error|debug): \S")
PLAIN = re.compile(r"^cconvd: (info|warning|error|debug): \S")


def cconvd(args, env=None, stderr_path=None, timeout=20):
    """cconvd run to its exit: (exit code, stderr).  With stderr_path, stderr goes to that file."""
    e = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    e.update(env or {})
    if stderr_path is None:
        p = subprocess.run([CCONVD, *args], capture_output=True, text=True, env=e, timeout=timeout)
        err = p.stderr
    else:
        with open(stderr_path, "w") as f:
            p = subprocess.run([CCONVD, *args], stdout=subprocess.DEVNULL, stderr=f, env=e, timeout=timeout)
        with open(stderr_path) as f:
            err = f.read()
    check_sanitizers("cconvd", err)
    return p.returncode, err


def test_taken_address_is_refused(tmp):
    """The first daemon keeps every request; the second exits 1 naming the address and the way out."""
    with serving(tmp) as (_up, d):
        addr = f"127.0.0.1:{d.port}"
        rc, err = cconvd(["--listen", addr, "--db", os.path.join(tmp, "second.db"),
                          "--upstream", refused_url()])
        assert rc == 1, (rc, err)
        said = [x for x in err.splitlines() if "listen" in x]
        assert len(said) == 1 and f"cconvd: error: listen '{addr}': address already in use" in said[0] \
            and "choose another --listen" in said[0], err
        assert "listening on" not in err, err
        statuses = [d.get("/convert/GBP/100")[0] for _ in range(30)]
        assert statuses == [200] * 30, statuses


def test_restart_on_the_same_port_binds_at_once(tmp):
    """SO_REUSEADDR stays: a daemon that closed connections itself leaves them
    in TIME_WAIT, and the next one binds the same port without waiting."""
    with serving(tmp) as (_up, d):
        port = d.port
        # Read to the end before closing: the daemon is the side that closes first.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(b"GET /convert/GBP/100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = b""
            while chunk := c.recv(4096):
                got += chunk
        assert got.startswith(b"HTTP/1.1 200 ") and got.endswith(b"GBP 88.40\n"), got
    d2 = Daemon(tmp, [refused_url()], ["--listen", f"127.0.0.1:{port}"])
    try:
        assert d2.port == port
    finally:
        d2.stop()


def test_usage_error_says_error(tmp):
    rc, err = cconvd(["--bogus"])
    assert rc == 64, (rc, err)
    lines = err.splitlines()
    assert len(lines) == 1 and STAMPED.match(lines[0]), lines
    assert "cconvd: error: unknown option '--bogus' (see cconvd --help)" in lines[0], lines
    assert "warning" not in err, err


def test_lines_carry_their_time_unless_the_journal_does(tmp):
    """JOURNAL_STREAM unset, or naming another file than stderr: every line
    starts with its UTC time.  Naming stderr itself (what systemd sets): none does."""
    args = ["--db", os.path.join(tmp, "r.db"), "--listen", "127.0.0.1:0", "--bogus-only-to-exit"]
    path = os.path.join(tmp, "stderr.log")
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    rc, err = cconvd(args, stderr_path=path)
    after = datetime.datetime.now(datetime.timezone.utc)
    assert rc == 64 and err.count("\n") == 1, (rc, err)
    m = STAMPED.match(err)
    assert m, err
    when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert before <= when <= after, (before, when, after)

    st = os.stat(path)
    rc, err = cconvd(args, env={"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}, stderr_path=path)
    assert rc == 64 and PLAIN.match(err) and err.count("\n") == 1, err
    for other in (f"{st.st_dev}:{st.st_ino + 1}", "garbage", f"{st.st_dev}:{st.st_ino}x"):
        rc, err = cconvd(args, env={"JOURNAL_STREAM": other}, stderr_path=path)
        assert rc == 64 and STAMPED.match(err), (other, err)


def test_verbose_shows_only_our_lines(tmp):
    """-v through a whole start, a refresh and a stop: every stderr line is one
    of cconvd's own, stamped; libmicrohttpd prints nothing past our logger."""
    d = Daemon(tmp, [refused_url()], ["-v"])
    try:
        d.wait_refreshes(1)
        assert d.get("/healthz")[0] == 503
    finally:
        d.stop()
    assert "MHD_OPTION" not in d.stderr(), d.stderr()
    bad = [x for x in d.stderr().splitlines() if not PLAIN.match(x)]
    assert not bad, bad


def test_help_columns_align(tmp):
    p = subprocess.run([CCONVD, "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    opts = out.split("Options:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    starts = set()
    for line in opts:
        m = re.match(r"^  ((?:-\w, |    )--[\w-]+(?: \S+)?)(\s+)(\S)", line)
        if m:
            assert len(m.group(2)) >= 2, f"option runs into its text: {line!r}"
            starts.add(m.start(3))
    assert len(starts) == 1 and len([x for x in opts if x.lstrip().startswith("-")]) > 10, (starts, opts)
    for line in opts:  # continuation lines start in the same column
        if not line.lstrip().startswith("-") and line.strip():
            assert len(line) - len(line.lstrip()) >= min(starts), line


if __name__ == "__main__":
    run([test_taken_address_is_refused, test_restart_on_the_same_port_binds_at_once, test_usage_error_says_error,
         test_lines_carry_their_time_unless_the_journal_does, test_verbose_shows_only_our_lines,
         test_help_columns_align])
