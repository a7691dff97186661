"""snippets.frequency: zero insertion tiles the spectrum, kernel_response is the DFT of the kernel,
and equal phase sums, H vanishing at the image frequencies and a flat output of
F.conv_transpose1d on a flat input are the same condition."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.checkerboard import phase_sums
from snippets.frequency import image_frequencies, kernel_response, upsample_periodic


@pytest.mark.parametrize("n, s", itertools.product((1, 2, 5, 8), (1, 2, 3, 4)))
def test_zero_insertion_tiles_the_spectrum(n, s):
    x = np.random.default_rng(n * 10 + s).standard_normal(n)
    np.testing.assert_allclose(np.fft.fft(upsample_periodic(x, s)), np.tile(np.fft.fft(x), s), atol=1e-12)


def test_kernel_response_is_the_dft_of_the_zero_padded_kernel():
    w = np.random.default_rng(0).standard_normal(5)
    omegas = 2 * np.pi * np.arange(16) / 16
    np.testing.assert_allclose(kernel_response(w, omegas), np.fft.fft(w, 16), atol=1e-12)


def test_equal_phase_sums_iff_h_vanishes_at_the_images_iff_flat_output(record_property):
    rng = np.random.default_rng(3)
    n = flat = 0
    for s, k in itertools.product(range(2, 5), range(1, 10)):
        for equalise in (False, True):
            w = rng.standard_normal(k)
            if equalise:
                sums = phase_sums(w, s)
                target = sums.mean() if k >= s else 0.0
                for r in range(min(s, k)):
                    w[r::s] += (target - sums[r]) / len(w[r::s])
            sums = phase_sums(w, s)
            at_images = kernel_response(w, image_frequencies(s))
            np.testing.assert_allclose(at_images, np.fft.fft(sums)[1:], atol=1e-12)
            out = F.conv_transpose1d(torch.ones(1, 1, 12, dtype=torch.float64), torch.tensor(w).reshape(1, 1, -1),
                                     stride=s).flatten().numpy()
            interior = out[k - 1: 11 * s + 1]
            equal = bool(np.allclose(sums, sums[0]))
            assert equal == equalise
            assert equal == np.allclose(at_images, 0, atol=1e-9) == np.allclose(interior, interior[0])
            n += 1
            flat += equal
    record_property("summary", f"{n} kernels: phase sums equal <=> H = 0 at 2πj/s' <=> flat output ({flat} flat)")


@pytest.mark.parametrize("call, argument", [
    (lambda: upsample_periodic([1.0], 0), "s"),
    (lambda: upsample_periodic([], 2), "x"),
    (lambda: image_frequencies(0), "s"),
])
def test_invalid_arguments_raise_naming_them(call, argument):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(argument)
