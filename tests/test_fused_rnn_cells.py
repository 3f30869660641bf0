"""The LSTM and GRU cells' pointwise parts as one op each (``nn/functional/lstm_cell.py``,
``nn/functional/gru_cell.py``) against PyTorch.

PyTorch's own LSTMs and GRUs run these steps in kernels of their own (fused ones on CUDA),
so the reference here is PyTorch running the separate ops the fused op replaces. Compared:
every output, the gradients of every input for a random gradient of each output (float32
and float64, with the tolerances of ``tinynn.testing``), and in float64 the second and
third derivatives too, because each op's backward is itself one op with a hand-written
backward.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.nn.functional.gru_cell import fused_gru_cell
from tinynn.nn.functional.lstm_cell import fused_lstm_cell
from tinynn.testing import assert_close

B, H = 3, 5  # batch and hidden size of every case

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no numpy warnings


def torch_lstm_cell(gates, c):
    """i, f, o = sigmoid, g = tanh of the four blocks; c' = f c + i g; h' = o tanh(c')."""
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    new_c = f * c + i * g
    return o * new_c.tanh(), new_c


def torch_gru_cell(gates_x, gates_h, h):
    """r, z = sigmoid of the sums of the shares; n = tanh(x_n + r u_n); h' = (1 - z) n + z h."""
    x_r, x_z, x_n = gates_x.chunk(3, 1)
    u_r, u_z, u_n = gates_h.chunk(3, 1)
    r, z = (x_r + u_r).sigmoid(), (x_z + u_z).sigmoid()
    n = (x_n + r * u_n).tanh()
    return (1 - z) * n + z * h


# name: (tinynn's op, PyTorch's separate ops, the inputs' shapes, the outputs' shapes)
CELLS = {"lstm": (fused_lstm_cell, torch_lstm_cell, [(B, 4 * H), (B, H)], [(B, H), (B, H)]),
         "gru": (fused_gru_cell, torch_gru_cell, [(B, 3 * H), (B, 3 * H), (B, H)], [(B, H)])}


def as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def arrays(shapes: list, dtype: str, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [2 * rng.standard_normal(shape).astype(dtype) for shape in shapes]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_outputs_and_gradients_match_pytorch_running_the_separate_ops(cell, dtype, device):
    ours, theirs, in_shapes, out_shapes = CELLS[cell]
    values, grads = arrays(in_shapes, dtype, 0), arrays(out_shapes, dtype, 1)
    our_inputs = [tinynn.tensor(v, requires_grad=True) for v in values]
    their_inputs = [torch.tensor(v, device=device, requires_grad=True) for v in values]
    our_outputs, their_outputs = as_tuple(ours(*our_inputs)), as_tuple(theirs(*their_inputs))
    for k, (a, b) in enumerate(zip(our_outputs, their_outputs)):
        assert_close(a, b, name=f"output {k}")
    tinynn.autograd.backward(our_outputs, [tinynn.tensor(g) for g in grads])
    torch.autograd.backward(their_outputs, [torch.tensor(g, device=device) for g in grads])
    for k, (a, b) in enumerate(zip(our_inputs, their_inputs)):
        assert_close(a.grad, b.grad, name=f"gradient of input {k}")


@pytest.mark.parametrize("cell", CELLS)
def test_second_and_third_derivatives_match_pytorch(cell):
    """Differentiating the gradient twice more goes through the backward op's own backward
    (hand-written, in tensor ops) and then through the ops of that backward."""
    ours, theirs, in_shapes, out_shapes = CELLS[cell]
    values, weights = arrays(in_shapes, "float64", 2), arrays(out_shapes, "float64", 3)

    def three_orders(lib, fn):
        inputs = [lib.tensor(v, requires_grad=True) for v in values]
        outputs = as_tuple(fn(*inputs))
        loss = sum((out * lib.tensor(w)).sum() + (out ** 3).sum() for out, w in zip(outputs, weights))
        first = lib.autograd.grad(loss, inputs, create_graph=True)
        second = lib.autograd.grad(sum((g ** 2).sum() for g in first) + (first[-1] ** 3).sum(), inputs,
                                   create_graph=True)
        third = lib.autograd.grad(sum((g ** 2).sum() for g in second) + (second[0] * second[-1][:, :1]).sum(),
                                  inputs)
        return first + second + third

    orders = ("first", "second", "third")
    names = [f"{order} derivative, input {k}" for order in orders for k in range(len(in_shapes))]
    for a, b, name in zip(three_orders(tinynn, ours), three_orders(torch, theirs), names):
        assert_close(a, b, name=name)


@pytest.mark.parametrize("cell", CELLS)
def test_gradcheck_and_gradgradcheck(cell):
    ours, _, in_shapes, _ = CELLS[cell]
    inputs = tuple(tinynn.tensor(v, requires_grad=True) for v in arrays(in_shapes, "float64", 4))
    assert gradcheck(ours, inputs)
    assert gradgradcheck(ours, inputs)


def test_an_lstm_gradient_for_h_alone_treats_the_cell_states_as_zero():
    """Only h' is used: c' gets no gradient, which the engine fills with zeros."""
    gates, c = arrays([(B, 4 * H), (B, H)], "float64", 5)
    ours, theirs = tinynn.tensor(gates, requires_grad=True), torch.tensor(gates, requires_grad=True)
    (fused_lstm_cell(ours, tinynn.tensor(c))[0] ** 2).sum().backward()
    (torch_lstm_cell(theirs, torch.tensor(c))[0] ** 2).sum().backward()
    assert_close(ours.grad, theirs.grad, name="dL/dgates")


def test_both_lstm_outputs_come_from_one_node():
    gates, c = arrays([(B, 4 * H), (B, H)], "float32", 6)
    h, new_c = fused_lstm_cell(tinynn.tensor(gates, requires_grad=True), tinynn.tensor(c))
    assert h.grad_fn is new_c.grad_fn
    assert type(h.grad_fn).__name__ == "FusedLSTMCellBackward0"


@pytest.mark.parametrize("module, node", [("LSTMCell", "FusedLSTMCellBackward0"), ("GRUCell", "FusedGRUCellBackward0")])
def test_a_cell_step_records_one_node_after_its_matrix_products(module, node):
    """What the ops are for: ``nn.LSTMCell`` and ``nn.GRUCell`` leave one node per step for
    everything after the matrix products."""
    step = getattr(tinynn.nn, module)(2, H)
    output = step(tinynn.ones(B, 2))
    h = output[0] if isinstance(output, tuple) else output
    assert type(h.grad_fn).__name__ == node
