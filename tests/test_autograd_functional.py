"""``autograd.functional`` against PyTorch: ``jacobian`` and ``hessian`` of functions of one
and of several inputs, float32 and float64, and an output independent of an input (zeros, or
an error with ``strict=True``).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import randn

DTYPES = ["float32", "float64"]
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


@pytest.mark.parametrize("dtype", DTYPES)
def test_autograd_functional_jacobian_and_hessian(dtype):
    x = randn(3)
    y = randn(2, seed=1)
    cases = [
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda t: t ** 2 * t.sum(), a),
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda s, t: (s.outer(t), s.sum()), (a, b)),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda t: (t ** 3).sum() + t[0] * t[1], a),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda s, t: (s.outer(t) ** 2).sum(), (a, b)),
    ]
    for fn in cases:
        compare_with_torch(fn, x, y, dtype=dtype, grad=False)
    for lib in (tinynn, torch):  # an output independent of an input: zeros, or an error if strict
        assert lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)))[1].tolist() == [[0, 0], [0, 0]]
        with pytest.raises(RuntimeError):
            lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)), strict=True)


CUBIC = lambda t: (t ** 3).sum() + t[0] * t[1]
PAIR = lambda s, t: (s.outer(t) ** 2).sum()
VECTOR_PRODUCTS = {  # name: (function, func, inputs and v from x and y)
    "vjp": ("vjp", lambda t: t ** 2 * t.sum(), lambda x, y: (x, x.flip(0))),
    "vjp_tuples": ("vjp", lambda s, t: (s.outer(t), s.sum() * t), lambda x, y: ((x, y), (x.outer(y) * 2, y))),
    "vjp_of_a_scalar_without_v": ("vjp", lambda t: (t ** 3).sum(), lambda x, y: (x, None)),
    "jvp": ("jvp", lambda t: t ** 2 * t.sum(), lambda x, y: (x, x.flip(0))),
    "jvp_tuples": ("jvp", lambda s, t: (s.outer(t), s.sum() * t), lambda x, y: ((x, y), (x.flip(0), y * 3))),
    "hvp": ("hvp", CUBIC, lambda x, y: (x, x.flip(0))),
    "vhp": ("vhp", CUBIC, lambda x, y: (x, x.flip(0))),
    "hvp_tuples": ("hvp", PAIR, lambda x, y: ((x, y), (x.flip(0), y))),
    "vhp_tuples": ("vhp", PAIR, lambda x, y: ((x, y), (x.flip(0), y))),
}


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", sorted(VECTOR_PRODUCTS))
def test_vector_products_match_torch(case, create_graph):
    def run(lib):
        x = lib.tensor(randn(3).tolist(), dtype=lib.float64)
        y = lib.tensor(randn(2, seed=1).tolist(), dtype=lib.float64)
        fn, func, make_args = VECTOR_PRODUCTS[case]
        inputs, v = make_args(x, y)
        out, product = getattr(lib.autograd.functional, fn)(func, inputs, v, create_graph=create_graph)
        flat = lambda r: r if isinstance(r, tuple) else (r,)
        return [(r.requires_grad, r.shape, r.tolist()) for r in flat(out) + flat(product)]

    expected = run(torch)
    for (rg, shape, values), (rg_t, shape_t, values_t) in zip(run(tinynn), expected, strict=True):
        assert (rg, tuple(shape)) == (rg_t, tuple(shape_t))
        np.testing.assert_allclose(values, values_t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_create_graph_keeps_results_connected_to_an_input_that_requires_grad(fn):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        f = lambda t: (t ** 4).sum() if fn in ("hessian", "hvp", "vhp") else t ** 3
        args = (f, x) if fn in ("jacobian", "hessian") else (f, x, lib.ones(3, dtype=lib.float64))
        result = getattr(lib.autograd.functional, fn)(*args, create_graph=True)
        result = result if fn in ("jacobian", "hessian") else result[1]
        result.sum().backward()
        return x.grad.tolist()

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_jacobian_runs_under_no_grad_like_torch(lib):
    with lib.no_grad():
        jac = lib.autograd.functional.jacobian(lambda t: t ** 2, lib.tensor([1.0, 2.0]))
        assert not lib.is_grad_enabled()
    assert jac.tolist() == [[2.0, 0.0], [0.0, 4.0]]


BAD_CALLS = {
    "list_of_inputs": (TypeError, lambda F, lib: F.jacobian(lambda s, t: s * t, [lib.ones(2), lib.ones(2)])),
    "list_of_outputs": (TypeError, lambda F, lib: F.jacobian(lambda t: [t, t], lib.ones(2))),
    "number_output": (TypeError, lambda F, lib: F.jacobian(lambda t: 3.0, lib.ones(2))),
    "integer_input": (RuntimeError, lambda F, lib: F.jacobian(lambda t: t * 2, lib.tensor([1, 2]))),
    "unknown_strategy": (AssertionError, lambda F, lib: F.jacobian(lambda t: t, lib.ones(2), strategy="x")),
    "strict_and_vectorize": (RuntimeError, lambda F, lib: F.jacobian(lambda t: t, lib.ones(2), strict=True,
                                                                     vectorize=True)),
    "hessian_of_a_tuple": (RuntimeError, lambda F, lib: F.hessian(lambda t: ((t ** 2).sum(),), lib.ones(2))),
    "hessian_strict_linear": (RuntimeError, lambda F, lib: F.hessian(lambda t: t.sum(), lib.ones(2), strict=True)),
    "vjp_without_v": (RuntimeError, lambda F, lib: F.vjp(lambda t: t * 2, lib.ones(2))),
    "vjp_v_of_wrong_shape": (RuntimeError, lambda F, lib: F.vjp(lambda t: t * 2, lib.ones(2), lib.ones(3))),
    "jvp_v_tuple_too_short": (RuntimeError, lambda F, lib: F.jvp(lambda s, t: s * t, (lib.ones(2), lib.ones(2)),
                                                                 (lib.ones(2),))),
    "hvp_of_a_vector": (RuntimeError, lambda F, lib: F.hvp(lambda t: t * 2, lib.ones(2), lib.ones(2))),
    "vhp_strict_linear": (RuntimeError, lambda F, lib: F.vhp(lambda t: t.sum(), lib.ones(2), lib.ones(2),
                                                             strict=True)),
    "vjp_strict_constant": (RuntimeError, lambda F, lib: F.vjp(lambda t: lib.ones(2), lib.ones(2), lib.ones(2),
                                                               strict=True)),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_misuse_raises_like_torch(lib, case):
    error, call = BAD_CALLS[case]
    with pytest.raises(error):
        call(lib.autograd.functional, lib)


@pytest.mark.parametrize("make", ["no_grad", "set_grad_enabled_false", "inference_mode"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_decorated_generator_runs_its_body_in_the_mode_and_the_caller_in_its_own(lib, make):
    context = {"no_grad": lambda: lib.no_grad(), "inference_mode": lambda: lib.inference_mode(),
               "set_grad_enabled_false": lambda: lib.set_grad_enabled(False)}[make]

    @context()
    def body_modes():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()

    steps = body_modes()
    assert [next(steps), lib.is_grad_enabled(), next(steps), lib.is_grad_enabled()] == [False, True, False, True]


@pytest.mark.parametrize("mode", [0, None, "yes"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_set_grad_enabled_with_a_non_bool_raises_type_error_like_torch(lib, mode):
    with pytest.raises(TypeError, match="must be bool"):
        lib.set_grad_enabled(mode)
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_set_grad_enabled_object_sets_its_mode_again_when_entered(lib):
    context = lib.set_grad_enabled(False)
    lib.set_grad_enabled(True)
    with context:
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("make", ["no_grad", "enable_grad", "inference_mode"])
@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_grad_mode_contexts_clone_to_the_same_kind(lib, make):
    assert type(getattr(lib, make)().clone()) is getattr(lib, make)
