"""TLS is verified: an https upstream with a self-signed certificate is refused,
and the daemon and the CLI say why instead of trusting it."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Daemon, cconv, run, tls_upstream  # noqa: E402


def test_self_signed_upstream_is_refused(tmp):
    up, url = tls_upstream(tmp)
    d = Daemon(tmp, [url])
    try:
        d.wait_refreshes(1)
        h = d.health()
        assert h["last_fetch"]["ok"] is False, h
        assert "certificate" in h["last_fetch"]["error"].lower(), h
        assert d.get("/convert/GBP/1")[0] == 503  # nothing was trusted
        rc, out, err = cconv(tmp, ["-v", "GBP", "1"], upstream=url)
        assert rc == 69 and "certificate" in err.lower(), (rc, out, err)
    finally:
        d.stop()
        up.stop()


if __name__ == "__main__":
    if shutil.which("openssl") is None:
        print("skipped: the openssl command is needed to make a test certificate")
        sys.exit(77)
    run([test_self_signed_upstream_is_refused])
