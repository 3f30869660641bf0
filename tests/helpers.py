"""Helpers the test files share: inputs with a known shape and range, and the check that
tinynn raises what PyTorch raises.

Import them by module name::

    from helpers import assert_same_error, randn

``tests/`` has no ``__init__.py``, so pytest's default ("prepend") import mode puts
``tests/`` on ``sys.path`` before it imports a test file: the import works under plain
``pytest``, ``python -m pytest tests/test_x.py`` and in pytest-xdist's workers alike.
(``conftest.py`` and ``_devices.py`` are found the same way.)

Input makers take a shape and a seed and return float64 numpy arrays; the tests cast them
to the dtype under test. Each draws from its own ``np.random.default_rng(seed)``, so a test's
inputs do not depend on which tests ran before it.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

__all__ = ["above_one", "assert_same_error", "compare_module", "distinct", "double", "halves",
           "inside_unit", "positive", "randn", "run_module_pair"]


# -- inputs ----------------------------------------------------------------------------------
def randn(*shape: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """Standard normal values times ``scale`` (an ndarray, 0-d for ``shape == ()``)."""
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale)


def positive(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [0.5, 2.5): away from 0, where log, sqrt and x ** y are not smooth."""
    return np.random.default_rng(seed).uniform(0.5, 2.5, shape)


def inside_unit(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [-0.9, 0.9): inside the domain of asin, acos and atanh."""
    return np.random.default_rng(seed).uniform(-0.9, 0.9, shape)


def above_one(*shape: int, seed: int = 0) -> np.ndarray:
    """Values in [1.2, 3.0): inside the domain of acosh."""
    return np.random.default_rng(seed).uniform(1.2, 3.0, shape)


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Values with no ties (a sort or top-k of them has one right answer)."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / 7.0 - 1.0


def halves(*shape: int, seed: int = 0) -> np.ndarray:
    """Values on and off .5, so that rounding half to even is tested."""
    return np.random.default_rng(seed).integers(-8, 8, shape) / 2.0 + np.where(
        np.arange(int(np.prod(shape))).reshape(shape) % 3 == 0, 0.3, 0.0)


def double(*arrays: np.ndarray) -> tuple:
    """float64 tinynn leaves that require grad, one per array: the inputs of a gradcheck."""
    return tuple(tinynn.tensor(a, dtype=tinynn.float64, requires_grad=True) for a in arrays)


# -- errors ----------------------------------------------------------------------------------
def _raised(call: Callable[[], object]) -> Exception | None:
    """The exception ``call()`` raises, or None; grad mode is restored in both libraries."""
    modes = torch.is_grad_enabled(), tinynn.is_grad_enabled()
    try:
        call()
    except Exception as error:  # noqa: BLE001  (the point is to compare whatever is raised)
        return error
    finally:
        torch.set_grad_enabled(modes[0])
        tinynn.set_grad_enabled(modes[1])
    return None


def assert_same_error(fn: Callable, fn_torch: Callable | None = None, *,
                      same_message: bool = False) -> tuple[Exception, Exception]:
    """Both libraries raise, and the same exception type.

    Either ``fn(lib)`` is called with ``lib = torch`` and with ``lib = tinynn``, or, when
    ``fn_torch`` is given, ``fn()`` is tinynn's call and ``fn_torch()`` PyTorch's (both
    without arguments). PyTorch's call runs first.

    With ``same_message=True`` the messages must also be equal, PyTorch's "torch." read as
    "tinynn." (dtypes print as ``tinynn.float32``). Where a test checks the message another
    way, it does so itself with the exceptions returned.

    Returns:
        (tinynn's exception, PyTorch's exception).

    Raises:
        AssertionError: PyTorch raised nothing (the case is not a misuse), tinynn raised
            nothing, the types differ, or (``same_message``) the messages differ.
    """
    if fn_torch is None:
        theirs, ours = _raised(lambda: fn(torch)), _raised(lambda: fn(tinynn))
    else:
        theirs, ours = _raised(fn_torch), _raised(fn)
    assert theirs is not None, "PyTorch raised nothing: the case is not a misuse"
    assert ours is not None, f"tinynn raised nothing; PyTorch raised {type(theirs).__name__}: {theirs}"
    assert type(ours) is type(theirs), (
        f"tinynn raised {type(ours).__name__}: {ours}\nPyTorch raised {type(theirs).__name__}: {theirs}")
    if same_message:
        assert str(ours) == str(theirs).replace("torch.", "tinynn."), (
            f"tinynn's message: {ours}\nPyTorch's message: {theirs}")
    return ours, theirs


# -- modules ---------------------------------------------------------------------------------
def assert_same_values_or_error(fn: Callable) -> None:
    """``fn(lib)`` in both libraries: where PyTorch raises RuntimeError, tinynn raises the same
    type (``assert_same_error``); elsewhere tinynn returns PyTorch's dtype and values (nan
    where nan), with no warning of its own (a numpy cast warning fails)."""
    try:
        theirs = fn(torch)
    except RuntimeError:
        assert_same_error(fn)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = fn(tinynn)
    assert str(ours.dtype).rsplit(".", 1)[-1] == str(theirs.dtype).rsplit(".", 1)[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def compare_module(make: Callable, *inputs: np.ndarray, dtype: str, device: str) -> None:
    """Build ``make(lib)`` in both libraries, give tinynn's torch's (randomised) weights, compare.

    The outputs and the gradient of every input are compared by ``compare_with_torch``, then
    the gradient of every parameter, by name.
    """
    theirs = make(torch).to(getattr(torch, dtype))
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(randn(*p.shape, seed=p.numel(), scale=0.5) + 1.0))
    state = {k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
    ours = make(tinynn).to(getattr(tinynn, dtype))
    ours.load_state_dict(state)
    theirs.to(device)
    models = {tinynn: ours, torch: theirs}
    compare_with_torch(lambda lib, *xs: models[lib](*xs), *inputs, dtype=dtype, device=device)
    grads_ours = {n: p.grad for n, p in ours.named_parameters()}
    grads_theirs = {n: p.grad for n, p in theirs.named_parameters()}
    assert grads_ours.keys() == grads_theirs.keys()
    for name in grads_ours:
        assert_close(grads_ours[name], grads_theirs[name], name=f"grad of {name}")


def run_module_pair(theirs: torch.nn.Module, ours: tinynn.nn.Module, x: np.ndarray, dtype: str,
                    device: str) -> None:
    """Copy theirs' weights into ours, run both on x, backward the same gradient, compare all."""
    theirs = theirs.to(device=device, dtype=getattr(torch, dtype))
    ours = ours.to(getattr(tinynn, dtype))
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    xt = torch.tensor(x.astype(dtype), device=device, requires_grad=True)
    xo = tinynn.tensor(x.astype(dtype), requires_grad=True)
    out_t, out_o = theirs(xt), ours(xo)
    assert_close(out_o, out_t, name="output")
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(g, device=device))
    out_o.backward(tinynn.tensor(g))
    assert_close(xo.grad, xt.grad, name="input grad")
    for (name, p_o), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p_o.grad, p_t.grad, name=f"grad of {name}")


# -- layer_norm and its derivatives of every order (test_nn_normalization, test_deviations) ----
LAYER_NORM_AFFINE = {"weight and bias": (True, True), "weight only": (True, False),
                     "bias only": (False, True), "neither": (False, False)}


def layer_norm_inputs(lib, affine: str):
    has_weight, has_bias = LAYER_NORM_AFFINE[affine]
    x = lib.tensor(randn(2, 3, 4, scale=2.0), dtype=lib.float64, requires_grad=True)
    w = lib.tensor(randn(3, 4, seed=1), dtype=lib.float64, requires_grad=True) if has_weight else None
    b = lib.tensor(randn(3, 4, seed=2), dtype=lib.float64, requires_grad=True) if has_bias else None
    return x, w, b


def layer_norm_derivatives(lib, layer_norm, affine: str) -> list:
    """First, second and third derivatives of ``layer_norm`` with respect to every leaf. The
    incoming gradient depends on x (x * x), so the second derivative runs through every
    input of the backward op, and it is differentiated once more."""
    x, w, b = layer_norm_inputs(lib, affine)
    leaves = [t for t in (x, w, b) if t is not None]
    y = layer_norm(lib, x, w, b)
    first = lib.autograd.grad(y, leaves, grad_outputs=x * x, create_graph=True)
    second = lib.autograd.grad(sum((g * g).sum() for g in first), leaves, create_graph=True, allow_unused=True)
    third = lib.autograd.grad(sum((s * x).sum() for s in second if s is not None), leaves, allow_unused=True)
    return [t.detach().numpy() if t is not None else None for t in (*first, *second, *third)]


def composed_layer_norm(lib, x, w, b):
    """The formula in tensor ops (as chapter 6 writes it): differentiable to every order."""
    centered = x - x.mean((1, 2), keepdim=True)
    out = centered * ((centered * centered).mean((1, 2), keepdim=True) + 1e-5).rsqrt()
    out = out * w if w is not None else out
    return out + b if b is not None else out


def native_layer_norm(lib, x, w, b):
    return lib.nn.functional.layer_norm(x, (3, 4), w, b)
