"""The one reader of snippet sections and Markdown code fences, used by the build hooks, the tests
and `make outputs` alike.

A page's ```python fence names only the snippet sections it is about, one include line each
(`--8<-- "snippets/shapes.py:conv_output_size"`), followed by its own code. `compose_page` turns
it into the block a reader copies: every other section the block needs (found by the names each
section and the block define and use, read with `symtable`) comes first, in dependency order and
once each, then a marker comment (`# ⋯ setup: …`) that the HTML hook turns into a fold, then the
named sections and the block's own lines. Each rendered block therefore runs on its own; a block
whose first line is `# continues the block above` runs after the one before it instead, and needs
only what that chain does not define yet.
"""
import ast
import builtins
import difflib
import json
import os
import re
import subprocess
import sys
import symtable
import tempfile
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"

CONTINUES = "# continues the block above"
NOT_RUN = "# not run:"
MARKER_PREFIX = "# ⋯ setup:"
# The marker names at most this many defined names, of at most NAME_CHARS characters together (the
# first is always named), then "+N more": the longest marker stays within what a code block shows
# at 1280 px.
MAX_NAMES = 4
NAME_CHARS = 40
IMPORTS = "imports"  # sections of this name only import; the marker calls them "imports"

SECTION_MARK = re.compile(r"^(?P<indent>[ \t]*)# --8<-- \[(?P<end>start|end):(?P<name>[\w-]+)\][ \t]*$")
INCLUDE = re.compile(
    r"""^(?P<indent>[ \t]*)-+8<-+[ \t]+(?P<quote>["'])(?P<path>[^"':]+):(?P<section>[\w-]+)(?P=quote)[ \t]*$""")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
TAB = re.compile(r"""^(?P<indent>[ \t]*)===(?P<flags>[!+]*)[ \t]+["']""")
BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__"}


class BlockError(ValueError):
    """A page's code block cannot be composed; the message names the page and the block."""


# --- names a piece of code defines and uses ----------------------------------------------------

def names_of(code, where="<code>"):
    """(defined, used): the names `code` binds at its top level, and the names it reads without
    binding them anywhere it could (free names, builtins excluded). Comments and `#>` lines are
    ignored; a syntax error raises BlockError."""
    try:
        top = symtable.symtable(code, where, "exec")
    except SyntaxError as error:
        raise BlockError(f"{where}: {error}") from error
    defined = {s.get_name() for s in top.get_symbols() if s.is_local()}
    used = set()

    def walk(table):
        for symbol in table.get_symbols():
            if symbol.is_referenced() and symbol.is_global() and not symbol.is_local():
                used.add(symbol.get_name())
        for child in table.get_children():
            walk(child)

    walk(top)
    return defined, used - defined - BUILTINS


# --- snippet sections ------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    path: str  # relative to the repository root, as pages write it: "snippets/shapes.py"
    name: str
    text: str  # dedented, nested section marks dropped: what a page shows
    line: int  # where its start mark stands (orders sections of a file)
    top_level: bool  # False inside `if __name__ == "__main__":`; such sections are only shown
    defines: frozenset = field(default=frozenset())
    uses: frozenset = field(default=frozenset())

    @property
    def key(self):
        return f"{self.path}:{self.name}"

    @property
    def only_imports(self):
        return all(line.startswith(("import ", "from ")) or not line.strip()
                   for line in self.text.splitlines())

    @property
    def imported(self):
        """The names its top-level import statements bind (the same module wherever imported)."""
        nodes = [node for node in ast.parse(self.text).body if isinstance(node, (ast.Import, ast.ImportFrom))]
        return {(alias.asname or alias.name).split(".")[0] for node in nodes for alias in node.names}


def read_sections(path):
    """Every `# --8<-- [start:name]` … `[end:name]` section of one snippet file, by name."""
    lines = path.read_text(encoding="utf-8").splitlines()
    relative = path.relative_to(ROOT).as_posix()
    open_, found = {}, {}
    for number, line in enumerate(lines):
        mark = SECTION_MARK.match(line)
        if not mark:
            continue
        name = mark["name"]
        if mark["end"] == "start":
            open_[name] = (number, mark["indent"])
            continue
        if name not in open_:
            raise BlockError(f"{relative}:{number + 1}: [end:{name}] without a start")
        start, indent = open_.pop(name)
        body = [text for text in lines[start + 1:number] if not SECTION_MARK.match(text)]
        text = textwrap.dedent("\n".join(body)).strip("\n")
        defined, used = names_of(text, f"{relative}:{name}")
        found[name] = Section(relative, name, text, start + 1, not indent, frozenset(defined),
                              frozenset(used))
    if open_:
        raise BlockError(f"{relative}: section(s) {sorted(open_)} never end")
    return found


@dataclass(frozen=True)
class SnippetIndex:
    sections: dict  # "snippets/x.py:name" -> Section
    definers: dict  # name -> tuple of the top-level Sections that define it
    example_definers: dict  # name -> tuple of the example Sections that define it

    def section(self, path, name, where):
        key = f"{path}:{name}"
        if key not in self.sections:
            raise BlockError(f"{where}: includes {key}, which no snippet file has")
        return self.sections[key]

    def definer(self, name, wanted_by, where, shown=()):
        """The section that defines `name` for `wanted_by` (a Section, or None for a block's own
        code): a top-level section, else a section of a module's examples (`if __name__ ==
        "__main__":`, e.g. the data a page's first block set up). A name may have several definers
        only if all of them import it (then a section of the same file is preferred, else an
        `imports` section, else the one defining least), or if one of them is `shown` (named by
        an earlier block of the page: the reader saw it)."""
        candidates = self.definers.get(name) or self.example_definers.get(name, ())
        candidates = [c for c in candidates if c.key in shown] or candidates
        if not candidates:
            raise BlockError(f"{where}: uses {name!r}, which neither the block nor any snippet section defines")
        if len(candidates) == 1:
            return candidates[0]
        if not all(name in c.imported for c in candidates):
            raise BlockError(f"{where}: {name!r} is defined by {', '.join(c.key for c in candidates)};"
                             " include the one you mean")
        same_file = [c for c in candidates if wanted_by and c.path == wanted_by.path]
        return (same_file or sorted(candidates, key=lambda c: (not c.only_imports, len(c.defines), c.path)))[0]


@cache
def snippet_index():
    sections = {}
    for path in sorted(SNIPPETS.glob("*.py")):
        for section in read_sections(path).values():
            sections[section.key] = section
    definers = {True: {}, False: {}}
    for section in sections.values():
        for name in section.defines:
            definers[section.top_level].setdefault(name, []).append(section)
    as_tuples = {top: {name: tuple(found) for name, found in by_name.items()} for top, by_name in definers.items()}
    return SnippetIndex(sections, as_tuples[True], as_tuples[False])


def prerequisites(named, own_code, available, where, index=None, shown=()):
    """The sections a block needs before `named` (its included Sections) and `own_code` (its own
    lines), in dependency order, none of which defines only what `available` (names the chain
    already defines) covers; `shown` (section keys) settles a name several sections define.
    The result is deterministic."""
    index = index or snippet_index()
    own_defined, own_used = names_of(own_code, where)
    defined = set(available) | own_defined
    for section in named:
        defined |= section.defines
    order, visiting = [], set()

    def need(name, wanted_by):
        if name in defined or any(name in s.defines for s in order):  # one `import numpy` will do
            return
        visit(index.definer(name, wanted_by, where, shown))

    def visit(section):
        if section in order or section in named:
            return
        if section.key in visiting:
            raise BlockError(f"{where}: sections depend on each other in a cycle through {section.key}")
        visiting.add(section.key)
        for name in sorted(section.uses - section.defines):
            need(name, section)
        visiting.discard(section.key)
        order.append(section)

    for section in named:
        for name in sorted(section.uses - section.defines):
            need(name, section)
    for name in sorted(own_used):
        need(name, None)
    # sections that only import depend on nothing: they go first, as in any Python file
    return [s for s in order if s.only_imports] + [s for s in order if not s.only_imports]


def marker(folded):
    """The comment that stands for the folded sections, e.g.
    `# ⋯ setup: conv2d_matrix, check_int +5 more; imports`."""
    names = list(dict.fromkeys(name for s in folded if s.name != IMPORTS
                               for name in sorted(s.defines, key=s.text.find)))
    parts = []
    if names:
        listed = names[:1]
        for name in names[1:MAX_NAMES]:
            if len(", ".join(listed + [name])) > NAME_CHARS:
                break
            listed.append(name)
        more = f" +{len(names) - len(listed)} more" if len(names) > len(listed) else ""
        parts.append(", ".join(listed) + more)
    if any(s.name == IMPORTS for s in folded):
        parts.append("imports")
    return f"{MARKER_PREFIX} {'; '.join(parts) or 'code'}"


# --- fences ------------------------------------------------------------------------------------

def is_python(info):
    """A fence's info string names Python (```python, ```{.python …})."""
    words = info.strip("{} ").split()
    return bool(words) and words[0].lstrip(".") == "python"


class Tabs:
    """Where a line sits among pymdownx.tabbed content tabs: `path` is ((set, tab), …) of the tabs
    around it, outermost first. Feed it every line outside fenced code, in order."""

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


@dataclass
class Fence:
    opening: int  # index of the opening line in the page's lines
    closing: int  # index of the closing line
    indent: str
    info: str
    tabs: tuple  # Tabs.path at the fence

    def body(self, lines):
        return lines[self.opening + 1:self.closing]


def fences(lines):
    """Every fenced code block of a page (a list of lines), in order."""
    found, tabs, i = [], Tabs(), 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            tabs.update(lines[i])
            i += 1
            continue
        fence, end = opening["fence"], i + 1
        while end < len(lines):
            closing = FENCE.match(lines[end])
            if (closing and not closing["info"] and closing["fence"][0] == fence[0]
                    and len(closing["fence"]) >= len(fence)):
                break
            end += 1
        found.append(Fence(i, end, opening["indent"], opening["info"], tabs.path))
        tabs.update(lines[i])
        i = end + 1
    return found


# --- composing a page's blocks ------------------------------------------------------------------

@dataclass
class Block:
    """One ```python fence of a page, composed: `lines` is what the reader copies (indentation of
    the fence removed) and `origin[n]` the page line that `lines[n]` comes from (the include line
    for an included section; None for prerequisites and the marker)."""
    page: str  # "transposed/index.md"
    number: int  # 1-based among the page's ```python fences
    lines: list
    origin: list
    named: list  # the Sections the author included
    continues: bool
    folded: list = field(default_factory=list)  # the Sections composed in front of them

    @property
    def id(self):
        return f"{self.page}#{self.number}"

    @property
    def code(self):
        return "\n".join(self.lines) + "\n"

    @property
    def runs(self):
        first = next((line for line in self.lines if line.strip()), "")
        return not first.strip().startswith(NOT_RUN)


def strip_indent(line, indent):
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t")


def compose_block(page, number, body, first_line, available, index=None, shown=()):
    """Compose one fence; `body` is its lines without the fence's indentation, `first_line` the
    page index of body[0], `available` the names the chain defines so far (for a continuation),
    `shown` the sections earlier blocks of the page named."""
    index = index or snippet_index()
    where = f"{page}#{number}"
    named, own, own_origin, head = [], [], [], []
    for n, line in enumerate(body):
        include = INCLUDE.match(line)
        if include:
            section = index.section(include["path"], include["section"], where)
            named.append(section)
            text = textwrap.indent(section.text, include["indent"], lambda line: True).splitlines()
            own.extend(text)
            own_origin.extend([first_line + n] * len(text))
        else:
            own.append(line)
            own_origin.append(first_line + n)
    continues = next((line.strip() for line in body if line.strip()), "") == CONTINUES
    if continues:  # the continuation comment stays first: the tests and readers find it there
        at = next(n for n, line in enumerate(own) if line.strip())
        head, own, own_origin = own[:at + 1], own[at + 1:], own_origin[at + 1:]
    written = "\n".join(line for line in body if not INCLUDE.match(line))  # the block's own code
    if written.lstrip().startswith(NOT_RUN):
        folded = []
    else:
        folded = prerequisites(named, written, available if continues else set(), where, index, shown)
    lines, origin = list(head), [first_line + n for n in range(len(head))]
    if folded:
        for section in folded:
            lines.extend(section.text.splitlines() + [""])  # a blank line between sections
        lines.append(marker(folded))
        origin.extend([None] * (len(lines) - len(origin)))
    lines.extend(own)
    origin.extend(own_origin)
    return Block(page, number, lines, origin, named, continues, folded)


def compose_page(page, markdown, index=None):
    """(markdown with every ```python fence composed, [Block, …]). Other fences stay as they are."""
    index = index or snippet_index()
    lines = markdown.split("\n")
    out, blocks, available, done = [], [], set(), 0
    for fence in fences(lines):
        if not is_python(fence.info):
            continue
        body = [strip_indent(line, fence.indent) for line in fence.body(lines)]
        shown = {section.key for earlier in blocks for section in earlier.named}
        block = compose_block(page, len(blocks) + 1, body, fence.opening + 1, available, index, shown)
        defined = names_of(block.code, block.id)[0] if block.runs else set()
        available = (available | defined) if block.continues else defined
        blocks.append(block)
        out.extend(lines[done:fence.opening + 1])
        out.extend(fence.indent + line if line else line for line in block.lines)
        done = fence.closing
    out.extend(lines[done:])
    return "\n".join(out), blocks


def expected_output(code):
    """The `#> …` lines of a block: what running it must print, in order."""
    return [line.strip()[3:] if line.strip().startswith("#> ") else line.strip()[2:]
            for line in code.splitlines() if line.strip().startswith("#>")]


def chains(blocks):
    """Group each runnable block with the ones that continue it; a chain runs as one program."""
    grouped = []
    for block in blocks:
        if not block.runs:
            continue
        if block.continues:
            if not grouped or grouped[-1][-1].page != block.page:
                raise BlockError(f"{block.id} continues a block, but there is none above it")
            grouped[-1].append(block)
        else:
            grouped.append([block])
    return grouped


def page_sources(docs=ROOT / "docs"):
    """Every Markdown page, as (name relative to docs/, path), plus the README."""
    pages = [(path.relative_to(docs).as_posix(), path) for path in sorted(docs.rglob("*.md"))]
    return pages + [("README.md", ROOT / "README.md")]


# --- running blocks ---------------------------------------------------------------------------

RUNNER = Path(__file__).with_name("run_blocks.py")


@dataclass
class Run:
    """What one block of a chain printed (pieces of `[line, text]`, see run_blocks.py) and its
    error, if any; `ran` is False for the blocks after a failing one."""
    block: Block
    printed: list
    error: str | None
    ran: bool = True

    @property
    def stdout(self):
        return "".join(text for _, text in self.printed)

    def output_mismatch(self):
        """None when the printed output equals the block's `#>` lines, else a readable diff."""
        expected = [line.rstrip() for line in expected_output(self.block.code)]
        printed = [line.rstrip() for line in self.stdout.rstrip("\n").splitlines()]
        if printed == expected:
            return None
        diff = difflib.unified_diff(expected, printed, "#> lines on the page", "printed", lineterm="")
        return ("printed output differs from the #> lines (run `make outputs` to regenerate them)\n"
                + "\n".join(diff))


def run_chain(chain, timeout=300):
    """Run a chain of blocks in a fresh interpreter in an empty folder: one Run per block."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # TF_ENABLE_ONEDNN_OPTS=0: TensorFlow's kernels that every CPU has (oneDNN is on by default on some only)
    env.update(TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0", MPLBACKEND="Agg", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as io_folder, tempfile.TemporaryDirectory() as empty:
        chain_file, result_file = Path(io_folder, "chain.json"), Path(io_folder, "result.json")
        chain_file.write_text(json.dumps([{"id": b.id, "code": b.code} for b in chain]))
        try:
            process = subprocess.run([sys.executable, "-P", str(RUNNER), str(chain_file), str(result_file)],
                                     cwd=empty, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return [Run(chain[0], [], f"timed out after {timeout} s")] + [Run(b, [], None, False) for b in chain[1:]]
        if not result_file.exists():
            crashed = f"the interpreter exited with {process.returncode}:\n{process.stderr[-3000:]}"
            return [Run(chain[0], [], crashed)] + [Run(b, [], None, False) for b in chain[1:]]
        results = json.loads(result_file.read_text())
    runs = [Run(block, r["printed"], r["error"]) for block, r in zip(chain, results)]
    return runs + [Run(block, [], None, False) for block in chain[len(runs):]]


def standalone_code(*keys):
    """The code of the named sections ("snippets/x.py:name", …) with everything they need in
    front: what a block that names only them runs."""
    index = snippet_index()
    named = [index.section(*key.rsplit(":", 1), where=", ".join(keys)) for key in keys]
    folded = prerequisites(named, "", set(), ", ".join(keys), index)
    return "\n\n".join(section.text for section in folded + named) + "\n"


def run_code(code, name, timeout=300):
    """Run code that is not on a page (a snippet a tool generates) the way blocks run: a Run."""
    return run_chain([Block(name, 1, code.splitlines(), [], [], False)], timeout)[0]
