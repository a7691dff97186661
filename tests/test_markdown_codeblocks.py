"""pytest-codeblocks over the Markdown sources (docs/**/*.md and README.md).

pytest-codeblocks would run `--8<--` include lines as Python, so each file is first expanded with
the same pymdownx.snippets settings as the site. It silently skips ```py fences, titled fences and
indented code, so a separate test forbids those for Python.
"""
import contextlib
import io
import re
from pathlib import Path

import markdown
import numpy as np
import pytest
import pytest_codeblocks
from mkdocs.config import load_config

from tests.codeblocks import output_mismatch

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
SNIPPET_SETTINGS = load_config(str(ROOT / "mkdocs.yml"))["mdx_configs"]["pymdownx.snippets"]


def expand_snippets(text):
    md = markdown.Markdown(extensions=["pymdownx.snippets"],
                           extension_configs={"pymdownx.snippets": SNIPPET_SETTINGS})
    return "\n".join(md.preprocessors["snippet"].run(text.splitlines())) + "\n"


def python_blocks():
    for source in SOURCES:
        blocks = pytest_codeblocks.extract_from_buffer(io.StringIO(expand_snippets(source.read_text())))
        for block in blocks:
            if block.syntax == "python" and not block.code.lstrip().startswith("# not run:"):
                yield pytest.param(block, id=f"{source.relative_to(ROOT)}:{block.lineno}")


@pytest.mark.parametrize("block", list(python_blocks()))
def test_markdown_python_block_runs(block, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    # blocks share this process: keep one block's print settings from leaking into the next
    with contextlib.redirect_stdout(printed), np.printoptions():
        exec(compile(block.code, "<markdown block>", "exec"), {"__name__": "__main__"})
    mismatch = output_mismatch(block.code, printed.getvalue())
    assert mismatch is None, mismatch


FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)(.*)$")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_python_fence_that_pytest_codeblocks_would_skip(source):
    """```py, ```python3 or ```python title="…" would be shown on the site but never collected."""
    bad = []
    inside = None
    for number, line in enumerate(source.read_text().splitlines(), 1):
        match = FENCE.match(line)
        if not match:
            continue
        fence, language, rest = match.groups()
        if inside is None:
            inside = fence
            if language.lower().lstrip("{.") in {"py", "python3", "py3", "pycon"} or (
                    language == "python" and rest.strip()):
                bad.append(f"line {number}: {line.strip()}")
        elif fence.startswith(inside) and not language:
            inside = None
    assert not bad, "use a plain ```python fence:\n" + "\n".join(bad)
