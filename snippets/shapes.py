"""Output sizes of convolution, pooling and transposed convolution, per spatial dimension.

Letters follow Dumoulin & Visin: i input size, k kernel size, s stride, p padding, d dilation,
o output size. PyTorch semantics unless the name says TensorFlow (SAME/VALID).
"""
# --8<-- [start:check]
import math
import numbers


def check_int(name, value, minimum):
    """Return value as an int, or raise ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_output(o, what):
    if o < 1:
        raise ValueError(f"output size would be {o}: {what}")
    return o
# --8<-- [end:check]


# --8<-- [start:conv_output_size]
def conv_output_size(i, k, s=1, p=0, d=1):
    """PyTorch Conv2d / MaxPool2d (floor mode), one spatial dimension."""
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s, p, d = check_int("s", s, 1), check_int("p", p, 0), check_int("d", d, 1)
    effective_k = d * (k - 1) + 1  # a dilated kernel spans this many input pixels
    o = (i + 2 * p - effective_k) // s + 1
    return check_output(o, f"kernel spans {effective_k} but the padded input has {i + 2 * p}")
# --8<-- [end:conv_output_size]


# --8<-- [start:pool_output_size]
def pool_output_size(i, k, s, p=0, ceil_mode=False):
    """PyTorch MaxPool/AvgPool, one spatial dimension. Floor mode is conv_output_size. Ceil mode
    rounds up, so a last window may hang over the end, but it must start inside the input or the
    left padding: one that would start in the right padding is dropped."""
    i, k, s, p = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1), check_int("p", p, 0)
    if 2 * p > k:
        raise ValueError(f"p must be at most half the kernel size k = {k}, got {p}")  # PyTorch's rule
    span = i + 2 * p - k  # room for the window to move in the padded input
    o = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= i + p:  # the last window would start in the right padding
        o -= 1
    return check_output(o, f"kernel {k} is larger than the padded input {i + 2 * p}")
# --8<-- [end:pool_output_size]


# --8<-- [start:conv_transpose_output_size]
def conv_transpose_output_size(i, k, s=1, p=0, d=1, output_padding=0):
    """PyTorch ConvTranspose2d, one spatial dimension."""
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s, p, d = check_int("s", s, 1), check_int("p", p, 0), check_int("d", d, 1)
    output_padding = check_int("output_padding", output_padding, 0)
    if output_padding >= max(s, d):
        raise ValueError(
            f"output_padding must be smaller than max(stride, dilation) = {max(s, d)}, "
            f"got {output_padding}"
        )
    o = (i - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
    return check_output(o, f"padding p={p} crops more than the {o + 2 * p} computed values")
# --8<-- [end:conv_transpose_output_size]


# --8<-- [start:tensorflow]
def same_output_size(i, s):
    """TensorFlow padding='SAME': the kernel size does not matter."""
    i, s = check_int("i", i, 1), check_int("s", s, 1)
    return math.ceil(i / s)


def valid_output_size(i, k, s, d=1):
    """TensorFlow padding='VALID': only positions where the whole kernel fits."""
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s, d = check_int("s", s, 1), check_int("d", d, 1)
    effective_k = d * (k - 1) + 1
    return check_output(math.ceil((i - effective_k + 1) / s), f"kernel spans {effective_k} > i = {i}")


def same_padding(i, k, s, d=1):
    """(pad_before, pad_after) that TensorFlow adds for SAME; the odd extra pixel goes after."""
    o = same_output_size(i, s)
    effective_k = check_int("d", d, 1) * (check_int("k", k, 1) - 1) + 1
    total = max((o - 1) * s + effective_k - i, 0)
    return total // 2, total - total // 2
# --8<-- [end:tensorflow]


# --8<-- [start:relationships]
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Relationship:
    """One of Dumoulin & Visin's shape relationships (numbered as in their guide), plus one more."""

    number: int
    case: str  # Markdown, may contain inline TeX
    formula: str  # TeX; primes mark the transposed convolution's own arguments (i', k', s', p', d')
    size: Callable  # the formula as code: size(i, k, s, p, d, a) -> o
    applies: Callable  # the settings the relationship is stated for
    layer: str = "conv"  # "conv", "pool" or "transposed"


RELATIONSHIPS = [
    Relationship(1, "no zero padding, unit strides", r"o = (i - k) + 1",
                 lambda i, k, s, p, d, a: i - k + 1, lambda i, k, s, p, d, a: s == 1 and p == 0 and d == 1),
    Relationship(2, "zero padding, unit strides", r"o = (i - k) + 2p + 1",
                 lambda i, k, s, p, d, a: i - k + 2 * p + 1, lambda i, k, s, p, d, a: s == 1 and d == 1),
    Relationship(3, r"half (same) padding: \(k\) odd, \(p = \lfloor k/2 \rfloor\)", r"o = i",
                 lambda i, k, s, p, d, a: i, lambda i, k, s, p, d, a: s == 1 and d == 1 and k % 2 == 1 and p == k // 2),
    Relationship(4, r"full padding: \(p = k - 1\)", r"o = i + (k - 1)",
                 lambda i, k, s, p, d, a: i + k - 1, lambda i, k, s, p, d, a: s == 1 and d == 1 and p == k - 1),
    Relationship(5, "no zero padding, non-unit strides", r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1",
                 lambda i, k, s, p, d, a: (i - k) // s + 1, lambda i, k, s, p, d, a: p == 0 and d == 1),
    Relationship(6, "zero padding, non-unit strides", r"o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1",
                 lambda i, k, s, p, d, a: (i + 2 * p - k) // s + 1, lambda i, k, s, p, d, a: d == 1),
    Relationship(7, "pooling", r"o = \left\lfloor \frac{i - k}{s} \right\rfloor + 1",
                 lambda i, k, s, p, d, a: (i - k) // s + 1, lambda i, k, s, p, d, a: p == 0 and d == 1, "pool"),
    Relationship(8, r"transpose of 1 (\(s' = 1, p' = 0\)): the direct convolution pads \(k' - 1\)", r"o' = i' + (k' - 1)",
                 lambda i, k, s, p, d, a: i + k - 1, lambda i, k, s, p, d, a: s == 1 and p == 0 and d == 1, "transposed"),
    Relationship(9, r"transpose of 2 (\(s' = 1\)): the direct convolution pads \(k' - p' - 1\)", r"o' = i' + (k' - 1) - 2p'",
                 lambda i, k, s, p, d, a: i + k - 1 - 2 * p, lambda i, k, s, p, d, a: s == 1 and d == 1, "transposed"),
    Relationship(10, r"transpose of 3, half padding (\(k'\) odd, \(p' = \lfloor k'/2 \rfloor\)): the direct convolution pads the same", r"o' = i'",
                 lambda i, k, s, p, d, a: i, lambda i, k, s, p, d, a: s == 1 and d == 1 and k % 2 == 1 and p == k // 2, "transposed"),
    Relationship(11, r"transpose of 4, full padding (\(p' = k' - 1\)): the direct convolution pads nothing", r"o' = i' - (k' - 1)",
                 lambda i, k, s, p, d, a: i - (k - 1), lambda i, k, s, p, d, a: s == 1 and d == 1 and p == k - 1, "transposed"),
    Relationship(12, r"transpose of 5 when \(s\) divides \(i - k\) (\(p' = 0\)): \(s' - 1\) zeros inserted, the direct convolution pads \(k' - 1\)",
                 r"o' = s' (i' - 1) + k'",
                 lambda i, k, s, p, d, a: s * (i - 1) + k, lambda i, k, s, p, d, a: p == 0 and d == 1 and a == 0, "transposed"),
    Relationship(13, r"transpose of 6 when \(s\) divides \(i + 2p - k\): \(s' - 1\) zeros inserted, the direct convolution pads \(k' - p' - 1\)", r"o' = s' (i' - 1) + k' - 2p'",
                 lambda i, k, s, p, d, a: s * (i - 1) + k - 2 * p, lambda i, k, s, p, d, a: d == 1 and a == 0, "transposed"),
    Relationship(14, r"transpose of 6 for any \(i\): \(a = (i + 2p - k) \bmod s\) extra rows (PyTorch's output_padding)",
                 r"o' = s' (i' - 1) + a + k' - 2p'",
                 lambda i, k, s, p, d, a: s * (i - 1) + a + k - 2 * p, lambda i, k, s, p, d, a: d == 1, "transposed"),
    Relationship(15, "dilated convolution", r"o = \left\lfloor \frac{i + 2p - k - (k - 1)(d - 1)}{s} \right\rfloor + 1",
                 lambda i, k, s, p, d, a: (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1, lambda i, k, s, p, d, a: True),
    Relationship(16, "dilated transposed convolution (not in the guide; PyTorch's ConvTranspose2d)",
                 r"o' = s' (i' - 1) + d' (k' - 1) + 1 - 2p' + a",
                 lambda i, k, s, p, d, a: s * (i - 1) + d * (k - 1) + 1 - 2 * p + a, lambda i, k, s, p, d, a: True,
                 "transposed"),
]


def settings(relationship, sizes=(5, 6, 7, 8, 1, 2, 3, 4)):
    """Small settings (i, k, s, p, d, a) that the relationship is stated for and PyTorch accepts,
    most illustrative first; a is output_padding, used by transposed layers only."""
    from itertools import product

    for i, k, s, p, d, a in product(sizes, (3, 2, 4, 1), (2, 1, 3), (1, 0, 2), (2, 1), (1, 0, 2)):
        if not relationship.applies(i, k, s, p, d, a):
            continue
        if relationship.layer != "transposed" and a:
            continue
        if relationship.layer == "pool" and 2 * p > k:  # PyTorch's pooling limit
            continue
        try:
            if relationship.layer == "transposed":
                conv_transpose_output_size(i, k, s, p, d, a)
            else:
                conv_output_size(i, k, s, p, d)
        except ValueError:
            continue
        yield i, k, s, p, d, a
# --8<-- [end:relationships]


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert conv_output_size(28, 5, s=1, p=2) == 28  # PyTorch's way to say SAME for k = 5
    assert conv_output_size(28, 2, s=2) == 14  # 2x2 max-pool halves
    assert conv_output_size(7, 3, s=2, p=1) == 4
    assert pool_output_size(5, 2, 2) == 2 and pool_output_size(5, 2, 2, ceil_mode=True) == 3
    assert pool_output_size(5, 2, 2, p=1, ceil_mode=True) == 3  # a 4th window would start in the padding
    assert conv_transpose_output_size(4, 3, s=2, p=1) == 7
    assert conv_transpose_output_size(4, 3, s=2, p=1, output_padding=1) == 8
    assert same_output_size(7, 2) == 4 and valid_output_size(7, 3, 2) == 3
    assert same_padding(28, 5, 1) == (2, 2)
    assert same_padding(4, 2, 2) == (0, 0) and same_padding(5, 2, 2) == (0, 1)
    # --8<-- [end:examples]
    print("shapes: all examples hold")
