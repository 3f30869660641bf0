"""Padding against PyTorch: ``F.pad`` in every mode (values, gradients, second derivatives)
and the padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, 1-d and 2-d):
values, gradients, reprs and the ``padding`` attribute.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn
from tinynn.autograd import gradgradcheck
from tinynn.testing import compare_with_torch

from helpers import assert_same_error, assert_same_values_or_error, randn

DTYPES = ["float32", "float64"]

# numpy warns (RuntimeWarning) where PyTorch is silent; a warning from tinynn fails the test
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


PADDINGS = [("ZeroPad2d", (2,)), ("ZeroPad2d", ((1, 2, 0, 3),)), ("ZeroPad1d", ((2, 1),)),
            ("ConstantPad1d", (2, 3.5)), ("ConstantPad2d", ((1, 0, 2, 1), -1.0)), ("ConstantPad2d", (1, 1)),
            ("ReflectionPad1d", (2,)), ("ReflectionPad2d", (1,)), ("ReflectionPad2d", ((2, 1, 0, 2),)),
            ("ReplicationPad1d", ((3, 0),)), ("ReplicationPad2d", (2,)), ("ReplicationPad2d", ((1, 2, 3, 0),))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, args", PADDINGS, ids=[f"{n}{a}" for n, a in PADDINGS])
def test_padding_layers_match_torch(name, args, dtype, device):
    shape = (2, 3, 5) if name.endswith("1d") else (2, 3, 4, 5)
    compare_with_torch(lambda lib, x: getattr(lib.nn, name)(*args)(x), randn(*shape), dtype=dtype, device=device)
    assert repr(getattr(tinynn.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    assert getattr(tinynn.nn, name)(*args).padding == getattr(torch.nn, name)(*args).padding


# -- F.pad ---------------------------------------------------------------------------------
PAD_CASES = {
    "constant_last_dim": ((2, 3, 4, 5), (1, 2), "constant"),
    "constant_two_dims": ((2, 3, 4, 5), (1, 2, 0, 3), "constant"),
    "constant_negative_crops": ((2, 3, 4, 5), (-1, 2, 1, -3), "constant"),
    "constant_all_dims": ((2, 3, 4), (1, 0, 0, 1, 2, 2), "constant"),
    "reflect_1d": ((2, 3, 5), (2, 3), "reflect"),
    "reflect_2d": ((2, 3, 4, 5), (2, 1, 1, 3), "reflect"),
    "reflect_negative": ((2, 3, 4, 5), (-1, 2, 1, -3), "reflect"),
    "replicate_2d": ((2, 3, 4, 5), (2, 1, 1, 3), "replicate"),
    "replicate_3d": ((2, 3, 4, 5), (1, 1, 2, 0, 1, 2), "replicate"),
    "circular_2d": ((2, 3, 4, 5), (2, 1, 1, 3), "circular"),
    "circular_negative": ((2, 3, 4, 5), (-2, 3, 1, -3), "circular"),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(PAD_CASES))
def test_pad_matches_torch(case, dtype, device):
    shape, pad, mode = PAD_CASES[case]
    compare_with_torch(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), randn(*shape),
                       dtype=dtype, device=device)


def test_pad_constant_value_matches_torch(device):
    compare_with_torch(lambda lib, x: lib.nn.functional.pad(x, (1, 1, 2, 0), value=2.5), randn(2, 3, 3),
                       dtype="float32", device=device)


def test_pad_gradgradcheck_float64():
    x = tinynn.tensor(randn(1, 2, 4, 5), requires_grad=True)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert gradgradcheck(lambda x: tinynn.nn.functional.pad(x, (2, 1, 1, 2), mode=mode), (x,))


@pytest.mark.parametrize("shape, pad", [((0,), (-1, 1)), ((2,), (-3, 1)), ((2, 0), (-1, 1)), ((0, 3), (0, 0, -1, 1)),
                                        ((2,), (-2, -1))])
def test_constant_pad_that_crops_more_than_a_dim_has_raises_like_torch(shape, pad):
    """PyTorch crops (the negative pads) before it pads: a crop larger than the dim fails
    even where the positive pad on the other side would make the output size valid."""
    assert_same_error(lambda lib: lib.nn.functional.pad(lib.zeros(shape), pad))


@pytest.mark.parametrize("shape, pad", [((2,), (-1, -1)), ((2, 0), (0, 0, -1, 1)), ((3,), (-1, 0))])
def test_constant_pad_that_crops_at_most_a_whole_dim_matches_torch(shape, pad):
    assert tuple(tinynn.nn.functional.pad(tinynn.zeros(shape), pad).shape) == \
        tuple(torch.nn.functional.pad(torch.zeros(shape), pad).shape)


@pytest.mark.parametrize("pad", [(-5, 1), (1, -5), (-4, 2)])
def test_circular_pad_beyond_what_negative_padding_leaves_raises(pad):
    """Wrapping around more than the cropped input holds: PyTorch raises (or, with nothing
    left, reads memory outside the tensor); tinynn raises RuntimeError, with no numpy warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="wrapping around more than once"):
            tinynn.nn.functional.pad(tinynn.zeros(2, 5), pad, mode="circular")


@pytest.mark.parametrize("pad", [(-3, 2), (-5, 0), (-6, 1)])
def test_circular_pad_within_what_negative_padding_leaves_matches_torch(pad, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.pad(x, pad, mode="circular"), randn(2, 5),
                       dtype="float64", device=device)


@pytest.mark.parametrize("dtype", ["int64", "uint8", "int8", "float16", "float32", "bool"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30, 300, -1, -129, 1.5, True],
                         ids=["nan", "inf", "1e30", "300", "-1", "-129", "1.5", "True"])
def test_constant_pad_value_is_converted_like_torch(value, dtype):
    """A checked conversion to the input's dtype: nan, inf and numbers beyond its range raise
    PyTorch's RuntimeError (a negative int for uint8 too, unlike fill_), a float is truncated
    for an integer dtype, and numpy's cast warnings never show."""
    def fn(lib):
        return lib.nn.functional.pad(lib.zeros(2, dtype=getattr(lib, dtype)), (1, 1), value=value)

    assert_same_values_or_error(fn)
