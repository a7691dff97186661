"""Transposed convolution across frameworks: weight layouts, TensorFlow's arguments in PyTorch, and
a translation table whose every cell the tests run against the NumPy reference.

PyTorch's conv_transpose2d (and snippets/conv_numpy.py) crops p' rows at both ends of the full
result and adds a < max(s', d') rows at the end. TensorFlow's conv2d_transpose is the gradient of
a SAME or VALID convolution of an `output_shape` image: it crops what that convolution padded,
the odd extra row at the end, and appends zero rows that no kernel position of it reached."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.frameworks, or run as a script from snippets/
    from snippets.conv_numpy import conv_transpose2d, pair
    from snippets.shapes import same_output_size, same_padding, valid_output_size
except ModuleNotFoundError:
    from conv_numpy import conv_transpose2d, pair
    from shapes import same_output_size, same_padding, valid_output_size


# --8<-- [start:layouts]
def relayout(array, source, target):
    """Reorder the axes of an array named by letters, e.g. relayout(w, "IOHW", "HWOI").

    N batch, C channels, H and W rows and columns; in weights I and O are the input and output
    channels of the layer that uses the weight. The strings are JAX's dimension numbers."""
    if sorted(source) != sorted(target) or len(set(source)) != len(source):
        raise ValueError(f"target {target!r} must reorder the letters of source {source!r}")
    if np.ndim(array) != len(source):
        raise ValueError(f"source {source!r} names {len(source)} axes, the array has {np.ndim(array)}")
    return np.transpose(array, [source.index(axis) for axis in target])


def dilate_kernel(w, d):
    """Insert d - 1 zeros between the taps of the last two axes: a dilated kernel as a plain one,
    for the layers that cannot dilate everywhere (TensorFlow's and Keras's conv2d_transpose on a CPU)."""
    w = np.asarray(w)
    k_h, k_w = w.shape[-2:]
    dilated = np.zeros((*w.shape[:-2], d * (k_h - 1) + 1, d * (k_w - 1) + 1), dtype=w.dtype)
    dilated[..., ::d, ::d] = w
    return dilated
# --8<-- [end:layouts]


# --8<-- [start:torch_args_for_tf]
def tf_window(i, k, s, padding, o):
    """Which rows of the full transposed convolution ((i - 1)s + k rows) TensorFlow returns, one
    dimension: (before, after) cropped at the ends; a negative `after` appends zero rows. TensorFlow
    transposes the convolution of an o-row image that gives i rows, and crops what it padded."""
    if padding == "SAME":
        valid = same_output_size(o, s) == i
    elif padding == "VALID":
        valid = o >= k and valid_output_size(o, k, s) == i
    else:
        raise ValueError(f"padding must be 'SAME' or 'VALID', got {padding!r}")
    if not valid:
        raise ValueError(f"output_hw size {o} is not a valid {padding} output size for input size "
                         f"{i}, kernel {k}, stride {s}: that convolution does not map {o} to {i}")
    before = same_padding(o, k, s)[0] if padding == "SAME" else 0
    return before, (i - 1) * s + k - before - o


def torch_args_for_tf_conv2d_transpose(input_hw, kernel_hw, strides, padding, output_hw):
    """F.conv_transpose2d arguments and a crop (top, bottom, left, right) that give
    tf.nn.conv2d_transpose(x, filters, output_shape, strides, padding) with w = filters.transpose(3, 2, 0, 1)."""
    i, k, s, o = (pair(name, value, 1) for name, value in
                  (("input_hw", input_hw), ("kernel_hw", kernel_hw), ("strides", strides),
                   ("output_hw", output_hw)))
    p, a, crop = [], [], []
    for axis in range(2):
        before, after = tf_window(i[axis], k[axis], s[axis], padding, o[axis])
        # TensorFlow never crops more at the start than at the end (SAME puts the odd row last),
        # so padding=before crops the start exactly; output_padding appends the zero rows, and
        # the one row PyTorch's symmetric padding cannot crop is sliced off at the end
        p.append(before)
        a.append(max(0, -after))
        crop += [0, max(0, after - before)]
    return {"padding": tuple(p), "output_padding": tuple(a), "crop": tuple(crop)}
# --8<-- [end:torch_args_for_tf]


# --8<-- [start:keras]
def keras_conv2d_transpose(x_nhwc, w_hwoi, **kwargs):
    """keras.layers.Conv2DTranspose(**kwargs) with its kernel set to w_hwoi and no bias, in
    Keras's float32. Keras stores the kernel as tf.nn.conv2d_transpose takes it: (k_h, k_w, c_out, c_in)."""
    import keras

    k_h, k_w, c_out, _ = np.shape(w_hwoi)
    layer = keras.layers.Conv2DTranspose(c_out, (k_h, k_w), use_bias=False, **kwargs)
    layer.build(np.shape(x_nhwc))
    layer.set_weights([np.asarray(w_hwoi)])
    return keras.ops.convert_to_numpy(layer(x_nhwc))
# --8<-- [end:keras]


# --8<-- [start:onnx]
def run_onnx(op_type, *inputs, **attributes):
    """Run one ONNX operator in ONNX Runtime. Float inputs become float32 (ONNX Runtime has no
    float64 ConvTranspose), integer ones int64; None leaves an optional input out."""
    import onnx
    import onnxruntime
    from onnx import helper

    arrays = {f"in{n}": (np.asarray(a, np.float32) if np.issubdtype(np.asarray(a).dtype, np.floating)
                         else np.asarray(a, np.int64))
              for n, a in enumerate(inputs) if a is not None}
    names = ["" if a is None else f"in{n}" for n, a in enumerate(inputs)]
    node = helper.make_node(op_type, names, ["out"], **attributes)
    graph = helper.make_graph(
        [node], op_type,
        [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
         for name, a in arrays.items()],
        [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, [None] * np.ndim(inputs[0]))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    onnx.checker.check_model(model)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, arrays)[0]
# --8<-- [end:onnx]


# --8<-- [start:translation_inputs]
def translation_inputs(seed=0):
    """The arrays the translation table's cells use: random x (1, 2, 3, 5) and a PyTorch
    ConvTranspose2d weight w (2 in, 3 out, 3 x 3), in every layout the cells need."""
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((1, 2, 3, 5)), rng.standard_normal((2, 3, 3, 3))
    flipped = w[..., ::-1, ::-1]  # the direct convolution that equals it correlates the flipped kernel
    return {
        "x": x, "w": w,
        "x_tf": relayout(x, "NCHW", "NHWC"),
        "w_tf": relayout(w, "IOHW", "HWOI"),  # tf.nn.conv2d_transpose's filters, Keras's kernel
        "w_tf_dilated": relayout(dilate_kernel(w, 2), "IOHW", "HWOI"),
        "w_jax": relayout(flipped, "IOHW", "HWIO"),  # lax.conv_transpose(transpose_kernel=False)
        "w_conv": relayout(flipped, "IOHW", "OIHW"),  # lax.conv_general_dilated, NCHW
    }
# --8<-- [end:translation_inputs]


# Columns of the translation table: the cells' output layout. A cell runs with the arrays of
# translation_inputs(), PyTorch's x_t, w_t (torch tensors of x, w), F, tf, lax,
# keras_conv2d_transpose and run_onnx. The NumPy reference runs the PyTorch cell with
# conv_numpy's conv_transpose2d as F.conv_transpose2d and NumPy arrays as x_t, w_t.
FRAMEWORK_LAYOUTS = {
    "PyTorch": "NCHW",
    "TensorFlow": "NHWC",
    "Keras 3": "NHWC",
    "JAX, transpose_kernel=True": "NHWC",
    "JAX, transpose_kernel=False": "NHWC",
    "JAX, conv_general_dilated": "NCHW",
    "ONNX Runtime": "NCHW",
}

# One row per setting, for x (1, 2, 3, 5) and a 3 x 3 kernel; a cell is a list of calls that
# all give the row's result. A slice in a cell is the crop that framework needs.
TRANSLATIONS = [
    {
        "setting": "s′ = 1, no padding: the full result",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf, (1, 5, 7, 3), 1, "VALID")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, padding="valid")'],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (1, 1), "VALID", transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (1, 1), "VALID")'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((2, 2), (2, 2)))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w)'],
    },
    {
        "setting": "s′ = 1, p′ = 1: same size (SAME)",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, padding=1)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf, (1, 3, 5, 3), 1, "SAME")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, padding="same")'],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (1, 1), "SAME", transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (1, 1), "SAME")'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((1, 1), (1, 1)))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, pads=[1, 1, 1, 1])',
                         'run_onnx("ConvTranspose", x, w, auto_pad="SAME_UPPER")'],
    },
    {
        "setting": "s′ = 2, no padding (VALID)",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf, (1, 7, 11, 3), 2, "VALID")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, strides=2, padding="valid")'],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (2, 2), "VALID", transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (2, 2), "VALID")'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((2, 2), (2, 2)), lhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2])'],
    },
    {
        "setting": "s′ = 2, a = 1: one more row and column, all zeros",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2, output_padding=1)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf, (1, 8, 12, 3), 2, "VALID")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, strides=2, padding="valid", output_padding=1)'],
        "JAX, transpose_kernel=True": ["lax.conv_transpose(x_tf, w_tf, (2, 2), ((2, 3), (2, 3)), transpose_kernel=True)"],
        "JAX, transpose_kernel=False": ["lax.conv_transpose(x_tf, w_jax, (2, 2), ((2, 3), (2, 3)))"],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((2, 3), (2, 3)), lhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2], output_padding=[1, 1])'],
    },
    {
        "setting": "s′ = 2, TensorFlow's SAME, o′ = s′i′: crops the last row and column",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2)[..., :-1, :-1]"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf, (1, 6, 10, 3), 2, "SAME")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, strides=2, padding="same")'],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (2, 2), "SAME", transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (2, 2), "SAME")'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((2, 1), (2, 1)), lhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2], auto_pad="SAME_UPPER")',
                         'run_onnx("ConvTranspose", x, w, strides=[2, 2], pads=[0, 0, 1, 1])'],
    },
    {
        "setting": "s′ = 2, p′ = 1, a = 1 (PyTorch's usual 2× upsampling): crops the first row and column",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2, padding=1, output_padding=1)"],
        "TensorFlow": ["tf.nn.conv2d_transpose(x_tf, w_tf, (1, 6, 10, 3), 2, [[0, 0], [1, 0], [1, 0], [0, 0]])"],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, strides=2, padding="valid")[:, 1:, 1:]'],
        "JAX, transpose_kernel=True": ["lax.conv_transpose(x_tf, w_tf, (2, 2), ((1, 2), (1, 2)), transpose_kernel=True)"],
        "JAX, transpose_kernel=False": ["lax.conv_transpose(x_tf, w_jax, (2, 2), ((1, 2), (1, 2)))"],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((1, 2), (1, 2)), lhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])',
                         'run_onnx("ConvTranspose", x, w, strides=[2, 2], auto_pad="SAME_LOWER")',
                         'run_onnx("ConvTranspose", x, w, strides=[2, 2], output_shape=[6, 10])'],
    },
    {
        "setting": "s′ = 2, p′ = 2: more padding than SAME",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2, padding=2)"],
        "TensorFlow": ["tf.nn.conv2d_transpose(x_tf, w_tf, (1, 3, 7, 3), 2, [[0, 0], [2, 2], [2, 2], [0, 0]])"],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf, strides=2, padding="valid")[:, 2:-2, 2:-2]'],
        "JAX, transpose_kernel=True": ["lax.conv_transpose(x_tf, w_tf, (2, 2), ((0, 0), (0, 0)), transpose_kernel=True)"],
        "JAX, transpose_kernel=False": ["lax.conv_transpose(x_tf, w_jax, (2, 2), ((0, 0), (0, 0)))"],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((0, 0), (0, 0)), lhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2], pads=[2, 2, 2, 2])'],
    },
    {
        "setting": "d′ = 2, s′ = 1, p′ = 2: same size",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, padding=2, dilation=2)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf_dilated, (1, 3, 5, 3), 1, "SAME")'],
        "Keras 3": ['keras_conv2d_transpose(x_tf, w_tf_dilated, padding="same")'],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (1, 1), "SAME", rhs_dilation=(2, 2), transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (1, 1), "SAME", rhs_dilation=(2, 2))'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((2, 2), (2, 2)), rhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, dilations=[2, 2], pads=[2, 2, 2, 2])'],
    },
    {
        "setting": "d′ = 2, s′ = 2, no padding",
        "PyTorch": ["F.conv_transpose2d(x_t, w_t, stride=2, dilation=2)"],
        "TensorFlow": ['tf.nn.conv2d_transpose(x_tf, w_tf_dilated, (1, 9, 13, 3), 2, "VALID")'],
        "Keras 3": ["keras_conv2d_transpose(x_tf, w_tf_dilated, strides=2)"],
        "JAX, transpose_kernel=True": ['lax.conv_transpose(x_tf, w_tf, (2, 2), "VALID", rhs_dilation=(2, 2), transpose_kernel=True)'],
        "JAX, transpose_kernel=False": ['lax.conv_transpose(x_tf, w_jax, (2, 2), "VALID", rhs_dilation=(2, 2))'],
        "JAX, conv_general_dilated": ["lax.conv_general_dilated(x, w_conv, (1, 1), ((4, 4), (4, 4)), lhs_dilation=(2, 2), rhs_dilation=(2, 2))"],
        "ONNX Runtime": ['run_onnx("ConvTranspose", x, w, strides=[2, 2], dilations=[2, 2])'],
    },
]


def translation_table_markdown(frameworks=tuple(FRAMEWORK_LAYOUTS)):
    """The translation table as Markdown: one row per setting, one column per framework."""
    lines = ["| setting | " + " | ".join(frameworks) + " |", "| --- " * (len(frameworks) + 1) + "|"]
    for row in TRANSLATIONS:
        cells = ["<br>or ".join(f"`{call}`" for call in row[name]) for name in frameworks]
        lines.append(f"| {row['setting']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    # --8<-- [start:examples]
    w = np.arange(2 * 3 * 3 * 2.0).reshape(2, 3, 3, 2)  # IOHW
    assert relayout(w, "IOHW", "HWOI").shape == (3, 2, 3, 2)
    assert np.array_equal(relayout(relayout(w, "IOHW", "HWOI"), "HWOI", "IOHW"), w)
    assert np.array_equal(relayout(w, "IOHW", "HWOI"), w.transpose(2, 3, 1, 0))
    assert dilate_kernel(np.ones((1, 1, 2, 3)), 2)[0, 0].tolist() == [[1, 0, 1, 0, 1], [0] * 5, [1, 0, 1, 0, 1]]
    # the worked example: 2x2 -> 4x4, SAME, stride 2, 3x3 kernel: PyTorch's full result minus the last row and column
    assert torch_args_for_tf_conv2d_transpose(2, 3, 2, "SAME", 4) == {
        "padding": (0, 0), "output_padding": (0, 0), "crop": (0, 1, 0, 1)}
    assert torch_args_for_tf_conv2d_transpose(2, 3, 2, "SAME", 3)["padding"] == (1, 1)
    assert torch_args_for_tf_conv2d_transpose(2, 3, 2, "VALID", 6)["output_padding"] == (1, 1)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 1, 2, 3)), rng.standard_normal((1, 1, 3, 3))
    args = torch_args_for_tf_conv2d_transpose((2, 3), 3, 2, "SAME", (4, 6))
    top, bottom, left, right = args["crop"]
    y = conv_transpose2d(x, w, stride=2, padding=args["padding"], output_padding=args["output_padding"])
    assert y[..., top: y.shape[2] - bottom, left: y.shape[3] - right].shape == (1, 1, 4, 6)
    try:
        torch_args_for_tf_conv2d_transpose(2, 3, 2, "SAME", 5)
        raise AssertionError("5 is not a valid SAME size")
    except ValueError as error:
        assert "output_hw" in str(error)
    assert len(translation_table_markdown().splitlines()) == len(TRANSLATIONS) + 2
    # --8<-- [end:examples]
    print("frameworks: all examples hold")
