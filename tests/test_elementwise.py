"""Elementwise ops (arithmetic, math functions, comparisons, where): forward and gradient vs PyTorch.

Each op runs in both libraries on the same numpy inputs, in float32 and float64, on shapes
from 0-d and empty to 3-d, and for the binary ops on broadcasting shape pairs, including
pairs drawn by hypothesis. The same random gradient is back-propagated through both.
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tinynn
from helpers import assert_same_error, double, positive, randn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

# numpy warns (RuntimeWarning) on overflow, 0 * inf, log(0)...; PyTorch is silent, and so
# must tinynn be: a warning from tinynn fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


# name: (fn(lib, x), input maker)
UNARY = {
    "neg": (lambda lib, x: -x, randn),
    "neg_method": (lambda lib, x: x.neg(), randn),
    "neg_function": (lambda lib, x: lib.neg(x), randn),
    "pos": (lambda lib, x: +x, randn),
    "exp": (lambda lib, x: x.exp(), randn),
    "exp_function": (lambda lib, x: lib.exp(x), randn),
    "log": (lambda lib, x: x.log(), positive),
    "log_function": (lambda lib, x: lib.log(x), positive),
    "log1p": (lambda lib, x: x.log1p(), positive),
    "expm1": (lambda lib, x: x.expm1(), randn),
    "sqrt": (lambda lib, x: x.sqrt(), positive),
    "sqrt_function": (lambda lib, x: lib.sqrt(x), positive),
    "rsqrt": (lambda lib, x: x.rsqrt(), positive),
    "abs": (lambda lib, x: x.abs(), randn),
    "abs_builtin": (lambda lib, x: abs(x), randn),
    "abs_function": (lambda lib, x: lib.abs(x), randn),
    "sign": (lambda lib, x: x.sign() * x, randn),
    "sin": (lambda lib, x: x.sin(), randn),
    "cos": (lambda lib, x: x.cos(), randn),
    "sin_function": (lambda lib, x: lib.sin(x), randn),
    "cos_function": (lambda lib, x: lib.cos(x), randn),
    "tanh": (lambda lib, x: x.tanh(), randn),
    "tanh_function": (lambda lib, x: lib.tanh(x), randn),
    "sigmoid": (lambda lib, x: x.sigmoid(), randn),
    "sigmoid_function": (lambda lib, x: lib.sigmoid(x), randn),
    "relu": (lambda lib, x: x.relu(), randn),
    "relu_function": (lambda lib, x: lib.relu(x), randn),
    "square": (lambda lib, x: x.square(), randn),
    "reciprocal": (lambda lib, x: x.reciprocal(), positive),
    "clamp_both": (lambda lib, x: x.clamp(-0.5, 0.5), randn),
    "clamp_min": (lambda lib, x: x.clamp(min=0.1), randn),
    "clamp_max": (lambda lib, x: x.clamp(max=0.1), randn),
    "clamp_function": (lambda lib, x: lib.clamp(x, -1, 1), randn),
    "clip": (lambda lib, x: x.clip(-0.3, 0.3), randn),
    "clamp_min_method": (lambda lib, x: x.clamp_min(0.2), randn),
    "clamp_max_method": (lambda lib, x: x.clamp_max(0.2), randn),
    "clamp_numpy_bounds": (lambda lib, x: x.clamp(np.float64(-0.5), np.float64(0.5)), randn),
    "pow_int": (lambda lib, x: x ** 3, randn),
    "pow_two": (lambda lib, x: x ** 2, randn),
    "pow_float": (lambda lib, x: x ** 1.5, positive),
    "pow_half": (lambda lib, x: x ** 0.5, positive),
    "pow_zero": (lambda lib, x: x ** 0, randn),
    "pow_negative": (lambda lib, x: x ** -2, positive),
    "pow_method": (lambda lib, x: x.pow(2), randn),
    "pow_function": (lambda lib, x: lib.pow(x, 3), randn),
    "rpow": (lambda lib, x: 2 ** x, randn),
    "rpow_float": (lambda lib, x: 0.5 ** x, randn),
    "add_scalar": (lambda lib, x: x + 2, randn),
    "radd_scalar": (lambda lib, x: 2.5 + x, randn),
    "sub_scalar": (lambda lib, x: x - 2, randn),
    "rsub_scalar": (lambda lib, x: 2 - x, randn),
    "mul_scalar": (lambda lib, x: x * 3, randn),
    "rmul_scalar": (lambda lib, x: -1.5 * x, randn),
    "div_scalar": (lambda lib, x: x / 4, randn),
    "rdiv_scalar": (lambda lib, x: 2 / x, positive),
    "add_alpha": (lambda lib, x: x.add(x * 2, alpha=0.5), randn),
    "sub_alpha": (lambda lib, x: lib.sub(x, x.exp(), alpha=2), randn),
    "self_times_self": (lambda lib, x: x * x, randn),
    "self_div_self_plus": (lambda lib, x: x / (x * x + 1), randn),
    "chain": (lambda lib, x: ((x * 2).tanh() + x.sigmoid() * x.exp()).relu(), randn),
    "numpy_scalar": (lambda lib, x: x * np.float64(2.0) + np.float32(1.0), randn),
    "numpy_scalar_reflected": (lambda lib, x: np.float64(2.0) * x, randn),
    "pow_numpy_float32": (lambda lib, x: x ** np.float32(2.0), randn),
    "pow_numpy_int64": (lambda lib, x: x ** np.int64(3), randn),
    "rpow_numpy_float32": (lambda lib, x: np.float32(2.0) ** x, randn),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_matches_torch_on_every_shape(name, dtype, device):
    """Output and gradient on 0-d, empty, 1-d, 2-d and 3-d inputs (the failing shape is named)."""
    fn, make = UNARY[name]
    for shape in SHAPES:
        try:
            compare_with_torch(fn, make(*shape), dtype=dtype, device=device)
        except AssertionError as error:
            raise AssertionError(f"input shape {shape}: {error}") from error


BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "maximum": lambda a, b: tinynn.maximum(a, b) if isinstance(a, tinynn.Tensor) else torch.maximum(a, b),
    "minimum": lambda a, b: tinynn.minimum(a, b) if isinstance(a, tinynn.Tensor) else torch.minimum(a, b),
    "pow": operator.pow,
    "where": lambda a, b: (a.where(a > b, b)),
    "add_function": lambda a, b: tinynn.add(a, b) if isinstance(a, tinynn.Tensor) else torch.add(a, b),
    "mul_function": lambda a, b: tinynn.mul(a, b) if isinstance(a, tinynn.Tensor) else torch.mul(a, b),
    "div_function": lambda a, b: tinynn.div(a, b) if isinstance(a, tinynn.Tensor) else torch.div(a, b),
}
# x ** y needs a positive base; x / y a divisor away from 0
POSITIVE_FIRST = {"pow"}
POSITIVE_SECOND = {"div", "div_function"}

BROADCAST_PAIRS = [
    ((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
    ((2, 1, 4), (5, 1)), ((), (3, 4)), ((3, 4), ()), ((), ()), ((0,), (1,)), ((2, 0, 3), (3,)),
    ((1, 1), (2, 3, 1)),
]


def _binary_inputs(name, shape_a, shape_b):
    a = positive(*shape_a) if name in POSITIVE_FIRST else randn(*shape_a)
    b = positive(*shape_b, seed=1) if name in POSITIVE_SECOND else randn(*shape_b, seed=1)
    return a, b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_broadcasts_like_torch(name, dtype, device):
    """Output and both (summed-back) gradients for each pair of shapes (the failing pair is named)."""
    fn = BINARY[name]
    for shapes in BROADCAST_PAIRS:
        try:
            compare_with_torch(lambda lib, a, b: fn(a, b), *_binary_inputs(name, *shapes), dtype=dtype,
                               device=device)
        except AssertionError as error:
            raise AssertionError(f"input shapes {shapes}: {error}") from error


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "pow"])
@settings(max_examples=15, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3))
def test_binary_op_broadcasting_property(name, shapes, device):
    """For any pair of broadcastable shapes, output and both (summed-back) gradients agree."""
    fn = BINARY[name]
    for dtype in DTYPES:
        compare_with_torch(lambda lib, a, b: fn(a, b), *_binary_inputs(name, *shapes.input_shapes),
                           dtype=dtype, device=device)


@settings(max_examples=15, deadline=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
def test_where_broadcasting_property(shapes, device):
    def fn(lib, c, a, b):
        return lib.where(c > 0, a, b)

    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes.input_shapes)]
    compare_with_torch(fn, *inputs, dtype="float64", device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_tensor_both_operands(dtype, device):
    compare_with_torch(lambda lib, x: x * x + x / (x.exp()), randn(3, 2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_maximum_tie_splits_gradient(dtype, device):
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 0.0, 3.0])
    compare_with_torch(lambda lib, x, y: lib.maximum(x, y), a, b, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_minimum_tie_splits_gradient(dtype, device):
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    compare_with_torch(lambda lib, x, y: lib.minimum(x, y), a, b, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_min_with_tensor_argument_are_elementwise(dtype, device):
    compare_with_torch(lambda lib, x, y: (x.max(y), x.min(y)), randn(2, 3), randn(3, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clamp_gradient_at_the_bounds(dtype, device):
    """PyTorch passes the gradient through where lo <= x <= hi: the bounds included."""
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    compare_with_torch(lambda lib, x: x.clamp(-0.5, 0.5), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_and_abs_gradient_at_zero(dtype, device):
    x = np.array([-1.0, 0.0, 2.0])
    compare_with_torch(lambda lib, x: (x.relu(), x.abs()), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_at_zero_base(dtype, device):
    """x ** 2 at x = 0 has gradient 0; 0 ** y has d/dy = 0 (PyTorch's convention)."""
    x = np.array([0.0, 1.0, 2.0])
    y = np.array([2.0, 2.0, 0.5])
    compare_with_torch(lambda lib, x, y: x ** y, x, y, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_zero_to_the_zero_with_tensor_exponent(dtype, device):
    """0 ** 0 = 1; PyTorch takes both partial derivatives there as 0."""
    x = np.array([0.0, 0.0, 2.0])
    y = np.array([0.0, 2.0, 0.0])
    compare_with_torch(lambda lib, x, y: x ** y, x, y, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_zero_exponent_at_zero(dtype, device):
    x = np.array([0.0, 1.5])
    compare_with_torch(lambda lib, x: x ** 0.0, x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_division_by_zero_gives_inf_and_nan(dtype, device):
    x = np.array([1.0, -1.0, 0.0])
    compare_with_torch(lambda lib, x: x / (x * 0), x, dtype=dtype, device=device, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_and_sqrt_outside_domain(dtype, device):
    x = np.array([-1.0, 0.0, 4.0])
    compare_with_torch(lambda lib, x: (x.log(), x.sqrt()), x, dtype=dtype, device=device, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_and_sigmoid_saturate(dtype, device):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    compare_with_torch(lambda lib, x: (x.exp(), x.sigmoid(), x.tanh()), x, dtype=dtype, device=device)


def test_float32_plus_float64_tensor_promotes_and_casts_gradient_back(device):
    def fn(lib, a, b):
        return a.float() * b.double()

    compare_with_torch(fn, randn(3), randn(3, seed=1), dtype="float64", device=device)


def test_float_tensor_times_int_tensor(device):
    def fn(lib, a):
        ints = lib.tensor([1, -2, 3], device=a.device)
        return a * ints + ints / a.exp()

    compare_with_torch(fn, randn(3), dtype="float32", device=device)


def test_float32_tensor_with_float64_0d_tensor_stays_float32(device):
    def fn(lib, a, s):
        return a * s.double().sum()

    compare_with_torch(fn, randn(3), randn(), dtype="float32", device=device)


# -- integer arithmetic (no gradient) ----------------------------------------------------------
INT_OPS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b,
    "pow": lambda a, b: a ** b.abs(), "neg": lambda a, b: -a, "abs": lambda a, b: a.abs(),
    "div_floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "div_trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
    "maximum": lambda a, b: a.maximum(b), "clamp": lambda a, b: a.clamp(-2, 3),
    "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b, "invert": lambda a, b: ~a,
}


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_integer_op_matches_torch(name, device):
    a_np, b_np = np.array([7, -7, 3, 0, -4]), np.array([2, 2, -3, 5, 3])
    fn = INT_OPS[name]
    ours = fn(tinynn.tensor(a_np), tinynn.tensor(b_np))
    theirs = fn(torch.tensor(a_np, device=device), torch.tensor(b_np, device=device))
    assert_close(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["floordiv", "mod", "div_floor", "div_trunc"])
def test_float_rounding_division_matches_torch(name, dtype, device):
    a, b = randn(6) * 5, randn(6, seed=1)
    compare_with_torch(lambda lib, x, y: INT_OPS[name](x, y), a, b, dtype=dtype, device=device, grad=False)


# -- comparisons and logic ---------------------------------------------------------------------
COMPARISONS = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
    "ge": operator.ge,
}


@pytest.mark.parametrize("other", ["tensor", "broadcast", "scalar", "reflected_scalar"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparison_matches_torch(name, dtype, other, device):
    op = COMPARISONS[name]
    x = np.array([[0.0, 1.0, -1.0], [1.0, 1.0, 2.0]])
    y = {"tensor": np.array([[0.0, 2.0, -1.0], [0.5, 1.0, 3.0]]), "broadcast": np.array([1.0, 1.0, 0.0])}

    def fn(lib, a, *b):
        if other == "scalar":
            return op(a, 1.0)
        if other == "reflected_scalar":
            return op(1, a)
        return op(a, b[0])

    inputs = (x, y[other]) if other in y else (x,)
    compare_with_torch(fn, *inputs, dtype=dtype, device=device)


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparison_functions_match_torch(name, device):
    a, b = np.array([1, 2, 3]), np.array([3, 2, 1])
    ours = getattr(tinynn, name)(tinynn.tensor(a), tinynn.tensor(b))
    theirs = getattr(torch, name)(torch.tensor(a, device=device), torch.tensor(b, device=device))
    assert_close(ours, theirs)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([True, False]).logical_not(),
    lambda lib: lib.logical_not(lib.tensor([1.0, 0.0])),
    lambda lib: lib.tensor([True, False]).logical_and(lib.tensor([True, True])),
    lambda lib: lib.tensor([True, False]).logical_or(lib.tensor([False, False])),
    lambda lib: lib.isnan(lib.tensor([1.0, float("nan")])),
    lambda lib: lib.isinf(lib.tensor([1.0, float("-inf")])),
    lambda lib: lib.isfinite(lib.tensor([1.0, float("inf"), float("nan")])),
    lambda lib: lib.tensor([[True, False], [True, True]]).all(1),
    lambda lib: lib.tensor([[True, False], [False, False]]).any(0),
    lambda lib: lib.tensor([[True, False], [True, True]]).all(),
    lambda lib: lib.tensor([0.0, 2.0]).any(),
], ids=["logical_not", "logical_not_float", "logical_and", "logical_or", "isnan", "isinf", "isfinite",
        "all_dim", "any_dim", "all", "any_float"])
def test_logic_matches_torch(make):
    assert_close(make(tinynn), make(torch))


def test_equal_and_allclose_match_torch():
    for lib in (tinynn, torch):
        a = lib.tensor([1.0, 2.0])
        assert lib.equal(a, lib.tensor([1.0, 2.0])) and not lib.equal(a, lib.tensor([1.0, 2.5]))
        assert lib.allclose(a, a + 1e-9) and not lib.allclose(a, a + 1e-3)


def test_comparison_output_has_no_grad():
    x = tinynn.ones(3, requires_grad=True)
    mask = x > 0
    assert not mask.requires_grad and mask.dtype is tinynn.bool


def test_comparison_with_unsupported_type_returns_not_implemented():
    assert (tinynn.ones(2) == "a") is False
    assert (torch.ones(2) == "a") is False


# -- issue 20: agree with PyTorch or raise its error ----------------------------------------------
NAN, INF = float("nan"), float("inf")


def _dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def same(fn, *, grad: bool = True) -> None:
    """``fn(lib) -> (output, leaves)`` agrees in both libraries: values (nan where nan)
    within 1e-12 (float64) or 1e-6 (float32), dtype, shape, requires_grad and (``grad``)
    each leaf's gradient after ``output.sum().backward()`` within 1e-12 (float64 leaves)."""
    results = []
    for lib in (torch, tinynn):
        out, leaves = fn(lib)
        if grad and out.requires_grad:
            out.sum().backward()
        results.append((out, [leaf.grad for leaf in leaves]))
    (theirs, their_grads), (ours, our_grads) = results
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    tol = 1e-6 if _dtype_name(theirs.dtype) == "float32" else 1e-12
    assert_close(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)
    for i, (g_ours, g_theirs) in enumerate(zip(our_grads, their_grads)):
        assert (g_ours is None) == (g_theirs is None), f"gradient {i}: {g_ours} vs {g_theirs}"
        if g_theirs is not None:
            assert_close(g_ours.numpy(), g_theirs.numpy(), rtol=1e-12, atol=1e-12, name=f"gradient {i}")


def leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


def test_clamp_with_tensor_bounds_gives_the_bounds_gradients():
    x, lo, hi = [-1.0, 2.0, 0.5, NAN, 0.7], [0.0, 0.0, 0.5, 0.0, 0.9], [1.0, 1.0, 0.5, 1.0, 0.2]
    same(lambda lib: (lambda a, b, c: (a.clamp(min=b, max=c), [a, b, c]))(
        leaf(lib, x), leaf(lib, lo), leaf(lib, hi)))
    same(lambda lib: (lambda a, b: (a.clamp(min=b), [a, b]))(leaf(lib, x), leaf(lib, lo)))
    same(lambda lib: (lambda a, c: (lib.clip(a, max=c), [a, c]))(leaf(lib, x), leaf(lib, hi)))
    same(lambda lib: (lambda a, b: (a.clamp_min(b), [a, b]))(leaf(lib, x), leaf(lib, lo)))
    same(lambda lib: (lambda a, c: (a.clamp_max(c), [a, c]))(leaf(lib, x), leaf(lib, hi)))
    # a bound of nan, and bounds that broadcast
    same(lambda lib: (lambda a, b: (a.clamp(min=b), [a, b]))(leaf(lib, [1.0, 2.0]), leaf(lib, [NAN, 0.0])))
    same(lambda lib: (lambda a, b, c: (lib.clamp(a, b, c), [a, b, c]))(
        leaf(lib, [[0.1, 2.0], [-3.0, 0.4]]), leaf(lib, [0.0]), leaf(lib, [[0.5], [1.0]])))


def test_clamp_of_int64_by_a_float64_0d_tensor_promotes():
    same(lambda lib: (lib.clamp(lib.tensor([1, 2]), max=lib.tensor(1.5, dtype=lib.float64)), []))
    same(lambda lib: (lib.clamp(lib.tensor([1, 2]), max=1.5), []))


def test_clamp_misuse_raises_as_pytorch():
    x = [1.0, 2.0]
    assert_same_error(lambda lib: lib.clamp(lib.tensor(x), min=lib.tensor([0.0, 0.0]), max=1.0))
    assert_same_error(lambda lib: lib.clamp(lib.tensor(x), min=lib.ones(3)))
    assert_same_error(lambda lib: lib.clamp(lib.tensor([True]), min=lib.tensor(False), max=lib.tensor(True)))
    assert_same_error(lambda lib: lib.clamp(lib.tensor(x)))
    ours, _ = assert_same_error(lambda lib: lib.tensor(x).clamp(lib.zeros(2, 1), lib.ones(3)))
    assert "(2)" in str(ours) and "(3)" in str(ours)


@pytest.mark.parametrize("bound_dtype", ["float64", "float32", "int64"])
def test_clamp_reads_a_0d_tensor_bound_beside_a_number_as_a_number(bound_dtype):
    """PyTorch's Number overload takes a 0-d tensor that needs no grad: no promotion to its dtype."""
    same(lambda lib: (lib.tensor([-2.0, 0.5, 3.0]).clamp(lib.tensor(0, dtype=getattr(lib, bound_dtype)), 2.0), []))
    same(lambda lib: (lib.tensor([-2.0, 1.0, 3.0]).clamp_(min=-1, max=lib.tensor(2, dtype=getattr(lib, bound_dtype))), []))
    assert_same_error(lambda lib: lib.tensor([-2, 1]).clamp_(min=-1, max=lib.tensor(2.5)))  # int self, float result
    assert_same_error(lambda lib: lib.tensor([1.0]).clamp(lib.tensor(0.0, requires_grad=True), 2.0))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_and_minimum_against_nan_give_both_inputs_the_gradient(op):
    a, b = [1.0, 2.0, NAN, NAN, 3.0], [NAN, 0.0, 1.0, NAN, 3.0]
    same(lambda lib: (lambda x, y: (getattr(lib, op)(x, y), [x, y]))(leaf(lib, a), leaf(lib, b)))


@pytest.mark.parametrize("op", ["maximum", "minimum", "atan2"])
def test_numbers_where_pytorch_requires_a_tensor_raise_type_error(op):
    assert_same_error(lambda lib: getattr(lib, op)(lib.tensor([1.0, 2.0]), 0.5))
    assert_same_error(lambda lib: getattr(lib, op)(1, lib.tensor([1.0, 2.0])))
    assert_same_error(lambda lib: getattr(lib.tensor([1.0, 2.0]), op)(0.5))


def test_fmod_of_a_number_by_a_tensor_raises_type_error():
    assert_same_error(lambda lib: lib.fmod(2, lib.tensor([1.0, 2.0])))
    same(lambda lib: (lib.remainder(2, lib.tensor([1.5, 4.0])), []))


def test_a_number_first_in_div_sub_add_mul_pow():
    for op in ("div", "sub", "add", "mul", "pow", "true_divide"):
        same(lambda lib: (lambda t: (getattr(lib, op)(3, t), [t]))(leaf(lib, [1.5, 2.0])))
    for op in ("floor_divide", "remainder"):  # no derivative in PyTorch for these
        same(lambda lib: (lambda t: (getattr(lib, op)(3, t), [t]))(leaf(lib, [1.5, 2.0])), grad=False)
        assert_same_error(lambda lib: getattr(lib, op)(3, leaf(lib, [1.5, 2.0])).sum().backward())


def test_pow_of_a_0d_float64_base_by_an_integer_tensor_keeps_float64_precision():
    same(lambda lib: (lambda x: (x ** lib.tensor([3, 7]), [x]))(leaf(lib, 1.1)))
    same(lambda lib: (lambda x: (lib.pow(x, lib.tensor([0, 2])), [x]))(leaf(lib, 0.0)))


def test_integer_pow_with_a_negative_tensor_exponent():
    same(lambda lib: (lib.pow(lib.tensor([1, -1, 0, 2, -1, 3]), lib.tensor([-1, -1, -1, -2, -2, 2])), []))
    same(lambda lib: (lib.pow(2, lib.tensor([-1, 2])), []))
    same(lambda lib: (lib.tensor([1, 2]) ** lib.tensor(-2), []))
    assert_same_error(lambda lib: lib.tensor([1, 2]) ** -1)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_div_with_rounding_mode_keeps_requires_grad_with_zero_gradient(mode):
    same(lambda lib: (lambda a, b: (lib.div(a, b, rounding_mode=mode), [a, b]))(
        leaf(lib, [7.0, -7.0, 2.5]), leaf(lib, [2.0, 2.0, -0.5])))
    same(lambda lib: (lib.div(lib.tensor([7, -7, 9]), lib.tensor([2, 2, -4]), rounding_mode=mode), []))
    same(lambda lib: (lib.tensor([7, -7]).div(3, rounding_mode=mode), []))


def test_div_with_an_unknown_rounding_mode_raises():
    assert_same_error(lambda lib: lib.div(lib.tensor([1.0]), 2, rounding_mode="round"))


def test_floor_divide_requires_grad_and_its_backward_raises():
    same(lambda lib: (leaf(lib, [3.0, -3.0]) // 2, []), grad=False)
    assert_same_error(lambda lib: (leaf(lib, [3.0, -3.0]) // 2).sum().backward())
    same(lambda lib: (lib.tensor([7.0, -7.0]).floor_divide(2), []))


def test_where_with_two_numbers_and_a_0d_condition():
    same(lambda lib: (lib.where(lib.tensor([True, False]), 1.5, 0), []))
    same(lambda lib: (lib.where(lib.tensor([True, False]), 1, 0), []))
    same(lambda lib: (lib.where(lib.tensor([True, False]), False, True), []))
    for condition in (True, False):
        ours = tinynn.where(tinynn.tensor(condition))
        theirs = torch.where(torch.tensor(condition))
        assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]


def test_clamp_of_bool_returns_or_raises_per_form_as_pytorch():
    """PyTorch has no bool kernel for two bounds or a number bound (its message names the
    kernel); a single tensor bound goes through maximum/minimum and returns."""
    b = [True, False]
    for call in (lambda lib: lib.clamp(lib.tensor(b), min=lib.tensor(True)),
                 lambda lib: lib.tensor(b).clamp_max(lib.tensor(False)),
                 lambda lib: lib.tensor(b).clamp_min_(lib.tensor(True)),
                 lambda lib: lib.tensor(True).clamp_max_(lib.tensor(True)),
                 lambda lib: lib.tensor(b).clip_(max=lib.tensor(True)),
                 lambda lib: lib.clamp(lib.tensor(b), 0, 1)):
        same(lambda lib: (call(lib), []))
    for call in (lambda lib: lib.clamp(lib.tensor(b), True, True),
                 lambda lib: lib.clamp(lib.tensor(b), min=True),
                 lambda lib: lib.tensor(b).clamp_max(False),
                 lambda lib: lib.tensor(b).clamp_min_(True),
                 lambda lib: lib.tensor(b).clamp_max_(True),
                 lambda lib: lib.tensor(b).clamp_(lib.tensor(True), lib.tensor(True)),
                 lambda lib: lib.clamp(lib.tensor(b), True, out=lib.empty(2, dtype=lib.bool))):
        assert_same_error(call, same_message=True)


def test_where_out_takes_tensors_of_the_result_dtype_as_pytorch():
    c, x = [True, False, True], [1.0, 2.0, 3.0]

    def out(lib, dtype="float64"):
        return lib.empty(3, dtype=getattr(lib, dtype))

    for call in (lambda lib: lib.where(lib.tensor(c), leaf(lib, x), -1.0, out=out(lib)),
                 lambda lib: lib.where(lib.tensor(c), 1.5, lib.tensor(x), out=out(lib)),
                 lambda lib: lib.where(lib.tensor(c), 1.5, 2.0, out=out(lib)),
                 lambda lib: lib.where(lib.tensor(c), lib.tensor(x), 1, out=out(lib))):
        assert_same_error(call)
    ours, theirs = assert_same_error(lambda lib: lib.where(lib.tensor(c), 1.5, lib.tensor(x), out=out(lib)))
    assert str(theirs) in str(ours)  # names the argument and its position
    for x_dtype, out_dtype in (("float32", "float64"), ("float64", "float32"), ("int64", "float32")):
        ours, theirs = assert_same_error(lambda lib: lib.where(
            lib.tensor(c), lib.tensor(x, dtype=getattr(lib, x_dtype)), lib.tensor(x, dtype=getattr(lib, x_dtype)),
            out=out(lib, out_dtype)))
        assert str(theirs) in str(ours)  # "Expected out type to be Float but got Double"
    assert_same_error(lambda lib: lib.where(lib.tensor(c), leaf(lib, x), leaf(lib, x), out=out(lib)),
                      same_message=True)
    same(lambda lib: (lib.where(lib.tensor(c), lib.tensor(x), leaf(lib, x).detach(), out=out(lib)), []))


def test_operands_that_do_not_broadcast_raise_runtime_error_naming_the_sizes():
    calls = [
        lambda lib: lib.where(lib.ones(2, dtype=lib.bool), lib.ones(3), lib.ones(2)),
        lambda lib: lib.where(lib.ones(3, dtype=lib.bool), lib.ones(2), lib.ones(2)),
        lambda lib: lib.floor_divide(lib.ones(2), lib.ones(3)),
        lambda lib: lib.div(lib.ones(2), lib.ones(3), rounding_mode="floor"),
        lambda lib: lib.div(lib.ones(2), lib.ones(3)),
        lambda lib: lib.fmod(lib.ones(2), lib.ones(3)),
        lambda lib: lib.lerp(lib.ones(2), lib.ones(3), 0.5),
    ]
    for call in calls:
        ours, _ = assert_same_error(call)
        assert "(2)" in str(ours) and "(3)" in str(ours)


def test_add_and_sub_with_alpha_promote_as_pytorch():
    same(lambda lib: (lib.add(lib.tensor([1, 2], dtype=lib.int32), lib.tensor([True, False]), alpha=-1), []))
    same(lambda lib: (lib.tensor([True, False]).add(True, alpha=-1), []))
    same(lambda lib: (lib.tensor([True, False]).add(lib.tensor([False, False]), alpha=0), []))
    same(lambda lib: (lib.sub(lib.tensor([1, 2], dtype=lib.int32), lib.tensor(3), alpha=2), []))
    same(lambda lib: (lambda a, b: (lib.add(a, b, alpha=-0.5), [a, b]))(leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])))
    same(lambda lib: (lambda a, b: (a.sub(b, alpha=2), [a, b]))(leaf(lib, [1.0, 2.0]), leaf(lib, [3.0], "float32")))


def test_float_or_bool_alpha_with_integer_tensors_raises():
    i = [1, 2]
    assert_same_error(lambda lib: lib.tensor(i).add(lib.tensor(i), alpha=0.5))
    assert_same_error(lambda lib: lib.tensor(i).sub(2, alpha=0.5))
    assert_same_error(lambda lib: lib.tensor(i).add(lib.tensor(i), alpha=True))
    assert_same_error(lambda lib: lib.tensor([1.0]).add(lib.tensor([1.0]), alpha=True))
    assert_same_error(lambda lib: lib.tensor(i).add_(1, alpha=0.5))


@pytest.mark.parametrize("op", [
    lambda lib, a, b: a // b, lambda lib, a, b: a % b, lambda lib, a, b: lib.fmod(a, b),
    lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
])
def test_integer_division_by_zero_raises_but_not_on_empty_tensors(op):
    assert_same_error(lambda lib: op(lib, lib.tensor([1, 2]), lib.tensor([0, 1])))
    assert_same_error(lambda lib: op(lib, lib.tensor([1, 2]), 0))
    same(lambda lib: (op(lib, lib.tensor([], dtype=lib.int64), 0), []))
    same(lambda lib: (op(lib, lib.tensor([], dtype=lib.int64), lib.tensor(0)), []))


@pytest.mark.parametrize("op", ["fmod", "remainder", "floor_divide"])
def test_bool_operands_of_the_division_ops_raise(op):
    assert_same_error(lambda lib: getattr(lib, op)(lib.tensor([True]), lib.tensor([True])))


def test_atan2_gradient_negates_an_integer_input_in_its_own_dtype_like_torch():
    """PyTorch's formula, g * -y / (x^2 + y^2), negates y in y's dtype: int32 -2**31 stays
    -2**31 (and a bool y raises in the backward)."""
    same(lambda lib: (lambda x: (lib.atan2(lib.tensor([-2147483648, 5], dtype=lib.int32), x), [x]))(
        lib.tensor(1.0, dtype=lib.float64, requires_grad=True)))
    assert_same_error(lambda lib: lib.atan2(lib.tensor([True]), lib.tensor(1.0, requires_grad=True)).sum().backward())


def test_atan2_gradient_at_the_origin_is_zero():
    same(lambda lib: (lambda y, x: (lib.atan2(y, x), [y, x]))(leaf(lib, [0.0, 0.0, 1.0]), leaf(lib, [0.0, 1.0, 0.0])))


def test_lerp_matches_pytorch():
    same(lambda lib: (lambda a, b: (lib.lerp(a, b, 0.3), [a, b]))(leaf(lib, [1.0, -2.0]), leaf(lib, [3.0, 5.0])))
    same(lambda lib: (lambda a, b, w: (a.lerp(b, w), [a, b, w]))(
        leaf(lib, [1.0, -2.0]), leaf(lib, [3.0, 5.0]), leaf(lib, [0.2, 0.9])))
    same(lambda lib: (lib.lerp(lib.tensor([1.0, 2.0]), lib.tensor([[3.0], [3.0]]), 0.5), []))
    same(lambda lib: (lib.lerp(lib.tensor([1.0, 2.0]), lib.tensor([3.0, 3.0]), lib.tensor(0.5, dtype=lib.float64)), []))
    assert_same_error(lambda lib: lib.lerp(lib.tensor([1, 2]), lib.tensor([3, 3]), 0.5))
    assert_same_error(lambda lib: lib.lerp(lib.tensor([1.0]), 3.0, 0.5))
    assert_same_error(lambda lib: lib.lerp(lib.tensor([1.0]), lib.tensor([3.0], dtype=lib.float64), 0.5))


@pytest.mark.parametrize("name, other", [
    ("floor_divide_", 1.5), ("remainder_", 1.5), ("fmod_", -1.5), ("atan2_", "tensor"),
    ("clamp_min_", 0.5), ("clamp_max_", 0.5), ("true_divide_", 4.0),
])
def test_in_place_binary_forms(name, other):
    def fn(lib):
        a = leaf(lib, [1.0, -2.5, 3.25])
        b = a * 1
        argument = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64) if other == "tensor" else other
        assert getattr(b, name)(argument) is b
        return b * 1, [a]

    same(fn, grad=name not in ("floor_divide_",))


def test_div_in_place_with_rounding_mode_and_clip_in_place():
    same(lambda lib: (lib.tensor([7, -7]).div_(2, rounding_mode="trunc"), []))
    same(lambda lib: (lib.tensor([7.0, -7.0]).div_(2, rounding_mode="floor"), []))
    same(lambda lib: (lib.tensor([7.0, -7.0]).clip_(-1, 1), []))
    assert_same_error(lambda lib: lib.tensor([7, -7]).div_(2))
    assert_same_error(lambda lib: lib.tensor([7, -7]).floor_divide_(0))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "maximum", "atan2", "fmod", "remainder"])
def test_out_argument_of_the_binary_functions(name):
    def fn(lib):
        out = lib.empty(2, dtype=lib.float64)
        a, b = lib.tensor([1.5, 2.0], dtype=lib.float64), lib.tensor([0.5, -3.0], dtype=lib.float64)
        assert getattr(lib, name)(a, b, out=out) is out
        return out, []

    same(fn, grad=False)


def test_subtraction_with_bools_in_place_raises_as_pytorch():
    assert_same_error(lambda lib: lib.tensor(True).sub_(lib.tensor(True)))
    assert_same_error(lambda lib: lib.tensor([1, 2]).sub_(lib.tensor([True, False])))
    assert_same_error(lambda lib: lib.tensor([1.0, 2.0]).subtract_(True))


def test_pow_with_a_bool_exponent_tensor_has_no_base_gradient():
    """PyTorch computes the values, and its backward forms ``exponent - 1``, refused for bools."""
    same(lambda lib: (leaf(lib, [0.5, 2.0]) ** lib.tensor([True, False]), []), grad=False)
    assert_same_error(lambda lib: (leaf(lib, [0.5, 2.0]) ** lib.tensor([True, False])).sum().backward())


def test_lerp_in_place():
    def fn(lib):
        a, e, w = leaf(lib, [1.0, INF, -INF, 0.5]), leaf(lib, [3.0, 1.0, 1.0, NAN]), leaf(lib, [0.2, 0.5, 0.7, 0.1])
        b = a * 1
        assert b.lerp_(e, w) is b
        return b * 1, [a, e, w]

    same(fn)
    same(lambda lib: (lib.tensor([[0.3, 2.0], [1.0, -1.8]]).lerp_(lib.tensor([2.4, -0.1]), lib.tensor([-2.8, -0.8])), []))
    assert_same_error(lambda lib: lib.tensor([1, 4], dtype=lib.int32).lerp_(lib.tensor([-4, 2], dtype=lib.int32), 0.25))


def test_in_place_aliases_divide_multiply_subtract():
    same(lambda lib: (lib.tensor([7.0, -7.0]).divide_(2, rounding_mode="floor"), []))
    same(lambda lib: (lib.tensor([7.0, -7.0]).multiply_(2), []))
    same(lambda lib: (lib.tensor([7.0, -7.0]).subtract_(2, alpha=3), []))


# -- remainder and fmod: gradients -----------------------------------------------------------
def away_from_jumps(*shape: int, seed: int = 0) -> np.ndarray:
    """x / y not near a whole number, so that a finite difference does not cross a jump."""
    rng = np.random.default_rng(seed)
    return np.asarray((rng.integers(-4, 5, shape) + rng.uniform(0.2, 0.8, shape)) * 1.5)


def divisors(*shape: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(np.full(shape, 1.5) * np.where(rng.random(shape) < 0.5, -1, 1))


REMAINDERS = {
    "remainder": (lambda lib, a, b: lib.remainder(a, b), (3, 4), (3, 4)),
    "mod_operator_broadcast": (lambda lib, a, b: a % b, (3, 4), (4,)),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), (3, 4), (3, 4)),
    "fmod_method_broadcast": (lambda lib, a, b: a.fmod(b), (2, 3, 4), (3, 1)),
    "remainder_number": (lambda lib, a, b: a.remainder(1.5) + b, (3,), (3,)),
    "remainder_0d": (lambda lib, a, b: lib.remainder(a, b), (), (3,)),
    "fmod_0d_other": (lambda lib, a, b: lib.fmod(b, a), (), (3,)),
    "remainder_empty": (lambda lib, a, b: a % b, (0, 3), (3,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REMAINDERS))
def test_remainder_and_fmod_gradients_match_torch(name, dtype, device):
    fn, shape_a, shape_b = REMAINDERS[name]
    compare_with_torch(fn, away_from_jumps(*shape_a), divisors(*shape_b, seed=1), dtype=dtype, device=device)


def test_number_mod_tensor_has_values_but_no_derivative_as_in_torch():
    compare_with_torch(lambda lib, b: 2.5 % b, divisors(3, 4), grad=False)
    compare_with_torch(lambda lib, b: 2.5 % b.detach() + b, divisors(3, 4))
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
            (2.5 % lib.ones(2, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("op", ["remainder", "fmod"])
def test_remainder_gradcheck_and_gradgradcheck(op):
    inputs = double(away_from_jumps(2, 3), divisors(2, 3, seed=1))
    fn = lambda a, b: getattr(a, op)(b)  # noqa: E731
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


def test_integer_remainder_by_zero_raises_as_torch():
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.remainder(lib.tensor([5, 3]), 0)
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.fmod(lib.tensor([5, 3]), lib.tensor([1, 0]))


def test_remainder_and_fmod_of_integers_match_torch():
    """Integer inputs: integer results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.remainder(t, 3),
        lambda lib, t: lib.fmod(t, 3),
        lambda lib, t: t.fmod(-3),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


# -- atan2 and lerp --------------------------------------------------------------------------
# name: (fn(lib, a, b), maker a, shape a, maker b, shape b)
ATAN2_AND_LERP = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), randn, (3, 4), randn, (3, 4)),
    "atan2_broadcast": (lambda lib, a, b: a.atan2(b), randn, (3, 4), randn, (4,)),
    "lerp_tensor_weight": (lambda lib, a, b: a.lerp(b, lib.sigmoid(b)), randn, (3, 4), randn, (3, 4)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(ATAN2_AND_LERP))
def test_atan2_and_lerp_match_torch(name, dtype, device):
    fn, make_a, shape_a, make_b, shape_b = ATAN2_AND_LERP[name]
    compare_with_torch(fn, make_a(*shape_a), make_b(*shape_b, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lerp_with_a_number_weight_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.lerp(x, x * 3, 0.25), randn(3, 4), dtype=dtype, device=device)


# -- 0 ** y: the gradient with respect to y --------------------------------------------------
LIBS = (torch, tinynn)


EXPONENTS = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, math.inf, -math.inf]


@pytest.mark.parametrize("base", [0.0, -0.0, 2.0, 0.5, 1.0])
@pytest.mark.parametrize("form", ["number_base", "tensor_base"])
def test_pow_gradient_wrt_exponent_matches_torch(form, base):
    """0 ** y for y < 0 is inf, and d/dy = 0^y log 0 = inf * -inf = -inf (not nan), as in PyTorch."""
    grads = []
    for lib in LIBS:
        y = lib.tensor(EXPONENTS, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            z = base ** y if form == "number_base" else lib.full((len(EXPONENTS),), base, dtype=lib.float64) ** y
            grad, = lib.autograd.grad(z.sum(), y)
        grads.append(grad)
    assert_close(grads[1], grads[0], rtol=1e-12, atol=1e-12)
    if base == 0.0:
        assert np.all(grads[1].numpy()[np.array(EXPONENTS) < 0] == -math.inf) or math.copysign(1, base) < 0


def test_pow_gradient_of_zero_base_keeps_the_exponents_dtype():
    y = tinynn.tensor([-1.0, 2.0], dtype=tinynn.float16, requires_grad=True)
    grad, = tinynn.autograd.grad((0.0 ** y).sum(), y)
    assert grad.dtype is tinynn.float16
    assert grad.tolist() == [-math.inf, 0.0]


# -- integer division by zero; a clamp bound that does not broadcast -------------------------
def test_integer_floor_division_by_zero_raises_like_torch():
    assert_same_error(lambda L: L.tensor([1, 2]) // 0)


def test_clamp_bound_that_does_not_broadcast_raises_like_torch():
    ours, _ = assert_same_error(lambda L: L.zeros(3, 4).clamp(min=L.ones(5)))
    assert "numpy" not in str(ours) or "numpy.ndarray" in str(ours)


def test_floor_divide_out_with_an_operand_that_requires_grad():
    """floor_divide has no derivative, so PyTorch writes into out= even then; out then
    requires grad, and backward through it raises."""
    def fn(lib):
        out = lib.empty(2, dtype=lib.float64)
        assert lib.floor_divide(leaf(lib, [7.0, -7.0]), leaf(lib, [2.0, 2.0]), out=out) is out
        return out, []

    same(fn, grad=False)
    assert_same_error(lambda lib: fn(lib)[0].sum().backward())


def test_division_gradient_with_a_tiny_or_huge_divisor():
    """d(x/y)/dy = -(x/y)/y, as PyTorch computes it: y * y would underflow or overflow."""
    same(lambda lib: (lambda x, y: (x / y, [x, y]))(
        leaf(lib, [-0.0, 1.0, 8.8e-129, 1e200, -3.0]), leaf(lib, [-2.8e-188, INF, 2.0, 1e-200, 1e180])))
    assert_same_error(lambda lib: lib.div(leaf(lib, [7.0]), 2.0, out=lib.empty(1, dtype=lib.float64)))


# -- where on large arrays: the bits are chosen without a branch per element (elementwise.select)
_SPECIAL = [np.inf, -np.inf, np.nan, -0.0, 0.0, 1.5, -2.25]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "uint8", "bool"])
@pytest.mark.parametrize("shapes", [((64, 80), (64, 80), (64, 80)), ((64, 80), (80,), (64, 1)),
                                    ((1, 80), (64, 80), (64, 80)), ((64, 80), (), (8, 64, 80)),
                                    ((64, 80), (8, 64, 80), ())],
                         ids=["same_shape", "broadcast_operands", "broadcast_condition", "0d_x_larger_y",
                              "larger_x_0d_y"])
def test_where_on_large_random_masks_matches_torch(dtype, shapes):
    """From 4096 elements on, where picks bits instead of branching: the same values as
    PyTorch's, inf, nan and -0.0 included, in every dtype and with broadcasting."""
    rng = np.random.default_rng(0)
    cond_shape, x_shape, y_shape = shapes
    condition = rng.random(cond_shape) < 0.5
    if dtype in ("float16", "float32", "float64"):
        x = rng.choice(_SPECIAL, x_shape).astype(dtype)
        y = rng.standard_normal(y_shape).astype(dtype)
    else:
        x, y = (rng.integers(0, 2 if dtype == "bool" else 100, s).astype(dtype) for s in (x_shape, y_shape))
    ours = tinynn.where(tinynn.tensor(condition), tinynn.tensor(x), tinynn.tensor(y)).numpy()
    theirs = torch.where(torch.tensor(condition), torch.tensor(x), torch.tensor(y)).numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.view(f"u{ours.dtype.itemsize}"), theirs.view(f"u{theirs.dtype.itemsize}"))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "uint8"])
@pytest.mark.parametrize("number", [0.0, -0.0, 2.5, -math.inf, math.nan, 3])
@pytest.mark.parametrize("side", ["input", "other"])
def test_where_with_a_number_on_large_random_masks_matches_torch(dtype, number, side):
    """From 4096 elements on, a number operand is picked by bits too: PyTorch's values and
    dtype (a float number with an integer tensor gives the default float dtype)."""
    rng = np.random.default_rng(1)
    condition = rng.random((64, 80)) < 0.5
    if dtype.startswith("float"):
        x = rng.choice(_SPECIAL, (64, 80)).astype(dtype)
    else:
        x = rng.integers(0, 100, (64, 80)).astype(dtype)
    results = []
    for lib in (tinynn, torch):
        operands = (lib.tensor(x), number) if side == "input" else (number, lib.tensor(x))
        results.append(lib.where(lib.tensor(condition), *operands).numpy())
    ours, theirs = results
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    numbers = ~np.isnan(theirs)
    np.testing.assert_array_equal(np.signbit(ours[numbers]), np.signbit(theirs[numbers]))


# -- clamping with number bounds on large arrays, and the ops that clamp: np.clip (elementwise.clamp_values)
CLAMPS = {
    "clamp": lambda lib, x: x.clamp(-1.5, 0.5),
    "clamp_min": lambda lib, x: x.clamp(min=0.25),
    "clamp_max": lambda lib, x: lib.clamp(x, max=-0.5),
    "clamp_crossed_bounds": lambda lib, x: x.clamp(1.0, -1.0),
    "clamp_nan_bound": lambda lib, x: x.clamp(min=float("nan")),
    "relu": lambda lib, x: x.relu(),
    "hardtanh": lambda lib, x: lib.nn.functional.hardtanh(x, -2.0, 1.5),
    "relu6": lambda lib, x: lib.nn.functional.relu6(x),
    "hardsigmoid": lambda lib, x: lib.nn.functional.hardsigmoid(x),
    "hardswish": lambda lib, x: lib.nn.functional.hardswish(x),
    "softshrink": lambda lib, x: lib.nn.functional.softshrink(x, 0.5),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.01),
    "leaky_relu_slope_above_1": lambda lib, x: lib.nn.functional.leaky_relu(x, 1.5),
    "elu": lambda lib, x: lib.nn.functional.elu(x),
    "selu": lambda lib, x: lib.nn.functional.selu(x),
    "logsigmoid": lambda lib, x: lib.nn.functional.logsigmoid(x),
    "bce_with_logits": lambda lib, x: lib.nn.functional.binary_cross_entropy_with_logits(
        x, (x > 0).to(x.dtype), reduction="none"),
    "binary_cross_entropy": lambda lib, x: lib.nn.functional.binary_cross_entropy(
        lib.where(x.isnan(), 0.5, x).clamp(0.0, 1.0), (x > 0.5).to(x.dtype), reduction="none"),
}

EXACT_CLAMPS = {"clamp", "clamp_min", "clamp_max", "clamp_crossed_bounds", "clamp_nan_bound", "relu", "hardtanh",
                "relu6", "hardsigmoid", "hardswish", "softshrink", "leaky_relu",
                "leaky_relu_slope_above_1"}  # (no rounded function in them: bit for bit, -0.0 included)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", sorted(CLAMPS))
def test_clamping_large_tensors_matches_torch(op, dtype):
    """From 4096 elements on, clamping to number bounds runs np.clip: PyTorch's values, inf,
    nan and a bound above the other included (the losses: log 0 clamped to -100). And
    leaky_relu with a slope in (0, 1] is the larger of x and slope x."""
    rng = np.random.default_rng(0)
    x = np.where(rng.random((64, 80)) < 0.1, rng.choice(_SPECIAL, (64, 80)), rng.standard_normal((64, 80)) * 4)
    x = x.astype(dtype)
    ours = CLAMPS[op](tinynn, tinynn.tensor(x)).numpy()
    theirs = CLAMPS[op](torch, torch.tensor(x)).numpy()
    assert ours.dtype == theirs.dtype
    if op in EXACT_CLAMPS:  # equal values, and the same sign bits (-0.0), nan aside
        np.testing.assert_array_equal(ours, theirs)
        numbers = ~np.isnan(theirs)
        np.testing.assert_array_equal(np.signbit(ours[numbers]), np.signbit(theirs[numbers]))
    else:  # through exp and log: PyTorch's tolerances for the dtype
        assert_close(ours, theirs)


# -- a float tensor to a number: PyTorch's products and reciprocals for the usual exponents
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("exponent", [2, 3, -2, -0.5, -1, 1, 2.0])
def test_power_by_a_usual_number_is_pytorchs_value_bit_for_bit(exponent, dtype):
    """x ** 3 is x * x * x in PyTorch's kernel (two roundings, where pow rounds once), x ** -2
    is 1 / (x * x), x ** -0.5 is 1 / sqrt(x): tinynn computes them so, and gets PyTorch's
    values exactly (pow differs in the last bit for about a quarter of them), specials
    included; so does the gradient, g (y x^(y-1)), wherever x^(y-1) is one of these."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(5000) * 3).astype(dtype)
    x[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30]
    g = rng.standard_normal(5000).astype(dtype)
    results = []
    for lib in (tinynn, torch):
        t = lib.tensor(x, requires_grad=True)
        y = t ** exponent
        y.backward(lib.tensor(g))
        results.append((y.detach().numpy(), t.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    if exponent - 1 in (2, 3, -2, -0.5, -1, 1, 0):
        np.testing.assert_array_equal(results[0][1], results[1][1])
    else:
        assert_close(results[0][1], results[1][1])


def test_gradient_of_a_float64_exponent_of_an_integer_base_takes_the_log_in_float64():
    """PyTorch's formula promotes the base to the result's dtype before its log: 2 ** y with
    an int32 2 and a float64 y has d/dy = 2^y log 2 in float64 (not the default float32's log)."""
    results = []
    for lib in (tinynn, torch):
        y = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
        (lib.tensor([[2, 3, 2]], dtype=lib.int32) ** y).sum().backward()
        results.append(y.grad.item())
    assert results[0] == pytest.approx(results[1], rel=1e-14, abs=0)


def test_gradient_of_the_exponent_uses_the_result_of_an_in_place_power_like_torch():
    """PyTorch's d/dy = result log x takes the result as the op wrote it: for x **= y in
    float32 with a float64 y, 1e-30 ** -2 is inf there (in float64 it is 1e60), and the
    gradient is inf * log x; with gradients of both signs the sum is nan, in both libraries."""
    results = []
    for lib in (tinynn, torch):
        x = lib.tensor([[0.0, 1e-30, 0.0], [0.0, 0.0, 0.0]], dtype=lib.float32)
        y = lib.tensor([0.0, -2.0, 0.0], dtype=lib.float64, requires_grad=True)
        x.pow_(y)
        x.backward(lib.tensor([[1.0, 1.0, 1.0], [1.0, -1.0, 1.0]]))
        results.append(y.grad.numpy())
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("base", ["tensor", "number"])
def test_changing_the_result_of_a_power_with_a_tensor_exponent_before_backward_raises_like_torch(base):
    """It is saved for the exponent's gradient (PowBackward1 and PowBackward2 save it too)."""
    def fn(lib):
        x, y = lib.tensor([1.5, 2.0], requires_grad=True), lib.tensor([2.0, 0.5], requires_grad=True)
        z = x ** y if base == "tensor" else 2.0 ** y
        z.add_(1)
        z.sum().backward()

    assert_same_error(fn)


# -- a numpy array as the other operand ------------------------------------------------------
NUMPY_OPERANDS = {
    "float64": np.array([0.5, -3.0, 2.0]),
    "float32_2d": np.array([[0.5], [2.0]], dtype=np.float32),
    "int64": np.array([1, -2, 3]),
    "bool": np.array([True, False, True]),
    "0d_float64": np.array(2.0),
}
NUMPY_OPERATORS = {
    "+": lambda x, a: x + a, "-": lambda x, a: x - a, "*": lambda x, a: x * a, "/": lambda x, a: x / a,
    "**": lambda x, a: x ** a, "==": lambda x, a: x == a, "== reflected": lambda x, a: a == x,
}


@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")  # (PyTorch's, with numpy 2)
@pytest.mark.parametrize("operator", sorted(NUMPY_OPERATORS))
@pytest.mark.parametrize("operand", sorted(NUMPY_OPERANDS))
def test_a_numpy_array_operand_acts_as_a_tensor_of_its_dtype_like_torch(operator, operand):
    """x + np.array(...) promotes as a tensor of the array's dtype would (float32 + a float64
    array is float64), and x == array compares elementwise (it was a plain False)."""
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor([1.5, 2.0, -0.5])
        with np.errstate(all="ignore" if lib is torch else "raise"):  # (PyTorch lets numpy's warnings out)
            y = NUMPY_OPERATORS[operator](x, NUMPY_OPERANDS[operand])
        results.append((type(y).__name__, str(y.dtype).split(".")[1], y.shape, y.requires_grad, y.numpy().tolist()))
    assert results[1][:4] == results[0][:4]
    np.testing.assert_allclose(results[1][4], results[0][4], rtol=1e-6)


@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")  # (PyTorch's, with numpy 2)
@pytest.mark.parametrize("operator", sorted(NUMPY_OPERATORS))
def test_a_numpy_array_operand_of_a_tensor_that_requires_grad_raises_like_torch(operator):
    """PyTorch computes an arithmetic op with an array in numpy, which cannot read a tensor
    that requires grad; == compares without it, and gives a bool tensor with no history."""

    def call(lib):
        y = NUMPY_OPERATORS[operator](lib.tensor([1.5, 2.0, -0.5], requires_grad=True), np.array([0.5, 3.0, 2.0]))
        assert not y.requires_grad and y.dtype is lib.bool
        return y

    if operator.startswith("=="):
        assert call(tinynn).tolist() == call(torch).tolist()
    else:
        assert_same_error(call)


def test_a_numpy_array_of_strings_is_not_equal_and_not_an_operand_like_torch():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0])
        assert (x == np.array(["a", "b"])) is False
        with pytest.raises(TypeError):
            x + np.array(["a", "b"])
