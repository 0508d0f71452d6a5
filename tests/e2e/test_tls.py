"""TLS is verified: an https upstream with a self-signed certificate is refused,
and the daemon and the CLI say why instead of trusting it."""
import os
import shutil
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Daemon, Upstream, cconv, run  # noqa: E402


def tls_upstream(tmp):
    """The fake Frankfurter behind a freshly made self-signed certificate for 127.0.0.1."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    up = Upstream()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    up.server.socket = ctx.wrap_socket(up.server.socket, server_side=True)
    return up, up.url.replace("http://", "https://")


def test_self_signed_upstream_is_refused(tmp):
    up, url = tls_upstream(tmp)
    d = Daemon(tmp, [url])
    try:
        d.wait_refreshes(1)
        h = d.health()
        assert h["last_fetch"]["ok"] is False, h
        assert "certificate" in h["last_fetch"]["error"].lower(), h
        assert d.get("/convert/GBP/1")[0] == 503  # nothing was trusted
        rc, out, err = cconv(tmp, ["GBP", "1"], upstream=url)
        assert rc == 69 and "certificate" in err.lower(), (rc, out, err)
    finally:
        d.stop()
        up.stop()


if __name__ == "__main__":
    if shutil.which("openssl") is None:
        print("skipped: the openssl command is needed to make a test certificate")
        sys.exit(77)
    run([test_self_signed_upstream_is_refused])
