"""MkDocs hook: replace `<!-- generated: NAME -->` lines in pages with content computed at build
time from snippets/ (tables now; figures use the same mechanism)."""
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # MkDocs loads hooks by path; make `snippets` and `generators` importable

from generators import tables  # noqa: E402

GENERATORS = {
    "shape-relationships": tables.shape_relationships,
}
DIRECTIVE = re.compile(r"^<!-- generated: ([\w-]+) -->$", re.MULTILINE)


def on_page_markdown(markdown, page, **kwargs):
    def generate(match):
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown generated content {name!r}")
        return GENERATORS[name]()

    return DIRECTIVE.sub(generate, markdown)
