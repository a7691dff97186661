"""snippets.resizing against F.interpolate, tf.image.resize, jax.image.resize and ONNX Resize in
ONNX Runtime: every call of the resize matrix by value, up, down and to 1 x 1, and PyTorch's and
TensorFlow's 1-D resizes on random sizes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from snippets.frameworks import relayout, run_onnx
from snippets.resizing import (RESIZE_CALLS, RESIZE_LAYOUTS, resize2d, resize_matrix,
                               resize_table_markdown, sample_positions)

SIZES = [(13, 17), (12, 14), (3, 2), (1, 1)]  # of a 6 x 7 input: up, exactly 2x up, down, one pixel
# TensorFlow's resize and ONNX Runtime compute in float32
TOLERANCE = {"TensorFlow": 1e-5, "ONNX Runtime": 1e-5}


@pytest.fixture(scope="module")
def jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.image

    return jax


def test_every_resize_call_equals_its_numpy_resize(tf, jax, record_property):
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 7))
    namespace = {"x": x, "x_t": torch.from_numpy(x), "x_tf": relayout(x, "NCHW", "NHWC"), "F": F, "tf": tf,
                 "jax": jax, "run_onnx": run_onnx, "resize2d": resize2d}
    checked = 0
    for framework, call, numpy_call in RESIZE_CALLS:
        for size in SIZES:
            result = relayout(np.asarray(eval(call, {**namespace, "size": size})), RESIZE_LAYOUTS[framework], "NCHW")
            expected = eval(numpy_call, {**namespace, "size": size})
            np.testing.assert_allclose(result, expected, atol=TOLERANCE.get(framework, 1e-12),
                                       err_msg=f"{call} at {size}")
            checked += 1
    record_property("summary", f"resizing: {len(RESIZE_CALLS)} framework resize calls x {len(SIZES)} sizes "
                               f"(up, down, 1x1) = {checked} results equal to the NumPy coordinate transforms")


def test_table_shows_every_call():
    table = resize_table_markdown()
    assert all(f"`{call}`" in table and f"`{numpy}`" in table for _, call, numpy in RESIZE_CALLS)


def test_what_differs_and_where():
    """The differences the page names, each on the smallest example that shows it."""
    x = np.random.default_rng(0).standard_normal((1, 1, 6, 7))
    # one output pixel: PyTorch and TensorFlow sample the centre, ONNX's pytorch_half_pixel pixel 0
    assert np.allclose(F.interpolate(torch.from_numpy(x), (1, 1), mode="bilinear").numpy(),
                       resize2d(x, (1, 1), "linear"))
    assert not np.allclose(resize2d(x, (1, 1), "linear"), resize2d(x, (1, 1), "linear", transform="pytorch_half_pixel"))
    assert np.allclose(resize2d(x, (3, 4), "linear"), resize2d(x, (3, 4), "linear", transform="pytorch_half_pixel"))
    # antialias changes downsampling only, and exclude_outside matters only with antialias
    assert np.allclose(resize2d(x, (13, 17), "linear", antialias=True), resize2d(x, (13, 17), "linear"))
    assert not np.allclose(resize2d(x, (3, 2), "linear", antialias=True), resize2d(x, (3, 2), "linear"))
    assert np.allclose(resize2d(x, (3, 2), "linear", exclude_outside=True), resize2d(x, (3, 2), "linear"))
    assert not np.allclose(resize2d(x, (3, 2), "linear", antialias=True),
                           resize2d(x, (3, 2), "linear", antialias=True, exclude_outside=True))
    # PyTorch's "nearest" and TensorFlow's nearest read different pixels when upsampling 6 -> 13
    assert not np.allclose(resize2d(x, (13, 17), "nearest", transform="asymmetric"),
                           resize2d(x, (13, 17), "nearest", transform="tf_half_pixel_for_nn"))
    # the v1 default (asymmetric) shifts the image: it never reads the last pixel's right half
    assert sample_positions("asymmetric", 6, 12)[-1] == 5.5 and sample_positions("half_pixel", 6, 12)[-1] == 5.25


sizes = st.tuples(st.integers(1, 16), st.integers(1, 24))


@settings(derandomize=True, max_examples=150, deadline=None)
@given(io=sizes)
def check_1d_resizes(tf, counts, io):
    """The (o, i) matrix of each 1-D resize, read off by resizing the identity (one impulse per row)."""
    i, o = io
    eye = torch.eye(i, dtype=torch.float64)[None, None]  # (1, 1, i, i): column q is an impulse at q
    for kwargs, options in [
        (dict(mode="nearest"), dict(mode="nearest", transform="asymmetric")),
        (dict(mode="nearest-exact"), dict(mode="nearest", transform="tf_half_pixel_for_nn")),
        (dict(mode="bilinear", align_corners=False), dict(mode="linear")),
        (dict(mode="bilinear", align_corners=True), dict(mode="linear", transform="align_corners")),
        (dict(mode="bilinear", antialias=True), dict(mode="linear", antialias=True, exclude_outside=True)),
    ]:
        matrix = F.interpolate(eye, (o, i), **kwargs)[0, 0].numpy()
        np.testing.assert_allclose(matrix, resize_matrix(i, o, **options), atol=1e-12, err_msg=f"{kwargs} {i}->{o}")
    eye_tf = np.eye(i)[None, :, :, None]
    for kwargs, options in [
        (dict(), dict(mode="linear")),
        (dict(antialias=True), dict(mode="linear", antialias=True, exclude_outside=True)),
        (dict(method="nearest"), dict(mode="nearest", transform="tf_half_pixel_for_nn")),
    ]:
        matrix = tf.image.resize(eye_tf, (o, i), **kwargs).numpy()[0, :, :, 0]
        np.testing.assert_allclose(matrix, resize_matrix(i, o, **options), atol=1e-6, err_msg=f"{kwargs} {i}->{o}")
    counts["settings"] += 1


def test_1d_resizes_on_random_sizes(tf, tiny_tensor_mode, record_property):
    counts = {"settings": 0}
    check_1d_resizes(tf, counts)
    assert counts["settings"] >= 100
    record_property("summary", f"resizing: 5 F.interpolate modes and 3 tf.image.resize methods equal "
                               f"resize_matrix on {counts['settings']} random (input, output) sizes")
