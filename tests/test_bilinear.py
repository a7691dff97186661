"""snippets.bilinear against FCN's upsample_filt and PyTorch (conv_transpose2d, interpolate)."""
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from snippets.bilinear import (
    bilinear_kernel,
    align_corners_true_shift,
    bilinear_conv_transpose2d,
    bilinear_padding,
    bilinear_resize,
    bilinear_upsample_replicate,
    bilinear_upsample_transposed,
    bilinear_upsample_zero_insertion,
    border_width,
    differing_rows,
    interior_difference,
    ones_border_values,
    replicate_fix_difference,
    tent_1d,
    upsample_filt,
)
from tests.conftest import ROOT

SETTINGS = settings(derandomize=True, max_examples=40, deadline=None)


def torch_grouped(x, f):
    """F.conv_transpose2d with groups=C and weight (C, 1, k, k)."""
    c = x.shape[1]
    w = torch.from_numpy(bilinear_kernel(f)).expand(c, 1, -1, -1).contiguous()
    return F.conv_transpose2d(torch.from_numpy(x), w, stride=f, padding=bilinear_padding(f), groups=c)


def torch_diagonal(x, f):
    """F.conv_transpose2d with weight (C, C, k, k): identity over channels times the kernel."""
    c = x.shape[1]
    w = torch.einsum("ab,kl->abkl", torch.eye(c, dtype=torch.float64), torch.from_numpy(bilinear_kernel(f)))
    return F.conv_transpose2d(torch.from_numpy(x), w, stride=f, padding=bilinear_padding(f))


def interpolate(x, f, align_corners=False):
    return F.interpolate(torch.from_numpy(x), scale_factor=f, mode="bilinear", align_corners=align_corners).numpy()


def test_kernel_is_fcn_upsample_filt(record_property):
    factors = range(1, 65)
    for f in factors:
        size = 2 * f - f % 2
        assert np.array_equal(bilinear_kernel(f), upsample_filt(size)), f
        assert (size + 1) // 2 == f  # FCN recovers the factor from the size
        # each of the f phases of the tent sums to 1, so a constant input stays constant inside
        assert np.allclose([tent_1d(f)[r::f].sum() for r in range(f)], 1.0)
    record_property("summary", f"bilinear: kernel == FCN upsample_filt for f = 1..{max(factors)}")


def test_kernel_facts():
    assert sorted(set(bilinear_kernel(2).ravel().tolist())) == [0.0625, 0.1875, 0.5625]
    assert tent_1d(2).tolist() == [0.25, 0.75, 0.75, 0.25]
    shapes = {f: (bilinear_kernel(f).shape[0], bilinear_padding(f)) for f in (2, 3, 4, 16, 32)}
    assert shapes == {2: (4, 1), 3: (5, 1), 4: (8, 2), 16: (32, 8), 32: (64, 16)}  # FCN-32s: 64/32/16
    assert bilinear_kernel(1).tolist() == [[1.0]]


def test_output_size_every_factor(record_property):
    """(i - 1) f - 2 ceil((f - 1)/2) + (2f - f mod 2) = f i: no output_padding needed."""
    checked = 0
    for f in range(1, 129):
        k, p = 2 * f - f % 2, bilinear_padding(f)
        assert p == -(-(f - 1) // 2)
        for i in (1, 2, 3, 7):
            assert (i - 1) * f - 2 * p + k == f * i
            checked += 1
        x = torch.zeros(1, 1, 2, 3, dtype=torch.float64)
        w = torch.zeros(1, 1, k, k, dtype=torch.float64)
        assert F.conv_transpose2d(x, w, stride=f, padding=p).shape == (1, 1, 2 * f, 3 * f)
    for f in (*range(1, 13), 16, 32):
        assert bilinear_upsample_transposed(np.ones((1, 2, 2, 3)), f).shape == (1, 2, 2 * f, 3 * f)
    record_property("summary", f"bilinear: output f*i for f = 1..128 ({checked} sizes, torch shapes too)")


def test_matches_torch_grouped_and_diagonal(record_property):
    ran = []

    @SETTINGS
    @given(st.integers(1, 8), st.integers(1, 2), st.integers(1, 3), st.integers(1, 5), st.integers(1, 5),
           st.integers(0, 2**32 - 1))
    def check(f, n, c, h, w, seed):
        x = np.random.default_rng(seed).standard_normal((n, c, h, w))
        ours = bilinear_upsample_transposed(x, f)
        assert ours.shape == (n, c, f * h, f * w)
        np.testing.assert_allclose(ours, torch_grouped(x, f).numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours, torch_diagonal(x, f).numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours, bilinear_upsample_zero_insertion(x, f), rtol=0, atol=1e-12)
        # per channel: changing one channel changes only that channel's output
        y = x.copy()
        y[:, 0] += 1.0
        assert np.array_equal(bilinear_upsample_transposed(y, f)[:, 1:], ours[:, 1:])
        ran.append(f)

    check()
    record_property("summary", f"bilinear: NumPy == torch groups=C == diagonal weight == zero insertion "
                               f"({len(ran)} random settings)")


@pytest.mark.parametrize("bad", [2.0, True, 0, -1, "2", None, np.float64(2)])
def test_invalid_factor(bad):
    for call in (lambda: bilinear_kernel(bad), lambda: bilinear_upsample_transposed(np.ones((1, 1, 2, 2)), bad)):
        with pytest.raises(ValueError, match="factor"):
            call()


@pytest.mark.parametrize("bad", [np.ones((2, 2)), np.ones((1, 2, 2)), np.ones((1, 1, 1, 2, 2)),
                                 np.ones((1, 1, 2, 2), dtype=int), np.ones((1, 1, 2, 2), dtype=bool),
                                 np.ones((1, 1, 2, 2), dtype=complex), np.ones((1, 1, 0, 2))])
def test_invalid_x(bad):
    with pytest.raises(ValueError, match="x"):
        bilinear_upsample_transposed(bad, 2)


def test_accepts_numpy_ints_and_float32():
    out = bilinear_upsample_transposed(np.ones((1, 1, 2, 2), dtype=np.float32), np.int64(2))
    assert out.shape == (1, 1, 4, 4) and out.dtype == np.float64


def test_numpy_resize_is_interpolate(record_property):
    ran = []

    @SETTINGS
    @given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 6), st.booleans(), st.integers(0, 2**32 - 1))
    def check(f, h, w, align_corners, seed):
        x = np.random.default_rng(seed).standard_normal((1, 2, h, w))
        np.testing.assert_allclose(bilinear_resize(x, f, align_corners), interpolate(x, f, align_corners),
                                   rtol=0, atol=1e-12)
        ran.append(1)

    check()
    record_property("summary", f"bilinear: NumPy bilinear_resize == F.interpolate ({len(ran)} random settings)")


def test_border_against_interpolate(record_property):
    """Zero padding vs clamping: only a band of floor(f/2) rows/columns on each side differs."""
    assert [border_width(f) for f in range(1, 9)] == [0, 1, 1, 2, 2, 3, 3, 4]
    assert differing_rows(2) == [0, 15]
    assert differing_rows(3) == [0, 23]
    assert differing_rows(4) == [0, 1, 30, 31]
    # the same measured directly in torch, on ones and on a random input
    for f, rows, row_values, max_diff in ((2, [0, 15], [0.75], 0.4375), (3, [0, 23], [2 / 3], 5 / 9),
                                          (4, [0, 1, 30, 31], [0.625, 0.875], 0.609375)):
        ones = np.ones((1, 1, 8, 8))
        up = torch_grouped(ones, f).numpy()[0, 0]
        diff = np.abs(up - interpolate(ones, f)[0, 0])
        assert np.flatnonzero(diff[:, 4 * f] > 1e-12).tolist() == rows
        np.testing.assert_allclose(up[:len(row_values), 4 * f], row_values, atol=1e-15)
        np.testing.assert_allclose(diff.max(), max_diff, atol=1e-15)  # at the corners: 1 - w**2
        np.testing.assert_allclose(up[0, 0], (1 - max_diff), atol=1e-15)
        assert ones_border_values(f)[1] == pytest.approx(max_diff, abs=1e-15)
    assert ones_border_values(2) == ([0.75, 1.0], 0.4375)
    assert ones_border_values(4) == ([0.625, 0.875, 1.0], 0.609375)
    record_property("summary", "bilinear: vs interpolate, ones input: border 0.75 (f=2), 0.625/0.875 (f=4); "
                               "max diff 0.4375 (f=2), 0.609375 (f=4)")


def test_interior_equals_interpolate(record_property):
    worst = 0.0
    for f in range(1, 9):
        for i in (1, 2, 5, 8):
            x = np.random.default_rng(f * 10 + i).standard_normal((1, 3, i, i))
            b = border_width(f)
            diff = np.abs(torch_grouped(x, f).numpy() - interpolate(x, f))[:, :, b:f * i - b, b:f * i - b]
            if diff.size:
                worst = max(worst, float(diff.max()))
        assert interior_difference(f) < 1e-12
    assert worst < 1e-12
    record_property("summary", f"bilinear: interior == interpolate for f = 1..8 (max diff {worst:.1e})")


def test_replicate_fix_is_interpolate(record_property):
    ran, worst = [], 0.0

    @SETTINGS
    @given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
    def check(f, h, w, seed):
        nonlocal worst
        x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
        ref = interpolate(x, f)
        ours = bilinear_upsample_replicate(x, f)
        padded = F.pad(torch.from_numpy(x), (1, 1, 1, 1), mode="replicate").numpy()
        theirs = torch_grouped(padded, f).numpy()[:, :, f:-f, f:-f]
        worst = max(worst, float(np.abs(ours - ref).max()), float(np.abs(theirs - ref).max()))
        assert worst < 1e-12
        ran.append(f)

    check()
    for f in (2, 3, 4):
        assert replicate_fix_difference(f) < 1e-12
    # bit-exact for power-of-two factors on integer-valued inputs (every weight is dyadic);
    # odd factors (weights k/f) agree only up to float64 rounding
    xi = np.random.default_rng(0).integers(-8, 8, (2, 3, 5, 6)).astype(float)
    for f in (1, 2, 4, 8):
        assert np.array_equal(bilinear_upsample_replicate(xi, f), interpolate(xi, f))
    assert not np.array_equal(bilinear_upsample_replicate(xi, 3), interpolate(xi, 3))
    record_property("summary", f"bilinear: replicate-pad + crop == interpolate everywhere, f = 1..8 "
                               f"({len(ran)} random settings, max diff {worst:.1e})")


def test_align_corners_true_is_another_grid(record_property):
    for f in range(2, 9):
        for i in (7, 8):
            shift, edge, equal, total = align_corners_true_shift(f, i)
            assert 0.2 < shift < edge  # up to (f - 1)/(2f) input pixels, largest at the edges
            assert equal == (1 if (f * i) % 2 else 0)  # only the centre pixel, when f*i is odd
            x = np.random.default_rng(i).standard_normal((1, 1, i, i))
            b = border_width(f)
            diff = np.abs(torch_grouped(x, f).numpy() - interpolate(x, f, True))[0, 0, b:f * i - b, b:f * i - b]
            assert np.sum(diff < 1e-12) == equal
    shift2 = align_corners_true_shift(2, 8)
    assert shift2[0] == pytest.approx(13 / 60) and shift2[1] == 0.25
    record_property("summary", f"bilinear: align_corners=True differs in the interior (f=2, i=8: grid "
                               f"shift {shift2[0]:.4f} px, max diff {interior_difference(2, 8, True):.3f})")


def test_fixed_and_learned_layer():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    fixed = bilinear_conv_transpose2d(3, 4)
    assert not fixed.weight.requires_grad and fixed.weight.shape == (3, 3, 8, 8)
    np.testing.assert_allclose(fixed(torch.from_numpy(x)).detach().numpy(),
                               bilinear_upsample_transposed(x, 4), atol=1e-12)
    learned = bilinear_conv_transpose2d(3, 2, learnable=True)
    assert learned.weight.requires_grad
    out = learned(torch.from_numpy(x))
    (out**2).sum().backward()
    grad = learned.weight.grad
    assert grad is not None and grad[0, 1].abs().max() > 0  # training can start mixing channels
    with torch.no_grad():
        learned.weight -= 0.01 * grad
    assert not np.allclose(learned(torch.from_numpy(x)).detach().numpy(), bilinear_upsample_transposed(x, 2))


def test_importable_without_torch():
    code = "import sys, snippets.bilinear, snippets.checkerboard; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
