"""The ``out=`` argument against PyTorch: the result is written into the given tensor and
returned (matmul, mm, mul, add, sub, div, cat, stack, sum), an ``out`` of the wrong shape is
resized with PyTorch's warning and keeps its dtype, and the errors (``out=`` with a tensor that
requires grad, a result that cannot be cast to ``out``'s dtype).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close


pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def test_out_argument_writes_into_the_given_tensor():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((3, 3))
    for name, fn in [("matmul", lambda lib, o, x, y: lib.matmul(x, y, out=o)),
                     ("mul", lambda lib, o, x, y: lib.mul(x, x, out=o)),
                     ("add", lambda lib, o, x, y: lib.add(x, 1, alpha=2, out=o)),
                     ("sub", lambda lib, o, x, y: lib.sub(x, x, out=o)),
                     ("div", lambda lib, o, x, y: lib.div(x, 2, out=o)),
                     ("mm", lambda lib, o, x, y: lib.mm(x, y, out=o))]:
        results = []
        for lib in (tinynn, torch):
            out = lib.zeros(2, 3)
            returned = fn(lib, out, lib.tensor(a, dtype=lib.float32), lib.tensor(b, dtype=lib.float32))
            assert returned is out, name
            results.append(out)
        assert_close(*results, name=name)


def test_out_argument_resizes_with_a_warning_and_keeps_its_dtype():
    for lib in (tinynn, torch):
        out = lib.zeros(5, dtype=lib.float64)
        with pytest.warns(UserWarning, match="was resized"):
            lib.mul(lib.ones(2, 2), 3, out=out)
        assert out.shape == (2, 2) and out.dtype == lib.float64
        empty = lib.empty(0)
        lib.matmul(lib.ones(2, 3), lib.ones(3), out=empty)  # no warning for an empty out
        assert empty.tolist() == [3.0, 3.0]


def test_out_argument_errors():
    for lib in (tinynn, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            lib.mul(x, 2, out=lib.zeros(2))
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            lib.mul(lib.ones(2), 2.5, out=lib.zeros(2, dtype=lib.int64))


def test_out_argument_of_cat_stack_and_sum():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    cases = [
        ("cat", lambda lib, o, x, y: lib.cat([x, y], 0, out=o), (4, 3)),
        ("cat_dim1", lambda lib, o, x, y: lib.cat([x, y], dim=1, out=o), (2, 6)),
        ("stack", lambda lib, o, x, y: lib.stack([x, y], out=o), (2, 2, 3)),
        ("sum", lambda lib, o, x, y: lib.sum(x, 1, out=o), (2,)),
        ("sum_keepdim", lambda lib, o, x, y: lib.sum(x, 0, keepdim=True, out=o), (1, 3)),
    ]
    for name, fn, shape in cases:
        results = []
        for lib in (tinynn, torch):
            out = lib.zeros(*shape)
            returned = fn(lib, out, lib.tensor(a, dtype=lib.float32), lib.tensor(b, dtype=lib.float32))
            assert returned is out, name
            results.append(out)
        assert_close(*results, name=name)
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            lib.cat([lib.ones(2, requires_grad=True)], out=lib.zeros(2))
