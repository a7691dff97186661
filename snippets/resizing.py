"""Resizing across frameworks: every resize is a matrix per axis, built from where each output
pixel samples the input (a coordinate transform, named as in ONNX's Resize) and how it reads
there (nearest with a rounding rule, linear, or a widened triangle when antialiasing)."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]


# --8<-- [start:coordinates]
def sample_positions(transform, i, o):
    """Where output pixels j = 0 .. o-1 sample an input of i pixels, in input pixel units (pixel
    q's centre is at q), for ONNX's coordinate_transformation_mode names."""
    if min(i, o) < 1:
        raise ValueError(f"sizes must be >= 1, got input {i}, output {o}")
    j = np.arange(o)
    centre = (2 * j + 1) * i / (2 * o)  # (j + 1/2) i / o, one rounding: exact halves stay exact
    if transform == "half_pixel":  # pixel centres line up: the image edges map onto each other
        return centre - 0.5
    if transform == "pytorch_half_pixel":  # half_pixel, except one output pixel samples pixel 0
        return centre - 0.5 if o > 1 else np.zeros(1)
    if transform == "align_corners":  # the first and last pixel centres map onto each other
        return j * (i - 1) / (o - 1) if o > 1 else np.zeros(1)
    if transform == "asymmetric":  # top-left corners line up, the image shifts by half a pixel
        return j * i / o
    if transform == "tf_half_pixel_for_nn":  # the centre of output pixel j, where nearest floors it
        return centre
    raise ValueError(f"unknown coordinate transform {transform!r}")
# --8<-- [end:coordinates]


# --8<-- [start:resize]
def nearest_index(position, nearest_mode):
    """ONNX's nearest_mode: which pixel a position between two pixel centres reads."""
    if nearest_mode == "floor":
        return np.floor(position)
    if nearest_mode == "ceil":
        return np.ceil(position)
    if nearest_mode == "round_prefer_floor":  # a tie (x.5) goes down
        return np.ceil(position - 0.5)
    if nearest_mode == "round_prefer_ceil":  # a tie goes up
        return np.floor(position + 0.5)
    raise ValueError(f"unknown nearest_mode {nearest_mode!r}")


def resize_matrix(i, o, mode, transform="half_pixel", nearest_mode="floor", antialias=False,
                  exclude_outside=False):
    """(o, i) matrix R of a 1-D resize: y = R @ x, with ONNX Resize's options.

    linear weighs the pixels around each position with a triangle of half-width 1; with
    antialias, a downsampling resize widens it to i / o, so every input pixel counts. A tap
    outside the image reads the edge pixel, or, with exclude_outside, is dropped and the other
    weights scaled up to sum to 1 (the two differ only for a triangle wider than 1)."""
    positions = sample_positions(transform, i, o)
    rows, matrix = np.arange(o), np.zeros((o, i))
    if mode == "nearest":
        matrix[rows, np.clip(nearest_index(positions, nearest_mode), 0, i - 1).astype(int)] = 1
    elif mode == "linear":
        width = max(i / o, 1.0) if antialias else 1.0
        taps = np.arange(np.floor(positions.min() - width), np.ceil(positions.max() + width) + 1)
        weights = np.maximum(0, 1 - np.abs(taps - positions[:, None]) / width)
        if exclude_outside:
            weights[:, (taps < 0) | (taps > i - 1)] = 0
        weights /= weights.sum(axis=1, keepdims=True)
        np.add.at(matrix, (rows[:, None], np.clip(taps, 0, i - 1).astype(int)), weights)
    else:
        raise ValueError(f"mode must be 'nearest' or 'linear', got {mode!r}")
    return matrix


def resize2d(x, size_hw, mode, **options):
    """Resize the last two axes of x to size_hw = (o_h, o_w): one 1-D resize per axis."""
    x = np.asarray(x, dtype=np.float64)
    matrix_h = resize_matrix(x.shape[-2], size_hw[0], mode, **options)
    matrix_w = resize_matrix(x.shape[-1], size_hw[1], mode, **options)
    return np.einsum("ai,...ij,bj->...ab", matrix_h, x, matrix_w)
# --8<-- [end:resize]


# Which NumPy resize each framework call equals, checked by the tests on x (1, 2, 6, 7) for sizes
# up, down and 1 x 1. A call runs with x (NCHW), x_t (torch), x_tf (NHWC), size = (o_h, o_w),
# F, tf, jax and frameworks.run_onnx; its output has the layout RESIZE_LAYOUTS names.
RESIZE_LAYOUTS = {"PyTorch": "NCHW", "TensorFlow": "NHWC", "JAX": "NCHW", "ONNX Runtime": "NCHW"}
ONNX_RESIZE = 'run_onnx("Resize", x, None, None, [1, 2, *size]'
RESIZE_CALLS = [
    ("PyTorch", 'F.interpolate(x_t, size, mode="nearest")', 'resize2d(x, size, "nearest", transform="asymmetric")'),
    ("PyTorch", 'F.interpolate(x_t, size, mode="nearest-exact")', 'resize2d(x, size, "nearest", transform="tf_half_pixel_for_nn")'),
    ("PyTorch", 'F.interpolate(x_t, size, mode="bilinear")', 'resize2d(x, size, "linear")'),
    ("PyTorch", 'F.interpolate(x_t, size, mode="bilinear", align_corners=True)', 'resize2d(x, size, "linear", transform="align_corners")'),
    ("PyTorch", 'F.interpolate(x_t, size, mode="bilinear", antialias=True)', 'resize2d(x, size, "linear", antialias=True, exclude_outside=True)'),
    ("TensorFlow", "tf.image.resize(x_tf, size)", 'resize2d(x, size, "linear")'),
    ("TensorFlow", "tf.image.resize(x_tf, size, antialias=True)", 'resize2d(x, size, "linear", antialias=True, exclude_outside=True)'),
    ("TensorFlow", 'tf.image.resize(x_tf, size, "nearest")', 'resize2d(x, size, "nearest", transform="tf_half_pixel_for_nn")'),
    ("TensorFlow", "tf.compat.v1.image.resize_bilinear(x_tf, size)", 'resize2d(x, size, "linear", transform="asymmetric")'),
    ("TensorFlow", "tf.compat.v1.image.resize_bilinear(x_tf, size, align_corners=True)", 'resize2d(x, size, "linear", transform="align_corners")'),
    ("TensorFlow", "tf.compat.v1.image.resize_bilinear(x_tf, size, half_pixel_centers=True)", 'resize2d(x, size, "linear")'),
    ("TensorFlow", "tf.compat.v1.image.resize_nearest_neighbor(x_tf, size)", 'resize2d(x, size, "nearest", transform="asymmetric")'),
    ("TensorFlow", "tf.compat.v1.image.resize_nearest_neighbor(x_tf, size, align_corners=True)",
     'resize2d(x, size, "nearest", transform="align_corners", nearest_mode="round_prefer_ceil")'),
    ("JAX", 'jax.image.resize(x, (1, 2, *size), "linear")', 'resize2d(x, size, "linear", antialias=True, exclude_outside=True)'),
    ("JAX", 'jax.image.resize(x, (1, 2, *size), "linear", antialias=False)', 'resize2d(x, size, "linear")'),
    ("JAX", 'jax.image.resize(x, (1, 2, *size), "nearest")', 'resize2d(x, size, "nearest", transform="tf_half_pixel_for_nn")'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear")', 'resize2d(x, size, "linear")'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear", coordinate_transformation_mode="pytorch_half_pixel")',
     'resize2d(x, size, "linear", transform="pytorch_half_pixel")'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear", coordinate_transformation_mode="align_corners")',
     'resize2d(x, size, "linear", transform="align_corners")'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear", coordinate_transformation_mode="asymmetric")',
     'resize2d(x, size, "linear", transform="asymmetric")'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear", antialias=1)', 'resize2d(x, size, "linear", antialias=True)'),
    ("ONNX Runtime", ONNX_RESIZE + ', mode="linear", antialias=1, exclude_outside=1)',
     'resize2d(x, size, "linear", antialias=True, exclude_outside=True)'),
    ("ONNX Runtime", ONNX_RESIZE + ")", 'resize2d(x, size, "nearest", nearest_mode="round_prefer_floor")'),
    ("ONNX Runtime", ONNX_RESIZE + ', coordinate_transformation_mode="asymmetric", nearest_mode="floor")',
     'resize2d(x, size, "nearest", transform="asymmetric")'),
    ("ONNX Runtime", ONNX_RESIZE + ', nearest_mode="round_prefer_ceil")',
     'resize2d(x, size, "nearest", nearest_mode="round_prefer_ceil")'),
]


def resize_table_markdown():
    """The resize matrix as Markdown: each framework call and the NumPy resize it equals."""
    lines = ["| framework | call | equals |", "| --- | --- | --- |"]
    lines += [f"| {framework} | `{call}` | `{numpy}` |" for framework, call, numpy in RESIZE_CALLS]
    return "\n".join(lines)


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert sample_positions("half_pixel", 2, 4).tolist() == [-0.25, 0.25, 0.75, 1.25]
    assert sample_positions("align_corners", 2, 4).tolist() == [0, 1 / 3, 2 / 3, 1]
    assert sample_positions("asymmetric", 2, 4).tolist() == [0, 0.5, 1, 1.5]
    assert resize_matrix(2, 4, "linear").tolist() == [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]]
    assert resize_matrix(2, 4, "nearest", "asymmetric").tolist() == [[1, 0], [1, 0], [0, 1], [0, 1]]
    # downsampling 4 -> 2: linear reads two of the four pixels, antialias averages all of them
    assert resize_matrix(4, 2, "linear").tolist() == [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]]
    assert np.allclose(resize_matrix(4, 2, "linear", antialias=True, exclude_outside=True) * 7,
                       [[3, 3, 1, 0], [0, 1, 3, 3]])
    # ONNX's default reads the edge pixel for the taps at -1: weights 1/8, 3/8, 3/8, 1/8 over -1..2
    assert np.allclose(resize_matrix(4, 2, "linear", antialias=True) * 8, [[4, 3, 1, 0], [0, 1, 3, 4]])
    # upsampling: antialias changes nothing
    assert np.allclose(resize_matrix(3, 7, "linear", antialias=True), resize_matrix(3, 7, "linear"))
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    assert resize2d(x, (1, 1), "linear").tolist() == [[[[5.5]]]]  # the centre of the image
    assert resize2d(x, (1, 1), "linear", transform="pytorch_half_pixel").tolist() == [[[[0.0]]]]
    assert len(resize_table_markdown().splitlines()) == len(RESIZE_CALLS) + 2
    # --8<-- [end:examples]
    print("resizing: all examples hold")
