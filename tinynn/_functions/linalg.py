"""Matrix multiplication, for every rank ``torch.matmul`` accepts.

For ``Z = A @ B`` with ``A`` (n, k) and ``B`` (k, m):  dL/dA = G @ B^T  and  dL/dB = A^T @ G.
Batched inputs use the same formulas on the last two axes (batch axes broadcast, and the
engine sums the gradient over broadcast batch axes). A 1-D ``A`` is a row vector (1, k),
a 1-D ``B`` a column vector (k, 1); the added axis is removed again afterwards.

``einsum`` is here too: its backward is an einsum again, one per operand.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd.function import Function
from .out import write_out

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def _shape_str(shape: tuple) -> str:
    return "x".join(str(s) for s in shape)


def _matmul_error(a_shape: tuple, b_shape: tuple) -> RuntimeError:
    """PyTorch's message for each kind of mismatch."""
    if len(a_shape) == 0 or len(b_shape) == 0:
        return RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are "
            f"{len(a_shape)}D and {len(b_shape)}D"
        )
    if len(a_shape) == 1 and len(b_shape) == 1:
        return RuntimeError(
            f"inconsistent tensor size, expected tensor [{a_shape[0]}] and src [{b_shape[0]}] to "
            f"have the same number of elements, but got {a_shape[0]} and {b_shape[0]} elements respectively"
        )
    if len(a_shape) == 2 and len(b_shape) == 1:
        return RuntimeError(f"size mismatch, got input ({a_shape[0]}), mat ({_shape_str(a_shape)}), vec ({b_shape[0]})")
    if len(a_shape) <= 2 and len(b_shape) <= 2:
        rows = a_shape if len(a_shape) == 2 else (1,) + a_shape
        return RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(rows)} and {_shape_str(b_shape)})"
        )
    if a_shape[-1] != (b_shape[-2] if len(b_shape) > 1 else b_shape[0]):
        return RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a_shape[0] if len(a_shape) > 2 else 1}, {a_shape[-1]}] but got: "
            f"[{b_shape[0] if len(b_shape) > 2 else 1}, {b_shape[-2] if len(b_shape) > 1 else b_shape[0]}]. "
            f"(matmul of shapes {list(a_shape)} and {list(b_shape)}: the last dim of the first "
            "must equal the second-to-last dim of the second)"
        )
    batch_a, batch_b = a_shape[:-2], b_shape[:-2]
    n = max(len(batch_a), len(batch_b))
    pa = (1,) * (n - len(batch_a)) + batch_a
    pb = (1,) * (n - len(batch_b)) + batch_b
    dim = next(i for i in range(n) if pa[i] != pb[i] and 1 not in (pa[i], pb[i]))
    return RuntimeError(
        f"The size of tensor a ({pa[dim]}) must match the size of tensor b ({pb[dim]}) at "
        f"non-singleton dimension {dim} (batch dims of matmul shapes {list(a_shape)} and {list(b_shape)})"
    )


class Matmul(Function):
    """Z = A @ B;  dL/dA = G @ B^T,  dL/dB = A^T @ G (on the last two axes)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype is not b.dtype:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
            )
        ctx.save_for_backward(a, b)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # inf * 0 = nan, as in PyTorch
                return np.matmul(a._data, b._data)
        except ValueError:
            raise _matmul_error(a.shape, b.shape) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        a2 = a.unsqueeze(0) if a.ndim == 1 else a    # (k,) -> (1, k)
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b   # (k,) -> (k, 1)
        g = grad_output
        if a.ndim == 1:
            g = g.unsqueeze(-1 if b.ndim == 1 else -2)  # restore the row axis of A
        if b.ndim == 1:
            g = g.unsqueeze(-1)                          # restore the column axis of B
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = g @ b2.transpose(-1, -2)           # (..., n, k)
            if a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if ctx.needs_input_grad[1]:
            grad_b = a2.transpose(-1, -2) @ g           # (..., k, m)
            if b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b




# -- einsum ------------------------------------------------------------------------------
#: Subscript letters in PyTorch's label order (upper case first), used for implicit outputs


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix product for every rank (``input @ other``, the Function ``Matmul``).

    Shape: (n, m) @ (m, p) -> (n, p); 1-D operands are a row or a column vector;
    leading (batch) dimensions broadcast. With ``out``, the result is written into it.

    Raises:
        RuntimeError: if the inner dimensions differ, or an operand is 0-D.
    """
    return write_out("matmul", input @ other, out)


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix times matrix: (n, m) and (m, p) -> (n, p).

    Raises:
        RuntimeError: if an operand is not 2-D or the inner dimensions differ.
    """
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"self must be a matrix (mm got shapes {list(input.shape)} and {list(mat2.shape)})")
    result = input @ mat2
    return result if out is None else write_out("mm", result, out)


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """A batch of matrix products: (b, n, m) and (b, m, p) -> (b, n, p).

    Raises:
        RuntimeError: if an operand is not 3-D, or the batch or inner dimensions differ.
    """
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (bmm got shapes {list(input.shape)} and {list(mat2.shape)})")
    result = input @ mat2
    return result if out is None else write_out("bmm", result, out)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two vectors: (n,) and (n,) -> ().

    Raises:
        RuntimeError: if an operand is not 1-D or the lengths differ.
    """
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return input @ other


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,) -> (n,).

    Raises:
        RuntimeError: if ``input`` is not 2-D or ``vec`` is not 1-D.
    """
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {input.ndim}, {vec.ndim} "
            f"(mv got shapes {list(input.shape)} and {list(vec.shape)})"
        )
    return input @ vec


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors: (n,) and (m,) -> (n, m), ``out[i, j] = input[i] * vec2[j]``.

    Raises:
        RuntimeError: if an operand is not 1-D.
    """
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(
            f"outer: Expected 1-D arguments, but got {input.ndim}-D and {vec2.ndim}-D tensors"
        )
    return input.unsqueeze(1) * vec2.unsqueeze(0)


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
        ctx.save_for_backward(*operands)
        arrays = [op._data for op in operands]
        with np.errstate(over="ignore", invalid="ignore"):  # IEEE results, as in PyTorch
            out = np.einsum(",".join(inputs) + "->" + output, *arrays, optimize=len(arrays) > 1)
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
            _einsum_operand_grad(grad_output, ctx.output, ctx.inputs, operands, k)
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
        if op.dtype is not operands[0].dtype:
            raise RuntimeError(
                f"expected scalar type {_dtype.scalar_name(operands[0].dtype)} but found "
                f"{_dtype.scalar_name(op.dtype)} "
                f"(einsum operands must all have one dtype: got {operands[0].dtype} and {op.dtype}; "
                "convert one with .to(dtype))"
            )
    # dimensions of size 1 broadcast: expand them, so that each letter has one size
    broadcast = [op.expand(tuple(sizes[c] for c in term)) for op, term in zip(operands, inputs)]
    return Einsum.apply(tuple(inputs), output, *broadcast)


def _einsum_operand_grad(g, output: str, inputs: tuple, operands: tuple, k: int):
    """dL/d(operand k) of ``einsum(inputs -> output)`` as an einsum (see ``Einsum``)."""
    sizes = {c: n for term, op in zip(inputs, operands) for c, n in zip(term, op.shape)}
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
