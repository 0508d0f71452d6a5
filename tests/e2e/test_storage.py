"""Storage faults: a full disk, a file-size limit, a database deleted under
the daemon, a --db that is not a file, a read-only file system.  The daemon keeps answering
(new rates from memory), /healthz reports the storage error and clears it once
a save works again, and it never exits because SQLite failed.

Real file systems without touching the host's mounts: the daemon runs in its
own user + mount namespace (`unshare -rm`) on a small tmpfs, and the test
reaches that tmpfs through /proc/PID/root."""
import contextlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, Daemon, Skip, Upstream, cconv, cconvd_once, ecb_csv, run, write_file  # noqa: E402


def unshare_works():
    try:
        return subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                              capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def need_unshare():
    if shutil.which("unshare") is None or not unshare_works():
        raise Skip("'unshare -rm' with a tmpfs mount is not allowed here (user namespaces off?)")


def on_tmpfs(folder, size_kib, setup=""):
    """wrap= for Daemon: cconvd on a fresh tmpfs of size_kib at folder, after setup (sh)."""
    def wrap(cmd):
        script = f'mount -t tmpfs -o size={size_kib}k tmpfs "$1" && {setup or "true"} && shift && exec "$@"'
        return ["unshare", "-rm", "sh", "-c", script, "sh", folder] + cmd
    return wrap


def stored_rates(db, pid=None):
    """The stored GBP rate; with pid, as seen inside that process's mount
    namespace (SQLite resolves the /proc/PID/root symlink, so it must run there)."""
    if pid is None:
        with contextlib.closing(sqlite3.connect(db)) as c:
            return dict(c.execute("SELECT currency, rate FROM observations WHERE currency = 'GBP'"
                                  " ORDER BY date, fetched_at"))
    code = ("import sqlite3, sys, json; c = sqlite3.connect(sys.argv[1]); "
            "print(json.dumps(dict(c.execute(\"SELECT currency, rate FROM observations WHERE currency = 'GBP'\""
            " \" ORDER BY date, fetched_at\"))))")
    p = subprocess.run(["nsenter", "-t", str(pid), "-U", "-m", "--preserve-credentials", sys.executable, "-c",
                        code, db], capture_output=True, text=True, timeout=10, check=True)
    return json.loads(p.stdout)


def new_rates(d, up, gbp):
    """Changes the upstream's GBP rate and refreshes: served from memory whatever the disk did."""
    up.body["rates"]["GBP"] = gbp
    d.refresh()
    assert d.health()["last_fetch"]["ok"] is True, d.health()
    assert d.get("/convert/GBP/100")[2] == "GBP %.2f\n" % (100 * gbp), d.get("/convert/GBP/100")
    rc, out, err = cconv(d.tmp, ["GBP", "100"], server=d.base)  # the CLI sees nothing of the disk
    assert (rc, out, err) == (0, "%.2f GBP\n" % (100 * gbp), ""), (rc, out, err)


def assert_storage_error(d, *needles):
    err = d.health()["storage_error"]
    assert err is not None and all(n in err for n in needles), (needles, err)
    assert d.proc.poll() is None


def test_full_disk(tmp):
    need_unshare()
    folder = os.path.join(tmp, "fs")
    os.mkdir(folder)
    up = Upstream()
    d = Daemon(tmp, [up.url], db=os.path.join(folder, "rates.db"), wrap=on_tmpfs(folder, 1024))
    try:
        d.wait_refreshes(1)
        inside = f"/proc/{d.proc.pid}/root{folder}"
        assert d.health()["storage_error"] is None
        filler = os.path.join(inside, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass  # ENOSPC: the file system is full
        new_rates(d, up, 0.91)
        assert_storage_error(d, "full", folder)
        assert d.logged("serving the new rates from memory only")
        assert stored_rates(d.db, d.proc.pid) == {"GBP": "0.884"}
        os.unlink(filler)
        new_rates(d, up, 0.92)
        assert d.health()["storage_error"] is None, d.health()
        assert stored_rates(d.db, d.proc.pid) == {"GBP": "0.92"}
    finally:
        d.stop()
        up.stop()


def test_file_size_limit(tmp):
    """RLIMIT_FSIZE reached: writes fail with EFBIG instead of SIGXFSZ killing the daemon."""
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        _, hard = resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE, (1024, hard))
        new_rates(d, up, 0.91)
        assert_storage_error(d, d.db)
        resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE, (hard, hard))
        new_rates(d, up, 0.92)
        assert d.health()["storage_error"] is None
        assert stored_rates(d.db) == {"GBP": "0.92"}
    finally:
        d.stop()
        up.stop()


def test_database_deleted_under_the_daemon(tmp):
    up = Upstream()
    d = Daemon(tmp, [up.url])
    try:
        d.wait_refreshes(1)
        os.unlink(d.db)
        new_rates(d, up, 0.91)
        assert d.logged("the database file was deleted; opening it again")
        assert d.health()["storage_error"] is None
        assert stored_rates(d.db) == {"GBP": "0.91"}  # history goes on in a new file
    finally:
        d.stop()
    # ... and a restart answers from it.
    d = Daemon(tmp, ["http://127.0.0.1:9/"])
    try:
        assert d.get("/convert/GBP/100")[2] == "GBP 91.00\n"
    finally:
        d.stop()
        up.stop()


def test_database_that_is_not_a_file(tmp):
    """--db naming a FIFO, a folder or a device (a link to /dev/null) is refused before anything is created
    beside it (no journal, no lock file), by the daemon and by --import alike."""
    os.mkfifo(os.path.join(tmp, "fifo.db"))
    os.mkdir(os.path.join(tmp, "folder.db"))
    os.symlink("/dev/null", os.path.join(tmp, "null.db"))
    csv = write_file(tmp, "day.csv", ecb_csv({DATE: {"USD": "1.1"}}))
    for name, kind in (("folder.db", "a folder"), ("null.db", "a character device"), ("fifo.db", "a FIFO")):
        db = os.path.join(tmp, name)
        for args in (["--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9/"], ["--import", csv]):
            rc, err = cconvd_once(tmp, args, db=db)
            assert rc == 1 and f"store '{db}': {kind}, not a regular file" in err, (name, args, rc, err)
    assert sorted(os.listdir(tmp)) == ["day.csv", "fifo.db", "folder.db", "null.db"], os.listdir(tmp)
    assert os.listdir(os.path.join(tmp, "folder.db")) == []


def test_read_only_file_system(tmp):
    """The database's file system read-only.  At start, cconvd refuses with
    the reason (it could serve, but would silently keep nothing; an operator
    should hear it at once).  At run time, once the file is gone and cannot be
    created again, it goes on serving from memory.  A file system cannot be
    remounted read-only under a process holding files open for writing
    (EBUSY), so the run-time case puts a read-only bind mount over the folder."""
    need_unshare()
    folder = os.path.join(tmp, "fs")
    os.mkdir(folder)
    up = Upstream()
    try:
        seed = os.path.join(tmp, "seed.db")
        with contextlib.closing(sqlite3.connect(seed)) as c:
            c.execute("CREATE TABLE t(x)")
        db = os.path.join(folder, "rates.db")
        setup = f'cp "{seed}" "$1/rates.db" && mount -o remount,ro "$1"'
        p = subprocess.run(on_tmpfs(folder, 1024, setup)([os.environ["CCONVD"], "--db", db]),
                           capture_output=True, text=True, timeout=10)
        assert p.returncode == 1 and "Read-only file system" in p.stderr and db in p.stderr, (p.returncode, p.stderr)

        d = Daemon(tmp, [up.url], db=db, wrap=on_tmpfs(folder, 1024))
        try:
            d.wait_refreshes(1)
            os.unlink(f"/proc/{d.proc.pid}/root{db}")
            subprocess.run(["nsenter", "-t", str(d.proc.pid), "-U", "-m", "--preserve-credentials", "sh", "-c",
                            f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}"'],
                           check=True, timeout=10)
            new_rates(d, up, 0.92)
            assert_storage_error(d, db)
            new_rates(d, up, 0.93)  # every save is tried again, and the daemon keeps serving
            assert_storage_error(d, db)
        finally:
            d.stop()
    finally:
        up.stop()


if __name__ == "__main__":
    run([test_full_disk, test_file_size_limit, test_database_deleted_under_the_daemon,
         test_database_that_is_not_a_file, test_read_only_file_system])
