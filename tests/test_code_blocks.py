"""Every ```python block of every page, composed as the site shows it (hooks/blocks.py), runs once
per test run in a fresh interpreter in an empty folder, and prints exactly its `#>` lines.

pytest-codeblocks extracts the blocks from the composed Markdown (its `cont` comment joins a
continuation to the block above); the test checks that it and hooks/blocks.py agree on every
block's text (but for empty lines, which pytest-codeblocks drops from fences indented in tabs),
then runs hooks/blocks.py's text, the one the copy button gives. A failure is reported per block, e.g. `transposed/index.md#3`.
The built site is not run again: each block's copy-button text must equal, byte for byte, a
block that ran here (test_copy_text_equals_an_executed_block).
"""
import io
import os

import pytest
import pytest_codeblocks
from bs4 import BeautifulSoup

from hooks.blocks import NOT_RUN, BlockError, chains, compose_page, fences, page_sources, run_chain
from tests.conftest import site_pages


def compose_or_error(page, path):
    try:
        return compose_page(page, path.read_text(encoding="utf-8"))
    except BlockError as error:
        return error


SOURCES = dict(page_sources())
COMPOSED = {page: compose_or_error(page, path) for page, path in SOURCES.items()}
BLOCKS = {page: composed[1] for page, composed in COMPOSED.items() if not isinstance(composed, BlockError)}
CHAINS = [chain for blocks in BLOCKS.values() for chain in chains(blocks)]


def without_empty_lines(code):
    return [line for line in code.splitlines() if line]


def chain_id(chain):
    return chain[0].id + "".join(f"+{block.number}" for block in chain[1:])


@pytest.mark.parametrize("page", list(COMPOSED))
def test_pytest_codeblocks_extracts_the_same_blocks(page):
    """Also: every block composes (a name nothing defines fails here, naming page and block)."""
    if isinstance(COMPOSED[page], BlockError):
        pytest.fail(str(COMPOSED[page]))
    markdown, blocks = COMPOSED[page]
    reasonless = [block.id for block in blocks if not block.runs
                  and not block.code.strip().splitlines()[0][len(NOT_RUN):].strip()]
    assert not reasonless, f"blocks marked {NOT_RUN!r} without a reason: {reasonless}"
    extracted = [without_empty_lines(b.code) for b in pytest_codeblocks.extract_from_buffer(io.StringIO(markdown))
                 if b.syntax == "python"]
    expected = [without_empty_lines("".join(block.code for block in chain)) for chain in chains(blocks)]
    not_run = [without_empty_lines(block.code) for block in blocks if not block.runs]
    assert [code for code in extracted if code not in not_run] == expected


@pytest.mark.parametrize("chain", CHAINS, ids=chain_id)
def test_block_runs_and_prints_its_output_lines(chain):
    for run in run_chain(chain):
        assert run.ran, f"{run.block.id} did not run: the block it continues failed"
        assert run.error is None, f"{run.block.id} failed:\n{run.error[-3000:]}"
        mismatch = run.output_mismatch()
        assert mismatch is None, f"{run.block.id}: {mismatch}"


def rendered_python_blocks(path):
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article")
    if article is None or article.select_one(".jupyter-wrapper"):
        return None  # notebooks are executed by the build itself (test_notebooks.py)
    codes = article.select("pre > code")
    unlabelled = [code for code in codes if not any(
        cls.startswith("language-") for parent in code.parents for cls in parent.get("class") or [])]
    assert not unlabelled, f"{path}: code blocks without a language (label them)"
    return [code.get_text() for code in codes if code.find_parent(class_="language-python")]


def test_copy_text_equals_an_executed_block(built_site, record_property):
    """What the copy button gives (the code element's text) is, block by block, the code that ran."""
    total = executed = skipped = 0
    for url, path in site_pages(built_site):
        rendered = rendered_python_blocks(path)
        if rendered is None:
            continue
        page = "index.md" if url == "" else next(
            (p for p in BLOCKS if p in (url.rstrip("/") + ".md", url + "index.md")), None)
        assert page is not None, f"/{url}: no Markdown source found"
        blocks = BLOCKS[page]
        assert len(rendered) == len(blocks), f"/{url}: {len(rendered)} Python blocks built, {len(blocks)} composed"
        for text, block in zip(rendered, blocks):
            assert text.rstrip("\n") == block.code.rstrip("\n"), f"{block.id}: the built page shows other code"
        total += len(blocks)
        executed += sum(block.runs for block in blocks)
        skipped += sum(not block.runs for block in blocks)
    line = f"{total} Python blocks on the site, {executed} executed, {skipped} skipped"
    if os.environ.get("ONLY_PAGES"):
        line += f" (only pages {os.environ['ONLY_PAGES']})"
    record_property("summary", line)
    assert total and executed + skipped == total


@pytest.mark.parametrize("page", list(SOURCES))
def test_no_python_fence_that_pytest_codeblocks_would_skip(page):
    """```py, ```python3 or ```python title="…" would be shown on the site but never run."""
    lines = SOURCES[page].read_text(encoding="utf-8").split("\n")
    bad = [f"line {fence.opening + 1}: {lines[fence.opening].strip()}" for fence in fences(lines)
           if fence.info.split()[:1] in (["py"], ["python3"], ["py3"], ["pycon"])
           or (fence.info.startswith("python") and fence.info != "python")]
    assert not bad, "use a plain ```python fence:\n" + "\n".join(bad)
