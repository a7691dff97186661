"""Reader questions 1 and 8: the signal-processing view of transposed convolution.

↑f inserts f-1 zeros between samples, ↓f keeps every f-th sample, and (↑f)ᵀ = ↓f. A strided
convolution is a stride-1 convolution followed by ↓s, so its transpose is ↑s followed by the
transposed stride-1 convolution (a 'full' convolution): convolution with a fractional stride 1/s.
Nearest-neighbour upsampling is ↑2 followed by a convolution with (1, 1).

Single channel, no batch: 1-D signals are vectors, 2-D images matrices (convolution here is the
textbook one, np.convolve's: the kernel is flipped; a PyTorch conv_transpose uses the same kernel)."""
# --8<-- [start:imports]
from fractions import Fraction

import numpy as np
# --8<-- [end:imports]

try:  # imported as snippets.fractional_stride, or run as a script from snippets/
    from snippets.shapes import check_int
except ModuleNotFoundError:
    from shapes import check_int


# --8<-- [start:check]
def check_signal(name, x, *ndims):
    """A non-empty float64 array with one of ndims dimensions, or ValueError naming it."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in ndims or x.size == 0:
        raise ValueError(f"{name} must be a non-empty {' or '.join(f'{d}-D' for d in ndims)} "
                         f"array, got shape {x.shape}")
    return x
# --8<-- [end:check]


# --8<-- [start:up_down_matrices]
def upsample_matrix(n, f):
    """↑f for a length-n signal: ((n-1)f+1) x n, sample j goes to position j*f."""
    n, f = check_int("n", n, 1), check_int("f", f, 1)
    U = np.zeros(((n - 1) * f + 1, n))
    U[np.arange(n) * f, np.arange(n)] = 1
    return U


def downsample_matrix(m, f):
    """↓f for a length-m signal: keep samples 0, f, 2f, ... (ceil(m/f) of them)."""
    m, f = check_int("m", m, 1), check_int("f", f, 1)
    D = np.zeros((-(-m // f), m))
    D[np.arange(D.shape[0]), np.arange(0, m, f)] = 1
    return D
# --8<-- [end:up_down_matrices]


# --8<-- [start:up_down]
def upsample(x, f):
    """↑f on a 1-D signal or (both axes of) a 2-D image: f-1 zeros between neighbours."""
    x, f = check_signal("x", x, 1, 2), check_int("f", f, 1)
    z = np.zeros(tuple((n - 1) * f + 1 for n in x.shape))
    z[(slice(None, None, f),) * x.ndim] = x
    return z


def downsample(z, f):
    """↓f: keep every f-th sample (along both axes of a 2-D image)."""
    z, f = check_signal("z", z, 1, 2), check_int("f", f, 1)
    return z[(slice(None, None, f),) * z.ndim]
# --8<-- [end:up_down]


# --8<-- [start:strided_conv_matrices]
def correlation_matrix(n, w):
    """Stride-1 'valid' convolution as deep learning means it (no flip), length n -> n-k+1."""
    w = check_signal("w", w, 1)
    n, k = check_int("n", n, len(w)), len(w)
    C = np.zeros((n - k + 1, n))
    for r in range(n - k + 1):
        C[r, r: r + k] = w  # output r reads inputs r .. r+k-1
    return C


def strided_correlation_matrix(n, w, s):
    """Stride s = stride 1, then keep every s-th output: C_s = ↓s C_1."""
    C_1 = correlation_matrix(n, w)
    return downsample_matrix(C_1.shape[0], check_int("s", s, 1)) @ C_1
# --8<-- [end:strided_conv_matrices]


# --8<-- [start:transposed_as_upsampling]
def convolve_full_2d(z, w):
    """The textbook 2-D 'full' convolution (np.convolve's, in 2-D): each z[r, q] adds
    z[r, q] * w at (r, q)."""
    z, w = check_signal("z", z, 2), check_signal("w", w, 2)
    y = np.zeros((z.shape[0] + w.shape[0] - 1, z.shape[1] + w.shape[1] - 1))
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            y[a: a + z.shape[0], b: b + z.shape[1]] += w[a, b] * z
    return y


def conv_transpose1d_by_upsampling(x, w, s):
    """A transposed convolution with stride s is ↑s, then a stride-1 full convolution."""
    x, w, s = check_signal("x", x, 1), check_signal("w", w, 1), check_int("s", s, 1)
    return np.convolve(upsample(x, s), w)


def conv_transpose2d_by_upsampling(x, w, s):
    x, s = check_signal("x", x, 2), check_int("s", s, 1)
    return convolve_full_2d(upsample(x, s), w)
# --8<-- [end:transposed_as_upsampling]


# --8<-- [start:nearest]
def nearest_upsample(x, f=2):
    """Repeat every sample f times: ↑f, then a full convolution with f ones."""
    x, f = check_signal("x", x, 1, 2), check_int("f", f, 1)
    if x.ndim == 1:
        return conv_transpose1d_by_upsampling(x, np.ones(f), f)
    return conv_transpose2d_by_upsampling(x, np.ones((f, f)), f)
# --8<-- [end:nearest]


# --8<-- [start:fractional_input_stride]
def conv_fractional_input_stride(x, w, f):
    """FCN's 'convolution with fractional input stride 1/f': output j sits at input position j/f,
    and kernel tap r reads position (j - r)/f. Positions between samples hold no value (zero),
    so only taps landing on a whole-numbered sample contribute."""
    x, w, f = check_signal("x", x, 1), check_signal("w", w, 1), check_int("f", f, 1)
    n, k = len(x), len(w)
    y = np.zeros((n - 1) * f + k)
    for j in range(len(y)):
        for r in range(k):
            position = Fraction(j - r, f)  # in input samples; steps of 1/f
            if position.denominator == 1 and 0 <= position < n:
                y[j] += w[r] * x[int(position)]
    return y
# --8<-- [end:fractional_input_stride]


if __name__ == "__main__":
    # --8<-- [start:examples]
    U, D = upsample_matrix(4, 2), downsample_matrix(7, 2)
    assert U.shape == (7, 4) and np.array_equal(U.T, D)  # (↑2)ᵀ = ↓2
    assert np.array_equal(D @ U, np.eye(4))  # ↓2 undoes ↑2 ...
    assert not np.array_equal(U @ D, np.eye(7))  # ... but ↑2 does not undo ↓2
    x, w = np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0])
    assert upsample(x, 2).tolist() == [1, 0, 2, 0, 3]
    C_2 = strided_correlation_matrix(7, w, 2)  # 7 -> 3 outputs
    assert np.allclose(C_2.T @ x, conv_transpose1d_by_upsampling(x, w, 2))
    assert np.allclose(conv_fractional_input_stride(x, w, 2), conv_transpose1d_by_upsampling(x, w, 2))
    assert nearest_upsample(x).tolist() == [1, 1, 2, 2, 3, 3]
    assert nearest_upsample(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist() == [
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    # --8<-- [end:examples]
    print("fractional_stride: all examples hold")
