"""Comparisons and logic: ``== != < <= > >=``, ``& | ^ ~``, ``logical_*``, ``isnan``,
``isinf``, ``isfinite``, ``isclose``, ``allclose``, ``equal``.

Their results are bool tensors (or a Python bool), which have no gradient, so these ops
need no ``Function``: each computes with numpy and wraps the result in a new tensor.
The ``Tensor`` methods (``x == y`` is ``compare(np.equal, x, y)``) call them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from .elementwise import _array, _broadcast_error

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def compare(ufunc, a: Tensor, b) -> Tensor:
    """A comparison: bool result, no gradient, PyTorch's broadcast error."""
    if not isinstance(b, (_tensor.Tensor, int, float, bool, np.number)):
        return NotImplemented
    dtype = _dtype.result_type(a, b)
    try:
        return _tensor.Tensor._make(np.asarray(ufunc(_array(a, dtype), _array(b, dtype))))
    except ValueError:
        raise _broadcast_error(a, b) from None


def logical(ufunc, a: Tensor, b) -> Tensor:
    """``&``, ``|``, ``^`` on bool or integer tensors."""
    dtype = _dtype.result_type(a, b)
    if dtype.is_floating_point:
        cpp_name = _dtype.scalar_name(dtype)  # as PyTorch names it
        raise NotImplementedError(
            f"\"bitwise_{ufunc.__name__.split('_')[1]}_cpu\" not implemented for '{cpp_name}' "
            "(& | ^ need bool or integer tensors; compare first, e.g. (x > 0) & (y > 0))"
        )
    try:
        return _tensor.Tensor._make(np.asarray(ufunc(_array(a, dtype), _array(b, dtype))))
    except ValueError:
        raise _broadcast_error(a, b) from None


def bitwise_not(input: Tensor) -> Tensor:
    """``~x``: bitwise not of an integer tensor, logical not of a bool one.

    Raises:
        TypeError: for a floating point tensor.
    """
    if input.dtype.is_floating_point:
        raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
    return _tensor.Tensor._make(np.invert(input._data))


def logical_not(input: Tensor) -> Tensor:
    return _tensor.Tensor._make(np.logical_not(input._data))


def logical_and(input: Tensor, other) -> Tensor:
    return _tensor.Tensor._make(np.logical_and(input._data, getattr(other, "_data", other)))


def logical_or(input: Tensor, other) -> Tensor:
    return _tensor.Tensor._make(np.logical_or(input._data, getattr(other, "_data", other)))


def logical_xor(input: Tensor, other) -> Tensor:
    """True where exactly one of ``input`` and ``other`` is nonzero (a bool tensor, no gradient).

    Raises:
        RuntimeError: if the shapes do not broadcast.
    """
    try:
        return _tensor.Tensor._make(np.asarray(np.logical_xor(input._data, getattr(other, "_data", other))))
    except ValueError:
        raise _broadcast_error(input, other) from None


def isnan(input: Tensor) -> Tensor:
    return _tensor.Tensor._make(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return _tensor.Tensor._make(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return _tensor.Tensor._make(np.isfinite(input._data))


def isclose(input: Tensor, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|``, as a bool tensor."""
    return _tensor.Tensor._make(np.asarray(np.isclose(
        input._data, getattr(other, "_data", other), rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``isclose`` for every element, as a Python bool."""
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))
