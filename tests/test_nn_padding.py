"""The padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, 1-d and 2-d)
against ``torch.nn``: values, gradients, reprs and the ``padding`` attribute. (``F.pad``
itself is in test_pooling.py.)
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import randn

DTYPES = ["float32", "float64"]


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
