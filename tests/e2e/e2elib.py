"""Shared pieces of the end-to-end tests: a fake Frankfurter upstream, the real
cconvd and cconv started on loopback, and a tiny runner.

Readiness is always a condition polled against a deadline (the daemon's
"listening on" line, a /healthz field), never a fixed sleep.  Every process's
stderr is checked for sanitizer reports.
"""
import contextlib
import datetime
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 60

CCONVD = os.environ.get("CCONVD", "")
CCONV = os.environ.get("CCONV", "")
# cconvd's default history feed is the real ECB: no test may reach it, even one that starts cconvd
# without Daemon (which also passes --history-upstream none unless told otherwise).
os.environ["CCONV_HISTORY_UPSTREAM"] = "none"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer")

RATES = {"AUD": 1.6012, "GBP": 0.884, "JPY": 163.36, "KWD": 0.32411, "USD": 1.0512, "CHF": 0.9391}
def recent_weekday():
    """The newest weekday up to today (UTC): rates of that date are never stale by their date (cconvd and cconv
    judge rates by how old their date is, so a fixed date would turn every test's rates stale as time passes)."""
    day = datetime.datetime.now(datetime.timezone.utc).date()
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day.isoformat()


DATE = recent_weekday()
MINOR = {"AUD": 2, "GBP": 2, "JPY": 0, "KWD": 3, "USD": 2, "CHF": 2, "EUR": 2}


def expected(amount, frm, to, rates=None):
    """amount frm in to, exactly, rounded half away from zero (the oracle)."""
    rates = dict(rates or RATES, EUR=1)
    v = Decimal(amount) * Decimal(str(rates[to])) / Decimal(str(rates[frm]))
    return str(v.quantize(Decimal(1).scaleb(-MINOR[to]), rounding=ROUND_HALF_UP))


def ecb_xml(days, namespace="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"):
    """The ECB's XML for {date: {code: rate text}}, newest day first, as eurofxref-daily.xml (one day)
    and eurofxref-hist*.xml (many) write it."""
    out = ["<?xml version='1.0' encoding='UTF-8'?>\n",
           f"<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' xmlns='{namespace}'>\n",
           "\t<gesmes:subject>Reference rates</gesmes:subject>\n",
           "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n",
           "\t<Cube>\n"]
    for date in sorted(days, reverse=True):
        out.append(f"\t\t<Cube time='{date}'>\n")
        out += [f"\t\t\t<Cube currency='{c}' rate='{v}'/>\n" for c, v in days[date].items()]
        out.append("\t\t</Cube>\n")
    out.append("\t</Cube>\n</gesmes:Envelope>\n")
    return "".join(out)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """What every fake server's handler needs: no request log, one way to answer."""

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json", etag=None, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a body it did not want: expected


def start_server(handler, port=0):
    """A threading HTTP server on a loopback port (0: any free one), serving in the background."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


# Thirty currencies the ECB publishes, all in ISO 4217 today.
HIST_CODES = ["USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK", "TRY",
              "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD", "PHP", "SGD",
              "THB", "ZAR"]


def make_history(years, ncodes=30, end=DATE, seed=5):
    """{date: {code: rate text}} for every weekday of `years` years up to `end`, as the ECB publishes
    (4 to 6 significant digits, trailing zeros kept); about one day in fifty lacks one currency."""
    rnd = random.Random(seed)
    last = datetime.date.fromisoformat(end)
    day = last.replace(year=last.year - years) + datetime.timedelta(days=1)
    level = {c: 10 ** rnd.uniform(-0.5, 4.3) for c in HIST_CODES[:ncodes]}
    days = {}
    while day <= last:
        if day.weekday() < 5:
            rates = {}
            for c in level:
                level[c] *= 1 + rnd.uniform(-0.004, 0.004)
                digits = max(0, 5 - len(str(int(level[c]))))
                rates[c] = f"{level[c]:.{digits}f}" if digits else str(int(level[c]))
            if rnd.random() < 0.02:
                del rates[rnd.choice(list(rates))]
            days[day.isoformat()] = rates
        day += datetime.timedelta(days=1)
    return days


def day_view(days, date, window=14):
    """{code: rate text} a day's view has by the carry-forward rule: per currency, its newest rate in `days`
    ({date: {code: rate text}}) dated on or up to `window` days before date."""
    first = (datetime.date.fromisoformat(date) - datetime.timedelta(days=window)).isoformat()
    view = {}
    for d in sorted(x for x in days if first <= x <= date):
        view.update(days[d])
    return view


def ecb_csv(days):
    """eurofxref-hist.csv for {date: {code: rate text}}: header Date,USD,..., newest day first, N/A for a
    missing rate, a comma closing every line."""
    codes = sorted({c for r in days.values() for c in r}, key=lambda c: (c not in HIST_CODES, HIST_CODES.index(c)
                                                                           if c in HIST_CODES else c))
    out = ["Date," + "".join(c + "," for c in codes) + "\n"]
    for d in sorted(days, reverse=True):
        out.append(d + "," + "".join(days[d].get(c, "N/A") + "," for c in codes) + "\n")
    return "".join(out)


def read_ecb_csv(path):
    """{date: {code: rate text}} of an eurofxref-hist.csv, as the file writes them (N/A left out)."""
    with open(path) as f:
        header = f.readline().rstrip("\r\n").split(",")
        days = {}
        for line in f:
            fields = line.rstrip("\r\n").split(",")
            days[fields[0]] = {c: v for c, v in zip(header[1:], fields[1:]) if c and v != "N/A"}
    return days


def frankfurter_json(days, start=None, end=None):
    """Frankfurter's answer for {date: {code: rate text}}: one day's {"amount","base","date","rates"}, or
    with start/end the time series of the days in start..end.  Rate texts are written as they are."""
    def obj(rates):
        return "{" + ",".join(f'"{c}":{v}' for c, v in rates.items()) + "}"
    if start is None:
        (d, rates), = days.items()
        return '{"amount":1.0,"base":"EUR","date":"%s","rates":%s}' % (d, obj(rates))
    sel = sorted(d for d in days if start <= d and (end is None or d <= end))
    if not sel:
        return None
    return ('{"amount":1.0,"base":"EUR","start_date":"%s","end_date":"%s","rates":{%s}}'
            % (sel[0], sel[-1], ",".join(f'"{d}":{obj(days[d])}' for d in sel)))


class Upstream:
    """A fake Frankfurter on 127.0.0.1; `mode` makes it misbehave on demand.  With `history` set
    ({date: {code: rate text}}) it also answers /v1/{date} (nearest earlier) and /v1/{start}..{end}."""

    def __init__(self):
        self.mode = "ok"
        self.body = {"amount": 1.0, "base": "EUR", "date": DATE, "rates": dict(RATES)}
        self.hits = 0
        self.conditional = True
        self.retry_after = 0
        self.not_modified = 0
        self.last_headers = {}
        self.redirect_to = ""  # the Location of mode "redirect"
        self.history = {}
        self.paths = []
        self.stopping = threading.Event()
        self.gate = threading.Event()  # cleared: every answer waits until it is set
        self.gate.set()
        up = self

        class Handler(QuietHandler):
            def stream(self, chunks, pause=0.0):
                """An HTTP/1.0 body without Content-Length: only the close ends it."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    for c in chunks:
                        if up.stopping.is_set():
                            return
                        self.wfile.write(c)
                        self.wfile.flush()
                        if pause:
                            up.stopping.wait(pause)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: what a bounded fetch must do

            def dated(self):
                """/v1/{date} and /v1/{start}..[end] from up.history, as Frankfurter answers them."""
                path = self.path.split("?")[0]
                m = re.fullmatch(r"/v1/(\d{4}-\d\d-\d\d)(\.\.(\d{4}-\d\d-\d\d)?)?", path)
                if not m:
                    return False
                if m.group(2):
                    body = frankfurter_json(up.history, m.group(1), m.group(3))
                else:
                    earlier = [d for d in up.history if d <= m.group(1)]
                    body = frankfurter_json({max(earlier): up.history[max(earlier)]}) if earlier else None
                if body is None:
                    self.send(404, '{"message":"not found"}')
                else:
                    self.send(200, body)
                return True

            def do_GET(self):
                up.hits += 1
                up.last_headers = dict(self.headers)
                up.gate.wait(30)
                up.paths.append(self.path)
                m = up.mode
                if m == "ok" and up.history and self.dated():
                    return
                good = json.dumps(up.body)
                bad_rates = {"negative_rate": -1.5, "zero_rate": 0, "string_rate": "1.05"}
                if m == "ok":
                    # Frankfurter-like validators: a strong ETag of the body.
                    etag = '"%08x"' % (hash(good) & 0xffffffff)
                    if up.conditional and self.headers.get("If-None-Match") == etag:
                        up.not_modified += 1
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return
                    self.send(200, good, etag=etag if up.conditional else None,
                              headers=[("Retry-After", str(up.retry_after))] if up.retry_after else [])
                elif m.startswith("http_"):
                    self.send_response(int(m[5:]))
                    if up.retry_after:
                        self.send_header("Retry-After", str(up.retry_after))
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "14")
                    self.end_headers()
                    self.wfile.write(b"<h1>error</h1>")
                elif m == "html":
                    self.send(200, "<!doctype html><html><body>maintenance</body></html>", "text/html")
                elif m == "truncated":
                    self.send(200, good[: len(good) // 2])
                elif m == "empty_rates":
                    self.send(200, json.dumps(dict(up.body, rates={})))
                elif m in bad_rates:
                    self.send(200, json.dumps(dict(up.body, rates=dict(up.body["rates"], USD=bad_rates[m]))))
                elif m == "bad_date":
                    self.send(200, json.dumps(dict(up.body, date="2026-02-30")))
                elif m == "bad_code":
                    self.send(200, json.dumps(dict(up.body, rates={"usd": 1.05})))
                elif m == "huge":
                    self.send(200, '{"base":"EUR","date":"%s","pad":"%s","rates":{"USD":1.1}}' % (DATE, "x" * (2 << 20)))
                elif m == "huge_stream":  # 20 MB with no Content-Length to refuse it early
                    self.stream((b"x" * 65536 for _ in range(20 * 1000 * 1000 // 65536)))
                elif m == "drip":  # valid JSON, one byte a second
                    self.stream((bytes([b]) for b in good.encode()), pause=1.0)
                elif m == "redirect_loop":
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif m == "redirect":
                    self.send_response(302)
                    self.send_header("Location", up.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif m == "close":
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif m == "hang":
                    up.stopping.wait(30)

        self.handler = Handler
        self.listen(0)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1/latest"

    def listen(self, port):
        self.server, _ = start_server(self.handler, port)

    def refuse(self):
        """Closes the listening socket: connections are refused until listen_again()."""
        self.server.shutdown()
        self.server.server_close()

    def listen_again(self):
        self.listen(self.port)

    def stop(self):
        self.stopping.set()
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def v2_records(days, base="EUR"):
    """Frankfurter v2 records for {date: {code: rate text}}, sorted by date then quote, as a range answer
    lists them: [{"date","base","quote","rate"}], the rate a text written as it is (FrankfurterV2.body())."""
    return [{"date": d, "base": base, "quote": q, "rate": days[d][q]} for d in sorted(days) for q in sorted(days[d])]


class FrankfurterV2:
    """A fake Frankfurter API v2 on 127.0.0.1 (shapes of its lib/public/v2/openapi.json), answering
    GET /v2/rates as the real one does:

    - no date, from or to: the latest answer, `rows` (a list of records, each {"date","base","quote",
      "rate"} and optionally "providers"), sorted by quote.  The default rows (latest_rows()) carry three
      dates: yesterday's, DATE's and tomorrow's (a next-day publisher), the identity row EUR=1 and AED, a
      currency the ECB lacks; a test sets `rows` to serve others.
    - from=…[&to=…]: the records of `history` ({date: {code: rate text}}) in that range (to: today),
      sorted by date then quote; date=D: the newest day of `history` on or before D.
    - Accept: application/x-ndjson: the same records, one JSON object a line.
    - every 200 has an ETag of its body; If-None-Match with it gives 304 (`not_modified` counts them).
    - base=… other than the records' base, or a range with from after to: 422 {"status","message"}.
    - `mode` "http_NNN" answers every request with that status.

    Rates are written as their text, digit for digit (a float or int is written by json).  `requests`
    lists each request's (path, {param: value}, Accept header); ranges() the (from, to) of the range
    requests.  `url` is the latest rates' URL, .../v2/rates?base=EUR."""

    def __init__(self, rows=None, history=None):
        self.rows = rows if rows is not None else self.latest_rows()
        self.history = history or {}
        self.mode = "ok"
        self.requests = []
        self.not_modified = 0
        v2 = self

        class Handler(QuietHandler):
            def do_GET(self):
                path, _, query = self.path.partition("?")
                params = dict(p.partition("=")[::2] for p in query.split("&") if p)
                accept = self.headers.get("Accept", "")
                v2.requests.append((path, params, accept))
                if v2.mode.startswith("http_"):
                    self.send(int(v2.mode[5:]), '{"status":%s,"message":"failing on purpose"}' % v2.mode[5:])
                    return
                if path != "/v2/rates":
                    self.send(404, '{"status":404,"message":"not found"}')
                    return
                records, why = v2.answer(params)
                if records is None:
                    self.send(422, json.dumps({"status": 422, "message": why}))
                    return
                ndjson = "application/x-ndjson" in accept
                body = v2.body(records, ndjson)
                etag = '"%08x"' % (hash(body) & 0xffffffff)
                if self.headers.get("If-None-Match") == etag:
                    v2.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send(200, body, "application/x-ndjson" if ndjson else "application/json; charset=utf-8",
                          etag=etag, headers=[("Vary", "Accept")])

        self.server, self.port = start_server(Handler)
        self.url = f"http://127.0.0.1:{self.port}/v2/rates?base=EUR"

    @staticmethod
    def latest_rows():
        """A latest answer's rows: several dates (yesterday, DATE, tomorrow), the identity row, AED."""
        day = datetime.date.fromisoformat(DATE)
        tomorrow = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)).isoformat()
        before = (day - datetime.timedelta(days=1)).isoformat()
        rows = [("AED", tomorrow, "4.2712"), ("ARS", before, "1212.5"), ("EUR", DATE, "1.0"),
                ("GBP", DATE, "0.86080"), ("JPY", DATE, "163.36"), ("NZD", tomorrow, "1.8123"),
                ("TWD", before, "36.01"), ("USD", DATE, "1.0512")]
        return [{"date": d, "base": "EUR", "quote": q, "rate": r} for q, d, r in rows]

    def answer(self, params):
        """(records, None) for a request's parameters, or (None, why) for a 422."""
        base = params.get("base", "EUR")
        if "from" in params:
            to = params.get("to", datetime.datetime.now(datetime.timezone.utc).date().isoformat())
            if params["from"] > to:
                return None, "from must not be after to"
            days = {d: r for d, r in self.history.items() if params["from"] <= d <= to}
            records = v2_records(days)
        elif "date" in params:
            earlier = [d for d in self.history if d <= params["date"]]
            records = v2_records({max(earlier): self.history[max(earlier)]}) if earlier else []
        else:
            records = sorted(self.rows, key=lambda r: r["quote"])
        if any(r["base"] != base for r in records):
            return None, f"base {base} is not served here"
        return records, None

    @staticmethod
    def body(records, ndjson=False):
        """The records as the JSON array, or NDJSON, with each rate's text as it is."""
        def one(r):
            rate = r["rate"] if isinstance(r["rate"], str) else json.dumps(r["rate"])
            extra = "".join(f',"{k}":{json.dumps(v)}' for k, v in r.items()
                            if k not in ("date", "base", "quote", "rate"))
            return '{"date":"%s","base":"%s","quote":"%s","rate":%s%s}' % (r["date"], r["base"], r["quote"], rate,
                                                                             extra)
        if ndjson:
            return "".join(one(r) + "\n" for r in records)
        return "[" + ",".join(one(r) for r in records) + "]"

    def ranges(self):
        """The (from, to) of every range request so far, to None when open-ended."""
        return [(p["from"], p.get("to")) for _, p, _ in self.requests if "from" in p]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


ECB_RATES = {"USD": "1.0512", "JPY": "163.36", "GBP": "0.86080", "KWD": "0.32411", "CHF": "0.9391"}


class Ecb:
    """A fake European Central Bank on 127.0.0.1, serving its XML as the real one lays it out:
    `daily_url` the newest of `days` ({date: {code: rate text}}), `hist_url` (the 90-day feed) all
    of them.  `mode[feed]` ("daily" or "hist") makes one misbehave: "ok", "http_NNN",
    "wrong_namespace", "truncated"; `hits[feed]` counts requests."""

    def __init__(self, days=None):
        self.days = days or {DATE: dict(ECB_RATES)}
        self.mode = {"daily": "ok", "hist": "ok"}
        self.hits = {"daily": 0, "hist": 0}
        ecb = self

        class Handler(QuietHandler):
            def do_GET(self):
                feed = "hist" if self.path.endswith("-hist-90d.xml") else "daily"
                ecb.hits[feed] += 1
                m = ecb.mode[feed]
                days = dict(ecb.days) if feed == "hist" else {max(ecb.days): ecb.days[max(ecb.days)]}
                if m.startswith("http_"):
                    self.send(int(m[5:]), "<h1>error</h1>", "text/html")
                elif m == "wrong_namespace":
                    self.send(200, ecb_xml(days, "http://www.ecb.int/vocabulary/2099-01-01/other"), "text/xml")
                elif m == "truncated":
                    body = ecb_xml(days)
                    self.send(200, body[: len(body) * 2 // 3], "text/xml")
                else:
                    self.send(200, ecb_xml(days), "text/xml")

        self.server, self.port = start_server(Handler)
        base = f"http://127.0.0.1:{self.port}/stats/eurofxref"
        self.daily_url = f"{base}/eurofxref-daily.xml"
        self.hist_url = f"{base}/eurofxref-hist-90d.xml"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def tls_upstream(tmp):
    """The fake Frankfurter behind a freshly made self-signed certificate for
    127.0.0.1 (needs the openssl command), and its https URL."""
    import ssl
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    up = Upstream()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    up.server.socket = ctx.wrap_socket(up.server.socket, server_side=True)
    return up, up.url.replace("http://", "https://")


def memory_kib(pid):
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def sanitizer_build():
    """Whether cconvd was built with ASan or TSan, whose allocators keep freed memory (quarantine, shadow):
    its RSS then says nothing about cconvd's own."""
    with open(CCONVD, "rb") as f:
        binary = f.read()
    return any(mark in binary for mark in (b"__asan_init", b"__tsan_init"))


def db_contents(db):
    """Every stored row, in order: what 'SQLite keeps what it had' compares.  (days and sources,
    observations as (date, currency, rate, source, base, fetched_at))."""
    import sqlite3
    with contextlib.closing(sqlite3.connect(db)) as c:
        return (c.execute("SELECT * FROM days ORDER BY date").fetchall()
                + c.execute("SELECT * FROM sources ORDER BY id").fetchall(),
                c.execute("SELECT date, currency, rate, source, base, fetched_at FROM observations"
                          " ORDER BY date, currency, source").fetchall())


_HELD = []


def refused_url():
    """A loopback URL on which nothing listens, and nothing will: the port stays
    bound (never listening, so connections are refused) for the life of the test
    process, so another test running beside this one cannot be handed it and
    answer in its place."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD.append(s)
    return f"http://127.0.0.1:{s.getsockname()[1]}/v1/latest"


METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
METRIC_SAMPLE = re.compile(r"(%s)(?:\{((?:%s,?)*)\})? ([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|[-+]?Inf))"
                           r"(?: -?[0-9]+)?" % (METRIC_NAME, LABEL))


def parse_metrics(text):
    """Prometheus text format 0.0.4, strictly: every line a HELP, a TYPE or a sample,
    every sample's family declared by HELP and TYPE before it, no family declared twice."""
    assert text.endswith("\n"), "exposition must end with a newline"
    helps, types, out = set(), {}, {}
    for line in text.splitlines():
        m = re.fullmatch(r"# (HELP|TYPE) (%s) (.+)" % METRIC_NAME, line)
        if m:
            kind, name, rest = m.groups()
            seen = helps if kind == "HELP" else types
            assert name not in seen, f"{kind} for {name} given twice"
            if kind == "HELP":
                helps.add(name)
            else:
                assert rest in ("counter", "gauge", "histogram", "summary", "untyped"), line
                types[name] = rest
            continue
        m = METRIC_SAMPLE.fullmatch(line)
        assert m, f"not a valid exposition line: {line!r}"
        name, labels, value = m.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        assert family in types and family in helps, f"{name}: no HELP/TYPE before it"
        if family != name:
            assert types[family] == "histogram", line
        pairs = tuple(sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels or "")))
        assert (name, pairs) not in out, f"sample given twice: {line}"
        out[(name, pairs)] = float(value)
    return out


def free_port():
    """A loopback port nothing listens on right now (for programs that cannot bind port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def check_sanitizers(name, text):
    for mark in SANITIZER_MARKS:
        assert mark not in text, f"{name} printed a sanitizer report:\n{text}"


class Daemon:
    def __init__(self, tmp, upstreams, extra=(), env=None, db=None, wrap=None, history="none", slow=1):
        """wrap(cmd) -> argv runs cconvd inside something (a namespace, valgrind); it must exec it.
        slow multiplies the start, refresh and stop deadlines."""
        self.tmp = tmp
        self.db = db or os.path.join(tmp, "rates.db")
        self.slow = slow
        # No history feed unless a test serves one: the default is the real ECB.
        cmd = [CCONVD, "--listen", "127.0.0.1:0", "--db", self.db, "--history-upstream", history]
        for u in upstreams:
            cmd += ["--upstream", u]
        cmd += list(extra)
        if wrap:
            cmd = wrap(cmd)
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     env=dict(os.environ, **(env or {})))
        self.lines = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        m = wait_until(lambda: self._find(r"listening on 127\.0\.0\.1:(\d+)") or self.proc.poll() is not None,
                       10 * slow, "cconvd to listen")
        if self.proc.poll() is not None and not isinstance(m, re.Match):
            raise AssertionError("cconvd exited at start:\n" + self.stderr())
        self.port = int(m.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self):
        for raw in self.proc.stderr:
            with self.lock:
                self.lines.append(unstamp(raw.decode(errors="replace")))

    def _find(self, pattern):
        with self.lock:
            for line in self.lines:
                m = re.search(pattern, line)
                if m:
                    return m
        return None

    def stderr(self):
        with self.lock:
            return "".join(self.lines)

    def logged(self, match, timeout=10.0):
        """Waits until a log line contains match (a string) or satisfies it (a
        function of the line).  A state seen over HTTP can be ahead of the pipe
        that carries the daemon's line about it, so asserting on stderr()
        right after an HTTP check races the reader thread."""
        test = match if callable(match) else (lambda line: match in line)

        def seen():
            with self.lock:
                return any(test(line) for line in self.lines)
        wait_until(seen, timeout * self.slow, f"a log line {match if isinstance(match, str) else 'matching'}")
        return True

    def get(self, path, method="GET", headers=None, source=None):
        """One request on a new connection; source picks another loopback address to come from."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                       source_address=(source, 0) if source else None)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        finally:
            c.close()

    def health(self):
        return json.loads(self.get("/healthz")[2])

    def metrics(self):
        """/metrics, checked line by line and parsed: {(name, ((label, value), ...)): float}."""
        status, headers, text = self.get("/metrics")
        assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4"), (status, headers)
        return parse_metrics(text)

    def metric(self, name, **labels):
        return self.metrics().get((name, tuple(sorted(labels.items()))), 0.0)

    def outcomes(self):
        """How many refresh rounds have ended (ok or failed)."""
        return len(re.findall(r"refresh (ok|failed)", self.stderr()))

    def wait_refreshes(self, n):
        wait_until(lambda: self.outcomes() >= n or self.proc.poll() is not None, 15 * self.slow,
                   f"{n} refresh rounds")
        if self.outcomes() < n:  # a daemon that dies must say so, not time out
            raise AssertionError(f"cconvd exited ({self.proc.returncode}) waiting for {n} refresh rounds:\n"
                                 + self.stderr())

    def refresh(self):
        """SIGHUP, then wait until that round has ended."""
        self.wait_refreshes(1)
        before = self.outcomes()
        self.proc.send_signal(signal.SIGHUP)
        self.wait_refreshes(before + 1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=5 * self.slow)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise AssertionError(f"cconvd did not exit within {5 * self.slow} s of SIGTERM")
            assert rc == 0, f"cconvd exited {rc} on SIGTERM:\n{self.stderr()}"
        self.reader.join(timeout=5)  # every line, a late sanitizer report included
        check_sanitizers("cconvd", self.stderr())


@contextlib.contextmanager
def serving(tmp, extra=()):
    """A fake upstream and a cconvd (extra: more flags) that already has its rates; both stopped after."""
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url], extra)
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            yield up, d
        finally:
            d.stop()
    finally:
        up.stop()


# The time cconvd puts before each line when stderr is not the journal (log_stamp()).
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (?=cconvd: )", re.M)


def unstamp(text):
    """cconvd's lines without their leading times, for tests about what a line says."""
    return STAMP.sub("", text)


@contextlib.contextmanager
def history_daemon(tmp, days=None):
    """A cconvd whose database holds days (imported from the ECB's CSV; none
    when None) plus the fake upstream's DATE, once saved; both stopped after."""
    if days:
        csv = os.path.join(tmp, "hist.csv")
        with open(csv, "w") as f:
            f.write(ecb_csv(days))
        rc, err = cconvd_once(tmp, ["--import", csv])
        assert rc == 0, err
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        try:
            # It serves the newest imported day at once; wait for the upstream's DATE to be saved.
            wait_until(lambda: d.get("/healthz")[0] == 200 and d.health()["date"] == DATE, 10, "the first refresh")
            yield up, d
        finally:
            d.stop()
    finally:
        up.stop()


def cconvd_once(tmp, args, db=None):
    """Runs cconvd for an action that exits (--import, --backfill): (exit code, stderr unstamped)."""
    p = subprocess.run([CCONVD, "--db", db or os.path.join(tmp, "rates.db"), *args], capture_output=True,
                       text=True, timeout=60)
    check_sanitizers("cconvd", p.stderr)
    return p.returncode, unstamp(p.stderr)


def write_file(tmp, name, text):
    """Writes text to tmp/name; returns the path."""
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# An old import for several_sources(): two days of 2007 with CYP, withdrawn since.
OLD_IMPORT = {"2007-12-28": {"USD": "1.4721", "CYP": "0.585274"}, "2007-12-31": {"USD": "1.4721", "CYP": "0.585274"}}


@contextlib.contextmanager
def several_sources(tmp):
    """A cconvd whose rates come from three providers, each with dates of its own: the ECB's 90-day feed
    (`ecb`: the last five weekdays of an eight-currency history), a Frankfurter v2 (`v2`:
    FrankfurterV2.latest_rows()) and an import of OLD_IMPORT (file old.csv).  Yields (daemon, ecb, v2)
    once its first round has ended; all stopped after."""
    days = make_history(1, 8)
    ecb = Ecb(days={d: days[d] for d in sorted(days)[-5:]})
    v2 = FrankfurterV2()
    try:
        rc, err = cconvd_once(tmp, ["--import", write_file(tmp, "old.csv", ecb_csv(OLD_IMPORT))])
        assert rc == 0, err
        d = Daemon(tmp, [ecb.hist_url, v2.url])
        try:
            d.wait_refreshes(1)
            yield d, ecb, v2
        finally:
            d.stop()
    finally:
        ecb.stop()
        v2.stop()


def db_rows(path):
    """(stored days, observations, a digest of every stored value): what 'the database changed' means."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        days = db.execute("SELECT count(*) FROM days").fetchone()[0]
        rates = db.execute("SELECT count(*) FROM observations").fetchone()[0]
        digest = hash(tuple(db.execute("SELECT o.date, o.base, o.fetched_at, s.upstream, o.currency, o.rate"
                                       " FROM observations o JOIN sources s ON s.id = o.source ORDER BY 1, 5, 4"))
                      + tuple(db.execute("SELECT * FROM days ORDER BY date")))
    return days, rates, digest


def cconv(tmp, args, server=None, upstream=None, env=None, timeout=60):
    e = dict(os.environ)
    e.update({"HOME": tmp, "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
              "CCONV_SERVER": server or "", "CCONV_UPSTREAM": upstream or refused_url()})
    if server is None:
        e["CCONV_SERVER"] = "http://" + refused_url().split("/")[2]
    e.update(env or {})
    p = subprocess.run([CCONV, *args], capture_output=True, text=True, env=e, timeout=timeout)
    check_sanitizers("cconv", p.stderr)
    return p.returncode, p.stdout, p.stderr


class Skip(Exception):
    """Raised by a test that cannot run here (a missing tool); the reason is printed."""


def npm_ready(here, work, files):
    """The packages of here/package-lock.json in work/node_modules, installed by `npm ci` from the npm registry
    only when the lock file changed; files (package.json, the lock, the scripts) copied from here to work."""
    os.makedirs(work, exist_ok=True)
    for f in files:
        shutil.copyfile(os.path.join(here, f), os.path.join(work, f))
    stamp = os.path.join(work, "node_modules", ".cconv-lock")
    lock = open(os.path.join(here, "package-lock.json"), encoding="utf-8").read()
    if os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == lock:
        return
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work,
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"npm ci in {work} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(lock)


def run(tests):
    """Runs test functions, each with a fresh temp dir; prints a closing line.
    Exit 77 (skipped) when every test raised Skip."""
    if not CCONVD or not os.path.exists(CCONVD) or not CCONV or not os.path.exists(CCONV):
        print("skipped: CCONVD and CCONV must name the built binaries")
        sys.exit(77)
    passed = failed = skipped = 0
    for t in tests:
        tmp = tempfile.mkdtemp(prefix="cconv-e2e-")
        try:
            t(tmp)
            passed += 1
            print(f"ok {t.__name__}")
        except Skip as e:
            skipped += 1
            print(f"skip {t.__name__}: {e}")
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}")
            traceback.print_exc()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 77 if skipped == len(tests) else 0)
