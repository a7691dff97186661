"""Convolution and transposed convolution in NumPy, with torch.nn.functional's semantics.

`conv2d` and `conv_transpose2d` take the same arguments as torch.nn.functional.conv2d and
conv_transpose2d: float64 arrays (N, C, H, W); stride, padding, dilation (and output_padding) as an
int or an (h, w) pair; conv weight (C_out, C_in/groups, kH, kW), transposed weight
(C_in, C_out/groups, kH, kW). Invalid settings raise ValueError naming the argument."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.conv_numpy, or run as a script from snippets/
    from snippets.shapes import check_int
except ModuleNotFoundError:
    from shapes import check_int


# --8<-- [start:check_args]
def pair(name, value, minimum):
    """An int or an (h, w) pair -> (h, w) ints, each >= minimum; else ValueError naming it."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")
        return tuple(check_int(f"{name}[{axis}]", v, minimum) for axis, v in zip("hw", value))
    return (check_int(name, value, minimum),) * 2


def check_arrays(x, w, b, groups, transposed):
    """Shapes PyTorch accepts; returns float64 arrays and the output channel count."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got ndim {x.ndim}")
    if w.ndim != 4:
        raise ValueError(f"w must have shape (C, C/groups, kH, kW), got ndim {w.ndim}")
    groups, c_in = check_int("groups", groups, 1), x.shape[1]
    if c_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels x.shape[1]={c_in}")
    if transposed:  # weight (C_in, C_out/groups, kH, kW)
        if w.shape[0] != c_in:
            raise ValueError(f"w.shape[0]={w.shape[0]} must equal x.shape[1]={c_in}")
        c_out = w.shape[1] * groups
    else:  # weight (C_out, C_in/groups, kH, kW)
        if w.shape[1] * groups != c_in:
            raise ValueError(f"w.shape[1]*groups={w.shape[1] * groups} must equal x.shape[1]={c_in}")
        c_out = w.shape[0]
        if c_out % groups:
            raise ValueError(f"groups={groups} must divide the output channels w.shape[0]={c_out}")
    if min(w.shape) < 1 or min(x.shape[1:]) < 1:
        raise ValueError(f"x {x.shape} and w {w.shape} must not have empty dimensions")
    if b is not None:
        b = np.asarray(b, dtype=np.float64)
        if b.shape != (c_out,):
            raise ValueError(f"b must have shape ({c_out},) (one per output channel), got {b.shape}")
    return x, w, b, groups, c_out


def conv_output_hw(i, k, s, p, d):
    """Output (H, W) of a convolution; each argument an (h, w) pair."""
    o = tuple((i[ax] + 2 * p[ax] - d[ax] * (k[ax] - 1) - 1) // s[ax] + 1 for ax in range(2))
    if min(o) < 1:
        raise ValueError(f"output size would be {o}: input size {tuple(i)} (x) is too small for "
                         f"kernel {tuple(k)}, dilation {d} and padding {p}")
    return o


def conv_transpose_output_hw(i, k, s, p, op, d):
    """Output (H, W) of a transposed convolution; each argument an (h, w) pair."""
    o = tuple((i[ax] - 1) * s[ax] - 2 * p[ax] + d[ax] * (k[ax] - 1) + op[ax] + 1
              for ax in range(2))
    if min(o) < 1:
        raise ValueError(f"output size would be {o}: padding {p} crops more than the "
                         f"transposed convolution of input size {tuple(i)} (x) produces")
    return o


def check_conv2d_args(x, w, b, stride, padding, dilation, groups):
    x, w, b, g, _ = check_arrays(x, w, b, groups, transposed=False)
    s, p, d = pair("stride", stride, 1), pair("padding", padding, 0), pair("dilation", dilation, 1)
    conv_output_hw(x.shape[2:], w.shape[2:], s, p, d)  # raises if nothing is left
    return x, w, b, s, p, d, g


def check_conv_transpose2d_args(x, w, b, stride, padding, output_padding, dilation, groups):
    x, w, b, g, _ = check_arrays(x, w, b, groups, transposed=True)
    s, p, d = pair("stride", stride, 1), pair("padding", padding, 0), pair("dilation", dilation, 1)
    op = pair("output_padding", output_padding, 0)
    for axis in range(2):  # PyTorch's rule: output_padding only picks among the possible sizes
        if op[axis] >= max(s[axis], d[axis]):
            raise ValueError(f"output_padding {op} must be smaller than max(stride, dilation) "
                             f"= {max(s[axis], d[axis])} in each dimension")
    conv_transpose_output_hw(x.shape[2:], w.shape[2:], s, p, op, d)  # raises if nothing is left
    return x, w, b, s, p, op, d, g
# --8<-- [end:check_args]


# --8<-- [start:conv2d]
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: y[n, c_out] = b[c_out] + sum over kernel taps (t_h, t_w) of
    w[c_out, :, t_h, t_w] * x."""
    x, w, b, s, p, d, g = check_conv2d_args(x, w, b, stride, padding, dilation, groups)
    (n, c_in, i_h, i_w), (c_out, _, k_h, k_w) = x.shape, w.shape
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = s, p, d
    o_h, o_w = conv_output_hw((i_h, i_w), (k_h, k_w), s, p, d)
    x = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))  # zeros around the image
    x = x.reshape(n, g, c_in // g, *x.shape[2:])  # each group sees only its own channels
    w = w.reshape(g, c_out // g, c_in // g, k_h, k_w)
    y = np.zeros((n, g, c_out // g, o_h, o_w))
    for t_h in range(k_h):
        for t_w in range(k_w):
            # tap (t_h, t_w) meets input (r*s + t_h*d, q*s + t_w*d) for every output pixel (r, q)
            seen = x[..., t_h * d_h: t_h * d_h + s_h * (o_h - 1) + 1: s_h,
                          t_w * d_w: t_w * d_w + s_w * (o_w - 1) + 1: s_w]
            y += np.einsum("ngihw,goi->ngohw", seen, w[..., t_h, t_w])  # mix channels per group
    y = y.reshape(n, c_out, o_h, o_w)
    return y if b is None else y + b[:, None, None]
# --8<-- [end:conv2d]


# --8<-- [start:conv_transpose2d]
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv_transpose2d: every input pixel scatters w onto the output."""
    x, w, b, s, p, op, d, g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, c_out_g, k_h, k_w) = x.shape, w.shape
    (s_h, s_w), (p_h, p_w), (op_h, op_w), (d_h, d_w) = s, p, op, d
    o_h, o_w = conv_transpose_output_hw((i_h, i_w), (k_h, k_w), s, p, op, d)
    # room for every stamp, plus op rows/columns at the end that no stamp reaches; the crop
    # below removes p from each side, so op only picks the size: those zeros survive only
    # when op > p, and for p >= op the output ends in stamped rows/columns
    full = np.zeros((n, g, c_out_g, (i_h - 1) * s_h + d_h * (k_h - 1) + 1 + op_h,
                     (i_w - 1) * s_w + d_w * (k_w - 1) + 1 + op_w))
    x = x.reshape(n, g, c_in // g, i_h, i_w)
    w = w.reshape(g, c_in // g, c_out_g, k_h, k_w)
    for t_h in range(k_h):
        for t_w in range(k_w):
            # tap (t_h, t_w) of input pixel (r, q) lands on output pixel (r*s + t_h*d, q*s + t_w*d)
            full[..., t_h * d_h: t_h * d_h + s_h * (i_h - 1) + 1: s_h,
                      t_w * d_w: t_w * d_w + s_w * (i_w - 1) + 1: s_w] += np.einsum(
                "ngihw,gio->ngohw", x, w[..., t_h, t_w])
    # padding removes p rows/columns from each side of the full result
    y = full.reshape(n, g * c_out_g, *full.shape[3:])[..., p_h: p_h + o_h, p_w: p_w + o_w]
    return y if b is None else y + b[:, None, None]
# --8<-- [end:conv_transpose2d]


# --8<-- [start:conv2d_matrix]
def conv2d_matrix(input_shape_hw, w2d, stride=1, padding=0, dilation=1):
    """The matrix C with conv2d(x)[0, 0].ravel() == C @ x.ravel() for one channel (no bias)."""
    w2d = np.asarray(w2d, dtype=np.float64)
    if w2d.ndim != 2:
        raise ValueError(f"w2d must be a 2-D kernel (kH, kW), got ndim {w2d.ndim}")
    i_h, i_w = pair("input_shape_hw", tuple(input_shape_hw), 1)
    s, p, d = pair("stride", stride, 1), pair("padding", padding, 0), pair("dilation", dilation, 1)
    (s_h, s_w), (p_h, p_w), (d_h, d_w), (k_h, k_w) = s, p, d, w2d.shape
    o_h, o_w = conv_output_hw((i_h, i_w), (k_h, k_w), s, p, d)
    C = np.zeros((o_h * o_w, i_h * i_w))
    for r in range(o_h):
        for q in range(o_w):
            for t_h in range(k_h):
                for t_w in range(k_w):
                    row, col = r * s_h - p_h + t_h * d_h, q * s_w - p_w + t_w * d_w
                    if 0 <= row < i_h and 0 <= col < i_w:  # taps on the zero padding drop out
                        C[r * o_w + q, row * i_w + col] += w2d[t_h, t_w]
    return C
# --8<-- [end:conv2d_matrix]


# --8<-- [start:im2col]
def im2col(x, kernel_size, stride=1, padding=0, dilation=1):
    """torch.nn.functional.unfold: (N, C, H, W) -> (N, C*kH*kW, L), one column per output pixel."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got ndim {x.ndim}")
    k, s = pair("kernel_size", kernel_size, 1), pair("stride", stride, 1)
    p, d = pair("padding", padding, 0), pair("dilation", dilation, 1)
    (n, c, i_h, i_w), (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w) = x.shape, k, s, p, d
    o_h, o_w = conv_output_hw((i_h, i_w), k, s, p, d)
    x = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    cols = np.empty((n, c, k_h, k_w, o_h, o_w))
    for t_h in range(k_h):
        for t_w in range(k_w):  # row (channel, t_h, t_w) of the matrix: what tap (t_h, t_w) sees
            cols[:, :, t_h, t_w] = x[..., t_h * d_h: t_h * d_h + s_h * (o_h - 1) + 1: s_h,
                                          t_w * d_w: t_w * d_w + s_w * (o_w - 1) + 1: s_w]
    return cols.reshape(n, c * k_h * k_w, o_h * o_w)
# --8<-- [end:im2col]


# --8<-- [start:conv2d_im2col]
def conv2d_im2col(x, w, stride=1, padding=0, dilation=1):
    """conv2d as one matrix product (groups=1): weights (C_out, C_in*kH*kW) @ columns."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 4 or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError(f"need x (N, C, H, W) and w (C_out, C, kH, kW), got {x.shape}, {w.shape}")
    s, p, d = pair("stride", stride, 1), pair("padding", padding, 0), pair("dilation", dilation, 1)
    o_h, o_w = conv_output_hw(x.shape[2:], w.shape[2:], s, p, d)
    y = w.reshape(w.shape[0], -1) @ im2col(x, w.shape[2:], s, p, d)  # (C_out, C*kH*kW) @ columns
    return y.reshape(x.shape[0], w.shape[0], o_h, o_w)
# --8<-- [end:conv2d_im2col]


if __name__ == "__main__":
    # --8<-- [start:examples]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 4, 4))
    w = rng.standard_normal((1, 1, 3, 3))
    C = conv2d_matrix((4, 4), w[0, 0])
    assert C.shape == (4, 16)  # 2x2 outputs, 16 inputs
    assert np.allclose(C @ x.ravel(), conv2d(x, w).ravel())
    # the transposed convolution multiplies by C transposed: 4 values in, 16 out
    y = rng.standard_normal((1, 1, 2, 2))
    assert np.allclose(C.T @ y.ravel(), conv_transpose2d(y, w).ravel())
    assert np.allclose(conv2d_im2col(x, w, padding=1), conv2d(x, w, padding=1))
    assert conv_transpose2d(y, w, stride=2, padding=1, output_padding=1).shape == (1, 1, 4, 4)
    # --8<-- [end:examples]
    print("conv_numpy: all examples hold")
