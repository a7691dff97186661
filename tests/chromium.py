"""Chromium driven by Playwright: how the tests launch it, and one recorded page visit."""
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium by default; CHROMIUM_PATH points elsewhere (e.g. Chrome on GitHub's runners).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def chromium_or_skip():
    """The Chromium path; a missing browser fails in CI and skips elsewhere."""
    import pytest

    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


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


def visible_text_without(page, typed):
    """The page's text, minus what the reader typed (quoted back in a message, e.g. got "NaN")."""
    text = page.evaluate("document.body.innerText")
    for value in typed:
        text = text.replace(f'"{value}"', "")
    return text
