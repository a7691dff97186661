"""MkDocs hook: typeset every formula at build time with KaTeX from node_modules (run `npm ci` first;
the Makefile does), as MathML: browsers draw it natively with the reader's math font, screen readers
read it, and a formula costs a few elements (KaTeX's HTML rendering cost four times as many, and a
font download). No math JavaScript, no stylesheet or font to fetch, no CDN.

Markdown pages carry pymdownx.arithmatex's `\\( \\)` and `\\[ \\]` in `.arithmatex` elements; notebook
pages carry `$ $`, `$$ $$` (and the bracket forms) in the text of their rendered Markdown cells,
instead of the MathJax that mkdocs-jupyter would load from a CDN. Each page's formulas go to
hooks/render_math.mjs in one batch; a formula KaTeX cannot parse fails the build, naming the page.
Formulas are typeset after the search plugin has read the page, so search indexes the TeX source."""
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
RENDER = Path(__file__).with_name("render_math.mjs")


# nbconvert's MathJax loader (with mkdocs-jupyter's empty custom URL) and its configuration.
NOTEBOOK_MATHJAX = re.compile(
    r"<!-- Load mathjax -->\s*<script src=\"\">\s*</script>.*?<!-- End of mathjax configuration -->", re.S)


def on_page_content(html_, page, **kwargs):
    if page.file.src_uri.endswith(".ipynb"):
        html_, removed = NOTEBOOK_MATHJAX.subn("", html_)
        if removed != 1:
            raise PluginError(f"{page.file.src_uri}: expected nbconvert's MathJax loader, found {removed}")
    return html_


# arithmatex (generic): <span class="arithmatex">\(…\)</span>, <div class="arithmatex">\[…\]</div>, and
# <div class="arithmatex">\begin{env}…\end{env}</div> for a bare environment (display).
ARITHMATEX = re.compile(r'(<(span|div) class="arithmatex">)(.*?)(</\2>)', re.S)
DELIMITED = re.compile(r"\s*\\([(\[])(.*)\\([)\]])\s*", re.S)
# Notebook Markdown cells: the delimiters KaTeX's auto-render used there, longest first; `\$` is a dollar.
DOLLARS = re.compile(
    r"(?<!\\)\$\$(?P<d1>.+?)(?<!\\)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)|(?<![\\$])\$(?P<i2>[^$]+?)(?<!\\)\$",
    re.S)
RENDERED_MARKDOWN = re.compile(r'<div\b[^>]*\bclass="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>')
DIV_TAG = re.compile(r"<(/?)div\b[^>]*>")
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|<!--.*?-->", re.S)
RAW_ELEMENTS = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}


def render(formulas, where):
    """KaTeX's MathML for each (tex, display) pair, typeset by one node process."""
    if not formulas:
        return []
    node = shutil.which("node")
    if node is None:
        raise PluginError("node not found: KaTeX typesets the math at build time (install Node.js).")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    done = subprocess.run([node, str(RENDER)], input=payload, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        try:
            error = json.loads(done.stderr)
            tex, display = formulas[error["index"]]
            raise PluginError(f"{where}: KaTeX cannot typeset {'display' if display else 'inline'} "
                              f"formula {tex!r}: {error['message']}")
        except (ValueError, KeyError, IndexError, TypeError):
            raise PluginError(f"{where}: {RENDER.name} failed:\n{done.stderr}") from None
    return json.loads(done.stdout)


def markdown_cells(output):
    """(start, end) of the inside of each rendered Markdown cell of a notebook page."""
    for opening in RENDERED_MARKDOWN.finditer(output):
        depth, start = 1, opening.end()
        for tag in DIV_TAG.finditer(output, start):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                yield start, tag.start()
                break


def text_runs(output, start, end):
    """(start, end) of each run of text between tags, outside code and other raw elements."""
    raw_depth, position = 0, start
    for tag in TAG.finditer(output, start, end):
        if raw_depth == 0 and tag.start() > position:
            yield position, tag.start()
        name = (tag.group(2) or "").lower()
        if name in RAW_ELEMENTS:
            raw_depth = max(0, raw_depth + (-1 if tag.group(1) else 1))
        position = tag.end()
    if raw_depth == 0 and end > position:
        yield position, end


def on_post_page(output, page, config):
    where = page.file.src_uri
    # Each piece: (start, end, formula index, wrapper before, wrapper after) replaced in the output.
    pieces, formulas = [], {}

    def formula(tex, display):
        key = (html.unescape(tex).strip(), display)
        return formulas.setdefault(key, len(formulas))

    for match in ARITHMATEX.finditer(output):
        delimited = DELIMITED.fullmatch(match.group(3))
        if delimited is None:  # a bare \begin{env}…\end{env}
            tex, display = match.group(3), match.group(2) == "div"
        elif (delimited.group(1), delimited.group(3)) in {("(", ")"), ("[", "]")}:
            tex, display = delimited.group(2), delimited.group(1) == "["
        else:
            raise PluginError(f"{where}: mismatched math delimiters in {match.group(0)[:200]!r}")
        pieces.append((match.start(), match.end(), formula(tex, display), match.group(1), match.group(4)))
    if where.endswith(".ipynb"):
        for cell_start, cell_end in markdown_cells(output):
            for run_start, run_end in text_runs(output, cell_start, cell_end):
                for match in DOLLARS.finditer(output, run_start, run_end):
                    display = match.group("d1") is not None or match.group("d2") is not None
                    tex = next(group for group in match.group("d1", "d2", "i1", "i2") if group is not None)
                    pieces.append((match.start(), match.end(), formula(tex, display), "", ""))
    if not pieces:
        return output
    rendered = render(list(formulas), where)
    parts, position = [], 0
    for start, end, index, before, after in sorted(pieces):
        parts += [output[position:start], before, rendered[index], after]
        position = end
    parts.append(output[position:])
    return "".join(parts)
