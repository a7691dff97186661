"""SVG figures of convolution arithmetic, drawn at build time from the reference code in snippets/.

A page asks for a figure with a line `<!-- generated: figures.NAME(param=value, ...) -->`; the
generated_content hook replaces it by what NAME returns: one `<figure>` holding an accessible
inline `<svg role="img">` (named by its `<title>`, described by its `<desc>`) and a
`<figcaption>`. Sizes come from snippets.shapes, values from snippets.conv_numpy, overlap counts
from snippets.checkerboard, so a figure cannot disagree with the code the tests check.

Static figures (for any page):
    conv_diagram(i, k, s=1, p=0, d=1, values=False, input_label=None, output_label=None)
    transposed_diagram(i, k, s=1, p=0, d=1, output_padding=0, values=False)
    stamps_diagram(i, k, s, input_label=None, output_label=None, symbol="x")
                                                   i an int: 1-D; i a pair (rows, cols): 2-D
A label argument replaces a grid's default label ("input i = 5", "output o′ = 7", ...), so a
page can name what the grids stand for (input_label="∂L/∂y = g"); symbol names the 1-D stamp
figure's input cells (g₀, g₁, ...).
    overlap_map(k, s, n=6, depth=1)           the transposed convolution's k′, s′
    resize_conv_map(k, s, n=6, mode="nearest")  s is the upsampling factor f; k the convolution's
Animated (docs/assets/js/animations.mjs steps the kernel; without JavaScript it is frame one):
    animation(op="conv" or "transposed", i, k, s=1, p=0, d=1, output_padding=0)

Colours live in docs/assets/css/figures.css (classes cf-*), one set per colour scheme.
Invalid parameters raise ValueError naming the argument. Output is deterministic.
"""
import numpy as np

from figures.svg import esc, figure, group, num, rect, slug, svg, text, text_width
from snippets.checkerboard import (max_min_ratio, overlap_count, overlap_count_2d, resize_conv_overlap_2d,
                                   stacked_overlap)
from snippets.checkerboard import interior as interior_slice
from snippets.conv_numpy import conv2d, conv_transpose2d
from snippets.shapes import check_int, conv_output_size, conv_transpose_output_size

CELL = 24  # px, one grid cell
CELL_WITH_VALUES = 34  # room for a value and a kernel weight
MARGIN = 10
GAP = 48  # between the input and the output grid (holds the arrow)
LINE = 17  # label line height
MAX_GRID = 16  # cells per side of a drawn grid: larger figures stop being readable
MAX_HEAT = 40  # cells per side of a heat map

# Text/background pairs in figures.css; tests/test_figures.py checks each is >= 4.5:1 in both schemes.
CONTRAST_PAIRS = [
    ("--cf-text", "--cf-bg"),
    *[(t, b) for t in ("--cf-cell-text", "--cf-kernel-text")
      for b in ("--cf-bg", "--cf-in", "--cf-in-hit", "--cf-out", "--cf-out-cur")],
    *[(f"--cf-h{n}-text", f"--cf-h{n}") for n in range(7)],
]


# --- checks ------------------------------------------------------------------------------------

def _check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def _check_text(name, value, default, maximum=40):
    """A label or symbol to draw: None gives the default; else a non-empty one-line string."""
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip() or "\n" in value or len(value) > maximum:
        raise ValueError(f"{name} must be a non-empty one-line string of at most {maximum} characters, "
                         f"got {value!r}")
    return value


def _cap(name, size, maximum=MAX_GRID):
    """Raise ValueError naming the argument `name` if a drawn grid would have `size` > maximum cells."""
    if size > maximum:
        raise ValueError(f"{name}: the figure would need a grid of {size} cells per side; "
                         f"at most {maximum} are drawn")


def _size(function, name, *args):
    """A size from snippets.shapes; its ValueError is re-raised naming the argument to change."""
    try:
        return function(*args)
    except ValueError as error:
        if str(error).split(" ", 1)[0] in {"i", "k", "s", "p", "d", "output_padding"}:
            raise
        raise ValueError(f"{name}: {error}") from None


# --- example values (deterministic, small integers as in Dumoulin & Visin's figures) -----------

def example_input(i):
    """An i x i input of small integers."""
    r, c = np.indices((i, i))
    return ((r * r + 3 * c + r * c + 2) % 4).astype(float)


def example_kernel(k):
    """A k x k kernel of small integers (Dumoulin & Visin's 3 x 3 kernel for k = 3)."""
    if k == 3:
        return np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=float)
    r, c = np.indices((k, k))
    return ((r + 2 * c) % 3).astype(float)


def _fmt(value):
    value = float(value)
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else f"{value:.2f}".rstrip("0")


# --- drawing blocks ------------------------------------------------------------------------------

SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _grid(x0, y0, kinds, cls="cf-grid", cell=CELL, hatch=None):
    """Row-major rects, one per cell, with class cf-<kind> (JavaScript finds a cell by its index)."""
    zero_fill = {"fill": f"url(#{hatch})"} if hatch else {}
    return group([rect(x0 + c * cell, y0 + r * cell, cell, cell, f"cf-{kind}", **(zero_fill if kind == "zero" else {}))
                  for r, row in enumerate(kinds) for c, kind in enumerate(row)], cls)


def _numbers(x0, y0, values, cell=CELL, cls="cf-v", font_size=None):
    """Centred numbers over the cells of a grid; None leaves a cell empty."""
    return group([text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, v)
                  for r, row in enumerate(values) for c, v in enumerate(row) if v is not None],
                 cls, text_anchor="middle", dominant_baseline="central",
                 font_size=font_size or min(13, round(cell * 0.5)))


def _legend(items, x0, y0, width, hatch=None):
    """Swatches with labels, flowing into rows no wider than `width`; returns (svg, height)."""
    parts, x, y = [], x0, y0
    for kind, label in items:
        w = 16 + 6 + text_width(label, 12) + 16
        if x > x0 and x + w > x0 + width:
            x, y = x0, y + 20
        parts.append(rect(x, y, 16, 16, f"cf-{kind}", fill=f"url(#{hatch})" if kind == "zero" else None))
        parts.append(text(x + 22, y + 12.5, label, font_size=12))
        x += w
    return group(parts, "cf-legend"), (y - y0 + 20 if items else 0)


def _arrow(x1, x2, y):
    return (f'<path class="cf-arrow" d="M{num(x1)} {num(y)}H{num(x2 - 2)}m-6 -5l6 5l-6 5" '
            f'fill="none" stroke="currentColor" stroke-width="1.5"/>')


def _scene(fig_id, *, left, right, kernel, legend, title, desc, hatch=False, current=(0, 0)):
    """Two labelled grids side by side (input left, output right), a kernel footprint over the
    input and one highlighted output cell. left/right: dicts with kinds, values, labels."""
    cell = CELL_WITH_VALUES if left.get("values") is not None else CELL
    cols = []
    for side in (left, right):
        n_rows, n_cols = len(side["kinds"]), len(side["kinds"][0])
        width = max([n_cols * cell] + [text_width(label) for label in side["labels"]])
        cols.append((n_rows, n_cols, width))
    label_h = LINE * max(len(left["labels"]), len(right["labels"])) + 6
    grid_h = max(cols[0][0], cols[1][0]) * cell
    total_w = max(2 * MARGIN + cols[0][2] + GAP + cols[1][2], 260)
    x_left = MARGIN
    x_right = MARGIN + cols[0][2] + GAP
    body, origins = [], []
    for side, (n_rows, n_cols, width), x_col, cls in ((left, cols[0], x_left, "cf-grid-in"),
                                                      (right, cols[1], x_right, "cf-grid-out")):
        gx = x_col + (width - n_cols * cell) / 2
        gy = MARGIN + label_h + (grid_h - n_rows * cell) / 2
        origins.append((gx, gy))
        for n, label in enumerate(side["labels"]):
            body.append(text(x_col + width / 2, gy - 8 - LINE * (len(side["labels"]) - 1 - n), label,
                             "cf-label", text_anchor="middle"))  # every line at the grid title's size
        body.append(_grid(gx, gy, side["kinds"], cls=cls, cell=cell, hatch=f"{fig_id}-hatch" if hatch else None))
    (lx, ly), (rx, ry) = origins
    # the output cell being computed, under the numbers
    body.append(rect(rx + current[1] * cell, ry + current[0] * cell, cell, cell, "cf-cur cf-cursor"))
    for side, (gx, gy), cls in zip((left, right), origins, ("cf-v cf-v-in", "cf-v cf-v-out")):
        if side.get("values") is not None:
            body.append(_numbers(gx, gy, side["values"], cell=cell, cls=cls, font_size=13))
    # kernel footprint: one outlined square per tap, moved as a group
    taps = []
    for (tr, tc), weight in kernel["taps"]:
        taps.append(rect(tc * cell, tr * cell, cell, cell))
        if weight is not None:
            taps.append(text((tc + 1) * cell - 2.5, (tr + 1) * cell - 3, "×" + weight, "cf-kw",
                             text_anchor="end", font_size=9))
    kr, kc = kernel["at"]
    body.append(group(taps, "cf-kernel", transform=f"translate({num(lx + kc * cell)} {num(ly + kr * cell)})"))
    mid = MARGIN + label_h + grid_h / 2
    body.append(_arrow(x_left + cols[0][2] + 8, x_right - 8, mid))
    legend_svg, legend_h = _legend(legend, MARGIN, MARGIN + label_h + grid_h + 14, total_w - 2 * MARGIN,
                                   hatch=f"{fig_id}-hatch" if hatch else None)
    body.append(legend_svg)
    height = MARGIN + label_h + grid_h + 14 + legend_h + MARGIN - 4
    defs = ""
    if hatch:
        defs = (f'<pattern id="{fig_id}-hatch" class="cf-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><path d="M0 0V6" stroke-width="2"/></pattern>')
    return svg(fig_id, total_w, height, title, desc, "".join(body), defs=defs)


def _caption(*sentences):
    return " ".join(sentences)


# --- convolution -----------------------------------------------------------------------------------

def _conv_parts(i, k, s, p, d, values, input_label=None, output_label=None):
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s, p, d = check_int("s", s, 1), check_int("p", p, 0), check_int("d", d, 1)
    _check_bool("values", values)
    o = _size(conv_output_size, "k", i, k, s, p, d)
    _cap("i", i + 2 * p)
    _cap("k", d * (k - 1) + 1)
    size = i + 2 * p
    kinds = [["in" if p <= r < p + i and p <= c < p + i else "pad" for c in range(size)] for r in range(size)]
    vin = vout = weights = None
    if values:
        x, w = example_input(i), example_kernel(k)
        y = conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
        vin = [[_fmt(x[r - p, c - p]) if kinds[r][c] == "in" else None for c in range(size)] for r in range(size)]
        vout = [[_fmt(v) for v in row] for row in y]
        weights = [[_fmt(v) for v in row] for row in w]
    taps = [((a * d, b * d), weights[a][b] if values else None) for a in range(k) for b in range(k)]
    params = f"i = {i}, k = {k}, s = {s}, p = {p}" + (f", d = {d}" if d > 1 else "")
    labels_in = [_check_text("input_label", input_label, f"input i = {i}")] + (
        [f"padded: {size} × {size}"] if p else [])
    label_out = _check_text("output_label", output_label, f"output o = {o}")
    legend = [("in", "input"), *([("pad", "zero padding")] if p else []), ("kernel", "kernel"),
              ("out", "output"), ("cur", "output being computed")]
    title = f"Convolution, {params}: input {i} × {i}, output {o} × {o}"
    desc = (f"The {i} × {i} input (blue)"
            + (f" inside {p} ring{'s' if p > 1 else ''} of zero padding (dashed)" if p else "")
            + f"; the {k} × {k} kernel" + (f", dilated by {d}," if d > 1 else "")
            + f" at its first position in the top-left corner, moving {s} cell{'s' if s > 1 else ''} per step;"
            + f" the {o} × {o} output (cyan) with its first cell highlighted.")
    caption = _caption(f"<strong>Convolution</strong> {esc(params)} → o = {o}.",
                       f"The kernel visits {o} × {o} = {o * o} positions: o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1.")
    return dict(i=i, k=k, s=s, p=p, d=d, o=o, params=params, left=dict(kinds=kinds, values=vin, labels=labels_in),
                right=dict(kinds=[["out"] * o for _ in range(o)], values=vout, labels=[label_out]),
                kernel=dict(taps=taps, at=(0, 0)), legend=legend, title=title, desc=desc, caption=caption,
                hatch=False)


def conv_diagram(i, k, s=1, p=0, d=1, values=False, input_label=None, output_label=None):
    """One frame of a convolution: the padded input, the kernel at its first position, the output.
    input_label / output_label replace the grids' labels "input i = …" / "output o = …"."""
    parts = _conv_parts(i, k, s, p, d, values, input_label, output_label)
    fig_id = "fig-" + slug("conv", i, k, s, p, d, "v" if values else "",
                           *(label for label in (input_label, output_label) if label is not None))
    return _figure(fig_id, parts)


def _figure(fig_id, parts, cls="cf", extra_html="", data=None):
    body = _scene(fig_id, left=parts["left"], right=parts["right"], kernel=parts["kernel"],
                  legend=parts["legend"], title=parts["title"], desc=parts["desc"], hatch=parts["hatch"])
    return figure(fig_id, body, parts["caption"], cls=cls, extra_html=extra_html, data=data)


# --- transposed convolution, drawn as the equivalent direct convolution ------------------------------

def _transposed_parts(i, k, s, p, d, output_padding, values):
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s, p, d = check_int("s", s, 1), check_int("p", p, 0), check_int("d", d, 1)
    a = check_int("output_padding", output_padding, 0)
    _check_bool("values", values)
    o = _size(conv_transpose_output_size, "p", i, k, s, p, d, a)
    q = d * (k - 1) - p  # zeros padded on each side of the stretched input
    if q < 0:
        raise ValueError(f"p = {p} is larger than d(k − 1) = {d * (k - 1)}: the equivalent direct "
                         "convolution would crop its input, which this diagram does not draw")
    stretched = (i - 1) * s + 1
    size = stretched + 2 * q + a
    _cap("i", size)
    _cap("k", d * (k - 1) + 1)
    assert size - d * (k - 1) == o  # the direct convolution's output size, stride 1

    def kind(r, c):
        rr, cc = r - q, c - q
        if not (0 <= rr < stretched and 0 <= cc < stretched):
            return "pad"
        return "zero" if rr % s or cc % s else "in"

    kinds = [[kind(r, c) for c in range(size)] for r in range(size)]
    vin = vout = weights = None
    if values:
        x, w = example_input(i), example_kernel(k)
        y = conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p, output_padding=a, dilation=d)[0, 0]
        vin = [[_fmt(x[(r - q) // s, (c - q) // s]) if kinds[r][c] == "in" else None for c in range(size)]
               for r in range(size)]
        vout = [[_fmt(v) for v in row] for row in y]
        weights = [[_fmt(v) for v in row] for row in w[::-1, ::-1]]  # the direct view rotates the kernel
    taps = [((u * d, v * d), weights[u][v] if values else None) for u in range(k) for v in range(k)]
    # the convolution this one transposes: input o, same k, s, p, d; it maps o back to i
    back = conv_output_size(o, k, s, p, d)
    assert back == i, (back, i)
    own = f"i′ = {i}, k′ = {k}, s′ = {s}, p′ = {p}" + (f", d′ = {d}" if d > 1 else "") + (
        f", output_padding a = {a}" if a else "")
    conv_params = f"i = {o}, k = {k}, s = {s}, p = {p}" + (f", d = {d}" if d > 1 else "")
    padding_rule = "k′ − p′ − 1" if d == 1 else "d′(k′ − 1) − p′"
    # what the equivalent direct convolution does to the input, if anything (as conv_diagram)
    changes = ["stretched"] * (stretched > i) + ["padded"] * (size > stretched)
    labels_in = [f"input i′ = {i}"] + ([f"{', '.join(changes)}: {size} × {size}"] if changes else [])
    legend = [("in", "input"), *([("zero", "inserted zero")] if s > 1 else []),
              *([("pad", "zero padding")] if q or a else []), ("kernel", "kernel (rotated 180°)"),
              ("out", "output"), ("cur", "output being computed")]
    title = f"Transposed convolution, {own}: input {i} × {i}, output {o} × {o}"
    desc = (f"The {i} × {i} input (blue)" + (f" with {s - 1} zero{'s' if s > 2 else ''} (hatched) inserted between "
                                             "neighbouring pixels" if s > 1 else "")
            + (f", padded by {q} zero{'s' if q > 1 else ''} (dashed) on each side" if q else "")
            + (f" and {a} more on the bottom and right" if a else "")
            + f"; the {k} × {k} kernel" + (f", dilated by {d}," if d > 1 else "")
            + f" at its first position, moving one cell per step; the {o} × {o} output (cyan).")
    caption = _caption(
        f"<strong>Transposed convolution</strong> {esc(own)} → o′ = {o}.",
        f"Computed as a direct convolution with stride 1: s′ − 1 = {s - 1} zero{'s' if s != 2 else ''} "
        f"inserted between input pixels, padding {padding_rule} = {q}"
        + (f" (plus a = {a} on the far side)" if a else "") + f", kernel {k} × {k} rotated 180°.",
        f"It is the transpose of the convolution {esc(conv_params)} → o = {i}.")
    return dict(i=i, k=k, s=s, p=p, d=d, a=a, o=o, q=q, params=own,
                left=dict(kinds=kinds, values=vin, labels=labels_in),
                right=dict(kinds=[["out"] * o for _ in range(o)], values=vout, labels=[f"output o′ = {o}"]),
                kernel=dict(taps=taps, at=(0, 0)), legend=legend, title=title, desc=desc, caption=caption,
                hatch=s > 1)


def transposed_diagram(i, k, s=1, p=0, d=1, output_padding=0, values=False):
    """One frame of a transposed convolution, drawn as the equivalent direct convolution: the input
    stretched with s - 1 inserted zeros, padded by d(k - 1) - p, the rotated kernel at its first
    position, the output."""
    parts = _transposed_parts(i, k, s, p, d, output_padding, values)
    fig_id = "fig-" + slug("tconv", i, k, s, p, d, output_padding, "v" if values else "")
    return _figure(fig_id, parts)


# --- animations -----------------------------------------------------------------------------------

def animation(op, i, k, s=1, p=0, d=1, output_padding=0):
    """conv_diagram / transposed_diagram with play, pause and step buttons; the browser computes
    the frames with convarith.mjs (docs/assets/js/animations.mjs). The page loads that module."""
    if op == "conv":
        if output_padding != 0:
            raise ValueError("output_padding applies to op='transposed' only")
        parts = _conv_parts(i, k, s, p, d, False)
        params = dict(op=op, i=parts["i"], k=k, s=s, p=p, d=d, a=0, o=parts["o"], q=p)
    elif op == "transposed":
        parts = _transposed_parts(i, k, s, p, d, output_padding, False)
        params = dict(op=op, i=parts["i"], k=k, s=s, p=p, d=d, a=parts["a"], o=parts["o"], q=parts["q"])
    else:
        raise ValueError(f"op must be 'conv' or 'transposed', got {op!r}")
    fig_id = "anim-" + slug(op, i, k, s, p, d, output_padding)
    o = params["o"]
    name = "convolution" if op == "conv" else "transposed convolution"
    controls = (
        f'<div class="cf-controls" role="group" aria-label="Animation of the {name} {esc(parts["params"])}" '
        'hidden="">'
        '<button type="button" data-action="play">Play</button>'
        '<button type="button" data-action="pause">Pause</button>'
        '<button type="button" data-action="step" aria-keyshortcuts="ArrowRight">Step</button>'
        f'<span class="cf-status">output cell 1 of {o * o}: row 1, column 1</span></div>'
    )
    data = {"anim": ",".join(f"{key}={value}" for key, value in params.items())}
    return _figure(fig_id, parts, cls="cf cf-anim", extra_html=controls, data=data)


# --- input-centric view: stamps ----------------------------------------------------------------------

def _heat_levels(values):
    """Class level 1..6 for each distinct value (0 for a pixel no stamp reaches), low to high."""
    distinct = sorted({round(float(v), 6) for v in np.ravel(values)} - {0.0})
    if len(distinct) <= 1:
        levels = {v: 3 for v in distinct}
    else:
        levels = {v: 1 + round(5 * n / (len(distinct) - 1)) for n, v in enumerate(distinct)}
    if 0 in np.round(np.asarray(values, dtype=float), 6):
        levels[0.0] = 0
    return levels


def _heat_grid(x0, y0, values, cell, levels):
    rects, numbers = [], []
    fsize = min(13, round(cell * 0.5))
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            level = levels[round(float(v), 6)]
            rects.append(rect(x0 + c * cell, y0 + r * cell, cell, cell, f"cf-h{level}"))
            numbers.append(text(x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell, _fmt(v), f"cf-h{level}-t"))
    return (group(rects, "cf-heat") + group(numbers, "cf-heat-v", text_anchor="middle",
                                             dominant_baseline="central", font_size=fsize))


def _heat_legend(levels, x0, y0, width, extra=()):
    items = [(f"h{level}", _fmt(v) + (" (no stamp)" if v == 0 else "")) for v, level in sorted(levels.items())
             if v != 0 or level == 0]
    if len(items) > 8:
        items = items[:4] + items[-4:]
    return _legend([*items, *extra], x0, y0, width)


def stamps_diagram(i, k, s, input_label=None, output_label=None, symbol="x"):
    """Input-centric (scatter) view of a transposed convolution with a k-wide kernel of ones and
    stride s (its own i′, k′, s′): each input pixel stamps a copy of the kernel onto the output,
    s pixels apart, and the stamps add up. i an int draws 1-D (one row per stamp); i a pair
    (rows, cols) draws 2-D. input_label / output_label replace the labels "input i′ = …" /
    "output o′ = …"; symbol names the 1-D input cells and their stamps (x₀, "stamp of x₀")."""
    k, s = check_int("k", k, 1), check_int("s", s, 1)
    if isinstance(i, (tuple, list)):
        if len(i) != 2:
            raise ValueError(f"i must be an int (1-D) or a pair (rows, cols) (2-D), got {i!r}")
        if symbol != "x":
            raise ValueError("symbol names the cells of the 1-D figure; the 2-D one draws no names")
        return _stamps_2d(check_int("i[0]", i[0], 1), check_int("i[1]", i[1], 1), k, s, input_label, output_label)
    i = check_int("i", i, 1)
    o = conv_transpose_output_size(i, k, s)
    _cap("i", o, 32)
    _cap("i", i, 12)
    label_in = _check_text("input_label", input_label, f"input i′ = {i}")
    label_out = _check_text("output_label", output_label, f"output o′ = {o}")
    symbol = _check_text("symbol", symbol, "x", maximum=2)
    counts = overlap_count(k, s, i)
    assert len(counts) == o
    cell = CELL if o <= 20 else 18
    names = [f"{symbol}{j}".translate(SUB) for j in range(i)]
    label_w = max([128] + [text_width(label) + 12 for label in (label_in, label_out, f"stamp of {names[-1]}")])
    width = 2 * MARGIN + label_w + o * cell
    x0, y = MARGIN + label_w, MARGIN
    body = []

    def row_label(y_row, label):
        body.append(text(MARGIN, y_row + cell / 2, label, "cf-label", dominant_baseline="central"))

    row_label(y, label_in)
    body.append(group([rect(x0 + j * s * cell, y, cell, cell, "cf-in") for j in range(i)], "cf-grid-in"))
    body.append(group([text(x0 + (j * s + 0.5) * cell, y + cell / 2, names[j]) for j in range(i)],
                      "cf-v", text_anchor="middle", dominant_baseline="central", font_size=12))
    y += cell + 10
    for j in range(i):
        row_label(y, f"stamp of {names[j]}")
        body.append(group([rect(x0 + (j * s + t) * cell, y, cell, cell, "cf-stamp") for t in range(k)]))
        y += cell + 2
    y += 8
    levels = _heat_levels(counts)
    row_label(y, label_out)
    body.append(_heat_grid(x0, y, [counts], cell, levels))
    y += cell + 14
    legend_svg, legend_h = _heat_legend(levels, MARGIN, y, width - 2 * MARGIN,
                                        extra=[("in", "input pixel" if input_label is None else label_in),
                                               ("stamp", "kernel stamp")])
    body.append(legend_svg)
    height = y + legend_h + MARGIN - 4
    custom = [text for text in (input_label, output_label) if text is not None]
    fig_id = "fig-" + slug("stamps", i, k, s, *custom, symbol if custom or symbol != "x" else "")
    counts_text = ", ".join(str(c) for c in counts)
    title = f"Stamps of a transposed convolution, i′ = {i}, k′ = {k}, s′ = {s}: output {o}"
    inputs = "input pixels" if input_label is None else f"entries {names[0]}…{names[-1]} of {label_in}"
    output = "the output" if output_label is None else label_out
    desc = (f"Each of the {i} {inputs} stamps a {k}-wide kernel onto {output}, {s} pixel{'s' if s > 1 else ''} "
            f"after the previous one; the bottom row shows how many stamps cover each pixel: {counts_text}.")
    ratio = max_min_ratio(counts[interior_slice(k, s, i)])
    verdict = ("every interior pixel is covered equally often" if ratio == 1 else
               "some pixels are covered by no stamp at all" if ratio == float("inf") else
               "interior pixels alternate between " + " and ".join(
                   str(v) for v in sorted(set(counts[interior_slice(k, s, i)].tolist()))) + " stamps")
    caption = (f"<strong>Transposed convolution as stamps</strong> i′ = {i}, k′ = {k}, s′ = {s} → o′ = {o}. "
               f"Stamps per output pixel: {counts_text}; {verdict}.")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


def _stamps_2d(ih, iw, k, s, input_label=None, output_label=None):
    oh, ow = conv_transpose_output_size(ih, k, s), conv_transpose_output_size(iw, k, s)
    _cap("i", max(oh, ow), 24)
    ones = conv_transpose2d(np.ones((1, 1, ih, iw)), np.ones((1, 1, k, k)), stride=s)[0, 0]
    counts = np.outer(overlap_count(k, s, ih), overlap_count(k, s, iw))
    assert np.array_equal(ones, counts)
    cell = CELL
    levels = _heat_levels(counts)
    label_h = LINE + 8
    label_in = _check_text("input_label", input_label, f"input i′ = {ih} × {iw}")
    label_out = _check_text("output_label", output_label, f"output o′ = {oh} × {ow}")
    in_w = max(iw * cell, text_width(label_in))
    out_w = max(ow * cell, text_width(label_out))
    width = 2 * MARGIN + in_w + GAP + out_w
    gx_in = MARGIN + (in_w - iw * cell) / 2
    gx_out = MARGIN + in_w + GAP + (out_w - ow * cell) / 2
    gy = MARGIN + label_h
    grid_h = max(ih, oh) * cell
    gy_in = gy + (grid_h - ih * cell) / 2
    body = [text(MARGIN + in_w / 2, gy_in - 8, label_in, "cf-label", text_anchor="middle"),
            text(MARGIN + in_w + GAP + out_w / 2, gy - 8, label_out, "cf-label", text_anchor="middle"),
            _grid(gx_in, gy_in, [["in"] * iw for _ in range(ih)], cls="cf-grid-in"),
            _heat_grid(gx_out, gy, counts, cell, levels)]
    outlines = []
    for r in range(ih):
        for c in range(iw):
            inset = 1.5 + 2.5 * ((r * iw + c) % 3)
            outlines.append(rect(gx_out + c * s * cell + inset, gy + r * s * cell + inset, k * cell - 2 * inset,
                                 k * cell - 2 * inset))
    body.append(group(outlines, "cf-stamp-outline"))
    body.append(_arrow(MARGIN + in_w + 8, MARGIN + in_w + GAP - 8, gy + grid_h / 2))
    legend_svg, legend_h = _heat_legend(levels, MARGIN, gy + grid_h + 14, width - 2 * MARGIN,
                                        extra=[("stamp-outline", "one stamp")])
    body.append(legend_svg)
    height = gy + grid_h + 14 + legend_h + MARGIN - 4
    fig_id = "fig-" + slug("stamps", ih, iw, k, s, *(t for t in (input_label, output_label) if t is not None))
    title = f"Stamps of a 2-D transposed convolution, input {ih} × {iw}, k′ = {k}, s′ = {s}: output {oh} × {ow}"
    desc = (f"Each input pixel stamps a {k} × {k} kernel of ones onto the {oh} × {ow} output, {s} pixels apart; "
            f"outlines mark the stamps and each output cell shows how many stamps cover it "
            f"(from {int(counts.min())} to {int(counts.max())}).")
    caption = (f"<strong>Transposed convolution as stamps</strong>, 2-D: i′ = {ih} × {iw}, k′ = {k}, s′ = {s} "
               f"→ o′ = {oh} × {ow}. Numbers: stamps per output pixel, from {int(counts.min())} to {int(counts.max())}.")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


# --- heat maps: checkerboard artifacts and resize-convolution ------------------------------------------

def _heat_figure(fig_id, values, inner, title, desc, caption, label):
    side = values.shape[0]
    cell = max(12, min(26, int(520 // side)))
    levels = _heat_levels(values)
    width = max(2 * MARGIN + side * cell, 300)
    gx, gy = (width - side * cell) / 2, MARGIN + LINE + 8
    body = [text(width / 2, gy - 8, label, "cf-label", text_anchor="middle"), _heat_grid(gx, gy, values, cell, levels)]
    extra = []
    if inner is not None and (inner.start > 0 or inner.stop < side):
        body.append(rect(gx + inner.start * cell, gy + inner.start * cell, (inner.stop - inner.start) * cell,
                         (inner.stop - inner.start) * cell, "cf-interior"))
        extra = [("interior", "interior (no edge effects)")]
    legend_svg, legend_h = _heat_legend(levels, MARGIN, gy + side * cell + 14, width - 2 * MARGIN, extra=extra)
    body.append(legend_svg)
    height = gy + side * cell + 14 + legend_h + MARGIN - 4
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


def _ratio_text(ratio):
    if ratio == float("inf"):
        return "some interior pixels get no stamp at all (k < s leaves holes)"
    if ratio == 1:
        return "the interior is uniform: no checkerboard"
    return f"interior max / min = {_fmt(ratio)}: a checkerboard"


def overlap_map(k, s, n=6, depth=1):
    """Heat map of how many kernel stamps cover each output pixel after `depth` stacked transposed
    convolutions (k x k kernels of ones, stride s) of an n x n input of ones: the checkerboard."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    depth = check_int("depth", depth, 1)
    side = n
    for _ in range(depth):
        side = (side - 1) * s + k
        if side > MAX_HEAT:
            raise ValueError(f"n = {n} and depth = {depth} (with k = {k}, s = {s}) give more than {MAX_HEAT} "
                             "pixels per side, too many to draw; lower n or depth")
    if depth == 1:
        values, inner = overlap_count_2d(k, s, n), interior_slice(k, s, n)
    else:
        line, inner = stacked_overlap(k, s, n, depth)
        values = np.outer(line, line).astype(int)
    ratio = max_min_ratio(values[inner, inner]) if inner.stop > inner.start else float("nan")
    layers = "one transposed convolution" if depth == 1 else f"{depth} stacked transposed convolutions"
    fig_id = "fig-" + slug("overlap", k, s, n, depth)
    title = f"Overlap counts of {layers}, k′ = {k}, s′ = {s}, input {n} × {n}: output {side} × {side}"
    desc = (f"Each cell shows how many kernel stamps cover that output pixel (from {_fmt(values.min())} to "
            f"{_fmt(values.max())}); {_ratio_text(ratio)}.")
    caption = (f"<strong>Overlap counts</strong> of {layers} with k′ × k′ = {k} × {k} kernels of ones and stride "
               f"s′ = {s}, on a {n} × {n} input of ones → output o′ = {side} × {side}. "
               f"{esc(_ratio_text(ratio).capitalize())}.")
    return _heat_figure(fig_id, values, inner, title, desc, caption, f"output o′ = {side} × {side}")


def resize_conv_map(k, s, n=6, mode="nearest"):
    """The same heat map for resize-convolution: upsample by the factor s (nearest or bilinear;
    the figure calls it f, as the site does), then a stride-1 k x k convolution of ones (a direct
    convolution: no primes). Every pixel gets the same count: no checkerboard."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"mode must be 'nearest' or 'bilinear', got {mode!r}")
    side = n * s - k + 1
    if side < 1:
        raise ValueError(f"k = {k} is larger than the upsampled input (n · f = {n * s})")
    if side > MAX_HEAT:
        raise ValueError(f"n: the output would have {side} pixels per side, more than {MAX_HEAT} to draw")
    values = resize_conv_overlap_2d(k, s, n, mode)
    fig_id = "fig-" + slug("resize", k, s, n, mode)
    uniform = np.allclose(values, values.flat[0])
    verdict = (f"every pixel gets {_fmt(values.flat[0])}: uniform, no checkerboard" if uniform else
               f"values from {_fmt(values.min())} to {_fmt(values.max())}")
    title = f"Resize-convolution ({mode}), f = {s}, k = {k}, input {n} × {n}: output {side} × {side}"
    desc = (f"Each cell shows the output of a {k} × {k} convolution of ones after {mode} upsampling by f = {s}; "
            f"{verdict}.")
    caption = (f"<strong>Resize-convolution</strong>: {mode} upsampling of a {n} × {n} input of ones by f = {s}, then "
               f"a stride-1 k × k = {k} × {k} convolution of ones → output o = {side} × {side}; {verdict}.")
    return _heat_figure(fig_id, values, None, title, desc, caption, f"output o = {side} × {side}")
