"""Elementwise ops. Notation: ``g`` is dL/d(output), the gradient flowing in.

For ``z = f(x, y)`` the backward returns ``g * dz/dx`` and ``g * dz/dy`` in the
*broadcast* shape; the engine sums them back to each input's shape.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function, quietly

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


# -- helpers ---------------------------------------------------------------------------
def _array(x, dtype: _dtype.dtype):
    """The numpy value of a Tensor or Python number, in ``dtype``."""
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
        return x
    return data if data.dtype == dtype.numpy_dtype else data.astype(dtype.numpy_dtype)


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


def _binary(ufunc, a, b, dtype: _dtype.dtype):
    """Apply a numpy ufunc to two operands of ``dtype``, with PyTorch's broadcast error.

    Float results follow IEEE 754 (1e38 * 10 = inf, inf - inf = nan, 0 * inf = nan), as
    PyTorch's do, and like PyTorch this says nothing about them: the ufunc runs
    ``quietly``, with numpy's RuntimeWarnings off. (Integer division by zero is checked by
    the ops that divide.)
    """
    try:
        return quietly(ufunc, _array(a, dtype), _array(b, dtype))
    except ValueError:
        raise _broadcast_error(a, b) from None


# -- arithmetic ------------------------------------------------------------------------
class Add(Function):
    """z = x + y;  dz/dx = 1, dz/dy = 1."""

    @staticmethod
    def forward(ctx, x, y):
        return _binary(np.add, x, y, _dtype.result_type(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output


class Sub(Function):
    """z = x - y;  dz/dx = 1, dz/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        if any(_dtype.result_type(v) is _dtype.bool for v in (x, y)):  # PyTorch: any bool operand
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
                if _dtype.result_type(x, y) is not _dtype.bool else
                "Subtraction, the `-` operator, with two bool tensors is not supported. "
                "Use the `^` or `logical_xor()` operator instead."
            )
        return _binary(np.subtract, x, y, _dtype.result_type(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, -grad_output


class Mul(Function):
    """z = x * y;  dz/dx = y, dz/dy = x."""

    @staticmethod
    def forward(ctx, x, y):
        # save only what backward will use (dz/dx needs y, dz/dy needs x), so that changing
        # the other operand in place afterwards is not an error (as in PyTorch)
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None)
        return _binary(np.multiply, x, y, _dtype.result_type(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = grad_output * y if ctx.needs_input_grad[0] else None
        grad_y = grad_output * x if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


class Div(Function):
    """z = x / y (true division);  dz/dx = 1/y, dz/dy = -x/y^2."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)  # dz/dx needs only y
        with np.errstate(divide="ignore", invalid="ignore"):  # x/0 is inf or nan, as in PyTorch
            return _binary(np.true_divide, x, y, _float_dtype(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = grad_output / y if ctx.needs_input_grad[0] else None
        grad_y = -grad_output * x / (y * y) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def floor_divide(a, b) -> Tensor:
    """Division rounded down (no gradient: it is piecewise constant).

    Raises:
        RuntimeError: "ZeroDivisionError" for integer division by zero, as in PyTorch.
    """
    dtype = _dtype.result_type(a, b)
    if dtype.category < 2 and np.any(np.asarray(_array(b, dtype)) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _tensor.Tensor._make(np.asarray(np.floor_divide(_array(a, dtype), _array(b, dtype))))


def div_rounded(a, b, rounding_mode: str) -> Tensor:
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        q = Div.apply(a, b).detach()
        out = _tensor.Tensor._make(np.trunc(q._data))
        dtype = _dtype.result_type(a, b)
        return out.to(dtype)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


class Pow(Function):
    """z = x ** y;  dz/dx = y x^(y-1),  dz/dy = x^y log(x)  (taken as 0 where x = 0 and y >= 0)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        dtype = _dtype.result_type(x, y)
        if dtype is _dtype.bool:  # PyTorch: only bool tensor ** bool number (x**True = x, x**False = 1)
            if isinstance(y, _tensor.Tensor):
                raise NotImplementedError("\"pow\" not implemented for 'Bool'")
            return np.logical_or(x._data, not y)
        if dtype.category == 1 and np.any(np.asarray(_array(y, dtype)) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(np.power, x, y, dtype)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:  # x is a tensor
            if not isinstance(y, _tensor.Tensor) and y == 0:  # x^0 = 1: no gradient (and no 0 * inf at x = 0)
                grad_x = grad_output * 0
            else:
                if isinstance(y, _tensor.Tensor):
                    # y x^(y-1) is 0 * inf at x = 0, y = 0: PyTorch takes 0. The exponent is
                    # replaced where y = 0, so that no inf is formed (and masked) at all.
                    exponent = where(y == 0, 1.0, y) - 1
                    grad_x = where(y == 0, 0.0, grad_output * y * x ** exponent)
                else:
                    grad_x = grad_output * y * x ** (y - 1)
        if ctx.needs_input_grad[1]:  # y is a tensor
            # log 0 = -inf: at x = 0, y < 0, x^y log x = inf * -inf = -inf (as in PyTorch);
            # at x = 0, y >= 0 the gradient is taken as 0, and log x is replaced by 0 there,
            # so that no 0 * inf is formed at all.
            if not isinstance(x, _tensor.Tensor):
                if x == 0:
                    log_x = where(y >= 0, y.new_zeros(()), y.new_full((), -math.inf)).detach()
                else:
                    log_x = math.log(x) if x > 0 else math.nan
            else:
                log_x = where((x == 0) & (y >= 0), 0.0, x.log())
            grad_y = grad_output * x ** y * log_x
        return grad_x, grad_y


class Maximum(Function):
    """z = max(x, y);  the gradient goes to the larger input, split in half on ties."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _binary(np.maximum, x, y, _dtype.result_type(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        share_x = (x > y) + (x == y) * 0.5  # 1 where x wins, 0.5 on a tie, 0 where y wins
        return grad_output * share_x, grad_output * (1 - share_x)


class Minimum(Function):
    """z = min(x, y);  the gradient goes to the smaller input, split in half on ties."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _binary(np.minimum, x, y, _dtype.result_type(x, y))

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        share_x = (x < y) + (x == y) * 0.5
        return grad_output * share_x, grad_output * (1 - share_x)


# -- unary -----------------------------------------------------------------------------
class Neg(Function):
    """z = -x;  dz/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype is _dtype.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, grad_output):
        return -grad_output


class Exp(Function):
    """z = e^x;  dz/dx = e^x = z (so the output is saved, not the input)."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            z = _tensor.Tensor._make(np.exp(_array(x, _float_dtype(x))))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * z


class Log(Function):
    """z = ln x;  dz/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, log(-1) = nan
            return np.log(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / x


class Sqrt(Function):
    """z = sqrt(x);  dz/dx = 1 / (2 sqrt(x)) = 1 / (2z)."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            z = _tensor.Tensor._make(np.sqrt(_array(x, _float_dtype(x))))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output / (2 * z)


class Abs(Function):
    """z = |x|;  dz/dx = sign(x) (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * x.sign()


class Sign(Function):
    """z = sign(x) in {-1, 0, 1};  dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        return np.sign(x._data)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class Sin(Function):
    """z = sin x;  dz/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # sin(inf) = nan, as in PyTorch
            return np.sin(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * x.cos()


class Cos(Function):
    """z = cos x;  dz/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # cos(inf) = nan, as in PyTorch
            return np.cos(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return -grad_output * x.sin()


class Tanh(Function):
    """z = tanh x;  dz/dx = 1 - tanh^2 x = 1 - z^2."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(np.tanh(_array(x, _float_dtype(x))))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (1 - z * z)


class Sigmoid(Function):
    """z = 1 / (1 + e^-x);  dz/dx = z (1 - z)."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):  # e^-x overflows to inf for x << 0, and 1/inf = 0
            z = _tensor.Tensor._make(1 / (1 + np.exp(-_array(x, _float_dtype(x)))))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * z * (1 - z)


class Relu(Function):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(np.maximum(x._data, 0))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (z > 0)


class Clamp(Function):
    """z = min(max(x, lo), hi);  dz/dx = 1 where lo <= x <= hi, else 0."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        dtype = _dtype.result_type(x, *(b for b in (lo, hi) if b is not None))
        bounds = (None if b is None else _array(b, dtype) for b in (lo, hi))  # numpy scalars become numbers
        try:
            return np.clip(_array(x, dtype), *bounds)
        except ValueError:  # a bound that does not broadcast against x
            bound = next(b for b in (lo, hi) if b is not None and not _broadcastable(x, b))
            raise _broadcast_error(x, bound) from None

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        inside = x == x  # all True (and False at nan)
        if ctx.lo is not None:
            inside = inside & (x >= ctx.lo)
        if ctx.hi is not None:
            inside = inside & (x <= ctx.hi)
        return grad_output * inside, None, None


class Where(Function):
    """z = x where condition else y;  dz/dx = condition, dz/dy = not condition."""

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.condition = condition
        dtype = _dtype.result_type(x, y)
        try:
            return np.where(condition._data, _array(x, dtype), _array(y, dtype))
        except ValueError:
            raise _broadcast_error(x, y) from None

    @staticmethod
    def backward(ctx, grad_output):
        zero = grad_output.new_zeros(())
        grad_x = where(ctx.condition, grad_output, zero) if ctx.needs_input_grad[1] else None
        grad_y = where(ctx.condition, zero, grad_output) if ctx.needs_input_grad[2] else None
        return None, grad_x, grad_y


def where(condition: Tensor, input=None, other=None) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (broadcast together).

    With only ``condition``, returns the indices of True elements (like ``nonzero``).
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype}")
    return Where.apply(condition, input, other)


class Erf(Function):
    """z = erf x = 2/sqrt(pi) int_0^x e^{-t^2} dt;  dz/dx = 2/sqrt(pi) e^{-x^2}.

    The values come from ``scipy.special.erf`` (exact to float64 rounding).
    """

    @staticmethod
    def forward(ctx, x):
        from scipy.special import erf

        ctx.save_for_backward(x)
        return erf(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


class LeakyRelu(Function):
    """z = x where x > 0, else slope * x;  dz/dx = 1 where x > 0, else slope (at 0 too, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        data = x._data
        return np.where(data > 0, data, data * data.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return where(x > 0, grad_output, grad_output * ctx.negative_slope), None


class _Rounding(Function):
    """z = ufunc(x) for a rounding ufunc (floor, ceil, round, trunc);  dz/dx = 0 (piecewise constant).

    Integer and bool inputs are returned unchanged (as copies), as in PyTorch.
    """

    ufunc = None

    @classmethod
    def forward(cls, ctx, x, *args):
        if x.dtype.category < 2:  # ints and bools are already whole
            return x._data.copy()
        return cls.ufunc(x._data, *args)

    @staticmethod
    def backward(ctx, grad_output):
        return (grad_output * 0,) + (None,) * (len(ctx.next_functions) - 1)


class Floor(_Rounding):
    """z = floor(x), the largest whole number <= x;  dz/dx = 0."""

    ufunc = staticmethod(np.floor)


class Ceil(_Rounding):
    """z = ceil(x), the smallest whole number >= x;  dz/dx = 0."""

    ufunc = staticmethod(np.ceil)


class Trunc(_Rounding):
    """z = trunc(x), x rounded towards zero;  dz/dx = 0."""

    ufunc = staticmethod(np.trunc)


class Round(_Rounding):
    """z = x rounded to ``decimals`` digits, halves to even (``round(2.5) = 2``, as PyTorch);  dz/dx = 0."""

    ufunc = staticmethod(np.round)


class Log2(Function):
    """z = log2 x;  dz/dx = 1 / (x ln 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (x * math.log(2))


class Log10(Function):
    """z = log10 x;  dz/dx = 1 / (x ln 10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (x * math.log(10))


class Tan(Function):
    """z = tan x;  dz/dx = 1 + tan^2 x = 1 + z^2."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):  # tan(inf) = nan, as in PyTorch
            z = _tensor.Tensor._make(np.tan(_array(x, _float_dtype(x))))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (1 + z * z)


class Atan(Function):
    """z = arctan x;  dz/dx = 1 / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (1 + x * x)


class Asin(Function):
    """z = arcsin x (nan outside [-1, 1]);  dz/dx = 1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arcsin(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (1 - x * x).rsqrt()


class Acos(Function):
    """z = arccos x (nan outside [-1, 1]);  dz/dx = -1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return -grad_output * (1 - x * x).rsqrt()


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y) in (-pi, pi];
    dz/dy = x / (x^2 + y^2), dz/dx = -y / (x^2 + y^2)."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return _binary(np.arctan2, y, x, _float_dtype(y, x))

    @staticmethod
    def backward(ctx, grad_output):
        y, x = ctx.saved_tensors
        scale = grad_output / (x * x + y * y)
        return scale * x, -scale * y


# -- hyperbolic functions ----------------------------------------------------------------
class Sinh(Function):
    """z = sinh x = (e^x - e^-x) / 2;  dz/dx = cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # overflows to inf, as in PyTorch
            return np.sinh(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * x.cosh()


class Cosh(Function):
    """z = cosh x = (e^x + e^-x) / 2;  dz/dx = sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * x.sinh()


class Asinh(Function):
    """z = arsinh x = ln(x + sqrt(x^2 + 1));  dz/dx = 1 / sqrt(x^2 + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (x * x + 1).rsqrt()


class Acosh(Function):
    """z = arcosh x (nan for x < 1);  dz/dx = 1 / sqrt((x - 1)(x + 1))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccosh(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * ((x - 1) * (x + 1)).rsqrt()


class Atanh(Function):
    """z = artanh x (nan outside [-1, 1], +-inf at +-1);  dz/dx = 1 / (1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.arctanh(_array(x, _float_dtype(x)))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (1 - x * x)


# -- remainders ------------------------------------------------------------------------
class _Remainder(Function):
    """z = x - q(x / y) * y for a rounding q;  dz/dx = 1, dz/dy = -q(x / y).

    q(x / y) is piecewise constant, so away from its jumps the only dependence on y is the
    ``- q * y`` term. Integer division by zero raises, as in PyTorch, and so does the
    gradient of ``number % tensor``, which PyTorch does not define.
    """

    ufunc = None  # the numpy remainder
    rounding = None  # the name of the Tensor method for q: "floor" or "trunc"

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[1] else None)
        dtype = _dtype.result_type(x, y)
        if dtype.category < 2 and np.any(np.asarray(_array(y, dtype)) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):  # x % 0.0 is nan, as in PyTorch
            return _binary(cls.ufunc, x, y, dtype)

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
            grad_y = -grad_output * getattr(x / y, cls.rounding)()
        return (grad_output if ctx.needs_input_grad[0] else None), grad_y


class Remainder(_Remainder):
    """z = x - floor(x / y) * y, the sign of y (Python's ``%``);  dz/dx = 1, dz/dy = -floor(x / y)."""

    ufunc = staticmethod(np.mod)
    rounding = "floor"


def remainder(a, b) -> Tensor:
    """a - floor(a / b) * b, with the sign of b (Python's ``%``), as in PyTorch.

    Shapes broadcast. Gradients: dL/da = g, dL/db = -g * floor(a / b).

    Raises:
        RuntimeError: for integer division by zero (``ZeroDivisionError``, as PyTorch says),
            or shapes that do not broadcast.
    """
    return Remainder.apply(a, b)


class Fmod(_Remainder):
    """z = x - trunc(x / y) * y, the sign of x (C's ``fmod``);  dz/dx = 1, dz/dy = -trunc(x / y)."""

    ufunc = staticmethod(np.fmod)
    rounding = "trunc"


def fmod(a, b) -> Tensor:
    """a - trunc(a / b) * b, with the sign of a (C's ``fmod``), as in PyTorch.

    Shapes broadcast. Gradients: dL/da = g, dL/db = -g * trunc(a / b).

    Raises:
        RuntimeError: for integer division by zero, or shapes that do not broadcast.
    """
    return Fmod.apply(a, b)
