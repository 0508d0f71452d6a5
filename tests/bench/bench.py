#!/usr/bin/env python3
"""cconv benchmark: cconvd beside nginx (the ceiling for any HTTP server here), in one run.

Prints a Markdown table of figures; nothing here passes or fails on speed.
Usage: bench.py BUILD_DIR [--duration SECONDS]
Everything runs on loopback: a file:// upstream, cconvd on a free port, nginx
returning a fixed answer from memory on another free port, wrk as the load.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

RATES = {"AUD": 1.6012, "CAD": 1.4711, "CHF": 0.9391, "CNY": 7.5103, "GBP": 0.884, "JPY": 163.36,
         "KWD": 0.32411, "NOK": 11.703, "SEK": 11.512, "USD": 1.0512}


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
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


class Daemon:
    """cconvd on a free port; knows its pid, port and stderr."""

    def __init__(self, cconvd, tmp, upstream, db, extra=()):
        self.log = open(os.path.join(tmp, "cconvd.log"), "ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [cconvd, "--listen", "127.0.0.1:0", "--db", db, "--upstream", upstream, *LIFT_LIMITS, *extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, preexec_fn=on_cpus(SERVER_CPUS))
        self.port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline().decode()
            self.log.write(line.encode())
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            raise SystemExit("cconvd did not start")
        # Keep draining stderr so the daemon never blocks on a full pipe.
        self.drain = subprocess.Popen(["cat"], stdin=self.proc.stderr, stdout=self.log)

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
        self.proc.wait(timeout=10)
        self.drain.wait(timeout=5)


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
    rows = []
    try:
        latest = os.path.join(tmp, "latest.json")
        with open(latest, "w") as f:
            json.dump({"amount": 1.0, "base": "EUR", "date": time.strftime("%Y-%m-%d", time.gmtime()),
                       "rates": RATES}, f)
        upstream = "file://" + latest
        db = os.path.join(tmp, "rates.db")
        d = Daemon(cconvd, tmp, upstream, db)
        deadline = time.monotonic() + 10
        while http_get(d.url("/healthz"))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        idle_rss = d.status_kb("VmRSS")

        nginx_port = free_port()
        nginx = start_nginx(tmp, nginx_port)
        # Every load runs once per round, nginx and cconvd interleaved, so a slow
        # patch of the shared machine hits both; the table gives per-load medians.
        loads = [(f"nginx `return 200` (ceiling), {c} conns", f"http://127.0.0.1:{nginx_port}/convert/GBP/100", c, None)
                 for c in (50, 500)]
        loads += [(f"cconvd `{p}`, {c} conns", d.url(p), c, c)
                  for p in ("/convert/GBP/100", "/convert?from=USD&to=GBP&amount=100") for c in (50, 500)]
        runs = {name: [] for name, _, _, _ in loads}
        try:
            for _ in range(args.rounds):
                for name, url, conns, _ in loads:
                    runs[name].append(wrk(url, conns, args.duration))
        finally:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=10)
        med = {name: tuple(statistics.median(r[i] for r in rs) for i in range(3)) for name, rs in runs.items()}
        ceiling = {c: med[f"nginx `return 200` (ceiling), {c} conns"] for c in (50, 500)}
        for name, _, _, vs in loads:
            p99s = [r[2] for r in runs[name]]
            rows.append((name, med[name], ceiling[vs] if vs else None, (min(p99s), max(p99s))))
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
    print("| measure | value |")
    print("|---|---:|")
    print(f"| cconvd idle RSS | {idle_rss / 1024:.1f} MiB |")
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
