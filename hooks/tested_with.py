"""MkDocs hook: a "Tested with" line on every page with code, and a build that is byte-identical
from one run to the next.

- Every page with a ```python fence, and every notebook, ends with `<p class="tested-with">`: the
  versions of Python, NumPy and PyTorch the build ran with, plus TensorFlow, Keras, JAX or ONNX
  Runtime when the page's code imports them (its own lines or the snippet sections it names).
  Versions are read from the running environment (importlib.metadata), never typed by hand.
- Notebook pages: consecutive stdout outputs of a cell are merged into one output area. The kernel
  flushes stdout on a timer, so the same prints arrive as one, two or three stream outputs from one
  run to the next; the page shows one block either way. Each code cell's scrolling box gets
  `tabindex="0"`, so keyboard users can scroll a long line (docs/assets/css/notebooks.css makes
  code and output scroll sideways instead of wrapping).
- `SOURCE_DATE_EPOCH`, when unset, becomes the time of the checked-out commit, so the sitemap's
  dates and its .gz header name the commit rather than the day of the build.
"""
import html
import json
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hooks.blocks import INCLUDE, fences, is_python, snippet_index  # noqa: E402

# (label, distributions to try, module names whose import puts the label on the page); None: always.
PACKAGES = [
    ("Python", None, None),
    ("NumPy", ("numpy",), None),
    ("PyTorch", ("torch",), None),
    ("TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly"), ("tensorflow",)),
    ("Keras", ("keras",), ("keras",)),
    ("JAX", ("jax",), ("jax",)),
    ("ONNX Runtime", ("onnxruntime", "onnxruntime-gpu"), ("onnxruntime",)),
]
IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+(\w+)", re.MULTILINE)
CSS_CLASS = "tested-with"

_code_pages = {}  # src_uri -> set of optional labels the page's code imports


def version(label, distributions):
    if distributions is None:
        return platform.python_version()
    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def imported_modules(code):
    return set(IMPORT.findall(code))


def labels_for(modules):
    return {label for label, _, names in PACKAGES if names and modules & set(names)}


def tested_with_html(optional):
    parts = []
    for label, distributions, names in PACKAGES:
        if names and label not in optional:
            continue
        found = version(label, distributions)
        if found is not None:
            parts.append(f"{label}\u00a0{html.escape(found)}")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f'<p class="{CSS_CLASS}">Tested with {listed}, the versions this page was built with.</p>'


def markdown_code(markdown):
    """The code of a page's ```python fences, with the snippet sections each one names."""
    lines = markdown.split("\n")
    code = []
    index = None
    for fence in fences(lines):
        if not is_python(fence.info):
            continue
        for line in fence.body(lines):
            include = INCLUDE.match(line.strip())
            if include:
                index = index or snippet_index()
                section = index.sections.get(f"{include['path']}:{include['section']}")
                code.append(section.text if section else "")
            else:
                code.append(line)
    return "\n".join(code) if code or any(is_python(f.info) for f in fences(lines)) else None


def notebook_code(path):
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                     for cell in notebook.get("cells", []) if cell.get("cell_type") == "code")


def on_config(config, **kwargs):
    if "SOURCE_DATE_EPOCH" not in os.environ:
        try:
            epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True,
                                   text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            epoch = ""
        if epoch.isdigit():
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    return config


def on_page_markdown(markdown, page, **kwargs):
    src = page.file.src_uri
    if src.endswith(".ipynb"):
        _code_pages[src] = labels_for(imported_modules(notebook_code(page.file.abs_src_path)))
        return markdown
    code = markdown_code(markdown)
    if code is None:
        _code_pages.pop(src, None)
    else:
        _code_pages[src] = labels_for(imported_modules(code))
    return markdown


# One stdout stream output of nbconvert's HTML (a display of text/plain has the same markup and is
# shown the same way, so merging it too changes nothing a reader sees).
STREAM = (r'<div class="jp-OutputArea-child">\s*<div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\s*'
          r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"( tabindex="0")?>\s*'
          r'<pre>(?P<text>(?:(?!</?pre[ >]).)*)</pre>\s*</div>\s*</div>')
STREAM_RUN = re.compile(rf"(?:{STREAM}\s*){{2,}}", re.S)
ONE_STREAM = re.compile(STREAM, re.S)
CODE_SCROLLER = re.compile(r'<div class="highlight-ipynb(?P<rest>[^"]*)"(?![^>]*tabindex)')


def merge_streams(page_html):
    def merge(match):
        texts = [m["text"] for m in ONE_STREAM.finditer(match.group(0))]
        return ('<div class="jp-OutputArea-child">\n<div class="jp-OutputPrompt jp-OutputArea-prompt"></div>\n'
                '<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain" tabindex="0">\n'
                f'<pre>{"".join(texts)}</pre>\n</div>\n</div>\n')

    return STREAM_RUN.sub(merge, page_html)


def on_page_content(content, page, **kwargs):
    src = page.file.src_uri
    if src.endswith(".ipynb"):
        content = merge_streams(content)
        content = CODE_SCROLLER.sub(lambda m: f'<div class="highlight-ipynb{m["rest"]}" tabindex="0"', content)
    if src in _code_pages:
        content += "\n" + tested_with_html(_code_pages[src]) + "\n"
    return content
