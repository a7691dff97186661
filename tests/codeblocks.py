"""How the tests read and run the code blocks a reader copies (see CONTRIBUTING.md)."""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_LANGUAGES = {"python", "py", "python3", "py3"}
CONTINUES = "# continues the block above"
NOT_RUN = "# not run:"


def first_line(code):
    return next((line.strip() for line in code.splitlines() if line.strip()), "")


def expected_output(code):
    """The `#> ...` lines under the code: what running it must print, in order."""
    return [line.strip()[3:] if line.strip().startswith("#> ") else line.strip()[2:]
            for line in code.splitlines() if line.strip().startswith("#>")]


def output_mismatch(code, stdout):
    """None when the printed output equals the `#>` lines (blocks without them print freely)."""
    expected = expected_output(code)
    if not expected:
        return None
    printed = [line.rstrip() for line in stdout.rstrip("\n").splitlines()]
    if printed != [line.rstrip() for line in expected]:
        return ("printed output differs from the #> lines\n--- expected\n" + "\n".join(expected)
                + "\n--- printed\n" + "\n".join(printed))
    return None


def run_standalone(code, workdir, timeout=300):
    """Run code in a fresh interpreter, in an empty folder, with nothing of this repo importable."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    script = workdir / "block.py"
    script.write_text(code)
    return subprocess.run([sys.executable, str(script)], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=timeout)


def snippet_section(path, name):
    """The text of one `# --8<-- [start:name]` ... `[end:name]` section of a file, dedented, as a
    page includes it (pymdownx.snippets with dedent_subsections)."""
    text = (ROOT / path).read_text()
    match = re.search(rf"# --8<-- \[start:{name}\]\n(.*?)[ \t]*# --8<-- \[end:{name}\]", text, re.S)
    assert match, f"{path} has no section {name}"
    return textwrap.dedent(match.group(1))
