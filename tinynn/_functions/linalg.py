"""Matrix multiplication, for every rank ``torch.matmul`` accepts.

For ``Z = A @ B`` with ``A`` (n, k) and ``B`` (k, m):  dL/dA = G @ B^T  and  dL/dB = A^T @ G.
Batched inputs use the same formulas on the last two axes (batch axes broadcast, and the
engine sums the gradient over broadcast batch axes). A 1-D ``A`` is a row vector (1, k),
a 1-D ``B`` a column vector (k, 1); the added axis is removed again afterwards.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function, quiet_numpy
from .elementwise import Where
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


def _bool_matmul_error(a_ndim: int, b_ndim: int) -> NotImplementedError:
    """PyTorch has no bool kernel for matrix products; its message names the kernel."""
    kernel = ("dot" if a_ndim == 1 and b_ndim == 1 else "addmv_impl_cpu" if b_ndim == 1
              else "addmm_impl_cpu_" if a_ndim <= 2 and b_ndim <= 2 else "bmm")
    return NotImplementedError(f"\"{kernel}\" not implemented for 'Bool' (convert to an integer "
                               "or float dtype first)")


def _product_shape(a_shape: tuple, b_shape: tuple) -> tuple | None:
    """The shape of a @ b, and its inner size; None where the shapes do not fit."""
    if not a_shape or not b_shape:
        return None
    a2 = (1,) + tuple(a_shape) if len(a_shape) == 1 else tuple(a_shape)  # a row vector
    b2 = tuple(b_shape) + (1,) if len(b_shape) == 1 else tuple(b_shape)  # a column vector
    if a2[-1] != b2[-2]:
        return None
    try:
        batch = tuple(np.broadcast_shapes(a2[:-2], b2[:-2]))
    except ValueError:
        return None
    return batch + (a2[-2],) * (len(a_shape) > 1) + (b2[-1],) * (len(b_shape) > 1), a2[-1]


def _check_dtypes(a, b) -> np.ndarray:
    """PyTorch's rules for a @ b where the dtypes differ or are bool (no bool kernel).

    The shapes are checked first. When there is nothing to multiply, PyTorch returns zeros
    (an empty result, or zeros for an inner size of 0) before it looks at the dtypes: for
    bool operands (but not two vectors: ``dot`` checks), and for a batched product (b with
    3 or more dims, ``bmm``) of two dtypes, in b's dtype. Those zeros are returned;
    otherwise this raises.

    Raises:
        RuntimeError: for shapes that do not fit, or operands of two dtypes.
        NotImplementedError: for bool operands (the batched product checks a bool a first).
    """
    product = _product_shape(a.shape, b.shape)
    if product is None:
        raise _matmul_error(a.shape, b.shape)
    shape, inner = product
    nothing_to_multiply = 0 in shape or inner == 0
    vectors = a.ndim == 1 and b.ndim == 1
    if nothing_to_multiply and not vectors and (a.dtype is b.dtype or (a.ndim >= 2 and b.ndim >= 3)):
        return np.zeros(shape, dtype=b._data.dtype)
    if a.dtype is b.dtype:  # both bool
        raise _bool_matmul_error(a.ndim, b.ndim)
    if a.dtype is _dtype.bool and b.ndim >= 3 and (a.ndim >= 2 or not nothing_to_multiply):  # bmm: bool first
        raise _bool_matmul_error(3, 3)
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")


class Matmul(Function):
    """Z = A @ B;  dL/dA = G @ B^T,  dL/dB = A^T @ G (on the last two axes).

    Each gradient needs only the other operand, so only that one is saved (as in
    PyTorch): changing A in place after the product is no error when only A needs a
    gradient.
    """

    @staticmethod
    def forward(ctx, a, b):
        needs = ctx.needs_input_grad
        ctx.save_for_backward(a if needs[1] else None, b if needs[0] else None)
        a_dtype, b_dtype = ctx.dtypes = a.dtype, b.dtype
        ctx.ndims = a._data.ndim, b._data.ndim
        if a_dtype is not b_dtype or a_dtype is _dtype.bool:
            return _check_dtypes(a, b)  # zeros, where PyTorch returns before its dtype checks
        try:  # inf * 0 = nan, as in PyTorch: no numpy warning
            return quiet_numpy.run(_matmul, a._data, b._data)
        except ValueError:
            raise _matmul_error(a.shape, b.shape) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors  # a if B needs a gradient, b if A does
        a_dtype, b_dtype = ctx.dtypes
        if a_dtype is not b_dtype:  # (zeros from _check_dtypes) PyTorch's backward refuses them
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {b_dtype} != "
                               f"{a_dtype} (a product of two dtypes has no gradient: give both one dtype)")
        needs = ctx.needs_input_grad
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 2 and b_ndim == 2:  # two matrices, the common case: one op
            return by_need(needs, MatmulBackward.apply(grad_output, a, b, needs))
        g = grad_output
        if a_ndim == 1:
            g = g.unsqueeze(-1 if b_ndim == 1 else -2)  # restore the row axis of A
        if b_ndim == 1:
            g = g.unsqueeze(-1)                          # restore the column axis of B
        grad_a = grad_b = None
        if needs[0]:
            b2 = b.unsqueeze(-1) if b_ndim == 1 else b   # (k,) -> (k, 1)
            grad_a = g @ b2.mT                          # (..., n, k)
            if a_ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if needs[1]:
            if a_ndim > 2 and b_ndim == 2:              # a batch times one matrix: fold the
                rows = math.prod(a.shape[:-1])          # batch into rows, one (k, m) product
                grad_b = a.reshape(rows, a.shape[-1]).mT @ g.reshape(rows, g.shape[-1])
            else:
                a2 = a.unsqueeze(0) if a_ndim == 1 else a  # (k,) -> (1, k)
                grad_b = a2.mT @ g                      # (..., k, m)
            if b_ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


class MatmulBackward(Function):
    """Matmul's backward for two matrices as one op: (G, A, B) -> G B^T, A^T G, the gradients
    of A and B (each only where ``needs`` says so; the outputs are those it computes).

    Written in tensor ops, each gradient is a transpose and a product, and every backward
    pass through a product of matrices (each ``x @ W`` of an RNN step) would pay for four
    ops; here it is two numpy products (the same calls, so the same values). Still
    differentiable: for (dA, dB) = (G B^T, A^T G) and incoming gradients (P, Q) of those,
    d/dG = P B + A Q, d/dA = G Q^T, d/dB = P^T G: products again, in tensor ops.
    """

    @staticmethod
    def forward(ctx, grad_output, a, b, needs):
        ctx.needs = needs
        ctx.save_for_backward(grad_output, a, b)
        g = grad_output._data
        grads = []
        if needs[0]:
            grads.append(quiet_numpy.run(np.matmul, g, b._data.T))  # (n, k): G B^T
        if needs[1]:
            grads.append(quiet_numpy.run(np.matmul, a._data.T, g))  # (k, m): A^T G
        return tuple(grads)

    @staticmethod
    def backward(ctx, *grad_grads):
        grad_output, a, b = ctx.saved_tensors
        p, q = by_need(ctx.needs, grad_grads)  # dL/d(G B^T), dL/d(A^T G)
        needs = ctx.needs_input_grad
        grad_g = grad_a = grad_b = None
        if needs[0]:  # P B + A Q, of the terms there are
            grad_g = p @ b if p is not None else None
            if q is not None:
                grad_g = a @ q if grad_g is None else grad_g + a @ q
        if needs[1] and q is not None:
            grad_a = grad_output @ q.mT
        if needs[2] and p is not None:
            grad_b = p.mT @ grad_output
        return grad_g, grad_a, grad_b, None


def by_need(needs: tuple, values) -> tuple:
    """``values``, one for each True in ``needs``, spread out to one entry per need, None
    where it is False: ``MatmulBackward`` and ``LinearBackward`` compute (and receive) only
    the gradients that are needed."""
    values = iter(values)
    return tuple([next(values) if needed else None for needed in needs])


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``; a batch of matrices times one matrix as one (N, k) @ (k, m) product, as
    PyTorch folds it: numpy's matmul runs one small product per batch entry (32 of 12 rows
    for a batch of 32 sequences of 12 tokens), and one large product is about a third
    faster. ``Matmul`` and ``linear`` use it."""
    if a.ndim > 2 and b.ndim == 2:
        rows = math.prod(a.shape[:-1])  # counted, not -1: k may be 0
        return np.matmul(a.reshape(rows, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[1:])
    return np.matmul(a, b)



def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix product for every rank (``input @ other``, the Function ``Matmul``).

    Shape: (n, m) @ (m, p) -> (n, p); 1-D operands are a row or a column vector;
    leading (batch) dimensions broadcast. With ``out``, the result is written into it.

    Raises:
        RuntimeError: if the inner dimensions differ, or an operand is 0-D.
        TypeError: for an operand that is not a tensor (a numpy array too: only the ``@``
            operator takes one, as in PyTorch).
    """
    check_tensor_arguments("matmul", ("input", input), ("other", other))
    return write_out("matmul", Matmul.apply(input, other), out)


def check_tensor_arguments(name: str, *arguments: tuple, first_position: int = 1) -> None:
    """PyTorch's TypeError for an argument that should be a tensor: ``arguments`` are
    (parameter name, value) pairs, numbered from ``first_position``."""
    for position, (parameter, value) in enumerate(arguments, first_position):
        if not isinstance(value, _tensor.Tensor):
            raise TypeError(f"{name}(): argument '{parameter}' (position {position}) must be Tensor, not "
                            f"{_tensor._type_name(value)}")


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix times matrix: (n, m) and (m, p) -> (n, p).

    Raises:
        RuntimeError: if an operand is not 2-D or the inner dimensions differ.
    """
    if input.ndim != 2 or mat2.ndim != 2:
        which = "self" if input.ndim != 2 else "mat2"
        raise RuntimeError(f"{which} must be a matrix (mm got shapes {list(input.shape)} and {list(mat2.shape)})")
    result = input @ mat2
    return result if out is None else write_out("mm", result, out)


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """A batch of matrix products: (b, n, m) and (b, m, p) -> (b, n, p).

    Raises:
        RuntimeError: if an operand is not 3-D, the batch or inner dimensions differ
            (batch dimensions do not broadcast, unlike ``matmul``'s), or the dtypes differ
            (not checked when the result is empty or the inner dimension is 0: then the
            result has mat2's dtype, as in PyTorch).
    """
    if input.ndim != 3 or mat2.ndim != 3:
        which = "batch1" if input.ndim != 3 else "batch2"
        raise RuntimeError(
            f"{which} must be a 3D tensor (bmm got shapes {list(input.shape)} and {list(mat2.shape)})")
    if mat2.shape[:2] != (input.shape[0], input.shape[2]):  # no broadcasting of the batch
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]. "
            f"(bmm of shapes {list(input.shape)} and {list(mat2.shape)}: the batch sizes must be "
            "equal, and the last dim of the first must equal the middle dim of the second)")
    nothing_to_multiply = 0 in (input.shape[0], input.shape[1], input.shape[2], mat2.shape[2])
    if input.dtype is _dtype.bool and not nothing_to_multiply:  # before the dtypes are compared
        raise _bool_matmul_error(3, 3)
    if input.dtype is not mat2.dtype and nothing_to_multiply:
        # PyTorch returns an empty result (or zeros, for an inner dim of 0) before it
        # compares the dtypes, in mat2's dtype
        if input.requires_grad and grad_mode.is_grad_enabled() and not mat2.dtype.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {_dtype.scalar_name(mat2.dtype)} (the empty "
                               "result of bmm has mat2's dtype; give both operands one float dtype)")
        input = input.to(mat2.dtype)
    result = input @ mat2
    return result if out is None else write_out("bmm", result, out)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two vectors: (n,) and (n,) -> ().

    Raises:
        RuntimeError: if an operand is not 1-D, the lengths differ, or the dtypes differ.
    """
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_dtype.scalar_name(input.dtype)} and {_dtype.scalar_name(other.dtype)}")
    return input @ other


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,) -> (n,).

    Raises:
        RuntimeError: if ``input`` is not 2-D or ``vec`` is not 1-D (IndexError for a
            0-d ``input``, as in PyTorch).
    """
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim} "
            f"(mv got shapes {list(input.shape)} and {list(vec.shape)})"
        )
    return input @ vec


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors: (n,) and (m,) -> (n, m), ``out[i, j] = input[i] * vec2[j]``.

    Raises:
        RuntimeError: if an operand is not 1-D.
    """
    if input.ndim != 1 or vec2.ndim != 1:
        which, ndim = ("self", input.ndim) if input.ndim != 1 else ("vec2", vec2.ndim)
        raise RuntimeError(f"outer: Expected 1-D argument {which}, but got {ndim}-D")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``. With ``beta=0`` input is ignored (even
    nan) and gets a zero gradient. For integer tensors ``beta`` and ``alpha`` are
    truncated to ints first, as PyTorch converts them to the tensors' type.

    Shape: mat1 (n, m), mat2 (m, p); input broadcasts to (n, p); the result is (n, p).

    Raises:
        RuntimeError: if mat1 or mat2 is not 2-D, the inner dimensions differ, the dtypes
            differ, or input does not broadcast to (n, p).
    """
    if mat1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_dtype.scalar_name(input.dtype)} "
            f"and {_dtype.scalar_name(mat2.dtype)}")
    product = mm(mat1, mat2)
    input = input.expand(product.shape)  # raises PyTorch's error if it does not broadcast
    if not input.dtype.is_floating_point:  # converted as PyTorch does (inf raises)
        beta, alpha = (int(_dtype.checked_scalar(v, _dtype.int64)) for v in (beta, alpha))
    if alpha != 1:
        product = product * alpha
    if beta == 0:  # input's values are ignored (even nan), and its gradient is 0
        zero = _tensor.Tensor._make(np.zeros((), dtype=input._data.dtype))
        return product + Where.apply(_tensor.Tensor._make(np.ones((), dtype=bool)), zero, input)
    return (input if beta == 1 else input * beta) + product


def addmm_(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place ``addmm``: input = beta * input + alpha * (mat1 @ mat2).

    Raises:
        RuntimeError: as ``addmm``, and if input is not already (n, p) (no broadcasting
            in place).
    """
    result = addmm(input, mat1, mat2, beta=beta, alpha=alpha)
    if result.shape != input.shape:
        raise RuntimeError(f"Bad in-place call: input tensor size {list(input.shape)} and output "
                           f"tensor size {list(result.shape)} should match")
    return input.copy_(result)
