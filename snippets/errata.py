"""Counter-examples for the errata ledger (docs/errata.md): each one computes the claim a reference
makes and the case where it fails, with the sizes of snippets.shapes."""
try:  # imported as snippets.errata, or run as a script from snippets/
    from snippets.shapes import check_int, conv_output_size, conv_transpose_output_size
except ModuleNotFoundError:
    from shapes import check_int, conv_output_size, conv_transpose_output_size


# --8<-- [start:round_trip]
def round_trip_size(i, k, s, p, output_padding=0):
    """A convolution (k, s, p) takes i to o; the transposed convolution with the same k, s, p
    (and output_padding) takes o back to this size, one spatial dimension."""
    o = conv_output_size(i, k, s, p)
    return conv_transpose_output_size(o, k, s, p, output_padding=output_padding)


def restoring_output_padding(i, k, s, p):
    """The output_padding a that makes the round trip give i back: the rows the convolution's
    floor dropped, (i + 2p - k) mod s, always smaller than s."""
    i, k, s, p = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1), check_int("p", p, 0)
    conv_output_size(i, k, s, p)  # raises if the convolution itself is impossible
    return (i + 2 * p - k) % s
# --8<-- [end:round_trip]


if __name__ == "__main__":
    # --8<-- [start:examples]
    assert round_trip_size(16, 5, 3, 2) == 16  # d2l's example: 16 = 1 (mod 3)
    assert round_trip_size(17, 5, 3, 2) == 16  # the same layers lose a row for 17
    assert restoring_output_padding(17, 5, 3, 2) == 1
    assert round_trip_size(17, 5, 3, 2, output_padding=1) == 17
    # --8<-- [end:examples]
    print("errata: all examples hold")
