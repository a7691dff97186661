"""Figures for the pages that need more than a sliding kernel: a transposed convolution's full
result with TensorFlow's SAME crop shaded, the bilinear tent and kernel, ↑f followed by a filter in
1-D, and the deblurring demo as small bar plots. Values come from snippets/, as in drawings.py.

    same_crop_diagram(i, k, s, o)          input 1..i², k × k ones, stride s, output_shape o (SAME)
    tent_diagram(f)                        the 1-D tent and the 2-D bilinear kernel for factor f
    upsample_filter_diagram(x, w, f)       ↑f x, then the full textbook convolution with w
    deblur_diagram(n=10, seed=0)           x, Cx, Cᵀy and least squares for the (1, 2, 1)/4 blur
    transfer_diagram(s=2)                  |H(ω)| of k′ = s′ + 1 ones and of the tent, with the images
"""
import numbers

import numpy as np

from figures.drawings import (CELL, CELL_WITH_VALUES, LINE, MARGIN, _cap, _fmt, _heat_grid, _heat_levels, _legend,
                              _numbers)
from figures.svg import esc, figure, group, num, rect, slug, svg, text, text_width
from snippets.bilinear import bilinear_kernel, tent_1d
from snippets.conv_numpy import conv_transpose2d
from snippets.deconvolution import deconvolve_least_squares, matrix_of
from snippets.fractional_stride import conv_transpose1d_by_upsampling, upsample
from snippets.frequency import image_frequencies, kernel_response
from snippets.shapes import check_int, same_output_size, same_padding


def _check_numbers(name, values, maximum=8):
    """A short tuple of numbers to draw, or ValueError naming the argument."""
    if (not isinstance(values, (tuple, list)) or not 1 <= len(values) <= maximum
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)):
        raise ValueError(f"{name} must be a tuple of 1 to {maximum} numbers, got {values!r}")
    return np.array(values, dtype=float)


def _label(x, y, content, anchor="start"):
    return text(x, y, content, "cf-label", text_anchor=None if anchor == "start" else anchor,
                dominant_baseline="central")


# --- the full result and TensorFlow's SAME crop (worked example) -----------------------------------

def same_crop_diagram(i, k, s, o):
    """The full (uncropped) transposed convolution of the input 1, 2, ..., i² with a k × k kernel of
    ones at stride s, outlined stamp by stamp, with the rows and columns that TensorFlow's SAME
    padding crops for output_shape o shaded; when k < s the full result is zero-extended first."""
    i, k, s, o = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1), check_int("o", o, 1)
    if same_output_size(o, s) != i:
        raise ValueError(f"o: a SAME convolution with stride {s} maps {o} to {same_output_size(o, s)}, not i = {i}")
    x = np.arange(1.0, i * i + 1).reshape(i, i)
    full = conv_transpose2d(x[None, None], np.ones((1, 1, k, k)), stride=s)[0, 0]
    before, after = same_padding(o, k, s)
    side = before + o + after  # the SAME convolution's padded input, which the gradient fills
    _cap("o", side)
    extended = np.zeros((side, side))
    extended[: full.shape[0], : full.shape[1]] = full[:side, :side]
    kept = slice(before, before + o)
    cell = CELL_WITH_VALUES
    width = max(2 * MARGIN + side * cell, 320)
    gx, gy = (width - side * cell) / 2, MARGIN + LINE + 8
    kinds, values = [], []
    for r in range(side):
        kinds.append(["out" if before <= r < before + o and before <= c < before + o else "pad" for c in range(side)])
        values.append([_fmt(v) for v in extended[r]])
    body = [text(width / 2, gy - 8, f"full result {full.shape[0]} × {full.shape[1]}, output o′ = {o} × {o}",
                 "cf-label", text_anchor="middle"),
            group([rect(gx + c * cell, gy + r * cell, cell, cell, f"cf-{kind}")
                   for r, row in enumerate(kinds) for c, kind in enumerate(row)], "cf-grid-out"),
            _numbers(gx, gy, values, cell)]
    outlines = [rect(gx + q * s * cell + 2 + 2 * ((r * i + q) % 3), gy + r * s * cell + 2 + 2 * ((r * i + q) % 3),
                     k * cell - 4 - 4 * ((r * i + q) % 3), k * cell - 4 - 4 * ((r * i + q) % 3))
                for r in range(i) for q in range(i)]
    body.append(group(outlines, "cf-stamp-outline"))
    legend_svg, legend_h = _legend([("out", f"kept: the {o} × {o} output"), ("pad", "cropped by SAME"),
                                    ("stamp-outline", "one stamp")], MARGIN, gy + side * cell + 14, width - 2 * MARGIN)
    body.append(legend_svg)
    height = gy + side * cell + 14 + legend_h + MARGIN - 4
    extension = (f" The stamps reach only {full.shape[0]} rows, so {side - full.shape[0]} zero row(s) and column(s) "
                 f"are appended before cropping." if side > full.shape[0] else "")
    fig_id = "fig-" + slug("same-crop", i, k, s, o)
    title = f"TensorFlow's SAME crop of a transposed convolution, i′ = {i}, k′ = {k}, s′ = {s}, output {o}"
    desc = (f"The full {full.shape[0]} × {full.shape[1]} result of stamping a {k} × {k} kernel of ones for each "
            f"of the {i * i} input pixels 1 to {i * i}, {s} pixels apart. SAME padding for an output of {o} crops "
            f"{before} row(s) and column(s) at the top and left and {after} at the bottom and right; the kept "
            f"cells are the output.{extension}")
    caption = (f"<strong>Which rows TensorFlow keeps</strong>: input 1…{i * i}, k′ = {k} (ones), s′ = {s}; the full "
               f"result is {full.shape[0]} × {full.shape[1]}, and <code>same_padding({o}, {k}, {s})</code> = "
               f"({before}, {after}) crops {before} at the top and left and {after} at the bottom and right, "
               f"leaving o′ = {o} × {o}.{esc(extension)}")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


# --- the bilinear tent and kernel ---------------------------------------------------------------

def tent_diagram(f):
    """The 1-D tent of snippets.bilinear for factor f as bars, and the 2-D kernel, its outer product."""
    f = check_int("f", f, 1)
    tent, kernel = tent_1d(f), bilinear_kernel(f)
    k = len(tent)
    _cap("f", k, 12)
    cell = 44
    bar_h = 80
    width = max(2 * MARGIN + k * cell + 40, 330)
    gx = (width - k * cell) / 2
    y0 = MARGIN + LINE + 8
    base = y0 + bar_h
    bars = [rect(gx + j * cell + 6, base - v * bar_h, cell - 12, v * bar_h, "cf-in") for j, v in enumerate(tent)]
    labels = [text(gx + (j + 0.5) * cell, base - v * bar_h - 6, _fmt(v), text_anchor="middle", font_size=12)
              for j, v in enumerate(tent)]
    body = [text(width / 2, MARGIN + LINE / 2 + 2, f"1-D tent, k′ = {k} taps", "cf-label", text_anchor="middle"),
            group(bars, "cf-bars"), group(labels, "cf-v"),
            f'<path d="M{num(gx)} {num(base)}H{num(gx + k * cell)}" stroke="currentColor" fill="none"/>']
    y1 = base + 14 + LINE + 8
    body.append(text(width / 2, y1 - 8, f"2-D kernel = tent ⊗ tent, {k} × {k}", "cf-label", text_anchor="middle"))
    levels = _heat_levels(kernel)
    body.append(_heat_grid(gx, y1, kernel, cell, levels))
    height = y1 + k * cell + MARGIN
    fig_id = "fig-" + slug("tent", f)
    tent_text = ", ".join(_fmt(v) for v in tent)
    title = f"The bilinear kernel for factor f = {f}: a tent and its outer product"
    desc = (f"Bars: the {k} weights of the 1-D tent, {tent_text}, largest at the centre and falling linearly "
            f"to zero at distance f = {f}. Grid: the {k} × {k} bilinear kernel, the outer product of the tent with "
            f"itself, from {_fmt(kernel.min())} in the corners to {_fmt(kernel.max())} in the centre.")
    caption = (f"<strong>Bilinear kernel</strong>, f = {f}: the tent ({tent_text}) and the {k} × {k} kernel "
               f"<code>bilinear_kernel({f})</code>, its outer product (values rounded to two decimals).")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


# --- ↑f, then a filter (fractional stride) ------------------------------------------------------

def upsample_filter_diagram(x, w, f):
    """Three rows: x; ↑f x padded by k − 1 zeros, with the reversed kernel at its first position;
    the output, the full textbook convolution, which equals conv_transpose1d with stride f."""
    x, w, f = _check_numbers("x", x), _check_numbers("w", w, 5), check_int("f", f, 1)
    up = upsample(x, f)
    out = conv_transpose1d_by_upsampling(x, w, f)
    k = len(w)
    padded_len = len(up) + 2 * (k - 1)
    _cap("x", padded_len, 24)
    cell = CELL_WITH_VALUES
    label_w = max(text_width(t) for t in ("x", f"↑{f} x, padded", "output")) + 16
    width = 2 * MARGIN + label_w + padded_len * cell
    x0 = MARGIN + label_w
    y = MARGIN
    body = []
    # row 1: x, its samples placed where ↑f puts them
    body.append(_label(MARGIN, y + cell / 2, "x"))
    body.append(group([rect(x0 + (k - 1 + j * f) * cell, y, cell, cell, "cf-in") for j in range(len(x))], "cf-grid-in"))
    body.append(_numbers(x0 + (k - 1) * cell, y, [[_fmt(v) if j % f == 0 else None for j, v in enumerate(up)]], cell))
    y += cell + 16
    # row 2: ↑f x with k - 1 zeros of padding each side
    body.append(_label(MARGIN, y + cell / 2, f"↑{f} x, padded"))
    kinds = ["pad"] * (k - 1) + ["in" if j % f == 0 else "pad" for j in range(len(up))] + ["pad"] * (k - 1)
    body.append(group([rect(x0 + j * cell, y, cell, cell, f"cf-{kind}") for j, kind in enumerate(kinds)], "cf-grid-in"))
    body.append(_numbers(x0, y, [["0" if kind != "in" else _fmt(up[j - k + 1]) for j, kind in enumerate(kinds)]], cell))
    # the reversed kernel at its first position: tap k - 1 - t lies over padded position t
    body.append(group([rect(x0 + t * cell + 2, y + 2, cell - 4, cell - 4) for t in range(k)], "cf-kernel"))
    body.append(group([text(x0 + (t + 0.5) * cell, y - 5, "×" + _fmt(w[k - 1 - t])) for t in range(k)],
                      "cf-kw", text_anchor="middle", font_size=11))
    y += cell + 16
    # row 3: the output, one cell per kernel position
    body.append(_label(MARGIN, y + cell / 2, "output"))
    body.append(group([rect(x0 + j * cell, y, cell, cell, "cf-cur" if j == 0 else "cf-out") for j in range(len(out))],
                      "cf-grid-out"))
    body.append(_numbers(x0, y, [[_fmt(v) for v in out]], cell))
    y += cell + 14
    legend_svg, legend_h = _legend([("in", "sample of x"), ("pad", f"zero: inserted by ↑{f}, or padding"),
                                    ("kernel", "kernel, reversed"), ("out", "output")], MARGIN, y, width - 2 * MARGIN)
    body.append(legend_svg)
    height = y + legend_h + MARGIN - 4
    x_text, w_text, out_text = (", ".join(_fmt(v) for v in a) for a in (x, w, out))
    fig_id = "fig-" + slug("upfilter", *map(_fmt, x), "w", *map(_fmt, w), f)
    title = f"A transposed convolution with stride {f} as ↑{f}, then a full convolution"
    desc = (f"Top: x = {x_text}. Middle: ↑{f} x, with {f - 1} zero(s) between samples and {k - 1} zeros of padding "
            f"on each side; the kernel w = {w_text} lies over the first {k} positions reversed. Bottom: the output "
            f"{out_text}, one value per kernel position.")
    caption = (f"<strong>↑{f}, then filter</strong>: x = ({x_text}), w = ({w_text}). Sliding the reversed kernel "
               f"one new sample at a time over ↑{f} x (a stride of 1/{f} of an input sample) gives ({out_text}), "
               f"which is <code>conv_transpose1d</code> with stride {f}.")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


# --- the deblurring demo (misnomer) ----------------------------------------------------------------

def _bars(x0, y0, values, cell, scale, panel_h, cls, outline=None):
    """Bars from a zero line through the panel's middle; outline draws a second signal as frames."""
    mid = y0 + panel_h / 2
    parts = [f'<path d="M{num(x0)} {num(mid)}H{num(x0 + len(values) * cell)}" stroke="currentColor" fill="none"/>']
    bars = []
    for j, v in enumerate(values):
        h = abs(v) * scale
        bars.append(rect(x0 + j * cell + 3, mid - h if v > 0 else mid, cell - 6, max(h, 0.5), cls))
    parts.append(group(bars, "cf-bars"))
    if outline is not None:
        frames = [rect(x0 + j * cell + 1, mid - abs(v) * scale if v > 0 else mid, cell - 2, max(abs(v) * scale, 0.5))
                  for j, v in enumerate(outline)]
        parts.append(group(frames, "cf-stamp-outline"))
    return "".join(parts)


def deblur_diagram(n=10, seed=0):
    """Four bar plots on one scale: a random signal x, its full (1, 2, 1)/4 blur Cx, the transposed
    convolution Cᵀy and the least-squares deconvolution, the last two framed by x for comparison."""
    n, seed = check_int("n", n, 2), check_int("seed", seed, 0)
    _cap("n", n, 24)
    x = np.random.default_rng(seed).standard_normal(n)
    h = np.array([1.0, 2.0, 1.0]) / 4
    C = matrix_of(lambda v: np.convolve(v, h, mode="full"), x.shape)
    y = C @ x
    rows = [("x", x, "cf-in", None), ("y = Cx (blurred)", y, "cf-h2", None),
            ("Cᵀy (transposed)", C.T @ y, "cf-out", x), ("least squares", deconvolve_least_squares(C, y), "cf-in", x)]
    cell = 22
    panel_h = 70
    scale = (panel_h / 2 - 4) / max(np.abs(v).max() for _, v, _, _ in rows)
    label_w = max(text_width(name) for name, *_ in rows) + 16
    width = 2 * MARGIN + label_w + (n + 2) * cell
    x0 = MARGIN + label_w
    y0 = MARGIN
    body = []
    for name, values, cls, outline in rows:
        body.append(_label(MARGIN, y0 + panel_h / 2, name))
        body.append(_bars(x0, y0, values, cell, scale, panel_h, cls, outline))
        y0 += panel_h + 8
    legend_svg, legend_h = _legend([("stamp-outline", "x, for comparison")], MARGIN, y0 + 4, width - 2 * MARGIN)
    body.append(legend_svg)
    height = y0 + 4 + legend_h + MARGIN - 4
    error = np.linalg.norm(C.T @ y - x) / np.linalg.norm(x)
    fig_id = "fig-" + slug("deblur", n, seed)
    title = f"Deconvolution versus transposed convolution on {n} random values"
    desc = (f"Four bar plots on one scale. x: {n} random values. y = Cx: their full blur with (1, 2, 1)/4, "
            f"{len(y)} values, smoother. Cᵀy: {n} values, smaller and smoother still, relative error "
            f"{error:.3f} from x. Least squares: {n} values equal to x.")
    caption = (f"<strong>Undoing a blur</strong>: least squares recovers x exactly (its bars fill the frames of x); "
               f"the transposed convolution Cᵀy has the right length but other values (relative error "
               f"{error:.3f}).")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)


# --- transfer functions and spectral images (frequency) ---------------------------------------------

def transfer_diagram(s=2):
    """|H(ω)| on [0, 2π] for a kernel of s + 1 ones (checkerboard) and the bilinear tent for f = s
    (none), with dashed lines at the image frequencies 2πj/s where a flat input's copies land."""
    s = check_int("s", s, 2)
    _cap("s", s, 8)
    kernels = [(f"{s + 1} ones", np.ones(s + 1), "6 0"), (f"tent, f = {s}", tent_1d(s), "5 3")]
    omegas = np.linspace(0, 2 * np.pi, 121)
    curves = [(name, np.abs(kernel_response(w, omegas)), dash) for name, w, dash in kernels]
    top = max(c.max() for _, c, _ in curves)
    plot_w, plot_h = 360, 150
    x0, y0 = MARGIN + 40, MARGIN + LINE + 8
    width = x0 + plot_w + MARGIN + 10

    def point(omega, value):
        return x0 + omega / (2 * np.pi) * plot_w, y0 + plot_h - value / top * plot_h

    body = [text(x0 + plot_w / 2, MARGIN + LINE / 2 + 2, "|H(ω)|, ω from 0 to 2π", "cf-label", text_anchor="middle"),
            f'<path d="M{num(x0)} {num(y0)}V{num(y0 + plot_h)}H{num(x0 + plot_w)}" stroke="currentColor" fill="none"/>']
    for omega in image_frequencies(s):
        x = point(omega, 0)[0]
        body.append(f'<path d="M{num(x)} {num(y0)}V{num(y0 + plot_h)}" stroke="currentColor" fill="none" '
                    f'stroke-dasharray="2 3"/>')
        body.append(text(x, y0 + plot_h + 16, f"2π·{int(round(omega * s / (2 * np.pi)))}/{s}", text_anchor="middle",
                         font_size=12))
    body.append(text(x0, y0 + plot_h + 16, "0", text_anchor="middle", font_size=12))
    body.append(text(x0 - 6, y0 + 4, _fmt(top), text_anchor="end", font_size=12))
    legend_y = y0 + plot_h + 36
    for n, (name, values, dash) in enumerate(curves):
        d = "M" + "L".join(f"{num(px)} {num(py)}" for px, py in (point(o, v) for o, v in zip(omegas, values)))
        body.append(f'<path d="{d}" stroke="currentColor" fill="none" stroke-width="2" stroke-dasharray="{dash}"/>')
        lx = MARGIN + n * 180
        body.append(f'<path d="M{num(lx)} {num(legend_y)}H{num(lx + 30)}" stroke="currentColor" stroke-width="2" '
                    f'fill="none" stroke-dasharray="{dash}"/>')
        body.append(text(lx + 36, legend_y + 4, name, font_size=12))
    height = legend_y + 14 + MARGIN
    at_images = {name: np.abs(kernel_response(w, image_frequencies(s))) for name, w, _ in kernels}
    ones_text = ", ".join(_fmt(v) for v in at_images[kernels[0][0]])
    fig_id = "fig-" + slug("transfer", s)
    title = f"Transfer functions of two stride-{s} upsampling kernels"
    desc = (f"The magnitude of H(ω) from 0 to 2π for a kernel of {s + 1} ones and for the bilinear tent with f = {s}. "
            f"Dashed lines mark the image frequencies 2πj/{s}; there the tent's |H| is 0 and the ones kernel's is "
            f"{ones_text}.")
    caption = (f"<strong>Anti-imaging</strong>, s′ = {s}: the tent vanishes at every image frequency, so a flat input "
               f"stays flat; {s + 1} ones do not (|H| = {ones_text} there), and a flat input comes out striped.")
    return figure(fig_id, svg(fig_id, width, height, title, desc, "".join(body)), caption)
