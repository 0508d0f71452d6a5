#!/usr/bin/env python3
"""Writes a large Frankfurter time series to stdout: DAYS consecutive days ending on END, each with a rate for
NCODES currencies of the ISO table in common/currency.c (EUR, the base, left out), rates of 6 significant
digits from a fixed seed.  The defaults, 20 000 days x 117 currencies, make 31.7 MiB: the history feed within
the documented limits (FEED_MAX_BODY, RATES_VEC_MAX) whose memory cost e2e.test_big_feed bounds.

    tests/tools/big_series.py [DAYS [NCODES [END]]] > series.json
"""
import datetime
import os
import random
import re
import sys


def codes(n):
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common", "currency.c")
    with open(src) as f:
        known = [c for c in re.findall(r'^\t\{ "([A-Z]{3})", ', f.read(), re.M) if c != "EUR"]
    if n > len(known):
        raise SystemExit(f"big_series: at most {len(known)} currencies")
    return known[:n]


def write(out, days=20000, ncodes=117, end="2025-05-09", seed=14):
    rnd = random.Random(seed)
    cs = codes(ncodes)
    base = {c: 10 ** rnd.uniform(-1.0, 4.0) for c in cs}
    last = datetime.date.fromisoformat(end)
    first = last - datetime.timedelta(days=days - 1)
    out.write('{"amount":1.0,"base":"EUR","start_date":"%s","end_date":"%s","rates":{' % (first, last))
    for i in range(days):
        d = first + datetime.timedelta(days=i)
        rates = ",".join('"%s":%.6g' % (c, base[c] * (1 + rnd.uniform(-0.01, 0.01))) for c in cs)
        out.write('%s"%s":{%s}' % ("," if i else "", d, rates))
    out.write("}}")


if __name__ == "__main__":
    a = sys.argv[1:]
    write(sys.stdout, int(a[0]) if a else 20000, int(a[1]) if len(a) > 1 else 117, a[2] if len(a) > 2 else "2025-05-09")
