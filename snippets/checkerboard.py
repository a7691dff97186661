"""Checkerboard artifacts of transposed convolution (Odena, Dumoulin & Olah 2016,
"Deconvolution and Checkerboard Artifacts", https://distill.pub/2016/deconv-checkerboard/).

Input-centric view: each input pixel stamps a scaled copy of the kernel onto the output, s pixels
apart, and the stamps add up. With kernel size k and stride s, an output pixel is covered by
either floor(k/s) or ceil(k/s) stamps depending on its position modulo s; unless s divides k the
two counts differ, so even a constant input and an all-ones kernel give a periodic pattern, in 2-D
a checkerboard. Stacking layers compounds the pattern. Two fixes: choose k divisible by s, or
resize (nearest / bilinear) and then apply a stride-1 convolution.

Letters as in Dumoulin & Visin: k kernel size, s stride, n input size (pixels per side).
"""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.checkerboard, or run as a script from snippets/
    from snippets.shapes import check_int
except ModuleNotFoundError:
    from shapes import check_int


# --8<-- [start:overlap_count]
def conv_transpose1d(x, kernel, s):
    """1-D transposed convolution, no padding: x[i] stamps x[i] * kernel at i * s."""
    k = len(kernel)
    out = np.zeros((len(x) - 1) * s + k)
    for i, value in enumerate(x):
        out[i * s:i * s + k] += value * kernel
    return out


def overlap_count(k, s, n):
    """How many kernel stamps land on each output pixel: the transposed convolution of n ones
    with a kernel of k ones and stride s. Length (n - 1) * s + k, integer counts."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    return conv_transpose1d(np.ones(n), np.ones(k), s).astype(int)


def interior(k, s, n):
    """Slice of the output away from the edges: every pixel there is covered by as many stamps
    as it would be for an endless input (the first stamp that could reach it exists, and so
    does the last)."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    return slice(max(k - s, 0), min(n * s, (n - 1) * s + k))
# --8<-- [end:overlap_count]


# --8<-- [start:overlap_count_2d]
def overlap_count_2d(k, s, n):
    """2-D stamp counts for an n x n constant input and a k x k kernel: the outer product of
    the 1-D counts (a stamp covers a pixel when it covers its row and its column)."""
    counts = overlap_count(k, s, n)
    return np.outer(counts, counts)
# --8<-- [end:overlap_count_2d]


# --8<-- [start:ratio]
def max_min_ratio(values):
    """max / min of an array; inf when some pixel gets no stamp at all (k < s leaves gaps)."""
    low = values.min()
    return float(values.max() / low) if low > 0 else float("inf")


def interior_pattern(k, s, n=8):
    """The 2-D interior counts for one layer and their max/min ratio (1.0 = uniform)."""
    inner = interior(k, s, n)
    counts = overlap_count_2d(k, s, n)[inner, inner]
    return counts, max_min_ratio(counts)
# --8<-- [end:ratio]


# --8<-- [start:stacked]
def stacked_overlap(k, s, n, depth):
    """Feed a constant 1-D input through `depth` transposed convolutions (all-ones kernels,
    stride s). Returns the output and its interior slice, which shrinks by the edge effects of
    every layer: a pixel is interior if all the stamps that can reach it come from interior
    pixels of the layer below."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    depth = check_int("depth", depth, 0)
    x, first, last = np.ones(n), 0, n - 1  # interior = x[first:last + 1]
    for _ in range(depth):
        x = conv_transpose1d(x, np.ones(k), s)
        first, last = max((first - 1) * s + k, 0), min((last + 1) * s - 1, len(x) - 1)
    return x, slice(first, last + 1)


def stacked_ratio(k, s, depth, dims=2):
    """max/min of the interior after `depth` layers, in 1-D or 2-D (2-D = square of 1-D,
    because the pattern is the outer product of the 1-D one)."""
    n = 2 * k + 4  # big enough for an interior with several periods s ** depth
    while True:
        x, inner = stacked_overlap(k, s, n, depth)
        if inner.stop - inner.start >= 2 * s ** depth:
            break
        n *= 2
    values = x[inner]
    if dims == 2:
        values = np.outer(values, values)
    return max_min_ratio(values)
# --8<-- [end:stacked]


# --8<-- [start:resize_conv]
def correlate1d_valid(x, kernel):
    """Stride-1 cross-correlation, no padding (PyTorch conv1d)."""
    k = len(kernel)
    return np.array([x[j:j + k] @ kernel for j in range(len(x) - k + 1)])


def resize1d(x, s, mode="nearest"):
    """Upsample by s: nearest repeats each pixel; bilinear (here linear) interpolates with
    PyTorch's align_corners=False grid and clamps at the edges."""
    s = check_int("s", s, 1)
    if mode == "nearest":
        return np.repeat(x, s)
    if mode == "bilinear":
        src = np.clip((np.arange(len(x) * s) + 0.5) / s - 0.5, 0, len(x) - 1)
        return np.interp(src, np.arange(len(x)), x)
    raise ValueError(f"mode must be 'nearest' or 'bilinear', got {mode!r}")


def resize_conv_2d(x, s, kernel, mode="nearest"):
    """Resize-convolution: upsample a 2-D image by s, then a stride-1 valid convolution.
    Every output pixel sees the same number of input-derived pixels: no checkerboard."""
    rows = np.array([resize1d(row, s, mode) for row in x])
    up = np.array([resize1d(col, s, mode) for col in rows.T]).T
    k = kernel.shape[0]
    oh, ow = up.shape[0] - k + 1, up.shape[1] - kernel.shape[1] + 1
    out = np.zeros((oh, ow))
    for a in range(k):
        for b in range(kernel.shape[1]):
            out += kernel[a, b] * up[a:a + oh, b:b + ow]
    return out


def resize_conv_overlap_2d(k, s, n, mode="nearest"):
    """Resize-convolution of an n x n constant input with a k x k all-ones kernel."""
    k, s, n = check_int("k", k, 1), check_int("s", s, 1), check_int("n", n, 1)
    return resize_conv_2d(np.ones((n, n)), s, np.ones((k, k)), mode)
# --8<-- [end:resize_conv]


# --8<-- [start:phase_sums]
def phase_sums(kernel, s):
    """A learned kernel on a constant input: output pixels at position r (mod s) receive the
    sum of the taps kernel[r], kernel[r + s], ... The interior is uniform exactly when all s
    sums are equal; an all-ones kernel gives the overlap counts."""
    s = check_int("s", s, 1)
    kernel = np.asarray(kernel, dtype=float)
    return np.array([kernel[r::s].sum() for r in range(s)])
# --8<-- [end:phase_sums]


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert overlap_count(3, 2, 4).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1]
    assert overlap_count(4, 2, 4)[interior(4, 2, 4)].tolist() == [2] * 6
    assert overlap_count(5, 2, 4)[interior(5, 2, 4)].tolist() == [2, 3, 2, 3, 2]
    assert interior_pattern(3, 2)[1] == 4.0  # 2-D counts 1, 2, 4: a checkerboard
    assert interior_pattern(4, 2)[1] == 1.0  # k divisible by s: uniform
    assert interior_pattern(5, 2)[1] == 2.25  # counts 4, 6, 9
    assert interior_pattern(1, 2)[1] == float("inf")  # k < s leaves holes
    assert [stacked_ratio(3, 2, depth) for depth in (1, 2, 3)] == [4.0, 9.0, 25.0]  # compounds
    assert [stacked_ratio(4, 2, depth) for depth in (1, 2, 3)] == [1.0, 1.0, 1.0]
    assert stacked_ratio(1, 2, 2) == float("inf")
    for mode in ("nearest", "bilinear"):
        out = resize_conv_overlap_2d(3, 2, 5, mode)
        assert out.min() == out.max() == 9.0  # uniform: every pixel sums the 3 x 3 kernel
    assert phase_sums(np.ones(3), 2).tolist() == [2.0, 1.0]
    # --8<-- [end:examples]
    print("checkerboard: all examples hold")
