"""The GRU cell's pointwise part as one op, forward and backward: PyTorch's ``_thnn_fused_gru_cell``.

Notation (chapter 5): the input's share of the gates, x = (x_r, x_z, x_n) = x W_ih^T + b_ih,
and the recurrent share, u = (u_r, u_z, u_n) = h W_hh^T + b_hh, each block (B, H), in
PyTorch's order r, z, n; h is the old state. Forward::

    r = sigmoid(x_r + u_r)    z = sigmoid(x_z + u_z)    n = tanh(x_n + r * u_n)
    h' = (1 - z) * n + z * h

Written with tensor ops, that is thirteen recorded ops per time step (two splits, four
sums, two sigmoids, a tanh, three products and a difference), each a graph node that
backward visits. One ``Function`` does the same arithmetic in numpy and records one node.
Its backward is the chain rule through those ops, done by hand: with g = dL/dh',
n' = 1 - n^2, z' = z (1 - z), r' = r (1 - r),

    a_n = g (1 - z) n'            (the gradient of n's input, x_n + r u_n)
    a_z = g (h - n) z'            a_r = a_n u_n r'
    dL/dx = (a_r, a_z, a_n)       dL/du = (a_r, a_z, a_n r)       dL/dh = g z

That backward is itself one op, ``FusedGRUCellBackward``, with a backward of its own in
tensor ops, so second and third derivatives still work (``gradgradcheck`` of ``nn.GRU``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ... import _tensor
from ..._functions.shape import cat
from ..._functions.unary import _sigmoid
from ...autograd.function import Function, quiet_numpy

if TYPE_CHECKING:
    from ..._tensor import Tensor


def _gates(gates_x: np.ndarray, gates_h: np.ndarray, h: np.ndarray) -> tuple:
    """r, z, n and h' from the two shares of the gates (B, 3H) and the old state h (B, H),
    in numpy, in the order of the ops they replace (so the values are the same)."""
    hidden = h.shape[1]
    x_r, x_z, x_n = gates_x[:, :hidden], gates_x[:, hidden:2 * hidden], gates_x[:, 2 * hidden:]
    u_r, u_z, u_n = gates_h[:, :hidden], gates_h[:, hidden:2 * hidden], gates_h[:, 2 * hidden:]
    r = _sigmoid(x_r + u_r)                         # reset gate
    z = _sigmoid(x_z + u_z)                         # update gate
    n = np.tanh(x_n + r * u_n)                      # candidate (b_hn inside the product)
    return r, z, n, (1 - z) * n + z * h             # z = 1 keeps the old state


class FusedGRUCell(Function):
    """(x, u, h) -> h': one GRU step after its matrix products (see the module docstring)."""

    @staticmethod
    def forward(ctx, gates_x, gates_h, h):
        r, z, n, new_h = quiet_numpy.run(_gates, gates_x._data, gates_h._data, h._data)
        ctx.save_for_backward(gates_x, gates_h, h, *[_tensor.Tensor._make(a) for a in (r, z, n)])
        return new_h

    @staticmethod
    def backward(ctx, grad_output):
        gates_x, gates_h, h, r, z, n = ctx.saved_tensors
        return FusedGRUCellBackward.apply(grad_output, gates_x, gates_h, h, (r, z, n))


def _cell_backward(grad: np.ndarray, u_n: np.ndarray, h: np.ndarray, r: np.ndarray, z: np.ndarray,
                   n: np.ndarray) -> tuple:
    """dL/dx, dL/du (B, 3H) and dL/dh (B, H), in numpy, from the incoming g and the forward's
    values (the module docstring's formulas)."""
    grad_n = grad * (1 - z) * (1 - n * n)           # a_n
    grad_z = grad * (h - n) * z * (1 - z)           # a_z
    grad_r = grad_n * u_n * r * (1 - r)             # a_r
    return (np.concatenate([grad_r, grad_z, grad_n], axis=1),
            np.concatenate([grad_r, grad_z, grad_n * r], axis=1),
            grad * z)


class FusedGRUCellBackward(Function):
    """(g, x, u, h) -> (dL/dx, dL/du, dL/dh), :class:`FusedGRUCell`'s backward as one op.

    ``activations`` are r, z, n from the forward (values, not differentiated here). Its own
    backward, for second derivatives, differentiates L = <A_x, dL/dx> + <A_u, dL/du> +
    <A_h, dL/dh> (A = the incoming gradients) with respect to g, x, u and h. With
    B_r = A_xr + A_ur, B_z = A_xz + A_uz, B_n = A_xn + A_un r and Q = g (1 - z) n' (= a_n),
    L = B_r Q u_n r' + B_z g (h - n) z' + B_n Q + A_h g z, and:

        dL/dg = B_r (1 - z) n' u_n r' + B_z (h - n) z' + B_n (1 - z) n' + A_h z
        dL/dQ = B_r u_n r' + B_n
        dL/dn = -B_z g z' - 2 dL/dQ g (1 - z) n,   which reaches n's input as p_n = dL/dn n'
        dL/dr = B_r Q u_n (1 - 2r) + Q A_un + p_n u_n,   r's input: p_r = dL/dr r'
        dL/dz = B_z g (h - n)(1 - 2z) + A_h g - dL/dQ g n',   z's input: p_z = dL/dz z'
        dL/dx = (p_r, p_z, p_n)    dL/du = (p_r, p_z, B_r Q r' + p_n r)    dL/dh = B_z g z'

    in tensor ops, on r, z, n recomputed from x, u and h with tensor ops, so that they are
    differentiable again (third derivatives).
    """

    @staticmethod
    def forward(ctx, grad, gates_x, gates_h, h, activations):
        ctx.save_for_backward(grad, gates_x, gates_h, h)
        u_n = gates_h._data[:, 2 * h._data.shape[1]:]
        return quiet_numpy.run(_cell_backward, grad._data, u_n, h._data, *[a._data for a in activations])

    @staticmethod
    def backward(ctx, grad_grad_x, grad_grad_h_gates, grad_grad_h):
        grad, gates_x, gates_h, h = ctx.saved_tensors
        x_r, x_z, x_n = gates_x.chunk(3, 1)
        u_r, u_z, u_n = gates_h.chunk(3, 1)
        r, z = (x_r + u_r).sigmoid(), (x_z + u_z).sigmoid()
        n = (x_n + r * u_n).tanh()
        dr, dz, dn = r * (1 - r), z * (1 - z), 1 - n * n                   # r', z', n'
        a_xr, a_xz, a_xn = grad_grad_x.chunk(3, 1)
        a_ur, a_uz, a_un = grad_grad_h_gates.chunk(3, 1)
        b_r, b_z, b_n = a_xr + a_ur, a_xz + a_uz, a_xn + a_un * r           # B_r, B_z, B_n
        q = grad * (1 - z) * dn                                             # Q
        grad_q = b_r * u_n * dr + b_n                                       # dL/dQ
        grad_n = -b_z * grad * dz - 2 * grad_q * grad * (1 - z) * n         # dL/dn
        p_n = grad_n * dn
        p_r = (b_r * q * u_n * (1 - 2 * r) + q * a_un + p_n * u_n) * dr
        p_z = (b_z * grad * (h - n) * (1 - 2 * z) + grad_grad_h * grad - grad_q * grad * dn) * dz
        return (b_r * (1 - z) * dn * u_n * dr + b_z * (h - n) * dz + b_n * (1 - z) * dn
                + grad_grad_h * z,                                          # dL/dg
                cat([p_r, p_z, p_n], 1),                                    # dL/dx
                cat([p_r, p_z, b_r * q * dr + p_n * r], 1),                 # dL/du
                b_z * grad * dz,                                            # dL/dh
                None)


def fused_gru_cell(gates_x: Tensor, gates_h: Tensor, h: Tensor) -> Tensor:
    """One GRU step after its matrix products: gates_x, gates_h (B, 3H), h (B, H) -> h' (B, H)."""
    return FusedGRUCell.apply(gates_x, gates_h, h)
