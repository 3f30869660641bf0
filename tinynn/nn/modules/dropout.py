"""``Dropout``: random zeroing during training only."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    """What every dropout layer shares (PyTorch's ``_DropoutNd``): ``p``, ``inplace``, the repr.

    Raises:
        ValueError: if p is not in [0, 1].
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` in training mode and scale the rest by 1/(1-p).

    In evaluation mode (``model.eval()``) it returns its input unchanged.

    Raises:
        ValueError: if p is not in [0, 1].
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) with probability ``p`` in training mode, scale the rest by 1/(1-p).

    Input (N, C, H, W) or (C, H, W); the mask is drawn per (n, c) and broadcast over H, W
    (see ``F.dropout2d``). In evaluation mode it returns its input unchanged.

    Raises:
        ValueError: if p is not in [0, 1].
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)
