"""Every page of the built site in real Chromium (Playwright): no request leaves the local server,
no console error, math typeset, a copy button on every code block, a working palette toggle, and
no serious or critical axe-core finding in either colour scheme."""
import json
from pathlib import Path

import pytest

from tests.conftest import only_pages

ROOT = Path(__file__).resolve().parents[1]


def page_urls():
    """The URL path of every page source in docs/ (Markdown and notebooks)."""
    for source in sorted((ROOT / "docs").rglob("*")):
        if source.suffix not in {".md", ".ipynb"} or ".ipynb_checkpoints" in source.parts:
            continue
        path = source.relative_to(ROOT / "docs").with_suffix("")
        parts = path.parts[:-1] if path.name in {"index", "README"} else path.parts
        yield "".join(part + "/" for part in parts)


PAGES = only_pages(list(page_urls()))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "/" + p)
def test_offline_typeset_palette_and_accessibility(visit, path):
    """One visit per page (a page load is the costly part): the offline, math and copy-button
    checks, then the palette toggle and axe-core in both colour schemes."""
    v = visit(path, color_scheme="dark")
    offline_clean_and_typeset(v)
    palette_toggle_and_accessibility(v)


def offline_clean_and_typeset(v):
    page = v.page
    assert v.foreign == [], f"requests to other hosts: {v.foreign}"
    assert v.errors == [], f"console errors: {v.errors}"
    # Math: typeset at build time (hooks/typeset_math.py), so no KaTeX or other math script is loaded;
    # every arithmatex span typeset, no KaTeX error, no raw TeX delimiters left in the text.
    math_scripts = page.evaluate("""() => [...document.scripts].map(s => s.src)
        .concat(performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script').map(r => r.name))
        .filter(src => /katex|auto-render|render-math|mathjax/i.test(src))""")
    assert math_scripts == [], f"math JavaScript loaded: {math_scripts}"
    assert page.evaluate("typeof katex === 'undefined' && typeof MathJax === 'undefined'"), "math library loaded"
    untypeset = page.eval_on_selector_all(".arithmatex", "els => els.filter(e => !e.querySelector('.katex')).length")
    assert untypeset == 0, f"{untypeset} formulas not typeset"
    assert page.locator(".katex-error").count() == 0, "KaTeX could not parse a formula"
    text = page.evaluate("""() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code, .katex, script').forEach(e => e.remove());
        return article.innerText; }""")
    for raw in ("\\(", "\\[", "$$"):
        assert raw not in text, f"raw TeX {raw!r} visible on the page"
    cells = page.evaluate("""() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(cell => {
        const copy = cell.cloneNode(true);
        copy.querySelectorAll('pre, code, .katex').forEach(e => e.remove());
        return copy.textContent; }).join(' ')""")
    assert "$" not in cells, "raw TeX $ visible in a notebook's Markdown cell"
    # A copy button on every code block, copying that block's <code> (what test_code_blocks runs).
    missing = page.evaluate("""() => [...document.querySelectorAll('article pre > code')].filter(code => {
        const button = code.parentElement.querySelector('button[title="Copy to clipboard"]');
        const target = button && document.querySelector(button.dataset.clipboardTarget);
        return target !== code; }).length""")
    assert missing == 0, f"{missing} code blocks without a copy button that copies them"


def palette_toggle_and_accessibility(v):
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


# Shows a code block's own tab and opens its collapsed admonition, so its copy button can be clicked.
REVEAL = """code => {
    for (let node = code; node; node = node.parentElement) {
        if (node.tagName === 'DETAILS') node.open = true;
        if (node.classList.contains('tabbed-block')) {
            const index = [...node.parentElement.children].indexOf(node);
            node.closest('.tabbed-set').querySelectorAll(':scope > input')[index].checked = true;
        }
    } }"""


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "/" + p)
def test_copy_button_copies_exactly_the_code_that_runs(visit, path):
    """The copy button gives each block's full textContent (what test_code_blocks.py runs),
    folded setup lines included; the fold opens and closes from the keyboard."""
    v = visit(path)
    page = v.page
    v.context.grant_permissions(["clipboard-read", "clipboard-write"])
    codes = page.locator("article pre > code")
    differing = []
    for n in range(codes.count()):
        code = codes.nth(n)
        button = code.locator("xpath=..").locator("button[title='Copy to clipboard']")
        if button.count() == 0:
            continue  # test_offline_typeset_palette_and_accessibility requires one on every block
        code.evaluate(REVEAL)
        page.evaluate("navigator.clipboard.writeText('nothing copied')")
        button.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        if copied.rstrip() != code.evaluate("c => c.textContent").rstrip():
            differing.append(f"block {n + 1} ({code.evaluate('c => c.textContent').strip()[:60]!r})")
    assert not differing, "the copy button does not copy the code that runs:\n" + "\n".join(differing)

    folds = page.locator("article pre > code .fold-setup")
    hidden = page.eval_on_selector_all(
        "article .fold-setup__lines", "els => els.filter(e => e.hidden && !e.getClientRects().length).length")
    assert hidden == folds.count(), "setup lines shown before the reader asks for them"
    if folds.count() == 0:
        return
    code = folds.first.locator("xpath=..")
    code.evaluate(REVEAL)
    toggle = folds.first.locator(".fold-setup__toggle")
    lines = page.locator("#" + toggle.get_attribute("aria-controls"))
    count = lines.evaluate("e => e.textContent.split('\\n').length - 1")
    line_height = code.evaluate("c => parseFloat(getComputedStyle(c).lineHeight)")
    height = lambda: code.evaluate("c => c.getBoundingClientRect().height")  # noqa: E731
    folded_height = height()
    toggle.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # reached with the keyboard: in the tab order, with a focus outline
    assert toggle.evaluate("t => t === document.activeElement && t.matches(':focus-visible')"
                           " && getComputedStyle(t).outlineStyle !== 'none'"), "no visible keyboard focus on the fold"
    top = toggle.evaluate("t => t.getBoundingClientRect().top")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and lines.is_visible()
    assert abs(height() - folded_height - count * line_height) < line_height, (
        f"opening the fold should add its {count} lines")
    assert abs(toggle.evaluate("t => t.getBoundingClientRect().top") - top) < 1, "the toggle moved on screen"
    page.evaluate("navigator.clipboard.writeText('nothing copied')")
    code.locator("xpath=..").locator("button[title='Copy to clipboard']").click()
    assert page.evaluate("navigator.clipboard.readText()").rstrip() == code.evaluate("c => c.textContent").rstrip()
    toggle.focus()
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "false" and not lines.is_visible()
    assert abs(height() - folded_height) < 1
    assert v.errors == [], f"console errors: {v.errors}"
