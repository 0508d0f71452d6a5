#!/usr/bin/env python3
"""Checks money.c's conversion arithmetic against Python's decimal module.

Usage: test_money_oracle.py PATH/TO/money_calc

Generates conversions (amount x to / from, rounded to a currency's decimals and
to 6 significant digits), runs money_calc once over all of them, and compares
every answer with an independent computation in Python's decimal module,
rounded with ROUND_HALF_UP, which for the positive numbers here is half away
from zero: the EU conversion rule (Council Regulation 1103/97, art. 5).

The cases are random with a fixed seed (MONEY_ORACLE_SEED overrides it), plus
cases built to hit the rule's edges: values exactly halfway between two
outputs, reached both directly (rate 1/1) and through the division (rates such
as 2/4 or 1.25/3.7), values a hair either side of halfway, amounts near
10^15, and results either side of the 38-digit limit.  Exact halfway cases
make up a large share, so banker's rounding, truncation or binary floating
point cannot pass.
"""

import os
import random
import re
import subprocess
import sys
from decimal import Decimal, ROUND_FLOOR, ROUND_HALF_UP, getcontext

DEFAULT_SEED = 20261120
RANDOM_CASES = 8000
SCALES = (0, 2, 3, 4)            # the minor units ISO 4217 uses
SIG = 6                          # significant digits of a cross rate
MAX_DIGITS = 38                  # what a struct dec holds
MAX_INT_DIGITS = 15              # an amount's integer digits
MAX_FRAC_DIGITS = 8              # an amount's decimals
RATE_MIN_EXP, RATE_MAX_EXP = -12, 15   # the rate bounds rates_add() enforces

# The exact product a*t has at most 23 + 38 digits; the quotient is computed
# to 200 digits.  A quotient that is not exactly halfway differs from the
# halfway point by at least 1/(2 * from * 10^k) in its last kept place, which
# for these operands is far beyond digit 120, so rounding the quotient to 200
# digits can never create or destroy a halfway case.
getcontext().prec = 200

AMOUNT_RE = re.compile(r"(\d+)(?:\.(\d+))?|\.(\d+)")
RATE_RE = re.compile(r"(\d+)(?:\.(\d+))?|\.(\d+)")


def plain(m, scale):
    """The decimal text of m x 10^-scale, with exactly `scale` decimals."""
    s = str(m)
    if scale == 0:
        return s
    s = s.rjust(scale + 1, "0")
    return s[:-scale] + "." + s[-scale:]


def amount_ok(text):
    """The amount grammar, written independently of money.c."""
    mt = AMOUNT_RE.fullmatch(text)
    if not mt:
        return False
    int_part = mt.group(1) or ""
    frac = mt.group(2) if mt.group(1) is not None else mt.group(3)
    frac = frac or ""
    return len(int_part.lstrip("0")) <= MAX_INT_DIGITS and len(frac) <= MAX_FRAC_DIGITS


def rate_ok(text):
    mt = RATE_RE.fullmatch(text)
    if not mt:
        return False
    frac = (mt.group(2) if mt.group(1) is not None else mt.group(3)) or ""
    digits = ((mt.group(1) or "") + frac).lstrip("0")
    return len(frac) <= 30 and len(digits) <= MAX_DIGITS


def expected(amount, to, frm, scale):
    """(result, cross) as money_calc should print them."""
    if not (amount_ok(amount) and rate_ok(to) and rate_ok(frm)):
        return ("ERR", "ERR")
    a, t, f = Decimal(amount), Decimal(to), Decimal(frm)
    if f == 0:
        return ("ERR", "ERR")
    x = a * t / f
    q = x.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    res = format(q, "f") if q * Decimal(10) ** scale < Decimal(10) ** MAX_DIGITS else "ERR"
    if x == 0:
        cross = "0"
    else:
        y = x.quantize(Decimal(1).scaleb(x.adjusted() - (SIG - 1)), rounding=ROUND_HALF_UP)
        y = y.normalize()
        cross = format(y, "f") if y < Decimal(10) ** MAX_DIGITS else "ERR"
    return (res, cross)


class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def amount(self):
        """Up to 15 integer digits and 8 decimals, in the forms people type."""
        r = self.r
        ni = r.choice((0, 1, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15))
        nf = r.randint(0, MAX_FRAC_DIGITS)
        ip = str(r.randint(10 ** (ni - 1), 10 ** ni - 1)) if ni > 0 else ""
        fp = "".join(r.choice("0123456789") for _ in range(nf))
        if ip == "" and (fp == "" or r.random() < 0.3):
            ip = "0"
        if ip and r.random() < 0.05:
            ip = "0" * r.randint(1, 6) + ip       # leading zeros do not count
        return ip + ("." + fp if fp else "")

    def near_max_amount(self):
        """Amounts near 10^15: 15 integer digits, mostly nines."""
        r = self.r
        ip = "9" * r.randint(10, 15) if r.random() < 0.7 else str(r.randint(10 ** 14, 10 ** 15 - 1))
        ip = ip.rjust(15, "9")
        nf = r.randint(0, MAX_FRAC_DIGITS)
        fp = "".join(r.choice("9999999990") for _ in range(nf))
        return ip + ("." + fp if fp else "")

    def realistic_rate(self):
        """4 to 6 significant digits, 0.3 .. 30000, like ECB reference rates."""
        r = self.r
        while True:
            sig = r.randint(4, 6)
            mant = r.randint(10 ** (sig - 1), 10 ** sig - 1)
            exp = r.randint(-1, 4)             # value = mant x 10^(exp - sig + 1)
            scale = sig - 1 - exp
            v = Decimal(mant).scaleb(-scale)
            if Decimal("0.3") <= v <= Decimal(30000):
                return plain(mant, scale) if scale > 0 else str(mant * 10 ** -scale)

    def any_rate(self):
        """Any precision: 1 to 20 significant digits, 1e-12 .. 1e15."""
        r = self.r
        while True:
            sig = r.randint(1, 20)
            mant = r.randint(10 ** (sig - 1), 10 ** sig - 1)
            exp = r.randint(RATE_MIN_EXP, RATE_MAX_EXP - 1)
            scale = sig - 1 - exp
            if scale > 30:
                continue
            return plain(mant, scale) if scale > 0 else str(mant * 10 ** -scale)

    def scale(self):
        return self.r.choice(SCALES)


def halfway_amount(r, scale, extra_int=None):
    """A value exactly halfway at `scale` decimals: digits, then a final 5."""
    ni = r.randint(0, 12) if extra_int is None else extra_int
    ip = str(r.randint(0, 10 ** ni - 1)) if ni > 0 else "0"
    fp = "".join(r.choice("0123456789") for _ in range(scale)) + "5"
    return Decimal(ip + "." + fp)


def build_cases(rnd):
    g = Gen(rnd)
    cases = []

    # Random conversions: realistic rates, then any-precision rates.
    for i in range(RANDOM_CASES):
        amt = g.amount() if i % 10 else g.near_max_amount()
        if i % 4 == 3:
            to, frm = g.any_rate(), g.any_rate()
        else:
            to, frm = g.realistic_rate(), g.realistic_rate()
        cases.append((amt, to, frm, g.scale()))

    # Exactly halfway with rate 1/1 (and n/n): the digit after the target scale
    # is 5 and nothing follows.  Even and odd preceding digits alike.
    for i in range(1200):
        s = g.scale()
        h = halfway_amount(rnd, s)
        same = rnd.choice(("1", "1", "1.0512", "163.36", "0.86080", "7"))
        cases.append((format(h, "f"), same, same, s))

    # Halfway reached through the division: amount = h x from / to, with `to`
    # a power-of-two-and-five multiple so the amount stays a short decimal.
    ratios = ((2, 4), (1, 2), (5, 10), (3, 6), (4, 8), (1.25, 2.5), (0.8, 1.6), (8, 4), (4, 2),
              (1.6, 0.8), (2.5, 1.25), (5, 2), (1.25, 1), (0.16, 0.64), (125, 1000))
    made = 0
    while made < 1200:
        s = g.scale()
        h = halfway_amount(rnd, s, extra_int=rnd.randint(0, 9))
        if rnd.random() < 0.5:
            to, frm = (Decimal(str(v)) for v in rnd.choice(ratios))
        else:
            # A realistic from-rate and a to-rate whose inverse terminates.
            frm = Decimal(g.realistic_rate())
            to = Decimal(rnd.choice(("2", "4", "5", "8", "1.25", "0.8", "16", "0.25", "3.2", "6.25",
                                     "0.5", "20", "40", "0.128")))
        amt = h * frm / to
        amt_text = format(amt.normalize(), "f")
        if not amount_ok(amt_text):
            continue
        cases.append((amt_text, format(to, "f"), format(frm, "f"), s))
        made += 1

    # A hair either side of halfway: ...4999999 and ...5000001 (8 decimals).
    for i in range(600):
        s = rnd.choice((0, 2, 3))
        base = halfway_amount(rnd, s)
        eps = Decimal(1).scaleb(-MAX_FRAC_DIGITS)
        amt = base - eps if i % 2 else base + eps
        cases.append((format(amt, "f"), "1", "1", s))

    # Halfway at the 7th significant digit, for the 6-digit cross rate.
    for i in range(600):
        mant = rnd.randint(10 ** 5, 10 ** 6 - 1) * 10 + 5
        exp = rnd.randint(-8, 8)
        amt = Decimal(mant).scaleb(exp)
        if not amount_ok(format(amt, "f")):
            continue
        same = rnd.choice(("1", "3", "1.0512", "163.36"))
        to, frm = same, same
        cases.append((format(amt, "f"), to, frm, g.scale()))

    # Extreme ratios: results spread over 10^-35 .. 10^45, so some land
    # either side of the 38-digit limit.
    for i in range(500):
        amt = g.near_max_amount() if i % 2 else g.amount()
        to = plain(rnd.randint(1, 10 ** 16), rnd.randint(0, 1))
        frm = plain(rnd.randint(1, 10 ** 6), rnd.randint(0, 18))
        if i % 5 == 0:
            to, frm = frm, to
        if not (rate_ok(to) and rate_ok(frm)):
            continue
        cases.append((amt, to, frm, g.scale()))

    # Boundaries written out by hand.
    cases += [
        ("0", "1.0512", "163.36", 2),
        (".5", "1", "1", 0),                                  # 0.5 -> 1
        ("2.5", "1", "1", 0),                                 # even neighbour is 2
        ("0.125", "1", "1", 2),
        ("0.125", "2", "4", 3),                               # 0.0625 -> 0.063
        ("999999999999999.99999999", "17000", "1", 2),
        ("999999999999999.99999999", "17000", "1", 4),
        ("999999999999999.99999999", "1000000000000000", "0.000000000001", 0),
        # 38 nines fits; one more digit does not.
        ("1", "99999999999999999999999999999999999999", "1", 0),
        ("1", "99999999999999999999999999999999999999", "1", 1),
        # Rounding carries 2^128 - 0.25 to 2^128, past 128 bits: must be ERR,
        # not wrap.  31 x 43907402183346898511403175152486220833 = 4 x 2^128 - 1.
        ("31", "43907402183346898511403175152486220833", "4", 0),
        ("100", "1.5", "0", 2),                               # from zero
        ("1e3", "1", "1", 2), ("-1", "1", "1", 2), ("1.123456789", "1", "1", 2),
        ("1000000000000000", "1", "1", 2), ("5.", "1", "1", 2), ("nan", "1", "1", 2),
    ]
    return cases


def main():
    if len(sys.argv) != 2:
        print("usage: test_money_oracle.py PATH/TO/money_calc", file=sys.stderr)
        return 64
    seed = int(os.environ.get("MONEY_ORACLE_SEED", DEFAULT_SEED))
    print(f"seed {seed} (set MONEY_ORACLE_SEED to change)")
    rnd = random.Random(seed)
    cases = build_cases(rnd)

    text = "".join(f"{a} {t} {f} {s}\n" for a, t, f, s in cases)
    proc = subprocess.run([sys.argv[1]], input=text, capture_output=True, text=True, timeout=100)
    if proc.returncode != 0:
        print(f"money_calc exited {proc.returncode}: {proc.stderr.strip()}")
        return 1
    lines = proc.stdout.splitlines()
    if len(lines) != len(cases):
        print(f"money_calc printed {len(lines)} lines for {len(cases)} cases")
        return 1

    failed = 0
    halfway = halfway_sig = 0
    for (a, t, f, s), got in zip(cases, lines):
        want = expected(a, t, f, s)
        if want[0] != "ERR":
            exact = Decimal(a) * Decimal(t) / Decimal(f) * Decimal(10) ** s
            if exact - exact.to_integral_value(rounding=ROUND_FLOOR) == Decimal("0.5"):
                halfway += 1
            x = Decimal(a) * Decimal(t) / Decimal(f)
            if x != 0:
                x = x.scaleb(SIG - 1 - x.adjusted())
                halfway_sig += x - x.to_integral_value(rounding=ROUND_FLOOR) == Decimal("0.5")
        if got.split(" ") != list(want):
            failed += 1
            if failed <= 10:
                print(f"MISMATCH {a} x {t} / {f} at scale {s}: got '{got}', "
                      f"want '{want[0]} {want[1]}'")
    print(f"{halfway} cases are exactly halfway at their scale, "
          f"{halfway_sig} at the {SIG + 1}th significant digit")
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
