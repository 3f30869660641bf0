"""Reference solutions for exercises/ex02_autograd.ipynb (backward of ops, topological order).

The real versions in tinynn: ``SumToSize`` in tinynn/_functions/shape.py (and the engine's
``_sum_to_input`` in tinynn/autograd/engine.py, which applies it to every gradient),
``Mul`` in tinynn/_functions/elementwise.py, ``Tanh`` in tinynn/_functions/unary.py,
``Sum``, ``Softmax`` and ``SoftmaxBackwardData`` in tinynn/_functions/reduction.py, ``Matmul`` in
tinynn/_functions/linalg.py, and the topological order in ``run_backward`` (tinynn/autograd/engine.py).
"""
from __future__ import annotations

import numpy as np


def sum_to_shape(grad, shape):
    """Sum ``grad`` back to ``shape``, undoing broadcasting (the inverse of np.broadcast_to)."""
    shape = tuple(shape)
    lead = grad.ndim - len(shape)
    grad = np.sum(grad, axis=tuple(range(lead)))  # dimensions broadcasting added in front
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = np.sum(grad, axis=stretched, keepdims=True)  # size-1 dimensions that were stretched
    return grad


def mul_backward(grad_output, x, y):
    """z = x * y:  dL/dx = g * y,  dL/dy = g * x, each summed back to its input's shape."""
    grad_x = sum_to_shape(grad_output * y, np.shape(x))
    grad_y = sum_to_shape(grad_output * x, np.shape(y))
    return grad_x, grad_y


def tanh_backward(grad_output, x):
    """z = tanh(x):  dL/dx = g * (1 - tanh(x)^2)."""
    return grad_output * (1 - np.tanh(x) ** 2)


def sum_backward(grad_output, input_shape, dim, keepdim):
    """z = x.sum(dim, keepdim):  dL/dx = g, with the summed dimensions put back and broadcast."""
    ndim = len(input_shape)
    if dim is None:
        dims = tuple(range(ndim))
    else:
        dims = tuple(d % ndim for d in ((dim,) if isinstance(dim, int) else dim))
    if not keepdim:
        grad_output = np.expand_dims(grad_output, dims)  # (..., 1, ...) where dims were summed
    return np.broadcast_to(grad_output, input_shape).copy()


def matmul_backward(grad_output, a, b):
    """C = a @ b:  dL/da = G @ b^T,  dL/db = a^T @ G (transposing the last two axes)."""
    grad_a = grad_output @ np.swapaxes(b, -1, -2)
    grad_b = np.swapaxes(a, -1, -2) @ grad_output  # (..., k, m): one per matrix in a batch
    return sum_to_shape(grad_a, a.shape), sum_to_shape(grad_b, b.shape)


def softmax_backward(grad_output, output, dim):
    """y = softmax(x):  dL/dx = y * (g - sum_j g_j y_j) along ``dim``."""
    return output * (grad_output - np.sum(grad_output * output, axis=dim, keepdims=True))


def topo_sort(root):
    """Every node once, root first, each node before all the nodes it was computed from.

    Kahn's algorithm: count each node's users, then emit a node once all its users are out.
    An explicit stack, no recursion, so a graph 10,000 nodes deep is fine.
    """
    users = {}
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for parent in node.inputs:
            users[parent] = users.get(parent, 0) + 1
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node.inputs:
            users[parent] -= 1
            if users[parent] == 0:  # every user has passed its gradient on
                ready.append(parent)
    return order


def make_sigmoid(lib):
    """A lib.autograd.Function subclass (lib is torch or tinynn): sigmoid, whose backward
    g * y * (1 - y) is written in tensor operations, so it can be differentiated again."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = lib.sigmoid(x)
            ctx.save_for_backward(y)  # the output is all backward needs
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y * (1 - y)

    return Sigmoid
