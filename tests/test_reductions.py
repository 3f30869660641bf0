"""Reductions (sum, mean, prod, max, min, amax, argmax, var, std, logsumexp, softmax, norm),
with dim and keepdim, forward and gradient vs PyTorch.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# (dim, keepdim) combinations for a (2, 3, 4) input
DIMS = [
    (None, False), (0, False), (1, True), (-1, False), (-1, True), ((0, 2), False), ((0, 2), True),
    ((-1, -2), False), ((0, 1, 2), False),
]

REDUCTIONS = {
    "sum": lambda x, dim, keepdim: x.sum() if dim is None else x.sum(dim, keepdim),
    "sum_keyword": lambda x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim),
    "mean": lambda x, dim, keepdim: x.mean() if dim is None else x.mean(dim, keepdim),
    "mean_keyword": lambda x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
    "amax": lambda x, dim, keepdim: x.amax(() if dim is None else dim, keepdim),
    "amin": lambda x, dim, keepdim: x.amin(() if dim is None else dim, keepdim),
    "var": lambda x, dim, keepdim: x.var(dim, keepdim=keepdim),
    "var_biased": lambda x, dim, keepdim: x.var(dim, unbiased=False, keepdim=keepdim),
    "var_correction": lambda x, dim, keepdim: x.var(dim, keepdim=keepdim, correction=0),
    "std": lambda x, dim, keepdim: x.std(dim, keepdim=keepdim),
    "std_biased": lambda x, dim, keepdim: x.std(dim, unbiased=False, keepdim=keepdim),
    "logsumexp": lambda x, dim, keepdim: x.logsumexp(tuple(range(x.ndim)) if dim is None else dim, keepdim),
    # PyTorch refuses the 2-norm over a 3-tuple of dims (a matrix norm needs two): so does tinynn
    "norm": lambda x, dim, keepdim: x.norm(dim=dim, keepdim=keepdim) if dim != (0, 1, 2) else x.norm(),
    "norm_1": lambda x, dim, keepdim: x.norm(1, dim, keepdim),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_matches_torch_for_every_dim(name, dtype, device):
    """Output and gradient for each (dim, keepdim) on a (2, 3, 4) input (the failing one is named)."""
    fn = REDUCTIONS[name]
    for dim, keepdim in DIMS:
        try:
            compare_with_torch(lambda lib, x: fn(x, dim, keepdim), randn(2, 3, 4), dtype=dtype, device=device)
        except AssertionError as error:
            raise AssertionError(f"dim={dim}, keepdim={keepdim}: {error}") from error


# prod's gradient is a product of the other elements; keep the values near 1 in magnitude
@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_prod_matches_torch(dtype, dim, keepdim, device):
    x = np.random.default_rng(0).uniform(0.5, 1.5, (2, 3, 4))
    fn = (lambda lib, x: x.prod()) if dim is None else (lambda lib, x: x.prod(dim, keepdim))
    compare_with_torch(fn, x, dtype=dtype, device=device)


@pytest.mark.parametrize("zeros", [[0], [0, 4]], ids=["one_zero", "two_zeros"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_prod_gradient_with_zeros(zeros, dtype, device):
    x = np.random.default_rng(0).uniform(0.5, 1.5, (2, 3))
    x.reshape(-1)[zeros] = 0.0
    compare_with_torch(lambda lib, x: (x.prod(), x.prod(1)), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False), (2, True)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_return_values_and_indices(name, dtype, dim, keepdim, device):
    def fn(lib, x):
        values, indices = getattr(x, name)(dim, keepdim)
        return values, indices

    compare_with_torch(fn, randn(2, 3, 4), dtype=dtype, device=device)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_with_dim_named_fields(name, device):
    for lib, dev in ((tinynn, "cpu"), (torch, device)):
        out = getattr(lib.tensor([[1.0, 5.0], [3.0, 2.0]], device=dev), name)(dim=1)
        assert out.values.shape == out.indices.shape == (2,)
        assert out[0] is out.values or lib.equal(out[0], out.values)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["max", "min"])
def test_full_max_min_match_torch(name, dtype, device):
    compare_with_torch(lambda lib, x: getattr(x, name)(), randn(3, 4), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_reduction_tie_gradient_matches_torch(name, dtype, device):
    """max()/amax share the gradient evenly between tied extremes, as PyTorch does."""
    x = np.array([[1.0, 3.0, 3.0], [-2.0, -2.0, 0.5]])
    compare_with_torch(lambda lib, x: getattr(x, name)(), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_amax_with_dim_tie_gradient_matches_torch(dtype, device):
    x = np.array([[1.0, 3.0, 3.0], [-2.0, -2.0, 0.5]])
    compare_with_torch(lambda lib, x: (x.amax(1), x.amin(0)), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False), (None, True)], ids=str)
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_torch(name, dim, keepdim, device):
    compare_with_torch(lambda lib, x: getattr(x, name)(dim, keepdim), randn(3, 4), device=device)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_function_matches_torch(name, device):
    compare_with_torch(lambda lib, x: getattr(lib, name)(x, 1), randn(3, 4), device=device)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_matches_torch(name, dtype, dim, device):
    compare_with_torch(lambda lib, x: getattr(x, name)(dim), randn(3, 4), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_function_large_values_is_stable(name, dtype, device):
    x = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    compare_with_torch(lambda lib, x: getattr(lib, name)(x, 1), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logsumexp_large_values_is_stable(dtype, device):
    x = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    compare_with_torch(lambda lib, x: lib.logsumexp(x, 1), x, dtype=dtype, device=device)


FUNCTIONS = {
    "sum": lambda lib, x: lib.sum(x, 1),
    "sum_all": lambda lib, x: lib.sum(x),
    "mean": lambda lib, x: lib.mean(x, -1, True),
    "prod": lambda lib, x: lib.prod(x, 0),
    "max": lambda lib, x: lib.max(x, 1),
    "max_all": lambda lib, x: lib.max(x),
    "min": lambda lib, x: lib.min(x, 0),
    "amax": lambda lib, x: lib.amax(x, 1),
    "amin": lambda lib, x: lib.amin(x, (0, 1)),
    "var": lambda lib, x: lib.var(x, 1),
    "std": lambda lib, x: lib.std(x),
    "norm": lambda lib, x: lib.norm(x),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_reduction_function_matches_torch(name, dtype, device):
    compare_with_torch(FUNCTIONS[name], randn(3, 4), dtype=dtype, device=device)


# -- 0-d and empty inputs ----------------------------------------------------------------------
ZERO_DIM = {
    "sum": lambda x: x.sum(), "sum_dim0": lambda x: x.sum(0), "sum_dim_neg": lambda x: x.sum(-1, keepdim=True),
    "mean": lambda x: x.mean(), "mean_dim0": lambda x: x.mean(0), "prod": lambda x: x.prod(),
    "max": lambda x: x.max(), "max_dim0": lambda x: x.max(0), "amax": lambda x: x.amax(),
    "argmax": lambda x: x.argmax(), "softmax": lambda x: x.softmax(0), "logsumexp": lambda x: x.logsumexp(0),
    "std_biased": lambda x: x.std(unbiased=False), "norm": lambda x: x.norm(),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ZERO_DIM))
def test_reduction_of_0d_matches_torch(name, dtype, device):
    compare_with_torch(lambda lib, x: ZERO_DIM[name](x), np.array(1.5), dtype=dtype, device=device)


EMPTY = {
    "sum": lambda x: x.sum(), "sum_empty_dim": lambda x: x.sum(1), "sum_other_dim": lambda x: x.sum(2),
    "mean": lambda x: x.mean(), "mean_other_dim": lambda x: x.mean(0), "prod": lambda x: x.prod(),
    "prod_dim": lambda x: x.prod(1), "amax_other_dim": lambda x: x.amax(2), "max_other_dim": lambda x: x.max(0),
    "logsumexp_empty_dim": lambda x: x.logsumexp(1), "softmax": lambda x: x.softmax(-1),
    "var_other_dim": lambda x: x.var(0), "norm": lambda x: x.norm(),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(EMPTY))
@pytest.mark.filterwarnings("ignore:var\\(\\)")  # PyTorch and tinynn warn: N - correction <= 0
def test_reduction_of_empty_matches_torch(name, dtype, device):
    compare_with_torch(lambda lib, x: EMPTY[name](x), randn(2, 0, 3), dtype=dtype, device=device)


@pytest.mark.parametrize("name", ["max", "min", "amax", "argmax"])
def test_full_reduction_of_empty_raises_like_torch(name):
    with pytest.raises(Exception) as theirs:
        getattr(torch.zeros(0), name)()
    with pytest.raises(theirs.type):
        getattr(tinynn.zeros(0), name)()


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_along_empty_dim_raises_like_torch(name):
    with pytest.raises(Exception) as theirs:
        getattr(torch.zeros(2, 0), name)(1)
    with pytest.raises(theirs.type, match="non-zero size"):
        getattr(tinynn.zeros(2, 0), name)(1)


# -- dtypes of reductions ------------------------------------------------------------------------
@pytest.mark.parametrize("make, reduce", [
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.sum()),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.sum(0)),
    (lambda lib: lib.tensor([True, True, False]), lambda x: x.sum()),
    (lambda lib: lib.tensor([1, 2], dtype=lib.int32), lambda x: x.sum()),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.prod(1)),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.max()),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.max(1).values),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.amin(0)),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.argmax()),
    (lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda x: x.mean(dtype=lib_of(x).float64)),
    (lambda lib: lib.tensor([1.0, 2.0]), lambda x: x.sum(dtype=lib_of(x).float64)),
    (lambda lib: lib.tensor([True, False]), lambda x: x.any()),
], ids=["sum_int", "sum_int_dim", "sum_bool", "sum_int32", "prod_int", "max_int", "max_dim_int", "amin_int",
        "argmax", "mean_dtype", "sum_dtype", "any"])
def test_reduction_dtype_matches_torch(make, reduce):
    ours, theirs = reduce(make(tinynn)), reduce(make(torch))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert_close(ours, theirs)


def lib_of(x):
    return tinynn if isinstance(x, tinynn.Tensor) else torch


def test_mean_of_integer_tensor_raises_like_torch():
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).mean()
    with pytest.raises(RuntimeError, match="dtype"):
        tinynn.tensor([1, 2]).mean()


def test_var_of_integer_tensor_raises_like_torch():
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).var()
    with pytest.raises(RuntimeError, match="floating point"):
        tinynn.tensor([1, 2]).var()


def test_norm_over_three_dims_raises_like_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 2, 2).norm(dim=(0, 1, 2))
    with pytest.raises(RuntimeError, match="2-tuple"):
        tinynn.zeros(2, 2, 2).norm(dim=(0, 1, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_std_and_norm_gradient_at_zero_is_zero_like_torch(dtype, device):
    x = np.array([[1.5, 1.5, 1.5], [0.0, 0.0, 0.0]])
    compare_with_torch(lambda lib, x: (x.std(1), x.norm(dim=1), x.std(1, unbiased=False)), x,
                       dtype=dtype, device=device)


@pytest.mark.filterwarnings("ignore:var\\(\\)")  # PyTorch and tinynn warn: N - correction <= 0
@pytest.mark.parametrize("dtype", DTYPES)
def test_var_of_single_element_is_nan_like_torch(dtype, device):
    compare_with_torch(lambda lib, x: x.var(), np.array([2.0]), dtype=dtype, device=device, grad=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0]).var(), lambda lib: lib.tensor([1.0]).std(),
    lambda lib: lib.zeros(2, 0).std(0), lambda lib: lib.zeros(2, 3).var(0, correction=2),
], ids=["var_one_element", "std_one_element", "std_empty", "var_correction_too_large"])
def test_no_degrees_of_freedom_warns_like_torch(call):
    for lib in (torch, tinynn):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            call(lib)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_then_mean_chain(dtype, device):
    compare_with_torch(lambda lib, x: (x.sum(0, keepdim=True) - x.mean(1, keepdim=True)).softmax(1),
                       randn(3, 4), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_sum(dtype, device):
    # float32 sums of 10^5 elements differ between numpy's pairwise and PyTorch's vectorised
    # summation order by a few ulps of the total (about 300 here): an absolute tolerance
    # scaled to the sum is used for float32 only.
    atol = 1e-3 if dtype == "float32" else None
    compare_with_torch(lambda lib, x: (x.sum(), x.mean(0)), randn(100000, 2), dtype=dtype,
                       device=device, atol=atol)
