"""MkDocs hook: replace each `<!-- generated: module.function(name=value, ...) -->` line of a page
with the Markdown or SVG that `generators/<module>.py` computes from snippets/ at build time.
Arguments are Python literals, so a page states a figure's parameters and nothing else."""
import ast
import importlib
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]

DIRECTIVE = re.compile(r"^<!-- generated: (\w+)\.(\w+)\((.*)\) -->$", re.MULTILINE)


def generate(module_name, function_name, arguments):
    """Call generators.<module>.<function>(**arguments) with literal keyword arguments."""
    call = ast.parse(f"f({arguments})", mode="eval").body
    if call.args or not all(k.arg for k in call.keywords):
        raise ValueError("use keyword arguments only")
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    if function_name.startswith("_"):
        raise ValueError(f"{function_name} is private")
    module = importlib.import_module(f"generators.{module_name}")
    return getattr(module, function_name)(**kwargs)


def on_config(config):
    # MkDocs restores sys.path after loading a hook; generators import `snippets` and each other.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def on_page_markdown(markdown, page, **kwargs):
    def replace(match):
        try:
            return generate(*match.groups())
        except Exception as error:
            raise PluginError(f"{page.file.src_uri}: {match.group(0)}: {error}") from error

    return DIRECTIVE.sub(replace, markdown)
