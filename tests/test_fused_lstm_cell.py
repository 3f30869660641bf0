"""The LSTM cell's pointwise part as one op (``nn/functional/lstm_cell.py``) against PyTorch.

PyTorch's own LSTMs run the step in kernels of their own (fused ones on CUDA), so the
reference here is PyTorch running the separate ops: i, f, o = sigmoid, g = tanh of the four
blocks of the gates, c' = f c + i g, h' = o tanh(c'). Compared: both outputs, the gradients
of the gates and of c for a random gradient of each output (float32 and float64, with the
tolerances of ``tinynn.testing``), and in float64 the second and third derivatives too,
because the op's backward is itself one op with a hand-written backward.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.nn.functional.lstm_cell import fused_lstm_cell
from tinynn.testing import assert_close

B, H = 3, 5  # batch and hidden size of every case

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no numpy warnings


def torch_cell(gates: torch.Tensor, c: torch.Tensor) -> tuple:
    """The same step in PyTorch's separate ops."""
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    new_c = f * c + i * g
    return o * new_c.tanh(), new_c


def inputs(dtype: str, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {"gates": 2 * rng.standard_normal((B, 4 * H)).astype(dtype),
            "c": rng.standard_normal((B, H)).astype(dtype),
            "grad_h": rng.standard_normal((B, H)).astype(dtype),
            "grad_c": rng.standard_normal((B, H)).astype(dtype)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_outputs_and_gradients_match_pytorch_running_the_separate_ops(dtype, device):
    data = inputs(dtype)
    gates, c = (tinynn.tensor(data[k], requires_grad=True) for k in ("gates", "c"))
    torch_gates, torch_c = (torch.tensor(data[k], device=device, requires_grad=True) for k in ("gates", "c"))
    h, new_c = fused_lstm_cell(gates, c)
    torch_h, torch_new_c = torch_cell(torch_gates, torch_c)
    assert_close(h, torch_h, name="h'")
    assert_close(new_c, torch_new_c, name="c'")
    tinynn.autograd.backward((h, new_c), (tinynn.tensor(data["grad_h"]), tinynn.tensor(data["grad_c"])))
    torch.autograd.backward((torch_h, torch_new_c), (torch.tensor(data["grad_h"], device=device),
                                                     torch.tensor(data["grad_c"], device=device)))
    assert_close(gates.grad, torch_gates.grad, name="dL/dgates")
    assert_close(c.grad, torch_c.grad, name="dL/dc")


def test_a_gradient_for_h_alone_treats_the_cell_states_as_zero():
    """Only h' is used: c' gets no gradient, which the engine fills with zeros."""
    data = inputs("float64")
    gates = tinynn.tensor(data["gates"], requires_grad=True)
    torch_gates = torch.tensor(data["gates"], requires_grad=True)
    (fused_lstm_cell(gates, tinynn.tensor(data["c"]))[0] ** 2).sum().backward()
    (torch_cell(torch_gates, torch.tensor(data["c"]))[0] ** 2).sum().backward()
    assert_close(gates.grad, torch_gates.grad, name="dL/dgates")


def test_second_and_third_derivatives_match_pytorch():
    """Differentiating the gradient twice more goes through FusedLSTMCellBackward's own
    backward (hand-written, in tensor ops) and then through the ops of that backward."""
    data = inputs("float64", seed=1)
    weights = np.random.default_rng(2).standard_normal((B, H))

    def three_orders(lib, cell):
        gates, c = (lib.tensor(data[k], requires_grad=True) for k in ("gates", "c"))
        w = lib.tensor(weights)
        h, new_c = cell(gates, c)
        loss = (h * w).sum() + (new_c * new_c * h).sum()
        first = lib.autograd.grad(loss, (gates, c), create_graph=True)
        second = lib.autograd.grad((first[0] ** 2).sum() + (first[1] ** 3).sum(), (gates, c), create_graph=True)
        third = lib.autograd.grad((second[0] ** 2).sum() + (second[1] * w).sum(), (gates, c))
        return first + second + third

    names = [f"{order} derivative, {wrt}" for order in ("first", "second", "third") for wrt in ("gates", "c")]
    for ours, theirs, name in zip(three_orders(tinynn, fused_lstm_cell), three_orders(torch, torch_cell), names):
        assert_close(ours, theirs, name=name)


def test_gradcheck_and_gradgradcheck():
    data = inputs("float64", seed=3)
    gates, c = (tinynn.tensor(data[k], requires_grad=True) for k in ("gates", "c"))
    assert gradcheck(fused_lstm_cell, (gates, c))
    assert gradgradcheck(fused_lstm_cell, (gates, c))


def test_both_outputs_come_from_one_node():
    data = inputs("float32")
    h, new_c = fused_lstm_cell(tinynn.tensor(data["gates"], requires_grad=True), tinynn.tensor(data["c"]))
    assert h.grad_fn is new_c.grad_fn
    assert type(h.grad_fn).__name__ == "FusedLSTMCellBackward0"


def test_an_lstm_step_records_the_matrix_product_and_one_cell_node():
    """What the op is for: ``nn.LSTMCell`` leaves the gates' sum and one cell node per step."""
    cell = tinynn.nn.LSTMCell(2, H)
    h, c = cell(tinynn.ones(B, 2))
    assert type(h.grad_fn).__name__ == "FusedLSTMCellBackward0"
    assert [type(node).__name__ for node, _ in h.grad_fn.next_functions] == ["AddBackward0", "NoneType"]
