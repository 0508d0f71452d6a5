"""CORS: pages of any origin may read the API's answers (GET and HEAD, errors included), and their preflights
(OPTIONS) are answered 204 with the methods, headers and a max age; /healthz, /metrics and the page stay
same-origin, and the page's Content-Security-Policy is what it was."""
import http.client
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import DATE, run, serving  # noqa: E402

ORIGIN = {"Origin": "https://app.example"}
API = ["/latest", "/current?to=GBP", "/v1/latest?from=USD", f"/{DATE}", f"/{DATE}..{DATE}", "/currencies",
       "/convert?to=GBP", "/convert/GBP/100", "/v1", "/v2", "/v2/nowhere",
       "/latest?to=ZZZ", "/convert?to=ZZZ", "/nowhere"]
SAME_ORIGIN = ["/healthz", "/metrics", "/"]
# The page's policy, its two hashes aside: what the page has always been sent.
PAGE_CSP = re.compile(r"default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}='; "
                      r"style-src 'sha256-[A-Za-z0-9+/]{43}='; img-src 'self' data:; connect-src 'self'; "
                      r"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def test_api_answers_are_readable_from_any_origin(tmp):
    with serving(tmp) as (up, d):
        for path in API:
            for method in ("GET", "HEAD"):
                status, h, _ = d.get(path, method=method, headers=ORIGIN)
                assert h.get("access-control-allow-origin") == "*", (method, path, status, h)
                assert {"etag", "age"} <= set(h.get("access-control-expose-headers", "").lower().split(", ")) \
                    or status >= 400, (path, h)
            # Without an Origin too: a cache in front must never keep an answer without the header.
            assert d.get(path)[1].get("access-control-allow-origin") == "*", path
        # A 304 carries it as well.
        etag = d.get("/latest")[1]["etag"]
        status, h, _ = d.get("/latest", headers=dict(ORIGIN, **{"If-None-Match": etag}))
        assert status == 304 and h.get("access-control-allow-origin") == "*", (status, h)
        for path in SAME_ORIGIN:
            status, h, _ = d.get(path, headers=ORIGIN)
            assert status == 200 and not any(k.startswith("access-control-") for k in h), (path, h)
        h = d.get("/")[1]
        assert PAGE_CSP.fullmatch(h["content-security-policy"]), h["content-security-policy"]


def test_preflights(tmp):
    with serving(tmp) as (up, d):
        asked = dict(ORIGIN, **{"Access-Control-Request-Method": "GET",
                                "Access-Control-Request-Headers": "if-none-match, x-requested-with"})
        for path in API:
            status, h, body = d.get(path, method="OPTIONS", headers=asked)
            assert status == 204 and body == "" and "content-length" not in h, (path, status, h, body)
            assert h["access-control-allow-origin"] == "*", (path, h)
            assert "GET" in h["access-control-allow-methods"].split(", "), (path, h)
            assert h["access-control-allow-headers"] == "*", (path, h)
            assert int(h["access-control-max-age"]) >= 600, (path, h)
            assert h["allow"] == "GET, HEAD, OPTIONS", (path, h)
        for path in SAME_ORIGIN:
            status, h, _ = d.get(path, method="OPTIONS", headers=asked)
            assert status == 204 and h["allow"] == "GET, HEAD, OPTIONS", (path, h)
            assert not any(k.startswith("access-control-") for k in h), (path, h)
        # A preflight keeps the connection, as the request it announces will want it.
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        try:
            c.request("OPTIONS", "/latest", headers=asked)
            r = c.getresponse()
            assert r.status == 204 and r.read() == b"" and r.getheader("connection") != "close"
            c.request("GET", "/latest?to=GBP", headers=ORIGIN)
            r = c.getresponse()
            assert r.status == 200 and json.loads(r.read())["base"] == "EUR"
            assert r.getheader("access-control-allow-origin") == "*"
        finally:
            c.close()
        # Other methods are still refused, and say OPTIONS is allowed.
        status, h, body = d.get("/latest", method="DELETE", headers=ORIGIN)
        assert status == 405 and h["allow"] == "GET, HEAD, OPTIONS" and "error" in json.loads(body), (status, h)
        assert d.metric("cconvd_requests_total", endpoint="latest", code="204") >= 1


if __name__ == "__main__":
    run([test_api_answers_are_readable_from_any_origin, test_preflights])
