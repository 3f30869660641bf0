"""``pixel_shuffle`` and ``pixel_unshuffle``: trade channels for resolution, and back (Shi et al., 2016).

``pixel_shuffle`` turns (*, C r^2, H, W) into (*, C, H r, W r): each group of r^2 channels
becomes one r-by-r block of pixels, y[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w].
A convolution that outputs C r^2 channels followed by it is a learned upsampling (the
"sub-pixel convolution" of super-resolution networks). ``pixel_unshuffle`` is its inverse.
Both only move numbers, so each is the other's backward, to any order.
"""
from __future__ import annotations

import numpy as np

from ..._functions.elementwise import _check_tensor
from ..._tensor import Tensor
from ...autograd.function import Function


class PixelShuffle(Function):
    """y = pixel_shuffle(x, r): (*, C r^2, H, W) -> (*, C, H r, W r);  dL/dx = pixel_unshuffle(g, r)."""

    @staticmethod
    def forward(ctx, input, upscale_factor):
        ctx.factor = r = upscale_factor
        x = input._data
        lead, (C, H, W), n = x.shape[:-3], x.shape[-3:], x.ndim - 3
        blocks = x.reshape(lead + (C // (r * r), r, r, H, W))                   # (*, C, i, j, H, W)
        moved = blocks.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))  # (*, C, H, i, W, j)
        return moved.reshape(lead + (C // (r * r), H * r, W * r))              # a copy

    @staticmethod
    def backward(ctx, grad_output):
        return PixelUnshuffle.apply(grad_output, ctx.factor), None


class PixelUnshuffle(Function):
    """y = pixel_unshuffle(x, r): (*, C, H r, W r) -> (*, C r^2, H, W);  dL/dx = pixel_shuffle(g, r)."""

    @staticmethod
    def forward(ctx, input, downscale_factor):
        ctx.factor = r = downscale_factor
        x = input._data
        lead, (C, Hr, Wr), n = x.shape[:-3], x.shape[-3:], x.ndim - 3
        pixels = x.reshape(lead + (C, Hr // r, r, Wr // r, r))                  # (*, C, H, i, W, j)
        moved = pixels.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))  # (*, C, i, j, H, W)
        return moved.reshape(lead + (C * r * r, Hr // r, Wr // r))             # a copy

    @staticmethod
    def backward(ctx, grad_output):
        return PixelShuffle.apply(grad_output, ctx.factor), None


def _check_factor(function: str, name: str, factor) -> None:
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)):
        raise TypeError(f"{function}(): argument '{name}' (position 2) must be int, not {type(factor).__name__}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r), r = ``upscale_factor``.

    Raises:
        TypeError: for an input that is not a tensor, or a factor that is not an int.
        RuntimeError: for fewer than 3 dims, a factor below 1, or channels not a multiple of r^2.
    """
    _check_tensor("pixel_shuffle", input)
    _check_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if upscale_factor <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {upscale_factor}")
    channels, square = input.shape[-3], upscale_factor * upscale_factor
    if channels % square:
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={channels} is not divisible by {square}")
    return PixelShuffle.apply(input, int(upscale_factor))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), r = ``downscale_factor``: ``pixel_shuffle``'s inverse.

    Raises:
        TypeError: for an input that is not a tensor, or a factor that is not an int.
        RuntimeError: for fewer than 3 dims, a factor below 1, or a height or width not a multiple of r.
    """
    _check_tensor("pixel_unshuffle", input)
    _check_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if downscale_factor <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {downscale_factor}")
    for name, position in (("height", -2), ("width", -1)):
        if input.shape[position] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({position})={input.shape[position]} is not divisible by {downscale_factor}")
    return PixelUnshuffle.apply(input, int(downscale_factor))
