"""What a reader meets before reading: issue 14.

- Notebook pages keep every line of code and output whole (white-space: pre) and scroll it
  sideways in a box that keyboard users can focus, in the site's code colours, like every other
  code block of the site.
- On a phone (390 × 844) the first screen of each interactive page shows the tool's first input.
- Every page with code says which versions of Python, NumPy, PyTorch (and TensorFlow, Keras, JAX or
  ONNX Runtime, where its code imports them) it was built with, read from the environment.
- Two builds of one commit are byte-identical (a second build, notebooks executed, compared with
  the session's `built_site`).
"""
import filecmp
import json
import platform
import re
from importlib import metadata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from hooks.blocks import INCLUDE, fences, is_python, snippet_index
from tests.conftest import NOTEBOOK_PAGES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PHONE = {"width": 390, "height": 844}
# The interactive pages: the tool's container on each; a page that is not built is skipped.
TOOLS = {"interactive/explorer/": "#explorer", "interactive/calculator/": "#calculator",
         "interactive/port/": "#port-tool"}
FIRST_INPUT = "input:not([type=hidden]), select, textarea, button"
FRAMEWORKS = {  # module imported -> (label on the page, distributions that provide it)
    "tensorflow": ("TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly")),
    "keras": ("Keras", ("keras",)),
    "jax": ("JAX", ("jax",)),
    "onnxruntime": ("ONNX Runtime", ("onnxruntime", "onnxruntime-gpu")),
}
IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+(\w+)", re.MULTILINE)


def open_page(browser, base_url, path, viewport=None, color_scheme="light"):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900},
                                  color_scheme=color_scheme)
    page = context.new_page()
    response = page.goto(base_url + path, wait_until="networkidle")
    assert response.ok, f"{path}: HTTP {response.status}"
    return context, page


# --- (a) notebook code and output never wrap -------------------------------------------------------

LINES_JS = """() => {
  const probe = document.createElement('div');
  probe.style.background = 'var(--md-code-bg-color)';
  probe.style.color = 'var(--md-code-fg-color)';
  probe.style.fontFamily = 'var(--md-code-font-family)';
  document.querySelector('article').appendChild(probe);
  const probed = getComputedStyle(probe);
  const codeBg = probed.backgroundColor, codeFg = probed.color, codeFont = probed.fontFamily;
  probe.remove();
  const scroller = (el) => {
    for (let e = el; e && !e.classList.contains('jp-Cell'); e = e.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return e;
    }
    return null;
  };
  const describe = (el) => el.textContent.trim().split('\\n')[0].slice(0, 60);
  const found = [];
  const items = [...document.querySelectorAll('.jp-InputArea-editor pre')].map(e => ['code', e])
    .concat([...document.querySelectorAll('.jp-OutputArea-output pre')].map(e => ['output', e]));
  for (const [kind, el] of items) {
    const style = getComputedStyle(el);
    const box = scroller(el);
    found.push({
      kind, text: describe(el), whiteSpace: style.whiteSpace, textWrap: style.textWrapMode || '',
      fontFamily: style.fontFamily,
      overflows: el.scrollWidth > (box || el.parentElement).clientWidth + 1,
      scroller: box ? box.className : null,
      focusable: box ? box.tabIndex >= 0 : false,
      background: kind === 'code' && box ? getComputedStyle(box).backgroundColor : null,
      color: style.color,
    });
  }
  return {found, codeBg, codeFg, codeFont,
          pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth};
}"""


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_notebook_code_and_output_scroll_instead_of_wrapping(browser, base_url, path, width, color_scheme,
                                                             record_property):
    context, page = open_page(browser, base_url, path, {"width": width, "height": 900}, color_scheme)
    try:
        result = page.evaluate(LINES_JS)
    finally:
        context.close()
    found = result["found"]
    assert {f["kind"] for f in found} == {"code", "output"}, f"{path}: no code or no text output found"
    wrapping = [f"{f['kind']} {f['text']!r}: white-space {f['whiteSpace']}" for f in found
                if f["whiteSpace"] not in ("pre", "nowrap") or f["textWrap"] == "wrap"]
    assert not wrapping, f"{path} at {width} px wraps lines:\n" + "\n".join(wrapping)
    unscrollable = [f"{f['kind']} {f['text']!r}" for f in found
                    if f["overflows"] and not (f["scroller"] and f["focusable"])]
    assert not unscrollable, (f"{path} at {width} px: lines wider than the column, in no focusable"
                              " box that scrolls sideways:\n" + "\n".join(unscrollable))
    assert not result["pageScrollsSideways"], f"{path} at {width} px: the whole page scrolls sideways"
    off_style = [f"{f['kind']} {f['text']!r}: background {f['background']}" for f in found
                 if f["kind"] == "code" and f["background"] != result["codeBg"]]
    off_style += [f"{f['kind']} {f['text']!r}: colour {f['color']}" for f in found if f["color"] != result["codeFg"]]
    off_style += [f"{f['kind']} {f['text']!r}: font {f['fontFamily']}" for f in found
                  if f["fontFamily"] != result["codeFont"]]
    assert not off_style, f"{path} ({color_scheme}): not in the site's code style:\n" + "\n".join(off_style[:10])
    if width == 390 and color_scheme == "light":
        wide = sum(f["overflows"] for f in found)
        record_property("summary", f"notebook {path}: {len(found)} code and output blocks keep their lines;"
                                   f" {wide} scroll sideways at 390 px")


# --- (b) the tool comes first on a phone -----------------------------------------------------------

@pytest.mark.parametrize("path", list(TOOLS))
def test_first_phone_screen_shows_the_tools_first_input(browser, base_url, built_site, path, record_property):
    assert (built_site / path / "index.html").exists(), f"{path} is not in the built site"
    context, page = open_page(browser, base_url, path, PHONE)
    try:
        selector = f"{TOOLS[path]} :is({FIRST_INPUT})"
        page.wait_for_selector(selector, state="attached", timeout=15000)
        page.evaluate("window.scrollTo(0, 0)")
        box = page.evaluate(f"""() => {{
            const el = document.querySelector({json.dumps(selector)});
            const r = el.getBoundingClientRect();
            return {{top: r.top, bottom: r.bottom, height: r.height, scrollY: window.scrollY,
                     innerHeight: window.innerHeight, label: el.outerHTML.slice(0, 120)}};
        }}""")
    finally:
        context.close()
    assert box["scrollY"] == 0 and box["height"] > 0, box
    assert 0 <= box["top"] and box["bottom"] <= box["innerHeight"], (
        f"{path}: at 390 × 844 the tool's first input ({box['label']}) starts at y = {box['top']:.0f}, "
        f"below the first screen ({box['innerHeight']} px): put the tool before the explanation")
    record_property("summary", f"{path}: first input at y = {box['top']:.0f} of 844 on a phone")


# --- (c) "Tested with" on every page with code -----------------------------------------------------

def installed(distributions):
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return None


def page_code(source):
    """(has code, the code of its ```python fences and of the snippet sections they name)."""
    if source.suffix == ".ipynb":
        notebook = json.loads(source.read_text(encoding="utf-8"))
        return True, "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    lines = source.read_text(encoding="utf-8").split("\n")
    python = [f for f in fences(lines) if is_python(f.info)]
    code = []
    for fence in python:
        for line in fence.body(lines):
            include = INCLUDE.match(line.strip())
            section = include and snippet_index().sections.get(f"{include['path']}:{include['section']}")
            code.append(section.text if section else line)
    return bool(python), "\n".join(code)


def built_page(site, source):
    relative = source.relative_to(DOCS).with_suffix("")
    folder = relative.parent if relative.name == "index" else relative
    return site / folder / "index.html"


def test_every_page_with_code_says_what_it_was_tested_with(built_site, record_property):
    expected_always = [("Python", platform.python_version()), ("NumPy", metadata.version("numpy")),
                       ("PyTorch", metadata.version("torch"))]
    sources = sorted(p for p in DOCS.rglob("*") if p.suffix in {".md", ".ipynb"})
    problems, with_line = [], 0
    for source in sources:
        page = built_page(built_site, source)
        if not page.exists():
            continue  # not in the site (e.g. a draft outside the nav that the build skipped)
        has_code, code = page_code(source)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        lines = (soup.select_one("article") or soup).select("p.tested-with")
        name = source.relative_to(DOCS).as_posix()
        if not has_code:
            if lines:
                problems.append(f"{name}: has no code but a tested-with line")
            continue
        if len(lines) != 1:
            problems.append(f"{name}: {len(lines)} tested-with lines (expected 1)")
            continue
        with_line += 1
        text = " ".join(lines[0].get_text().split())
        wanted = list(expected_always)
        for module in sorted(set(IMPORT.findall(code)) & set(FRAMEWORKS)):
            label, distributions = FRAMEWORKS[module]
            wanted.append((label, installed(distributions)))
        for label, version in wanted:
            if f"{label} {version}" not in text:
                problems.append(f"{name}: {text!r} lacks {label} {version}")
    assert with_line, "no page with code found"
    assert not problems, "\n".join(problems)
    record_property("summary", f"tested-with: {with_line} pages with code name the versions they were built with")


# --- (d) reproducible builds -----------------------------------------------------------------------

@pytest.mark.xdist_group("reproducible-build")  # its own worker: it may wait for the second build
def test_two_builds_of_one_commit_are_byte_identical(built_site, second_build, record_property):
    def differences(compare, prefix=""):
        found = [f"{prefix}{name}: only in the first build" for name in compare.left_only]
        found += [f"{prefix}{name}: only in the second build" for name in compare.right_only]
        _, mismatch, errors = filecmp.cmpfiles(compare.left, compare.right, compare.common_files, shallow=False)
        found += [f"{prefix}{name}: differs" for name in mismatch + errors]
        for name, sub in sorted(compare.subdirs.items()):
            found += differences(sub, f"{prefix}{name}/")
        return found

    different = differences(filecmp.dircmp(built_site, second_build))
    assert not different, "two builds of the same commit differ:\n" + "\n".join(different)
    count = sum(1 for p in second_build.rglob("*") if p.is_file())
    record_property("summary", f"reproducible build: a second build equals the first in all {count} files")
