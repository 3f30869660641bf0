"""``out=``: the result of an op written into a tensor the caller gives.

``tinynn.add(a, b, out=c)`` computes ``a + b`` as usual, then :func:`write_out` stores it
in ``c``. Every public function with an ``out=`` argument ends with it.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def write_out(name: str, result: Tensor, out: Tensor | None) -> Tensor:
    """Store ``result`` in ``out`` for the ``out=`` argument of ``tinynn.add``, ``matmul``...

    ``out`` is resized to the result's shape if needed (with PyTorch's warning when it
    had elements) and keeps its dtype. Returns ``out`` (or ``result`` when ``out`` is None).

    Raises:
        RuntimeError: if grad mode is on and an argument requires grad (an ``out=`` write
            is not recorded for backward), or the result's dtype can't be cast to ``out``'s.
    """
    if out is None:
        return result
    if grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if not np.can_cast(result._data.dtype, out._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(result.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out
