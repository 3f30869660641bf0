"""The size arguments of conv and pooling (kernel_size, stride, padding, dilation, ...):
an int or a list/tuple of 1 or n ints, read by one helper (``_ntuple`` in
``nn/functional/conv.py``), with each caller's PyTorch error for anything else."""
from __future__ import annotations

import numpy as np
import pytest

import tinynn
from helpers import assert_same_error
from tinynn.nn.functional.conv import _ntuple


@pytest.mark.parametrize("value, n, expected", [
    (3, 2, (3, 3)), ((3,), 2, (3, 3)), ([2, 5], 2, (2, 5)), (np.int64(4), 1, (4,)),
    ((1, 2, 3), 2, (1, 2, 3)),   # no rule: another length is kept (the module leaves it to F)
    (2.7, 2, (2, 2)),            # no rule: a number is converted with int
])
def test_ntuple_without_a_rule_is_lenient(value, n, expected):
    assert _ntuple(value, n) == expected


@pytest.mark.parametrize("rule, n, message", [
    ("conv", 2, "expected stride to be a single integer value or a list of 2 values to match the "
                "convolution dimensions, but got stride=[1, 2, 3]"),
    ("pool", 2, "max_pool2d: stride must either be a single int, or a tuple of two ints"),
    ("pool1d", 1, "max_pool2d() argument 'stride' should contain one int (got 3)"),
])
def test_ntuple_rule_names_the_argument(rule, n, message):
    with pytest.raises(RuntimeError) as error:
        _ntuple((1, 2, 3), n, "stride", rule, "max_pool2d")
    assert str(error.value) == message


@pytest.mark.parametrize("value", [2.0, True, "2", None])
def test_ntuple_conv_rule_takes_only_ints(value):
    with pytest.raises(TypeError, match="stride must be an int or a tuple of 2 ints"):
        _ntuple(value, 2, "stride", "conv")


@pytest.mark.parametrize("value", [2.0, 2.9])
def test_ntuple_pool_rules_convert_numbers_with_int(value):
    assert _ntuple(value, 2, "stride", "pool", "max_pool2d") == (2, 2)
    assert _ntuple(value, 1, "stride", "pool1d", "max_pool1d") == (2,)


def _image(lib, *shape):
    return lib.ones(*shape)


ERRORS = {
    "conv2d_stride_of_three": lambda lib: lib.nn.functional.conv2d(
        _image(lib, 1, 1, 5, 5), lib.ones(1, 1, 3, 3), stride=(1, 2, 3)),
    "conv2d_padding_of_three": lambda lib: lib.nn.functional.conv2d(
        _image(lib, 1, 1, 5, 5), lib.ones(1, 1, 3, 3), padding=[1, 1, 1]),
    "conv1d_dilation_of_two": lambda lib: lib.nn.functional.conv1d(
        _image(lib, 1, 1, 5), lib.ones(1, 1, 3), dilation=(1, 1)),
    "conv2d_float_stride": lambda lib: lib.nn.functional.conv2d(
        _image(lib, 1, 1, 5, 5), lib.ones(1, 1, 3, 3), stride=1.5),
    "conv_transpose2d_output_padding_of_three": lambda lib: lib.nn.functional.conv_transpose2d(
        _image(lib, 1, 1, 5, 5), lib.ones(1, 1, 3, 3), stride=2, output_padding=(1, 1, 1)),
    "max_pool2d_kernel_of_three": lambda lib: lib.nn.functional.max_pool2d(
        _image(lib, 1, 1, 5, 5), (2, 2, 2)),
    "avg_pool2d_stride_of_three": lambda lib: lib.nn.functional.avg_pool2d(
        _image(lib, 1, 1, 5, 5), 2, stride=(1, 1, 1)),
    "max_pool1d_kernel_of_two": lambda lib: lib.nn.functional.max_pool1d(_image(lib, 1, 1, 5), (2, 2)),
    "avg_pool1d_padding_of_two": lambda lib: lib.nn.functional.avg_pool1d(
        _image(lib, 1, 1, 5), 2, padding=(0, 0)),
    "adaptive_avg_pool1d_output_of_two": lambda lib: lib.nn.functional.adaptive_avg_pool1d(
        _image(lib, 1, 1, 5), (2, 2)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_wrong_size_argument_raises_torchs_error(name):
    assert_same_error(ERRORS[name])


@pytest.mark.parametrize("module, expected", [
    (lambda: tinynn.nn.Conv2d(1, 2, 3, stride=(2,)), {"kernel_size": (3, 3), "stride": (2, 2)}),
    (lambda: tinynn.nn.Conv1d(1, 2, [3], padding=1, dilation=2),
     {"kernel_size": (3,), "padding": (1,), "dilation": (2,)}),
    (lambda: tinynn.nn.ConvTranspose2d(1, 2, (3, 1), output_padding=(1,)),
     {"kernel_size": (3, 1), "output_padding": (1, 1)}),
    (lambda: tinynn.nn.Conv2d(1, 2, (3, 3, 3)), {"kernel_size": (3, 3, 3)}),  # left to F.conv2d
])
def test_conv_modules_store_sizes_as_tuples_of_n(module, expected):
    """The modules expand a 1-element list to n entries (PyTorch's modules keep ``(2,)``
    and expand it in the functional call; the layers compute the same either way)."""
    layer = module()
    for name, value in expected.items():
        assert getattr(layer, name) == value, name


@pytest.mark.parametrize("fn, x_shape", [
    (lambda lib, x: lib.nn.functional.max_pool2d(x, [3], stride=(2,), padding=1), (1, 2, 7, 7)),
    (lambda lib, x: lib.nn.functional.avg_pool2d(x, (2, 3), stride=[1], padding=(1,)), (1, 2, 6, 7)),
    (lambda lib, x: lib.nn.functional.max_pool1d(x, [3], stride=(2,), dilation=[1]), (1, 2, 9)),
    (lambda lib, x: lib.nn.functional.avg_pool1d(x, (4,), padding=[2]), (2, 9)),
    (lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, (3,)), (1, 2, 9)),
    (lambda lib, x: lib.nn.functional.conv2d(x, x[:, :1, :3, :3] * 0 + 1, stride=[2], padding=(1,)),
     (1, 1, 6, 6)),
])
def test_sizes_given_as_one_element_lists_match_torch(fn, x_shape):
    from tinynn.testing import compare_with_torch

    compare_with_torch(fn, np.random.default_rng(0).standard_normal(x_shape), dtype="float64")
