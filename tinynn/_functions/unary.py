"""Unary elementwise ops: ``-x``, ``exp``, ``log``, ``sqrt``, ``abs``, ``sign``, the
trigonometric and hyperbolic functions, ``tanh``, ``sigmoid``, ``relu``, ``erf`` and the
rounding ops. Notation: ``z = f(x)`` and ``g`` is dL/dz, the gradient flowing in.

Each op is its ``Function`` (the formula and its derivative in the docstring) followed by
its public function ``tinynn.exp(input, *, out=None)``. The ops that give floats turn ints
and bools into the default float dtype, as PyTorch does. Where the derivative is a
function of the output (``exp``, ``tanh``, ``sigmoid``, ``sqrt``, ``reciprocal``), the
output is saved, not the input, as in PyTorch: changing the input in place afterwards is
then no error.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function, quiet_numpy
from .elementwise import Pow, _array, _check_tensor, _float_dtype, clamp_values, select, where, zero_where
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def _not_implemented(kernel: str, x) -> NotImplementedError:
    """PyTorch's error for a dtype that an op has no kernel for (``abs`` of a bool)."""
    return NotImplementedError(
        f"\"{kernel}\" not implemented for '{_dtype.scalar_name(x.dtype)}' (convert the "
        "tensor first, e.g. x.float() or x.long())"
    )


def _rsqrt(a: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(a)


def _tanh_backward(g: np.ndarray, z: np.ndarray) -> np.ndarray:
    return g * (1 - z * z)


def _sigmoid_backward(g: np.ndarray, z: np.ndarray) -> np.ndarray:
    return g * (1 - z) * z  # in the order of PyTorch's CPU kernel


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), with numpy's warnings off (``quiet_numpy``): where e^-x overflows to
    inf the result is 0, silently.

    Two ways to the same values (they may differ in the last bit, as PyTorch's vectorized
    loop and its scalar loop for the last few elements do). scipy's ``expit`` is one call,
    but not vectorized: 2.5 ns per float32 element. From 1024 elements on, four vectorized
    numpy passes are faster (0.75 ns per element, after about 1.2 us of calls): negate, exp,
    add 1, reciprocal, in place after the first, the steps of PyTorch's vectorized CPU
    kernel. float16 is computed in float32 and rounded once, as PyTorch does.
    """
    if a.size < 1024:
        return _scipy_ufunc(special.expit, a)
    z = np.negative(a, dtype=np.float32 if a.dtype == np.float16 else a.dtype)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)
    return z if z.dtype == a.dtype else z.astype(a.dtype)


def _scipy_ufunc(ufunc, a: np.ndarray) -> np.ndarray:
    """A scipy ufunc of ``a``, in ``a``'s dtype: scipy has no float16 loops, so it computes
    a float16 array in a wider type, and the result is rounded back (PyTorch, too, computes
    float16 in float32)."""
    out = ufunc(a)
    return out if out.dtype == a.dtype else out.astype(a.dtype)


def _floats(x) -> np.ndarray:
    """x's values as floats: ints and bools become the default float dtype."""
    data = x._data
    if data.dtype.kind == "f":  # already floats (the usual case): as they are
        return data
    return _array(x, _float_dtype(x))


# -- sign and size ---------------------------------------------------------------------
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


def neg(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """-x elementwise (any shape, dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. RuntimeError: for a bool tensor (use ``~``).
    """
    _check_tensor("neg", input)
    return write_out("neg", Neg.apply(input), out)


negative = neg


class Abs(Function):
    """z = |x|;  dz/dx = sign(x) (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype is _dtype.bool:
            raise _not_implemented("abs_cpu", x)
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Sign.apply(x)


def positive(input: Tensor) -> Tensor:
    """``+x``: the tensor itself (not a copy).

    Raises:
        TypeError: if ``input`` is not a Tensor. RuntimeError: for a bool tensor.
    """
    _check_tensor("positive", input)
    if input.dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def abs(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """``|x|`` elementwise (any shape, dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. NotImplementedError: for a bool tensor.
    """
    _check_tensor("abs", input)
    return write_out("abs", Abs.apply(input), out)


absolute = abs


class Sign(Function):
    """z = sign(x) in {-1, 0, 1} (0 for nan, as in PyTorch; a bool stays itself);  dz/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        data = x._data
        if data.dtype.kind == "b":
            return data.copy()
        if data.dtype.kind == "f":  # PyTorch's formula, (0 < x) - (x < 0): 0 at nan (numpy's sign gives nan)
            return np.subtract(data > 0, data < 0, dtype=data.dtype)
        return np.sign(data)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def sign(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for nan; dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("sign", input)
    return write_out("sign", Sign.apply(input), out)


class NanToNum(Function):
    """z = x with nan, inf and -inf replaced by numbers;  dz/dx = 1 where x is finite, else 0
    (PyTorch's formula, g * isfinite(x): an inf gradient at an inf x gives nan there)."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        data = x._data
        if data.dtype.kind != "f":  # integers and bools have none of them: a copy
            return data.copy()
        info = np.finfo(data.dtype)
        # a replacement beyond the dtype's range becomes inf, as in PyTorch (quietly)
        return quiet_numpy.run(np.nan_to_num, data, nan=0.0 if nan is None else nan,
                               posinf=info.max if posinf is None else posinf,
                               neginf=info.min if neginf is None else neginf)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * x.isfinite(), None, None, None


def _check_replacements(name: str, **values) -> None:
    for argument, value in values.items():
        if value is not None and not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{name}(): argument '{argument}' must be float, not {type(value).__name__}")


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None, *,
               out: Tensor | None = None) -> Tensor:
    """``input`` with nan replaced by ``nan``, inf by ``posinf`` and -inf by ``neginf``
    (by default 0, the dtype's largest and its most negative finite value). An integer or
    bool tensor has none of them: a copy. Gradient: 1 where the input is finite, else 0.

    Raises:
        TypeError: if ``input`` is not a Tensor, or a replacement is not a number.
        RuntimeError: for an ``out`` of another dtype than the input's.
    """
    _check_tensor("nan_to_num", input)
    _check_replacements("nan_to_num", nan=nan, posinf=posinf, neginf=neginf)
    if out is not None and out.dtype is not input.dtype:
        raise RuntimeError(f"nan_to_num: dtype of out: {_dtype.scalar_name(out.dtype)} should be same as input: "
                           f"{_dtype.scalar_name(input.dtype)}")
    return write_out("nan_to_num", NanToNum.apply(input, nan, posinf, neginf), out)


def square(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """x ** 2 elementwise (``Pow``, as in PyTorch: a bool tensor gives int64).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("square", input)
    return write_out("square", Pow.apply(input, 2), out)


# -- exponentials and logarithms -------------------------------------------------------
class Exp(Function):
    """z = e^x;  dz/dx = e^x = z (so the output is saved, not the input)."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(np.exp, _floats(x)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * z


def exp(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """e^x elementwise (ints and bools give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("exp", input)
    return write_out("exp", Exp.apply(input), out)


class Expm1(Function):
    """z = e^x - 1 (exact for small x, where e^x - 1 would cancel);  dz/dx = e^x = z + 1."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(np.expm1, _floats(x)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (z + 1)


def expm1(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """e^x - 1 elementwise, accurate for x near 0 (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("expm1", input)
    return write_out("expm1", Expm1.apply(input), out)


class Log(Function):
    """z = ln x;  dz/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.log, _floats(x))  # log(0) = -inf, log(-1) = nan

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / x


def log(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """ln x elementwise (-inf at 0, nan below; ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("log", input)
    return write_out("log", Log.apply(input), out)


class Log1p(Function):
    """z = ln(1 + x) (exact for small x);  dz/dx = 1 / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.log1p, _floats(x))  # log1p(-1) = -inf

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (x + 1)


def log1p(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """ln(1 + x) elementwise, accurate for x near 0 (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("log1p", input)
    return write_out("log1p", Log1p.apply(input), out)


class Log2(Function):
    """z = log2 x;  dz/dx = 1 / (x ln 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.log2, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (x * math.log(2))


def log2(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """log2 x elementwise (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("log2", input)
    return write_out("log2", Log2.apply(input), out)


class Log10(Function):
    """z = log10 x;  dz/dx = 1 / (x ln 10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.log10, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (x * math.log(10))


def log10(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """log10 x elementwise (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("log10", input)
    return write_out("log10", Log10.apply(input), out)


# -- roots and reciprocals -------------------------------------------------------------
class Sqrt(Function):
    """z = sqrt(x);  dz/dx = 1 / (2 sqrt(x)) = 1 / (2z)."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(np.sqrt, _floats(x)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output / (2 * z)


def sqrt(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The square root, elementwise (nan below 0; ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("sqrt", input)
    return write_out("sqrt", Sqrt.apply(input), out)


class Rsqrt(Function):
    """z = 1 / sqrt(x);  dz/dx = -1 / (2 x^(3/2)) = -z^3 / 2."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(_rsqrt, _floats(x)))  # rsqrt(0) = inf, rsqrt(-1) = nan
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (z * z * z) * -0.5


def rsqrt(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """1 / sqrt(x) elementwise (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("rsqrt", input)
    return write_out("rsqrt", Rsqrt.apply(input), out)


class Reciprocal(Function):
    """z = 1 / x;  dz/dx = -1 / x^2 = -z^2 (the output is saved, as in PyTorch, so that
    ``y = 1 / b`` followed by ``b.add_(1)`` still has its gradient)."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(np.reciprocal, _floats(x)))  # 1 / 0 = inf
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return -grad_output * (z * z)


def reciprocal(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """1 / x elementwise (ints and bools give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("reciprocal", input)
    return write_out("reciprocal", Reciprocal.apply(input), out)


# -- trigonometric functions -----------------------------------------------------------
class Sin(Function):
    """z = sin x;  dz/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.sin, _floats(x))  # sin(inf) = nan, as in PyTorch

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Cos.apply(x)


def sin(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The sine, elementwise (nan at +-inf; ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("sin", input)
    return write_out("sin", Sin.apply(input), out)


class Cos(Function):
    """z = cos x;  dz/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.cos, _floats(x))  # cos(inf) = nan, as in PyTorch

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return -grad_output * Sin.apply(x)


def cos(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The cosine, elementwise (nan at +-inf; ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("cos", input)
    return write_out("cos", Cos.apply(input), out)


class Tan(Function):
    """z = tan x;  dz/dx = 1 + tan^2 x = 1 + z^2."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(np.tan, _floats(x)))  # tan(inf) = nan, as in PyTorch
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output * (1 + z * z)


def tan(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The tangent, elementwise (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("tan", input)
    return write_out("tan", Tan.apply(input), out)


class Asin(Function):
    """z = arcsin x (nan outside [-1, 1]);  dz/dx = 1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.arcsin, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Rsqrt.apply(1 - x * x)


def asin(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse sine, elementwise (nan outside [-1, 1]).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("asin", input)
    return write_out("asin", Asin.apply(input), out)


arcsin = asin


class Acos(Function):
    """z = arccos x (nan outside [-1, 1]);  dz/dx = -1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.arccos, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return -grad_output * Rsqrt.apply(1 - x * x)


def acos(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse cosine, elementwise (nan outside [-1, 1]).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("acos", input)
    return write_out("acos", Acos.apply(input), out)


arccos = acos


class Atan(Function):
    """z = arctan x;  dz/dx = 1 / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(_floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (1 + x * x)


def atan(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse tangent, elementwise, in (-pi/2, pi/2) (for the angle of a point, ``atan2``).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("atan", input)
    return write_out("atan", Atan.apply(input), out)


arctan = atan


# -- hyperbolic functions ----------------------------------------------------------------
class Sinh(Function):
    """z = sinh x = (e^x - e^-x) / 2;  dz/dx = cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.sinh, _floats(x))  # overflows to inf, as in PyTorch

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Cosh.apply(x)


def sinh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The hyperbolic sine, elementwise: (e^x - e^-x) / 2 (ints give floats).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("sinh", input)
    return write_out("sinh", Sinh.apply(input), out)


class Cosh(Function):
    """z = cosh x = (e^x + e^-x) / 2;  dz/dx = sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.cosh, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Sinh.apply(x)


def cosh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The hyperbolic cosine, elementwise: (e^x + e^-x) / 2 (ints give floats).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("cosh", input)
    return write_out("cosh", Cosh.apply(input), out)


class Tanh(Function):
    """z = tanh x;  dz/dx = 1 - tanh^2 x = 1 - z^2."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(np.tanh(_floats(x)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return TanhBackward.apply(grad_output, z)


class TanhBackward(Function):
    """Tanh's backward as one op, PyTorch's ``tanh_backward``: (g, z) -> g (1 - z^2).

    Written out in tensor ops, ``grad_output * (1 - z * z)`` would be three ops, and
    every backward pass would pay for three. As its own Function it is one numpy
    expression, and it is still differentiable (second derivatives of tanh): for the
    function b(g, z) = g (1 - z^2), db/dg = 1 - z^2 and db/dz = -2 z g. Its node is
    named ``TanhBackwardBackward0``, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, grad_output, z):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, z)
        return quiet_numpy.run(_tanh_backward, grad_output._data, z._data)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, z = ctx.saved_tensors
        grad_g = TanhBackward.apply(grad_grad, z) if ctx.needs_input_grad[0] else None
        grad_z = grad_grad * grad_output * (-2 * z) if ctx.needs_input_grad[1] else None
        return grad_g, grad_z


def tanh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The hyperbolic tangent, elementwise, in (-1, 1) (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("tanh", input)
    return write_out("tanh", Tanh.apply(input), out)


class Asinh(Function):
    """z = arsinh x = ln(x + sqrt(x^2 + 1));  dz/dx = 1 / sqrt(x^2 + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(_floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Rsqrt.apply(x * x + 1)


def asinh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse of sinh, elementwise: ln(x + sqrt(x^2 + 1)).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("asinh", input)
    return write_out("asinh", Asinh.apply(input), out)


arcsinh = asinh


class Acosh(Function):
    """z = arcosh x (nan for x < 1);  dz/dx = 1 / sqrt(x^2 - 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.arccosh, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * Rsqrt.apply(x * x - 1)


def acosh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse of cosh, elementwise (nan for values below 1).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("acosh", input)
    return write_out("acosh", Acosh.apply(input), out)


arccosh = acosh


class Atanh(Function):
    """z = artanh x (nan outside [-1, 1], +-inf at +-1);  dz/dx = 1 / (1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(np.arctanh, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output / (1 - x * x)


def atanh(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The inverse of tanh, elementwise (nan outside [-1, 1], +-inf at +-1).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("atanh", input)
    return write_out("atanh", Atanh.apply(input), out)


arctanh = atanh


# -- activations -----------------------------------------------------------------------
class Sigmoid(Function):
    """z = 1 / (1 + e^-x);  dz/dx = z (1 - z)."""

    @staticmethod
    def forward(ctx, x):
        z = _tensor.Tensor._make(quiet_numpy.run(_sigmoid, _floats(x)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return SigmoidBackward.apply(grad_output, z)


class SigmoidBackward(Function):
    """Sigmoid's backward as one op, PyTorch's ``sigmoid_backward``: (g, z) -> g z (1 - z).

    One numpy expression instead of three tensor ops (see :class:`TanhBackward`), and
    differentiable: for b(g, z) = g z (1 - z), db/dg = z (1 - z) and db/dz = g (1 - 2z).
    """

    @staticmethod
    def forward(ctx, grad_output, z):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, z)
        return quiet_numpy.run(_sigmoid_backward, grad_output._data, z._data)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, z = ctx.saved_tensors
        grad_g = SigmoidBackward.apply(grad_grad, z) if ctx.needs_input_grad[0] else None
        grad_z = grad_grad * grad_output * (1 - 2 * z) if ctx.needs_input_grad[1] else None
        return grad_g, grad_z


def sigmoid(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """1 / (1 + e^-x) elementwise, in (0, 1) (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("sigmoid", input)
    return write_out("sigmoid", Sigmoid.apply(input), out)


class Relu(Function):
    """z = max(x, 0);  dz/dx = 1 where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        z = _tensor.Tensor._make(clamp_values(x._data, 0, None))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return ThresholdBackward.apply(grad_output, z, 0)


def _threshold_backward(g: np.ndarray, z: np.ndarray, threshold) -> np.ndarray:
    """g where z > threshold (or z is nan), else +0 (``zero_where`` in ``elementwise.py``:
    every element of g keeps all of its bits or none, so inf and nan gradients pass
    unchanged where they should and become 0 where they should, without ``np.where``'s
    branch per element on a relu's random mask)."""
    return zero_where(g, np.less_equal(z, threshold))  # (nan <= t is False: nan lets g through)


class ThresholdBackward(Function):
    """Relu's backward as one op, PyTorch's ``threshold_backward``: (g, z) -> 0 where
    z <= threshold, else g (a nan z lets g through, as in PyTorch). Relu's threshold is 0;
    ``F.threshold`` takes any.

    One numpy expression (``_threshold_backward``), not two tensor ops (a comparison, then
    a ``where``). It is linear in g, so its backward is itself: ThresholdBackward(gg, z);
    z only selects, so it gets no gradient (PyTorch's formula gives it zeros). Its node is
    ``ThresholdBackwardBackward0``.
    """

    @staticmethod
    def forward(ctx, grad_output, z, threshold):
        ctx.save_for_backward(z)
        ctx.threshold = threshold
        return _threshold_backward(grad_output._data, z._data, threshold)

    @staticmethod
    def backward(ctx, grad_grad):
        z, = ctx.saved_tensors
        return ThresholdBackward.apply(grad_grad, z, ctx.threshold), None, None


def relu(input: Tensor) -> Tensor:
    """max(x, 0) elementwise (dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. RuntimeError: for a bool tensor.
    """
    _check_tensor("relu", input)
    return Relu.apply(input)


def _times_slope(values: np.ndarray, slope: float) -> np.ndarray:
    """``values * slope`` in their dtype; float16 computed in float32 and rounded once, as
    PyTorch's kernel does (numpy would round the slope to float16 first)."""
    if values.dtype == np.float16:
        return (values.astype(np.float32) * np.float32(slope)).astype(np.float16)
    return values * values.dtype.type(slope)


class LeakyRelu(Function):
    """z = x where x > 0, else slope * x;  dz/dx = 1 where x > 0, else slope (at 0 too, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        data = x._data
        # (the slope also multiplies the positive values, unused: inf * 0 must not warn)
        scaled = quiet_numpy.run(_times_slope, data, negative_slope)
        if 0 < negative_slope <= 1:
            # then x slope <= x exactly where x > 0 and >= x where x < 0 (rounding keeps the
            # order), so the larger of the two is the answer, inf, nan and -0.0 included:
            # one vectorized pass, where choosing by x > 0 takes four (``select``)
            return np.maximum(data, scaled)
        return select(data > 0, data, scaled)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return LeakyReluBackward.apply(grad_output, x, ctx.negative_slope), None


class LeakyReluBackward(Function):
    """LeakyRelu's backward as one op, PyTorch's ``leaky_relu_backward``: (g, x) -> g where
    x > 0, else slope * g. One numpy expression instead of three tensor ops (a comparison,
    a product, a ``where``). Linear in g, so its backward is itself; x only selects, so it
    gets no gradient (PyTorch's formula gives it zeros)."""

    @staticmethod
    def forward(ctx, grad_output, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        g = grad_output._data
        return select(x._data > 0, g, quiet_numpy.run(_times_slope, g, negative_slope))  # (inf * 0: no warning)

    @staticmethod
    def backward(ctx, grad_grad):
        x, = ctx.saved_tensors
        return LeakyReluBackward.apply(grad_grad, x, ctx.negative_slope), None, None


class Hardtanh(Function):
    """z = x clamped to [lo, hi];  dz/dx = 1 where lo < x < hi, else 0 (at the bounds, beyond
    them and at nan: PyTorch's vectorized kernel)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = lo, hi
        return clamp_values(x._data, lo, hi)  # (nan stays nan)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return HardtanhBackward.apply(grad_output, x, *ctx.bounds), None, None


class HardtanhBackward(Function):
    """Hardtanh's backward as one op, PyTorch's ``hardtanh_backward``: (g, x) -> g where
    lo < x < hi, else 0 (an inf or nan g outside too: a copy with zeros written in). Linear
    in g, so its backward is itself; x gets no gradient."""

    @staticmethod
    def forward(ctx, grad_output, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.bounds = lo, hi
        data = x._data
        return zero_where(grad_output._data, ~((data > lo) & (data < hi)))  # (nan is outside)

    @staticmethod
    def backward(ctx, grad_grad):
        x, = ctx.saved_tensors
        return HardtanhBackward.apply(grad_grad, x, *ctx.bounds), None, None, None


def _softplus(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    """(1/beta) log(1 + e^{beta x}), or x where beta x > threshold (PyTorch's formula and
    order). Only beta x <= threshold is exponentiated (no overflow). float16 is computed in
    float32 and rounded once, as PyTorch's kernel does."""
    if x.dtype == np.float16:
        return _softplus(x.astype(np.float32), beta, threshold).astype(np.float16)
    bx = x * x.dtype.type(beta)
    linear = bx > threshold
    soft = np.log1p(np.exp(np.where(linear, 0, bx))) / x.dtype.type(beta)
    return np.where(linear, x, soft)


def _softplus_backward(g: np.ndarray, x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    """g where beta x > threshold, else g z / (z + 1) with z = e^{beta x} (PyTorch's
    ``softplus_backward``); float16 in float32, rounded once."""
    if g.dtype == np.float16:
        return _softplus_backward(g.astype(np.float32), x.astype(np.float32), beta, threshold).astype(np.float16)
    bx = x * x.dtype.type(beta)
    linear = bx > threshold
    z = np.exp(np.where(linear, 0, bx))
    return np.where(linear, g, g * z / (z + 1))


class Softplus(Function):
    """z = (1/beta) log(1 + e^{beta x}) (x itself where beta x > threshold);
    dz/dx = e^{beta x} / (e^{beta x} + 1) = sigmoid(beta x), 1 where beta x > threshold."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return quiet_numpy.run(_softplus, x._data, beta, threshold)  # (a nan goes through: nan, quietly)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return SoftplusBackward.apply(grad_output, x, ctx.beta, ctx.threshold), None, None


class SoftplusBackward(Function):
    """Softplus's backward as one op, PyTorch's ``softplus_backward``: (g, x) -> g s, with
    s = sigmoid(beta x) (1 where beta x > threshold). Linear in g, so d/dg is this op again;
    d/dx = g beta s (1 - s), in tensor ops; 0 where beta x >= threshold (PyTorch's
    ``softplus_double_backward`` keeps only beta x < threshold: at beta x = threshold
    itself the forward takes the log branch and this derivative is 0, in both)."""

    @staticmethod
    def forward(ctx, grad_output, x, beta, threshold):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.beta, ctx.threshold = beta, threshold
        return quiet_numpy.run(_softplus_backward, grad_output._data, x._data, beta, threshold)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        beta, threshold = ctx.beta, ctx.threshold
        grad_g = SoftplusBackward.apply(grad_grad, x, beta, threshold) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1]:
            bx = x * beta
            s = bx.sigmoid()
            grad_x = where(bx < threshold, grad_grad * grad_output * beta * s * (1 - s), 0.0)
        return grad_g, grad_x, None, None


class Erf(Function):
    """z = erf x = 2/sqrt(pi) int_0^x e^{-t^2} dt;  dz/dx = 2/sqrt(pi) e^{-x^2}.

    The values come from ``scipy.special.erf`` (exact to float64 rounding).
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _scipy_ufunc(special.erf, _floats(x))

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (2 / math.sqrt(math.pi)) * Exp.apply(-(x * x))


def erf(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The error function, elementwise, in (-1, 1) (ints give the default float dtype).

    Raises:
        TypeError: if ``input`` is not a Tensor.
    """
    _check_tensor("erf", input)
    return write_out("erf", Erf.apply(input), out)


# -- rounding --------------------------------------------------------------------------
class _Rounding(Function):
    """z = ufunc(x) for a rounding ufunc (floor, ceil, round, trunc);  dz/dx = 0 (piecewise constant).

    Integers are returned unchanged (as copies), as in PyTorch; bools raise, as there.
    """

    ufunc = None
    kernel = None  # PyTorch's kernel name, for the error on bools

    @classmethod
    def forward(cls, ctx, x, *args):
        if x.dtype.category < 2:  # ints are already whole
            # round(decimals=...), even decimals=0, has no integer kernel: PyTorch names
            # the plain kernel for decimals=0, round_cpu for others (bool: no kernel at all)
            if args and args[0] != 0:
                raise _not_implemented("round_cpu", x)
            if x.dtype is _dtype.bool or args:
                raise _not_implemented(cls.kernel, x)
            return x._data.copy()
        return quiet_numpy.run(cls.ufunc, x._data, *args)  # round(3e38, 2) overflows to inf

    @staticmethod
    def backward(ctx, grad_output):
        return (grad_output * 0,) + (None,) * (len(ctx.next_functions) - 1)


class Floor(_Rounding):
    """z = floor(x), the largest whole number <= x;  dz/dx = 0."""

    ufunc = staticmethod(np.floor)
    kernel = "floor_vml_cpu"


def floor(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Round down, elementwise (ints unchanged, dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. NotImplementedError: for a bool tensor.
    """
    _check_tensor("floor", input)
    return write_out("floor", Floor.apply(input), out)


class Ceil(_Rounding):
    """z = ceil(x), the smallest whole number >= x;  dz/dx = 0."""

    ufunc = staticmethod(np.ceil)
    kernel = "ceil_vml_cpu"


def ceil(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Round up, elementwise (ints unchanged, dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. NotImplementedError: for a bool tensor.
    """
    _check_tensor("ceil", input)
    return write_out("ceil", Ceil.apply(input), out)


class Trunc(_Rounding):
    """z = trunc(x), x rounded towards zero;  dz/dx = 0."""

    ufunc = staticmethod(np.trunc)
    kernel = "trunc_vml_cpu"


def trunc(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Round towards zero, elementwise (ints unchanged, dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. NotImplementedError: for a bool tensor.
    """
    _check_tensor("trunc", input)
    return write_out("trunc", Trunc.apply(input), out)


fix = trunc


class Round(_Rounding):
    """z = x rounded to ``decimals`` digits, halves to even (``round(2.5) = 2``, as PyTorch);  dz/dx = 0."""

    ufunc = staticmethod(np.round)
    kernel = "round_vml_cpu"


def round(input: Tensor, *, decimals: int | None = None, out: Tensor | None = None) -> Tensor:
    """Round half to even (``2.5 -> 2``), to ``decimals`` digits after the point (default
    0; dtype kept).

    Raises:
        TypeError: if ``input`` is not a Tensor. NotImplementedError: for a bool tensor,
            or an integer tensor with ``decimals`` given (even 0: as PyTorch, which has
            an integer kernel only for the form without ``decimals``).
    """
    _check_tensor("round", input)
    return write_out("round", Round.apply(input) if decimals is None else Round.apply(input, decimals), out)
