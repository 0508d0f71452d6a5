"""HTTP and exactness: requests an HTTP client library would normalise, sent as raw bytes, and rates
that a binary double cannot hold.

A query of many empty arguments is answered at once (it used to hold its connection for the whole 10 s
timeout); a head whose framing or Host breaks RFC 9112 is refused with a 400 at once and the connection
closed; If-None-Match on several lines is one list, and If-Modified-Since is read in all three HTTP-date
forms; a Frankfurter upstream's rates are kept and served digit for digit, through two tiers; the path
form of /convert refuses the parameters it does not take; /v1/ is served.
"""
import datetime
import json
import os
import socket
import sqlite3
import sys
import time
from email.utils import parsedate_to_datetime

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, Daemon, run, serving, wait_until, write_file  # noqa: E402

AT_ONCE = 2.0  # seconds: every answer here takes milliseconds; the old failures took the 10 s timeout


class Answer:
    def __init__(self, status, headers, body, took, closed):
        self.status, self.headers, self.body, self.took, self.closed = status, headers, body, took, closed


def read_answer(s, started, method="GET"):
    """One response from socket s (status, lower-case headers, body); raises on a close before it."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        assert chunk, f"closed without an answer after {time.monotonic() - started:.1f} s: {buf[:200]!r}"
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    status = int(lines[0].split()[1])
    # A 304 carries the 200's Content-Length and no body (RFC 9110 §8.6).
    n = 0 if method == "HEAD" or status == 304 else int(headers["content-length"])
    while len(rest) < n:
        chunk = s.recv(65536)
        assert chunk, "closed in the middle of the body"
        rest += chunk
    return status, headers, rest[:n].decode()


def exchange(port, data, then=None, check_close=False):
    """Sends data on a new connection and reads one answer, timed; then (bytes) is sent on the same
    connection afterwards and its answer returned too, or None when the server has closed.
    check_close: wait up to AT_ONCE for the server to close (Answer.closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        started = time.monotonic()
        s.sendall(data)
        status, headers, body = read_answer(s, started)
        took = time.monotonic() - started
        s.settimeout(AT_ONCE)
        if then is None:
            if not check_close:
                return Answer(status, headers, body, took, None), None
            try:
                closed = s.recv(1) == b""
            except socket.timeout:
                closed = False
            except ConnectionResetError:
                closed = True
            return Answer(status, headers, body, took, closed), None
        s.sendall(then)
        try:
            second = read_answer(s, time.monotonic())
        except (AssertionError, ConnectionResetError):
            second = None
        return Answer(status, headers, body, took, second is None), second


def request(target, headers=(b"Host: 127.0.0.1",), version=b"HTTP/1.1", body=b""):
    return b"GET %s %s\r\n" % (target, version) + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


def error_of(a):
    assert a.headers["content-type"] == "application/json", a.headers
    return json.loads(a.body)["error"]


def test_query_of_many_arguments_is_answered_at_once(tmp):
    """libmicrohttpd keeps a record per argument in the connection's 16 KiB: 251 '&' ran it out
    and the request got no answer for 10 s (250 got a 431).  Every head up to 2 KiB is answered."""
    with serving(tmp) as (up, d):
        follow = request(b"/convert/GBP/100")
        for n in (33, 200, 248, 249, 250, 251, 300, 1000, 1950):
            for sep in (b"&", b"a=&"):
                data = request(b"/convert?" + sep * n + b"to=GBP")
                if len(data) > 2048:
                    continue
                a, second = exchange(d.port, data, follow)
                assert a.took < AT_ONCE, (sep, n, a.took)
                assert a.status == 400 and error_of(a) == "more than 32 query parameters", (n, a.status, a.body)
                # The connection stays usable: the next request on it is answered too.
                assert second is not None and second[0] == 200 and second[2] == "GBP 88.40\n", (n, second)
        # The path form takes none, but its refusal does not depend on the names it could not see.
        a, _ = exchange(d.port, request(b"/convert/GBP/100?date=2010-01-04" + b"&" * 300))
        assert a.status == 400 and error_of(a) == "more than 32 query parameters", (a.status, a.body)
        # A route that takes no parameters answers as it always has.
        a, _ = exchange(d.port, request(b"/healthz?" + b"&" * 1500))
        assert a.status == 200 and json.loads(a.body)["status"] == "ok", (a.status, a.body)
        # 32 arguments and a trailing '&' are still 32: answered.
        a, _ = exchange(d.port, request(b"/latest?" + b"x=1&" * 31 + b"to=GBP&"))
        assert a.status == 200 and json.loads(a.body)["rates"] == {"GBP": 0.884}, (a.status, a.body)


def test_broken_framing_and_host_are_refused_at_once(tmp):
    host = b"Host: 127.0.0.1"
    # Refused on the head alone, so no body is sent (unread bytes would turn the close into a reset).
    refused = [
        ("two Content-Length values", [host, b"Content-Length: 0", b"Content-Length: 5"], b"HTTP/1.1",
         "Content-Length given more than once"),
        ("no Host in HTTP/1.1", [], b"HTTP/1.1", "needs a Host header field"),
        ("two Host lines", [host, b"Host: other.example"], b"HTTP/1.1", "more than one Host"),
        ("two empty Host lines", [b"Host:", b"Host:"], b"HTTP/1.1", "more than one Host"),
        ("gzip, chunked", [host, b"Transfer-Encoding: gzip, chunked"], b"HTTP/1.1",
         "Transfer-Encoding 'gzip, chunked'"),
        ("gzip then chunked on two lines", [host, b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked"],
         b"HTTP/1.1", "Transfer-Encoding 'gzip' and more lines"),
        ("chunked, identity", [host, b"Transfer-Encoding: chunked, identity"], b"HTTP/1.1", "only chunked, alone"),
        ("chunked twice", [host, b"Transfer-Encoding: chunked, chunked"], b"HTTP/1.1", "only chunked, alone"),
        ("chunked beside Content-Length", [host, b"Content-Length: 5", b"Transfer-Encoding: chunked"],
         b"HTTP/1.1", "both Transfer-Encoding and Content-Length"),
        ("chunked in HTTP/1.0", [b"Transfer-Encoding: chunked"], b"HTTP/1.0", "HTTP/1.0"),
    ]
    accepted = [
        ("HTTP/1.0 without Host", [], b"HTTP/1.0", b""),
        ("one empty Host", [b"Host:"], b"HTTP/1.1", b""),
        ("the same Content-Length twice", [host, b"Content-Length: 5", b"Content-Length: 5"], b"HTTP/1.1",
         b"hello"),
        ("chunked", [host, b"Transfer-Encoding: Chunked"], b"HTTP/1.1", b"5\r\nhello\r\n0\r\n\r\n"),
    ]
    with serving(tmp) as (up, d):
        for name, headers, version, needle in refused:
            for target in (b"/convert/GBP/100", b"/latest", b"/nope"):
                a, _ = exchange(d.port, request(target, headers, version), check_close=True)
                assert a.took < AT_ONCE, (name, a.took)
                assert a.status == 400 and needle in error_of(a), (name, a.status, a.body)
                assert a.headers.get("connection") == "close" and a.closed, (name, a.headers)
        for name, headers, version, body in accepted:
            a, _ = exchange(d.port, request(b"/convert/GBP/100", headers, version, body))
            assert (a.status, a.body) == (200, "GBP 88.40\n"), (name, a.status, a.body)
        # Refusals are counted as any other answer.
        assert d.metric("cconvd_requests_total", endpoint="other", code="400") >= 3 * len(refused)


def test_conditional_fields_on_several_lines_and_old_date_forms(tmp):
    with serving(tmp) as (up, d):
        s, h, _ = d.get("/latest?to=GBP")
        tag, lm = h["etag"], parsedate_to_datetime(h["last-modified"])

        def status(*headers):
            a, _ = exchange(d.port, request(b"/latest?to=GBP", [b"Host: 127.0.0.1", *headers]))
            return a.status

        inm = b"If-None-Match: "
        assert status(inm + b'"nope"', inm + tag.encode()) == 304
        assert status(inm + b'"nope", W/"other"', inm + b'"x", ' + tag.encode()) == 304
        assert status(inm + b'"nope"', inm + b'"other"') == 200
        assert status(inm + b"*") == 304
        assert status(inm + b"*", inm + b'"x"') == 200  # "*" only as the whole field
        ims = b"If-Modified-Since: "
        rfc850 = lm.strftime("%A, %d-%b-%y %H:%M:%S GMT").encode()
        asctime = lm.strftime("%a %b ") + ("%2d" % lm.day) + lm.strftime(" %H:%M:%S %Y")
        assert status(ims + h["last-modified"].encode()) == 304
        assert status(ims + rfc850) == 304, rfc850
        assert status(ims + asctime.encode()) == 304, asctime
        earlier = lm - datetime.timedelta(seconds=1)
        assert status(ims + earlier.strftime("%A, %d-%b-%y %H:%M:%S GMT").encode()) == 200
        # More than one If-Modified-Since is no date at all (RFC 9110 §13.1.3): the full answer.
        assert status(ims + h["last-modified"].encode(), ims + h["last-modified"].encode()) == 200


# Rates a double cannot carry: 16 and 17 significant digits, a trailing zero, an exponent.
EXACT = ('{"amount":1.0,"base":"EUR","date":"%s","rates":{"USD":1.1234567890123456,"GBP":0.86080,'
         '"CHF":0.10000000000000001,"JPY":1.6336e2,"KWD":0.32411}}' % DATE)
SERVED = {"USD": "1.1234567890123456", "GBP": "0.8608", "CHF": "0.10000000000000001", "JPY": "163.36",
          "KWD": "0.32411"}
STORED = dict(SERVED, GBP="0.86080")


def stored_rates(db):
    with sqlite3.connect(db) as c:
        return {cur: rate for cur, rate in c.execute("SELECT currency, rate FROM observations WHERE date = ?",
                                                              (DATE,))}


def test_json_rates_are_kept_digit_for_digit(tmp):
    """A Frankfurter document's rates are stored and served as written, and a cconvd below takes them
    from the first one's /latest unchanged: the same bytes at both tiers."""
    path = write_file(tmp, "latest.json", EXACT)
    a = Daemon(tmp, ["file://" + path])
    try:
        wait_until(lambda: a.get("/healthz")[0] == 200, 10, "rates from the file")
        body = a.get("/latest")[2]
        for cur, text in SERVED.items():
            assert f'"{cur}":{text}' in body, (cur, body)
        assert stored_rates(a.db) == STORED, stored_rates(a.db)
        status, _, body = a.get("/convert?from=CHF&to=USD&amount=1")
        assert '"rate":11.234567890123455,' in body, body  # 1.1234567890123456 / 0.10000000000000001, 17 digits
        b_dir = os.path.join(tmp, "b")
        os.mkdir(b_dir)
        b = Daemon(b_dir, [a.base + "/latest"])
        try:
            wait_until(lambda: b.get("/healthz")[0] == 200, 10, "B's rates from A")
            assert b.get("/latest")[2] == a.get("/latest")[2]
            assert stored_rates(b.db) == dict(SERVED), stored_rates(b.db)  # A serves 0.8608
        finally:
            b.stop()
    finally:
        a.stop()


def test_path_form_parameters_and_v1(tmp):
    with serving(tmp) as (up, d):
        for query, name in (("date=2010-01-04", "date"), ("from=USD", "from"), ("to=USD", "to"),
                            ("amount=5", "amount"), ("base=USD", "base"), ("symbols=USD", "symbols")):
            status, h, body = d.get("/convert/GBP/1?" + query)
            assert status == 400 and f"takes no parameter '{name}'" in json.loads(body)["error"], (query, body)
        status, _, body = d.get("/convert/GBP/100?_=1795190700")
        assert (status, body) == (200, "GBP 88.40\n"), (status, body)
        # /v1 and /v1/ are Frankfurter's version object, as there.
        for path in ("/v1", "/v1/"):
            status, h, body = d.get(path)
            assert status == 200 and json.loads(body)["version"] == "v1", (path, status, body)
        status, _, body = d.get("/v1/v1/latest")
        assert status == 404 and json.loads(body)["message"] == "no such path '/v1/v1/latest'", body


if __name__ == "__main__":
    run([test_query_of_many_arguments_is_answered_at_once, test_broken_framing_and_host_are_refused_at_once,
         test_conditional_fields_on_several_lines_and_old_date_forms, test_json_rates_are_kept_digit_for_digit,
         test_path_form_parameters_and_v1])
