"""snippets.errata against PyTorch: the round trip through a convolution and its transpose, and the
output_padding that restores the input size, on every small setting."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from snippets.errata import restoring_output_padding, round_trip_size


def test_round_trip_and_restoring_output_padding_equal_torch(record_property):
    n = 0
    for i, k, s, p in itertools.product(range(1, 20), range(1, 6), range(1, 5), range(0, 3)):
        x = torch.zeros(1, 1, i)
        w = torch.zeros(1, 1, k)
        try:
            y = F.conv1d(x, w, stride=s, padding=p)
        except RuntimeError:
            with pytest.raises(ValueError):
                restoring_output_padding(i, k, s, p)
            continue
        try:
            back = F.conv_transpose1d(y, w, stride=s, padding=p).shape[-1]
        except RuntimeError:
            with pytest.raises(ValueError):
                round_trip_size(i, k, s, p)
            continue
        assert round_trip_size(i, k, s, p) == back
        a = restoring_output_padding(i, k, s, p)
        assert a < s
        restored = F.conv_transpose1d(y, w, stride=s, padding=p, output_padding=a).shape[-1]
        assert restored == round_trip_size(i, k, s, p, output_padding=a) == i
        assert (back == i) == (a == 0)  # the same hyperparameters restore i exactly when a = 0
        n += 1
    record_property("summary", f"{n} settings: round trip and restoring output_padding equal torch")


def test_d2l_example_holds_only_for_sizes_one_more_than_a_multiple_of_the_stride():
    restored = [i for i in range(5, 40) if round_trip_size(i, 5, 3, 2) == i]
    assert restored == [i for i in range(5, 40) if i % 3 == 1]


@pytest.mark.parametrize("call, argument", [
    (lambda: restoring_output_padding(0, 5, 3, 2), "i"),
    (lambda: restoring_output_padding(16, 5, 0, 2), "s"),
    (lambda: restoring_output_padding(2, 7, 1, 0), "output size"),
])
def test_invalid_settings_raise_naming_the_argument(call, argument):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value).startswith(argument)
