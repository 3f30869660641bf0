"""Convolution layers: ``Conv1d``, ``Conv2d`` (and ``ConvTranspose2d``), mirroring ``torch.nn``."""
from __future__ import annotations

import math
from typing import Any

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.conv import _ntuple, _same_padding
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: argument checks, parameters, init, padding modes and repr."""

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation,
                 transposed: bool, output_padding, groups: int, bias: bool, padding_mode: str,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in _ntuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.transposed, self.output_padding = transposed, _ntuple(output_padding, n)
        self.groups, self.padding_mode = groups, padding_mode
        # for padding_mode != "zeros": (left, right) pairs for F.pad, last dimension first
        if isinstance(self.padding, str):
            pairs = ((0, 0),) * n if self.padding == "valid" else _same_padding(self.kernel_size, self.dilation)
        else:
            pairs = tuple((p, p) for p in self.padding)
        self._reversed_padding_repeated_twice = tuple(p for pair in reversed(pairs) for p in pair)
        if transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
        for the weight, and the same bound for the bias (fan_in = in_channels / groups * kH * kW)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _padded(self, input: Tensor) -> Tensor:
        """For reflect/replicate/circular padding: pad explicitly (the convolution then pads nothing)."""
        return F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class Conv2d(_ConvNd):
    """A 2-D convolution layer: out = conv2d(input, weight) + bias (see ``F.conv2d``).

    Args:
        in_channels: C_in, channels of the input.
        out_channels: C_out, channels produced (the number of filters).
        kernel_size: int or (kH, kW).
        stride: int or (sH, sW). Default: 1.
        padding: int, (pH, pW), "valid" or "same". Default: 0.
        dilation: int or (dH, dW). Default: 1.
        groups: split in/out channels into this many independent groups. Default: 1.
        bias: learn a per-output-channel bias. Default: True.
        padding_mode: "zeros" (default), "reflect", "replicate" or "circular".
        device: only "cpu" (or None) in tinynn.
        dtype: the parameters' dtype (default float32).

    Shape:
        input: (N, C_in, H, W) or (C_in, H, W).
        output: (N, C_out, H_out, W_out), H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1.

    Attributes:
        weight: (C_out, C_in / groups, kH, kW), from U(-k, k), k = 1 / sqrt(C_in / groups * kH * kW).
        bias: (C_out,), from the same distribution.

    Raises:
        ValueError: in_channels or out_channels not divisible by groups; an unknown padding
            string or padding_mode; padding="same" with a stride.

    Example:
        >>> conv = Conv2d(1, 10, kernel_size=5)
        >>> conv(tinynn.randn(64, 1, 28, 28)).shape
        tinynn.Size([64, 10, 24, 24])
    """

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv2d(self._padded(input), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """A 1-D convolution layer over (N, C_in, L) sequences (see ``F.conv1d``).

    Args:
        in_channels, out_channels, groups, bias, padding_mode, device, dtype: as :class:`Conv2d`.
        kernel_size, stride, padding, dilation: one int each (or a 1-tuple); padding may also
            be "valid" or "same".

    Shape:
        input: (N, C_in, L) or (C_in, L); output: (N, C_out, L_out),
        L_out = floor((L + 2p - d (k - 1) - 1) / s) + 1.

    Attributes:
        weight: (C_out, C_in / groups, k), from U(-b, b), b = 1 / sqrt(C_in / groups * k).
        bias: (C_out,).
    """

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv1d(self._padded(input), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """A 2-D transposed convolution layer (see ``F.conv_transpose2d``): it upsamples.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, groups, bias, dilation: as
            :class:`Conv2d` (padding is an int or pair; only padding_mode="zeros").
        output_padding: extra rows/columns on the bottom/right of the output. Default: 0.

    Shape:
        output: H_out = (H - 1) sH - 2 pH + dH (kH - 1) + output_padding + 1.

    Attributes:
        weight: (C_in, C_out / groups, kH, kW) (in and out swapped relative to Conv2d).

    Raises:
        ValueError: for padding_mode other than "zeros" (as PyTorch).
    """

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """The output_padding that gives ``output_size`` (H_out, W_out), or (N, C_out, H_out,
        W_out) ((C_out, H_out, W_out) for an unbatched input): each size must lie between the
        smallest output, that of output_padding 0, and that smallest plus stride - 1.

        Raises:
            ValueError: for an output_size of another length, or a size outside that range.
        """
        if output_size is None:
            return self.output_padding
        non_spatial = 2 if input.dim() == 4 else 1
        output_size = list(output_size)
        if len(output_size) == non_spatial + 2:
            output_size = output_size[non_spatial:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.dim()}D input, output_size must have 2 or "
                             f"{non_spatial + 2} elements (got {len(output_size)})")
        min_sizes = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                     zip(input.shape[non_spatial:], self.stride, self.padding, self.dilation, self.kernel_size)]
        max_sizes = [m + s - 1 for m, s in zip(min_sizes, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(output_size, min_sizes, max_sizes)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {min_sizes} "
                             f"to {max_sizes} (for an input of {input.shape[non_spatial:]})")
        return tuple(size - m for size, m in zip(output_size, min_sizes))

    def forward(self, input: Tensor, output_size: list | None = None) -> Tensor:
        """Transposed convolution of ``input``; ``output_size`` (optional) picks the output_padding
        (see ``_output_padding``) instead of the module's own.

        Raises:
            ValueError: for an ``output_size`` that no output_padding below the stride gives.
        """
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)
