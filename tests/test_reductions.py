"""Reductions (sum, mean, prod, max, min, amax, argmax, var, std, logsumexp, softmax, norm),
with dim and keepdim, forward and gradient vs PyTorch.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from helpers import assert_same_error, randn

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


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


# Shapes whose last axis is short and has many rows: the row maxima of these take
# ``reduction.extreme``'s transposed path (see its docstring); (8, 10) and (40, 100) do not.
MANY_SHORT_ROWS = [(64, 10), (32, 4, 12, 12), (1000, 3), (40, 64), (8, 10), (40, 100)]


@pytest.mark.parametrize("shape", MANY_SHORT_ROWS, ids=str)
@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum], ids=["maximum", "minimum"])
def test_extreme_gives_numpys_reduction_bit_for_bit(ufunc, shape):
    """Every value, a nan's win and the sign of a zero maximum included."""
    from tinynn._functions.reduction import extreme

    rng = np.random.default_rng(0)
    special = np.array([0.0, -0.0, 1.0, -1.0, np.nan, np.inf, -np.inf], np.float32)
    x = rng.choice(special, size=shape) * rng.random(shape).astype(np.float32)
    x.reshape(-1, shape[-1])[: len(x) // 2] = rng.choice(special[:2], size=(len(x) // 2, shape[-1]))
    expected, got = ufunc.reduce(x, axis=-1, keepdims=True), extreme(ufunc, x, x.ndim - 1)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))


@pytest.mark.parametrize("shape", MANY_SHORT_ROWS, ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "amax", "amin"])
def test_last_dim_reductions_over_many_short_rows_match_torch(name, shape, device):
    """Values and gradients over the last dim, with rows of -inf, inf and nan among them."""
    x = randn(*shape)
    rows = x.reshape(-1, shape[-1])  # (a view: these write into x)
    rows[0], rows[1, 0], rows[2, 1] = -np.inf, np.inf, np.nan
    compare_with_torch(lambda lib, x: getattr(x, name)(-1), x, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_function_large_values_is_stable(name, dtype, device):
    x = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    compare_with_torch(lambda lib, x: getattr(lib, name)(x, 1), x, dtype=dtype, device=device)


# -- softmax, log_softmax, cross_entropy: a backward of one op, itself differentiable --------
SOFTMAX_BACKWARDS = {
    "softmax": (lambda lib, x: x.softmax(1), "SoftmaxBackwardDataBackward0"),
    "log_softmax": (lambda lib, x: x.log_softmax(1), "LogSoftmaxBackwardDataBackward0"),
    "cross_entropy": (lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([2, 0, 1])),
                      "LogSoftmaxBackwardDataBackward0"),
}


@pytest.mark.parametrize("name", sorted(SOFTMAX_BACKWARDS))
def test_backward_of_the_softmax_family_is_one_node_named_as_in_pytorch(name):
    """The gradient that ``create_graph`` records comes from one op, PyTorch's
    ``_softmax_backward_data`` / ``_log_softmax_backward_data``."""
    fn, expected = SOFTMAX_BACKWARDS[name]
    names = []
    for lib in (torch, tinynn):
        x = lib.tensor(randn(3, 4), dtype=lib.float64, requires_grad=True)
        y = fn(lib, x)
        grad, = lib.autograd.grad(y, x, grad_outputs=lib.ones_like(y), create_graph=True)
        names.append(type(grad.grad_fn).__name__)
    assert names[0] == names[1] == expected


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("name", sorted(SOFTMAX_BACKWARDS))
def test_second_and_third_derivatives_of_the_softmax_family_match_pytorch(name, dim):
    """Through both inputs of the one-op backward: the incoming gradient depends on x here
    (x * x), and the second derivative is differentiated once more. Along dim 0 and 1
    (cross_entropy's classes lie along dim 1 of a batch, dim 0 of one unbatched sample)."""
    fn, _ = SOFTMAX_BACKWARDS[name]
    if name == "softmax":
        fn = lambda lib, x: x.softmax(dim)  # noqa: E731
    elif name == "log_softmax":
        fn = lambda lib, x: x.log_softmax(dim)  # noqa: E731
    elif dim == 0:
        fn = lambda lib, x: lib.nn.functional.cross_entropy(x[0], lib.tensor(2))  # noqa: E731
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(randn(3, 4), dtype=lib.float64, requires_grad=True)
        y = fn(lib, x)
        weight = x * x if y.ndim else (x * x).sum()
        grad, = lib.autograd.grad(y, x, grad_outputs=weight, create_graph=True)
        second, = lib.autograd.grad((grad * grad).sum(), x, create_graph=True)
        third, = lib.autograd.grad((second * x).sum(), x)
        results.append([t.detach().numpy() for t in (grad, second, third)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("function", ["SoftmaxBackwardData", "LogSoftmaxBackwardData"])
def test_one_op_softmax_backwards_pass_gradcheck_and_gradgradcheck_in_both_inputs(function, dim):
    """Checked as functions of (g, z) for any z, not only a softmax output: the Jacobian
    in g of the log-softmax one is not symmetric, so its backward is not itself."""
    from tinynn._functions import reduction
    op = getattr(reduction, function)
    g, z = (tinynn.tensor(randn(3, 4, seed=s), dtype=tinynn.float64, requires_grad=True) for s in (1, 2))
    assert tinynn.autograd.gradcheck(lambda g, z: op.apply(g, z, dim), (g, z))
    assert tinynn.autograd.gradgradcheck(lambda g, z: op.apply(g, z, dim), (g, z))


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


# -- issue 20: agree with PyTorch or raise its error ------------------------------------------
def test_any_and_all_match_torch():
    x = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    for dim in (None, 0, 1, (0, 1), (), []):
        for keepdim in (False, True):
            kwargs = {} if dim is None else {"dim": dim}
            compare_with_torch(lambda lib, x: (x.any(keepdim=keepdim, **kwargs), x.all(keepdim=keepdim, **kwargs),
                                               lib.any(x, keepdim=keepdim, **kwargs),
                                               lib.all(x, keepdim=keepdim, **kwargs)), x, grad=False)


def test_any_and_all_of_uint8_keep_uint8_like_torch():
    def call(lib):
        x = lib.tensor([[1, 0], [2, 3]], dtype=lib.uint8)
        return x.any(), x.all(1), lib.all(x, dim=()), x.any(0, keepdim=True)
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("values", [[1, 2, 3], [True, False, True]], ids=["int64", "bool"])
def test_logsumexp_of_int_and_bool_is_float32_like_torch(values):
    compare_with_torch(lambda lib, x: (lib.logsumexp(x, 0), x.logsumexp(0, keepdim=True)), np.array(values))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dim_is_empty_like_torch(name):
    for dim in (0, 1, -1):
        compare_with_torch(lambda lib, x: (getattr(x, name)(dim), getattr(lib.nn.functional, name)(x, dim)),
                           randn(3, 0), dtype="float64")


@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("dtype", ["bool", "int64", "int32"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_bool_and_int_raises_like_torch(name, dtype, dim):
    for call in (lambda lib: getattr(lib.ones(2, 3, dtype=getattr(lib, dtype)), name)(dim),
                 lambda lib: getattr(lib, name)(lib.ones(2, 3, dtype=getattr(lib, dtype)), dim),
                 lambda lib: getattr(lib.nn.functional, name)(lib.ones(2, 3, dtype=getattr(lib, dtype)), dim)):
        ours, theirs = assert_same_error(call)
        assert str(theirs) in str(ours)  # names the kernel and the dtype as PyTorch does


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dtype_argument_matches_torch(name):
    x = randn(2, 3)
    for forms in (lambda lib, x: getattr(x, name)(1, dtype=lib.float64),
                  lambda lib, x: getattr(lib, name)(x, 1, dtype=lib.float64),
                  lambda lib, x: getattr(lib.nn.functional, name)(x, 1, dtype=lib.float64)):
        compare_with_torch(forms, x, dtype="float32")  # float32 in, float64 out, float32 gradient
    compare_with_torch(lambda lib, x: getattr(x, name)(0, dtype=lib.float32), np.array([1, 2, 3]))


def test_softmax_with_inf_matches_torch_without_warnings():
    x = np.array([[np.inf, 1.0, 0.0], [-np.inf, -np.inf, -np.inf], [np.inf, np.inf, 1.0], [-np.inf, 0.0, 1.0]])
    compare_with_torch(lambda lib, x: (x.softmax(1), x.log_softmax(1), x.logsumexp(1)), x, dtype="float64")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_prod_dtype_argument_matches_torch(dtype):
    for values in ([[1, 2], [3, 4]], [[1.5, -2.0], [0.5, 4.0]]):
        compare_with_torch(lambda lib, x: (x.prod(dtype=getattr(lib, dtype)),
                                           lib.prod(x, 1, dtype=getattr(lib, dtype)),
                                           lib.prod(x, 0, keepdim=True, dtype=getattr(lib, dtype))),
                           np.array(values), grad=False)
    compare_with_torch(lambda lib, x: x.prod(1, dtype=lib.float64), randn(2, 3))  # gradient back in float32


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, -1, float("inf"), float("-inf"), "fro"])
def test_vector_norms_match_torch(p):
    x = np.array([[0.0, -2.0, 1.5], [0.0, 0.0, 0.0], [3.0, -0.5, 0.0]])
    compare_with_torch(lambda lib, x: (x.norm(p=p), x.norm(p=p, dim=1), lib.norm(x, p, dim=0, keepdim=True)),
                       x, dtype="float64")


@pytest.mark.parametrize("p", [2, 3, 1, 0, float("inf")])
def test_norm_over_three_or_more_dims_with_a_number_matches_torch(p):
    compare_with_torch(lambda lib, x: (x.norm(p=p, dim=(0, 1, 2)), x.norm(p, (0, 2, 3), keepdim=True)),
                       randn(2, 3, 2, 2), dtype="float64")


def test_norm_fro_without_dim_matches_torch():
    compare_with_torch(lambda lib, x: (x.norm(p="fro"), lib.norm(x, "fro"), x.norm("fro", dim=(0, 1)),
                                       x.norm("fro", dim=1), lib.norm(x)), randn(3, 4), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 2, 2).norm(p="fro", dim=(0, 1, 2)),
    lambda lib: lib.ones(2).norm(p="abc"),
    lambda lib: lib.tensor([1, 2]).norm(),
    lambda lib: lib.ones(0).norm(p=float("inf")),
    lambda lib: lib.ones(2, 0).norm(p=float("-inf"), dim=1),
], ids=["fro_three_dims", "unknown_order", "int", "inf_of_empty", "minus_inf_over_empty_dim"])
def test_norm_misuse_raises_like_torch(call):
    assert_same_error(call)


def test_norm_dtype_argument_matches_torch():
    compare_with_torch(lambda lib, x: (x.norm(dtype=lib.float64), lib.norm(x, 3, 1, dtype=lib.float64)),
                       randn(2, 3))


# The 2-norm's backward is one op (TwoNormBackward): three orders of derivatives through it,
# for a norm of everything, over a dim, kept, and F.normalize, with a row of zeros.
TWO_NORM_CASES = {
    "all": lambda lib, x: x.norm(),
    "dim": lambda lib, x: x.norm(dim=1),
    "keepdim": lambda lib, x: x.norm(dim=0, keepdim=True),
    "normalize": lambda lib, x: lib.nn.functional.normalize(x, dim=1),
}


@pytest.mark.parametrize("zero_row", [False, True])
@pytest.mark.parametrize("case", TWO_NORM_CASES)
def test_two_norm_backward_to_the_third_order_matches_torch(case, zero_row, device):
    array = np.random.default_rng(0).standard_normal((3, 4))
    if zero_row:
        array[1] = 0.0  # the norm is 0 there: PyTorch's subgradient, 0, at every order
    results = []
    for lib, dev in ((tinynn, "cpu"), (torch, device)):
        x = lib.tensor(array, dtype=lib.float64, requires_grad=True, **({"device": dev} if lib is torch else {}))
        y = TWO_NORM_CASES[case](lib, x).tanh().sum()
        (first,) = lib.autograd.grad(y, (x,), create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), (x,), create_graph=True)
        (third,) = lib.autograd.grad(second.sin().sum(), (x,))
        results.append([first, second, third])
    for order, (ours, theirs) in enumerate(zip(*results), start=1):
        ours, theirs = ours.detach().numpy(), theirs.detach().cpu().numpy()
        if zero_row and order > 1 and case in ("dim", "normalize"):
            # PyTorch's double backward of a norm over a dim is nan at a zero norm (over all
            # dims it is 0), and the nan spreads; tinynn's is 0 there at every order, so the
            # row keeps what the rest of the graph gives it (Deviations page)
            assert np.isnan(theirs[1]).all() and np.isfinite(ours[1]).all()
            ours, theirs = np.delete(ours, 1, axis=0), np.delete(theirs, 1, axis=0)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=f"derivative of order {order}")


def test_two_norm_backward_passes_gradgradcheck_in_all_three_inputs():
    from tinynn.autograd import gradcheck, gradgradcheck
    from tinynn._functions.reduction import TwoNormBackward
    rng = np.random.default_rng(2)
    g, x = (tinynn.tensor(rng.standard_normal(shape), dtype=tinynn.float64, requires_grad=True)
            for shape in ((3, 1), (3, 4)))
    z = tinynn.tensor(rng.uniform(0.5, 2.0, (3, 1)), dtype=tinynn.float64, requires_grad=True)
    assert gradcheck(TwoNormBackward.apply, (g, x, z)) and gradgradcheck(TwoNormBackward.apply, (g, x, z))


def test_norm_gradient_at_zero_matches_torch_without_warnings():
    for p in (3, 0.5, -1, 1.5, float("inf")):
        compare_with_torch(lambda lib, x: x.norm(p=p, dim=1), np.array([[0.0, 0.0], [0.0, 2.0], [1.0, -1.0]]),
                           dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 2).sum((0, 0)),
    lambda lib: lib.ones(2, 2).sum((0, -2)),
    lambda lib: lib.ones(2, 2).mean((1, 1)),
    lambda lib: lib.ones(2, 2).sum((1, 1), keepdim=True),
    lambda lib: lib.ones(2, 2).amax((0, 0)),
    lambda lib: lib.ones(2, 2).amin((1, -1)),
    lambda lib: lib.ones(2, 2).any((0, 0)),
    lambda lib: lib.ones(2, 2).all((0, 0)),
    lambda lib: lib.ones(2, 2).count_nonzero((0, 0)),
    lambda lib: lib.ones(2, 2).logsumexp((0, 0)),
    lambda lib: lib.ones(2, 2).var((0, 0)),
    lambda lib: lib.ones(2, 2).std((0, 0)),
    lambda lib: lib.ones(2, 2).norm(2, (0, 0)),
], ids=["sum", "sum_negative", "mean", "sum_keepdim", "amax", "amin", "any", "all", "count_nonzero", "logsumexp",
        "var", "std", "norm"])
def test_duplicate_dims_raise_like_torch(call):
    ours, theirs = assert_same_error(call)
    assert "appears multiple times in the list of dims" in str(ours)


@pytest.mark.parametrize("call", [
    lambda lib: lib.min((0, 1)),
    lambda lib: lib.max([0, 1]),
    lambda lib: lib.sum([0, 1]),
    lambda lib: lib.mean([0.0, 1.0]),
    lambda lib: lib.tensor([True, False]).argmax(),
    lambda lib: lib.tensor([True, False]).argmin(0),
    lambda lib: lib.tensor([], dtype=lib.bool).argmax(),
    lambda lib: lib.tensor([1.0, 2.0]).mean(dtype=lib.int64),
    lambda lib: lib.tensor([1, 2]).mean(dtype=lib.int64),
    lambda lib: lib.tensor([True, False]).mean(),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).sum(dtype=lib.int64),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).sum(dtype=lib.bool),
    lambda lib: lib.tensor([1.5, 2.0], requires_grad=True).prod(dtype=lib.int64),
    lambda lib: lib.zeros(0, 2).argmax(0),
    lambda lib: lib.tensor(2.0).softmax(1),
    lambda lib: lib.ones(2).logsumexp(),
], ids=["min_of_tuple", "max_of_list", "sum_of_list", "mean_of_list", "argmax_bool", "argmin_bool",
        "argmax_empty_bool", "mean_dtype_int64", "mean_int_dtype_int64", "mean_bool",
        "sum_int_dtype_requires_grad", "sum_bool_dtype_requires_grad", "prod_int_dtype_requires_grad",
        "argmax_over_empty_dim", "softmax_0d_dim1", "logsumexp_without_dim"])
def test_misuse_raises_like_torch(call):
    assert_same_error(call)


def test_integer_dtype_without_grad_matches_torch():
    compare_with_torch(lambda lib, x: (x.sum(dtype=lib.int64), x.prod(dtype=lib.int32)),
                       np.array([1.5, 2.0, -3.7]), grad=False)
    with tinynn.no_grad():
        assert tinynn.tensor([1.5, 2.0], requires_grad=True).sum(dtype=tinynn.int64).item() == 3


def test_argmax_and_argmin_with_nan_match_torch():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, np.nan]])
    compare_with_torch(lambda lib, x: (x.argmax(), x.argmin(), x.argmax(1), lib.argmin(x, 1, keepdim=True)),
                       x, grad=False)


INF_INPUTS = np.array([[np.inf, -np.inf, 1.0], [np.inf, np.inf, 2.0], [-np.inf, -np.inf, 0.0],
                       [1e308, 1e308, 1.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "var", "std", "amax", "logsumexp", "norm"])
def test_inf_inputs_match_torch_without_warnings(name):
    compare_with_torch(lambda lib, x: (getattr(x, name)(1), getattr(lib, name)(x, 1, keepdim=True)),
                       INF_INPUTS, dtype="float64")


def test_out_argument_matches_torch():
    def call(lib):
        x = lib.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 5.0]])
        outs = [lib.empty(0) for _ in range(9)] + [lib.empty(0, dtype=lib.int64), lib.empty(0, dtype=lib.bool)]
        lib.mean(x, 1, out=outs[0])
        lib.prod(x, 0, out=outs[1])
        lib.amax(x, 1, out=outs[2])
        lib.amin(x, 0, out=outs[3])
        lib.logsumexp(x, 1, out=outs[4])
        lib.softmax(x, 1, out=outs[5])
        lib.var(x, 1, out=outs[6])
        lib.std(x, 0, out=outs[7])
        lib.norm(x, 2, 1, out=outs[8])
        lib.argmax(x, 1, out=outs[9])
        lib.any(x, 0, out=outs[10])
        values, indices = lib.empty(0), lib.empty(0, dtype=lib.int64)
        lib.max(x, 1, out=(values, indices))
        return outs + [values, indices]
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
                                  "all", "any", "count_nonzero", "std", "var", "logsumexp", "softmax",
                                  "log_softmax", "norm"])
def test_functions_are_the_family_file_functions(name):
    from tinynn._functions import reduction
    assert getattr(tinynn, name) is getattr(reduction, name)


# -- axis= and keepdims=, as PyTorch's reductions take them ----------------------------------
AXIS_NAMES = ["sum", "mean", "std", "var", "all", "any", "amax", "amin", "max", "min", "prod",
              "argmax", "argmin", "logsumexp", "median", "cumsum", "cumprod", "cummax", "cummin",
              "count_nonzero", "softmax", "log_softmax"]


HAS_KEEPDIM = {"sum", "mean", "std", "var", "all", "any", "amax", "amin", "max", "min", "prod",
               "argmax", "argmin", "logsumexp", "median"}


def _reduce(lib, name, form, kwargs):
    x = lib.tensor(np.arange(12.0).reshape(3, 4) % 5, dtype=lib.float64)
    if name in ("all", "any"):
        x = x > 2
    out = getattr(x, name)(**kwargs) if form == "method" else getattr(lib, name)(x, **kwargs)
    return out[0] if isinstance(out, tuple) else out


AXIS_CALLS = [(name, kwargs) for name in AXIS_NAMES
              for kwargs in ({"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": 0, "keepdims": False})
              if name in HAS_KEEPDIM or "keepdims" not in kwargs]


@pytest.mark.parametrize("form", ["method", "function"])
@pytest.mark.parametrize("name, kwargs", AXIS_CALLS,
                         ids=[f"{n}-{'-'.join(map(str, k.items()))}" for n, k in AXIS_CALLS])
def test_reduction_accepts_axis_and_keepdims_like_torch(name, kwargs, form):
    ours, theirs = _reduce(tinynn, name, form, kwargs), _reduce(torch, name, form, kwargs)
    dim_kwargs = {{"axis": "dim", "keepdims": "keepdim"}[k]: v for k, v in kwargs.items()}
    assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    assert_close(ours, _reduce(tinynn, name, form, dim_kwargs), rtol=0, atol=0)


TWICE_OR_MISSING = ([(name, "dim_and_axis", {"dim": 1, "axis": 1}) for name in ("sum", "amax", "cumsum", "softmax")]
                    + [(name, "keepdim_and_keepdims", {"axis": 1, "keepdim": True, "keepdims": True})
                       for name in ("sum", "amax", "logsumexp")]
                    + [(name, "required_dim_missing", {}) for name in ("cumsum", "softmax", "logsumexp")])


@pytest.mark.parametrize("name, what, kwargs", TWICE_OR_MISSING, ids=[f"{n}-{w}" for n, w, _ in TWICE_OR_MISSING])
def test_reduction_dim_given_twice_or_missing_raises_type_error(name, what, kwargs):
    ours, _ = assert_same_error(lambda L: _reduce(L, name, "method", kwargs))
    assert isinstance(ours, TypeError)


def test_norm_takes_no_axis_as_in_torch():
    assert_same_error(lambda L: L.ones(3, 4).norm(axis=1))


REPEATED_DIMS = {
    "mean_repeated_dim": lambda L: L.zeros(3, 4).mean((0, 0)),
    "sum_repeated_negative_dim": lambda L: L.zeros(3, 4).sum((1, -1)),
}


@pytest.mark.parametrize("case", sorted(REPEATED_DIMS))
def test_repeated_dim_raises_like_torch(case):
    ours, _ = assert_same_error(REPEATED_DIMS[case])
    assert "numpy" not in str(ours) or "numpy.ndarray" in str(ours)


# -- reductions of integers and bools; the gradient at a nan ---------------------------------
def test_reductions_of_integers_and_bools_match_torch():
    """Integer and bool inputs: integer and bool results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.count_nonzero(t > 2),
        lambda lib, t: (t > 2).count_nonzero(dim=1),
        lambda lib, t: lib.all(t > -10),
        lambda lib, t: lib.any(t > 8, dim=0),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


LIBS = (torch, tinynn)


@pytest.mark.parametrize("name", ["max", "amax", "min", "amin"])
def test_extreme_gradient_at_a_nan_matches_torch(name):
    """max() gives the gradient to the nan; amax divides by zero tied maxima (nan), in both."""
    grads = []
    for lib in LIBS:
        x = lib.tensor([1.0, math.nan, 3.0, -2.0], dtype=lib.float64, requires_grad=True)
        getattr(x, name)().backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0], rtol=0, atol=0)


# -- found by the differential suite (tests/differential) --------------------------------------
def test_nuclear_norm_matches_torch():
    x = randn(3, 2, 4)
    compare_with_torch(lambda lib, x: (x.norm(p="nuc", dim=(0, 2)), lib.norm(x, "nuc", (-1, 0), keepdim=True)),
                       x, dtype="float64")
    compare_with_torch(lambda lib, x: (x.norm(p="nuc"), lib.norm(x, p="nuc")), randn(4, 3), dtype="float32")
    compare_with_torch(lambda lib, x: x.norm(p="nuc"), np.zeros((0, 3)), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).norm(p="nuc"),
    lambda lib: lib.ones(2, 2, 2).norm(p="nuc"),
    lambda lib: lib.ones(3, 3).norm(p="nuc", dim=(0, 0)),
], ids=["1d", "3d_without_dim", "same_dim_twice"])
def test_nuclear_norm_misuse_raises_like_torch(call):
    assert_same_error(call)


def test_nuclear_norm_second_derivative_raises_instead_of_being_wrong():
    x = tinynn.tensor(randn(3, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="second derivative"):
        tinynn.autograd.grad(x.norm(p="nuc"), x, create_graph=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 3).sum(1.5),
    lambda lib: lib.ones(2, 3).sum(True),
    lambda lib: lib.ones(2, 3).sum((0, None)),
    lambda lib: lib.ones(2, 3).mean("a"),
    lambda lib: lib.max(lib.ones(2, 3, dtype=lib.int32), -1.5),
    lambda lib: lib.ones(2, 3).amax(0.0),
], ids=["float", "bool", "none_in_tuple", "str", "max_float", "amax_float"])
def test_dims_that_are_not_integers_raise_type_error_like_torch(call):
    assert_same_error(call)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "any", "all", "count_nonzero", "logsumexp", "var",
                                  "std", "norm"])
@pytest.mark.parametrize("dims", [(0, 0), (0, -1)], ids=str)
def test_duplicate_dims_of_a_0d_tensor_raise_like_torch(name, dims):
    def call(lib):
        x = lib.tensor(1.5)
        return x.norm(2, dims) if name == "norm" else getattr(x, name)(dims)
    assert_same_error(call)


def test_empty_checks_come_before_duplicate_dims_like_torch():
    assert_same_error(lambda lib: lib.zeros(0, 3).amax((0, 0)))
    assert_same_error(lambda lib: lib.zeros(3, 0).amin((1, -1)))
    assert_same_error(lambda lib: lib.zeros(0, 3).amax((1, 1)))


@pytest.mark.parametrize("dtype", ["bool", "int64"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_an_empty_int_or_bool_tensor_returns_it_like_torch(name, dtype):
    def call(lib):
        x = lib.zeros(0, 3, dtype=getattr(lib, dtype))
        return (getattr(x, name)(0), getattr(lib.nn.functional, name)(x, 1),
                getattr(x, name)(1, dtype=lib.float64))
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.sum(lib.ones(2, 3), out=lib.empty(())),
    lambda lib: lib.prod(lib.ones(2, 3), out=lib.empty(())),
    lambda lib: lib.std(lib.ones(3), False, out=lib.empty(())),
    lambda lib: lib.var(lib.ones(3), unbiased=True, out=lib.empty(())),
], ids=["sum", "prod", "std_unbiased", "var_unbiased"])
def test_out_in_a_form_torch_lacks_raises_type_error(call):
    assert_same_error(call)


def test_out_in_the_forms_torch_has_matches_torch():
    def call(lib):
        x = lib.tensor([[1.0, 3.0], [0.5, 2.0]])
        outs = [lib.empty(()), lib.empty(()), lib.empty(0), lib.empty(())]
        lib.mean(x, out=outs[0])
        lib.std(x, out=outs[1])
        lib.var(x, 0, False, out=outs[2])
        lib.max(x, out=outs[3])
        return outs
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


def test_logsumexp_with_empty_dims_matches_torch():
    assert_same_error(lambda lib: lib.ones(2, 3).logsumexp(()))
    assert_same_error(lambda lib: lib.tensor([1, 2, 3]).logsumexp([]))
    compare_with_torch(lambda lib, x: (x.logsumexp((), keepdim=True), x[0, 0].logsumexp(())), randn(2, 3),
                       dtype="float64")
    compare_with_torch(lambda lib, x: x.logsumexp(()), np.zeros(0), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).sum(0, keepdim="yes"),
    lambda lib: lib.ones(3).sum(0, keepdim=1),
    lambda lib: lib.ones(3).all(0, keepdim=1),
    lambda lib: lib.ones(3).mean(dtype="float64"),
    lambda lib: lib.ones(3).sum(dtype="float64"),
    lambda lib: lib.ones(3).softmax(0, dtype="float64"),
    lambda lib: lib.ones(3).norm(dtype="float64"),
    lambda lib: lib.ones(2, 2).prod((0, 1)),
    lambda lib: lib.ones(3).max((0,)),
    lambda lib: lib.ones(3).argmax((0,)),
    lambda lib: lib.ones(3).softmax((0,)),
    lambda lib: lib.ones(3).all(0.5),
    lambda lib: lib.ones(3).norm(dim=1.5),
    lambda lib: lib.ones(3).norm(p=[2]),
    lambda lib: lib.ones(3).norm(p="abc", dim=(0, 1.5)),
], ids=["keepdim_str", "keepdim_int", "all_keepdim_int", "mean_dtype_str", "sum_dtype_str",
        "softmax_dtype_str", "norm_dtype_str", "prod_dims_tuple", "max_dim_tuple", "argmax_dim_tuple",
        "softmax_dim_tuple", "all_dim_float", "norm_dim_float", "norm_p_list", "norm_dim_tuple_with_float"])
def test_arguments_of_the_wrong_type_raise_type_error_like_torch(call):
    assert_same_error(call)


def test_norm_with_p_none_is_the_2_norm_like_torch():
    compare_with_torch(lambda lib, x: (x.norm(p=None), lib.norm(x, None, 1)), randn(2, 3), dtype="float64")


def test_float32_variance_accumulates_in_float64_like_torch():
    x = np.array([[2.0, 1e30, 2.7], [4.3, 0.0, 1e-3]])
    compare_with_torch(lambda lib, x: (x.std(), x.var(), x.std(1), x.var(0)), x, dtype="float32", grad=False)
    compare_with_torch(lambda lib, x: (x.std(1), x.var(1, correction=0)), randn(3, 50) + 1e3, dtype="float32")


@pytest.mark.parametrize("name", ["std", "var"])
def test_out_with_an_input_that_requires_grad_raises_before_warning_like_torch(name):
    def call(lib):
        x = lib.zeros(0, 0, 2, dtype=lib.float64, requires_grad=True)
        return getattr(lib, name)(x, 1, out=lib.empty(0, dtype=lib.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch says nothing about the degrees of freedom first
        assert_same_error(call)


@pytest.mark.parametrize("p", [2, 3, 1.5, 0.5, math.inf])
def test_norm_of_one_element_is_its_absolute_value_without_overflow_like_pytorch(p):
    """A reduction over one element gives |x| for every p, as PyTorch's kernel does: 1e30
    in float32 does not overflow through x^2, and 1e-30 does not underflow through x^3."""
    values = [[1e30], [2.0], [-3.0], [1e-30]]
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(values, requires_grad=True)
        norm = x.norm(p=p, dim=1)
        norm.sum().backward()
        results.append((norm.tolist(), x.grad.tolist(), lib.nn.functional.normalize(lib.tensor(values), dim=1).tolist()))
    np.testing.assert_equal(results[1], results[0])  # values, gradients (nan where PyTorch's is), normalize


def test_norm_of_a_0d_tensor_with_a_dim_takes_no_shortcut_like_pytorch():
    """PyTorch's one-element shortcut (|x|) is not taken for a 0-d tensor given a dim: there
    x^2 overflows to inf in float32, and normalize gives 0."""
    ours = [tinynn.tensor(1e30).norm().item(), tinynn.tensor(1e30).norm(dim=0).item(),
            tinynn.nn.functional.normalize(tinynn.tensor(1e30), dim=0).item()]
    theirs = [torch.tensor(1e30).norm().item(), torch.tensor(1e30).norm(dim=0).item(),
              torch.nn.functional.normalize(torch.tensor(1e30), dim=0).item()]
    assert ours == theirs and theirs[1] == math.inf and theirs[2] == 0.0


@pytest.mark.parametrize("name", ["sum", "prod"])
def test_a_dim_out_of_range_is_reported_before_an_integer_dtype_with_grad_like_pytorch(name):
    assert_same_error(lambda lib: getattr(lib, name)(lib.tensor(1.0, dtype=lib.float64, requires_grad=True), 1,
                                                     dtype=lib.int64))


def test_two_norm_gradient_is_pytorchs_formula_in_its_order():
    """g (x / z), x / z taken as 0 where the norm is 0: a nan or inf incoming gradient at a zero
    norm gives nan (as PyTorch's; masking g instead gave 0), and float32 gradients are
    PyTorch's bit for bit."""
    nan, inf = float("nan"), float("inf")
    results = []
    for lib in (tinynn, torch):
        x = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
        x.norm(2, dim=0, keepdim=True).backward(lib.tensor([[nan, inf, 1.0]], dtype=lib.float64))
        rng = np.random.default_rng(0)
        y = lib.tensor(rng.standard_normal((64, 33)).astype(np.float32), requires_grad=True)
        y.norm(2, dim=0).backward(lib.tensor(rng.standard_normal(33).astype(np.float32)))
        results.append((x.grad.numpy(), y.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
