"""The bash completion (dist/completions/cconv.bash) in a real bash with
bash-completion loaded: options from --help, currency codes from the cache."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import RATES, Upstream, cconv, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "dist", "completions")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


def complete(tmp, prog, line):
    """The words bash would offer for the command line `line` (cursor at its end)."""
    script = f"""
source {BASH_COMPLETION}
source {os.path.join(SCRIPTS, prog + '.bash')}
read -ra COMP_WORDS <<< "$LINE"
[[ $LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE=$LINE
COMP_POINT=${{#LINE}}
_{prog} {prog} "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    env = dict(os.environ, LINE=line, HOME=tmp, XDG_CACHE_HOME=os.path.join(tmp, "cache"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"),
               PATH=os.path.dirname(os.environ["CCONV"]) + ":" + os.environ["PATH"])
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0, p.stderr
    return sorted(w for w in p.stdout.splitlines() if w)


def test_bash_completion(tmp):
    if not os.path.exists(BASH_COMPLETION):
        print("skipped: bash-completion is not installed")
        sys.exit(77)
    # Options, read from the installed program's --help.
    assert complete(tmp, "cconv", "cconv --li") == ["--list"]
    # Every long option --help names, wherever on a line (new ones included, with no edit to the script).
    offered = set(complete(tmp, "cconv", "cconv --"))
    help_text = subprocess.run([os.environ["CCONV"], "--help"], capture_output=True, text=True).stdout
    helped = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text))
    assert offered == helped and "--offline" in offered, (offered, helped)
    assert "--max-age" in complete(tmp, "cconvd", "cconvd --m")
    assert complete(tmp, "cconvd", "cconvd --history-upstream h") == ["http://", "https://"]
    # No cache yet: no codes, and no wait on the network.
    assert complete(tmp, "cconv", "cconv G") == []
    up = Upstream()
    try:
        rc, out, err = cconv(tmp, ["GBP", "1"], upstream=up.url)
        assert rc == 0, err
    finally:
        up.stop()
    assert complete(tmp, "cconv", "cconv G") == ["GBP"]
    assert complete(tmp, "cconv", "cconv --from u") == ["USD"]
    assert complete(tmp, "cconv", "cconv GBP,J") == ["GBP,JPY"]
    assert len(complete(tmp, "cconv", "cconv ")) == len(RATES) + 1  # and EUR


if __name__ == "__main__":
    run([test_bash_completion])
