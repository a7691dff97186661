"""figures/drawings.py: every figure is well-formed, deterministic, states the sizes that
snippets.shapes computes, shows the numbers snippets.conv_numpy and snippets.checkerboard compute,
keeps its text readable in both colour schemes, and rejects bad parameters naming them."""
import ast
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from figures import REGISTRY
from figures import drawings as figures
from hooks.generated_content import DIRECTIVE, generate
from snippets.checkerboard import overlap_count, overlap_count_2d, resize_conv_overlap_2d, stacked_overlap
from snippets.conv_numpy import conv2d, conv_transpose2d
from snippets.shapes import conv_output_size, conv_transpose_output_size

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
CSS = ROOT / "docs" / "assets" / "css" / "figures.css"
ANIMATIONS_PAGE = ROOT / "docs" / "interactive" / "animations.md"

CALLS = [
    ("conv_diagram", dict(i=4, k=3)),
    ("conv_diagram", dict(i=5, k=3, s=2, p=1, values=True)),
    ("conv_diagram", dict(i=7, k=3, d=2)),
    ("transposed_diagram", dict(i=2, k=3)),
    ("transposed_diagram", dict(i=3, k=3, s=2, p=1, output_padding=1, values=True)),
    ("transposed_diagram", dict(i=3, k=3, d=2, values=True)),
    ("stamps_diagram", dict(i=4, k=3, s=2)),
    ("stamps_diagram", dict(i=(2, 3), k=3, s=2)),
    ("stamps_diagram", dict(i=3, k=3, s=2, input_label="∂L/∂y = g", output_label="∂L/∂x̃", symbol="g")),
    ("stamps_diagram", dict(i=(2, 2), k=3, s=2, input_label="x < y & z")),
    ("conv_diagram", dict(i=5, k=3, s=2, p=1, input_label="x", output_label="y = conv2d(x, w)")),
    ("overlap_map", dict(k=3, s=2)),
    ("overlap_map", dict(k=3, s=2, n=3, depth=2)),
    ("overlap_map", dict(k=1, s=2, n=4)),
    ("resize_conv_map", dict(k=3, s=2)),
    ("resize_conv_map", dict(k=3, s=2, mode="bilinear")),
    ("animation", dict(op="conv", i=6, k=3, s=2, p=1)),
    ("animation", dict(op="transposed", i=3, k=3, s=2, p=1, output_padding=1)),
    ("same_crop_diagram", dict(i=2, k=3, s=2, o=4)),
    ("same_crop_diagram", dict(i=2, k=1, s=2, o=4)),
    ("tent_diagram", dict(f=2)),
    ("tent_diagram", dict(f=3)),
    ("upsample_filter_diagram", dict(x=(1, 2, 3), w=(1, 10, 100), f=2)),
    ("deblur_diagram", dict()),
    ("transfer_diagram", dict(s=2)),
    ("transfer_diagram", dict(s=3)),
]


def draw(name, kwargs):
    return REGISTRY[f"figures.{name}"](**kwargs)


def parse(html):
    return ET.fromstring(html)  # raises on anything that is not well-formed XML


def texts(element, cls=None):
    """The text of every <text> under element (inside groups of class cls, if given)."""
    scope = element.iter() if cls is None else (
        e for g in element.iter(f"{SVG}g") if cls in g.get("class", "").split() for e in g.iter())
    return [e.text for e in scope if e.tag == f"{SVG}text"]


def grid_cells(element, cls):
    (grid,) = [g for g in element.iter(f"{SVG}g") if g.get("class") == cls]
    return [r.get("class") for r in grid.iter(f"{SVG}rect")]


@pytest.mark.parametrize("name, kwargs", CALLS, ids=lambda v: v if isinstance(v, str) else repr(v))
def test_figure_is_accessible_wellformed_and_deterministic(name, kwargs):
    html = draw(name, kwargs)
    assert html == draw(name, kwargs)
    assert "\n\n" not in html  # one raw HTML block for Markdown
    fig = parse(html)
    assert fig.tag == "figure" and fig.find("figcaption") is not None
    svg = fig.find(f"{SVG}svg")
    assert svg.get("role") == "img"
    labelled_by = svg.get("aria-labelledby").split()
    ids = {e.get("id"): e for e in svg.iter() if e.get("id")}
    assert [ids[i].tag for i in labelled_by] == [f"{SVG}title", f"{SVG}desc"]
    assert all(ids[i].text for i in labelled_by)
    # colours come from figures.css classes only, so both schemes are styled there
    assert not re.search(r'fill="#|stroke="#|style=', html)


def test_figures_are_the_same_in_a_fresh_process():
    """Two builds give identical HTML: no dependence on hash seeds or on what ran before."""
    script = ("import json, sys; from tests.test_figures import CALLS, draw; "
              "json.dump([draw(n, k) for n, k in CALLS], sys.stdout)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == [draw(n, k) for n, k in CALLS]


@pytest.mark.parametrize("i, k, s, p, d", [(4, 3, 1, 0, 1), (5, 4, 1, 2, 1), (5, 3, 2, 1, 1), (6, 3, 2, 1, 1),
                                           (7, 3, 1, 0, 2), (6, 2, 3, 2, 2), (1, 1, 1, 0, 1)])
def test_conv_diagram_sizes_and_values(i, k, s, p, d):
    o = conv_output_size(i, k, s, p, d)
    fig = parse(figures.conv_diagram(i, k, s=s, p=p, d=d, values=True))
    labels = texts(fig)
    assert f"input i = {i}" in labels and f"output o = {o}" in labels
    assert grid_cells(fig, "cf-grid-in").count("cf-in") == i * i
    assert len(grid_cells(fig, "cf-grid-in")) == (i + 2 * p) ** 2
    assert len(grid_cells(fig, "cf-grid-out")) == o * o
    x, w = figures.example_input(i), figures.example_kernel(k)
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
    assert [float(v) for v in texts(fig, "cf-v-out")] == y.ravel().tolist()
    assert [float(v) for v in texts(fig, "cf-v-in")] == x.ravel().tolist()
    assert f"o = {o}" in ET.tostring(fig.find("figcaption"), encoding="unicode")


@pytest.mark.parametrize("i, k, s, p, d, a", [(2, 3, 1, 0, 1, 0), (6, 4, 1, 2, 1, 0), (2, 3, 2, 0, 1, 0),
                                              (3, 3, 2, 1, 1, 1), (3, 3, 1, 0, 2, 0), (2, 2, 3, 1, 1, 2)])
def test_transposed_diagram_sizes_values_and_both_parameter_sets(i, k, s, p, d, a):
    o = conv_transpose_output_size(i, k, s, p, d, a)
    q = d * (k - 1) - p
    stretched = (i - 1) * s + 1
    fig = parse(figures.transposed_diagram(i, k, s=s, p=p, d=d, output_padding=a, values=True))
    labels = texts(fig)
    assert f"input i′ = {i}" in labels and f"output o′ = {o}" in labels
    cells = grid_cells(fig, "cf-grid-in")
    assert len(cells) == (stretched + 2 * q + a) ** 2
    assert cells.count("cf-in") == i * i
    assert cells.count("cf-zero") == stretched ** 2 - i * i  # s - 1 zeros between pixels
    x, w = figures.example_input(i), figures.example_kernel(k)
    y = conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p, output_padding=a, dilation=d)[0, 0]
    assert [float(v) for v in texts(fig, "cf-v-out")] == y.ravel().tolist()
    # the kernel is drawn rotated: its weights in reading order are w[::-1, ::-1]
    weights = [float(t.lstrip("×")) for t in texts(fig, "cf-kernel")]
    assert weights == w[::-1, ::-1].ravel().tolist()
    caption = ET.tostring(fig.find("figcaption"), encoding="unicode", method="text")
    assert f"i′ = {i}, k′ = {k}, s′ = {s}, p′ = {p}" in caption
    assert f"s′ − 1 = {s - 1} zero" in caption
    assert re.search(rf"(k′ − p′ − 1|d′\(k′ − 1\) − p′) = {q}\b", caption)
    assert f"convolution i = {o}, k = {k}, s = {s}, p = {p}" in caption
    assert conv_output_size(o, k, s, p, d) == i  # ...which the caption says maps o back to i
    assert caption.rstrip().endswith(f"→ o = {i}.")


@pytest.mark.parametrize("i, k, s", [(4, 3, 2), (3, 4, 2), (5, 2, 3), (3, 5, 2)])
def test_stamps_diagram_counts(i, k, s):
    o = conv_transpose_output_size(i, k, s)
    fig = parse(figures.stamps_diagram(i, k, s))
    assert f"input i′ = {i}" in texts(fig) and f"output o′ = {o}" in texts(fig)
    # the transposed convolution's own parameters carry primes (site notation)
    caption = ET.tostring(fig.find("figcaption"), encoding="unicode", method="text")
    assert f"i′ = {i}, k′ = {k}, s′ = {s} → o′ = {o}." in caption
    assert f"i′ = {i}, k′ = {k}, s′ = {s}" in fig.find(f"{SVG}svg/{SVG}title").text
    assert [int(v) for v in texts(fig, "cf-heat-v")] == overlap_count(k, s, i).tolist()
    fig2 = parse(figures.stamps_diagram((i, i + 1), k, s))
    expected = np.outer(overlap_count(k, s, i), overlap_count(k, s, i + 1))
    assert [int(v) for v in texts(fig2, "cf-heat-v")] == expected.ravel().tolist()
    assert len(grid_cells(fig2, "cf-grid-in")) == i * (i + 1)
    assert f"input i′ = {i} × {i + 1}" in texts(fig2)
    caption2 = ET.tostring(fig2.find("figcaption"), encoding="unicode", method="text")
    assert f"i′ = {i} × {i + 1}, k′ = {k}, s′ = {s}" in caption2 and "→ o′ = " in caption2


def test_stamps_diagram_names_its_grids_and_cells_after_the_labels():
    default = parse(figures.stamps_diagram(3, 3, 2))
    assert texts(default, "cf-v") == ["x₀", "x₁", "x₂"]
    assert [t for t in texts(default) if t.startswith("stamp of")] == ["stamp of x₀", "stamp of x₁", "stamp of x₂"]
    html = figures.stamps_diagram(3, 3, 2, input_label="∂L/∂y = g", output_label="∂L/∂x̃", symbol="g")
    fig = parse(html)
    labels = texts(fig)
    assert labels[0] == "∂L/∂y = g" and "∂L/∂x̃" in labels
    assert not any(t.startswith(("input", "output")) for t in labels)  # nor in the legend
    assert texts(fig, "cf-v") == ["g₀", "g₁", "g₂"]
    assert [t for t in labels if t.startswith("stamp of")] == ["stamp of g₀", "stamp of g₁", "stamp of g₂"]
    assert "x₀" not in html and "x₁" not in html
    assert [int(v) for v in texts(fig, "cf-heat-v")] == overlap_count(3, 2, 3).tolist()  # same counts
    desc = fig.find(f"{SVG}svg/{SVG}desc").text
    assert "g₀…g₂ of ∂L/∂y = g" in desc and "onto ∂L/∂x̃" in desc
    assert fig.get("id") != default.get("id")  # both can sit on one page
    # a long label widens the label column instead of running into the cells
    wide = parse(figures.stamps_diagram(3, 3, 2, output_label="∂L/∂x̃, stamps per pixel"))
    assert float(wide.find(f"{SVG}svg").get("width")) > float(default.find(f"{SVG}svg").get("width"))
    # 2-D: the two grid labels
    fig2 = parse(figures.stamps_diagram((2, 3), 3, 2, input_label="g", output_label="∂L/∂x̃"))
    assert texts(fig2)[:2] == ["g", "∂L/∂x̃"]


@pytest.mark.parametrize("i, k, s, p, a, second", [
    (7, 3, 1, 2, 0, None),  # "Full padding, no strides": k′ − p′ − 1 = 0, nothing added
    (5, 1, 1, 0, 0, None),
    (5, 3, 1, 1, 0, "padded: 7 × 7"),
    (4, 3, 1, 0, 0, "padded: 8 × 8"),
    (3, 3, 2, 2, 0, "stretched: 5 × 5"),  # zeros inserted, no padding
    (3, 3, 2, 1, 1, "stretched, padded: 8 × 8"),
    (2, 3, 2, 2, 1, "stretched, padded: 4 × 4"),  # padded by output_padding only
    (1, 1, 2, 0, 0, None),  # one pixel: nothing to insert between
])
def test_transposed_diagram_labels_the_direct_input_only_when_it_differs(i, k, s, p, a, second):
    """As conv_diagram: no "padded" label when the equivalent direct convolution adds no padding,
    no inserted zeros and no output_padding; every grid label is a title (class cf-label only)."""
    for fig in (parse(figures.transposed_diagram(i, k, s=s, p=p, output_padding=a)),
                parse(figures.animation("transposed", i, k, s=s, p=p, output_padding=a))):
        labels = [e for e in fig.iter(f"{SVG}text") if "cf-label" in e.get("class", "").split()]
        assert [e.text for e in labels][:-1] == [f"input i′ = {i}"] + ([second] if second else [])
        assert {e.get("class") for e in labels} == {"cf-label"}  # one size: no smaller sub-label


def test_conv_diagram_labels():
    fig = parse(figures.conv_diagram(5, 3, s=2, p=1, input_label="x", output_label="y"))
    labels = texts(fig)
    assert "x" in labels and "y" in labels and "padded: 7 × 7" in labels
    assert "cf-sub" not in figures.conv_diagram(5, 3, s=2, p=1)  # "padded" as large as the grid titles
    assert not any(t.startswith(("input i", "output o")) for t in labels)
    assert figures.conv_diagram(4, 3) == figures.conv_diagram(4, 3, input_label=None, output_label=None)


@pytest.mark.parametrize("k, s, n", [(3, 2, 6), (4, 2, 5), (5, 2, 4), (1, 2, 4), (3, 3, 3)])
def test_overlap_map_numbers_equal_checkerboard(k, s, n):
    fig = parse(figures.overlap_map(k, s, n=n))
    expected = overlap_count_2d(k, s, n)
    assert [int(v) for v in texts(fig, "cf-heat-v")] == expected.ravel().tolist()
    side = len(expected)
    # a transposed convolution: its own arguments and output carry primes (site notation)
    assert f"output o′ = {side} × {side}" in texts(fig)
    caption = ET.tostring(fig.find("figcaption"), encoding="unicode", method="text")
    assert f"k′ × k′ = {k} × {k} kernels" in caption and f"stride s′ = {s}," in caption
    assert f"→ output o′ = {side} × {side}." in caption
    assert f"k′ = {k}, s′ = {s}" in fig.find(f"{SVG}svg/{SVG}title").text
    assert not re.search(r"\b[kso] [=×]", caption + fig.find(f"{SVG}svg/{SVG}title").text)  # no unprimed k, s, o


@pytest.mark.parametrize("k, s, n, depth", [(3, 2, 3, 2), (4, 2, 3, 2), (3, 2, 2, 3)])
def test_overlap_map_stacked(k, s, n, depth):
    fig = parse(figures.overlap_map(k, s, n=n, depth=depth))
    line, _ = stacked_overlap(k, s, n, depth)
    assert [int(v) for v in texts(fig, "cf-heat-v")] == np.outer(line, line).astype(int).ravel().tolist()


@pytest.mark.parametrize("k, s, n, mode", [(3, 2, 6, "nearest"), (3, 2, 6, "bilinear"), (4, 3, 4, "nearest")])
def test_resize_conv_map_numbers(k, s, n, mode):
    fig = parse(figures.resize_conv_map(k, s, n=n, mode=mode))
    expected = resize_conv_overlap_2d(k, s, n, mode)
    assert np.allclose([float(v) for v in texts(fig, "cf-heat-v")], expected.ravel(), atol=0.005)
    # the upsampling factor is f (never s or k); the stride-1 convolution after it is a direct one: k, o
    side = len(expected)
    caption = ET.tostring(fig.find("figcaption"), encoding="unicode", method="text")
    assert f"{mode} upsampling of a {n} × {n} input of ones by f = {s}," in caption
    assert f"stride-1 k × k = {k} × {k} convolution" in caption and f"→ output o = {side} × {side};" in caption
    assert f"output o = {side} × {side}" in texts(fig)
    title = fig.find(f"{SVG}svg/{SVG}title").text
    assert f"f = {s}, k = {k}" in title
    assert "s =" not in caption + title + fig.find(f"{SVG}svg/{SVG}desc").text


@pytest.mark.parametrize("call, argument", [
    (lambda: figures.conv_diagram(0, 3), "i"),
    (lambda: figures.conv_diagram(4, 0), "k"),
    (lambda: figures.conv_diagram(4, 5), "k"),
    (lambda: figures.conv_diagram(4, 3, s=0), "s"),
    (lambda: figures.conv_diagram(4, 3, p=-1), "p"),
    (lambda: figures.conv_diagram(4, 3, d=0), "d"),
    (lambda: figures.conv_diagram(4.0, 3), "i"),
    (lambda: figures.conv_diagram(4, 3, values="yes"), "values"),
    (lambda: figures.conv_diagram(40, 3), "i"),
    (lambda: figures.transposed_diagram(2, 3, s=2, output_padding=2), "output_padding"),
    (lambda: figures.transposed_diagram(2, 1, p=1), "p"),
    (lambda: figures.transposed_diagram(2, True), "k"),
    (lambda: figures.stamps_diagram(0, 3, 2), "i"),
    (lambda: figures.stamps_diagram((2, 2, 2), 3, 2), "i"),
    (lambda: figures.stamps_diagram(3, 3, 0), "s"),
    (lambda: figures.stamps_diagram(3, 3, 2, input_label=""), "input_label"),
    (lambda: figures.stamps_diagram(3, 3, 2, output_label=3), "output_label"),
    (lambda: figures.stamps_diagram(3, 3, 2, symbol="grad"), "symbol"),
    (lambda: figures.stamps_diagram((2, 2), 3, 2, symbol="g"), "symbol"),
    (lambda: figures.conv_diagram(4, 3, input_label="a\nb"), "input_label"),
    (lambda: figures.overlap_map(0, 2), "k"),
    (lambda: figures.overlap_map(3, 2, depth=0), "depth"),
    (lambda: figures.overlap_map(3, 2, n=30), "n"),
    (lambda: figures.resize_conv_map(3, 2, mode="cubic"), "mode"),
    (lambda: figures.resize_conv_map(9, 2, n=2), "k"),
    (lambda: figures.animation("pool", 4, 3), "op"),
])
def test_invalid_parameters_raise_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


def scheme_colours():
    """{scheme: {--cf-name: hex}} from figures.css."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    schemes = {}
    for selector, block in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        name = re.search(r'data-md-color-scheme="(\w+)"', selector)
        if name:
            schemes[name.group(1)] = dict(re.findall(r"(--cf-[\w-]+):\s*(#[0-9a-fA-F]{6})", block))
    return schemes


def contrast(a, b):
    def luminance(colour):
        channels = [int(colour[n:n + 2], 16) / 255 for n in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_contrast_in_both_schemes():
    schemes = scheme_colours()
    assert set(schemes) == {"default", "slate"}
    for scheme, colours in schemes.items():
        for fg, bg in figures.CONTRAST_PAIRS:
            ratio = contrast(colours[fg], colours[bg])
            assert ratio >= 4.5, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1"
        assert schemes["default"].keys() == colours.keys()


def page_animations():
    calls = []
    for name, arguments in DIRECTIVE.findall(ANIMATIONS_PAGE.read_text()):
        assert name == "figures.animation"
        call = ast.parse(f"f({arguments})", mode="eval").body
        calls.append({k.arg: ast.literal_eval(k.value) for k in call.keywords})
    return calls


def test_animations_page_has_the_guides_fifteen():
    calls = page_animations()
    conv = [c for c in calls if c["op"] == "conv" and c.get("d", 1) == 1]
    transposed = [c for c in calls if c["op"] == "transposed"]
    dilated = [c for c in calls if c["op"] == "conv" and c.get("d", 1) > 1]
    assert (len(conv), len(transposed), len(dilated)) == (7, 7, 1)
    guide = [(4, 3, 1, 0), (5, 4, 1, 2), (5, 3, 1, 1), (5, 3, 1, 2), (5, 3, 2, 0), (5, 3, 2, 1), (6, 3, 2, 1)]
    assert [(c["i"], c["k"], c.get("s", 1), c.get("p", 0)) for c in conv] == guide
    assert (dilated[0]["i"], dilated[0]["k"], dilated[0]["d"]) == (7, 3, 2)
    # the n-th transposed one is the transpose of the n-th convolution: same k, s, p, input = its
    # output, and output = its input (output_padding a = (i + 2p - k) mod s, as in the guide)
    for c, t in zip(conv, transposed):
        i, k, s, p = c["i"], c["k"], c.get("s", 1), c.get("p", 0)
        assert (t["k"], t.get("s", 1), t.get("p", 0)) == (k, s, p)
        assert t["i"] == conv_output_size(i, k, s, p)
        assert t.get("output_padding", 0) == (i + 2 * p - k) % s
        assert conv_transpose_output_size(t["i"], k, s, p, 1, t.get("output_padding", 0)) == i
    for kwargs in calls:  # each renders through the hook
        args = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
        parse(generate("figures.animation", args))
    assert "\\(" not in ANIMATIONS_PAGE.read_text() and "$" not in ANIMATIONS_PAGE.read_text()


def test_animation_parameters_for_the_browser():
    for kwargs in page_animations():
        fig = parse(figures.animation(**kwargs))
        params = dict(pair.split("=") for pair in fig.get("data-anim").split(","))
        i, k, s, p, d = (kwargs.get(n, default) for n, default in (("i", 0), ("k", 0), ("s", 1), ("p", 0), ("d", 1)))
        a = kwargs.get("output_padding", 0)
        o = conv_output_size(i, k, s, p, d) if kwargs["op"] == "conv" else conv_transpose_output_size(i, k, s, p, d, a)
        assert params == {key: str(v) for key, v in dict(op=kwargs["op"], i=i, k=k, s=s, p=p, d=d, a=a, o=o,
                                                         q=p if kwargs["op"] == "conv" else d * (k - 1) - p).items()}
        controls = fig.find("div")
        assert [b.text for b in controls.iter("button")] == ["Play", "Pause", "Step"]
        assert controls.get("role") == "group" and controls.get("aria-label")
        assert f"of {o * o}:" in controls.find("span").text


def test_same_crop_diagram_keeps_what_tensorflow_keeps():
    from snippets.worked_example import conv2d_transpose_same

    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    for k in (3, 1):
        fig = parse(REGISTRY["figures.same_crop_diagram"](i=2, k=k, s=2, o=4))
        cells = grid_cells(fig, "cf-grid-out")
        kept = [float(v) for v, c in zip(texts(fig, "cf-v"), cells) if c == "cf-out"]
        assert kept == conv2d_transpose_same(x, np.ones((k, k)), 2, (4, 4)).ravel().tolist()
        assert cells.count("cf-out") == 16
    # k' = 1: the stamps reach 3 rows; the 4th row and column are appended zeros, not cropped values
    assert "cf-pad" not in grid_cells(fig, "cf-grid-out")


def test_upsample_filter_diagram_output_equals_torch():
    import torch
    import torch.nn.functional as F

    fig = parse(REGISTRY["figures.upsample_filter_diagram"](x=(1, 2, 3), w=(1, 10, 100), f=2))
    expected = F.conv_transpose1d(torch.tensor([[[1.0, 2.0, 3.0]]]), torch.tensor([[[1.0, 10.0, 100.0]]]), stride=2)
    caption = ET.tostring(fig.find("figcaption"), encoding="unicode", method="text")
    assert "(" + ", ".join(f"{v:g}" for v in expected.flatten().tolist()) + ")" in caption


def test_tent_and_deblur_diagrams_state_the_snippet_numbers():
    from snippets.bilinear import tent_1d
    from snippets.deconvolution import deconvolution_errors_1d_2d

    for f in (2, 3):
        desc = parse(REGISTRY["figures.tent_diagram"](f=f)).find(f"{SVG}svg").find(f"{SVG}desc").text
        assert ", ".join(figures._fmt(v) for v in tent_1d(f)) in desc
    caption = ET.tostring(parse(REGISTRY["figures.deblur_diagram"]()).find("figcaption"), encoding="unicode")
    assert f"{deconvolution_errors_1d_2d()['1-D transpose']:.3f}" in caption


@pytest.mark.parametrize("call, argument", [
    (lambda: REGISTRY["figures.same_crop_diagram"](i=2, k=3, s=2, o=5), "o"),
    (lambda: REGISTRY["figures.tent_diagram"](f=0), "f"),
    (lambda: REGISTRY["figures.upsample_filter_diagram"](x=(), w=(1,), f=2), "x"),
    (lambda: REGISTRY["figures.upsample_filter_diagram"](x=(1,), w=(1,), f=0), "f"),
    (lambda: REGISTRY["figures.deblur_diagram"](n=1), "n"),
    (lambda: REGISTRY["figures.transfer_diagram"](s=1), "s"),
])
def test_new_figures_reject_bad_parameters_naming_them(call, argument):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(argument)
