"""MkDocs hook: serve KaTeX from node_modules as part of the site, so math renders offline and
no third-party file is committed (run `npm ci` first; the Makefile does). Notebook pages get the
same KaTeX instead of the MathJax that mkdocs-jupyter would load from a CDN."""
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

KATEX_DIST = Path(__file__).resolve().parents[1] / "node_modules" / "katex" / "dist"
SITE_FOLDER = "assets/vendor/katex"


def katex_files():
    """The files a browser needs: script, auto-render, stylesheet and the woff2 fonts it links."""
    if not (KATEX_DIST / "katex.min.js").is_file():
        raise PluginError(f"KaTeX not found in {KATEX_DIST}: run `npm ci` (or `make serve`).")
    yield from (KATEX_DIST / name for name in ("katex.min.js", "katex.min.css"))
    yield KATEX_DIST / "contrib" / "auto-render.min.js"
    yield from sorted((KATEX_DIST / "fonts").glob("*.woff2"))


def on_files(files, config):
    for path in katex_files():
        src_uri = f"{SITE_FOLDER}/{path.relative_to(KATEX_DIST).as_posix()}"
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files


# nbconvert's MathJax loader (with mkdocs-jupyter's empty custom URL) and its configuration.
NOTEBOOK_MATHJAX = re.compile(
    r"<!-- Load mathjax -->\s*<script src=\"\">\s*</script>.*?<!-- End of mathjax configuration -->", re.S)


def on_page_content(html, page, **kwargs):
    if page.file.src_uri.endswith(".ipynb"):
        html, removed = NOTEBOOK_MATHJAX.subn("", html)
        if removed != 1:
            raise PluginError(f"{page.file.src_uri}: expected nbconvert's MathJax loader, found {removed}")
    return html
