"""Shape ops: they move or reinterpret elements without computing anything.

Their backward moves the gradient back: a view's backward is the inverse view, an
``expand``'s backward is a sum, a ``cat``'s backward is a split. Ops that return a view
(``view``, ``permute``, ``expand``) share memory with their input, as in PyTorch; they
build their output with ``_tensor.Tensor._make_view`` so tinynn knows it is a view.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function


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
