"""``Upsample`` (and its fixed-mode forms ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``): see ``F.interpolate``."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module


class Upsample(Module):
    """Resize the spatial dims to ``size`` or by ``scale_factor`` with ``F.interpolate``.

    Args:
        size: the output's spatial size.
        scale_factor: the multiplier of each spatial size (stored as float).
        mode: "nearest" (default), "nearest-exact", "linear", "bilinear" or "trilinear".
        align_corners: linear modes only, see ``F.interpolate``.
        recompute_scale_factor: see ``F.interpolate``.

    Shape:
        input: ``(N, C, *spatial)``; output: ``(N, C, *size)``.
    """

    def __init__(self, size: int | tuple | None = None, scale_factor: float | tuple | None = None,
                 mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode="nearest")`` for (N, C, H, W) inputs."""

    def __init__(self, size: int | tuple | None = None, scale_factor: float | tuple | None = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode="bilinear", align_corners=True)`` for (N, C, H, W) inputs."""

    def __init__(self, size: int | tuple | None = None, scale_factor: float | tuple | None = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
