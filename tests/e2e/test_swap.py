"""Snapshots swapped under load: every answer comes whole from one snapshot.

Client threads ask for USD -> JPY conversions over keep-alive connections while
the main thread changes the fake upstream's rates and sends SIGHUP, so each
refresh swaps in a new snapshot while requests are being answered.  A USD->JPY
result depends on two rates; the three rate sets are chosen so that a result
built from two different snapshots differs from every real one, and the test
checks that it never appears.  This is the test the ThreadSanitizer build runs
(see .ci/run), where a data race in the swap would be reported as well.
"""
import http.client
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import RATES, expected, run, serving  # noqa: E402

CLIENTS = 6
SWAPS = 150
SETS = [dict(RATES, USD=1.0512, JPY=163.36), dict(RATES, USD=1.0612, JPY=164.36), dict(RATES, USD=1.0712, JPY=162.36)]
AMOUNT = "100"
RESULT = re.compile(r'"result":([0-9.]+),')


def test_answers_never_mix_snapshots(tmp):
    good = {expected(AMOUNT, "USD", "JPY", s): i for i, s in enumerate(SETS)}
    mixed = {expected(AMOUNT, "USD", "JPY", dict(RATES, USD=a["USD"], JPY=b["JPY"]))
             for a in SETS for b in SETS if a is not b}
    assert len(good) == len(SETS) and not mixed & set(good), "rate sets do not tell a mix apart"
    with serving(tmp) as (up, d):
        stop = threading.Event()
        seen = [[0] * len(SETS) for _ in range(CLIENTS)]
        errors = []

        def client(n):
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            try:
                while not stop.is_set():
                    c.request("GET", f"/convert?from=USD&to=JPY&amount={AMOUNT}")
                    r = c.getresponse()
                    body = r.read().decode()
                    m = RESULT.search(body)
                    if r.status != 200 or not m or m.group(1) not in good:
                        errors.append(f"{r.status} {body!r}")
                        return
                    seen[n][good[m.group(1)]] += 1
            except Exception as e:  # noqa: BLE001 - reported by the main thread
                errors.append(repr(e))
            finally:
                c.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        started = time.monotonic()
        try:
            for k in range(1, SWAPS + 1):
                up.body = dict(up.body, rates=dict(SETS[k % len(SETS)]))
                d.refresh()
                if errors:
                    break
        finally:
            stop.set()
            for t in threads:
                t.join()
        took = time.monotonic() - started
        total = [sum(col) for col in zip(*seen)]
        print(f"{SWAPS} swaps under {CLIENTS} keep-alive clients in {took:.1f} s: "
              f"{sum(total)} answers, per snapshot {total}")
        assert not errors, errors[:5]
        assert all(total), f"some snapshot was never answered from: {total}"
        last = d.get(f"/convert?from=USD&to=JPY&amount={AMOUNT}")[2]
        assert f'"result":{expected(AMOUNT, "USD", "JPY", SETS[SWAPS % len(SETS)])},' in last, last


if __name__ == "__main__":
    run([test_answers_never_mix_snapshots])
