"""``Unfold`` and ``Fold``: the im2col matrix of a batch of images, and back (``F.unfold``, ``F.fold``)."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class Unfold(Module):
    """Every sliding window of (N, C, H, W) as a column: (N, C kH kW, L); see ``F.unfold``."""

    def __init__(self, kernel_size: int | tuple, dilation: int | tuple = 1, padding: int | tuple = 0,
                 stride: int | tuple = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Columns of sliding windows added back into images: (N, C kH kW, L) -> (N, C, H, W); see ``F.fold``."""

    def __init__(self, output_size: int | tuple, kernel_size: int | tuple, dilation: int | tuple = 1,
                 padding: int | tuple = 0, stride: int | tuple = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
