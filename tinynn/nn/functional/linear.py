"""``linear``: y = x W^T + b, as one graph node (PyTorch's ``addmm``)."""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function



class Linear(Function):
    """y = x W^T + b, with W of shape (out_features, in_features).

    Gradients, with every leading dimension of x flattened into N rows
    (X: (N, in), G = dL/dy: (N, out)):

    * dL/dx = G W            (N, in)
    * dL/dW = G^T X          (out, in)
    * dL/db = sum_n G[n]     (out,)
    """

    @staticmethod
    def forward(ctx, input, weight, bias):
        x, w = input._data, weight._data
        if x.ndim == 0:
            raise RuntimeError(
                f"both arguments to linear need to be at least 1D, but they are 0D and {w.ndim}D"
            )
        if x.shape[-1] != w.shape[-1]:
            rows = int(np.prod(x.shape[:-1], dtype=np.int64))
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                f"{w.shape[-1]}x{w.shape[0]})"
            )
        if x.dtype != w.dtype:
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{_dtype.scalar_name(x.dtype)} and {_dtype.scalar_name(w.dtype)}"
            )
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        out = x @ w.T  # (..., out_features), a fresh array
        if bias is not None:
            out += bias._data
        return out

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        needs_input, needs_weight, needs_bias = ctx.needs_input_grad
        grad_input = grad_weight = grad_bias = None
        if needs_input:
            grad_input = grad_output @ weight                        # (..., in_features)
        if needs_weight or needs_bias:
            # N counted, not inferred with -1: a size-0 feature dim leaves -1 undetermined
            rows = int(np.prod(input.shape[:-1], dtype=np.int64))
            g = grad_output if grad_output.ndim == 2 else grad_output.reshape(rows, grad_output.shape[-1])  # (N, out)
            if needs_weight:
                x = input if input.ndim == 2 else input.reshape(rows, input.shape[-1])  # (N, in_features)
                grad_weight = g.T @ x                                # (out_features, in_features)
            if needs_bias:
                grad_bias = g.sum(0)                                 # (out_features,)
        return grad_input, grad_weight, grad_bias


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply y = x W^T + b.

    Args:
        input: (..., in_features): any number of leading dimensions.
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Shape:
        output: (..., out_features).

    Raises:
        RuntimeError: "mat1 and mat2 shapes cannot be multiplied (64x100 and 784x128)" when
            the last dimension of ``input`` is not ``in_features``; or on mismatched dtypes.
    """
    return Linear.apply(input, weight, bias)
