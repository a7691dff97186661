"""MkDocs hook: compose every ```python block of a page (hooks/blocks.py) and fold its setup.

- `on_page_markdown`: each ```python fence names only the sections it is about; compose_page
  puts everything else the block needs in front of them, followed by one marker comment
  `# ⋯ setup: …`. It is Python, so the block still runs as rendered.
- `on_page_content` (HTML, after highlighting): the spans of tokens drawn in the plain code
  colour are unwrapped (half the DOM of a code-heavy page), and in each block with the marker, the lines
  above it become one hidden, unhighlighted text node (a handful of DOM nodes, however long the
  setup), and the marker line a toggle (role="button", aria-expanded, aria-controls, and a title
  saying the copy button copies the folded lines too; docs/assets/js/fold-setup.js handles click,
  Enter and Space). The folded text stays in the code element, so its textContent is the whole
  block, and docs/assets/css/fold-setup.css shows it while Material's copy button reads the code
  (`code[data-md-copying]`).
"""
import html
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hooks.blocks import MARKER_PREFIX, BlockError, compose_page, snippet_index  # noqa: E402

CODE_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?<code[^>]*>)(.*?)(</code></pre>)", re.S)
TAG = re.compile(r"<[^>]+>")
# Pygments tokens that site.css colours like plain code text (names, operators, punctuation,
# white space): unwrapped, they look the same and cost no DOM element. Most spans are these.
PLAIN_TOKEN = re.compile(r'<span class="(?:n|o|ow|p|w)">([^<]*)</span>')


def line_text(line_html):
    return html.unescape(TAG.sub("", line_html))


def fold_html(page_html):
    """Replace the lines above each marker line by one hidden plain-text container, and make the
    marker a toggle."""
    count = 0

    def fold(match):
        nonlocal count
        start, code, end = match.groups()
        lines = code.split("\n")
        at = next((n for n, line in enumerate(lines) if line_text(line).lstrip().startswith(MARKER_PREFIX)), None)
        if not at:  # no marker, or nothing above it
            return start + PLAIN_TOKEN.sub(r"\1", code) + end
        count += 1
        ident = f"fold-setup-{count}"
        folded = html.escape("".join(line_text(line) + "\n" for line in lines[:at]), quote=False)
        title = f"Show or hide the {at} setup lines (click, Enter or Space); the copy button copies them too"
        # The outer span has no id: Material lays out a code element whose children are spans
        # with ids as a grid of lines (pymdownx.highlight's line_spans).
        return (f'{start}<span class="fold-setup"><span class="fold-setup__lines" id="{ident}" hidden>'
                f'{folded}</span><span class="fold-setup__toggle" role="button" tabindex="0"'
                f' aria-expanded="false" aria-controls="{ident}" title="{title}">{lines[at]}</span>'
                '</span>\n' + PLAIN_TOKEN.sub(r"\1", "\n".join(lines[at + 1:])) + end)

    return CODE_BLOCK.sub(fold, page_html)


def on_pre_build(config):
    snippet_index.cache_clear()  # `mkdocs serve` rebuilds after a snippet changed


def on_page_markdown(markdown, page, **kwargs):
    if not page.file.src_uri.endswith(".md"):  # notebooks are executed as they are
        return markdown
    try:
        return compose_page(page.file.src_uri, markdown)[0]
    except BlockError as error:
        raise PluginError(str(error)) from error


def on_page_content(html_text, page, **kwargs):
    if not page.file.src_uri.endswith(".md"):  # notebook cells have their own markup and styles
        return html_text
    return fold_html(html_text)
