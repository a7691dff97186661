"""Reader question 9, step by step: input [[1, 2], [3, 4]], a 3x3 all-ones kernel, stride 2.

TensorFlow's conv2d_transpose(..., output_shape=(1, 4, 4, 1), strides=2, padding='SAME') gives
[[1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]]. The uncropped result is 5x5
((2 - 1) * 2 + 3); TensorFlow computes the gradient of a SAME convolution whose input is 4x4, and
that convolution pads (0, 1) = same_padding(4, 3, 2): nothing before, one row/column after. So the
transposed convolution drops nothing at the top/left and the last row/column at the bottom/right."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.worked_example, or run as a script from snippets/
    from snippets.shapes import check_int, same_output_size, same_padding
except ModuleNotFoundError:
    from shapes import check_int, same_output_size, same_padding


# --8<-- [start:check]
def check_2d(name, a):
    """A non-empty 2-D float64 array, or ValueError naming the argument."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or min(a.shape) < 1:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {a.shape}")
    return a
# --8<-- [end:check]


# --8<-- [start:example]
x = np.array([[1.0, 2.0], [3.0, 4.0]])
w = np.ones((3, 3))
s = 2
# --8<-- [end:example]


# --8<-- [start:stamp]
def stamp(x, w, s):
    """The uncropped transposed convolution: x[r, q] * w added at (r*s, q*s)."""
    x, w, s = check_2d("x", x), check_2d("w", w), check_int("s", s, 1)
    (i_h, i_w), (k_h, k_w) = x.shape, w.shape
    full = np.zeros(((i_h - 1) * s + k_h, (i_w - 1) * s + k_w))
    for r in range(i_h):
        for q in range(i_w):
            full[r * s: r * s + k_h, q * s: q * s + k_w] += x[r, q] * w  # overlaps add up
    return full
# --8<-- [end:stamp]


# --8<-- [start:zero_insertion]
def zero_insertion(x, w, s):
    """The reader's arithmetic: s-1 zeros between inputs (3x3), k-1 zeros around (7x7), then a
    stride-1 'valid' convolution with the kernel rotated 180 degrees (7 - 3 + 1 = 5)."""
    x, w, s = check_2d("x", x), check_2d("w", w), check_int("s", s, 1)
    (i_h, i_w), (k_h, k_w) = x.shape, w.shape
    z = np.zeros(((i_h - 1) * s + 1, (i_w - 1) * s + 1))
    z[::s, ::s] = x
    z = np.pad(z, ((k_h - 1, k_h - 1), (k_w - 1, k_w - 1)))
    w = w[::-1, ::-1]
    full = np.zeros((z.shape[0] - k_h + 1, z.shape[1] - k_w + 1))
    for r in range(full.shape[0]):
        for q in range(full.shape[1]):
            full[r, q] = (z[r: r + k_h, q: q + k_w] * w).sum()
    return z, full
# --8<-- [end:zero_insertion]


# --8<-- [start:tensorflow_same]
def conv2d_transpose_same(x, w, s, output_hw):
    """tf.nn.conv2d_transpose(..., output_shape, strides=s, padding='SAME') for one channel: the
    gradient of a SAME convolution of an output_hw image, which padded same_padding(o, k, s).
    Its transpose removes that padding again: `before` rows at the top, `after` at the bottom."""
    full = stamp(x, w, s)
    if len(output_hw) != 2:
        raise ValueError(f"output_hw must be (height, width), got {output_hw!r}")
    o_h, o_w = output_hw
    back = (same_output_size(o_h, s), same_output_size(o_w, s))  # what the SAME conv gives
    if back != np.shape(x):
        raise ValueError(f"output_hw {tuple(output_hw)} is not a valid SAME output shape for x of "
                         f"shape {np.shape(x)}: a SAME convolution with stride {s} maps it to {back}")
    k_h, k_w = np.shape(w)
    (top, bottom), (left, right) = same_padding(o_h, k_h, s), same_padding(o_w, k_w, s)
    # when k < s the padded conv input can end in rows no kernel tap reads: their gradient is 0
    full = np.pad(full, ((0, top + o_h + bottom - full.shape[0]), (0, left + o_w + right - full.shape[1])))
    return full[top: top + o_h, left: left + o_w]
# --8<-- [end:tensorflow_same]


# --8<-- [start:pytorch]
def pytorch_same_4x4(x, w, s=2):
    """PyTorch pads symmetrically, so TensorFlow's (0, 1) crop is padding=0 and then a slice."""
    import torch
    import torch.nn.functional as F

    x4, w4 = torch.tensor(x).reshape(1, 1, *x.shape), torch.tensor(w).reshape(1, 1, *w.shape)
    full = F.conv_transpose2d(x4, w4, stride=s)  # 5x5
    same = full[..., :4, :4]  # drop the last row and column, as TensorFlow does
    # padding=1, output_padding=1 is also 4x4, but drops the *first* row and column instead
    shifted = F.conv_transpose2d(x4, w4, stride=s, padding=1, output_padding=1)
    return full[0, 0].numpy(), same[0, 0].numpy(), shifted[0, 0].numpy()
# --8<-- [end:pytorch]


if __name__ == "__main__":
    # --8<-- [start:examples]
    full = stamp(x, w, s)
    assert full.tolist() == [[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [4, 4, 10, 6, 6],
                             [3, 3, 7, 4, 4], [3, 3, 7, 4, 4]]
    z, via_zeros = zero_insertion(x, w, s)
    assert z.shape == (7, 7) and np.array_equal(via_zeros, full)
    assert same_padding(4, 3, 2) == (0, 1)  # the SAME conv of a 4x4 input pads 0 before, 1 after
    assert conv2d_transpose_same(x, w, s, (4, 4)).tolist() == [
        [1, 1, 3, 2], [1, 1, 3, 2], [4, 4, 10, 6], [3, 3, 7, 4]]
    assert same_padding(3, 3, 2) == (1, 1)  # output_shape 3x3 is valid too: the centre
    assert conv2d_transpose_same(x, w, s, (3, 3)).tolist() == [[1, 3, 2], [4, 10, 6], [3, 7, 4]]
    # --8<-- [end:examples]
    print("worked_example: all examples hold")
