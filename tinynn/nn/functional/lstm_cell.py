"""The LSTM cell's pointwise part as one op, forward and backward: PyTorch's ``_thnn_fused_lstm_cell``.

Notation (chapter 5): z = (z_i, z_f, z_g, z_o) are the four gates' inputs, in PyTorch's
order, each (B, H); c is the old cell state. Forward::

    i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_g)   o = sigmoid(z_o)
    c' = f * c + i * g                    h' = o * tanh(c')

Written with tensor ops, that is ten recorded ops per time step (a split into the four
gates, four activations, a tanh, three products and a sum), each a graph node that
backward visits. One ``Function`` does the same arithmetic in numpy and records one node.
Its backward is the chain rule through those ten ops, done by hand: with
t = tanh(c'), g_h = dL/dh' and g_c = dL/dc' (the cell state's own gradient, from the next
step),

    G    = dL/dc'  = g_c + g_h * o * (1 - t^2)
    dL/dz_i = G * g * i (1 - i)       dL/dz_f = G * c * f (1 - f)
    dL/dz_g = G * i * (1 - g^2)       dL/dz_o = g_h * t * o (1 - o)
    dL/dc   = G * f

That backward is itself one op, ``FusedLSTMCellBackward``, with a backward of its own in
tensor ops, so second and third derivatives still work (``gradgradcheck`` of ``nn.LSTM``).
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


def _activations(gates: np.ndarray, c: np.ndarray) -> tuple:
    """i, f, g, o, c' and t = tanh(c') from the gates' inputs (B, 4H) and the old cell c
    (B, H), in numpy, in the order of the ops they replace (so the values are the same)."""
    hidden = c.shape[1]
    i = _sigmoid(gates[:, :hidden])                 # input gate: how much to write
    f = _sigmoid(gates[:, hidden:2 * hidden])       # forget gate: how much to keep
    g = np.tanh(gates[:, 2 * hidden:3 * hidden])    # candidate values to write
    o = _sigmoid(gates[:, 3 * hidden:])             # output gate: how much to show
    new_c = f * c + i * g                           # the cell: an additive update
    return i, f, g, o, new_c, np.tanh(new_c)        # h' = o * tanh(c') is made from these


class FusedLSTMCell(Function):
    """(z, c) -> (h', c'): one LSTM step after its matrix products (see the module docstring)."""

    @staticmethod
    def forward(ctx, gates, c):
        i, f, g, o, new_c, t = quiet_numpy.run(_activations, gates._data, c._data)
        ctx.save_for_backward(gates, c, *[_tensor.Tensor._make(a) for a in (i, f, g, o, t)])
        return o * t, new_c

    @staticmethod
    def backward(ctx, grad_h, grad_c):
        gates, c, i, f, g, o, t = ctx.saved_tensors
        return FusedLSTMCellBackward.apply(grad_h, grad_c, gates, c, (i, f, g, o, t))


def _cell_backward(grad_h, grad_c, c, i, f, g, o, t):
    """dL/dz (B, 4H) and dL/dc (B, H), in numpy, from the incoming g_h, g_c and the forward's
    c, i, f, g, o, t: the cell collects G = g_c + g_h o (1 - t^2), and each gate's input
    gets G (g_h, for o) times the other factor of its product times its activation's
    derivative."""
    grad_cell = grad_c + grad_h * o * (1 - t * t)
    grad_gates = np.concatenate([grad_cell * g * i * (1 - i), grad_cell * c * f * (1 - f),
                                 grad_cell * i * (1 - g * g), grad_h * t * o * (1 - o)], axis=1)
    return grad_gates, grad_cell * f


class FusedLSTMCellBackward(Function):
    """(g_h, g_c, z, c) -> (dL/dz, dL/dc), :class:`FusedLSTMCell`'s backward as one op.

    ``activations`` are i, f, g, o, t from the forward (values, not differentiated here).
    Its own backward, for second derivatives, differentiates the scalar
    L = <a_z, dL/dz> + <a_c, dL/dc> (a = the incoming gradients) with respect to
    g_h, g_c, z and c. Writing P = a_i g i' + a_f c f' + a_g i g' + a_c f (with
    i' = i (1 - i), f' = f (1 - f), g' = 1 - g^2, o' = o (1 - o)), L = G P + a_o g_h t o', and:

        dL/dg_c = P                     dL/dg_h = P o (1 - t^2) + a_o t o'
        dL/dt   = -2 P g_h o t + a_o g_h o',   which reaches c' as dL/dc' = dL/dt (1 - t^2)
        dL/di = G (a_i g (1 - 2i) + a_g g') + dL/dc' g     dL/dz_i = dL/di i'
        dL/df = G (a_f c (1 - 2f) + a_c)    + dL/dc' c     dL/dz_f = dL/df f'
        dL/dg = G (a_i i' - 2 a_g i g)      + dL/dc' i     dL/dz_g = dL/dg g'
        dL/do = P g_h (1 - t^2) + a_o g_h t (1 - 2o)       dL/dz_o = dL/do o'
        dL/dc = G a_f f' + dL/dc' f

    in tensor ops, on i, f, g, o, t recomputed from z and c with tensor ops, so that they
    are differentiable again (third derivatives).
    """

    @staticmethod
    def forward(ctx, grad_h, grad_c, gates, c, activations):
        ctx.save_for_backward(grad_h, grad_c, gates, c)
        arrays = [a._data for a in activations]
        return quiet_numpy.run(_cell_backward, grad_h._data, grad_c._data, c._data, *arrays)

    @staticmethod
    def backward(ctx, grad_grad_gates, grad_grad_c):
        grad_h, grad_c, gates, c = ctx.saved_tensors
        z_i, z_f, z_g, z_o = gates.chunk(4, 1)
        i, f, g, o = z_i.sigmoid(), z_f.sigmoid(), z_g.tanh(), z_o.sigmoid()
        t = (f * c + i * g).tanh()
        di, df, dg, do = i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)   # i', f', g', o'
        dt = 1 - t * t
        a_i, a_f, a_g, a_o = grad_grad_gates.chunk(4, 1)
        a_c = grad_grad_c
        cell = grad_c + grad_h * o * dt                                     # G
        p = a_i * g * di + a_f * c * df + a_g * i * dg + a_c * f            # P
        grad_new_c = (-2 * p * grad_h * o * t + a_o * grad_h * do) * dt     # dL/dc'
        grad_i = cell * (a_i * g * (1 - 2 * i) + a_g * dg) + grad_new_c * g
        grad_f = cell * (a_f * c * (1 - 2 * f) + a_c) + grad_new_c * c
        grad_g = cell * (a_i * di - 2 * a_g * i * g) + grad_new_c * i
        grad_o = p * grad_h * dt + a_o * grad_h * t * (1 - 2 * o)
        return (p * o * dt + a_o * t * do,                                  # dL/dg_h
                p,                                                          # dL/dg_c
                cat([grad_i * di, grad_f * df, grad_g * dg, grad_o * do], 1),  # dL/dz
                cell * a_f * df + grad_new_c * f,                           # dL/dc
                None)


def fused_lstm_cell(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step after its matrix products: gates (B, 4H), c (B, H) -> h' (B, H), c' (B, H)."""
    return FusedLSTMCell.apply(gates, c)
