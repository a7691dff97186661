"""snippets.frameworks against the real frameworks: every translation-table cell by value, the
weight layouts, PyTorch's ONNX export, and torch_args_for_tf_conv2d_transpose against TensorFlow."""
import os
import subprocess
import sys
from itertools import permutations, product
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from snippets.conv_numpy import conv2d, conv_transpose2d
from snippets.frameworks import (FRAMEWORK_LAYOUTS, TRANSLATIONS, keras_conv2d_transpose,
                                 relayout, run_onnx, torch_args_for_tf_conv2d_transpose,
                                 translation_inputs, translation_table_markdown)

# Keras layers and ONNX Runtime compute in float32 (ONNX Runtime has no float64 ConvTranspose)
TOLERANCE = {"Keras 3": 1e-5, "ONNX Runtime": 1e-5}


@pytest.fixture(scope="module")
def lax():
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 like the reference
    return jax.lax


@pytest.fixture(scope="module")
def cells(tf, lax):
    """Every (row, framework, call) of the table with its namespace."""
    arrays = translation_inputs()
    namespace = {**arrays, "x_t": torch.from_numpy(arrays["x"]), "w_t": torch.from_numpy(arrays["w"]),
                 "F": F, "tf": tf, "lax": lax, "keras_conv2d_transpose": keras_conv2d_transpose,
                 "run_onnx": run_onnx}
    return namespace, [(row, framework, call) for row in TRANSLATIONS
                       for framework in FRAMEWORK_LAYOUTS for call in row[framework]]


def reference(row):
    """The PyTorch cell run with NumPy: conv_numpy's conv_transpose2d takes F's arguments."""
    arrays = translation_inputs()
    (call,) = row["PyTorch"]
    return eval(call, {"F": SimpleNamespace(conv_transpose2d=conv_transpose2d),
                       "x_t": arrays["x"], "w_t": arrays["w"]})


def test_every_table_cell_equals_the_reference(cells, record_property):
    namespace, table = cells
    for row, framework, call in table:
        result = np.asarray(eval(call, dict(namespace)))
        result = relayout(result, FRAMEWORK_LAYOUTS[framework], "NCHW")
        expected = reference(row)
        assert result.shape == expected.shape, (row["setting"], framework, call)
        np.testing.assert_allclose(result, expected, atol=TOLERANCE.get(framework, 1e-12),
                                   err_msg=f"{row['setting']}: {framework}: {call}")
    record_property("summary", f"frameworks: {len(table)} translation-table calls in "
                               f"{len(FRAMEWORK_LAYOUTS)} frameworks, {len(TRANSLATIONS)} settings, "
                               f"equal to the NumPy reference by value")


def test_table_markdown_shows_every_cell():
    table = translation_table_markdown()
    for row in TRANSLATIONS:
        for framework in FRAMEWORK_LAYOUTS:
            for call in row[framework]:
                assert f"`{call}`" in table
    assert len(table.splitlines()) == len(TRANSLATIONS) + 2


def test_slices_mark_exactly_the_settings_that_need_a_crop():
    """The prose says which framework needs a crop where; the table shows it as a slice."""
    needs_crop = {(row["setting"].split(":")[0], framework) for row in TRANSLATIONS
                  for framework in FRAMEWORK_LAYOUTS for call in row[framework]
                  if "[:" in call or "[...," in call}
    assert needs_crop == {("s′ = 2, TensorFlow's SAME, o′ = s′i′", "PyTorch"),
                          ("s′ = 2, p′ = 1, a = 1 (PyTorch's usual 2× upsampling)", "Keras 3"),
                          ("s′ = 2, p′ = 2", "Keras 3")}


@pytest.mark.filterwarnings("ignore::FutureWarning")  # torch.export's own deprecation notice
def test_onnx_export_from_pytorch_keeps_the_arguments(record_property):
    """torch.onnx.export(dynamo=True) of every PyTorch cell in one model (one export is ~5 s):
    each F.conv_transpose2d becomes one ConvTranspose node with pads [p, p, p, p] and PyTorch's
    output_padding, and ONNX Runtime computes the reference."""
    import onnx.helper
    import onnxruntime

    calls = [row["PyTorch"][0] for row in TRANSLATIONS]

    class Cells(torch.nn.Module):
        def __init__(self, w):
            super().__init__()
            self.w_t = torch.nn.Parameter(w)

        def forward(self, x_t):
            return tuple(eval(call, {"F": F, "x_t": x_t, "w_t": self.w_t}) for call in calls)

    arrays = translation_inputs()
    model = Cells(torch.from_numpy(arrays["w"]).float()).eval()
    program = torch.onnx.export(model, (torch.from_numpy(arrays["x"]).float(),), dynamo=True, verbose=False)
    nodes = [node for node in program.model_proto.graph.node if node.op_type == "ConvTranspose"]
    attributes = [{a.name: onnx.helper.get_attribute_value(a) for a in node.attribute} for node in nodes]
    # rows 3 and 5 share one node: the slice after it is a Slice node
    assert sorted((a["strides"][0], a["pads"], a["output_padding"][0], a["dilations"][0]) for a in attributes) == [
        (1, [0] * 4, 0, 1), (1, [1] * 4, 0, 1), (1, [2] * 4, 0, 2), (2, [0] * 4, 0, 1), (2, [0] * 4, 0, 2),
        (2, [0] * 4, 1, 1), (2, [1] * 4, 1, 1), (2, [2] * 4, 0, 1)]
    assert all(a["auto_pad"] == b"NOTSET" for a in attributes)
    assert "Slice" in {node.op_type for node in program.model_proto.graph.node}  # the SAME row's crop
    session = onnxruntime.InferenceSession(program.model_proto.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: arrays["x"].astype(np.float32)})
    for row, output in zip(TRANSLATIONS, outputs, strict=True):
        np.testing.assert_allclose(output, reference(row), atol=1e-5, err_msg=row["setting"])
    record_property("summary", f"frameworks: torch.onnx.export(dynamo=True) of {len(calls)} "
                               f"F.conv_transpose2d calls = ConvTranspose with pads [p, p, p, p], "
                               f"equal in ONNX Runtime")


ONEDNN_DILATED_CHECK = """
import numpy as np, tensorflow as tf
x, w = np.ones((1, 3, 5, 2)), np.ones((3, 3, 4, 2))
y = tf.nn.conv2d_transpose(x.astype(np.float32), w.astype(np.float32), (1, 9, 13, 4), 2, "VALID", dilations=2)
assert float(y.numpy().sum()) == 3 * 5 * 2 * 9 * 4
try:
    tf.nn.conv2d_transpose(x, w, (1, 9, 13, 4), 2, "VALID", dilations=2)
except tf.errors.InvalidArgumentError as error:
    assert "dilation rates larger than 1" in str(error)
else:
    raise AssertionError("float64 dilated conv2d_transpose ran")
"""


def test_what_the_page_says_tensorflow_and_keras_refuse(tf):
    """TensorFlow's CPU conv2d_transpose dilates only through oneDNN (on by default on some CPUs
    only) and in float32 only; Keras runs the same kernel and refuses strides and dilation together;
    both take the zero-dilated kernel instead (the table's w_tf_dilated)."""
    arrays = translation_inputs()
    x, w, x_tf, w_tf = arrays["x"], arrays["w"], arrays["x_tf"], arrays["w_tf"]
    reference = relayout(conv_transpose2d(x, w, stride=2, dilation=2), "NCHW", "NHWC")
    output_shape = (1, *reference.shape[1:])
    # Here TensorFlow runs without oneDNN (conftest.py), as on a CPU where it is off by default.
    for dtype in (np.float32, np.float64):
        with pytest.raises(tf.errors.InvalidArgumentError, match="dilation rates larger than 1"):
            tf.nn.conv2d_transpose(x_tf.astype(dtype), w_tf.astype(dtype), output_shape, 2, "VALID", dilations=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="dilation rates larger than 1"):
        keras_conv2d_transpose(x_tf, w_tf, padding="same", dilation_rate=2)
    with pytest.raises(ValueError, match="dilation_rate"):
        keras_conv2d_transpose(x_tf, w_tf, strides=2, dilation_rate=2)
    y = tf.nn.conv2d_transpose(x_tf, arrays["w_tf_dilated"], output_shape, 2, "VALID")
    np.testing.assert_allclose(y.numpy(), reference, atol=1e-12)
    # With oneDNN on (a fresh interpreter: TensorFlow reads the variable when it loads), float32 only.
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"}
    with_onednn = subprocess.run([sys.executable, "-c", ONEDNN_DILATED_CHECK], env=env, capture_output=True, text=True)
    assert with_onednn.returncode == 0, with_onednn.stderr[-3000:]


def test_pytorch_output_size_picks_output_padding():
    """nn.ConvTranspose2d(x, output_size=o') chooses a = o' - smallest size: still a symmetric crop."""
    arrays = translation_inputs()
    x_t, w_t = torch.from_numpy(arrays["x"]), torch.from_numpy(arrays["w"])
    layer = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(w_t)
    for a_h, a_w in product(range(2), repeat=2):
        y = layer(x_t, output_size=(5 + a_h, 9 + a_w))
        torch.testing.assert_close(y, F.conv_transpose2d(x_t, w_t, stride=2, padding=1, output_padding=(a_h, a_w)))
    with pytest.raises(ValueError, match="valid sizes"):
        layer(x_t, output_size=(7, 10))


WEIGHT_LAYOUTS = ["".join(p) for p in permutations("OIHW")]
NAMED_LAYOUTS = ["OIHW", "IOHW", "HWIO", "HWOI"]  # the ones the frameworks use; JAX compiles each


def test_weight_layouts_convert_by_value(tf, lax, record_property):
    """One convolution weight in every layout: JAX reads it with the layout as dimension numbers,
    TensorFlow wants HWIO for conv2d and HWOI for conv2d_transpose, ONNX OIHW and IOHW, Keras
    the same as TensorFlow; a conv's OIHW weight is the IOHW weight of its transpose."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((3, 2, 3, 2))  # OIHW
    y = conv2d(x, w, stride=2)
    checked = 0
    for layout in WEIGHT_LAYOUTS:  # every layout, and back
        w_layout = relayout(w, "OIHW", layout)
        for data in ("NCHW", "NHWC") if layout in NAMED_LAYOUTS else ():
            out = lax.conv_general_dilated(relayout(x, "NCHW", data), w_layout, (2, 2), "VALID",
                                           dimension_numbers=(data, layout, data))
            np.testing.assert_allclose(relayout(np.asarray(out), data, "NCHW"), y, atol=1e-12)
            checked += 1
        for other in WEIGHT_LAYOUTS:
            assert np.array_equal(relayout(relayout(w_layout, layout, other), other, "OIHW"), w)
            checked += 1
    x_tf = relayout(x, "NCHW", "NHWC")
    np.testing.assert_allclose(relayout(tf.nn.conv2d(x_tf, relayout(w, "OIHW", "HWIO"), 2, "VALID").numpy(),
                                        "NHWC", "NCHW"), y, atol=1e-12)
    np.testing.assert_allclose(run_onnx("Conv", x, w, strides=[2, 2]), y, atol=1e-5)
    np.testing.assert_allclose(F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=2).numpy(), y)
    # the transposed convolution of y: the gradient of conv2d, with the very same array as weight
    x_grad = torch.from_numpy(x).requires_grad_()
    F.conv2d(x_grad, torch.from_numpy(w), stride=2).backward(torch.from_numpy(y))
    back = conv_transpose2d(y, w, stride=2)  # 5 x 6 again
    np.testing.assert_allclose(x_grad.grad.numpy(), back, atol=1e-12)
    y_tf = relayout(y, "NCHW", "NHWC")
    np.testing.assert_allclose(relayout(tf.nn.conv2d_transpose(y_tf, relayout(w, "IOHW", "HWOI"), (1, 5, 6, 2), 2,
                                                               "VALID").numpy(), "NHWC", "NCHW"), back, atol=1e-12)
    np.testing.assert_allclose(relayout(keras_conv2d_transpose(y_tf, relayout(w, "IOHW", "HWOI"), strides=2),
                                        "NHWC", "NCHW"), back, atol=1e-5)
    np.testing.assert_allclose(run_onnx("ConvTranspose", y, w, strides=[2, 2]), back,
                               atol=1e-5)
    record_property("summary", f"frameworks: {checked} weight-layout conversions checked by value "
                               f"(JAX dimension numbers, TF HWIO/HWOI, ONNX, Keras, PyTorch OIHW/IOHW)")


def valid_sizes(i, k, s, padding):
    """The output sizes o' TensorFlow accepts: its convolution of an o'-row image gives i rows."""
    if padding == "SAME":
        return range((i - 1) * s + 1, i * s + 1)
    return range((i - 1) * s + k, i * s + k)


dimension = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))  # i, k, s


@settings(derandomize=True, max_examples=300, deadline=None)
@given(dims=st.tuples(dimension, dimension), padding=st.sampled_from(["SAME", "VALID"]),
       ints=st.booleans())
def check_torch_args_against_tf(tf, counts, dims, padding, ints):
    (i_h, k_h, s_h), (i_w, k_w, s_w) = dims
    if ints:  # int arguments mean the same in both dimensions
        i_w, k_w, s_w = i_h, k_h, s_h
    seed = counts["settings"]
    rng = np.random.default_rng(seed)
    x, filters = rng.standard_normal((1, i_h, i_w, 2)), rng.standard_normal((k_h, k_w, 3, 2))
    w = torch.from_numpy(filters.transpose(3, 2, 0, 1).copy())

    def arguments(h, w):
        return h if ints else (h, w)

    for o_h, o_w in product(valid_sizes(i_h, k_h, s_h, padding), valid_sizes(i_w, k_w, s_w, padding)):
        if ints and o_h != o_w:
            continue
        args = torch_args_for_tf_conv2d_transpose(arguments(i_h, i_w), arguments(k_h, k_w),
                                                  arguments(s_h, s_w), padding, arguments(o_h, o_w))
        assert min(args["crop"]) >= 0 and args["crop"][0] == args["crop"][2] == 0
        y = F.conv_transpose2d(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), w, stride=(s_h, s_w),
                               padding=args["padding"], output_padding=args["output_padding"]).numpy()
        top, bottom, left, right = args["crop"]
        y = y[..., top: y.shape[2] - bottom, left: y.shape[3] - right]
        expected = tf.nn.conv2d_transpose(x, filters, (1, o_h, o_w, 3), (s_h, s_w), padding).numpy()
        np.testing.assert_allclose(y.transpose(0, 2, 3, 1), expected, atol=1e-12)
        counts["sizes"] += 1
    sizes_h = valid_sizes(i_h, k_h, s_h, padding)
    for o_h in (sizes_h[0] - 1, sizes_h[-1] + 1):  # just outside: both reject it
        o_w = o_h if ints else valid_sizes(i_w, k_w, s_w, padding)[0]
        if o_h < 1:
            continue
        with pytest.raises(ValueError, match="output_hw"):
            torch_args_for_tf_conv2d_transpose((i_h, i_w), (k_h, k_w), (s_h, s_w), padding, (o_h, o_w))
        with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
            tf.nn.conv2d_transpose(x, filters, (1, o_h, o_w, 3), (s_h, s_w), padding)
        counts["rejected"] += 1
    counts["settings"] += 1


def test_torch_args_for_tf_conv2d_transpose(tf, tiny_tensor_mode, record_property):
    counts = {"settings": 0, "sizes": 0, "rejected": 0}
    check_torch_args_against_tf(tf, counts)
    assert counts["settings"] >= 250 and counts["rejected"] >= 250
    record_property("summary", f"frameworks: torch_args_for_tf_conv2d_transpose == tf.nn.conv2d_transpose "
                               f"on {counts['settings']} random settings, {counts['sizes']} output sizes "
                               f"(every valid one); {counts['rejected']} invalid sizes rejected by both")


def test_torch_args_reject_bad_arguments():
    with pytest.raises(ValueError, match="padding"):
        torch_args_for_tf_conv2d_transpose(2, 3, 2, "same", 4)
    with pytest.raises(ValueError, match="strides"):
        torch_args_for_tf_conv2d_transpose(2, 3, 0, "SAME", 4)
    with pytest.raises(ValueError, match="output_hw"):
        torch_args_for_tf_conv2d_transpose(2, 3, 1, "VALID", 2)  # smaller than the kernel
    with pytest.raises(ValueError, match="kernel_hw"):
        torch_args_for_tf_conv2d_transpose(2, (3, 3, 3), 1, "VALID", 4)
