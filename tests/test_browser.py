"""Every page of the built site in real Chromium (Playwright): no request leaves the local server,
no console error, math typeset, a copy button on every code block, a working palette toggle, and
no serious or critical axe-core finding in either colour scheme."""
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import only_pages
from tests.site_server import serve

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium by default; CHROMIUM_PATH points elsewhere (e.g. Chrome on GitHub's runners).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def page_urls():
    """The URL path of every page source in docs/ (Markdown and notebooks)."""
    for source in sorted((ROOT / "docs").rglob("*")):
        if source.suffix not in {".md", ".ipynb"} or ".ipynb_checkpoints" in source.parts:
            continue
        path = source.relative_to(ROOT / "docs").with_suffix("")
        parts = path.parts[:-1] if path.name in {"index", "README"} else path.parts
        yield "".join(part + "/" for part in parts)


PAGES = only_pages(list(page_urls()))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(built_site):
    with serve(built_site) as url:
        yield url


class Visit:
    """One page load with everything the checks need recorded."""

    def __init__(self, browser, url, color_scheme="light"):
        self.context = browser.new_context(color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.foreign, self.errors = [], []
        origin = url.split("/")[2]
        self.page.route("**/*", lambda route: self._local_only(route, origin))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        response = self.page.goto(url, wait_until="networkidle")
        assert response.ok, f"{url}: HTTP {response.status}"

    def _local_only(self, route, origin):
        request_url = route.request.url
        if request_url.startswith(("data:", "blob:")) or request_url.split("/")[2] == origin:
            return route.continue_()
        self.foreign.append(request_url)
        return route.abort()

    def axe_findings(self):
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [f"{v['id']} ({v['impact']}): {v['help']} at "
                + ", ".join(str(n["target"]) for n in v["nodes"][:3])
                for v in result["violations"] if v["impact"] in {"serious", "critical"}]

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, base_url):
    visits = []

    def open_page(path, **kwargs):
        visits.append(Visit(browser, base_url + path, **kwargs))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "/" + p)
def test_page_is_offline_clean_and_typeset(visit, path):
    v = visit(path)
    page = v.page
    assert v.foreign == [], f"requests to other hosts: {v.foreign}"
    assert v.errors == [], f"console errors: {v.errors}"
    # Math: every arithmatex span typeset, no KaTeX error, no raw TeX delimiters left in the text.
    untypeset = page.eval_on_selector_all(".arithmatex", "els => els.filter(e => !e.querySelector('.katex')).length")
    assert untypeset == 0, f"{untypeset} formulas not typeset"
    assert page.locator(".katex-error").count() == 0, "KaTeX could not parse a formula"
    text = page.evaluate("""() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code, .katex, script').forEach(e => e.remove());
        return article.innerText; }""")
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"raw TeX {raw!r} visible on the page"
    # A copy button on every code block, copying that block's <code> (what test_rendered_code runs).
    missing = page.evaluate("""() => [...document.querySelectorAll('article pre > code')].filter(code => {
        const button = code.parentElement.querySelector('button[title="Copy to clipboard"]');
        const target = button && document.querySelector(button.dataset.clipboardTarget);
        return target !== code; }).length""")
    assert missing == 0, f"{missing} code blocks without a copy button that copies them"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "/" + p)
def test_palette_toggle_and_accessibility(visit, path):
    v = visit(path, color_scheme="dark")
    page = v.page
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    findings = {}
    seen = [scheme()]
    findings[seen[-1]] = v.axe_findings()
    for _ in range(2):  # system -> light -> dark
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_timeout(100)
        seen.append(scheme())
        findings.setdefault(seen[-1], v.axe_findings())
    assert set(seen) == {"default", "slate"}, f"palette toggle cycled through {seen}"
    serious = {s: f for s, f in findings.items() if f}
    assert not serious, "axe-core serious/critical findings:\n" + json.dumps(serious, indent=1)
    assert v.errors == [], f"console errors: {v.errors}"
