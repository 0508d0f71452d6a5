#!/usr/bin/env python3
"""A program's --help and its man page describe the same options.

usage: check_manpages.py PROGRAM MANPAGE

Every option (-x, --name), every CCONV_* variable and every HTTP endpoint
that `PROGRAM --help` prints must appear in the man page, and every option the man page lists in
its OPTIONS section (the .TP items) must appear in --help, so an option added
to one and not the other fails here, naming it.  The page must also format
without a single groff warning.
"""
import re
import shutil
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SHORT = re.compile(r"^\s+(-[a-zA-Z0-9]),", re.M)
VAR = re.compile(r"\bCCONV_[A-Z0-9_]+\b")


ALTERNATING = re.compile(r"^\.(BI|BR|IB|IR|RB|RI)\s+(.*)$")
ENDPOINT = re.compile(r"^  (/\S*)", re.M)


def roff_to_text(src):
    """The page's words: escapes and fonts removed, '\\-' as '-', and the
    arguments of .BR-style macros joined as they are printed."""
    lines = []
    for line in src.splitlines():
        if line.startswith('.\\"'):
            continue
        m = ALTERNATING.match(line)
        if m:
            line = "".join(a[1:-1] if a.startswith('"') else a for a in re.findall(r'"[^"]*"|\S+', m.group(2)))
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    text = text.replace("\\-", "-").replace("\\(dq", '"').replace("\\&", "")
    return text


def section(src, name):
    """The roff source of one .SH section (empty if absent)."""
    m = re.search(r"^\.SH \"?%s\"?\s*$(.*?)(?=^\.SH |\Z)" % re.escape(name), src, re.M | re.S)
    return m.group(1) if m else ""


def listed_options(options_src):
    """Options named on the tag line of each .TP item of the OPTIONS section."""
    found = set()
    lines = options_src.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == ".TP" and i + 1 < len(lines):
            tag = roff_to_text(lines[i + 1])
            found.update(LONG.findall(tag))
            found.update(re.findall(r"(?<![\w-])-[a-zA-Z0-9](?![\w-])", tag))
    return found


def main():
    prog, page = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([prog, "--help"], capture_output=True, text=True, timeout=30,
                               check=True).stdout
    src = open(page, encoding="utf-8").read()
    man_text = roff_to_text(src)
    man_words = set(LONG.findall(man_text)) | set(re.findall(r"(?<![\w-])-[a-zA-Z0-9](?![\w-])", man_text))

    help_opts = set(LONG.findall(help_text)) | set(SHORT.findall(help_text))
    help_opts.discard("--")
    problems = []
    for opt in sorted(help_opts - man_words):
        problems.append(f"{page}: option {opt} is in '{prog} --help' but not in the man page")
    for var in sorted(set(VAR.findall(help_text)) - set(VAR.findall(man_text))):
        problems.append(f"{page}: variable {var} is in '{prog} --help' but not in the man page")
    for path in sorted({e.split("?")[0] for e in ENDPOINT.findall(help_text)}):
        if not re.search(r"(?<![\w/])%s(?![\w-])" % re.escape(path), man_text):
            problems.append(f"{page}: endpoint {path} is in '{prog} --help' but not in the man page")
    listed = listed_options(section(src, "OPTIONS"))
    if not listed:
        problems.append(f"{page}: no options found in an OPTIONS section")
    for opt in sorted(listed - help_opts):
        problems.append(f"{page}: option {opt} is in the man page's OPTIONS but not in '{prog} --help'")

    groff = shutil.which("groff")
    if groff:
        g = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8", page], capture_output=True, text=True,
                           timeout=30)
        if g.returncode != 0 or g.stderr.strip():
            problems.append(f"{page}: groff warnings:\n{g.stderr}")
    else:
        print("note: groff not installed; formatting not checked")

    for p in problems:
        print(p)
    print(f"{page}: {len(help_opts)} options in --help, {len(listed)} in OPTIONS; "
          f"{'ok' if not problems else f'{len(problems)} problems'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
