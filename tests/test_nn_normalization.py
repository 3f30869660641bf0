"""LayerNorm, GroupNorm and RMSNorm against ``torch.nn``: the modules (weights copied with
``load_state_dict``; outputs, input and parameter gradients) and ``F.layer_norm``, reprs,
state-dict keys and the errors PyTorch raises. (BatchNorm is in test_batchnorm.py.)
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import (LAYER_NORM_AFFINE, assert_same_error, compare_module, composed_layer_norm,
                     layer_norm_derivatives, layer_norm_inputs, native_layer_norm, randn)

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized_shape, kwargs", [
    ((4, 6), 6, {}), ((2, 3, 5), (5,), dict(eps=1e-3)), ((2, 3, 4, 5), (4, 5), {}),
    ((2, 3, 5), (3, 5), dict(bias=False)), ((3, 6), (6,), dict(elementwise_affine=False)),
])
def test_layer_norm_matches_torch(shape, normalized_shape, kwargs, dtype, device):
    x = randn(*shape, scale=3.0) + 1.0
    compare_module(lambda lib: lib.nn.LayerNorm(normalized_shape, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_layer_norm_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3, 4), w, b, 1e-4),
                       randn(2, 3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2), dtype=dtype, device=device)


# -- layer_norm: one op forward, one op backward, and second derivatives in tensor ops ---------
@pytest.mark.parametrize("affine", sorted(LAYER_NORM_AFFINE))
def test_layer_norm_gradcheck_and_gradgradcheck_float64(affine):
    from tinynn.autograd import gradcheck, gradgradcheck
    inputs = tuple(t for t in layer_norm_inputs(tinynn, affine) if t is not None)
    has_weight, has_bias = LAYER_NORM_AFFINE[affine]

    def fn(x, *params):
        params = list(params)
        w = params.pop(0) if has_weight else None
        b = params.pop(0) if has_bias else None
        return tinynn.nn.functional.layer_norm(x, (3, 4), w, b)
    assert gradcheck(fn, inputs) and gradgradcheck(fn, inputs)


def test_layer_norm_backward_op_gradgradcheck_in_all_three_inputs():
    """The one-op backward as a function of any (g, x, weight), not only the g a forward
    gives it: its own backward (in tensor ops) differentiates all three formulas."""
    from tinynn.autograd import gradcheck, gradgradcheck
    from tinynn.nn.functional.normalization import LayerNormBackward
    g, x, w = (tinynn.tensor(randn(2, 5, seed=s), dtype=tinynn.float64, requires_grad=True) for s in (3, 4, 5))
    w = w[0]

    def fn(g, x, w):  # the mean and rstd the forward would pass, from this x
        mean = x._data.mean(axis=1, keepdims=True)
        rstd = 1 / np.sqrt(((x._data - mean) ** 2).mean(axis=1, keepdims=True) + 1e-5)
        return LayerNormBackward.apply(g, x, w, mean, rstd, (5,), 1e-5)
    assert gradcheck(fn, (g, x, w)) and gradgradcheck(fn, (g, x, w))


@pytest.mark.parametrize("affine", sorted(LAYER_NORM_AFFINE))
def test_first_second_and_thirdlayer_norm_derivatives_of_layer_norm_match_the_formula_in_pytorch(affine):
    """Against PyTorch running the formula as tensor ops: PyTorch's own layer_norm gives
    wrong third derivatives (test below), so its composition is the reference here."""
    ours = layer_norm_derivatives(tinynn, native_layer_norm, affine)
    theirs = layer_norm_derivatives(torch, composed_layer_norm, affine)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert (a is None) == (b is None), i
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"derivative {i}")


def test_float16_layer_norm_is_computed_in_float32_as_in_pytorch():
    """PyTorch's CPU kernel computes a float16 layer norm in float32 and rounds the result:
    so does tinynn, so the values are PyTorch's bit for bit but for an occasional last-bit
    tie, and the gradients within one float16 rounding (eps 2^-10 of the largest value)."""
    x, w, b, g = (randn(4, 64, seed=s, scale=3.0).astype(np.float16) + 5 * (s == 0) for s in range(4))
    results = []
    for lib in (torch, tinynn):
        leaves = [lib.tensor(a, requires_grad=True) for a in (x, w[0], b[0])]
        y = lib.nn.functional.layer_norm(leaves[0], (64,), leaves[1], leaves[2])
        y.backward(lib.tensor(g))
        results.append([t.detach().numpy() for t in (y, *(leaf.grad for leaf in leaves))])
    for name, ours, theirs in zip(["y", "dx", "dweight", "dbias"], results[1], results[0]):
        assert ours.dtype == theirs.dtype == np.float16, name
        scale = np.abs(theirs.astype(np.float32)).max()
        np.testing.assert_allclose(ours.astype(np.float32), theirs.astype(np.float32), rtol=0,
                                   atol=2.0 ** -10 * scale, err_msg=name)
    assert (results[1][0] == results[0][0]).mean() > 0.99


@pytest.mark.parametrize("n", [128, 4096])
def test_float32_layer_norm_of_long_rows_stays_within_a_few_roundings(n):
    """Values around 10 with spread 1, normalised over n: within 4 float32 roundings of
    the values the result has (|y| < 4, so 4 * 4 * 2^-23), for short rows (summed by BLAS)
    and long ones (summed pairwise: BLAS's lane-by-lane sums drifted to 3.9e-6 here)."""
    x = (randn(64, n, seed=1) + 10).astype(np.float32)
    exact = (x - x.mean(1, keepdims=True, dtype=np.float64)) / np.sqrt(x.astype(np.float64).var(1, keepdims=True) + 1e-5)
    ours = tinynn.nn.functional.layer_norm(tinynn.tensor(x), (n,)).numpy()
    assert np.abs(ours - exact).max() <= 16 * 2.0 ** -23


def test_backward_of_layer_norm_is_one_node_named_as_in_pytorch():
    names = []
    for lib in (torch, tinynn):
        x, w, b = layer_norm_inputs(lib, "weight and bias")
        y = lib.nn.functional.layer_norm(x, (3, 4), w, b)
        grad, = lib.autograd.grad(y, x, grad_outputs=lib.ones_like(y), create_graph=True)
        names.append((type(y.grad_fn).__name__, type(grad.grad_fn).__name__))
    assert names[1] == ("LayerNormBackward0", "LayerNormBackwardBackward0")
    assert names[0][0] == "NativeLayerNormBackward0"  # PyTorch's forward op is native_layer_norm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, groups, kwargs", [
    ((2, 6, 5), 3, {}), ((3, 4, 3, 3), 2, {}), ((2, 4, 3, 3), 4, dict(eps=1e-3)), ((2, 4, 3, 3), 1, {}),
    ((2, 6), 2, dict(affine=False)), ((2, 4, 5), 2, dict(bias=False)),
])
def test_group_norm_matches_torch(shape, groups, kwargs, dtype, device):
    x = randn(*shape, scale=2.0) - 0.5
    compare_module(lambda lib: lib.nn.GroupNorm(groups, shape[1], **kwargs), x, dtype=dtype, device=device)


def test_norm_layers_repr_and_state_dict_match_torch():
    cases = [("LayerNorm", (4,), {}), ("LayerNorm", ((3, 4),), dict(bias=False)),
             ("LayerNorm", (4,), dict(elementwise_affine=False, eps=1e-3)), ("GroupNorm", (2, 4), {}),
             ("GroupNorm", (2, 4), dict(affine=False)), ("GroupNorm", (1, 4), dict(bias=False))]
    for name, args, kwargs in cases:
        ours, theirs = getattr(tinynn.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for key, value in theirs.state_dict().items():
            assert ours.state_dict()[key].tolist() == value.tolist()
    assert tinynn.nn.LayerNorm(4).normalized_shape == torch.nn.LayerNorm(4).normalized_shape == (4,)


def test_norm_errors_match_torch():
    assert_same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (4,)), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3), (3,), weight=lib.ones(4)),
                      same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 4), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(2, 6, 4), 3, lib.ones(4)), same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.zeros(6), 3), same_message=True)
    assert_same_error(lambda lib: lib.nn.GroupNorm(3, 4), same_message=True)


@pytest.mark.parametrize("input_dtype, weight_dtype, bias_dtype", [
    ("int64", None, None), ("bool", None, None), ("int64", "int64", "float32"), ("int32", None, "float32"),
    ("int64", "float32", "int64"), ("float32", "float64", None), ("float32", "float32", "float64"),
])
def test_group_norm_checks_dtypes_in_pytorchs_order(input_dtype, weight_dtype, bias_dtype):
    """The first parameter's dtype, then the kernel's (floats only), then the second parameter's."""
    def call(lib):
        x = lib.ones(2, 4, 3, dtype=getattr(lib, input_dtype))
        weight = lib.ones(4, dtype=getattr(lib, weight_dtype)) if weight_dtype else None
        bias = lib.ones(4, dtype=getattr(lib, bias_dtype)) if bias_dtype else None
        return lib.nn.functional.group_norm(x, 2, weight, bias)
    assert_same_error(call)


@pytest.mark.parametrize("shape, groups", [((1, 2), 2), ((1, 2, 1), 2), ((1, 4, 1), 4), ((1, 3), 2)])
def test_group_norm_of_a_single_value_per_group_raises_as_pytorch(shape, groups):
    assert_same_error(lambda lib: lib.nn.functional.group_norm(lib.ones(*shape), groups), same_message=True)


# -- RMSNorm: PyTorch's composite formula, in tensor ops -----------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, normalized_shape, kwargs", [
    ((4, 6), 6, {}), ((2, 3, 5), (5,), dict(eps=1e-3)), ((2, 3, 4, 5), (4, 5), {}),
    ((3, 6), (6,), dict(elementwise_affine=False)),
])
def test_rms_norm_matches_torch(shape, normalized_shape, kwargs, dtype, device):
    x = randn(*shape, scale=3.0) + 1.0
    compare_module(lambda lib: lib.nn.RMSNorm(normalized_shape, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_functional_rms_norm_and_its_second_derivatives_match_torch(dtype, device):
    compare_with_torch(lambda lib, x, w: lib.nn.functional.rms_norm(x, (3, 4), w), randn(2, 3, 4),
                       randn(3, 4, seed=1), dtype=dtype, device=device)
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(randn(2, 5), requires_grad=True)
        grad, = lib.autograd.grad(lib.nn.functional.rms_norm(x, (5,), eps=1e-6), x, grad_outputs=x * x,
                                  create_graph=True)
        second, = lib.autograd.grad((grad * grad).sum(), x)
        results.append((grad.detach().numpy(), second.numpy()))
    for ours, theirs in zip(*results[::-1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_float16_rms_norm_is_computed_in_float32_with_float32s_eps_as_in_pytorch():
    values = np.random.default_rng(0).uniform(-3, 3, (64, 40)).astype(np.float16)
    values[0] = 0  # a row of zeros: x / sqrt(eps), the default eps is float32's
    ours, theirs = (lib.nn.functional.rms_norm(lib.tensor(values), (40,)).numpy() for lib in (tinynn, torch))
    assert ours.dtype == theirs.dtype == np.float16
    spacing = np.spacing(np.abs(theirs)).astype(np.float64)
    assert np.all(np.abs(ours.astype(np.float64) - theirs.astype(np.float64)) <= spacing)


def test_rms_norm_repr_state_dict_and_errors_match_torch():
    for args, kwargs in [((4,), {}), (((3, 4),), dict(eps=1e-5)), ((4,), dict(elementwise_affine=False))]:
        ours, theirs = tinynn.nn.RMSNorm(*args, **kwargs), torch.nn.RMSNorm(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert ours.normalized_shape == theirs.normalized_shape
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.zeros(2, 3), (4,)))
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.zeros(2, 3), (3,), lib.ones(4)))
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.zeros(2, 3, dtype=lib.int64), (3,)))
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.tensor(0.0), (4,)))      # ValueError
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.ones(3), (2, 3)))         # ValueError
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3), ()))
    assert_same_error(lambda lib: lib.nn.functional.rms_norm(lib.tensor(0.0), (3, 4), lib.tensor(0.0)))  # the weight first


def test_rms_norm_with_a_weight_of_another_dtype_keeps_the_inputs_dtype_like_torch():
    """The result has the input's dtype. (PyTorch also warns, once per process, that it cannot
    use its fused kernel; tinynn has none and does not warn.)"""
    results = []
    for lib in (torch, tinynn):
        x, w = lib.tensor(randn(2, 3), dtype=lib.float32), lib.tensor(randn(3, seed=1), dtype=lib.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore" if lib is torch else "error")
            results.append(lib.nn.functional.rms_norm(x, (3,), w))
    assert results[1].dtype is tinynn.float32 and results[0].dtype is torch.float32
    np.testing.assert_allclose(results[1].numpy(), results[0].numpy(), rtol=1e-6)