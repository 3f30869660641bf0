"""Gradient clipping: rescale (``clip_grad_norm_``) or cap (``clip_grad_value_``) ``.grad`` in place."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ..._tensor import Tensor
from ...autograd.function import quiet_numpy


def _grads(parameters: Tensor | Iterable[Tensor]) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = || (||g_1||_p, ..., ||g_k||_p) ||_p  (the norm of all gradients as one vector);
    every g_i is multiplied by min(1, max_norm / (total + 1e-6)).

    Args:
        parameters: tensors (or one tensor) whose ``.grad`` is clipped in place.
        max_norm: the largest allowed norm.
        norm_type: p (``float("inf")`` for the largest absolute value).
        error_if_nonfinite: raise if the total norm is nan or inf.

    Returns:
        The total norm before clipping (a 0-d tensor).

    Raises:
        RuntimeError: if the norm is not finite and ``error_if_nonfinite`` is True.
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    dtype = grads[0]._data.dtype

    def total_norm():  # run with numpy's warnings off: a norm past the dtype's range is inf,
        if norm_type == math.inf:  # as in PyTorch, without numpy's overflow warning
            norms = np.array([np.max(np.abs(g._data)) if g._data.size else 0 for g in grads],
                             dtype=dtype)
            return np.max(norms)
        norms = np.array([np.sum(np.abs(g._data) ** norm_type) ** (1 / norm_type)
                          for g in grads], dtype=dtype)
        return np.sum(norms ** norm_type) ** (1 / norm_type)
    total = np.asarray(quiet_numpy.run(total_norm), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {float(norm_type)} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`")
    coef = min(max_norm / (float(total) + 1e-6), 1.0)
    for g in grads:
        # an infinite total norm makes coef 0, and inf * 0 = nan, silently as in PyTorch
        quiet_numpy.run(np.multiply, g._data, g._data.dtype.type(coef), out=g._data)
    return Tensor._make(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
