"""Reader questions 3 and 12 (snippets.deconvolution): least squares undoes a convolution, Cᵀ
does not; Wiener beats the naive inverse filter on noisy data; Cᵀ(Cx) = x only for orthonormal C."""
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hooks.blocks import snippet_index
from snippets.deconvolution import (blur_circular, convolve2d, deconvolution_errors_1d_2d,
                                    deconvolve_least_squares, haar_matrix, inverse_filter,
                                    matrix_of, principal_rows, reconstruction_errors,
                                    transfer_function, wiener_errors, wiener_filter)

ROOT = Path(__file__).resolve().parents[1]
t = torch.from_numpy


def test_least_squares_recovers_x_and_the_transpose_does_not(record_property):
    e = deconvolution_errors_1d_2d()
    assert e["1-D least squares"] < 1e-12 and e["1-D pinv"] < 1e-12
    assert e["2-D least squares (full)"] < 1e-12
    assert e["1-D transpose"] > 0.5 and e["2-D transpose (full)"] > 0.5
    assert e["2-D best-scaled transpose (full)"] > 0.5  # not a matter of scale
    assert e["2-D least squares (valid)"] > 0.5  # 'valid' loses information: 36 equations, 64 unknowns
    record_property("summary", f"deconvolution of an 8x8 image: least squares error "
                               f"{e['2-D least squares (full)']:.1e}, Cᵀy error {e['2-D transpose (full)']:.2f}")


def test_wiener_beats_the_inverse_filter_on_noisy_data(record_property):
    e = wiener_errors()
    assert e["inverse filter, no noise"] < 1e-10  # dividing by H is exact without noise ...
    assert e["inverse filter"] > 5  # ... and explodes with 1% noise
    assert e["Wiener, known spectra"] < e["Wiener, nsr 0.01"] < e["blurred, noisy"] < e["inverse filter"]
    record_property("summary", f"Wiener deblurring error {e['Wiener, known spectra']:.3f} "
                               f"(constant nsr: {e['Wiener, nsr 0.01']:.3f}) vs inverse filter "
                               f"{e['inverse filter']:.1f} vs blurred {e['blurred, noisy']:.3f}")


def test_transpose_reconstructs_only_for_orthonormal_matrices(record_property):
    e = reconstruction_errors()
    assert e["Haar (orthogonal)"] < 1e-12 and e["PCA, x in the subspace"] < 1e-12
    assert e["PCA, generic x"] > 0.5 and e["blur convolution"] > 0.3
    record_property("summary", f"Cᵀ(Cx) = x for Haar (error {e['Haar (orthogonal)']:.0e}); "
                               f"for a blur convolution the error is {e['blur convolution']:.2f}")


def test_haar_is_a_stride_2_convolution_that_its_transpose_undoes():
    C = haar_matrix(8)
    np.testing.assert_allclose(C @ C.T, np.eye(8), atol=1e-15)
    w = np.array([[[1.0, 1.0]], [[1.0, -1.0]]]) / np.sqrt(2)  # (C_out 2, C_in 1, k 2)
    x = np.random.default_rng(0).standard_normal(8)
    coefficients = F.conv1d(t(x)[None, None], t(w), stride=2)  # (1, 2, 4)
    np.testing.assert_allclose(C @ x, coefficients.numpy().ravel(), atol=1e-15)
    back = F.conv_transpose1d(coefficients, t(w), stride=2)  # the "deconvolution layer"
    np.testing.assert_allclose(back.numpy().ravel(), x, atol=1e-14)


def test_convolution_matrices_and_helpers_match_numpy_and_torch():
    rng = np.random.default_rng(1)
    x, h = rng.standard_normal((5, 6)), rng.standard_normal((3, 2))
    full = F.conv_transpose2d(t(x)[None, None], t(h)[None, None])[0, 0].numpy()  # textbook full
    np.testing.assert_allclose(convolve2d(x, h), full)
    valid = F.conv2d(t(x)[None, None], t(h[::-1, ::-1].copy())[None, None])[0, 0].numpy()
    np.testing.assert_allclose(convolve2d(x, h, mode="valid"), valid)
    v, k = rng.standard_normal(7), rng.standard_normal(3)
    C = matrix_of(lambda u: np.convolve(u, k), v.shape)
    assert C.shape == (9, 7)
    np.testing.assert_allclose(C @ v, np.convolve(v, k))
    # a circular blur in the Fourier domain is circular convolution, h centred at (k_h//2, k_w//2)
    direct = sum(h[a, b] * np.roll(x, (a - 1, b - 1), axis=(0, 1)) for a in range(3) for b in range(2))
    np.testing.assert_allclose(blur_circular(x, h), direct, atol=1e-12)
    np.testing.assert_allclose(inverse_filter(blur_circular(x, np.ones((1, 1)) * 2), np.ones((1, 1)) * 2), x)
    assert abs(transfer_function(np.ones((3, 3)) / 9, (8, 8))[0, 0] - 1) < 1e-15  # blur keeps the mean


def test_principal_rows_are_orthonormal():
    data = np.random.default_rng(2).standard_normal((50, 6))
    V = principal_rows(data, 4)
    np.testing.assert_allclose(V @ V.T, np.eye(4), atol=1e-12)


@pytest.mark.parametrize("bad, word", [
    (lambda: convolve2d(np.ones(3), np.ones((2, 2))), "x"),
    (lambda: convolve2d(np.ones((3, 3)), np.ones((2, 2)), mode="same"), "mode"),
    (lambda: convolve2d(np.ones((2, 2)), np.ones((3, 3)), mode="valid"), "mode 'valid'"),
    (lambda: deconvolve_least_squares(np.ones((3, 2)), np.ones(4)), "y"),
    (lambda: deconvolve_least_squares(np.ones(3), np.ones(3)), "C"),
    (lambda: matrix_of(lambda v: v, (0,)), "input_shape"),
    (lambda: transfer_function(np.ones((5, 5)), (4, 4)), "h"),
    (lambda: wiener_filter(np.ones((4, 4)), np.ones((1, 1)), -1.0), "nsr"),
    (lambda: wiener_filter(np.ones((4, 4)), np.ones((1, 1)), np.ones(3)), "nsr"),
    (lambda: haar_matrix(7), "n"),
    (lambda: principal_rows(np.ones((5, 3)), 4), "components"),
])
def test_bad_arguments_raise_value_error_naming_them(bad, word):
    with pytest.raises(ValueError, match=rf"^{re.escape(word)}"):
        bad()


def test_sections_run_standalone():
    names = ("imports", "check", "convolve2d", "matrix_of", "least_squares", "experiments_1d_2d",
             "wiener", "experiment_wiener", "orthonormal", "experiment_orthonormal")
    namespace = {}
    for name in names:  # each experiment overwrites `errors`; check it right after
        exec(compile(snippet_index().section("snippets/deconvolution.py", name, "test").text, name, "exec"), namespace)
        if name.startswith("experiment"):
            assert len(namespace["errors"]) >= 4
