"""Autograd: accumulation, retain_graph, grad modes, autograd.grad, higher-order gradients,
custom Functions, gradcheck, hooks, in-place ops and the version counter, vs PyTorch.

Most tests run the same function with ``lib = tinynn`` and ``lib = torch`` (``run_both``
or ``compare_with_torch``) and compare every number they return.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def run_both(fn, device: str, **tolerances) -> None:
    """Run ``fn(lib, device)`` in both libraries; compare the tensors (or lists of them) it returns."""
    ours, theirs = fn(tinynn, "cpu"), fn(torch, device)
    ours = ours if isinstance(ours, (list, tuple)) else [ours]
    theirs = theirs if isinstance(theirs, (list, tuple)) else [theirs]
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if t is None or o is None:
            assert o is None and t is None, f"result {i}: {o!r} vs {t!r}"
        else:
            assert_close(o, t, name=f"result {i}", **tolerances)


def leaf(lib, device, data, dtype="float32"):
    return lib.tensor(np.asarray(data), dtype=getattr(lib, dtype), requires_grad=True,
                      **({"device": device} if lib is torch else {}))


# -- accumulation and retain_graph --------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_backward_twice_accumulates_into_grad(dtype, device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, -2.0, 3.0], dtype)
        y = (x * x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        return first, x.grad

    run_both(fn, device)


def test_backward_of_two_graphs_accumulates(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        (x * 2).sum().backward()
        (x.exp()).sum().backward()
        return x.grad

    run_both(fn, device)


def test_accumulating_inf_and_minus_inf_gives_nan_without_a_numpy_warning(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        (x * float("inf")).sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (x * float("-inf")).sum().backward()  # grad: inf + -inf = nan
        return x.grad

    run_both(fn, device)


def test_grad_zero_resets_accumulation(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        (x * 3).sum().backward()
        x.grad.zero_()
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


def test_grad_set_to_none_starts_fresh(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        (x * 3).sum().backward()
        x.grad = None
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


def test_assigning_grad_of_wrong_shape_raises():
    for lib in (torch, tinynn):
        x = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="same size"):
            x.grad = lib.zeros(2)


def test_retain_graph_allows_second_backward_with_same_result(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [0.5, 1.5])
        y = (x.tanh() * x.sigmoid()).sum()
        g1 = lib.autograd.grad(y, x, retain_graph=True)[0]
        g2 = lib.autograd.grad(y, x)[0]
        return g1, g2

    run_both(fn, device)


def test_second_backward_through_freed_graph_raises():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            y.backward()


def test_second_backward_through_graph_without_saved_tensors_is_allowed(device):
    """Add saves nothing, so nothing is freed: PyTorch allows the second backward."""

    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad

    run_both(fn, device)


def test_backward_with_gradient_argument(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [[1.0, 2.0], [3.0, 4.0]])
        y = x * x
        y.backward(gradient=lib.tensor([[1.0, 0.5], [-1.0, 2.0]], **({"device": dev} if lib is torch else {})))
        return x.grad

    run_both(fn, device)


def test_backward_inputs_argument_accumulates_only_there(device):
    def fn(lib, dev):
        a, b = leaf(lib, dev, [1.0, 2.0]), leaf(lib, dev, [3.0, 4.0])
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad

    run_both(fn, device)


def test_autograd_backward_with_several_outputs(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        lib.autograd.backward([(x * 2).sum(), (x * x).sum()])
        return x.grad

    run_both(fn, device)


# -- leaves, retain_grad, detach, requires_grad_ ----------------------------------------------
def test_retain_grad_keeps_non_leaf_gradient(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, -2.0])
        y = x * 3
        y.retain_grad()
        z = (y * y).sum()
        z.backward()
        return y.grad, x.grad

    run_both(fn, device)


def test_retains_grad_flag():
    for lib in (torch, tinynn):
        y = lib.ones(2, requires_grad=True) * 2
        assert not y.retains_grad
        y.retain_grad()
        assert y.retains_grad


def test_retain_grad_on_leaf_is_a_no_op(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        x.retain_grad()
        (x * 2).sum().backward()
        return x.grad

    run_both(fn, device)


def test_non_leaf_grad_is_none_and_warns():
    for lib in (torch, tinynn):
        y = lib.ones(2, requires_grad=True) * 2
        y.sum().backward()
        with pytest.warns(UserWarning, match="not a leaf"):
            assert y.grad is None


def test_leaf_grad_access_does_not_warn():
    x = tinynn.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is None


def test_detach_stops_gradient(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        y = x * x.detach() + x.exp().detach() * 2
        y.sum().backward()
        return x.grad

    run_both(fn, device)


def test_detach_shares_memory_and_is_a_leaf():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True) * 2
        d = x.detach()
        assert d.is_leaf and not d.requires_grad and d.grad_fn is None
        d[0] = 7.0
        assert x[0].item() == 7.0


def test_detach_in_place_cuts_the_graph():
    for lib in (torch, tinynn):
        y = lib.ones(2, requires_grad=True) * 2
        y.detach_()
        assert y.is_leaf and not y.requires_grad


def test_requires_grad_in_place_on_leaf(device):
    def fn(lib, dev):
        x = lib.tensor([1.0, 2.0], **({"device": dev} if lib is torch else {}))
        assert x.requires_grad_() is x and x.requires_grad
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


def test_requires_grad_false_on_result_raises():
    for lib in (torch, tinynn):
        y = lib.ones(2, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="leaf variables"):
            y.requires_grad_(False)
        with pytest.raises(RuntimeError, match="leaf variables"):
            y.requires_grad = False


def test_requires_grad_true_on_result_is_allowed():
    for lib in (torch, tinynn):
        y = lib.ones(2, requires_grad=True) * 2
        assert y.requires_grad_() is y


def test_requires_grad_propagates():
    for lib in (torch, tinynn):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2)
        assert (a + b).requires_grad and not (b + b).requires_grad
        assert not (a > 0).requires_grad
        assert not a.argmax().requires_grad


# -- grad modes ----------------------------------------------------------------------------------
def test_no_grad_context_records_nothing():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            y = x * 2
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()
        assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_inside_no_grad_records():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            with lib.enable_grad():
                y = x * 2
            z = x * 2
        assert y.requires_grad and not z.requires_grad


@pytest.mark.parametrize("mode", [True, False])
def test_set_grad_enabled_as_context(mode):
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        with lib.set_grad_enabled(mode):
            y = x * 2
        assert y.requires_grad is mode and lib.is_grad_enabled()


def test_set_grad_enabled_as_function_call():
    for lib in (torch, tinynn):
        try:
            lib.set_grad_enabled(False)
            assert not lib.is_grad_enabled()
            assert not (lib.ones(1, requires_grad=True) * 2).requires_grad
        finally:
            lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()


def _decorated(lib, decorator_name: str):
    decorators = {
        "no_grad()": lambda f: lib.no_grad()(f),
        "no_grad": lambda f: lib.no_grad(f),
        "enable_grad()": lambda f: lib.enable_grad()(f),
        "enable_grad": lambda f: lib.enable_grad(f),
        "set_grad_enabled(False)": lambda f: lib.set_grad_enabled(False)(f),
        "set_grad_enabled(True)": lambda f: lib.set_grad_enabled(True)(f),
        "inference_mode": lambda f: lib.inference_mode(f),
        "inference_mode()": lambda f: lib.inference_mode()(f),
        "inference_mode(False)": lambda f: lib.inference_mode(False)(f),
    }

    @decorators[decorator_name]
    def probe(x):
        """Docstring kept by functools.wraps."""
        return lib.is_grad_enabled(), (x * 2).requires_grad

    return probe


@pytest.mark.parametrize("outer", ["enabled", "no_grad"])
@pytest.mark.parametrize("decorator_name", [
    "no_grad()", "no_grad", "enable_grad()", "enable_grad", "set_grad_enabled(False)",
    "set_grad_enabled(True)", "inference_mode", "inference_mode()", "inference_mode(False)",
])
def test_grad_mode_decorators_match_torch(decorator_name, outer):
    results = []
    for lib in (torch, tinynn):
        probe = _decorated(lib, decorator_name)
        assert lib.is_grad_enabled()  # decorating changes nothing by itself
        x = lib.ones(2, requires_grad=True)
        if outer == "no_grad":
            with lib.no_grad():
                results.append(probe(x))
        else:
            results.append(probe(x))
        assert lib.is_grad_enabled()
        assert probe.__doc__ == "Docstring kept by functools.wraps."
    assert results[0] == results[1]


def test_grad_mode_is_restored_after_an_exception():
    for lib in (torch, tinynn):
        with pytest.raises(ValueError):
            with lib.no_grad():
                raise ValueError("inside")
        assert lib.is_grad_enabled()


def test_backward_inside_no_grad_still_computes_gradients(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        y = (x * x).sum()
        with lib.no_grad():
            y.backward()
        return x.grad

    run_both(fn, device)


# -- autograd.grad ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_with_grad_outputs(dtype, device):
    def fn(lib, dev):
        x = leaf(lib, dev, [[1.0, 2.0], [3.0, -1.0]], dtype)
        y = x.tanh() * x
        v = lib.tensor([[1.0, -1.0], [0.5, 2.0]], dtype=getattr(lib, dtype),
                       **({"device": dev} if lib is torch else {}))
        return lib.autograd.grad(y, x, grad_outputs=v)

    run_both(fn, device)


def test_grad_with_several_inputs_and_outputs(device):
    def fn(lib, dev):
        a, b = leaf(lib, dev, [1.0, 2.0]), leaf(lib, dev, [0.5, -1.0])
        y1, y2 = (a * b).sum(), (a.exp() + b).sum()
        return lib.autograd.grad([y1, y2], [a, b])

    run_both(fn, device)


def test_grad_does_not_touch_dot_grad():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), x)
        assert x.grad is None


def test_grad_with_allow_unused_returns_none(device):
    def fn(lib, dev):
        a, b = leaf(lib, dev, [1.0, 2.0]), leaf(lib, dev, [3.0, 4.0])
        return lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)

    run_both(fn, device)


def test_grad_with_materialize_grads_returns_zeros(device):
    def fn(lib, dev):
        a, b = leaf(lib, dev, [1.0, 2.0]), leaf(lib, dev, [3.0, 4.0])
        return lib.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)

    run_both(fn, device)


def test_grad_of_non_leaf_input(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        h = x * 3
        y = (h * h).sum()
        return lib.autograd.grad(y, h)

    run_both(fn, device)


# -- higher-order gradients --------------------------------------------------------------------
SECOND_DERIVATIVES = {
    "cube": lambda lib, x: x ** 3,
    "tanh": lambda lib, x: x.tanh(),
    "sigmoid": lambda lib, x: x.sigmoid(),
    "exp_times_sin": lambda lib, x: x.exp() * x.sin(),
    "log_of_square_plus_one": lambda lib, x: (x * x + 1).log(),
    "softmax_weighted": lambda lib, x: (x.softmax(0) * lib.arange(4.0).to(x.dtype).to(x.device)).sum(),
    "log_softmax_entry": lambda lib, x: x.log_softmax(0)[1],
    "logsumexp": lambda lib, x: x.logsumexp(0),
    "sqrt_of_square_plus_one": lambda lib, x: (x * x + 1).sqrt(),
    "div": lambda lib, x: 1 / (x * x + 2),
    "pow_tensor_exponent": lambda lib, x: (x * x + 1) ** x,
    "std": lambda lib, x: x.std(),
    "norm": lambda lib, x: x.norm(),
    "var": lambda lib, x: x.var(),
    "prod": lambda lib, x: x.prod(),
    "matmul_quadratic": lambda lib, x: x @ (x.unsqueeze(1) * x.unsqueeze(0)) @ x,
    "max": lambda lib, x: x.max() ** 2,
    "where": lambda lib, x: lib.where(x > 0, x ** 3, x ** 2),
    "relu_squared": lambda lib, x: x.relu() ** 2,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_second_derivative_matches_torch(name, dtype, device):
    """d/dx (sum of dy/dx): the diagonal-ish second derivative, via create_graph=True."""
    f = SECOND_DERIVATIVES[name]

    def fn(lib, x):
        y = f(lib, x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        return g, h

    compare_with_torch(fn, np.array([0.3, -0.7, 1.2, 0.9]), dtype=dtype, device=device)


def test_third_derivative_of_x_to_the_fourth(device):
    def fn(lib, dev):
        x = leaf(lib, dev, 1.5, "float64")
        y = x ** 4
        (d1,) = lib.autograd.grad(y, x, create_graph=True)
        (d2,) = lib.autograd.grad(d1, x, create_graph=True)
        (d3,) = lib.autograd.grad(d2, x)
        return d1, d2, d3

    run_both(fn, device)
    assert tinynn.autograd.grad(tinynn.autograd.grad(tinynn.autograd.grad(
        (x := tinynn.tensor(1.5, dtype=tinynn.float64, requires_grad=True)) ** 4, x, create_graph=True)[0],
        x, create_graph=True)[0], x)[0].item() == pytest.approx(24 * 1.5)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_gives_differentiable_grad(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [0.5, -1.0], "float64")
        y = (x.sin() * x).sum()
        y.backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h

    run_both(fn, device)


def _mlp(lib, x, w1, b1, w2):
    """A small two-layer network with a scalar loss."""
    return ((x @ w1 + b1).tanh() @ w2).sigmoid().sum()


@pytest.mark.parametrize("dtype", DTYPES)
def test_hessian_vector_product_of_mlp_matches_torch(dtype, device):
    """H v = d/dw (dL/dw . v), computed with double backward in both libraries."""
    x = randn(5, 3, seed=0)
    v1, v2 = randn(3, 4, seed=3), randn(4, 1, seed=4)

    def fn(lib, w1, b1, w2):
        xs = lib.tensor(x, dtype=w1.dtype, device=w1.device) if lib is torch else lib.tensor(x, dtype=w1.dtype)
        t1 = lib.tensor(v1, dtype=w1.dtype, device=w1.device) if lib is torch else lib.tensor(v1, dtype=w1.dtype)
        t2 = lib.tensor(v2, dtype=w1.dtype, device=w1.device) if lib is torch else lib.tensor(v2, dtype=w1.dtype)
        loss = _mlp(lib, xs, w1, b1, w2)
        g1, g2 = lib.autograd.grad(loss, (w1, w2), create_graph=True)
        dot = (g1 * t1).sum() + (g2 * t2).sum()
        return lib.autograd.grad(dot, (w1, b1, w2), create_graph=True)

    compare_with_torch(fn, randn(3, 4, seed=1), randn(4, seed=2), randn(4, 1, seed=5), dtype=dtype, device=device)


def test_hessian_vector_product_matches_torch_functional_hvp():
    x, w1, b1, w2 = randn(5, 3), randn(3, 4, seed=1), randn(4, seed=2), randn(4, 1, seed=5)
    v1, v2 = randn(3, 4, seed=3), randn(4, 1, seed=4)
    tx, tb1 = torch.tensor(x), torch.tensor(b1)
    _, (hv1, hv2) = torch.autograd.functional.hvp(lambda a, b: _mlp(torch, tx, a, tb1, b),
                                                  (torch.tensor(w1), torch.tensor(w2)),
                                                  (torch.tensor(v1), torch.tensor(v2)))
    W1 = tinynn.tensor(w1, requires_grad=True)
    W2 = tinynn.tensor(w2, requires_grad=True)
    loss = _mlp(tinynn, tinynn.tensor(x), W1, tinynn.tensor(b1), W2)
    g1, g2 = tinynn.autograd.grad(loss, (W1, W2), create_graph=True)
    ours = tinynn.autograd.grad((g1 * tinynn.tensor(v1)).sum() + (g2 * tinynn.tensor(v2)).sum(), (W1, W2))
    assert_close(ours[0], hv1)
    assert_close(ours[1], hv2)


def test_full_hessian_matches_torch():
    a = randn(3, 3)
    x0 = np.array([0.2, -0.4, 0.9])

    def f(lib, x):
        m = lib.tensor(a, dtype=x.dtype)
        return ((m @ x).tanh() ** 2).sum() + (x ** 3).sum()

    expected = torch.autograd.functional.hessian(lambda x: f(torch, x), torch.tensor(x0))
    x = tinynn.tensor(x0, requires_grad=True)
    (g,) = tinynn.autograd.grad(f(tinynn, x), x, create_graph=True)
    rows = [tinynn.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(3)]
    assert_close(tinynn.stack(rows), expected)


# -- custom autograd.Function, written once for both libraries -----------------------------------
def make_scaled_exp(lib):
    """z = exp(x) * scale + y^2, a custom Function with a non-tensor argument.

    It saves its inputs and recomputes exp(x) in backward, so that its backward is
    differentiable (double backward sees exp(x) as a function of x).
    """

    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, scale):
            ctx.save_for_backward(x, y)
            ctx.scale = scale
            return x.exp() * scale + y * y

        @staticmethod
        def backward(ctx, grad_output):
            x, y = ctx.saved_tensors
            grad_x = grad_output * x.exp() * ctx.scale if ctx.needs_input_grad[0] else None
            grad_y = grad_output * 2 * y if ctx.needs_input_grad[1] else None
            return grad_x, grad_y, None

    return ScaledExp


def make_saves_intermediate(lib):
    """exp(x) * 2 that saves exp(x), an intermediate: double backward treats it as a constant."""

    class SavesIntermediate(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            z = x.exp()
            ctx.save_for_backward(z)
            return z * 2

        @staticmethod
        def backward(ctx, grad_output):
            (z,) = ctx.saved_tensors
            return grad_output * z * 2

    return SavesIntermediate


def make_square_with_backward_op(lib, scale_of_dg: float):
    """x^2 whose backward is its own op, SquareBackward: (g, x) -> 2 g x. The backward of
    that op has two terms, d/dg = 2 x and d/dx = 2 g; ``scale_of_dg`` = 2 is right, anything
    else is wrong in d/dg only (the d/dx term, and so the second derivative in x, stay right)."""

    class SquareBackward(lib.autograd.Function):
        @staticmethod
        def forward(ctx, grad_output, x):
            ctx.save_for_backward(grad_output, x)
            return 2 * grad_output * x

        @staticmethod
        def backward(ctx, grad_grad):
            grad_output, x = ctx.saved_tensors
            return scale_of_dg * grad_grad * x, 2 * grad_grad * grad_output

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return SquareBackward.apply(grad_output, x)

    return Square


def make_two_outputs(lib):
    """(x + y, x * y): a custom Function with two outputs."""

    class SumProd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x + y, x * y

        @staticmethod
        def backward(ctx, grad_sum, grad_prod):
            x, y = ctx.saved_tensors
            return grad_sum + grad_prod * y, grad_sum + grad_prod * x

    return SumProd


@pytest.mark.parametrize("dtype", DTYPES)
def test_custom_function_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, y: make_scaled_exp(lib).apply(x, y, 2.5), randn(3, 2), randn(3, 2, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_custom_function_with_two_outputs_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, y: make_two_outputs(lib).apply(x, y), randn(4), randn(4, seed=1),
                       dtype=dtype, device=device)


def test_custom_function_one_input_not_requiring_grad(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [0.1, 0.2])
        y = lib.tensor([1.0, 2.0], **({"device": dev} if lib is torch else {}))
        make_scaled_exp(lib).apply(x, y, 3.0).sum().backward()
        return x.grad, y.grad

    run_both(fn, device)


def test_custom_function_double_backward_matches_torch(device):
    """Its backward uses differentiable tensor ops, so create_graph=True works through it."""

    def fn(lib, x, y):
        z = make_scaled_exp(lib).apply(x, y, 1.5).sum()
        gx, gy = lib.autograd.grad(z, (x, y), create_graph=True)
        return gx, gy

    compare_with_torch(fn, randn(3), randn(3, seed=1), dtype="float64", device=device)


def test_custom_function_grad_fn_name_matches_torch():
    ours = make_scaled_exp(tinynn).apply(tinynn.ones(2, requires_grad=True), tinynn.ones(2), 1.0)
    theirs = make_scaled_exp(torch).apply(torch.ones(2, requires_grad=True), torch.ones(2), 1.0)
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "ScaledExpBackward"


def test_custom_function_without_grad_records_nothing():
    for lib in (torch, tinynn):
        out = make_scaled_exp(lib).apply(lib.ones(2), lib.ones(2), 1.0)
        assert not out.requires_grad and out.grad_fn is None


def test_custom_function_mark_non_differentiable(device):
    def make(lib):
        class SortValues(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = x.argsort()
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(idx)
                return x[idx] * 1, idx

            @staticmethod
            def backward(ctx, grad_values, grad_idx):
                (idx,) = ctx.saved_tensors
                grad = grad_values * 0
                grad[idx] = grad_values
                return grad

        return SortValues

    def fn(lib, dev):
        x = leaf(lib, dev, [3.0, 1.0, 2.0])
        values, idx = make(lib).apply(x)
        assert not idx.requires_grad
        (values * lib.arange(3.0, **({"device": dev} if lib is torch else {}))).sum().backward()
        return values, idx, x.grad

    run_both(fn, device)


def test_function_is_not_instantiated():
    with pytest.raises(RuntimeError):
        make_scaled_exp(tinynn)()


def test_custom_function_returning_wrong_number_of_gradients_raises():
    for lib in (torch, tinynn):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output, grad_output

        with pytest.raises(RuntimeError, match="incorrect number of gradients"):
            Bad.apply(lib.ones(2, requires_grad=True)).sum().backward()


# -- gradcheck and gradgradcheck on every differentiable op ---------------------------------------
def positive(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)


GRADCHECK_OPS = {
    "add": (lambda a, b: a + b, [randn(2, 3), randn(3, seed=1)]),
    "sub": (lambda a, b: a - b, [randn(2, 3), randn(2, 1, seed=1)]),
    "mul": (lambda a, b: a * b, [randn(2, 3), randn(3, seed=1)]),
    "div": (lambda a, b: a / b, [randn(2, 3), positive(2, 3, seed=1)]),
    "pow_tensor": (lambda a, b: a ** b, [positive(2, 3), randn(2, 3, seed=1)]),
    "pow_scalar": (lambda a: a ** 3, [randn(2, 3)]),
    "rpow": (lambda a: 2.0 ** a, [randn(2, 3)]),
    "maximum": (lambda a, b: a.maximum(b), [randn(2, 3), randn(2, 3, seed=1)]),
    "minimum": (lambda a, b: a.minimum(b), [randn(2, 3), randn(2, 3, seed=1)]),
    "neg": (lambda a: -a, [randn(2, 3)]),
    "exp": (lambda a: a.exp(), [randn(2, 3)]),
    "log": (lambda a: a.log(), [positive(2, 3)]),
    "sqrt": (lambda a: a.sqrt(), [positive(2, 3)]),
    "abs": (lambda a: a.abs(), [randn(2, 3)]),
    "sin": (lambda a: a.sin(), [randn(2, 3)]),
    "cos": (lambda a: a.cos(), [randn(2, 3)]),
    "tanh": (lambda a: a.tanh(), [randn(2, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [randn(2, 3)]),
    "relu": (lambda a: a.relu(), [randn(2, 3)]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [randn(2, 3)]),
    "where": (lambda a, b: tinynn.where(a > 0, a, b), [randn(2, 3), randn(3, seed=1)]),
    "sum": (lambda a: a.sum(1), [randn(2, 3)]),
    "mean": (lambda a: a.mean(0, keepdim=True), [randn(2, 3)]),
    "prod": (lambda a: a.prod(1), [positive(2, 3)]),
    "max_dim": (lambda a: a.max(1).values, [randn(2, 3)]),
    "max_all": (lambda a: a.max(), [randn(2, 3)]),
    "amin": (lambda a: a.amin(0), [randn(2, 3)]),
    "var": (lambda a: a.var(1), [randn(2, 3)]),
    "std": (lambda a: a.std(0), [randn(3, 2)]),
    "norm": (lambda a: a.norm(dim=1), [randn(2, 3)]),
    "logsumexp": (lambda a: a.logsumexp(1), [randn(2, 3)]),
    "logsumexp_two_dims_keepdim": (lambda a: a.logsumexp((0, 2), keepdim=True), [randn(2, 3, 2)]),
    "logsumexp_two_dims": (lambda a: a.logsumexp((2, 0)), [randn(2, 3, 2)]),
    "flip": (lambda a: a.flip((0, 1)), [randn(2, 3)]),
    "softmax": (lambda a: a.softmax(1), [randn(2, 3)]),
    "log_softmax": (lambda a: a.log_softmax(0), [randn(2, 3)]),
    "matmul": (lambda a, b: a @ b, [randn(2, 3), randn(3, 2, seed=1)]),
    "matmul_batched_vector": (lambda a, b: a @ b, [randn(2, 2, 3), randn(3, seed=1)]),
    "view": (lambda a: a.view(3, 2), [randn(2, 3)]),
    "reshape_transposed": (lambda a: a.t().reshape(-1), [randn(2, 3)]),
    "permute": (lambda a: a.permute(2, 0, 1), [randn(2, 1, 3)]),
    "transpose": (lambda a: a.transpose(0, 1), [randn(2, 3)]),
    "expand": (lambda a: a.expand(2, 3, 2), [randn(3, 1)]),
    "squeeze_unsqueeze": (lambda a: a.unsqueeze(0).squeeze(), [randn(2, 3)]),
    "flatten": (lambda a: a.flatten(), [randn(2, 3)]),
    "repeat": (lambda a: a.repeat(2, 1), [randn(2, 3)]),
    "cat": (lambda a, b: tinynn.cat([a, b], 1), [randn(2, 3), randn(2, 1, seed=1)]),
    "stack": (lambda a, b: tinynn.stack([a, b]), [randn(2, 3), randn(2, 3, seed=1)]),
    "split": (lambda a: a.split([1, 2], 1), [randn(2, 3)]),
    "chunk": (lambda a: a.chunk(2, 0), [randn(3, 2)]),
    "index_int_slice": (lambda a: a[1, ::2], [randn(2, 3)]),
    "index_tensor": (lambda a: a[tinynn.tensor([0, 0, 1])], [randn(2, 3)]),
    "index_mask": (lambda a: a[a > 0], [randn(2, 3)]),
    "gather": (lambda a: a.gather(1, tinynn.tensor([[0, 2], [1, 1]])), [randn(2, 3)]),
    "masked_fill": (lambda a: a.masked_fill(a < 0, 0.0), [randn(2, 3)]),
    "to_float32_and_back": (lambda a: a.float().double() * 1, [randn(2, 3)]),  # looser: see below
    "clone": (lambda a: a.clone(), [randn(2, 3)]),
    "sum_to_size": (lambda a: a.sum_to_size(1, 3), [randn(2, 3)]),
}


def _tinynn_inputs(arrays):
    return tuple(tinynn.tensor(a, dtype=tinynn.float64, requires_grad=True) for a in arrays)


# A float32 round trip rounds f(x +- eps) to 7 digits: with eps = 1e-6 the finite difference
# would be noise. A larger eps and tolerance check the cast's gradient instead.
GRADCHECK_OPTIONS = {"to_float32_and_back": dict(eps=1e-3, atol=1e-3, rtol=1e-3)}


@pytest.mark.parametrize("name", sorted(GRADCHECK_OPS))
def test_gradcheck_passes_for_op(name):
    fn, arrays = GRADCHECK_OPS[name]
    assert tinynn.autograd.gradcheck(fn, _tinynn_inputs(arrays), **GRADCHECK_OPTIONS.get(name, {}))


@pytest.mark.parametrize("name", sorted(GRADCHECK_OPS))
def test_gradgradcheck_passes_for_op(name):
    fn, arrays = GRADCHECK_OPS[name]
    assert tinynn.autograd.gradgradcheck(fn, _tinynn_inputs(arrays), **GRADCHECK_OPTIONS.get(name, {}))


def make_wrong_backward(lib):
    """exp whose backward forgets the chain rule's incoming gradient scale: 2 e^x instead of e^x."""

    class WrongExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            z = x.exp()
            ctx.save_for_backward(z)
            return z

        @staticmethod
        def backward(ctx, grad_output):
            (z,) = ctx.saved_tensors
            return grad_output * z * 2

    return WrongExp


def test_gradcheck_raises_for_wrong_backward_like_torch():
    x_t = torch.tensor(randn(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch") as theirs:
        torch.autograd.gradcheck(make_wrong_backward(torch).apply, (x_t,))
    x = tinynn.tensor(randn(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch") as ours:
        tinynn.autograd.gradcheck(make_wrong_backward(tinynn).apply, (x,))
    assert isinstance(theirs.value, RuntimeError) and isinstance(ours.value, RuntimeError)


def test_gradcheck_returns_false_without_raise_exception():
    x = tinynn.tensor(randn(3), requires_grad=True)
    assert tinynn.autograd.gradcheck(make_wrong_backward(tinynn).apply, (x,), raise_exception=False) is False
    x_t = torch.tensor(randn(3), requires_grad=True)
    assert torch.autograd.gradcheck(make_wrong_backward(torch).apply, (x_t,), raise_exception=False) is False


def test_gradcheck_passes_for_correct_custom_function():
    x, y = _tinynn_inputs([randn(3), randn(3, seed=1)])
    assert tinynn.autograd.gradcheck(lambda a, b: make_scaled_exp(tinynn).apply(a, b, 0.5), (x, y))
    assert tinynn.autograd.gradgradcheck(lambda a, b: make_scaled_exp(tinynn).apply(a, b, 0.5), (x, y))


def test_saving_an_intermediate_breaks_gradgradcheck_as_in_torch():
    """Saved tensors that are neither inputs nor outputs are constants to double backward,
    in PyTorch and in tinynn alike: gradcheck passes, gradgradcheck fails in both."""
    for lib in (torch, tinynn):
        x = lib.tensor(randn(3), dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradcheck(make_saves_intermediate(lib).apply, (x,))
        assert lib.autograd.gradgradcheck(make_saves_intermediate(lib).apply, (x,), raise_exception=False) is False


@pytest.mark.parametrize("scale_of_dg, passes", [(2.0, True), (3.0, False)])
def test_gradgradcheck_checks_the_backward_in_the_incoming_gradient_as_torch(scale_of_dg, passes):
    """gradgradcheck differentiates the backward with respect to the inputs *and* the
    incoming gradient (grad_outputs), as PyTorch's does: a wrong d/dg fails it."""
    for lib in (torch, tinynn):
        x = lib.tensor(randn(3), dtype=lib.float64, requires_grad=True)
        square = make_square_with_backward_op(lib, scale_of_dg)
        assert lib.autograd.gradcheck(square.apply, (x,))
        assert lib.autograd.gradgradcheck(square.apply, (x,), raise_exception=False) is passes
        # given grad_outputs that need no gradient, only the inputs are checked (both libraries)
        v = lib.tensor(randn(3, seed=5), dtype=lib.float64)
        assert lib.autograd.gradgradcheck(square.apply, (x,), (v,))


def make_saves_a_number(lib):
    class SavesANumber(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 2.0)
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2

    return SavesANumber


def test_custom_function_saving_a_number_raises_as_in_torch():
    # only tensors (and None) may be saved; PyTorch checks when it records the op
    assert_same_error(lambda lib: make_saves_a_number(lib).apply(lib.ones(2, requires_grad=True)))
    for lib in (torch, tinynn):
        assert make_saves_a_number(lib).apply(lib.ones(2)).tolist() == [2.0, 2.0]  # not recorded: no check


def test_gradcheck_warns_for_float32_inputs():
    x = tinynn.tensor(randn(2), dtype=tinynn.float32, requires_grad=True)
    with pytest.warns(UserWarning, match="double precision"):
        tinynn.autograd.gradcheck(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2)


# -- Variable ----------------------------------------------------------------------------------------
def test_variable_returns_the_tensor_with_a_deprecation_warning():
    t = tinynn.ones(2)
    with pytest.warns(DeprecationWarning, match="merged into Tensor"):
        v = tinynn.autograd.Variable(t, requires_grad=True)
    assert v is t and isinstance(v, tinynn.Tensor) and v.requires_grad


def test_variable_result_works_like_torch_variable(device):
    def fn(lib, dev):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            x = lib.autograd.Variable(lib.tensor([1.0, 2.0], **({"device": dev} if lib is torch else {})),
                                      requires_grad=True)
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


# -- graph structure -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_diamond_graph_sums_both_paths(dtype, device):
    """x feeds a and b, both feed c: dc/dx = dc/da da/dx + dc/db db/dx."""

    def fn(lib, x):
        a = x * 2
        b = x.exp()
        return a * b + a.sin()

    compare_with_torch(fn, randn(3), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_node_used_many_times_gets_the_summed_gradient(dtype, device):
    def fn(lib, x):
        y = x.tanh()
        return y * y * y + y + (y @ y)

    compare_with_torch(fn, randn(4), dtype=dtype, device=device)


def test_node_gradient_is_complete_before_it_is_passed_on():
    """A naive recursive backward would call h's backward twice with partial gradients."""
    x = tinynn.tensor(2.0, requires_grad=True)
    calls = []
    h = x * x
    h.register_hook(lambda g: calls.append(g.item()))
    y = h * 3 + h.exp() * 0 + h
    y.backward()
    assert calls == [4.0]
    assert x.grad.item() == pytest.approx(16.0)


def test_deep_chain_does_not_hit_recursion_limit(device):
    depth = 5000
    assert depth > sys.getrecursionlimit() / 2

    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0], "float64")
        y = x
        for _ in range(depth):
            y = y * 1.0001
        y.sum().backward()
        return y, x.grad

    run_both(fn, device, rtol=1e-10, atol=0)


def test_deep_chain_of_mixed_ops_with_create_graph():
    """3000 nodes deep (3x Python's default recursion limit), differentiated twice."""
    x = tinynn.tensor([0.1, 0.2], dtype=tinynn.float64, requires_grad=True)
    y = x
    for _ in range(1000):
        y = (y + 0.0001).sin() * 1.0
    (g,) = tinynn.autograd.grad(y.sum(), x, create_graph=True)
    (h,) = tinynn.autograd.grad(g.sum(), x)
    xt = torch.tensor([0.1, 0.2], dtype=torch.float64, requires_grad=True)
    yt = xt
    for _ in range(1000):
        yt = (yt + 0.0001).sin() * 1.0
    (gt,) = torch.autograd.grad(yt.sum(), xt, create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), xt)
    assert_close(g, gt)
    assert_close(h, ht)


def test_grad_fn_next_functions_structure():
    x = tinynn.ones(2, requires_grad=True)
    y = x * 2
    z = y + x
    (first, _), (second, _) = z.grad_fn.next_functions
    assert first is y.grad_fn
    assert second.name() == "AccumulateGrad" and second.variable is x


# -- hooks ----------------------------------------------------------------------------------------------
def test_hook_on_leaf_can_change_its_gradient(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


def test_hook_on_non_leaf_changes_what_flows_back(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        y = x * 3
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        (y * y).sum().backward()
        return seen[0], x.grad

    run_both(fn, device)


def test_removed_hook_is_not_called(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        handle = x.register_hook(lambda g: g * 10)
        handle.remove()
        (x * x).sum().backward()
        return x.grad

    run_both(fn, device)


def test_register_hook_on_tensor_without_grad_raises():
    for lib in (torch, tinynn):
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_hook(lambda g: g)


# -- the version counter and in-place ops ---------------------------------------------------------------
def test_modifying_a_saved_tensor_in_place_raises_at_backward():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_modifying_a_saved_output_in_place_raises_at_backward():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()  # saves its output
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_in_place_op_on_a_saved_output_raises_at_backward():
    """exp_ saves its output; sqrt_ then overwrites it."""
    for lib in (torch, tinynn):
        b = lib.tensor([1.0, 2.0], requires_grad=True) * 1.5
        b.exp_().sqrt_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_in_place_op_with_its_own_detached_view_raises_at_backward():
    """b.mul_(b.detach()) saves b.detach(), which shares b's memory and version counter."""
    for lib in (torch, tinynn):
        b = lib.tensor([1.0, 2.0], requires_grad=True) * 1.5
        b.mul_(b.detach())
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


def test_version_counter_counts_in_place_ops():
    for lib in (torch, tinynn):
        x = lib.zeros(3)
        v0 = x._version
        x.add_(1)
        x.mul_(2)
        x[0] = 5.0
        assert x._version == v0 + 3


def test_view_shares_the_version_counter():
    for lib in (torch, tinynn):
        x = lib.zeros(3)
        v = x[1:]
        v.add_(1)
        assert x._version == v._version == 1


def test_modifying_a_tensor_not_needed_by_backward_is_fine(device):
    """Mul by a constant saves nothing of its input, so changing it later is not an error."""

    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        w = leaf(lib, dev, [3.0, 4.0])
        y = x * 2
        z = (y + w).sum()
        y.add_(5)
        z.backward()
        return x.grad, w.grad

    run_both(fn, device)


INPLACE_ON_NON_LEAF = {
    "add_": lambda b, lib: b.add_(1.5),
    "add_tensor": lambda b, lib: b.add_(b.detach() * 0 + 2),
    "add_alpha": lambda b, lib: b.add_(b.detach(), alpha=2),
    "sub_": lambda b, lib: b.sub_(1),
    "mul_scalar": lambda b, lib: b.mul_(3),
    "mul_tensor": lambda b, lib: b.mul_(b.detach() + 1),
    "div_": lambda b, lib: b.div_(4),
    "pow_": lambda b, lib: b.pow_(2),
    "exp_": lambda b, lib: b.exp_(),
    "sqrt_": lambda b, lib: b.add_(3).sqrt_(),
    "relu_": lambda b, lib: b.relu_(),
    "clamp_": lambda b, lib: b.clamp_(-0.5, 1.0),
    "neg_": lambda b, lib: b.neg_(),
    "iadd": lambda b, lib: b.__iadd__(2),
    "imul": lambda b, lib: b.__imul__(3),
    "isub": lambda b, lib: b.__isub__(1),
    "itruediv": lambda b, lib: b.__itruediv__(2),
    "setitem_int": lambda b, lib: b.__setitem__(0, 5.0),
    "setitem_slice": lambda b, lib: b.__setitem__(slice(1, None), 0.0),
    "setitem_mask": lambda b, lib: b.__setitem__(b > 0, 1.0),
    "fill_": lambda b, lib: b.fill_(2.0),
    "zero_": lambda b, lib: b.zero_(),
    "copy_": lambda b, lib: b.copy_(b.detach() * 3),
    "masked_fill_": lambda b, lib: b.masked_fill_(b > 0, 0.0),
    "addcmul_": lambda b, lib: b.addcmul_(b.detach(), b.detach(), value=0.5),
    "two_in_a_row": lambda b, lib: b.mul_(2).add_(1),
}


@pytest.mark.parametrize("name", sorted(INPLACE_ON_NON_LEAF))
def test_in_place_op_on_non_leaf_rebases_the_graph(name, device):
    """b = a * 1.5; b.op_(); loss(b): the gradient reaching a is PyTorch's."""

    def fn(lib, dev):
        a = leaf(lib, dev, [0.5, -1.0, 2.0], "float64")
        b = a * 1.5
        INPLACE_ON_NON_LEAF[name](b, lib)
        (b * b * lib.arange(1.0, 4.0, dtype=lib.float64, **({"device": dev} if lib is torch else {}))).sum().backward()
        return b, a.grad

    run_both(fn, device)


def test_in_place_op_with_grad_input_on_plain_tensor(device):
    """A tensor that did not require grad starts requiring it after x.add_(w)."""

    def fn(lib, dev):
        w = leaf(lib, dev, [1.0, 2.0])
        x = lib.zeros(2, **({"device": dev} if lib is torch else {}))
        x.add_(w * 2)
        assert x.requires_grad and not x.is_leaf
        (x * x).sum().backward()
        return x, w.grad

    run_both(fn, device)


def test_in_place_op_on_leaf_requiring_grad_raises():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)


def test_in_place_op_on_leaf_under_no_grad_is_allowed(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0])
        with lib.no_grad():
            x.mul_(3)
            x -= 1
        assert x.is_leaf and x.requires_grad
        (x * x).sum().backward()
        return x, x.grad

    run_both(fn, device)


def test_in_place_op_on_view_of_tensor_requiring_grad_rewrites_the_base(device):
    """x[0].mul_(2) and x[:, 0] += 1 rewrite x's history, as in PyTorch (tests/test_inplace.py)."""

    def fn(lib, dev):
        a = leaf(lib, dev, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "float64")
        x = a * 2
        x[0].mul_(x[1].detach().clone())
        x[:, 0] += 1
        (x * x).sum().backward()
        return x, a.grad

    run_both(fn, device)


def test_setitem_on_tensor_requiring_grad_is_supported_instead(device):
    """The out-of-place form of x[:, 0] += 1 that tinynn supports: x[:, 0] = x[:, 0] + 1."""

    def fn(lib, dev):
        a = leaf(lib, dev, [[1.0, 2.0], [3.0, 4.0]])
        x = a * 2
        x[:, 0] = x[:, 0] + 1
        (x * x).sum().backward()
        return x, a.grad

    run_both(fn, device)


# -- misc ------------------------------------------------------------------------------------------------
def test_integer_outputs_do_not_require_grad():
    for lib in (torch, tinynn):
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        assert not x.argmax().requires_grad
        assert not x.long().requires_grad
        assert x.double().requires_grad


def test_gradient_of_dtype_conversion_comes_back_in_input_dtype(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [1.0, 2.0], "float32")
        (x.double() ** 2).sum().backward()
        return x.grad

    run_both(fn, device)


def test_backward_on_0d_and_one_element_tensors(device):
    def fn(lib, dev):
        x = leaf(lib, dev, [[2.0]])
        (x * 3).backward()
        y = leaf(lib, dev, 1.5)
        (y * y).backward()
        return x.grad, y.grad

    run_both(fn, device)


def test_backward_returning_none_for_an_input_that_requires_grad_means_zero_gradient():
    """A custom Function may return None for an input: no gradient flows there (PyTorch's rule),
    even when that input's node receives nothing else."""

    def run(lib):
        class FirstOnly(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * 1

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output, None

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        FirstOnly.apply(a, a + 1).sum().backward()
        return a.grad.tolist()

    assert run(tinynn) == run(torch) == [1.0, 1.0]


# -- the class names of grad_fn --------------------------------------------------------------
def test_grad_fn_class_is_named_after_the_function():
    class Scale(tinynn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = tinynn.ones(2, requires_grad=True)
    y = x * 2 + 1
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert type(Scale.apply(x).grad_fn).__name__ == "ScaleBackward"
    assert isinstance(y.grad_fn, tinynn.autograd.function.Node)


@pytest.mark.parametrize("op", ["tanh", "sigmoid", "exp", "relu", "reciprocal", "rsqrt", "sqrt"])
@pytest.mark.parametrize("when", ["forward only", "after backward with retain_graph"])
def test_an_op_that_saves_its_output_leaves_no_reference_cycle(op, when):
    """The graph of a recorded op is freed as soon as nothing refers to it, without
    waiting for Python's cyclic garbage collector: a saved *output* is kept as its array
    and version counter, not as the output tensor (output -> grad_fn -> output)."""
    import gc

    x = tinynn.tensor([[0.5, 1.5], [2.0, 3.0]], requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            y = getattr(x, op)()
            if when != "forward only":
                y.sum().backward(retain_graph=True)
        del y
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_saved_output_modified_in_place_after_it_was_saved_is_still_caught():
    """Keeping the saved output's version counter (not the tensor) still sees a later
    in-place change, also when the output had no counter yet at the time it was saved."""
    for lib in (torch, tinynn):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x.exp()
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
