"""Weight initialisation schemes (mirrors ``torch.nn.init``).

Each function fills a tensor in place (under ``no_grad``) and returns it. The random
streams are tinynn's (numpy), not PyTorch's: same distribution, different numbers.

The schemes keep the variance of activations roughly constant from layer to layer:

* Xavier/Glorot: ``std = gain * sqrt(2 / (fan_in + fan_out))``;
* Kaiming/He: ``std = gain / sqrt(fan)``, with ``gain = sqrt(2 / (1 + a^2))`` for leaky ReLU.
  A uniform distribution on ``[-b, b]`` has std ``b / sqrt(3)``, so ``b = sqrt(3) * std``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._creation import from_numpy
from .._functions.elementwise import where
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..random import Generator

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
               "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (the factor that keeps the variance).

    =====================  ====================================
    linear, conv, sigmoid  1
    tanh                   5/3
    relu                   sqrt(2)
    leaky_relu             sqrt(2 / (1 + negative_slope^2))
    selu                   3/4
    =====================  ====================================

    Raises:
        ValueError: for an unknown nonlinearity or a bad ``param``.
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = size(1) * receptive field, fan_out = size(0) * receptive field.

    For a Linear weight (out, in) that is (in, out); for a conv weight (out, in, kH, kW)
    the receptive field is kH * kW.

    Raises:
        ValueError: for a tensor with fewer than 2 dimensions.
    """
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with values drawn from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with values drawn from N(mean, std^2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, zeros elsewhere):
    a Linear layer so initialised passes through as many of its inputs as it can.

    Raises:
        ValueError: for a tensor that is not 2-dimensional.
    """
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        tensor.copy_(from_numpy(np.eye(*tensor.shape)))
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight with the Dirac delta: in each group, output
    channel d gets a 1 at the centre of the window of input channel d, and zeros elsewhere,
    so the convolution passes through as many input channels as it can.

    Raises:
        ValueError: for a tensor with fewer than 3 or more than 5 dimensions, or when
            ``groups`` does not divide ``size(0)``.
    """
    dimensions = tensor.ndimension()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_group = sizes[0] // groups
    centre = tuple(size // 2 for size in sizes[2:])  # the middle of the window
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(out_chans_per_group, sizes[1])):
                tensor[(g * out_chans_per_group + d, d) + centre] = 1
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """U(-b, b) with b = gain * sqrt(3 / fan) (He et al., 2015).

    ``nn.Linear`` uses ``a=sqrt(5)``: gain = sqrt(2 / 6), so b = 1 / sqrt(fan_in).

    Args:
        a: the negative slope of the leaky ReLU that follows (0 for ReLU).
        mode: "fan_in" keeps the forward variance, "fan_out" the backward one.
        nonlinearity: the name passed to :func:`calculate_gain`.

    Warns:
        UserWarning: for a tensor with no elements, which is left as it is.
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan).

    Warns:
        UserWarning: for a tensor with no elements, which is left as it is.
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (``a`` and ``b`` are absolute values, not stds).

    Values outside [a, b] are redrawn until every one lies inside (rejection sampling: the
    same distribution as PyTorch's inverse-CDF method, from tinynn's own random stream).
    PyTorch warns when ``mean`` is more than 2 std from [a, b]; so does this.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        tensor.normal_(mean, std, generator=generator)
        inside = (tensor >= a) & (tensor <= b)
        while not bool(inside.all()):
            draw = tensor.new_empty(tensor.shape).normal_(mean, std, generator=generator)
            tensor.copy_(where(inside, tensor, draw))
            inside = (tensor >= a) & (tensor <= b)
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The tensor is viewed as (size(0), numel / size(0)); the Q of the QR decomposition of a
    standard normal matrix (signs fixed so R's diagonal is positive) makes its rows (or
    columns, whichever are fewer) orthonormal.

    Raises:
        ValueError: for a tensor with fewer than 2 dimensions.
    """
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor  # no-op
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flattened = tensor.new_zeros((rows, cols)).normal_(0, 1, generator=generator)
        matrix = flattened.numpy().astype(np.float64)
        if rows < cols:
            matrix = matrix.T
        q, r = np.linalg.qr(matrix)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        tensor.view_as(flattened).copy_(from_numpy(np.ascontiguousarray(q)).to(tensor.dtype))
        tensor.mul_(gain)
    return tensor
