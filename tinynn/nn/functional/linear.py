"""``linear``: y = x W^T + b, as one graph node (PyTorch's ``addmm``)."""
from __future__ import annotations

import math

import numpy as np

from ... import _dtype
from ..._functions.elementwise import _broadcast_error
from ..._functions.inplace import _check_broadcasts_to
from ..._functions.linalg import _matmul, by_need
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy



class Linear(Function):
    """y = x W^T + b, with W of shape (out_features, in_features).

    Gradients, with every leading dimension of x flattened into N rows
    (X: (N, in), G = dL/dy: (N, out)):

    * dL/dx = G W            (N, in)
    * dL/dW = G^T X          (out, in)
    * dL/db = sum_n G[n]     (out,), or G summed down to b's shape when b broadcasts so

    inf and nan in the inputs give IEEE results without numpy's warnings, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, input, weight, bias):
        x, w = input._data, weight._data
        if x.shape[-1] != w.shape[-1]:
            rows = math.prod(x.shape[:-1])
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                f"{w.shape[-1]}x{w.shape[0]})"
            )
        if x.dtype != w.dtype:
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{_dtype.scalar_name(x.dtype)} and {_dtype.scalar_name(w.dtype)}"
            )
        out_shape = x.shape[:-1] + w.shape[:1]
        if bias is not None:
            # PyTorch's addmm (a 2-D input, or contiguous input and bias, folded to 2-D) checks
            # the bias's dtype; its other path adds the bias in place into the product, in the
            # product's dtype (float64 bias values rounded to a float32 output)
            if bias.dtype != input.dtype and (input.ndim == 2 or (input.is_contiguous() and bias.is_contiguous())):
                raise RuntimeError(
                    "self and mat2 must have the same dtype, but got "
                    f"{_dtype.scalar_name(bias._data.dtype)} and {_dtype.scalar_name(x.dtype)} "
                    "(the bias's dtype and the input's)"
                )
            if bias.dtype.category > input.dtype.category:  # that in-place add cannot cast floats into ints
                raise RuntimeError(
                    f"result type {_dtype.scalar_name(bias.dtype)} can't be cast to the desired output type "
                    f"{_dtype.scalar_name(input.dtype)} (the bias's dtype into the product's: give them one dtype)"
                )
            try:  # (the usual (out_features,) bias skips the check)
                shape = out_shape if bias.shape == out_shape[-1:] else np.broadcast_shapes(bias.shape, out_shape)
            except ValueError:
                raise _broadcast_error(bias, np.empty(out_shape)) from None
            if shape != out_shape:
                raise RuntimeError(
                    f"output with shape {list(out_shape)} doesn't match the broadcast shape "
                    f"{list(shape)} (bias of shape {list(bias.shape)}; give it shape (out_features,))"
                )
        # dL/dx needs only W, dL/dW only x (as in PyTorch, only what will be used is saved:
        # changing x in place afterwards is no error when W needs no gradient)
        needs = ctx.needs_input_grad
        ctx.save_for_backward(input if needs[1] else None, weight if needs[0] else None)
        ctx.bias_shape = None if bias is None else bias.shape
        return quiet_numpy.run(_affine, x, w, None if bias is None else bias._data)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        needs_input, needs_weight, needs_bias = ctx.needs_input_grad
        grad_input = grad_weight = grad_bias = None
        if needs_input or needs_weight:  # G W and G^T X, one op (LinearBackward)
            needs = (needs_input, needs_weight)
            # (..., in_features) and (out_features, in_features)
            grad_input, grad_weight = by_need(needs, LinearBackward.apply(grad_output, input, weight, needs))
        if needs_bias:
            grad_bias = grad_output.sum_to_size(ctx.bias_shape)      # (out_features,) usually
        return grad_input, grad_weight, grad_bias


def _rows(a):
    """A (..., features) tensor or array as (N, features), its leading dims folded into N rows
    (N counted, not inferred with -1: a size-0 feature dim leaves -1 undetermined; math.prod,
    as numpy's prod of a tuple costs more than an 8x8 product)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


class LinearBackward(Function):
    """Linear's backward for the input and the weight as one op: (G, X, W) -> G W, G^T X,
    each only where ``needs`` says (the outputs are those it computes); for the weight's,
    the leading dims of G and X are folded into N rows, (N, out)^T (N, in).

    In tensor ops that is a product for the input's gradient and a transpose and a product
    for the weight's, three ops in every backward pass through a layer; here it is the same
    numpy products (so the same values) in one. Still differentiable: for incoming gradients
    P of G W and Q of G^T X, d/dG = P W^T + X Q^T, d/dX = G Q and d/dW = G^T P (rows
    folded): products again, in tensor ops.
    """

    @staticmethod
    def forward(ctx, grad_output, input, weight, needs):
        ctx.needs = needs
        ctx.save_for_backward(grad_output, input, weight)
        g = grad_output._data
        grads = []
        if needs[0]:
            grads.append(quiet_numpy.run(_matmul, g, weight._data))                  # G W
        if needs[1]:
            grads.append(quiet_numpy.run(np.matmul, _rows(g).T, _rows(input._data)))  # G^T X
        return tuple(grads)

    @staticmethod
    def backward(ctx, *grad_grads):
        grad_output, input, weight = ctx.saved_tensors
        p, q = by_need(ctx.needs, grad_grads)  # dL/d(G W): (..., in), dL/d(G^T X): (out, in)
        needs = ctx.needs_input_grad
        grad_g = grad_x = grad_w = None
        if needs[0]:  # P W^T + X Q^T, of the terms there are
            grad_g = p @ weight.mT if p is not None else None
            if q is not None:
                grad_g = input @ q.mT if grad_g is None else grad_g + input @ q.mT
        if needs[1] and q is not None:
            grad_x = grad_output @ q
        if needs[2] and p is not None:
            grad_w = _rows(grad_output).mT @ _rows(p)
        return grad_g, grad_x, grad_w, None


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """x W^T + b, (..., out_features), a fresh array (a 3-D or larger x as one product with
    its leading dims folded into rows, as PyTorch's addmm: ``_matmul``)."""
    out = _matmul(x, w.T)
    if b is not None:
        out += b
    return out


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply y = x W^T + b.

    Args:
        input: (..., in_features): any number of leading dimensions.
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Shape:
        output: (..., out_features).

    A 1-D ``weight`` (in_features,) gives ``input @ weight + bias`` (the output loses the
    last dimension), as PyTorch.

    Raises:
        RuntimeError: "mat1 and mat2 shapes cannot be multiplied (64x100 and 784x128)" when
            the last dimension of ``input`` is not ``in_features``; on mismatched dtypes; if
            ``input`` or ``weight`` is 0-d or ``weight`` has more than 2 dimensions; or if
            ``bias`` does not broadcast to the output's shape.
    """
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.ndim}D "
                           f"and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight.ndim}D "
                           "(the weight must be (out_features, in_features))")
    if weight.ndim == 1:
        if bias is not None and (input.ndim == 2 or (bias.ndim == 1 and input.is_contiguous())):
            # PyTorch's addmm path (a 2-D input, or a 1-D bias and a contiguous input, folded to
            # 2-D) wants a matrix for the weight
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor (linear with a bias and a 1-D "
                               "weight: give the weight shape (out_features, in_features))")
        out = input.matmul(weight)
        if bias is None:
            return out
        _check_broadcasts_to(out, bias)  # otherwise the bias is added in place: it may not grow out
        return out + bias
    return Linear.apply(input, weight, bias)
