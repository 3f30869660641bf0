"""LayerNorm and GroupNorm against ``torch.nn``: the modules (weights copied with
``load_state_dict``; outputs, input and parameter gradients) and ``F.layer_norm``, reprs,
state-dict keys and the errors PyTorch raises. (BatchNorm is in test_batchnorm.py.)
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import assert_same_error, compare_module, randn

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized_shape, kwargs", [
    ((4, 6), 6, {}), ((2, 3, 5), (5,), dict(eps=1e-3)), ((2, 3, 4, 5), (4, 5), {}),
    ((2, 3, 5), (3, 5), dict(bias=False)), ((3, 6), (6,), dict(elementwise_affine=False)),
])
def test_layer_norm_matches_torch(shape, normalized_shape, kwargs, dtype, device):
    x = randn(*shape, scale=3.0) + 1.0
    compare_module(lambda lib: lib.nn.LayerNorm(normalized_shape, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_layer_norm_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3, 4), w, b, 1e-4),
                       randn(2, 3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, groups, kwargs", [
    ((2, 6, 5), 3, {}), ((3, 4, 3, 3), 2, {}), ((2, 4, 3, 3), 4, dict(eps=1e-3)), ((2, 4, 3, 3), 1, {}),
    ((2, 6), 2, dict(affine=False)), ((2, 4, 5), 2, dict(bias=False)),
])
def test_group_norm_matches_torch(shape, groups, kwargs, dtype, device):
    x = randn(*shape, scale=2.0) - 0.5
    compare_module(lambda lib: lib.nn.GroupNorm(groups, shape[1], **kwargs), x, dtype=dtype, device=device)


def test_norm_layers_repr_and_state_dict_match_torch():
    cases = [("LayerNorm", (4,), {}), ("LayerNorm", ((3, 4),), dict(bias=False)),
             ("LayerNorm", (4,), dict(elementwise_affine=False, eps=1e-3)), ("GroupNorm", (2, 4), {}),
             ("GroupNorm", (2, 4), dict(affine=False)), ("GroupNorm", (1, 4), dict(bias=False))]
    for name, args, kwargs in cases:
        ours, theirs = getattr(tinynn.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for key, value in theirs.state_dict().items():
            assert ours.state_dict()[key].tolist() == value.tolist()
    assert tinynn.nn.LayerNorm(4).normalized_shape == torch.nn.LayerNorm(4).normalized_shape == (4,)


def test_norm_errors_match_torch():
    assert_same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (4,)), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (3,), weight=lib.ones(4)),
                      same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 4), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 3, lib.ones(4)), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(6), 3), same_message=True)
    assert_same_error(lambda lib: lib.nn.GroupNorm(3, 4), same_message=True)


@pytest.mark.parametrize("input_dtype, weight_dtype, bias_dtype", [
    ("int64", None, None), ("bool", None, None), ("int64", "int64", "float32"), ("int32", None, "float32"),
    ("int64", "float32", "int64"), ("float32", "float64", None), ("float32", "float32", "float64"),
])
def test_group_norm_checks_dtypes_in_pytorchs_order(input_dtype, weight_dtype, bias_dtype):
    """The first parameter's dtype, then the kernel's (floats only), then the second parameter's."""
    def call(lib):
        x = lib.ones(2, 4, 3, dtype=getattr(lib, input_dtype))
        weight = lib.ones(4, dtype=getattr(lib, weight_dtype)) if weight_dtype else None
        bias = lib.ones(4, dtype=getattr(lib, bias_dtype)) if bias_dtype else None
        return lib.nn.functional.group_norm(x, 2, weight, bias)
    assert_same_error(call)


@pytest.mark.parametrize("shape, groups", [((1, 2), 2), ((1, 2, 1), 2), ((1, 4, 1), 4), ((1, 3), 2)])
def test_group_norm_of_a_single_value_per_group_raises_as_pytorch(shape, groups):
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.ones(*shape), groups), same_message=True)
