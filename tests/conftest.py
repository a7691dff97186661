"""Shared test set-up.

- Tests report headline numbers with `record_property("summary", ...)`; the lines are printed at
  the end of the run (this works across pytest-xdist workers).
- `built_site` is the site, built once per run (strictly, notebooks executed) in the background
  into a folder shared by all xdist workers (tests/site_builds.py).
"""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# TensorFlow turns oneDNN on by default on some CPUs only, and oneDNN accepts settings its reference
# kernels reject (dilated conv2d_transpose): the tests use the kernels every CPU has, so a result
# does not depend on the machine. test_frameworks.py checks the oneDNN case on purpose.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import site_builds  # noqa: E402 (needs ROOT on the path)


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
    whose cases go to whichever worker is free (pytest.ini: --dist loadgroup). Tests that need the
    built site come last: the others run while it builds."""
    for item in items:
        if f"{item.path.name}::{item.originalname}" not in SPREAD:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    items.sort(key=lambda item: "built_site" in item.fixturenames)


def is_full_run(config):
    return (config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword
            and not config.option.markexpr and not config.option.collectonly)


def pytest_sessionstart(session):  # before xdist starts its workers (its hook runs last)
    """A full run starts building the site (then a second build to compare) as it begins; a
    partial run builds when a test first asks for the site."""
    if not hasattr(session.config, "workerinput") and is_full_run(session.config):
        site_builds.start(shared_folder(session.config), "site", "site-second")


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        site_builds.stop_all(shared_folder(session.config))


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


def shared_folder(config):
    """A folder shared by the controller and every xdist worker of this run."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


@pytest.fixture(scope="session")
def built_site(pytestconfig):
    """Path of the built site: built once per run, in the background (tests/site_builds.py)."""
    return site_builds.wait_for(shared_folder(pytestconfig), "site")


@pytest.fixture(scope="session")
def second_build(pytestconfig, built_site):
    """Path of a second build of the same commit (test_reader_experience.py compares the two)."""
    return site_builds.wait_for(shared_folder(pytestconfig), "site-second")


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


NOTEBOOK_PAGES = [f"notebooks/{p.stem}/" for p in sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))]


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
