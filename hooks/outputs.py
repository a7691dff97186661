"""`make outputs`: run every page's blocks and rewrite their `#>` lines from what they print.

Each block runs as the tests run it (hooks/blocks.py: run_chain). What a top-level statement
prints goes, as `#> ` lines, right under that statement in the page source (under the include
line when it is an included section that printed), so a reader sees each output beside the code
that printed it. Run on a clean tree, it changes nothing.

    python -m hooks.outputs [page.md ...]     (default: every page and the README)
"""
import ast
import sys
from concurrent.futures import ThreadPoolExecutor

from hooks.blocks import chains, compose_page, fences, is_python, page_sources, run_chain


def is_output(line):
    return line.strip().startswith("#>")


def without_outputs(lines):
    """The page's lines with the `#>` lines of its ```python fences removed."""
    drop = {n for fence in fences(lines) if is_python(fence.info)
            for n in range(fence.opening + 1, fence.closing) if is_output(lines[n])}
    return [line for n, line in enumerate(lines) if n not in drop]


def statement_ends(code):
    """For each top-level statement, (first line, last line), 1-based."""
    return [(node.lineno, node.end_lineno) for node in ast.parse(code).body]


def output_lines(run, fence_indent):
    """{page line index: [`#> …` lines to put under it]} for one block's run. Statements that
    print, one right after the other, share one group of `#>` lines under the last of them."""
    block, ends = run.block, statement_ends(run.block.code)
    printed = {}  # last line of the printing statement (None: not in the block) -> texts
    for line, text in run.printed:
        end = next((last for first, last in ends if line is not None and first <= line <= last), None)
        printed.setdefault(end, []).append(text)
    for (_, last), (first, next_last) in zip(ends, ends[1:]):
        if last in printed and next_last in printed and first == last + 1:
            printed[next_last] = printed.pop(last) + printed[next_last]
    last_own = max(n for n in block.origin if n is not None)
    at = {}
    for end, texts in printed.items():
        target = block.origin[end - 1] if end is not None else None
        at.setdefault(last_own if target is None else target, []).extend(texts)
    return {target: [(fence_indent + "#> " + out).rstrip() for out in "".join(texts).rstrip("\n").split("\n")]
            for target, texts in at.items()}


def regenerate(page, text):
    """The page's text with every block's `#>` lines regenerated (raises if a block fails)."""
    lines = without_outputs(text.split("\n"))
    _, blocks = compose_page(page, "\n".join(lines))
    indents = {fence.opening + 1: fence.indent for fence in fences(lines) if is_python(fence.info)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [run for chain_runs in pool.map(run_chain, chains(blocks)) for run in chain_runs]
    inserts = {}
    for run in runs:
        if run.error or not run.ran:
            raise RuntimeError(f"{run.block.id} failed:\n{run.error or 'the block it continues failed'}")
        indent = indents[min(n for n in run.block.origin if n is not None)]  # first own line: the fence's indent
        for target, new in output_lines(run, indent).items():
            inserts.setdefault(target, []).extend(new)
    out = []
    for n, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(n, []))
    return "\n".join(out)


def main(names):
    changed = []
    for page, path in page_sources():
        if names and page not in names:
            continue
        text = path.read_text(encoding="utf-8")
        new = regenerate(page, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(page)
    print(f"#> lines rewritten in {len(changed)} page(s)" + (": " + ", ".join(changed) if changed else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
