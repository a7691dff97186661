"""MkDocs hook: fold the setup lines of standalone code blocks, so a block shows what it is about.

Every rendered block runs alone, so most start with the same includes of imports and argument
checks, and later blocks of a page repeat the helpers earlier blocks showed. Two steps:

- `on_page_markdown` (before pymdownx.snippets expands includes): in each ```python fence, the
  leading run of includes that are setup sections (`SETUP_SECTIONS`) or sections an earlier
  ```python fence of the same page already included (the reader saw them there) ends at the
  first include that is neither: that is the code the block is about. Content tabs: a fence in
  one `===` tab of a tab set counts for later fences of the same tab and for fences after the
  set, never for the set's other tabs (a reader on the PyTorch tab did not see the NumPy one). If
  more follows the run, one marker comment goes right after it, `# ⋯ setup: …`, naming what the
  folded code defines (read from the snippet files with `ast`) and the kinds of setup. It is
  Python, so the block still runs as rendered (tests/test_rendered_code.py runs it).
- `on_page_content` (HTML, after highlighting): in each code block with the marker, wrap every
  line above it in a container hidden by default, and make the marker line a toggle
  (role="button", aria-expanded, aria-controls, and a title saying the copy button copies the
  folded lines too; docs/assets/js/fold-setup.js handles click, Enter and Space). The folded lines stay in the code element, so its textContent is unchanged, and
  docs/assets/css/fold-setup.css shows them while Material's copy button reads the code
  (`code[data-md-copying]`), so the copy button copies the whole block.
"""
import ast
import html
import re
import textwrap
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]  # include paths are relative to it (pymdownx.snippets base_path ".")

# Sections that only set a block up (a leading run of includes of these is folded), each with
# what the marker calls it.
SETUP_SECTIONS = {"imports": "imports", "check": "checks", "check_args": "checks"}

# What the folded block shows first; it holds in both states. Short, so a narrow code block
# still shows the names after it; the toggle's title says the rest.
MARKER_PREFIX = "# ⋯ setup:"
# At most this many defined names, of at most NAME_CHARS characters together (the first is
# always named); the rest become "+N more". The longest marker stays under ~85 characters, what a
# code block shows at 1280 px.
MAX_NAMES = 4
NAME_CHARS = 40

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
INCLUDE = re.compile(
    r"""^(?P<indent>[ \t]*)-+8<-+[ \t]+(?P<quote>["'])(?P<path>[^"':]+):(?P<section>[A-Za-z_][\w-]*)(?P=quote)[ \t]*$""")


def is_python(info):
    """A fence's info string names Python: ```python, ```python title="…" or ```{.python …}."""
    words = info.strip("{} ").split()
    return bool(words) and words[0].lstrip(".") == "python"


SECTION_MARK = re.compile(r"--8<--[ \t]*\[(?P<end>start|end):(?P<name>[^\]]+)\]")


def section_text(path, section):
    """The text pymdownx.snippets includes for `path:section` (nested section marks dropped,
    dedented), or None if the file cannot be read or has no such section."""
    try:
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    open_, found, kept = set(), False, []
    for line in lines:
        mark = SECTION_MARK.search(line)
        if mark:
            (open_.add if mark["end"] == "start" else open_.discard)(mark["name"])
            found = found or mark["name"] == section
        elif section in open_:
            kept.append(line)
    return textwrap.dedent("\n".join(kept)) if found else None


def defined_names(path, section):
    """The names a section defines at its top level, in order: functions, classes and assigned
    names (what the reader can use after it). Unreadable or unparsable: the section's name."""
    text = section_text(path, section)
    try:
        tree = ast.parse(text) if text is not None else None
    except SyntaxError:
        tree = None
    if tree is None:
        return [section]
    names = []

    def targets(node):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                targets(element)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                targets(target)
        elif isinstance(node, ast.AnnAssign):
            targets(node.target)
    return list(dict.fromkeys(names))


def marker(includes):
    """The marker comment for a folded run of includes (regex matches of INCLUDE): what the
    sections shown above define first (the words a narrow screen keeps; at most MAX_NAMES), then
    the kinds of setup, e.g. `# ⋯ setup: bilinear_kernel, bilinear_padding (above); imports, checks`."""
    shown = [m for m in includes if m["section"] not in SETUP_SECTIONS]
    used = {SETUP_SECTIONS[m["section"]] for m in includes if m["section"] in SETUP_SECTIONS}
    parts = []
    if shown:
        names = list(dict.fromkeys(name for m in shown for name in defined_names(m["path"], m["section"])))
        listed = names[:1]
        for name in names[1:MAX_NAMES]:
            if len(", ".join(listed + [name])) > NAME_CHARS:
                break
            listed.append(name)
        more = f" +{len(names) - len(listed)} more" if len(names) > len(listed) else ""
        # a shown section that defines nothing (statements only) still counts as "code above"
        parts.append((", ".join(listed) if listed else "code") + more + " (above)")
    if used:
        parts.append(", ".join(kind for kind in dict.fromkeys(SETUP_SECTIONS.values()) if kind in used))
    return f"{MARKER_PREFIX} {'; '.join(parts)}"


def key(include):
    """What identifies an included section across blocks: its file and section name."""
    return include["path"], include["section"]


TAB = re.compile(r"""^(?P<indent>[ \t]*)===(?P<flags>[!+]*)[ \t]+["']""")


class Tabs:
    """Where a line sits among pymdownx.tabbed content tabs: `path` is ((set, tab), ...) of the
    tabs around it, outermost first. Feed it every line outside fenced code, in order."""

    def __init__(self):
        self.stack = []  # [indent, set id, tab index] of each open tab
        self.sets = 0

    def update(self, line):
        if not line.strip():
            return
        indent = len(re.match(r"[ \t]*", line).group(0).expandtabs(4))
        header = TAB.match(line)
        same_set = None
        while self.stack and self.stack[-1][0] >= indent:  # this line ends those tabs
            closed = self.stack.pop()
            if header and closed[0] == indent and "!" not in header["flags"]:
                same_set = closed  # the next tab of the same set
        if header:
            if same_set:
                self.stack.append([indent, same_set[1], same_set[2] + 1])
            else:
                self.sets += 1
                self.stack.append([indent, self.sets, 0])

    @property
    def path(self):
        return tuple((set_id, tab) for _, set_id, tab in self.stack)


def seen_from(shown_in, here):
    """Whether a reader at tab path `here` saw a fence at tab path `shown_in`: not if the two sit
    in different tabs of one tab set (only one of them is on screen)."""
    tabs = dict(shown_in)
    return all(tabs.get(set_id, tab) == tab for set_id, tab in here)


def fold_markdown(markdown):
    """Insert the marker line after the leading run of setup or already-shown includes of every
    ```python fence (`markdown` is one page: "shown" means by an earlier fence of it that a
    reader of this one saw, see `seen_from`)."""
    lines = markdown.split("\n")
    out = []
    shown = {}  # (path, section) of every include in the ```python fences so far: the tab paths of those fences
    tabs = Tabs()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        tabs.update(lines[i])
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
            here = tabs.path
            run = []
            for line in body:
                include = INCLUDE.match(line)
                if not include or (include["section"] not in SETUP_SECTIONS and not any(
                        seen_from(path, here) for path in shown.get(key(include), ()))):
                    break
                run.append(include)
            for include in filter(None, map(INCLUDE.match, body)):
                shown.setdefault(key(include), []).append(here)
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
        title = f"Show or hide the {at} setup lines (click, Enter or Space); the copy button copies them too"
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
