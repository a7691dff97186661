"""The frequency view of a transposed convolution (docs/upsampling/frequency.md): zero insertion
copies the spectrum, the kernel filters the copies, and a flat input comes out flat exactly when
the kernel's transfer function vanishes at the nonzero multiples of 2π/s′."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.frequency, or run as a script from snippets/
    from snippets.shapes import check_int
except ModuleNotFoundError:
    from shapes import check_int


# --8<-- [start:spectral_images]
def upsample_periodic(x, s):
    """↑s in the textbook (periodic) form: n samples become n·s, with s - 1 zeros after each one,
    the last included, so the result is one period of a periodic signal."""
    x, s = np.asarray(x, dtype=float), check_int("s", s, 1)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D signal, got shape {x.shape}")
    z = np.zeros(x.size * s)
    z[::s] = x
    return z
# --8<-- [end:spectral_images]


# --8<-- [start:kernel_response]
def kernel_response(w, omega):
    """H(ω) = Σ_t w[t] e^{-iωt}: how the kernel scales a complex wave of angular frequency ω."""
    w = np.asarray(w, dtype=float)
    t = np.arange(w.size)
    return np.exp(-1j * np.multiply.outer(np.asarray(omega, dtype=float), t)) @ w


def image_frequencies(s):
    """The nonzero multiples of 2π/s below 2π: where zero insertion by s puts copies of DC."""
    s = check_int("s", s, 1)
    return 2 * np.pi * np.arange(1, s) / s
# --8<-- [end:kernel_response]


if __name__ == "__main__":
    # --8<-- [start:examples]
    x = np.random.default_rng(0).standard_normal(8)
    assert np.allclose(np.fft.fft(upsample_periodic(x, 3)), np.tile(np.fft.fft(x), 3))  # 3 copies
    assert np.allclose(kernel_response([0.25, 0.75, 0.75, 0.25], image_frequencies(2)), 0)  # bilinear, f = 2
    assert not np.allclose(kernel_response(np.ones(3), image_frequencies(2)), 0)  # k' = 3 ones: checkerboard
    # --8<-- [end:examples]
    print("frequency: all examples hold")
