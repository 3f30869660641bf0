"""Ops that order values: ``argsort``, ``sort``, ``topk``, ``median``, ``unique``.

``argsort`` is the one sort (numpy's stable sort; a nan ranks as the largest value, as in
PyTorch). ``sort``, ``topk`` and ``median(dim)`` gather the values at its indices, so
their gradients come from ``Gather``'s backward (``topk`` along a long dim finds the same
indices with a partition, without sorting: ``_top_positions``). ``median()`` of all elements has its own
``Function`` (PyTorch shares its gradient evenly between the elements equal to it), and so
has ``unique`` (which, as in PyTorch, has no derivative).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype, return_types
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function
from .elementwise import _check_tensor
from .indexing import Gather
from .reduction import dim_alias, normalize_dims, single_dim, write_out_pair

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def _zero_index() -> Tensor:
    return _tensor.Tensor._make(np.zeros((), dtype=np.int64))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (same shape; no gradient).

    Ties keep their order (the sort is always stable); a nan ranks as the largest value
    (last ascending, first descending), as in PyTorch.

    Raises:
        IndexError: for a dim out of range (a 0-d tensor takes 0 and -1).
    """
    _check_tensor("argsort", input)
    single_dim("argsort", dim)
    (d,) = normalize_dims(dim, input.ndim) or (None,)
    if d is None:  # 0-d: the one element is in place
        return _zero_index()
    if not descending:
        return _tensor.Tensor._make(np.argsort(input._data, axis=d, kind="stable").astype(np.int64))
    # Descending, stable, nan first: sort the reversed data ascending (nan last, ties by
    # decreasing position), reverse that order and map the positions back.
    n = input.shape[d]
    reversed_order = np.argsort(np.flip(input._data, d), axis=d, kind="stable")
    return _tensor.Tensor._make((n - 1 - np.flip(reversed_order, d)).astype(np.int64))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *,
         out=None):
    """``(values, indices)`` sorted along ``dim`` (see :func:`argsort` for ties and nan).

    The values carry gradient (each one back to where it came from); the indices do not.

    Raises:
        IndexError: for a dim out of range.
    """
    _check_tensor("sort", input)
    single_dim("sort", dim)
    indices = argsort(input, dim, descending)
    if input.ndim == 0:
        return write_out_pair("sort", return_types.sort(input.clone(), indices), out)
    d = normalize_dims(dim, input.ndim)[0]
    return write_out_pair("sort", return_types.sort(Gather.apply(input, d, indices), indices), out)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``,
    in sorted order; ``dim`` shrinks to size ``k``. A nan counts as the largest value.

    Raises:
        RuntimeError: if ``k`` is negative or larger than the size of ``dim``, or for a bool
            input (as PyTorch: no such kernel).
        IndexError: for a dim out of range.
    """
    _check_tensor("topk", input)
    single_dim("topk", dim)
    if isinstance(k, bool) or not hasattr(k, "__index__"):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
    k = k.__index__()
    (d,) = normalize_dims(dim, input.ndim) or (None,)
    if input.dtype is _dtype.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU (convert first, e.g. x.long())")
    size = 1 if d is None else input.shape[d]
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range (k = {k}, and dim {dim} has size {size})")
    if d is None:
        result = return_types.topk(input.clone(), _zero_index())
        return write_out_pair("topk", result, out)
    if 1 <= k and 4 * k <= size and size >= PARTITION_FROM:
        indices = _tensor.Tensor._make(_top_positions(input._data, k, d, largest))
    else:
        indices = argsort(input, d, descending=largest).narrow(d, 0, k)
    return write_out_pair("topk", return_types.topk(Gather.apply(input, d, indices), indices), out)


#: From this length along ``dim`` on (and for k up to a quarter of it), ``topk`` selects with
#: a partition instead of sorting every row: (384, 256), k = 3 took 3.5 ms sorted and 0.66 ms
#: so; rows of 64 took 16 and 55 µs (the selection's fixed cost of a dozen numpy calls).
PARTITION_FROM = 256


def _top_positions(data: np.ndarray, k: int, axis: int, largest: bool) -> np.ndarray:
    """The positions along ``axis`` of the k largest (or smallest) values, in the order of
    ``argsort``'s stable sort (values sorted, ties by position, nan as the largest value),
    without sorting whole rows: the same result as ``argsort(...)[:k]``, in O(n) per row.

    1. The k-th value of each row, the threshold, by ``np.partition`` (which, like the sort,
       puts nan last). Every value beyond it is among the k.
    2. The values equal to it fill the places left, first positions first (a running count).
    3. Exactly k positions per row remain, in increasing order; a stable sort of their
       k values puts them in argsort's order.
    """
    n, data = data.shape[axis], np.moveaxis(data, axis, -1)
    kth = n - k if largest else k - 1
    threshold = np.partition(data, kth, axis=-1)[..., kth:kth + 1]     # (..., 1)
    beyond = data > threshold if largest else data < threshold
    equal = data == threshold
    if data.dtype.kind == "f":  # nan: larger than any number, equal to itself (as in the sort)
        nan, nan_threshold = np.isnan(data), np.isnan(threshold)
        if largest:
            beyond |= nan & ~nan_threshold
        equal |= nan & nan_threshold
    missing = k - np.count_nonzero(beyond, axis=-1, keepdims=True)
    keep = beyond | (equal & (np.cumsum(equal, axis=-1) <= missing))  # k per row
    positions = np.nonzero(keep)[-1].reshape(data.shape[:-1] + (k,))
    values = _tensor.Tensor._make(np.take_along_axis(data, positions, -1))
    order = argsort(values, -1, descending=largest)._data
    return np.moveaxis(np.take_along_axis(positions, order, -1), -1, axis).astype(np.int64, copy=False)


def _empty_median(dtype: _dtype.dtype) -> np.ndarray:
    """What PyTorch returns for the median of no elements: nan, converted to ``dtype``.

    For integers that conversion is C's: the smallest value for 32- and 64-bit types, 0
    for the narrower ones (converted through int32, then truncated), True for bool.
    """
    np_dtype = dtype.numpy_dtype
    if dtype.is_floating_point:
        return np.asarray(np.nan, dtype=np_dtype)
    if dtype is _dtype.bool:
        return np.asarray(True)
    if np_dtype.itemsize >= 4:
        return np.asarray(np.iinfo(np_dtype).min, dtype=np_dtype)
    return np.zeros((), dtype=np_dtype)


class Median(Function):
    """z = the lower median of all elements (the ``(n - 1) // 2``-th smallest), or nan if
    there is one;  dz/dx_i = 1/k for each of the k elements equal to z (the nans, when z is
    nan), 0 elsewhere: tied elements share the gradient evenly, as in PyTorch."""

    @staticmethod
    def forward(ctx, x):
        flat = x._data.reshape(-1)
        isnan = np.isnan(flat) if x.dtype.is_floating_point else None
        if flat.size == 0:
            z = _empty_median(x.dtype)
            ctx.hit = np.zeros(x.shape, dtype=bool)
        elif isnan is not None and isnan.any():
            z = np.asarray(np.nan, dtype=flat.dtype)
            ctx.hit = np.isnan(x._data)
        else:
            z = np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
            ctx.hit = x._data == z
        return z

    @staticmethod
    def backward(ctx, grad_output):
        share = ctx.hit / max(np.count_nonzero(ctx.hit), 1)  # (no element: no share)
        return grad_output * _tensor.Tensor._make(share.astype(grad_output._data.dtype))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False, *, out=None,
           axis=None, keepdims=None):
    """The lower median (the ``(n - 1) // 2``-th smallest value): of all elements (0-d) when
    ``dim`` is None, else ``(values, indices)`` along ``dim``. A nan makes the median nan
    (its index that of the first nan).

    Gradient: with ``dim``, to the index returned; without, shared evenly between the
    elements equal to the median.

    Raises:
        IndexError: for an empty tensor along the reduced dim, or a dim out of range.
        NotImplementedError: for a bool input (as PyTorch: no such kernel).
    """
    _check_tensor("median", input)
    dim, keepdim = dim_alias("median", dim, keepdim, axis, keepdims)
    if dim is None:
        if out is not None:
            raise TypeError('median() missing 1 required positional arguments: "dim" (its out= '
                            "form is median(input, dim, keepdim=False, *, out=(values, indices)))")
        if input.dtype is _dtype.bool and input.numel() > 0:
            raise NotImplementedError("\"median_cpu\" not implemented for 'Bool' (convert first, e.g. x.long())")
        return Median.apply(input)
    single_dim("median", dim)
    (d,) = normalize_dims(dim, input.ndim) or (None,)
    if d is not None and input.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"median_out\" not implemented for 'Bool' (convert first, e.g. x.long())")
    if d is None:
        return write_out_pair("median", return_types.median(input.clone(), _zero_index()), out)
    n = input.shape[d]
    index = argsort(input, d).narrow(d, (n - 1) // 2, 1)
    if input.dtype.is_floating_point:  # a line with a nan: the median is nan, at its first nan
        isnan = np.isnan(input._data)
        first_nan = np.argmax(isnan, axis=d).reshape(index.shape)
        index = _tensor.Tensor._make(np.where(isnan.any(axis=d, keepdims=True), first_nan, index._data))
    values = Gather.apply(input, d, index)
    if not keepdim:
        values, index = values.squeeze(d), index.squeeze(d)
    return write_out_pair("median", return_types.median(values, index), out)


class Unique(Function):
    """The distinct values along ``axis`` (all elements when None), with each element's index
    in them and their counts. No derivative: PyTorch defines none (its backward raises), and
    neither does tinynn; the values still require grad when the input does, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, axis):
        values, inverse, counts = np.unique(x._data, return_inverse=True, return_counts=True,
                                            axis=axis, equal_nan=False)
        shape = x.shape if axis is None else (x.shape[axis],)
        inverse = _tensor.Tensor._make(inverse.reshape(shape).astype(np.int64))
        counts = _tensor.Tensor._make(counts.astype(np.int64))
        ctx.mark_non_differentiable(inverse, counts)
        return values, inverse, counts

    @staticmethod
    def backward(ctx, grad_values, grad_inverse, grad_counts):
        raise NotImplementedError("the derivative for 'unique' is not implemented (in PyTorch "
                                  "either): detach() the input first")


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct values (of the flattened tensor, or the distinct slices along ``dim``) in
    ascending order, 1-D; no gradient. Optionally also, per element (or slice), the index of
    its value in them (``return_inverse``, ``input``'s shape) and how often each occurs
    (``return_counts``). Each nan is distinct, as in PyTorch.

    Raises:
        IndexError: for a dim out of range, or any dim of a 0-d tensor.
        NotImplementedError: in backward, through the values (PyTorch has no derivative).
    """
    _check_tensor("unique", input)
    if dim is not None:
        single_dim("unique", dim)
    if dim is not None and input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    axis = None if dim is None else normalize_dims(dim, input.ndim)[0]
    values, inverse, counts = Unique.apply(input, axis)
    out = (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out[0] if len(out) == 1 else out
