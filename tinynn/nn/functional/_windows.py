"""Sliding windows: the machinery that convolution and pooling share.

A convolution or a pooling layer looks at the input through a window of
``kernel_size`` that moves by ``stride``; with ``dilation`` d the window's taps are d
pixels apart. Along one axis of (padded) length ``L`` the window fits

    out = floor((L - d (k - 1) - 1) / s) + 1

times, and tap ``i`` of window ``o`` reads position ``o s + i d``.

* ``sliding_windows`` gives every window at once as a strided *view* of the input
  (no copy). For an image batch (N, C, H, W) it has shape (N, C, kH, kW, H_out, W_out),
  and element ``[n, c, i, j, y, x]`` is ``input[n, c, y sH + i dH, x sW + j dW]``.
  Reshaping it copies it into the "im2col" matrix.
* ``add_windows`` is its adjoint ("col2im"): it adds every window back to the
  position it was read from; where windows overlap, the contributions add up. It is the
  backward of reading windows: the convolution's input gradient and average pooling's
  backward use it (max pooling sends each gradient to a single input, by index).

The two spatial axes may sit anywhere (``axis`` says where H is; W follows it); tinynn
uses PyTorch's (N, C, H, W) layout, axis=2.
"""
from __future__ import annotations

import numpy as np


def output_size(size: int, kernel_size: int, stride: int, padding: int, dilation: int) -> int:
    """How many windows fit along one axis: floor((size + padding - d(k-1) - 1) / s) + 1.

    Args:
        size: the input's length along the axis.
        padding: the *total* padding added along the axis (both sides together).
    """
    return (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1


def sliding_windows(padded: np.ndarray, kernel_size: tuple, stride: tuple, dilation: tuple,
                    out_size: tuple, axis: int = 2) -> np.ndarray:
    """Every (dilated) window of an array, as a read-only strided view.

    Args:
        padded: the input, already padded; its axes ``axis`` and ``axis + 1`` are H and W,
            e.g. (N, C, H, W) with axis=2 or (C, H, W, N) with axis=1.
        kernel_size, stride, dilation: pairs (along H, along W).
        out_size: (H_out, W_out), see ``output_size``.

    Returns:
        a view in which H, W are replaced by (kH, kW, H_out, W_out): for axis=2,
        element [n, c, i, j, y, x] is ``padded[n, c, y * sH + i * dH, x * sW + j * dW]``.
    """
    (kH, kW), (sH, sW), (dH, dW) = kernel_size, stride, dilation
    h_stride, w_stride = padded.strides[axis:axis + 2]
    return np.lib.stride_tricks.as_strided(
        padded,
        shape=padded.shape[:axis] + (kH, kW) + tuple(out_size) + padded.shape[axis + 2:],
        strides=(padded.strides[:axis] + (dH * h_stride, dW * w_stride, sH * h_stride, sW * w_stride)
                 + padded.strides[axis + 2:]),
        writeable=False,
    )


def add_windows(windows: np.ndarray, padded_shape: tuple, stride: tuple, dilation: tuple,
                axis: int = 2) -> np.ndarray:
    """The adjoint of ``sliding_windows`` ("col2im"): add each window back where it came from.

    For axis=2: ``out[n, c, y sH + i dH, x sW + j dW] += windows[n, c, i, j, y, x]``.
    The loop runs over the kH * kW kernel offsets only; each step adds a whole strided
    slice (every image, channel and window position at once).

    Args:
        windows: shaped like the result of ``sliding_windows``.
        padded_shape: the shape of the padded input the windows were read from.

    Returns:
        a new array of shape ``padded_shape``.
    """
    lead = (slice(None),) * axis
    kH, kW, H_out, W_out = windows.shape[axis:axis + 4]
    (sH, sW), (dH, dW) = stride, dilation
    out = np.zeros(padded_shape, dtype=windows.dtype)
    for i in range(kH):
        for j in range(kW):
            rows = slice(i * dH, i * dH + sH * (H_out - 1) + 1, sH)
            cols = slice(j * dW, j * dW + sW * (W_out - 1) + 1, sW)
            out[lead + (rows, cols)] += windows[lead + (i, j)]
    return out


def sum_windows(windows: np.ndarray) -> np.ndarray:
    """The sum of each window: (N, C, kH, kW, H_out, W_out) -> (N, C, H_out, W_out).

    A loop over the kernel offsets, each step adding one strided slice of the input (the
    same order as ``add_windows``); faster than numpy's reduction over two strided axes.
    """
    kH, kW = windows.shape[2:4]
    total = windows[:, :, 0, 0].copy()
    for i in range(kH):
        for j in range(kW):
            if i or j:
                total += windows[:, :, i, j]
    return total
