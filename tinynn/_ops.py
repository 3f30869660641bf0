"""Tensor functions built from the Functions in ``_functions`` (their gradients come free).

``tinynn.cat``, ``stack``, ``where``, ``split``, ``var``... Each is composed of
differentiable ops, so it needs no backward of its own.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _dtype
from ._functions import elementwise as E
from ._functions import linalg as L
from ._functions import reduction as R
from ._functions import shape as S
from ._tensor import Tensor


def _tensor_operand(value, like: Tensor | None = None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor._make(np.asarray(value))


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
    d = R.normalize_dims(dim, tensors[0].ndim)[0]
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
    return S.Cat.apply(d, *(t.to(dtype) for t in tensors))


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


def where(condition: Tensor, input=None, other=None) -> Tensor:
    """``input`` where ``condition`` is True, else ``other`` (broadcast together).

    With only ``condition``, returns the indices of True elements (like ``nonzero``).
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype}")
    return E.Where.apply(condition, input, other)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size`` (the last may be smaller) or of the given sizes."""
    d = R.normalize_dims(dim, tensor.ndim)[0]
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
    d = R.normalize_dims(dim, tensor.ndim)[0]
    size = -(-tensor.shape[d] // chunks)  # ceil division
    if tensor.shape[d] == 0:  # PyTorch: `chunks` empty pieces
        return split(tensor, [0] * chunks, d)
    return split(tensor, size, d)


def var(x: Tensor, dim=None, unbiased=None, keepdim: bool = False, correction=None) -> Tensor:
    """sum (x - mean)^2 / (N - correction), built from differentiable ops."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {x.dtype})")
    dims = R.normalize_dims(dim, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims]))
    R.warn_if_no_degrees_of_freedom("var", x.numel(), n, correction)
    centered = x - x.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / max(n - correction, 0)


def floor_divide(a, b) -> Tensor:
    """Division rounded down (no gradient: it is piecewise constant).

    Raises:
        RuntimeError: "ZeroDivisionError" for integer division by zero, as in PyTorch.
    """
    dtype = _dtype.result_type(a, b)
    if dtype.category < 2 and np.any(np.asarray(E._array(b, dtype)) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return Tensor._make(np.asarray(np.floor_divide(E._array(a, dtype), E._array(b, dtype))))


def remainder(a, b) -> Tensor:
    """a - floor(a / b) * b, with the sign of b (Python's ``%``), as in PyTorch.

    Shapes broadcast. Gradients: dL/da = g, dL/db = -g * floor(a / b).

    Raises:
        RuntimeError: for integer division by zero (``ZeroDivisionError``, as PyTorch says),
            or shapes that do not broadcast.
    """
    return E.Remainder.apply(a, b)


def div_rounded(a, b, rounding_mode: str) -> Tensor:
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        q = E.Div.apply(a, b).detach()
        out = Tensor._make(np.trunc(q._data))
        dtype = _dtype.result_type(a, b)
        return out.to(dtype)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


def fmod(a, b) -> Tensor:
    """a - trunc(a / b) * b, with the sign of a (C's ``fmod``), as in PyTorch.

    Shapes broadcast. Gradients: dL/da = g, dL/db = -g * trunc(a / b).

    Raises:
        RuntimeError: for integer division by zero, or shapes that do not broadcast.
    """
    return E.Fmod.apply(a, b)


def einsum(equation: str, *operands) -> Tensor:
    """Sum of products of the operands' elements, as ``equation`` says (Einstein notation).

    ``equation`` names each operand's dimensions with one letter each, ``"ij,jk->ik"``
    (a matrix product): letters shared between operands are multiplied together, letters
    missing from the output (after ``->``) are summed over. Without ``->`` the output has
    the letters that occur exactly once, in alphabetical order (``"ij,jk"`` is
    ``"ij,jk->ik"``). A letter repeated in one operand takes its diagonal (``"ii->i"``,
    ``"ii"`` is the trace). ``...`` stands for any number of dimensions, broadcast across
    operands (``"...ij,...jk->...ik"``), and dimensions of size 1 broadcast too. The
    operands may also be given as one list: ``einsum("ij,jk", [a, b])``.

    Shape: the output has one dimension per output letter, of that letter's size.

    Raises:
        RuntimeError: for a malformed equation, a wrong number of operands or of letters
            for an operand's dimensions, sizes that do not match, or operands of
            different dtypes.
        TypeError: for an operand that is not a Tensor (the sublist form
            ``einsum(a, [0, 1], b, [1, 2])`` is not supported).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(
            "einsum(): the equation must be a string (tinynn does not support the sublist "
            "form einsum(op1, [0, 1], op2, [1, 2]); write einsum('ab,bc', op1, op2))"
        )
    for i, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(op).__name__}")
    inputs, output, sizes = L.einsum_plan(equation, [op.shape for op in operands])
    for op in operands[1:]:
        if op.dtype is not operands[0].dtype:
            raise RuntimeError(
                f"expected scalar type {_dtype.scalar_name(operands[0].dtype)} but found "
                f"{_dtype.scalar_name(op.dtype)} "
                f"(einsum operands must all have one dtype: got {operands[0].dtype} and {op.dtype}; "
                "convert one with .to(dtype))"
            )
    # dimensions of size 1 broadcast: expand them, so that each letter has one size
    broadcast = [op.expand(tuple(sizes[c] for c in term)) for op, term in zip(operands, inputs)]
    return L.Einsum.apply(tuple(inputs), output, *broadcast)


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
        return Tensor._make(np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts._data))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        d = R.normalize_dims(dim, input.ndim)[0] if input.ndim else 0
        if input.ndim == 0:
            input = input.reshape(1)
    length = input.shape[d]
    if isinstance(repeats, Tensor):
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


def write_out(name: str, result: Tensor, out: Tensor | None) -> Tensor:
    """Store ``result`` in ``out`` for the ``out=`` argument of ``tinynn.add``, ``matmul``...

    ``out`` is resized to the result's shape if needed (with PyTorch's warning when it
    had elements) and keeps its dtype. Returns ``out`` (or ``result`` when ``out`` is None).

    Raises:
        RuntimeError: if grad mode is on and an argument requires grad (an ``out=`` write
            is not recorded for backward), or the result's dtype can't be cast to ``out``'s.
    """
    if out is None:
        return result
    from .autograd import grad_mode

    if grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if not np.can_cast(result._data.dtype, out._data.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape != result.shape:
        if out.numel():
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(result.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()
    return out
