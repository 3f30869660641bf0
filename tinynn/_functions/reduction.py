"""Reductions (sum, mean, prod, max, min, amax, argmax, all, any, count_nonzero, std and
var, logsumexp, norm) and the softmax family (softmax, log_softmax).

A reduction over ``dim`` removes that axis; its backward must put it back: reshape the
gradient to the *keepdim* shape (a size-1 axis where ``dim`` was) and expand it over the
input. ``_keepdim_shape`` gives that shape.
"""
from __future__ import annotations

import builtins as _builtins  # sum, max, min, all and any below are the tensor ops
import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype, return_types
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function, quiet_numpy
from .elementwise import _check_tensor
from .indexing import ScatterAdd, _along_axis_key
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def normalize_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, an int or a sequence; negatives allowed) as a sorted tuple of axes.

    Raises:
        IndexError: for a dim out of range, with PyTorch's message.
        RuntimeError: for a dim given twice (0 and -1 are the same dim of a 0-d tensor).
        TypeError: for a dim that is not an integer (a float, a bool, None in a tuple).
    """
    if dim is None:
        return tuple(range(ndim))
    rank = _builtins.max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1
    if type(dim) is int and -rank <= dim < rank:  # the usual call, one dim in range: done
        return (dim % rank,) if ndim > 0 else ()
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim) if isinstance(dim, (tuple, list)) else None
    if dims is None or not _builtins.all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                        for d in dims):
        raise TypeError(f"argument 'dim' must be an int or a tuple of ints, not {dim!r}")
    if len(dims) == 0:
        return tuple(range(ndim))
    out = []
    for d in dims:
        if not -rank <= d < rank:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {d})"
            )
        if d % rank in out:
            raise RuntimeError(f"dim {d % rank} appears multiple times in the list of dims (got {list(dims)})")
        out.append(int(d) % rank)
    return tuple(sorted(out)) if ndim > 0 else ()


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
    if not isinstance(keepdim, bool):
        raise TypeError(f"{name}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")
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


def _with_shape(tensor, shape: tuple):
    """``tensor.reshape(shape)`` in a backward formula, or ``tensor`` itself if it has that
    shape already (the gradient of a ``keepdim=True`` reduction): the public ``reshape``
    returns a new view even then, as PyTorch's does, and the formulas need not pay for it."""
    return tensor if tensor._data.shape == tuple(shape) else tensor.reshape(shape)


def _expand_back(grad_output, input_shape: tuple, dims: tuple):
    """Put reduced axes back as size 1, then broadcast to the input's shape (a view)."""
    if len(dims) != len(input_shape):  # else reduced to a number: expand broadcasts it directly
        grad_output = _with_shape(grad_output, _keepdim_shape(input_shape, dims))
    return grad_output if grad_output._data.shape == tuple(input_shape) else grad_output.expand(input_shape)


def write_out_pair(name: str, result: tuple, out) -> tuple:
    """``out=(values, indices)`` for the ops that return both (``max(dim)``, ``sort``, ...)."""
    if out is None:
        return result
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name}(): argument 'out' must be a tuple of two Tensors (values, indices)")
    for given, computed in zip(out, result):
        if given.dtype is not computed.dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {computed.dtype}, but got "
                               f"{given.dtype} instead")
        write_out(name, computed, given)
    return type(result)(*out)


def single_dim(name: str, dim) -> None:
    """PyTorch's TypeError where an op takes one dim (an int), not a tuple or a float."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")


def check_dtype_arg(name: str, dtype) -> None:
    """PyTorch's TypeError for a ``dtype=`` that is not a dtype (``dtype="float64"``)."""
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"{name}(): argument 'dtype' must be tinynn.dtype, not {type(dtype).__name__} "
                        "(write tinynn.float64, not a string)")


def _check_out_needs_dim(name: str, dim, out) -> None:
    """PyTorch's ``sum``/``prod``/``median`` take ``out=`` only in their form with ``dim``."""
    if out is not None and dim is None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"out=Tensor): {name}(input, dim, keepdim=False, *, out=...) needs a dim")


def _check_out_with_unbiased(name: str, input: Tensor, dim, unbiased, out) -> None:
    """PyTorch's ``std(input, unbiased)`` form (no dim) has no ``out=``; and its ``out=``
    refuses an input that requires grad before it computes (and warns) anything."""
    if out is None:
        return
    if dim is None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"unbiased=bool, out=Tensor): give dim, or correction= instead of unbiased")
    if grad_mode.is_grad_enabled() and (input.requires_grad or out.requires_grad):
        write_out(name, input, out)  # raises its error: out= is not recorded for backward


def check_grad_dtype(input: Tensor, dtype) -> None:
    """PyTorch's error for a result dtype that can't carry a gradient (``sum(dtype=int64)``
    of a tensor that requires grad, with grad mode on)."""
    if (dtype is not None and not dtype.is_floating_point and input.requires_grad
            and grad_mode.is_grad_enabled()):
        raise RuntimeError(f"Autograd not support dtype: {_dtype.scalar_name(dtype)} (an integer "
                           "or bool result has no gradient: detach() first, or pick a float dtype)")


class Sum(Function):
    """z = sum_i x_i over ``dims``;  dz/dx_i = 1, so the gradient is broadcast back."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        ctx.shape, ctx.dims = x._data.shape, normalize_dims(dim, x._data.ndim)
        if dtype is None and x._data.dtype.kind in "biu":
            dtype = _dtype.int64  # PyTorch sums bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        if (out_dtype or x._data.dtype) == np.float16:  # accumulated in float32, rounded once,
            return to_half(quiet_numpy.run(np.add.reduce, x._data, axis=ctx.dims, keepdims=keepdim,  # as
                                           dtype=np.float32))                                   # PyTorch does
        # inf + -inf = nan, as in PyTorch: numpy's warnings off (quiet_numpy, function.py)
        return quiet_numpy.run(np.add.reduce, x._data, axis=ctx.dims, keepdims=keepdim, dtype=out_dtype)

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
        TypeError: for both ``dim`` and ``axis`` (or ``keepdim`` and ``keepdims``), or an
            ``input`` that is not a tensor.
        RuntimeError: for an integer ``dtype`` while ``input`` requires grad.
    """
    _check_tensor("sum", input)
    dim, keepdim = dim_alias("sum", dim, keepdim, axis, keepdims)
    _check_out_needs_dim("sum", dim, out)
    check_dtype_arg("sum", dtype)
    if dtype is not None:  # a dim out of range is reported before the dtype's grad check, as in PyTorch
        normalize_dims(dim, input.ndim)
    check_grad_dtype(input, dtype)
    result = Sum.apply(input, dim, keepdim, dtype)
    return result if out is None else write_out("sum", result, out)


class Mean(Function):
    """z = (1/N) sum_i x_i over ``dims``;  dz/dx_i = 1/N."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        if not (dtype or x.dtype).is_floating_point:
            which = "Input" if dtype is None else "Optional"
            raise RuntimeError(
                f"mean(): could not infer output dtype. {which} dtype must be either a floating "
                f"point or complex dtype. Got: {_dtype.scalar_name(dtype or x.dtype)} "
                "(call .float() first, or give dtype=tinynn.float32)"
            )
        shape = ctx.shape = x._data.shape
        ctx.dims = normalize_dims(dim, len(shape))
        ctx.count = math.prod([shape[d] for d in ctx.dims])
        data = x._data if dtype is None else x._data.astype(dtype.numpy_dtype)
        if data.dtype == np.float16:  # summed and divided in float32, rounded once, as PyTorch does
            total = quiet_numpy.run(np.add.reduce, data, axis=ctx.dims, keepdims=keepdim, dtype=np.float32)
            return to_half(quiet_numpy.run(np.true_divide, total, np.float32(ctx.count)))
        # IEEE results as in PyTorch (the mean of nothing is 0/0 = nan): numpy's warnings off
        total = quiet_numpy.run(np.add.reduce, data, axis=ctx.dims, keepdims=keepdim)
        return quiet_numpy.run(np.true_divide, total, data.dtype.type(ctx.count))

    @staticmethod
    def backward(ctx, grad_output):
        # divide, then expand: the same values, with one division per output element
        return _expand_back(grad_output / ctx.count, ctx.shape, ctx.dims), None, None, None


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None,
         out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """The mean over ``dim`` (all elements by default); ``axis``/``keepdims`` are aliases.

    Shape as :func:`sum`. ``dtype`` (a float dtype) casts first.

    Raises:
        RuntimeError: for an integer or bool input without a float ``dtype``, or an
            integer ``dtype``.
        IndexError: for a dim out of range.
    """
    _check_tensor("mean", input)
    dim, keepdim = dim_alias("mean", dim, keepdim, axis, keepdims)
    check_dtype_arg("mean", dtype)
    result = Mean.apply(input, dim, keepdim, dtype)
    return result if out is None else write_out("mean", result, out)


class Prod(Function):
    """z = prod_i x_i;  dz/dx_i = prod_{j != i} x_j (= z / x_i when no x is zero)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype=None):
        ctx.dims = normalize_dims(dim, x.ndim)
        ctx.keepdim, ctx.everything = keepdim, dim is None
        # PyTorch multiplies bool and integer tensors in int64, unless a dtype is given
        if dtype is not None:  # x was cast to it (numpy would multiply int32 in int64)
            out_dtype = dtype.numpy_dtype
        else:
            out_dtype = np.int64 if x.dtype.category < 2 else None
        # 0 * inf = nan, as in PyTorch: numpy's warnings off
        z = quiet_numpy.run(np.prod, x._data, axis=ctx.dims, keepdims=True, dtype=out_dtype)
        ctx.save_for_backward(x)
        ctx.out_keepdim = z
        return z if keepdim else np.squeeze(z, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        g = _with_shape(grad_output, ctx.out_keepdim.shape)
        if not np.any(x._data == 0):
            # g * (z / x_i), in PyTorch's order: (g * z) / x_i loses g where g z is subnormal
            return g * (Prod.apply(x, ctx.dims, True, None) / x), None, None, None
        if ctx.everything and np.count_nonzero(x._data == 0) > 1 and not grad_mode.is_grad_enabled():
            # PyTorch's shortcut for prod() of all elements with two or more zeros (outside
            # create_graph): each product of the others holds a zero, so the gradient is 0,
            # also where an inf or nan elsewhere would make the products below nan
            return _tensor.Tensor._make(np.zeros(x.shape, dtype=grad_output._data.dtype)), None, None, None
        # With zeros, z / x_i is 0/0: compute the product of the others directly
        # (exclusive cumulative products from the left and from the right).
        moved = np.moveaxis(x._data, ctx.dims, range(len(ctx.dims)))
        flat = moved.reshape((-1,) + moved.shape[len(ctx.dims):])
        def products_of_others():  # run with numpy's warnings off: IEEE results, as in PyTorch
            left = np.concatenate([np.ones_like(flat[:1]), np.cumprod(flat, axis=0)[:-1]])
            right = np.concatenate([np.cumprod(flat[::-1], axis=0)[:-1][::-1], np.ones_like(flat[:1])])
            return np.moveaxis((left * right).reshape(moved.shape), range(len(ctx.dims)), ctx.dims)
        return g * _tensor.Tensor._make(quiet_numpy.run(products_of_others)), None, None, None


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None,
         out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """The product over ``dim`` (all elements by default); ``axis``/``keepdims`` are aliases.

    Shape as :func:`sum`. ``dtype`` casts first; integer and bool inputs multiply in int64.

    Raises:
        IndexError: for a dim out of range.
        RuntimeError: for an integer ``dtype`` while ``input`` requires grad.
    """
    _check_tensor("prod", input)
    dim, keepdim = dim_alias("prod", dim, keepdim, axis, keepdims)
    _check_out_needs_dim("prod", dim, out)
    check_dtype_arg("prod", dtype)
    if dim is not None:
        single_dim("prod", dim)
        normalize_dims(dim, input.ndim)  # a dim out of range is PyTorch's first error (IndexError)
    check_grad_dtype(input, dtype)
    if dtype is not None:
        input = input.to(dtype)
    result = Prod.apply(input, dim, keepdim, dtype)
    return result if out is None else write_out("prod", result, out)


class Amax(Function):
    """z = max_i x_i over ``dims``;  the gradient is shared evenly between tied maxima.

    Where z is nan (a nan propagates), PyTorch's ``max()`` gives the gradient to the nans
    (``nan_wins``), while its ``amax`` divides by zero tied maxima: nan everywhere. Both
    are kept.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest, nan_wins):
        if x.numel() == 0:  # PyTorch checks this before the dims themselves
            name = "amax" if largest else "amin"
            if dim is None or dim == ():
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            for d in ((dim,) if isinstance(dim, (int, np.integer)) else dim):
                (axis,) = normalize_dims(d, x.ndim)
                if x.shape[axis] == 0:
                    raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        z = extreme(np.maximum if largest else np.minimum, x._data, ctx.dims)
        ctx.is_extreme = x._data == z
        if nan_wins:
            ctx.is_extreme |= np.isnan(x._data) & np.isnan(z)
        return z if keepdim else np.squeeze(z, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        # no element equals a nan maximum: 0/0 = nan, as in PyTorch (numpy's warnings off)
        share = quiet_numpy.run(np.true_divide, ctx.is_extreme, ctx.is_extreme.sum(axis=ctx.dims, keepdims=True))
        g = _with_shape(grad_output, _keepdim_shape(ctx.shape, ctx.dims))
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
        indices = arg(x._data, axis=axis, keepdims=True)             # (..., 1, ...) at dim
        values = x._data[_along_axis_key(indices, axis)]             # the entries there
        ctx.axis, ctx.shape, ctx.keepdim = axis, x.shape, keepdim
        if not keepdim:
            shape = x._data.shape[:axis] + x._data.shape[axis + 1:]
            values, indices = values.reshape(shape), indices.reshape(shape)
        indices = _tensor.Tensor._make(indices)
        ctx.save_for_backward(indices)  # an output: changing it in place before backward is caught
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_output, grad_indices):
        if not hasattr(ctx, "axis"):
            return grad_output, None, None, None
        (index,), g = ctx.saved_tensors, grad_output
        if not ctx.keepdim:
            index, g = index.unsqueeze(ctx.axis), g.unsqueeze(ctx.axis)
        return ScatterAdd.apply(g, ctx.shape, ctx.axis, index), None, None, None


def _check_not_empty(name: str, input: Tensor) -> None:
    if input._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )


def max(input: Tensor, dim=None, keepdim: bool = False, *, out=None, axis=None, keepdims=None):
    """``max(input)``: the largest value (0-d; nan if there is one); ``max(input, dim)``:
    ``(values, indices)`` along ``dim``; ``max(input, other)``: the elementwise maximum.

    The gradient of ``max(input)`` is shared evenly between tied maxima; that of
    ``max(input, dim)`` goes to the index returned.

    Raises:
        TypeError: for an ``input`` that is not a tensor.
        RuntimeError: for ``max()`` of an empty tensor.
        IndexError: for a dim out of range, or of size 0.
    """
    _check_tensor("max", input)
    dim, keepdim = dim_alias("max", dim, keepdim, axis, keepdims)
    if isinstance(dim, _tensor.Tensor):
        return input.maximum(dim) if out is None else write_out("max", input.maximum(dim), out)
    if dim is None:
        _check_not_empty("max", input)
        result = Amax.apply(input, None, False, True, True)
        return result if out is None else write_out("max", result, out)
    single_dim("max", dim)
    return write_out_pair("max", return_types.max(*MaxDim.apply(input, dim, keepdim, True)), out)


def min(input: Tensor, dim=None, keepdim: bool = False, *, out=None, axis=None, keepdims=None):
    """The smallest value, ``(values, indices)`` along ``dim``, or the elementwise minimum;
    as :func:`max`."""
    _check_tensor("min", input)
    dim, keepdim = dim_alias("min", dim, keepdim, axis, keepdims)
    if isinstance(dim, _tensor.Tensor):
        return input.minimum(dim) if out is None else write_out("min", input.minimum(dim), out)
    if dim is None:
        _check_not_empty("min", input)
        result = Amax.apply(input, None, False, False, True)
        return result if out is None else write_out("min", result, out)
    single_dim("min", dim)
    return write_out_pair("min", return_types.min(*MaxDim.apply(input, dim, keepdim, False)), out)


def amax(input: Tensor, dim=(), keepdim: bool = False, *, out: Tensor | None = None,
         axis=None, keepdims=None) -> Tensor:
    """The largest value over ``dim`` (all dims by default); a nan propagates.

    The gradient is shared evenly between tied maxima.

    Raises:
        RuntimeError: for an empty tensor without ``dim``.
        IndexError: for a dim out of range, or of size 0.
    """
    _check_tensor("amax", input)
    dim, keepdim = dim_alias("amax", dim, keepdim, axis, keepdims, no_dim=())
    result = Amax.apply(input, dim, keepdim, True, False)
    return result if out is None else write_out("amax", result, out)


def amin(input: Tensor, dim=(), keepdim: bool = False, *, out: Tensor | None = None,
         axis=None, keepdims=None) -> Tensor:
    """The smallest value over ``dim``; as :func:`amax`."""
    _check_tensor("amin", input)
    dim, keepdim = dim_alias("amin", dim, keepdim, axis, keepdims, no_dim=())
    result = Amax.apply(input, dim, keepdim, False, False)
    return result if out is None else write_out("amin", result, out)


def _arg_extreme(name: str, input: Tensor, dim, keepdim: bool, largest: bool) -> Tensor:
    _check_tensor(name, input)
    if input.dtype is _dtype.bool:
        raise RuntimeError(f"{name}(): does not support bool input (convert it first, e.g. "
                           "x.long())")
    if dim is None:
        if input._data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        index = (np.argmax if largest else np.argmin)(input._data)
        return _tensor.Tensor._make(np.asarray(index).reshape((1,) * input.ndim if keepdim else ()))
    single_dim(name, dim)
    axes = normalize_dims(dim, input.ndim)
    if not axes:  # a 0-d input: its one element is at index 0
        return _tensor.Tensor._make(np.zeros((), dtype=np.int64))
    if input.shape[axes[0]] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axes[0]} to have non-zero size.")
    index = (np.argmax if largest else np.argmin)(input._data, axis=axes[0], keepdims=keepdim)
    return _tensor.Tensor._make(index.astype(np.int64, copy=False))  # (indices have no gradient: nothing recorded)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
           out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """The index (int64) of the largest value along ``dim`` (of the flattened tensor when
    ``dim`` is None; the first one on ties; a nan counts as largest). No gradient.

    Raises:
        RuntimeError: for a bool input (as PyTorch: no such kernel).
        IndexError: for an empty tensor without ``dim``, or a dim out of range or of size 0.
    """
    dim, keepdim = dim_alias("argmax", dim, keepdim, axis, keepdims)
    result = _arg_extreme("argmax", input, dim, keepdim, True)
    return result if out is None else write_out("argmax", result, out)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
           out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """The index of the smallest value along ``dim``; as :func:`argmax`."""
    dim, keepdim = dim_alias("argmin", dim, keepdim, axis, keepdims)
    result = _arg_extreme("argmin", input, dim, keepdim, False)
    return result if out is None else write_out("argmin", result, out)


def _all_any(name: str, reduce, input: Tensor, dim, keepdim: bool) -> Tensor:
    _check_tensor(name, input)
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        axes = ()  # dim=() reduces nothing (unlike sum's): each element on its own
    else:
        axes = normalize_dims(dim, input.ndim)
    result = np.asarray(reduce(input._data, axis=axes, keepdims=keepdim))
    if input._data.dtype == np.uint8:  # PyTorch keeps uint8 (its old bool)
        result = result.astype(np.uint8)
    return _tensor.Tensor._make(result)


def all(input: Tensor, dim=None, keepdim: bool = False, *, out: Tensor | None = None,
        axis=None, keepdims=None) -> Tensor:
    """True if every element over ``dim`` is nonzero (all dims by default; ``dim=()``: none).

    A bool tensor (uint8 for a uint8 input, as PyTorch), shaped as :func:`sum`'s result.

    Raises:
        IndexError: for a dim out of range.
        RuntimeError: for a dim given twice.
    """
    dim, keepdim = dim_alias("all", dim, keepdim, axis, keepdims)
    result = _all_any("all", np.all, input, dim, keepdim)
    return result if out is None else write_out("all", result, out)


def any(input: Tensor, dim=None, keepdim: bool = False, *, out: Tensor | None = None,
        axis=None, keepdims=None) -> Tensor:
    """True if some element over ``dim`` is nonzero; as :func:`all`."""
    dim, keepdim = dim_alias("any", dim, keepdim, axis, keepdims)
    result = _all_any("any", np.any, input, dim, keepdim)
    return result if out is None else write_out("any", result, out)


def count_nonzero(input: Tensor, dim=None, *, axis=None) -> Tensor:
    """How many elements over ``dim`` (all of them by default) are not zero, as int64.

    Raises:
        IndexError: for a dim out of range.
        RuntimeError: for a dim given twice.
    """
    _check_tensor("count_nonzero", input)
    dim, _ = dim_alias("count_nonzero", dim, False, axis, None)
    axes = None if dim is None else normalize_dims(dim, input.ndim)
    return _tensor.Tensor._make(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


def to_half(values) -> np.ndarray:
    """float32 results rounded once to float16 (beyond its range: inf, without numpy's
    overflow warning, as in PyTorch). PyTorch's kernels for float16 sums, means, cumulative
    sums and softmax compute in float32 and round at the end; numpy's would round at every step.
    (Code that already runs inside ``quiet_numpy.run`` calls ``.astype(np.float16)`` itself.)"""
    return quiet_numpy.run(np.asarray(values).astype, np.float16)


def extreme(ufunc: np.ufunc, x: np.ndarray, axis: int | tuple, initial: float | None = None) -> np.ndarray:
    """``ufunc.reduce(x, axis, keepdims=True)`` for ``np.maximum`` or ``np.minimum`` (the row
    maxima that softmax subtracts) over one axis or a tuple of axes: the same values,
    faster over a short last axis.

    numpy reduces along the last axis one row at a time, at about 55 ns a row whatever its
    length: the maxima of a (4096, 10) batch of logits take 240 µs, and those of attention
    scores (32, 4, 12, 12) 93 µs. Copied transposed, to (n, rows), the same maxima come from
    combining whole rows, n vectorized passes: 21 and 11 µs, the copy included. Max and min
    are exact, so the order of the comparisons changes no value (a nan still wins). Taken
    for a contiguous array whose last axis (the one reduced) has 1 to 64 entries, in at
    least 32 rows: below that, the copy costs more than it saves (measured on an Intel
    Xeon, the Performance page's fourth machine).
    ``initial`` (-inf for softmax's maximum) is the result for an axis of no entries.
    """
    if type(axis) is tuple and len(axis) == 1:
        axis = axis[0]
    shape = x.shape
    n = shape[-1] if shape else 0
    if axis == len(shape) - 1 and 0 < n <= 64 and x.size >= 32 * n and x.flags.c_contiguous:
        columns = np.ascontiguousarray(x.reshape(-1, n).T)   # (n, rows): row i's entries down column i
        return ufunc.reduce(columns, axis=0).reshape(shape[:-1] + (1,))
    if initial is None:
        return ufunc.reduce(x, axis=axis, keepdims=True)
    return ufunc.reduce(x, axis=axis, keepdims=True, initial=initial)


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """softmax along ``dim`` in numpy, as e^{x - max} (no overflow). Softmax runs it with
    numpy's warnings off: a row of -inf (or with +inf) gives nan, as in PyTorch.

    (``extreme`` and ``np.add.reduce`` do what ``np.max`` and ``np.sum`` do, without their
    Python wrappers: on a small tensor the wrappers cost more than the math.)
    float16 is computed in float32 and rounded once, as PyTorch's kernel does.
    """
    if x.dtype == np.float16:
        return _softmax(x.astype(np.float32), dim).astype(np.float16)  # (quiet: run in quiet_numpy)
    e = np.exp(x - extreme(np.maximum, x, dim, initial=-np.inf))
    e /= np.add.reduce(e, axis=dim, keepdims=True)
    return e


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """log softmax along ``dim`` in numpy, as (x - max) - log sum e^{x - max}. LogSoftmax
    runs it with numpy's warnings off: a row of -inf gives nan, as in PyTorch. float16 is
    computed in float32 and rounded once, as PyTorch's kernel does."""
    if x.dtype == np.float16:
        return _log_softmax(x.astype(np.float32), dim).astype(np.float16)  # (quiet: run in quiet_numpy)
    shifted = x - extreme(np.maximum, x, dim, initial=-np.inf)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True))


class Softmax(Function):
    """z_i = e^{x_i} / sum_j e^{x_j} along ``dim``;  dL/dx = z * (g - sum_j g_j z_j)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        z = _tensor.Tensor._make(quiet_numpy.run(_softmax, x._data, dim))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return SoftmaxBackwardData.apply(grad_output, z, ctx.dim), None


def _softmax_backward(g: np.ndarray, z: np.ndarray, dim: int) -> np.ndarray:
    """z (g - sum_j g_j z_j) along ``dim``, in numpy (PyTorch's CPU kernel, in its order;
    float16 in float32, rounded once)."""
    if g.dtype == np.float16:
        return _softmax_backward(g.astype(np.float32), z.astype(np.float32), dim).astype(np.float16)
    return z * (g - np.add.reduce(g * z, axis=dim, keepdims=True))


class SoftmaxBackwardData(Function):
    """Softmax's backward as one op, PyTorch's ``_softmax_backward_data``:
    (g, z) -> z (g - s) along ``dim``, with s = sum_j g_j z_j and z = softmax(x).

    Written in tensor ops it is four (mul, sum, sub, mul), and every backward pass through
    a softmax (each attention layer, each step) would pay for four. As its own Function it
    is one numpy expression, and still differentiable: for b(g, z) = z (g - s),
    db/dg applied to gg is z (gg - sum_j gg_j z_j) (this op again), and
    db_i/dz_k = [i = k] (g_i - s) - z_i g_k gives gg (g - s) - g sum_j gg_j z_j for z.
    Its node is ``SoftmaxBackwardDataBackward0``, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, grad_output, z, dim):
        ctx.dim = dim
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, z)
        return quiet_numpy.run(_softmax_backward, grad_output._data, z._data, dim)  # inf * 0: nan, quietly

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, z = ctx.saved_tensors
        dim = ctx.dim
        grad_g = SoftmaxBackwardData.apply(grad_grad, z, dim) if ctx.needs_input_grad[0] else None
        grad_z = None
        if ctx.needs_input_grad[1]:
            s = (grad_output * z).sum(dim, keepdim=True)
            grad_z = grad_grad * (grad_output - s) - grad_output * (grad_grad * z).sum(dim, keepdim=True)
        return grad_g, grad_z, None


def _softmax_args(name: str, input: Tensor, dim, dtype) -> tuple:
    """``(input in dtype, dim as an axis)`` for softmax and log_softmax, with PyTorch's errors."""
    _check_tensor(name, input)
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    single_dim(name, dim)
    check_dtype_arg(name, dtype)
    (axis,) = normalize_dims(dim, input.ndim) or (0,)
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point and input.numel() > 0:  # empty: nothing to compute
        kernel = "lastdim_kernel_impl" if axis == input.ndim - 1 or input.ndim == 0 else "kernel_impl"
        raise NotImplementedError(
            f'"{name}_{kernel}" not implemented for \'{_dtype.scalar_name(input.dtype)}\' '
            "(softmax needs a float tensor: call .float() first, or give dtype=tinynn.float32)"
        )
    return input, axis


def softmax(input: Tensor, dim: int | None = None, dtype=None, *, out: Tensor | None = None,
            axis=None) -> Tensor:
    """softmax(x)_i = e^{x_i} / sum_j e^{x_j} along ``dim`` (computed as e^{x_i - max}: no
    overflow). Same shape as ``input``; ``dtype`` casts first; ``axis`` is an alias.

    Raises:
        TypeError: without ``dim``.
        NotImplementedError: for an integer or bool input with elements (as PyTorch: no
            such kernel; an empty one is returned as it is).
        IndexError: for a dim out of range.
    """
    dim, _ = dim_alias("softmax", dim, False, axis, None)
    input, dim = _softmax_args("softmax", input, dim, dtype)
    result = Softmax.apply(input, dim) if input.dtype.is_floating_point else input.clone()
    return result if out is None else write_out("softmax", result, out)


class LogSoftmax(Function):
    """z_i = x_i - log sum_j e^{x_j} along ``dim``;  dL/dx = g - softmax(x) * sum_j g_j."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        z = _tensor.Tensor._make(quiet_numpy.run(_log_softmax, x._data, dim))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return LogSoftmaxBackwardData.apply(grad_output, z, ctx.dim), None


def _log_softmax_backward(g: np.ndarray, z: np.ndarray, dim: int) -> np.ndarray:
    """g - e^z sum_j g_j along ``dim``, in numpy (e^z = softmax(x) for z = log_softmax(x);
    float16 in float32, rounded once)."""
    if g.dtype == np.float16:
        return _log_softmax_backward(g.astype(np.float32), z.astype(np.float32), dim).astype(np.float16)
    return g - np.exp(z) * np.add.reduce(g, axis=dim, keepdims=True)


class LogSoftmaxBackwardData(Function):
    """LogSoftmax's backward as one op, PyTorch's ``_log_softmax_backward_data``:
    (g, z) -> g - e^z S along ``dim``, with S = sum_j g_j and z = log_softmax(x).

    One numpy expression instead of four tensor ops (exp, sum, mul, sub). Differentiable:
    for b(g, z) = g - e^z S, db_i/dg_k = [i = k] - e^{z_i} gives gg - sum_j gg_j e^{z_j}
    for g (the transpose: not this op again), and db_i/dz_k = -[i = k] e^{z_i} S gives
    -gg e^z S for z. Its node is ``LogSoftmaxBackwardDataBackward0``, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, grad_output, z, dim):
        ctx.dim = dim
        ctx.save_for_backward(grad_output if ctx.needs_input_grad[1] else None, z)
        return quiet_numpy.run(_log_softmax_backward, grad_output._data, z._data, dim)

    @staticmethod
    def backward(ctx, grad_grad):
        grad_output, z = ctx.saved_tensors
        dim = ctx.dim
        p = z.exp()                                                  # softmax(x)
        grad_g = grad_grad - (grad_grad * p).sum(dim, keepdim=True) if ctx.needs_input_grad[0] else None
        grad_z = -grad_grad * p * grad_output.sum(dim, keepdim=True) if ctx.needs_input_grad[1] else None
        return grad_g, grad_z, None


def log_softmax(input: Tensor, dim: int | None = None, dtype=None, *, out: Tensor | None = None,
                axis=None) -> Tensor:
    """log softmax(x)_i = x_i - logsumexp(x) along ``dim``, computed stably (no exp overflow,
    no log(0)). Shape, arguments and errors as :func:`softmax`."""
    dim, _ = dim_alias("log_softmax", dim, False, axis, None)
    input, dim = _softmax_args("log_softmax", input, dim, dtype)
    result = LogSoftmax.apply(input, dim) if input.dtype.is_floating_point else input.clone()
    return result if out is None else write_out("log_softmax", result, out)


class LogSumExp(Function):
    """z = log sum_i e^{x_i} over ``dims``;  dz/dx_i = e^{x_i - z} = softmax(x)_i."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
        if x.numel():
            m = extreme(np.maximum, x._data, ctx.dims)
        else:
            m = np.zeros(_keepdim_shape(x.shape, ctx.dims), dtype=x._data.dtype)
        m = np.where(np.isfinite(m), m, 0)  # all -inf: keep log(0) = -inf, not nan
        def shifted_logsumexp():  # run with numpy's warnings off: an inf input gives inf
            return np.log(np.sum(np.exp(x._data - m), axis=ctx.dims, keepdims=True)) + m
        z = quiet_numpy.run(shifted_logsumexp)
        z = _tensor.Tensor._make(z if keepdim else np.squeeze(z, axis=ctx.dims))
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        # the output z, saved: unpacked, it carries this node as its grad_fn, so the formula
        # is differentiable (second derivatives) without computing logsumexp again
        x, z = ctx.saved_tensors
        keepdim_shape = _keepdim_shape(ctx.shape, ctx.dims)
        g = _with_shape(grad_output, keepdim_shape)
        return g * (x - _with_shape(z, keepdim_shape)).exp(), None, None


def logsumexp(input: Tensor, dim=None, keepdim: bool = False, *, out: Tensor | None = None,
              axis=None, keepdims=None) -> Tensor:
    """log sum_i e^{x_i} over ``dim`` (required), computed stably; shape as :func:`sum`.

    Integer and bool inputs give the default float dtype, as in PyTorch.

    Raises:
        TypeError: without ``dim``.
        IndexError: for a dim out of range.
    """
    _check_tensor("logsumexp", input)
    dim, keepdim = dim_alias("logsumexp", dim, keepdim, axis, keepdims, no_dim="required")
    if isinstance(dim, (tuple, list)) and not dim and not keepdim and input.ndim and input.numel():
        # dim=() reduces every dim, but PyTorch then fails to write its (1, ..., 1) result
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * input.ndim} "
                           "(logsumexp with dim=(): name the dims, or pass keepdim=True)")
    if not input.dtype.is_floating_point:
        input = input.to(_dtype.get_default_dtype())
    result = LogSumExp.apply(input, dim, keepdim)
    return result if out is None else write_out("logsumexp", result, out)


def _variance(ctx, name: str, x: Tensor, dim, correction) -> np.ndarray:
    """sum_i (x_i - mean)^2 / (N - correction) over ``dim``, keeping the reduced axes as
    size 1, in float64: PyTorch accumulates a float32 variance in double on the CPU (a
    float32 std of values near 1e30 is finite, though their squares are not). The caller
    casts the result back. Sets ``ctx.shape``, ``ctx.dims`` and ``ctx.divisor`` (N -
    correction, at least 0)."""
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {x.dtype})")
    ctx.shape, ctx.dims = x.shape, normalize_dims(dim, x.ndim)
    count = math.prod(x._data.shape[d] for d in ctx.dims)
    warn_if_no_degrees_of_freedom(name, x.numel(), count, correction)
    ctx.divisor = _builtins.max(count - correction, 0)
    # N - correction = 0 gives nan, and an inf input inf or nan, as in PyTorch
    data = x._data.astype(np.float64, copy=False)

    def variance():  # run with numpy's warnings off (quiet_numpy): IEEE results
        centered = data - np.sum(data, axis=ctx.dims, keepdims=True) / np.float64(count)
        return np.sum(centered * centered, axis=ctx.dims, keepdims=True) / np.float64(ctx.divisor)
    return quiet_numpy.run(variance)


def _in_dtype(value: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``value`` cast to ``like``'s dtype (a value beyond its range becomes inf, quietly)."""
    return quiet_numpy.run(value.astype, like.dtype, copy=False)


class Var(Function):
    """v = sum_i (x_i - mean)^2 / (N - correction) over ``dims``;
    dv/dx_i = 2 (x_i - mean) / (N - correction).

    (The mean depends on x too, but that term is 2/(N - c) * sum_i (x_i - mean) * dmean/dx = 0.
    Leaving it out also keeps one inf or nan in x from spreading to every gradient, as in
    PyTorch.)
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, correction):
        v = _in_dtype(_variance(ctx, "var", x, dim, correction), x._data)
        ctx.save_for_backward(x)
        return v if keepdim else np.squeeze(v, axis=ctx.dims)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        g = _with_shape(grad_output, _keepdim_shape(ctx.shape, ctx.dims))  # reduced axes back as size 1
        two_over = math.inf if ctx.divisor == 0 else 2.0 / ctx.divisor  # 2/0 = inf, as in PyTorch
        return g * two_over * (x - x.mean(ctx.dims, keepdim=True)), None, None, None


class Std(Function):
    """z = sqrt(v), v = sum_i (x_i - mean)^2 / (N - correction) over ``dims``;
    dz/dx_i = (x_i - mean) / ((N - correction) z), taken as 0 where z = 0.

    At z = 0 (all values equal) sqrt has an infinite slope and the chain rule would give
    0 * inf = nan; PyTorch defines the gradient there as 0, and so does tinynn.
    """

    @staticmethod
    def forward(ctx, x, dim, keepdim, correction):
        z = _in_dtype(np.sqrt(_variance(ctx, "std", x, dim, correction)), x._data)
        # the output itself is saved (not a copy of its values): in a double backward, z is
        # then a function of x, as it must be
        z = _tensor.Tensor._make(z if keepdim else np.squeeze(z, axis=ctx.dims))
        ctx.save_for_backward(x, z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        keep = _keepdim_shape(ctx.shape, ctx.dims)  # reduced axes back as size 1
        z, g = _with_shape(z, keep), _with_shape(grad_output, keep)
        centered = x - x.mean(ctx.dims, keepdim=True)
        scale = (g / (z * ctx.divisor)).masked_fill(z == 0, 0.0)
        return centered * scale, None, None, None


def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None, out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """Standard deviation: the square root of ``var`` (gradient 0 where it is 0, as in PyTorch).

    Shape: ``input``'s without ``dim`` (kept as size 1 with ``keepdim``); a 0-d result
    when ``dim`` is None. ``correction`` (default 1, or 0 with ``unbiased=False``) is
    subtracted from N; ``axis``/``keepdims`` are aliases.

    Raises:
        RuntimeError: for an integer input, or a dim out of range.
    """
    _check_tensor("std", input)
    dim, keepdim = dim_alias("std", dim, keepdim, axis, keepdims)
    _check_out_with_unbiased("std", input, dim, unbiased, out)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    result = Std.apply(input, dim, keepdim, correction)
    return result if out is None else write_out("std", result, out)


def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None, out: Tensor | None = None, axis=None, keepdims=None) -> Tensor:
    """Variance: sum (x - mean)^2 / (N - correction) over ``dim`` (see ``Var``).

    Shape and arguments as :func:`std`; correction=1 (unbiased) by default.

    Raises:
        RuntimeError: for an integer input, or a dim out of range.
    """
    _check_tensor("var", input)
    dim, keepdim = dim_alias("var", dim, keepdim, axis, keepdims)
    _check_out_with_unbiased("var", input, dim, unbiased, out)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    result = Var.apply(input, dim, keepdim, correction)
    return result if out is None else write_out("var", result, out)


def _norm(a: np.ndarray, p: float, dims: tuple, keepdim: bool, shortcut: bool = True):
    """The p-norm of ``a`` (|x|, or x itself for p = 2) over ``dims``, in numpy. Norm runs
    it with numpy's warnings off: IEEE results (an overflow gives inf), as in PyTorch."""
    if shortcut and p != 0 and math.prod([a.shape[d] for d in dims]) == 1:
        # the norm of one element is |x| for every p, as PyTorch computes it: no x^p to overflow
        return np.max(np.abs(a), axis=dims, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    if p == 0:
        return np.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
    if p == math.inf:
        return np.max(a, axis=dims, keepdims=keepdim, initial=0)
    if p == -math.inf:
        return np.min(a, axis=dims, keepdims=keepdim, initial=np.inf)
    if p == 1:
        return np.sum(a, axis=dims, keepdims=keepdim)
    return np.sum(a ** a.dtype.type(p), axis=dims, keepdims=keepdim) ** a.dtype.type(1 / p)


def _two_norm_backward(g: np.ndarray, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """g (x / z), with x / z taken as 0 where z = 0, in numpy (g and z broadcast against x):
    PyTorch's formula in its order, so a nan or inf g at a zero norm gives nan, as there."""
    zero = z == 0
    return g * np.where(zero, 0, x / np.where(zero, 1, z))


class TwoNormBackward(Function):
    """The 2-norm's backward as one op: (g, x, z) -> g x / z, with x / z taken as 0 where the
    norm z is 0 (PyTorch's subgradient there). g and z keep the reduced axes as size 1.

    Written in tensor ops it would be six (two comparisons, two masked fills, a division,
    a product) in every backward pass through a norm (each ``F.normalize``); here it is one
    numpy expression, the same operations in the same order. Differentiable: with s = g / z (0 where z = 0)
    and an incoming gradient P of x s, dL/dx = P s, dL/dg = sum(P x) / z and
    dL/dz = -sum(P x) s / z, the sums over the reduced axes, all 0 where z = 0.
    """

    @staticmethod
    def forward(ctx, grad_output, x, z):
        ctx.save_for_backward(grad_output, x, z)
        return quiet_numpy.run(_two_norm_backward, grad_output._data, x._data, z._data)

    @staticmethod
    def backward(ctx, grad_grad):
        g, x, z = ctx.saved_tensors
        zero = z == 0
        safe_z = z.masked_fill(zero, 1.0)
        s = (g / safe_z).masked_fill(zero, 0.0)
        needs = ctx.needs_input_grad
        summed = (grad_grad * x).sum_to_size(z.shape) if needs[0] or needs[2] else None  # sum(P x)
        grad_g = (summed / safe_z).masked_fill(zero, 0.0) if needs[0] else None
        grad_x = grad_grad * s if needs[1] else None
        grad_z = (-summed * s / safe_z).masked_fill(zero, 0.0) if needs[2] else None
        return grad_g, grad_x, grad_z


class Norm(Function):
    """The vector p-norm over ``dims``: z = (sum_i |x_i|^p)^(1/p); p = 2 is sqrt(sum_i x_i^2),
    p = inf max_i |x_i|, p = -inf min_i |x_i|, p = 0 the count of nonzero x_i.

    dz/dx_i = x_i |x_i|^(p-2) / z^(p-1)  (p = 2: x_i / z;  p = 1: sign(x_i));
    for p = +-inf, sign(x_i) shared evenly between the |x_i| equal to z; for p = 0, none.
    Where z = 0 the norm has no derivative and PyTorch uses the subgradient 0; for p < 1,
    where x_i = 0, |x_i|^(p-1) is infinite and PyTorch takes that term as 0. So does tinynn
    (the zeros are masked before the power, so no inf or nan is formed).
    """

    @staticmethod
    def forward(ctx, x, p, dim, keepdim):
        ctx.shape, ctx.dims, ctx.p = x.shape, normalize_dims(dim, x.ndim), p
        a = x._data if p == 2 else np.abs(x._data)
        shortcut = not (x._data.ndim == 0 and dim is not None)  # PyTorch's: not for a 0-d tensor given a dim
        norm = quiet_numpy.run(_norm, a, p, ctx.dims, keepdim, shortcut)
        z = _tensor.Tensor._make(np.asarray(norm, dtype=a.dtype))
        ctx.save_for_backward(x, z)  # the output itself: differentiable in a double backward
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None
        keep = _keepdim_shape(ctx.shape, ctx.dims)  # reduced axes back as size 1
        z, g = _with_shape(z, keep), _with_shape(grad_output, keep)
        if p == 1:
            return x.sign() * g, None, None, None
        if p == 2:
            return TwoNormBackward.apply(g, x, z), None, None, None
        a = x.abs()
        if p in (math.inf, -math.inf):
            hit = ((a == z) | a.isnan()).to(x.dtype)  # a nan is the norm: it gets the gradient
            return x.sign() * hit * (g / hit.sum(ctx.dims, keepdim=True)), None, None, None
        zero = x == 0
        if p < 1:  # |x_i|^(p-1) is infinite at x_i = 0: that term is 0
            scaled = x.sign() * a.masked_fill(zero, 1.0).pow(p - 1).masked_fill(zero, 0.0)
            return scaled * g * z.pow(1 - p), None, None, None
        scaled = x.sign() * a.pow(p - 1) if p < 2 else x * a.pow(p - 2)
        scale = (g / z.masked_fill(z == 0, 1.0).pow(p - 1)).masked_fill(z == 0, 0.0)
        return scaled * scale, None, None, None


class NuclearNorm(Function):
    """z = sum_i s_i, the sum of the singular values of each matrix over ``dims`` (two of them);
    dz/dX = U V^T, from the (reduced) SVD X = U diag(s) V^T.

    The backward uses U V^T as a constant: a first derivative, not differentiable again
    (tinynn has no SVD op), so a double backward raises instead of giving a wrong result.
    """

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        matrices = np.moveaxis(x._data, dims, (-2, -1))
        if matrices.size == 0:
            s = np.zeros(matrices.shape[:-2] + (0,), dtype=x._data.dtype)
            ctx.uv = np.zeros(matrices.shape, dtype=x._data.dtype)
        else:
            u, s, vh = np.linalg.svd(matrices, full_matrices=False)
            ctx.uv = u @ vh
        z = s.sum(-1)
        if keepdim:
            z = np.expand_dims(z, dims)
        return np.asarray(z, dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        if grad_mode.is_grad_enabled():
            raise RuntimeError("norm(p='nuc'): the second derivative of the nuclear norm is not "
                               "implemented in tinynn (create_graph=True through it)")
        g = grad_output._data
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dims)
        g = np.moveaxis(g, ctx.dims, (-2, -1))
        grad = np.moveaxis(g * ctx.uv.astype(g.dtype), (-2, -1), ctx.dims)
        return _tensor.Tensor._make(np.ascontiguousarray(grad)), None, None


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out: Tensor | None = None,
         dtype=None) -> Tensor:
    """The p-norm of ``input`` over ``dim`` (all elements by default), as ``torch.norm``.

    A number ``p`` gives the vector norm over every dim named (see ``Norm``); ``"fro"``
    (the default) is the 2-norm over one or two dims, or all of them when ``dim`` is None;
    ``"nuc"`` the sum of singular values over two dims (see ``NuclearNorm``).
    Shape: ``input``'s without ``dim`` (kept as size 1 with ``keepdim``). ``dtype`` casts first.

    Raises:
        RuntimeError: for an integer or bool input, ``"fro"`` over three or more dims,
            an order PyTorch does not know, or p = +-inf over an empty dim.
        IndexError: for a dim out of range.
    """
    _check_tensor("norm", input)
    check_dtype_arg("norm", dtype)
    if p is None:
        p = "fro"
    if not isinstance(p, (str, int, float, np.number)) or isinstance(p, bool):
        raise TypeError(f"norm(): argument 'p' must be a number or 'fro' or 'nuc', not {type(p).__name__}")
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype.scalar_name(input.dtype)} (call .float() first)")
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim) if isinstance(dim, (tuple, list)) else dim
    if dims is not None and not isinstance(dims, tuple):
        normalize_dims(dims, input.ndim)  # raises PyTorch's TypeError for a dim of another type
    if isinstance(p, str):
        if isinstance(dims, tuple) and not _builtins.all(isinstance(d, (int, np.integer)) for d in dims):
            normalize_dims(dims, input.ndim)  # raises PyTorch's TypeError for a dim of another type
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        named = dims if dims is not None else tuple(range(input.ndim))
        if (dims is not None and len(dims) > 2) or (p == "nuc" and len(named) != 2):
            shown = " ".join(str(d) for d in named)
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {shown}")
        if p == "nuc":
            if input.ndim < 2:
                raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                                   f"dimensions (got {input.ndim})")
            axes = tuple(normalize_dims(d, input.ndim)[0] for d in named)
            if axes[0] == axes[1]:
                raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {tuple(named)}")
            result = NuclearNorm.apply(input, axes, keepdim)
            return result if out is None else write_out("norm", result, out)
        p = 2
    if p in (math.inf, -math.inf) and _builtins.any(input.shape[d] == 0 for d in normalize_dims(dims, input.ndim)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'inf' if p > 0 else '-inf'} norm on "
                           "an empty tensor because the operation does not have an identity")
    result = Norm.apply(input, float(p), dims, keepdim)
    return result if out is None else write_out("norm", result, out)
