"""cconv's --list, --raw, --offline, -v and its config file, against the real cconvd."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, RATES, Upstream, cconv, expected, refused_url, run, serving  # noqa: E402

CODES = sorted(list(RATES) + ["EUR"])


def write_config(tmp, text):
    folder = os.path.join(tmp, "config", "cconv")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "config")
    with open(path, "w") as f:
        f.write(text)
    return path, {"XDG_CONFIG_HOME": os.path.join(tmp, "config")}


def test_list_and_raw(tmp):
    with serving(tmp) as (up, d):
        rc, out, err = cconv(tmp, ["--list"], server=d.base)
        assert rc == 0 and err == "", (rc, err)
        assert "GBP  British Pound\n" in out and "EUR  Euro\n" in out, out
        assert [line.split()[0] for line in out.splitlines()] == CODES, out
        rc, out, err = cconv(tmp, ["--list", "--raw"], server=d.base)
        assert (rc, out.splitlines()) == (0, CODES), (rc, out, err)
        rc, out, err = cconv(tmp, ["-l", "--json"], server=d.base)
        assert rc == 0 and json.loads(out) == json.loads(d.get("/currencies")[2]), out
        rc, out, err = cconv(tmp, ["--raw", "--from", "USD", "GBP,JPY", "100"], server=d.base)
        assert (rc, out) == (0, f"{expected('100', 'USD', 'GBP')}\n{expected('100', 'USD', 'JPY')}\n"), (rc, out)
        rc, out, err = cconv(tmp, ["--raw", "--json", "GBP", "1"], server=d.base)
        assert rc == 64 and out == "" and "--raw and --json" in err, (rc, out, err)
        # --list TEXT: the currencies whose code or name holds it, in any case, accents ignored.
        for args, want in ((["--list", "gbp"], "GBP  British Pound\n"), (["--list", "SWISS"], "CHF  Swiss Franc\n"),
                           (["-l", "--raw", "franc"], "CHF\n"), (["--list", "--json", "swiss", "franc"],
                                                               '{"CHF":"Swiss Franc"}\n')):
            rc, out, err = cconv(tmp, args, server=d.base)
            assert (rc, out, err) == (0, want, ""), (args, rc, out, err)
        rc, out, err = cconv(tmp, ["--list", "ZLOTY"], server=d.base)
        assert (rc, out) == (65, "") and err == ("cconv: no currency of these rates matches 'ZLOTY'; PLN (Polish "
                                                 "Złoty) has no rate here\n"), (rc, out, err)
        # -v: the source, the rates' date and their age.
        rc, out, err = cconv(tmp, ["-v", "GBP", "1"], server=d.base)
        assert rc == 0 and re.search(
            r"rates from daemon http://127\.0\.0\.1:\d+, dated %s, fetched \S+Z \(\d+ s ago\)" % DATE, err), err


def test_offline_uses_only_the_cache(tmp):
    rc, out, err = cconv(tmp, ["--offline", "GBP", "100"])
    cache = os.path.join(tmp, "cache", "cconv", "latest.json")
    assert rc == 69 and out == "" and f"cache '{cache}'" in err and "daemon" not in err, (rc, out, err)
    up = Upstream()
    try:
        # Fill the cache through the upstream, then make sure --offline asks nobody.
        rc, out, err = cconv(tmp, ["GBP", "100"], upstream=up.url)
        assert (rc, out) == (0, "88.40 GBP\n"), (rc, out, err)
        hits = up.hits
        server = "http://127.0.0.1:%d" % up.port
        rc, out, err = cconv(tmp, ["--offline", "GBP", "100"], server=server, upstream=up.url)
        assert (rc, out, err) == (0, "88.40 GBP\n", ""), (rc, out, err)
        rc, out, err = cconv(tmp, ["--offline", "--list", "--raw"], server=server, upstream=up.url)
        assert (rc, out.splitlines()) == (0, CODES), (rc, out, err)
        rc, out, err = cconv(tmp, ["--offline", "-v", "GBP", "1"], server=server, upstream=up.url)
        assert rc == 0 and f"rates from cache {cache}, dated {DATE}" in err, err
        assert up.hits == hits, f"--offline reached the upstream ({up.hits - hits} requests)"
        # Rates fetched months ago: --offline still answers, and says they are stale.
        with open(cache) as f:
            doc = json.load(f)
        doc["fetched_at"] = "2026-01-01T00:00:00Z"
        with open(cache, "w") as f:
            json.dump(doc, f)
        rc, out, err = cconv(tmp, ["--offline", "GBP", "100"], server=server, upstream=up.url)
        assert rc == 0 and out == "88.40 GBP\n" and "stale" in err and "2026-01-01T00:00:00Z" in err, (rc, out, err)
    finally:
        up.stop()


def test_config_file(tmp):
    with serving(tmp) as (up, d):
        path, env = write_config(tmp, f"# cconv defaults\nserver = {d.base}\nfrom = USD\nto = GBP, JPY\n")
        env["CCONV_SERVER"] = ""  # unset: the file's server applies
        rc, out, err = cconv(tmp, ["100"], env=env)
        want = f"{expected('100', 'USD', 'GBP')} GBP\n{expected('100', 'USD', 'JPY')} JPY\n"
        assert (rc, out, err) == (0, want, ""), (rc, out, err)
        # Flags beat the file.
        rc, out, err = cconv(tmp, ["-f", "EUR", "KWD", "10"], env=env)
        assert (rc, out) == (0, f"{expected('10', 'EUR', 'KWD')} KWD\n"), (rc, out, err)
        # A variable beats the file: the refused server forces the upstream fallback.
        env["CCONV_SERVER"] = "http://" + refused_url().split("/")[2]
        rc, out, err = cconv(tmp, ["GBP", "1"], upstream=up.url, env=env)
        assert rc == 0 and "unavailable" in err and env["CCONV_SERVER"] in err, (rc, err)
        # A bad line: exit 64, the file and the line named.
        write_config(tmp, "server = http://x\ncolour = yes\n")
        rc, out, err = cconv(tmp, ["GBP", "1"], server=d.base, env=env)
        assert rc == 64 and out == "" and f"config '{path}': line 2: unknown key 'colour'" in err, (rc, err)


if __name__ == "__main__":
    run([test_list_and_raw, test_offline_uses_only_the_cache, test_config_file])
