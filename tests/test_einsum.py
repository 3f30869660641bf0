"""``einsum``: values, dtypes and gradients vs PyTorch, and its errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch
from helpers import assert_same_error, double, randn

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


# -- einsum against PyTorch: values, gradients, views, errors --------------------------------
# name: (equation, operand shapes)
EINSUM = {
    "matmul": ("ij,jk->ik", [(3, 4), (4, 5)]),
    "matmul_implicit": ("ij,jk", [(3, 4), (4, 5)]),
    "bmm": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(5,)]),
    "dot_implicit": ("i,i", [(5,), (5,)]),
    "trace": ("ii->", [(4, 4)]),
    "trace_implicit": ("ii", [(4, 4)]),
    "diagonal": ("ii->i", [(4, 4)]),
    "batched_diagonal": ("bii->bi", [(2, 3, 3)]),
    "transpose": ("ij->ji", [(3, 4)]),
    "sum_all": ("ij->", [(3, 4)]),
    "sum_rows": ("ij->i", [(3, 4)]),
    "attention": ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    "attention_values": ("bhqk,bhkd->bhqd", [(2, 2, 3, 4), (2, 2, 4, 5)]),
    "ellipsis_matmul": ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 2)]),
    "ellipsis_broadcast": ("...ij,...jk->...ik", [(2, 3, 4, 5), (5, 2)]),
    "ellipsis_implicit": ("...ij,...jk", [(2, 4, 5), (2, 5, 3)]),
    "ellipsis_summed": ("b...i->b", [(2, 3, 4)]),
    "size_one_broadcast": ("ij,ij->ij", [(3, 1), (3, 4)]),
    "three_operands": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "bilinear": ("bn,anm,bm->ba", [(3, 4), (2, 4, 5), (3, 5)]),
    "repeated_and_shared": ("ii,i->i", [(3, 3), (3,)]),
    "scalar_operand": (",ij->ij", [(), (2, 3)]),
    "upper_case": ("Ab,bC->AC", [(2, 3), (3, 4)]),
    "spaces": ("ij, jk -> ik", [(2, 3), (3, 4)]),
    "empty_sum": ("ij,jk->ik", [(2, 0), (0, 3)]),
    "empty_output": ("i,j->ij", [(0,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(EINSUM))
def test_einsum_matches_torch(name, dtype, device):
    equation, shapes = EINSUM[name]
    if name in ("dot",):  # one operand listed twice
        arrays = [randn(*shapes[0])]
        fn = lambda lib, a: lib.einsum(equation, a, a * 2)  # noqa: E731
    else:
        arrays = [randn(*shape, seed=i) for i, shape in enumerate(shapes)]
        fn = lambda lib, *ops: lib.einsum(equation, *ops)  # noqa: E731
    compare_with_torch(fn, *arrays, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_einsum_operands_as_one_list(dtype, device):
    compare_with_torch(lambda lib, a, b: lib.einsum("ij,jk", [a, b]), randn(2, 3), randn(3, 4, seed=1),
                       dtype=dtype, device=device)


def test_einsum_integer_operands():
    compare_with_torch(lambda lib, a, b: lib.einsum("ij,jk->ik", a, b),
                       np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4), grad=False)


def test_einsum_transpose_is_a_view_as_in_torch():
    x = tinynn.arange(6.0).reshape(2, 3)
    y = tinynn.einsum("ij->ji", x)
    y[0, 1] = 100.0
    assert x[1, 0].item() == 100.0


@pytest.mark.parametrize("name", ["matmul", "bmm", "trace", "diagonal", "sum_rows", "attention",
                                  "ellipsis_broadcast", "size_one_broadcast", "three_operands",
                                  "repeated_and_shared", "scalar_operand"])
def test_einsum_gradcheck_and_gradgradcheck(name):
    equation, shapes = EINSUM[name]
    inputs = double(*(randn(*shape, seed=i) for i, shape in enumerate(shapes)))
    fn = lambda *ops: tinynn.einsum(equation, *ops)  # noqa: E731
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("equation, shapes, dtypes", [
    ("ij,jk", [(2, 3), (4, 5)], None),
    ("ij,jk", [(2, 3)], None),
    ("ij", [(2, 3), (2,)], None),
    ("ijk", [(2, 3)], None),
    ("...ijk", [(2, 3)], None),
    ("ij->k", [(2, 3)], None),
    ("ij->ii", [(2, 3)], None),
    ("ii", [(2, 3)], None),
    ("i1", [(2, 3)], None),
    ("i..j", [(2, 3)], None),
    ("...i...", [(2, 3)], None),
    ("...i,...i", [(3, 2), (4, 2)], None),
    ("ij,jk", [(2, 3), (3, 4)], ("float32", "float64")),
])
def test_einsum_errors_match_torch(equation, shapes, dtypes):
    dtypes = dtypes or ("float32",) * len(shapes)
    for lib in (tinynn, torch):
        operands = [lib.ones(*shape, dtype=getattr(lib, d)) for shape, d in zip(shapes, dtypes)]
        with pytest.raises(RuntimeError):
            lib.einsum(equation, *operands)


def test_einsum_error_messages_name_the_problem():
    with pytest.raises(RuntimeError, match="subscript j has size 4 for operand 1 which does not broadcast "
                                           "with previously seen size 3"):
        tinynn.einsum("ij,jk", tinynn.ones(2, 3), tinynn.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"number of subscripts in the equation \(3\) does not match the "
                                           r"number of dimensions \(2\) for operand 0"):
        tinynn.einsum("ijk", tinynn.ones(2, 3))
    with pytest.raises(TypeError):
        tinynn.einsum("ij", 3)


@pytest.mark.parametrize("first, second, error", [
    ("bool", "float32", NotImplementedError), ("bool", "int64", NotImplementedError),
    ("float32", "bool", RuntimeError), ("int64", "float32", RuntimeError), ("float32", "float64", RuntimeError),
])
def test_einsum_of_two_dtypes_raises_torchs_error(first, second, error):
    ours, theirs = assert_same_error(lambda lib: lib.einsum(
        "ij,jk", lib.ones(2, 3, dtype=getattr(lib, first)), lib.ones(3, 4, dtype=getattr(lib, second))))
    assert type(ours) is error
