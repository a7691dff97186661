"""Training a convolution and a transposed convolution by plain gradient descent, in NumPy.

The gradients come from snippets.conv_backward; the loss is the mean squared error, so
dL/dy = 2 (y_hat - y) / (number of entries), and each step is w <- w - lr * dL/dw (what
torch.optim.SGD does without momentum or weight decay)."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.learning, or run as a script from snippets/
    from snippets.conv_backward import conv2d_backward, conv_transpose2d_backward
    from snippets.conv_numpy import conv2d, conv_transpose2d
except ModuleNotFoundError:
    from conv_backward import conv2d_backward, conv_transpose2d_backward
    from conv_numpy import conv2d, conv_transpose2d


# --8<-- [start:sobel]
SOBEL = np.array([[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]],  # responds to left-right change
                  [[[1, 2, 1], [0, 0, 0], [-1, -2, -1]]]],  # responds to top-bottom change
                 dtype=np.float64)  # (C_out, C_in, kH, kW) = (2, 1, 3, 3)


def sobel_pairs(n=16, size=8, seed=0):
    """Random images x and their two Sobel responses y (padding 1 keeps the size)."""
    x = np.random.default_rng(seed).standard_normal((n, 1, size, size))
    return x, conv2d(x, SOBEL, padding=1)
# --8<-- [end:sobel]


# --8<-- [start:train_conv]
def train_conv(x, y, w, b, lr, steps, **settings):
    """Gradient descent on L = mean((conv2d(x, w, b) - y)²). Returns the final w, b and the
    loss before each step."""
    losses = []
    for _ in range(steps):
        error = conv2d(x, w, b, **settings) - y
        losses.append(np.mean(error ** 2))
        grad_out = 2 * error / error.size  # dL/dy
        _, grad_w, grad_b = conv2d_backward(x, w, grad_out, **settings)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, losses
# --8<-- [end:train_conv]


# --8<-- [start:bilinear_target]
TENT = np.array([0.25, 0.75, 0.75, 0.25])  # 1-D linear interpolation for 2x upsampling
BILINEAR_2X = np.outer(TENT, TENT)[None, None]  # (C_in, C_out, kH, kW) = (1, 1, 4, 4)


def upsampling_pairs(n=16, size=6, seed=1):
    """Random small images x and their 2x bilinear upsampling y (stride 2, padding 1)."""
    x = np.random.default_rng(seed).standard_normal((n, 1, size, size))
    return x, conv_transpose2d(x, BILINEAR_2X, stride=2, padding=1)
# --8<-- [end:bilinear_target]


# --8<-- [start:train_conv_transpose]
def train_conv_transpose(x, y, w, b, lr, steps, **settings):
    """Gradient descent on L = mean((conv_transpose2d(x, w, b) - y)²). Returns the final w, b
    and the loss before each step."""
    losses = []
    for _ in range(steps):
        error = conv_transpose2d(x, w, b, **settings) - y
        losses.append(np.mean(error ** 2))
        grad_out = 2 * error / error.size  # dL/dy
        _, grad_w, grad_b = conv_transpose2d_backward(x, w, grad_out, **settings)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, losses
# --8<-- [end:train_conv_transpose]


if __name__ == "__main__":
    # --8<-- [start:examples]
    x, y = sobel_pairs()
    w0 = np.random.default_rng(2).standard_normal((2, 1, 3, 3)) * 0.1
    w, b, losses = train_conv(x, y, w0, np.zeros(2), lr=0.5, steps=40, padding=1)
    assert losses[-1] < 1e-9 * losses[0] and np.allclose(w, SOBEL, atol=1e-4)
    assert np.all(np.diff(losses) < 0)  # every step lowers the loss
    x, y = upsampling_pairs()
    w0 = np.random.default_rng(3).standard_normal((1, 1, 4, 4)) * 0.1
    w, b, losses = train_conv_transpose(x, y, w0, np.zeros(1), lr=0.8, steps=50, stride=2, padding=1)
    assert np.allclose(w, BILINEAR_2X, atol=1e-6) and abs(b[0]) < 1e-6
    assert sorted(set(w.round(4).ravel().tolist())) == [0.0625, 0.1875, 0.5625]
    # --8<-- [end:examples]
    print("learning: all examples hold")
