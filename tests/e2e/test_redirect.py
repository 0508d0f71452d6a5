"""Validators through a redirect: only the final answer's ETag and
Last-Modified may be sent back.  The upstream's /latest redirects (302) to
/data and puts its own validators on the redirect; /data answers 200 with
none.  A fetch that kept the redirect's validators would ask /latest "changed
since r1?" next time, get 304 there, and keep yesterday's rates for ever."""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, RATES, Daemon, QuietHandler, run, start_server, wait_until  # noqa: E402


class Redirecting:
    """/latest: 302 to /data with ETag "r1" and a Last-Modified, and 304 to a
    request that sends either back; /data: 200 with the current rates, no
    validators."""

    def __init__(self):
        self.rates = dict(RATES)
        self.requests = []  # (path, If-None-Match, If-Modified-Since)
        self.lock = threading.Lock()
        up = self

        class Handler(QuietHandler):
            def do_GET(self):
                with up.lock:
                    up.requests.append((self.path, self.headers.get("If-None-Match"),
                                        self.headers.get("If-Modified-Since")))
                    body = json.dumps({"amount": 1.0, "base": "EUR", "date": DATE, "rates": up.rates})
                if self.path == "/latest":
                    if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                        self.send_response(304)
                        self.end_headers()
                        return
                    self.send_response(302)
                    self.send_header("Location", "/data")
                    self.send_header("ETag", '"r1"')
                    self.send_header("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send(200, body)

        self.server, _ = start_server(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/latest"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_validators_of_a_redirect_hop_are_not_kept(tmp):
    up = Redirecting()
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            assert json.loads(d.get("/latest")[2])["rates"]["USD"] == RATES["USD"]
            with up.lock:
                up.rates["USD"] = 1.2345
                del up.requests[:]
            d.refresh()
            with up.lock:
                latest = [r for r in up.requests if r[0] == "/latest"]
            assert latest and all(r[1] is None and r[2] is None for r in latest), latest
            assert json.loads(d.get("/latest")[2])["rates"]["USD"] == 1.2345
            d.logged("refresh ok (new rates)")
        finally:
            d.stop()
    finally:
        up.stop()


if __name__ == "__main__":
    run([test_validators_of_a_redirect_hop_are_not_kept])
