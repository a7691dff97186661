"""Backpropagation through a 2-D convolution (and a transposed convolution), in NumPy float64.

For y = conv2d(x, w, b, stride, padding, dilation) (torch.nn.functional semantics, groups=1) and an
upstream gradient grad_out = dL/dy:

    dL/dx = a transposed convolution of dL/dy with the same weights          grad_input
    dL/dW = a correlation of x with dL/dy (stride and dilation swap roles)   grad_weight
    dL/db = dL/dy summed over the batch and every output pixel               grad_bias

`conv2d_backward(x, w, grad_out, stride=1, padding=0, dilation=1)` returns all three, and
`conv_transpose2d_backward` does the same for y = conv_transpose2d(x, w, b, ...) from the
convolution's own passes, swapped. `col2im` and the three Caffe GEMMs show how Caffe computes both.
Invalid input raises ValueError naming the argument."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.conv_backward, or run as a script from snippets/
    from snippets.conv_numpy import (check_conv2d_args, check_conv_transpose2d_args, conv2d,
                                     conv_output_hw, conv_transpose2d, conv_transpose_output_hw,
                                     im2col, pair)
except ModuleNotFoundError:
    from conv_numpy import (check_conv2d_args, check_conv_transpose2d_args, conv2d,
                            conv_output_hw, conv_transpose2d, conv_transpose_output_hw, im2col,
                            pair)


# --8<-- [start:grad_input]
def grad_input(grad_out, w, input_hw, stride, padding, dilation):
    """dL/dx: every pixel of dL/dy sends its gradient back through the kernel to the input
    pixels it was computed from. That is a transposed convolution with the same weights."""
    # The transposed convolution's natural size can fall short of x: when the stride skipped
    # the last rows (columns) of the padded input, no output pixel saw them. output_padding
    # adds them back (their gradient is zero) so that dL/dx has exactly x's shape.
    output_padding = []
    for i, o, k, s, p, d in zip(input_hw, grad_out.shape[2:], w.shape[2:], stride, padding, dilation):
        natural = (o - 1) * s - 2 * p + d * (k - 1) + 1  # the transposed convolution's own size
        output_padding.append(i - natural)  # the rows the stride skipped: 0 <= i - natural < s
    return conv_transpose2d(grad_out, w, stride=stride, padding=padding,
                            output_padding=output_padding, dilation=dilation)
# --8<-- [end:grad_input]


# --8<-- [start:grad_weight]
def grad_weight(x, grad_out, kernel_hw, stride, padding, dilation):
    """dL/dW[o, c, a, e] = sum over n, r, q of dL/dy[n, o, r, q] * x_padded[n, c, r*s + a*d, q*s + e*d]:
    each weight collects x times dL/dy from every position the kernel visited. That is a
    correlation of x with dL/dy in which dL/dy is the kernel, the stride s is its dilation and
    the dilation d is the step."""
    x_as_batch = x.transpose(1, 0, 2, 3)  # (C_in, N, H, W): the batch sums like channels
    grad_as_kernel = grad_out.transpose(1, 0, 2, 3)  # (C_out, N, oH, oW)
    g = conv2d(x_as_batch, grad_as_kernel, stride=dilation, padding=padding, dilation=stride)
    # Rows of the padded input that the stride skipped at the end give extra positions here:
    # taps a >= k, which the kernel does not have. Keep the k_h x k_w real ones.
    return g.transpose(1, 0, 2, 3)[:, :, :kernel_hw[0], :kernel_hw[1]]
# --8<-- [end:grad_weight]


# --8<-- [start:grad_bias]
def grad_bias(grad_out):
    """dL/db[o]: b[o] is added to every output pixel of channel o, in every image."""
    return grad_out.sum(axis=(0, 2, 3))
# --8<-- [end:grad_bias]


# --8<-- [start:conv2d_backward]
def conv2d_backward(x, w, grad_out, stride=1, padding=0, dilation=1):
    """(dL/dx, dL/dW, dL/db) for y = conv2d(x, w, b, stride, padding, dilation), given dL/dy.

    x (N, C_in, H, W), w (C_out, C_in, kH, kW), grad_out (N, C_out, oH, oW); stride, padding,
    dilation ints or (h, w) pairs. Returns float64 arrays shaped like x, w and (C_out,)."""
    x, w, _, s, p, d, _ = check_conv2d_args(x, w, None, stride, padding, dilation, 1)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    expected = (x.shape[0], w.shape[0], *conv_output_hw(x.shape[2:], w.shape[2:], s, p, d))
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the shape of conv2d(x, w), (N, C_out, oH, oW) = "
                         f"{expected}, got {grad_out.shape}")
    return (grad_input(grad_out, w, x.shape[2:], s, p, d),
            grad_weight(x, grad_out, w.shape[2:], s, p, d),
            grad_bias(grad_out))
# --8<-- [end:conv2d_backward]


# --8<-- [start:conv_transpose2d_backward]
def conv_transpose2d_backward(x, w, grad_out, stride=1, padding=0, output_padding=0, dilation=1):
    """(dL/dx, dL/dW, dL/db) for y = conv_transpose2d(x, w, b, ...), given dL/dy.

    y = Cᵀx, where C is conv2d(·, w, stride, padding, dilation). So dL/dx = C dL/dy: the
    convolution's forward pass. And dL/dW is the convolution's weight gradient with the roles
    swapped: dL/dy plays the input, x plays the gradient arriving at the output."""
    x, w, _, s, p, op, d, _ = check_conv_transpose2d_args(
        x, w, None, stride, padding, output_padding, dilation, 1)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    (n, c_in, i_h, i_w), (_, c_out, k_h, k_w) = x.shape, w.shape
    expected = (n, c_out, *conv_transpose_output_hw((i_h, i_w), (k_h, k_w), s, p, op, d))
    if grad_out.shape != expected:
        raise ValueError(f"grad_out must have the shape of conv_transpose2d(x, w), "
                         f"(N, C_out, oH, oW) = {expected}, got {grad_out.shape}")
    forward = conv2d(grad_out, w, stride=s, padding=p, dilation=d)  # (N, C_in, >= H, >= W)
    # output_padding >= stride (possible when dilation > stride) gives the convolution more
    # rows than x has; x has nothing there, so its gradient is cut off and x is padded with 0
    extra = forward.shape[2] - i_h, forward.shape[3] - i_w
    x_as_grad = np.pad(x, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    return (forward[..., :i_h, :i_w],
            grad_weight(grad_out, x_as_grad, (k_h, k_w), s, p, d),
            grad_bias(grad_out))
# --8<-- [end:conv_transpose2d_backward]


# --8<-- [start:col2im]
def col2im(cols, input_hw, kernel_size, stride=1, padding=0, dilation=1):
    """The transpose of im2col: add each column entry back onto the input pixel it was read
    from. (N, C*kH*kW, L) -> (N, C, H, W); torch.nn.functional.fold."""
    cols = np.asarray(cols, dtype=np.float64)
    k, s = pair("kernel_size", kernel_size, 1), pair("stride", stride, 1)
    p, d = pair("padding", padding, 0), pair("dilation", dilation, 1)
    (i_h, i_w), (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w) = input_hw, k, s, p, d
    o_h, o_w = conv_output_hw((i_h, i_w), k, s, p, d)
    if cols.ndim != 3 or cols.shape[1] % (k_h * k_w) or cols.shape[2] != o_h * o_w:
        raise ValueError(f"cols must have shape (N, C*{k_h}*{k_w}, {o_h * o_w}), got {cols.shape}")
    n, c = cols.shape[0], cols.shape[1] // (k_h * k_w)
    cols = cols.reshape(n, c, k_h, k_w, o_h, o_w)
    x = np.zeros((n, c, i_h + 2 * p_h, i_w + 2 * p_w))
    for a in range(k_h):
        for b in range(k_w):  # what tap (a, b) read, added back where it was read
            x[..., a * d_h: a * d_h + s_h * (o_h - 1) + 1: s_h,
                   b * d_w: b * d_w + s_w * (o_w - 1) + 1: s_w] += cols[:, :, a, b]
    return x[..., p_h: p_h + i_h, p_w: p_w + i_w]  # gradients on the zero padding are dropped
# --8<-- [end:col2im]


# --8<-- [start:caffe_gemms]
# Caffe's BaseConvolutionLayer, batched. The weights are a (C_out, C_in*kH*kW) matrix W; a
# convolution maps "input" (N, C_in, H, W) to "output" (N, C_out, oH, oW).
def forward_gemm(input, w, stride=1, padding=0, dilation=1):
    """forward_cpu_gemm: output = W · im2col(input)."""
    cols = im2col(input, w.shape[2:], stride, padding, dilation)
    out = w.reshape(w.shape[0], -1) @ cols
    o_h, o_w = conv_output_hw(input.shape[2:], w.shape[2:], pair("stride", stride, 1),
                              pair("padding", padding, 0), pair("dilation", dilation, 1))
    return out.reshape(input.shape[0], w.shape[0], o_h, o_w)


def backward_gemm(output, w, input_hw, stride=1, padding=0, dilation=1):
    """backward_cpu_gemm: input = col2im(Wᵀ · output)."""
    cols = w.reshape(w.shape[0], -1).T @ output.reshape(*output.shape[:2], -1)
    return col2im(cols, input_hw, w.shape[2:], stride, padding, dilation)


def weight_gemm(input, output, kernel_hw, stride=1, padding=0, dilation=1):
    """weight_cpu_gemm: dW = output · im2col(input)ᵀ, summed over the batch."""
    cols = im2col(input, kernel_hw, stride, padding, dilation)
    dw = np.einsum("nol,nkl->ok", output.reshape(*output.shape[:2], -1), cols)
    return dw.reshape(output.shape[1], input.shape[1], *kernel_hw)
# --8<-- [end:caffe_gemms]


if __name__ == "__main__":
    # --8<-- [start:examples]
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    settings = dict(stride=(2, 3), padding=(1, 0), dilation=(1, 2))
    y = conv2d(x, w, **settings)
    g = rng.standard_normal(y.shape)
    gx, gw, gb = conv2d_backward(x, w, g, **settings)
    assert gx.shape == x.shape and gw.shape == w.shape and gb.shape == (4,)
    # L = <g, y> is linear in x and in w: its gradients are the adjoint identities
    assert np.isclose(np.sum(g * y), np.sum(gx * x)) and np.isclose(np.sum(g * y), np.sum(gw * w))
    # central finite differences on one input pixel and one weight
    h, e = 1e-6, np.zeros_like(x)
    e[1, 2, 3, 4] = h
    numeric = (np.sum(g * conv2d(x + e, w, **settings)) - np.sum(g * conv2d(x - e, w, **settings)))
    assert np.isclose(numeric / (2 * h), gx[1, 2, 3, 4])
    # a stride that skips the last input row: zero gradient there, output_padding keeps the shape
    gx, _, _ = conv2d_backward(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)),
                               stride=2)
    assert gx.shape == (1, 1, 5, 5) and not gx[..., 4, :].any() and not gx[..., :, 4].any()
    # transposed convolution: its backward pass is the convolution's forward pass
    xt, wt = rng.standard_normal((2, 4, 3, 3)), rng.standard_normal((4, 3, 3, 3))
    yt = conv_transpose2d(xt, wt, stride=2, padding=1, output_padding=1)
    gt = rng.standard_normal(yt.shape)
    gxt, gwt, gbt = conv_transpose2d_backward(xt, wt, gt, stride=2, padding=1, output_padding=1)
    assert np.allclose(gxt, conv2d(gt, wt, stride=2, padding=1))
    assert np.isclose(np.sum(gt * yt), np.sum(gwt * wt))
    # Caffe's GEMMs: a Deconvolution layer's forward is a Convolution's backward_gemm
    assert np.allclose(backward_gemm(xt, wt, yt.shape[2:], stride=2, padding=1), yt)
    assert np.allclose(weight_gemm(x, g, (3, 2), **settings), conv2d_backward(x, w, g, **settings)[1])
    # --8<-- [end:examples]
    print("conv_backward: all examples hold")
