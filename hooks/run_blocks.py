"""Run one chain of code blocks the way a reader would: in a fresh interpreter, started with
`python -P` in an empty folder (so nothing of this repository is importable), each block's exact
text executed in turn as the `__main__` module. Standard library only.

    python -P run_blocks.py chain.json result.json

chain.json is `[{"id": "page.md#3", "code": "..."}, ...]`. result.json gets, per block run, what it
printed as `[line, text]` pieces (`line`: the block's top-level line that was executing, so
`make outputs` can put each `#>` line under the statement that printed it) and the traceback of
an error, after which the chain stops.
"""
import io
import json
import linecache
import sys
import traceback
import types


class AttributedStdout(io.TextIOBase):
    """Collects what is printed, with the line of the running block's top-level statement."""

    def __init__(self, filename):
        self.filename, self.pieces = filename, []

    def writable(self):
        return True

    def write(self, text):
        frame, line = sys._getframe(1), None
        while frame is not None:  # the outermost frame of the block is its top-level statement
            if frame.f_code.co_filename == self.filename:
                line = frame.f_lineno
            frame = frame.f_back
        if self.pieces and self.pieces[-1][0] == line:
            self.pieces[-1][1] += text
        else:
            self.pieces.append([line, text])
        return len(text)


def run_chain(chain):
    results, real_stdout = [], sys.stdout
    # The blocks get a `__main__` module of their own (pickle and dataclasses look it up), not
    # this runner's names.
    main = sys.modules["__main__"] = types.ModuleType("__main__")
    namespace = main.__dict__
    for block in chain:
        filename = f"<{block['id']}>"
        linecache.cache[filename] = (len(block["code"]), None, block["code"].splitlines(True), filename)
        sys.stdout = AttributedStdout(filename)
        error = None
        try:
            exec(compile(block["code"], filename, "exec"), namespace)
        except BaseException:  # noqa: B036 (SystemExit and KeyboardInterrupt are failures too)
            error = traceback.format_exc()
        finally:
            pieces, sys.stdout = sys.stdout.pieces, real_stdout
        results.append({"id": block["id"], "printed": pieces, "error": error})
        if error:
            break
    return results


if __name__ == "__main__":
    chain_path, result_path = sys.argv[1:3]
    with open(chain_path, encoding="utf-8") as file:
        results = run_chain(json.load(file))
    with open(result_path, "w", encoding="utf-8") as file:
        json.dump(results, file)
