"""docs/assets/js/convarith.mjs, the browser's convolution arithmetic, checked against torch.

Every call runs in ONE Node process (tests/js/convarith_cases.mjs reads the calls as JSON on stdin),
so thousands of random settings cost about a second. The settings come from a seeded
random.Random rather than hypothesis: they must all be known up front to batch them into one
process, and a fixed seed keeps the run reproducible all the same.
"""
import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.shapes import conv_output_size, conv_transpose_output_size

HELPER = Path(__file__).resolve().parent / "js" / "convarith_cases.mjs"
N_EACH = 1000  # random settings per operation
N_CONTRIBUTIONS = 150  # of those, how many also rebuild the output from convContributions
NAMES = ("stride", "padding", "dilation", "outputPadding")
DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "outputPadding": 0}

NAN, INF = {"$js": "NaN"}, {"$js": "Infinity"}
X3, W2 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]]


# --- random valid settings ------------------------------------------------------------------

def random_option(rng, name, pair):
    """An option as JSON: omitted (None) when it is the default, else an int or a [h, w] pair."""
    if pair == [DEFAULTS[name]] * 2 and rng.random() < 0.4:
        return None
    return pair[0] if pair[0] == pair[1] and rng.random() < 0.5 else pair


def random_matrix(rng, rows, cols):
    if rng.random() < 0.5:
        return [[rng.randint(-5, 5) for _ in range(cols)] for _ in range(rows)]
    return [[rng.uniform(-3, 3) for _ in range(cols)] for _ in range(rows)]


def random_axis(rng, transposed):
    """(i, k, s, p, d, output_padding) for one axis that torch accepts."""
    while True:
        i, k = rng.randint(1, 9 if transposed else 14), rng.randint(1, 5)
        s, p, d = rng.randint(1, 4), rng.randint(0, 3), rng.randint(1, 3)
        if not transposed:
            if d * (k - 1) + 1 <= i + 2 * p:
                return i, k, s, p, d, 0
        else:
            op = rng.randint(0, max(s, d) - 1)
            if (i - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1:
                return i, k, s, p, d, op


def random_setting(rng, transposed):
    axes = [random_axis(rng, transposed) for _ in range(2)]  # rows and columns: non-square
    (ih, kh, *_), (iw, kw, *_) = axes
    opts = {}
    for index, name in enumerate(NAMES):
        if name == "outputPadding" and not transposed and rng.random() < 0.8:
            continue  # conv2d accepts outputPadding only as 0; mostly leave it out
        value = random_option(rng, name, [axes[0][2 + index], axes[1][2 + index]])
        if value is not None:
            opts[name] = value
    return {
        "op": "convTranspose2d" if transposed else "conv2d",
        "x": random_matrix(rng, ih, iw),
        "w": random_matrix(rng, kh, kw),
        "opts": opts,
        "axes": axes,
    }


def size_args(rng, axis, transposed):
    """Positional arguments (i, k, s, p, d[, output_padding]), trailing defaults sometimes dropped."""
    args = list(axis if transposed else axis[:5])
    defaults = [None, None, 1, 0, 1, 0]
    while len(args) > 2 and args[-1] == defaults[len(args) - 1] and rng.random() < 0.5:
        args.pop()
    return args


def torch_pair(opts, name):
    value = opts.get(name, DEFAULTS[name])
    return tuple(value) if isinstance(value, list) else (value, value)


def torch_result(op, x, w, opts):
    x = torch.tensor(x, dtype=torch.float64)[None, None]
    w = torch.tensor(w, dtype=torch.float64)[None, None]
    common = {name: torch_pair(opts, name) for name in ("stride", "padding", "dilation")}
    if op == "conv2d":
        return F.conv2d(x, w, **common)[0, 0].numpy()
    return F.conv_transpose2d(x, w, output_padding=torch_pair(opts, "outputPadding"), **common)[0, 0].numpy()


# --- invalid settings -------------------------------------------------------------------------

# (function, JS arguments, a word the message must contain). torch rejects each of these too
# (test_torch_rejects_them_too), and snippets/shapes.py rejects the size functions' ones.
TORCH_REJECTS = [
    ("conv2d", [X3, W2, {"stride": 0}], "stride"),
    ("conv2d", [X3, W2, {"stride": -2}], "stride"),
    ("conv2d", [X3, W2, {"stride": [1, 0]}], "stride"),
    ("conv2d", [X3, W2, {"padding": -1}], "padding"),
    ("conv2d", [X3, W2, {"padding": [0, -1]}], "padding"),
    ("conv2d", [X3, W2, {"dilation": 0}], "dilation"),
    ("conv2d", [X3, [[1] * 4] * 4], "kernel"),  # 4x4 kernel, 3x3 input
    ("conv2d", [X3, W2, {"dilation": 3}], "kernel"),  # dilated kernel spans 4 > 3
    ("conv2d", [[[1] * 8] * 4, [[1] * 3] * 5], "kernel"),  # non-square: too tall only
    ("conv2d", [[[1] * 4] * 8, [[1] * 5] * 3], "kernel"),  # non-square: too wide only
    ("convTranspose2d", [X3, W2, {"stride": 0}], "stride"),
    ("convTranspose2d", [X3, W2, {"padding": -1}], "padding"),
    ("convTranspose2d", [X3, W2, {"dilation": [0, 1]}], "dilation"),
    ("convTranspose2d", [X3, W2, {"outputPadding": 1}], "outputPadding"),  # s = d = 1
    ("convTranspose2d", [X3, W2, {"stride": 2, "outputPadding": 2}], "outputPadding"),
    ("convTranspose2d", [X3, W2, {"stride": 2, "dilation": 3, "outputPadding": [0, 3]}], "outputPadding"),
    ("convTranspose2d", [X3, W2, {"padding": 2}], "padding"),  # writes 4, crops 4: size 0
    ("convTranspose2d", [[[1, 2]], W2, {"padding": [0, 3]}], "padding"),  # width: writes 3, crops 6
    ("convOutputSize", [3, 4], "kernel"),
    ("convOutputSize", [5, 3, 1, 0, 3], "kernel"),
    ("convOutputSize", [5, 3, 0], "stride"),
    ("convOutputSize", [5, 3, 1, -1], "padding"),
    ("convOutputSize", [5, 3, 1, 0, 0], "dilation"),
    ("convOutputSize", [0, 3], "input size"),
    ("convOutputSize", [5, 0], "kernel size"),
    ("convTransposeOutputSize", [3, 2, 1, 0, 1, 1], "outputPadding"),
    ("convTransposeOutputSize", [3, 2, 2, 0, 3, 3], "outputPadding"),
    ("convTransposeOutputSize", [3, 2, 1, 2], "padding"),
    ("convTransposeOutputSize", [3, 2, -1], "stride"),
]

# Rejected by the module only: JSON-impossible values, types torch would coerce or that have no
# torch equivalent, typos, malformed arrays, and the LIMITS caps that keep a page responsive.
MODULE_REJECTS = [
    *[("conv2d", [X3, W2, {"stride": bad}], "stride")
      for bad in (1.5, NAN, INF, {"$js": "-Infinity"}, "2", True, None, [], [1], [1, 2, 3], [1, "2"], {"h": 1})],
    ("conv2d", [X3, W2, {"padding": NAN}], "padding"),
    ("conv2d", [X3, W2, {"dilation": [1, 1.5]}], "dilation"),
    ("conv2d", [X3, W2, {"outputPadding": 1}], "outputPadding"),  # only convTranspose2d has it
    ("convTranspose2d", [X3, W2, {"outputPadding": False}], "outputPadding"),
    ("conv2d", [X3, W2, {"strides": 2}], "strides"),
    ("conv2d", [X3, W2, {"Padding": 1}], "Padding"),
    ("convTranspose2d", [X3, W2, {"output_padding": 1}], "output_padding"),
    ("conv2d", [X3, W2, "stride=2"], "opts"),
    ("conv2d", [X3, W2, [2]], "opts"),
    ("conv2d", [X3, W2, None], "opts"),
    *[("conv2d", [bad, W2], "x") for bad in (
        [], [[]], [1, 2, 3], 5, "x", None, [[1, 2], [3]], [[1, 2], 3], [[1, NAN]], [[1, INF]],
        [[1, "2"]], [[1, None]], [[1, True]], [[1, {"$js": "hole"}, 3]], [[1, {"$js": "undefined"}]])],
    *[("convTranspose2d", [X3, bad], "w") for bad in ([], [[1], [2, 3]], [[INF]], [["1"]])],
    ("convContributions", [[[1, 2]], [[1], [2]]], "kernel"),
    ("convTransposeContributions", [X3, W2, {"outputPadding": 1}], "outputPadding"),
    ("normalizePair", ["stride", [1, 2, 3]], "stride"),
    ("normalizePair", ["padding", -1], "padding"),
    ("normalizePair", ["dilation", [1, 0]], "dilation[1]"),
    ("convOutputSize", [NAN, 3], "input size"),
    ("convOutputSize", ["5", 3], "input size"),
    ("convOutputSize", [5, 3, 1.5], "stride"),
    ("convOutputSize", [5, 3, 1, None], "padding"),
    ("convTransposeOutputSize", [3, 2, 2, 0, 1, 0.5], "outputPadding"),
    ("conv2dOutputShape", [[5, 5], [3, 3], {"dilations": 2}], "dilations"),
    ("convTranspose2dOutputShape", [[5, 0], [3, 3]], "xShape"),
    # caps (LIMITS): every one must throw at once instead of computing
    ("convOutputSize", [10_001, 3], "input size"),
    ("convOutputSize", [5, 3, 1, 10_001], "padding"),
    ("convTransposeOutputSize", [10_000, 3, 10_000], "output size"),  # o would be 99,990,003
    ("conv2d", [X3, W2, {"padding": 20_000}], "padding"),
    ("conv2d", [[[1] * 10_001], W2], "x"),
    ("conv2d", [{"$zeros": [1001, 1000]}, W2], "x"),  # 1,001,000 elements
    ("convTranspose2d", [[[1, 2], [3, 4]], [[1]], {"stride": 9000}], "output size"),  # 9001 x 9001
    ("conv2d", [{"$zeros": [1000, 1000]}, [[1] * 4] * 4], "kernel"),  # 15.8e6 multiply-adds
    ("convContributions", [{"$zeros": [1000, 1000]}, [[1] * 2] * 2], "kernel"),  # 1e6 cells x 4 taps
]


# --- one Node run for everything --------------------------------------------------------------

@pytest.fixture(scope="module")
def run(node):

    rng = random.Random(20240601)
    settings = [random_setting(rng, transposed) for transposed in (False, True) for _ in range(N_EACH)]
    calls, sizes = [], []
    for setting in settings:
        calls.append({"fn": setting["op"], "args": [setting["x"], setting["w"], setting["opts"]]})
        transposed = setting["op"] == "convTranspose2d"
        for axis in setting["axes"]:
            args = size_args(rng, axis, transposed)
            sizes.append((transposed, args))
            calls.append({"fn": "convTransposeOutputSize" if transposed else "convOutputSize", "args": args})
    contributions = settings[:N_CONTRIBUTIONS] + settings[N_EACH:N_EACH + N_CONTRIBUTIONS]
    for setting in contributions:
        fn = "convTransposeContributions" if setting["op"] == "convTranspose2d" else "convContributions"
        calls.append({"fn": fn, "args": [setting["x"], setting["w"], setting["opts"]]})
    invalid = TORCH_REJECTS + MODULE_REJECTS
    calls += [{"fn": fn, "args": args} for fn, args, _ in invalid]
    calls.append({"fn": "conv2d", "args": [X3, W2, {"stride": -2}]})  # the exact message, below

    done = subprocess.run(
        [node, str(HELPER)], input=json.dumps(calls), capture_output=True, text=True, timeout=120, check=True
    )
    results = iter(json.loads(done.stdout))
    out = {"settings": [], "sizes": [], "contributions": [], "invalid": []}
    for setting in settings:
        out["settings"].append((setting, next(results)))
        for _ in setting["axes"]:
            out["sizes"].append(next(results))
    out["sizes"] = list(zip(sizes, out["sizes"]))
    out["contributions"] = [(setting, next(results)) for setting in contributions]
    out["invalid"] = [(case, next(results)) for case in invalid]
    out["exact"] = next(results)
    assert next(results, None) is None
    return out


def test_matches_torch(run, record_property):
    counts = {"conv2d": 0, "convTranspose2d": 0}
    for setting, result in run["settings"]:
        assert "ok" in result, (setting["op"], setting["opts"], result)
        expected = torch_result(setting["op"], setting["x"], setting["w"], setting["opts"])
        actual = np.array(result["ok"], dtype=np.float64)
        assert actual.shape == expected.shape, (setting["op"], setting["opts"])
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12, err_msg=str(setting["opts"]))
        counts[setting["op"]] += 1
    assert min(counts.values()) >= N_EACH
    n = sum(counts.values())
    assert n >= 1000
    record_property("summary", f"{n} random settings: convarith.mjs equals torch (conv2d and conv_transpose2d)")


def test_output_sizes_match_shapes_py(run):
    assert len(run["sizes"]) >= 2 * N_EACH
    for (transposed, args), result in run["sizes"]:
        expected = conv_transpose_output_size(*args) if transposed else conv_output_size(*args)
        assert result == {"ok": expected}, (transposed, args)


def test_contributions_rebuild_the_output(run):
    """Summing x[ir][ic] * w[kr][kc] over each cell's listed terms gives torch's output."""
    for setting, result in run["contributions"]:
        x, w = np.array(setting["x"], dtype=np.float64), np.array(setting["w"], dtype=np.float64)
        expected = torch_result(setting["op"], setting["x"], setting["w"], setting["opts"])
        cells = result["ok"]
        rebuilt = np.array([[sum(x[ir, ic] * w[kr, kc] for ir, ic, kr, kc in terms) for terms in row] for row in cells])
        assert rebuilt.shape == expected.shape
        np.testing.assert_allclose(rebuilt, expected, rtol=1e-12, atol=1e-12)
        # each (input pixel, kernel tap) pair appears at most once over the whole output
        terms = [tuple(t) for row in cells for ts in row for t in ts]
        assert len(terms) == len(set(terms))


def test_invalid_settings_throw_an_error_naming_the_argument(run):
    assert len(run["invalid"]) == len(TORCH_REJECTS) + len(MODULE_REJECTS)
    for (fn, args, name), result in run["invalid"]:
        assert "error" in result, f"{fn}{args} returned {result} instead of throwing"
        assert result["isError"], (fn, args, result)
        assert name in result["error"], f"{fn}{args}: {result['error']!r} does not name {name!r}"


def test_message_format(run):
    assert run["exact"] == {"error": "stride must be an integer >= 1, got -2", "isError": True}


def torch_call(fn, args):
    """Run an entry of TORCH_REJECTS with torch (or snippets/shapes.py for the size functions)."""
    if fn == "convOutputSize":
        return conv_output_size(*args)
    if fn == "convTransposeOutputSize":
        return conv_transpose_output_size(*args)
    x, w, *rest = args
    return torch_result(fn, x, w, rest[0] if rest else {})


@pytest.mark.parametrize("fn, args, name", TORCH_REJECTS, ids=lambda v: v if isinstance(v, str) else "")
def test_torch_rejects_them_too(fn, args, name):
    with pytest.raises((RuntimeError, ValueError)):
        torch_call(fn, args)
