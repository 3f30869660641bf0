"""``unfold`` and ``fold``: the im2col matrix of chapter 4, and its adjoint, as public ops.

``unfold`` copies every sliding window of a (N, C, H, W) batch into a column: the result is
(N, C kH kW, L), L the number of windows, its rows ordered (channel, kernel row, kernel
column), its columns window by window, row-major. A convolution is then one matrix product
(``weight.view(O, -1) @ unfold(x, ...)``), which is how ``conv2d`` computes (``conv.py``).
``fold`` is the adjoint: it adds each column back to the window it came from, summing where
windows overlap. Each is the other's backward, to any order: dL/dx of ``unfold`` is
``fold(g)``, dL/dcolumns of ``fold`` is ``unfold(g)``.
"""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._functions.elementwise import _check_tensor
from ..._functions.indexing import wrap_dim
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy
from . import _windows


class Im2Col(Function):
    """columns = unfold(x): (N, C, H, W) -> (N, C kH kW, L);  dL/dx = fold(g) (``Col2Im``)."""

    @staticmethod
    def forward(ctx, input, kernel_size, dilation, padding, stride):
        x = input._data
        (pH, pW), (H, W) = padding, x.shape[2:]
        ctx.arguments, ctx.image_size = (kernel_size, dilation, padding, stride), (H, W)
        padded = np.pad(x, ((0, 0), (0, 0), (pH, pH), (pW, pW))) if pH or pW else x
        blocks = _blocks((H, W), kernel_size, dilation, padding, stride)
        windows = _windows.sliding_windows(padded, kernel_size, stride, dilation, blocks)  # (N, C, kH, kW, H_out, W_out)
        kH, kW = kernel_size
        return windows.reshape(x.shape[0], x.shape[1] * kH * kW, blocks[0] * blocks[1])  # a copy

    @staticmethod
    def backward(ctx, grad_output):
        return Col2Im.apply(grad_output, ctx.image_size, *ctx.arguments), None, None, None, None


class Col2Im(Function):
    """x = fold(columns): (N, C kH kW, L) -> (N, C, H, W), overlaps summed;  dL/dcolumns =
    unfold(g) (``Im2Col``)."""

    @staticmethod
    def forward(ctx, input, output_size, kernel_size, dilation, padding, stride):
        columns = input._data
        (kH, kW), (pH, pW), (H, W) = kernel_size, padding, output_size
        ctx.arguments = (kernel_size, dilation, padding, stride)
        blocks = _blocks(output_size, kernel_size, dilation, padding, stride)
        N, C = columns.shape[0], columns.shape[1] // (kH * kW)
        windows = columns.reshape((N, C, kH, kW) + blocks)
        # where windows overlap, inf + -inf = nan, as in PyTorch (numpy's warnings off)
        padded = quiet_numpy.run(_windows.add_windows, windows, (N, C, H + 2 * pH, W + 2 * pW), stride, dilation)
        return np.ascontiguousarray(padded[:, :, pH:pH + H, pW:pW + W])

    @staticmethod
    def backward(ctx, grad_output):
        return Im2Col.apply(grad_output, *ctx.arguments), None, None, None, None, None


def _blocks(size: tuple, kernel_size: tuple, dilation: tuple, padding: tuple, stride: tuple) -> tuple:
    """How many windows fit along H and along W (may be 0 or negative: the callers check)."""
    return tuple(_windows.output_size(n, k, s, 2 * p, d)
                 for n, k, s, p, d in zip(size, kernel_size, stride, padding, dilation))


def _pair(function: str, name: str, position: int, value) -> tuple:
    """An int or a sequence of ints, as a tuple (its length is checked by ``_check_pairs``).

    Raises:
        TypeError: for anything but ints (a float or a bool), with PyTorch's message.
    """
    items = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"{function}(): argument '{name}' (position {position}) must be tuple of ints, but "
                            f"found element of type {type(item).__name__} at pos {i}")
    return tuple(int(item) for item in items)


def _check_pairs(pairs: dict, order: tuple) -> None:
    """Each argument has two entries, and the kernel, dilation and stride are positive and
    the padding is not negative (checked in ``order``, PyTorch's for the op).

    Raises:
        RuntimeError: with PyTorch's message for the first argument that is wrong.
    """
    for name, pair in pairs.items():
        if len(pair) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(pair)}")
    for name in order:
        height, width = pairs[name]
        if name == "padding" and min(height, width) < 0:
            raise RuntimeError(f"padding should be non-negative, but got pad_height: {height} pad_width: {width}")
        if name != "padding" and min(height, width) < 1:
            what, label = ("kernel size", "kernel") if name == "kernel_size" else (name, name)
            raise RuntimeError(f"{what} should be greater than zero, but got {label}_height: {height} "
                               f"{label}_width: {width}")


def _check_dtype(kernel: str, input: Tensor) -> None:
    """PyTorch's kernels take floats and bools (not integers)."""
    if input.dtype.category == 1:  # (an integer dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.scalar_name(input.dtype)}' "
                                  "(convert the input with .float())")


def unfold(input: Tensor, kernel_size: int | tuple, dilation: int | tuple = 1, padding: int | tuple = 0,
           stride: int | tuple = 1) -> Tensor:
    """The sliding windows of a batch of images as columns ("im2col").

    Args:
        input: (N, C, H, W), or (C, H, W) for one image.
        kernel_size, dilation, padding, stride: an int, or a pair (along H, along W), as
            for ``conv2d`` (the padding is zeros, on both sides).

    Shape:
        output: (N, C kH kW, L) (or (C kH kW, L)), with L = H_out W_out windows; column
        ``p * W_out + q`` holds the window of output pixel (p, q).

    Raises:
        TypeError: for an input that is not a tensor, or arguments that are not ints.
        IndexError: for an input of fewer than 3 dims (PyTorch's, from reading its sizes).
        RuntimeError: for arguments that are not pairs, a kernel, stride or dilation below
            1, a negative padding, an input that is not 3-D or 4-D or has an empty
            channel or spatial dim, or no window that fits.
        NotImplementedError: for an integer input.
    """
    _check_tensor("im2col", input)
    pairs = {"kernel_size": _pair("im2col", "kernel_size", 2, kernel_size),
             "dilation": _pair("im2col", "dilation", 3, dilation),
             "padding": _pair("im2col", "padding", 4, padding),
             "stride": _pair("im2col", "stride", 5, stride)}
    _check_pairs(pairs, ("kernel_size", "dilation", "padding", "stride"))
    shape = list(input.shape)
    # PyTorch reads size(1), then size(2) if size(1) is not 0: its IndexError for a missing one
    wrap_dim(1, input.ndim)
    if shape[1]:
        wrap_dim(2, input.ndim)
    if not ((input.ndim == 3 and shape[0] and shape[1] and shape[2]) or
            (input.ndim == 4 and shape[1] and shape[2] and shape[3])):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {shape}")
    args = tuple(pairs.values())
    blocks = _blocks(tuple(shape[-2:]), *args)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(shape[-2:])}, kernel_size={args[0]}, "
                           f"dilation={args[1]}, padding={args[2]}, calculated shape of the array of sliding "
                           f"blocks as {blocks}, but its components must be at least one (use a smaller "
                           "kernel or dilation, or more padding)")
    _check_dtype("im2col_out_cpu", input)
    if input.ndim == 3:
        return Im2Col.apply(input.unsqueeze(0), *args).squeeze(0)
    return Im2Col.apply(input, *args)


def fold(input: Tensor, output_size: int | tuple, kernel_size: int | tuple, dilation: int | tuple = 1,
         padding: int | tuple = 0, stride: int | tuple = 1) -> Tensor:
    """Add columns of sliding windows back into images ("col2im"), summing where they overlap.

    ``fold(unfold(x))`` is x times the number of windows that cover each pixel; with
    windows that do not overlap (stride >= kernel_size) it is x itself.

    Args:
        input: (N, C kH kW, L), or (C kH kW, L), laid out as ``unfold`` lays it out.
        output_size: the images' (H, W) (an int for both).
        kernel_size, dilation, padding, stride: as for ``unfold``.

    Shape:
        output: (N, C, H, W) (or (C, H, W)).

    Raises:
        TypeError: for an input that is not a tensor, or arguments that are not ints.
        RuntimeError: for arguments that are not pairs, a kernel, stride or dilation below
            1, a negative padding, an input that is not 2-D or 3-D or has an empty dim
            (other than the batch), rows not a multiple of kH kW, or a number of columns
            other than the number of windows that fit ``output_size``.
        NotImplementedError: for an integer input.
    """
    _check_tensor("col2im", input)
    pairs = {"output_size": _pair("col2im", "output_size", 2, output_size),
             "kernel_size": _pair("col2im", "kernel_size", 3, kernel_size),
             "dilation": _pair("col2im", "dilation", 4, dilation),
             "padding": _pair("col2im", "padding", 5, padding),
             "stride": _pair("col2im", "stride", 6, stride)}
    _check_pairs(pairs, ("kernel_size", "stride", "dilation", "padding"))
    shape = list(input.shape)
    if not ((input.ndim == 2 and shape[0] and shape[1]) or (input.ndim == 3 and shape[1] and shape[2])):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {shape}")
    output_size, kernel_size, dilation, padding, stride = pairs.values()
    rows, length = shape[-2:]
    if rows % (kernel_size[0] * kernel_size[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={rows} and kernel_size={kernel_size}")
    blocks = _blocks(output_size, kernel_size, dilation, padding, stride)
    given = (f"Given output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
             f"padding={padding}, stride={stride}, ")
    if length != blocks[0] * blocks[1]:
        raise RuntimeError(f"{given}expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size(2)={length}.")
    if min(blocks) < 1:
        raise RuntimeError(f"{given}calculated shape of the array of sliding blocks as {blocks}, which is too "
                           "small (non-positive)")
    _check_dtype("col2im_out_cpu", input)
    if input.ndim == 2:
        return Col2Im.apply(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    return Col2Im.apply(input, output_size, kernel_size, dilation, padding, stride)
