"""Pooling: ``max_pool2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``.

Pooling slides a window over each channel separately (the same windows as a convolution,
see ``_windows``) and reduces it to one number: its maximum or its mean.

* Max pooling routes the gradient: each output's gradient goes to the one input that was
  the window's maximum (the first one on ties, as PyTorch), and inputs that are the maximum
  of several overlapping windows collect the sum.
* Average pooling spreads it: each output's gradient is divided by the window size and
  added to every input of the window.
"""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy
from . import _windows
from .activation import _float_only
from .conv import ConvGeometry, _ntuple


# -- argument checking ---------------------------------------------------------------
def _pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: floor (or ceil) of (size + 2p - d(k-1) - 1) / s, plus 1.

    With ceil_mode the last window may hang over the right edge, but it must start inside
    the input or the left padding.
    """
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_geometry(fn: str, input: Tensor, kernel_size, stride, padding, dilation,
                   ceil_mode: bool) -> ConvGeometry:
    """Check pooling arguments as PyTorch does; describe the windows as a ConvGeometry.

    The padding is ((p, p + extra), ...) where ``extra`` makes room for ceil_mode's last window.
    """
    kernel_size = _ntuple(kernel_size, 2, "kernel_size", "pool", fn)
    stride = kernel_size if stride is None or stride == [] or stride == () else _ntuple(stride, 2, "stride", "pool", fn)
    padding = _ntuple(padding, 2, "padding", "pool", fn)
    dilation = _ntuple(dilation, 2, "dilation", "pool", fn)
    if any(k <= 0 for k in kernel_size) and fn == "max_pool2d":
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {kernel_size[0]} kW: {kernel_size[1]}"
        )
    if any(s <= 0 for s in stride + kernel_size):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationH: {dilation[0]} dilationW: {dilation[1]}"
        )
    if any(p < 0 for p in padding):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(padding)}")
    for p, k, d in zip(padding, kernel_size, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    N, C, H, W = input.shape
    out = [_pool_output_size(n, k, s, p, d, ceil_mode)
           for n, k, s, p, d in zip((H, W), kernel_size, stride, padding, dilation)]
    if min(out) < 1:
        raise RuntimeError(
            f"Given input size: ({C}x{H}x{W}). Calculated output size: ({C}x{out[0]}x{out[1]}). "
            "Output size is too small"
        )
    pads = []
    for n, o, k, s, p, d in zip((H, W), out, kernel_size, stride, padding, dilation):
        needed = (o - 1) * s + d * (k - 1) + 1        # padded length the windows reach
        pads.append((p, max(needed - n - p, p)))       # ceil_mode may need more on the right
    return ConvGeometry((N, C, H, W), kernel_size, stride, tuple(pads), dilation, 1)


def _batched(fn: str, input: Tensor, low_rank_error: type = RuntimeError) -> tuple[Tensor, bool]:
    """Add the batch axis to an unbatched (C, H, W) input; say whether it was added.

    Only the batch dimension may be empty (PyTorch's check).

    Raises:
        RuntimeError: for more than 4 dims, or an empty dimension other than the batch's.
        low_rank_error: for fewer than 3 dims (avg_pool2d: IndexError, as PyTorch).
    """
    if input.ndim not in (3, 4):
        raise (low_rank_error if input.ndim < 3 else RuntimeError)(
            f"{fn}: expected a 3D (C, H, W) or 4D (N, C, H, W) input, but got input of size "
            f"{list(input.shape)}"
        )
    if 0 in input.shape[input.ndim - 3:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{list(input.shape)}")
    if input.ndim == 3:
        return input.unsqueeze(0), True   # (C, H, W) -> (1, C, H, W)
    return input, False


def _pad_value(dtype: np.dtype):
    """The value that never wins a max: -inf for floats, the smallest integer for ints."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# -- max pooling -----------------------------------------------------------------------
def _offset_rows(x: np.ndarray, geometry: ConvGeometry, pad_value) -> np.ndarray:
    """The windows of a padded (N, C, H, W) array, one row per kernel offset: (kH kW, N, C, H_out, W_out).

    Row k = i * kW + j holds tap (i, j) of every window; a copy, contiguous row by row.
    """
    padded = x
    if geometry.padding != ((0, 0), (0, 0)):
        padded = np.pad(x, ((0, 0), (0, 0)) + geometry.padding, constant_values=pad_value)
    windows = _windows.sliding_windows(padded, geometry.kernel_size, geometry.stride,
                                       geometry.dilation, geometry.output_hw)  # (N, C, kH, kW, H_out, W_out)
    N, C, kH, kW, H_out, W_out = windows.shape
    return np.ascontiguousarray(windows.transpose(2, 3, 0, 1, 4, 5)).reshape(kH * kW, N, C, H_out, W_out)


def _real_taps(geometry: ConvGeometry) -> np.ndarray:
    """(kH kW, 1, 1, H_out, W_out) bool: True where a window's tap reads the input, not padding."""
    (top, _), (left, _) = geometry.padding
    rows = [np.arange(n) * s - p for n, s, p in zip(geometry.output_hw, geometry.stride, (top, left))]
    H, W = geometry.input_shape[2:]
    kH, kW = geometry.kernel_size
    dH, dW = geometry.dilation
    r = rows[0][None, None, :, None] + (np.arange(kH) * dH)[:, None, None, None]   # (kH, 1, H_out, 1)
    c = rows[1][None, None, None, :] + (np.arange(kW) * dW)[None, :, None, None]   # (1, kW, 1, W_out)
    real = (r >= 0) & (r < H) & (c >= 0) & (c < W)                                 # (kH, kW, H_out, W_out)
    return real.reshape(kH * kW, 1, 1, *geometry.output_hw)


def _window_argmax(x: np.ndarray, geometry: ConvGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum and the kernel offset k = i * kW + j of the element that holds it.

    PyTorch's rule, scanning each window row by row: ties go to the first maximum; a NaN
    is the maximum (the last NaN, if several); padding never wins, so a window whose real
    elements are all -inf reports its first real element.
    """
    rows = _offset_rows(x, geometry, _pad_value(x.dtype))         # (kK, N, C, H_out, W_out)
    kK = rows.shape[0]
    best = rows.max(axis=0)                                       # (N, C, H_out, W_out); NaN propagates
    hit = rows == best                                            # taps equal to their window's max
    if geometry.padding != ((0, 0), (0, 0)):
        hit &= _real_taps(geometry)
    # first hit: give tap k the score kK - k, so the earliest hit has the highest score
    # (in the smallest integer type that holds kK + 1: uint8 for kernels up to 15 x 15)
    score = np.arange(kK, 0, -1, dtype=np.min_scalar_type(kK + 1)).reshape(kK, 1, 1, 1, 1)
    offset = kK - (hit * score).max(axis=0)
    if x.dtype.kind == "f":
        nan_windows = np.isnan(best)
        if nan_windows.any():  # rare: the last NaN of the window (score k + 1 to the latest)
            last_nan = (np.isnan(rows) * (kK + 1 - score)).max(axis=0) - 1
            offset = np.where(nan_windows, last_nan, offset)
    return best, offset


def _input_index(offset: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """Kernel offsets -> flat input indices h * W + w (what ``return_indices`` gives), int64.

    Window (p, q) starts at row p sH - top and column q sW - left; its tap k = i kW + j is
    i dH rows and j dW columns further on, that is i dH W + j dW places in the (H, W) plane.
    """
    (top, _), (left, _) = geometry.padding
    W = geometry.input_shape[3]
    kH, kW = geometry.kernel_size
    H_out, W_out = geometry.output_hw
    (sH, sW), (dH, dW) = geometry.stride, geometry.dilation
    start = (np.arange(H_out)[:, None] * sH - top) * W + np.arange(W_out) * sW - left  # (H_out, W_out)
    tap = (np.arange(kH)[:, None] * dH * W + np.arange(kW) * dW).ravel()             # (kH kW,)
    index = tap[offset]                                                               # int64
    index += start
    return index


class MaxPool2d(Function):
    """y[n, c, p, q] = max of x[n, c] over window (p, q).

    dL/dx[n, c, h, w] = sum of g[n, c, p, q] over the windows whose maximum is x[n, c, h, w]:
    the gradient is routed to each window's argmax (``MaxPool2dBackward``).

    Given ``offset`` (the argmax of each window, as a kernel offset), it skips the search
    and reads the input at those positions: that is the backward of the backward.
    """

    @staticmethod
    def forward(ctx, input, geometry: ConvGeometry, return_indices: bool, offset=None):
        x = input._data
        if offset is None:
            out, offset = _window_argmax(x, geometry)
        else:
            rows = _offset_rows(x, geometry, 0)                          # (kK, N, C, H_out, W_out)
            out = np.take_along_axis(rows, offset[None], axis=0)[0]
        ctx.offset, ctx.geometry = offset, geometry
        if return_indices:
            return out, Tensor._make(_input_index(offset, geometry))  # int64: no gradient
        return out

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        return MaxPool2dBackward.apply(grad_output, ctx.offset, ctx.geometry), None, None, None


class MaxPool2dBackward(Function):
    """x' = zeros shaped like the input, with g[n, c, p, q] added at window (p, q)'s argmax.

    With ``index`` the position of each window's argmax in the flattened input,
    x'.flat[index[n, c, p, q]] += g[n, c, p, q]: one scatter-add, in which an input that is
    the maximum of several overlapping windows collects the sum. Its gradient reads H = dL/dx'
    back at the same positions: max pooling with the same offsets (so it can be
    differentiated again).
    """

    @staticmethod
    def forward(ctx, grad_output, offset, geometry: ConvGeometry):
        g = grad_output._data
        N, C, H, W = geometry.input_shape
        index = _input_index(offset, geometry)                        # (N, C, H_out, W_out)
        index += np.arange(N * C).reshape(N, C, 1, 1) * (H * W)      # + where x[n, c] starts
        grad_input = np.zeros(N * C * H * W, dtype=g.dtype)
        np.add.at(grad_input, index.ravel(), g.ravel())
        ctx.offset, ctx.geometry = offset, geometry
        return grad_input.reshape(N, C, H, W)

    @staticmethod
    def backward(ctx, grad):
        return MaxPool2d.apply(grad, ctx.geometry, False, ctx.offset), None, None


def max_pool2d(input: Tensor, kernel_size: int | tuple, stride: int | tuple | None = None,
               padding: int | tuple = 0, dilation: int | tuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling: the maximum of each (kH x kW) window, per channel.

    Args:
        input: (N, C, H, W), or (C, H, W) unbatched.
        kernel_size: int or (kH, kW).
        stride: int or (sH, sW); default: kernel_size (windows that do not overlap).
        padding: int or (pH, pW): -inf added on both sides (never the maximum); at most half
            the (dilated) kernel.
        dilation: int or (dH, dW): spacing between the window's elements.
        ceil_mode: round the output size up (a last, partial window) instead of down.
        return_indices: also return, for each output, the flat index h * W + w of the input
            element it came from (what ``max_unpool2d`` takes).

    Shape:
        output: (N, C, H_out, W_out), H_out = floor((H + 2p - d (k - 1) - 1) / s) + 1.

    Raises:
        RuntimeError: for a 2-D or 5-D input, a kernel larger than the padded input ("Output
            size is too small"), zero stride/kernel, or padding above half the kernel.
    """
    batched, added = _batched("max_pool2d", input)
    geometry = _pool_geometry("max_pool2d", batched, kernel_size, stride, padding, dilation, ceil_mode)
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool' (convert the input with .float())")
    out = MaxPool2d.apply(batched, geometry, return_indices, None)
    if added:
        out = tuple(o.squeeze(0) for o in out) if return_indices else out.squeeze(0)
    return out


# -- average pooling -------------------------------------------------------------------
def _avg_divisor(geometry: ConvGeometry, padding: tuple, count_include_pad: bool) -> np.ndarray:
    """How many elements each window averages over (PyTorch's rule), as an (H_out, W_out) array.

    A window starts at o s - p and ends at min(start + k, size + p): the padding counts
    (if count_include_pad), the overhang of a ceil_mode window never does.
    """
    counts = []
    for size, out, k, s, p in zip(geometry.input_shape[2:], geometry.output_hw,
                                  geometry.kernel_size, geometry.stride, padding):
        start = np.arange(out) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts.append(end - start)
    return counts[0][:, None] * counts[1][None, :]


class AvgPool2d(Function):
    """y[n, c, p, q] = (sum of x[n, c] over window (p, q)) / divisor[p, q].

    dL/dx = every g[n, c, p, q] / divisor[p, q] added to each element of window (p, q)
    (``AvgPool2dBackward``).
    """

    @staticmethod
    def forward(ctx, input, geometry: ConvGeometry, divisor):
        padded = np.pad(input._data, ((0, 0), (0, 0)) + geometry.padding)
        windows = _windows.sliding_windows(padded, geometry.kernel_size, geometry.stride,
                                           geometry.dilation, geometry.output_hw)
        ctx.geometry, ctx.divisor = geometry, divisor
        # inf and -inf in one window: nan, as in PyTorch (without numpy's warning)
        total = quiet_numpy.run(_windows.sum_windows, windows)
        return (total / divisor).astype(input._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        return AvgPool2dBackward.apply(grad_output, ctx.geometry, ctx.divisor), None, None


class AvgPool2dBackward(Function):
    """x' = each g[n, c, p, q] / divisor[p, q] added to every element of window (p, q).

    It is linear in g, and its adjoint is average pooling itself: dL/dg = avg_pool2d(H).
    """

    @staticmethod
    def forward(ctx, grad_output, geometry: ConvGeometry, divisor):
        g = grad_output._data
        N, C = g.shape[:2]
        share = (g / divisor).astype(g.dtype, copy=False)[:, :, None, None]     # (N, C, 1, 1, H_out, W_out)
        windows = np.broadcast_to(share, (N, C) + geometry.kernel_size + g.shape[2:])
        # inf + -inf = nan where windows overlap, as in PyTorch: numpy's warnings off
        padded = quiet_numpy.run(_windows.add_windows, windows, (N, C) + geometry.padded_shape[2:],
                                 geometry.stride, geometry.dilation)
        (top, bottom), (left, right) = geometry.padding
        ctx.geometry, ctx.divisor = geometry, divisor
        return np.ascontiguousarray(padded[:, :, top:padded.shape[2] - bottom, left:padded.shape[3] - right])

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2d.apply(grad, ctx.geometry, ctx.divisor), None, None


def avg_pool2d(input: Tensor, kernel_size: int | tuple, stride: int | tuple | None = None,
               padding: int | tuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling: the mean of each (kH x kW) window, per channel.

    Args:
        input: (N, C, H, W), or (C, H, W) unbatched.
        kernel_size: int or (kH, kW).
        stride: int or (sH, sW); default: kernel_size.
        padding: int or (pH, pW): zeros added on both sides; at most half the kernel.
        ceil_mode: round the output size up instead of down.
        count_include_pad: divide by the full window size, padding included (default), or by
            the number of real input elements in the window.
        divisor_override: divide every window's sum by this number instead.

    Shape:
        output: (N, C, H_out, W_out), H_out = floor((H + 2p - k) / s) + 1.

    Raises:
        IndexError: for a 1-D or 2-D input (as PyTorch).
        RuntimeError: for a 5-D or larger input, a kernel larger than the padded input, zero stride or divisor,
            padding above half the kernel.
    """
    batched, added = _batched("avg_pool2d", input, IndexError)
    geometry = _pool_geometry("avg_pool2d", batched, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = np.asarray(divisor_override)
    else:
        divisor = _avg_divisor(geometry, _ntuple(padding, 2, "padding", "pool", "avg_pool2d"), count_include_pad)
    if not (input.is_floating_point() or input.dtype is _dtype.int64):
        raise NotImplementedError(f"\"avg_pool2d\" not implemented for '{_dtype.scalar_name(input.dtype)}' "
                                  "(convert the input with .float())")
    out = AvgPool2d.apply(batched, geometry, divisor)
    return out.squeeze(0) if added else out


# -- adaptive average pooling ------------------------------------------------------------
def _adaptive_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """(out, size) averaging matrix: row i averages input elements [start_i, end_i).

    PyTorch's windows: start_i = floor(i size / out), end_i = ceil((i + 1) size / out).
    """
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)                                   # ceil division
    position = np.arange(size)
    inside = (position >= start[:, None]) & (position < end[:, None])   # (out, size)
    return (inside / (end - start)[:, None]).astype(dtype)


def _window_means(x: np.ndarray, axis: int, out: int) -> np.ndarray:
    """Mean of each adaptive window along ``axis`` (-2 or -1): that axis becomes ``out`` long.

    The windows are gathered (padded to the longest, the padding masked out with ``where``,
    not multiplied by 0), so an inf or nan stays in its own windows, as in PyTorch.
    """
    if out == 0:  # no windows: the axis becomes empty, as in PyTorch
        return np.take(x, np.empty(0, dtype=np.intp), axis=axis)
    size = x.shape[axis]
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)                                   # ceil division
    idx = start[:, None] + np.arange(int((end - start).max()))          # (out, L)
    inside = idx < end[:, None]
    gathered = np.take(x, np.minimum(idx, size - 1), axis=axis)         # axis -> (out, L)
    if axis == -2:                                                      # (..., out, L, W)
        total = np.where(inside[:, :, None], gathered, 0).sum(axis=-2)
        return total / (end - start)[:, None].astype(x.dtype)
    total = np.where(inside, gathered, 0).sum(axis=-1)                  # (..., H, out)
    return total / (end - start).astype(x.dtype)


class AdaptiveAvgPool2d(Function):
    """y = A_H x A_W^T per (n, c): A_H (H_out, H) and A_W (W_out, W) average the windows.

    A window is a rectangle, so averaging over it is averaging its rows, then its columns.
    The forward averages gathered windows (``_window_means``: an inf input stays local); the
    backward is dL/dx = A_H^T g A_W (the averaging matrices, transposed).
    """

    @staticmethod
    def forward(ctx, input, output_size, unbatched: bool):
        x = input._data
        H, W = x.shape[2:]
        ctx.unbatched = unbatched  # (for the shape in backward's error message)
        ctx.a_h = _adaptive_matrix(H, output_size[0], x.dtype)          # (H_out, H)
        ctx.a_w = _adaptive_matrix(W, output_size[1], x.dtype)          # (W_out, W)
        rows = quiet_numpy.run(_window_means, x, -2, output_size[0])    # (N, C, H_out, W)
        return quiet_numpy.run(_window_means, rows, -1, output_size[1]).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        shape = list(grad_output.shape[1:] if ctx.unbatched else grad_output.shape)
        for dim in range(1, len(shape)):  # PyTorch's backward refuses an empty output
            if shape[dim] == 0:
                raise RuntimeError(
                    "adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for "
                    f"non-batch dimensions, but grad_output has sizes {shape} with dimension {dim} "
                    "being empty (an output_size of 0 has no gradient)")
        a_h, a_w = Tensor._make(ctx.a_h), Tensor._make(ctx.a_w)
        return a_h.T @ grad_output @ a_w, None, None                    # (N, C, H, W)


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple) -> Tensor:
    """Average pooling to a fixed output size, whatever the input size.

    Output (i, j) averages input rows [floor(i H / H_out), ceil((i + 1) H / H_out)) and the
    columns likewise; the windows may differ in size by one and overlap.

    Args:
        input: (N, C, H, W), or (C, H, W) unbatched.
        output_size: int or (H_out, W_out); None in a position keeps the input's size.

    Output size 1 x 1 is the mean over the last two dims, for an input of any rank (as in
    PyTorch, which takes that shortcut before checking the rank).

    Raises:
        RuntimeError: for a 2-D input (unless the output is 1 x 1), an output_size of the
            wrong length, or an empty spatial dimension.
        IndexError: for fewer than 2 dims and an output of 1 x 1.
        ValueError: for a sequence output_size and an input with fewer than
            ``len(output_size) + 1`` dimensions (PyTorch's check, made first).
    """
    if isinstance(output_size, (list, tuple)):
        if input.ndim < len(output_size) + 1:
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        if len(output_size) != 2:
            raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
        size = tuple(n if o is None else o for o, n in zip(output_size, input.shape[-2:]))
    else:
        size = (output_size, output_size)
    if size == (1, 1):
        # PyTorch's shortcut: pooling to 1 x 1 is the mean over the last two dims, for an
        # input of any rank (a 2-D one too; fewer dims raise IndexError, as for that mean)
        return input.mean((-1, -2), keepdim=True)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    for dim in range(1, input.ndim):
        if input.shape[dim] == 0 and dim >= input.ndim - 2:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} being empty"
            )
    size = tuple(int(n) for n in size)
    if min(size) < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{size[0]}, {size[1]}}}")
    _float_only("adaptive_avg_pool2d", input)
    batched = input if input.ndim == 4 else input.unsqueeze(0)           # (N, C, H, W)
    out = AdaptiveAvgPool2d.apply(batched, size, input.ndim == 3)
    return out if input.ndim == 4 else out.squeeze(0)


# -- 1-D pooling: the 2-D pooling of a height-1 image ----------------------------------------
def _check_1d(fn: str, input: Tensor, max_pool: bool = False) -> None:
    if input.ndim not in (2, 3):
        if max_pool:
            raise RuntimeError(f"{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                               f"for input, but got:{list(input.shape)}")
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {fn})")


def max_pool1d(input: Tensor, kernel_size: int | tuple, stride: int | tuple | None = None,
               padding: int | tuple = 0, dilation: int | tuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """1-D max pooling over the last axis: :func:`max_pool2d` of the (N, C, 1, L) view.

    Args: as :func:`max_pool2d`, each an int (or a 1-tuple).

    Shape:
        input: (N, C, L) or (C, L); output: (N, C, L_out), L_out = floor((L + 2p - d (k - 1) - 1) / s) + 1.
        The indices (``return_indices=True``) are positions along L.

    Raises:
        RuntimeError: for an input that is not 2-D or 3-D, and as :func:`max_pool2d`.
        NotImplementedError: for an integer or bool input (PyTorch's max_pool1d has no such
            kernel, though its max_pool2d has).
    """
    _check_1d("max_pool1d", input, max_pool=True)
    _float_only("max_pool1d_impl", input)
    k = _ntuple(kernel_size, 1, "kernel_size", "pool1d", "max_pool1d")[0]
    s = k if stride is None or stride == [] or stride == () else _ntuple(stride, 1, "stride", "pool1d", "max_pool1d")[0]
    p, d = _ntuple(padding, 1, "padding", "pool1d", "max_pool1d")[0], _ntuple(dilation, 1, "dilation", "pool1d", "max_pool1d")[0]
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: int | tuple, stride: int | tuple | None = None,
               padding: int | tuple = 0, ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over the last axis: :func:`avg_pool2d` of the (N, C, 1, L) view.

    Shape:
        input: (N, C, L) or (C, L); output: (N, C, L_out), L_out = floor((L + 2p - k) / s) + 1.

    Raises:
        RuntimeError: for an input that is not 2-D or 3-D, or a kernel_size/stride/padding
            that is not one int; and as :func:`avg_pool2d`.
    """
    _check_1d("avg_pool1d", input)
    k = _ntuple(kernel_size, 1, "kernel_size", "pool1d", "avg_pool1d")[0]
    s = k if stride is None or stride == [] or stride == () else _ntuple(stride, 1, "stride", "pool1d", "avg_pool1d")[0]
    p = _ntuple(padding, 1, "padding", "pool1d", "avg_pool1d")[0]
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple) -> Tensor:
    """Average pooling of the last axis to a fixed length (see :func:`adaptive_avg_pool2d`).

    Shape: input (N, C, L) or (C, L); output (N, C, output_size).

    Raises:
        RuntimeError: for an input that is not 2-D or 3-D.
    """
    _check_1d("adaptive_avg_pool1d", input)
    out = _ntuple(output_size, 1, "output_size", "pool1d", "adaptive_avg_pool1d")[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, out)).squeeze(-2)
