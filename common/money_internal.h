/*
 * money_internal: the two halves of money.c's conversion kernel, exposed for
 * tests only (tests/unit/test_money_diff.c, tests/fuzz/fuzz_money.c) so they
 * can check that the native 128-bit fast path and the multi-word reference path
 * agree on every input.  Application code calls money_muldiv() and
 * money_muldiv_sig() in money.h; nothing outside money.c and those tests may
 * include this header.
 *
 * Both functions compute round_half_up(a × t ÷ f × 10^e) into *q and return 0,
 * or return -1 (leaving *q untouched) when f is zero, when an intermediate does
 * not fit, or when the result needs more than 38 digits.  They take no locks,
 * keep no state and are thread-safe.
 */
#ifndef CCONV_MONEY_INTERNAL_H
#define CCONV_MONEY_INTERNAL_H

/* The production kernel: the 128-bit fast path, else money_muldiv_pow10_big(). */
int money_muldiv_pow10(unsigned __int128 a, unsigned __int128 t, unsigned __int128 f, int e,
    unsigned __int128 *q);

/* The reference kernel: multi-word integers, any input money.c can produce. */
int money_muldiv_pow10_big(unsigned __int128 a, unsigned __int128 t, unsigned __int128 f, int e,
    unsigned __int128 *q);

#endif
