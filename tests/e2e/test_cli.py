"""The real cconv against the real cconvd: output, exit codes and its three sources."""
import datetime
import json
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONV, DATE, Ecb, QuietHandler, Upstream, cconv, check_sanitizers, expected,  # noqa: E402
                    refused_url, run, serving, start_server)


def test_answers_from_daemon(tmp):
    with serving(tmp) as (up, d):
        server = d.base
        rc, out, err = cconv(tmp, ["GBP", "100"], server=server)
        assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
        assert err == "", err
        rc, out, err = cconv(tmp, ["--from", "USD", "JPY,KWD", "1234.5"], server=server)
        want = f"{expected('1234.5', 'USD', 'JPY')} JPY\n{expected('1234.5', 'USD', 'KWD')} KWD\n"
        assert (rc, out) == (0, want), (rc, out, err)
        rc, out, err = cconv(tmp, ["-f", "usd", "gbp", "100"], server=server)
        assert out == f"{expected('100', 'USD', 'GBP')} GBP\n", out
        rc, out, err = cconv(tmp, ["-v", "GBP", "1"], server=server)
        assert rc == 0 and "daemon" in err and DATE in err, err
        rc, out, err = cconv(tmp, ["--json", "--from", "USD", "GBP,JPY", "100"], server=server)
        docs = [json.loads(line) for line in out.splitlines()]
        assert [x["to"] for x in docs] == ["GBP", "JPY"] and docs[0]["from"] == "USD", out
        assert f'"result":{expected("100", "USD", "GBP")},' in out.splitlines()[0]
        assert docs[0]["date"] == DATE and docs[0]["stale"] is False


def test_usage_and_currency_errors(tmp):
    with serving(tmp) as (up, d):
        server = d.base
        for args in (["GBP"], [], ["GBP", "1e3"], ["GBP", "-5"], ["GBP", "abc"], ["GBP,,USD", "1"],
                     ["--bogus", "GBP", "1"], ["GBP", "1", "2"]):
            rc, out, err = cconv(tmp, args, server=server)
            assert rc == 64 and out == "" and err.startswith("cconv: "), (args, rc, out, err)
        rc, out, err = cconv(tmp, ["GBP", "1e3"], server=server)
        assert "1e3" in err
        rc, out, err = cconv(tmp, ["XYZ", "1"], server=server)
        assert rc == 65 and "XYZ" in err and out == "", (rc, err)
        # Real currencies these rates lack, a current one and a withdrawn one: not "unknown".
        for code, name in (("NGN", "Nigerian Naira"), ("CYP", "Cyprus Pound")):
            rc, out, err = cconv(tmp, [code, "1"], server=server)
            assert (rc, out) == (65, "") and \
                err == f"cconv: no rate for {code} ({name}) in these rates; see cconv --list\n", (rc, out, err)
        rc, out, err = cconv(tmp, ["--help"])
        assert rc == 0 and "usage: cconv" in out and "man cconv" in out and err == "", (rc, out, err)


def test_daemon_down_falls_back_to_upstream_then_cache(tmp):
    up = Upstream()
    try:
        # 1. daemon unreachable -> upstream directly, with one note on stderr
        rc, out, err = cconv(tmp, ["GBP", "100"], upstream=up.url)
        assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
        assert "daemon" in err and up.url in err and len(err.strip().splitlines()) == 1, err
        assert os.path.exists(os.path.join(tmp, "cache", "cconv", "latest.json"))
    finally:
        up.stop()
    # 2. daemon and upstream down -> the cache, with a warning naming the date
    rc, out, err = cconv(tmp, ["GBP", "100"], upstream=refused_url())
    assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
    assert "cached" in err and DATE in err, err
    # 3. a corrupt cache is never trusted
    with open(os.path.join(tmp, "cache", "cconv", "latest.json"), "w") as f:
        f.write('{"base":"EUR","date":"2026-11-20","rates":{"GBP":-1}}')
    rc, out, err = cconv(tmp, ["GBP", "100"], upstream=refused_url())
    assert rc == 69 and out == "" and "cache" in err, (rc, out, err)


def test_cache_from_the_future_is_stale(tmp):
    """A cache whose fetched_at is in 2099 (written under a clock that ran ahead) is not fresh: cconv says
    its rates are stale, as it does for rates a day old."""
    os.makedirs(os.path.join(tmp, "cache", "cconv"))
    with open(os.path.join(tmp, "cache", "cconv", "latest.json"), "w") as f:
        f.write('{"amount":1.0,"base":"EUR","date":"%s","rates":{"GBP":0.884},'
                '"fetched_at":"2099-01-01T00:00:00Z","upstream":"https://example.invalid/latest"}' % DATE)
    rc, out, err = cconv(tmp, ["--offline", "GBP", "100"])
    assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
    assert "are stale" in err and "2099-01-01T00:00:00Z" in err, err
    rc, out, err = cconv(tmp, ["--offline", "--json", "GBP", "100"])
    assert rc == 0 and json.loads(out)["stale"] is True, (rc, out, err)


def test_nothing_anywhere_is_69(tmp):
    """No daemon, no upstream, no cache: one line for the cause, one for the way out (clig.dev); what each
    source said only with -v."""
    up_url = refused_url()
    server = "http://" + refused_url().split("/")[2]
    rc, out, err = cconv(tmp, ["GBP", "100"], server=server, upstream=up_url)
    assert (rc, out) == (69, ""), (rc, out, err)
    assert err == (f"cconv: no rates: cconvd at {server} cannot be reached, no upstream answered, and nothing is "
                   "cached\ncconv: start cconvd, or set --server / CCONV_SERVER to where it listens (cconv -v says "
                   "what each source answered)\n"), err
    rc, out, err = cconv(tmp, ["-v", "GBP", "100"], server=server, upstream=up_url)
    assert (rc, out) == (69, ""), (rc, out, err)
    lines = err.splitlines()
    assert lines[0].startswith(f"cconv: daemon {server} unavailable (") and "onnect" in lines[0], lines
    assert lines[1].startswith(f"cconv: debug: upstream '{up_url}': ") and "onnect" in lines[1], lines
    cache = os.path.join(tmp, "cache", "cconv", "latest.json")
    assert lines[2:] == [f"cconv: debug: cache '{cache}': No such file or directory",
                         f"cconv: no rates: cconvd at {server} cannot be reached, no upstream answered, and nothing "
                         "is cached", "cconv: start cconvd, or set --server / CCONV_SERVER to where it listens"], lines


def test_each_source_named_once(tmp):
    """Every failure line names each source once, in front of its reason,
    whatever the length of its URL (a long one once came back a second time,
    cut, in place of the reason)."""
    server = "http://" + refused_url().split("/")[2] + "/" + "p" * 600
    up_url = refused_url()
    rc, out, err = cconv(tmp, ["-v", "GBP", "100"], server=server, upstream=up_url)
    assert rc == 69 and out == "", (rc, out, err)
    note, upstream, cache, final, _ = err.splitlines()
    m = re.fullmatch(rf"cconv: daemon {re.escape(server)} unavailable \((.*)\); asking upstream "
                     rf"{re.escape(up_url)} directly", note)
    assert m and "onnect" in m.group(1) and "http" not in m.group(1), note  # libcurl's words, no URL
    assert upstream.startswith(f"cconv: debug: upstream '{up_url}': ") and "onnect" in upstream, upstream
    assert upstream.count(up_url) == 1 and cache.startswith("cconv: debug: cache '"), (upstream, cache)
    assert final == f"cconv: no rates: cconvd at {server} cannot be reached, no upstream answered, and nothing " \
        "is cached", final


def test_unwritable_stdout_is_74(tmp):
    """An answer that cannot be written is exit 74 with the reason on stderr, never a silent 0: a closed stdout,
    a full device, a pipe whose reader has gone while SIGPIPE is ignored.  With SIGPIPE at its default, a gone
    reader ends cconv by the signal, as it does any filter (so `cconv --list | head -1` prints no error)."""
    with serving(tmp) as (up, d):
        env = dict(os.environ, HOME=tmp, XDG_CACHE_HOME=os.path.join(tmp, "cache"), CCONV_SERVER=d.base,
                   CCONV_UPSTREAM=refused_url())

        def run_with(stdout, **kw):
            p = subprocess.run([CCONV, "GBP", "100"], stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
                               timeout=60, **kw)
            check_sanitizers("cconv", p.stderr)
            return p.returncode, p.stderr

        closed = subprocess.run(f"'{CCONV}' GBP 100 >&-; echo $?", shell=True, env=env, text=True,
                                capture_output=True, timeout=60)
        assert closed.stdout == "74\n", (closed.stdout, closed.stderr)
        assert closed.stderr == "cconv: warning: stdout: Bad file descriptor\n", closed.stderr
        with open("/dev/full", "w") as full:
            rc, err = run_with(full)
        assert (rc, err) == (74, "cconv: warning: stdout: No space left on device\n"), (rc, err)

        r, w = os.pipe()
        os.close(r)
        try:
            rc, err = run_with(w, preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
            assert (rc, err) == (74, "cconv: warning: stdout: Broken pipe\n"), (rc, err)
            rc, err = run_with(w)
            assert (rc, err) == (-signal.SIGPIPE, ""), (rc, err)
        finally:
            os.close(w)


def test_daemon_sentence_not_http_status(tmp):
    """A daemon's error answer is reported with its own sentence, quoted (no control byte reaches the terminal);
    a refusal of the request itself (4xx) is the answer, exit 65, and no upstream is asked; a daemon that cannot
    answer now (5xx) is said to be so, not unavailable, and the upstream answers instead."""
    with serving(tmp) as (up, d):
        rc, out, err = cconv(tmp, ["--date", "1990-01-01", "GBP", "100"], server=d.base, upstream=up.url)
        assert (rc, out) == (65, ""), (rc, out, err)
        assert err == f"cconv: no rates on or before 1990-01-01: the stored history starts on {DATE}\n", err
        assert not any("1990" in p for p in up.paths), up.paths
        # With -v, also who said it and how.
        rc, out, err = cconv(tmp, ["-v", "--date", "1990-01-01", "GBP", "100"], server=d.base, upstream=up.url)
        assert (rc, out) == (65, "") and err.splitlines()[0] == (
            f"cconv: debug: daemon '{d.base}/1990-01-01': HTTP 404: no rates on or before 1990-01-01: the stored "
            f"history starts on {DATE}"), (rc, out, err)

    said = {}

    class FakeDaemon(QuietHandler):
        def do_GET(self):
            self.send(*said[self.path])

    server, port = start_server(FakeDaemon)
    base = f"http://127.0.0.1:{port}"
    up = Upstream()
    try:
        said["/2020-01-02"] = (404, '{"error":"no rates \\u001b[31mhere\\nfake line\\u009b","x":[1]}')
        rc, out, err = cconv(tmp, ["--date", "2020-01-02", "GBP", "1"], server=base, upstream=up.url)
        assert (rc, out) == (65, ""), (rc, out, err)
        assert err == "cconv: no rates ?[31mhere?fake line??\n", err
        # The Frankfurter routes' error body, {"message":…}, is a sentence too.
        said["/2020-01-03"] = (404, '{"status":404,"message":"no rates on or before 2020-01-03"}')
        rc, out, err = cconv(tmp, ["--date", "2020-01-03", "GBP", "1"], server=base, upstream=up.url)
        assert (rc, out, err) == (65, "", "cconv: no rates on or before 2020-01-03\n"), (rc, out, err)
        assert not any("2020-01-0" in p for p in up.paths), up.paths

        said["/latest"] = (503, '{"message":"no rates yet: the first fetch has not succeeded"}')
        rc, out, err = cconv(tmp, ["GBP", "100"], server=base, upstream=up.url)
        assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
        assert err == (f"cconv: daemon {base} cannot answer (HTTP 503: no rates yet: the first fetch has not "
                       f"succeeded); asking upstream {up.url} directly\n"), err

        # Not a daemon's error answer: the status alone, as before.
        said["/latest"] = (404, "<html>not here</html>")
        rc, out, err = cconv(tmp, ["GBP", "100"], server=base, upstream=up.url)
        assert rc == 0 and f"daemon {base} cannot answer (HTTP 404); asking upstream" in err, (rc, out, err)
    finally:
        up.stop()
        server.shutdown()


def weekday_before(date):
    day = datetime.date.fromisoformat(date) - datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day.isoformat()


def test_fallback_merges_every_upstream(tmp):
    """With no daemon, cconv asks every upstream and merges them as the daemon does: each currency from the first
    upstream that has it (the ECB's GBP digit for digit, AED, which the ECB lacks, from the second), each rate with
    its own date and source in --json and -v, an upstream that fails left out (said with -v); the cache keeps every
    rate's date and source when all of them die."""
    older = weekday_before(DATE)
    ecb = Ecb()  # GBP 0.86080 of DATE
    up = Upstream()  # GBP 0.884
    up.body["date"] = older
    up.body["rates"]["AED"] = 3.9
    dead = refused_url()
    upstreams = f"{ecb.daily_url},{up.url},{dead}"
    want_used = [{"EUR": {"date": DATE, "source": ecb.daily_url}, "GBP": {"date": DATE, "source": ecb.daily_url}},
                 {"EUR": {"date": DATE, "source": ecb.daily_url}, "AED": {"date": older, "source": up.url}}]

    def check_json(out):
        docs = [json.loads(line) for line in out.splitlines()]
        assert [d["rates_used"] for d in docs] == want_used, out
        assert [d["date"] for d in docs] == [DATE, older], out
        assert '"rate":0.8608' in out.splitlines()[0] and docs[0]["result"] == 86.08, out

    def check_verbose(err):
        assert f"cconv: EUR to GBP: GBP rate of {DATE} from {ecb.daily_url}\n" in err, err
        assert f"cconv: EUR to AED: AED rate of {older} from {up.url}\n" in err, err

    try:
        rc, out, err = cconv(tmp, ["GBP,AED", "100"], upstream=upstreams)
        assert (rc, out) == (0, "86.08 GBP\n390.00 AED\n"), (rc, out, err)
        assert f"; asking upstreams {ecb.daily_url}, {up.url}, {dead} directly\n" in err, err
        assert dead not in err.split("directly\n", 1)[1], err  # a failure beside answers: only with -v
        rc, out, err = cconv(tmp, ["--json", "GBP,AED", "100"], upstream=upstreams)
        assert rc == 0, (rc, out, err)
        check_json(out)
        rc, out, err = cconv(tmp, ["-v", "GBP,AED", "100"], upstream=upstreams)
        assert rc == 0, (rc, out, err)
        check_verbose(err)
        assert f"rates from upstream {ecb.daily_url}, {up.url}, dated {DATE}" in err, err
        assert f"upstream '{dead}': " in err and "merged without it" in err, err
    finally:
        ecb.stop()
        up.stop()
    # Every upstream dead: the cache, with the same rates, dates and sources.
    rc, out, err = cconv(tmp, ["GBP,AED", "100"], upstream=upstreams)
    assert (rc, out) == (0, "86.08 GBP\n390.00 AED\n"), (rc, out, err)
    assert "using cached rates" in err, err
    rc, out, err = cconv(tmp, ["--json", "GBP,AED", "100"], upstream=upstreams)
    assert rc == 0, (rc, out, err)
    check_json(out)
    rc, out, err = cconv(tmp, ["--offline", "-v", "GBP,AED", "100"])
    assert rc == 0, (rc, out, err)
    check_verbose(err)


if __name__ == "__main__":
    run([test_answers_from_daemon, test_usage_and_currency_errors,
         test_daemon_down_falls_back_to_upstream_then_cache, test_cache_from_the_future_is_stale,
         test_nothing_anywhere_is_69, test_each_source_named_once, test_unwritable_stdout_is_74,
         test_daemon_sentence_not_http_status, test_fallback_merges_every_upstream])
