"""Ops that order values: ``topk`` and ``median``, built from ``argsort`` and ``gather``
(their gradients come from ``Gather``'s backward, so they need no ``Function`` of their own).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _tensor  # Tensor is defined there; it imports this module too
from .. import return_types
from .reduction import dim_alias, normalize_dims

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``,
    in sorted order.

    Raises:
        RuntimeError: if ``k`` is larger than the size of ``dim``.
    """
    if input.ndim == 0:
        if k not in (0, 1):
            raise RuntimeError("selected index k out of range")
        return return_types.topk(input.clone(), _tensor.Tensor._make(np.zeros((), dtype=np.int64)))
    d = normalize_dims(dim, input.ndim)[0]
    if not 0 <= k <= input.shape[d]:
        raise RuntimeError("selected index k out of range")
    indices = input.argsort(d, descending=largest).narrow(d, 0, k)
    return return_types.topk(input.gather(d, indices), indices)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The lower median (the ``(n - 1) // 2``-th smallest value): of all elements when ``dim``
    is None, else ``(values, indices)`` along ``dim``.

    Raises:
        IndexError: for an empty tensor along the reduced dim.
    """
    dim, keepdim = dim_alias("median", dim, keepdim, axis, keepdims)
    if dim is None:
        if input.numel() == 0:
            return _tensor.Tensor._make(np.asarray(np.nan, dtype=input._data.dtype))
        flat = input.reshape(-1)
        return flat.sort().values[(flat.shape[0] - 1) // 2]
    if input.ndim == 0:
        return return_types.median(input.clone(), _tensor.Tensor._make(np.zeros((), dtype=np.int64)))
    d = normalize_dims(dim, input.ndim)[0]
    n = input.shape[d]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    index = input.argsort(d).narrow(d, (n - 1) // 2, 1)
    values = input.gather(d, index)
    if not keepdim:
        values, index = values.squeeze(d), index.squeeze(d)
    return return_types.median(values, index)
