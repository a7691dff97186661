"""Bilinear upsampling as a transposed convolution (FCN, Long, Shelhamer & Darrell, section 3.3).

Upsampling by an integer factor f is a stride-f transposed convolution, applied to each channel on
its own, with a fixed kernel: the outer product of two 1-D tent (triangle) kernels of size
k = 2f - f mod 2, cropped by p = ceil((f - 1) / 2) on each side so the output is exactly f times
larger. In the interior this equals PyTorch's `F.interpolate(mode="bilinear",
align_corners=False)`; at the border the transposed convolution sees zeros where interpolate
clamps to the edge pixel. `bilinear_resize` below is a NumPy re-implementation of interpolate so
this module needs no torch; the tests check it against torch.
"""
# --8<-- [start:imports]
import numbers

import numpy as np
# --8<-- [end:imports]


# --8<-- [start:check]
def check_factor(factor):
    """Return the upsampling factor as an int, or raise ValueError naming the argument."""
    if isinstance(factor, bool) or not isinstance(factor, numbers.Integral):
        raise ValueError(f"factor must be an int, got {factor!r}")
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    return int(factor)


def check_images(x):
    """Return x as a float64 (N, C, H, W) array, or raise ValueError naming the argument."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, C, H, W), got {x.ndim}-D with shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"x must hold floats, got dtype {x.dtype}")
    if x.shape[2] < 1 or x.shape[3] < 1:
        raise ValueError(f"x must have H, W >= 1, got shape {x.shape}")
    return x.astype(np.float64, copy=False)
# --8<-- [end:check]


# --8<-- [start:tent]
def tent_1d(factor):
    """1-D linear-interpolation (tent) kernel for upsampling by `factor`.

    Size k = 2f - f mod 2 (even f: 2f taps, odd f: 2f - 1). The taps sit at distances
    0.5, 1.5, ... (even f) or 0, 1, 2, ... (odd f) from the centre, and the weight falls
    linearly from 1 at the centre to 0 at distance f.
    """
    f = check_factor(factor)
    k = 2 * f - f % 2
    centre = (k - 1) / 2  # f - 0.5 for even f, f - 1 for odd f
    distance = np.abs(np.arange(k) - centre)
    return 1.0 - distance / f
# --8<-- [end:tent]


# --8<-- [start:kernel]
def bilinear_kernel(factor):
    """2-D bilinear kernel: the outer product of two tents, shape (k, k)."""
    t = tent_1d(factor)
    return np.outer(t, t)
# --8<-- [end:kernel]


# --8<-- [start:fcn_upsample_filt]
def upsample_filt(size):
    """FCN's surgery.py, verbatim: the bilinear kernel of a given size."""
    factor = (size + 1) // 2
    if size % 2 == 1:
        center = factor - 1
    else:
        center = factor - 0.5
    og = np.ogrid[:size, :size]
    return (1 - abs(og[0] - center) / factor) * (1 - abs(og[1] - center) / factor)
# --8<-- [end:fcn_upsample_filt]


# --8<-- [start:padding]
def bilinear_padding(factor):
    """p = ceil((f - 1) / 2), which is f // 2: crops the output to exactly f * i.

    Output size (i - 1) * f - 2p + k = f * i for both parities:
    even f: k = 2f, p = f/2;  odd f: k = 2f - 1, p = (f - 1)/2. No output_padding needed.
    """
    f = check_factor(factor)
    return f // 2
# --8<-- [end:padding]


# --8<-- [start:conv_transpose]
def conv_transpose2d_per_channel(x, kernel, s, p):
    """Transposed convolution of every channel of x (N, C, H, W) with one (k, k) kernel.

    Input-centric view: each input pixel stamps `x[n, c, i, j] * kernel` onto the output at
    (i * s, j * s); the stamps add up; then p rows/columns are cropped on each side.
    Channels never mix (PyTorch: groups=C).
    """
    n, c, h, w = x.shape
    k = kernel.shape[0]
    full = np.zeros((n, c, (h - 1) * s + k, (w - 1) * s + k))
    for a in range(k):  # loop over kernel taps; every input pixel is handled at once
        for b in range(k):
            full[:, :, a:a + (h - 1) * s + 1:s, b:b + (w - 1) * s + 1:s] += kernel[a, b] * x
    return full[:, :, p:full.shape[2] - p, p:full.shape[3] - p]


def bilinear_upsample_transposed(x, factor):
    """Upsample float (N, C, H, W) images by an integer factor: output (N, C, f*H, f*W), float64."""
    f = check_factor(factor)
    x = check_images(x)
    return conv_transpose2d_per_channel(x, bilinear_kernel(f), s=f, p=bilinear_padding(f))
# --8<-- [end:conv_transpose]


# --8<-- [start:zero_insertion]
def bilinear_upsample_zero_insertion(x, factor):
    """The same result as a direct convolution: insert f - 1 zeros between pixels,
    zero-pad by k - p - 1, correlate with the flipped kernel (the tent is symmetric)."""
    f = check_factor(factor)
    x = check_images(x)
    kernel = bilinear_kernel(f)[::-1, ::-1]
    k, p = kernel.shape[0], bilinear_padding(f)
    n, c, h, w = x.shape
    stuffed = np.zeros((n, c, (h - 1) * f + 1, (w - 1) * f + 1))
    stuffed[:, :, ::f, ::f] = x
    q = k - p - 1
    padded = np.pad(stuffed, ((0, 0), (0, 0), (q, q), (q, q)))
    oh, ow = padded.shape[2] - k + 1, padded.shape[3] - k + 1
    out = np.zeros((n, c, oh, ow))
    for a in range(k):
        for b in range(k):
            out += kernel[a, b] * padded[:, :, a:a + oh, b:b + ow]
    return out
# --8<-- [end:zero_insertion]


# --8<-- [start:resize]
def source_coordinates(i, factor, align_corners=False):
    """Where output pixel j samples the input, as PyTorch's bilinear interpolate defines it."""
    j = np.arange(i * factor)
    if align_corners:
        return j * ((i - 1) / (i * factor - 1)) if i * factor > 1 else np.zeros(1)
    return (j + 0.5) / factor - 0.5  # pixel centres line up; may fall outside [0, i - 1]


def interpolation_matrix(i, factor, align_corners=False):
    """(f*i, i) matrix M of 1-D linear interpolation with edge clamping: y = M @ x."""
    src = np.clip(source_coordinates(i, factor, align_corners), 0, i - 1)  # clamp, not zeros
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, i - 1)
    frac = src - lo
    m = np.zeros((i * factor, i))
    rows = np.arange(i * factor)
    np.add.at(m, (rows, lo), 1 - frac)
    np.add.at(m, (rows, hi), frac)
    return m


def bilinear_resize(x, factor, align_corners=False):
    """NumPy twin of F.interpolate(x, scale_factor=f, mode="bilinear", align_corners=...)."""
    f = check_factor(factor)
    x = check_images(x)
    mh = interpolation_matrix(x.shape[2], f, align_corners)
    mw = interpolation_matrix(x.shape[3], f, align_corners)
    return np.einsum("ai,ncij,bj->ncab", mh, x, mw)
# --8<-- [end:resize]


# --8<-- [start:replicate_fix]
def bilinear_upsample_replicate(x, factor):
    """Transposed convolution that equals interpolate(align_corners=False) everywhere:
    replicate-pad the input by 1 pixel, transposed-convolve, crop f pixels on each side.
    The padded pixel takes exactly the weight the zero used to get, and a copy of the edge
    pixel is what clamping reads."""
    f = check_factor(factor)
    x = check_images(x)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    up = bilinear_upsample_transposed(padded, f)
    return up[:, :, f:up.shape[2] - f, f:up.shape[3] - f]
# --8<-- [end:replicate_fix]


# --8<-- [start:facts]
def border_width(factor):
    """Rows (and columns) on each side where zero padding and clamping differ: the output
    pixels whose source coordinate (j + 0.5)/f - 0.5 lies before 0 (or after i - 1)."""
    f = check_factor(factor)
    src = source_coordinates(1, f)  # one input pixel is enough: the band does not depend on i
    return int(np.sum(src < 0))


def differing_rows(factor, i=8):
    """Output rows where the transposed conv and interpolate differ, on a random i x i input,
    looking at the middle columns only (the border columns differ in every row).
    Differences below 1e-12 are float64 rounding, not a different formula."""
    f = check_factor(factor)
    x = np.random.default_rng(0).standard_normal((1, 1, i, i))
    diff = np.abs(bilinear_upsample_transposed(x, f) - bilinear_resize(x, f))
    b = border_width(f)
    middle_columns = diff[0, 0, :, b:f * i - b]
    return np.flatnonzero(middle_columns.max(axis=1) > 1e-12).tolist()


def ones_border_values(factor, i=4):
    """On a constant input of ones: the transposed conv's top rows, down to the first row
    inside the border band, in a middle column (interpolate gives ones everywhere), and the
    largest difference from interpolate (at the corners)."""
    f = check_factor(factor)
    x = np.ones((1, 1, i, i))
    up = bilinear_upsample_transposed(x, f)
    column = up[0, 0, :border_width(f) + 1, f * i // 2]  # rows 0..band of a middle column
    return column.round(6).tolist(), float(np.abs(up - bilinear_resize(x, f)).max())


def interior_difference(factor, i=8, align_corners=False):
    """Max |transposed conv - interpolate| away from the border band, on a random input."""
    f = check_factor(factor)
    x = np.random.default_rng(0).standard_normal((1, 1, i, i))
    diff = np.abs(bilinear_upsample_transposed(x, f) - bilinear_resize(x, f, align_corners))
    b = border_width(f)
    return float(diff[:, :, b:f * i - b, b:f * i - b].max())


def replicate_fix_difference(factor, i=8):
    """Max |replicate-padded transposed conv - interpolate| over the whole output."""
    f = check_factor(factor)
    x = np.random.default_rng(0).standard_normal((2, 3, i, i + 1))
    return float(np.abs(bilinear_upsample_replicate(x, f) - bilinear_resize(x, f)).max())


def align_corners_true_shift(factor, i=8):
    """align_corners=True samples a different grid: source j * (i - 1)/(f*i - 1) instead of
    (j + 0.5)/f - 0.5. On a ramp input x[r] = r every method returns its source coordinate,
    so the difference there is the grid shift. Returns (largest shift inside the border band,
    the formula's edge value (f - 1)/(2f), interior pixels equal on a random input, of how many)."""
    f = check_factor(factor)
    b = border_width(f)
    ramp = np.broadcast_to(np.arange(i, dtype=float)[:, None], (1, 1, i, i))
    shift = bilinear_upsample_transposed(ramp, f) - bilinear_resize(ramp, f, align_corners=True)
    x = np.random.default_rng(0).standard_normal((1, 1, i, i))
    diff = bilinear_upsample_transposed(x, f) - bilinear_resize(x, f, align_corners=True)
    inner = (slice(None), slice(None), slice(b, f * i - b), slice(b, f * i - b))
    equal = int(np.sum(np.abs(diff[inner]) < 1e-12))
    return float(np.abs(shift[inner]).max()), (f - 1) / (2 * f), equal, diff[inner].size
# --8<-- [end:facts]


# --8<-- [start:torch_layer]
def bilinear_conv_transpose2d(channels, factor, learnable=False):
    """An nn.ConvTranspose2d that upsamples each channel bilinearly by `factor`.

    Weight (C, C, k, k): the bilinear kernel on the diagonal, zeros elsewhere, so channels do
    not mix (FCN's initialisation; `groups=C` with weight (C, 1, k, k) does the same with
    fewer weights). learnable=False freezes it (a fixed upsampler); True lets training move it,
    including into the off-diagonal weights.
    """
    import torch  # only here: the rest of this module is NumPy

    f = check_factor(factor)
    kernel = torch.from_numpy(bilinear_kernel(f))
    layer = torch.nn.ConvTranspose2d(
        channels, channels, kernel.shape[0], stride=f, padding=bilinear_padding(f), bias=False
    ).double()
    with torch.no_grad():
        layer.weight.zero_()
        for c in range(channels):
            layer.weight[c, c] = kernel
    layer.weight.requires_grad_(learnable)
    return layer
# --8<-- [end:torch_layer]


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert tent_1d(2).tolist() == [0.25, 0.75, 0.75, 0.25]
    assert tent_1d(3).round(4).tolist() == [0.3333, 0.6667, 1.0, 0.6667, 0.3333]
    assert sorted(set(bilinear_kernel(2).ravel().tolist())) == [0.0625, 0.1875, 0.5625]
    for f in (1, 2, 3, 4, 5, 16, 32):
        k = 2 * f - f % 2
        assert np.array_equal(bilinear_kernel(f), upsample_filt(k))
    assert bilinear_kernel(32).shape == (64, 64) and bilinear_padding(32) == 16  # FCN-32s
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    for f in range(1, 9):
        up = bilinear_upsample_transposed(x, f)
        assert up.shape == (2, 3, 5 * f, 4 * f)
        np.testing.assert_allclose(up, bilinear_upsample_zero_insertion(x, f), atol=1e-12)
        np.testing.assert_allclose(bilinear_upsample_replicate(x, f), bilinear_resize(x, f),
                                   atol=1e-12)
    assert border_width(2) == 1 and border_width(3) == 1 and border_width(4) == 2
    assert differing_rows(2) == [0, 15] and differing_rows(4) == [0, 1, 30, 31]
    assert ones_border_values(2) == ([0.75, 1.0], 0.4375)
    assert interior_difference(2) < 1e-12 and interior_difference(2, align_corners=True) > 0.1
    assert max(replicate_fix_difference(f) for f in (2, 3, 4)) < 1e-12  # the fix: equal everywhere
    shift, edge, equal, total = align_corners_true_shift(2, 8)
    assert 0.2 < shift < edge == 0.25 and equal == 0  # another grid: no interior pixel agrees
    # --8<-- [end:examples]
    print("bilinear: all examples hold")
