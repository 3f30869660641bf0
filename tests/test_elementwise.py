"""Elementwise ops (arithmetic, math functions, comparisons, where): forward and gradient vs PyTorch.

Each op runs in both libraries on the same numpy inputs, in float32 and float64, on shapes
from 0-d and empty to 3-d, and for the binary ops on broadcasting shape pairs, including
pairs drawn by hypothesis. The same random gradient is back-propagated through both.
"""
from __future__ import annotations

import operator

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

# numpy warns (RuntimeWarning) on overflow, 0 * inf, log(0)...; PyTorch is silent, and so
# must tinynn be: a warning from tinynn fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def positive(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [0.5, 2.5): away from 0, where log, sqrt and x ** y are not smooth."""
    return np.random.default_rng(seed).uniform(0.5, 2.5, shape)


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
