"""Linear against ``torch.nn``: the functional form and the module, PyTorch's default init,
the graph (one node, double backward), attributes, repr and errors; and Identity.

Outputs and every gradient (inputs and parameters) are compared with the per-dtype
tolerances of ``tinynn.testing``; weights are copied from the torch module with
``load_state_dict``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import assert_same_error, randn, run_module_pair

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3), (0, 3)], ids=["batch", "vector", "3d", "empty"])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(x_shape, bias, dtype, device):
    inputs = [randn(*x_shape), randn(4, 3, seed=1)] + ([randn(4, seed=2)] if bias else [])
    compare_with_torch(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *inputs,
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module_matches_torch(bias, dtype, device):
    torch.manual_seed(0)
    run_module_pair(torch.nn.Linear(6, 4, bias=bias), tinynn.nn.Linear(6, 4, bias=bias),
                    randn(5, 6), dtype, device)


def test_linear_grad_fn_is_one_node():
    out = tinynn.nn.Linear(3, 2)(tinynn.randn(4, 3))
    assert out.grad_fn.name() == "LinearBackward0"


# Linear's backward for the input and the weight is one op (LinearBackward): its gradients
# and its own backward (second and third derivatives), for each input that needs a gradient.
LINEAR_NEEDS = {"input_and_weight": (True, True), "input_only": (True, False), "weight_only": (False, True)}


def _linear_third_order(lib, x, w, b, needs):
    """Three orders of d/d(x, w) of sum(tanh(linear(x, w, b))), through the op and its backward."""
    wanted = [t for t, need in zip((x, w), needs) if need]
    y = lib.nn.functional.linear(x, w, b).tanh().sum()
    first = lib.autograd.grad(y, wanted, create_graph=True)
    second = lib.autograd.grad(sum((g * g).sum() for g in first), wanted, create_graph=True)
    third = lib.autograd.grad(sum(g.sin().sum() for g in second), wanted)
    return list(first) + list(second) + list(third)


@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)], ids=["batch", "vector", "3d"])
@pytest.mark.parametrize("needs", LINEAR_NEEDS)
def test_linear_backward_to_the_third_order_matches_torch(needs, x_shape, device):
    rng = np.random.default_rng(0)
    arrays = rng.standard_normal(x_shape), rng.standard_normal((4, 3)), rng.standard_normal(4)
    results = []
    for lib, dev in ((tinynn, "cpu"), (torch, device)):
        kwargs = {"device": dev} if lib is torch else {}
        x, w = (lib.tensor(a, dtype=lib.float64, requires_grad=need, **kwargs)
                for a, need in zip(arrays, LINEAR_NEEDS[needs]))
        b = lib.tensor(arrays[2], dtype=lib.float64, **kwargs)
        results.append(_linear_third_order(lib, x, w, b, LINEAR_NEEDS[needs]))
    assert len(results[0]) == len(results[1])
    for i, (ours, theirs) in enumerate(zip(*results)):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().cpu().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"derivative {i}")


@pytest.mark.parametrize("x_shape", [(5, 3), (2, 4, 3)], ids=["batch", "3d"])
@pytest.mark.parametrize("needs", LINEAR_NEEDS)
def test_linear_backward_passes_gradcheck_and_gradgradcheck(needs, x_shape):
    rng = np.random.default_rng(1)
    x = tinynn.tensor(rng.standard_normal(x_shape), dtype=tinynn.float64, requires_grad=LINEAR_NEEDS[needs][0])
    w = tinynn.tensor(rng.standard_normal((4, 3)), dtype=tinynn.float64, requires_grad=LINEAR_NEEDS[needs][1])
    b = tinynn.tensor(rng.standard_normal(4), dtype=tinynn.float64, requires_grad=True)
    assert tinynn.autograd.gradcheck(tinynn.nn.functional.linear, (x, w, b))
    assert tinynn.autograd.gradgradcheck(tinynn.nn.functional.linear, (x, w, b))


def test_linear_backward_is_one_node_for_the_input_and_the_weight():
    x, w = tinynn.randn(5, 3, requires_grad=True), tinynn.randn(4, 3, requires_grad=True)
    grad_x, grad_w = tinynn.autograd.grad(tinynn.nn.functional.linear(x, w).sum(), (x, w), create_graph=True)
    assert type(grad_x.grad_fn).__name__ == "LinearBackwardBackward0"
    assert grad_x.grad_fn is grad_w.grad_fn


def test_linear_double_backward_matches_torch():
    """The backward is written with tensor ops, so a gradient of the gradient works."""
    def fn(lib, x, w, b):
        y = lib.nn.functional.linear(x, w, b).tanh().sum()
        (gx,) = lib.autograd.grad(y, (x,), create_graph=True)
        return (gx * gx).sum()

    compare_with_torch(fn, randn(3, 4), randn(2, 4, seed=1), randn(2, seed=2), dtype="float64")


def test_linear_default_init_is_uniform_with_bound_one_over_sqrt_fan_in():
    tinynn.manual_seed(0)
    layer = tinynn.nn.Linear(784, 128)
    bound = 1 / math.sqrt(784)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (128, 784) and b.shape == (128,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-k, k) has std k / sqrt(3); with 100,352 samples the estimate is within 1%
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound


def test_linear_attributes_and_repr_match_torch():
    for kwargs in ({}, {"bias": False}):
        ours, theirs = tinynn.nn.Linear(784, 128, **kwargs), torch.nn.Linear(784, 128, **kwargs)
        assert repr(ours) == repr(theirs)
        assert (ours.in_features, ours.out_features) == (theirs.in_features, theirs.out_features)


def test_linear_dtype_argument():
    assert tinynn.nn.Linear(2, 3, dtype=tinynn.float64).weight.dtype is tinynn.float64


@pytest.mark.parametrize("x_shape", [(2, 5, 100), (100,), ()])
def test_linear_shape_errors_match_torch(x_shape):
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.Linear(784, 128)(tinynn.zeros(x_shape))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(784, 128)(torch.zeros(x_shape))
    assert str(ours.value) == str(theirs.value)


def test_linear_dtype_mismatch_error_matches_torch():
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.Linear(3, 2)(tinynn.zeros(4, 3, dtype=tinynn.float64))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2)(torch.zeros(4, 3, dtype=torch.float64))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("x_shape, transposed, bias_step", [
    ((5, 2, 3), False, True), ((3,), False, True), ((2, 2, 2, 3), False, True), ((5, 3, 2), True, False),
    ((5, 2, 3), False, False), ((2, 3), False, True), ((3,), False, False)])
def test_linear_with_a_bias_of_another_dtype_follows_torchs_two_paths(x_shape, transposed, bias_step):
    """PyTorch's addmm (a 2-D input, or a contiguous input and bias folded to 2-D) refuses a
    float64 bias for a float32 input; its other path adds the bias into the float32 product."""
    def fn(lib):
        x = lib.ones(x_shape, requires_grad=True)
        x_used = x.transpose(1, 2) if transposed else x
        bias = (lib.arange(8.0, dtype=lib.float64)[::2] if bias_step else lib.arange(4.0, dtype=lib.float64))
        bias.requires_grad_()
        out = lib.nn.functional.linear(x_used, lib.ones(4, 3), bias)
        out.sum().backward()
        return out, bias.grad

    try:
        theirs = fn(torch)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="same dtype"):
            fn(tinynn)
        return
    ours = fn(tinynn)
    assert ours[0].dtype is tinynn.float32 and theirs[0].dtype is torch.float32
    np.testing.assert_array_equal(ours[0].detach().numpy(), theirs[0].detach().numpy())
    assert ours[1].dtype is tinynn.float64
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())


@pytest.mark.parametrize("x_shape, bias_shape", [((2, 3), ()), ((4, 2, 3), (1,)), ((4, 2, 3), ()), ((3,), (1, 1)),
                                                  ((3,), (2,)), ((4, 2, 3), (4, 2)), ((4, 2, 3), (3, 2)), ((3,), ())])
def test_linear_with_a_1d_weight_and_a_bias_follows_torch(x_shape, bias_shape):
    """A 1-D weight with a bias: PyTorch's addmm path (a 2-D input, or a 1-D bias) refuses the
    weight; otherwise the bias is added in place into the product, which it may not grow."""
    def fn(lib):
        return lib.nn.functional.linear(lib.ones(x_shape), lib.ones(3), lib.ones(bias_shape))

    try:
        theirs = fn(torch)
    except RuntimeError:
        assert_same_error(fn)
        return
    np.testing.assert_array_equal(fn(tinynn).numpy(), theirs.numpy())


def test_identity_returns_input():
    x = tinynn.randn(3)
    assert tinynn.nn.Identity(54, unused="x")(x) is x


def test_linear_of_integers_with_a_float_bias_on_the_in_place_path_raises_like_torch():
    """A 3-D input, or a non-contiguous bias, takes PyTorch's path that adds the bias in place
    into the product: a float bias cannot go into an int product (not numpy's UFuncTypeError)."""
    for input_shape, weight_shape in [((2, 5, 0), (4, 0)), ((2, 5, 3), (4, 3))]:
        assert_same_error(lambda lib: lib.nn.functional.linear(
            lib.ones(*input_shape, dtype=lib.int32), lib.ones(*weight_shape, dtype=lib.int32), lib.zeros(8)[::2]))
