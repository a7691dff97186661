"""Hypothesis building blocks shared by the tests that check convolutions on random settings."""
from hypothesis import assume, strategies as st


def draw_dimension(draw, transposed, spare):
    """One spatial dimension that PyTorch accepts: (k, s, d, p, i, op). For a convolution the
    input is at least what the dilated kernel needs after padding, plus up to `spare` rows the
    stride may skip; for a transposed one, output_padding < max(s, d) and an output is left."""
    k, s, d, p = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2)),
                  draw(st.integers(0, 2)))
    if transposed:
        i, op = draw(st.integers(1, 4)), draw(st.integers(0, max(s, d) - 1))
        assume((i - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1)
    else:
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        i, op = draw(st.integers(smallest, smallest + spare)), 0
    return k, s, d, p, i, op
