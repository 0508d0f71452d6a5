"""Hostile clients: more than 2 000 malformed or hostile requests over raw sockets.

Cases are generated from a fixed seed (HOSTILE_SEED overrides it), so a failure
names a case that reproduces.  Every case is one connection; what comes back
must be one of:

  * our API's answer: HTTP/1.1, a Content-Type, exactly Content-Length bytes of
    body; 200 (or 304) as text ("GBP 88.40"), the page or JSON that parses, or
    400/404/405/422 whose body is exactly {"error": "<non-empty>"} (cconvd's
    routes) or {"message": "<non-empty>"} (Frankfurter's); 405 names GET, HEAD
    and OPTIONS in Allow; OPTIONS a 204 with no body;
  * libmicrohttpd's own refusal of protocol-level garbage: 400, 413, 414 or
    431 (or 505 for an HTTP version other than 1.x, the answer RFC 9110
    §15.6.6 prescribes), no Content-Type, "Connection: close", then the server
    closes;
  * for a case that is not a parseable HTTP/1.x request (garbage, HTTP/0.9,
    oversized input), or whose head is over 2 KiB (see HEAD_SAFE), a close
    with no answer at all.

Never a 5xx from our code (rates are loaded, so not even 503), never a hang,
never a malformed status line or header.  After every batch a normal request
must be answered correctly, and at the end the daemon must stop cleanly on
SIGTERM with no sanitizer report (serving() checks that).
"""
import collections
import concurrent.futures
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import RATES, expected, run, serving  # noqa: E402

SEED = int(os.environ.get("HOSTILE_SEED", "20261124"))
BATCH = 100
WORKERS = 16
CASE_TIMEOUT = 10.0  # seconds for one case; answers come in milliseconds
IDLE = 0.3  # seconds of quiet after the expected answers before a case is done
GARBAGE_WAIT = 2.0  # seconds of quiet after which garbage counts as "silent"
MHD_REFUSALS = {400, 413, 414, 431}
# cconvd gives each connection 16 KiB (HTTP_CONN_MEMORY in server/http.c) for the
# request head, libmicrohttpd's record of each header, and the answer's header
# block.  A head past this size may exhaust it, and libmicrohttpd 0.9.75 then
# either refuses (414/431) or, when the request fitted but the answer's headers
# do not, closes without an answer ("failed to create response header"):
# measured (with 8 KiB; 16 KiB doubles these) with a Cookie of 3.85-7.85 KB, about 80 small headers, or a query
# near 7.7 KB.  Such a request may end in a close; smaller ones must be answered.
HEAD_SAFE = 2048
STATUS_LINE = re.compile(rb"HTTP/1\.1 (\d{3}) [^\r\n]*")
HEADER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([^\r\n]*)")
AMOUNT_OK = re.compile(r"[0-9]*\.[0-9]{1,8}|[0-9]+")  # money_parse_amount's rule; 15 integer digits checked apart


class Case:
    """One connection's worth of bytes and what may come back.

    kind: "api"     a well-formed HTTP/1.1 request: our API must answer it;
          "http"    HTTP-shaped but hostile framing: any well-formed answer;
          "garbage" not a request: an answer or a clean close.
    """

    def __init__(self, name, data, kind, method="GET", check=None, pipelined=1, bad_version=False):
        self.name, self.data, self.kind = name, data, kind
        self.method, self.check, self.pipelined, self.bad_version = method, check, pipelined, bad_version
        self.source = "127.0.0.1"


def req(target, method="GET", headers=(), body=b"", version=b"HTTP/1.1"):
    if isinstance(target, str):
        target = target.encode()
    head = b"%s %s %s\r\nHost: 127.0.0.1\r\n" % (method.encode(), target, version)
    for h in headers:
        head += h + b"\r\n"
    return head + b"\r\n" + body


def pct(raw):
    return urllib.parse.quote(raw, safe="").encode() if isinstance(raw, str) else \
        "".join("%%%02X" % b for b in raw).encode()


# --- generators, one per class of hostility ------------------------------------------------


def amount_cases(rng):
    fixed = ["-5", "+5", "1e3", "1E+308", "NaN", "nan", "inf", "-inf", "Infinity", "0x10", "0x1p3", "1,5", "5.",
             ".", "", " 1", "1 ", "1..2", "1.2.3", "-0", "0", "00", ".5", "1.123456789", "9" * 15, "9" * 16,
             "0" * 500 + "1", "1" + "0" * 5000, "9" * 15 + ".99999999", "\u0661\u0662\u0663", "\uff11", "1\x00",
             "\x001", "1e-3", "1_000", "½", "1/2", "(1)", "$1", "1%", "1;2", "true", "null", "[]", "{}"]
    rng_amounts = []
    for _ in range(150):
        k = rng.random()
        if k < 0.4:
            s = str(rng.randrange(0, 10 ** rng.randrange(1, 17)))
            if rng.random() < 0.6:
                s += "." + str(rng.randrange(0, 10 ** rng.randrange(1, 10))).zfill(rng.randrange(1, 10))
        elif k < 0.7:
            s = "".join(rng.choice("0123456789.-+eE") for _ in range(rng.randrange(1, 40)))
        else:
            s = "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 12)))
        rng_amounts.append(s)
    cases = []
    for a in fixed + rng_amounts:
        enc = pct(a).decode()
        oracle = (lambda a: lambda r: check_amount(a, r))(a)
        cases.append(Case(f"amount path {a!r}", req(f"/convert/GBP/{enc}"), "api", check=oracle))
        cases.append(Case(f"amount query {a!r}", req(f"/convert?to=GBP&amount={enc}"), "api"))
        cases.append(Case(f"amount latest {a!r}", req(f"/latest?to=USD,JPY&amount={enc}"), "api"))
    return cases


def check_amount(a, r):
    """A path-form conversion: the exact answer for a valid amount, 400 for anything else
    (404 when the decoded amount holds a '/': then it is another path)."""
    if "/" in a:
        assert r.status == 404, (a, r.status, r.body)
    elif AMOUNT_OK.fullmatch(a) and len(a.split(".")[0].lstrip("0")) <= 15:
        assert r.status == 200 and r.body == f"GBP {expected(a, 'EUR', 'GBP')}\n".encode(), (a, r.status, r.body)
    else:
        assert r.status == 400 and b"amount" in r.body, (a, r.status, r.body)


def path_cases(rng):
    fixed = ["/", "//", "/convert", "/convert/", "/convert/GBP", "/convert/GBP/", "/convert/GBP/1/", "/convert//1",
             "/convert/GBP//1", "/../../etc/passwd", "/convert/../healthz", "/healthz/..", "/./healthz",
             "/convert/%2e%2e/GBP/1", "/convert/GBP/%2e%2e", "/healthz%00", "/healthz%00/../latest",
             "/%00", "/%", "/%4", "/%zz", "/%%", "/%G0", "/%C0%AF", "/%ff%fe", "/%ed%a0%80", "/%c3%28",
             "/convert/%C3%A9UR/1", "/convert/gbp/1", "/CONVERT/GBP/1", "/latest;x=1", "/latest#frag",
             "/latest?", "/latest??", "/latest?&", "/latest?=", "/latest?==", "/latest?&&&&",
             "/currencies/../currencies", "/healthz?" + "x" * 100, "*", "/\\convert\\GBP\\1",
             "/2026-11-20", "/1999-01-04", "/2026-02-30", "/0000-00-00", "/2026-11-20..2026-11-01",
             "/1999-01-04..", "/9999-12-31..9999-12-31", "/2026-11-20..2026-11-20..", "/..2026-11-20",
             "/2026-11-20?to=GBP,GBP", "/v1/latest", "/v1/v1/latest", "/v1/../latest", "/v1/2026-11-20",
             "/convert?to=GBP&date=2026-13-01", "/convert?to=GBP&date=1999-01-04&date=2000-01-01",
             "/2026-11-20%00", "/%32026-11-20", "/2026-11-20.." + "x" * 3000]
    cases = [Case(f"path {p!r}", req(p), "api") for p in fixed]
    # Raw bytes above 0x7f in the request line, valid UTF-8 and not.
    for raw in (b"/\xc3\xa9", b"/\xff\xfe", b"/convert/\xe2\x82\xac/1", b"/\xc0\xaf", b"/\xed\xa0\x80",
                b"/convert/GBP/\xd9\xa1"):
        cases.append(Case(f"raw path {raw!r}", req(raw), "http"))
    for i in range(360):
        # Lengths from one byte to 1 MiB, most short: log-uniform.
        n = int(2 ** rng.uniform(0, 20))
        style = rng.choice(("pct", "dots", "utf8", "ascii"))
        if style == "pct":
            p = "/" + "".join(rng.choice(["%00", "%zz", "%", "%4", "%2F", "%2e", "a", "%ff", "%C3%A9"])
                              for _ in range(max(1, n // 3)))
        elif style == "dots":
            p = "/" + "/".join(rng.choice(["..", ".", "convert", "GBP", "1", ""]) for _ in range(max(1, n // 3)))
        elif style == "utf8":
            p = "/convert/" + pct("".join(chr(rng.randrange(0x80, 0x2fff)) for _ in range(max(1, n // 9)))).decode()
        else:
            p = "/" + "".join(rng.choice("abcXYZ019-_.~!$'()*+,;=:@/") for _ in range(n))
        big = len(p) > 4096  # a large share of the connection buffer: libmicrohttpd may refuse with 414
        cases.append(Case(f"path #{i} {style} {len(p)} B", req(p), "garbage" if big else "api"))
    return cases


def query_cases(rng):
    codes = list(RATES) + ["EUR"]
    fixed = ["to=GBP&to=USD", "from=USD&from=USD&to=GBP", "base=USD&from=GBP", "to=GBP&symbols=USD",
             "amount=1&amount=2", "to=GBP,GBP", "to=,", "to=GBP,", "to=,GBP", "to=" + ",".join(["GBP"] * 300),
             "to=" + ",".join(codes * 60), "from=%00%00%00", "to=GB%00", "%00=1", "to%00=GBP", "=GBP",
             "to", "to=", "from", "amount", "amount=", "&&&&&&&&", "=&=&=", "to=GBP;amount=1",
             "to=GBP&amount=1&x=" + "y" * 5000, "&".join(f"p{i}=1" for i in range(33)),
             "&".join(f"p{i}=1" for i in range(32)), "&".join(["to=GBP"] * 40), "TO=GBP", "To=GBP",
             "to=gbp", "to=%E2%82%AC", "to=\u20ac", "to=GBP%20", "to=%20GBP", "to=G%42P"]
    cases = []
    for q in fixed:
        for route in ("/convert", "/latest", "/currencies", "/healthz"):
            enc = q.encode("utf-8")
            cases.append(Case(f"query {route}?{q[:60]!r}", req(route.encode() + b"?" + enc), "api"))
    for i in range(100):
        parts = []
        for _ in range(rng.randrange(1, 40)):
            k = rng.choice(["from", "to", "amount", "base", "symbols", "x", "", "%00", "to%00"])
            v = rng.choice(["GBP", "USD", "1", "-1", "1e9", "%00", "%zz", "", None, "GBP,USD,JPY", "%ff"])
            parts.append(k if v is None else f"{k}={v}")
        q = "&".join(parts)
        cases.append(Case(f"query #{i} {q[:60]!r}", req("/" + rng.choice(["convert", "latest"]) + "?" + q), "api"))
    return cases


def header_cases(rng):
    cases = []
    for i in range(80):
        n = int(2 ** rng.uniform(3, 12))
        hs = [b"X-Flood-%d: %s" % (j, b"v" * rng.randrange(0, 40)) for j in range(n)]
        cases.append(Case(f"header flood #{i} {n} headers", req("/convert/GBP/100", headers=hs), "http"))
    for i in range(60):
        n = int(2 ** rng.uniform(6, 20))
        cases.append(Case(f"huge header line #{i} {n} B",
                          req("/convert/GBP/100", headers=[b"X-Big: " + b"a" * n]), "http"))
    odd = [b"NoColon", b": empty-name", b"X-Nul: a\x00b", b"X-Ctl: \x01\x02\x7f", b" leading-space: x",
           b"X-Fold: a\r\n folded", b"X-Fold: a\r\n\tfolded", b"Host: second", b"Host:", b"X-High: \xff\xfe",
           b"Content-Length: -1", b"Content-Length: 99999999999999999999999", b"Content-Length: abc",
           b"Content-Length: 1, 2", b"Content-Length: 0\r\nContent-Length: 5", b"Expect: 100-continue",
           b"Connection: Upgrade\r\nUpgrade: h2c", b"Connection: close, close, keep-alive",
           b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked, identity", b"Range: bytes=0-0",
           b"If-None-Match: " + b"\"x\"," * 1000, b"Cookie: " + b"a=b; " * 1000, b"X: " + bytes(range(32, 127)),
           b"X-Tab:\tvalue\t", b"x" * 5000 + b": y"]
    for h in odd:
        # Framing the server cannot resolve may leave it waiting for a body: garbage.
        kind = "garbage" if h.startswith((b"Transfer-Encoding", b"Content-Length", b"Expect")) else "http"
        for path in ("/convert/GBP/100", "/healthz", "/latest?to=GBP"):
            cases.append(Case(f"odd header {h[:40]!r} {path}", req(path, headers=[h]), kind))
    chunked = [b"5\r\nhello\r\n0\r\n\r\n", b"0\r\n\r\n", b"zz\r\nhello\r\n0\r\n\r\n", b"ffffffffffffffffff\r\n",
               b"5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n", b"-1\r\n\r\n", b"5\r\nhel", b"3\r\nabcdef\r\n0\r\n\r\n",
               b"\r\n\r\n"]
    for body in chunked:
        for method in ("GET", "HEAD"):
            cases.append(Case(f"chunked {method} {body[:20]!r}",
                              req("/convert/GBP/100", method, [b"Transfer-Encoding: chunked"], body), "garbage",
                              method=method))
        cases.append(Case(f"CL+TE {body[:20]!r}", req("/convert/GBP/100", "GET", [
            b"Content-Length: 4", b"Transfer-Encoding: chunked"], body), "garbage"))
    return cases


def request_line_cases(rng):
    fixed = [b"GET /\r\n", b"GET /convert/GBP/100\r\n", b"GET\r\n\r\n", b"GET  /  HTTP/1.1\r\n\r\n",
             b"GET / HTTP/1.1 extra\r\n\r\n", b"GET / http/1.1\r\n\r\n", b"GET / HTTP/01.1\r\n\r\n",
             b"GET / HTTP/1.10\r\n\r\n", b"GET / HTTP/1.1.1\r\n\r\n", b"GET / HTTP/\r\n\r\n", b"GET / HTTP\r\n\r\n",
             b"GET / FOO/1.1\r\n\r\n", b"\r\n\r\n\r\n\r\n", b"\n\n\n", b"GET / HTTP/1.1\n\n", b"GET / HTTP/1.1\r\r\r\r",
             b"\x00\x00\x00\x00\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)),
             b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nGET / HTTP/1.1\r\n\r\n",
             b" GET / HTTP/1.1\r\n\r\n", b"GET\t/\tHTTP/1.1\r\n\r\n", b"G\x00ET / HTTP/1.1\r\n\r\n",
             b"GET /\x00 HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\x00\r\n\r\n", b"\xff" * 100 + b"\r\n\r\n"]
    cases = [Case(f"request line {r[:40]!r}", r, "garbage", bad_version=True) for r in fixed]
    for v in (b"HTTP/0.9", b"HTTP/1.2", b"HTTP/2", b"HTTP/2.0", b"HTTP/3.0", b"HTTP/9.9", b"HTTP/1.0"):
        cases.append(Case(f"version {v!r}", req("/convert/GBP/100", version=v), "garbage",
                          bad_version=not v.startswith(b"HTTP/1.")))
    for i in range(200):
        n = int(2 ** rng.uniform(0, 14))
        alphabet = rng.choice((bytes(range(256)), bytes(range(32, 127)), b"GET /HTP1.\r\n "))
        junk = bytes(rng.choice(alphabet) for _ in range(n))
        cases.append(Case(f"junk #{i} {n} B", junk + b"\r\n\r\n", "garbage", bad_version=True))
    return cases


def method_cases(rng):
    methods = ["OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "LOCK",
               "COPY", "MOVE", "SEARCH", "BREW", "get", "Get", "GETT", "G", "X" * 1000, "M-SEARCH", "QUERY"]
    methods += ["".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ-_!#$%&'*+.^`|~") for _ in range(rng.randrange(1, 30)))
                for _ in range(40)]
    cases = []
    for m in methods:
        for path in ("/convert/GBP/100", "/latest", "*", "127.0.0.1:80", "/healthz"):
            body = b"amount=1" if m in ("POST", "PUT", "PATCH") else b""
            hs = [b"Content-Length: %d" % len(body)] if body else []
            cases.append(Case(f"method {m[:20]} {path}", req(path, m, hs, body), "api", method=m))
    for path in ("/convert/GBP/100", "/latest", "/currencies", "/healthz", "/nope"):
        cases.append(Case(f"HEAD {path}", req(path, "HEAD"), "api", method="HEAD"))
    return cases


def absolute_uri_cases(port):
    cases = []
    for t in (f"http://127.0.0.1:{port}/convert/GBP/100", "http://example.com/latest", "https://x/healthz",
              f"http://127.0.0.1:{port}", "ftp://x/", "//127.0.0.1/convert/GBP/1", "convert/GBP/1",
              "http:/convert/GBP/1", "http://user:pass@127.0.0.1/latest", "http://[::1]/latest"):
        for m in ("GET", "HEAD"):
            cases.append(Case(f"absolute-form {m} {t}", req(t, m), "api", method=m))
    return cases


def pipelined_cases(rng):
    junk = [b"GARBAGE\r\n\r\n", b"\x00\xff\r\n\r\n", b"GET /\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc",
            b"GET / HTTP/9.9\r\n\r\n", b"GET /convert/GBP/%00 HTTP/1.1\r\nHost: x\r\n\r\n"]
    cases = []
    for i in range(120):
        n = rng.randrange(1, 6)
        good = b"".join(req(f"/convert/GBP/{rng.randrange(1, 1000)}") for _ in range(n))
        tail = rng.choice(junk)
        cases.append(Case(f"pipelined #{i} {n} good + junk", good + tail, "garbage", pipelined=n,
                          bad_version=b"HTTP/9.9" in tail))
    return cases


# --- talking to the daemon -----------------------------------------------------------------


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


class Malformed(AssertionError):
    pass


def parse_one(buf, method):
    """(Response, rest) from buf, None when buf holds no complete response yet; raises Malformed."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > 65536:
            raise Malformed(f"no end of headers in {len(buf)} bytes")
        return None
    lines = buf[:end].split(b"\r\n")
    m = STATUS_LINE.fullmatch(lines[0])
    if not m:
        raise Malformed(f"bad status line {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        hm = HEADER_LINE.fullmatch(line)
        if not hm:
            raise Malformed(f"bad header line {line[:80]!r}")
        name = hm.group(1).decode().lower()
        if name in headers:
            raise Malformed(f"header {name} sent twice")
        headers[name] = hm.group(2).decode("latin-1")
    status = int(m.group(1))
    if status == 100 and not headers:  # the interim answer to Expect: 100-continue
        return parse_one(buf[end + 4:], method)
    if status == 204:  # no content, and so no Content-Length (RFC 9110 §8.6)
        if "content-length" in headers or "transfer-encoding" in headers:
            raise Malformed(f"a 204 with a body's framing: {headers}")
        headers["content-length"] = "0"
    if "content-length" not in headers or not headers["content-length"].isdigit():
        raise Malformed(f"no usable Content-Length: {headers}")
    n = 0 if method == "HEAD" else int(headers["content-length"])
    start = end + 4
    if len(buf) < start + n:
        return None
    return Response(status, headers, buf[start:start + n]), buf[start + n:]


def exchange(port, case):
    """Sends the case; returns (responses, how it ended, bytes after the last response).

    Ends "answered" once an api/http case has its answer; "closed" or "reset" when the
    server closes; "open" when the expected answers came and nothing more follows within
    IDLE; "silent" when a garbage case got nothing for GARBAGE_WAIT (libmicrohttpd waiting
    for the rest of something it cannot parse yet; its 10 s timeout closes it later);
    "timeout" when nothing at all happened within CASE_TIMEOUT.
    """
    s = socket.create_connection(("127.0.0.1", port), timeout=CASE_TIMEOUT, source_address=(case.source, 0))

    def send():
        try:
            s.sendall(case.data)
            if case.kind == "garbage":
                s.shutdown(socket.SHUT_WR)  # no more is coming
        except OSError:
            pass  # the server refused early and closed: allowed, its answer is read below

    sender = threading.Thread(target=send)
    sender.start()
    buf, responses, ended = b"", [], "timeout"
    deadline = time.monotonic() + CASE_TIMEOUT
    method = case.method
    try:
        while time.monotonic() < deadline:
            while True:
                got = parse_one(buf, method)
                if got is None:
                    break
                responses.append(got[0])
                buf = got[1]
                method = "GET"  # pipelined requests after the first are GETs
            satisfied = len(responses) >= case.pipelined
            if case.kind != "garbage" and satisfied:
                ended = "answered"
                break
            s.settimeout(IDLE if satisfied else GARBAGE_WAIT if case.kind == "garbage" else CASE_TIMEOUT)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                ended = "open" if satisfied else "silent" if case.kind == "garbage" and not buf else "timeout"
                break
            except ConnectionResetError:
                ended = "reset"
                break
            if not chunk:
                ended = "closed"
                break
            buf += chunk
    finally:
        s.close()
        sender.join()
    return responses, ended, buf


def check_response(case, r):
    ctype = r.headers.get("content-type")
    if r.status == 204:
        assert case.method == "OPTIONS" and r.body == b"" and r.headers.get("allow") == "GET, HEAD, OPTIONS", \
            (case.method, r.headers, r.body[:80])
        return "api"
    if r.status >= 500:
        assert r.status == 505 and case.bad_version and ctype is None, f"5xx: {r.status} {r.body[:200]!r}"
    if ctype is None:
        # libmicrohttpd refusing protocol-level garbage, before our code sees anything.
        assert r.status in MHD_REFUSALS or r.status == 505, f"status {r.status} without Content-Type"
        assert r.headers.get("connection", "").lower() == "close", f"{r.status} refusal keeps the connection"
        # libmicrohttpd 0.9.75 sends its header block twice for a bad Content-Length (the body
        # then starts with the status line again); every other refusal is its small HTML page.
        assert case.method == "HEAD" or r.body.startswith(b"<html>") or \
            r.body.startswith(b"HTTP/1.1 %d" % r.status), r.body[:80]
        return "mhd"
    if ctype == "application/json":
        if case.method != "HEAD":
            doc = json.loads(r.body)  # raises on invalid JSON or invalid UTF-8
            if r.status >= 400:
                assert isinstance(doc, dict) and len(doc) == 1 and list(doc)[0] in ("error", "message") \
                    and isinstance(list(doc.values())[0], str) and list(doc.values())[0], f"error body {r.body[:200]!r}"
        assert r.status in (200, 400, 404, 405, 422), f"JSON answer with status {r.status}"
        if r.status == 405:
            assert r.headers.get("allow") == "GET, HEAD, OPTIONS", r.headers
        return "api"
    # Conversions as text, the web page at /, /metrics: always a 200.
    assert r.status in (200, 304), (r.status, ctype)
    if ctype == "text/plain; charset=utf-8" and case.method != "HEAD" and r.status == 200:
        assert re.fullmatch(rb"[A-Z]{3} \d+(\.\d+)?\n", r.body), r.body[:200]
    return "api"


def run_case(port, case):
    """The statuses seen (or how the connection ended), or an AssertionError naming the case."""
    try:
        responses, ended, rest = exchange(port, case)
        assert ended != "timeout", f"no answer and no close within {CASE_TIMEOUT} s ({len(rest)} B unparsed)"
        big_head = len(case.data.split(b"\r\n\r\n")[0]) > HEAD_SAFE
        if case.kind in ("api", "http") and not big_head:
            assert responses, f"connection {ended} without an answer"
        if case.kind == "api" and not big_head:
            assert check_response(case, responses[0]) == "api", "refused by libmicrohttpd, wanted our API"
        for i, r in enumerate(responses):
            who = check_response(case, r)
            if who == "mhd":
                assert i == len(responses) - 1, "answers after libmicrohttpd's refusal"
        if case.pipelined > 1 or (case.kind == "garbage" and case.name.startswith("pipelined")):
            good = [r for r in responses[:case.pipelined]]
            assert len(good) == case.pipelined, f"{len(good)} of {case.pipelined} pipelined requests answered"
            assert all(r.status == 200 and r.body.startswith(b"GBP ") for r in good), [r.status for r in good]
        if rest and not (responses and responses[-1].headers.get("content-type") is None):
            raise Malformed(f"{len(rest)} stray bytes after the answers: {rest[:80]!r}")
        if case.check and case.kind == "api" and responses:
            case.check(responses[0])
        return case.name, [r.status for r in responses] or [ended]
    except AssertionError as e:
        return AssertionError(f"case {case.name!r} ({len(case.data)} B, starts {case.data[:60]!r}): {e}")


def all_cases(rng, port):
    cases = (amount_cases(rng) + path_cases(rng) + query_cases(rng) + header_cases(rng)
             + request_line_cases(rng) + method_cases(rng) + absolute_uri_cases(port) + pipelined_cases(rng))
    rng.shuffle(cases)
    # Spread over 200 source addresses: connections the server has not yet seen
    # closed, and garbage it still waits on, must not reach the per-address limit.
    for i, c in enumerate(cases):
        c.source = f"127.0.2.{i % 200 + 1}"
    return cases


def test_hostile_requests(tmp):
    rng = random.Random(SEED)
    with serving(tmp) as (up, d):
        cases = all_cases(rng, d.port)
        assert len(cases) >= 2000, len(cases)
        outcomes, failures, silent = collections.Counter(), [], []
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for b in range(0, len(cases), BATCH):
                for result in pool.map(lambda c: run_case(d.port, c), cases[b:b + BATCH]):
                    if isinstance(result, AssertionError):
                        failures.append(str(result))
                    else:
                        outcomes.update(str(x) for x in result[1])
                        if result[1] == ["silent"]:
                            silent.append(result[0])
                assert d.proc.poll() is None, f"cconvd died in batch {b // BATCH}:\n{d.stderr()[-3000:]}"
                status, _, body = d.get("/convert/GBP/100")
                assert (status, body) == (200, "GBP 88.40\n"), f"after batch {b // BATCH}: {status} {body!r}"
        took = time.monotonic() - started
        print(f"{len(cases)} hostile cases (seed {SEED}) in {took:.1f} s; outcomes: "
              + ", ".join(f"{k} x{v}" for k, v in sorted(outcomes.items())))
        print("silent (libmicrohttpd waiting for more): " + "; ".join(silent[:10]))
        assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures[:30])


def test_nul_does_not_cut_the_path(tmp):
    """libmicrohttpd hands the path over as a C string: a decoded %00 must not shorten it."""
    with serving(tmp) as (up, d):
        for path, status in (("/healthz%00", 404), ("/healthz%00/../latest", 404), ("/convert/GBP/1%00", 400),
                             ("/convert/GBP%00/1", 404), ("/convert?to=GBP%00", 400)):
            got, h, body = d.get(path)
            assert got == status and h["content-type"] == "application/json", (path, got, body)
            assert "?" in json.loads(body)["error"], body  # the NUL is quoted, as '?'


if __name__ == "__main__":
    run([test_hostile_requests, test_nul_does_not_cut_the_path])
