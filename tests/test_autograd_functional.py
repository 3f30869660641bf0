"""``autograd.functional`` against PyTorch: ``jacobian`` and ``hessian`` of functions of one
and of several inputs, float32 and float64, and an output independent of an input (zeros, or
an error with ``strict=True``).
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import randn

DTYPES = ["float32", "float64"]
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


@pytest.mark.parametrize("dtype", DTYPES)
def test_autograd_functional_jacobian_and_hessian(dtype):
    x = randn(3)
    y = randn(2, seed=1)
    cases = [
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda t: t ** 2 * t.sum(), a),
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda s, t: (s.outer(t), s.sum()), (a, b)),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda t: (t ** 3).sum() + t[0] * t[1], a),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda s, t: (s.outer(t) ** 2).sum(), (a, b)),
    ]
    for fn in cases:
        compare_with_torch(fn, x, y, dtype=dtype, grad=False)
    for lib in (tinynn, torch):  # an output independent of an input: zeros, or an error if strict
        assert lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)))[1].tolist() == [[0, 0], [0, 0]]
        with pytest.raises(RuntimeError):
            lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)), strict=True)
