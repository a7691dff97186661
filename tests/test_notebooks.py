"""The notebooks in docs/notebooks/: committed clean, standalone, fast, and rendered with outputs.

- Committed without outputs and execution counts. The build executes each once (mkdocs-jupyter,
  `allow_errors: false`), in docs/notebooks/ where nothing of this repository is importable, so
  it runs as a reader's download does; it ends with a cell of assertions, and an assertion that
  fails fails the build.
- The built page shows the executed outputs (text and PNG figures), no error or stderr output,
  and a link to download the .ipynb.
- What they print is the same on every run (the build is byte-identical, tests/
  test_reader_experience.py): no wall-clock timings and no object
  addresses (`<torch._C.Generator at 0x…>`).
"""
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
TIMING = re.compile(r"^\s*(import time|from time import)|\btime\.(perf_counter|time|monotonic)\(", re.MULTILINE)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [number for number, cell in enumerate(notebook.cells, 1)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts (clear them)"
    assert "assert " in code_cells(notebook)[-1].source, (
        f"{path.name}: the last code cell must assert the notebook's claims")
    timed = [number for number, cell in enumerate(notebook.cells, 1)
             if cell.cell_type == "code" and TIMING.search(cell.source)]
    assert not timed, f"{path.name}: cells {timed} time themselves; timings change every build"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_built_page_shows_outputs(path, built_site):
    page = built_site / "notebooks" / path.stem / "index.html"
    assert page.exists(), f"no page built for {path.name}"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    wrapper = article.select_one(".jupyter-wrapper")
    assert wrapper is not None, f"{page}: not rendered by mkdocs-jupyter"
    outputs = wrapper.select(".jp-OutputArea-output")
    assert outputs, f"{page}: no executed output on the page"
    figures = wrapper.select(".jp-RenderedImage img[src$='.png']")  # files (hooks/notebook_pages.py)
    assert figures and all((page.parent / img["src"]).is_file() for img in figures), f"{page}: no PNG figure on the page"
    text = wrapper.get_text()
    assert "all claims hold" in text, f"{page}: the final cell's output is missing"
    bad = [o for o in outputs if o.get("data-mime-type") in
           {"application/vnd.jupyter.stderr", "application/vnd.jupyter.error"}]
    addresses = re.findall(r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>", text)
    assert not addresses, f"{page}: outputs show object addresses, which change every build: {addresses}"
    assert not bad and "Traceback (most recent call last)" not in text, (
        f"{page}: error or stderr output:\n" + "\n".join(o.get_text()[:500] for o in bad))
    links = [a["href"] for a in soup.select("a[href]") if a["href"].endswith(path.name)]
    assert links, f"{page}: no download link for {path.name}"
    assert any((page.parent / href).resolve().is_file() for href in links), (
        f"{page}: the download link {links} points to no file in the built site")
