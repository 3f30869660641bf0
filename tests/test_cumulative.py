"""Cumulative ops (``cumsum``, ``cumprod``, ``cummax``, ``cummin``, ``diff``) against
PyTorch: values, dtypes, gradients (zeros, ties, inf), 0-d inputs, ``dtype=``, ``out=``
and the errors raised.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_same_error, double, randn

import tinynn
from tinynn.testing import assert_close, compare_with_torch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch

DTYPES = ["float32", "float64"]
OPS = ["cumsum", "cumprod", "cummax", "cummin"]


@pytest.mark.parametrize("dim", [0, 1, -1, -3])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OPS)
def test_cumulative_ops_match_torch(name, dtype, dim):
    compare_with_torch(lambda lib, x: (getattr(x, name)(dim), getattr(lib, name)(x, dim=dim)),
                       randn(3, 4, 2), dtype=dtype)


@pytest.mark.parametrize("name", OPS)
def test_gradient_with_zeros_and_ties_matches_torch(name):
    x = np.array([[2.0, 0.0, 3.0, 0.0, 1.0], [1.0, 1.0, -1.0, 1.0, -1.0]])
    compare_with_torch(lambda lib, x: getattr(x, name)(1), x, dtype="float64")


@pytest.mark.parametrize("name", OPS)
def test_0d_input_matches_torch(name):
    compare_with_torch(lambda lib, x: (getattr(x, name)(0), getattr(x, name)(-1)), np.array(1.5),
                       dtype="float64")


@pytest.mark.parametrize("name", OPS)
def test_dim_out_of_range_raises_like_torch(name):
    assert_same_error(lambda lib: getattr(lib.tensor(1.0), name)(1))
    assert_same_error(lambda lib: getattr(lib.ones(2, 3), name)(2))
    assert_same_error(lambda lib: getattr(lib.ones(2, 3), name)(-3))


@pytest.mark.parametrize("name", OPS)
def test_missing_dim_raises_like_torch(name):
    assert_same_error(lambda lib: getattr(lib.ones(2, 3), name)())


@pytest.mark.parametrize("values", [[1, 2, 3], [True, False, True]], ids=["int64", "bool"])
@pytest.mark.parametrize("name", OPS)
def test_integer_and_bool_inputs_match_torch(name, values):
    compare_with_torch(lambda lib, x: getattr(x, name)(0), np.array(values))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_dtype_argument_matches_torch(name, dtype):
    for values in ([1, 2, 3], [1.5, -2.0, 4.0]):
        compare_with_torch(lambda lib, x: getattr(lib, name)(x, 0, dtype=getattr(lib, dtype)),
                           np.array(values), grad=False)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_integer_dtype_of_a_tensor_that_requires_grad_raises_like_torch(name):
    assert_same_error(lambda lib: getattr(lib.ones(3, requires_grad=True), name)(0, dtype=lib.int64))


@pytest.mark.parametrize("name", OPS)
def test_inf_and_nan_match_torch_without_warnings(name):
    x = np.array([[np.inf, -np.inf, 1.0], [-np.inf, 2.0, np.inf], [np.nan, 1.0, 0.0]])
    compare_with_torch(lambda lib, x: getattr(x, name)(1), x, dtype="float64")


def test_cumprod_gradient_with_zeros_and_nan_or_inf_matches_torch():
    x = np.array([[np.nan, 1.0, 0.0, 2.0], [np.inf, 0.0, 3.0, 0.0], [2.0, 0.0, np.inf, 1.0],
                  [0.0, np.nan, 2.0, 0.0], [1.0, 2.0, 3.0, 0.0], [5.0, 5.0, 5.0, 5.0]])
    compare_with_torch(lambda lib, x: x.cumprod(1), x, dtype="float64")
    compare_with_torch(lambda lib, x: x.cumprod(0), x[:, :3].T.copy(), dtype="float64")


def test_cumprod_second_derivative_with_zeros_matches_torch():
    def fn(lib, x):
        (g,) = lib.autograd.grad(x.cumprod(1).sum(), x, create_graph=True)
        return g
    compare_with_torch(fn, np.array([[2.0, 0.0, 3.0, 0.5], [1.5, -1.0, 0.0, 0.0]]), dtype="float64")


def test_out_argument_matches_torch():
    def call(lib):
        x = lib.tensor([[1.0, 3.0, 2.0], [0.0, -1.0, 5.0]])
        outs = [lib.empty(0), lib.empty(0), (lib.empty(0), lib.empty(0, dtype=lib.int64)),
                (lib.empty(0), lib.empty(0, dtype=lib.int64))]
        lib.cumsum(x, 1, out=outs[0])
        lib.cumprod(x, 1, out=outs[1])
        lib.cummax(x, 1, out=outs[2])
        lib.cummin(x, 1, out=outs[3])
        return [outs[0], outs[1], *outs[2], *outs[3]]
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("n, dim", [(1, -1), (2, 1), (1, 0), (0, 0), (4, 1)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_diff_matches_torch(dtype, n, dim):
    compare_with_torch(lambda lib, x: (x.diff(n, dim), lib.diff(x, n=n, dim=dim)), randn(3, 4), dtype=dtype)


def test_diff_with_prepend_and_append_matches_torch():
    compare_with_torch(lambda lib, x, p, a: lib.diff(x, 2, 1, prepend=p, append=a),
                       randn(2, 3), randn(2, 1, seed=1), randn(2, 2, seed=2), dtype="float64")


def test_diff_of_bool_and_int_matches_torch():
    compare_with_torch(lambda lib, x: x.diff(), np.array([True, False, False, True]))
    compare_with_torch(lambda lib, x: x.diff(2), np.array([1, 4, 9, 16]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor(1.0).diff(),
    lambda lib: lib.ones(3).diff(n=-1),
    lambda lib: lib.ones(3).diff(prepend=lib.tensor(1.0)),
    lambda lib: lib.ones(3).diff(dim=1),
], ids=["0d", "negative_n", "0d_prepend", "dim_out_of_range"])
def test_diff_misuse_raises_like_torch(call):
    assert_same_error(call)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "diff"])
def test_functions_are_the_family_file_functions(name):
    from tinynn._functions import cumulative
    assert getattr(tinynn, name) is getattr(cumulative, name)


# -- cumprod, cummax, cummin -----------------------------------------------------------------
def with_zeros(*shape: int, seed: int = 0) -> np.ndarray:
    """Values with zeros (one, or two on the same line) where z_i / x_j would be 0/0."""
    signs = np.where(np.arange(np.prod(shape)) % 2, 1, -1).reshape(shape)
    x = np.random.default_rng(seed).uniform(0.5, 1.5, shape) * signs
    flat = x.reshape(-1)
    flat[1] = 0.0
    if flat.size > 4:
        flat[3] = 0.0
    if flat.size > 9:
        flat[9] = 0.0
    return x


# name: (fn(lib, x), input maker, shape); compared with PyTorch in test_cumulative_case_matches_torch
CUMULATIVE = {
    "cumprod": (lambda lib, x: x.cumprod(1), randn, (3, 4)),
    "cumprod_function_neg_dim": (lambda lib, x: lib.cumprod(x, dim=-2), randn, (3, 4, 2)),
    "cumprod_0d": (lambda lib, x: x.cumprod(0), randn, ()),
    "cumprod_empty": (lambda lib, x: x.cumprod(0), randn, (0, 3)),
    "cumprod_zeros": (lambda lib, x: x.cumprod(0), with_zeros, (6,)),
    "cumprod_zeros_dim1": (lambda lib, x: lib.cumprod(x, 1), with_zeros, (3, 5)),
    "cumprod_zeros_dim0_3d": (lambda lib, x: x.cumprod(0), with_zeros, (4, 2, 3)),
    "cumprod_dtype": (lambda lib, x: x.cumprod(0, dtype=lib.float64), randn, (4,)),
    "cummax": (lambda lib, x: x.cummax(1), randn, (3, 5)),
    "cummax_function_dim0": (lambda lib, x: lib.cummax(x, 0), randn, (4, 3)),
    "cummin": (lambda lib, x: lib.cummin(x, -1), randn, (3, 5)),
    "cummin_0d": (lambda lib, x: x.cummin(0), randn, ()),
    "cummax_empty": (lambda lib, x: x.cummax(1), randn, (2, 0)),
}


def test_cummax_ties_take_the_last_index_as_torch():
    x = np.array([[1.0, 3.0, 2.0, 3.0, 0.0, 5.0, 5.0], [2.0, 2.0, 1.0, 2.0, 3.0, 3.0, -1.0]])
    compare_with_torch(lambda lib, t: (lib.cummax(t, 1), lib.cummin(t, 1)), x, dtype="float64")


@pytest.mark.parametrize("shape", [(0, 0), (2, 0), (0,)])
@pytest.mark.parametrize("dim", [2, -3, 7])
def test_cummax_cummin_of_an_empty_tensor_take_any_dim_as_torch(shape, dim):
    """PyTorch checks cummax/cummin's dim only when the tensor has elements (the other
    cumulative ops always check it)."""
    compare_with_torch(lambda lib, t: (t.cummax(dim), lib.cummin(t, dim)), np.zeros(shape), dtype="float64")
    assert_same_error(lambda lib: lib.zeros(shape).cumsum(dim))
    assert_same_error(lambda lib: lib.zeros(shape).cummax(1.5))


def test_cumprod_integers():
    compare_with_torch(lambda lib, t: (lib.cumprod(t, 0), (t > 1).cumprod(1), t.cumprod(1, dtype=lib.float32)),
                       np.array([[1, 2, 3], [0, -2, 4]]), grad=False)


def test_cummax_returns_a_named_tuple():
    result = tinynn.tensor([1.0, 3.0, 2.0]).cummax(0)
    assert type(result) is tinynn.return_types.cummax
    assert result.values.tolist() == [1.0, 3.0, 3.0] and result.indices.tolist() == [0, 1, 1]
    assert repr(tinynn.tensor([2.0, 1.0]).cummin(0)).startswith("cummin(values=")


@pytest.mark.parametrize("name, fn, make, shape", [
    ("cumsum", lambda x: x.cumsum(1), randn, (3, 4)),
    ("cumsum_0", lambda x: x.cumsum(0), randn, (3, 4, 2)),
    ("cumprod", lambda x: x.cumprod(1), randn, (3, 4)),
    ("cumprod_zeros", lambda x: x.cumprod(1), with_zeros, (3, 5)),
    ("cumprod_zeros_0", lambda x: x.cumprod(0), with_zeros, (6,)),
    ("cummax", lambda x: x.cummax(1).values, randn, (3, 4)),
    ("cummin", lambda x: x.cummin(0).values, randn, (3, 4)),
])
def test_cumulative_gradcheck_and_gradgradcheck(name, fn, make, shape):
    inputs = double(make(*shape))
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


def test_cumprod_double_backward_with_zeros_matches_torch():
    x = with_zeros(2, 5)
    grads = []
    for lib in (tinynn, torch):
        t = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad((t.cumprod(1) * lib.tensor(randn(2, 5, seed=3))).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        grads.append((g, gg))
    assert_close(grads[0][0], grads[1][0])
    assert_close(grads[0][1], grads[1][1])


# -- cumsum and diff -------------------------------------------------------------------------
# name: (fn(lib, x), input maker, shape)
CUMSUM_AND_DIFF = {
    "cumsum": (lambda lib, x: x.cumsum(1), randn, (3, 4)),
    "cumsum_function_neg_dim": (lambda lib, x: lib.cumsum(x, dim=-2), randn, (3, 4, 2)),
    "cumsum_0d": (lambda lib, x: x.cumsum(0), randn, ()),
    "diff": (lambda lib, x: lib.diff(x), randn, (3, 5)),
    "diff_twice_dim0": (lambda lib, x: x.diff(n=2, dim=0), randn, (4, 3)),
}


CUMULATIVE_CASES = {**CUMULATIVE, **CUMSUM_AND_DIFF}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CUMULATIVE_CASES))
def test_cumulative_case_matches_torch(name, dtype, device):
    fn, make, shape = CUMULATIVE_CASES[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_cumsum_and_diff_of_integers_and_bools_match_torch():
    """Integer and bool inputs: integer results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.cumsum(t, 0),
        lambda lib, t: (t > 0).cumsum(1),
        lambda lib, t: lib.diff(t, dim=0),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


# -- in-place forms and cases found by the differential suite ---------------------------------
@pytest.mark.parametrize("dtype", ["float64", "int32", "int64"])
@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_inplace_forms_match_torch(name, dtype):
    def call(lib):
        x = lib.tensor([[1, 2, 0], [3, -1, 2]], dtype=getattr(lib, dtype))
        assert getattr(x, name)(1) is x
        return x
    assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_inplace_form_gradient_matches_torch(name):
    def fn(lib, x):
        y = x * 1.5
        getattr(y, name)(1)
        return y
    compare_with_torch(fn, np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 2.0]]), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([True, False]).cumsum_(0),
    lambda lib: lib.tensor([True, False]).cumprod_(0),
    lambda lib: lib.ones(3).cumsum_(0, dtype=lib.float64),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32).cumprod_(0, dtype=lib.int64),
    lambda lib: lib.ones(3).cumsum_(1),
    lambda lib: lib.ones(3, requires_grad=True).cumsum_(0),
], ids=["cumsum_bool", "cumprod_bool", "other_dtype", "int_other_dtype", "dim_out_of_range", "leaf"])
def test_inplace_form_misuse_raises_like_torch(call):
    assert_same_error(call)


def test_inplace_form_of_empty_or_0d_bool_returns_like_torch():
    def call(lib):
        return lib.tensor([], dtype=lib.bool).cumsum_(0), lib.tensor(True).cumprod_(0)
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


def test_diff_of_an_empty_dim_matches_torch():
    compare_with_torch(lambda lib, x: (x.diff(dim=1), x.diff(2, dim=1)), np.zeros((2, 0), dtype=bool))
    compare_with_torch(lambda lib, x: (x.diff(dim=1), x.diff(3, dim=0)), np.zeros((2, 0)), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).cumsum((0,)),
    lambda lib: lib.ones(3).cumsum(0, dtype="float64"),
    lambda lib: lib.ones(3).cumprod(0.0),
    lambda lib: lib.ones(3).diff(n=1.5),
    lambda lib: lib.ones(3).diff(prepend=[1.0]),
    lambda lib: lib.ones(3).diff(dim=(0,)),
], ids=["cumsum_dim_tuple", "cumsum_dtype_str", "cumprod_dim_float", "diff_n_float", "diff_prepend_list",
        "diff_dim_tuple"])
def test_arguments_of_the_wrong_type_raise_type_error_like_torch(call):
    assert_same_error(call)


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_inplace_form_on_a_view_matches_torch(name):
    def fn(lib, x):
        b = x * 2.0
        getattr(b[1:], name)(0)
        return b * x
    compare_with_torch(fn, np.array([1.0, 2.0, 3.0, 0.5]), dtype="float64")


def test_cumsum_backward_is_one_op_whose_backward_is_a_cumsum():
    # dL/dx of a cumsum is a cumsum from the end (ReverseCumsum), and d/dg of that a cumsum
    x = tinynn.tensor(randn(3, 4), requires_grad=True)
    g = tinynn.tensor(randn(3, 4, seed=2), requires_grad=True)
    (grad,) = tinynn.autograd.grad(x.cumsum(1), x, g, create_graph=True)
    assert grad.grad_fn.name() == "ReverseCumsumBackward0"
    assert_close(grad, g.flip(1).cumsum(1).flip(1))
    (second,) = tinynn.autograd.grad(grad, g, tinynn.tensor(randn(3, 4, seed=3)))
    assert_close(second, tinynn.tensor(randn(3, 4, seed=3)).cumsum(1))


@pytest.mark.parametrize("case", ["cumsum_cancels", "cumsum_int32_to_float32", "cumprod_overflows_then_shrinks",
                                  "cumsum_float16", "cumprod_float16"])
def test_running_sums_and_products_are_kept_wider_like_torch(case):
    """PyTorch's CPU kernels keep a running sum or product in float64 for float32 (float32
    for float16), rounding each output: 1e8 + 1 - 1e8 is 1, not 0; and 1e20 * 1e20 * 1e-20
    is inf then 1e20 again. The input is converted to the result's dtype first."""
    values, op = {
        "cumsum_cancels": (np.array([1e8, 1.0, -1e8, 3.0], dtype=np.float32), lambda x: x.cumsum(0)),
        "cumsum_int32_to_float32": (np.array([2**31 - 1, 1, -2**31], dtype=np.int32),
                                    lambda x: x.cumsum(0, dtype=x.new_ones(()).float().dtype)),
        "cumprod_overflows_then_shrinks": (np.array([1e20, 1e20, 1e-20], dtype=np.float32), lambda x: x.cumprod(0)),
        "cumsum_float16": (np.array([2048.0, 1.0, -2048.0, 0.5], dtype=np.float16), lambda x: x.cumsum(0)),
        "cumprod_float16": (np.array([300.0, 300.0, 1 / 300.0], dtype=np.float16), lambda x: x.cumprod(0)),
    }[case]
    ours, theirs = op(tinynn.tensor(values)).numpy(), op(torch.tensor(values)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_float32_cumsum_gradient_is_kept_wider_like_torch():
    grads = []
    for lib in (torch, tinynn):
        x = lib.tensor([1e8, 1.0, -1e8], requires_grad=True)
        x.cumsum(0).backward(lib.tensor([-1e8, 1.0, 1e8]))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
