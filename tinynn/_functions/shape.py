"""Shape ops: they move or reinterpret elements without computing anything.

Their backward moves the gradient back: a view's backward is the inverse view, an
``expand``'s backward is a sum, a ``cat``'s backward is a split. Ops that return a view
(``view``, ``permute``, ``expand``) share memory with their input, as in PyTorch; they
build their output with ``_tensor.Tensor._make_view`` so tinynn knows it is a view.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from .._types import Size, in_memory_format, memory_format, preserve_format
from ..autograd.function import Function, quiet_numpy
from .indexing import IndexAddInto, wrap_dim
from .out import write_out
from .reduction import normalize_dims

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def size_args(name: str, argument: str, sizes: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike, as PyTorch accepts both.

    Raises:
        TypeError: when no size is given at all (PyTorch's "missing 1 required positional
            arguments"); an empty tuple is a valid size.
    """
    if not sizes:
        raise TypeError(f'{name}() missing 1 required positional arguments: "{argument}"')
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        return tuple(sizes[0])
    return tuple(sizes)


def infer_size(shape: tuple, numel: int, name: str = "view") -> tuple:
    """Resolve one ``-1`` in ``shape`` so the shape holds ``numel`` elements.

    Raises:
        TypeError: for a size that is not an integer (a float, a bool), as PyTorch's
            argument parser does.
        RuntimeError: if the shape cannot hold exactly ``numel`` elements.
    """
    for i, s in enumerate(shape):
        if isinstance(s, (bool, float)) or not hasattr(s, "__index__"):
            argument = "size" if name == "view" else "shape"
            raise TypeError(f"{name}(): argument '{argument}' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos {i}")
    shape = tuple(map(int, shape))
    if -1 not in shape and min(shape, default=0) >= 0:  # the common case: nothing to infer
        if math.prod(shape) != numel:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape
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


def reshaped(array: np.ndarray, shape: tuple, name: str, copy: bool | None = None) -> np.ndarray:
    """``array.reshape(shape)`` (``copy=False``: a view, or ValueError), with PyTorch's checks.

    A shape of Python ints, none below -1, goes to numpy as it is: numpy checks the element
    count and infers the -1 itself, as PyTorch does. Anything else (a size below -1, which
    numpy would infer too; a bool, which numpy takes for 1; a float; a 0-d int tensor), and
    a shape that numpy refuses, goes through :func:`infer_size`, which raises PyTorch's error.
    """
    for size in shape:
        if type(size) is not int or size < -1:
            return array.reshape(infer_size(shape, array.size, name), copy=copy)
    try:
        return array.reshape(shape, copy=copy)
    except ValueError:
        return array.reshape(infer_size(shape, array.size, name), copy=copy)


class View(Function):
    """z = x seen with another shape, sharing memory;  dL/dx = g viewed with x's shape.

    Only possible when the new shape can be expressed with strides over x's memory; a
    transposed tensor usually cannot be flattened without a copy.
    """

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        try:
            out = reshaped(x._data, shape, "view", copy=False)
        except ValueError:  # a valid shape that x's strides cannot express without a copy
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
                f"(input shape {list(x.shape)}, stride {list(x.stride())}, requested shape "
                f"{list(infer_size(shape, x._data.size))}; call .contiguous() first to make a copy "
                "with standard strides)"
            ) from None
        return _tensor.Tensor._make_view(x, out)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


def view_dtype(input: Tensor, dtype: _dtype.dtype) -> Tensor:
    """``x.view(dtype)``: the same bytes read as ``dtype`` (a view, outside the graph, as
    in PyTorch). With a different element size the last dimension shrinks or grows.

    Raises:
        RuntimeError: for another element size when the tensor is 0-d, its last stride is
            not 1, or its last size is not a multiple of the size ratio.
    """
    data, itemsize = input._data, dtype.numpy_dtype.itemsize
    if itemsize != data.itemsize:
        names = f"{_dtype.scalar_name(input.dtype)} as {_dtype.scalar_name(dtype)} (different element sizes)"
        if input.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if input.stride(-1) != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {input.stride(-1)}")
        ratio = max(itemsize, data.itemsize) // min(itemsize, data.itemsize)
        if itemsize > data.itemsize and input.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to view {names}, "
                               f"but got {input.shape[-1]}")
    return _tensor.Tensor._make_view(input, data.view(dtype.numpy_dtype))


class Reshape(Function):
    """z = x with another shape: a view when possible, else a copy;  dL/dx = g reshaped."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        out = reshaped(x._data, shape, "reshape")
        # numpy returns a view when the strides allow it, else a fresh copy (which cannot
        # overlap x, so the cheap bounds check is exact here)
        return _tensor.Tensor._make_view(x, out) if np.may_share_memory(out, x._data) else out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


def _check_sizes(name: str, argument: str, sizes) -> None:
    """The function forms take one sequence (``torch.permute(x, (1, 0))``), not an int.

    Raises:
        TypeError: PyTorch's "must be tuple of ints".
    """
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"{name}(): argument '{argument}' (position 2) must be tuple of ints, "
                        f"not {type(sizes).__name__}")


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    """The same elements with another shape (one size may be -1: inferred): a view when
    the strides allow it, else a copy. ``reshape(x, (2, 3))``; the method also takes
    ``x.reshape(2, 3)``.

    Raises:
        TypeError: for a shape that is not a sequence.
        RuntimeError: if the shape cannot hold exactly ``input.numel()`` elements.
    """
    _check_sizes("reshape", "shape", shape)
    return Reshape.apply(input, tuple(shape))  # a new tensor even for the same shape, as in PyTorch


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dimensions ``start_dim`` to ``end_dim`` merged into one (a 0-d tensor gives shape (1,)).

    Raises:
        IndexError: for a dim out of range. RuntimeError: if start_dim comes after end_dim.
    """
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if input.ndim == 0:
        return input.reshape(1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:  # nothing to merge: the input itself, as PyTorch returns it
        return input
    merged = -1 if input.numel() else math.prod(input.shape[start:end + 1])
    return input.reshape(input.shape[:start] + (merged,) + input.shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one may be -1), a view.

    Raises:
        RuntimeError: for a 0-d input, empty sizes, or sizes that do not multiply up to
            the size of ``dim``. IndexError: for a dim out of range.
    """
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        raise RuntimeError(f"unflatten got an unexpected error: Dimension specified as {dim} but "
                           "tensor has no dimensions")
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = math.prod(s for s in sizes if s != -1)
    if (-1 not in sizes and known != input.shape[d]) or (
            -1 in sizes and (known == 0 or input.shape[d] % known)):
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({input.shape[d]}) in the input tensor"
        )
    return View.apply(input, input.shape[:d] + sizes + input.shape[d + 1:])


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Dimensions of size 1 removed: all of them, or those of ``dim`` (an int or a tuple;
    ``dim=()`` removes none) that have size 1. A view.

    Raises:
        IndexError: for a dim out of range. RuntimeError: for a dim given twice.
    """
    if dim is None:
        shape = tuple(n for n in input.shape if n != 1)
    else:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        wrapped = []
        for d in dims:
            d = wrap_dim(d, input.ndim)
            if d in wrapped:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims (got {list(dims)})")
            wrapped.append(d)
        shape = tuple(n for i, n in enumerate(input.shape) if not (i in wrapped and n == 1))
    return View.apply(input, shape)  # a new tensor even when nothing is squeezed, as in PyTorch


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A dimension of size 1 inserted at ``dim`` (``-1`` appends), a view.

    Raises:
        IndexError: for a dim outside [-ndim - 1, ndim].
    """
    shape = input._data.shape
    n = len(shape)
    if not -n - 1 <= dim <= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n - 1}, {n}], but got {dim})"
        )
    d = dim % (n + 1)
    return View.apply(input, shape[:d] + (1,) + shape[d:])


class Permute(Function):
    """z = x with its axes reordered (a view);  dL/dx = g with the inverse order."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return _tensor.Tensor._make_view(x, x._data.transpose(dims))

    @staticmethod
    def backward(ctx, grad_output):
        inverse = [0] * len(ctx.dims)  # axis dims[i] of x went to position i: send it back
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return Permute.apply(grad_output, tuple(inverse)), None


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    """The dimensions reordered: dimension i of the result is ``dims[i]`` of ``input`` (a
    view). ``permute(x, (2, 0, 1))``; the method also takes ``x.permute(2, 0, 1)``.

    Raises:
        TypeError: for dims that are not a sequence (the method: when none are given).
        RuntimeError: for a number of dims other than ``input.ndim``, or a dim given twice.
        IndexError: for a dim out of range.
    """
    _check_sizes("permute", "dims", dims)
    dims = tuple(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return Permute.apply(input, dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Dimensions ``dim0`` and ``dim1`` swapped (a view; usually not contiguous).

    Raises:
        IndexError: for a dim out of range (a 0-d tensor accepts only 0 and -1).
    """
    ndim = input._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    dims = list(range(ndim))
    if ndim:
        dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (of a 0-d or 1-d tensor: a view with the same shape).

    Raises:
        RuntimeError: for more than 2 dimensions.
    """
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return Permute.apply(input, (1, 0) if n == 2 else tuple(range(n)))


def matrix_transpose(input: Tensor) -> Tensor:
    """``x.mT``: the last two dimensions swapped (a batch of transposed matrices).

    Raises:
        RuntimeError: for a 1-D tensor (a 0-d one is returned with PyTorch's warning).
    """
    n = input._data.ndim
    if n == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                      "in these cases.", UserWarning, stacklevel=3)
        return input
    if n == 1:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return Permute.apply(input, (*range(n - 2), n - 1, n - 2))


def movedim(input: Tensor, source, destination) -> Tensor:
    """Dimension(s) ``source`` moved to position(s) ``destination``; the others keep their
    order (a view).

    Raises:
        RuntimeError: if source and destination differ in length or repeat a dim.
        IndexError: for a dim out of range.
    """
    source = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    destination = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(source)} dims) should contain the same number of dims as destination "
            f"({list(destination)} dims)"
        )
    src = [wrap_dim(d, input.ndim) for d in source]
    dst = [wrap_dim(d, input.ndim) for d in destination]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    if input.ndim == 0:
        return Permute.apply(input, ())
    order = [d for d in range(input.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


class Expand(Function):
    """z = x broadcast to ``shape`` (a view with stride 0);  dL/dx = g summed over the copies."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        lead = len(shape) - x._data.ndim
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


def expand(input: Tensor, *sizes) -> Tensor:
    """Size-1 dimensions broadcast to ``sizes`` without copying (-1 keeps a size; new
    leading dimensions may be added). A view with stride 0 along the broadcast dims.

    Raises:
        TypeError: when no sizes are given.
        RuntimeError: for fewer sizes than dimensions, -1 for a new leading dimension, or
            a size other than 1 that does not match.
    """
    sizes = size_args("expand", "size", sizes)
    in_shape = input._data.shape
    if len(sizes) < len(in_shape):
        raise RuntimeError(
            f"expand(tinynn.FloatTensor{{{list(in_shape)}}}, size={list(sizes)}): the number of "
            f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
            f"in the tensor ({len(in_shape)})"
        )
    lead = len(sizes) - len(in_shape)
    for i, n in enumerate(sizes[:lead]):
        if n < 0:
            raise RuntimeError(f"The expanded size of the tensor ({n}) isn't allowed in a leading, "
                               f"non-existing dimension {i}")
    shape = sizes if -1 not in sizes else tuple(
        in_shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    return Expand.apply(input, shape)  # a new tensor even for the same shape, as in PyTorch


class SumToSize(Function):
    """z = x summed down to ``shape`` (undoes broadcasting);  dL/dx = g expanded back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x_shape = x._data.shape
        shape = tuple(shape)
        lead = len(x_shape) - len(shape)
        if lead < 0:
            raise RuntimeError(f"size {list(shape)} is not expandable to size {list(x_shape)}")
        axes = list(range(lead))  # the leading axes broadcasting added, and the size-1 ones it stretched
        for i, size in enumerate(shape):
            if size != x_shape[lead + i]:
                if size != 1:
                    raise RuntimeError(f"size {list(shape)} is not expandable to size {list(x_shape)}")
                axes.append(lead + i)
        # inf + -inf = nan, as in PyTorch: no numpy warning
        out = quiet_numpy.run(np.add.reduce, x._data, axis=tuple(axes), keepdims=True) if axes else x._data
        return out.reshape(shape) if lead else out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.expand(ctx.shape), None


class Cat(Function):
    """z = the inputs joined along ``dim``;  dL/dx_k = the k-th slice of g.

    ``skip[k]`` marks a legacy empty 1-D input (shape (0,)), which PyTorch accepts next to
    tensors of any shape and leaves out: its gradient is empty too.
    """

    @staticmethod
    def forward(ctx, dim, skip, *tensors):
        ctx.dim, ctx.skip = dim, skip
        if True in skip:  # leave out the legacy empty 1-D inputs
            tensors = [t for t, s in zip(tensors, skip) if not s]
        ctx.sizes = [t._data.shape[dim] for t in tensors]
        return np.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        pieces = iter(grad_output.split(ctx.sizes, ctx.dim))
        empty = _tensor.Tensor._make(np.zeros(0, dtype=grad_output._data.dtype))
        return (None, None) + tuple(empty if s else next(pieces) for s in ctx.skip)


def _in_dtype(tensors: list, dtype: _dtype.dtype) -> list:
    """The tensors converted to ``dtype`` (the promoted dtype of ``cat`` and ``stack``)."""
    return [t if t._data.dtype == dtype.numpy_dtype else t.to(dtype) for t in tensors]


def _check_tensor_list(name: str, tensors) -> None:
    """``cat(x)`` with one tensor (not a list of them) is a TypeError in PyTorch, not a
    join of x's rows."""
    if isinstance(tensors, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join tensors along an existing dimension ``dim``, in the promoted dtype.

    Shape: all inputs have the same shape except along ``dim``; an empty 1-D tensor
    (shape (0,)) is left out whatever the others' shapes (PyTorch's legacy rule; if all are
    such, the result is one, whatever ``dim``). With ``out``, the result is written into it
    (see ``write_out``).

    Raises:
        ValueError: if the list is empty.
        RuntimeError: for a 0-d input, or other dimensions that differ.
        IndexError: for a dim out of range.
    """
    if out is not None:
        return write_out("cat", cat(tensors, dim), out)
    _check_tensor_list("cat", tensors)
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skip = tuple([t._data.shape == (0,) for t in tensors])
    if False not in skip:  # nothing but legacy empties: PyTorch returns an empty (0,) for any dim
        skip, dim = (False,) * len(tensors), 0
    first = tensors[skip.index(False)]._data.shape  # the shape the others must match
    d = wrap_dim(dim, len(first))
    dtype = _dtype.result_type(*tensors)
    for i, t in enumerate(tensors):
        shape = t._data.shape
        same_rank = len(shape) == len(first)
        if skip[i] or (same_rank and shape[:d] == first[:d] and shape[d + 1:] == first[d + 1:]):
            continue
        if not same_rank:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(first)} and {len(shape)} "
                f"(shapes: {[list(x.shape) for x in tensors]})"
            )
        j = next(j for j, (a, b) in enumerate(zip(shape, first)) if j != d and a != b)
        raise RuntimeError(
            f"Sizes of tensors must match except in dimension {d}. Expected size "
            f"{first[j]} but got size {shape[j]} for tensor number {i} in the list "
            f"(shapes: {[list(x.shape) for x in tensors]})"
        )
    return Cat.apply(d, skip, *_in_dtype(tensors, dtype))


concat = concatenate = cat


class Stack(Function):
    """z = the inputs, all of one shape, joined along a new dimension ``dim``;
    dL/dx_k = g[..., k, ...], the k-th slice of g along ``dim``.

    One node for all n inputs, its backward one ``Unbind`` of g (one node too). Written as
    n ``unsqueeze`` and a ``cat``, a stack of n tensors would record n + 1 nodes and run
    about 2n + 2 ops backward: eleven times PyTorch's time for a stack of 8 small tensors.
    """

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        # np.stack's own steps (a new axis on each input, then one concatenate) without its
        # checks, which stack() has made already: half of np.stack's time for small tensors
        new_axis = (slice(None),) * dim + (None,)
        return np.concatenate([t._data[new_axis] for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad_output):
        return (None,) + Unbind.apply(grad_output, ctx.dim)


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join same-shaped tensors along a *new* dimension ``dim``: n tensors of shape
    ``s`` give one with ``n`` inserted into ``s`` at ``dim``. With ``out``, the result is
    written into it (see ``write_out``).

    Raises:
        RuntimeError: if the shapes differ.
    """
    if out is not None:
        return write_out("stack", stack(tensors, dim), out)
    _check_tensor_list("stack", tensors)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = wrap_dim(dim, tensors[0].ndim + 1)  # the new dim may be one past the last
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                f"entry 0 and {list(t.shape)} at entry {i}"
            )
    return Stack.apply(d, *_in_dtype(tensors, _dtype.result_type(*tensors)))  # promoted, as cat's


class SplitWithSizes(Function):
    """z_0, ..., z_{k-1} = consecutive pieces of x along ``dim``, of the given ``sizes``
    (views of x);  dL/dx = cat(g_0, ..., g_{k-1}) along ``dim`` (zeros for a piece that got
    no gradient).

    One node for all k pieces: slicing k times would give k nodes whose backward each
    builds a zero tensor the size of x, k times the work for a long sequence.
    """

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        data, before = x._data, (slice(None),) * dim  # x[:, ..., start:start + size] for each piece
        pieces, start = [], 0
        for size in sizes:
            pieces.append(_tensor.Tensor._make_view(x, data[before + (slice(start, start + size),)]))
            start += size
        return tuple(pieces)

    @staticmethod
    def backward(ctx, *grad_outputs):
        return Cat.apply(ctx.dim, (False,) * len(grad_outputs), *grad_outputs), None, None


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size`` along ``dim`` (the last may be smaller), or of
    the given sizes; each piece is a view. One node records them all (``SplitWithSizes``).

    Raises:
        RuntimeError: for a 0-d tensor, a split size of 0 for a non-empty dim, or sizes
            that do not add up to the dim's size. IndexError: for a dim out of range.
    """
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    if isinstance(split_size_or_sections, (int, np.integer)) and split_size_or_sections < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size_or_sections}")
    d = wrap_dim(dim, tensor.ndim)
    length = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step == 0 and length > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}")
        if length == 0:
            sizes = [0]
        else:  # pieces of `step`, and a smaller last one where step does not divide length
            whole, rest = divmod(length, step)
            sizes = [step] * whole + [rest] if rest else [step] * whole
    else:
        sizes = [int(n) for n in split_size_or_sections]
        if any(n < 0 for n in sizes) or sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    return SplitWithSizes.apply(tensor, sizes, d)


def chunk(tensor: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of equal size (the last may be smaller), as PyTorch does.

    Raises:
        RuntimeError: for a 0-d tensor or ``chunks`` <= 0. IndexError: for a dim out of range.
    """
    if tensor.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, tensor.ndim)
    length = tensor._data.shape[d]
    if length == 0:  # PyTorch: `chunks` empty pieces
        return split(tensor, [0] * chunks, d)
    return split(tensor, -(-length // chunks), d)  # ceil division


class Unbind(Function):
    """z_i = x[..., i, ...] along ``dim``, for every i (views of x);
    dL/dx = stack(g_0, ..., g_{n-1}) along ``dim`` (one node for all n slices)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        before = (slice(None),) * dim  # x[:, ..., i] with i at position dim
        return tuple([_tensor.Tensor._make_view(x, x._data[before + (i,)]) for i in range(x._data.shape[dim])])

    @staticmethod
    def backward(ctx, *grad_outputs):
        return stack(grad_outputs, ctx.dim), None


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim``, each without that dimension, as a tuple of views.

    Raises:
        IndexError: for a 0-d tensor or a dim out of range.
    """
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.shape[d] == 0:
        return ()
    return Unbind.apply(input, d)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The view ``input[..., start:start + length, ...]`` along ``dim`` (negative start
    counts from the end).

    Raises:
        RuntimeError: for a 0-d tensor, a negative length, or a range past the end (no
            silent clipping). IndexError: for a start or dim out of range.
    """
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def flip(input: Tensor, dims: Sequence[int]) -> Tensor:
    """The order of the elements reversed along each of ``dims`` (a copy, as in PyTorch).
    ``flip(x, (0,))``; the method also takes ``x.flip(0)``.

    Raises:
        TypeError: for dims that are not a sequence.
        IndexError: for a dim out of range. RuntimeError: for a dim given twice.
    """
    _check_sizes("flip", "dims", dims)
    dims = tuple(dims)
    if not dims:
        return input.clone()
    return Flip.apply(input, normalize_dims(dims, input.ndim))


class Flip(Function):
    """z = x with its elements in reverse order along ``dims``, in fresh memory laid out as
    x's (a transposed x gives a transposed copy, as in PyTorch);  dL/dx = g flipped back
    along the same dims (a flip is its own inverse)."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x._data, dims).copy(order="K")  # (np.flip is a view with negative strides)

    @staticmethod
    def backward(ctx, grad_output):
        return Flip.apply(grad_output, ctx.dims), None


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Elements shifted along ``dims`` by ``shifts``, wrapping around (of the flattened
    tensor when ``dims`` is None). A copy.

    Raises:
        RuntimeError: if shifts and dims differ in number.
        IndexError: for a dim out of range, or any dim of a 0-d tensor.
    """
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return roll(input.reshape(-1), shifts, 0).view(input.shape)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if not dims and len(shifts) == 1:  # PyTorch: no dims, like None
        return roll(input, shifts)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input.numel() == 0:  # nothing to move: PyTorch does not even check the dims
        return input.clone()
    if input.ndim == 0:
        wrap_dim(dims[0], 0)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    out = input
    for shift, dim in zip(shifts, dims):
        d = wrap_dim(dim, input.ndim)
        n = input.shape[d]
        k = shift % n if n else 0
        if k:
            out = cat([narrow(out, d, n - k, k), narrow(out, d, 0, n - k)], d)
    return out if out is not input else input.clone()


class Clone(Function):
    """z = a copy of x in fresh memory, laid out as ``memory_format`` says;  dL/dx = g."""

    @staticmethod
    def forward(ctx, x, memory_format):
        return in_memory_format(x._data, memory_format)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, None


def clone(input: Tensor, *, memory_format: memory_format = preserve_format) -> Tensor:
    """A copy of ``input`` in fresh memory; the gradient passes through unchanged. By
    default (``preserve_format``) the copy keeps ``input``'s order in memory (a transposed
    tensor gives a transposed copy), as in PyTorch; ``contiguous_format`` gives row-major.

    Raises:
        RuntimeError: for ``channels_last`` of a tensor that is not 4-d.
    """
    return Clone.apply(input, memory_format)


class ToDtype(Function):
    """z = x converted to ``dtype``;  dL/dx = g converted back to x's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        # out-of-range values become inf (floats) or unspecified (ints), silently, as in PyTorch
        return quiet_numpy.run(_dtype.cast, x._data, dtype.numpy_dtype)

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


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """The tensor repeated ``dims[i]`` times along each dimension (like ``repeat``, but
    fewer ``dims`` than dimensions are padded with 1s in front). ``tile(x, (2, 1))``; the
    method also takes ``x.tile(2, 1)``.

    Raises:
        TypeError: for dims that are not a sequence. RuntimeError: for a negative count.
    """
    _check_sizes("tile", "dims", dims)
    return Repeat.apply(input, (1,) * (input.ndim - len(dims)) + tuple(dims))


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


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset``-th diagonal of each (dim1, dim2) plane, as a view (writes go to input).

    ``offset`` > 0 is above the main diagonal, < 0 below. Shape: input's, without dim1 and
    dim2, plus a last dimension holding the diagonal (empty if ``offset`` is past the edge).

    Raises:
        TypeError: for an argument that is not an int.
        IndexError: for a dim out of range (a 0-d or 1-d input has no dim 1).
        RuntimeError: if dim1 and dim2 are the same dimension.
    """
    for name, value in (("offset", offset), ("dim1", dim1), ("dim2", dim2)):
        if not isinstance(value, (int, np.integer)):
            raise TypeError(f"diagonal(): argument '{name}' must be int, not {type(value).__name__}")
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if input.ndim == 0 or d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal (zeros elsewhere).
    2-D input: the ``diagonal``-th diagonal as a 1-D tensor (a copy).

    Raises:
        RuntimeError: for other ranks.
    """
    k = diagonal
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        rows = np.arange(input.shape[0]) + max(-k, 0)
        return IndexAddInto.apply(input, (n, n), (rows, rows + k))
    if input.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    rows_n, cols_n = input.shape
    m = max(min(rows_n + min(k, 0), cols_n - max(k, 0)), 0)
    rows = np.arange(m) + max(-k, 0)
    return input[rows, rows + k]


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor (ints sum in int64).

    Raises:
        RuntimeError: for a tensor that is not 2-D. NotImplementedError: for bool.
    """
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return diag(input).sum()


class Tril(Function):
    """z = x on and below the ``diagonal``-th diagonal of the last two dims, 0 above it;
    dL/dx = g on and below it, 0 above: the same triangle, so the backward is this op again."""

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.tril(x._data, diagonal)

    @staticmethod
    def backward(ctx, grad_output):
        return Tril.apply(grad_output, ctx.diagonal), None


class Triu(Function):
    """z = x on and above the ``diagonal``-th diagonal of the last two dims, 0 below it;
    dL/dx = g on and above it, 0 below (this op again)."""

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return np.triu(x._data, diagonal)

    @staticmethod
    def backward(ctx, grad_output):
        return Triu.apply(grad_output, ctx.diagonal), None


def _triangle(name: str, input: Tensor, diagonal: int, lower: bool) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal) if lower else Triu.apply(input, diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims: the elements on and below the
    ``diagonal``-th diagonal; the rest 0 (and no gradient).

    Raises:
        RuntimeError: for fewer than 2 dimensions.
    """
    return _triangle("tril", input, diagonal, lower=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims: the elements on and above the
    ``diagonal``-th diagonal; the rest 0 (and no gradient).

    Raises:
        RuntimeError: for fewer than 2 dimensions.
    """
    return _triangle("triu", input, diagonal, lower=False)


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


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart, as a view.

    Shape: input's, with ``dimension`` of size (n - size) // step + 1 (the windows) and a
    new last dimension of ``size`` (the elements of each window). Windows overlap when
    step < size; the gradient of an element is then the sum over its windows.

    Raises:
        TypeError: for an argument that is not an int.
        IndexError: for a dimension out of range.
        RuntimeError: if ``size`` exceeds the dimension or is negative, or ``step`` <= 0.
    """
    for name, value in (("dimension", dimension), ("size", size), ("step", step)):
        if not isinstance(value, (int, np.integer)):
            raise TypeError(f"unfold(): argument '{name}' must be int, not {type(value).__name__}")
    d = wrap_dim(dimension, input.ndim)
    length = input.shape[d] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if input.ndim == 0:  # a 0-d tensor is one element: its only window is itself (or empty)
        return input.reshape(1)[:size]
    return Unfold.apply(input, d, int(size), int(step))

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
        IndexError: for a ``dim`` out of range, or any ``dim`` of a 0-d input.
        NotImplementedError: for a repeats tensor that is not int32 or int64 (as in PyTorch).
    """
    if repeats is None:  # repeat_interleave(counts)
        counts = input
        if counts.dtype not in (_dtype.int32, _dtype.int64):  # PyTorch's kernel counts in int32/int64 only
            raise NotImplementedError(
                f"\"repeat_interleave_cpu\" not implemented for '{_dtype.scalar_name(counts.dtype)}'")
        if counts.ndim != 1:
            raise RuntimeError(f"repeats must be 0-dim or 1-dim tensor (got shape {list(counts.shape)})")
        if np.any(counts._data < 0):
            raise RuntimeError("repeats can not be negative")
        return _tensor.Tensor._make(np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts._data))
    if isinstance(repeats, _tensor.Tensor) and repeats.ndim > 1:  # checked before the dim
        raise RuntimeError(f"repeats must be 0-dim or 1-dim tensor (got shape {list(repeats.shape)})")
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, input.ndim)
        if input.ndim == 0:  # PyTorch: a 0-d tensor has no dim to repeat along
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions "
                             "(leave dim=None to repeat a 0-d tensor's one element)")
    length = input.shape[d]
    if isinstance(repeats, _tensor.Tensor):
        if repeats.dtype not in (_dtype.int32, _dtype.int64):  # (bool and uint8 too)
            raise NotImplementedError(
                f"\"repeat_interleave_cpu\" not implemented for '{_dtype.scalar_name(repeats.dtype)}'")
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
