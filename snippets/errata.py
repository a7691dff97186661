"""Counter-examples for the errata ledger (docs/errata.md): each one computes the claim a reference
makes and the case where it fails, with the sizes of snippets.shapes and the NumPy convolution of
snippets.conv_numpy."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.errata, or run as a script from snippets/
    from snippets.conv_numpy import conv2d
    from snippets.shapes import check_int, conv_output_size, conv_transpose_output_size, same_padding
except ModuleNotFoundError:
    from conv_numpy import conv2d
    from shapes import check_int, conv_output_size, conv_transpose_output_size, same_padding


# --8<-- [start:round_trip]
def round_trip_size(i, k, s, p, output_padding=0):
    """A convolution (k, s, p) takes i to o; the transposed convolution with the same k, s, p
    (and output_padding) takes o back to this size, one spatial dimension."""
    o = conv_output_size(i, k, s, p)
    return conv_transpose_output_size(o, k, s, p, output_padding=output_padding)


def restoring_output_padding(i, k, s, p):
    """The output_padding a that makes the round trip give i back: the rows the convolution's
    floor dropped, (i + 2p - k) mod s, always smaller than s."""
    i, k, s, p = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1), check_int("p", p, 0)
    conv_output_size(i, k, s, p)  # raises if the convolution itself is impossible
    return (i + 2 * p - k) % s
# --8<-- [end:round_trip]


# --8<-- [start:guide_animations]
# The transposed-convolution animations of vdumoulin/conv_arithmetic, each named, as in its
# bin/generate_makefile, after the direct convolution (i, k, s, p) it is the transpose of
GUIDE_TRANSPOSED_ANIMATIONS = {
    "no_padding_no_strides_transposed": (4, 3, 1, 0),
    "arbitrary_padding_no_strides_transposed": (5, 4, 1, 2),
    "same_padding_no_strides_transposed": (5, 3, 1, 1),
    "full_padding_no_strides_transposed": (5, 3, 1, 2),
    "no_padding_strides_transposed": (5, 3, 2, 0),
    "padding_strides_transposed": (5, 3, 2, 1),
    "padding_strides_odd_transposed": (6, 3, 2, 1),
}


def guide_transposed_grids(i, k, s, p):
    """What the guide's animation of the transpose of the convolution (i, k, s, p) draws, one side:
    the blue grid has o units (the convolution's output size: the transposed convolution's input),
    with s - 1 zeros between them, k - p - 1 zeros before and k - p - 1 + a after (a, the output
    padding that picks i back); the cyan grid has i units (the transposed convolution's output)."""
    o = conv_output_size(i, k, s, p)
    if p > k - 1:
        raise ValueError(f"p = {p} > k - 1 = {k - 1}: the direct view would crop its input")
    a = restoring_output_padding(i, k, s, p)
    return dict(blue=o, zeros_before=k - p - 1, zeros_after=k - p - 1 + a, cyan=i, output_padding=a)
# --8<-- [end:guide_animations]


# --8<-- [start:direct_view]
def stretch_and_pad(x, s, before, after):
    """The guide's direct view of a transposed convolution's 2-D input x: s - 1 zeros between
    neighbouring pixels, then `before` rows and columns of zeros on the top and left and `after`
    on the bottom and right."""
    x = np.asarray(x, dtype=float)
    z = np.zeros(((x.shape[0] - 1) * s + 1, (x.shape[1] - 1) * s + 1))
    z[::s, ::s] = x
    return np.pad(z, (check_int("before", before, 0), check_int("after", after, 0)))


def transposed_by_direct_view(x, w, s, before, after):
    """Stride-1 convolution of the stretched and padded x with the kernel w rotated by 180°, both
    2-D: the transposed convolution, when before = k - p - 1 and after = before + output_padding."""
    z = stretch_and_pad(x, s, before, after)
    return conv2d(z[None, None], np.asarray(w, dtype=float)[None, None, ::-1, ::-1])[0, 0]
# --8<-- [end:direct_view]


# --8<-- [start:strided_figure]
# The input, kernel and output that the Theano tutorial's copy of the guide's stride-2 example
# shows (conv_arithmetic issue #17): 5 x 5 input, padding 1, 3 x 3 kernel, stride 2
FIGURE_INPUT = np.array([[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3], [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]])
FIGURE_KERNEL = np.array([[2, 0, 1], [1, 0, 0], [0, 1, 1]])
FIGURE_OUTPUT = np.array([[1, 6, 5], [7, 10, 9], [7, 10, 8]])
# The guide's own figure since its fix (pdf/numerical_padding_strides_*.pdf): bin/produce_figure
# draws the input and kernel from numpy.random.seed(1234); the output grid as the PDFs print it
REPOSITORY_FIGURE_OUTPUT = np.array([[6, 17, 3], [8, 17, 13], [6, 4, 4]])
# --8<-- [end:strided_figure]


# --8<-- [start:same_evenly]
def same_pads_evenly(i, k, s):
    """Whether TensorFlow/Keras padding='same' puts as many zeros before as after, one spatial
    dimension: only when the total padding max((o - 1)s + k - i, 0) is even."""
    before, after = same_padding(i, k, s)
    return before == after
# --8<-- [end:same_evenly]


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert round_trip_size(16, 5, 3, 2) == 16  # d2l's example: 16 = 1 (mod 3)
    assert round_trip_size(17, 5, 3, 2) == 16  # the same layers lose a row for 17
    assert restoring_output_padding(17, 5, 3, 2) == 1
    assert round_trip_size(17, 5, 3, 2, output_padding=1) == 17
    # --8<-- [end:examples]
    grids = guide_transposed_grids(*GUIDE_TRANSPOSED_ANIMATIONS["padding_strides_odd_transposed"])
    assert grids == dict(blue=3, zeros_before=1, zeros_after=2, cyan=6, output_padding=1)
    assert transposed_by_direct_view(np.ones((3, 3)), np.ones((3, 3)), 2, 1, 2).shape == (6, 6)
    assert transposed_by_direct_view(np.ones((2, 2)), np.ones((3, 3)), 2, 1, 2).shape == (4, 4)
    stride_1 = conv2d(FIGURE_INPUT[None, None], FIGURE_KERNEL[None, None], padding=1)[0, 0]
    assert (stride_1[:3, :3] == FIGURE_OUTPUT).all()
    random = np.random.RandomState(1234)
    x, w = random.randint(0, 4, (5, 5)), random.randint(0, 3, (3, 3))
    assert (conv2d(x[None, None], w[None, None], stride=2, padding=1)[0, 0] == REPOSITORY_FIGURE_OUTPUT).all()
    assert same_pads_evenly(7, 3, 1) and not same_pads_evenly(8, 3, 2) and not same_pads_evenly(5, 2, 1)
    print("errata: all examples hold")
