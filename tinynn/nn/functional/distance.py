"""Distances and similarities between vectors: ``normalize``, ``cosine_similarity``, ``pairwise_distance``.

Each is a short composition of differentiable tensor ops (``norm``, division, ``sum``), so
autograd gives the gradients.
"""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._functions.elementwise import _broadcast_error, where
from ..._functions.out import write_out
from ..._tensor import Tensor


def _clamp_value_only(norm: Tensor, eps: float) -> Tensor:
    """``norm`` clamped to at least ``eps`` in value, with the gradient of ``norm`` itself.

    PyTorch's ``cosine_similarity`` clamps the norms in place under ``no_grad``, so the
    clamp changes the value but not the gradient; adding the (detached) difference does
    the same (only where the clamp acts: an infinite norm stays inf, not inf - inf = nan).
    """
    return where(norm < eps, norm + (eps - norm).detach(), norm)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """Divide by the p-norm along ``dim``: v / max(||v||_p, eps), so each slice has norm 1.

    Args:
        input: any shape.
        p: the norm's exponent (2: Euclidean).
        dim: the dimension the vectors lie along.
        eps: the smallest divisor (a zero vector stays zero instead of dividing by 0).
        out: a tensor to write the result into (not differentiable).

    Shape:
        output: the shape of ``input``.

    Raises:
        RuntimeError: with ``out``, if grad mode is on and ``input`` requires grad.
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return write_out("div", input / denom, out)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos(x1, x2) = <x1, x2> / (||x1|| ||x2||) along ``dim``.

    Computed as PyTorch does: each input is divided by its norm (clamped to at least ``eps``)
    first, and then the products are summed, so the result stays within [-1, 1].

    Args:
        x1, x2: broadcastable to a common shape.
        dim: the dimension the vectors lie along.
        eps: the smallest norm used as a divisor.

    Shape:
        output: the broadcast shape without ``dim``.

    Raises:
        RuntimeError: if the shapes do not broadcast, the inputs are not floating point, or
            ``eps`` is negative.
        IndexError: if ``dim`` is out of range.
    """
    if not eps >= 0:  # (nan fails it too, as in PyTorch)
        raise RuntimeError(f"eps must be non-negative, got: {eps}")
    common = _dtype.promote_types(x1.dtype, x2.dtype)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_dtype.scalar_name(common)} (convert the inputs with .float())")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise _broadcast_error(x1, x2) from None
    rank = max(len(shape), 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
                         f"but got {dim})")
    # the norms are of the broadcast vectors; an integer or bool input in the common dtype,
    # a float input in its own (as PyTorch: a float32 input's norm overflows as float32)
    x1 = x1 if x1.is_floating_point() else x1.to(common)
    x2 = x2 if x2.is_floating_point() else x2.to(common)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    x1_norm = _clamp_value_only(x1.norm(2, dim, keepdim=True), eps)
    x2_norm = _clamp_value_only(x2.norm(2, dim, keepdim=True), eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dimension (``eps`` keeps the gradient finite at x1 = x2).

    Args:
        x1, x2: (N, D) or (D,), broadcastable to each other.
        p: the norm's exponent.
        eps: added to the difference.
        keepdim: keep the last dimension (size 1).

    Shape:
        output: (N,) (or (N, 1) with ``keepdim``); () for 1-D inputs.
    """
    return (x1 - x2 + eps).norm(p, -1, keepdim)
