#!/usr/bin/env python3
"""The README's first command builds and starts cconvd on a fresh Debian machine.

usage: test_quickstart.py SOURCE_DIR [TEST_ONLY_CMAKE_PACKAGE...]

The command is read from README.md (the first ```sh block under "Quick start"),
so the check follows the document.  A fresh machine has Debian's required
packages and what that command's apt-get install brings: the packages it
names and, recursively, what they Depend or Pre-Depend on.  This machine has
more, so the build is narrowed to what that machine would see:
- pkg-config finds only the .pc files of those packages (PKG_CONFIG_LIBDIR);
- the CMake packages only the tests use are not found
  (CMAKE_DISABLE_FIND_PACKAGE_<name>), as where they are not installed;
- every file the configure and the build used from outside the source and
  build trees (each program and library CMakeCache.txt names, cmake and the
  compiler among them; each header in the compiler's dependency files) must
  belong to one of those packages, so whatever else a future build comes to
  need is caught too.
In a temporary tree it configures and builds with the command's own
arguments, checks that each missing test dependency was said in one line and
stands in ctest as a failing test, then starts the built cconvd as the
command does, offline (a refused upstream, a temporary --db, port 0): it must
listen, say in one line that it has no rates and how to give it some, answer
/healthz with 503, and exit 0 on SIGTERM.  Exit 77 (skipped) without dpkg.
"""
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

# include(CTest) looks for these for dashboard submissions; no build runs them.
CTEST_DASHBOARD_TOOLS = {"BZRCOMMAND", "COVERAGE_COMMAND", "CVSCOMMAND", "GITCOMMAND", "HGCOMMAND",
                         "MEMORYCHECK_COMMAND", "P4COMMAND", "SVNCOMMAND"}
# Variables that would let the build see more than a fresh machine's would.
LEAKY_ENV = ("CC", "CFLAGS", "CPPFLAGS", "LDFLAGS", "CPATH", "C_INCLUDE_PATH", "LIBRARY_PATH", "PKG_CONFIG",
             "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "CMAKE_PREFIX_PATH", "CMAKE_GENERATOR", "MAKEFLAGS",
             "MFLAGS")
NO_RATES_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ cconvd: warning: no rates to serve yet: .*'cconvd --import FILE'.*file://")


class Failed(Exception):
    pass


def first_command(src):
    """The README's first Quick start command as steps: {'install': [packages], 'configure': [args],
    'build': [args], 'run': [args], 'tree': the build folder it names}."""
    text = open(os.path.join(src, "README.md"), encoding="utf-8").read()
    m = re.search(r"^#+ *Quick start *\n(.*?)^```sh\n(.*?)^```", text, re.M | re.S | re.I)
    if not m:
        raise Failed("README.md has no ```sh block under a 'Quick start' heading")
    command = m.group(2).replace("\\\n", " ").strip()
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    steps, step = [], []
    for token in lexer:
        if token == "&&":
            steps.append(step)
            step = []
        elif token in ("|", ";", "||", "&", "(", ")", "<", ">"):
            raise Failed(f"the README's first command has '{token}', which this check does not follow: {command}")
        else:
            step.append(token)
    steps.append(step)

    out = {"install": [], "command": command}
    for s in steps:
        if s[:2] == ["apt-get", "update"]:
            continue
        if s[:2] == ["apt-get", "install"]:
            out["install"] += [w for w in s[2:] if not w.startswith("-")]
        elif s[:3] == ["cmake", "-S", "."] and len(s) >= 5 and s[3] == "-B":
            out["tree"], out["configure"] = s[4], s[5:]
        elif s[:2] == ["cmake", "--build"] and len(s) >= 3:
            out["build_tree"], out["build"] = s[2], s[3:]
        elif s and s[0].endswith("/cconvd"):
            out["run_path"], out["run"] = s[0], s[1:]
        else:
            raise Failed(f"the README's first command has a step this check does not know: {' '.join(s)}")
    for key in ("install", "configure", "build", "run"):
        if key not in out or (key == "install" and not out[key]):
            raise Failed(f"the README's first command has no {key} step: {command}")
    tree = out["tree"]
    if out["build_tree"] != tree or os.path.normpath(out["run_path"]) != os.path.join(tree, "cconvd"):
        raise Failed(f"the README's first command configures '{tree}' but builds or runs another tree: {command}")
    return out


def installed_packages():
    """{name: {'deps': [[alternative, ...], ...], 'base': bool, 'binary': [dpkg names]}}, and
    {virtual name: [providers]}, for the packages installed here."""
    fmt = "${Package}\\t${binary:Package}\\t${db:Status-Abbrev}\\t${Priority}\\t${Essential}\\t" \
          "${Provides}\\t${Pre-Depends}, ${Depends}\\n"
    p = subprocess.run(["dpkg-query", "-W", "-f", fmt], capture_output=True, text=True, check=True)
    pkgs, provides = {}, {}

    def names(field):
        return [[re.split(r"[\s(:]", alt.strip(), maxsplit=1)[0] for alt in clause.split("|")]
                for clause in field.split(",") if clause.strip()]
    for line in p.stdout.splitlines():
        name, binary, status, priority, essential, prov, deps = line.split("\t")
        if not status.startswith("ii"):
            continue
        info = pkgs.setdefault(name, {"deps": [], "base": False, "binary": []})
        info["deps"] += names(deps)
        info["base"] |= priority == "required" or essential == "yes"
        info["binary"].append(binary)
        for clause in names(prov):
            provides.setdefault(clause[0], []).append(name)
    return pkgs, provides


def closure(roots, pkgs, provides):
    """The roots and everything they need, choosing among alternatives as apt does: the first one
    that is available (here: installed, or provided by an installed package)."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for alternatives in pkgs[name]["deps"]:
            for alt in alternatives:
                chosen = alt if alt in pkgs else next(iter(provides.get(alt, [])), None)
                if chosen:
                    todo.append(chosen)
                    break
    return seen


def owners(paths):
    """{path: {package}} for the files dpkg knows, trying each path as given, resolved, and in the
    other half of the merged /usr (a file may be registered under /lib and used as /usr/lib)."""
    tried = {}
    for path in paths:
        cands = {path, os.path.realpath(path)}
        for c in list(cands):
            for a, b in (("/usr/", "/"), ("/", "/usr/")):
                if c.startswith(a + "lib/") or c.startswith(a + "bin/") or c.startswith(a + "sbin/"):
                    cands.add(b + c[len(a):])
        tried[path] = cands
    every = sorted(set().union(*tried.values())) if tried else []
    found = {}
    for i in range(0, len(every), 500):
        p = subprocess.run(["dpkg-query", "-S", *every[i:i + 500]], capture_output=True, text=True)
        for line in p.stdout.splitlines():
            if line.startswith("diversion by") or ": " not in line:
                continue
            who, path = line.split(": ", 1)
            found.setdefault(path, set()).update(w.strip().split(":")[0] for w in who.split(","))
    return {path: set().union(*(found.get(c, set()) for c in cands)) for path, cands in tried.items()}


def used_files(tree, src):
    """{file: why} for what the configure and the build took from outside src and tree."""
    used = {}
    with open(os.path.join(tree, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"([A-Za-z0-9_]+):[A-Z]+=(.*)$", line.rstrip("\n"))
            if not m or m.group(1) in CTEST_DASHBOARD_TOOLS:
                continue
            for value in m.group(2).split(";"):
                if os.path.isabs(value) and os.path.isfile(value):
                    used[value] = f"CMakeCache.txt: {m.group(1)}"
    for folder, _, files in os.walk(tree):
        for name in files:
            if not name.endswith(".o.d"):
                continue
            obj = os.path.join(folder, name)
            deps = open(obj, encoding="utf-8").read().split(":", 1)[-1].replace("\\\n", " ").split()
            for dep in deps:
                dep = os.path.normpath(dep)
                if os.path.isabs(dep) and not dep.startswith((src + os.sep, tree + os.sep)):
                    used.setdefault(dep, f"included by {os.path.relpath(obj, tree)[:-2]}")
    return used


def run(argv, env, cwd, timeout, what):
    started = time.monotonic()
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    print(f"{what}: exit {p.returncode} in {time.monotonic() - started:.0f} s")
    return p


def check_missing_tests(tree, configured, env):
    """Each test dependency the restricted machine lacks was said in one configure line, and stands in
    ctest as a test that fails with that line."""
    listed = run(["ctest", "--test-dir", tree, "-N"], env, tree, 60, "ctest -N")
    names = re.findall(r"Test +#\d+: (\S+)", listed.stdout)
    missing = [n for n in names if n.startswith("missing.")]
    if not any(n.startswith("unit.test_") for n in names) and "missing.cmocka" not in missing:
        raise Failed(f"no cmocka unit test is registered and no test fails for it: {names}")
    if not any(n.startswith("e2e.") for n in names) and "missing.python3" not in missing:
        raise Failed(f"no e2e test is registered and no test fails for Python: {names}")
    if not missing:
        return
    p = run(["ctest", "--test-dir", tree, "--output-on-failure", "-R", r"^missing\."], env, tree, 120,
            "ctest -R ^missing")
    if p.returncode == 0:
        raise Failed(f"ctest passed with test dependencies missing:\n{p.stdout}")
    lines = configured.splitlines()
    for name in missing:
        said = [x for x in lines if re.match(rf"{re.escape(name.split('.', 1)[1])} is not installed: ", x, re.I)]
        if len(said) != 1:
            raise Failed(f"configure said {len(said)} lines (not one) about {name}:\n{configured}")
        if said[0] not in p.stdout:
            raise Failed(f"ctest's {name} does not print '{said[0]}':\n{p.stdout}")
        print(f"{name} fails, as configure said: {said[0]}")


def start_offline(cmd, tmp):
    """Runs the built cconvd as the README does, offline; checks it serves and tells why it has nothing."""
    refused = socket.socket()  # bound, never listening: connections to it are refused
    refused.bind(("127.0.0.1", 0))
    upstream = f"http://127.0.0.1:{refused.getsockname()[1]}/v1/latest"
    argv = cmd + ["--listen", "127.0.0.1:0", "--db", os.path.join(tmp, "rates.db"), "--upstream", upstream,
                  "--history-upstream", "none"]
    home = os.path.join(tmp, "home")
    os.mkdir(home)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C"}
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    lines = []

    def read():
        for line in proc.stderr:
            lines.append(line)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def wait_for(pattern, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(lines):
                m = re.search(pattern, line)
                if m:
                    return m
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise Failed(f"cconvd: no {what}:\n{''.join(lines)}")
    try:
        port = int(wait_for(r"listening on 127\.0\.0\.1:(\d+)", "'listening on' line").group(1))
        wait_for(NO_RATES_LINE.pattern, "line saying it has no rates and naming --import and file://")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        if status != 503 or json.loads(body)["status"] != "no rates":
            raise Failed(f"/healthz answered {status} {body!r}, not 503 with no rates")
        print(f"cconvd listened on port {port} and answered /healthz 503 (no rates)")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Failed("cconvd did not stop within 10 s of SIGTERM")
        reader.join(5)
        refused.close()
    if rc != 0:
        raise Failed(f"cconvd exited {rc} on SIGTERM:\n{''.join(lines)}")
    said = [x for x in lines if NO_RATES_LINE.match(x)]
    if len(said) != 1:
        raise Failed(f"cconvd said it has no rates {len(said)} times, not once:\n{''.join(lines)}")
    print("cconvd said:", said[0].rstrip())


def check(src, test_only):
    cmd = first_command(src)
    print("README's first command:", cmd["command"])
    ci = open(os.path.join(src, ".ci", "packages"), encoding="utf-8").read().split()
    if set(cmd["install"]) - set(ci):
        raise Failed(f".ci/packages lacks what the README's first command installs: "
                     f"{sorted(set(cmd['install']) - set(ci))}")
    pkgs, provides = installed_packages()
    absent = [p for p in cmd["install"] if p not in pkgs]
    if absent:
        raise Failed(f"not installed here, so not checked: {absent} (CI installs .ci/packages)")
    base = [name for name, info in pkgs.items() if info["base"]]
    allowed = closure(cmd["install"] + base, pkgs, provides)
    print(f"a fresh machine: {len(base)} required packages, {len(cmd['install'])} named, "
          f"{len(allowed)} with their dependencies")

    tmp = tempfile.mkdtemp(prefix="cconv-quickstart-")
    try:
        pcdir = os.path.join(tmp, "pkgconfig")
        os.mkdir(pcdir)
        listed = subprocess.run(["dpkg-query", "-L", *sorted(b for n in allowed for b in pkgs[n]["binary"])],
                                capture_output=True, text=True, check=True).stdout.split("\n")
        for path in listed:
            name = os.path.basename(path)
            if "/pkgconfig/" in path and name.endswith(".pc") and not os.path.exists(os.path.join(pcdir, name)):
                os.symlink(path, os.path.join(pcdir, name))
        print(f"pkg-config sees {len(os.listdir(pcdir))} .pc files: {' '.join(sorted(os.listdir(pcdir)))}")

        env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
        env["PKG_CONFIG_LIBDIR"] = pcdir
        tree = os.path.join(tmp, cmd["tree"])
        disable = [f"-DCMAKE_DISABLE_FIND_PACKAGE_{name}=ON" for name in test_only]
        p = run(["cmake", "-S", ".", "-B", tree, *cmd["configure"], *disable], env, src, 300, "configure")
        configured = p.stdout + p.stderr
        if p.returncode != 0:
            raise Failed(f"configure failed on what the README's first command installs:\n{configured}")
        p = run(["cmake", "--build", tree, *cmd["build"]], env, src, 900, "build")
        if p.returncode != 0:
            raise Failed(f"the build failed on what the README's first command installs:\n"
                         f"{p.stdout[-6000:]}{p.stderr[-6000:]}")

        used = used_files(tree, src)
        own = owners(used)
        outside = [f"{path} ({why}; {'package ' + ', '.join(sorted(own[path])) if own[path] else 'no package'})"
                   for path, why in sorted(used.items()) if not own[path] & allowed]
        if outside:
            raise Failed("the build used files that the README's first command does not install:\n  "
                         + "\n  ".join(outside))
        print(f"the build used {len(used)} files from outside the tree, each from those packages")

        check_missing_tests(tree, configured, env)
        start_offline([os.path.join(tree, "cconvd"), *cmd["run"]], tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if shutil.which("dpkg-query") is None:
        print("dpkg-query not found: the Quick start is for Debian; skipped")
        sys.exit(77)
    try:
        check(os.path.realpath(sys.argv[1]), sys.argv[2:])
    except Failed as e:
        sys.exit(f"FAIL: {e}")
    print("ok: the README's first command builds and starts cconvd")


if __name__ == "__main__":
    main()
