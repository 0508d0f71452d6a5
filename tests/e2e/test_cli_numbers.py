"""Numbers a person can read, and messages with a next step, where a person sees them: cconv in a
pseudo-terminal.  At a terminal the results are grouped as LC_NUMERIC groups them (en_US, de_DE); piped,
--raw and --json they are the plain text scripts read.  Grouped amounts are read when they can mean one
number only, and refused with how to write them when they cannot.

The two locales are compiled with localedef into a folder of the test's own (LOCPATH), from the sources of
Debian's `locales` package (.ci/packages), so no root and no locale-gen are needed."""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONV, DATE, Daemon, Skip, Upstream, check_sanitizers, cconv, expected, refused_url,  # noqa: E402
                    run, serving, wait_until)

LOCALES = {"en_US.UTF-8": (",", "."), "de_DE.UTF-8": (".", ",")}  # thousands separator, decimal point
_LOCPATH = []


def locpath():
    """A folder holding en_US.UTF-8 and de_DE.UTF-8, compiled once for the whole run."""
    if not _LOCPATH:
        localedef = shutil.which("localedef")
        if not localedef or not os.path.exists("/usr/share/i18n/locales/de_DE"):
            raise Skip("localedef or the locale sources are missing: apt-get install locales")
        where = tempfile.mkdtemp(prefix="cconv-locales-")
        for name in LOCALES:
            lang, charmap = name.split(".")
            p = subprocess.run([localedef, "-c", "-i", lang, "-f", charmap, os.path.join(where, name)],
                               capture_output=True, text=True, timeout=120)
            assert os.path.isdir(os.path.join(where, name)), (name, p.returncode, p.stderr)
        _LOCPATH.append(where)
    return _LOCPATH[0]


def environment(tmp, locale, server):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    e.update(HOME=tmp, XDG_CACHE_HOME=os.path.join(tmp, "cache"), CCONV_SERVER=server,
             CCONV_UPSTREAM=refused_url(), LOCPATH=locpath(), LC_ALL=locale)
    # Under LOCPATH, p11-kit's constructor (loaded by libcurl's TLS) calls glibc's newlocale(), which never
    # frees its copy of LOCPATH: not ours to fix, and said to the sanitizer by that library's name alone
    # (full stacks, or the frame that names it is not seen).
    supp = os.path.join(locpath(), "lsan.supp")
    if not os.path.exists(supp):
        with open(supp, "w") as f:
            f.write("leak:libp11-kit.so\n")
    e["LSAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("LSAN_OPTIONS"), f"suppressions={supp}",
                                                 "fast_unwind_on_malloc=0", "print_suppressions=0"]))
    return e


def at_terminal(tmp, args, locale, server):
    """cconv with stdout and stderr on a pseudo-terminal, as a person runs it: (exit code, what the terminal
    showed, with the terminal's CR LF made LF)."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([CCONV, *args], stdin=slave, stdout=slave, stderr=slave,
                             env=environment(tmp, locale, server))
    finally:
        os.close(slave)
    shown = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, f"cconv {args} wrote nothing for 30 s"
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    rc = p.wait(timeout=30)
    text = shown.decode().replace("\r\n", "\n")
    check_sanitizers("cconv", text)
    return rc, text


def piped(tmp, args, locale, server):
    return cconv(tmp, args, server=server, env=environment(tmp, locale, server))


def grouped(plain, locale):
    """plain decimal text written as the locale writes it (Python's grouping by threes, marks swapped)."""
    sep, point = LOCALES[locale]
    return format(Decimal(plain), ",").replace(",", "\0").replace(".", point).replace("\0", sep)


def test_grouped_at_a_terminal(tmp):
    with serving(tmp) as (up, d):
        jpy, gbp = expected("1000000", "EUR", "JPY"), expected("1234567", "USD", "GBP")
        assert len(jpy) > 7 and "." in gbp and len(gbp) > 9, (jpy, gbp)
        for locale in LOCALES:
            rc, shown = at_terminal(tmp, ["JPY", "1000000"], locale, d.base)
            assert (rc, shown) == (0, f"{grouped(jpy, locale)} JPY\n"), (locale, rc, shown)
            rc, shown = at_terminal(tmp, ["-f", "USD", "GBP", "1234567"], locale, d.base)
            assert (rc, shown) == (0, f"{grouped(gbp, locale)} GBP\n"), (locale, rc, shown)
            # Piped, --raw and --json: what scripts read, whatever the locale.
            assert piped(tmp, ["JPY", "1000000"], locale, d.base) == (0, f"{jpy} JPY\n", ""), locale
            assert at_terminal(tmp, ["--raw", "JPY", "1000000"], locale, d.base) == (0, f"{jpy}\n"), locale
            rc, shown = at_terminal(tmp, ["--json", "JPY", "1000000"], locale, d.base)
            assert rc == 0 and f'"result":{jpy},' in shown, (locale, shown)
        # The C locale groups nothing, at a terminal too.
        assert at_terminal(tmp, ["JPY", "1000000"], "C.UTF-8", d.base) == (0, f"{jpy} JPY\n")
    assert grouped("163360000", "en_US.UTF-8") == "163,360,000" and grouped("1.5", "de_DE.UTF-8") == "1,5"


def test_grouped_amounts(tmp):
    """Read when they mean one number only, in the locale's writing or in any; refused, exit 64, with how to
    write each reading, when they do not."""
    with serving(tmp) as (up, d):
        def answer(amount):
            return (0, f"{expected(amount, 'EUR', 'GBP')} GBP\n", "")

        for locale, typed in (("en_US.UTF-8", "1,000.50"), ("de_DE.UTF-8", "1.000,50"), ("de_DE.UTF-8", "1 000,50"),
                              ("C.UTF-8", "1_000.50"), ("C.UTF-8", "1,000.50"), ("en_US.UTF-8", "1.000,50")):
            assert piped(tmp, ["GBP", typed], locale, d.base) == answer("1000.50"), (locale, typed)
        assert piped(tmp, ["GBP", "1,500"], "en_US.UTF-8", d.base) == answer("1500")
        assert piped(tmp, ["GBP", "1,500"], "de_DE.UTF-8", d.base) == answer("1.5")
        assert piped(tmp, ["GBP", "100,50"], "de_DE.UTF-8", d.base) == answer("100.50")
        assert piped(tmp, ["GBP", "1234.5"], "de_DE.UTF-8", d.base) == answer("1234.5")  # a script's amount
        assert piped(tmp, ["100", "GBP"], "de_DE.UTF-8", d.base) == answer("100")
        for locale, typed, said in (
                ("en_US.UTF-8", "100,50",
                 "amount '100,50': ',' separates thousands here; write 100.50 if it is the decimal point"),
                ("de_DE.UTF-8", "1.500",
                 "amount '1.500' is ambiguous: write 1500 if '.' separates thousands, or 1,500 if it is the "
                 "decimal point"),
                ("C.UTF-8", "1,000",
                 "amount '1,000' is ambiguous: write 1000 if ',' separates thousands, or 1.000 if it is the "
                 "decimal point"),
                ("en_US.UTF-8", "1,000,50",
                 "amount '1,000,50': a separator goes between groups of three digits: 1_000_000, 1,000,000.50")):
            assert piped(tmp, ["GBP", typed], locale, d.base) == (64, "", f"cconv: {said}\n"), (locale, typed)
        # At a terminal, as a person types it: the amount in any operand form, the answer grouped.
        rc, shown = at_terminal(tmp, ["1.000.000", "jpy"], "de_DE.UTF-8", d.base)
        assert (rc, shown) == (0, grouped(expected("1000000", "EUR", "JPY"), "de_DE.UTF-8") + " JPY\n"), shown
        rc, shown = at_terminal(tmp, ["gbp", "1.500"], "de_DE.UTF-8", d.base)
        assert rc == 64 and shown.startswith("cconv: amount '1.500' is ambiguous: write 1500 "), (rc, shown)


def test_messages_with_a_next_step(tmp):
    """No daemon, no upstream, no cache: the cause, then the way out, and nothing else.  A daemon that answers
    with its sentence (no rates that far back) is the answer, in its words, exit 65."""
    server = "http://" + refused_url().split("/")[2]
    rc, shown = at_terminal(tmp, ["GBP", "100"], "en_US.UTF-8", server)
    assert (rc, shown) == (69, f"cconv: no rates: cconvd at {server} cannot be reached, no upstream answered, and "
                               "nothing is cached\ncconv: start cconvd, or set --server / CCONV_SERVER to where it "
                               "listens (cconv -v says what each source answered)\n"), (rc, shown)
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            rc, shown = at_terminal(tmp, ["--date", "1990-01-01", "GBP", "100"], "de_DE.UTF-8", d.base)
            assert (rc, shown) == (65, "cconv: no rates on or before 1990-01-01: the stored history starts on "
                                       f"{DATE}\n"), (rc, shown)
        finally:
            d.stop()
    finally:
        up.stop()
    assert not any("1990" in p for p in up.paths), up.paths


if __name__ == "__main__":
    try:
        run([test_grouped_at_a_terminal, test_grouped_amounts, test_messages_with_a_next_step])
    finally:
        for where in _LOCPATH:
            shutil.rmtree(where, ignore_errors=True)
