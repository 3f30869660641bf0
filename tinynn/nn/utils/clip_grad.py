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


def _vector_norm(x: np.ndarray, p: float) -> np.ndarray:
    """``linalg.vector_norm(x, p)`` of a flat array, in its dtype: (sum |x_i|^p)^(1/p), and
    for the limits, max |x_i| (p = inf), min |x_i| (p = -inf), the count of nonzeros (p = 0)."""
    magnitudes = np.abs(x).ravel()
    if abs(p) == math.inf and magnitudes.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because "
                           "the operation does not have an identity")
    if p == math.inf:
        return magnitudes.max()
    if p == -math.inf:
        return magnitudes.min()
    if p == 0:
        return np.asarray(np.count_nonzero(magnitudes), dtype=x.dtype)
    return np.sum(magnitudes ** p) ** (1 / p)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float | str = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = || (||g_1||_p, ..., ||g_k||_p) ||_p  (the norm of all gradients as one vector);
    every g_i is multiplied by min(1, max_norm / (total + 1e-6)), computed in total's dtype.

    Args:
        parameters: tensors (or one tensor) whose ``.grad`` is clipped in place.
        max_norm: the largest allowed norm.
        norm_type: p, or anything ``float()`` reads as p: ``float("inf")`` or ``"inf"`` for
            the largest absolute value, ``-inf`` for the smallest, 0 for the count of nonzeros.
        error_if_nonfinite: raise if the total norm is nan or inf.
        foreach: accepted for PyTorch's signature; there is one implementation.

    Returns:
        The total norm before clipping, a 0-d tensor of the gradients' promoted dtype
        (float32 ``0.`` when no parameter has a gradient).

    Raises:
        ValueError: if ``norm_type`` is not a number (``"fro"``).
        RuntimeError: if the norm is not finite and ``error_if_nonfinite`` is True, or if
            ``norm_type`` is inf or -inf and a gradient has no elements.
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    grads = _grads(parameters)
    if not grads:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*(g._data.dtype for g in grads))

    def total_norm() -> np.ndarray:  # run with numpy's warnings off: a norm past the dtype's
        norms = np.array([_vector_norm(g._data, norm_type) for g in grads], dtype=dtype)  # range
        return _vector_norm(norms, norm_type)  # is inf, as in PyTorch, without numpy's warning
    total = np.asarray(quiet_numpy.run(total_norm), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`")
    coef = quiet_numpy.run(lambda: np.minimum(dtype.type(max_norm) / (total + dtype.type(1e-6)), 1))
    for g in grads:
        # an infinite total norm makes coef 0, and inf * 0 = nan, silently as in PyTorch
        quiet_numpy.run(np.multiply, g._data, g._data.dtype.type(coef), out=g._data)
    return Tensor._make(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
