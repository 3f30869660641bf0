"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad`` and ``ReplicationPad`` in 1-D and 2-D.

Each stores ``padding`` as a tuple (left, right) or (left, right, top, bottom), as PyTorch
does (an int pads every side by that much), and calls ``F.pad`` with its mode.
"""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


def _sides(padding: int | tuple, n: int) -> tuple:
    """(p, p, ...) n times for an int; the tuple itself otherwise."""
    return (padding,) * n if isinstance(padding, int) else tuple(padding)


class _ConstantPadNd(Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (N, C, W) -> (N, C, left + W + right)."""

    def __init__(self, padding: int | tuple, value: float) -> None:
        super().__init__(value)
        self.padding = _sides(padding, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: (N, C, H, W) -> (N, C, top + H + bottom, left + W + right).

    ``padding`` is an int, or (left, right, top, bottom).
    """

    def __init__(self, padding: int | tuple, value: float) -> None:
        super().__init__(value)
        self.padding = _sides(padding, 4)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding: int | tuple) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros; ``padding`` is an int or (left, right, top, bottom)."""

    def __init__(self, padding: int | tuple) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ModePadNd(Module):
    mode: str

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    """Mirror the last dim about its edges ([1 2 3] -> [3 2 1 2 3 2 1] for padding 2); each pad < W."""

    mode = "reflect"

    def __init__(self, padding: int | tuple) -> None:
        super().__init__()
        self.padding = _sides(padding, 2)


class ReflectionPad2d(_ModePadNd):
    """Mirror the last two dims about their edges; ``padding`` is an int or (left, right, top, bottom)."""

    mode = "reflect"

    def __init__(self, padding: int | tuple) -> None:
        super().__init__()
        self.padding = _sides(padding, 4)


class ReplicationPad1d(_ModePadNd):
    """Repeat the edge values of the last dim ([1 2 3] -> [1 1 1 2 3 3 3] for padding 2)."""

    mode = "replicate"

    def __init__(self, padding: int | tuple) -> None:
        super().__init__()
        self.padding = _sides(padding, 2)


class ReplicationPad2d(_ModePadNd):
    """Repeat the edge values of the last two dims; ``padding`` is an int or (left, right, top, bottom)."""

    mode = "replicate"

    def __init__(self, padding: int | tuple) -> None:
        super().__init__()
        self.padding = _sides(padding, 4)
