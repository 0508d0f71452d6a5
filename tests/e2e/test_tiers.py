"""Tiers: a cconvd whose upstream is another cconvd's /latest; its conditional refreshes are answered 304."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import RATES, Daemon, expected, run, serving, wait_until  # noqa: E402


def test_cconvd_behind_cconvd(tmp):
    with serving(tmp) as (up, a):
        b_dir = os.path.join(tmp, "b")
        os.mkdir(b_dir)
        b = Daemon(b_dir, [a.base + "/latest"])
        try:
            wait_until(lambda: b.get("/healthz")[0] == 200, 10, "B's first rates from A")
            assert b.health()["upstream"] == a.base + "/latest"
            for cur in RATES:
                for amount in ("100", "1234.5", "0.01"):
                    want = f"{cur} {expected(amount, 'EUR', cur)}\n"
                    assert b.get(f"/convert/{cur}/{amount}")[2] == want, (cur, amount)
            assert b.get("/convert?from=USD&to=JPY&amount=77")[2] == a.get("/convert?from=USD&to=JPY&amount=77")[2] \
                .replace(a.health()["fetched_at"], b.health()["fetched_at"])
            assert b.get("/latest?from=CHF&to=KWD,AUD")[2] == a.get("/latest?from=CHF&to=KWD,AUD")[2]

            # B's refreshes are conditional, and A's /latest has not changed: 304 each time,
            # even across A's own refreshes (which its upstream also answers 304).
            n = a.metric("cconvd_requests_total", endpoint="latest", code="304")
            b.refresh()
            a.refresh()
            b.refresh()
            b.refresh()
            assert a.metric("cconvd_requests_total", endpoint="latest", code="304") == n + 3
            assert b.metric("cconvd_refreshes_total", outcome="ok", reason="not_modified") >= 3
            assert b.stderr().count("refresh ok (304 Not Modified): upstream '%s/latest'" % a.base) >= 3
            assert up.not_modified >= 1

            # New rates at the top reach the bottom on the next refreshes, in full (200).
            up.body["rates"]["GBP"] = 0.9
            full = a.metric("cconvd_requests_total", endpoint="latest", code="200")
            a.refresh()
            b.refresh()
            assert a.metric("cconvd_requests_total", endpoint="latest", code="200") == full + 1
            assert b.get("/convert/GBP/100")[2] == "GBP 90.00\n", (b.stderr(), a.stderr())
        finally:
            b.stop()


if __name__ == "__main__":
    run([test_cconvd_behind_cconvd])
