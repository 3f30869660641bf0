"""Unary ops (``_functions/unary.py``): issue 20's cases against PyTorch 2.13.

Each case runs the same code with ``lib = torch`` and ``lib = tinynn`` and compares the
value, dtype, shape, ``requires_grad`` and the gradient of every float64 leaf (within
1e-12), or checks that both raise the same exception type. Values and gradients of the
ops over shapes and dtypes are in ``test_elementwise.py``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinynn
from helpers import above_one, assert_same_error, double, halves, inside_unit, positive, randn
from tinynn.testing import assert_close, compare_with_torch

# numpy warns (RuntimeWarning) on inf - inf, 0 * inf, log(0)...; PyTorch is silent, and so
# must tinynn be: a warning from tinynn fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

NAN, INF = math.nan, math.inf


def dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def same(fn, *, grad: bool = True) -> None:
    """``fn(lib) -> (output, leaves)`` agrees in both libraries: values (nan where nan)
    within 1e-12 for float64 and 1e-6 for float32 (numpy's float32 kernels may round the
    last bit differently), dtype, shape, requires_grad, and (``grad``) every leaf's
    gradient after ``output.sum().backward()``, within 1e-12 (the leaves are float64)."""
    results = []
    for lib in (torch, tinynn):
        out, leaves = fn(lib)
        if grad and out.requires_grad:
            out.sum().backward()
        results.append((out, [leaf.grad for leaf in leaves]))
    (theirs, their_grads), (ours, our_grads) = results
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    tol = 1e-6 if dtype_name(theirs.dtype) == "float32" else 1e-12
    assert_close(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol, atol=tol)
    for i, (g_ours, g_theirs) in enumerate(zip(our_grads, their_grads)):
        assert (g_ours is None) == (g_theirs is None), f"gradient {i}: {g_ours} vs {g_theirs}"
        if g_theirs is not None:
            assert_close(g_ours.numpy(), g_theirs.numpy(), rtol=1e-12, atol=1e-12, name=f"gradient {i}")


def leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)


# -- values PyTorch defines ------------------------------------------------------------------------
def test_sign_of_nan_is_zero_and_sign_of_bool_is_itself():
    same(lambda lib: (lambda x: (lib.sign(x), [x]))(leaf(lib, [NAN, -0.0, 2.0, -3.0])))
    same(lambda lib: (lib.tensor([True, False]).sign(), []))


def test_square_of_bool_is_int64_and_of_int32_int32():
    same(lambda lib: (lib.square(lib.tensor([True, False])), []))
    same(lambda lib: (lib.tensor([3, -2], dtype=lib.int32).square(), []))
    same(lambda lib: (lambda x: (x.square(), [x]))(leaf(lib, [1.5, -2.0])))


@pytest.mark.parametrize("name", ["expm1", "log1p"])
def test_expm1_and_log1p_are_accurate_near_zero(name):
    same(lambda lib: (lambda x: (getattr(lib, name)(x), [x]))(leaf(lib, [1e-10, -3e-12, 0.5])))


@pytest.mark.parametrize("name", ["rsqrt", "reciprocal", "sqrt", "exp", "tanh", "sigmoid"])
def test_ops_that_save_their_output_allow_changing_the_input_afterwards(name):
    """PyTorch saves these ops' outputs, not their inputs: ``y = 1 / b`` then ``b.add_(1)``."""

    def fn(lib):
        a = leaf(lib, [0.5, 2.0, 3.0])
        b = a * 1
        y = getattr(b, name)()
        b.add_(1)
        return y, [a]

    same(fn)


def test_number_divided_by_tensor_saves_the_reciprocal():
    def fn(lib):
        a = leaf(lib, [0.5, 2.0, -3.0])
        b = a * 1
        y = 1 / b
        z = 2.5 / b
        b.add_(1)
        return y + z, [a]

    same(fn)


def test_integer_inputs_of_float_ops_give_the_default_dtype():
    for name in ("exp", "expm1", "log1p", "rsqrt", "reciprocal", "sigmoid", "erf", "atan", "sinh"):
        same(lambda lib: (getattr(lib, name)(lib.tensor([1, 2])), []))
    same(lambda lib: (lib.reciprocal(lib.tensor([True, False])), []))


def test_rounding_of_integers_keeps_them():
    for name in ("floor", "ceil", "trunc", "round"):
        same(lambda lib: (getattr(lib, name)(lib.tensor([-3, 4], dtype=lib.int32)), []))


# -- errors PyTorch raises -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["round", "floor", "ceil", "trunc", "abs"])
def test_kernels_pytorch_lacks_for_bool_raise(name):
    ours, _ = assert_same_error(lambda lib: getattr(lib, name)(lib.tensor([True, False])))
    assert "Bool" in str(ours)


def test_round_of_an_integer_with_decimals_raises():
    assert_same_error(lambda lib: lib.round(lib.tensor([1, 2]), decimals=1))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("decimals", [0, 1, -1])
def test_round_with_decimals_given_raises_for_integers_and_bools_naming_the_kernel(dtype, decimals):
    """Even decimals=0: PyTorch has an integer kernel only for the form without decimals
    ("round_vml_cpu" named for decimals=0, "round_cpu" otherwise)."""
    for call in (lambda lib, t: lib.round(t, decimals=decimals), lambda lib, t: t.round(decimals=decimals),
                 lambda lib, t: t.round_(decimals=decimals)):
        ours, theirs = assert_same_error(lambda lib: call(lib, lib.tensor([15, 2], dtype=getattr(lib, dtype))))
        assert str(ours).startswith(str(theirs))
    same(lambda lib: (lib.tensor([15, 2], dtype=getattr(lib, "int32")).round(), []))
    same(lambda lib: (lambda a: ((a * 1).round(decimals=decimals), [a]))(leaf(lib, [15.26, -2.5])))


def test_relu_of_bool_raises():
    assert_same_error(lambda lib: lib.relu(lib.tensor([True])))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "sign", "sin", "tanh", "sigmoid",
                                  "floor", "round", "erf", "neg", "square", "reciprocal"])
def test_a_number_where_a_tensor_is_required_is_a_type_error(name):
    ours, _ = assert_same_error(lambda lib: getattr(lib, name)(2.0))
    assert name in str(ours) and "float" in str(ours)


@pytest.mark.parametrize("name", ["sigmoid_", "exp_", "log_", "sqrt_", "tanh_", "sin_", "rsqrt_"])
def test_in_place_float_op_on_an_integer_tensor_raises(name):
    assert_same_error(lambda lib: getattr(lib.tensor([1, 2]), name)())


# -- in-place forms --------------------------------------------------------------------------------
INPLACE = ["abs", "sign", "square", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt",
           "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
           "tanh", "sigmoid", "erf", "floor", "ceil", "trunc", "round", "neg",
           "relu", "arcsin", "arctan", "fix", "absolute"]


@pytest.mark.parametrize("name", INPLACE)
def test_in_place_unary_forms_match_pytorch(name):
    """``x.op_()`` writes ``x.op()`` into x, recorded for backward on a non-leaf."""
    values = [0.3, -0.45, 0.6, 0.25]

    def fn(lib):
        a = leaf(lib, values)
        b = a * 1.5
        out = getattr(b, name + "_")()
        assert out is b
        return b * 1, [a]

    same(fn)


def test_inverse_hyperbolic_in_place_and_round_decimals_in_place():
    """PyTorch has no derivative for asinh_, acosh_, atanh_ (its backward raises; tinynn's
    records the gradient): their values are compared without grad."""
    for name, values in (("asinh_", [0.5, -2.0]), ("acosh_", [1.5, 3.0]), ("atanh_", [0.5, -0.25])):
        same(lambda lib: (getattr(lib.tensor(values, dtype=lib.float64), name)(), []))
    same(lambda lib: (lambda a: ((a * 1).round_(decimals=1), [a]))(leaf(lib, [1.26, -2.35])))


def test_in_place_unary_on_a_leaf_that_requires_grad_raises():
    assert_same_error(lambda lib: leaf(lib, [1.0]).sigmoid_())


# -- out= ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["exp", "log1p", "abs", "floor", "sigmoid", "tanh", "sign", "erf"])
def test_out_argument_writes_the_result(name):
    def fn(lib):
        out = lib.empty(3, dtype=lib.float64)
        result = getattr(lib, name)(lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64), out=out)
        assert result is out
        return out, []

    same(fn, grad=False)


# -- no numpy warnings -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cos", "sin", "tan", "exp", "log", "sqrt", "rsqrt", "reciprocal",
                                  "sigmoid", "tanh", "erf", "sinh", "atanh", "acosh", "log1p"])
def test_infinities_and_nan_give_pytorch_values_without_warnings(name):
    def fn(lib):
        a = leaf(lib, [-INF, INF, NAN, 0.0, -1.0, 1.0])
        return getattr(lib, name)(a), [a]

    same(fn)


# -- activations (nn.functional) --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_relu6_and_hardtanh_of_integers_keep_the_dtype(dtype):
    values = [-3, 0, 1, 5, 8]
    same(lambda lib: (lib.nn.functional.relu6(lib.tensor(values, dtype=getattr(lib, dtype))), []))
    same(lambda lib: (lib.nn.functional.hardtanh(lib.tensor(values, dtype=getattr(lib, dtype))), []))
    same(lambda lib: (lib.nn.functional.hardtanh(
        lib.tensor(values, dtype=getattr(lib, dtype)), -2.5, 2.5), []))

    def in_place(lib):
        x = lib.tensor(values, dtype=getattr(lib, dtype))
        assert lib.nn.functional.relu6(x, inplace=True) is x
        return x, []

    same(in_place)


def test_hardtanh_and_relu6_of_bool_raise():
    assert_same_error(lambda lib: lib.nn.functional.hardtanh(lib.tensor([True])))
    assert_same_error(lambda lib: lib.nn.functional.relu6(lib.tensor([True])))


def test_hardtanh_gradient_at_nan_and_at_the_bounds():
    """21 elements, so that PyTorch's vectorized kernel handles the nan (its scalar loop for
    the last few elements gives nan the gradient; the vectorized one, and tinynn, give 0)."""
    same(lambda lib: (lambda a: (lib.nn.functional.hardtanh(a), [a]))(
        leaf(lib, [NAN, -1.0, 1.0, 0.5, -2.0, 2.0, INF] * 3)))
    same(lambda lib: (lambda a: (lib.nn.functional.relu6(a), [a]))(
        leaf(lib, [NAN, -1.0, 0.0, 3.0, 6.0, 7.0, -INF] * 3)))


def test_relu_gradient_at_nan_and_acosh_gradient_at_minus_one():
    same(lambda lib: (lambda a: (lib.relu(a), [a]))(leaf(lib, [NAN, -1.0, 0.0, 2.0, INF, -INF] * 3)))
    same(lambda lib: (lambda a: (lib.nn.functional.relu(a), [a]))(leaf(lib, [NAN, -1.0, 0.0, 2.0])))
    same(lambda lib: (lambda a: (lib.acosh(a), [a]))(leaf(lib, [-1.0, 1.0, 0.5, 2.0, NAN, INF])))


def test_unary_plus():
    same(lambda lib: (lambda a: (+a, [a]))(leaf(lib, [1.0, -2.0])))
    t = tinynn.tensor([1, 2])
    assert +t is t and tinynn.positive(t) is t
    assert_same_error(lambda lib: +lib.tensor([True]))
    assert_same_error(lambda lib: +lib.tensor([], dtype=lib.bool))


@pytest.mark.parametrize("name", ["gelu", "silu"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_gelu_and_silu_of_integers_raise(name, dtype):
    values = [1, 0] if dtype != "bool" else [True, False]
    ours, _ = assert_same_error(
        lambda lib: getattr(lib.nn.functional, name)(lib.tensor(values, dtype=getattr(lib, dtype))))
    assert "not implemented" in str(ours)


def test_gelu_and_silu_of_minus_infinity_without_warnings():
    same(lambda lib: (lambda a: (lib.nn.functional.gelu(a), [a]))(leaf(lib, [-INF, 1.0, NAN])))
    same(lambda lib: (lambda a: (lib.nn.functional.gelu(a, approximate="tanh"), [a]))(
        leaf(lib, [-INF, INF, 1.0])))
    same(lambda lib: (lambda a: (lib.nn.functional.silu(a), [a]))(leaf(lib, [-INF, INF, 1.0])))


def test_silu_in_place():
    def fn(lib):
        x = lib.tensor([-1.0, 0.5, 2.0], dtype=lib.float64)
        assert lib.nn.functional.silu(x, inplace=True) is x
        return x, []

    same(fn)


DTYPES = ["float32", "float64"]


# -- hyperbolic functions --------------------------------------------------------------------
# name: (fn(lib, x), input maker, shape); compared with PyTorch in test_unary_function_matches_torch
HYPERBOLIC = {
    "sinh": (lambda lib, x: lib.sinh(x) + x.sinh(), randn, (3, 4)),
    "cosh": (lambda lib, x: lib.cosh(x) * x.cosh(), randn, (3, 4)),
    "asinh": (lambda lib, x: lib.asinh(x) + lib.arcsinh(x * 2), randn, (3, 4)),
    "acosh": (lambda lib, x: x.acosh() + lib.arccosh(x), above_one, (3, 4)),
    "atanh": (lambda lib, x: lib.atanh(x) + x.arctanh(), inside_unit, (3, 4)),
    "sinh_0d": (lambda lib, x: x.sinh(), randn, ()),
    "cosh_empty": (lambda lib, x: x.cosh(), randn, (0, 2)),
}


def test_hyperbolic_functions_of_integers_and_out_of_domain():
    compare_with_torch(lambda lib, t: (lib.sinh(t), lib.cosh(t), lib.asinh(t), lib.acosh(t), lib.atanh(t)),
                       np.array([-2, -1, 0, 1, 2]), grad=False)


@pytest.mark.parametrize("name, fn, make", [
    ("sinh", lambda x: x.sinh(), randn), ("cosh", lambda x: x.cosh(), randn),
    ("asinh", lambda x: x.asinh(), randn), ("acosh", lambda x: x.acosh(), above_one),
    ("atanh", lambda x: x.atanh(), inside_unit),
])
def test_hyperbolic_gradcheck_and_gradgradcheck(name, fn, make):
    inputs = double(make(2, 3))
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


# -- rounding, log2/log10, trigonometry, erf, expm1, reciprocal ------------------------------
# name: (fn(lib, x), input maker, shape)
ROUNDING_LOG_TRIG = {
    "floor": (lambda lib, x: x.floor() + x, halves, (3, 4)),
    "floor_function": (lambda lib, x: lib.floor(x), halves, (3, 4)),
    "ceil": (lambda lib, x: lib.ceil(x) * x, halves, (3, 4)),
    "round": (lambda lib, x: x.round() + x, halves, (3, 4)),
    "round_function": (lambda lib, x: lib.round(x), halves, (5,)),
    "round_decimals": (lambda lib, x: lib.round(x * 3.3333, decimals=2), randn, (2, 3)),
    "trunc": (lambda lib, x: lib.trunc(x) + x.trunc(), halves, (3, 4)),
    "log2": (lambda lib, x: lib.log2(x), positive, (3, 4)),
    "log10": (lambda lib, x: x.log10(), positive, (3, 4)),
    "tan": (lambda lib, x: lib.tan(x), inside_unit, (3, 4)),
    "atan": (lambda lib, x: x.atan() + lib.atan(x * 3), randn, (3, 4)),
    "asin": (lambda lib, x: lib.asin(x), inside_unit, (3, 4)),
    "acos": (lambda lib, x: x.acos(), inside_unit, (3, 4)),
    "erf": (lambda lib, x: lib.erf(x) + x.erf(), randn, (3, 4)),
    "expm1_function": (lambda lib, x: lib.expm1(x), randn, (4,)),
    "reciprocal_function": (lambda lib, x: lib.reciprocal(x), positive, (4,)),
}


ONE_INPUT_CASES = {**HYPERBOLIC, **ROUNDING_LOG_TRIG}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(ONE_INPUT_CASES))
def test_unary_function_matches_torch(name, dtype, device):
    fn, make, shape = ONE_INPUT_CASES[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_floor_of_integers_matches_torch():
    """An integer input keeps its dtype, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: t.floor(),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("decimals", [2, -2, 1])
def test_round_with_decimals_overflows_to_inf_as_pytorch_without_warnings(dtype, decimals):
    values = [3e38, -3e38, INF, NAN, 1.25, 123.456, -0.5]
    same(lambda lib: (lib.round(lib.tensor(values, dtype=getattr(lib, dtype)), decimals=decimals), []))


# -- tanh, sigmoid, relu: a backward of one op, itself differentiable ------------------------
ONE_OP_BACKWARDS = {"tanh": "TanhBackwardBackward0", "sigmoid": "SigmoidBackwardBackward0",
                    "relu": "ThresholdBackwardBackward0"}


@pytest.mark.parametrize("name", sorted(ONE_OP_BACKWARDS))
def test_backward_of_tanh_sigmoid_and_relu_is_one_node_named_as_in_pytorch(name):
    """The gradient that ``create_graph`` records comes from one op, PyTorch's
    ``tanh_backward``/``sigmoid_backward``/``threshold_backward``."""
    names = []
    for lib in (torch, tinynn):
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        grad, = lib.autograd.grad(getattr(x, name)().sum(), x, create_graph=True)
        names.append(type(grad.grad_fn).__name__)
    assert names[0] == names[1] == ONE_OP_BACKWARDS[name]


@pytest.mark.parametrize("name", sorted(ONE_OP_BACKWARDS))
def test_second_derivatives_of_tanh_sigmoid_and_relu_match_pytorch_through_both_inputs(name):
    """d/dx of the gradient reaches the one-op backward through its output input z and,
    when the incoming gradient g depends on x too (g = x * x here), through g."""
    values = np.array([-2.0, -0.3, 0.0, 0.7, 3.0])
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(values, requires_grad=True)
        z = getattr(x, name)()
        grad, = lib.autograd.grad(z, x, grad_outputs=x * x, create_graph=True)
        second, = lib.autograd.grad((grad * grad).sum(), x)
        results.append((grad.detach().numpy(), second.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ONE_OP_BACKWARDS))
def test_tanh_sigmoid_and_relu_pass_gradgradcheck(name):
    assert tinynn.autograd.gradgradcheck(lambda x: getattr(x, name)(), double(randn(2, 3)))


def test_relu_backward_lets_the_gradient_through_at_nan_and_stops_it_at_zero_like_pytorch():
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor([math.nan, 0.0, -1.0, 2.0], requires_grad=True)
        x.relu().backward(lib.tensor([1.0, 1.0, math.inf, math.nan]))
        results.append(x.grad.tolist())
    np.testing.assert_equal(results[1], results[0])


@pytest.mark.parametrize("name", ["sigmoid", "erf", "gelu"])
def test_ops_computed_by_scipy_keep_float16_like_pytorch(name):
    """scipy's expit and erf have no float16 loop (they answer in float64); the result and
    the gradient are float16, as in PyTorch, and agree with it to float16's precision."""
    fns = {"sigmoid": lambda lib, x: x.sigmoid(), "erf": lambda lib, x: lib.erf(x),
           "gelu": lambda lib, x: lib.nn.functional.gelu(x)}
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor([-3.0, -0.5, 0.0, 0.7, 2.0], dtype=lib.float16, requires_grad=True)
        y = fns[name](lib, x)
        y.backward(lib.ones_like(y))
        results.append((dtype_name(y.dtype), dtype_name(x.grad.dtype),
                        np.asarray(y.detach().tolist()), np.asarray(x.grad.tolist())))
    assert results[1][:2] == results[0][:2] == ("float16", "float16")
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-3, atol=1e-3)


# -- nan_to_num ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_nan_to_num_replaces_and_passes_the_gradient_where_finite(dtype):
    """Defaults: 0, the dtype's largest and most negative finite values; the gradient is
    g * isfinite(x), so an inf gradient at an inf input gives nan, as PyTorch's formula."""
    values = [math.nan, math.inf, -math.inf, 1.5, -0.0]

    def fn(lib):
        x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
        y = lib.nan_to_num(x) + x.nan_to_num(nan=2.0, posinf=1e10, neginf=-3)
        y.backward(lib.tensor([1.0, math.inf, 2.0, 3.0, 4.0], dtype=getattr(lib, dtype)))
        return y, x.grad

    (ours, our_grad), (theirs, their_grad) = fn(tinynn), fn(torch)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype) == dtype
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    np.testing.assert_array_equal(our_grad.numpy(), their_grad.numpy())


def test_nan_to_num_in_place_on_a_non_leaf_is_recorded():
    def fn(lib):
        a = leaf(lib, [math.nan, 0.5, math.inf])
        b = a * 2
        out = b.nan_to_num_(1.0, posinf=7.0)
        assert out is b
        return b * 1, [a]

    same(fn)


def test_nan_to_num_of_integers_is_a_copy():
    for lib in (tinynn, torch):
        x = lib.tensor([1, 2])
        y = lib.nan_to_num(x)
        assert y.tolist() == [1, 2] and y.dtype == lib.int64
        y[0] = 5
        assert x.tolist() == [1, 2]


@pytest.mark.parametrize("call", [
    lambda lib: lib.nan_to_num([1.0]),
    lambda lib: lib.nan_to_num(lib.tensor([1.0]), nan="a"),
    lambda lib: lib.tensor([1.0]).nan_to_num(posinf=[1.0]),
    lambda lib: lib.tensor([1.0]).nan_to_num_(neginf="x"),
    lambda lib: lib.nan_to_num(lib.tensor([1, 2]), out=lib.empty(2)),
], ids=["list_input", "str_nan", "list_posinf", "in_place_str_neginf", "out_of_another_dtype"])
def test_nan_to_num_errors_match_pytorch(call):
    assert_same_error(call)
