"""``einsum``: values, dtypes and gradients vs PyTorch, and its errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


# equation, operand shapes
INTEGER_CASES = [
    ("i->", [(4,)]),            # summed alone: int64, as sum
    ("ij->i", [(2, 3)]),
    ("ii->", [(3, 3)]),         # the trace sums too
    ("ii->i", [(3, 3)]),        # a diagonal keeps the dtype
    ("ij->ji", [(2, 3)]),       # a transpose keeps the dtype
    ("i,i->", [(4,), (4,)]),    # a contraction (bmm) keeps the dtype
    ("i,i->i", [(4,), (4,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,j->", [(2,), (3,)]),    # each operand summed alone first: int64
    ("i,j->i", [(2,), (3,)]),
    ("ij,jk->ik", [(2, 3), (3, 2)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("bij,bjk->b", [(2, 2, 3), (2, 3, 2)]),
]


@pytest.mark.parametrize("dtype", ["int32", "int64", "int8", "uint8", "bool"])
@pytest.mark.parametrize("equation, shapes", INTEGER_CASES, ids=[c[0] for c in INTEGER_CASES])
def test_einsum_of_integers_has_torchs_dtype_and_value(equation, shapes, dtype):
    """PyTorch sums each operand over the subscripts only it has first (int64, like
    ``sum``), then multiplies pairs with bmm, which keeps the dtype and has no bool kernel."""
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 2 if dtype == "bool" else 100, s).astype(dtype) for s in shapes]
    outcomes = []
    for lib in (torch, tinynn):
        try:
            out = lib.einsum(equation, *[lib.tensor(a) for a in arrays])
            outcomes.append((str(out.dtype).split(".")[-1], out.tolist()))
        except NotImplementedError as error:
            outcomes.append(("NotImplementedError", str(error).split(" (")[0]))
    assert outcomes[0] == outcomes[1]


def test_einsum_of_bool_contraction_raises_not_implemented():
    ours, theirs = assert_same_error(
        lambda lib: lib.einsum("i,i->", lib.tensor([True, False]), lib.tensor([True, True])))
    assert str(ours).startswith(str(theirs))


@pytest.mark.parametrize("dtype", DTYPES)
def test_einsum_float_sum_keeps_dtype(dtype):
    for lib in (torch, tinynn):
        out = lib.einsum("ij->", lib.tensor(randn(2, 3), dtype=getattr(lib, dtype)))
        assert str(out.dtype).endswith(dtype)
