"""MkDocs hook: fold the setup lines of standalone code blocks, so a block shows what it is about.

Every rendered block runs alone, so most start with the same includes of imports and argument
checks, and later blocks of a page repeat the helpers earlier blocks showed. Two steps:

- `on_page_markdown` (before pymdownx.snippets expands includes): in each ```python fence, the
  leading run of includes that are setup sections (`SETUP_SECTIONS`) or sections an earlier
  ```python fence of the same page already included (the reader saw them there; a NumPy tab
  counts for the blocks after it) ends at the first include that is neither: that is the code the
  block is about. If more follows the run, one marker comment goes right after it, naming what
  it hides. It is Python, so the block still runs as rendered (tests/test_rendered_code.py runs it).
- `on_page_content` (HTML, after highlighting): in each code block with the marker, wrap every
  line above it in a container hidden by default, and make the marker line a toggle
  (role="button", aria-expanded, aria-controls; docs/assets/js/fold-setup.js handles click, Enter
  and Space). The folded lines stay in the code element, so its textContent is unchanged, and
  docs/assets/css/fold-setup.css shows them while Material's copy button reads the code
  (`code[data-md-copying]`), so the copy button copies the whole block.
"""
import html
import re

from mkdocs.exceptions import PluginError

# Sections that only set a block up (a leading run of includes of these is folded), each with
# what the marker calls it.
SETUP_SECTIONS = {"imports": "imports", "check": "argument checks", "check_args": "argument checks"}

# What the folded block shows first; it holds in both states, and fits a narrow code block.
MARKER_PREFIX = "# ⋯ setup (the copy button copies it too):"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
INCLUDE = re.compile(
    r"""^(?P<indent>[ \t]*)-+8<-+[ \t]+(?P<quote>["'])(?P<path>[^"':]+):(?P<section>[A-Za-z_][\w-]*)(?P=quote)[ \t]*$""")


def is_python(info):
    """A fence's info string names Python: ```python, ```python title="…" or ```{.python …}."""
    words = info.strip("{} ").split()
    return bool(words) and words[0].lstrip(".") == "python"


def marker(includes):
    """The marker comment for a folded run of includes (regex matches of INCLUDE): the sections
    shown above first (the words a narrow screen keeps), then the kinds of setup (with their files
    when nothing else is folded)."""
    shown = [m for m in includes if m["section"] not in SETUP_SECTIONS]
    setup = [m for m in includes if m["section"] in SETUP_SECTIONS]
    parts = []
    if shown:
        parts.append("shown above: " + ", ".join(dict.fromkeys(m["section"] for m in shown)))
    if setup:
        used = {SETUP_SECTIONS[m["section"]] for m in setup}
        kinds = " and ".join(kind for kind in dict.fromkeys(SETUP_SECTIONS.values()) if kind in used)
        files = ", ".join(dict.fromkeys(m["path"].rsplit("/", 1)[-1] for m in setup))
        parts.append(kinds if shown else f"{kinds} from {files}")
    return f"{MARKER_PREFIX} {'; '.join(parts)}"


def key(include):
    """What identifies an included section across blocks: its file and section name."""
    return include["path"], include["section"]


def fold_markdown(markdown):
    """Insert the marker line after the leading run of setup or already-shown includes of every
    ```python fence (`markdown` is one page: "shown" means by an earlier fence of it)."""
    lines = markdown.split("\n")
    out = []
    shown = set()  # (path, section) of every include in the ```python fences so far
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        out.append(lines[i])
        i += 1
        if not opening:
            continue
        fence = opening["fence"]
        end = i
        while end < len(lines):
            closing = FENCE.match(lines[end])
            if (closing and not closing["info"] and closing["fence"][0] == fence[0]
                    and len(closing["fence"]) >= len(fence)):
                break
            end += 1
        body = lines[i:end]
        if is_python(opening["info"]):
            run = []
            for line in body:
                include = INCLUDE.match(line)
                if not include or (include["section"] not in SETUP_SECTIONS and key(include) not in shown):
                    break
                run.append(include)
            shown.update(key(m) for m in map(INCLUDE.match, body) if m)
            if run and any(line.strip() for line in body[len(run):]):
                body = body[:len(run)] + [run[0]["indent"] + marker(run)] + body[len(run):]
        out.extend(body)  # every other fence (```text, ```markdown showing a fence…) as it is
        out.extend(lines[end:end + 1])  # the closing fence
        i = end + 1
    return "\n".join(out)


CODE_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?<code[^>]*>)(.*?)(</code></pre>)", re.S)
TAG = re.compile(r"<[^>]+>")


def line_text(line_html):
    return html.unescape(TAG.sub("", line_html))


def fold_html(page_html, where="page"):
    """Wrap the lines above each marker line in a hidden container and make the marker a toggle."""
    count = 0

    def fold(match):
        nonlocal count
        start, code, end = match.groups()
        lines = code.split("\n")
        at = next((n for n, line in enumerate(lines) if line_text(line).lstrip().startswith(MARKER_PREFIX)), None)
        if not at:  # no marker, or nothing above it
            return match.group(0)
        folded = "\n".join(lines[:at]) + "\n"
        # Pygments closes its spans at the end of every line; anything else would break the page.
        if folded.count("<span") != folded.count("</span>"):
            raise PluginError(f"{where}: cannot fold setup lines that do not end with their markup")
        count += 1
        ident = f"fold-setup-{count}"
        title = f"{at} setup lines: click, Enter or Space shows or hides them"
        # The outer span has no id: Material lays out a code element whose children are spans
        # with ids as a grid of lines (pymdownx.highlight's line_spans).
        return (f'{start}<span class="fold-setup"><span class="fold-setup__lines" id="{ident}" hidden>'
                f'{folded}</span><span class="fold-setup__toggle" role="button" tabindex="0"'
                f' aria-expanded="false" aria-controls="{ident}" title="{title}">{lines[at]}</span>'
                '</span>\n' + "\n".join(lines[at + 1:]) + end)

    return CODE_BLOCK.sub(fold, page_html)


def on_page_markdown(markdown, page, **kwargs):
    return fold_markdown(markdown)


def on_page_content(html_text, page, **kwargs):
    return fold_html(html_text, where=page.file.src_uri)
