"""Flatten and Unflatten against ``torch.nn``: values, gradients and reprs.
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import randn

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("args", [(), (0,), (1, 2), (2, -1)])
def test_flatten_matches_torch(args, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.Flatten(*args)(x), randn(2, 3, 4, 5), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unflatten_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.Unflatten(1, (3, 4))(x), randn(2, 12, 5), dtype=dtype, device=device)


def test_flatten_repr_matches_torch():
    assert repr(tinynn.nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(tinynn.nn.Unflatten(1, (2, 3))) == repr(torch.nn.Unflatten(1, (2, 3)))
