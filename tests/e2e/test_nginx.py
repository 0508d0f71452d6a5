"""nginx's proxy_cache in front of two cconvd, with the configuration docs/caching.md shows: repeated
requests never reach cconvd, and the cache keeps answering when every cconvd is stopped."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Daemon, Upstream, expected, free_port, run, wait_until  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
TOP = os.path.join(os.path.dirname(__file__), "..", "..")


def documented_config(port, backends, cache_dir):
    """contrib/nginx/cconv.conf, which docs/caching.md shows whole, pointed at this test's ports and folders.
    Every substitution must apply, so a file that drifts from what is tested fails here."""
    with open(os.path.join(TOP, "docs", "caching.md")) as f:
        blocks = re.findall(r"```nginx\n(.*?)```", f.read(), re.S)
    with open(os.path.join(TOP, "contrib", "nginx", "cconv.conf")) as f:
        conf = f.read()
    assert blocks == [conf[conf.index("\n") + 1:]], "docs/caching.md's ```nginx block must be contrib/nginx/cconv.conf"
    subs = [("server 127.0.0.1:8081;", f"server 127.0.0.1:{backends[0]};"),
            ("server 127.0.0.1:8082;", f"server 127.0.0.1:{backends[1]};"),
            ("listen 8080;", f"listen 127.0.0.1:{port};"),
            ("/var/cache/nginx/cconv", cache_dir)]
    for old, new in subs:
        assert conf.count(old) == 1, f"docs/caching.md's nginx block no longer holds {old!r}"
        conf = conf.replace(old, new)
    return conf


class Nginx:
    def __init__(self, tmp, backends):
        self.port = free_port()
        prefix = os.path.join(tmp, "nginx")
        os.makedirs(os.path.join(prefix, "logs"))
        # As root, nginx's workers would switch to nobody, who cannot enter the test's 0700 folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{user}daemon off;
worker_processes 1;
pid nginx.pid;
error_log stderr notice;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
{documented_config(self.port, backends, os.path.join(prefix, "cache"))}
}}
""")
        self.proc = subprocess.Popen([NGINX, "-p", prefix, "-c", conf, "-e", "stderr"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(
            raw.decode(errors="replace") for raw in self.proc.stderr), daemon=True)
        self.reader.start()
        wait_until(lambda: self.proc.poll() is not None or self._connectable(), 10, "nginx to listen")
        assert self.proc.poll() is None, "nginx exited at start:\n" + "".join(self.lines)

    def _connectable(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def get(self, path, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            c.request("GET", path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        finally:
            c.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)


def served(ds, path="/convert/GBP/100"):
    """How many times the daemons answered that endpoint with 200."""
    ep = "convert_path" if path.startswith("/convert/") else "latest"
    return sum(d.metric("cconvd_requests_total", endpoint=ep, code="200") for d in ds)


def test_nginx_cache_in_front(tmp):
    if NGINX is None:
        print("skipped: nginx is not installed (Debian: apt-get install nginx-light)")
        sys.exit(77)
    up = Upstream()
    ds, ng = [], None
    try:
        for name in ("a", "b"):
            os.mkdir(os.path.join(tmp, name))
            ds.append(Daemon(os.path.join(tmp, name), [up.url]))
        for d in ds:
            d.wait_refreshes(1)
        ng = Nginx(tmp, [d.port for d in ds])

        gbp = f"GBP {expected('100', 'EUR', 'GBP')}\n"
        s, h, body = ng.get("/convert/GBP/100")
        assert (s, body, h["x-cache-status"]) == (200, gbp, "MISS"), (s, h, body)
        assert "x-accel-expires" not in h and "etag" in h, h
        for _ in range(5):
            s, h, body = ng.get("/convert/GBP/100")
            assert (s, body, h["x-cache-status"]) == (200, gbp, "HIT"), (s, h, body)
        assert served(ds) == 1, served(ds)  # five HITs, none reached a cconvd
        # Clients revalidate, and nginx answers that from its cache too.
        assert h["cache-control"] == "no-cache", h
        s, h2, body = ng.get("/convert/GBP/100", {"If-None-Match": h["etag"]})
        assert (s, body, h2["x-cache-status"]) == (304, "", "HIT"), (s, h2, body)
        assert served(ds) == 1 and sum(d.metric("cconvd_requests_total", endpoint="convert_path", code="304")
                                       for d in ds) == 0
        assert ng.get("/latest?to=USD")[1]["x-cache-status"] == "MISS"
        assert ng.get("/latest?to=USD")[1]["x-cache-status"] == "HIT"
        assert served(ds, "/latest") == 1
        # Not cacheable: each one goes through, and clients are told not to store it either.
        assert ng.get("/convert/XYZ/1")[0] == 404
        s, h, _ = ng.get("/convert/XYZ/1")
        assert (s, h["x-cache-status"], h["cache-control"]) == (404, "MISS", "no-store"), h
        assert ng.get("/healthz")[1]["cache-control"] == "no-store"

        # Make the daemons' next refresh come within seconds (a failing upstream means backoff),
        # so a copy taken now expires soon; then stop every cconvd.
        up.mode = "http_503"
        for d in ds:
            d.refresh()
        jpy = f"JPY {expected('5', 'EUR', 'JPY')}\n"
        s, h, body = ng.get("/convert/JPY/5")
        assert (s, body, h["x-cache-status"]) == (200, jpy, "MISS"), (s, h, body)
        for d in ds:
            d.stop()

        # The long-lived copy: a HIT with no cconvd at all.
        s, h, body = ng.get("/convert/GBP/100")
        assert (s, body, h["x-cache-status"]) == (200, gbp, "HIT"), (s, h, body)
        # The short-lived one: once it expires nginx finds no cconvd and serves it STALE.
        statuses = []

        def stale():
            s2, h2, body2 = ng.get("/convert/JPY/5")
            assert (s2, body2) == (200, jpy), (s2, h2, body2)
            statuses.append(h2["x-cache-status"])
            return h2["x-cache-status"] == "STALE"
        wait_until(stale, 20, "the expired copy to be served STALE")
        assert set(statuses) <= {"HIT", "UPDATING", "STALE"}, statuses
        print(f"nginx served the short-lived copy {statuses.count('HIT')} times as HIT, then STALE")
    finally:
        if ng is not None:
            ng.stop()
        for d in ds:
            d.stop()
        up.stop()


if __name__ == "__main__":
    run([test_nginx_cache_in_front])
