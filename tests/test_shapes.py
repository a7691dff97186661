"""snippets.shapes against PyTorch and TensorFlow, and its contract (ints, ValueError naming the
argument)."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.shapes import (RELATIONSHIPS, conv_output_size, conv_transpose_output_size, pool_output_size,
                             same_output_size, same_padding, settings, valid_output_size)

SMALL = range(1, 10)


def torch_size(function, i, k, **settings):
    """Output height of a torch function on an i x 1 input (None where torch refuses)."""
    column = {name: (value, 0 if name in {"padding", "output_padding"} else 1) for name, value in settings.items()}
    try:
        return function(torch.zeros(1, 1, i, 1), torch.zeros(1, 1, k, 1), **column).shape[2]
    except RuntimeError:
        return None


def max_pool(x, w, **settings):
    return F.max_pool2d(x, w.shape[2:], **settings)


def test_conv_output_size_equals_torch_everywhere(record_property):
    n = 0
    for i, k, s, p, d in itertools.product(SMALL, range(1, 6), range(1, 4), range(0, 4), range(1, 4)):
        expected = torch_size(F.conv2d, i, k, stride=s, padding=p, dilation=d)
        if expected is None:
            with pytest.raises(ValueError, match="output size"):
                conv_output_size(i, k, s, p, d)
        else:
            assert conv_output_size(i, k, s, p, d) == expected
            if 2 * p <= k:  # PyTorch's pooling limit on padding
                assert torch_size(max_pool, i, k, stride=s, padding=p, dilation=d) == expected
        n += 1
    record_property("summary", f"{n} settings: conv_output_size equals torch Conv2d and MaxPool2d (errors where torch errs)")


def test_conv_transpose_output_size_equals_torch_everywhere(record_property):
    n = 0
    for i, k, s, p, d, a in itertools.product(SMALL, range(1, 5), range(1, 4), range(0, 4), range(1, 3), range(0, 3)):
        expected = torch_size(F.conv_transpose2d, i, k, stride=s, padding=p, output_padding=a, dilation=d)
        if expected is None:
            with pytest.raises(ValueError, match="output_padding|output size"):
                conv_transpose_output_size(i, k, s, p, d, a)
        else:
            assert conv_transpose_output_size(i, k, s, p, d, a) == expected
        n += 1
    record_property("summary", f"{n} settings: conv_transpose_output_size equals torch ConvTranspose2d")


def test_pool_output_size_equals_torch_max_pool_in_floor_and_ceil_mode(record_property):
    n = 0
    for i, k, s, p, ceil_mode in itertools.product(range(1, 14), range(1, 6), range(1, 5), range(0, 4), (False, True)):
        try:
            expected = F.max_pool1d(torch.zeros(1, 1, i), k, s, p, ceil_mode=ceil_mode).shape[-1]
        except RuntimeError:
            with pytest.raises(ValueError):
                pool_output_size(i, k, s, p, ceil_mode)
            continue
        assert pool_output_size(i, k, s, p, ceil_mode) == expected
        if not ceil_mode:
            assert expected == conv_output_size(i, k, s, p)  # floor mode is the convolution's formula
        square = F.max_pool2d(torch.zeros(1, 1, i, i + 1), k, s, p, ceil_mode=ceil_mode).shape[-2:]
        assert tuple(square) == (expected, pool_output_size(i + 1, k, s, p, ceil_mode))
        n += 1
    record_property("summary", f"{n} settings: pool_output_size equals max_pool1d/2d (errors where torch errs)")


def test_ceil_mode_drops_a_last_window_that_would_start_in_the_right_padding():
    # i=5, k=2, s=2, p=1: padded length 7, rounding up alone gives 4 windows; the 4th starts at 6
    assert -(-(5 + 2 - 2) // 2) + 1 == 4
    assert pool_output_size(5, 2, 2, 1, ceil_mode=True) == 3
    assert F.max_pool1d(torch.zeros(1, 1, 5), 2, 2, 1, ceil_mode=True).shape[-1] == 3


def test_max_pool_pads_with_minus_infinity():
    border = F.max_pool2d(-torch.ones(1, 1, 5, 5), 3, stride=2, padding=1, ceil_mode=True)
    assert (border == -1).all()


@pytest.mark.parametrize("relationship", RELATIONSHIPS, ids=lambda r: f"relationship-{r.number}")
def test_relationship_holds_in_torch(relationship):
    for i, k, s, p, d, a in settings(relationship):
        x, w = torch.zeros(1, 1, i, i), torch.zeros(1, 1, k, k)
        if relationship.layer == "conv":
            measured = F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
        elif relationship.layer == "pool":
            measured = F.max_pool2d(x, k, stride=s, padding=p, dilation=d).shape[-1]
        else:
            measured = F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=a, dilation=d).shape[-1]
        assert relationship.size(i, k, s, p, d, a) == measured


def test_tensorflow_same_and_valid(tf, record_property):
    n = 0
    for i, k, s, d in itertools.product(range(1, 12), range(1, 5), range(1, 4), range(1, 3)):
        if s > 1 and d > 1:
            continue  # TensorFlow does not combine strides and dilation in conv2d
        x = np.arange(i, dtype=np.float64).reshape(1, i, 1, 1) + 1
        w = np.ones((k, 1, 1, 1))
        same = tf.nn.conv2d(x, w, strides=s, padding="SAME", dilations=d).numpy()
        assert same.shape[1] == same_output_size(i, s)
        before, after = same_padding(i, k, s, d)
        explicit = tf.nn.conv2d(np.pad(x, [(0, 0), (before, after), (0, 0), (0, 0)]), w, strides=s,
                                padding="VALID", dilations=d).numpy()
        np.testing.assert_array_equal(same, explicit)  # the odd extra pad really goes after
        if i >= d * (k - 1) + 1:
            valid = tf.nn.conv2d(x, w, strides=s, padding="VALID", dilations=d).numpy()
            assert valid.shape[1] == valid_output_size(i, k, s, d)
        else:
            with pytest.raises(ValueError, match="output size"):
                valid_output_size(i, k, s, d)
        pooled = tf.nn.max_pool2d(-x, (k, 1), strides=(s, 1), padding="SAME").numpy()
        assert pooled.shape[1] == same_output_size(i, s)
        assert (pooled < 0).all()  # SAME pooling's padding never wins the maximum
        if i >= k:
            valid_pool = tf.nn.max_pool2d(x, (k, 1), strides=(s, 1), padding="VALID").numpy()
            assert valid_pool.shape[1] == valid_output_size(i, k, s)
        n += 1
    record_property("summary", f"{n} settings: SAME/VALID sizes and SAME's padding equal TensorFlow")


def test_results_are_ints():
    assert type(conv_output_size(np.int64(7), 3)) is int
    assert all(type(v) is int for v in same_padding(8, 3, 2))


@pytest.mark.parametrize("call, argument", [
    (lambda: conv_output_size(0, 3), "i"),
    (lambda: conv_output_size(5, 0), "k"),
    (lambda: conv_output_size(5, 3, s=0), "s"),
    (lambda: conv_output_size(5, 3, p=-1), "p"),
    (lambda: conv_output_size(5, 3, d=0), "d"),
    (lambda: conv_output_size(5.0, 3), "i"),
    (lambda: conv_output_size(5, True), "k"),
    (lambda: conv_output_size("5", 3), "i"),
    (lambda: conv_output_size(2, 5), "output size"),
    (lambda: conv_transpose_output_size(3, 3, s=2, output_padding=2), "output_padding"),
    (lambda: conv_transpose_output_size(3, 3, s=1, d=1, output_padding=1), "output_padding"),
    (lambda: conv_transpose_output_size(1, 1, p=1), "output size"),
    (lambda: conv_transpose_output_size(3, 3, output_padding=-1), "output_padding"),
    (lambda: same_output_size(5, 0), "s"),
    (lambda: valid_output_size(2, 3, 1), "output size"),
    (lambda: same_padding(5, 3, 1, d=0), "d"),
    (lambda: pool_output_size(5, 2, 2, p=2), "p"),
    (lambda: pool_output_size(5, 2, 0), "s"),
    (lambda: pool_output_size(1, 3, 1, p=0), "output size"),
])
def test_invalid_settings_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(argument) or argument in str(error.value)
