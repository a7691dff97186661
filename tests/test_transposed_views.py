"""All five views of transposed convolution (snippets.transposed_views) equal
torch.nn.functional.conv_transpose2d: on a grid of settings and on random ones."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings, strategies as st

from hooks.blocks import snippet_index, standalone_code
from snippets.transposed_views import VIEWS, pixel_shuffle, zero_insertion_work

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("tiny_tensor_mode")


def torch_conv_transpose2d(x, w, b, **kwargs):
    t = torch.from_numpy
    return F.conv_transpose2d(t(x), t(w), None if b is None else t(b), **kwargs).numpy()


GRID = [  # (x shape, kernel (kH, kW), C_out/groups, kwargs)
    ((1, 1, 2, 2), (3, 3), 1, dict(stride=2)),
    ((1, 1, 2, 2), (3, 3), 1, dict(stride=2, padding=1, output_padding=1)),
    ((2, 3, 4, 3), (3, 3), 2, dict()),
    ((1, 2, 3, 3), (2, 2), 3, dict(stride=2)),
    ((1, 2, 3, 4), (3, 2), 2, dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2))),
    ((1, 4, 3, 3), (3, 3), 1, dict(stride=2, groups=2)),
    ((2, 6, 2, 3), (2, 3), 2, dict(stride=(1, 2), dilation=(2, 1), groups=3)),
    ((1, 2, 3, 3), (3, 3), 2, dict(dilation=2, output_padding=1)),  # op >= s: dilation allows it
    ((1, 2, 4, 4), (3, 3), 1, dict(stride=3, dilation=2, padding=2, output_padding=2)),
    ((1, 1, 3, 3), (1, 1), 1, dict(stride=2, padding=1, output_padding=1)),  # p > d(k-1)
    ((1, 1, 5, 5), (4, 4), 1, dict(stride=2, padding=1)),  # the usual 2x upsampler
    ((1, 2, 1, 1), (3, 3), 2, dict(stride=3)),
    ((1, 2, 2, 2), (3, 3), 2, dict(stride=2, padding=(2, 1))),
]


@pytest.mark.parametrize("view", VIEWS, ids=[v.__name__ for v in VIEWS])
@pytest.mark.parametrize("x_shape, k, c_out_g, kwargs", GRID)
def test_view_matches_torch_on_grid(view, x_shape, k, c_out_g, kwargs):
    rng = np.random.default_rng(0)
    g = kwargs.get("groups", 1)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((x_shape[1], c_out_g, *k))
    b = rng.standard_normal(c_out_g * g)
    np.testing.assert_allclose(view(x, w, b, **kwargs), torch_conv_transpose2d(x, w, b, **kwargs),
                               rtol=1e-10, atol=1e-12)


@st.composite
def transposed_settings(draw):
    g = draw(st.integers(1, 2))
    n, c_in, c_out_g = draw(st.integers(1, 2)), g * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    dims = []
    for _ in range(2):
        k, s, d, p = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2)),
                      draw(st.integers(0, 2)))
        i, op = draw(st.integers(1, 3)), draw(st.integers(0, max(s, d) - 1))
        assume((i - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1)
        dims.append((k, s, d, p, i, op))
    (k_h, s_h, d_h, p_h, i_h, op_h), (k_w, s_w, d_w, p_w, i_w, op_w) = dims
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c_in, i_h, i_w))
    w = rng.standard_normal((c_in, c_out_g, k_h, k_w))
    b = rng.standard_normal(c_out_g * g) if draw(st.booleans()) else None
    one = lambda h, w: h if h == w and draw(st.booleans()) else (h, w)  # int or pair
    kwargs = dict(stride=one(s_h, s_w), padding=one(p_h, p_w), output_padding=one(op_h, op_w),
                  dilation=one(d_h, d_w), groups=g)
    return x, w, b, kwargs


def test_all_five_views_match_torch_on_random_settings(record_property):
    ran, features = [], set()

    @settings(max_examples=1000, derandomize=True, deadline=None)
    @given(transposed_settings())
    def check(setting):
        x, w, b, kwargs = setting
        expected = torch_conv_transpose2d(x, w, b, **kwargs)
        for view in VIEWS:
            np.testing.assert_allclose(view(x, w, b, **kwargs), expected, rtol=1e-10, atol=1e-12,
                                       err_msg=f"{view.__name__} {kwargs}")
        ran.append(kwargs)
        (s_h, s_w), (p_h, p_w), (op_h, op_w), (d_h, d_w) = (
            np.broadcast_to(kwargs[name], 2) for name in ("stride", "padding", "output_padding", "dilation"))
        seen = {"stride": max(s_h, s_w) > 1, "padding": max(p_h, p_w) > 0,
                "output_padding": max(op_h, op_w) > 0, "dilation": max(d_h, d_w) > 1,
                "groups": kwargs["groups"] > 1, "non-square kernel": w.shape[2] != w.shape[3],
                "non-square stride": s_h != s_w, "output_padding >= stride": op_h >= s_h or op_w >= s_w}
        features.update(name for name, present in seen.items() if present)

    check()
    assert len(ran) >= 1000
    assert features == {"stride", "padding", "output_padding", "dilation", "groups",
                        "non-square kernel", "non-square stride", "output_padding >= stride"}
    record_property("summary", f"{len(ran)} random settings: all five transposed-convolution "
                               "views equal torch.nn.functional.conv_transpose2d")


BAD = [  # (kwargs or array changes, word the message must contain)
    (dict(stride=0), "stride"),
    (dict(padding=-1), "padding"),
    (dict(stride=2, output_padding=2), "output_padding"),
    (dict(dilation=(1, 1, 1)), "dilation"),
    (dict(groups=3), "groups"),
    (dict(padding=5), "output size"),
    (dict(stride=True), "stride"),
    (dict(w=np.ones((3, 1, 3, 3))), "w.shape[0]"),
    (dict(b=np.ones(5)), "b"),
    (dict(x=np.ones((2, 3, 3))), "x"),
]


@pytest.mark.parametrize("view", VIEWS, ids=[v.__name__ for v in VIEWS])
@pytest.mark.parametrize("change, word", BAD)
def test_views_reject_invalid_settings(view, change, word):
    args = dict(x=np.ones((1, 2, 3, 3)), w=np.ones((2, 1, 3, 3)), b=None)
    args.update(change)
    with pytest.raises(ValueError) as error:
        view(**args)
    assert word in str(error.value)


@pytest.mark.parametrize("r", [1, 2, 3])
def test_pixel_shuffle_matches_torch(r):
    y = np.random.default_rng(r).standard_normal((2, 2 * r * r, 3, 4))
    np.testing.assert_array_equal(pixel_shuffle(y, r, r),
                                  F.pixel_shuffle(torch.from_numpy(y), r).numpy())
    with pytest.raises(ValueError, match="channels"):
        pixel_shuffle(np.ones((1, 5, 2, 2)), 2, 2)


@pytest.mark.parametrize("view", VIEWS, ids=[v.__name__ for v in VIEWS])
def test_each_view_runs_standalone(view):
    """A block that names only the view's section (the build adds what it needs) computes it."""
    name = view.__name__
    (section,) = snippet_index().definers[name]
    namespace = {}
    exec(compile(standalone_code(section.key), name, "exec"), namespace)
    x, w = np.arange(6.0).reshape(1, 2, 1, 3), np.ones((2, 1, 3, 2))
    kwargs = dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2), groups=2)
    np.testing.assert_allclose(namespace[name](x, w, **kwargs),
                               torch_conv_transpose2d(x, w, None, **kwargs))


@pytest.mark.parametrize("i, k, s, p, d, op", [
    (4, 3, 2, 1, 1, 1), (4, 3, 2, 0, 1, 0), (16, 4, 2, 1, 1, 0), (5, 2, 3, 1, 2, 2), (3, 1, 1, 0, 1, 0),
])
def test_zero_insertion_work_counts_the_products_with_real_pixels(i, k, s, p, d, op):
    total, useful = zero_insertion_work(i, k, s, p, d, op)
    o = (i - 1) * s - 2 * p + d * (k - 1) + op + 1
    # the scatter view does only the useful products: stamps (input j, tap a) inside the output
    assert useful == sum(0 <= j * s + a * d - p < o for j in range(i) for a in range(k))
    assert total == o * k
    with pytest.raises(ValueError, match="output"):
        zero_insertion_work(1, 1, 1, p=1)


def test_zero_insertion_wastes_most_products_for_stride_2(record_property):
    total, useful = zero_insertion_work(16, 4, 2, p=1)  # the usual 2x upsampler, 16 -> 32
    total_2d, useful_2d = total**2, useful**2
    assert (total_2d, useful_2d) == (16384, 3844)
    record_property("summary", f"zero insertion, 16x16 -> 32x32 (k=4, s=2, p=1): {useful_2d} of "
                               f"{total_2d} multiplications ({useful_2d / total_2d:.0%}) meet a real pixel")
