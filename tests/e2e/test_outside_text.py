"""Outside text that reaches a log or a terminal: an upstream's words in its
fixer-style error, a request's path in the daemon's JSON errors.  Whatever
they hold, the daemon's log keeps one line per event with no forged line and
no terminal escape, cconv's stderr carries no ESC, and every error the daemon
answers, once decoded from JSON, is free of control characters."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Daemon, QuietHandler, Upstream, cconv, run, start_server, wait_until  # noqa: E402

FORGED = "cconvd: info: refresh ok (new rates): upstream FORGED"
INFO = "boom\n" + FORGED + "\u2026\u001b[31m\r\u009b2J"
CONTROL = re.compile(r"[\x00-\x1f\x7f\x80-\x9f]")


class Failing:
    """An upstream answering 200 with fixer's {"success":false,"error":{"info":…}}."""

    def __init__(self):
        class Handler(QuietHandler):
            def do_GET(self):
                self.send(200, json.dumps({"success": False, "error": {"code": 101, "info": INFO}}))

        self.server, port = start_server(Handler)
        self.url = f"http://127.0.0.1:{port}/latest"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_upstream_reason_forges_no_log_line(tmp):
    up = Failing()
    try:
        d = Daemon(tmp, [up.url])
        try:
            d.wait_refreshes(1)
            d.logged("upstream reported failure: boom")
            text = d.stderr()
            assert "\x1b" not in text and "\r" not in text and "\u009b" not in text, repr(text)
            assert not any(line.startswith(FORGED) for line in text.splitlines()), text
            assert "error" in d.health()["last_fetch"] and not CONTROL.search(d.health()["last_fetch"]["error"])
        finally:
            d.stop()
        rc, out, err = cconv(tmp, ["-v", "GBP", "1"], upstream=up.url)  # -v: each source's reason
        assert rc != 0 and "upstream reported failure: boom" in err, (rc, out, err)
        assert "\x1b" not in err and "\u009b" not in err, repr(err)
        assert not any(line.startswith(FORGED) for line in err.splitlines()), err
    finally:
        up.stop()


# Request text in every place an error quotes it: dates, ranges, codes in the
# path and in parameters, parameter names, methods are ASCII by HTTP already.
PATHS = ["/2025-01-0%0A1", "/2025-01-01..2025-0%1B1", "/2025-01-01..%0A", "/latest?from=%1B[31m",
         "/latest?to=GBP,%0AUS", "/latest?base=%C2%9B2J", "/convert?from=EUR&to=%0AAB&amount=1",
         "/convert?from=EUR&to=GBP&amount=1%0A2", "/convert/%1B[m/1", "/convert/GBP/1%0A",
         "/x%0Ay", "/convert?from=EUR&to=GBP&amount=1&date=2025-01-0%0A"]


def test_daemon_errors_quote_request_text(tmp):
    up = Upstream()
    try:
        d = Daemon(tmp, [up.url])
        try:
            wait_until(lambda: d.get("/healthz")[0] == 200, 10, "rates")
            for path in PATHS:
                status, _, body = d.get(path)
                assert status >= 400, (path, status, body)
                doc = json.loads(body)  # Frankfurter's routes say {"message":…}, cconvd's own {"error":…}
                error = doc.get("error", doc.get("message"))
                assert list(doc) in (["error"], ["message"]) and isinstance(error, str), (path, body)
                assert not CONTROL.search(error), (path, error)
        finally:
            d.stop()
    finally:
        up.stop()


if __name__ == "__main__":
    run([test_upstream_reason_forges_no_log_line, test_daemon_errors_quote_request_text])
