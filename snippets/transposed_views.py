"""Five views of one operation: torch.nn.functional.conv_transpose2d.

Every view takes PyTorch's arguments: x (N, C_in, H, W), w (C_in, C_out/groups, kH, kW), optional
bias b (C_out,), stride, padding, output_padding, dilation, groups (ints or (h, w) pairs), and
returns the same float64 array (N, C_out, H_out, W_out).

    a. matrix          y = Cᵀx, C the matrix of the convolution this one transposes
    b. scatter         every input pixel stamps a scaled copy of the kernel; the stamps add up
    c. zero_insertion  s-1 zeros between inputs, pad, convolve with the rotated kernel at stride 1
    d. gradient        the gradient of a convolution with respect to its input (autograd)
    e. subpixel        s_h*s_w stride-1 convolutions with phase sub-kernels, then pixel shuffle"""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.transposed_views, or run as a script from snippets/
    from snippets.conv_numpy import (check_conv_transpose2d_args, conv2d, conv2d_matrix,
                                     conv_transpose_output_hw)
except ModuleNotFoundError:
    from conv_numpy import (check_conv_transpose2d_args, conv2d, conv2d_matrix,
                            conv_transpose_output_hw)


# --8<-- [start:helpers]
def direct_conv_weight(w, groups):
    """The conv2d weight a transposed convolution amounts to: in/out channels swapped within
    each group, kernel rotated by 180 degrees."""
    c_in, c_out_g, k_h, k_w = w.shape
    w = w.reshape(groups, c_in // groups, c_out_g, k_h, k_w).swapaxes(1, 2)
    return w.reshape(groups * c_out_g, c_in // groups, k_h, k_w)[..., ::-1, ::-1]


def pad_or_crop(z, rows, cols):
    """Add zeros (positive amounts) or remove pixels (negative) at the (before, after) sides."""
    z = np.pad(z, ((0, 0), (0, 0)) + tuple((max(before, 0), max(after, 0))
                                           for before, after in (rows, cols)))
    h, w = z.shape[-2:]
    return z[..., max(-rows[0], 0): h - max(-rows[1], 0), max(-cols[0], 0): w - max(-cols[1], 0)]
# --8<-- [end:helpers]


# --8<-- [start:matrix]
def conv_transpose2d_matrix(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1,
                            groups=1):
    """y = Cᵀx: C is the conv2d(·, w, stride, padding, dilation, groups) that maps an output-sized
    image back to x's size; the same weight tensor, read as a conv2d weight."""
    x, w, b, s, p, op, d, g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, c_out_g, k_h, k_w) = x.shape, w.shape
    o_h, o_w = conv_transpose_output_hw((i_h, i_w), (k_h, k_w), s, p, op, d)
    C = np.zeros((c_in, i_h * i_w, g * c_out_g, o_h * o_w))  # one block per channel pair
    for ci in range(c_in):
        for j in range(c_out_g):
            co = ci // (c_in // g) * c_out_g + j  # output channel j of ci's group; others stay 0
            block = conv2d_matrix((o_h, o_w), w[ci, j], s, p, d)
            # output_padding >= stride (possible when dilation > stride) gives the conv extra
            # output rows/columns; the transposed convolution reverses only the first i
            block = block.reshape(i_h + op[0] // s[0], i_w + op[1] // s[1], -1)[:i_h, :i_w]
            C[ci, :, co, :] = block.reshape(i_h * i_w, o_h * o_w)
    C = C.reshape(c_in * i_h * i_w, g * c_out_g * o_h * o_w)
    y = (C.T @ x.reshape(n, -1).T).T.reshape(n, g * c_out_g, o_h, o_w)
    return y if b is None else y + b[:, None, None]
# --8<-- [end:matrix]


# --8<-- [start:scatter]
def conv_transpose2d_scatter(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1,
                             groups=1):
    """Each input pixel stamps x[r, q] * kernel onto the output at (r*s, q*s); stamps add up."""
    x, w, b, (s_h, s_w), (p_h, p_w), (op_h, op_w), (d_h, d_w), g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, c_out_g, k_h, k_w) = x.shape, w.shape
    span_h, span_w = d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1  # a dilated stamp's extent
    full = np.zeros((n, g, c_out_g, (i_h - 1) * s_h + span_h + op_h, (i_w - 1) * s_w + span_w + op_w))
    x = x.reshape(n, g, c_in // g, i_h, i_w)
    w = w.reshape(g, c_in // g, c_out_g, k_h, k_w)
    for r in range(i_h):
        for q in range(i_w):
            stamp = np.einsum("ngi,giokl->ngokl", x[..., r, q], w)  # this pixel's scaled kernels
            full[..., r * s_h: r * s_h + span_h: d_h, q * s_w: q * s_w + span_w: d_w] += stamp
    # padding crops p from each side; output_padding keeps op more rows/columns at the end
    y = full.reshape(n, g * c_out_g, *full.shape[3:])
    y = y[..., p_h: y.shape[2] - p_h, p_w: y.shape[3] - p_w]
    return y if b is None else y + b[:, None, None]
# --8<-- [end:scatter]


# --8<-- [start:zero_insertion]
def conv_transpose2d_zero_insertion(x, w, b=None, stride=1, padding=0, output_padding=0,
                                    dilation=1, groups=1):
    """Insert s-1 zeros between inputs, pad d(k-1)-p, convolve with the rotated kernel, stride 1."""
    x, w, b, (s_h, s_w), (p_h, p_w), (op_h, op_w), d, g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, _, k_h, k_w) = x.shape, w.shape
    z = np.zeros((n, c_in, (i_h - 1) * s_h + 1, (i_w - 1) * s_w + 1))
    z[..., ::s_h, ::s_w] = x  # s-1 zeros between neighbouring input pixels
    q_h, q_w = d[0] * (k_h - 1) - p_h, d[1] * (k_w - 1) - p_w  # 'full' padding minus p
    # output_padding extends one side only; a negative amount crops (when p > d(k-1))
    z = pad_or_crop(z, (q_h, q_h + op_h), (q_w, q_w + op_w))
    return conv2d(z, direct_conv_weight(w, g), b, stride=1, dilation=d, groups=g)
# --8<-- [end:zero_insertion]


# --8<-- [start:gradient]
def conv_transpose2d_gradient(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1,
                              groups=1):
    """The gradient of conv2d(z, w) with respect to z, for upstream gradient x (Caffe's
    Deconvolution forward): d<x, Cz>/dz = Cᵀx. Autograd computes it without forming C."""
    import torch

    x, w, b, s, p, op, d, g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, c_out_g, k_h, k_w) = x.shape, w.shape
    o_h, o_w = conv_transpose_output_hw((i_h, i_w), (k_h, k_w), s, p, op, d)
    z = torch.zeros((n, g * c_out_g, o_h, o_w), dtype=torch.float64, requires_grad=True)
    conv = torch.nn.functional.conv2d(z, torch.from_numpy(w), stride=s, padding=p, dilation=d,
                                      groups=g)
    conv = conv[..., :i_h, :i_w]  # extra rows/columns when output_padding >= stride
    (y,) = torch.autograd.grad(conv, z, grad_outputs=torch.from_numpy(x))
    y = y.numpy()
    return y if b is None else y + b[:, None, None]
# --8<-- [end:gradient]


# --8<-- [start:pixel_shuffle]
def pixel_shuffle(y, s_h, s_w):
    """(N, C*s_h*s_w, H, W) -> (N, C, H*s_h, W*s_w): channel (c, r_h, r_w) fills the output
    pixels (r_h::s_h, r_w::s_w), as torch.nn.functional.pixel_shuffle does for s_h = s_w."""
    n, c, h, w = y.shape
    if c % (s_h * s_w):
        raise ValueError(f"channels {c} must be divisible by s_h*s_w = {s_h * s_w}")
    y = y.reshape(n, c // (s_h * s_w), s_h, s_w, h, w)
    return y.transpose(0, 1, 4, 2, 5, 3).reshape(n, c // (s_h * s_w), h * s_h, w * s_w)
# --8<-- [end:pixel_shuffle]


# --8<-- [start:subpixel]
def conv_transpose2d_subpixel(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1,
                              groups=1):
    """s_h*s_w stride-1 convolutions of the small input, one per output phase, interleaved."""
    x, w, b, (s_h, s_w), (p_h, p_w), (op_h, op_w), (d_h, d_w), g = check_conv_transpose2d_args(
        x, w, b, stride, padding, output_padding, dilation, groups)
    (n, c_in, i_h, i_w), (_, c_out_g, k_h, k_w) = x.shape, w.shape
    # output pixel m*s + r only meets kernel taps t with t*d = e*s + r: lay the dilated kernel
    # on a grid padded to a multiple of s, and phase r's sub-kernel is every s-th entry from r
    K_h, K_w = d_h * (k_h - 1) // s_h + 1, d_w * (k_w - 1) // s_w + 1  # sub-kernel size
    dilated = np.zeros((c_in, c_out_g, K_h * s_h, K_w * s_w))
    dilated[..., : d_h * (k_h - 1) + 1: d_h, : d_w * (k_w - 1) + 1: d_w] = w
    phases = [conv2d(x, direct_conv_weight(dilated[..., r_h::s_h, r_w::s_w], g),
                     padding=(K_h - 1, K_w - 1), groups=g)  # y_r[m] = sum_e x[m - e] w_r[e]
              for r_h in range(s_h) for r_w in range(s_w)]
    y = np.stack(phases, axis=2)  # (N, C_out, s_h*s_w, H + K_h - 1, W + K_w - 1)
    y = pixel_shuffle(y.reshape(n, -1, *y.shape[3:]), s_h, s_w)  # interleave the phases
    # op zero rows/columns at the end, beyond every stamp; cropping p from each side leaves
    # stamped values there when p >= op (op only picks the size), zeros only when op > p
    y = np.pad(y, ((0, 0), (0, 0), (0, op_h), (0, op_w)))
    o_h = (i_h - 1) * s_h - 2 * p_h + d_h * (k_h - 1) + op_h + 1
    o_w = (i_w - 1) * s_w - 2 * p_w + d_w * (k_w - 1) + op_w + 1
    y = y[..., p_h: p_h + o_h, p_w: p_w + o_w]
    return y if b is None else y + b[:, None, None]
# --8<-- [end:subpixel]


# --8<-- [start:zero_insertion_work]
def zero_insertion_work(i, k, s, p=0, d=1, output_padding=0):
    """Multiplications the zero-insertion view does along one dimension, and how many of them
    meet a real input pixel (the rest multiply inserted or padded zeros). In 2-D, multiply the
    counts of the two dimensions."""
    o = (i - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
    if min(i, k, s, d) < 1 or min(p, output_padding) < 0 or o < 1:
        raise ValueError(f"need i, k, s, d >= 1, p, output_padding >= 0 and an output; got "
                         f"i={i}, k={k}, s={s}, p={p}, d={d}, output_padding={output_padding}")
    pad = d * (k - 1) - p  # zeros padded before the zero-inserted input
    # output j, tap r reads stretched position j + r*d - pad: a real pixel when it is a multiple of s
    useful = sum((j + r * d - pad) % s == 0 and 0 <= (j + r * d - pad) // s < i
                 for j in range(o) for r in range(k))
    return o * k, useful
# --8<-- [end:zero_insertion_work]


VIEWS = (conv_transpose2d_matrix, conv_transpose2d_scatter, conv_transpose2d_zero_insertion,
         conv_transpose2d_gradient, conv_transpose2d_subpixel)

if __name__ == "__main__":
    # --8<-- [start:examples]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 3, 2))
    w = rng.standard_normal((4, 3, 3, 2))  # groups=2: C_out = 3 * 2 = 6
    b = rng.standard_normal(6)
    args = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2), groups=2)
    results = [view(x, w, b, **args) for view in VIEWS]
    assert results[0].shape == (2, 6, 6, 8)
    for y in results[1:]:
        assert np.allclose(y, results[0])
    total, useful = zero_insertion_work(i=4, k=3, s=2, p=1, output_padding=1)
    assert (total, useful) == (24, 11)  # per dimension; in 2-D: 576 multiplications, 121 useful
    # --8<-- [end:examples]
    print("transposed_views: all five views agree")
