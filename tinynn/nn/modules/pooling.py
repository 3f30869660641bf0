"""Pooling layers: ``MaxPool2d``, ``AvgPool2d`` and ``AdaptiveAvgPool2d`` (see ``F.max_pool2d`` etc.)."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class MaxPool2d(Module):
    """The maximum of each (kH x kW) window, channel by channel.

    Args:
        kernel_size: int or (kH, kW).
        stride: int or (sH, sW). Default: kernel_size.
        padding: int or (pH, pW) of -inf on both sides. Default: 0.
        dilation: spacing between the window's elements. Default: 1.
        return_indices: also return the flat input index of each maximum. Default: False.
        ceil_mode: round the output size up instead of down. Default: False.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, H_out, W_out),
        H_out = floor((H + 2p - d (k - 1) - 1) / s) + 1.

    Example:
        >>> MaxPool2d(2)(tinynn.randn(64, 10, 24, 24)).shape
        tinynn.Size([64, 10, 12, 12])
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each (kH x kW) window, channel by channel.

    Args:
        kernel_size: int or (kH, kW).
        stride: int or (sH, sW). Default: kernel_size.
        padding: int or (pH, pW) of zeros on both sides. Default: 0.
        ceil_mode: round the output size up instead of down. Default: False.
        count_include_pad: count the padding zeros in the mean's divisor. Default: True.
        divisor_override: divide by this instead of the window size. Default: None.

    Shape:
        input: (N, C, H, W) or (C, H, W); output: (N, C, H_out, W_out),
        H_out = floor((H + 2p - k) / s) + 1.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (H_out, W_out), whatever the input size.

    ``AdaptiveAvgPool2d(1)`` is global average pooling: (N, C, H, W) -> (N, C, 1, 1).

    Args:
        output_size: int or (H_out, W_out); None in a position keeps the input's size.
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxPool1d(MaxPool2d):
    """The maximum of each window of ``kernel_size`` along the last axis (see ``F.max_pool1d``).

    Shape: input (N, C, L) or (C, L); output (N, C, L_out).
    """

    def forward(self, input: Tensor):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """The mean of each window of ``kernel_size`` along the last axis (see ``F.avg_pool1d``).

    Shape: input (N, C, L) or (C, L); output (N, C, L_out). The arguments are kept as
    1-tuples, as PyTorch does (so the repr reads ``kernel_size=(3,)``).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        one = lambda v: tuple(v) if isinstance(v, (list, tuple)) else (v,)  # noqa: E731
        self.kernel_size = one(kernel_size)
        self.stride = one(stride if stride is not None else kernel_size)
        self.padding = one(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of the last axis to ``output_size`` (``AdaptiveAvgPool1d(1)``: global).

    Shape: input (N, C, L) or (C, L); output (N, C, output_size).
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)
