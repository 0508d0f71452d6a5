"""Every console example in the documents runs and prints what the document shows; every relative link
in them resolves.

Examples are read from README.md and docs/*.md (```console blocks), docs/cconv.1 and docs/cconvd.8
(.EX/.EE blocks) and `cconv --help`, `cconvd --help` (indented "$ " lines).  In each, a line starting "$ " is a
command, run by bash with pipefail, and the lines after it up to the next "$ " are exactly what it prints
on standard output (a CR ending a line, as in HTTP headers, is dropped); it must exit 0.  Standard error
is shown only where a command sends it to standard output (2>&1); a failure is shown by ending the
command with `|| echo "exit $?"`.  docs/hacking.md states the same for writers.

Each document runs from its first example to its last in a world of its own, the one a reader has after
the Quick start and `cconvd --import eurofxref-hist.csv`:
- the rates are the ECB's history, ../shared/data/eurofxref-hist.csv (CCONV_SHARED_DATA; its newest day
  is 2025-05-09) where present, and FALLBACK otherwise: the few days and currencies the documents use,
  with the same figures (checked against the file where it is present).  With the file, every document
  runs on both, so it holds on a checkout without shared/ too;
- a fake ECB serves the newest day as eurofxref-daily.xml to a cconvd on a free port, whose database
  (the default path under a temporary HOME) already holds every day;
- the working folder holds eurofxref-hist.csv, and build/cconv and build/cconvd; `cconv` and `cconvd` on
  PATH are the built binaries too;
- the daemon's default address, localhost:8080 or 127.0.0.1:8080, is rewritten in each command to the
  daemon's real address, and its real port back to 8080 in what the command prints; CCONV_SERVER names
  the daemon for cconv, and cconv's upstream is a refused port, so nothing leaves this machine.
"""
import atexit
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import (CCONV, CCONVD, Daemon, Ecb, cconvd_once, check_sanitizers, ecb_csv, read_ecb_csv,  # noqa: E402
                    refused_url, run, STAMP, unstamp, write_file)

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
ECB_CSV = os.path.join(os.environ.get("CCONV_SHARED_DATA", ""), "eurofxref-hist.csv")
# The days and currencies the documents' examples use, as the ECB published them.
FALLBACK = {
    "2025-05-09": {"USD": "1.1252", "JPY": "163.36", "GBP": "0.8477", "CHF": "0.9353"},
    "2024-01-05": {"USD": "1.0921", "JPY": "158.57", "GBP": "0.8621", "CHF": "0.932"},
    "2024-01-04": {"USD": "1.0953", "JPY": "157.91", "GBP": "0.86278", "CHF": "0.9313"},
    "2024-01-03": {"USD": "1.0919", "JPY": "156.16", "GBP": "0.8647", "CHF": "0.9322"},
}
MARKDOWN = [os.path.join(TOP, "README.md")] + sorted(glob.glob(os.path.join(TOP, "docs", "*.md")))
MAN_PAGES = [os.path.join(TOP, "docs", "cconv.1"), os.path.join(TOP, "docs", "cconvd.8")]
DEFAULT_ADDRESS = re.compile(r"\b(localhost|127\.0\.0\.1):8080\b")


class Example:
    def __init__(self, where, command, output):
        self.where, self.command, self.output = where, command, output


def rel(path):
    return os.path.relpath(path, TOP)


def console_examples(where, lines):
    """Examples from the lines of one console block: each "$ " line and the lines after it.
    where(i) names line i of the block."""
    if lines and not lines[0].startswith("$ "):
        raise AssertionError(f"{where(0)}: a console block must begin with a '$ ' command")
    out = []
    for i, line in enumerate(lines):
        if line.startswith("$ "):
            out.append(Example(where(i), line[2:], []))
        else:
            out[-1].output.append(line)
    return out


def markdown_blocks(path):
    """(first line number, info string, lines) of each fenced block of a markdown file; a block
    indented in a list item has its lines taken without the fence's indentation."""
    blocks, current, indent = [], None, ""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f.read().splitlines(), 1):
            if current is None:
                m = re.match(r"( *)```\s*(\S*)", line)
                if m:
                    indent, current = m.group(1), (n + 1, m.group(2), [])
            elif line.strip().startswith("```"):
                blocks.append(current)
                current = None
            else:
                current[2].append(line.removeprefix(indent))
    assert current is None, f"{rel(path)}: a fenced block is never closed"
    return blocks


def markdown_examples(path):
    """The examples of a markdown file's ```console blocks.  A "$ " line in any other block would be an
    example that no test runs: refused."""
    out = []
    for first, info, lines in markdown_blocks(path):
        if info == "console":
            out += console_examples(lambda i, first=first: f"{rel(path)}:{first + i}", lines)
        else:
            for i, line in enumerate(lines):
                assert not line.startswith("$ "), \
                    f"{rel(path)}:{first + i}: a command in a ```{info} block; examples go in ```console"
    return out


ROFF_ESCAPE = re.compile(r"\\(\(..|.)")
ROFF_CHARS = {"-": "-", "e": "\\", "&": "", "(aq": "'", "(dq": '"', "(ti": "~", "(ha": "^"}


def roff_line(where, line):
    """A line of an .EX block as the reader sees it; an escape not listed here is refused rather than
    guessed at."""
    def char(m):
        assert m.group(1) in ROFF_CHARS, f"{where}: escape \\{m.group(1)} in an example"
        return ROFF_CHARS[m.group(1)]
    return ROFF_ESCAPE.sub(char, line)


def man_examples(path):
    """The examples of a man page's .EX/.EE blocks.  A "$ " line outside them is refused."""
    out, block = [], None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        if line == ".EX":
            block = (n + 1, [])
        elif line == ".EE":
            first, body = block
            out += console_examples(lambda i, first=first: f"{rel(path)}:{first + i}", body)
            block = None
        elif block is not None:
            assert not line.startswith((".", "'")), f"{rel(path)}:{n}: a request inside an example"
            block[1].append(roff_line(f"{rel(path)}:{n}", line))
        else:
            assert not line.startswith("$ "), \
                f"{rel(path)}:{n}: a command outside .EX/.EE; examples go in an .EX block"
    assert block is None, f"{rel(path)}: an .EX block is never closed"
    return out


def help_examples(program):
    """The examples of `program --help`: an indented "$ " line and the lines after it at the same indent."""
    text = subprocess.run([program, "--help"], capture_output=True, text=True, timeout=30, check=True).stdout
    out, indent = [], None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"(\s+)\$ (.*)", line)
        if m:
            indent = m.group(1)
            out.append(Example(f"{os.path.basename(program)} --help, line {n}", m.group(2), []))
        elif indent and line.startswith(indent) and line.strip():
            out[-1].output.append(line[len(indent):])
        else:
            indent = None
    return out


# Made once for the whole run: the datasets' files and databases.
SCRATCH = tempfile.mkdtemp(prefix="cconv-docs-")
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)
_DATASETS = []


class Dataset:
    """Rates for the examples: {date: {code: rate text}}, the eurofxref-hist.csv that holds them, and a
    database that imported it (made once, copied into each World)."""

    def __init__(self, name, days, csv_path):
        self.name, self.days, self.csv = name, days, csv_path
        self.db = os.path.join(SCRATCH, name + ".db")
        rc, err = cconvd_once(SCRATCH, ["--import", csv_path], db=self.db)
        assert rc == 0, err


def datasets():
    """The ECB's file where present, and always FALLBACK."""
    if not _DATASETS:
        if os.path.exists(ECB_CSV):
            _DATASETS.append(Dataset("ecb", read_ecb_csv(ECB_CSV), ECB_CSV))
        else:
            print(f"  {ECB_CSV} is absent: the documents run on FALLBACK alone")
        # Under the ECB's own name, as a reader's database records the import (its provider is the ECB).
        os.makedirs(os.path.join(SCRATCH, "fallback"))
        _DATASETS.append(Dataset("fallback", FALLBACK, write_file(os.path.join(SCRATCH, "fallback"),
                                                                  "eurofxref-hist.csv", ecb_csv(FALLBACK))))
    return _DATASETS


class World:
    """What a reader has: a daemon with the rates, a working folder, the binaries on PATH."""

    def __init__(self, tmp, data):
        self.tmp = tmp
        self.home = os.path.join(tmp, "home")
        self.work = os.path.join(tmp, "work")
        bindir = os.path.join(tmp, "bin")
        for d in (self.home, self.work, bindir):
            os.makedirs(d)
        os.symlink(CCONV, os.path.join(bindir, "cconv"))
        os.symlink(CCONVD, os.path.join(bindir, "cconvd"))
        os.symlink(bindir, os.path.join(self.work, "build"))
        os.symlink(data.csv, os.path.join(self.work, "eurofxref-hist.csv"))
        state = os.path.join(self.home, ".local", "state", "cconv")
        os.makedirs(state)
        self.db = os.path.join(state, "rates.db")
        shutil.copyfile(data.db, self.db)
        newest = max(data.days)
        self.ecb = Ecb({newest: data.days[newest]})
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CCONV_", "XDG_", "BASH_ENV"))}
        self.env.update(HOME=self.home, CCONV_HISTORY_UPSTREAM="none")
        try:
            self.daemon = Daemon(tmp, [self.ecb.daily_url], db=self.db, env={"HOME": self.home})
            self.daemon.wait_refreshes(1)
        except BaseException:
            self.ecb.stop()
            raise
        self.address = f"127.0.0.1:{self.daemon.port}"
        self.env.update(PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                        CCONV_SERVER="http://" + self.address, CCONV_UPSTREAM=refused_url())

    def run(self, command):
        """(exit code, stdout as the document would show it, stderr)."""
        p = subprocess.run(["bash", "-o", "pipefail", "-c", DEFAULT_ADDRESS.sub(self.address, command)],
                           cwd=self.work, env=self.env, capture_output=True, text=True, timeout=60)
        check_sanitizers(command, p.stderr)
        port = str(self.daemon.port)
        out = re.sub(r"\b(localhost|127\.0\.0\.1):%s\b" % port, r"\1:8080", p.stdout)
        return p.returncode, [line.removesuffix("\r") for line in out.splitlines()], p.stderr

    def close(self):
        try:
            self.daemon.stop()
        finally:
            self.ecb.stop()


def same_lines(printed, shown):
    """Equal line for line, where a cconvd line's leading time stands for any
    time: a document shows one where cconvd prints one, but not today's."""
    def key(lines):
        return [(bool(STAMP.match(x)), unstamp(x)) for x in lines]
    return key(printed) == key(shown)


def check_examples(name, examples, tmp, required):
    """Runs a document's examples in order in one World per dataset; fails naming every example whose
    output or exit code differs from the document.  A required document must have examples."""
    if not examples:
        assert not required, f"{name}: no examples found"
        print(f"  {name}: no examples")
        return
    problems = []
    for data in datasets():
        sub = os.path.join(tmp, data.name)
        os.makedirs(sub)
        world = World(sub, data)
        try:
            for ex in examples:
                rc, out, err = world.run(ex.command)
                if rc != 0 or not same_lines(out, ex.output):
                    problems.append(f"{ex.where} ({data.name} rates): $ {ex.command}\n"
                                    f"  the document shows:\n" + "".join(f"    {x}\n" for x in ex.output)
                                    + f"  it printed (exit {rc}):\n" + "".join(f"    {x}\n" for x in out)
                                    + (f"  and on stderr:\n    {err.strip()}\n" if err.strip() else ""))
        finally:
            world.close()
    assert not problems, "examples that do not print what their document shows:\n" + "\n".join(problems)
    print(f"  {name}: {len(examples)} examples")


def document_test(name, examples_of, required=True):
    def test(tmp):
        check_examples(name, examples_of(), tmp, required)
    test.__name__ = "test_examples_" + re.sub(r"\W", "_", name)
    return test


def test_fallback_is_the_ecb(tmp):
    """FALLBACK's figures are the ECB's, digit for digit, so both datasets give the same outputs."""
    if not os.path.exists(ECB_CSV):
        print(f"  {ECB_CSV} is absent: nothing to compare FALLBACK with")
        return
    days = read_ecb_csv(ECB_CSV)
    assert max(days) == max(FALLBACK), (max(days), max(FALLBACK))
    for date, rates in FALLBACK.items():
        for code, rate in rates.items():
            assert days[date][code] == rate, (date, code, days[date][code], rate)


def heading_anchors(path):
    """The anchors GitHub gives a markdown file's headings."""
    anchors, seen = set(), {}
    in_block = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.lstrip().startswith("```"):
                in_block = not in_block
            m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m and not in_block:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
                n = seen.get(slug, 0)
                seen[slug] = n + 1
                anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def relative_links(path):
    """(line number, target) of every link in a markdown file that is not to another site; code blocks
    and code spans are not text."""
    out, in_block = [], False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.lstrip().startswith("```"):
                in_block = not in_block
                continue
            if in_block:
                continue
            text = re.sub(r"`[^`]*`", "", line)
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if not re.match(r"[a-z]+:", target):
                    out.append((n, target))
    return out


def test_relative_links_resolve(tmp):
    """Each relative link names a file or folder of the repository, and each #anchor a heading there."""
    problems, count = [], 0
    for doc in MARKDOWN:
        for n, target in relative_links(doc):
            count += 1
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            where = f"{rel(doc)}:{n}: ({target})"
            if not (dest == TOP or dest.startswith(TOP + os.sep)):
                problems.append(f"{where} leaves the repository")
            elif not os.path.exists(dest):
                problems.append(f"{where} names no file")
            elif anchor and (not dest.endswith(".md") or anchor not in heading_anchors(dest)):
                problems.append(f"{where} names no heading of {rel(dest)}")
    assert count >= len(MARKDOWN) - 1, f"only {count} relative links found: is the parser broken?"
    assert not problems, "links that do not resolve:\n" + "\n".join(problems)
    print(f"  {count} relative links in {len(MARKDOWN)} files")


def test_parsers_find_misplaced_commands(tmp):
    """A command outside a console block, or an output before any command, is refused."""
    md = write_file(tmp, "x.md", "```sh\n$ cconv GBP 1\n```\n")
    man = write_file(tmp, "x.1", ".PP\n.nf\n$ cconv GBP 1\n.fi\n")
    bad = write_file(tmp, "y.md", "```console\n84.77 GBP\n```\n")
    for parse, path in ((markdown_examples, md), (man_examples, man), (markdown_examples, bad)):
        try:
            parse(path)
        except AssertionError:
            continue
        raise AssertionError(f"{path} was accepted")
    ok = write_file(tmp, "z.1", ".EX\n$ cconv \\-\\-raw GBP 1\n0.85\n$ echo \\(dqa\\(dq\n\"a\"\n.EE\n")
    got = [(e.command, e.output) for e in man_examples(ok)]
    assert got == [("cconv --raw GBP 1", ["0.85"]), ('echo "a"', ['"a"'])], got


def tests():
    out = [test_fallback_is_the_ecb, test_relative_links_resolve, test_parsers_find_misplaced_commands]
    for path in MARKDOWN:
        out.append(document_test(rel(path), lambda path=path: markdown_examples(path),
                                 required=path.endswith("README.md")))
    for path in MAN_PAGES:
        out.append(document_test(rel(path), lambda path=path: man_examples(path)))
    out.append(document_test("cconv --help", lambda: help_examples(CCONV)))
    out.append(document_test("cconvd --help", lambda: help_examples(CCONVD), required=False))
    return out


if __name__ == "__main__":
    run(tests())
