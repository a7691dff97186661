"""snippets.learning: NumPy gradient descent follows PyTorch's SGD step by step and finds the
known kernels (Sobel for a convolution, bilinear for a transposed convolution)."""
import numpy as np
import pytest
import torch
from torch import nn

from snippets.conv_backward import conv_transpose2d_backward
from snippets.learning import (BILINEAR_2X, SOBEL, sobel_pairs, train_conv, train_conv_transpose,
                               upsampling_pairs)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def torch_sgd(layer, x, y, w0, b0, lr, steps, check_gradients=None):
    """Losses of torch.optim.SGD on F.mse_loss from the given start; optionally check each step's
    gradients against check_gradients(weight, grad_out) -> (grad_w, grad_b)."""
    layer = layer.double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w0))
        layer.bias.copy_(torch.from_numpy(b0))
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        y_hat = layer(torch.from_numpy(x))
        loss = nn.functional.mse_loss(y_hat, torch.from_numpy(y))
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        if check_gradients:
            grad_out = 2 * (y_hat.detach().numpy() - y) / y.size
            grad_w, grad_b = check_gradients(layer.weight.detach().numpy(), grad_out)
            np.testing.assert_allclose(grad_w, layer.weight.grad.numpy(), rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(grad_b, layer.bias.grad.numpy(), rtol=1e-9, atol=1e-15)
        optimizer.step()
    return losses, layer.weight.detach().numpy(), layer.bias.detach().numpy()


def test_conv_training_follows_torch_sgd_and_finds_sobel(record_property):
    x, y = sobel_pairs()
    w0, b0 = np.random.default_rng(2).standard_normal((2, 1, 3, 3)) * 0.1, np.zeros(2)
    w, b, losses = train_conv(x, y, w0, b0, lr=0.5, steps=30, padding=1)
    torch_losses, torch_w, torch_b = torch_sgd(nn.Conv2d(1, 2, 3, padding=1), x, y, w0, b0, 0.5, 30)
    np.testing.assert_allclose(torch_losses, losses, rtol=1e-9)
    np.testing.assert_allclose(torch_w, w, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(torch_b, b, rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(losses) < 0)
    assert np.allclose(w, SOBEL, atol=1e-4) and losses[-1] < 1e-10 * losses[0]
    record_property("summary", f"{len(losses)} gradient-descent steps learning Sobel: NumPy loss "
                               "equals torch.optim.SGD's at every step")


def test_conv_transpose_training_has_autograd_gradients_and_finds_bilinear(record_property):
    x, y = upsampling_pairs()
    w0, b0 = np.random.default_rng(3).standard_normal((1, 1, 4, 4)) * 0.1, np.zeros(1)
    w, b, losses = train_conv_transpose(x, y, w0, b0, lr=0.8, steps=40, stride=2, padding=1)

    def numpy_gradients(weight, grad_out):
        _, grad_w, grad_b = conv_transpose2d_backward(x, weight, grad_out, stride=2, padding=1)
        return grad_w, grad_b

    torch_losses, torch_w, _ = torch_sgd(nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1), x, y,
                                         w0, b0, 0.8, 40, numpy_gradients)
    np.testing.assert_allclose(torch_losses, losses, rtol=1e-9)
    np.testing.assert_allclose(torch_w, w, rtol=1e-9, atol=1e-12)
    assert np.allclose(w, BILINEAR_2X, atol=1e-5) and abs(b[0]) < 1e-5
    record_property("summary", f"{len(losses)} gradient-descent steps learning a bilinear "
                               "upsampling: conv_transpose2d_backward equals autograd at every step")
