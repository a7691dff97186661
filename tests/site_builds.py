"""Builds of the site for the tests (`mkdocs build --strict`, notebooks executed), run in the
background so that tests which do not need the site run meanwhile.

A full test run starts them as it begins (conftest.py): first the site every site test reads, then
a second build of the same commit, which test_reader_experience.py compares with the first. A
partial run starts a build when a test first asks for it. Builds go to a folder shared by all
xdist workers; each writes NAME.log and, when it ends, NAME.rc (its exit code).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]

# The background process: build each named folder in turn, writing its log and then its exit code.
RUNNER = """
import subprocess, sys
from pathlib import Path
for folder in map(Path, sys.argv[1:]):
    with open(f"{folder}.log", "w") as log:
        code = subprocess.call([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(folder)],
                               stdout=log, stderr=subprocess.STDOUT)
    Path(f"{folder}.rc").write_text(str(code))
"""


def start(shared, *names):
    """Start building the named sites (in order, one after the other) unless already started."""
    shared = Path(shared)
    with FileLock(str(shared / "builds.lock")):
        todo = [name for name in names if not (shared / f"{name}.started").exists()]
        if not todo:
            return
        for name in todo:
            (shared / f"{name}.started").touch()
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        process = subprocess.Popen([sys.executable, "-c", RUNNER, *(str(shared / name) for name in todo)],
                                   cwd=ROOT, env=env, start_new_session=True)
        with open(shared / "builds.pids", "a") as pids:
            pids.write(f"{process.pid}\n")


def wait_for(shared, name, timeout=1800):
    """The path of a finished build (started here if nobody started it); AssertionError if it failed."""
    shared = Path(shared)
    start(shared, name)
    rc, deadline = shared / f"{name}.rc", time.monotonic() + timeout
    while not rc.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"building {name} took more than {timeout} s")
        time.sleep(0.5)
    log = (shared / f"{name}.log").read_text()
    assert rc.read_text() == "0", f"mkdocs build --strict failed:\n{log[-6000:]}"
    return shared / name


def stop_all(shared):
    """End builds still running when the test run ends (e.g. after Ctrl-C or -x)."""
    pids = Path(shared) / "builds.pids"
    for pid in pids.read_text().split() if pids.exists() else []:
        try:
            os.killpg(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass
