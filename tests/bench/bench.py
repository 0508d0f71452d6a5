#!/usr/bin/env python3
"""cconv benchmark: cconvd beside nginx (the ceiling for any HTTP server here), in one run.

Prints a Markdown table of figures; nothing here passes or fails on speed.
Usage: bench.py BUILD_DIR [--duration SECONDS] [--rounds N]
Everything runs on loopback: file:// upstreams, two cconvd on free ports (one
serving the ECB's 30 currencies, one about 160), nginx returning a fixed answer
from memory on another free port, wrk as the load.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# The ECB's list: with EUR, the 30 currencies cconvd served from its first
# sources.  GBP 0.884 is what the start-up check below waits for.
ECB_RATES = {"AUD": 1.6012, "BRL": 6.0815, "CAD": 1.4711, "CHF": 0.9391, "CNY": 7.5103, "CZK": 24.335,
             "DKK": 7.4597, "GBP": 0.884, "HKD": 8.1783, "HUF": 401.85, "IDR": 17085.2, "ILS": 3.8763,
             "INR": 89.512, "ISK": 143.9, "JPY": 163.36, "KRW": 1515.72, "MXN": 21.184, "MYR": 4.6983,
             "NOK": 11.703, "NZD": 1.8124, "PHP": 61.42, "PLN": 4.2598, "RON": 4.9768, "SEK": 11.512,
             "SGD": 1.4102, "THB": 35.817, "TRY": 36.941, "USD": 1.0512, "ZAR": 19.235}


def world_rates():
    """Every current code of cconvd's own currency table (about 160, as
    Frankfurter v2 serves with several central banks), the ECB's at the
    rates above and the rest at made-up but plausible rates (0.3 to 30,000
    per euro, five digits), the same from one run to the next."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../common/currency.c")
    with open(src) as f:
        rows = re.findall(r'\{ "([A-Z]{3})", "[^"]*", \d+, \d+, ([01])(?:, (?:"[^"]*"|NULL))? \}', f.read())
    codes = [code for code, historic in rows if historic == "0" and code != "EUR"]
    if len(codes) < 150:
        raise SystemExit(f"found {len(codes)} current codes in {src}; has the table's layout changed?")
    rng = random.Random(4217)
    return {code: ECB_RATES.get(code, float(f"{10 ** rng.uniform(-0.5, 4.5):.5g}")) for code in codes}


# The two conversions measured: euros into a currency, and a cross rate.
CONVERSIONS = ("/convert/GBP/100", "/convert?from=USD&to=GBP&amount=100")
# Frankfurter v2's rate routes as its clients call them: one pair (GnuCash's
# Finance::Quote), and the latest rates of a few quotes (Sure, exchange drivers).
V2_ROUTES = ("/v2/rate/USD/GBP", "/v2/rates?quotes=GBP,JPY")
MEASURED = CONVERSIONS + V2_ROUTES

# Each server gets a core of its own and wrk the other: nginx runs one
# worker and cconvd one HTTP thread (lift_limits()), so pinning takes nothing
# from either, and it stops the scheduler from moving a server and wrk about
# the two cores, which moved the same build's ratio to nginx between 0.72x and
# 0.88x from one run to the next (pinned: 0.85x to 0.89x).
CPUS = sorted(os.sched_getaffinity(0))
SERVER_CPUS = {CPUS[-1]}
CLIENT_CPUS = {CPUS[0]} if len(CPUS) > 1 else {CPUS[-1]}


def on_cpus(cpus):
    """A preexec_fn: the child (and every thread it starts) runs on cpus."""
    return lambda: os.sched_setaffinity(0, cpus)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    """(status, body); an error status is an answer too (503 before the first fetch)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Daemon:
    """cconvd on a free port, run by wrapper (valgrind…) if given; knows its
    pid, port and stderr."""

    def __init__(self, cconvd, tmp, upstream, db, extra=(), name="cconvd", wrapper=()):
        self.log = open(os.path.join(tmp, name + ".log"), "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [*wrapper, cconvd, "--listen", "127.0.0.1:0", "--db", db, "--upstream", upstream, *LIFT_LIMITS,
             *extra], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, preexec_fn=on_cpus(SERVER_CPUS),
            bufsize=0)  # unbuffered: readline() takes its line and no more; the drain gets the rest
        self.port = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline().decode()
            self.log.write(line.encode())
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            raise SystemExit("cconvd did not start")
        self.log.flush()
        # Keep draining stderr so the daemon never blocks on a full pipe.
        self.drain = subprocess.Popen(["cat"], stdin=self.proc.stderr, stdout=self.log)

    def logged(self, text):
        """Whether the daemon has written text to its stderr."""
        with open(self.log.name, "rb") as f:
            return text.encode() in f.read()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def status_kb(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return -1

    def rollup_kb(self, field):
        """A field of /proc/PID/smaps_rollup: Pss, Private_Clean, Private_Dirty…"""
        with open(f"/proc/{self.proc.pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.drain.wait(timeout=5)


def serve_snapshot(cconvd, tmp, name, rates, wrapper=()):
    """A daemon serving rates (Frankfurter v1's shape, from a file:// upstream),
    started on a new database of its own and waited for until its first fetch
    is stored, published and logged, so that from then on it only answers
    requests.  Returns it, its upstream and its database; its .currencies is
    how many /currencies lists, checked against the snapshot so no load runs
    on fewer."""
    latest = os.path.join(tmp, f"latest-{name}.json")
    with open(latest, "w") as f:
        json.dump({"amount": 1.0, "base": "EUR", "date": time.strftime("%Y-%m-%d", time.gmtime()),
                   "rates": rates}, f)
    upstream, db = "file://" + latest, os.path.join(tmp, f"rates-{name}.db")
    if os.path.exists(db):
        raise SystemExit(f"{db} exists: each snapshot needs a name of its own")
    d = Daemon(cconvd, tmp, upstream, db, name=f"cconvd-{name}", wrapper=wrapper)
    deadline = time.monotonic() + 30
    while not d.logged("refresh ok"):
        if time.monotonic() > deadline:
            raise SystemExit(f"cconvd did not fetch {upstream}")
        time.sleep(0.05)
    d.currencies = len(json.loads(http_get(d.url("/currencies"))[1]))
    if d.currencies != len(rates) + 1:
        raise SystemExit(f"cconvd serves {d.currencies} currencies from a snapshot of {len(rates) + 1}")
    return d, upstream, db


def instructions_per_request(cconvd, tmp, name, rates, path, seconds):
    """Instructions cconvd runs per request for path (callgrind's count, every
    thread, libmicrohttpd and libc included, the kernel not), over one
    keep-alive connection.  Unlike times on a shared machine it hardly moves
    from one run to the next, so it can show a difference of a few percent.
    Counting starts after start-up and the first fetch."""
    out = os.path.join(tmp, f"callgrind-{name}")
    d, _, _ = serve_snapshot(cconvd, tmp, f"{name}-callgrind-{MEASURED.index(path)}", rates,
                             wrapper=["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                      f"--callgrind-out-file={out}.%p"])
    try:
        subprocess.run(["callgrind_control", "-i", "on", str(d.proc.pid)], check=True, capture_output=True)
        requests = wrk_requests(d.url(path), seconds)
        subprocess.run(["callgrind_control", "-d", str(d.proc.pid)], check=True, capture_output=True)
    finally:
        d.stop()
    with open(f"{out}.{d.proc.pid}.1") as f:
        total = int(re.search(r"^summary: (\d+)$", f.read(), re.M).group(1))
    return total / requests


def start_nginx(tmp, port):
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server {{
        listen 127.0.0.1:{port};
        location / {{ default_type text/plain; return 200 "GBP 88.40\\n"; }}
    }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, preexec_fn=on_cpus(SERVER_CPUS))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if http_get(f"http://127.0.0.1:{port}/")[1] == "GBP 88.40\n":
                return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def lift_limits(cconvd):
    """Flags that make the daemon's share of the machine match nginx's: no
    per-client limits (all of wrk's connections come from 127.0.0.1, which a
    per-IP limit exists to stop), and one HTTP thread, as nginx gets one worker
    process, so each server has a core and wrk the other.  With two threads
    competing with wrk for two cores, p99 at 50 connections goes from about
    0.7 ms to anywhere up to 3.7 ms, for nginx with two workers as for cconvd."""
    out = subprocess.run([cconvd, "--help"], capture_output=True, text=True).stdout
    flags = ["--max-conns-per-ip", "0"] if "--max-conns-per-ip" in out else []
    return flags + (["--threads", "1"] if "--threads" in out else [])


LIFT_LIMITS = []


def floor_rss_kb(tmp):
    """Peak RSS of a program that links the same libraries as cconvd and only reads
    its own VmHWM: what loading them costs before cconvd runs a single line.
    Debian builds them with BIND_NOW, so every relocation is done, and its pages
    touched, at load.  (The program reports its own VmHWM because a parent's
    rusage would also count the pages of the process it was forked from.)"""
    src = os.path.join(tmp, "floor.c")
    exe = os.path.join(tmp, "floor")
    with open(src, "w") as f:
        f.write('#include <stdio.h>\n#include <string.h>\n'
                'int main(void) { char l[256]; FILE *f = fopen("/proc/self/status", "r");\n'
                '  while (f && fgets(l, sizeof l, f)) if (strncmp(l, "VmHWM:", 6) == 0) fputs(l, stdout);\n'
                '  return 0; }\n')
    libs = subprocess.run(["pkg-config", "--libs", "libmicrohttpd", "libcurl", "expat", "sqlite3"],
                          capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", src, "-o", exe, "-Wl,--no-as-needed", *libs, "-lpthread"], check=True)
    peaks = [int(subprocess.run([exe], capture_output=True, text=True, check=True).stdout.split()[1])
             for _ in range(5)]
    return statistics.median(peaks)


def unit_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, conns, duration):
    out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True, preexec_fn=on_cpus(CLIENT_CPUS)).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict((p, unit_ms(v, u)) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error answers from {url}")
    return rps, lat["50"], lat["99"]


def wrk_requests(url, duration):
    """How many requests one connection completed in duration seconds."""
    out = subprocess.run(["wrk", "-t1", "-c1", f"-d{duration}s", url], capture_output=True, text=True,
                         check=True, preexec_fn=on_cpus(CLIENT_CPUS)).stdout
    return int(re.search(r"^\s*(\d+) requests in", out, re.M).group(1))


def median_ms(cmd, runs, env=None):
    """hyperfine's median wall time for cmd, run without a shell (-N)."""
    out = os.path.join(tempfile.mkdtemp(prefix="cconv-hf-"), "hf.json")
    subprocess.run(["hyperfine", "-N", "-w", "3", "-r", str(runs), "--export-json", out, " ".join(cmd)],
                   env=env, check=True, capture_output=True)
    with open(out) as f:
        result = json.load(f)["results"][0]
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    return result["median"] * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3,
                    help="each load is run this many times, interleaved with the others; medians are printed")
    args = ap.parse_args()
    cconvd = os.path.join(args.build, "cconvd")
    cconv = os.path.join(args.build, "cconv")
    tmp = tempfile.mkdtemp(prefix="cconv-bench-")
    LIFT_LIMITS.extend(lift_limits(cconvd))
    rows, growth = [], []
    try:
        # Two daemons side by side: the ECB's 30 currencies (d, which every
        # other figure is taken from) and about 160 (d160), to show that a
        # conversion costs the same however many currencies the snapshot holds.
        d, upstream, db = serve_snapshot(cconvd, tmp, "ecb", ECB_RATES)
        world = world_rates()
        d160, _, _ = serve_snapshot(cconvd, tmp, "world", world)
        idle_rss = d.status_kb("VmRSS")
        idle_rss_160 = d160.status_kb("VmRSS")

        nginx_port = free_port()
        nginx = start_nginx(tmp, nginx_port)
        # Every load runs once per round, nginx and cconvd interleaved, and
        # each request with 160 currencies right after the same with 30, so a
        # slow patch of the shared machine hits both; the table gives
        # per-load medians.
        loads = [(f"nginx `return 200` (ceiling), {c} conns", f"http://127.0.0.1:{nginx_port}/convert/GBP/100", c, None)
                 for c in (50, 500)]
        pairs = [(p, c) for p in MEASURED for c in (50, 500)]
        loads += [(f"cconvd `{p}`, {dl.currencies} currencies, {c} conns", dl.url(p), c, c)
                  for p, c in pairs for dl in (d, d160)]
        runs = {name: [] for name, _, _, _ in loads}
        try:
            for _ in range(args.rounds):
                for name, url, conns, _ in loads:
                    runs[name].append(wrk(url, conns, args.duration))
        finally:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=10)
        d160.stop()
        med = {name: tuple(statistics.median(r[i] for r in rs) for i in range(3)) for name, rs in runs.items()}
        ceiling = {c: med[f"nginx `return 200` (ceiling), {c} conns"] for c in (50, 500)}
        for name, _, _, vs in loads:
            p99s = [r[2] for r in runs[name]]
            rows.append((name, med[name], ceiling[vs] if vs else None, (min(p99s), max(p99s))))
        for p, c in pairs:
            small, large = (med[f"cconvd `{p}`, {dl.currencies} currencies, {c} conns"] for dl in (d, d160))
            growth.append((f"`{p}`, {c} conns", small, large))
        peak_rss = d.status_kb("VmHWM")
        # RSS counts the pages of shared libraries the daemon touched (libcrypto,
        # libgnutls, libsqlite3…); the anonymous part is what cconvd itself holds.
        anon_rss = d.status_kb("RssAnon")
        private_kb = d.rollup_kb("Private_Clean") + d.rollup_kb("Private_Dirty")
        pss_kb = d.rollup_kb("Pss")
        floor_kb = floor_rss_kb(tmp)

        # p99 while the refresher swaps snapshots every second (SIGHUP = refresh
        # now; each refresh publishes a new snapshot), against steady runs
        # interleaved with it.
        steady, swapping = [], []
        for _ in range(args.rounds):
            steady.append(wrk(d.url("/convert/GBP/100"), 50, args.duration)[2])
            swapper = subprocess.Popen(["bash", "-c", f"for i in $(seq {args.duration}); do kill -HUP {d.proc.pid}; sleep 1; done"])
            swapping.append(wrk(d.url("/convert/GBP/100"), 50, args.duration)[2])
            swapper.wait()
        base_p99, swap_p99 = statistics.median(steady), statistics.median(swapping)

        env = dict(os.environ, CCONV_SERVER=d.url(""), XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        cli_ms = median_ms([cconv, "GBP", "100"], 25, env)
        curl_ms = median_ms(["curl", "-s", d.url("/convert/GBP/100")], 25)
        d.stop()
        down = free_port()
        env_down = dict(env, CCONV_SERVER=f"http://127.0.0.1:{down}", CCONV_UPSTREAM=upstream)
        fallback_ms = median_ms([cconv, "GBP", "100"], 25, env_down)

        # Start-up on the populated database: time to the first correct answer.
        starts = []
        for _ in range(10):
            t = time.monotonic()
            d2 = Daemon(cconvd, tmp, f"http://127.0.0.1:{down}/latest", db)
            while True:
                try:
                    if http_get(d2.url("/convert/GBP/100"))[1] == "GBP 88.40\n":
                        break
                except OSError:
                    pass
            starts.append((time.monotonic() - t) * 1000)
            d2.stop()

        instructions = [(p, *(instructions_per_request(cconvd, tmp, name, rates, p, args.duration)
                              for name, rates in (("ecb", ECB_RATES), ("world", world))))
                        for p in MEASURED]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"cconv benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, wrk -t1 -d{args.duration}s, "
          f"median of {args.rounds} interleaved rounds; nginx worker_processes 1, cconvd {' '.join(LIFT_LIMITS)}; "
          f"servers on CPU {','.join(map(str, sorted(SERVER_CPUS)))}, wrk on CPU {','.join(map(str, sorted(CLIENT_CPUS)))}\n")
    print("| load | requests/s | p50 ms | p99 ms (range) | vs nginx (rps, p99) |")
    print("|---|---:|---:|---:|---|")
    for name, (rps, p50, p99), ceil, (lo, hi) in rows:
        ratio = f"{rps / ceil[0]:.2f}×, {p99 / ceil[2]:.2f}×" if ceil else ""
        print(f"| {name} | {rps:,.0f} | {p50:.3f} | {p99:.3f} ({lo:.2f}–{hi:.2f}) | {ratio} |")
    print()
    print(f"| {d160.currencies} currencies against {d.currencies}, same run | requests/s | p50 | p99 |")
    print("|---|---:|---:|---:|")
    for name, small, large in growth:
        print(f"| {name} | " + " | ".join(f"{(b / a - 1) * 100:+.1f}%" for a, b in zip(small, large)) + " |")
    print()
    print(f"| instructions per request (callgrind, 1 connection) | {d.currencies} currencies | "
          f"{d160.currencies} currencies | difference |")
    print("|---|---:|---:|---:|")
    for p, small, large in instructions:
        print(f"| `{p}` | {small:,.0f} | {large:,.0f} | {(large / small - 1) * 100:+.1f}% |")
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| cconvd idle RSS, {d.currencies} / {d160.currencies} currencies | {idle_rss / 1024:.1f} / "
          f"{idle_rss_160 / 1024:.1f} MiB |")
    print(f"| cconvd peak RSS (VmHWM, after all load) | {peak_rss / 1024:.1f} MiB |")
    print(f"| floor: peak RSS of an empty program linking the same libraries | {floor_kb / 1024:.1f} MiB |")
    print(f"| cconvd anonymous RSS, after all load | {anon_rss / 1024:.1f} MiB |")
    print(f"| cconvd private pages (not shared with any process), after all load | {private_kb / 1024:.1f} MiB |")
    print(f"| cconvd PSS, after all load | {pss_kb / 1024:.1f} MiB |")
    print(f"| `cconv GBP 100` via daemon, hyperfine -N median of 25 | {cli_ms:.1f} ms |")
    print(f"| `curl -s …/convert/GBP/100`, hyperfine -N median of 25 | {curl_ms:.1f} ms |")
    print(f"| `cconv GBP 100`, daemon down → file:// upstream, hyperfine -N median of 25 | {fallback_ms:.1f} ms |")
    print(f"| start on populated db → first correct answer, median of 10 | {statistics.median(starts):.1f} ms |")
    print(f"| p99 at 50 conns, steady / swapping a snapshot every second (medians) | {base_p99:.3f} / {swap_p99:.3f} ms "
          f"({(swap_p99 / base_p99 - 1) * 100:+.0f}%) |")


if __name__ == "__main__":
    main()
