"""MkDocs hook: notebook pages (mkdocs-jupyter / nbconvert) as light as the site's other pages.

nbconvert inlines into every notebook page about 600 KB of JupyterLab and Pygments CSS (a few
dozen of its thousands of rules match the notebook's markup, and docs/assets/css/notebooks.css
overrides most of those), plus a Mermaid loader, and each figure as a base64 PNG. The CSS alone
made every style recalculation on the page several times slower, and the page's HTML grew to
about 190 KB gzip before the first paint could start. On each notebook page this hook:

- drops nbconvert's inline `<style>` blocks (the ones outside the notebook's `.jupyter-wrapper`):
  docs/assets/css/notebooks.css carries the few rules the markup needs, in both colour schemes;
- drops the Mermaid loader (and its style) when the notebook has no Mermaid diagram (it does
  nothing then; with one it would load Mermaid from a CDN, which the site never does);
- writes each base64 PNG output next to the page, named by the hash of its bytes (two builds of
  one commit give the same files), and points the `<img>` at it with the PNG's own width and
  height (so nothing moves when it loads), `loading="lazy"` and `decoding="async"`.

It runs after hooks/typeset_math.py and hooks/tested_with.py have edited the notebook's HTML
(mkdocs.yml lists it after them) and touches nothing they look for.
"""
import base64
import hashlib
import re
import struct
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError

WRAPPER = re.compile(r'<div class="jupyter-wrapper">.*</div>\s*<!-- jupyter-wrapper -->', re.S)
STYLE = re.compile(r"<style\b[^>]*>.*?</style>\s*", re.S)
MERMAID_SCRIPT = re.compile(r'<script type="module">(?:(?!</script>).)*?jp-Mermaid(?:(?!</script>).)*</script>\s*', re.S)
MERMAID_COMMENT = re.compile(r"<!-- (?:Load|End of) mermaid[^>]*-->\s*")
PNG_IMG = re.compile(r'<img\b(?P<before>[^>]*?)\ssrc="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*)>')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def attribute_free(attributes, *names):
    """The attribute text without the named attributes (nbconvert's `<img>` may carry width/height)."""
    for name in names:
        attributes = re.sub(rf'\s{name}="[^"]*"', "", attributes)
    return attributes


def slim(content, stem):
    """(content without nbconvert's inline CSS and idle Mermaid loader, with each base64 PNG replaced
    by a file: {file name: bytes})."""
    wrapper = WRAPPER.search(content)
    if wrapper is None:
        raise PluginError("expected nbconvert's <div class=\"jupyter-wrapper\"> … <!-- jupyter-wrapper -->")
    before, notebook, after = content[:wrapper.start()], wrapper.group(0), content[wrapper.end():]
    if "jp-Mermaid" not in notebook:
        before = MERMAID_SCRIPT.sub("", before)
        before = MERMAID_COMMENT.sub("", before)
    before, after = STYLE.sub("", before), STYLE.sub("", after)
    if "jp-Mermaid" not in notebook and "jp-Mermaid" in before:
        raise PluginError("nbconvert's Mermaid loader changed shape: update hooks/notebook_pages.py")

    files = {}

    def to_file(match):
        data = base64.b64decode(re.sub(r"\s+", "", match["data"]))
        try:
            width, height = png_size(data)
        except ValueError:
            return match.group(0)
        name = f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}.png"
        files[name] = data
        attributes = attribute_free(match["before"] + match["after"], "width", "height", "loading", "decoding")
        attributes = attributes.replace(' class=""', "")
        return (f'<img{attributes} src="{name}" width="{width}" height="{height}" loading="lazy"'
                f' decoding="async">')

    notebook = PNG_IMG.sub(to_file, notebook)
    return before + notebook + after, files


def on_page_content(content, page, config, **kwargs):
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    try:
        content, files = slim(content, PurePosixPath(page.file.src_uri).stem)
    except PluginError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    folder = Path(config["site_dir"]) / PurePosixPath(page.file.dest_uri).parent
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return content
