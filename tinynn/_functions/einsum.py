"""``einsum``: sums of products of tensors, written in Einstein notation.

``einsum("ij,jk->ik", a, b)`` is a matrix product; ``einsum("ii", a)`` the trace. The plan
(``einsum_plan``) reads the equation, spells out ``...`` and implicit outputs, and checks
the sizes; the Function ``Einsum`` computes it with numpy and its backward is an einsum
again, one per operand, so it is differentiable to any order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function, quiet_numpy

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor

#: Subscript letters in PyTorch's label order (upper case first), used for implicit outputs
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _einsum_error(message: str) -> RuntimeError:
    return RuntimeError(f"einsum(): {message}")


def _split_term(term: str, offset: int, who: str) -> tuple:
    """``term`` as (letters before '...', letters after '...' or None if there is no '...').

    ``offset`` is where the term starts in the equation (for the invalid-subscript message).
    """
    before, after, i = [], None, 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if term[i:i + 3] != "...":
                raise _einsum_error(f"found '.' for {who} that is not part of any ellipsis")
            if after is not None:
                raise _einsum_error(f"found '.' for {who} for which an ellipsis was already found")
            after, i = [], i + 3
            continue
        if c not in LETTERS:
            raise _einsum_error(
                f"invalid subscript given at index {offset + i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
        (before if after is None else after).append(c)
        i += 1
    return "".join(before), None if after is None else "".join(after)


def einsum_plan(equation: str, shapes: list) -> tuple:
    """Parse ``equation`` for operands of ``shapes``: ``(inputs, output, sizes)``.

    ``inputs`` (one string per operand) and ``output`` use one letter per dimension: each
    ``...`` is replaced by letters the equation does not use (one per dimension it covers,
    aligned from the right across operands, as broadcasting aligns them), and an implicit
    output (no ``->``) is spelled out: the ellipsis dims, then the letters that occur
    exactly once, in alphabetical order (upper case first). ``sizes`` maps each letter to
    its size after broadcasting (a dimension of size 1 broadcasts against any size).

    Raises:
        RuntimeError: for a malformed equation, a wrong number of operands or subscripts,
            or sizes that do not match, with PyTorch's messages.
    """
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise _einsum_error("fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise _einsum_error("more operands were provided than specified in the equation")
    parsed, offset = [], 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        before, after = _split_term(term, offset, f"operand {k}")
        offset += len(term) + 1
        n_letters = len(before) + len(after or "")
        if after is None and n_letters != len(shape):
            raise _einsum_error(
                f"the number of subscripts in the equation ({n_letters}) does not match the number "
                f"of dimensions ({len(shape)}) for operand {k} and no ellipsis was given"
            )
        if after is not None and n_letters > len(shape):
            raise _einsum_error(
                f"the number of subscripts in the equation ({n_letters}) is more than the number "
                f"of dimensions ({len(shape)}) for operand {k}"
            )
        parsed.append((before, after, len(shape) - n_letters if after is not None else 0))
    used = set(equation)
    n_ellipsis = max((covered for _, _, covered in parsed), default=0)
    ellipsis = "".join([c for c in LETTERS if c not in used][:n_ellipsis])
    if len(ellipsis) < n_ellipsis:
        raise _einsum_error("too many dimensions: an equation can use at most 52 subscripts")
    inputs = [before + (ellipsis[n_ellipsis - covered:] if after is not None else "") + (after or "")
              for before, after, covered in parsed]
    if arrow:
        before, after = _split_term(rhs, len(lhs) + 2, "output")
        for c in before + (after or ""):
            if c not in lhs:
                raise _einsum_error(f"output subscript {c} does not appear in the equation for any input operand")
        output = before + (ellipsis if after is not None else "") + (after or "")
        for c in output:
            if output.count(c) > 1:
                raise _einsum_error(f"output subscript {c} appears more than once in the output")
    else:
        counts = "".join(inputs)
        output = ellipsis + "".join(c for c in LETTERS if c not in ellipsis and counts.count(c) == 1)
    sizes = {}
    for k, (term, shape) in enumerate(zip(inputs, shapes)):
        own = {}
        for c, size in zip(term, shape):
            if own.setdefault(c, size) != size:
                raise _einsum_error(
                    f"subscript {c} is repeated for operand {k} but the sizes don't match, {size} != {own[c]}"
                )
        for c, size in own.items():
            seen = sizes.setdefault(c, size)
            if seen == 1:
                sizes[c] = size
            elif size not in (1, seen):
                raise _einsum_error(
                    f"subscript {c} has size {size} for operand {k} which does not broadcast with "
                    f"previously seen size {seen} (operand shapes {[list(s) for s in shapes]}, "
                    f"equation {','.join(inputs)}->{output} with '...' spelled out)"
                )
    return inputs, output, sizes


class Einsum(Function):
    """Z = einsum(inputs -> output, *operands): the product of the operands, summed over the
    subscripts that are not in the output. Every operand enters linearly, so

        dL/d(operand k) = einsum(output, other inputs -> input k)(g, other operands),

    with two repairs to make that a valid einsum: a subscript repeated in operand k
    (``ii``: its diagonal) gets the gradient on that diagonal only (an identity matrix
    joins the product, ``i, iJ -> iJ``), and a subscript that only operand k has (summed
    away in it alone, ``ij -> i``) gets the gradient copied along it (a vector of ones
    joins the product). The backward is itself an ``Einsum``, so it is differentiable.

    ``inputs`` and ``output`` are spelled out (see ``einsum_plan``) and the operands already
    broadcast: every occurrence of a subscript has the same size.
    """

    @staticmethod
    def forward(ctx, inputs, output, *operands):
        ctx.inputs, ctx.output = inputs, output
        ctx.shapes = tuple([op._data.shape for op in operands])
        # operand k's gradient is a product of the *other* operands: save an operand only
        # if another one needs a gradient (as PyTorch saves only what backward will use)
        needing = sum(ctx.needs_input_grad[2:])
        ctx.save_for_backward(*[op if needing - needs > 0 else None
                                for op, needs in zip(operands, ctx.needs_input_grad[2:])])
        arrays = [op._data for op in operands]
        out = quiet_numpy.run(np.einsum, ",".join(inputs) + "->" + output, *arrays,  # IEEE results,
                              optimize=len(arrays) > 1)                          # no warning
        out = np.asarray(out)
        if len(arrays) == 1 and np.may_share_memory(out, arrays[0]):  # a transpose or diagonal
            if out.flags.writeable:
                return _tensor.Tensor._make_view(operands[0], out)  # a view, as in PyTorch
            out = out.copy()
        return out

    @staticmethod
    def backward(ctx, grad_output):
        operands = ctx.saved_tensors
        grads = [
            _einsum_operand_grad(grad_output, ctx.output, ctx.inputs, operands, ctx.shapes, k)
            if ctx.needs_input_grad[k + 2] else None
            for k in range(len(operands))
        ]
        return (None, None, *grads)


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
        if not isinstance(op, _tensor.Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(op).__name__}")
    inputs, output, sizes = einsum_plan(equation, [op.shape for op in operands])
    for op in operands[1:]:
        if op.dtype is not operands[0].dtype and operands[0].dtype is _dtype.bool:
            raise NotImplementedError("\"bmm\" not implemented for 'Bool' (einsum of a bool "
                                      f"tensor and a {op.dtype} one; convert the bool one first)")
        if op.dtype is not operands[0].dtype:
            raise RuntimeError(
                f"expected scalar type {_dtype.scalar_name(operands[0].dtype)} but found "
                f"{_dtype.scalar_name(op.dtype)} "
                f"(einsum operands must all have one dtype: got {operands[0].dtype} and {op.dtype}; "
                "convert one with .to(dtype))"
            )
    # dimensions of size 1 broadcast: expand them, so that each letter has one size
    broadcast = [op.expand(tuple(sizes[c] for c in term)) for op, term in zip(operands, inputs)]
    if operands and not operands[0].dtype.is_floating_point:
        broadcast = _integer_operands(inputs, output, broadcast)
    return Einsum.apply(tuple(inputs), output, *broadcast)


def _integer_operands(inputs: list, output: str, operands: list) -> list:
    """Integer and bool operands in the dtype PyTorch computes them in.

    PyTorch first sums each operand over the subscripts only it has (and the output does
    not): like ``sum``, that gives int64. The rest is a product of pairs (``bmm``), which
    keeps the dtype and has no bool kernel.

    Raises:
        NotImplementedError: for bool operands that must be multiplied and summed together.
    """
    letters = ["".join(dict.fromkeys(term)) for term in inputs]
    alone = [any(c not in output and all(c not in other for j, other in enumerate(letters) if j != k)
                 for c in term) for k, term in enumerate(letters)]
    if any(alone):
        return [op.to(_dtype.int64) for op in operands]
    contracted = any(c not in output and sum(c in term for term in letters) > 1 for c in "".join(letters))
    if operands[0].dtype is _dtype.bool and contracted:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool' (einsum of bool tensors that are "
                                  "multiplied and summed; convert them with .long())")
    return operands


def _einsum_operand_grad(g, output: str, inputs: tuple, operands: tuple, shapes: tuple, k: int):
    """dL/d(operand k) of ``einsum(inputs -> output)`` as an einsum (see ``Einsum``); of the
    ``operands``, it reads all but the k-th (which may be None), and of ``shapes``, all."""
    sizes = {c: n for term, shape in zip(inputs, shapes) for c, n in zip(term, shape)}
    fresh = iter(c for c in LETTERS if c not in set("".join(inputs)))
    terms, tensors = [output], [g]
    for j, (term, op) in enumerate(zip(inputs, operands)):
        if j != k:
            terms.append(term)
            tensors.append(op)
    target, seen = [], set()
    for c in inputs[k]:
        if c in seen:  # a repeated subscript: only its diagonal is read, only it gets gradient
            other = next(fresh, None)
            if other is None:
                raise _einsum_error("too many subscripts to differentiate this equation")
            terms.append(c + other)
            tensors.append(_tensor.Tensor._make(np.eye(sizes[c], dtype=g._data.dtype)))
            target.append(other)
        else:
            seen.add(c)
            target.append(c)
    available = set("".join(terms))
    # a subscript summed away in operand k alone: the gradient is constant along it
    for c in dict.fromkeys(c for c in inputs[k] if c not in available):
        terms.append(c)
        tensors.append(_tensor.Tensor._make(np.ones(sizes[c], dtype=g._data.dtype)))
    return Einsum.apply(tuple(terms), "".join(target), *tensors)
