"""Comparisons and logic: ``== != < <= > >=`` (``eq`` ... ``ge``), ``& | ^ ~``,
``logical_*``, ``isnan``, ``isinf``, ``isfinite``, ``isclose``, ``allclose``, ``equal``,
and their in-place forms (``eq_`` ... ``ge_``, ``logical_*_``).

Their results are bool tensors (or a Python bool), which have no gradient, so the ops
need no ``Function``: each computes with numpy and wraps the result in a new tensor.
The operators (``x == y`` is ``compare(np.equal, x, y)``) call ``compare`` directly;
the public functions below (``eq``, ``logical_and``, ...) add PyTorch's argument checks
and ``out=``. The in-place forms write the result into the tensor itself, in its own
dtype (1 or 0), through ``Tensor._inplace`` with the two small ``Function``s at the end.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function
from .elementwise import _array, _broadcast_error, _check_tensor
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor

_NUMBER = (int, float, bool, np.number)


def compare(ufunc, a: Tensor, b) -> Tensor:
    """A comparison operator: bool result, no gradient, PyTorch's broadcast error.

    Returns ``NotImplemented`` for an operand that is neither a tensor nor a number, so
    that Python falls back (``x == None`` is False, ``x < None`` a TypeError), as in PyTorch.
    """
    if not isinstance(b, (_tensor.Tensor, int, float, bool, np.number)):
        return NotImplemented
    dtype = _dtype.result_type(a, b)
    try:
        return _tensor.Tensor._make(np.asarray(ufunc(_array(a, dtype), _array(b, dtype))))
    except ValueError:
        raise _broadcast_error(a, b) from None


def _comparison(name: str, ufunc, input, other) -> Tensor:
    """``compare`` with PyTorch's TypeError for arguments that are not (Tensor, Tensor or number)."""
    if not isinstance(input, _tensor.Tensor) or not isinstance(other, (_tensor.Tensor,) + _NUMBER):
        got = ", ".join(type(v).__name__ for v in (input, other))
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
            f" * (Tensor input, Number other, *, Tensor out = None)"
        )
    return compare(ufunc, input, other)


def eq(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input == other`` elementwise (broadcast), as a bool tensor (written into ``out`` if given).

    Raises:
        TypeError: if ``input`` is not a tensor or ``other`` neither a tensor nor a number.
        RuntimeError: if the shapes do not broadcast.
    """
    result = _comparison("eq", np.equal, input, other)
    return result if out is None else write_out("eq", result, out)


def ne(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input != other`` elementwise; shapes, ``out`` and errors as :func:`eq`."""
    result = _comparison("ne", np.not_equal, input, other)
    return result if out is None else write_out("ne", result, out)


def lt(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input < other`` elementwise; shapes, ``out`` and errors as :func:`eq`."""
    result = _comparison("lt", np.less, input, other)
    return result if out is None else write_out("lt", result, out)


def le(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input <= other`` elementwise; shapes, ``out`` and errors as :func:`eq`."""
    result = _comparison("le", np.less_equal, input, other)
    return result if out is None else write_out("le", result, out)


def gt(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input > other`` elementwise; shapes, ``out`` and errors as :func:`eq`."""
    result = _comparison("gt", np.greater, input, other)
    return result if out is None else write_out("gt", result, out)


def ge(input: Tensor, other, *, out: Tensor | None = None) -> Tensor:
    """``input >= other`` elementwise; shapes, ``out`` and errors as :func:`eq`."""
    result = _comparison("ge", np.greater_equal, input, other)
    return result if out is None else write_out("ge", result, out)


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
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _tensor.Tensor._make(np.invert(input._data))


def _logical(name: str, ufunc, input: Tensor, other: Tensor, position: int = 2) -> Tensor:
    """``ufunc`` (np.logical_and...) of the two, each first cast to the dtype they promote to,
    as PyTorch does: a 0-d float64 of 1e-311 is 0 next to a float32 tensor, hence False."""
    _check_tensor(name, input)
    _check_tensor(name, other, "other", position)
    dtype = _dtype.result_type(input, other)
    try:
        return _tensor.Tensor._make(np.asarray(ufunc(_array(input, dtype), _array(other, dtype))))
    except ValueError:
        raise _broadcast_error(input, other) from None


def logical_not(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """True where ``input`` is zero (a bool tensor of its shape, no gradient).

    Raises:
        TypeError: if ``input`` is not a tensor.
    """
    _check_tensor("logical_not", input)
    result = _tensor.Tensor._make(np.logical_not(input._data))
    return result if out is None else write_out("logical_not", result, out)


def logical_and(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """True where both ``input`` and ``other`` are nonzero (broadcast; a bool tensor).

    Raises:
        TypeError: if an argument is not a tensor (PyTorch takes no Python number here).
        RuntimeError: if the shapes do not broadcast.
    """
    result = _logical("logical_and", np.logical_and, input, other)
    return result if out is None else write_out("logical_and", result, out)


def logical_or(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """True where ``input`` or ``other`` is nonzero; shapes and errors as :func:`logical_and`."""
    result = _logical("logical_or", np.logical_or, input, other)
    return result if out is None else write_out("logical_or", result, out)


def logical_xor(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """True where exactly one of ``input`` and ``other`` is nonzero; as :func:`logical_and`."""
    result = _logical("logical_xor", np.logical_xor, input, other)
    return result if out is None else write_out("logical_xor", result, out)


def isnan(input: Tensor) -> Tensor:
    """True where ``input`` is nan (a bool tensor of its shape; never for integers).

    Raises:
        TypeError: if ``input`` is not a tensor.
    """
    _check_tensor("isnan", input)
    return _tensor.Tensor._make(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    """True where ``input`` is +inf or -inf; as :func:`isnan`."""
    _check_tensor("isinf", input)
    return _tensor.Tensor._make(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    """True where ``input`` is neither inf nor nan; as :func:`isnan`."""
    _check_tensor("isfinite", input)
    return _tensor.Tensor._make(np.isfinite(input._data))


def _check_close_args(name: str, input, other, rtol: float, atol: float) -> None:
    _check_tensor(name, input)
    _check_tensor(name, other, "other", 2)
    for argument, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{name}(): argument '{argument}' must be float, not {type(value).__name__}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_dtype.scalar_name(input.dtype)} did not match "
                           f"{_dtype.scalar_name(other.dtype)} ({name} compares tensors of one "
                           "dtype: convert one of them with .to(other.dtype))")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (broadcast), as a bool tensor.

    Equal infinities are close; nans are close to each other only with ``equal_nan``.

    Raises:
        TypeError: if an argument is not a tensor.
        RuntimeError: for two dtypes, a negative ``rtol``/``atol``, or shapes that do not
            broadcast.
    """
    return _isclose("isclose", input, other, rtol, atol, equal_nan)


def _isclose(name: str, input, other, rtol: float, atol: float, equal_nan: bool) -> Tensor:
    _check_close_args(name, input, other, rtol, atol)
    try:
        return _tensor.Tensor._make(np.asarray(np.isclose(
            input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan)))
    except ValueError:
        raise _broadcast_error(input, other) from None


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``isclose`` for every element, as a Python bool; raises as :func:`isclose`."""
    return bool(_isclose("allclose", input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and values (nan is never equal).

    Raises:
        TypeError: if an argument is not a tensor.
    """
    _check_tensor("equal", input)
    _check_tensor("equal", other, "other", 2)
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


# -- the in-place forms: x.eq_(y), x.logical_and_(y), ... ----------------------------------
class ComparisonInPlace(Function):
    """``x.eq_(y)`` (and ``ne_`` ... ``ge_``): x becomes ``x op y``, 1 or 0 in x's dtype.

    The result is piecewise constant in x and y, so dL/dx = dL/dy = 0 (PyTorch's ``EqBackward0``).
    """

    @staticmethod
    def forward(ctx, x, ufunc, other, name):
        return _comparison(name, ufunc, x, other)._data.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        zeros = grad_output.new_zeros(grad_output.shape)
        return zeros, None, zeros if ctx.needs_input_grad[2] else None, None


class LogicalInPlace(Function):
    """``x.logical_and_(y)`` (and ``_or_``, ``_xor_``, ``_not_``): 1 or 0 in x's dtype.

    PyTorch does not record these in the graph (see :func:`logical_inplace`), so this
    ``Function`` only ever runs with grad mode off and needs no backward.
    """

    @staticmethod
    def forward(ctx, x, ufunc, other, name):
        if other is None:
            return logical_not(x)._data.astype(x._data.dtype)
        return _logical(name, ufunc, x, other, position=1)._data.astype(x._data.dtype)


def logical_inplace(input: Tensor, ufunc, other: Tensor | None, name: str) -> Tensor:
    """``input.logical_and_(other)`` and the like: the result written into ``input``.

    As in PyTorch, the write is not recorded: ``input`` keeps its history (a gradient passes
    as if the op had not run), a leaf that requires grad may be written, and the version
    counter still moves, so a backward that needs the old values raises.

    Raises:
        TypeError: if ``other`` is not a tensor.
        RuntimeError: if the result does not fit ``input``'s shape or dtype.
    """
    with grad_mode.no_grad():
        return input._inplace(LogicalInPlace, ufunc, other, name)
