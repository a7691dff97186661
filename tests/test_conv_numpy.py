"""snippets.conv_numpy equals torch.nn.functional on random settings and rejects what PyTorch
rejects, with a ValueError that names the argument."""
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from hooks.blocks import standalone_code
from tests.strategies import draw_dimension
from snippets.conv_numpy import conv2d, conv2d_im2col, conv2d_matrix, conv_transpose2d, im2col

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("tiny_tensor_mode")


def t(a):
    return None if a is None else torch.from_numpy(a)


def maybe_pair(draw, h, w):
    """PyTorch accepts an int when both dimensions agree; exercise both spellings."""
    return h if h == w and draw(st.booleans()) else (h, w)


@st.composite
def conv_settings(draw, transposed):
    g = draw(st.integers(1, 3))
    n, c_in, c_out = draw(st.integers(1, 2)), g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    dims = []
    for _ in range(2):
        dims.append(draw_dimension(draw, transposed, spare=4))
    (k_h, s_h, d_h, p_h, i_h, op_h), (k_w, s_w, d_w, p_w, i_w, op_w) = dims
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c_in, i_h, i_w))
    shape = (c_in, c_out // g, k_h, k_w) if transposed else (c_out, c_in // g, k_h, k_w)
    w = rng.standard_normal(shape)
    b = rng.standard_normal(c_out) if draw(st.booleans()) else None
    kwargs = dict(stride=maybe_pair(draw, s_h, s_w), padding=maybe_pair(draw, p_h, p_w),
                  dilation=maybe_pair(draw, d_h, d_w), groups=g)
    if transposed:
        kwargs["output_padding"] = maybe_pair(draw, op_h, op_w)
    return x, w, b, kwargs


@pytest.mark.parametrize("ours, theirs, transposed", [
    (conv2d, F.conv2d, False),
    (conv_transpose2d, F.conv_transpose2d, True),
], ids=["conv2d", "conv_transpose2d"])
def test_matches_torch_on_random_settings(ours, theirs, transposed, record_property):
    ran = []

    @settings(max_examples=1000, derandomize=True, deadline=None)
    @given(conv_settings(transposed=transposed))
    def check(setting):
        x, w, b, kwargs = setting
        expected = theirs(t(x), t(w), t(b), **kwargs).numpy()
        np.testing.assert_allclose(ours(x, w, b, **kwargs), expected, rtol=1e-10, atol=1e-12)
        ran.append(kwargs)

    check()
    assert len(ran) >= 1000
    record_property("summary", f"{len(ran)} random settings: conv_numpy.{ours.__name__} equals "
                               f"torch.nn.functional.{theirs.__name__}")


X = np.zeros((1, 2, 5, 5))
W = np.zeros((4, 2, 3, 3))  # conv2d: C_out 4, C_in 2
WT = np.zeros((2, 3, 3, 3))  # conv_transpose2d: C_in 2, C_out 3
BAD = [  # (function, args, kwargs, word the message must contain, PyTorch rejects it too)
    (conv2d, (X[0], W), {}, "x", False),  # PyTorch also takes unbatched (C, H, W); we do not
    (conv2d, (X, W[0]), {}, "w", True),
    (conv2d, (X, W), {"groups": 3}, "groups", True),
    (conv2d, (X, np.zeros((3, 1, 3, 3))), {"groups": 2}, "groups", True),
    (conv2d, (X, np.zeros((4, 1, 3, 3))), {}, "w.shape[1]", True),
    (conv2d, (X, W, np.zeros(3)), {}, "b", True),
    (conv2d, (X, W), {"stride": 0}, "stride", True),
    (conv2d, (X, W), {"stride": 1.5}, "stride", True),
    (conv2d, (X, W), {"stride": True}, "stride", True),
    (conv2d, (X, W), {"stride": (1, 2, 3)}, "stride", True),
    (conv2d, (X, W), {"padding": -1}, "padding", True),
    (conv2d, (X, W), {"padding": (0, -1)}, "padding[w]", True),
    (conv2d, (X, W), {"padding": "same"}, "padding", False),  # PyTorch's string padding: not here
    (conv2d, (X, W), {"dilation": 0}, "dilation", True),
    (conv2d, (X, W), {"dilation": (1, 0)}, "dilation[w]", True),
    (conv2d, (X, W), {"groups": 0}, "groups", True),
    (conv2d, (X, W), {"groups": 1.0}, "groups", True),
    (conv2d, (X, np.zeros((4, 2, 7, 7))), {}, "output size", True),
    (conv2d, (X, W), {"dilation": 3}, "output size", True),
    (conv_transpose2d, (X, WT), {"stride": 2, "output_padding": 2}, "output_padding", True),
    (conv_transpose2d, (X, WT), {"output_padding": 1}, "output_padding", True),
    (conv_transpose2d, (X, WT), {"stride": (1, 2), "output_padding": (1, 0)}, "output_padding", True),
    (conv_transpose2d, (X, WT), {"output_padding": -1}, "output_padding", True),
    (conv_transpose2d, (X, WT), {"output_padding": (0, 0, 0)}, "output_padding", True),
    (conv_transpose2d, (X, np.zeros((3, 3, 3, 3))), {}, "w.shape[0]", True),
    (conv_transpose2d, (X, WT, np.zeros(2)), {}, "b", True),
    (conv_transpose2d, (X, WT), {"groups": 3}, "groups", True),
    (conv_transpose2d, (X, WT), {"padding": 4}, "output size", True),
    (conv_transpose2d, (X, WT), {"stride": -1}, "stride", True),
    (conv_transpose2d, (X, WT), {"dilation": 2.0}, "dilation", True),
]


@pytest.mark.parametrize("fn, args, kwargs, word, torch_rejects", BAD,
                         ids=[f"{fn.__name__}-{word}-{i}" for i, (fn, _, _, word, _) in enumerate(BAD)])
def test_invalid_settings_raise_value_error_naming_the_argument(fn, args, kwargs, word, torch_rejects):
    with pytest.raises(ValueError) as error:
        fn(*args, **kwargs)
    assert word in str(error.value)
    if torch_rejects:
        torch_fn = {conv2d: F.conv2d, conv_transpose2d: F.conv_transpose2d}[fn]
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            torch_fn(*(t(np.asarray(a)) for a in args), **kwargs)


def test_output_padding_below_dilation_is_allowed_like_pytorch():
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2))
    kwargs = dict(stride=1, dilation=2, output_padding=1)
    expected = F.conv_transpose2d(t(x), t(w), **kwargs).numpy()
    np.testing.assert_allclose(conv_transpose2d(x, w, **kwargs), expected)


def test_conv2d_matrix_is_4x16_for_a_4x4_input_and_3x3_kernel():
    rng = np.random.default_rng(0)
    C = conv2d_matrix((4, 4), rng.standard_normal((3, 3)))
    assert C.shape == (4, 16)
    assert (C != 0).sum(axis=1).tolist() == [9, 9, 9, 9]  # every output sees 9 inputs


@pytest.mark.parametrize("i, k, s, p, d", [
    ((4, 4), (3, 3), 1, 0, 1), ((5, 4), (3, 2), 2, 1, 1), ((6, 7), (2, 3), (2, 3), (1, 2), (2, 1)),
    ((3, 3), (1, 1), 1, 0, 1), ((5, 5), (3, 3), 3, 2, 2),
])
def test_conv2d_matrix_and_its_transpose_match_torch(i, k, s, p, d):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 1, *i)), rng.standard_normal((1, 1, *k))
    C = conv2d_matrix(i, w[0, 0], s, p, d)
    y = F.conv2d(t(x), t(w), stride=s, padding=p, dilation=d).numpy()
    np.testing.assert_allclose(C @ x.ravel(), y.ravel(), atol=1e-12)
    # Cᵀ is the transposed convolution back to i, with whatever output_padding reaches i exactly
    o = y.shape[2:]
    s2, p2, d2 = (np.broadcast_to(v, 2) for v in (s, p, d))
    op = tuple(int(i[a] - ((o[a] - 1) * s2[a] - 2 * p2[a] + d2[a] * (k[a] - 1) + 1)) for a in range(2))
    back = F.conv_transpose2d(t(y), t(w), stride=s, padding=p, dilation=d, output_padding=op)
    np.testing.assert_allclose(C.T @ y.ravel(), back.numpy().ravel(), atol=1e-12)


@pytest.mark.parametrize("k, s, p, d", [(3, 1, 0, 1), ((2, 3), (2, 1), (1, 0), (1, 2)), (1, 2, 1, 1)])
def test_im2col_matches_unfold_and_conv2d_im2col_matches_conv2d(k, s, p, d):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6, 5))
    np.testing.assert_allclose(im2col(x, k, s, p, d),
                               F.unfold(t(x), k, dilation=d, padding=p, stride=s).numpy())
    w = rng.standard_normal((4, 3, *np.broadcast_to(k, 2)))
    np.testing.assert_allclose(conv2d_im2col(x, w, s, p, d),
                               F.conv2d(t(x), t(w), stride=s, padding=p, dilation=d).numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("bad, word", [
    (lambda: conv2d_matrix((4, 4), np.ones((1, 3, 3))), "w2d"),
    (lambda: conv2d_matrix((4, 4, 1), np.ones((3, 3))), "input_shape_hw"),
    (lambda: conv2d_matrix((2, 2), np.ones((3, 3))), "output size"),
    (lambda: im2col(np.ones((3, 4, 4)), 2), "x"),
    (lambda: im2col(np.ones((1, 1, 4, 4)), 0), "kernel_size"),
    (lambda: conv2d_im2col(np.ones((1, 2, 4, 4)), np.ones((1, 3, 2, 2))), "w"),
])
def test_matrix_helpers_reject_bad_arguments(bad, word):
    with pytest.raises(ValueError, match=re.escape(word)):
        bad()


def test_sections_run_standalone():
    """What a page shows runs with numpy alone (plus shapes.py's check section)."""
    code = standalone_code(*(f"snippets/conv_numpy.py:{name}" for name in
                             ("conv2d", "conv_transpose2d", "conv2d_matrix", "conv2d_im2col")))
    namespace = {}
    exec(compile(code, "standalone", "exec"), namespace)
    x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    assert namespace["conv2d"](x, w).tolist() == [[[[45.0, 54.0], [81.0, 90.0]]]]
    assert namespace["conv2d_matrix"]((4, 4), w[0, 0]).shape == (4, 16)
