"""Reductions (sum, mean, max, ...) and the softmax family.

A reduction over ``dim`` removes that axis; its backward must put it back: reshape the
gradient to the *keepdim* shape (a size-1 axis where ``dim`` was) and expand it over the
input. ``_keepdim_shape`` gives that shape.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function
from .elementwise import Where
from .indexing import ScatterAdd
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence; negatives allowed) as a sorted tuple of axes.

    Raises:
        IndexError: for a dim out of range, with PyTorch's message.
    """
    if dim is None:
        return tuple(range(ndim))
    dims = (int(dim),) if isinstance(dim, (int, np.integer)) else tuple(int(d) for d in dim)
    if len(dims) == 0:
        return tuple(range(ndim))
    rank = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1
    out = []
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {d})"
            )
        if ndim > 0 and d % rank in out:
            raise RuntimeError(f"dim {d % rank} appears multiple times in the list of dims (got {list(dims)})")
        out.append(d % rank if ndim > 0 else None)
    return tuple(sorted(d for d in out if d is not None))


def dim_alias(name: str, dim, keepdim: bool, axis, keepdims, no_dim=None) -> tuple:
    """``(dim, keepdim)``, also given by numpy's names ``axis`` and ``keepdims``.

    PyTorch accepts ``x.sum(axis=1, keepdims=True)`` wherever it takes ``dim`` and
    ``keepdim``; so does tinynn. ``no_dim`` is the default of ``dim`` (``()`` for ``amax``;
    ``required`` where ``dim`` must be given).

    Raises:
        TypeError: if an argument is given under both names, or a required ``dim`` under none.
    """
    if axis is not None:
        if dim is not None and (no_dim == "required" or dim != no_dim):
            raise TypeError(f"{name}() got both 'dim' and 'axis' (axis is numpy's name for dim: "
                            "give one of them)")
        dim = axis
    if dim is None and no_dim == "required":
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if keepdims is not None:
        if keepdim:
            raise TypeError(f"{name}() got both 'keepdim' and 'keepdims' (keepdims is numpy's name "
                            "for keepdim: give one of them)")
        keepdim = keepdims
    return dim, keepdim


def warn_if_no_degrees_of_freedom(name: str, numel: int, count: int, correction) -> None:
    """Warn, as PyTorch does, when N - correction <= 0: the variance is then inf or nan."""
    if numel == 0 or count - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            f"reduction factor (input numel divided by output numel). (Here N = {count}, "
            f"correction = {correction}.)",
            UserWarning,
            stacklevel=4,
        )


def _keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(grad_output, input_shape: tuple, dims: tuple):
    """Put reduced axes back as size 1, then broadcast to the input's shape."""
    if len(dims) == len(input_shape):  # reduced to a number: expand broadcasts it directly
        return grad_output.expand(input_shape)
    return grad_output.reshape(_keepdim_shape(input_shape, dims)).expand(input_shape)


class Sum(Function):
    """z = sum_i x_i over ``dims``;  dz/dx_i = 1, so the gradient is broadcast back."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        if dtype is None and x.dtype.category < 2:
            dtype = _dtype.int64  # PyTorch sums bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf = nan, as in PyTorch
            return np.add.reduce(x._data, axis=ctx.dims, keepdims=keepdim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return _expand_back(grad_output, ctx.shape, ctx.dims), None, None, None


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None,
        out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """The sum over ``dim`` (all elements by default); ``axis``/``keepdims`` are aliases.

    (This module's ``sum`` is this op: it shadows Python's built-in ``sum`` here.)

    Shape: ``input``'s without ``dim`` (kept as size 1 with ``keepdim``); 0-d when ``dim``
    is None. ``dtype`` casts first (integer and bool inputs sum to int64 by default).
    With ``out``, the result is written into it.

    Raises:
        IndexError: for a dim out of range.
        TypeError: for both ``dim`` and ``axis`` (or ``keepdim`` and ``keepdims``).
    """
    dim, keepdim = dim_alias("sum", dim, keepdim, axis, keepdims)
    result = Sum.apply(input, dim, keepdim, dtype)
    return result if out is None else write_out("sum", result, out)


class Mean(Function):
    """z = (1/N) sum_i x_i over ``dims``;  dz/dx_i = 1/N."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        if dtype is None and not x.dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {x.dtype}. Hint: call .float() first."
            )
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        ctx.count = math.prod(x._data.shape[d] for d in ctx.dims)
        data = x._data if dtype is None else x._data.astype(dtype.numpy_dtype)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # mean of nothing: 0/0 = nan
            return np.add.reduce(data, axis=ctx.dims, keepdims=keepdim) / data.dtype.type(ctx.count)

    @staticmethod
    def backward(ctx, grad_output):
        return _expand_back(grad_output, ctx.shape, ctx.dims) / ctx.count, None, None, None


class Prod(Function):
    """z = prod_i x_i;  dz/dx_i = prod_{j != i} x_j (= z / x_i when no x is zero)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.dims = normalize_dims(dim, x.ndim)
        ctx.keepdim, ctx.everything = keepdim, dim is None
        out_dtype = np.int64 if x.dtype.category < 2 else None
        with np.errstate(over="ignore", invalid="ignore"):  # 0 * inf = nan, as in PyTorch
            z = np.prod(x._data, axis=ctx.dims, keepdims=True, dtype=out_dtype)
        ctx.save_for_backward(x)
        ctx.out_keepdim = z
        return z if keepdim else np.squeeze(z, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        g = grad_output.reshape(ctx.out_keepdim.shape)
        if not np.any(x._data == 0):
            return g * x.prod(ctx.dims if len(ctx.dims) != 1 else ctx.dims[0], keepdim=True) / x, None, None
        if ctx.everything and np.count_nonzero(x._data == 0) > 1 and not grad_mode.is_grad_enabled():
            # PyTorch's shortcut for prod() of all elements with two or more zeros (outside
            # create_graph): each product of the others holds a zero, so the gradient is 0,
            # also where an inf or nan elsewhere would make the products below nan
            return _tensor.Tensor._make(np.zeros(x.shape, dtype=grad_output._data.dtype)), None, None
        # With zeros, z / x_i is 0/0: compute the product of the others directly
        # (exclusive cumulative products from the left and from the right).
        moved = np.moveaxis(x._data, ctx.dims, range(len(ctx.dims)))
        flat = moved.reshape((-1,) + moved.shape[len(ctx.dims):])
        with np.errstate(over="ignore", invalid="ignore"):  # IEEE results, as in PyTorch
            left = np.concatenate([np.ones_like(flat[:1]), np.cumprod(flat, axis=0)[:-1]])
            right = np.concatenate([np.cumprod(flat[::-1], axis=0)[:-1][::-1], np.ones_like(flat[:1])])
            others = np.moveaxis((left * right).reshape(moved.shape), range(len(ctx.dims)), ctx.dims)
        return g * _tensor.Tensor._make(others), None, None


class Amax(Function):
    """z = max_i x_i over ``dims``;  the gradient is shared evenly between tied maxima.

    Where z is nan (a nan propagates), PyTorch's ``max()`` gives the gradient to the nans
    (``nan_wins``), while its ``amax`` divides by zero tied maxima: nan everywhere. Both
    are kept.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest, nan_wins):
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        if x.numel() == 0:
            name = "amax" if largest else "amin"
            if dim is None or dim == ():
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            for d in ctx.dims:
                if x.shape[d] == 0:
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        reduce = np.max if largest else np.min
        z = reduce(x._data, axis=ctx.dims, keepdims=True)
        ctx.is_extreme = x._data == z
        if nan_wins:
            ctx.is_extreme |= np.isnan(x._data) & np.isnan(z)
        return z if keepdim else np.squeeze(z, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        with np.errstate(invalid="ignore"):  # no element equals a nan maximum: 0/0, as in PyTorch
            share = ctx.is_extreme / ctx.is_extreme.sum(axis=ctx.dims, keepdims=True)
        g = grad_output.reshape(_keepdim_shape(ctx.shape, ctx.dims))
        return g * _tensor.Tensor._make(share.astype(grad_output.dtype.numpy_dtype)), None, None, None, None


class MaxDim(Function):
    """(values, indices) = max over one ``dim``;  the gradient goes to the index that won."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        (axis,) = normalize_dims(dim, x.ndim) or (None,)
        if axis is None:  # 0-d input
            return x._data.copy(), np.zeros((), dtype=np.int64)
        if x.shape[axis] == 0:
            raise IndexError(
                f"{'max' if largest else 'min'}(): Expected reduction dim {dim} to have non-zero size."
            )
        arg = np.argmax if largest else np.argmin
        indices = np.expand_dims(arg(x._data, axis=axis), axis)
        values = np.take_along_axis(x._data, indices, axis=axis)
        ctx.axis, ctx.shape, ctx.keepdim = axis, x.shape, keepdim
        if not keepdim:
            values, indices = np.squeeze(values, axis), np.squeeze(indices, axis)
        indices = _tensor.Tensor._make(indices)
        ctx.indices = indices
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_output, grad_indices):
        if not hasattr(ctx, "axis"):
            return grad_output, None, None, None
        index, g = ctx.indices, grad_output
        if not ctx.keepdim:
            index, g = index.unsqueeze(ctx.axis), g.unsqueeze(ctx.axis)
        return ScatterAdd.apply(g, ctx.shape, ctx.axis, index), None, None, None


class Softmax(Function):
    """z_i = e^{x_i} / sum_j e^{x_j} along ``dim``;  dL/dx = z * (g - sum_j g_j z_j)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        with np.errstate(invalid="ignore"):  # a row of -inf (or with +inf) gives nan, as in PyTorch
            shifted = x._data - np.max(x._data, axis=dim, keepdims=True, initial=-np.inf)  # no overflow
            e = np.exp(shifted)
            z = _tensor.Tensor._make(e / np.sum(e, axis=dim, keepdims=True))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return z * (grad_output - (grad_output * z).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """z_i = x_i - log sum_j e^{x_j} along ``dim``;  dL/dx = g - softmax(x) * sum_j g_j."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        with np.errstate(invalid="ignore", divide="ignore"):  # a row of -inf gives nan, as in PyTorch
            shifted = x._data - np.max(x._data, axis=dim, keepdims=True, initial=-np.inf)
            z = _tensor.Tensor._make(shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True)))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return grad_output - z.exp() * grad_output.sum(ctx.dim, keepdim=True), None


class LogSumExp(Function):
    """z = log sum_i e^{x_i} over ``dims``;  dz/dx_i = e^{x_i - z} = softmax(x)_i."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        if x.numel():
            m = np.max(x._data, axis=ctx.dims, keepdims=True)
        else:
            m = np.zeros(_keepdim_shape(x.shape, ctx.dims), dtype=x._data.dtype)
        m = np.where(np.isfinite(m), m, 0)  # all -inf: keep log(0) = -inf, not nan
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # an inf input gives inf
            z = np.log(np.sum(np.exp(x._data - m), axis=ctx.dims, keepdims=True)) + m
        ctx.save_for_backward(x)
        return z if keepdim else np.squeeze(z, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        g = grad_output.reshape(_keepdim_shape(ctx.shape, ctx.dims))
        # recomputed with tensor ops (not kept from forward) so that it is differentiable
        return g * (x - x.logsumexp(ctx.dims, keepdim=True)).exp(), None, None


class Std(Function):
    """z = sqrt(v), v = sum_i (x_i - mean)^2 / (N - correction) over ``dims``;
    dz/dx_i = (x_i - mean) / ((N - correction) z), taken as 0 where z = 0.

    At z = 0 (all values equal) sqrt has an infinite slope and the chain rule would give
    0 * inf = nan; PyTorch defines the gradient there as 0, and so does tinynn.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, correction):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"std and var only support floating point and complex dtypes (got {x.dtype})")
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        count = math.prod(x._data.shape[d] for d in ctx.dims)
        warn_if_no_degrees_of_freedom("std", x.numel(), count, correction)
        ctx.divisor = max(count - correction, 0)
        # N - correction = 0 gives nan, and an inf input inf or nan, as in PyTorch
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            centered = x._data - np.sum(x._data, axis=ctx.dims, keepdims=True) / x._data.dtype.type(count)
            z = np.sqrt(np.sum(centered * centered, axis=ctx.dims, keepdims=True) / x._data.dtype.type(ctx.divisor))
        # the output itself is saved (not a copy of its values): in a double backward, z is
        # then a function of x, as it must be
        z = _tensor.Tensor._make(z if keepdim else np.squeeze(z, axis=ctx.dims))
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        keep = _keepdim_shape(ctx.shape, ctx.dims)  # reduced axes back as size 1
        z, g = z.reshape(keep), grad_output.reshape(keep)
        centered = x - x.mean(ctx.dims, keepdim=True)
        scale = (g / (z * ctx.divisor)).masked_fill(z == 0, 0.0)
        return centered * scale, None, None, None


def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None, axis=None, keepdims=None) -> Tensor:
    """Standard deviation: the square root of ``var`` (gradient 0 where it is 0, as in PyTorch).

    Shape: ``input``'s without ``dim`` (kept as size 1 with ``keepdim``); a 0-d result
    when ``dim`` is None. ``correction`` (default 1, or 0 with ``unbiased=False``) is
    subtracted from N; ``axis``/``keepdims`` are aliases.

    Raises:
        RuntimeError: for an integer input, or a dim out of range.
    """
    dim, keepdim = dim_alias("std", dim, keepdim, axis, keepdims)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return Std.apply(input, dim, keepdim, correction)


def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None, axis=None, keepdims=None) -> Tensor:
    """Variance: sum (x - mean)^2 / (N - correction), built from differentiable ops.

    Shape and arguments as :func:`std`; correction=1 (unbiased) by default.

    Raises:
        RuntimeError: for an integer input, or a dim out of range.
    """
    dim, keepdim = dim_alias("var", dim, keepdim, axis, keepdims)
    x = input
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {x.dtype})")
    dims = normalize_dims(dim, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims]))
    warn_if_no_degrees_of_freedom("var", x.numel(), n, correction)
    centered = x - x.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / max(n - correction, 0)


class Norm(Function):
    """z = sqrt(sum_i x_i^2) over ``dims`` (the 2-norm);  dz/dx_i = x_i / z, taken as 0 where z = 0.

    At z = 0 (a zero vector) the norm has no derivative; PyTorch uses the subgradient 0.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        with np.errstate(over="ignore", invalid="ignore"):  # IEEE results, as in PyTorch
            z = np.sqrt(np.sum(x._data * x._data, axis=ctx.dims, keepdims=keepdim))
        z = _tensor.Tensor._make(np.asarray(z))
        ctx.save_for_backward(x, z)  # the output itself: differentiable in a double backward
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        keep = _keepdim_shape(ctx.shape, ctx.dims)  # reduced axes back as size 1
        z, g = z.reshape(keep), grad_output.reshape(keep)
        return x * (g / z).masked_fill(z == 0, 0.0), None, None


class Cumsum(Function):
    """z_i = sum_{j <= i} x_j along ``dim``;  dL/dx_j = sum_{i >= j} g_i (a cumsum from the end)."""

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        if dtype is None and x.dtype.category < 2:
            dtype = _dtype.int64  # PyTorch accumulates bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        if x.ndim == 0:
            return x._data.astype(out_dtype or x._data.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf = nan, as in PyTorch
            return np.cumsum(x._data, axis=dim, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output.ndim == 0:
            return grad_output, None, None
        return grad_output.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None, None


class Cumprod(Function):
    """z_i = prod_{k <= i} x_k along ``dim``;  dL/dx_j = sum_{i >= j} g_i prod_{k <= i, k != j} x_k.

    Without zeros in x, prod_{k <= i, k != j} x_k = z_i / x_j, so dL/dx = (a cumsum from the
    end of g * z) / x: O(n). With a zero, z_i / x_j is 0/0; then the products that leave out
    x_j are formed directly, one row per j (x with x_j replaced by 1, cumulated): an
    (n, n) matrix per line along ``dim``, O(n^2), but exact, as PyTorch's gradient is.
    """

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        if dtype is None and x.dtype.category < 2:
            dtype = _dtype.int64  # PyTorch multiplies bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        if x.ndim == 0:
            z = x._data.astype(out_dtype or x._data.dtype)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                z = np.cumprod(x._data, axis=dim, dtype=out_dtype)
        z = _tensor.Tensor._make(z)
        ctx.save_for_backward(x, z)  # the output itself, so that double backward sees z(x)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        if x.ndim == 0:
            return grad_output, None, None
        d = ctx.dim
        if not np.any(x._data == 0):
            return (grad_output * z).flip(d).cumsum(d).flip(d) / x, None, None
        n = x.shape[d]
        xm, gm = x.movedim(d, -1), grad_output.movedim(d, -1)  # (..., n)
        eye = _tensor.Tensor._make(np.eye(n, dtype=bool))  # [j, i]: i == j
        # leave_out[..., j, i] = x_i, except x_j replaced by 1; cumulated along i
        leave_out = Where.apply(eye, xm.new_ones(()), xm.unsqueeze(-2).expand(xm.shape[:-1] + (n, n)))
        others = leave_out.cumprod(-1)  # [..., j, i] = prod_{k <= i, k != j} x_k
        later = _tensor.Tensor._make(np.triu(np.ones((n, n), dtype=bool)))  # i >= j
        terms = Where.apply(later, others * gm.unsqueeze(-2), xm.new_zeros(()))
        return terms.sum(-1).movedim(-1, d), None, None


class CumExtreme(Function):
    """(values, indices): the running max (``largest``) or min along ``dim``, and the index
    where each running value was reached (the last one on ties, as in PyTorch);
    dL/dx = g added into the positions ``indices`` point at."""

    @staticmethod
    def forward(ctx, x, dim, largest):
        ctx.dim, ctx.shape = dim, x.shape
        if x.ndim == 0:
            indices = _tensor.Tensor._make(np.zeros((), dtype=np.int64))
            ctx.indices = indices
            ctx.mark_non_differentiable(indices)
            return x._data.copy(), indices
        data = x._data
        values = (np.maximum if largest else np.minimum).accumulate(data, axis=dim)  # nan propagates
        positions = np.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - 1 - dim))
        # x_i equals the running value exactly where it is reached (anew or in a tie): the
        # last such position up to i is where the running value came from
        reached = (data == values) | np.isnan(data)
        indices = np.maximum.accumulate(np.where(reached, positions, 0), axis=dim).astype(np.int64)
        indices = _tensor.Tensor._make(indices)
        ctx.indices = indices
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_output, grad_indices):
        if len(ctx.shape) == 0:
            return grad_output, None, None
        return ScatterAdd.apply(grad_output, ctx.shape, ctx.dim, ctx.indices), None, None
