"""Matrix multiplication, for every rank ``torch.matmul`` accepts.

For ``Z = A @ B`` with ``A`` (n, k) and ``B`` (k, m):  dL/dA = G @ B^T  and  dL/dB = A^T @ G.
Batched inputs use the same formulas on the last two axes (batch axes broadcast, and the
engine sums the gradient over broadcast batch axes). A 1-D ``A`` is a row vector (1, k),
a 1-D ``B`` a column vector (k, 1); the added axis is removed again afterwards.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function


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


