"""Whole Jacobians and Hessians of a function (``torch.autograd.functional``), built on
:func:`tinynn.autograd.grad`: one backward pass per output element (no vectorisation).

``jacobian(f, x)`` for ``y = f(x)`` has shape ``y.shape + x.shape``: entry ``[i, j]`` is
dy_i/dx_j. ``hessian(f, x)`` is the Jacobian of the gradient of a scalar ``f``.
"""
from __future__ import annotations

import numpy as np

from .. import _tensor
from .._functions.shape import stack
from . import grad as _grad
from .grad_mode import enable_grad


def _prepare(inputs) -> tuple:
    is_tuple = isinstance(inputs, (tuple, list))
    inputs = tuple(inputs) if is_tuple else (inputs,)
    for x in inputs:
        if not isinstance(x, _tensor.Tensor):
            raise TypeError(f"The inputs given to jacobian must be either a Tensor or a tuple of Tensors "
                            f"but one of the arguments is: {type(x).__name__}")
    # fresh leaves that require grad, so the caller's tensors are left alone
    return is_tuple, tuple(x.detach().requires_grad_(x.dtype.is_floating_point) for x in inputs)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` (a Tensor or a tuple of Tensors).

    Shapes: for one input and one output, ``output.shape + input.shape``. A tuple of inputs
    (or of outputs) gives a tuple (a tuple of tuples for both: ``[i][j]`` is d out_i/d in_j).
    An output that does not depend on an input gives zeros.

    Raises:
        NotImplementedError: for ``strategy="forward-mode"`` (tinynn has reverse mode only).
        RuntimeError: with ``strict=True``, if an output does not depend on an input.
    """
    if strategy != "reverse-mode":
        raise NotImplementedError("tinynn's jacobian supports strategy='reverse-mode' only")
    inputs_tuple, inputs = _prepare(inputs)
    with enable_grad():
        outputs = func(*inputs)
    outputs_tuple = isinstance(outputs, (tuple, list))
    outputs = tuple(outputs) if outputs_tuple else (outputs,)
    rows = []
    for i, out in enumerate(outputs):
        flat = out.reshape(-1)
        per_input = [[] for _ in inputs]
        for k in range(flat.shape[0]):
            if out.requires_grad:
                grads = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
            else:
                grads = (None,) * len(inputs)
            for j, g in enumerate(grads):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input {j}. "
                            "This is not allowed in strict mode."
                        )
                    g = _tensor.Tensor._make(np.zeros(inputs[j].shape, dtype=inputs[j]._data.dtype))
                per_input[j].append(g)
        row = []
        for j, x in enumerate(inputs):
            if per_input[j]:
                block = stack(per_input[j]).reshape(out.shape + x.shape)
            else:
                block = _tensor.Tensor._make(np.zeros(out.shape + x.shape, dtype=x._data.dtype))
            row.append(block if create_graph else block.detach())
        rows.append(tuple(row) if inputs_tuple else row[0])
    return tuple(rows) if outputs_tuple else rows[0]


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: shape ``input.shape + input.shape``
    (for a tuple of inputs, a tuple of tuples: ``[i][j]`` is d^2 f / d in_i d in_j).

    Raises:
        RuntimeError: if ``func`` does not return a single-element tensor.
    """
    inputs_tuple, inputs = _prepare(inputs)

    def gradient(*xs):
        out = func(*xs)
        if not isinstance(out, _tensor.Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        grads = _grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
        grads = tuple(x.new_zeros(x.shape) if g is None else g for x, g in zip(xs, grads))
        return grads if inputs_tuple else grads[0]

    return jacobian(gradient, inputs if inputs_tuple else inputs[0], create_graph=create_graph,
                    strict=strict, strategy=outer_jacobian_strategy)
