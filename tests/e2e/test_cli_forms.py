"""What people type first: the operand forms of qalc and units users, did-you-mean for a slip, the currencies a
name matches.  Every accepted form is also in cconv --help and the man page."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Daemon, Upstream, cconv, expected, run, serving, wait_until  # noqa: E402


def test_forms_give_one_answer(tmp):
    with serving(tmp) as (up, d):
        usd_gbp = f"{expected('100', 'USD', 'GBP')} GBP\n"
        for args in (["-f", "USD", "GBP", "100"], ["100", "usd", "gbp"], ["usd", "gbp", "100"],
                     ["100", "usd", "to", "gbp"], ["usd", "to", "gbp", "100"]):
            rc, out, err = cconv(tmp, args, server=d.base)
            assert (rc, out, err) == (0, usd_gbp, ""), (args, rc, out, err)
        rc, out, err = cconv(tmp, ["100", "GBP"], server=d.base)
        assert (rc, out, err) == (0, f"{expected('100', 'EUR', 'GBP')} GBP\n", ""), (rc, out, err)
        # What no form reads is refused with the forms, before any source is asked.
        rc, out, err = cconv(tmp, ["usd", "100", "gbp"], server=d.base)
        assert (rc, out) == (64, "") and err == (
            "cconv: cannot read 'usd 100 gbp' as a conversion: write CUR AMOUNT, AMOUNT CUR, FROM [to] CUR AMOUNT or "
            "AMOUNT FROM [to] CUR (see cconv --help)\n"), (rc, out, err)


def test_did_you_mean(tmp):
    with serving(tmp) as (up, d):
        rc, out, err = cconv(tmp, ["GPB", "100"], server=d.base)
        assert (rc, out, err) == (65, "", "cconv: unknown currency 'GPB'; did you mean GBP?\n"), (rc, out, err)
        rc, out, err = cconv(tmp, ["--frm", "USD", "GBP", "1"], server=d.base)
        assert (rc, out, err) == (64, "", "cconv: unknown option '--frm'; did you mean --from?\n"), (rc, out, err)
        rc, out, err = cconv(tmp, ["yen", "100"], server=d.base)
        assert rc == 65 and err.startswith("cconv: unknown currency 'YEN'; did you mean JPY (Japanese Yen), "), err
        # A name many currencies share: the most traded first, one a line, then how many more.
        rc, out, err = cconv(tmp, ["dollar", "100"], server=d.base)
        lines = err.splitlines()
        assert (rc, out) == (65, "") and lines[0].startswith("cconv: unknown currency 'dollar'; "), (rc, out, err)
        assert lines[1:4] == ["cconv:   USD  United States Dollar", "cconv:   AUD  Australian Dollar",
                              "cconv:   CAD  Canadian Dollar"], lines
        assert all("Dollar" in line for line in lines[1:-1]) and lines[-1].startswith("cconv:   and "), lines



def test_a_real_currency_the_rates_lack(tmp):
    """KWD on the ECB's rates, which lack it: a real currency, named, wherever it stands; not "unknown"."""
    up = Upstream()
    up.body["rates"] = {k: v for k, v in up.body["rates"].items() if k != "KWD"}
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            for args in (["KWD", "100"], ["100", "kwd"], ["usd", "to", "kwd", "1"], ["-f", "KWD", "GBP", "1"]):
                rc, out, err = cconv(tmp, args, server=d.base)
                assert (rc, out, err) == (65, "", "cconv: no rate for KWD (Kuwaiti Dinar) in these rates; see "
                                                  "cconv --list\n"), (args, rc, out, err)
            assert cconv(tmp, ["100", "gbp"], server=d.base)[:2] == (0, f"{expected('100', 'EUR', 'GBP')} GBP\n")
        finally:
            d.stop()
    finally:
        up.stop()


if __name__ == "__main__":
    run([test_forms_give_one_answer, test_did_you_mean, test_a_real_currency_the_rates_lack])
