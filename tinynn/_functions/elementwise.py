"""Elementwise ops of two or more operands: ``+ - * / // % **``, ``div``, ``remainder``,
``fmod``, ``maximum``, ``minimum``, ``clamp``, ``where``, ``atan2``, ``lerp`` (the ops of
one operand, ``exp``, ``tanh``, ``abs``, rounding..., are in ``unary.py``).

Each op is its ``Function`` followed by its public function (``tinynn.add``...: argument
checks, ``out=``). Notation: ``g`` is dL/d(output), the gradient flowing in. For
``z = f(x, y)`` the backward returns ``g * dz/dx`` and ``g * dz/dy`` in the *broadcast*
shape; the engine sums them back to each input's shape.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function, quiet_numpy
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


# -- helpers ---------------------------------------------------------------------------
_HALF = np.dtype(np.float16)  # (one object: ``a.dtype is _HALF`` is the quick test for float16)


def _array(x, dtype: _dtype.dtype):
    """The numpy value of a Tensor or Python number, in ``dtype``.

    For float16, a Python float or a float64 value is rounded to float32 first, then to
    float16, as PyTorch does (its ``Half`` is made from a ``float``): rounding twice, which
    gives 1.197 for 1.19677734 where rounding once gives 1.196.
    """
    data = getattr(x, "_data", None)
    if data is None:
        # A Python number: numpy keeps the array's dtype (it is a "weak" scalar). A numpy
        # scalar is not weak in numpy (np.float64 would make the result float64), but
        # PyTorch treats it as a number, so it becomes one.
        x = x.item() if isinstance(x, np.generic) else x
        if isinstance(x, int) and dtype.category == 1:
            info = np.iinfo(dtype.numpy_dtype)
            if not info.min <= x <= info.max:  # PyTorch wraps it around: uint8 * 300 is * 44
                x = (x - int(info.min)) % (int(info.max) - int(info.min) + 1) + int(info.min)
        elif type(x) is float and dtype is _dtype.float16:
            with np.errstate(over="ignore"):  # beyond float16's range: inf, as in PyTorch
                return np.float16(np.float32(x))
        return x
    if data.dtype == dtype.numpy_dtype:
        return data
    # a 0-d float64 operand of a float32 op may not fit: it becomes inf, silently, as in
    # PyTorch (numpy would warn "overflow encountered in cast")
    return quiet_numpy.run(_dtype.cast, data, dtype.numpy_dtype)


def _float_dtype(*operands) -> _dtype.dtype:
    """Result dtype for ops that always give floats (``/``, ``exp``): ints become the default float."""
    d = _dtype.result_type(*operands)
    return d if d.is_floating_point else _dtype.get_default_dtype()


def _broadcast_error(a, b) -> RuntimeError:
    shape_a, shape_b = tuple(np.shape(getattr(a, "_data", a))), tuple(np.shape(getattr(b, "_data", b)))
    n = max(len(shape_a), len(shape_b))
    pa, pb = (1,) * (n - len(shape_a)) + shape_a, (1,) * (n - len(shape_b)) + shape_b
    for dim in reversed(range(n)):  # PyTorch reports the last mismatching dimension
        if pa[dim] != pb[dim] and 1 not in (pa[dim], pb[dim]):
            return RuntimeError(
                f"The size of tensor a ({pa[dim]}) must match the size of tensor b ({pb[dim]}) at "
                f"non-singleton dimension {dim} (shapes {list(shape_a)} and {list(shape_b)} do not "
                "broadcast; reshape or unsqueeze one of them)"
            )
    return RuntimeError(f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast")


def _broadcastable(a, b) -> bool:
    """Whether the shapes of two operands broadcast together."""
    try:
        np.broadcast_shapes(np.shape(getattr(a, "_data", a)), np.shape(getattr(b, "_data", b)))
    except ValueError:
        return False
    return True


def _binary(ufunc, a, b, dtype: _dtype.dtype | None = None, half_in_float32: bool = False):
    """Apply a numpy ufunc to two operands in ``dtype``, with PyTorch's broadcast error.

    ``dtype`` defaults to the promoted dtype of the operands (``result_type``). Float
    results follow IEEE 754 (1e38 * 10 = inf, inf - inf = nan, 0 * inf = nan), as
    PyTorch's do, and like PyTorch this says nothing about them: the ufunc runs with
    numpy's RuntimeWarnings off (``quiet_numpy``). (Integer division by zero is checked by
    the ops that divide.)

    ``half_in_float32`` (for ``*`` and ``/``): a float16 result is computed in float32 and
    rounded once, with a number (or 0-d tensor) operand read in float32, as PyTorch's
    kernels do. numpy would round the number to float16 first: ``x * 1.1`` would then
    differ from PyTorch's in the last bit of about half the elements.
    """
    if dtype is None:
        x = getattr(a, "_data", None)
        number = type(b) is float or type(b) is int  # (not bool, a subclass of int)
        y = b if number else getattr(b, "_data", None)
        # the common cases need no promotion: two tensors of one dtype, or a float tensor
        # and a Python float or int (numpy keeps the array's dtype for a Python number, as
        # PyTorch does), so their arrays go to numpy as they are
        if x is not None and y is not None and (
                (number and x.dtype.kind == "f" and x.dtype is not _HALF) or x.dtype == getattr(y, "dtype", None)):
            try:
                return quiet_numpy.run(ufunc, x, y)
            except ValueError:
                raise _broadcast_error(a, b) from None
        dtype = _dtype.result_type(a, b)
    try:
        if half_in_float32 and dtype is _dtype.float16:
            f32 = _dtype.float32
            z = quiet_numpy.run(ufunc, _array(a, f32), _array(b, f32))
            return quiet_numpy.run(z.astype, np.float16)  # beyond float16's range: inf, quietly
        return quiet_numpy.run(ufunc, _array(a, dtype), _array(b, dtype))
    except ValueError:
        raise _broadcast_error(a, b) from None


#: From this many elements on, choosing values by their bits (``select``, relu's backward)
#: is faster than numpy's ``where``; below it, the fewer numpy calls win.
BIT_SELECT_SIZE = 4096


#: From this many elements on, ``clamp_values`` clamps with ``np.clip``. numpy (2.4)
#: vectorizes ``maximum`` and ``minimum`` of two arrays, but not of an array and a number:
#: ``np.maximum(x, 0)`` took 32 µs on 100,000 float32 elements where ``np.clip(x, 0, inf)``
#: took 10 (x86-64, AVX-512). Below it, np.clip's Python wrapper costs more than it saves.
CLIP_SIZE = 4096


def clamp_values(x: np.ndarray, lo, hi) -> np.ndarray:
    """min(max(x, lo), hi) for numbers ``lo`` and ``hi`` (None: no bound on that side),
    in x's dtype. nan stays nan, and where lo > hi every element is hi, as in PyTorch."""
    if x.size >= CLIP_SIZE and x.dtype.kind == "f":
        return np.clip(x, -np.inf if lo is None else lo, np.inf if hi is None else hi)
    if lo is not None:
        x = np.maximum(x, lo)
    return x if hi is None else np.minimum(x, hi)


#: The signed integer dtype of each width in bytes, as which values of that width are viewed bit by bit.
_SAME_WIDTH_INT = {1: np.dtype(np.int8), 2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


def bit_mask(condition: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """All bits set where ``condition`` holds, none elsewhere, in the integer type as wide
    as ``dtype``: ANDed with an array of ``dtype`` viewed as that type, it keeps each value
    whole (inf, nan and -0.0 included) or clears it to +0."""
    return np.negative(condition, dtype=_SAME_WIDTH_INT[np.dtype(dtype).itemsize])  # True -> -1, False -> 0


def bit_mask_unless(condition: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bit_mask(~condition, dtype)``, all bits set where ``condition`` does *not* hold, in
    one numpy pass instead of two: True - 1 = 0, False - 1 = -1."""
    return np.subtract(condition, 1, dtype=_SAME_WIDTH_INT[np.dtype(dtype).itemsize])


def zero_where(g: np.ndarray, condition: np.ndarray) -> np.ndarray:
    """A copy of ``g`` (broadcast to ``condition``'s shape) with +0 where ``condition``
    holds: the backward of relu and hardtanh. Every other element keeps all of its bits,
    inf and nan included (``g * ~condition`` would turn a masked inf into nan).

    ``np.where(condition, 0, g)`` gives the same values, but it branches on every element,
    and a relu's mask is random, which the CPU's branch predictor cannot follow: on the
    1024x512 activation of chapter 6's feed-forward layer it took 1.9 ms (0.28 ms with the
    same mask sorted), against 0.18 ms for an AND with a mask of all ones or all zeros
    (``select``'s idea). On a small array the mask's numpy calls cost more than the
    arithmetic; a copy with one boolean-indexed write is half the time there.
    """
    if g.size < BIT_SELECT_SIZE or g.shape != condition.shape:
        result = np.array(np.broadcast_to(g, condition.shape))
        result[condition] = 0
        return result
    mask = bit_mask_unless(condition, g.dtype)  # (its memory is free to take the result)
    return np.bitwise_and(g.view(mask.dtype), mask, out=mask).view(g.dtype)


def select(condition: np.ndarray, x, y) -> np.ndarray:
    """``np.where(condition, x, y)``: x where the condition holds, else y, broadcast.

    numpy's ``where`` branches on every element, and when the condition is random (the
    sign of an activation, say) the CPU's branch predictor cannot follow it: on a 1024x512
    float32 array it takes 1.9 ms with a random condition, 0.28 ms with the same condition
    sorted. For two arrays of one dtype this picks the bits instead,
    (x & m) | (y & ~m) with a mask m of all ones where the condition holds and all zeros
    elsewhere: a few vectorized passes (0.27 ms there), and the very same values, inf, nan
    and -0.0 included. A number operand (``where(mask, x, 0.0)``) takes part as a 0-d
    array of the other's dtype, where numpy's result has that dtype. Small arrays, and
    anything else, take ``np.where``: one call is cheaper than five.
    """
    if max(condition.size, getattr(x, "size", 1), getattr(y, "size", 1)) < BIT_SELECT_SIZE:
        return np.where(condition, x, y)
    if type(x) is np.ndarray and type(y) is not np.ndarray and np.result_type(x, y) == x.dtype:
        y = np.asarray(y, dtype=x.dtype)
    elif type(y) is np.ndarray and type(x) is not np.ndarray and np.result_type(x, y) == y.dtype:
        x = np.asarray(x, dtype=y.dtype)
    if type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != y.dtype:
        return np.where(condition, x, y)
    mask = bit_mask(condition, x.dtype)
    bits = mask.dtype
    from_x = np.bitwise_and(x.view(bits), mask)       # each broadcast to its own shape, and
    from_y = np.bitwise_and(y.view(bits), np.invert(mask, out=mask))
    return np.bitwise_or(from_x, from_y).view(x.dtype)  # then to the result's


def _mismatch_error(*operands) -> RuntimeError:
    """PyTorch's error for operands (of ``where``, ``clamp``, ``lerp``) that do not
    broadcast together: it names the first pair that does not (None operands are skipped)."""
    present = [op for op in operands if op is not None]
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            if not _broadcastable(a, b):
                return _broadcast_error(a, b)
    return RuntimeError(f"shapes {[list(np.shape(getattr(op, '_data', op))) for op in present]} cannot be broadcast")


def _check_tensor(function: str, value, argument: str = "input", position: int = 1) -> None:
    """PyTorch's TypeError where an argument must be a Tensor (``maximum(t, 0.5)``)."""
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(
            f"{function}(): argument '{argument}' (position {position}) must be Tensor, not "
            f"{type(value).__name__} (wrap a number with tinynn.tensor(...))"
        )


# -- arithmetic ------------------------------------------------------------------------
class Add(Function):
    """z = x + y;  dz/dx = 1, dz/dy = 1."""

    @staticmethod
    def forward(ctx, x, y):
        return _binary(np.add, x, y)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output


def _alpha_times(input, other, alpha):
    """``alpha * other`` for ``add``/``sub``, in the dtype of the result (PyTorch scales
    ``other`` in that dtype: ``add(int32, bool, alpha=-1)`` stays int32)."""
    dtype = _dtype.result_type(input, other)
    if isinstance(alpha, bool) and dtype is not _dtype.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and not dtype.is_floating_point:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if not isinstance(other, _tensor.Tensor):  # a number
        return (bool(other) and bool(alpha)) if dtype is _dtype.bool else other * alpha
    if other.dtype is not dtype:
        other = other.to(dtype)
    return Mul.apply(other, bool(alpha) if dtype is _dtype.bool else alpha)


def add(input: Tensor | float, other: Tensor | float, *, alpha: float = 1,
        out: Tensor | None = None) -> Tensor:
    """``input + alpha * other``, broadcast, with PyTorch's type promotion.

    Either operand may be a Python number; ``alpha`` is a number.

    Raises:
        RuntimeError: if the shapes do not broadcast (naming the sizes), for a float
            ``alpha`` with integer operands, or a bool ``alpha`` with a non-bool result.
    """
    if type(alpha) is not int or alpha != 1:
        other = _alpha_times(input, other, alpha)
    return write_out("add", Add.apply(input, other), out)


class Sub(Function):
    """z = x - y;  dz/dx = 1, dz/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        check_subtraction(x, y)
        return _binary(np.subtract, x, y)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, -grad_output


def _is_bool(value) -> bool:
    """Whether an operand is a bool tensor or a bool number."""
    data = getattr(value, "_data", None)
    return data.dtype.kind == "b" if data is not None else isinstance(value, (bool, np.bool_))


def check_subtraction(x: Tensor | float, y: Tensor | float) -> None:
    """PyTorch refuses ``-`` with a bool operand (also for ``sub_``, which may not reach ``Sub``)."""
    x_bool, y_bool = _is_bool(x), _is_bool(y)
    if x_bool or y_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            if not (x_bool and y_bool) else
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )


def sub(input: Tensor | float, other: Tensor | float, *, alpha: float = 1,
        out: Tensor | None = None) -> Tensor:
    """``input - alpha * other``, broadcast, with PyTorch's type promotion.

    Raises:
        RuntimeError: if the shapes do not broadcast, for a bool operand (use ``^`` or
            ``~``), a float ``alpha`` with integer operands, or a bool ``alpha``.
    """
    if type(alpha) is not int or alpha != 1:
        check_subtraction(input, other)  # before alpha turns a bool into a number
        other = _alpha_times(input, other, alpha)
    return write_out("sub", Sub.apply(input, other), out)


subtract = sub


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x."""

    @staticmethod
    def forward(ctx, x, y):
        # save only what backward will use (dz/dx needs y, dz/dy needs x), so that changing
        # the other operand in place afterwards is not an error (as in PyTorch)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return _binary(np.multiply, x, y, half_in_float32=True)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = grad_output * y if ctx.needs_input_grad[0] else None
        grad_y = grad_output * x if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def mul(input: Tensor | float, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """``input * other``, broadcast, with PyTorch's type promotion.

    Raises:
        RuntimeError: if the shapes do not broadcast (naming the sizes).
    """
    return write_out("mul", Mul.apply(input, other), out)


multiply = mul


# -- division --------------------------------------------------------------------------
class Div(Function):
    """z = x / y (true division);  dz/dx = 1/y, dz/dy = -x/y^2, computed as -(x/y)/y (as
    PyTorch: y^2 would underflow to 0 for a tiny y, or overflow for a huge one)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)  # dz/dx needs only y
        return _binary(np.true_divide, x, y, _float_dtype(x, y), half_in_float32=True)  # x/0: inf or nan, as in PyTorch

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = grad_output / y if ctx.needs_input_grad[0] else None
        grad_y = -grad_output * (x / y / y) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def _check_divisor(result, divisor, dtype: _dtype.dtype) -> None:
    """Integer division by zero raises, as in PyTorch (a float one gives inf or nan);
    an empty result divides nothing, so it does not."""
    if dtype.category < 2 and np.size(result) and np.any(np.asarray(_array(divisor, dtype)) == 0):
        raise RuntimeError(
            "ZeroDivisionError (integer division by zero; divide floats, or mask the zeros "
            "out of the divisor first)"
        )


def _truncated_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division rounded towards zero, exactly: ``a - fmod(a, b)`` is a multiple of ``b``."""
    return (a - np.fmod(a, b)) // b


def _rounded_quotient(x, y, rounding_mode: str):
    """x / y rounded down ("floor", Python's ``//``) or towards zero ("trunc")."""
    dtype = _dtype.result_type(x, y)
    if dtype is _dtype.bool:
        raise NotImplementedError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    if rounding_mode == "floor":
        z = _binary(np.floor_divide, x, y, dtype)
    elif dtype.is_floating_point:
        z = np.trunc(_binary(np.true_divide, x, y, dtype))
    else:
        z = _binary(_truncated_divide, x, y, dtype)
    _check_divisor(z, y, dtype)
    return z


class DivRounded(Function):
    """z = x / y rounded ("floor" or "trunc");  dz/dx = dz/dy = 0 (piecewise constant)."""

    @staticmethod
    def forward(ctx, x, y, rounding_mode):
        return _rounded_quotient(x, y, rounding_mode)

    @staticmethod
    def backward(ctx, grad_output):
        zero = grad_output * 0
        return (zero if ctx.needs_input_grad[0] else None), (zero if ctx.needs_input_grad[1] else None), None


def div(input: Tensor | float, other: Tensor | float, *, rounding_mode: str | None = None,
        out: Tensor | None = None) -> Tensor:
    """``input / other``, broadcast; ints give the default float dtype.

    ``rounding_mode="floor"`` rounds the quotient down, ``"trunc"`` towards zero; both
    keep the operands' dtype (their gradient is 0).

    Raises:
        RuntimeError: if the shapes do not broadcast, for an unknown ``rounding_mode``, or
            (``ZeroDivisionError``) for a rounded integer division by zero.
        NotImplementedError: for a rounded division of bools.
    """
    if rounding_mode is None:
        result = Div.apply(input, other)
    elif rounding_mode in ("floor", "trunc"):
        result = DivRounded.apply(input, other, rounding_mode)
    else:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return write_out("div", result, out)


divide = div


def true_divide(dividend: Tensor | float, divisor: Tensor | float, *,
                out: Tensor | None = None) -> Tensor:
    """``dividend / divisor`` (``div`` without rounding).

    Raises:
        RuntimeError: if the shapes do not broadcast.
    """
    return write_out("true_divide", Div.apply(dividend, divisor), out)


class AddcdivQuotient(Function):
    """z = x / y inside ``addcdiv_`` when the divisor y is an integer or bool tensor.

    The value is the true quotient; the backward raises as PyTorch's does: its formula for
    dL/dx, g * value / y, writes its result in y's dtype, which cannot hold a float.
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.divisor_dtype = y.dtype
        return _binary(np.true_divide, x, y, _float_dtype(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError(
            "result type Float can't be cast to the desired output type "
            f"{_dtype.scalar_name(ctx.divisor_dtype)} (the gradient of addcdiv_ through an "
            "integer tensor2: convert tensor2 with .float() first)")


class FloorDivide(Function):
    """z = floor(x / y), Python's ``//``.

    PyTorch defines no derivative for it (the result still requires grad, and backward
    through it raises); ``div(x, y, rounding_mode="floor")`` has the zero gradient.
    """

    @staticmethod
    def forward(ctx, x, y):
        return _rounded_quotient(x, y, "floor")

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError(
            "derivative for aten::floor_divide is not implemented (use "
            "div(x, y, rounding_mode='floor'), whose gradient is 0)"
        )


def floor_divide(input: Tensor | float, other: Tensor | float, *,
                 out: Tensor | None = None) -> Tensor:
    """``input // other``: the quotient rounded down, broadcast, dtype of the operands.

    Raises:
        RuntimeError: if the shapes do not broadcast, or (``ZeroDivisionError``) for an
            integer division by zero. NotImplementedError: for two bools.
    """
    result = FloorDivide.apply(input, other)
    if out is None:
        return result
    # no derivative, so PyTorch accepts out= even when an operand requires grad; out then
    # takes the result's history (whose backward raises), as there
    write_out("floor_divide", result.detach(), out)
    if result.requires_grad:
        out._requires_grad, out.grad_fn, out._output_nr = True, result.grad_fn, result._output_nr
    return out


# -- remainders ------------------------------------------------------------------------
class _Remainder(Function):
    """z = x - q(x / y) * y for a rounding q;  dz/dx = 1, dz/dy = -q(x / y).

    q(x / y) is piecewise constant, so away from its jumps the only dependence on y is the
    ``- q * y`` term. Integer division by zero raises, as in PyTorch, and so does the
    gradient of ``number % tensor``, which PyTorch does not define.
    """

    ufunc = None  # the numpy remainder
    rounding = None  # the rounding mode of q: "floor" or "trunc"

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[1] else None)
        dtype = _dtype.result_type(x, y)
        if dtype is _dtype.bool:
            raise NotImplementedError(f"\"{cls.__name__.lower()}_cpu\" not implemented for 'Bool'")
        z = _binary(cls.ufunc, x, y, dtype)  # x % 0.0 is nan, as in PyTorch
        _check_divisor(z, y, dtype)
        return z

    @classmethod
    def backward(cls, ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_y = None
        if ctx.needs_input_grad[1]:
            if not isinstance(x, _tensor.Tensor):  # number % tensor: PyTorch defines no derivative
                raise RuntimeError(
                    f"derivative for aten::{cls.__name__.lower()} is not implemented (for a number "
                    "divided by a tensor; write tensor(number) % other to differentiate it)"
                )
            grad_y = -grad_output * DivRounded.apply(x, y, cls.rounding)
        return (grad_output if ctx.needs_input_grad[0] else None), grad_y


class Remainder(_Remainder):
    """z = x - floor(x / y) * y, the sign of y (Python's ``%``);  dz/dx = 1, dz/dy = -floor(x / y)."""

    ufunc = staticmethod(np.mod)
    rounding = "floor"


def remainder(input: Tensor | float, other: Tensor | float, *,
              out: Tensor | None = None) -> Tensor:
    """``input - floor(input / other) * other``, with the sign of ``other`` (Python's ``%``).

    Shapes broadcast; either operand may be a number. Gradients: dL/d(input) = g,
    dL/d(other) = -g * floor(input / other).

    Raises:
        RuntimeError: for integer division by zero (``ZeroDivisionError``, as PyTorch says),
            or shapes that do not broadcast. NotImplementedError: for bools.
    """
    return write_out("remainder", Remainder.apply(input, other), out)


class Fmod(_Remainder):
    """z = x - trunc(x / y) * y, the sign of x (C's ``fmod``);  dz/dx = 1, dz/dy = -trunc(x / y)."""

    ufunc = staticmethod(np.fmod)
    rounding = "trunc"


def fmod(input: Tensor, other: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """``input - trunc(input / other) * other``, with the sign of ``input`` (C's ``fmod``).

    Shapes broadcast; ``other`` may be a number. Gradients: dL/d(input) = g,
    dL/d(other) = -g * trunc(input / other).

    Raises:
        TypeError: if ``input`` is not a Tensor. RuntimeError: for integer division by
            zero, or shapes that do not broadcast. NotImplementedError: for bools.
    """
    _check_tensor("fmod", input)
    return write_out("fmod", Fmod.apply(input, other), out)


# -- powers ----------------------------------------------------------------------------
def _integer_power(base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """Integer ``base ** exponent`` with negative exponents as PyTorch computes them:
    1 / base^n truncated, so 1 and -1 keep their powers and every other base gives 0."""
    negative = exponent < 0
    z = np.power(base, np.where(negative, 0, exponent))
    odd = exponent % 2 != 0
    of_negative = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, of_negative, z).astype(z.dtype)


def _power_of_number(x: np.ndarray, exponent: float) -> np.ndarray:
    """x ** exponent for a float32 or float64 array and a number, as PyTorch's CPU kernel
    computes it: by products, a square root or a reciprocal for the exponents 2, 3, -2,
    0.5, -0.5, -1 (x * x * x rounds twice, where ``pow`` rounds once: PyTorch's value, bit
    for bit), ``pow`` for the others. Much faster, too: ``np.power(x, 3)`` takes 1 ms on
    100,000 floats with negative ones among them. Runs inside ``quiet_numpy.run``."""
    if exponent == 2:
        return x * x
    if exponent == 3:
        return x * x * x
    if exponent == -2:
        return 1 / (x * x)
    if exponent == 0.5:
        return np.sqrt(x)  # (sqrt(-inf) = nan, as PyTorch's, where pow gives inf)
    if exponent == -0.5:
        return 1 / np.sqrt(x)
    if exponent == -1:
        return 1 / x
    if exponent == 1:
        return x.copy()
    return np.power(x, exponent)


class Pow(Function):
    """z = x ** y;  dz/dx = y x^(y-1),  dz/dy = x^y log(x)  (taken as 0 where x = 0 and y >= 0)."""

    @staticmethod
    def forward(ctx, x, y):
        z = _power(x, y)
        if not ctx.needs_input_grad[1]:
            ctx.save_for_backward(x, y, None)
            return z
        # dz/dy = z log x uses z itself, as PyTorch's formula does (for an in-place x **= y,
        # z is then x's new value, in x's dtype: a float32 overflow to inf is seen there too)
        z = _tensor.Tensor._make(z)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, y, z = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:  # x is a tensor
            if not isinstance(y, _tensor.Tensor) and y == 0:  # x^0 = 1: no gradient (and no 0 * inf at x = 0)
                grad_x = grad_output * 0
            else:
                if isinstance(y, _tensor.Tensor):
                    if y.dtype is _dtype.bool:  # PyTorch forms y - 1, which it refuses for bools
                        check_subtraction(y, 1)
                    # y x^(y-1) is 0 * inf at x = 0, y = 0: PyTorch takes 0. The exponent is
                    # replaced where y = 0, so that no inf is formed (and masked) at all. An
                    # integer y is taken in the gradient's dtype (a float64 x keeps float64).
                    y = y if y.dtype.is_floating_point else y.to(grad_output.dtype)
                    exponent = where(y == 0, 1.0, y) - 1
                    grad_x = where(y == 0, 0.0, grad_output * y * x ** exponent)
                else:  # PyTorch's order: g (y x^(y-1))
                    grad_x = grad_output * (x ** (y - 1) * y)
        if ctx.needs_input_grad[1]:  # y is a tensor
            # log 0 = -inf: at x = 0, y < 0, x^y log x = inf * -inf = -inf (as in PyTorch);
            # at x = 0, y >= 0 the gradient is taken as 0, and log x is replaced by 0 there,
            # so that no 0 * inf is formed at all.
            if not isinstance(x, _tensor.Tensor):
                if x == 0:
                    log_x = where(y >= 0, y.new_zeros(()), y.new_full((), -math.inf)).detach()
                else:
                    log_x = math.log(x) if x > 0 else math.nan
            else:  # (log of x in the result's dtype, as PyTorch's formula: an integer x of a
                # float64 exponent takes its log in float64, not in the default float32)
                log_x = where((x == 0) & (y >= 0), 0.0, x.to(_dtype.result_type(x, y)).log())
            grad_y = grad_output * (z * log_x)
        return grad_x, grad_y


def _power(x, y) -> np.ndarray:
    """The values of x ** y in the promoted dtype (numbers included; see ``Pow``)."""
    if (type(y) is float or type(y) is int) and getattr(x, "_data", None) is not None and (
            x._data.dtype.kind == "f" and x._data.dtype is not _HALF):
        return quiet_numpy.run(_power_of_number, x._data, y)
    dtype = _dtype.result_type(x, y)
    if dtype is _dtype.bool:  # PyTorch: only bool tensor ** bool number (x**True = x, x**False = 1)
        if isinstance(y, _tensor.Tensor):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        return np.logical_or(x._data, not y)
    if dtype.category == 1 and np.any(np.asarray(_array(y, dtype)) < 0):
        if not isinstance(y, _tensor.Tensor):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _binary(_integer_power, x, y, dtype)
    return _binary(np.power, x, y, dtype)


def pow(input: Tensor | float, exponent: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """``input ** exponent``, broadcast; either may be a number (not both).

    Raises:
        RuntimeError: if the shapes do not broadcast, or for an integer tensor to a
            negative integer number (a negative integer *tensor* exponent gives 0, 1 or
            -1, as in PyTorch). NotImplementedError: for a bool tensor exponent of bools.
    """
    return write_out("pow", Pow.apply(input, exponent), out)


# -- maximum, minimum, clamp -----------------------------------------------------------
class Maximum(Function):
    """z = max(x, y) (nan if either is nan);  the gradient goes to the larger input, split
    in half on ties; where either is nan both get it, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y):
        _check_tensor("maximum", x)  # PyTorch takes no numbers here
        _check_tensor("maximum", y, "other", 2)
        ctx.save_for_backward(x, y)
        return _binary(np.maximum, x, y)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        half = grad_output * 0.5
        tie = x == y
        grad_x = where(x < y, 0.0, where(tie, half, grad_output)) if ctx.needs_input_grad[0] else None
        grad_y = where(x > y, 0.0, where(tie, half, grad_output)) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def maximum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The larger of two tensors, elementwise (broadcast; nan wins, as in PyTorch).

    Raises:
        TypeError: if either is not a Tensor (for a number, use ``clamp(min=...)``).
        RuntimeError: if the shapes do not broadcast.
    """
    return write_out("maximum", Maximum.apply(input, other), out)


class Minimum(Function):
    """z = min(x, y) (nan if either is nan);  the gradient goes to the smaller input, split
    in half on ties; where either is nan both get it, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y):
        _check_tensor("minimum", x)  # PyTorch takes no numbers here
        _check_tensor("minimum", y, "other", 2)
        ctx.save_for_backward(x, y)
        return _binary(np.minimum, x, y)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        half = grad_output * 0.5
        tie = x == y
        grad_x = where(x > y, 0.0, where(tie, half, grad_output)) if ctx.needs_input_grad[0] else None
        grad_y = where(x < y, 0.0, where(tie, half, grad_output)) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def minimum(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The smaller of two tensors, elementwise (broadcast; nan wins, as in PyTorch).

    Raises:
        TypeError: if either is not a Tensor (for a number, use ``clamp(max=...)``).
        RuntimeError: if the shapes do not broadcast.
    """
    return write_out("minimum", Minimum.apply(input, other), out)


class Clamp(Function):
    """z = min(max(x, lo), hi) (hi where lo > hi);  as PyTorch's gradient:
    dz/dx = 1 where lo <= x <= hi, dz/dlo = 1 where x < lo < hi, dz/dhi = 1 where
    x > hi or hi < lo (0 elsewhere, and at nan). The bounds are numbers or tensors."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if lo is not None and hi is not None and isinstance(lo, _tensor.Tensor) != isinstance(hi, _tensor.Tensor):
            # a tensor and a number: PyTorch reads a 0-d tensor that needs no grad as a number
            lo, hi = (b.item() if isinstance(b, _tensor.Tensor) and b.ndim == 0 and not b.requires_grad
                      else b for b in (lo, hi))
        bounds = [b for b in (lo, hi) if b is not None]
        tensors = isinstance(lo, _tensor.Tensor) + isinstance(hi, _tensor.Tensor)  # how many bounds are
        if tensors and tensors != len(bounds):
            raise TypeError(
                "clamp(): min and max must both be Tensors or both numbers (got "
                f"{type(lo).__name__} and {type(hi).__name__}); wrap the number with tensor()"
            )
        dtype = _dtype.result_type(x, *bounds)
        if dtype is _dtype.bool and (len(bounds) == 2 or not tensors):
            # PyTorch has no bool kernel for two bounds or a number bound; a single tensor
            # bound goes through maximum/minimum, which take bools
            kernel = "clamp" if len(bounds) == 2 else "clamp_min" if hi is None else "clamp_max"
            raise NotImplementedError(
                f"\"{kernel}{'' if tensors else '_scalar'}_cpu\" not implemented for 'Bool'"
            )
        ctx.save_for_backward(x, lo, hi)
        # min(max(x, lo), hi): hi where lo > hi, and nan stays nan, as np.clip gives, in two
        # ufunc calls (np.clip's Python wrapper costs twice the arithmetic on a small tensor)
        z = _array(x, dtype)
        if not tensors:  # number bounds: np.clip on a large tensor (see clamp_values)
            return clamp_values(z, *[None if b is None else _array(b, dtype) for b in (lo, hi)])
        try:
            if lo is not None:
                z = np.maximum(z, _array(lo, dtype))
            if hi is not None:
                z = np.minimum(z, _array(hi, dtype))
        except ValueError:  # a bound that does not broadcast against x (or the other bound)
            raise _mismatch_error(x, *bounds) from None
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, lo, hi = ctx.saved_tensors
        grad_x = grad_lo = grad_hi = None
        if lo is not None and hi is not None:
            if ctx.needs_input_grad[0]:
                grad_x = where((x >= lo) & (x <= hi), grad_output, 0.0)
            if ctx.needs_input_grad[1]:
                grad_lo = where((x < lo) & (lo < hi), grad_output, 0.0)
            if ctx.needs_input_grad[2]:
                grad_hi = where((x > hi) | (hi < lo), grad_output, 0.0)
        elif lo is not None:
            grad_x = where(x >= lo, grad_output, 0.0) if ctx.needs_input_grad[0] else None
            grad_lo = where(x < lo, grad_output, 0.0) if ctx.needs_input_grad[1] else None
        else:
            grad_x = where(x <= hi, grad_output, 0.0) if ctx.needs_input_grad[0] else None
            grad_hi = where(x > hi, grad_output, 0.0) if ctx.needs_input_grad[2] else None
        return grad_x, grad_lo, grad_hi


def clamp(input: Tensor, min: Tensor | float | None = None, max: Tensor | float | None = None, *,
          out: Tensor | None = None) -> Tensor:
    """``input`` limited to [min, max], elementwise (``max`` wins where min > max).

    ``min`` and ``max`` are numbers or tensors that broadcast against ``input``; the
    result dtype promotes with them (an int tensor clamped to 0.5 gives floats).

    Raises:
        TypeError: if ``input`` is not a Tensor, or one bound is a Tensor and the other
            a number (a 0-d tensor that needs no grad counts as a number).
        RuntimeError: if both bounds are None, or a bound does not broadcast.
        NotImplementedError: for a bool result with two bounds or a number bound (PyTorch
            has no such kernel; one tensor bound works).
    """
    _check_tensor("clamp", input)
    return write_out("clamp", Clamp.apply(input, min, max), out)


clip = clamp


# -- where -----------------------------------------------------------------------------
class Where(Function):
    """z = x where condition else y;  dz/dx = condition, dz/dy = not condition."""

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.save_for_backward(condition)  # (so that changing it in place before backward is caught)
        dtype = _dtype.result_type(x, y)
        if dtype.is_floating_point and not isinstance(x, _tensor.Tensor) and not isinstance(y, _tensor.Tensor):
            dtype = _dtype.get_default_dtype()  # two numbers: a float one gives the default dtype
        try:
            z = select(condition._data, _array(x, dtype), _array(y, dtype))
        except ValueError:
            raise _mismatch_error(condition, x, y) from None
        return z if z.dtype == dtype.numpy_dtype else z.astype(dtype.numpy_dtype)  # two numbers

    @staticmethod
    def backward(ctx, grad_output):
        condition, = ctx.saved_tensors
        zero = grad_output.new_zeros(())
        grad_x = where(condition, grad_output, zero) if ctx.needs_input_grad[1] else None
        grad_y = where(condition, zero, grad_output) if ctx.needs_input_grad[2] else None
        return None, grad_x, grad_y


def where(condition: Tensor, input: Tensor | float | None = None, other: Tensor | float | None = None,
          *, out: Tensor | None = None) -> Tensor | tuple:
    """``input`` where ``condition`` is True, else ``other`` (all three broadcast together).

    ``input`` and ``other`` are tensors or numbers. With only ``condition``, returns the
    indices of its True elements, one tensor per dimension (``nonzero(as_tuple=True)``).

    Raises:
        TypeError: if ``condition`` is not a Tensor, or with ``out`` if ``input`` or
            ``other`` is a number. RuntimeError: if it is not bool, the shapes do not
            broadcast (naming the sizes), or ``out``'s dtype is not the result's.
    """
    _check_tensor("where", condition, "condition")
    if input is None and other is None:
        return (condition.reshape((1,)) if condition.ndim == 0 else condition).nonzero(as_tuple=True)
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dtype.scalar_name(condition.dtype)} (compare it, e.g. mask != 0)"
        )
    if out is None:
        return Where.apply(condition, input, other)
    _check_tensor("where", input, "input", 2)  # the out= form takes no numbers
    _check_tensor("where", other, "other", 3)
    result = Where.apply(condition, input, other)
    recorded = grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad)
    if result.dtype is not out.dtype and not recorded:  # write_out names the autograd error
        raise RuntimeError(
            f"Expected out type to be {_dtype.scalar_name(result.dtype)} but got "
            f"{_dtype.scalar_name(out.dtype)} (where(out=...) does not cast; give out that dtype)"
        )
    return write_out("where", result, out)


# -- two-argument functions ------------------------------------------------------------
class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y) in (-pi, pi];
    dz/dy = x / (x^2 + y^2), dz/dx = -y / (x^2 + y^2)  (both 0 at the origin, as PyTorch)."""

    @staticmethod
    def forward(ctx, y, x):
        _check_tensor("atan2", y)  # PyTorch takes no numbers here
        _check_tensor("atan2", x, "other", 2)
        ctx.save_for_backward(y, x)
        return _binary(np.arctan2, y, x, _float_dtype(y, x))

    @staticmethod
    def backward(ctx, grad_output):
        y, x = ctx.saved_tensors
        squared_norm = x * x + y * y
        origin = squared_norm == 0
        scale = where(origin, 0.0, grad_output / where(origin, 1.0, squared_norm))
        # -y in y's own dtype, as PyTorch's formula (g * -y / ...): an int32 -2**31 stays
        # -2**31, and a bool y raises
        return scale * x, scale * -y


def atan2(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The angle of the point (other, input), elementwise: atan(input / other) in the
    right quadrant, in (-pi, pi] (broadcast; ints give the default float dtype).

    Raises:
        TypeError: if either is not a Tensor. RuntimeError: if the shapes do not broadcast.
    """
    return write_out("atan2", Atan2.apply(input, other), out)


arctan2 = atan2


def _lerp(start, stop, weight):
    difference = stop - start
    return np.where(np.abs(weight) < 0.5, start + weight * difference, stop - difference * (1 - weight))


class Lerp(Function):
    """z = x + w (e - x), computed as e - (e - x)(1 - w) where |w| >= 1/2 (PyTorch's form,
    exact at w = 1);  dz/dx = 1 - w, dz/de = w, dz/dw = e - x."""

    @staticmethod
    def forward(ctx, x, end, weight):
        _check_tensor("lerp", end, "end", 2)
        if not x.dtype.is_floating_point:
            kind = "tensor" if isinstance(weight, _tensor.Tensor) else "scalar"
            raise NotImplementedError(
                f"\"lerp_kernel_{kind}\" not implemented for '{_dtype.scalar_name(x.dtype)}'"
            )
        for name, value in (("end", end), ("weight", weight)):
            # a 0-d weight is taken as a number, as in PyTorch
            if isinstance(value, _tensor.Tensor) and value.dtype is not x.dtype and (name == "end" or value.ndim):
                raise RuntimeError(
                    f"expected dtype {_dtype.scalar_name(x.dtype).lower()} for `{name}` but got "
                    f"dtype {_dtype.scalar_name(value.dtype).lower()} (convert it with .to(input.dtype))"
                )
        # dz/dx and dz/de need only the weight, dz/dw only x and e: save what will be used
        # (a number weight is kept as it is: there is nothing to check or free, as in PyTorch)
        needs = ctx.needs_input_grad
        ctx.number_weight = None if isinstance(weight, _tensor.Tensor) else weight
        if ctx.number_weight is None:
            ctx.save_for_backward(x if needs[2] else None, end if needs[2] else None,
                                  weight if needs[0] or needs[1] else None)
        # float16 is computed in float32 (a number weight read in float32) and rounded once, as PyTorch does
        dtype = _dtype.float32 if x.dtype is _dtype.float16 else x.dtype
        start, stop, w = _array(x, dtype), _array(end, dtype), _array(weight, dtype)
        try:
            z = quiet_numpy.run(_lerp, start, stop, w)  # inf - inf is nan, as in PyTorch
        except ValueError:
            raise _mismatch_error(x, end, weight) from None
        return z if dtype is x.dtype else quiet_numpy.run(z.astype, np.float16)

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.number_weight is None:
            x, end, weight = ctx.saved_tensors
        else:  # a number: no gradient for it, so x and e are not needed
            x = end = None
            weight = ctx.number_weight
        grad_x = grad_output * (1 - weight) if ctx.needs_input_grad[0] else None
        grad_end = grad_output * weight if ctx.needs_input_grad[1] else None
        grad_weight = grad_output * (end - x) if ctx.needs_input_grad[2] else None
        return grad_x, grad_end, grad_weight


def lerp(input: Tensor, end: Tensor, weight: Tensor | float, *, out: Tensor | None = None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)`` (all three broadcast).

    ``weight`` is a number or a tensor; tensors must share ``input``'s float dtype.

    Raises:
        TypeError: if ``input`` or ``end`` is not a Tensor. RuntimeError: if ``end`` or
            ``weight`` has another dtype, or the shapes do not broadcast.
        NotImplementedError: for an integer or bool ``input``.
    """
    _check_tensor("lerp", input)
    return write_out("lerp", Lerp.apply(input, end, weight), out)
