"""Indexing: ``x[key]``, ``gather``, and the scatter-adds that are their backward.

The gradient of reading ``x[key]`` is *writing* the incoming gradient into a zero tensor
shaped like ``x`` at ``key``, *adding* where the same element was read twice
(``x[[0, 0]]``): ``np.add.at`` does exactly that. And the gradient of that write is
reading again, so each pair of ops is the other's backward, to any order.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function


def _is_basic(key: tuple) -> bool:
    """Basic indexing (ints, slices, None, Ellipsis) returns a view and never repeats an element."""
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


def _byte_mask(mask: np.ndarray) -> np.ndarray:
    """A uint8 index is a boolean mask (nonzero = True), deprecated, as in PyTorch."""
    warnings.warn("indexing with dtype tinynn.uint8 is now deprecated, please use a dtype "
                  "tinynn.bool instead.", UserWarning, stacklevel=4)
    return mask.astype(bool)


def normalize_key(key, shape: tuple) -> tuple:
    """Turn an index (Tensors, lists, ints, slices...) into a tuple numpy understands.

    Index tensors follow PyTorch's rules: int64 and int32 tensors hold positions; bool
    tensors are masks; uint8 tensors are masks too (deprecated: a UserWarning says so);
    a 0-d integer tensor of any other integer dtype is a plain int.

    Raises:
        IndexError: for a float, int8 or int16 index tensor (PyTorch's "tensors used as
            indices must be long, int, byte or bool tensors"), an integer or integer tensor
            out of range, or a boolean mask of the wrong shape (numpy's checks, re-raised
            with PyTorch's exception type).
    """
    Tensor = _tensor.Tensor

    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            if k.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if k.dtype in (_dtype.int8, _dtype.int16) and k.ndim > 0:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors (got an "
                    f"index tensor of dtype {k.dtype} and shape {list(k.shape)}; convert it "
                    "with .long())")
            if k.dtype is _dtype.uint8:
                k = _byte_mask(k._data) if k.ndim > 0 else k._data.astype(bool)
            else:
                k = k._data if k.ndim > 0 or k.dtype is _dtype.bool else int(k._data)
        elif isinstance(k, (list, np.ndarray)):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if k.dtype == np.uint8 and k.ndim > 0:
                k = _byte_mask(k)
        elif isinstance(k, np.integer):
            k = int(k)
        elif isinstance(k, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(k).__name__}' (a tensor is indexed by "
                            "ints, slices, None, ..., or integer or bool tensors)")
        elif isinstance(k, slice) and k.step is not None and k.step < 0:
            raise ValueError(
                "step must be greater than zero (tensors cannot be indexed backwards; use "
                "x.flip(dim) or an index tensor such as x[tinynn.arange(n - 1, -1, -1)])"
            )
        out.append(k)
    return tuple(out)


def check_value(value, dtype) -> None:
    """``x[key] = value`` takes a tensor or a number, as in PyTorch (not a list or array).

    Raises:
        TypeError: for any other value, with the fix (wrap it in ``tinynn.tensor``).
    """
    Tensor = _tensor.Tensor

    if not isinstance(value, (Tensor, bool, int, float, np.generic)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"can't assign a {name} to a tensor of dtype {dtype} (assign a number or a "
                        "tensor: x[i] = tinynn.tensor(values))")


def check_along_dim(name: str, x, dim: int, index, src=None) -> None:
    """PyTorch's checks on the ``index`` of gather / scatter / scatter_add along ``dim``:
    no larger than ``x`` (except along ``dim``) nor than ``src``, each entry in [0, n).

    Raises:
        RuntimeError: naming the shapes, or the index and the size of ``dim``.
    """
    if index.ndim != x.ndim or index.numel() == 0:
        return  # the rank is checked by each op (an empty index is always fine)
    if any(i > s for d, (i, s) in enumerate(zip(index.shape, x.shape)) if d != dim) or (
            src is not None and any(i > s for i, s in zip(index.shape, src.shape))):
        limit = "" if src is None else f" and to be no larger size than src {list(src.shape)}"
        raise RuntimeError(f"{name}(): Expected index {list(index.shape)} to be no larger than self "
                           f"{list(x.shape)} apart from dimension {dim}{limit}")
    size = x.shape[dim] if x.ndim else 1
    positions = index._data
    bad = positions[(positions < 0) | (positions >= size)]
    if bad.size:
        raise RuntimeError(f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size {size}")


def check_byte_mask_fill(key, value) -> None:
    """``x[uint8 mask] = number`` is a masked fill, which PyTorch allows for bool masks only.

    Raises:
        RuntimeError: if ``key`` holds a uint8 tensor and ``value`` is a number or a 0-d tensor.
    """
    Tensor = _tensor.Tensor

    keys = key if isinstance(key, tuple) else (key,)
    if isinstance(value, Tensor) and value.ndim > 0:
        return
    for k in keys:
        if isinstance(k, Tensor) and k.dtype is _dtype.uint8 and k.ndim > 0:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               "unsigned char (index with mask.bool() instead)")


class Index(Function):
    """z = x[key];  dL/dx = zeros like x, with g added in at ``key``."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        basic = _is_basic(key)
        # With a trailing Ellipsis numpy returns a 0-d *view* for x[i], not a scalar copy,
        # so that x[i].fill_(0) writes into x, as in PyTorch.
        numpy_key = key + (Ellipsis,) if basic and Ellipsis not in key else key
        try:
            out = x._data[numpy_key]
        except IndexError as error:
            raise IndexError(f"{error} (indexing a tensor of shape {list(x.shape)})") from None
        if basic:
            return _tensor.Tensor._make_view(x, out)
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad_output):
        return IndexAddInto.apply(grad_output, ctx.shape, ctx.key), None


class IndexAddInto(Function):
    """z = zeros(shape) with x added in at ``key``;  dL/dx = g[key]."""

    @staticmethod
    def forward(ctx, x, shape, key):
        ctx.key = key
        out = np.zeros(shape, dtype=x._data.dtype)
        if _is_basic(key):
            out[key] = x._data
        else:
            np.add.at(out, key, x._data)  # a repeated index gets the sum of its gradients
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output[ctx.key], None, None


class IndexPut(Function):
    """z = x with ``z[key] = value``;  dL/dx = g with zeros at ``key``, dL/dvalue = g[key]."""

    @staticmethod
    def forward(ctx, x, key, value):
        ctx.key = key
        out = x._data.copy()
        try:
            out[key] = getattr(value, "_data", value)
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(np.shape(getattr(value, '_data', value)))} "
                f"cannot be broadcast to indexing result of shape {list(out[key].shape)}"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad_output):
        grad_x = grad_value = None
        if ctx.needs_input_grad[0]:
            kept = np.ones(grad_output.shape, dtype=grad_output._data.dtype)
            kept[ctx.key] = 0
            grad_x = grad_output * _tensor.Tensor._make(kept)
        if ctx.needs_input_grad[2]:
            grad_value = grad_output[ctx.key]
        return grad_x, None, grad_value


def _along_axis_key(index: np.ndarray, axis: int) -> tuple:
    """Full index arrays that address ``out[i0, .., index[i0, .., ik], .., ik]``."""
    key = list(np.ix_(*[np.arange(n) for n in index.shape]))
    key[axis] = index
    return tuple(key)


class Gather(Function):
    """z[i][j] = x[i][index[i][j]] (for dim=1);  dL/dx = g scatter-added at ``index``."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        if index.dtype not in (_dtype.int64, _dtype.int32):
            raise RuntimeError(f"gather(): Expected dtype int32/int64 for index, got {index.dtype}")
        if index.ndim != x.ndim:
            raise RuntimeError(
                f"Index tensor must have the same number of dimensions as input tensor "
                f"(index shape {list(index.shape)}, input shape {list(x.shape)})"
            )
        check_along_dim("gather", x, dim, index)
        try:
            return x._data[_along_axis_key(index._data, dim)]
        except IndexError as error:
            raise RuntimeError(f"gather(): index out of bounds: {error}") from None

    @staticmethod
    def backward(ctx, grad_output):
        return ScatterAdd.apply(grad_output, ctx.shape, ctx.dim, ctx.index), None, None


class ScatterAdd(Function):
    """z = zeros(shape); z[i][index[i][j]] += x[i][j] (for dim=1);  dL/dx = g gathered at ``index``."""

    @staticmethod
    def forward(ctx, x, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=x._data.dtype)
        np.add.at(out, _along_axis_key(index._data, dim), x._data)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.gather(ctx.dim, ctx.index), None, None, None


class Scatter(Function):
    """z = x, then z[i][index[i][j]] = src[i][j] (for dim=1);  dL/dx = g with zeros where
    written, dL/dsrc = g gathered at ``index``.

    ``src`` is a tensor of ``index``'s shape (``Tensor.scatter`` cuts a larger one down) or a number.
    Where ``index`` repeats a position, which value lands there is unspecified, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        if index.dtype is not _dtype.int64:
            raise RuntimeError(f"scatter(): Expected dtype int64 for index (got {index.dtype})")
        if index.ndim != x.ndim and index.numel() > 0:
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        key = _along_axis_key(index._data, dim)
        out = x._data.copy()
        if isinstance(src, _tensor.Tensor):
            if src.dtype is not x.dtype:
                raise RuntimeError(
                    f"scatter(): Expected self.dtype to be equal to src.dtype (got {x.dtype} and {src.dtype})"
                )
            value = src._data
        else:
            value = src
        try:
            out[key] = value
        except IndexError as error:
            raise RuntimeError(f"scatter(): index out of bounds: {error}") from None
        return out

    @staticmethod
    def backward(ctx, grad_output):
        grad_x = grad_src = None
        if ctx.needs_input_grad[0]:
            grad_x = Scatter.apply(grad_output, ctx.dim, ctx.index, 0.0)
        if ctx.needs_input_grad[3]:
            grad_src = grad_output.gather(ctx.dim, ctx.index)
        return grad_x, None, None, grad_src
