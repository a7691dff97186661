"""MkDocs hook: serve KaTeX from node_modules as part of the site, so math renders offline and
no third-party file is committed. Run `npm ci` first (the Makefile does)."""
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
