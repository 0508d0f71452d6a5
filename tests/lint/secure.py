#!/usr/bin/env python3
"""Secure-default gates over the C sources (common/, server/, cli/), one per
ctest entry:

  sql    SQL is only ever a literal with bound parameters: no sqlite3_mprintf
         family, no SQL text built with %s-style conversions, and every
         sqlite3_exec / sqlite3_prepare* (and store.c's wrappers) gets a string
         literal or a name on the short list below, each with its reason.
  shell  no shell-outs or child processes: system, popen, exec*, fork,
         posix_spawn.
  tls    TLS verification has no off switch: CURLOPT_SSL_VERIFYPEER is only
         ever set to 1L and CURLOPT_SSL_VERIFYHOST to 2L, and the options that
         switch checks off (CURLOPT_SSL_OPTIONS, *_PROXY_SSL_VERIFY*,
         CURLOPT_CAINFO from the environment) are not used.

Usage: secure.py sql|shell|tls SOURCE_DIR.  Comments are stripped first, so
prose may name what the code must not call."""
import pathlib
import re
import sys

# Arguments accepted where SQL text is expected, besides a string literal.
SQL_NAMES = {
    "sql": "a wrapper's own parameter (exec_sql, prepare), checked at its callers",
    "migrations[version]": "the schema steps: a constant table in store.c",
    "set_version": "'PRAGMA user_version = %d', an integer from the code (PRAGMA takes no parameters)",
}
SQL_CALLS = re.compile(r"\b(sqlite3_exec|sqlite3_prepare(?:_v2|_v3|16\w*)?|exec_sql|prepare)\s*\(")
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WHERE|VALUES|REPLACE)\b")
PRINTF_TEXT = re.compile(r"%[-+ #0-9.*]*(s|q|Q|w|c|ls|z)")
SHELL = re.compile(r"\b(system|popen|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|fork|vfork|"
                   r"posix_spawnp?|wordexp)\s*\(")
TLS_BANNED = re.compile(r"\b(CURLOPT_SSL_OPTIONS|CURLOPT_PROXY_SSL_VERIFYPEER|CURLOPT_PROXY_SSL_VERIFYHOST|"
                        r"CURLOPT_DOH_SSL_VERIFY\w*|CURLOPT_SSL_VERIFYSTATUS)\b")
TLS_SET = re.compile(r"\b(CURLOPT_SSL_VERIFYPEER|CURLOPT_SSL_VERIFYHOST)\s*,\s*([^)]*)\)")
TLS_WANT = {"CURLOPT_SSL_VERIFYPEER": "1L", "CURLOPT_SSL_VERIFYHOST": "2L"}


def strip_comments(text):
    """C comments become blanks (newlines kept, so line numbers hold); strings stay."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources(root):
    for d in ("common", "server", "cli"):
        for p in sorted((root / d).rglob("*.[ch]")):
            yield p, strip_comments(p.read_text())


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def second_arg(text, start):
    """The second argument of the call whose '(' is at start, whitespace-squeezed
    (commas inside string literals and brackets do not split)."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if ch in "([":
            depth += 1
            if depth == 1 and ch == "(":
                i += 1
                continue
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                args.append("".join(cur))
                break
        elif ch == "," and depth == 1:
            args.append("".join(cur))
            cur = []
            if len(args) == 2:
                break
            i += 1
            continue
        cur.append(ch)
        i += 1
    return " ".join(args[1].split()) if len(args) > 1 else ""


def constant_sql(arg):
    """String literals, possibly beside UPPER_CASE macros: adjacent-literal
    concatenation compiles only if those macros are literals too."""
    rest = re.sub(r'"(?:[^"\\]|\\.)*"', "", arg)
    return arg != rest and re.fullmatch(r"[\sA-Z0-9_]*", rest) is not None


def check_sql(root):
    bad = []
    for p, text in sources(root):
        for m in re.finditer(r"\bsqlite3_(v?mprintf|snprintf|vsnprintf|str_appendf|str_vappendf)\b", text):
            bad.append(f"{p}:{line_of(text, m.start())}: {m.group(0)} builds SQL text; bind parameters instead")
        for m in re.finditer(r'"(?:[^"\\]|\\.)*"', text):
            lit = m.group(0)
            if SQL_WORDS.search(lit) and PRINTF_TEXT.search(lit):
                bad.append(f"{p}:{line_of(text, m.start())}: SQL with a text conversion: {lit}")
        for m in SQL_CALLS.finditer(text):
            arg = second_arg(text, m.end() - 1)
            if arg.startswith("struct ") or arg.startswith("const "):
                continue  # the definition or declaration of a wrapper
            if constant_sql(arg) or arg in SQL_NAMES:
                continue
            bad.append(f"{p}:{line_of(text, m.start())}: {m.group(1)}() with SQL from '{arg}': "
                       "use a literal with ?N parameters (or list the name in tests/lint/secure.py with why)")
    return bad


def check_shell(root):
    return [f"{p}:{line_of(text, m.start())}: {m.group(1)}(): cconv runs no other programs"
            for p, text in sources(root) for m in SHELL.finditer(text)]


def check_tls(root):
    bad, seen = [], 0
    for p, text in sources(root):
        for m in TLS_BANNED.finditer(text):
            bad.append(f"{p}:{line_of(text, m.start())}: {m.group(1)} can weaken TLS checks")
        for m in TLS_SET.finditer(text):
            seen += 1
            value = m.group(2).strip()
            if value != TLS_WANT[m.group(1)]:
                bad.append(f"{p}:{line_of(text, m.start())}: {m.group(1)} set to '{value}', only "
                           f"{TLS_WANT[m.group(1)]} is allowed")
    if seen < 2:
        bad.append("CURLOPT_SSL_VERIFYPEER/VERIFYHOST are no longer set explicitly: say so in fetch.c")
    return bad


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("sql", "shell", "tls"):
        sys.exit("usage: secure.py sql|shell|tls SOURCE_DIR")
    root = pathlib.Path(sys.argv[2])
    bad = {"sql": check_sql, "shell": check_shell, "tls": check_tls}[sys.argv[1]](root)
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print(f"{sys.argv[1]}: clean")


if __name__ == "__main__":
    main()
