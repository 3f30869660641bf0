"""Activation functions: relu, relu6, leaky_relu, elu, selu, celu, hardtanh, gelu, sigmoid, logsigmoid,
tanh, silu, mish, softplus, softsign, tanhshrink, softshrink, hardshrink, threshold, glu, softmax,
softmin, log_softmax, hardsigmoid, hardswish, prelu.

Each is a one-line call of a ``Function`` (forward and backward side by side in
``tinynn/_functions``) or a short composition of differentiable tensor ops.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import special

from ... import _dtype
from ..._functions import reduction as R
from ..._functions import unary as U
from ..._functions.elementwise import clamp_values, select, where, zero_where
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy


def _float_only(kernel: str, input: Tensor) -> None:
    """PyTorch's error for an activation that has no integer or bool kernel."""
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype.scalar_name(input.dtype)}' (convert the "
            "input with .float())"
        )


def _in_float32(x: np.ndarray) -> np.ndarray:
    """float16 values as float32, other dtypes as they are: PyTorch computes a float16
    activation, and its backward, in float32 and rounds the result to float16 once."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise."""
    return input.relu_() if inplace else U.Relu.apply(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else ``negative_slope * x``.

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("leaky_relu_cpu", input)
    out = U.LeakyRelu.apply(input, negative_slope)
    return input.copy_(out) if inplace else out


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]; gradient 1 strictly inside, 0 at and beyond the
    bounds and at nan (as PyTorch's vectorized kernel; its scalar loop, used for a few
    trailing elements, passes the gradient at nan). An integer tensor keeps its dtype.

    Raises:
        ValueError: if ``min_val > max_val``. RuntimeError: for a bool tensor, or an integer
            tensor with a bound that is no int64 (nan, inf).
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.dtype is _dtype.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh (convert with .float())")
    if not input.is_floating_point():  # PyTorch reads the bounds as int64: nan or inf cannot be
        for bound in (min_val, max_val):
            _dtype.checked_scalar(bound, _dtype.int64)
    if not input.is_floating_point():  # no gradient: the clamped values, in input's dtype
        out = input.clamp(min_val, max_val).to(input.dtype)
    else:
        out = U.Hardtanh.apply(input, min_val, max_val)
    return input.copy_(out) if inplace else out


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): ``hardtanh(x, 0, 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


class Elu(Function):
    """z = scale x where x >= 0 or x is nan, else scale alpha (e^{input_scale x} - 1);
    dz/dx = scale where x > 0 or x is nan, else input_scale scale alpha e^{input_scale x}.

    ELU is scale = input_scale = 1; SELU and CELU are the same op with other constants, as in
    PyTorch, whose one ``elu`` kernel takes all three. The value is taken with expm1 and the
    gradient with exp, as PyTorch's kernels do, so both keep full precision for x near 0 and
    far below it. At x = 0 (either sign) the value is scale x, as in PyTorch, whatever alpha
    (a nan alpha would make alpha (e^0 - 1) nan), while the gradient there is the negative side's.
    """

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.save_for_backward(x)
        ctx.constants = alpha, scale, input_scale
        data = _in_float32(x._data)
        kind = data.dtype.type
        for constant in (alpha, scale, input_scale):  # PyTorch's kernel converts each to its dtype (float32
            _dtype.checked_scalar(constant, _dtype._FROM_NUMPY[data.dtype])  # for float16): too large raises
        # no overflow for x > 0; an inf alpha gives 0 * inf = nan, as in PyTorch, without a warning
        negative = quiet_numpy.run(_elu_negative, data, kind(alpha) * kind(scale), kind(input_scale))
        positive = data if scale == 1 else data * kind(scale)
        return select(data < 0, negative, positive).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return EluBackward.apply(grad_output, x, *ctx.constants), None, None, None


def _elu_negative(x: np.ndarray, negative_coefficient, input_scale) -> np.ndarray:
    """(e^{input_scale x} - 1) alpha scale for x <= 0 (the elements above 0 are set to 0 first)."""
    below = clamp_values(x, None, 0)
    if input_scale != 1:
        below *= input_scale
    return np.expm1(below) * negative_coefficient


class Celu(Elu):
    """CELU: Elu with scale 1 and input_scale 1/alpha (its own node, ``CeluBackward0``, as in PyTorch)."""


def _elu_backward(g: np.ndarray, x: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    """g input_scale alpha scale e^{input_scale x} where x <= 0, else g scale (at nan too), in
    PyTorch's order of operations."""
    g32, x32 = _in_float32(g), _in_float32(x)
    kind = g32.dtype.type
    exponent = x32 if input_scale == 1 else x32 * kind(input_scale)
    # (e^x is inf for large x, quietly: that side is not used)
    negative = g32 * kind(input_scale) * (kind(alpha) * kind(scale)) * np.exp(exponent)
    positive = g32 if scale == 1 else g32 * kind(scale)
    return select(x32 <= 0, negative, positive).astype(g.dtype, copy=False)


class EluBackward(Function):
    """Elu's backward as one op, PyTorch's ``elu_backward``: (g, x) -> g dz/dx. Linear in g,
    so d/dg is this op again; d/dx = g input_scale^2 scale alpha e^{input_scale x} where
    x < 0, else 0, written as PyTorch's ``elu_double_backward``: this op applied to
    g input_scale, masked (so that, as there, it cancels the first derivative's terms exactly)."""

    @staticmethod
    def forward(ctx, grad_output, x, alpha, scale, input_scale):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.constants = alpha, scale, input_scale
        return quiet_numpy.run(_elu_backward, grad_output._data, x._data, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = EluBackward.apply(grad_grad, x, *ctx.constants) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1]:  # (PyTorch's formula: this op again, times the mask of x < 0)
            input_scale = ctx.constants[2]
            grad_x = EluBackward.apply(grad_grad * grad_output * input_scale, x, *ctx.constants)
            grad_x = grad_x * (x < 0).to(x.dtype)
        return grad_g, grad_x, None, None, None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0 (or nan), else alpha (e^x - 1) (gradient alpha e^x there, 1 at nan).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("elu_cpu", input)
    out = Elu.apply(input, alpha, 1.0, 1.0)
    return input.copy_(out) if inplace else out


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu`` in place."""
    return elu(input, alpha, inplace=True)


#: SELU's constants (Klambauer et al., 2017): with them, a layer keeps zero mean and unit variance.
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale elu(x, alpha), alpha = 1.6733, scale = 1.0507 (self-normalising networks).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("elu_cpu", input)
    out = Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return input.copy_(out) if inplace else out


def selu_(input: Tensor) -> Tensor:
    """``selu`` in place."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (e^{x / alpha} - 1)): elu with the input scaled by 1/alpha,
    continuously differentiable at 0 for any alpha.

    Raises:
        RuntimeError: for alpha = 0. NotImplementedError: for an integer or bool tensor.
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU (use alpha != 0)")
    _float_only("elu_cpu", input)
    out = Celu.apply(input, alpha, 1.0, 1.0 / alpha)
    return input.copy_(out) if inplace else out


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` in place."""
    return celu(input, alpha, inplace=True)


def log_sigmoid_and_buffer(x: np.ndarray) -> tuple:
    """log sigmoid(x) = min(x, 0) - log(1 + e^-abs(x)) (no overflow for any x), and the
    buffer e^-abs(x) that the backward reads, as PyTorch's kernel computes them (the buffer
    in x's dtype, as PyTorch keeps it: rounded to float16 for a float16 x)."""
    x32 = _in_float32(x)
    buffer = np.exp(-np.abs(x32))
    return (clamp_values(x32, None, 0) - np.log1p(buffer)).astype(x.dtype, copy=False), buffer.astype(x.dtype, copy=False)


def _log_sigmoid_backward(g: np.ndarray, x: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """g (1 - sigmoid(x)), from the buffer b = e^-abs(x): g (1 - b / (1 + b)) where x < 0,
    else g b / (1 + b) (PyTorch's kernel; nan at nan)."""
    g32, b32 = _in_float32(g), _in_float32(buffer)
    q = b32 / (1 + b32)
    return (select(_in_float32(x) < 0, 1 - q, q) * g32).astype(g.dtype, copy=False)


class LogSigmoid(Function):
    """z = log sigmoid(x) = -log(1 + e^-x);  dz/dx = 1 - sigmoid(x).

    Computed as min(x, 0) - log(1 + e^-abs(x)), which exponentiates only numbers <= 0: no
    overflow. The backward is one op, :class:`LogSigmoidBackward`.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        out, ctx.buffer = quiet_numpy.run(log_sigmoid_and_buffer, x._data)  # (nan in, nan out: quietly)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return LogSigmoidBackward.apply(grad_output, x, ctx.buffer)


class LogSigmoidBackward(Function):
    """LogSigmoid's backward as one op, PyTorch's ``log_sigmoid_backward``: (g, x) ->
    g (1 - sigmoid(x)). ``buffer`` is e^-abs(x) from the forward (a value, not an input of the
    graph). Linear in g, so d/dg is this op again; d/dx = -g sigmoid(x) (1 - sigmoid(x))
    (PyTorch's ``log_sigmoid_double_backward``), in tensor ops."""

    @staticmethod
    def forward(ctx, grad_output, x, buffer):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.buffer = buffer
        return quiet_numpy.run(_log_sigmoid_backward, grad_output._data, x._data, buffer)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = LogSigmoidBackward.apply(grad_grad, x, ctx.buffer) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1]:
            s = x.sigmoid()
            grad_x = grad_grad * grad_output * (s - 1) * s
        return grad_g, grad_x, None


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), stably: min(x, 0) - log(1 + e^-abs(x)) (gradient 1 - sigmoid(x);
    1/2 at 0, nan at nan, as PyTorch).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("log_sigmoid_cpu", input)
    return LogSigmoid.apply(input)


def _mish(x: np.ndarray) -> tuple:
    """x tanh(log(1 + e^x)), in PyTorch's order of operations; and tanh(log(1 + e^x)),
    which the backward needs."""
    x32 = _in_float32(x)
    tanh_softplus = np.tanh(np.log1p(np.exp(x32)))
    return (x32 * tanh_softplus).astype(x.dtype, copy=False), tanh_softplus


def _mish_backward(g: np.ndarray, x: np.ndarray, tanh_softplus: np.ndarray) -> np.ndarray:
    """g (t + x s (1 - t^2)), s = sigmoid(x), t = tanh(softplus(x)) (PyTorch's kernel,
    which computes t again)."""
    x32 = x.astype(tanh_softplus.dtype, copy=False)
    s = 1 / (1 + np.exp(-x32))
    t = tanh_softplus
    return (_in_float32(g) * (t + x32 * s * (1 - t * t))).astype(g.dtype, copy=False)


class Mish(Function):
    """z = x tanh(softplus(x));  dz/dx = t + x s (1 - t^2), s = sigmoid(x), t = tanh(softplus(x)).

    One op forward and one backward (:class:`MishBackward`), as PyTorch's kernels; as tensor
    ops it would be four ops forward and about ten backward. The forward keeps t for the
    backward.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        out, ctx.tanh_softplus = quiet_numpy.run(_mish, x._data)  # (e^x overflows for large x, quietly: z = x)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return MishBackward.apply(grad_output, x, ctx.tanh_softplus)


class MishBackward(Function):
    """Mish's backward as one op, PyTorch's ``mish_backward``: (g, x) -> g dz/dx
    (``tanh_softplus`` is t, from the forward: a value, not an input of the graph). Linear in
    g, so d/dg is this op again; d/dx = g s (1 - t^2) (2 + x (1 - s) - 2 x s t), the second
    derivative of mish, in tensor ops."""

    @staticmethod
    def forward(ctx, grad_output, x, tanh_softplus):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.tanh_softplus = tanh_softplus
        return quiet_numpy.run(_mish_backward, grad_output._data, x._data, tanh_softplus)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = MishBackward.apply(grad_grad, x, ctx.tanh_softplus) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1]:
            s, t = x.sigmoid(), U.Softplus.apply(x, 1.0, 20.0).tanh()
            grad_x = grad_grad * grad_output * s * (1 - t * t) * (2 + x * (1 - s) - 2 * x * s * t)
        return grad_g, grad_x, None


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x)).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("mish_cpu", input)
    out = Mish.apply(input)
    return input.copy_(out) if inplace else out


def _erf_float32(z: np.ndarray) -> np.ndarray:
    """erf of a float32 array, within 6e-7 of the exact value: Abramowitz and Stegun's
    formula 7.1.26, the one PyTorch's AVX2 float32 ``erf`` (``Vectorized<float>::erf``)
    evaluates. For z >= 0, with t = 1 / (1 + p z),

        erf(z) = 1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) e^{-z^2}    (error <= 1.5e-7),

    and erf(-z) = -erf(z); rounding in float32 brings the error to 6e-7. Eleven passes of
    float32 arithmetic, in place: scipy's exact ``erf`` is not vectorized, and took 1.3 ms
    on the (384, 256) activation of chapter 6's GPT, seven times as long.
    """
    f = np.float32
    shape, z = z.shape, z.reshape(-1)  # 1-D: numpy's ufuncs return scalars, not arrays, for 0-d
    a = np.abs(z)
    t = f(0.3275911) * a
    t += f(1)
    np.reciprocal(t, out=t)
    poly = f(1.061405429) * t                       # Horner's rule, a5 down to a1
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += f(coefficient)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)                                # e^{-z^2}
    poly *= a
    np.subtract(f(1), poly, out=poly)
    return np.copysign(poly, z, out=poly).reshape(shape)


def _gelu(x: np.ndarray) -> tuple:
    """x Phi(x), in PyTorch's order of operations, and Phi(x) = (1 + erf(x / sqrt 2)) / 2.
    float16 is computed in float32 and rounded at the end, as PyTorch does. float64 uses
    scipy's exact erf; float32 the approximation of PyTorch's AVX2 float32 erf
    (``_erf_float32``: within 6e-7; tinynn's float32 gelu is within 5e-7 of the exact
    value, PyTorch's own within 1.2e-6 with its AVX-512 kernel, 3.8e-7 with AVX2)."""
    work = _in_float32(x)
    z = work * (1 / math.sqrt(2))
    one_plus_erf = 1 + (_erf_float32(z) if z.dtype == np.float32 else special.erf(z))
    return (work * 0.5 * one_plus_erf).astype(x.dtype, copy=False), one_plus_erf * 0.5


def _gelu_backward(g: np.ndarray, x: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    """g (Phi(x) + x phi(x)), phi(x) = e^{-x^2/2} / sqrt(2 pi), in g's dtype."""
    work = x.astype(cdf.dtype, copy=False)
    pdf = np.exp(work * work * -0.5) * (1 / math.sqrt(2 * math.pi))
    return (g * (cdf + work * pdf)).astype(g.dtype, copy=False)


#: The tanh approximation: GELU(x) ~ x/2 (1 + tanh(BETA (x + KAPPA x^3))), BETA = sqrt(2/pi).
_GELU_BETA, _GELU_KAPPA = math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5, 0.044715


def _gelu_tanh(x: np.ndarray) -> tuple:
    """x/2 (1 + tanh(u)), u = BETA (x + KAPPA x^3), in PyTorch's order of operations; and tanh(u)."""
    work = _in_float32(x)
    tanh_inner = np.tanh(_GELU_BETA * (work + _GELU_KAPPA * (work * work * work)))
    return (0.5 * work * (1 + tanh_inner)).astype(x.dtype, copy=False), tanh_inner


def _gelu_tanh_backward(g: np.ndarray, x: np.ndarray, tanh_inner: np.ndarray) -> np.ndarray:
    """g ((1 + t)/2 + x/2 (1 - t^2) u'), t = tanh(u), u' = BETA (1 + 3 KAPPA x^2) (PyTorch's kernel)."""
    work = x.astype(tanh_inner.dtype, copy=False)
    inner_derivative = _GELU_BETA * (1 + 3 * _GELU_KAPPA * (work * work))
    right_derivative = 0.5 * work * (1 - tanh_inner * tanh_inner) * inner_derivative
    return (_in_float32(g) * (0.5 * (1 + tanh_inner) + right_derivative)).astype(g.dtype, copy=False)


class Gelu(Function):
    """z = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 the standard normal CDF;
    dz/dx = Phi(x) + x phi(x), phi(x) = e^{-x^2/2} / sqrt(2 pi) its density.
    With ``approximate="tanh"``, Phi(x) ~ (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3).

    One op, as PyTorch's ``gelu`` kernel is: written as tensor ops it would be five ops
    forward (each a pass over the whole activation) and about ten backward, and erf twice.
    The forward keeps Phi(x) (or tanh(u)) for the backward, so erf (the expensive part)
    runs once per call. The backward is one op too, :class:`GeluBackward`.
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        kernel = _gelu if approximate == "none" else _gelu_tanh
        out, ctx.cdf = quiet_numpy.run(kernel, x._data)  # IEEE results (gelu(-inf) = nan), no warning
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return GeluBackward.apply(grad_output, x, ctx.cdf, ctx.approximate), None


class GeluBackward(Function):
    """Gelu's backward as one op, PyTorch's ``gelu_backward``: (g, x) -> g (Phi(x) + x phi(x)).

    ``cdf`` is Phi(x) (for ``approximate="tanh"``: tanh(u)), computed by the forward (a
    value, not an input of the graph). Its own derivatives, in tensor ops (second
    derivatives of GELU): d/dg is this op again, and d/dx = g phi(x) (2 - x^2), since
    phi' = -x phi; for the tanh approximation, with t = tanh(u) and u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2),
    d/dx = g (1 - t^2) (u' + x/2 (u'' - 2 t u'^2)).
    """

    @staticmethod
    def forward(ctx, grad_output, x, cdf, approximate):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.cdf, ctx.approximate = cdf, approximate
        kernel = _gelu_backward if approximate == "none" else _gelu_tanh_backward
        return quiet_numpy.run(kernel, grad_output._data, x._data, cdf)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = GeluBackward.apply(grad_grad, x, ctx.cdf, ctx.approximate) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1] and ctx.approximate == "none":
            pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
            grad_x = grad_grad * grad_output * pdf * (2 - x * x)
        elif ctx.needs_input_grad[1]:
            t = ((x + _GELU_KAPPA * x * x * x) * _GELU_BETA).tanh()  # (from x, so that it is differentiable)
            du = (1 + 3 * _GELU_KAPPA * x * x) * _GELU_BETA             # u'
            d2u = x * (6 * _GELU_KAPPA * _GELU_BETA)                    # u''
            grad_x = grad_grad * grad_output * (1 - t * t) * (du + x * 0.5 * (d2u - 2 * t * du * du))
        return grad_g, grad_x, None, None


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x), Phi the standard normal CDF.

    * ``approximate="none"``: Phi(x) = (1 + erf(x / sqrt 2)) / 2 (exact);
    * ``approximate="tanh"``: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    Raises:
        RuntimeError: for another value of ``approximate``.
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("GeluKernelImpl", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. (got {approximate!r})")
    return Gelu.apply(input, approximate)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x)."""
    return U.Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return U.Tanh.apply(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("silu_cpu", input)
    out = Silu.apply(input)
    return input.copy_(out) if inplace else out


def _silu(x: np.ndarray) -> tuple:
    """x / (1 + e^-x), PyTorch's kernel (float16 in float32, rounded once); and
    sigmoid(x) = 1 / (1 + e^-x), which the backward needs."""
    x32 = _in_float32(x)
    denominator = np.exp(-x32) + 1
    return (x32 / denominator).astype(x.dtype, copy=False), 1 / denominator


def _silu_backward(g: np.ndarray, x: np.ndarray, sigmoid: np.ndarray) -> np.ndarray:
    """g s (1 + x (1 - s)), s = sigmoid(x) (PyTorch's kernel, which computes s again)."""
    x32 = x.astype(sigmoid.dtype, copy=False)
    return (_in_float32(g) * sigmoid * (1 + x32 * (1 - sigmoid))).astype(g.dtype, copy=False)


class Silu(Function):
    """z = x sigmoid(x);  dz/dx = s (1 + x (1 - s)), s = sigmoid(x).

    One op forward and one backward (:class:`SiluBackward`), as PyTorch's kernels: two
    ops forward and four backward as tensor ops. The forward keeps s for the backward
    (as Gelu keeps Phi(x)): its exponential is the most expensive part.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        out, ctx.sigmoid = quiet_numpy.run(_silu, x._data)  # (e^-x overflows to inf for x << 0, quietly)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return SiluBackward.apply(grad_output, x, ctx.sigmoid)


class SiluBackward(Function):
    """Silu's backward as one op, PyTorch's ``silu_backward``: (g, x) -> g s (1 + x (1 - s)).
    ``sigmoid`` is s, from the forward (a value, not an input of the graph). Linear in g, so
    d/dg is this op again; d/dx = g s (1 - s) (2 + x (1 - 2 s)), the second derivative of
    silu, in tensor ops."""

    @staticmethod
    def forward(ctx, grad_output, x, sigmoid):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        ctx.sigmoid = sigmoid
        return quiet_numpy.run(_silu_backward, grad_output._data, x._data, sigmoid)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = SiluBackward.apply(grad_grad, x, ctx.sigmoid) if ctx.needs_input_grad[0] else None
        grad_x = None
        if ctx.needs_input_grad[1]:
            s = x.sigmoid()
            grad_x = grad_grad * grad_output * s * (1 - s) * (2 + x * (1 - 2 * s))
        return grad_g, grad_x, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/beta) log(1 + e^{beta x}); x itself where beta x > threshold (for stability).

    The elements above the threshold are replaced by 0 before the exponential, so it cannot
    overflow; a nan goes through the log branch (gradient nan, as PyTorch).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("softplus_cpu", input)
    return U.Softplus.apply(input, beta, threshold)


def _softmax_dim(ndim: int) -> int:
    """PyTorch's legacy choice when no ``dim`` is given (with a deprecation warning)."""
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(x)_i = e^{x_i} / sum_j e^{x_j} along ``dim`` (computed as e^{x_i - max}: no overflow)."""
    if dim is None:
        dim = _softmax_dim(input.ndim)
    return R.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log softmax(x)_i = x_i - logsumexp(x), computed stably (no exp overflow, no log(0))."""
    if dim is None:
        dim = _softmax_dim(input.ndim)
    return R.log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmin(x) = softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def _hardsigmoid(x: np.ndarray) -> np.ndarray:
    """min(max(x + 3, 0), 6) / 6 (PyTorch's kernel; nan stays nan)."""
    x32 = _in_float32(x)
    return (clamp_values(x32 + 3, 0, 6) / 6).astype(x.dtype, copy=False)


class Hardsigmoid(Function):
    """z = relu6(x + 3) / 6;  dz/dx = 1/6 where -3 < x < 3, else 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _hardsigmoid(x._data)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return HardsigmoidBackward.apply(grad_output, x)


class HardsigmoidBackward(Function):
    """Hardsigmoid's backward as one op, PyTorch's ``hardsigmoid_backward``: (g, x) -> g/6
    where -3 < x < 3, else 0 (an inf or nan g there too).

    The gradient is PyTorch's to the last bit: its kernel multiplies by 1/6 held as a float32
    constant (0.1666666716...) in every dtype. PyTorch has no derivative for this op, so a
    second derivative of hardsigmoid raises, in both.
    """

    @staticmethod
    def forward(ctx, grad_output, x):
        data = _in_float32(x._data)
        slope = float(np.float32(1 / 6))
        return zero_where(U._times_slope(grad_output._data, slope), ~((data > -3) & (data < 3)))

    @staticmethod
    def backward(ctx, grad_grad):
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented (hardsigmoid "
                           "can be differentiated once, as in PyTorch)")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (gradient 1/6 strictly inside).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("hardsigmoid_cpu", input)
    out = Hardsigmoid.apply(input)
    return input.copy_(out) if inplace else out


def _hardswish(x: np.ndarray) -> np.ndarray:
    """x min(max(x + 3, 0), 6) / 6 (PyTorch's kernel: -inf * 0 = nan at x = -inf, as there)."""
    x32 = _in_float32(x)
    return (x32 * clamp_values(x32 + 3, 0, 6) / 6).astype(x.dtype, copy=False)


def _hardswish_backward(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """0 where x <= -3; g (x/3 + 1/2) where -3 < x < 3; g elsewhere (x >= 3 or nan): the
    pieces of PyTorch's kernel, so the gradients agree at the kinks too (0 at -3, 1 at 3)."""
    g32, x32 = _in_float32(g), _in_float32(x)
    middle = g32 * (x32 / 3 + 0.5)  # (inf or nan outside the middle; not used there)
    return zero_where(select(x32 < 3, middle, g32), x32 <= -3).astype(g.dtype, copy=False)


class Hardswish(Function):
    """z = x relu6(x + 3) / 6;  dz/dx = 0 where x <= -3, x/3 + 1/2 where -3 < x < 3, 1 elsewhere."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quiet_numpy.run(_hardswish, x._data)  # (-inf * 0 = nan, quietly)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return HardswishBackward.apply(grad_output, x)


class HardswishBackward(Function):
    """Hardswish's backward as one op, PyTorch's ``hardswish_backward``. Linear in g, so d/dg
    is this op again; d/dx = g/3 where -3 < x < 3, else 0, in tensor ops."""

    @staticmethod
    def forward(ctx, grad_output, x):
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, x)
        return quiet_numpy.run(_hardswish_backward, grad_output._data, x._data)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, x = ctx.saved_tensors
        grad_g = HardswishBackward.apply(grad_grad, x) if ctx.needs_input_grad[0] else None
        grad_x = where((x > -3) & (x < 3), grad_grad * grad_output / 3, 0.0) if ctx.needs_input_grad[1] else None
        return grad_g, grad_x


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x relu6(x + 3) / 6: 0 below -3, x above 3, x (x + 3) / 6 between (MobileNetV3).

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("hardswish_cpu", input)
    out = Hardswish.apply(input)
    return input.copy_(out) if inplace else out


def softsign(input: Tensor) -> Tensor:
    """x / (1 + abs(x)) (as in PyTorch, a composite of tensor ops; an integer tensor gives floats)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x) (as in PyTorch, a composite of tensor ops)."""
    return input - input.tanh()


class Softshrink(Function):
    """z = x - lambd where x > lambd, x + lambd where x < -lambd, else 0;  dz/dx = 1 where
    abs(x) > lambd, else 0: hardshrink's derivative."""

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        data = x._data
        kind = data.dtype.type
        return data - clamp_values(data, kind(-lambd), kind(lambd))  # (nan stays nan)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return SoftshrinkBackward.apply(grad_output, x, ctx.lambd), None


class Hardshrink(Function):
    """z = x where abs(x) > lambd, else 0;  dz/dx = 1 where abs(x) > lambd, else 0."""

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        data = x._data
        kind = data.dtype.type
        inside = (data >= kind(-lambd)) & (data <= kind(lambd))  # (False at nan: a nan input stays nan)
        return zero_where(data, inside)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return HardshrinkBackward.apply(grad_output, x, ctx.lambd), None


def _outside(data: np.ndarray, lambd: float) -> np.ndarray:
    """Where x < -lambd or x > lambd (False at nan)."""
    kind = data.dtype.type
    return (data < kind(-lambd)) | (data > kind(lambd))


class HardshrinkBackward(Function):
    """The backward of both shrinks, PyTorch's ``hardshrink_backward``: (g, x) -> g where
    abs(x) > lambd, else 0 (0 at nan too, as PyTorch's vectorized kernel: book/deviations.md).
    Linear in g, so its backward is itself; x only selects."""

    @staticmethod
    def forward(ctx, grad_output, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return zero_where(grad_output._data, ~_outside(x._data, lambd))

    @staticmethod
    def backward(ctx, grad_grad):
        x, = ctx.saved_tensors
        return HardshrinkBackward.apply(grad_grad, x, ctx.lambd), None, None


class SoftshrinkBackward(HardshrinkBackward):
    """Softshrink's backward, PyTorch's ``softshrink_backward``: the same as hardshrink's,
    with a node of its own (``SoftshrinkBackwardBackward0``)."""

    @staticmethod
    def backward(ctx, grad_grad):
        x, = ctx.saved_tensors
        return SoftshrinkBackward.apply(grad_grad, x, ctx.lambd), None, None


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between.

    Raises:
        RuntimeError: for a lambd that is negative, nan or beyond the dtype's largest value.
        NotImplementedError: for an integer or bool tensor.
    """
    _float_only("softshrink_check", input)
    largest = float(np.finfo(input.dtype.numpy_dtype).max)
    if not 0 <= lambd <= largest:  # (nan too)
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype "
                           f"{_dtype.scalar_name(input.dtype)}, but found {lambd} (give a finite lambd >= 0)")
    return Softshrink.apply(input, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where abs(x) > lambd, else 0.

    Raises:
        NotImplementedError: for an integer or bool tensor (as PyTorch: no such kernel).
    """
    _float_only("hardshrink_cpu", input)
    return Hardshrink.apply(input, lambd)


class Threshold(Function):
    """z = x where x > threshold (or x is nan), else value;  dz/dx = 1 where x > threshold
    (or nan), else 0: relu's backward op, ``ThresholdBackward``, with this threshold (relu is
    threshold(x, 0, 0))."""

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        data = x._data
        # both converted to x's dtype as PyTorch converts them: an integer tensor's truncated
        # (2.7 -> 2), and nan, inf or a number out of the dtype's range refused
        threshold, value = (_dtype.checked_scalar(v, x.dtype) for v in (threshold, value))
        return np.where(data <= threshold, value, data)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return U.ThresholdBackward.apply(grad_output, x, ctx.threshold), None, None


def _threshold(input: Tensor, threshold: float, value: float, inplace: bool) -> Tensor:
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool' (convert the input with .float())")
    out = Threshold.apply(input, threshold, value)
    return input.copy_(out) if inplace else out


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value (an integer tensor keeps its dtype; threshold and
    value are converted to it, as PyTorch does).

    Raises:
        NotImplementedError: for a bool tensor (as PyTorch: no such kernel).
        RuntimeError: for a threshold or value that the tensor's dtype cannot hold (nan or
            inf for an integer tensor, 300 for uint8).
    """
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` in place."""
    return _threshold(input, threshold, value, True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: a sigmoid(b), where a and b are the two halves of ``input`` along ``dim``.

    Shape: ``dim`` halves.

    Raises:
        RuntimeError: for a 0-d input or an odd size along ``dim``. NotImplementedError: for
            an integer or bool tensor.
    """
    if input.ndim == 0:  # (PyTorch's order of checks: scalars, the dim, halving, the dtype)
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    d = dim % input.ndim
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    _float_only("glu_cpu", input)
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``hardtanh`` in place."""
    return hardtanh(input, min_val, max_val, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu`` in place."""
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one learned slope per channel (dim 1) or one for all.

    Args:
        input: (N, C, ...) or any shape when ``weight`` has one element.
        weight: (C,) or (1,).

    Raises:
        RuntimeError: if ``weight`` has neither 1 nor C elements, or more than 1 dimension.
        NotImplementedError: for an integer or bool input (as PyTorch: no such kernel).
    """
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_dtype.scalar_name(input.dtype)} and "
                           f"{_dtype.scalar_name(weight.dtype)}")
    _float_only("prelu_cpu", input)
    if input.ndim == 0 and weight.numel() != 1:
        raise RuntimeError(f"Not allow zero-dim input tensor. (prelu of a 0-d input takes one slope, "
                           f"got weight of shape {list(weight.shape)})")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    if weight.numel() == 1:
        weight = weight.reshape(())  # one slope for all: the result keeps the input's shape (0-d too)
    elif input.ndim >= 2:
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))  # (C, 1, ..., 1): per channel
    return PRelu.apply(input, weight)


class PRelu(Function):
    """z = x where x > 0, else a x;  dz/dx = 1 there, else a;  dz/da = 0 there, else x.

    ``a`` is the slope tensor, broadcast against x. Each gradient takes only its own branch
    (as PyTorch's kernel), so an infinite slope puts no nan where x > 0.
    """

    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        data = x._data
        return quiet_numpy.run(lambda: select(data > 0, data, (a._data * data).astype(data.dtype, copy=False)))

    @staticmethod
    def backward(ctx, grad_output):
        x, a = ctx.saved_tensors
        positive = x > 0
        grad_x = where(positive, grad_output, grad_output * a)
        grad_a = where(positive, 0.0, grad_output * x).sum_to_size(a.shape)
        return grad_x, grad_a
