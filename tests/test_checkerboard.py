"""snippets.checkerboard against PyTorch: transposed convolutions of ones, stacked layers, and
resize-convolution."""
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from snippets.checkerboard import (
    interior,
    interior_pattern,
    overlap_count,
    overlap_count_2d,
    phase_sums,
    resize_conv_2d,
    resize_conv_overlap_2d,
    stacked_overlap,
    stacked_ratio,
)

SETTINGS = settings(derandomize=True, max_examples=60, deadline=None)


def torch_ones_transpose(k, s, n, depth=1):
    """depth transposed convolutions of an n x n input of ones with k x k kernels of ones."""
    x = torch.ones(1, 1, n, n, dtype=torch.float64)
    for _ in range(depth):
        x = F.conv_transpose2d(x, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s)
    return x[0, 0].numpy()


def test_overlap_count_is_torch(record_property):
    ran = []

    @SETTINGS
    @given(st.integers(1, 7), st.integers(1, 4), st.integers(1, 6))
    def check(k, s, n):
        counts = overlap_count(k, s, n)
        x = torch.ones(1, 1, n, dtype=torch.float64)
        w = torch.ones(1, 1, k, dtype=torch.float64)
        assert counts.tolist() == F.conv_transpose1d(x, w, stride=s)[0, 0].numpy().astype(int).tolist()
        assert np.array_equal(overlap_count_2d(k, s, n), torch_ones_transpose(k, s, n))
        # interior pixels get what an endless input gives: the taps t < k with t = o (mod s)
        inner = interior(k, s, n)
        for o in range(inner.start, inner.stop):
            assert counts[o] == len(range(o % s, k, s))
        ran.append(1)

    check()
    record_property("summary", f"checkerboard: overlap counts == torch conv_transpose of ones "
                               f"({len(ran)} random k, s, n)")


def test_named_pairs(record_property):
    assert overlap_count(3, 2, 4).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1]
    assert overlap_count(4, 2, 4).tolist() == [1, 1, 2, 2, 2, 2, 2, 2, 1, 1]
    assert overlap_count(5, 2, 4).tolist() == [1, 1, 2, 2, 3, 2, 3, 2, 2, 1, 1]
    patterns = {ks: interior_pattern(*ks) for ks in ((3, 2), (4, 2), (5, 2))}
    assert {ks: set(p[0].ravel().tolist()) for ks, p in patterns.items()} == {
        (3, 2): {1, 2, 4}, (4, 2): {4}, (5, 2): {4, 6, 9}}
    assert {ks: p[1] for ks, p in patterns.items()} == {(3, 2): 4.0, (4, 2): 1.0, (5, 2): 2.25}
    # the 2-D checkerboard: the 3/2 interior starts [[1, 2], [2, 4]] and repeats every 2 pixels
    board = patterns[(3, 2)][0]
    assert board[:2, :2].tolist() == [[1, 2], [2, 4]]
    assert np.array_equal(board[2:], board[:-2]) and np.array_equal(board[:, 2:], board[:, :-2])
    record_property("summary", "checkerboard: one layer, 2-D interior max/min: 3/2 -> 4.0, 4/2 -> 1.0, 5/2 -> 2.25")


def test_stacked_layers_compound(record_property):
    ratios = {}
    for k, s in ((3, 2), (4, 2), (5, 2)):
        for depth in (1, 2, 3):
            x, inner = stacked_overlap(k, s, 6, depth)
            y = torch_ones_transpose(k, s, 6, depth)
            assert np.array_equal(np.outer(x, x), y)  # separable: 2-D = outer product of 1-D
            values = y[inner, inner]
            # the interior is periodic with period s ** depth, so edges do not leak in
            period = s**depth
            assert np.array_equal(values[:-period], values[period:]) or len(values) <= period
            assert values.max() / values.min() == stacked_ratio(k, s, depth)
            ratios[(k, s, depth)] = (stacked_ratio(k, s, depth, dims=1), stacked_ratio(k, s, depth))
    assert ratios == {
        (3, 2, 1): (2.0, 4.0), (3, 2, 2): (3.0, 9.0), (3, 2, 3): (5.0, 25.0),
        (4, 2, 1): (1.0, 1.0), (4, 2, 2): (1.0, 1.0), (4, 2, 3): (1.0, 1.0),
        (5, 2, 1): (1.5, 2.25), (5, 2, 2): (1.6, 2.56), (5, 2, 3): (5 / 3, 25 / 9)}
    record_property("summary", "checkerboard: stacked 2-D max/min by depth 1/2/3: 3/2 -> 4, 9, 25; "
                               "4/2 -> 1, 1, 1; 5/2 -> 2.25, 2.56, 2.78")


def test_uniform_exactly_when_stride_divides_kernel(record_property):
    pairs = [(k, s) for k in range(1, 13) for s in range(1, 6)]
    for k, s in pairs:
        for depth in (1, 2):
            uniform = stacked_ratio(k, s, depth) == 1.0
            assert uniform == (k % s == 0), (k, s, depth)
    record_property("summary", f"checkerboard: interior uniform <=> s divides k ({len(pairs)} pairs, depth 1 and 2)")


def test_resize_convolution_is_uniform(record_property):
    checked = 0
    for k, s, n in ((3, 2, 5), (4, 2, 4), (5, 2, 6), (3, 3, 4)):
        ones = torch.ones(1, 1, n, n, dtype=torch.float64)
        kernel = torch.ones(1, 1, k, k, dtype=torch.float64)
        for mode in ("nearest", "bilinear"):
            extra = {} if mode == "nearest" else {"align_corners": False}
            up = F.interpolate(ones, scale_factor=s, mode=mode, **extra)
            ref = F.conv2d(up, kernel)[0, 0].numpy()
            ours = resize_conv_overlap_2d(k, s, n, mode)
            np.testing.assert_allclose(ours, ref, atol=1e-12)
            assert np.allclose(ours, k * k)  # uniform everywhere (valid convolution)
            checked += 1
    # a random image and kernel: resize-convolution matches torch too
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((5, 6)), rng.standard_normal((3, 3))
    for mode in ("nearest", "bilinear"):
        extra = {} if mode == "nearest" else {"align_corners": False}
        up = F.interpolate(torch.from_numpy(x)[None, None], scale_factor=2, mode=mode, **extra)
        np.testing.assert_allclose(resize_conv_2d(x, 2, w, mode), F.conv2d(up, torch.from_numpy(w)[None, None])[0, 0],
                                   atol=1e-12)
    record_property("summary", f"checkerboard: resize-convolution of a constant input is uniform ({checked} cases)")


def test_learned_kernel_phase_sums():
    """Any kernel on a constant input: interior values are the phase sums, periodic in s."""
    rng = np.random.default_rng(1)
    for k, s in ((3, 2), (4, 2), (5, 3)):
        kernel = rng.standard_normal(k)
        out = F.conv_transpose1d(torch.ones(1, 1, 8, dtype=torch.float64), torch.from_numpy(kernel)[None, None],
                                 stride=s)[0, 0].numpy()
        inner = interior(k, s, 8)
        sums = phase_sums(kernel, s)
        for o in range(inner.start, inner.stop):
            assert np.isclose(out[o], sums[o % s])
        # even k = 4, s = 2 (divisible) is uniform only if training keeps the phase sums equal
        assert not np.allclose(sums, sums[0])
    assert np.array_equal(phase_sums(np.ones(4), 2), [2.0, 2.0])
