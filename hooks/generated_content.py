"""MkDocs hook: replace each `<!-- generated: NAME(name=value, ...) -->` line of a page with the
Markdown or SVG that figures.REGISTRY[NAME] computes from snippets/ at build time. Arguments are
Python literals, so a page states a figure's parameters and nothing else."""
import ast
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # figures/ imports snippets/
    sys.path.insert(0, str(ROOT))

from figures import REGISTRY  # noqa: E402

DIRECTIVE = re.compile(r"^<!-- generated: ([\w.]+)\((.*)\) -->$", re.MULTILINE)


def generate(name, arguments):
    """Call REGISTRY[name](**arguments) with literal keyword arguments."""
    if name not in REGISTRY:
        raise ValueError(f"{name} is not in figures.REGISTRY (one of {', '.join(sorted(REGISTRY))})")
    call = ast.parse(f"f({arguments})", mode="eval").body
    if call.args or not all(k.arg for k in call.keywords):
        raise ValueError("use keyword arguments only")
    return REGISTRY[name](**{k.arg: ast.literal_eval(k.value) for k in call.keywords})


def on_page_markdown(markdown, page, **kwargs):
    def replace(match):
        try:
            return generate(*match.groups())
        except Exception as error:
            raise PluginError(f"{page.file.src_uri}: {match.group(0)}: {error}") from error

    return DIRECTIVE.sub(replace, markdown)
