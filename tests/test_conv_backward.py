"""snippets.conv_backward equals torch.autograd on random settings and central finite differences
on a few, and rejects bad input with a ValueError that names the argument."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from hooks.blocks import standalone_code
from tests.strategies import draw_dimension
from snippets.conv_backward import (backward_gemm, col2im, conv2d_backward,
                                    conv_transpose2d_backward, forward_gemm, weight_gemm)
from snippets.conv_numpy import conv2d, conv_transpose2d, im2col

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("tiny_tensor_mode")


def maybe_pair(draw, h, w):
    """Both spellings: an int when both dimensions agree, else an (h, w) pair."""
    return h if h == w and draw(st.booleans()) else (h, w)


@st.composite
def backward_settings(draw, transposed):
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dims = []
    for _ in range(2):
        dims.append(draw_dimension(draw, transposed, spare=5))
    (k_h, s_h, d_h, p_h, i_h, op_h), (k_w, s_w, d_w, p_w, i_w, op_w) = dims
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c_in, i_h, i_w))
    w = rng.standard_normal((c_in, c_out, k_h, k_w) if transposed else (c_out, c_in, k_h, k_w))
    kwargs = dict(stride=maybe_pair(draw, s_h, s_w), padding=maybe_pair(draw, p_h, p_w),
                  dilation=maybe_pair(draw, d_h, d_w))
    if transposed:
        kwargs["output_padding"] = maybe_pair(draw, op_h, op_w)
    return x, w, kwargs, rng


def autograd(function, x, w, grad_out, kwargs):
    """(dL/dx, dL/dW, dL/db) from torch.autograd for L = <grad_out, function(x, w, b)>."""
    tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
    c_out = w.shape[1] if function is F.conv_transpose2d else w.shape[0]
    tb = torch.zeros(c_out, dtype=torch.float64, requires_grad=True)
    y = function(tx, tw, tb, **kwargs)
    assert y.shape == grad_out.shape
    return [g.numpy() for g in torch.autograd.grad(y, (tx, tw, tb), torch.from_numpy(grad_out))]


@pytest.mark.parametrize("backward, forward, torch_forward, examples, at_least", [
    (conv2d_backward, conv2d, F.conv2d, 600, 500),
    (conv_transpose2d_backward, conv_transpose2d, F.conv_transpose2d, 300, 250),
], ids=["conv2d", "conv_transpose2d"])
def test_backward_matches_autograd(backward, forward, torch_forward, examples, at_least,
                                   record_property):
    ran = []

    @settings(max_examples=examples, derandomize=True, deadline=None)
    @given(backward_settings(transposed=forward is conv_transpose2d))
    def check(setting):
        x, w, kwargs, rng = setting
        grad_out = rng.standard_normal(forward(x, w, **kwargs).shape)
        expected = autograd(torch_forward, x, w, grad_out, kwargs)
        for ours, theirs in zip(backward(x, w, grad_out, **kwargs), expected):
            assert ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
        ran.append(kwargs)

    check()
    assert len(ran) >= at_least
    record_property("summary", f"{len(ran)} random settings: {backward.__name__} equals "
                               "torch.autograd (dL/dx, dL/dW, dL/db)")


def numeric_gradient(loss, array, h=1e-6):
    """Central finite differences of loss() with respect to every entry of array (in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + h
        plus = loss()
        array[index] = saved - h
        minus = loss()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


FINITE_DIFFERENCE_SETTINGS = [  # (x shape, w shape, stride, padding, dilation)
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0, 1),
    ((2, 2, 6, 5), (3, 2, 3, 2), 2, 1, 1),  # the stride skips the last row
    ((1, 3, 7, 7), (2, 3, 2, 3), (2, 3), (0, 2), (2, 1)),
    ((2, 1, 5, 6), (1, 1, 2, 2), 3, 2, 2),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", FINITE_DIFFERENCE_SETTINGS)
def test_conv2d_backward_matches_central_finite_differences(x_shape, w_shape, stride, padding,
                                                            dilation, record_property):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    settings_ = dict(stride=stride, padding=padding, dilation=dilation)
    target = rng.standard_normal(conv2d(x, w, **settings_).shape)

    def loss():  # a non-linear loss: half the squared error, so dL/dy = y - target
        return 0.5 * np.sum((conv2d(x, w, b, **settings_) - target) ** 2)

    grad_out = conv2d(x, w, b, **settings_) - target
    gx, gw, gb = conv2d_backward(x, w, grad_out, **settings_)
    for ours, array in ((gx, x), (gw, w), (gb, b)):
        np.testing.assert_allclose(ours, numeric_gradient(loss, array), rtol=1e-6, atol=1e-7)
    if x_shape == FINITE_DIFFERENCE_SETTINGS[-1][0]:
        entries = sum(np.prod(s) for s, *_ in FINITE_DIFFERENCE_SETTINGS) + sum(
            np.prod(s) + s[0] for _, s, *_ in FINITE_DIFFERENCE_SETTINGS)
        record_property("summary", f"{len(FINITE_DIFFERENCE_SETTINGS)} settings: conv2d_backward "
                                   f"equals central finite differences on all {entries} entries")


def test_conv_transpose2d_backward_matches_central_finite_differences():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 2, 3, 4)), rng.standard_normal((2, 3, 3, 2))
    b = rng.standard_normal(3)
    settings_ = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2))
    target = rng.standard_normal(conv_transpose2d(x, w, **settings_).shape)

    def loss():
        return 0.5 * np.sum((conv_transpose2d(x, w, b, **settings_) - target) ** 2)

    grad_out = conv_transpose2d(x, w, b, **settings_) - target
    for ours, array in zip(conv_transpose2d_backward(x, w, grad_out, **settings_), (x, w, b)):
        np.testing.assert_allclose(ours, numeric_gradient(loss, array), rtol=1e-6, atol=1e-7)


def test_skipped_rows_get_zero_gradient_and_the_shape_of_x():
    """i=5, k=2, s=2: the windows start at rows 0 and 2; row 4 is never read."""
    gx, _, _ = conv2d_backward(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)),
                               stride=2)
    assert gx.shape == (1, 1, 5, 5)
    assert gx[0, 0, :4, :4].tolist() == np.ones((4, 4)).tolist()
    assert not gx[0, 0, 4].any() and not gx[0, 0, :, 4].any()


def test_weight_gradient_sums_over_every_position_the_kernel_visited():
    """One output pixel of gradient 1 at (r, q): dL/dW is the window that pixel saw."""
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    grad_out = np.zeros((1, 1, 3, 3))
    grad_out[0, 0, 1, 2] = 1.0
    _, gw, gb = conv2d_backward(x, np.zeros((1, 1, 2, 2)), grad_out, stride=2)
    assert gw[0, 0].tolist() == x[0, 0, 2:4, 4:6].tolist() and gb.tolist() == [1.0]
    _, gw_all, _ = conv2d_backward(x, np.zeros((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2)
    assert gw_all[0, 0].tolist() == [[x[0, 0, 0::2, 0::2].sum(), x[0, 0, 0::2, 1::2].sum()],
                                     [x[0, 0, 1::2, 0::2].sum(), x[0, 0, 1::2, 1::2].sum()]]


X, W = np.zeros((2, 3, 6, 6)), np.zeros((4, 3, 3, 3))
G = np.zeros((2, 4, 4, 4))  # conv2d(X, W) is (2, 4, 4, 4)
XT, WT = np.zeros((2, 3, 3, 3)), np.zeros((3, 2, 3, 3))
GT = np.zeros((2, 2, 5, 5))  # conv_transpose2d(XT, WT) is (2, 2, 5, 5)
BAD = [  # (function, args, kwargs, words the message must contain)
    (conv2d_backward, (X[0], W, G), {}, "x"),
    (conv2d_backward, (X, W[0], G), {}, "w"),
    (conv2d_backward, (X, W[:, :2], G), {}, "w.shape[1]"),
    (conv2d_backward, (X, W, G[0]), {}, "grad_out"),
    (conv2d_backward, (X, W, G[:, :3]), {}, "grad_out"),
    (conv2d_backward, (X, W, G[..., :3]), {}, "grad_out"),
    (conv2d_backward, (X, W, G), {"stride": 2}, "grad_out"),  # (2, 4, 2, 2) expected
    (conv2d_backward, (X, W, G), {"stride": 0}, "stride"),
    (conv2d_backward, (X, W, G), {"stride": 1.5}, "stride"),
    (conv2d_backward, (X, W, G), {"padding": -1}, "padding"),
    (conv2d_backward, (X, W, G), {"padding": (0, 1, 2)}, "padding"),
    (conv2d_backward, (X, W, G), {"dilation": (1, 0)}, "dilation[w]"),
    (conv2d_backward, (X, W, G), {"dilation": 4}, "output size"),
    (conv_transpose2d_backward, (XT, WT, GT[:, :1]), {}, "grad_out"),
    (conv_transpose2d_backward, (XT, WT, GT), {"stride": 2}, "grad_out"),
    (conv_transpose2d_backward, (XT, WT, GT), {"output_padding": 1}, "output_padding"),
    (conv_transpose2d_backward, (XT, WT[:2], GT), {}, "w.shape[0]"),
    (conv_transpose2d_backward, (XT, WT, GT), {"padding": 4}, "output size"),
]


@pytest.mark.parametrize("fn, args, kwargs, word", BAD,
                         ids=[f"{fn.__name__}-{word}-{i}" for i, (fn, _, _, word) in enumerate(BAD)])
def test_bad_input_raises_value_error_naming_the_argument(fn, args, kwargs, word):
    with pytest.raises(ValueError) as error:
        fn(*args, **kwargs)
    assert word in str(error.value)


@pytest.mark.parametrize("k, s, p, d", [(3, 1, 0, 1), ((2, 3), (2, 1), (1, 0), (1, 2)), (2, 3, 1, 2)])
def test_col2im_is_the_transpose_of_im2col_and_equals_fold(k, s, p, d):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 6))
    cols = im2col(x, k, s, p, d)
    c = rng.standard_normal(cols.shape)
    back = col2im(c, (7, 6), k, s, p, d)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back))  # <im2col x, c> = <x, col2im c>
    np.testing.assert_allclose(back, F.fold(torch.from_numpy(c), (7, 6), k, dilation=d, padding=p,
                                            stride=s).numpy(), atol=1e-12)


def test_col2im_rejects_columns_of_the_wrong_shape():
    with pytest.raises(ValueError, match="cols"):
        col2im(np.zeros((1, 9, 5)), (4, 4), 3)


@pytest.mark.parametrize("s, p, d", [(1, 0, 1), (2, 1, 1), ((2, 1), (0, 2), (1, 2))])
def test_caffe_gemms_are_convolution_and_deconvolution_passes(s, p, d):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    y = conv2d(x, w, stride=s, padding=p, dilation=d)
    g = rng.standard_normal(y.shape)
    gx, gw, _ = conv2d_backward(x, w, g, stride=s, padding=p, dilation=d)
    # Convolution: forward, then backward for data and weights
    np.testing.assert_allclose(forward_gemm(x, w, s, p, d), y, atol=1e-12)
    np.testing.assert_allclose(backward_gemm(g, w, x.shape[2:], s, p, d), gx, atol=1e-12)
    np.testing.assert_allclose(weight_gemm(x, g, w.shape[2:], s, p, d), gw, atol=1e-12)
    # Deconvolution (Caffe has no output_padding: its output is the convolution's input size
    # only when the stride skipped nothing, so take that size from the GEMM itself)
    yt = backward_gemm(y, w, x.shape[2:], s, p, d)
    op = tuple(int(v) for v in np.array(x.shape[2:]) - np.array(
        conv_transpose2d(y, w, stride=s, padding=p, dilation=d).shape[2:]))
    np.testing.assert_allclose(yt, conv_transpose2d(y, w, stride=s, padding=p, dilation=d,
                                                    output_padding=op), atol=1e-12)
    gt = rng.standard_normal(yt.shape)
    gyt, gwt, _ = conv_transpose2d_backward(y, w, gt, stride=s, padding=p, dilation=d,
                                            output_padding=op)
    np.testing.assert_allclose(forward_gemm(gt, w, s, p, d), gyt, atol=1e-12)
    np.testing.assert_allclose(weight_gemm(gt, y, w.shape[2:], s, p, d), gwt, atol=1e-12)


def test_sections_run_standalone():
    """What the page shows runs with numpy alone (plus the sections it declares it needs)."""
    code = standalone_code(*(f"snippets/conv_backward.py:{name}" for name in
                             ("conv2d_backward", "conv_transpose2d_backward", "caffe_gemms")))
    namespace = {}
    exec(compile(code, "standalone", "exec"), namespace)
    x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    gx, gw, gb = namespace["conv2d_backward"](x, w, np.ones((1, 1, 2, 2)))
    assert gw.tolist() == [[[[10.0, 14.0, 18.0], [26.0, 30.0, 34.0], [42.0, 46.0, 50.0]]]]
    assert gx[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    assert gb.tolist() == [4.0]
