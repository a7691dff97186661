"""Reader question 9: NumPy (snippets.worked_example), PyTorch and real TensorFlow agree on the
2x2 -> 4x4 SAME transposed convolution, and on which rows/columns are cropped."""
from pathlib import Path

import numpy as np
import pytest

from hooks.blocks import standalone_code
from snippets.shapes import same_padding
from snippets.worked_example import (conv2d_transpose_same, pytorch_same_4x4, stamp, w, x,
                                     zero_insertion)

ROOT = Path(__file__).resolve().parents[1]
TF_RESULT = [[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]]
FULL = [[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [4, 4, 10, 6, 6], [3, 3, 7, 4, 4], [3, 3, 7, 4, 4]]


def tf_same(tf, x, w, s, output_hw):
    """The real thing: tf.nn.conv2d_transpose, NHWC input and HWOI kernel, one channel."""
    y = tf.nn.conv2d_transpose(x[None, :, :, None], w[:, :, None, None],
                               output_shape=(1, *output_hw, 1), strides=s, padding="SAME")
    return y.numpy()[0, :, :, 0]


def test_the_uncropped_result_is_5x5_both_ways():
    assert stamp(x, w, 2).tolist() == FULL
    z, via_zeros = zero_insertion(x, w, 2)
    assert z.shape == (7, 7)  # the reader's 3 + 2*2 = 7
    assert via_zeros.tolist() == FULL  # and 7 - 3 + 1 = 5


def test_tensorflow_same_drops_the_last_row_and_column(tf, record_property):
    assert same_padding(4, 3, 2) == (0, 1)
    ours = conv2d_transpose_same(x, w, 2, (4, 4))
    assert ours.tolist() == TF_RESULT
    theirs = tf_same(tf, x, w, 2, (4, 4))
    np.testing.assert_array_equal(theirs, TF_RESULT)
    np.testing.assert_array_equal(theirs, np.array(FULL)[:4, :4])
    # output_shape 3x3 is the other valid SAME shape: pads (1, 1), the centre of the 5x5
    assert same_padding(3, 3, 2) == (1, 1)
    np.testing.assert_array_equal(tf_same(tf, x, w, 2, (3, 3)), np.array(FULL)[1:4, 1:4])
    np.testing.assert_array_equal(conv2d_transpose_same(x, w, 2, (3, 3)), np.array(FULL)[1:4, 1:4])
    record_property("summary", "worked example: TensorFlow SAME 4x4 = the 5x5 without its last "
                               "row and column = PyTorch conv_transpose2d(stride=2)[..., :4, :4]")


@pytest.mark.parametrize("i, k, s, o", [
    ((3, 2), (4, 3), (2, 2), (5, 4)), ((3, 3), (4, 4), (2, 2), (6, 6)), ((2, 3), (5, 2), (3, 3), (4, 7)),
    ((4, 4), (1, 1), (2, 2), (8, 7)), ((3, 3), (3, 3), (1, 1), (3, 3)),
])
def test_same_rule_matches_tensorflow_on_other_shapes(tf, i, k, s, o):
    rng = np.random.default_rng(0)
    xi, wk = rng.standard_normal(i), rng.standard_normal(k)
    np.testing.assert_allclose(conv2d_transpose_same(xi, wk, s[0], o), tf_same(tf, xi, wk, s[0], o),
                               atol=1e-12)


def test_pytorch_needs_padding_0_and_a_slice():
    full, same, shifted = pytorch_same_4x4(x, w)
    assert full.tolist() == FULL
    assert same.tolist() == TF_RESULT
    # padding=1, output_padding=1 is 4x4 too, but crops the first row and column instead
    assert shifted.tolist() == np.array(FULL)[1:, 1:].tolist() != TF_RESULT


def test_invalid_output_shape_is_rejected_like_tensorflow(tf):
    with pytest.raises(ValueError, match="output_hw"):
        conv2d_transpose_same(x, w, 2, (5, 5))  # a SAME conv maps 5x5 to 3x3, not 2x2
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf_same(tf, x, w, 2, (5, 5))
    with pytest.raises(ValueError, match="output_hw"):
        conv2d_transpose_same(x, w, 2, (4,))
    with pytest.raises(ValueError, match="x"):
        stamp([1, 2], w, 2)
    with pytest.raises(ValueError, match="s"):
        stamp(x, w, 0)


def test_sections_run_standalone():
    code = standalone_code(*(f"snippets/worked_example.py:{name}"
                             for name in ("example", "stamp", "zero_insertion", "tensorflow_same")))
    namespace = {}
    exec(compile(code, "standalone", "exec"), namespace)
    assert namespace["conv2d_transpose_same"](x, w, 2, (4, 4)).tolist() == TF_RESULT
