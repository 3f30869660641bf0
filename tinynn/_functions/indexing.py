"""Indexing: ``x[key]``, ``gather``, and the scatter-adds that are their backward.

The gradient of reading ``x[key]`` is *writing* the incoming gradient into a zero tensor
shaped like ``x`` at ``key``, *adding* where the same element was read twice
(``x[[0, 0]]``): ``np.add.at`` does exactly that. And the gradient of that write is
reading again, so each pair of ops is the other's backward, to any order.
"""
from __future__ import annotations

import math
import re
import warnings
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function
from .elementwise import Where

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` (negative counts from the end) as an axis in [0, ndim); a 0-d tensor
    accepts 0 and -1, as in PyTorch (both give 0).

    Raises:
        IndexError: for a dim out of range, with PyTorch's message.
    """
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})"
        )
    return dim % rank


def _is_basic(key: tuple) -> bool:
    """Basic indexing (ints, slices, None, Ellipsis) returns a view and never repeats an element."""
    for k in key:
        if not (k is None or k is Ellipsis or isinstance(k, (int, slice))):
            return False
    return True


def add_at(out: np.ndarray, key: tuple, values: np.ndarray) -> None:
    """``np.add.at(out, key, values)``: ``values`` added into ``out[key]`` in place, an
    element picked twice getting both values, added in the order of the key.

    ``np.add.at`` takes a slow general path for anything but a 1-D array with one 1-D
    index (7 ns an element: 520 µs for the gradient of ``x[idx]``, 100 rows of 12x64). The
    usual keys here are integer arrays for k dims after some full slices: ``(rows,)`` for
    ``x[idx]`` and ``embedding``, one array per dim for ``scatter_add``, ``(:, :, cols)``
    for ``index_select`` along dim 2 (``interpolate``). Then every element picked has a
    flat position in ``out``'s memory: each index times its dim's stride, plus the offset
    of the slices' element, plus 0 ... width - 1 within the block of the dims after the
    arrays. One 1-D ``np.add.at`` over those positions adds the same values in the same
    order (130 µs). Any other key, and an index out of range (numpy's IndexError), take
    ``np.add.at`` itself.
    """
    lead = 0  # the full slices before the index arrays
    while lead < len(key) and type(key[lead]) is slice and key[lead] == slice(None):
        lead += 1
    arrays = key[lead:]
    if (0 < len(arrays) and len(key) <= out.ndim and out.size and out.flags.c_contiguous
            and all(type(k) is np.ndarray and k.dtype.kind in "iu" and k.size for k in arrays)):
        end = lead + len(arrays)  # the first dim after the arrays
        width = math.prod(out.shape[end:])  # elements in each block picked
        positions, stride = 0, width
        for k, n in zip(reversed(arrays), reversed(out.shape[lead:end])):  # (the arrays as they are, not broadcast)
            k = k.astype(np.intp, copy=False)  # (int64: index * stride may not fit an int32)
            if np.minimum.reduce(k, axis=None) < 0:
                k = np.where(k < 0, k + n, k)  # counted from the end, as numpy's index does
            if np.maximum.reduce(k, axis=None) >= n or np.minimum.reduce(k, axis=None) < 0:
                break
            positions = positions + k * stride
            stride *= n
        else:
            picked = out.shape[:lead] + positions.shape + out.shape[end:]  # the shape of out[key]
            if lead:  # each element of the sliced dims starts a stride further on
                starts = np.arange(math.prod(out.shape[:lead]), dtype=np.intp) * stride
                positions = starts.reshape((-1,) + (1,) * positions.ndim) + positions
            if width > 1:
                positions = positions[..., None] + np.arange(width)  # row-major, as the values
            flat_values = np.broadcast_to(values, picked).reshape(-1)
            np.add.at(out.reshape(-1), positions.reshape(-1), flat_values)  # (out is contiguous: a view of it)
            return
    np.add.at(out, key, values)


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
    if type(key) is int:  # the commonest index, x[i]: nothing to normalise
        return (key,)
    Tensor = _tensor.Tensor
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if type(k) is int or k is None or k is Ellipsis:  # nothing to normalise
            pass
        elif type(k) is slice:
            if k.step is not None and k.step < 0:
                raise ValueError(
                    "step must be greater than zero (tensors cannot be indexed backwards; use "
                    "x.flip(dim) or an index tensor such as x[tinynn.arange(n - 1, -1, -1)])"
                )
        elif isinstance(k, Tensor):
            if k.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if k.dtype in (_dtype.int8, _dtype.int16) and k.ndim > 0:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors (got an "
                    f"index tensor of dtype {k.dtype} and shape {list(k.shape)}; convert it "
                    "with .long())")
            if k.dtype is _dtype.uint8:
                k = _byte_mask(k._data) if k.ndim > 0 else k._data.astype(bool)
            else:  # (a copy: the backward reads the key, and the index tensor may change later)
                k = k._data.copy() if k.ndim > 0 or k.dtype is _dtype.bool else int(k._data)
        elif isinstance(k, (list, np.ndarray)):
            k = np.array(k)  # a copy, as above
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if k.dtype == np.uint8 and k.ndim > 0:
                k = _byte_mask(k)
        elif isinstance(k, np.integer):
            k = int(k)
        elif isinstance(k, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(k).__name__}' (a tensor is indexed by "
                            "ints, slices, None, ..., or integer or bool tensors)")
        out.append(k)
    for k in out:
        if type(k) is np.ndarray and k.dtype == bool and k.ndim:
            _check_masks(out, shape)
            break
    return tuple(out)


def _consumed(k) -> int:
    """How many dimensions of the indexed tensor one entry of a normalized key takes."""
    if k is None or k is Ellipsis:
        return 0
    if type(k) is np.ndarray and k.dtype == bool:
        return k.ndim
    return 1


def _check_masks(key: tuple, shape: tuple) -> None:
    """A boolean mask must have the shape of the dimensions it covers.

    Raises:
        IndexError: naming both shapes (PyTorch's message), not numpy's "boolean index
            did not match".
    """
    consumed = [_consumed(k) for k in key]
    ellipsis = next((i for i, k in enumerate(key) if k is Ellipsis), len(key))
    for i, k in enumerate(key):
        if not (type(k) is np.ndarray and k.dtype == bool and k.ndim):
            continue
        # entries after an Ellipsis are aligned with the last dimensions
        start = sum(consumed[:i]) if i < ellipsis else len(shape) - sum(consumed[i:])
        covered = shape[start:start + k.ndim]
        for j, (m, n) in enumerate(zip(k.shape, covered)):
            if m != n:
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {j} does not match the shape "
                    f"of the indexed tensor {list(shape)} at index {start + j}"
                )


def _advanced_position(key: tuple, ndim: int):
    """``(position, basic_dims)`` when PyTorch puts the index arrays' dimensions elsewhere
    than numpy does, else None.

    Both libraries put the (broadcast) dimensions of the index arrays in place of the
    dimensions they index when the arrays stand next to each other in the key, and first
    when a slice, None or ``...`` separates them. They differ on ints: numpy counts an int
    as one more index array, PyTorch selects with it first, so that the int does not
    separate anything. ``x[0, 1:3, idx]`` on (2, 4, 5) with 3 indices: numpy sees two
    arrays apart (result (3, 2)), PyTorch one array in place (result (2, 3)).
    ``position`` is where PyTorch puts them in the result (numpy puts them at 0) and
    ``basic_dims`` how many result dimensions the slices, None and ``...`` give.
    """
    arrays = [i for i, k in enumerate(key) if type(k) is np.ndarray]
    if not arrays or not any(type(k) is int for k in key):
        return None
    advanced = [i for i, k in enumerate(key) if type(k) is np.ndarray or type(k) is int]
    if advanced[-1] - advanced[0] + 1 == len(advanced):
        return None  # next to each other for numpy too: in place in both
    if any(type(k) is not np.ndarray and type(k) is not int for k in key[arrays[0]:arrays[-1] + 1]):
        return None  # apart for PyTorch too: first in both
    ellipsis_dims = ndim - sum(_consumed(k) for k in key)
    dims = [1 if k is None or isinstance(k, slice) else ellipsis_dims if k is Ellipsis else 0 for k in key]
    position = sum(dims[:arrays[0]])
    return (position, sum(dims)) if position else None


def _index_error(error: IndexError, shape: tuple) -> IndexError:
    """numpy's IndexError for ``x[key]`` in PyTorch's words."""
    text = str(error)
    found = re.match(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", text)
    if found:
        index, axis, size = found.groups()
        return IndexError(f"index {index} is out of bounds for dimension {axis} with size {size} "
                          f"(indexing a tensor of shape {list(shape)})")
    if text.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    return IndexError(f"{text} (indexing a tensor of shape {list(shape)})")


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
    if max(index.ndim, 1) != max(x.ndim, 1) or index.numel() == 0:  # (0-d: one dim of size 1)
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
        ctx.shape, ctx.key = x._data.shape, key
        basic = _is_basic(key)
        # With a trailing Ellipsis numpy returns a 0-d *view* for x[i], not a scalar copy,
        # so that x[i].fill_(0) writes into x, as in PyTorch.
        numpy_key = key + (Ellipsis,) if basic and Ellipsis not in key else key
        try:
            out = x._data[numpy_key]
        except IndexError as error:
            raise _index_error(error, x.shape) from None
        if basic:
            return _tensor.Tensor._make_view(x, out)
        moved = _advanced_position(key, x.ndim)
        if moved:  # PyTorch's place for the index arrays' dimensions (see _advanced_position)
            position, basic_dims = moved
            count = out.ndim - basic_dims
            out = np.moveaxis(out, range(count), range(position, position + count))
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
            values = x._data
            moved = _advanced_position(key, len(shape))
            if moved:  # back from PyTorch's order of the dimensions to numpy's
                position, basic_dims = moved
                count = values.ndim - basic_dims
                values = np.moveaxis(values, range(position, position + count), range(count))
            add_at(out, key, values)  # a repeated index gets the sum of its gradients
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
        values = getattr(value, "_data", value)
        try:
            moved = not _is_basic(key) and _advanced_position(key, x.ndim)
            if moved:  # the value is laid out in PyTorch's order (see _advanced_position)
                position, basic_dims = moved
                target = out[key].shape
                count = len(target) - basic_dims
                torch_order = np.moveaxis(np.empty(target, dtype=bool), range(count),
                                          range(position, position + count)).shape
                values = np.moveaxis(np.broadcast_to(values, torch_order),
                                     range(position, position + count), range(count))
            out[key] = values
        except IndexError as error:
            raise _index_error(error, x.shape) from None
        except ValueError:
            target = out[key].shape
            if moved:
                target = np.moveaxis(np.empty(target, dtype=bool), range(count),
                                     range(position, position + count)).shape
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(np.shape(getattr(value, '_data', value)))} "
                f"cannot be broadcast to indexing result of shape {list(target)}"
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


def setitem_args(tensor: Tensor, key, value) -> tuple:
    """``(key, value)`` for ``IndexPut``: ``tensor[key] = value`` checked as PyTorch does.

    A tensor value is converted to ``tensor``'s dtype where PyTorch copies (basic indexing:
    ints, slices; a bool mask with a 0-d value); its leading dimensions of size 1 are
    dropped, so a (1,) value fits a 0-d slot. Shape: ``value`` broadcasts to ``tensor[key]``.

    Raises:
        TypeError: for a value that is not a number or a tensor.
        RuntimeError: for a tensor value of another dtype with index tensors ("Index put
            requires the source and destination dtypes match"), one that does not
            broadcast to ``tensor[key]``, or a number that does not fit the dtype.
        IndexError: for an index out of range or a bool mask of the wrong shape.
    """
    Tensor = _tensor.Tensor

    check_value(value, tensor.dtype)
    check_byte_mask_fill(key, value)
    normalized = normalize_key(key, tensor.shape)
    if not isinstance(value, Tensor):
        value = _dtype.checked_scalar(value, tensor.dtype)  # inf into an int tensor raises
    else:
        if value.dtype is not tensor.dtype:
            masked_fill = (isinstance(key, Tensor) and key.dtype is _dtype.bool and value.ndim == 0)
            if not (_is_basic(normalized) or masked_fill):
                raise RuntimeError(
                    "Index put requires the source and destination dtypes match, got "
                    f"{_dtype.scalar_name(tensor.dtype)} for the destination and "
                    f"{_dtype.scalar_name(value.dtype)} for the source. (convert the value "
                    f"with .to({tensor.dtype}))")
            value = value.to(tensor.dtype)
        if value.ndim and value.shape[0] == 1:  # PyTorch drops leading 1s before broadcasting
            lead = next((i for i, n in enumerate(value.shape) if n != 1), value.ndim)
            value = value.reshape(value.shape[lead:])
    return normalized, value


def _along_axis_key(index: np.ndarray, axis: int) -> tuple:
    """Index arrays that address ``out[i0, .., index[i0, .., ik], .., ik]``: ``index`` at
    ``axis``, and at every other dim d the positions 0..n-1 as an open grid, shaped
    (n, 1, ..., 1) so that it broadcasts along the dims after d (what ``np.ix_`` builds,
    without its Python-level checks, which cost more than the indexing on small tensors)."""
    last = index.ndim - 1
    return tuple([index if d == axis else np.arange(n).reshape((n,) + (1,) * (last - d))
                  for d, n in enumerate(index.shape)])


class Gather(Function):
    """z[i][j] = x[i][index[i][j]] (for dim=1);  dL/dx = g scatter-added at ``index``."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)  # (so that changing it in place before backward is caught)
        if index.numel() == 0:  # reads nothing: PyTorch checks no more
            return np.zeros(index.shape, dtype=x._data.dtype)
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
        index, = ctx.saved_tensors
        return ScatterAdd.apply(grad_output, ctx.shape, ctx.dim, index), None, None


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` (for dim=1): the entries at ``index`` along ``dim``.

    Shape: ``index``'s (no larger than ``input`` apart from ``dim``).

    Raises:
        RuntimeError: for an index that is not int32/int64, of another rank, too large,
            or with an entry outside [0, input.size(dim)).
        IndexError: for a dim out of range.
    """
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0 and index.numel():  # a 0-d tensor is one entry along dim 0
        return Gather.apply(input.reshape(1), 0, index.reshape(-1)).reshape(index.shape)
    if input.ndim == 1 and index.ndim == 0:  # and a 0-d index one position along it, as in PyTorch
        return Gather.apply(input, d, index.reshape(1)).reshape(())
    return Gather.apply(input, d, index)


class ScatterAdd(Function):
    """z = zeros(shape); z[i][index[i][j]] += x[i][j] (for dim=1);  dL/dx = g gathered at
    ``index`` (zeros like x for an empty index, which adds nothing)."""

    @staticmethod
    def forward(ctx, x, shape, dim, index):
        ctx.dim, ctx.x_shape = dim, x.shape
        ctx.save_for_backward(index)
        out = np.zeros(shape, dtype=x._data.dtype)
        if index.numel():
            add_at(out, _along_axis_key(index._data, dim), x._data)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        index, = ctx.saved_tensors
        if index.numel() == 0:
            return _zeros(ctx.x_shape, grad_output), None, None, None
        return grad_output.gather(ctx.dim, index), None, None, None


def _zeros(shape: tuple, like: Tensor) -> Tensor:
    return _tensor.Tensor._make(np.zeros(shape, dtype=like._data.dtype))


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``out[i][index[i][j]] += src[i][j]`` (for dim=1), summing
    where ``index`` repeats a position.

    Shape: ``index`` no larger than ``input`` (apart from ``dim``) nor than ``src``; only
    the part of ``src`` that ``index`` covers is used. An empty ``index`` adds nothing.

    Raises:
        RuntimeError: for an index that is not int32/int64, an index or src of another
            rank, an index larger than ``input`` (apart from ``dim``) or than ``src``, an
            entry outside [0, input.size(dim)), or a src of another dtype.
        IndexError: for a dim out of range.
    """
    if not isinstance(src, _tensor.Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
    d = wrap_dim(dim, input.ndim)
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(f"scatter(): Expected dtype int32/int64 for index (got {index.dtype})")
    if src.dtype is not input.dtype:
        raise RuntimeError(
            "scatter(): Expected self.dtype to be equal to src.dtype (got "
            f"{input.dtype} and {src.dtype}; convert src with .to({input.dtype}))")
    if index.numel() == 0:  # adds nothing; src (any shape) gets a zero gradient
        return input + ScatterAdd.apply(src, input.shape, d, index)
    _check_scatter_src(input, d, index, src)  # the ranks and sizes, in PyTorch's order
    check_along_dim("scatter_add", input, d, index, src)  # then the entries
    if src.shape != index.shape and src.ndim:  # only the part of src that index covers is used
        src = src[tuple(slice(0, n) for n in index.shape or (1,))].reshape(index.shape)
    if input.ndim == 0:  # a 0-d tensor is one entry along dim 0
        return input + ScatterAdd.apply(src.reshape(1), (1,), 0, index.reshape(1)).reshape(())
    return input + ScatterAdd.apply(src, input.shape, d, index)


class Scatter(Function):
    """z = x, then z[i][index[i][j]] = src[i][j] (for dim=1);  dL/dx = g with zeros where
    written, dL/dsrc = g gathered at ``index``.

    ``src`` is a tensor of ``index``'s shape (``Tensor.scatter`` cuts a larger one down) or a number.
    Where ``index`` repeats a position, which value lands there is unspecified, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim = dim
        ctx.save_for_backward(index)
        ctx.src_shape = src.shape if isinstance(src, _tensor.Tensor) else None
        if isinstance(src, _tensor.Tensor) and src.dtype is not x.dtype:
            raise RuntimeError(
                f"scatter(): Expected self.dtype to be equal to src.dtype (got {x.dtype} and {src.dtype})"
            )
        if index.numel() == 0:  # writes nothing
            return x._data.copy()
        if index.dtype not in (_dtype.int64, _dtype.int32):
            raise RuntimeError(f"scatter(): Expected dtype int32/int64 for index (got {index.dtype})")
        if max(index.ndim, 1) != max(x.ndim, 1):  # a 0-d tensor counts as one dim of size 1
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        value = src._data if isinstance(src, _tensor.Tensor) else src
        if x.ndim == 0:  # one entry along dim 0 (the index checked to be 0 or -1)
            return np.array(np.reshape(value, ()) if np.ndim(value) else value, dtype=x._data.dtype)
        out = x._data.copy()
        try:
            out[_along_axis_key(index._data, dim)] = value
        except IndexError as error:
            raise RuntimeError(f"scatter(): index out of bounds: {error}") from None
        return out

    @staticmethod
    def backward(ctx, grad_output):
        index, = ctx.saved_tensors
        grad_x = grad_src = None
        if ctx.needs_input_grad[0]:
            grad_x = Scatter.apply(grad_output, ctx.dim, index, 0.0)
        if ctx.needs_input_grad[3]:
            if index.numel() == 0:
                grad_src = _zeros(ctx.src_shape, grad_output)
            else:
                grad_src = grad_output.gather(ctx.dim, index)
        return grad_x, None, None, grad_src


def _check_scatter_src(input: Tensor, dim: int, index: Tensor, src: Tensor) -> None:
    """PyTorch's shape checks of a ``src`` tensor for ``scatter``, in PyTorch's order
    (``scatter_shape_check``; a 0-d tensor counts as one entry along one dim):

    1. index has self's number of dims;
    2. index is no larger than self (except along ``dim``), then than src, dim by dim over
       self's dims: a src with fewer (but some) dims has no size there, an IndexError;
    3. src has index's number of dims; 4. the sizes of 2.

    Raises:
        RuntimeError: for 1, 3 and 4 (naming the shapes); IndexError: for 2.
    """
    if max(index.ndim, 1) != max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    index_shape, self_shape = tuple(index.shape) or (1,), tuple(input.shape) or (1,)
    too_large = any(i > s for k, (i, s) in enumerate(zip(index_shape, self_shape)) if k != dim)
    if not too_large:
        for k, i in enumerate(index_shape):
            if 0 < src.ndim <= k:
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-src.ndim}, {src.ndim - 1}], but got {k}) (src {list(src.shape)} "
                                 f"has fewer dimensions than index {list(index.shape)})")
            if i > (src.shape[k] if src.ndim else 1):
                too_large = True
                break
    if max(src.ndim, 1) != max(index.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if too_large:
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                           f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}")


def scatter_args(input: Tensor, dim: int, index: Tensor, src, value, reduce) -> tuple:
    """``(dim, index, src)`` for ``Scatter``, checked as PyTorch checks ``scatter``."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported by tinynn; use scatter_add")
    src = value if src is None else src
    if src is None:
        raise TypeError("scatter() missing required argument: 'src' or 'value'")
    d = wrap_dim(dim, input.ndim)
    if index.numel() == 0:  # writes nothing (src may have any shape)
        return d, index, src
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(f"scatter(): Expected dtype int32/int64 for index (got {index.dtype})")
    if isinstance(src, _tensor.Tensor) and src.shape != index.shape:
        _check_scatter_src(input, d, index, src)
        if src.ndim:  # cut down to index's extent (a 0-d index is one entry)
            src = src[tuple(slice(0, n) for n in index.shape or (1,))].reshape(index.shape)
    check_along_dim("scatter", input, d, index)
    return d, index, src


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``input`` with ``out[i][index[i][j]] = src[i][j]`` (for dim=1); ``src``
    may be a tensor or a number (``value``). One-hot: ``zeros(n, c).scatter(1, y[:, None], 1.0)``.

    Raises:
        RuntimeError: for an index that is not int64, or out of range.
        NotImplementedError: for ``reduce``.
    """
    return Scatter.apply(input, *scatter_args(input, dim, index, src, value, reduce))


def _check_index_tensor(name: str, index) -> None:
    if not isinstance(index, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries at ``index`` (int64 or int32, 1-D or 0-d) along ``dim``; unlike
    ``x[index]``, negative indices are out of range.

    Shape: ``input``'s with ``dim`` of size ``index.numel()`` (a 0-d input stays 0-d).

    Raises:
        TypeError: for an index that is not a tensor.
        RuntimeError: for an index of another dtype, or (0-d input) not one entry.
        IndexError: for an index with more than one dimension, out of range (a
            RuntimeError along dim 1, as PyTorch), or a dim out of range.
    """
    _check_index_tensor("index_select", index)
    d = wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector (got shape {list(index.shape)})")
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index (got {index.dtype})")
    if input.ndim > 1 and input.shape[d] == 0 and index.numel():
        raise RuntimeError(f"index_select(): self indexing axis dim should be positive (dimension {d} "
                           f"of shape {list(input.shape)} is empty)")
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.numel()} value(s)")
    size = input.shape[d] if input.ndim else 1
    positions = index._data.reshape(-1)
    bad = positions[(positions < 0) | (positions >= size)]
    if bad.size:  # no counting from the end, unlike x[index]
        if d == 1:  # PyTorch's kernel for dim 1 raises its own error type
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} axis_dim={size}")
        raise IndexError(f"index out of range in self (index {int(bad[0])} along dimension {d} of size {size})")
    if input.ndim == 0:
        return input.reshape(1)[positions].reshape(())
    return input[(slice(None),) * d + (positions,)]


def _index_along(input: Tensor, name: str, dim: int, index: Tensor, dtypes: tuple) -> tuple:
    """``(dim, positions)`` for ``index_add`` and ``index_fill``, with PyTorch's errors for
    an index of the wrong type or rank (its range is checked by ``_check_positions``)."""
    _check_index_tensor(name, index)
    if name == "index_add_":  # PyTorch checks the dim first for index_add, the dtype for index_fill
        wrap_dim(dim, input.ndim)
    if index.dtype not in dtypes:
        expected = "int32/int64" if len(dtypes) > 1 else "int64"
        raise (RuntimeError if len(dtypes) > 1 else IndexError)(
            f"{name}(): Expected dtype {expected} for index (got {index.dtype})")
    d = wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        if name == "index_fill_":
            raise RuntimeError(f"Index has to be a vector/scalar (got shape {list(index.shape)})")
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got shape {list(index.shape)}")
    return d, index._data.reshape(-1).copy()  # (the key a backward reads: not the index's memory)


def _check_positions(input: Tensor, name: str, d: int, positions: np.ndarray, alpha=1) -> tuple:
    """The key selecting ``positions`` along ``d``, once they are checked to be in range
    (``index_fill`` counts negative ones from the end, ``index_add`` does not, as PyTorch).

    Raises:
        IndexError or RuntimeError: for a position out of range, as PyTorch's kernels do:
            index_add of a tensor of 2 or more dims with alpha 1 and an int64 index raises
            RuntimeError (that case has its own kernel), every other case IndexError.
    """
    size = input.shape[d] if input.ndim else 1
    lowest = -size if name == "index_fill_" else 0
    bad = positions[(positions < lowest) | (positions >= size)]
    if bad.size and input.numel():  # an empty tensor has nothing to write: no check
        message = f"index {int(bad[0])} is out of bounds for dimension {d} with size {size}"
        if name == "index_add_" and input.ndim > 1 and alpha == 1 and positions.dtype == np.int64:
            raise RuntimeError(message)
        raise IndexError(message if name == "index_fill_" else f"index out of range in self ({message})")
    return (slice(None),) * d + (positions,)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added in at ``index`` along ``dim``:
    ``out[index[i]] += alpha * source[i]`` (for dim=0), summing where ``index`` repeats.

    Shape: ``source`` is ``input``'s shape with ``dim`` of size ``len(index)``.

    Raises:
        RuntimeError: for an index that is not int32/int64 or out of range (IndexError
            for a 0-d or 1-d input, as PyTorch), a source of another dtype or shape.
        IndexError: for an index with more than one dimension, or a 0-d source with
            more than one index.
    """
    d, positions = _index_along(input, "index_add_", dim, index, (_dtype.int64, _dtype.int32))
    if source.dtype is not input.dtype:
        raise RuntimeError(
            f"index_add_(): self ({input.dtype}) and source ({source.dtype}) must have the same scalar type")
    n = index.numel()
    # PyTorch's order: the number of indices against source.size(dim) (1 for a 0-d source),
    # then the shapes with dim left out, which need as many dims in source as in input
    if d >= max(source.ndim, 1):
        raise RuntimeError(f"index_add_(): Indexing dim {d} is out of bounds of the source tensor "
                           f"with dim {source.ndim}")
    if source.ndim == 0 and n != 1:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions "
                         f"(index_add_(): {n} indices for a 0-d source)")
    if source.ndim and source.shape[d] != n:
        raise RuntimeError(
            f"index_add_(): Number of indices ({n}) should be equal to "
            f"source.size(dim): ({source.shape[d]}), for dim: {d}")
    sliced = source.shape[:d] + source.shape[d + 1:], input.shape[:d] + input.shape[d + 1:]
    if source.ndim != input.ndim or sliced[0] != sliced[1]:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified dimension. "
            f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    key = _check_positions(input, "index_add_", d, positions, alpha)
    if input.numel() == 0:
        return input.clone()
    scaled = source * alpha if alpha != 1 else source
    if input.ndim == 0:
        return input + IndexAddInto.apply(scaled.reshape(-1), (1,), key).reshape(())
    return input + IndexAddInto.apply(scaled, input.shape, key)


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``value`` where ``mask`` is True, else ``input``; the result keeps ``input``'s dtype
    (an int64 tensor filled with 0.5 stays int64, as in PyTorch).

    Shape: the broadcast of ``input`` and ``mask``. ``value`` is a number or a 0-d tensor
    (which gets the sum of the gradient where the mask is True).

    Raises:
        RuntimeError: for a mask that is not bool, a value tensor that is not 0-d, or a
            number that does not fit ``input``'s dtype (inf into an int tensor).
    """
    if mask.dtype is not _dtype.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, _tensor.Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s).")
        if value.requires_grad and grad_mode._grad_enabled and not input.dtype.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {_dtype.scalar_name(input.dtype)} (the "
                               "value requires grad, but the result is an integer tensor)")
        if value.dtype.is_floating_point and not input.dtype.is_floating_point:
            _dtype.checked_scalar(value.item(), input.dtype)  # inf into an int tensor raises
        fill = value.to(input.dtype)
    elif type(value) is float and -65504.0 <= value <= 65504.0 and input.dtype.is_floating_point:
        # fits every float dtype (65504 is float16's largest): the common case, no checks
        # (float16 by way of float32, as PyTorch rounds it: see ``_dtype.checked_scalar``)
        fill = _tensor.Tensor._make(np.asarray(np.float32(value) if input.dtype is _dtype.float16 else value,
                                               dtype=input._data.dtype))
    else:
        fill = _tensor.Tensor._make(np.asarray(_dtype.checked_scalar(value, input.dtype),
                                               dtype=input._data.dtype))
    return Where.apply(mask, fill, input)


def masked_fill_(input: Tensor, mask: Tensor, value) -> Tensor:
    """In-place ``masked_fill``: ``mask`` broadcasts to ``input``'s shape.

    Raises:
        RuntimeError: as ``masked_fill``, and for a mask that broadcasts ``input`` larger.
    """
    try:
        shape = np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        shape = input.shape  # masked_fill raises the broadcasting error
    if shape != input.shape:
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    if isinstance(value, _tensor.Tensor) and not input.dtype.is_floating_point:
        value = value.detach()  # PyTorch's in-place form accepts a value requiring grad here
    return input.copy_(masked_fill(input, mask, value))


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with the entries at ``index`` along ``dim`` set to ``value`` (a
    number or 0-d tensor). They get no gradient; ``value`` gets their sum.

    Raises:
        IndexError: for an index that is not int64 or out of range.
        RuntimeError: for an index with more than one dimension, a value tensor that is
            not 0-d, or any index along a dimension of size 0.
    """
    if isinstance(value, _tensor.Tensor) and value.ndim != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s).")
    d, positions = _index_along(input, "index_fill_", dim, index, (_dtype.int64,))
    if not isinstance(value, _tensor.Tensor):  # a number must fit input's dtype: checked before the positions
        _dtype.checked_scalar(value, input.dtype)
    if input.ndim and input.shape[d] == 0 and positions.size:  # PyTorch's kernel refuses it
        raise RuntimeError(f"index_fill_(): index {int(positions.flat[0])} is out of bounds for "
                           f"dimension {d} with size 0 (there is nothing to fill along it)")
    key = _check_positions(input, "index_fill_", d, positions)
    if input.numel() == 0:
        return input.clone()
    mask = np.zeros(input.shape[d] if input.ndim else 1, dtype=bool)
    mask[key[-1]] = True
    mask = mask.reshape((-1,) + (1,) * (input.ndim - d - 1)) if input.ndim else mask.reshape(())
    return masked_fill(input, _tensor.Tensor._make(mask), value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The entries of ``input`` where ``mask`` is True, as a 1-D tensor (row-major order).

    Shape: ``input`` and ``mask`` broadcast together first (either may be the larger).

    Raises:
        RuntimeError: for a mask that is not bool, or shapes that do not broadcast.
    """
    if mask.dtype is not _dtype.bool:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask (got {mask.dtype})")
    try:
        shape = np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        a = (1,) * (input.ndim - mask.ndim) + tuple(mask.shape)  # PyTorch names the mask a
        b = (1,) * (mask.ndim - input.ndim) + tuple(input.shape)
        dim = next(i for i, (m, n) in enumerate(zip(a, b)) if m != n and 1 not in (m, n))
        raise RuntimeError(
            f"The size of tensor a ({a[dim]}) must match the size of tensor b ({b[dim]}) at "
            f"non-singleton dimension {dim} (input {list(input.shape)}, mask {list(mask.shape)})"
        ) from None
    return input.expand(shape)[mask.expand(shape)]


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """The indices of the nonzero entries: an (n, ndim) int64 tensor, one row per entry in
    row-major order; with ``as_tuple``, ``ndim`` 1-D tensors (one per dimension), as used
    for ``x[...]``. A 0-d input counts as 1-D for ``as_tuple`` (PyTorch's rule)."""
    data = input._data
    if as_tuple:
        return tuple(_tensor.Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(data)))
    if input.ndim == 0:
        return _tensor.Tensor._make(np.zeros((int(bool(data)), 0), dtype=np.int64))
    return _tensor.Tensor._make(np.stack(np.nonzero(data), axis=1).astype(np.int64))
