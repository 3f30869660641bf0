"""Shape ops: they move or reinterpret elements without computing anything.

Their backward moves the gradient back: a view's backward is the inverse view, an
``expand``'s backward is a sum, a ``cat``'s backward is a split. Ops that return a view
(``view``, ``permute``, ``expand``) share memory with their input, as in PyTorch; they
build their output with ``_tensor.Tensor._make_view`` so tinynn knows it is a view.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function
from .out import write_out
from .reduction import normalize_dims

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def infer_size(shape: tuple, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` so the shape holds ``numel`` elements.

    Raises:
        RuntimeError: if the shape cannot hold exactly ``numel`` elements.
    """
    shape = tuple(int(s) for s in shape)
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known != 0:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class View(Function):
    """z = x seen with another shape, sharing memory;  dL/dx = g viewed with x's shape.

    Only possible when the new shape can be expressed with strides over x's memory; a
    transposed tensor usually cannot be flattened without a copy.
    """

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        shape = infer_size(shape, x.numel())
        try:
            out = np.reshape(x._data, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
                f"(input shape {list(x.shape)}, stride {list(x.stride())}, requested shape "
                f"{list(shape)}; call .contiguous() first to make a copy with standard strides)"
            ) from None
        return _tensor.Tensor._make_view(x, out)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


class Reshape(Function):
    """z = x with another shape: a view when possible, else a copy;  dL/dx = g reshaped."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = x._data.reshape(infer_size(shape, x._data.size))
        # numpy returns a view when the strides allow it, else a fresh copy (which cannot
        # overlap x, so the cheap bounds check is exact here)
        return _tensor.Tensor._make_view(x, out) if np.may_share_memory(out, x._data) else out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


class Permute(Function):
    """z = x with its axes reordered (a view);  dL/dx = g with the inverse order."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _tensor.Tensor._make_view(x, np.transpose(x._data, dims))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.permute(tuple(np.argsort(ctx.dims).tolist())), None


class Expand(Function):
    """z = x broadcast to ``shape`` (a view with stride 0);  dL/dx = g summed over the copies."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        lead = len(shape) - x.ndim
        # stride 0 along the new leading dims and the size-1 dims that are broadcast
        strides = [0] * lead
        for dim, (size, stride) in enumerate(zip(x._data.shape, x._data.strides)):
            if size == shape[lead + dim]:
                strides.append(stride)
            elif size == 1:
                strides.append(0)
            else:
                raise RuntimeError(
                    f"The expanded size of the tensor ({shape[lead + dim]}) must match the existing size "
                    f"({size}) at non-singleton dimension {lead + dim}.  Target sizes: "
                    f"{list(shape)}.  Tensor sizes: {list(x.shape)}"
                )
        # A writable view (unlike np.broadcast_to's): fill_ on it writes x, as in PyTorch.
        # np.ndarray over x's buffer is the fast way; it needs x contiguous, else as_strided.
        if x._data.flags.c_contiguous and x._data.size:
            out = np.ndarray(shape, x._data.dtype, buffer=x._data, strides=strides)
        else:
            out = np.lib.stride_tricks.as_strided(x._data, shape, strides)
        return _tensor.Tensor._make_view(x, out)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.sum_to_size(ctx.shape), None


class SumToSize(Function):
    """z = x summed down to ``shape`` (undoes broadcasting);  dL/dx = g expanded back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        shape = tuple(shape)
        lead = x.ndim - len(shape)
        if lead < 0 or any(s != 1 and s != xs for s, xs in zip(shape, x.shape[lead:])):
            raise RuntimeError(f"size {list(shape)} is not expandable to size {list(x.shape)}")
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1
        )
        with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf = nan, as in PyTorch
            out = np.add.reduce(x._data, axis=axes, keepdims=True) if axes else x._data
        return np.reshape(out, shape) if lead else out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.expand(ctx.shape), None


class Cat(Function):
    """z = the inputs joined along ``dim``;  dL/dx_k = the k-th slice of g."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim, ctx.sizes = dim, [t.shape[dim] for t in tensors]
        return np.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        return (None,) + tuple(grad_output.split(ctx.sizes, ctx.dim))


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join tensors along an existing dimension ``dim``.

    Shape: all inputs have the same shape except along ``dim``. With ``out``, the result
    is written into it (see ``write_out``).

    Raises:
        RuntimeError: if the list is empty or the other dimensions differ.
    """
    if out is not None:
        return write_out("cat", cat(tensors, dim), out)
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    if any(t.ndim == 0 for t in tensors):
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = normalize_dims(dim, tensors[0].ndim)[0]
    dtype = _dtype.result_type(*tensors)
    for i, t in enumerate(tensors):
        if t.ndim != tensors[0].ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {tensors[0].ndim} and {t.ndim} "
                f"(shapes: {[list(x.shape) for x in tensors]})"
            )
        if any(
            a != b for j, (a, b) in enumerate(zip(t.shape, tensors[0].shape)) if j != d
        ):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}. Expected size "
                f"{tensors[0].shape[1 - d if tensors[0].ndim > 1 else 0]} but got size "
                f"{t.shape[1 - d if t.ndim > 1 else 0]} for tensor number {i} in the list "
                f"(shapes: {[list(x.shape) for x in tensors]})"
            )
    return Cat.apply(d, *(t.to(dtype) for t in tensors))


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join same-shaped tensors along a *new* dimension ``dim``: n tensors of shape
    ``s`` give one with ``n`` inserted into ``s`` at ``dim``. With ``out``, the result is
    written into it (see ``write_out``).

    Raises:
        RuntimeError: if the shapes differ.
    """
    if out is not None:
        return write_out("stack", stack(tensors, dim), out)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}"
            )
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    d = normalize_dims(dim, tensor.ndim)[0]
    length = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and length > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}")
        sizes = [min(step, length - start) for start in range(0, length, step)] if length else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(tensor[(slice(None),) * d + (slice(int(s), int(s) + n),)] for s, n in zip(starts, sizes))


def chunk(tensor: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of equal size (the last may be smaller), as PyTorch does."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = normalize_dims(dim, tensor.ndim)[0]
    size = -(-tensor.shape[d] // chunks)  # ceil division
    if tensor.shape[d] == 0:  # PyTorch: `chunks` empty pieces
        return split(tensor, [0] * chunks, d)
    return split(tensor, size, d)


class Clone(Function):
    """z = a copy of x, in a fresh contiguous buffer;  dL/dx = g."""

    @staticmethod
    def forward(ctx, x):
        return np.array(x._data, order="C", copy=True)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class ToDtype(Function):
    """z = x converted to ``dtype``;  dL/dx = g converted back to x's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        # out-of-range values become inf (floats) or unspecified (ints), silently, as in PyTorch
        with np.errstate(over="ignore", invalid="ignore"):
            return x._data.astype(dtype.numpy_dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.to(ctx.dtype), None


class Repeat(Function):
    """z = x tiled ``repeats`` times along each dim;  dL/dx = g summed over the tiles."""

    @staticmethod
    def forward(ctx, x, repeats):
        if len(repeats) < x.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of "
                f"dimensions of tensor (got {len(repeats)} repeat dims for a {x.ndim}-d tensor)"
            )
        ctx.shape = (1,) * (len(repeats) - x.ndim) + x.shape
        ctx.input_shape, ctx.repeats = x.shape, repeats
        if any(r < 0 for r in repeats):
            sizes = [r * s for r, s in zip(repeats, ctx.shape)]
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {sizes} "
                               f"(repeats {list(repeats)} of a tensor of shape {list(x.shape)})")
        return np.tile(x._data, repeats)

    @staticmethod
    def backward(ctx, grad_output):
        # (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...), then sum over the r axes
        split = [n for pair in zip(ctx.repeats, ctx.shape) for n in pair]
        summed = grad_output.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.input_shape), None


def _diagonal_view(data: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The numpy view of ``data``'s ``offset``-th diagonal in the (dim1, dim2) planes, as the
    last axis: one step along it moves one row and one column (stride s1 + s2)."""
    n1, n2 = data.shape[dim1], data.shape[dim2]
    length = max(min(n1 + min(offset, 0), n2 - max(offset, 0)), 0)
    start = [slice(None)] * data.ndim  # the view starts at element [.., max(-k, 0), .., max(k, 0), ..]
    if length:
        start[dim1], start[dim2] = slice(max(-offset, 0), None), slice(max(offset, 0), None)
    first = data[tuple(start)]
    kept = [d for d in range(data.ndim) if d not in (dim1, dim2)]
    shape = tuple(data.shape[d] for d in kept) + (length,)
    strides = tuple(data.strides[d] for d in kept) + (data.strides[dim1] + data.strides[dim2],)
    return np.lib.stride_tricks.as_strided(first, shape, strides)


class Diagonal(Function):
    """z = the ``offset``-th diagonal of the planes (dim1, dim2), as a last axis (a view):
    z[..., i] = x[..., i + max(-offset, 0), ..., i + max(offset, 0), ...];
    dL/dx = zeros like x with g written on that diagonal."""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        return _tensor.Tensor._make_view(x, _diagonal_view(x._data, offset, dim1, dim2))

    @staticmethod
    def backward(ctx, grad_output):
        return DiagonalScatter.apply(grad_output, ctx.shape, *ctx.args), None, None, None


class DiagonalScatter(Function):
    """z = zeros(shape) with x written on the ``offset``-th diagonal of (dim1, dim2);
    dL/dx = g's diagonal (so each of the pair is the other's backward)."""

    @staticmethod
    def forward(ctx, x, shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        out = np.zeros(shape, dtype=x._data.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = x._data
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return Diagonal.apply(grad_output, *ctx.args), None, None, None, None


def _unfold_view(data: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """The numpy view of every window of ``size`` along ``dim``, ``step`` apart: ``dim``
    counts the windows (stride step * s), a new last axis runs within one (stride s)."""
    count = (data.shape[dim] - size) // step + 1
    shape = data.shape[:dim] + (count,) + data.shape[dim + 1:] + (size,)
    strides = data.strides[:dim] + (data.strides[dim] * step,) + data.strides[dim + 1:] + (data.strides[dim],)
    return np.lib.stride_tricks.as_strided(data, shape, strides)


class Unfold(Function):
    """z[..., j, ..., i] = x[..., j * step + i, ...] along ``dim`` (every window of ``size``,
    ``step`` apart; a view, in which windows overlap when step < size);
    dL/dx = g added back into each window's elements (summed where windows overlap)."""

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x.shape, (dim, size, step)
        return _tensor.Tensor._make_view(x, _unfold_view(x._data, dim, size, step))

    @staticmethod
    def backward(ctx, grad_output):
        return UnfoldBackward.apply(grad_output, ctx.shape, *ctx.args), None, None, None


class UnfoldBackward(Function):
    """z = zeros(shape), then each window j of x added in at positions j * step + i along
    ``dim``;  dL/dx = g unfolded the same way."""

    @staticmethod
    def forward(ctx, x, shape, dim, size, step):
        ctx.args = (dim, size, step)
        out = np.zeros(shape, dtype=x._data.dtype)
        count = x.shape[dim]
        positions = np.arange(count)[:, None] * step + np.arange(size)[None, :]   # (count, size)
        windows = np.moveaxis(x._data, (dim, x.ndim - 1), (0, 1))               # (count, size, ...)
        np.add.at(np.moveaxis(out, dim, 0), positions, windows)  # overlapping windows add up
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return Unfold.apply(grad_output, *ctx.args), None, None, None, None


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times, next to itself: ``[a, b]`` with 2 gives
    ``[a, a, b, b]`` (``repeat`` instead tiles the whole tensor: ``[a, b, a, b]``).

    ``repeats`` is an int or a tensor with one count per entry along ``dim`` (or one count
    for all). Without ``dim`` the input is flattened first. The gradient of an entry is
    the sum of the gradients of its copies. With only a 1-D int tensor,
    ``repeat_interleave(counts)`` repeats ``arange(len(counts))``: ``[1, 2] -> [0, 1, 1]``.

    Shape: ``input``'s, with ``dim`` of size ``repeats.sum()`` (flattened if ``dim`` is None).

    Raises:
        RuntimeError: for negative repeats, a repeats tensor of the wrong length or more
            than 1-D, or an ``output_size`` that is not the result's size.
        NotImplementedError: for a floating point repeats tensor (as in PyTorch).
    """
    if repeats is None:  # repeat_interleave(counts)
        counts = input
        if counts.dtype.is_floating_point:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{counts.dtype}'")
        if counts.ndim != 1:
            raise RuntimeError(f"repeats must be 0-dim or 1-dim tensor (got shape {list(counts.shape)})")
        if np.any(counts._data < 0):
            raise RuntimeError("repeats can not be negative")
        return _tensor.Tensor._make(np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts._data))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = normalize_dims(dim, input.ndim)[0] if input.ndim else 0
        if input.ndim == 0:
            input = input.reshape(1)
    length = input.shape[d]
    if isinstance(repeats, _tensor.Tensor):
        if repeats.dtype.is_floating_point:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype}'")
        if repeats.ndim > 1:
            raise RuntimeError(f"repeats must be 0-dim or 1-dim tensor (got shape {list(repeats.shape)})")
        counts = repeats._data.reshape(-1)
        if counts.size == 1:
            counts = np.full(length, counts[0])
        elif counts.size != length:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {counts.size} and input.size({d}) = {length}"
            )
        if np.any(counts < 0):
            raise RuntimeError("repeats can not be negative")
    else:
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        counts = np.full(length, int(repeats))
    index = np.repeat(np.arange(length, dtype=np.int64), counts)
    if output_size is not None and output_size != index.size:
        raise RuntimeError(f"allocated size does not match required size (output_size={output_size}, "
                           f"but the repeats add up to {index.size})")
    return input[(slice(None),) * d + (index,)]
