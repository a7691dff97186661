"""Run every code block of the built site exactly as the copy button gives it.

The blocks are read from the HTML (after snippet inclusion, inside tabs and admonitions), each
run in a fresh interpreter in an empty folder. A block that starts with `# continues the block
above` runs together with the blocks before it; a block that starts with `# not run: <reason>` is
counted as skipped. Notebooks are executed by the build itself (see test_notebooks.py).
"""
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from tests.codeblocks import (CONTINUES, NOT_RUN, PYTHON_LANGUAGES, first_line, output_mismatch,
                              run_standalone)
from tests.conftest import site_pages


@dataclass
class Block:
    page: str
    number: int  # 1-based, counting every code block on the page
    language: str
    code: str

    def where(self):
        return f"page /{self.page}, block {self.number} ({first_line(self.code)[:70]!r})"


def code_language(code_tag):
    for parent in code_tag.parents:
        for cls in parent.get("class") or []:
            if cls.startswith("language-"):
                return cls.removeprefix("language-")
    return ""


def rendered_blocks(site):
    for page, path in site_pages(site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article")
        if article is None or article.select_one(".jupyter-wrapper"):
            continue  # notebooks run as a whole at build time
        for number, code in enumerate(article.select("pre > code"), 1):
            yield Block(page, number, code_language(code), code.get_text())


def chains(blocks):
    """Group each block with the ones that continue it; a chain runs as one program."""
    grouped = []
    for block in blocks:
        if first_line(block.code) == CONTINUES:
            assert grouped and grouped[-1][-1].page == block.page, (
                f"{block.where()} continues a block, but there is none above it on the page")
            grouped[-1].append(block)
        else:
            grouped.append([block])
    return grouped


def run_chain(chain):
    with tempfile.TemporaryDirectory() as folder:
        code = "\n".join(block.code for block in chain)
        try:
            result = run_standalone(code, Path(folder))
        except Exception as error:  # a timeout, reported like a failure
            return f"{chain[-1].where()}: {error}"
    if result.returncode != 0:
        return f"{chain[-1].where()} failed:\n{result.stderr[-3000:]}"
    mismatch = output_mismatch(code, result.stdout)
    return f"{chain[-1].where()}: {mismatch}" if mismatch else None


def test_every_python_block_on_the_site_runs(built_site, record_property):
    blocks = list(rendered_blocks(built_site))
    unlabelled = [b.where() for b in blocks if not b.language]
    assert not unlabelled, "code blocks without a language (label them):\n" + "\n".join(unlabelled)
    python = [b for b in blocks if b.language in PYTHON_LANGUAGES]
    skipped = [b for b in python if first_line(b.code).startswith(NOT_RUN)]
    no_reason = [b.where() for b in skipped if not first_line(b.code)[len(NOT_RUN):].strip()]
    assert not no_reason, "blocks marked '# not run:' without a reason:\n" + "\n".join(no_reason)
    runnable = chains(b for b in python if b not in skipped)
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(run_chain, runnable) if f]
    executed = sum(len(chain) for chain in runnable)
    line = f"{len(python)} Python blocks on the site, {executed} executed, {len(skipped)} skipped"
    if os.environ.get("ONLY_PAGES"):
        line += f" (only pages {os.environ['ONLY_PAGES']})"
    print(line)
    record_property("summary", line)
    assert python, "no Python block found on the built site"
    assert not failures, f"{len(failures)} failing blocks:\n\n" + "\n\n".join(failures)
    assert executed + len(skipped) == len(python)
