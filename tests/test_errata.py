"""snippets.errata against PyTorch (and Keras): the round trip through a convolution and its
transpose and the output_padding that restores the input size, on every small setting; the guide's
transposed animations against the arithmetic of its own bin/produce_figure; its direct view of a
transposed convolution; the stride-2 example's values; SAME padding's two sides."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.errata import (FIGURE_INPUT, FIGURE_KERNEL, FIGURE_OUTPUT, GUIDE_TRANSPOSED_ANIMATIONS,
                             REPOSITORY_FIGURE_OUTPUT, guide_transposed_grids, restoring_output_padding,
                             round_trip_size, same_pads_evenly, stretch_and_pad, transposed_by_direct_view)
from snippets.shapes import conv_output_size, same_output_size, same_padding


def test_round_trip_and_restoring_output_padding_equal_torch(record_property):
    n = 0
    for i, k, s, p in itertools.product(range(1, 20), range(1, 6), range(1, 5), range(0, 3)):
        x = torch.zeros(1, 1, i)
        w = torch.zeros(1, 1, k)
        try:
            y = F.conv1d(x, w, stride=s, padding=p)
        except RuntimeError:
            with pytest.raises(ValueError):
                restoring_output_padding(i, k, s, p)
            continue
        try:
            back = F.conv_transpose1d(y, w, stride=s, padding=p).shape[-1]
        except RuntimeError:
            with pytest.raises(ValueError):
                round_trip_size(i, k, s, p)
            continue
        assert round_trip_size(i, k, s, p) == back
        a = restoring_output_padding(i, k, s, p)
        assert a < s
        restored = F.conv_transpose1d(y, w, stride=s, padding=p, output_padding=a).shape[-1]
        assert restored == round_trip_size(i, k, s, p, output_padding=a) == i
        assert (back == i) == (a == 0)  # the same hyperparameters restore i exactly when a = 0
        n += 1
    record_property("summary", f"{n} settings: round trip and restoring output_padding equal torch")


def test_d2l_example_holds_only_for_sizes_one_more_than_a_multiple_of_the_stride():
    restored = [i for i in range(5, 40) if round_trip_size(i, 5, 3, 2) == i]
    assert restored == [i for i in range(5, 40) if i % 3 == 1]


@pytest.mark.parametrize("call, argument", [
    (lambda: restoring_output_padding(0, 5, 3, 2), "i"),
    (lambda: restoring_output_padding(16, 5, 0, 2), "s"),
    (lambda: restoring_output_padding(2, 7, 1, 0), "output size"),
])
def test_invalid_settings_raise_naming_the_argument(call, argument):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(argument)


# --- vdumoulin/conv_arithmetic: the transposed animations, Figure 4.7, the strided example ----------

# bin/generate_makefile of vdumoulin/conv_arithmetic: name -> (input size, output size, padding,
# kernel size, stride) of the direct convolution each transposed animation is drawn for
GENERATE_MAKEFILE = {
    "no_padding_no_strides_transposed": (4, 2, 0, 3, 1),
    "arbitrary_padding_no_strides_transposed": (5, 6, 2, 4, 1),
    "same_padding_no_strides_transposed": (5, 5, 1, 3, 1),
    "full_padding_no_strides_transposed": (5, 7, 2, 3, 1),
    "no_padding_strides_transposed": (5, 2, 0, 3, 2),
    "padding_strides_transposed": (5, 3, 1, 3, 2),
    "padding_strides_odd_transposed": (6, 3, 1, 3, 2),
}


def produce_figure_transposed(input_size, output_size, padding, kernel_size, stride):
    """What bin/produce_figure --transposed draws, by its own arithmetic (TikZ's y axis points
    up): output_size blue units per side, stride apart, on a dashed grid of
    input_size + kernel_size - 1 cells; the zeros left of and above the units (before), right of
    and below them (after, bottom_pad + padding below); a cyan grid of input_size cells."""
    bottom_pad = (input_size + 2 * padding - kernel_size) % stride
    padding, spacing = kernel_size - 1 - padding, stride  # the script's own reassignment
    units, cyan = output_size, input_size
    total = cyan + kernel_size - 1  # the dashed grid
    span = spacing * (units - 1) + 1
    left, right = padding, total - padding - span
    below, above = bottom_pad + padding, total - bottom_pad - padding - span
    assert (above, below) == (left, right)  # the extra zeros go to the bottom and right
    return dict(blue=units, zeros_before=left, zeros_after=right, cyan=cyan, output_padding=bottom_pad)


def test_guide_transposed_grids_equal_the_repository_code_and_torch():

    assert GUIDE_TRANSPOSED_ANIMATIONS.keys() == GENERATE_MAKEFILE.keys()
    for name, (i, k, s, p) in GUIDE_TRANSPOSED_ANIMATIONS.items():
        i_m, o_m, p_m, k_m, s_m = GENERATE_MAKEFILE[name]
        assert (i, k, s, p) == (i_m, k_m, s_m, p_m)
        grids = guide_transposed_grids(i, k, s, p)
        assert grids == produce_figure_transposed(*GENERATE_MAKEFILE[name])
        assert grids["blue"] == o_m
        blue = torch.zeros(1, 1, grids["blue"], grids["blue"])
        cyan = F.conv_transpose2d(blue, torch.zeros(1, 1, k, k), stride=s, padding=p,
                                  output_padding=grids["output_padding"])
        assert cyan.shape[-1] == grids["cyan"] == i


def test_guide_transposed_grids_refuse_a_padding_that_crops():

    with pytest.raises(ValueError, match="crop"):
        guide_transposed_grids(5, 3, 1, 3)


def test_direct_view_equals_torch_with_the_extra_border_after(record_property):

    rng = np.random.default_rng(0)
    n = 0
    for i, k, s, p in itertools.product(range(1, 5), range(1, 5), range(1, 4), range(0, 4)):
        if p > k - 1:
            continue
        for a in range(s):
            x, w = rng.standard_normal((i, i + 1)), rng.standard_normal((k, k))
            try:
                y = F.conv_transpose2d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None],
                                       stride=s, padding=p, output_padding=a)[0, 0].numpy()
            except RuntimeError:
                continue
            q = k - p - 1
            assert stretch_and_pad(x, s, q, q + a).shape == ((i - 1) * s + 1 + 2 * q + a, i * s + 1 + 2 * q + a)
            np.testing.assert_allclose(transposed_by_direct_view(x, w, s, q, q + a), y, atol=1e-12)
            if a:  # the border on the top and left instead shifts the result
                assert not np.allclose(transposed_by_direct_view(x, w, s, q + a, q), y)
            n += 1
    record_property("summary", f"{n} settings: the guide's direct view equals conv_transpose2d")


def test_figure_4_7_caption_input_size():

    i, k, s, p = 6, 3, 2, 1
    o, a = conv_output_size(i, k, s, p), restoring_output_padding(i, k, s, p)
    assert (o, a) == (3, 1)
    w = np.ones((k, k))
    assert transposed_by_direct_view(np.ones((3, 3)), w, s, k - p - 1, k - p - 1 + a).shape == (6, 6)
    assert transposed_by_direct_view(np.ones((2, 2)), w, s, k - p - 1, k - p - 1 + a).shape == (4, 4)


def test_strided_figure_shows_the_stride_1_values():

    x = torch.tensor(FIGURE_INPUT, dtype=torch.float64)[None, None]
    w = torch.tensor(FIGURE_KERNEL, dtype=torch.float64)[None, None]
    assert F.conv2d(x, w, stride=2, padding=1)[0, 0].tolist() == [[1, 5, 6], [7, 8, 3], [3, 10, 4]]
    assert (F.conv2d(x, w, padding=1)[0, 0, :3, :3].numpy() == FIGURE_OUTPUT).all()
    assert not (F.conv2d(x, w, stride=2, padding=1)[0, 0].numpy() == FIGURE_OUTPUT).all()
    # the repository's figure since its fix: bin/produce_figure's seeded input and kernel
    random = np.random.RandomState(1234)
    x = torch.tensor(random.randint(0, 4, (5, 5)), dtype=torch.float64)[None, None]
    w = torch.tensor(random.randint(0, 3, (3, 3)), dtype=torch.float64)[None, None]
    assert (F.conv2d(x, w, stride=2, padding=1)[0, 0].numpy() == REPOSITORY_FIGURE_OUTPUT).all()


# --- Keras: "same" results in padding evenly ---------------------------------------------------------

def test_same_pads_evenly_exactly_when_the_total_is_even(record_property):

    n = 0
    for i, k, s in itertools.product(range(1, 30), range(1, 8), range(1, 5)):
        total = max((same_output_size(i, s) - 1) * s + k - i, 0)
        assert same_pads_evenly(i, k, s) == (total % 2 == 0)
        if s == 1:
            assert same_pads_evenly(i, k, s) == (k % 2 == 1)  # stride 1: odd kernels only
        n += 1
    record_property("summary", f"{n} settings: SAME pads evenly exactly when its total is even")


def test_keras_same_puts_the_odd_zero_after(tf):
    import keras

    rng = np.random.default_rng(1)
    for i, k, s in [(5, 2, 1), (8, 3, 2), (7, 3, 2), (6, 4, 1), (9, 3, 1)]:
        x, w = rng.standard_normal((1, i, i, 1)), rng.standard_normal((k, k, 1, 1))
        layer = keras.layers.Conv2D(1, k, strides=s, padding="same", use_bias=False)
        layer.build(x.shape)
        layer.set_weights([w])
        y = keras.ops.convert_to_numpy(layer(x))[0, :, :, 0]
        before, after = same_padding(i, k, s)
        x_t = torch.from_numpy(x).permute(0, 3, 1, 2)
        w_t = torch.from_numpy(w).permute(3, 2, 0, 1)
        expected = F.conv2d(F.pad(x_t, (before, after, before, after)), w_t, stride=s)[0, 0].numpy()
        np.testing.assert_allclose(y, expected, atol=1e-5)
        assert same_pads_evenly(i, k, s) == (before == after)
