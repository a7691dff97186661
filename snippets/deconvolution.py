"""Reader questions 3 and 12: real deconvolution undoes a convolution; a transposed convolution
does not.

Blurring is y = Cx with a convolution matrix C. Least squares (np.linalg.lstsq, the
pseudo-inverse) recovers x when C has full column rank ('full' convolution) and nothing is lost
to noise; Cᵀy, what a "deconvolution layer" computes, is a different image. With noise, the
naive inverse filter Y/H explodes where the blur's frequency response H is tiny; the Wiener
filter conj(H) / (|H|² + noise-to-signal power) does not. Cᵀ undoes C only when C has orthonormal
columns (CᵀC = I), as for an orthogonal wavelet such as Haar, which *is* a stride-2 convolution."""
# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]


# --8<-- [start:check]
def check_array(name, a, ndim):
    """A non-empty float64 array with ndim dimensions, or ValueError naming the argument."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != ndim or a.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {a.shape}")
    return a


def check_mode(mode):
    if mode not in ("full", "valid"):
        raise ValueError(f"mode must be 'full' or 'valid', got {mode!r}")
    return mode


def relative_error(estimate, x):
    return float(np.linalg.norm(estimate - x) / np.linalg.norm(x))
# --8<-- [end:check]


# --8<-- [start:convolve2d]
def convolve2d(x, h, mode="full"):
    """Textbook 2-D convolution (kernel flipped), 'full' (every overlap) or 'valid' (only
    positions where h lies inside x)."""
    x, h, mode = check_array("x", x, 2), check_array("h", h, 2), check_mode(mode)
    (n_h, n_w), (k_h, k_w) = x.shape, h.shape
    y = np.zeros((n_h + k_h - 1, n_w + k_w - 1))
    for a in range(k_h):
        for b in range(k_w):
            y[a: a + n_h, b: b + n_w] += h[a, b] * x
    if mode == "valid":
        if k_h > n_h or k_w > n_w:
            raise ValueError(f"mode 'valid' needs h {h.shape} to fit inside x {x.shape}")
        y = y[k_h - 1: n_h, k_w - 1: n_w]
    return y
# --8<-- [end:convolve2d]


# --8<-- [start:matrix_of]
def matrix_of(linear_map, input_shape):
    """The matrix of any linear map: column j is the map applied to the j-th unit impulse."""
    n = int(np.prod(input_shape))
    if n < 1:
        raise ValueError(f"input_shape must have at least one element, got {input_shape!r}")
    return np.stack([np.ravel(linear_map(e.reshape(input_shape))) for e in np.eye(n)], axis=1)
# --8<-- [end:matrix_of]


# --8<-- [start:least_squares]
def deconvolve_least_squares(C, y):
    """The x minimising ||Cx - y|| (the smallest such x when several fit): pinv(C) @ y."""
    C, y = check_array("C", C, 2), check_array("y", y, 1)
    if C.shape[0] != y.shape[0]:
        raise ValueError(f"y has {y.shape[0]} values but C has {C.shape[0]} rows")
    return np.linalg.lstsq(C, y, rcond=None)[0]
# --8<-- [end:least_squares]


def deconvolution_errors_1d_2d():
    """Relative errors of least squares and of Cᵀy, for a 1-D signal and an 8x8 image."""
    # --8<-- [start:experiments_1d_2d]
    rng = np.random.default_rng(0)
    x1 = rng.standard_normal(10)
    h1 = np.array([1.0, 2.0, 1.0]) / 4  # a small blur
    C1 = matrix_of(lambda v: np.convolve(v, h1, mode="full"), x1.shape)  # 12 x 10
    x2 = rng.standard_normal((8, 8))
    h2 = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16  # 3x3 blur
    C2 = matrix_of(lambda v: convolve2d(v, h2, mode="full"), x2.shape)  # 100 x 64
    C2_valid = matrix_of(lambda v: convolve2d(v, h2, mode="valid"), x2.shape)  # 36 x 64
    y1, y2, y2_valid = C1 @ x1, C2 @ x2.ravel(), C2_valid @ x2.ravel()
    errors = {
        "1-D least squares": relative_error(deconvolve_least_squares(C1, y1), x1),
        "1-D pinv": relative_error(np.linalg.pinv(C1) @ y1, x1),
        "1-D transpose": relative_error(C1.T @ y1, x1),
        "2-D least squares (full)": relative_error(deconvolve_least_squares(C2, y2), x2.ravel()),
        "2-D transpose (full)": relative_error(C2.T @ y2, x2.ravel()),
        "2-D least squares (valid)": relative_error(deconvolve_least_squares(C2_valid, y2_valid),
                                                    x2.ravel()),
    }
    # Cᵀy is not x even after the best rescaling: it blurs a second time
    t = C2.T @ y2
    errors["2-D best-scaled transpose (full)"] = relative_error(t * (t @ x2.ravel()) / (t @ t), x2.ravel())
    # --8<-- [end:experiments_1d_2d]
    return errors


# --8<-- [start:wiener]
def transfer_function(h, shape):
    """The DFT of kernel h placed with its centre at pixel (0, 0): a circular blur's H."""
    h = check_array("h", h, 2)
    if h.shape[0] > shape[0] or h.shape[1] > shape[1]:
        raise ValueError(f"h {h.shape} must fit inside the image {tuple(shape)}")
    padded = np.zeros(shape)
    padded[: h.shape[0], : h.shape[1]] = h
    return np.fft.fft2(np.roll(padded, (-(h.shape[0] // 2), -(h.shape[1] // 2)), axis=(0, 1)))


def blur_circular(x, h):
    x = check_array("x", x, 2)
    return np.real(np.fft.ifft2(np.fft.fft2(x) * transfer_function(h, x.shape)))


def inverse_filter(y, h):
    """Naive deconvolution: divide by H. Exact without noise; noise / tiny H explodes."""
    y = check_array("y", y, 2)
    return np.real(np.fft.ifft2(np.fft.fft2(y) / transfer_function(h, y.shape)))


def wiener_filter(y, h, nsr):
    """Divide by H only where the signal beats the noise: conj(H) / (|H|^2 + nsr), nsr the
    noise-to-signal power ratio (a number, or one per frequency)."""
    y = check_array("y", y, 2)
    if np.any(np.asarray(nsr) < 0) or np.shape(nsr) not in ((), y.shape):
        raise ValueError(f"nsr must be >= 0, a number or an array of shape {y.shape}")
    H = transfer_function(h, y.shape)
    return np.real(np.fft.ifft2(np.fft.fft2(y) * np.conj(H) / (np.abs(H) ** 2 + nsr)))
# --8<-- [end:wiener]


def wiener_errors():
    """Relative errors of a blurred noisy 32x32 image and of three ways to deblur it."""
    # --8<-- [start:experiment_wiener]
    r, q = np.mgrid[:32, :32]
    x = ((abs(r - 10) < 6) & (abs(q - 12) < 8)) + 0.5 * ((r - 20) ** 2 + (q - 20) ** 2 < 36) + 0.3 * q / 32
    g = np.exp(-np.arange(-3, 4) ** 2 / 2)  # Gaussian blur, sigma 1, 7x7
    h = np.outer(g, g) / np.outer(g, g).sum()
    noise = 0.01  # standard deviation, 1% of the brightest pixel
    y = blur_circular(x, h) + noise * np.random.default_rng(0).standard_normal(x.shape)
    signal_power = np.abs(np.fft.fft2(x)) ** 2  # what the textbook Wiener filter assumes known
    errors = {
        "blurred, noisy": relative_error(y, x),
        "inverse filter": relative_error(inverse_filter(y, h), x),
        "Wiener, nsr 0.01": relative_error(wiener_filter(y, h, 0.01), x),
        "Wiener, known spectra": relative_error(wiener_filter(y, h, x.size * noise**2 / signal_power), x),
        "inverse filter, no noise": relative_error(inverse_filter(blur_circular(x, h), h), x),
    }
    # --8<-- [end:experiment_wiener]
    return errors


# --8<-- [start:orthonormal]
def haar_matrix(n):
    """One level of the Haar wavelet: a stride-2 convolution with two output channels, the
    filters (1, 1)/√2 and (1, -1)/√2. Its rows are orthonormal and there are n of them."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or n % 2:
        raise ValueError(f"n must be an even int >= 2, got {n!r}")
    C = np.zeros((n, n))
    for j in range(n // 2):
        C[j, 2 * j: 2 * j + 2] = [1 / np.sqrt(2), 1 / np.sqrt(2)]  # channel 0: averages
        C[n // 2 + j, 2 * j: 2 * j + 2] = [1 / np.sqrt(2), -1 / np.sqrt(2)]  # channel 1: details
    return C


def principal_rows(data, components):
    """The top principal directions of data (samples x features), as orthonormal rows."""
    data = check_array("data", data, 2)
    if isinstance(components, bool) or not isinstance(components, int) or not 1 <= components <= min(data.shape):
        raise ValueError(f"components must be an int from 1 to {min(data.shape)}, got {components!r}")
    return np.linalg.svd(data - data.mean(axis=0), full_matrices=False)[2][:components]
# --8<-- [end:orthonormal]


def reconstruction_errors():
    """||CᵀCx - x|| / ||x||: reconstructing from 'coefficients' Cx with the transpose."""
    # --8<-- [start:experiment_orthonormal]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(16)
    haar = haar_matrix(16)
    data = rng.standard_normal((200, 3)) @ rng.standard_normal((3, 16))  # 3-D subspace of R^16
    pca = principal_rows(data, 3)  # 3 x 16, orthonormal rows
    blur = matrix_of(lambda v: np.convolve(v, [0.25, 0.5, 0.25], mode="full"), x.shape)
    in_span = data[0] - data.mean(axis=0)
    errors = {
        "Haar (orthogonal)": relative_error(haar.T @ (haar @ x), x),
        "PCA, x in the subspace": relative_error(pca.T @ (pca @ in_span), in_span),
        "PCA, generic x": relative_error(pca.T @ (pca @ x), x),
        "blur convolution": relative_error(blur.T @ (blur @ x), x),
    }
    # --8<-- [end:experiment_orthonormal]
    return errors


if __name__ == "__main__":
    # --8<-- [start:examples]
    for name, errors in [("least squares vs Cᵀy", deconvolution_errors_1d_2d()),
                         ("Wiener vs inverse filter", wiener_errors()),
                         ("Cᵀ(Cx) vs x", reconstruction_errors())]:
        print(name)
        for what, e in errors.items():
            print(f"  {what:28s} {e:.3g}")
    errors = deconvolution_errors_1d_2d()
    assert errors["1-D least squares"] < 1e-12 and errors["2-D least squares (full)"] < 1e-12
    assert errors["1-D transpose"] > 0.1 and errors["2-D best-scaled transpose (full)"] > 0.1
    errors = wiener_errors()
    assert errors["Wiener, known spectra"] < errors["blurred, noisy"] < errors["inverse filter"]
    errors = reconstruction_errors()
    assert errors["Haar (orthogonal)"] < 1e-12 and errors["blur convolution"] > 0.1
    # --8<-- [end:examples]
    print("deconvolution: all examples hold")
