"""Notebook pages are as light as the site's other pages (hooks/notebook_pages.py, issue 10).

- No CSS inlined by nbconvert (about 600 KB of JupyterLab and Pygments rules on every notebook
  page): docs/assets/css/notebooks.css styles the notebook's markup instead.
- Every figure is a PNG file next to the page, named by the hash of its bytes, with the PNG's
  own width and height on the `<img>` (no layout shift when it loads), loaded lazily; no base64
  image is left in the HTML, and every image output of the notebook still shows its figure.
"""
import base64
import hashlib
import struct

import pytest
from bs4 import BeautifulSoup

from hooks.notebook_pages import PNG_SIGNATURE, png_size, slim
from tests.conftest import NOTEBOOK_PAGES


def tiny_png(width, height):
    """A valid-looking PNG header (signature and IHDR) of the given size: all slim() reads."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


NBCONVERT = """<script>/* clipboard-copy element */</script>
<style type="text/css">pre { line-height: 125%; }</style>
<style type="text/css">.jupyter-wrapper{--jp-code-font-size: 13px}</style>
<script type="module">
  document.addEventListener("DOMContentLoaded", async () => {
    const diagrams = document.querySelectorAll(".jp-Mermaid > pre.mermaid");
  });
</script>
<style>.jp-Mermaid:not(.jp-RenderedMermaid) { display: none; }</style>
<!-- End of mermaid configuration --><div class="jupyter-wrapper">
<div class="jp-RenderedImage jp-OutputArea-output">
<img alt="No description has been provided for this image" class="" src="data:image/png;base64,{a}"/>
</div>
<div class="jp-RenderedImage jp-OutputArea-output">
<img alt="No description has been provided for this image" class="" src="data:image/png;base64,{b}"/>
</div>
<div class="jp-RenderedMarkdown"><p>Some <code>&lt;style&gt;</code> text</p></div>
</div> <!-- jupyter-wrapper -->
<style>['pre {{ line-height: 125%; }}']</style>
<p class="tested-with">Tested with Python</p>
"""


def test_slim_drops_inline_css_and_writes_figures_as_files():
    a, b = tiny_png(740, 294), tiny_png(320, 200)
    page = NBCONVERT.replace("{a}", base64.b64encode(a).decode()).replace("{b}", base64.b64encode(b).decode())
    page = page.replace("{{", "{").replace("}}", "}")
    content, files = slim(page, "demo")
    assert "<style" not in content and "jp-Mermaid" not in content and "mermaid configuration" not in content
    assert "data:image" not in content
    assert "<script>/* clipboard-copy element */</script>" in content, "nbconvert's copy button script is kept"
    assert '<p class="tested-with">' in content and "<code>&lt;style&gt;</code>" in content
    names = [f"demo-{hashlib.sha256(data).hexdigest()[:16]}.png" for data in (a, b)]
    assert files == {names[0]: a, names[1]: b}
    soup = BeautifulSoup(content, "html.parser")
    images = soup.select(".jp-RenderedImage img")
    assert [(i["src"], i["width"], i["height"]) for i in images] == [(names[0], "740", "294"), (names[1], "320", "200")]
    assert all(i["loading"] == "lazy" and i["decoding"] == "async" and i["alt"] for i in images)
    assert slim(page, "demo") == (content, files), "not reproducible"


def test_slim_keeps_mermaid_loader_when_the_notebook_has_a_diagram():
    page = NBCONVERT.replace("{a}", "").replace("{b}", "").replace(
        '<div class="jp-RenderedMarkdown">', '<div class="jp-Mermaid"><pre class="mermaid">graph TD;</pre></div><div>')
    content, _ = slim(page, "demo")
    assert 'querySelectorAll(".jp-Mermaid > pre.mermaid")' in content


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_built_notebook_page_has_no_inline_css_and_figures_as_files(built_site, path):
    page = built_site / path / "index.html"
    html = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article")
    assert article.select_one(".jupyter-wrapper") is not None, f"{path}: not rendered by mkdocs-jupyter"
    styles = article.select("style")
    assert not styles, f"{path}: inline <style> left in the page ({sum(len(s.text) for s in styles)} characters)"
    assert "--jp-" not in html and "data:image/png" not in html, f"{path}: inline JupyterLab CSS or base64 image"
    outputs = article.select(".jp-RenderedImage")
    assert outputs, f"{path}: no image output"
    for output in outputs:
        images = output.select("img")
        assert len(images) == 1, f"{path}: an image output with {len(images)} images"
        image = images[0]
        file = page.parent / image["src"]
        assert file.is_file(), f"{path}: {image['src']} is not in the built site"
        data = file.read_bytes()
        assert file.name.endswith(hashlib.sha256(data).hexdigest()[:16] + ".png"), f"{file.name}: not named by its hash"
        assert (int(image["width"]), int(image["height"])) == png_size(data), f"{path}: {file.name} width/height"
        assert image.get("loading") == "lazy" and image.get("decoding") == "async" and image.get("alt")


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_notebook_figures_load_at_their_size_without_moving_the_page(visit, path):
    v = visit(path)
    result = v.page.evaluate("""async () => {
        const images = [...document.querySelectorAll('article .jp-RenderedImage img')];
        const before = images.map(i => i.getBoundingClientRect().height);
        images.forEach(i => { i.loading = 'eager'; });
        await Promise.all(images.map(i => i.decode().catch(() => null)));
        return images.map((i, n) => ({src: i.getAttribute('src'), natural: [i.naturalWidth, i.naturalHeight],
                                      attributes: [i.width && +i.getAttribute('width'), +i.getAttribute('height')],
                                      before: before[n], after: i.getBoundingClientRect().height}));
    }""")
    assert result, f"{path}: no figure"
    broken = [r["src"] for r in result if r["natural"] != r["attributes"]]
    assert not broken, f"{path}: figures that did not load at their width and height: {broken}"
    moved = [r["src"] for r in result if abs(r["before"] - r["after"]) > 0.5]
    assert not moved, f"{path}: figures whose box changed size when they loaded: {moved}"
    assert v.errors == [], f"console errors: {v.errors}"
