"""``interpolate``: resize the spatial dimensions of an (N, C, d1, ..., dk) input.

Each spatial dimension is resized on its own, last first. For every output position ``i``
along a dimension the source coordinate is computed with PyTorch's formulas
(``scale`` = in / out, or 1 / scale_factor when that is given):

* "nearest":        src = min(floor(i * scale), in - 1)           (computed in float32, as PyTorch)
* "nearest-exact":  src = min(floor((i + 0.5) * scale), in - 1)
* linear modes, ``align_corners=False``: src = max((i + 0.5) * scale - 0.5, 0), the pixel
  *centres* lined up; ``align_corners=True``: src = i * (in - 1) / (out - 1), the corner
  pixels lined up.

Nearest modes read the input at ``src`` (``index_select``). Linear modes blend the two
neighbours floor(src) and floor(src) + 1 with weights (1 - frac, frac); doing this along W
and then along H is exactly bilinear interpolation. Both are tensor ops, so autograd gives
the gradient (each output's gradient flows back to the inputs it read, with their weights).
"""
from __future__ import annotations

import math

import numpy as np

from ... import _creation, _dtype
from ..._tensor import Tensor

_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}  # mode -> the input rank it needs
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _per_dim(value, k: int) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value] * k


def _nearest_source(in_size: int, out_size: int, scale: float | None, exact: bool) -> np.ndarray:
    """For each output position, the input position "nearest" mode copies (PyTorch's float32 formula)."""
    scale = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(in_size) / np.float32(out_size)
    position = np.arange(out_size, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(position * scale).astype(np.int64), in_size - 1)


def _linear_source(in_size: int, out_size: int, scale: float | None, align_corners: bool,
                   dtype: np.dtype) -> tuple:
    """The two neighbours each output position blends, and their weights (PyTorch's formulas)."""
    if align_corners:
        ratio = dtype.type((in_size - 1) / (out_size - 1)) if out_size > 1 else dtype.type(0)
        src = np.arange(out_size, dtype=dtype) * ratio
    else:
        if scale is not None and scale > 0:
            ratio = dtype.type(1.0 / scale)
        else:
            ratio = dtype.type(in_size) / dtype.type(out_size)
        src = np.maximum(ratio * (np.arange(out_size, dtype=dtype) + dtype.type(0.5)) - dtype.type(0.5), 0)
    low = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    frac = np.clip(src - low, 0, 1).astype(dtype)
    high = np.minimum(low + 1, in_size - 1)
    return low, high, 1 - frac, frac


def interpolate(input: Tensor, size: int | tuple | None = None, scale_factor: float | tuple | None = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions (all but N and C) to ``size``, or by ``scale_factor``.

    Args:
        input: (N, C, W) for "linear", (N, C, H, W) for "bilinear", (N, C, D, H, W) for
            "trilinear"; any of these for "nearest" and "nearest-exact".
        size: the output's spatial size (an int for all dims, or one per dim).
        scale_factor: a multiplier per spatial dim (the output size is floor(in * factor)).
        mode: "nearest", "nearest-exact", "linear", "bilinear" or "trilinear".
        align_corners: linear modes only: line up the corner pixels (True) or the pixel
            centres (False, the default).
        recompute_scale_factor: with ``scale_factor``, compute the source positions from
            the output size instead of from the factor itself.

    Shape:
        output: ``(N, C, *size)`` or ``(N, C, floor(d_i * scale_factor_i))``.

    Raises:
        TypeError: for a ``size`` that is not an int or a tuple of ints (3.0, say).
        ValueError: for both or neither of ``size`` and ``scale_factor``, a size or factor
            with the wrong number of dims, ``align_corners`` with a nearest mode, or
            ``recompute_scale_factor=True`` with a ``size``.
        NotImplementedError: an input that is not 3-D, 4-D or 5-D, a linear mode with the wrong rank, "bicubic", "area",
            "lanczos" or ``antialias=True`` (not in tinynn), or an unknown mode.
    """
    k = input.ndim - 2
    if not input.is_floating_point():  # PyTorch has no integer or bool kernels for these
        raise NotImplementedError(f"\"upsample_{mode}\" not implemented for '{_dtype.scalar_name(input.dtype)}' "
                                  "(convert the input with .float())")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)) and len(size) != k:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             "format.")
        out_sizes, scales = _per_dim(size, k), [None] * k
        if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in out_sizes):
            raise TypeError(f"interpolate(): size must be an int or a tuple of ints, but got {size!r}")
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out_sizes = [int(s) for s in out_sizes]
    else:
        if isinstance(scale_factor, (list, tuple)) and len(scale_factor) != k:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {spatial} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in _per_dim(scale_factor, k)]
        out_sizes = [math.floor(float(n) * s) for n, s in zip(spatial, scales)]
        if recompute_scale_factor:
            scales = [None] * k
    if input.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
                                  f"for the modes: {_ALL_MODES} (got {mode})")
    if mode in _LINEAR_MODES and input.ndim != _LINEAR_MODES[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR_MODES[mode]}D input")
    if min(out_sizes) <= 0:
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input sizes {spatial} and "
                           f"output sizes {out_sizes}")
    if 0 in input.shape[1:]:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")
    if mode not in ("nearest", "nearest-exact", *_LINEAR_MODES) or antialias:
        if mode in ("bicubic", "area", "lanczos") or antialias:
            raise NotImplementedError(f"interpolate(mode={mode!r}, antialias={antialias}) is not implemented in "
                                      "tinynn; use 'nearest', 'nearest-exact' or a linear mode")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
                                  f"for the modes: {_ALL_MODES} (got {mode})")
    out = input
    for dim in range(input.ndim - 1, 1, -1):  # the last spatial dim first
        in_size, out_size, scale = input.shape[dim], out_sizes[dim - 2], scales[dim - 2]
        if mode.startswith("nearest"):
            source = _nearest_source(in_size, out_size, scale, exact=mode == "nearest-exact")
            out = out.index_select(dim, _creation.tensor(source))
            continue
        if in_size == out_size:
            # PyTorch's linear kernels read each value of a dim of unchanged size twice, with
            # weights 1 and 0, whatever the scale factor: neighbours are not mixed in (a nan
            # stays where it is), but an inf becomes inf * 0 = nan
            out = out * 1.0 + out * 0.0
            continue
        low, high, w_low, w_high = _linear_source(in_size, out_size, scale, align_corners, input._data.dtype)
        along = (out_size,) + (1,) * (input.ndim - 1 - dim)      # the weights broadcast along ``dim``
        out = (out.index_select(dim, _creation.tensor(low)) * _creation.tensor(w_low.reshape(along))
               + out.index_select(dim, _creation.tensor(high)) * _creation.tensor(w_high.reshape(along)))
    return out
