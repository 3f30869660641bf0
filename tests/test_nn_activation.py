"""Activations against ``torch.nn.functional`` and ``torch.nn``: values and gradients
(including at the kinks and at extreme inputs), the modules' reprs, ``inplace=``, and the
errors PyTorch raises. ReLU, LeakyReLU, GELU, Sigmoid, Tanh, SiLU, Softplus, Softmax and
LogSoftmax; ReLU6, ELU, Hardtanh, LogSigmoid, Mish, Softmin; Hardswish, Hardsigmoid; PReLU
(its weight copied with ``load_state_dict``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

from helpers import assert_same_error, assert_same_values_or_error, compare_module, randn, run_module_pair

DTYPES = ["float32", "float64"]


# -- activations -----------------------------------------------------------------------------
ACTIVATIONS = {
    "relu": lambda lib, x: lib.nn.functional.relu(x),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu_default": lambda lib, x: lib.nn.functional.leaky_relu(x),
    "gelu": lambda lib, x: lib.nn.functional.gelu(x),
    "gelu_tanh": lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
    "sigmoid": lambda lib, x: lib.nn.functional.sigmoid(x),
    "tanh": lambda lib, x: lib.nn.functional.tanh(x),
    "silu": lambda lib, x: lib.nn.functional.silu(x),
    "softplus": lambda lib, x: lib.nn.functional.softplus(x),
    "softplus_beta": lambda lib, x: lib.nn.functional.softplus(x, beta=2.0, threshold=3.0),
    "softmax_dim1": lambda lib, x: lib.nn.functional.softmax(x, dim=1),
    "softmax_dim0": lambda lib, x: lib.nn.functional.softmax(x, dim=0),
    "log_softmax": lambda lib, x: lib.nn.functional.log_softmax(x, dim=-1),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name, dtype, device):
    x = randn(4, 5) * 3
    x[0, :3] = [0.0, -1e-3, 1e-3]  # the kink of relu / leaky_relu: gradient at exactly 0
    compare_with_torch(ACTIVATIONS[name], x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax_dim1", "log_softmax", "sigmoid", "gelu", "silu", "softplus"])
def test_activation_at_extreme_inputs_matches_torch(name, dtype, device):
    x = np.array([[1e4, -1e4, 0.0, 50.0], [-50.0, 88.0, -88.0, 3.0]])
    compare_with_torch(ACTIVATIONS[name], x, dtype=dtype, device=device)


MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}),
    ("GELU", (), {}), ("GELU", ("tanh",), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("SiLU", (), {}),
    ("Softmax", (), {"dim": 1}), ("LogSoftmax", (1,), {}), ("Softmax", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_activation_module_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(tinynn.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh", "SiLU", "LogSoftmax"])
def test_activation_module_matches_torch(name, dtype, device):
    args = (1,) if name == "LogSoftmax" else ()
    run_module_pair(getattr(torch.nn, name)(*args), getattr(tinynn.nn, name)(*args), randn(3, 4), dtype, device)


def test_softmax_without_dim_warns_and_picks_torch_dim():
    x = randn(3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ours = tinynn.nn.functional.softmax(tinynn.tensor(x))
    with pytest.warns(UserWarning):
        theirs = torch.nn.functional.softmax(torch.tensor(x))
    assert_close(ours, theirs)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError):
        tinynn.nn.functional.gelu(tinynn.zeros(2), approximate="fast")
    with pytest.raises(RuntimeError):
        torch.nn.functional.gelu(torch.zeros(2), approximate="fast")


def test_inplace_relu_modifies_input():
    x = tinynn.tensor([-1.0, 2.0])
    y = tinynn.nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]


# -- activations with options ----------------------------------------------------------------
ACTIVATIONS_WITH_KWARGS = [
    ("relu6", {}), ("elu", {}), ("elu", dict(alpha=0.5)), ("hardtanh", {}),
    ("hardtanh", dict(min_val=-2.0, max_val=3.0)), ("logsigmoid", {}), ("mish", {}),
    ("softmin", dict(dim=1)), ("softplus", dict(beta=2.0, threshold=5.0)),
    ("selu", {}), ("celu", {}), ("celu", dict(alpha=0.5)), ("softsign", {}), ("tanhshrink", {}),
    ("softshrink", {}), ("softshrink", dict(lambd=1.0)), ("hardshrink", {}), ("hardshrink", dict(lambd=1.0)),
    ("threshold", dict(threshold=1.0, value=-2.0)), ("glu", {}), ("glu", dict(dim=0)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", ACTIVATIONS_WITH_KWARGS, ids=[f"{n}{k}" for n, k in ACTIVATIONS_WITH_KWARGS])
def test_activation_with_kwargs_matches_torch(name, kwargs, dtype, device):
    x = randn(4, 6, scale=4.0)
    x[0, :4] = [0.0, 6.0, -1.0, 1.0]  # the kinks of relu6, hardtanh, the shrinks and threshold
    x[1, 0], x[1, 1] = 100.0, -100.0  # no overflow in elu, logsigmoid, mish
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("module, args", [("ReLU6", ()), ("ELU", (0.3,)), ("Hardtanh", (-0.5, 0.5)),
                                          ("Softplus", (3.0,)), ("LogSigmoid", ()), ("Mish", ()),
                                          ("Softmin", (0,)), ("SELU", ()), ("CELU", (0.5,)), ("Softsign", ()),
                                          ("Tanhshrink", ()), ("Softshrink", (0.7,)), ("Hardshrink", (0.7,)),
                                          ("Threshold", (0.2, -1.0)), ("GLU", (0,))])
def test_activation_module_matches_torch_and_prints_alike(module, args, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)(*args)(x), randn(4, 5, scale=3.0),
                       dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, module)(*args)) == repr(getattr(torch.nn, module)(*args))


def test_inplace_activation_reprs_match_torch():
    for name, args in [("ReLU6", (True,)), ("ELU", (1.0, True)), ("Hardtanh", (-1.0, 1.0, True)),
                       ("SELU", (True,)), ("CELU", (1.0, True)), ("Threshold", (0.1, 20, True))]:
        assert repr(getattr(tinynn.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_inplace_elu_and_relu6_overwrite_the_input_like_torch():
    for name in ["elu", "relu6", "selu", "celu"]:
        ours, theirs = tinynn.tensor(randn(5, scale=8.0)), torch.tensor(randn(5, scale=8.0))
        getattr(tinynn.nn.functional, name)(ours, inplace=True)
        getattr(torch.nn.functional, name)(theirs, inplace=True)
        assert_close(ours, theirs)


def test_hardtanh_bounds_errors_match_torch():
    assert_same_error(lambda: tinynn.nn.functional.hardtanh(tinynn.zeros(2), 2.0, 1.0),
               lambda: torch.nn.functional.hardtanh(torch.zeros(2), 2.0, 1.0), same_message=True)
    assert_same_error(lambda: tinynn.nn.Hardtanh(2.0, 1.0), lambda: torch.nn.Hardtanh(2.0, 1.0), same_message=True)


# -- hard activations and PReLU --------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid"])
def test_hard_activations_match_torch_including_the_kinks(name, dtype, device):
    x = randn(4, 6, scale=4.0)
    x[0, :4] = [-3.0, 3.0, 0.0, -2.5]
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x), x, dtype=dtype, device=device)
    module = {"hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid"}[name]
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)()(x), x, dtype=dtype, device=device)
    assert repr(getattr(tinynn.nn, module)()) == repr(getattr(torch.nn, module)())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("num_parameters, shape", [(1, (4, 3)), (3, (2, 3)), (3, (2, 3, 5)), (1, (7,)),
                                                   (3, (2, 3, 4, 4))])
def test_prelu_matches_torch(num_parameters, shape, dtype, device):
    x = randn(*shape, scale=2.0)
    x.flat[0] = 0.0  # at 0 both use the slope
    compare_module(lambda lib: lib.nn.PReLU(num_parameters), x, dtype=dtype, device=device)


def test_prelu_repr_state_dict_and_error_match_torch():
    for args in [(), (3,), (3, 0.1)]:
        assert repr(tinynn.nn.PReLU(*args)) == repr(torch.nn.PReLU(*args))
    assert list(tinynn.nn.PReLU(3).state_dict()) == list(torch.nn.PReLU(3).state_dict())
    assert tinynn.nn.PReLU(3, 0.1).weight.tolist() == pytest.approx(torch.nn.PReLU(3, 0.1).weight.tolist())
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        tinynn.nn.PReLU(3)(tinynn.zeros(2, 4))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        torch.nn.PReLU(3)(torch.zeros(2, 4))


@pytest.mark.parametrize("alpha", [float("nan"), float("inf"), float("-inf"), 0.0, -2.0])
def test_elu_at_zero_is_zero_for_any_alpha_and_quiet_like_torch(alpha):
    """PyTorch's elu takes the value x itself at x = +-0 (alpha (e^0 - 1) would be nan for a
    nan or infinite alpha), while the gradient there is alpha."""
    values = np.array([0.0, -0.0, -1e-45, 1e-45, np.nan, -1.0, -np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_with_torch(lambda lib, x: lib.nn.functional.elu(x, alpha=alpha), values)
    signs = [np.signbit(lib.nn.functional.elu(lib.tensor([-0.0]), alpha=alpha).numpy()[0]) for lib in (torch, tinynn)]
    assert signs[0] == signs[1]


@pytest.mark.parametrize("bounds", [(0.0, float("nan")), (float("-inf"), 1.0), (-1.0, 1e30)])
def test_hardtanh_of_integers_with_a_bound_that_is_no_int64_raises_like_torch(bounds):
    assert_same_error(lambda lib: lib.nn.functional.hardtanh(lib.tensor([-3, 0, 3], dtype=lib.int32), *bounds))


@pytest.mark.parametrize("weight_shape", [(1,), ()])
def test_prelu_of_a_0d_input_is_0d_like_torch(weight_shape):
    compare_with_torch(lambda lib, x, w: lib.nn.functional.prelu(x, w), np.array(-2.0),
                       np.full(weight_shape, 0.25), dtype="float64")


def test_prelu_of_a_0d_input_with_several_slopes_raises_like_torch():
    assert_same_error(lambda lib: lib.nn.functional.prelu(lib.tensor(1.0), lib.ones(2)), same_message=False)


# -- leaky_relu and hardtanh: one op forward and one op backward, each differentiable ---------
PIECEWISE = {
    "leaky_relu": (lambda lib, x: lib.nn.functional.leaky_relu(x, 0.2), ("LeakyReluBackward0", "LeakyReluBackwardBackward0")),
    "hardtanh": (lambda lib, x: lib.nn.functional.hardtanh(x, -0.5, 1.25), ("HardtanhBackward0", "HardtanhBackwardBackward0")),
    "softplus": (lambda lib, x: lib.nn.functional.softplus(x, beta=2.0, threshold=2.5), ("SoftplusBackward0", "SoftplusBackwardBackward0")),
    "elu": (lambda lib, x: lib.nn.functional.elu(x, 0.7), ("EluBackward0", "EluBackwardBackward0")),
    "hardswish": (lambda lib, x: lib.nn.functional.hardswish(x), ("HardswishBackward0", "HardswishBackwardBackward0")),
    "logsigmoid": (lambda lib, x: lib.nn.functional.logsigmoid(x), ("LogSigmoidBackward0", "LogSigmoidBackwardBackward0")),
    "gelu_tanh": (lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), ("GeluBackward0", "GeluBackwardBackward0")),
    "selu": (lambda lib, x: lib.nn.functional.selu(x), ("EluBackward0", "EluBackwardBackward0")),
    "celu": (lambda lib, x: lib.nn.functional.celu(x, 0.5), ("CeluBackward0", "EluBackwardBackward0")),
    "softshrink": (lambda lib, x: lib.nn.functional.softshrink(x, 0.5), ("SoftshrinkBackward0", "SoftshrinkBackwardBackward0")),
    "hardshrink": (lambda lib, x: lib.nn.functional.hardshrink(x, 0.5), ("HardshrinkBackward0", "HardshrinkBackwardBackward0")),
    "threshold": (lambda lib, x: lib.nn.functional.threshold(x, 0.3, -2.0), ("ThresholdBackward0", "ThresholdBackwardBackward0")),
    # PyTorch differentiates the gradients of silu and mish through a composite of tensor ops
    # (its grad_fn a MulBackward0), tinynn through their backward op (book/deviations.md, grad_fn names)
    "silu": (lambda lib, x: lib.nn.functional.silu(x), ("SiluBackward0", "MulBackward0", "SiluBackwardBackward0")),
    "mish": (lambda lib, x: lib.nn.functional.mish(x), ("MishBackward0", "MulBackward0", "MishBackwardBackward0")),
}
#: The ops among them whose backward computes exp, tanh or a quotient: their values and
#: gradients agree with PyTorch's to float rounding (float32: within 1e-6), not bit for bit.
TRANSCENDENTAL = ("softplus", "elu", "logsigmoid", "gelu_tanh", "silu", "mish", "selu", "celu")


@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_piecewise_activation_and_its_backward_are_one_node_each_named_as_in_pytorch(name):
    """First and second derivatives through the backward op (g = x * x depends on x, so the
    second derivative reaches the backward op through its g), at the bounds and 0 too."""
    op, expected = PIECEWISE[name]
    values = np.array([-2.0, -0.5, -0.1, 0.0, 0.3, 1.25, 3.0])
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(values, requires_grad=True)
        y = op(lib, x)
        grad, = lib.autograd.grad(y, x, grad_outputs=x * x, create_graph=True)
        second, = lib.autograd.grad((grad * grad).sum(), x)
        results.append(((type(y.grad_fn).__name__, type(grad.grad_fn).__name__),
                        y.detach().numpy(), grad.detach().numpy(), second.numpy()))
    assert results[0][0] == expected[:2]
    assert results[1][0] == (expected[0], expected[-1])
    for ours, theirs in zip(results[1][1:], results[0][1:]):  # (float64: exp, tanh and log1p within 1e-15)
        np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("size", [64, 5000], ids=["small", "large"])  # (the two paths of the backward ops)
@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_piecewise_activation_backward_passes_or_zeroes_non_finite_gradients_like_torch(name, size):
    op, _ = PIECEWISE[name]
    values = np.linspace(-3, 3, size, dtype=np.float32)
    position = np.arange(size) % 3
    g = np.where(position == 0, np.inf, np.where(position == 1, np.nan, -2.0)).astype(np.float32)
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(values, requires_grad=True)
        op(lib, x).backward(lib.tensor(g))
        results.append(x.grad.numpy())
    # inf and nan where PyTorch has them. The finite values of the ops that take exp or tanh
    # within float32 rounding: g = -2 times a sum of terms of size about 1, each rounded, so
    # within 2e-6 (a few float32 steps of 2), also where the sum cancels to nearly 0
    transcendental = name in TRANSCENDENTAL
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6 if transcendental else 0,
                               atol=2e-6 if transcendental else 0)


@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_piecewise_activation_passes_gradgradcheck(name):
    op, _ = PIECEWISE[name]
    x = tinynn.tensor(np.array([[-2.0, -0.3, 0.4], [0.9, 2.0, -0.7]]), requires_grad=True)
    assert tinynn.autograd.gradgradcheck(lambda t: op(tinynn, t), (x,))


# -- gelu: one op forward and one op backward, each differentiable ---------------------------
def test_gelu_and_its_backward_are_one_node_each_named_as_in_pytorch():
    names = []
    for lib in (torch, tinynn):
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.gelu(x)
        grad, = lib.autograd.grad(y.sum(), x, create_graph=True)
        names.append((type(y.grad_fn).__name__, type(grad.grad_fn).__name__))
    assert names[0] == names[1] == ("GeluBackward0", "GeluBackwardBackward0")


def test_gelu_second_derivatives_match_pytorch_through_both_inputs_of_its_backward():
    """d/dx of the gradient reaches GeluBackward through x and, when the incoming gradient
    depends on x too (g = x * x here), through g."""
    values = np.array([-4.0, -1.3, -0.2, 0.0, 0.6, 2.5])
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(values, requires_grad=True)
        grad, = lib.autograd.grad(lib.nn.functional.gelu(x), x, grad_outputs=x * x, create_graph=True)
        second, = lib.autograd.grad((grad * grad).sum(), x)
        results.append((grad.detach().numpy(), second.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=1e-15)


def test_gelu_passes_gradgradcheck():
    x = tinynn.tensor(randn(2, 3), dtype=tinynn.float64, requires_grad=True)
    assert tinynn.autograd.gradgradcheck(tinynn.nn.functional.gelu, (x,))


def test_float32_gelu_is_within_5e_7_of_the_exact_value():
    """float32 gelu takes erf from Abramowitz and Stegun's approximation (as PyTorch's
    AVX2 float32 erf does); the documented bound holds, and the values agree with PyTorch's
    float32 gelu within 2e-6 (two float32 steps at 8). How close PyTorch's own is depends
    on its CPU kernel: 1.2e-6 from the exact value with AVX-512, 3.8e-7 with AVX2."""
    from scipy import special
    x = np.linspace(-8, 8, 400_001, dtype=np.float32)
    wide = x.astype(np.float64)
    exact = wide * 0.5 * (1 + special.erf(wide / np.sqrt(2)))
    ours = tinynn.nn.functional.gelu(tinynn.tensor(x)).numpy()
    theirs = torch.nn.functional.gelu(torch.tensor(x)).numpy()
    assert ours.dtype == np.float32
    assert np.abs(ours - exact).max() <= 5e-7
    assert np.abs(ours - theirs).max() <= 2e-6


def test_float32_erf_approximation_keeps_signs_zeros_and_non_finite_values():
    from tinynn.nn.functional.activation import _erf_float32
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 10.0, -10.0], np.float32)
    got = _erf_float32(special)
    assert got.dtype == np.float32 and got.shape == special.shape
    np.testing.assert_array_equal(np.signbit(got[:4]), [False, True, False, True])
    np.testing.assert_array_equal(got[2:4], [1, -1])
    assert np.isnan(got[4]) and np.abs(got[[0, 1, 5, 6]]).max() < 1e-8
    np.testing.assert_array_equal(got[7:], [1, -1])
    assert _erf_float32(np.array(0.5, np.float32)).shape == ()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("size", [1000, 1024, 5000], ids=["scipy_expit", "numpy_passes_from_1024", "numpy_passes"])
def test_sigmoid_matches_torch_on_both_sides_of_its_size_switch(size, dtype, device):
    """sigmoid takes scipy's expit below 1024 elements and four numpy passes from there on:
    both agree with PyTorch, including inf, -inf, nan and values whose e^-x overflows."""
    values = randn(size) * 30
    values[:5] = [np.inf, -np.inf, np.nan, -200.0, 200.0]
    compare_with_torch(lambda lib, x: lib.sigmoid(x), values, dtype=dtype, device=device)


@pytest.mark.parametrize("copies", [1, 200, 500])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_relu_backward_passes_or_zeroes_non_finite_gradients_like_torch(dtype, copies):
    """relu's backward keeps g where the input is > 0 or nan and gives +0 elsewhere, whatever
    g is there: inf and nan gradients at masked places become 0, not nan (inf * 0). On
    both of its paths: 9 and 1,800 elements (a boolean-indexed write), 4,500 (a bit mask)."""
    x_values = np.array([1.0, -1.0, 0.0, -0.0, np.nan, 2.0, -3.0, np.inf, -np.inf] * copies)
    g_values = np.array([np.inf, np.inf, np.nan, -np.inf, np.inf, np.nan, -5.0, 7.0, np.nan] * copies)
    grads = []
    for lib in (torch, tinynn):
        x = lib.tensor(x_values, dtype=getattr(lib, dtype), requires_grad=True)
        lib.relu(x).backward(lib.tensor(g_values, dtype=getattr(lib, dtype)))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
    np.testing.assert_array_equal(np.signbit(grads[1]), np.signbit(grads[0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["leaky_relu", "elu", "prelu"])
def test_sign_dependent_activations_on_large_arrays_match_torch(name, dtype):
    """leaky_relu, elu and prelu pick between two values by the sign of each element; on
    large arrays they pick bits (elementwise.select) instead of branching: values and
    gradients as PyTorch's, infinities, nan and -0.0 included."""
    values = randn(64, 128) * 3
    values[0, :6] = [np.inf, -np.inf, np.nan, -0.0, 0.0, -1e-300 if dtype == "float64" else -1e-30]
    if name == "elu":  # elu's gradient at nan depends on PyTorch's loop (see book/deviations.md)
        values[0, 2] = -0.5
    calls = {"leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.1),
             "elu": lambda lib, x: lib.nn.functional.elu(x),
             "prelu": lambda lib, x: lib.nn.functional.prelu(x, lib.tensor([0.25], dtype=x.dtype))}
    compare_with_torch(calls[name], values, dtype=dtype, device="cpu")


def test_hardsigmoid_can_be_differentiated_once_as_in_pytorch():
    """Its backward op has no derivative in PyTorch; a second derivative raises in both."""
    for lib in (torch, tinynn):
        x = lib.tensor([-4.0, -1.0, 0.5, 3.5], requires_grad=True)
        grad, = lib.autograd.grad(lib.nn.functional.hardsigmoid(x), x, grad_outputs=x * x, create_graph=True)
        assert grad.tolist() == pytest.approx([0.0, 1 / 6, 0.25 / 6, 0.0])
        with pytest.raises(RuntimeError, match="derivative for aten::hardsigmoid_backward is not implemented"):
            lib.autograd.grad(grad.sum(), x)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.softshrink(lib.ones(2), -0.5),
    lambda lib: lib.nn.functional.softshrink(lib.ones(2), float("inf")),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 3), 1),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 4), 2),
    lambda lib: lib.nn.functional.glu(lib.tensor(1.0)),
    lambda lib: lib.nn.functional.celu(lib.ones(2), 0.0),
    lambda lib: lib.nn.functional.threshold(lib.tensor([True, False]), 0.5, 1),
    lambda lib: lib.nn.functional.selu(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.nn.functional.celu(lib.ones(2, dtype=lib.int32)),
    lambda lib: lib.nn.functional.softshrink(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.nn.functional.hardshrink(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 4, dtype=lib.int64)),
    lambda lib: lib.nn.functional.threshold(lib.tensor([1, 5], dtype=lib.int32), 0.0, float("nan")),
    lambda lib: lib.nn.functional.threshold(lib.tensor([1, 5], dtype=lib.int32), float("inf"), 1),
    lambda lib: lib.nn.functional.threshold(lib.tensor([1, 5], dtype=lib.uint8), 0, 300),
    lambda lib: lib.nn.functional.glu(lib.ones(4, dtype=lib.int32), 1),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 3, dtype=lib.int32), 1),
], ids=["softshrink_negative_lambd", "softshrink_inf_lambd", "glu_odd", "glu_dim_out_of_range", "glu_0d", "celu_alpha_0",
        "threshold_bool", "selu_int", "celu_int", "softshrink_int", "hardshrink_int", "glu_int",
        "threshold_int_nan_value", "threshold_int_inf_threshold", "threshold_uint8_300",
        "glu_int_dim_out_of_range", "glu_int_odd"])
def test_more_activations_reject_what_torch_rejects(call):
    assert_same_error(call)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_threshold_of_integers_keeps_the_dtype_and_truncates_its_bounds_like_torch(dtype):
    x = np.array([-3, -1, 0, 1, 2, 5])
    for threshold, value in [(0.5, 7), (-1.5, 2.9), (1, -4), (-0.5, -2.7)]:
        compare_with_torch(lambda lib, x: lib.nn.functional.threshold(x, threshold, value), x, dtype=dtype, grad=False)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name, kwargs", [("elu", dict(alpha=1e300)), ("celu", dict(alpha=1e-39)),
                                          ("celu", dict(alpha=4.9e-177)), ("elu", dict(alpha=1e-300))],
                         ids=["elu_alpha_1e300", "celu_alpha_1e-39", "celu_alpha_4.9e-177", "elu_alpha_1e-300"])
def test_elu_constants_beyond_the_kernels_float_raise_like_torch(name, kwargs, dtype):
    """PyTorch's elu kernel converts alpha, scale and input_scale (celu's 1 / alpha) to its
    dtype, float32 for float16 and float32 inputs: one beyond that range raises its
    RuntimeError there, without a numpy warning; float64 takes it."""
    def fn(lib):
        return getattr(lib.nn.functional, name)(lib.tensor([-1.0, 1.0], dtype=getattr(lib, dtype)), **kwargs)

    assert_same_values_or_error(fn)
