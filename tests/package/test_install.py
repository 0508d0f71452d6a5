#!/usr/bin/env python3
"""`cmake --install` into a DESTDIR puts every file where it belongs.

usage: test_install.py CMAKE BUILD_DIR PREFIX BINDIR MANDIR BASHDIR ZSHDIR UNITDIR

The folders are the project's install variables (relative ones are under
PREFIX).  Then: the installed binaries run (--version), the bash completions
parse (bash -n) and, where zsh is installed, the zsh ones too (zsh -n), and
`systemd-analyze verify` accepts the installed unit, with its ExecStart
pointed at the binary in the DESTDIR (the unit names the final path, which
does not exist on a build machine).
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    cmake, build, prefix, bindir, mandir, bashdir, zshdir, unitdir = sys.argv[1:9]
    tmp = tempfile.mkdtemp(prefix="cconv-install-")
    failures = []
    try:
        env = dict(os.environ, DESTDIR=tmp)
        p = subprocess.run([cmake, "--install", build], env=env, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print(p.stdout + p.stderr)
            sys.exit(f"cmake --install failed with {p.returncode}")

        def where(folder, name):
            full = folder if os.path.isabs(folder) else os.path.join(prefix, folder)
            return os.path.join(tmp + full, name)

        expected = {
            "cconv": where(bindir, "cconv"),
            "cconvd": where(bindir, "cconvd"),
            "cconv.1": where(mandir, "man1/cconv.1"),
            "cconvd.8": where(mandir, "man8/cconvd.8"),
            "bash cconv": where(bashdir, "cconv"),
            "bash cconvd": where(bashdir, "cconvd"),
            "zsh _cconv": where(zshdir, "_cconv"),
            "zsh _cconvd": where(zshdir, "_cconvd"),
            "unit": where(unitdir, "cconvd.service"),
        }
        for what, path in expected.items():
            if not os.path.isfile(path):
                failures.append(f"{what}: {path} missing")
            else:
                print(f"installed {path[len(tmp):]}")
        installed = sorted(os.path.join(d, f)[len(tmp):] for d, _, fs in os.walk(tmp) for f in fs)
        extra = set(installed) - {p[len(tmp):] for p in expected.values()}
        if extra:
            failures.append(f"unexpected files installed: {sorted(extra)}")

        for prog in ("cconv", "cconvd"):
            path = expected[prog]
            if not os.access(path, os.X_OK):
                failures.append(f"{path} is not executable")
                continue
            v = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
            if v.returncode != 0 or not v.stdout.startswith(prog + " "):
                failures.append(f"{path} --version: exit {v.returncode}, {v.stdout!r} {v.stderr!r}")
            else:
                print(f"{prog} --version: {v.stdout.strip()}")

        for name in ("bash cconv", "bash cconvd"):
            b = subprocess.run(["bash", "-n", expected[name]], capture_output=True, text=True)
            if b.returncode != 0:
                failures.append(f"bash -n {expected[name]}: {b.stderr}")
        if shutil.which("zsh"):
            for name in ("zsh _cconv", "zsh _cconvd"):
                z = subprocess.run(["zsh", "-n", expected[name]], capture_output=True, text=True)
                if z.returncode != 0:
                    failures.append(f"zsh -n {expected[name]}: {z.stderr}")
        else:
            print("note: zsh not installed; zsh completions not syntax-checked")

        unit = expected["unit"]
        text = open(unit, encoding="utf-8").read() if os.path.isfile(unit) else ""
        final = os.path.join(prefix if not os.path.isabs(bindir) else "", bindir, "cconvd")
        if f"ExecStart={final} " not in text:
            failures.append(f"{unit}: ExecStart does not name {final}")
        for line in ("DynamicUser=yes", "StateDirectory=cconv", "--db /var/lib/cconv/rates.db",
                     "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
                     "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"):
            if line not in text:
                failures.append(f"{unit}: no '{line}'")
        sa = shutil.which("systemd-analyze")
        if sa and text:
            check = os.path.join(tmp, "cconvd.service")
            with open(check, "w", encoding="utf-8") as f:
                f.write(text.replace(f"ExecStart={final} ", f"ExecStart={expected['cconvd']} "))
            # Documentation=man:cconvd(8) is looked up too: in the DESTDIR.
            venv = dict(os.environ, MANPATH=os.path.dirname(os.path.dirname(expected["cconvd.8"])))
            s = subprocess.run([sa, "verify", check], capture_output=True, text=True, env=venv, timeout=60)
            if s.returncode != 0 or s.stderr.strip():
                failures.append(f"systemd-analyze verify: exit {s.returncode}\n{s.stderr}")
            else:
                print("systemd-analyze verify: ok")
        elif not sa:
            print("note: systemd-analyze not installed (package systemd); unit not verified")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for f in failures:
        print("FAIL", f)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
