"""In-place ops and views: writing into memory without breaking autograd.

An in-place op (``add_``, ``relu_``, ``x[i] = v``, ``x += 1``) writes into a tensor's
own memory. Three mechanisms keep gradients right, as in PyTorch:

* **The version counter.** One counter (a one-element list) is shared by a tensor and
  every view of its memory; each in-place op increments it. A node records the version
  of each tensor it saves (``SavedTensor`` in ``autograd/function.py``), and backward
  raises if it changed: the values backward needs were overwritten.
* **Rebasing history.** With grad recorded, ``x.op_(...)`` gives ``x`` the op's
  ``grad_fn``, exactly as if we had written ``x = x.op(...)``. The op runs on a copy of
  x's old values (which it may save for backward), and the result is written into x.
* **Views share their base's history.** ``v = b.view(-1)``, ``b.t()``, ``b[0]`` and the
  other views remember their base (``v._grad_base``) and where their elements lie in
  its memory (:func:`view_positions`). After an in-place op changes the base's history
  (on the base, or through any of its views), every view's ``grad_fn`` is rebuilt from
  the base's new one: ``AsStrided`` picks the view's elements out of the base. An
  in-place op *on a view* rewrites the base's history: ``CopySlices`` is the base with
  the view's elements replaced by the op's result.

PyTorch rebuilds a view's ``grad_fn`` lazily, when it is next read and the version has
changed. tinynn reads ``grad_fn`` as a plain attribute on its hot path, so it rebuilds
them at once instead: each base keeps weak references to its views (:func:`make_view`).

The ``Tensor`` methods (``add_``, ``copy_``, ``squeeze_``, ``_inplace``...) are one-line
calls to the functions here.
"""
from __future__ import annotations

import functools
import weakref
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function, Node, quiet_numpy
from . import comparison as C
from . import elementwise as E
from . import indexing as I

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


# -- views -------------------------------------------------------------------------------
def make_view(base: Tensor, array: np.ndarray) -> Tensor:
    """Wrap ``array``, a numpy view of ``base``'s memory, as a view of ``base``.

    The view shares the version counter of the tensor that owns the memory (``_base``)
    and takes its history from its autograd base (``_grad_base``: the first tensor up
    the chain that is not itself a view; a ``detach()``-ed tensor starts a new chain).
    A view made while grad mode is off remembers it (``_view_no_grad``): PyTorch forbids
    recording an in-place op on it later.
    """
    view = object.__new__(_tensor.Tensor)
    view._data = array
    owner = base._base
    if owner is None:
        owner = grad_base = base
    else:
        grad_base = base._grad_base if base._grad_base is not None else base
    counter = owner._version_counter
    if counter is None:
        counter = owner._version_counter = [0]
    view._base, view._version_counter, view._grad_base = owner, counter, grad_base
    views = grad_base._views
    if views is None:
        grad_base._views = [weakref.ref(view)]
    else:
        views.append(weakref.ref(view))
        n = len(views)
        if n >= 16 and not n & (n - 1):  # at 16, 32, 64...: forget the views that died
            views[:] = [ref for ref in views if ref() is not None]
    if not grad_mode._grad_enabled:
        view._view_no_grad = True
    return view


def detached(tensor: Tensor) -> Tensor:
    """``tensor.detach()``: the same memory and version counter, no history, not a view
    for autograd (an in-place op on it does not touch ``tensor``'s history)."""
    alias = object.__new__(_tensor.Tensor)
    alias._data = tensor._data
    owner = tensor._base if tensor._base is not None else tensor
    if owner._version_counter is None:
        owner._version_counter = [0]
    alias._base, alias._version_counter = owner, owner._version_counter
    return alias


def view_positions(base: np.ndarray, view: np.ndarray) -> np.ndarray | None:
    """Where each element of ``view`` lies in ``base``: its number when base's elements
    are counted in row-major (C) order. An int64 array of the view's shape.

    Found from the memory addresses and strides, like PyTorch's ``as_strided`` replay
    (size, stride, storage offset), so it works for every kind of view. None when the
    view's memory is not inside base's (a ``.data`` was replaced since).
    """
    item = base.itemsize
    if view.itemsize != item:
        return None
    if view.size == 0:
        return np.zeros(view.shape, dtype=np.int64)
    offset, remainder = divmod(view.__array_interface__["data"][0] - base.__array_interface__["data"][0], item)
    if remainder or any(s % item for s in base.strides + view.strides):
        return None
    steps = [s // item for s in view.strides]
    if base.flags.c_contiguous:  # element number = memory offset: add up index * stride
        positions = np.full(view.shape, offset, dtype=np.int64)
        for dim, (size, step) in enumerate(zip(view.shape, steps)):
            positions += (np.arange(size, dtype=np.int64) * step).reshape((-1,) + (1,) * (view.ndim - dim - 1))
        if positions.min() < 0 or positions.max() >= base.size:
            return None
        return positions
    # Any other layout: number base's elements in a scratch buffer laid out as base's
    # memory, then read that buffer with the view's offset and strides.
    base_steps = [s // item for s in base.strides]
    low = sum((n - 1) * s for n, s in zip(base.shape, base_steps) if s < 0)
    high = sum((n - 1) * s for n, s in zip(base.shape, base_steps) if s > 0)
    view_low = offset + sum((n - 1) * s for n, s in zip(view.shape, steps) if s < 0)
    view_high = offset + sum((n - 1) * s for n, s in zip(view.shape, steps) if s > 0)
    if view_low < low or view_high > high:
        return None
    numbers = np.full(high - low + 1, -1, dtype=np.int64)
    size = numbers.itemsize
    laid_out = np.lib.stride_tricks.as_strided(numbers[-low:], base.shape, [s * size for s in base_steps])
    laid_out[...] = np.arange(base.size, dtype=np.int64).reshape(base.shape)
    positions = np.lib.stride_tricks.as_strided(numbers[offset - low:], view.shape, [s * size for s in steps]).copy()
    return None if positions.min() < 0 else positions


class AsStrided(Function):
    """z = the elements of x at ``positions`` (row-major numbers): a view's values read
    out of its base;  dL/dx = zeros like x with g added in at ``positions``.

    A view's rebuilt ``grad_fn`` is this node (``AsStridedBackward0``, as in PyTorch).
    """

    @staticmethod
    def forward(ctx, x, positions):
        ctx.shape, ctx.positions = x.shape, positions
        return np.asarray(np.take(x._data, positions))

    @staticmethod
    def backward(ctx, grad_output):
        return AsStridedScatter.apply(grad_output, ctx.shape, ctx.positions), None


class AsStridedScatter(Function):
    """z = zeros of ``shape`` with x added in at ``positions``;  dL/dx = g at ``positions``."""

    @staticmethod
    def forward(ctx, x, shape, positions):
        ctx.positions = positions
        out = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=x._data.dtype)
        np.add.at(out, positions.reshape(-1), x._data.reshape(-1))  # a position may repeat (expand)
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad_output):
        return AsStrided.apply(grad_output, ctx.positions), None, None


class CopySlices(Function):
    """z = base with its elements at ``positions`` replaced by ``values`` (the new value
    of a base after an in-place op on its view);
    dL/dbase = g with zeros at ``positions``,  dL/dvalues = g at ``positions``.
    """

    @staticmethod
    def forward(ctx, base, values, positions):
        ctx.positions = positions
        out = np.array(base._data, order="C", copy=True)
        out.reshape(-1)[positions] = values._data
        return out

    @staticmethod
    def backward(ctx, grad_output):
        grad_base = grad_values = None
        if ctx.needs_input_grad[0]:
            zeros = _tensor.Tensor._make(np.zeros(ctx.positions.shape, dtype=grad_output._data.dtype))
            grad_base = CopySlices.apply(grad_output, zeros, ctx.positions)
        if ctx.needs_input_grad[1]:
            grad_values = AsStrided.apply(grad_output, ctx.positions)
        return grad_base, grad_values, None


class CopySlicesNode(CopySlices._node_class):
    """The node of ``CopySlices``, named as PyTorch names it (no ``Backward0``)."""

    def name(self) -> str:
        return "CopySlices"


CopySlices._node_class = CopySlicesNode


class ViewOfNoGradView(Function):
    """The ``grad_fn`` of a view made under ``no_grad`` whose base's history then changed.

    PyTorch refuses to give such a view a history (it would be ambiguous which one);
    z = the view's values, and backward through it raises PyTorch's error.
    """

    @staticmethod
    def forward(ctx, x, positions):
        return np.asarray(np.take(x._data, positions))

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError(
            "A view was created in no_grad mode and its base or another view of its base has "
            "been modified inplace with grad mode enabled. Given that this use case is ambiguous "
            "and error-prone, it is forbidden. You can clarify your code by moving both the view "
            "and the inplace either both inside the no_grad block (if you don't want the inplace "
            "to be tracked) or both outside (if you want the inplace to be tracked)."
        )


def _made_under_no_grad(view: Tensor) -> bool:
    """True for a view made while grad mode was off (not by a recorded view op)."""
    return view._view_no_grad and (view.grad_fn is None or type(view.grad_fn) is ViewOfNoGradView._node_class)


def _multi_output_producer(view: Tensor) -> tuple | None:
    """``(output number, op name)`` for a view that is one of several outputs of one op
    (``split``, ``chunk``, ``unbind``), which PyTorch does not let an in-place op rewrite."""
    producer = view.__dict__.get("_multi_output")
    if producer is None and view.grad_fn is not None and view.grad_fn.num_outputs > 1:
        producer = (view._output_nr, view.grad_fn.name().replace("Backward0", ""))
    return producer


def _move_retained_grad(tensor: Tensor, old_node, old_output_nr: int) -> None:
    """After ``tensor`` got a new ``grad_fn``: ``retain_grad()`` follows it, as in PyTorch
    (``.grad`` is then the gradient of the tensor's new value)."""
    if not tensor._retains_grad:
        return
    retained = old_node.__dict__.get("_retained") if old_node is not None else None
    if retained and retained.get(old_output_nr) is not None and retained[old_output_nr]() is tensor:
        del retained[old_output_nr]
    if tensor.grad_fn is not None:
        tensor.grad_fn._retain(tensor._output_nr, tensor)


def rebuild_views(base: Tensor) -> None:
    """Give every live view of ``base`` a ``grad_fn`` read out of base's current one.

    Called after an in-place op changed base's history. PyTorch does the same lazily,
    when a view's ``grad_fn`` is next read.
    """
    views = base._views
    if not views or not base._requires_grad:
        return
    for ref in views:
        view = ref()
        if view is None:
            continue
        positions = view_positions(base._data, view._data)
        if positions is None:  # no longer looks into base's memory
            continue
        function = ViewOfNoGradView if _made_under_no_grad(view) else AsStrided
        producer = _multi_output_producer(view)
        if producer is not None:  # remembered: its new grad_fn no longer says so
            view._multi_output = producer
        rebuilt = function.apply(base, positions)
        old = view.grad_fn, view._output_nr
        view._requires_grad, view.grad_fn, view._output_nr = True, rebuilt.grad_fn, 0
        _move_retained_grad(view, *old)


# -- checks ------------------------------------------------------------------------------
def check_inplace(tensor: Tensor, records: bool | None = None) -> None:
    """PyTorch's refusals of an in-place op that would be recorded in the graph.

    ``records``: whether the op will be recorded (default: grad mode is on and the
    tensor requires grad).

    Raises:
        RuntimeError: on a leaf that requires grad, on a view of one, on a view made under
            ``no_grad``, on one of several views returned by one op (``split``, ``unbind``).
    """
    base = tensor._grad_base
    if records is None:
        records = grad_mode._grad_enabled and (
            tensor._requires_grad or (base is not None and base._requires_grad))
    if not records:
        return
    if base is not None:
        if _made_under_no_grad(tensor):
            raise RuntimeError(
                "A view was created in no_grad mode and is being modified inplace with grad mode "
                "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
                "You can clarify your code by moving both the view and the inplace either both "
                "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked)."
            )
        producer = _multi_output_producer(tensor)
        if producer is not None:
            raise RuntimeError(
                f"Output {producer[0]} of {producer[1]} is a view and is being modified inplace. This "
                "view is the output of a function that returns multiple views. Such functions do "
                "not allow the output views to be modified inplace. You should replace the inplace "
                "operation by an out-of-place one. (or clone() the piece first)"
            )
        if base._requires_grad and base.grad_fn is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                f"operation. (a view of shape {list(tensor.shape)} of a leaf of shape "
                f"{list(base.shape)}; wrap the update in `with tinynn.no_grad():` or use an "
                "out-of-place op.)"
            )
    elif tensor._requires_grad and tensor.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Wrap the update in `with tinynn.no_grad():`, as optimizers do, or use an "
            "out-of-place op.)"
        )


def check_no_internal_overlap(tensor: Tensor) -> None:
    """An expanded tensor (stride 0) holds one value in several places: writing a different
    result into each of them is ambiguous, so PyTorch refuses (``fill_`` is still fine).

    Raises:
        RuntimeError: for a tensor with a dimension of size > 1 and stride 0 (none for an
            empty tensor, which holds no element).
    """
    data = tensor._data
    if data.size and any(stride == 0 and size > 1 for size, stride in zip(data.shape, data.strides)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation. "
            f"(this tensor of shape {list(tensor.shape)} was expanded: stride {list(tensor.stride())})"
        )


def _write(tensor: Tensor, result: Tensor) -> None:
    """Store an op's result in ``tensor``'s memory, as PyTorch checks it (shape, dtype).

    Raises:
        RuntimeError: if the result has another shape (it broadcast ``tensor`` larger) or a
            dtype that cannot be cast to ``tensor``'s (float into int, int into bool).
    """
    if result._data.shape != tensor._data.shape:
        raise RuntimeError(
            f"output with shape {list(tensor.shape)} doesn't match the broadcast shape "
            f"{list(result.shape)}"
        )
    if result._data.dtype != tensor._data.dtype and not np.can_cast(
            result._data.dtype, tensor._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_dtype.scalar_name(result.dtype)} can't be cast to the desired "
                           f"output type {_dtype.scalar_name(tensor.dtype)}")
    if result._data.dtype == tensor._data.dtype:
        tensor._data[...] = result._data
    else:  # float64 -> float32 beyond its range is inf, as in PyTorch (numpy would warn)
        quiet_numpy.run(np.copyto, tensor._data, result._data, casting="unsafe")


# -- the in-place op ---------------------------------------------------------------------
def inplace(tensor: Tensor, function, *args) -> Tensor:
    """``tensor = function(tensor, *args)``, stored in tensor's own memory.

    ``function`` is a ``Function`` (``Relu``: called as ``Relu.apply``) or a plain
    function that returns the out-of-place result. Without a graph to record this is
    a write into the numpy array. With one, tensor's history is rebased (see the module
    docstring); on a view, the history of its base is rewritten (``CopySlices``), and
    every view of the base gets its ``grad_fn`` rebuilt.

    Raises:
        RuntimeError: see :func:`check_inplace`, :func:`check_no_internal_overlap` and
            :func:`_write` (shape and dtype of the result).
    """
    apply = function.apply if isinstance(function, type) else function
    base = tensor._grad_base
    records = grad_mode._grad_enabled and (
        tensor._requires_grad or (base is not None and base._requires_grad)
        or any(isinstance(a, _tensor.Tensor) and a._requires_grad for a in args))
    check_inplace(tensor, records)
    if function is not I.IndexPut and function is not FillWith:
        check_no_internal_overlap(tensor)
    if not records:
        _write(tensor, apply(tensor, *args))
        tensor._bump_version()
        return tensor
    if base is not None:
        positions = view_positions(base._data, tensor._data)
        if positions is None:  # its memory was replaced (``.data = ...``): no longer a view
            base = None
    # The op may save its input for backward (pow_ and clamp_ need the old values), but
    # tensor is about to be overwritten. So it runs on a copy that stands for tensor's old
    # value, with tensor's history: PyTorch saves this "original self" too.
    source = _tensor.Tensor._make(tensor._data.copy())
    source._requires_grad, source.grad_fn, source._output_nr = (
        tensor._requires_grad, tensor.grad_fn, tensor._output_nr)
    result = apply(source, *args)
    _write(tensor, result)
    if base is None:
        old = tensor.grad_fn, tensor._output_nr
        tensor._requires_grad, tensor.grad_fn, tensor._output_nr = (
            result._requires_grad, result.grad_fn, result._output_nr)
        _move_retained_grad(tensor, *old)
        base = tensor
    else:  # the base becomes: the base, with this view's elements replaced by the result
        values = result if result._data.dtype == tensor._data.dtype else result.to(tensor.dtype)
        rebased = CopySlices.apply(base, values, positions)
        old = base.grad_fn, base._output_nr
        base._requires_grad, base.grad_fn, base._output_nr = rebased._requires_grad, rebased.grad_fn, 0
        _move_retained_grad(base, *old)
    tensor._bump_version()
    rebuild_views(base)
    if result.grad_fn is not None:
        result.grad_fn._output_moved(result, tensor)
    return tensor


def inplace_arithmetic(tensor: Tensor, ufunc, function, other) -> Tensor:
    """``tensor = tensor (op) other`` in place, for ``add_``, ``sub_``, ``mul_`` and ``div_``.

    When there is no graph to record (grad mode off, as in an optimizer's step, or
    nothing requires grad), numpy writes the result straight into the tensor's memory:
    no temporary array, no copy. Otherwise the general :func:`inplace` records the op.
    """
    if grad_mode._grad_enabled and (
            tensor._requires_grad or getattr(other, "_requires_grad", False)
            or (tensor._grad_base is not None and tensor._grad_base._requires_grad)):
        return inplace(tensor, function, other)
    check_no_internal_overlap(tensor)
    dtype = _dtype.result_type(tensor, other)
    if ufunc is np.true_divide and not dtype.is_floating_point:
        dtype = _dtype.get_default_dtype()
    if not np.can_cast(dtype.numpy_dtype, tensor._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_dtype.scalar_name(dtype)} can't be cast to the desired "
                           f"output type {_dtype.scalar_name(tensor.dtype)}")
    value = E._array(other, dtype)
    try:
        shape = np.broadcast_shapes(tensor._data.shape, np.shape(value))
    except ValueError:
        raise E._broadcast_error(tensor, other) from None
    if shape != tensor._data.shape:
        raise RuntimeError(f"output with shape {list(tensor.shape)} doesn't match the broadcast shape {list(shape)}")
    if dtype is _dtype.float16 and (ufunc is np.multiply or ufunc is np.true_divide):
        # in float32, rounded once, as the out-of-place ``*`` and ``/`` (``E._binary``)
        np.copyto(tensor._data, E._binary(ufunc, tensor, other, dtype, half_in_float32=True))
    else:  # IEEE results without numpy's warnings, as in PyTorch
        quiet_numpy.run(ufunc, tensor._data, value, out=tensor._data, casting="same_kind")
    tensor._bump_version()
    return tensor


def bitwise_(tensor: Tensor, ufunc, other) -> Tensor:
    """``&=``, ``|=``, ``^=`` (``ufunc`` is ``np.bitwise_and``...): the result written into
    tensor, in its own dtype. Bool and integer tensors only, so there is no gradient.

    Raises:
        NotImplementedError: for a floating-point operand.
        RuntimeError: if the result's dtype cannot be cast to tensor's (``bool_tensor |=
            int_tensor``) or its shape is larger (the operands broadcast tensor larger).
    """
    dtype = _dtype.result_type(tensor, other)
    if not np.can_cast(dtype.numpy_dtype, tensor._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_dtype.scalar_name(dtype)} can't be cast to the desired "
                           f"output type {_dtype.scalar_name(tensor.dtype)}")
    return inplace(tensor, functools.partial(C.logical, ufunc), other)


def become(tensor: Tensor, view: Tensor) -> Tensor:
    """In-place shape ops (``squeeze_``, ``t_``...): tensor becomes ``view`` (same memory,
    new shape or strides) and, when grad is recorded, takes its ``grad_fn``, as if
    ``tensor = tensor.squeeze(dim)``."""
    if view is not tensor:
        tensor._data = view._data
        if view.grad_fn is not None:
            old = tensor.grad_fn, tensor._output_nr
            tensor._requires_grad, tensor.grad_fn, tensor._output_nr = True, view.grad_fn, view._output_nr
            _move_retained_grad(tensor, *old)
    tensor._bump_version()  # as in PyTorch: a saved tensor no longer has the shape it had
    return tensor


# -- ops that only exist in place ------------------------------------------------------------
class CopyFrom(Function):
    """z = src broadcast to x's shape (x's old values are discarded);  dL/dx = 0, dL/dsrc = g summed."""

    @staticmethod
    def forward(ctx, x, src):
        # inf or nan into an int tensor, 1e300 into float32: PyTorch's values without numpy's warning
        return quiet_numpy.run(np.broadcast_to(src._data, x.shape).astype, x._data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, grad_output


class FillWith(Function):
    """z = value everywhere;  dL/dx = 0, dL/dvalue = the sum of g (for a 0-d tensor value)."""

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, getattr(value, "_data", value), dtype=x._data.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, grad_output.sum() if ctx.needs_input_grad[1] else None


def _check_broadcasts_to(tensor: Tensor, other: Tensor) -> None:
    """PyTorch's errors for an operand that does not broadcast to ``tensor``'s shape."""
    try:
        shape = np.broadcast_shapes(tensor._data.shape, other._data.shape)
    except ValueError:
        raise E._broadcast_error(tensor, other) from None
    if shape != tensor._data.shape:
        raise RuntimeError(
            f"output with shape {list(tensor.shape)} doesn't match the broadcast shape {list(shape)}")


def copy_(tensor: Tensor, src) -> Tensor:
    """Copy ``src``'s values (broadcast, converted to tensor's dtype) into ``tensor``."""
    check_inplace(tensor)
    src = src if isinstance(src, _tensor.Tensor) else _tensor.Tensor._make(np.asarray(src))
    _check_broadcasts_to(tensor, src)
    if grad_mode._grad_enabled and (tensor.requires_grad or src.requires_grad or (
            tensor._grad_base is not None and tensor._grad_base._requires_grad)):
        return inplace(tensor, CopyFrom, src)
    check_no_internal_overlap(tensor)
    # inf or nan into an int tensor, 1e300 into float32: PyTorch's values without numpy's warning
    quiet_numpy.run(np.copyto, tensor._data, np.broadcast_to(src._data, tensor.shape), casting="unsafe")
    tensor._bump_version()
    return tensor


def fill_(tensor: Tensor, value) -> Tensor:
    """Set every element of ``tensor`` to ``value`` (a number or a 0-d tensor).

    Raises:
        RuntimeError: for a value tensor that is not 0-d, and see :func:`check_inplace`.
    """
    if isinstance(value, _tensor.Tensor) and value.ndim != 0:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    check_inplace(tensor)
    if grad_mode._grad_enabled and (tensor.requires_grad or getattr(value, "_requires_grad", False) or (
            tensor._grad_base is not None and tensor._grad_base._requires_grad)):
        return inplace(tensor, FillWith, value)
    tensor._data.fill(value.item() if isinstance(value, _tensor.Tensor)
                      else _dtype.checked_scalar(value, tensor.dtype))
    tensor._bump_version()
    return tensor
