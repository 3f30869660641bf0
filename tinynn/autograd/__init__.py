"""``tinynn.autograd``: reverse-mode automatic differentiation, mirroring ``torch.autograd``.

* :func:`backward` / ``Tensor.backward``: accumulate gradients into leaves' ``.grad``.
* :func:`grad`: return gradients instead, optionally recording them (``create_graph``)
  so they can be differentiated again (second derivatives, Hessian-vector products).
* :class:`Function`: define an op by its forward and backward.
* :func:`gradcheck`: compare backward with finite differences.
"""
from __future__ import annotations

import warnings

import numpy as np

from .engine import run_backward
from .function import Function, FunctionCtx, Node
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .._creation import zeros_like  # (the engine's import above has loaded Tensor)
from .._tensor import Tensor

__all__ = [
    "Function", "FunctionCtx", "GradcheckError", "Node", "Variable", "backward", "grad", "gradcheck", "gradgradcheck",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
]


def _as_list(x) -> list:
    if x is None:
        return []
    return [x] if isinstance(x, Tensor) else list(x)


def _make_grads(outputs: list, grad_outputs: list) -> list:
    """Fill in dL/d(output): given, or 1 for a one-element output, else an error."""
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs (this output has shape "
                    f"{list(out.shape)}; reduce it to a scalar, e.g. .sum(), or pass gradient= "
                    "a tensor of that shape)"
                )
            g = Tensor._make(np.ones(out._data.shape, out._data.dtype))
        elif g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and output[{i}] "
                f"has a shape of {out.shape!r}."
            )
        grads.append(g)
    return grads


def _check_requires_grad(outputs: list) -> None:
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn "
                "(no input of this computation had requires_grad=True, or it ran under no_grad)"
            )


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into ``leaf.grad`` for every leaf of the graph.

    Args:
        tensors: the outputs to differentiate (usually the scalar loss).
        grad_tensors: dL/d(output) for each output (may be omitted for scalars).
        retain_graph: keep the graph for another backward (defaults to ``create_graph``).
        create_graph: record the backward pass so gradients can be differentiated.
        inputs: only accumulate into these leaves.

    Raises:
        RuntimeError: for outputs that do not require grad, non-scalar outputs without
            ``grad_tensors``, or a graph already freed by an earlier backward.
    """
    outputs = _as_list(tensors)
    _check_requires_grad(outputs)
    grads = _make_grads(outputs, _as_list(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_list(inputs)
        captured = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, allow_unused=True)
        for leaf, g in zip(inputs, captured):
            if g is not None:
                leaf._accumulate_grad(g, create_graph)
        return
    run_backward(outputs, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``.

    Args:
        outputs: tensor(s) to differentiate.
        inputs: tensor(s) to differentiate with respect to (must require grad).
        grad_outputs: the vector v in the vector-Jacobian product v^T J (1 for scalars).
        retain_graph: keep the graph (defaults to ``create_graph``).
        create_graph: record the computation of the gradients, so that they can be
            differentiated again: ``grad(grad(y, x, create_graph=True)[0], x)`` is d2y/dx2.
        allow_unused: return None (instead of raising) for inputs the outputs do not use.
        materialize_grads: return zeros instead of None for unused inputs.

    Returns:
        a tuple with one gradient per input.

    Raises:
        RuntimeError: if an output or input does not require grad (for example an integer
            tensor), or an input is unused and ``allow_unused`` is False.
    """
    outputs = _as_list(outputs)
    inputs_list = _as_list(inputs)
    _check_requires_grad(outputs)
    grads = _make_grads(outputs, _as_list(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_list,
                          allow_unused=allow_unused)
    if materialize_grads:
        result = tuple(zeros_like(x) if g is None else g for x, g in zip(inputs_list, result))
    return result


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """Deprecated since PyTorch 0.4: returns ``data`` as a tensor, with a warning.

    ``Variable`` and ``Tensor`` were merged; ``Variable(t)`` is just ``t`` (with
    ``requires_grad`` set if asked). tinynn mirrors that, and says so.
    """
    warnings.warn(
        "tinynn.autograd.Variable is deprecated: Variable was merged into Tensor in PyTorch 0.4. "
        "Use the tensor directly (with requires_grad=True where needed).",
        DeprecationWarning,
        stacklevel=2,
    )
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


from . import functional  # noqa: E402  (uses grad, defined above)
