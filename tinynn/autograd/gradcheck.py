"""Finite-difference checks of analytical gradients: ``gradcheck`` and ``gradgradcheck``.

For each input element x_i, the numerical derivative is the central difference
(f(x + eps e_i) - f(x - eps e_i)) / (2 eps), which is accurate to O(eps^2). Comparing it
to what backward computes catches a wrong backward formula. Use float64 inputs: in
float32 the rounding error of f swamps the difference.
"""
from __future__ import annotations

import warnings
from typing import Callable, Sequence

import numpy as np

from .._creation import randn, zeros_like


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _numerical_jacobian(func, inputs, eps) -> list:
    """One (n_outputs_total, n_input_elements) matrix per differentiable input."""
    jacobians = []
    for x in inputs:
        if not (getattr(x, "requires_grad", False)):
            jacobians.append(None)
            continue
        data = x._data  # writing into it perturbs x (also when x is not contiguous)
        columns = []
        for i in range(data.size):  # a loop over elements is fine here: this is a test tool
            index = np.unravel_index(i, data.shape)  # element i in row-major order
            original = data[index]
            # func runs with grad mode as it is (not under no_grad): gradgradcheck's func
            # calls autograd.grad itself
            data[index] = original + eps
            plus = np.concatenate([o._data.reshape(-1) for o in _as_tuple(func(*inputs))])
            data[index] = original - eps
            minus = np.concatenate([o._data.reshape(-1) for o in _as_tuple(func(*inputs))])
            data[index] = original
            columns.append((plus - minus) / (2 * eps))
        jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((0, 0)))
    return jacobians


def _analytical_jacobian(func, inputs) -> list:
    from . import grad  # autograd/__init__.py imports this module before it defines grad

    outputs = _as_tuple(func(*inputs))
    diff_inputs = [x for x in inputs if getattr(x, "requires_grad", False)]
    rows = []
    for out in outputs:
        if not out.requires_grad:  # not differentiable (e.g. the gradient of a linear function): zero rows
            rows.extend([None] * len(diff_inputs) for _ in range(out.numel()))
            continue
        for j in range(out.numel()):
            seed = zeros_like(out)
            seed._data[np.unravel_index(j, out.shape)] = 1  # element j in row-major order (seed may be laid out otherwise)
            grads = grad([out], diff_inputs, [seed], retain_graph=True, allow_unused=True)
            rows.append([None if g is None else g._data.reshape(-1).copy() for g in grads])
    jacobians, k = [], 0
    for x in inputs:
        if not getattr(x, "requires_grad", False):
            jacobians.append(None)
            continue
        jacobians.append(np.stack([
            r[k] if r[k] is not None else np.zeros(x.numel()) for r in rows
        ]) if rows else np.zeros((0, x.numel())))
        k += 1
    return jacobians


def gradcheck(func: Callable, inputs: Sequence, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check ``func``'s gradients against finite differences, for each input that requires grad.

    Args:
        func: takes the tensors in ``inputs``, returns a tensor or tuple of tensors.
        inputs: a tensor or tuple; those that require grad are checked (use float64).

    Returns:
        True if every entry of every Jacobian matches within ``atol + rtol * |numerical|``.

    Raises:
        GradcheckError: (a RuntimeError) on a mismatch (naming the input and the worst entry), unless
            ``raise_exception=False``, then returns False.
    """
    inputs = _as_tuple(inputs)
    for i, x in enumerate(inputs):
        if getattr(x, "requires_grad", False) and x.dtype.name != "float64":
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision floating point.",
                UserWarning,
                stacklevel=2,
            )
    numerical = _numerical_jacobian(func, inputs, eps)
    analytical = _analytical_jacobian(func, inputs)
    for i, (n, a) in enumerate(zip(numerical, analytical)):
        if n is None:
            continue
        if not np.allclose(a, n, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
            no_differentiable_output = not any(o.requires_grad for o in _as_tuple(func(*inputs)))
            message = "Numerical gradient for function expected to be zero. " if no_differentiable_output else ""
            message += (
                f"Jacobian mismatch for output 0 with respect to input {i},\n"
                f"numerical:{n}\nanalytical:{a}\n"
                f"(largest difference at output element {worst[0]}, input element {worst[1]}: "
                f"numerical {n[worst]:.6g} vs analytical {a[worst]:.6g})"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(func: Callable, inputs: Sequence, grad_outputs=None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check second derivatives, as PyTorch's ``gradgradcheck`` does: ``gradcheck`` of the
    function (x, v) -> d(func(x) . v)/dx, with respect to the inputs x *and* the vectors v.

    The backward is recorded with ``create_graph=True`` and differentiated again. A
    backward is linear in the incoming gradient v, and its own backward has a term for v
    (for a fused backward op, the d/dg of ``MatmulBackward`` or ``TanhBackward``): checking
    the inputs alone would miss a mistake there.

    Args:
        grad_outputs: the v, one per output of ``func``; random (float64, requiring grad)
            when not given. Given ones are checked with respect to those that require grad.

    Returns and raises as :func:`gradcheck`.
    """
    from . import grad  # (see _analytical_jacobian)

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = tuple(randn(o.shape, dtype=o.dtype).requires_grad_(o.dtype.is_floating_point)
                             for o in _as_tuple(func(*inputs)))
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)
    diff_positions = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]

    def first_derivative(*args):
        xs, vs = args[:count], args[count:]
        outs = _as_tuple(func(*xs))
        grads = grad(outs, [xs[i] for i in diff_positions], vs, create_graph=True, allow_unused=True)
        return tuple([g for g in grads if g is not None])

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
