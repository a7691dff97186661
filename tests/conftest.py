"""Shared test set-up.

- Tests report headline numbers with `record_property("summary", ...)`; the lines are printed at
  the end of the run (this works across pytest-xdist workers).
- `built_site` builds the site once per run (strictly, notebooks executed) into a temporary folder
  shared by all xdist workers.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
# TensorFlow turns oneDNN on by default on some CPUs only, and oneDNN accepts settings its reference
# kernels reject (dilated conv2d_transpose): the tests use the kernels every CPU has, so a result
# does not depend on the machine. test_frameworks.py checks the oneDNN case on purpose.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def tiny_tensor_mode():
    """oneDNN builds a new primitive for every new shape (milliseconds each) and a second thread
    costs more than it saves on tiny tensors: PyTorch's native kernels on one thread compute the
    same thing, many times faster. Modules that check thousands of tiny settings use this."""
    import torch

    enabled, threads = torch.backends.mkldnn.enabled, torch.get_num_threads()
    torch.backends.mkldnn.enabled = False
    torch.set_num_threads(1)
    yield
    torch.backends.mkldnn.enabled = enabled
    torch.set_num_threads(threads)


SPREAD = {"test_code_blocks.py::test_block_runs_and_prints_its_output_lines"}  # many slow, independent tests


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests of one file share a worker (their module fixtures are built once), except SPREAD,
    whose cases go to whichever worker is free (pytest.ini: --dist loadgroup)."""
    for item in items:
        if f"{item.path.name}::{item.originalname}" not in SPREAD:
            item.add_marker(pytest.mark.xdist_group(item.path.name))


def pytest_terminal_summary(terminalreporter):
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "summary"
    ]
    if lines:
        terminalreporter.section("verified")
        for line in sorted(lines):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def node():
    """The path of Node, which runs the site's JavaScript models in tests: missing, the tests that
    need it fail in CI and are skipped on a contributor's machine."""
    import shutil

    path = shutil.which("node")
    if path is None:
        message = "node is not installed: the JavaScript models cannot be tested"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def tf():
    """TensorFlow, the real package (requirements.txt installs it: tests that use it never skip)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow

    return tensorflow


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id):
    """Path of the built site. The first worker builds; the others wait for it."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    site, log = shared / "site", shared / "site-build.log"
    with FileLock(str(shared / "site.lock")):
        if not (site / "index.html").exists() and not log.exists():
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
            build = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )
            log.write_text(build.stdout + build.stderr)
    if not (site / "index.html").exists():
        pytest.fail(f"mkdocs build --strict failed:\n{log.read_text()[-6000:]}")
    return site


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test worker."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM_FLAGS, chromium_or_skip

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(built_site):
    from tests.site_server import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture
def visit(browser, base_url):
    """visit(path, color_scheme=...) opens a page of the built site and records what it did."""
    from tests.chromium import Visit

    visits = []

    def open_page(path, **kwargs):
        visits.append(Visit(browser, base_url + path, **kwargs))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


def only_pages(url_paths):
    """While writing a page: ONLY_PAGES=upsampling/,shapes/ limits the site tests to those pages."""
    prefixes = [p for p in os.environ.get("ONLY_PAGES", "").split(",") if p]
    return [u for u in url_paths if not prefixes or any(u.startswith(p) for p in prefixes)]


def site_pages(site):
    """Every HTML page of a built site except the 404 page, as (url path, file)."""
    pages = {}
    for path in sorted(site.rglob("index.html")):
        if "assets" in path.relative_to(site).parts:
            continue
        folder = path.parent.relative_to(site).as_posix()
        pages["" if folder == "." else folder + "/"] = path
    return [(url, pages[url]) for url in only_pages(list(pages))]
