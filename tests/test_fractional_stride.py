"""Reader questions 1 and 8: ↑k, ↓k and transposed convolution as a fractionally strided
convolution (snippets.fractional_stride), checked against PyTorch."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hooks.blocks import standalone_code
from snippets.fractional_stride import (conv_fractional_input_stride,
                                        conv_transpose1d_by_upsampling,
                                        conv_transpose2d_by_upsampling, convolve_full_2d,
                                        correlation_matrix, downsample, downsample_matrix,
                                        nearest_upsample, strided_correlation_matrix, upsample,
                                        upsample_matrix)

ROOT = Path(__file__).resolve().parents[1]
t = torch.from_numpy


@pytest.mark.parametrize("n, k", [(1, 1), (1, 3), (4, 2), (5, 3), (3, 4)])
def test_up_and_down_are_transposes(n, k):
    U = upsample_matrix(n, k)
    D = downsample_matrix(U.shape[0], k)
    assert np.array_equal(U.T, D)  # (↑k)ᵀ = ↓k
    assert np.array_equal(D @ U, np.eye(n))  # ↓k undoes ↑k
    x = np.arange(1.0, n + 1)
    assert np.array_equal(U @ x, upsample(x, k)) and np.array_equal(D @ (U @ x), downsample(U @ x, k))
    if k > 1 and n > 1:  # ↑k↓k only keeps every k-th sample: a projection, not the identity
        assert not np.array_equal(U @ D, np.eye(U.shape[0]))
        assert np.array_equal(U @ D @ U @ D, U @ D)


@pytest.mark.parametrize("n, k, s", [(7, 3, 2), (8, 3, 2), (9, 2, 3), (5, 5, 1), (10, 4, 4)])
def test_strided_conv_is_downsampled_stride_1_conv_and_its_transpose_upsamples(n, k, s):
    rng = np.random.default_rng(n * k * s)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    C_s = strided_correlation_matrix(n, w, s)
    np.testing.assert_allclose(C_s @ x, F.conv1d(t(x)[None, None], t(w)[None, None], stride=s)[0, 0])
    C_1 = correlation_matrix(n, w)
    U = upsample_matrix(C_s.shape[0], s)
    U = np.vstack([U, np.zeros((C_1.shape[0] - U.shape[0], U.shape[1]))])  # ↑s into C_1's outputs
    np.testing.assert_allclose(C_s.T, C_1.T @ U)  # (↓s C_1)ᵀ = C_1ᵀ ↑s
    y = rng.standard_normal(C_s.shape[0])
    # C_1ᵀ is a full convolution, so C_sᵀ y = full convolution of ↑s y; PyTorch agrees up to the
    # output_padding that reaches the original length n
    by_upsampling = conv_transpose1d_by_upsampling(y, w, s)
    np.testing.assert_allclose((C_s.T @ y)[: len(by_upsampling)], by_upsampling)
    op = n - len(by_upsampling)
    assert 0 <= op < s and np.all((C_s.T @ y)[len(by_upsampling):] == 0)
    torch_y = F.conv_transpose1d(t(y)[None, None], t(w)[None, None], stride=s, output_padding=op)
    np.testing.assert_allclose(C_s.T @ y, torch_y[0, 0])


@pytest.mark.parametrize("n, k, s", [(1, 1, 1), (3, 3, 2), (4, 2, 3), (5, 4, 2), (2, 5, 4)])
def test_transposed_conv_is_upsampling_then_full_conv_1d(n, k, s):
    rng = np.random.default_rng(n + 10 * k + 100 * s)
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    expected = F.conv_transpose1d(t(x)[None, None], t(w)[None, None], stride=s)[0, 0].numpy()
    np.testing.assert_allclose(conv_transpose1d_by_upsampling(x, w, s), expected)
    np.testing.assert_allclose(conv_fractional_input_stride(x, w, s), expected)


@pytest.mark.parametrize("shape, k, s", [((2, 2), (3, 3), 2), ((3, 2), (2, 4), 3), ((1, 4), (1, 2), 1)])
def test_transposed_conv_is_upsampling_then_full_conv_2d(shape, k, s):
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(shape), rng.standard_normal(k)
    expected = F.conv_transpose2d(t(x)[None, None], t(w)[None, None], stride=s)[0, 0].numpy()
    np.testing.assert_allclose(conv_transpose2d_by_upsampling(x, w, s), expected)
    np.testing.assert_allclose(convolve_full_2d(x, w),
                               F.conv_transpose2d(t(x)[None, None], t(w)[None, None])[0, 0])


@pytest.mark.parametrize("k", [1, 2, 3])
def test_nearest_neighbour_is_upsampling_then_ones(k, record_property):
    x1 = np.array([1.0, 2.0, 3.0, 5.0])
    x2 = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(nearest_upsample(x1, k),
                                  F.interpolate(t(x1)[None, None], scale_factor=k, mode="nearest")[0, 0])
    np.testing.assert_array_equal(nearest_upsample(x2, k),
                                  F.interpolate(t(x2)[None, None], scale_factor=k, mode="nearest")[0, 0])
    if k == 2:
        record_property("summary", "nearest-neighbour 2x upsampling = ↑2 then convolution with "
                                   "(1, 1) = F.interpolate(mode='nearest'), in 1-D and 2-D")


@pytest.mark.parametrize("bad, word", [
    (lambda: upsample_matrix(0, 2), "n"), (lambda: upsample_matrix(3, 0), "f"),
    (lambda: downsample_matrix(3, 1.5), "f"), (lambda: upsample(np.ones((2, 2, 2)), 2), "x"),
    (lambda: upsample([1.0, 2.0], True), "f"), (lambda: downsample([], 2), "z"),
    (lambda: correlation_matrix(2, [1.0, 2.0, 3.0]), "n"),
    (lambda: strided_correlation_matrix(5, [1.0, 1.0], 0), "s"),
    (lambda: conv_transpose1d_by_upsampling([1.0], [[1.0]], 2), "w"),
    (lambda: conv_transpose2d_by_upsampling(np.ones((2, 2)), np.ones((2, 2)), -1), "s"),
    (lambda: nearest_upsample(np.ones((1, 1, 2)), 2), "x"),
    (lambda: conv_fractional_input_stride([1.0, 2.0], [1.0], 0), "f"),
])
def test_bad_arguments_raise_value_error_naming_them(bad, word):
    with pytest.raises(ValueError, match=rf"^{word} "):
        bad()


def test_sections_run_standalone():
    code = standalone_code(*(f"snippets/fractional_stride.py:{name}" for name in
                             ("up_down", "strided_conv_matrices", "transposed_as_upsampling", "nearest",
                              "fractional_input_stride")))
    namespace = {}
    exec(compile(code, "standalone", "exec"), namespace)
    assert namespace["nearest_upsample"](np.array([1.0, 2.0])).tolist() == [1, 1, 2, 2]
