"""Lighthouse audit of every page of the built site, as a phone loads it (`make audit`).

Serves the built site with gzip on 127.0.0.1 (tests/site_server.py), runs Lighthouse (the exact
version package.json pins, default mobile profile: simulated slow 4G and a 4x slower CPU) RUNS
times on every page, prints a table of medians, and exits non-zero if a page breaks a budget.

Budgets on what does not move with the machine's load (checked on every run):
  - DOM elements <= MAX_DOM_ELEMENTS
  - bytes transferred, cold cache, gzip <= MAX_TRANSFER_KIB
  - no math JavaScript (typeset at build time by hooks/typeset_math.py), and every script within
    ALLOWED_SCRIPTS
  - cumulative layout shift <= MAX_CLS
and on the median of the RUNS performance scores >= 90 - margin: scores fall when other work shares
the CPU, so the margin (Makefile: AUDIT_MARGIN) keeps an unchanged commit from failing on load.
Total blocking time is reported, not gated: it is measured CPU time, the first thing load moves.

Usage: python tests/audit/lighthouse_audit.py SITE [--runs 3] [--jobs 2] [--margin 10] [--pages a/ b/]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from queue import Queue

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.site_server import serve  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")

TARGET_SCORE = 90
MAX_DOM_ELEMENTS = 5000
MAX_TRANSFER_KIB = 500
MAX_CLS = 0.01
# Every script a page may load, relative to the site root: Material's bundle and search worker, the
# setup-folding script on every page, and the site's own modules of the interactive pages.
ALLOWED_SCRIPTS = (
    "assets/javascripts/bundle.*.min.js",
    "assets/javascripts/workers/search.*.min.js",
    "assets/js/fold-setup.js",
    "assets/js/*.mjs",
)
MATH_SCRIPT = re.compile(r"katex|mathjax|auto-render|render-math", re.I)

# The audits the table and budgets need: the five metrics that make up the performance score (so the
# score is the same as a full run's), DOM size, transfer size and the list of requests. Leaving out
# the rest (screenshots, JS coverage, bfcache, source maps) roughly halves the time of a run.
AUDITS = ("first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time",
          "cumulative-layout-shift", "dom-size", "total-byte-weight", "network-requests")


def pages(site):
    """URL path (relative to the site root) of every page of the built site."""
    found = []
    for index in site.rglob("index.html"):
        relative = index.relative_to(site)
        if relative.parts[0] in {"assets", "search"}:
            continue
        found.append("".join(part + "/" for part in relative.parts[:-1]))
    return sorted(found)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chrome:
    """One headless Chromium that Lighthouse drives run after run (it clears the cache for each)."""

    def __init__(self):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="lighthouse-chrome-")
        self.process = subprocess.Popen(
            [CHROME, "--headless=new", "--no-sandbox", f"--remote-debugging-port={self.port}",
             f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/version", timeout=2).read()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError(f"Chromium ({CHROME}) did not start")
                time.sleep(0.2)

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def lighthouse(url, chrome, report):
    """One Lighthouse run of url in chrome: the report's numbers we use."""
    command = [str(LIGHTHOUSE), url, "--quiet", f"--port={chrome.port}", "--only-categories=performance",
               "--only-audits=" + ",".join(AUDITS), "--output=json", f"--output-path={report}",
               '--chrome-flags=--headless=new --no-sandbox']
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": CHROME},
                          timeout=300)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    result = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise RuntimeError(f"lighthouse failed on {url}: {result['runtimeError']}")
    audits = result["audits"]
    for audit in AUDITS:
        if audits[audit].get("scoreDisplayMode") == "error":
            raise RuntimeError(f"lighthouse: {audit} on {url}: {audits[audit].get('errorMessage')}")
    requests = audits["network-requests"]["details"]["items"]
    return {
        "score": round(100 * result["categories"]["performance"]["score"]),
        "dom": int(audits["dom-size"]["numericValue"]),
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "scripts": sorted({r["url"] for r in requests if r.get("resourceType") == "Script"}),
    }


def script_paths(urls, base):
    """Script URLs as paths relative to the site root (other hosts stay whole)."""
    return sorted({url[len(base):].split("?")[0] if url.startswith(base) else url for url in urls})


def allowed(path):
    pure = PurePosixPath(path)
    return any(len(pure.parts) == len(PurePosixPath(p).parts) and pure.match(p) for p in ALLOWED_SCRIPTS)


def static_scripts(site, page):
    """Every <script src> of a page's HTML (also the ones Lighthouse would not see load)."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    for src in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html):
        yield str(PurePosixPath(os.path.normpath(PurePosixPath("/" + page) / src)))[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the built site (mkdocs build -d SITE)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--jobs", type=int, default=2, help="pages audited at once")
    parser.add_argument("--margin", type=float, default=10, help="gate the median score at 90 - margin")
    parser.add_argument("--pages", nargs="*", help="only these URL paths (e.g. learning/); default all")
    parser.add_argument("--reports", type=Path, help="keep every Lighthouse JSON report in this folder")
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        sys.exit(f"no built site in {site}: run `mkdocs build -d {args.site}` first")
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} not found: run `npm ci`")
    todo = args.pages or pages(site)
    reports = args.reports or Path(tempfile.mkdtemp(prefix="lighthouse-reports-"))
    reports.mkdir(parents=True, exist_ok=True)
    gate = TARGET_SCORE - args.margin
    started = time.monotonic()
    print(f"Lighthouse {subprocess.run([str(LIGHTHOUSE), '--version'], capture_output=True, text=True).stdout.strip()}"
          f", mobile: {len(todo)} pages x {args.runs} runs, {args.jobs} at a time", flush=True)

    with serve(site) as base:
        chromes = Queue()
        for _ in range(args.jobs):
            chromes.put(Chrome())

        def run(task):
            page, n = task
            chrome = chromes.get()
            try:
                name = (page.strip("/").replace("/", "_") or "home") + f".{n}.json"
                return page, lighthouse(base + page, chrome, reports / name)
            finally:
                chromes.put(chrome)

        # Run 1 of every page, then run 2 of every page...: a page's runs are spread over the audit,
        # so one burst of load elsewhere on the machine does not sink all of them.
        tasks = [(page, n) for n in range(args.runs) for page in todo]
        results = {page: [] for page in todo}
        try:
            with ThreadPoolExecutor(args.jobs) as pool:
                for done, (page, result) in enumerate(pool.map(run, tasks), 1):
                    results[page].append(result)
                    print(f"  [{done}/{len(tasks)}] /{page}: score {result['score']}, {result['dom']} elements, "
                          f"TBT {result['tbt']:.0f} ms", flush=True)
        finally:
            while not chromes.empty():
                chromes.get().close()

    failures, rows = [], []
    for page, runs in results.items():
        median = {key: statistics.median(r[key] for r in runs) for key in ("score", "dom", "tbt", "cls", "lcp", "bytes")}
        scripts = sorted(set(script_paths({u for r in runs for u in r["scripts"]}, base)) | set(static_scripts(site, page)))
        label = "/" + page
        worst_dom, worst_bytes = max(r["dom"] for r in runs), max(r["bytes"] for r in runs)
        worst_cls = max(r["cls"] for r in runs)
        if median["score"] < gate:
            failures.append(f"{label}: median performance score {median['score']:.0f} < {gate:.0f} "
                            f"(runs: {', '.join(str(r['score']) for r in runs)})")
        if worst_dom > MAX_DOM_ELEMENTS:
            failures.append(f"{label}: {worst_dom} DOM elements > {MAX_DOM_ELEMENTS}")
        if worst_bytes > MAX_TRANSFER_KIB * 1024:
            failures.append(f"{label}: {worst_bytes / 1024:.0f} KiB transferred > {MAX_TRANSFER_KIB} KiB")
        if worst_cls > MAX_CLS:
            failures.append(f"{label}: cumulative layout shift {worst_cls:.3f} > {MAX_CLS}")
        math = [s for s in scripts if MATH_SCRIPT.search(s)]
        if math:
            failures.append(f"{label}: math JavaScript shipped: {', '.join(math)}")
        stray = [s for s in scripts if not allowed(s) and s not in math]
        if stray:
            failures.append(f"{label}: scripts outside ALLOWED_SCRIPTS: {', '.join(stray)}")
        rows.append((label, f"{median['score']:.0f}", " ".join(str(r["score"]) for r in runs), f"{median['dom']:.0f}",
                     f"{median['tbt']:.0f}", f"{median['cls']:.3f}", f"{median['lcp'] / 1000:.1f}",
                     f"{median['bytes'] / 1024:.0f}", str(len(scripts))))

    header = ("page", "score", "runs", "DOM", "TBT ms", "CLS", "LCP s", "KiB gz", "scripts")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    print(f"\nmedians of {args.runs} runs; budgets: score >= {gate:.0f} (90 - margin {args.margin:g}), "
          f"DOM <= {MAX_DOM_ELEMENTS}, <= {MAX_TRANSFER_KIB} KiB, CLS <= {MAX_CLS}, no math JavaScript, "
          f"scripts within {', '.join(ALLOWED_SCRIPTS)}; {time.monotonic() - started:.0f} s; reports in {reports}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all budgets met")


if __name__ == "__main__":
    main()
